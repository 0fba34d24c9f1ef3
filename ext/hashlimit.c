// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m hashlimit (libxt_hashlimit, xt_hashlimit revision 3): -m
 * limit's token bucket, one per flow: per source address, per destination
 * port, or what --hashlimit-mode names, each flow in a table --hashlimit-name
 * names. "At most 10 new connections a second from each source, after a
 * burst of 20":
 *
 *   -A INPUT -p tcp --syn -m hashlimit --hashlimit-above 10/sec \
 *            --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name syn -j DROP
 *
 * The rates in bytes (--hashlimit-upto 1mb/s), the masks that group
 * addresses (--hashlimit-srcmask 24) and --hashlimit-rate-match (match
 * flows faster than the rate, without limiting them) are xt_hashlimit's,
 * with its arithmetic: the same packets match.
 *
 * DOC: the tables
 *
 * A table exists while a rule of the live ruleset names it, as -m recent's
 * lists (minifw_hashlimit_prepare() makes those of a ruleset about to go live,
 * minifw_hashlimit_retire() drops those no rule names once it is live). It
 * takes its settings from the first rule naming it (rate, burst, mode,
 * masks, sizes: as xt_hashlimit takes them from the rule that made it); a
 * ruleset whose first rule naming it asks for other settings gets a new,
 * empty table (xt_hashlimit keeps the old one, and its settings, until no
 * rule names it). The rule's own --hashlimit-upto/-above and its unit of
 * cost are its own, as in xt_hashlimit. One table holds both families'
 * flows (xt_hashlimit: a table for each).
 *
 * A table holds at most --hashlimit-htable-max flows, by default 8 times
 * --hashlimit-htable-size, whose default is xt_hashlimit's (a bucket per
 * 16 kB of memory, 16 to 8192), in one allocation made when the table is:
 * the packet path never allocates. A flow hashes (jhash, random seed) to a
 * bucket of MINIFW_HASHLIMIT_WAYS slots. A new flow takes a free slot, or
 * one whose flow has expired, or, if all eight are live, that of the flow
 * seen least recently; when the table holds its most, a new flow's packet
 * is dropped (as xt_hashlimit does). Every --hashlimit-htable-gcinterval
 * ms the garbage collector frees the flows idle for
 * --hashlimit-htable-expire ms, as xt_hashlimit's htable_gc().
 *
 * Packet path: the table is found by name in an RCU list (few tables; the
 * rule keeps the name's hash); a flow is found and its bucket refilled
 * under its bucket's spinlock, so two CPUs wait for each other only on the
 * same bucket (xt_hashlimit: on the same flow, and on the table's lock to
 * add one).
 */

#ifdef __KERNEL__
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/build_bug.h>
#include <linux/jhash.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include "minifw_kernel.h"
#endif

#include "ext.h"
#include "hashlimit.h"
#include "ruleset.h"

#define MINIFW_HASHLIMIT_SCALE		1000000ULL	/* XT_HASHLIMIT_SCALE_v2 */
#define MINIFW_HASHLIMIT_BURST		5		/* default --hashlimit-burst */
#define MINIFW_HASHLIMIT_BURST_MAX	1000000
#define MINIFW_HASHLIMIT_GCINTERVAL	1000		/* ms */
#define MINIFW_HASHLIMIT_BYTE_SHIFT	4		/* bytes are counted by 16 */
#define MINIFW_HASHLIMIT_BYTE_EXPIRE	15		/* s, a rate in bytes */
#define MINIFW_HASHLIMIT_BYTE_EXPIRE_BURST	60	/* s, ... with a burst */
#define MINIFW_HASHLIMIT_PORTS	(MINIFW_HASHLIMIT_SPT | MINIFW_HASHLIMIT_DPT)
#define MINIFW_HASHLIMIT_KEYS	(MINIFW_HASHLIMIT_SIP | MINIFW_HASHLIMIT_DIP | \
				 MINIFW_HASHLIMIT_PORTS)

/*
 * xt_hashlimit's credits (revision 2 and 3): a packet's worth of time, in
 * as many credits a jiffy as 64 bits take for a day; in bytes, a second's
 * worth of refills in 32 bits.
 */
#define MINIFW_HL_MAX_CPJ	(~0ULL / (HZ * 60 * 60 * 24))
#define MINIFW_HL_CPJ		(1ULL << (63 - __builtin_clzll(MINIFW_HL_MAX_CPJ)))
#define MINIFW_HL_MAX_CPJ_BYTES	(0xFFFFFFFFU / HZ)
#define MINIFW_HL_CPJ_BYTES	(1ULL << (31 - __builtin_clz(MINIFW_HL_MAX_CPJ_BYTES)))

/* the tables, by name; changed under minifw_lock, read under RCU */
static struct minifw_hashlimit_table __rcu *minifw_hashlimit_tables;

enum {
	MINIFW_HL_OPT_UPTO, MINIFW_HL_OPT_ABOVE, MINIFW_HL_OPT_MODE, MINIFW_HL_OPT_SRCMASK,
	MINIFW_HL_OPT_DSTMASK, MINIFW_HL_OPT_NAME, MINIFW_HL_OPT_BURST, MINIFW_HL_OPT_SIZE,
	MINIFW_HL_OPT_MAX, MINIFW_HL_OPT_GCINT, MINIFW_HL_OPT_EXPIRE, MINIFW_HL_OPT_RATEMATCH,
	MINIFW_HL_OPT_INTERVAL,
};

static const struct minifw_opt minifw_hashlimit_opts[] = {
	/* --hashlimit: the old name */
	{ "--hashlimit-upto", "--hashlimit", NULL, MINIFW_HL_OPT_UPTO, 1, MINIFW_OPT_INV, NULL },
	{ "--hashlimit-above", NULL, NULL, MINIFW_HL_OPT_ABOVE, 1, MINIFW_OPT_INV, NULL },
	{ "--hashlimit-mode", NULL, NULL, MINIFW_HL_OPT_MODE, 1, 0, NULL },
	{ "--hashlimit-srcmask", NULL, NULL, MINIFW_HL_OPT_SRCMASK, 1, 0, NULL },
	{ "--hashlimit-dstmask", NULL, NULL, MINIFW_HL_OPT_DSTMASK, 1, 0, NULL },
	{ "--hashlimit-name", NULL, NULL, MINIFW_HL_OPT_NAME, 1, 0, NULL },
	{ "--hashlimit-burst", NULL, NULL, MINIFW_HL_OPT_BURST, 1, 0, NULL },
	{ "--hashlimit-htable-size", NULL, NULL, MINIFW_HL_OPT_SIZE, 1, 0, NULL },
	{ "--hashlimit-htable-max", NULL, NULL, MINIFW_HL_OPT_MAX, 1, 0, NULL },
	{ "--hashlimit-htable-gcinterval", NULL, NULL, MINIFW_HL_OPT_GCINT, 1, 0, NULL },
	{ "--hashlimit-htable-expire", NULL, NULL, MINIFW_HL_OPT_EXPIRE, 1, 0, NULL },
	{ "--hashlimit-rate-match", NULL, NULL, MINIFW_HL_OPT_RATEMATCH, 0, 0, NULL },
	{ "--hashlimit-rate-interval", NULL, NULL, MINIFW_HL_OPT_INTERVAL, 1, 0, NULL },
	{ }
};

#define MINIFW_HL_SEEN(id)	(1U << MINIFW_HL_OPT_##id)

/* 1, 1024 or 1024 * 1024 for "", "k", "m" */
static const struct {
	const char *name;
	u32 factor;
} minifw_hl_bytes[] = { { "m", 1024 * 1024 }, { "k", 1024 }, { "", 1 } };

/* libxt_hashlimit's bytes_to_cost() and cost_to_bytes() */
static u64 minifw_hl_bytes_to_cost(u64 bytes)
{
	u32 r = (u32)(bytes >> MINIFW_HASHLIMIT_BYTE_SHIFT);

	return r == 0xFFFFFFFFU ? 0 : 0xFFFFFFFFU / (r + 1);
}

static u64 minifw_hl_cost_to_bytes(u64 cost)
{
	u64 r = cost ? 0xFFFFFFFFU / cost : 0xFFFFFFFFU;

	return (r - 1) << MINIFW_HASHLIMIT_BYTE_SHIFT;
}

/*
 * xt_hashlimit's user2credits(): a credit is finer than a microsecond at
 * any HZ, so its other branch (a second in fewer credits) is never taken
 */
static_assert(HZ * MINIFW_HL_CPJ >= MINIFW_HASHLIMIT_SCALE, "credits coarser than the scale");

static u64 minifw_hl_user2credits(u64 user)
{
	return user * ((HZ * MINIFW_HL_CPJ) / MINIFW_HASHLIMIT_SCALE);
}

/* xt_hashlimit's user2credits_byte() */
static u32 minifw_hl_user2credits_byte(u32 user)
{
	return (u32)(((u64)user * HZ * MINIFW_HL_CPJ_BYTES) >> 32);
}

/* "N" with an optional "k" or "m" and "b" after it: @v, and whether a unit came */
static int minifw_hl_number(const char *s, const char *end, u64 *v, bool *unit)
{
	char num[24];
	size_t len = 0, i;
	u32 factor = 1;

	while (s + len < end && s[len] >= '0' && s[len] <= '9')
		len++;
	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';
	if (minifw_decimal(num, len) != MINIFW_DEC_OK || kstrtou64(num, 10, v))
		return -EINVAL;
	s += len;
	*unit = s < end;
	for (i = 0; s < end && i < ARRAY_SIZE(minifw_hl_bytes) - 1; i++)
		if (*s == minifw_hl_bytes[i].name[0]) {
			factor = minifw_hl_bytes[i].factor;
			s++;
			break;
		}
	if (s < end && *s == 'b')
		s++;
	if (s != end || (*v && U64_MAX / *v < factor))
		return -EINVAL;
	*v *= factor;
	return 0;
}

/*
 * "N/UNIT" (N a second if no unit) or "N[k|m]b/s": @h's avg, its BYTES bit,
 * and the time a flow lasts by default (libxt_hashlimit's udata->mult).
 */
static int minifw_hl_rate(struct minifw_xcall *x, const char *s, u32 *mult)
{
	struct minifw_hashlimit *h = x->data;
	const char *slash = strchr(s, '/'), *bps = strstr(s, "b/s");
	size_t len = strlen(s);
	bool unit;
	u64 v;

	if (bps && bps[3] == '\0' && bps != s) {
		if (minifw_hl_number(s, bps + 1, &v, &unit) || !v)
			goto bad;
		/*
		 * counted by 16 bytes in 32 bits: libxt_hashlimit takes less
		 * as 0 (a division by 0 with a burst) and cuts more
		 */
		if (v < 16)
			return minifw_fail(x->err, "%s \"%s\" is too slow (at least 16b/s)",
					   x->opt->name, minifw_xq(x, s));
		if ((v >> MINIFW_HASHLIMIT_BYTE_SHIFT) >= 0xFFFFFFFFU)
			return minifw_fail(x->err, "%s \"%s\" is too fast", x->opt->name,
					   minifw_xq(x, s));
		h->avg = minifw_hl_bytes_to_cost(v);
		if (!h->avg || !minifw_hl_user2credits_byte(h->avg))
			return minifw_fail(x->err, "%s \"%s\" is too fast", x->opt->name,
					   minifw_xq(x, s));
		h->mode |= MINIFW_HASHLIMIT_BYTES;
		*mult = MINIFW_HASHLIMIT_BYTE_EXPIRE;
		return 0;
	}
	*mult = 1;
	if (slash) {
		*mult = minifw_rate_unit_secs(slash + 1);
		if (!*mult)
			goto bad;
		len = slash - s;
	}
	if (minifw_hl_number(s, s + len, &v, &unit) || unit || !v)
		goto bad;
	h->avg = div64_u64(MINIFW_HASHLIMIT_SCALE * *mult, v);
	if (!h->avg)
		return minifw_fail(x->err, "%s \"%s\" is too fast (at most 1000000/second)",
				   x->opt->name, minifw_xq(x, s));
	return 0;
bad:
	return minifw_fail(x->err, "%s \"%s\" is not a rate (N/second, N/minute, N/hour, N/day, or Nb/s, Nkb/s, Nmb/s)",
			   x->opt->name, minifw_xq(x, s));
}

/* hashlimit_mt_save()'s order of the words of --hashlimit-mode */
static const struct {
	const char *name;
	u32 bit;
} minifw_hl_mode_words[] = {
	{ "srcip", MINIFW_HASHLIMIT_SIP }, { "srcport", MINIFW_HASHLIMIT_SPT },
	{ "dstip", MINIFW_HASHLIMIT_DIP }, { "dstport", MINIFW_HASHLIMIT_DPT },
};

static int minifw_hl_mode(struct minifw_xcall *x, const char *s)
{
	struct minifw_hashlimit *h = x->data;
	const char *p = s, *end;
	size_t len, i;

	/* as strtok(",|"): empty words are skipped */
	for (; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",|");
		len = end - p;
		if (!len)
			continue;
		for (i = 0; i < ARRAY_SIZE(minifw_hl_mode_words); i++)
			if (strlen(minifw_hl_mode_words[i].name) == len &&
			    !strncmp(minifw_hl_mode_words[i].name, p, len))
				break;
		if (i == ARRAY_SIZE(minifw_hl_mode_words))
			return minifw_fail(x->err, "--hashlimit-mode \"%s\" is not a list of srcip, srcport, dstip and dstport",
					   minifw_xq(x, s));
		h->mode |= minifw_hl_mode_words[i].bit;
	}
	return 0;
}

static int minifw_hashlimit_parse(struct minifw_xcall *x)
{
	struct minifw_hashlimit *h = x->data;
	const char *s = x->arg ? x->arg[0] : NULL;
	bool unit, above;
	u32 v, mult = 1;
	u64 b;
	int ret;

	switch (x->opt->id) {
	case MINIFW_HL_OPT_UPTO:
	case MINIFW_HL_OPT_ABOVE:
		if (x->seen & (MINIFW_HL_SEEN(UPTO) | MINIFW_HL_SEEN(ABOVE)) & ~(1U << x->opt->id))
			return minifw_fail(x->err, "--hashlimit-upto and --hashlimit-above cannot go together");
		ret = minifw_hl_rate(x, s, &mult);
		if (ret)
			return ret;
		/* kept until .check: the default expiry and the rate-match's unit */
		h->interval = mult;
		above = x->opt->id == MINIFW_HL_OPT_ABOVE;
		/* above, or "!" upto */
		if (above != x->inv)
			h->mode |= MINIFW_HASHLIMIT_INVERT;
		return 0;
	case MINIFW_HL_OPT_MODE:
		return minifw_hl_mode(x, s);
	case MINIFW_HL_OPT_SRCMASK:
	case MINIFW_HL_OPT_DSTMASK:
		if (minifw_parse_uint(x->err, s, 128, "a prefix length (0-32, IPv6 0-128)", &v))
			return -EINVAL;
		if (x->opt->id == MINIFW_HL_OPT_SRCMASK)
			h->srcmask = v;
		else
			h->dstmask = v;
		return v > 32 ? minifw_set_family(x->rp, MINIFW_FAM_IPV6, x->opt->name) : 0;
	case MINIFW_HL_OPT_NAME:
		/* as xt_check_proc_name() on xt_hashlimit_mtinfo3's name[NAME_MAX] */
		return minifw_x_name(x, s, h->name, MINIFW_HASHLIMIT_NAME_LEN - 1, "table");
	case MINIFW_HL_OPT_BURST:
		/* a number of packets, or of bytes ("400kb") with a rate in bytes */
		if (minifw_hl_number(s, s + strlen(s), &b, &unit) || !b ||
		    (!unit && b > MINIFW_HASHLIMIT_BURST_MAX))
			return minifw_fail(x->err, "--hashlimit-burst \"%s\" is not in 1-%u (or N[k|m]b with a rate in bytes)",
					   minifw_xq(x, s), MINIFW_HASHLIMIT_BURST_MAX);
		h->burst = b;
		return 0;
	case MINIFW_HL_OPT_SIZE:
	case MINIFW_HL_OPT_MAX:
		if (minifw_parse_uint(x->err, s, MINIFW_HASHLIMIT_MAX_SIZE,
				      "a number of flows (0-1048576, 0 for the default)", &v))
			return -EINVAL;
		if (x->opt->id == MINIFW_HL_OPT_SIZE)
			h->size = v;
		else
			h->max = v;
		return 0;
	case MINIFW_HL_OPT_GCINT:
	case MINIFW_HL_OPT_EXPIRE:
		if (minifw_parse_uint(x->err, s, U32_MAX, "a number of milliseconds (1-4294967295)",
				      &v))
			return -EINVAL;
		if (!v)
			return minifw_fail(x->err, "%s 0: it takes at least 1 ms", x->opt->name);
		if (x->opt->id == MINIFW_HL_OPT_GCINT)
			h->gc_interval = v;
		else
			h->expire = v;
		return 0;
	case MINIFW_HL_OPT_RATEMATCH:
		h->mode |= MINIFW_HASHLIMIT_RATE_MATCH;
		return 0;
	default:	/* --hashlimit-rate-interval, kept as a word until .check */
		if (minifw_parse_uint(x->err, s, 0x7fffffff, "a number of seconds (1-2147483647)",
				      &v) || !v)
			return minifw_fail(x->err, "--hashlimit-rate-interval \"%s\" is not in 1-2147483647",
					   minifw_xq(x, s));
		*x->keep = s;
		return 0;
	}
}

/* As libxt_hashlimit's hashlimit_mt_check() and the kernel's checkentry. */
static int minifw_hashlimit_check(struct minifw_xcall *x)
{
	struct minifw_hashlimit *h = x->data;
	u32 mult = h->interval, v = 0;
	u64 unit;

	if (!(x->seen & (MINIFW_HL_SEEN(UPTO) | MINIFW_HL_SEEN(ABOVE))))
		return minifw_fail(x->err, "-m hashlimit needs --hashlimit-upto or --hashlimit-above");
	if (!(x->seen & MINIFW_HL_SEEN(NAME)))
		return minifw_fail(x->err, "-m hashlimit needs --hashlimit-name");
	h->interval = 0;
	if (!(x->seen & MINIFW_HL_SEEN(SRCMASK)))
		h->srcmask = MINIFW_HASHLIMIT_FULL;
	if (!(x->seen & MINIFW_HL_SEEN(DSTMASK)))
		h->dstmask = MINIFW_HASHLIMIT_FULL;
	if (!(x->seen & MINIFW_HL_SEEN(GCINT)))
		h->gc_interval = MINIFW_HASHLIMIT_GCINTERVAL;
	if (!(x->seen & MINIFW_HL_SEEN(EXPIRE)))
		h->expire = mult * 1000;
	if (h->mode & MINIFW_HASHLIMIT_BYTES) {
		/* the burst in bytes becomes rates' worth: at least one */
		if (x->seen & MINIFW_HL_SEEN(BURST)) {
			unit = minifw_hl_cost_to_bytes(h->avg);
			if (h->burst < unit)
				return minifw_fail(x->err, "--hashlimit-burst cannot be smaller than %llub",
						   (unsigned long long)unit);
			h->burst = div64_u64(h->burst + unit - 1, unit);
			if (!(x->seen & MINIFW_HL_SEEN(EXPIRE)))
				h->expire = MINIFW_HASHLIMIT_BYTE_EXPIRE_BURST * 1000;
		} else {
			h->burst = 0;
		}
	} else if (!(x->seen & MINIFW_HL_SEEN(BURST))) {
		h->burst = MINIFW_HASHLIMIT_BURST;
	} else if (h->burst > MINIFW_HASHLIMIT_BURST_MAX) {
		return minifw_fail(x->err, "--hashlimit-burst %llu is not in 1-%u",
				   (unsigned long long)h->burst, MINIFW_HASHLIMIT_BURST_MAX);
	}
	if ((x->seen & MINIFW_HL_SEEN(INTERVAL)) && kstrtou32(*x->keep, 10, &v))
		v = 0;
	if (h->mode & MINIFW_HASHLIMIT_RATE_MATCH) {
		if (!(h->mode & MINIFW_HASHLIMIT_BYTES))
			h->avg = div64_u64(h->avg, mult);
		h->interval = v ?: (h->mode & MINIFW_HASHLIMIT_BYTES ? 1 : mult);
		if (!h->avg || h->avg > U32_MAX)
			return minifw_fail(x->err, "-m hashlimit: the rate is out of range for --hashlimit-rate-match");
	} else if (!(h->mode & MINIFW_HASHLIMIT_BYTES) &&
		   minifw_hl_user2credits(h->avg * h->burst) < minifw_hl_user2credits(h->avg)) {
		/* as the kernel's checkentry: "overflow, try lower" */
		return minifw_fail(x->err, "-m hashlimit: the rate times the burst is too large, try lower");
	}
	h->hash = minifw_hashlimit_hash(h->name);
	return 0;
}

/* The full prefix of the rule's family: a mask that says nothing. */
static int minifw_hashlimit_checkentry(struct minifw_xcall *x)
{
	struct minifw_hashlimit *h = x->data;
	u8 full = x->cmd->m.family == MINIFW_FAM_IPV4 ? 32 :
		  x->cmd->m.family == MINIFW_FAM_IPV6 ? 128 : MINIFW_HASHLIMIT_FULL;

	if (full == 32 && ((h->srcmask != MINIFW_HASHLIMIT_FULL && h->srcmask > 32) ||
			   (h->dstmask != MINIFW_HASHLIMIT_FULL && h->dstmask > 32)))
		return minifw_fail(x->err, "-m hashlimit: a mask longer than 32 in an IPv4 rule");
	if (h->srcmask == full)
		h->srcmask = MINIFW_HASHLIMIT_FULL;
	if (h->dstmask == full)
		h->dstmask = MINIFW_HASHLIMIT_FULL;
	return 0;
}

/* libxt_hashlimit's print_rate(): the period in the largest exact unit */
static u32 minifw_hl_print_rate(struct minifw_buf *b, u64 period)
{
	u64 mult, q;
	size_t i;

	for (i = 1; i < MINIFW_RATE_UNITS; i++) {
		mult = MINIFW_HASHLIMIT_SCALE * minifw_rate_units[i].secs;
		q = div64_u64(mult, period);
		/* not exact in this unit: the one before */
		if (period > mult || q < mult - q * period)
			break;
	}
	mult = MINIFW_HASHLIMIT_SCALE * minifw_rate_units[i - 1].secs;
	minifw_put(b, "%llu/%s", (unsigned long long)div64_u64(mult, period),
		   minifw_rate_units[i - 1].name);
	return minifw_rate_units[i - 1].secs * 1000;
}

/* libxt_hashlimit's print_bytes() */
static u32 minifw_hl_print_bytes(struct minifw_buf *b, u64 avg, u64 burst)
{
	u64 r = minifw_hl_cost_to_bytes(avg);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(minifw_hl_bytes) - 1; i++)
		if (r >= minifw_hl_bytes[i].factor &&
		    /* a 32-bit mask, as libxt_hashlimit has it: above 4 GB/s, in bytes */
		    minifw_hl_bytes_to_cost(r & ~(minifw_hl_bytes[i].factor - 1)) == avg)
			break;
	minifw_put(b, "%llu%sb/s", (unsigned long long)div64_u64(r, minifw_hl_bytes[i].factor),
		   minifw_hl_bytes[i].name);
	if (!burst)
		return MINIFW_HASHLIMIT_BYTE_EXPIRE * 1000;
	r *= burst;
	for (i = 0; i < ARRAY_SIZE(minifw_hl_bytes) - 1; i++)
		if (r >= minifw_hl_bytes[i].factor)
			break;
	minifw_put(b, "--hashlimit-burst %llu%sb",
		   (unsigned long long)div64_u64(r, minifw_hl_bytes[i].factor),
		   minifw_hl_bytes[i].name);
	return MINIFW_HASHLIMIT_BYTE_EXPIRE_BURST * 1000;
}

/* libxt_hashlimit's print_mode(): the words of @mode, in their order */
static const char *minifw_hl_modes(char *buf, u32 mode)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(minifw_hl_mode_words); i++)
		if (mode & minifw_hl_mode_words[i].bit)
			len += sprintf(buf + len, "%s%s", len ? "," : "",
				       minifw_hl_mode_words[i].name);
	return buf;
}

/* As libxt_hashlimit's hashlimit_mt_save(). */
static void minifw_hashlimit_print(struct minifw_buf *b, const struct minifw_rule *rule,
				   const void *data)
{
	const struct minifw_hashlimit *h = data;
	u32 quantum, mode = h->mode & MINIFW_HASHLIMIT_KEYS;
	char buf[32];

	minifw_put(b, "%s", h->mode & MINIFW_HASHLIMIT_INVERT ? "--hashlimit-above" :
		   "--hashlimit-upto");
	if (h->mode & MINIFW_HASHLIMIT_BYTES) {
		quantum = minifw_hl_print_bytes(b, h->avg, h->burst);
	} else {
		quantum = minifw_hl_print_rate(b, h->avg);
		minifw_put(b, "--hashlimit-burst %llu", (unsigned long long)h->burst);
	}
	if (mode)
		minifw_put(b, "--hashlimit-mode %s", minifw_hl_modes(buf, mode));
	minifw_put(b, "--hashlimit-name %s", h->name);
	if (h->size)
		minifw_put(b, "--hashlimit-htable-size %u", h->size);
	if (h->max)
		minifw_put(b, "--hashlimit-htable-max %u", h->max);
	if (h->gc_interval != MINIFW_HASHLIMIT_GCINTERVAL)
		minifw_put(b, "--hashlimit-htable-gcinterval %u", h->gc_interval);
	if (h->expire != quantum)
		minifw_put(b, "--hashlimit-htable-expire %u", h->expire);
	if (h->srcmask != MINIFW_HASHLIMIT_FULL)
		minifw_put(b, "--hashlimit-srcmask %u", h->srcmask);
	if (h->dstmask != MINIFW_HASHLIMIT_FULL)
		minifw_put(b, "--hashlimit-dstmask %u", h->dstmask);
	if (h->mode & MINIFW_HASHLIMIT_RATE_MATCH) {
		minifw_put(b, "--hashlimit-rate-match");
		if (h->interval != 1)
			minifw_put(b, "--hashlimit-rate-interval %u", h->interval);
	}
}

/* a mask longer than 32 says the rule is IPv6 */
static bool minifw_hashlimit_lists_family(const struct minifw_rule *rule, const void *data)
{
	const struct minifw_hashlimit *h = data;

	return (h->srcmask != MINIFW_HASHLIMIT_FULL && h->srcmask > 32) ||
	       (h->dstmask != MINIFW_HASHLIMIT_FULL && h->dstmask > 32);
}

/**
 * minifw_hashlimit_hash() - the hash of a table's name, which the packet
 * path compares before the name
 * @name: the name
 *
 * Context: any.
 * Return: the hash.
 */
u32 minifw_hashlimit_hash(const char *name)
{
	return jhash(name, strlen(name), 1);
}

static struct minifw_hashlimit_table *minifw_hl_first(void)
{
#ifdef __KERNEL__
	return rcu_dereference_check(minifw_hashlimit_tables, lockdep_is_held(&minifw_lock));
#else
	return minifw_hashlimit_tables;
#endif
}

static struct minifw_hashlimit_table *minifw_hl_next(const struct minifw_hashlimit_table *t)
{
#ifdef __KERNEL__
	return rcu_dereference_check(t->next, lockdep_is_held(&minifw_lock));
#else
	return t->next;
#endif
}

/**
 * minifw_hashlimit_find() - the table called @name
 * @name: its name
 * @hash: minifw_hashlimit_hash(@name)
 *
 * Context: packet path, or RCU read side, or control path under minifw_lock.
 * Return: the table, or NULL.
 */
struct minifw_hashlimit_table *minifw_hashlimit_find(const char *name, u32 hash)
{
	struct minifw_hashlimit_table *t;

	for (t = minifw_hl_first(); t; t = minifw_hl_next(t))
		if (t->cfg.hash == hash && !strcmp(t->cfg.name, name))
			return t;
	return NULL;
}

/**
 * minifw_hashlimit_gc() - free the flows of @t that expired, or all
 * @t: the table
 * @all: all of them
 *
 * Context: process context, bottom halves enabled; @t is not freed meanwhile.
 * Return: the flows freed.
 */
u32 minifw_hashlimit_gc(struct minifw_hashlimit_table *t, bool all)
{
	struct minifw_hashlimit_entry *e;
	u32 bk, w, n = 0;

	for (bk = 0; bk < t->nbuckets; bk++) {
		spin_lock_bh(&t->lock[bk]);
		for (w = 0; w < MINIFW_HASHLIMIT_WAYS; w++) {
			e = &t->slots[bk * MINIFW_HASHLIMIT_WAYS + w];
			if (e->key.family && (all || time_after_eq(jiffies, e->expires))) {
				memset(e, 0, sizeof(*e));
				atomic_dec(&t->count);
				n++;
			}
		}
		spin_unlock_bh(&t->lock[bk]);
		if (!(bk & 1023))
			cond_resched();
	}
	return n;
}

#ifdef __KERNEL__
/* xt_hashlimit's htable_gc(): every gc_interval ms while the table lives */
static void minifw_hl_gc_work(struct work_struct *work)
{
	struct minifw_hashlimit_table *t;

	t = container_of(to_delayed_work(work), struct minifw_hashlimit_table, gc);
	minifw_hashlimit_gc(t, false);
	queue_delayed_work(system_power_efficient_wq, &t->gc,
			   msecs_to_jiffies(t->cfg.gc_interval));
}

/* xt_hashlimit's default --hashlimit-htable-size: a bucket per 16 kB of memory */
static u32 minifw_hl_default_size(void)
{
	unsigned long pages = totalram_pages();
	u64 size = ((u64)pages << PAGE_SHIFT) / 16384 / sizeof(struct hlist_head);

	if (pages > 1024 * 1024 * 1024 / PAGE_SIZE)
		size = 8192;
	return max_t(u64, size, 16);
}
#else
static u32 minifw_hl_default_size(void)
{
	return 16;
}
#endif

/* A new, empty table for the settings of @h, not yet published (control path). */
static struct minifw_hashlimit_table *minifw_hl_new(const struct minifw_hashlimit *h)
{
	u32 size = h->size ?: minifw_hl_default_size();
	u32 most = h->max ? max_t(u32, h->max, size) :
		   min_t(u32, 8 * size, MINIFW_HASHLIMIT_MAX_SIZE);
	u32 nbuckets = DIV_ROUND_UP(most, MINIFW_HASHLIMIT_WAYS), i;
	/* nbuckets is at most MINIFW_HASHLIMIT_MAX_SIZE / 8: no overflow */
	size_t head = ALIGN(sizeof(struct minifw_hashlimit_table) +
			    nbuckets * sizeof(spinlock_t), 8);
	struct minifw_hashlimit_table *t;

	t = kvzalloc(head + (size_t)nbuckets * MINIFW_HASHLIMIT_WAYS * sizeof(*t->slots),
		     GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	if (!t)
		return NULL;
	t->cfg = *h;
	t->nbuckets = nbuckets;
	t->max = most;
	t->seed = get_random_u32();
	atomic_set(&t->count, 0);
	t->slots = (struct minifw_hashlimit_entry *)((u8 *)t + head);
	for (i = 0; i < nbuckets; i++)
		spin_lock_init(&t->lock[i]);
	/* xt_hashlimit's rateinfo_init(), what is the same for every flow */
	if (h->mode & MINIFW_HASHLIMIT_RATE_MATCH) {
		if (h->mode & MINIFW_HASHLIMIT_BYTES) {
			t->cost = minifw_hl_cost_to_bytes(h->avg);
			t->cap = h->burst ? h->burst * t->cost : t->cost;
		} else {
			t->cost = div64_u64(MINIFW_HASHLIMIT_SCALE, h->avg);
			t->cap = h->burst + t->cost;
		}
	} else if (h->mode & MINIFW_HASHLIMIT_BYTES) {
		t->cost = minifw_hl_user2credits_byte(h->avg);
		t->cap = MINIFW_HL_CPJ_BYTES * HZ;
	} else {
		t->cost = minifw_hl_user2credits(h->avg);
		t->cap = minifw_hl_user2credits(h->avg * h->burst);
	}
#ifdef __KERNEL__
	INIT_DEFERRABLE_WORK(&t->gc, minifw_hl_gc_work);
#endif
	return t;
}

static void minifw_hl_free(struct minifw_hashlimit_table *t)
{
#ifdef __KERNEL__
	cancel_delayed_work_sync(&t->gc);
#endif
	kvfree_rcu(t, rcu);
}

static void minifw_hl_unlink(struct minifw_hashlimit_table *t)
{
	struct minifw_hashlimit_table __rcu **pp = &minifw_hashlimit_tables;
	struct minifw_hashlimit_table *p;

#ifdef __KERNEL__
	while ((p = rcu_dereference_protected(*pp, lockdep_is_held(&minifw_lock))) != t)
#else
	while ((p = *pp) != t)
#endif
		pp = &p->next;
	rcu_assign_pointer(*pp, minifw_hl_next(t));
	/* CPUs still walking an old ruleset may hold it: free it after them */
	minifw_hl_free(t);
}

/* Do the settings a table takes from its first rule differ? */
static bool minifw_hl_same(const struct minifw_hashlimit *a, const struct minifw_hashlimit *b)
{
	return a->avg == b->avg && a->burst == b->burst && a->size == b->size &&
	       a->max == b->max && a->gc_interval == b->gc_interval && a->expire == b->expire &&
	       a->interval == b->interval && a->srcmask == b->srcmask && a->dstmask == b->dstmask &&
	       (a->mode & ~MINIFW_HASHLIMIT_INVERT) == (b->mode & ~MINIFW_HASHLIMIT_INVERT);
}

static struct minifw_hashlimit_table *
minifw_hl_pending(struct minifw_hashlimit_table *p, const struct minifw_hashlimit *h)
{
	for (; p; p = p->pending)
		if (p->cfg.hash == h->hash && !strcmp(p->cfg.name, h->name))
			return p;
	return NULL;
}

/*
 * Every rule naming @h's table rate-matches, or none does (the kernel's
 * checkentry refuses the others with EINVAL).
 */
static int minifw_hl_check_all(const struct minifw_ruleset *rs, const struct minifw_hashlimit *h,
			       struct minifw_err *err)
{
	const struct minifw_hashlimit *o;
	u32 c, i;

	for (c = 0; c < rs->nchains; c++)
		for (i = 0; i < rs->chain[c].nrules; i++) {
			o = minifw_rule_ext_data(&rs->chain[c].rules[i], &minifw_xt_hashlimit);
			if (o && o->hash == h->hash && !strcmp(o->name, h->name) &&
			    (o->mode ^ h->mode) & MINIFW_HASHLIMIT_RATE_MATCH)
				return minifw_fail(err, "-m hashlimit: table %s: --hashlimit-rate-match in some of its rules, not all",
						   h->name);
		}
	return 0;
}

/* minifw_hashlimit_prepare()'s tables, which minifw_hashlimit_commit() publishes */
static struct minifw_hashlimit_table *minifw_hl_prepared;

/**
 * minifw_hashlimit_prepare() - make the tables the rules of @rs name
 * @rs: a ruleset about to go live
 * @err: why not
 *
 * The tables to make are made, not yet published: this may fail, and then
 * changes nothing. A table whose settings are not those of the first rule
 * of @rs naming it is made again, empty. minifw_hashlimit_commit() follows,
 * always.
 *
 * Context: control path, may sleep, under minifw_lock.
 * Return: 0, or -ENOMEM / -EINVAL with @err.
 */
int minifw_hashlimit_prepare(const struct minifw_ruleset *rs, struct minifw_err *err)
{
	struct minifw_hashlimit_table *t, *old, *pending = NULL;
	const struct minifw_hashlimit *h;
	u32 c, i, n = 0;
	int ret = 0;

	for (t = minifw_hl_first(); t; t = minifw_hl_next(t))
		t->used = false;	/* here: "seen in this pass" */
	for (c = 0; c < rs->nchains && !ret; c++) {
		for (i = 0; i < rs->chain[c].nrules && !ret; i++) {
			h = minifw_rule_ext_data(&rs->chain[c].rules[i], &minifw_xt_hashlimit);
			if (!h || minifw_hl_pending(pending, h))
				continue;
			old = minifw_hashlimit_find(h->name, h->hash);
			if (old && old->used)
				continue;
			/* the first rule naming the table: one more the ruleset has */
			if (n++ >= MINIFW_HASHLIMIT_TABLES_MAX) {
				ret = minifw_fail(err, "-m hashlimit: too many tables (at most %d)",
						  MINIFW_HASHLIMIT_TABLES_MAX);
				break;
			}
			ret = minifw_hl_check_all(rs, h, err);
			if (ret)
				break;
			if (old) {
				old->used = true;
				if (minifw_hl_same(&old->cfg, h))
					continue;
			}
			t = minifw_hl_new(h);
			if (!t) {
				ret = minifw_nomem(err);
				break;
			}
			t->replaces = old;
			t->pending = pending;
			pending = t;
		}
	}
	minifw_hl_prepared = pending;
	if (ret)
		minifw_hashlimit_commit(false);
	return ret;
}

/**
 * minifw_hashlimit_commit() - publish the tables minifw_hashlimit_prepare()
 * made, or drop them
 * @publish: publish them (the ruleset goes live); else drop them
 *
 * A table made again replaces the old one, which goes once no CPU can be
 * using it. Tables the ruleset does not name stay until
 * minifw_hashlimit_retire().
 *
 * Context: control path, may sleep, under minifw_lock.
 */
void minifw_hashlimit_commit(bool publish)
{
	struct minifw_hashlimit_table *t, *next;

	for (t = minifw_hl_prepared; t; t = next) {
		next = t->pending;
		if (!publish) {
			kvfree(t);
			continue;
		}
		/* first, so that it is found before the table it replaces */
		RCU_INIT_POINTER(t->next, minifw_hl_first());
		rcu_assign_pointer(minifw_hashlimit_tables, t);
#ifdef __KERNEL__
		queue_delayed_work(system_power_efficient_wq, &t->gc,
				   msecs_to_jiffies(t->cfg.gc_interval));
#endif
		if (t->replaces)
			minifw_hl_unlink(t->replaces);
	}
	minifw_hl_prepared = NULL;
}

/**
 * minifw_hashlimit_retire() - drop the tables no rule of @rs names
 * @rs: the live ruleset, or NULL at unload (then all go)
 *
 * Context: control path, may sleep, under minifw_lock.
 */
void minifw_hashlimit_retire(const struct minifw_ruleset *rs)
{
	struct minifw_hashlimit_table *t, *next;
	const struct minifw_hashlimit *h;
	u32 c, i;

	for (t = minifw_hl_first(); t; t = minifw_hl_next(t))
		t->used = false;
	for (c = 0; rs && c < rs->nchains; c++) {
		for (i = 0; i < rs->chain[c].nrules; i++) {
			h = minifw_rule_ext_data(&rs->chain[c].rules[i], &minifw_xt_hashlimit);
			t = h ? minifw_hashlimit_find(h->name, h->hash) : NULL;
			if (t)
				t->used = true;
		}
	}
	for (t = minifw_hl_first(); t; t = next) {
		next = minifw_hl_next(t);
		if (!t->used)
			minifw_hl_unlink(t);
	}
}

/* @a masked to its first @len bits (MINIFW_HASHLIMIT_FULL: all) */
static void minifw_hl_mask(__be32 *out, const union minifw_addr *a, u8 family, u8 len)
{
	unsigned int w, n = family == MINIFW_FAM_IPV4 ? 1 : 4, bits;

	for (w = 0; w < n; w++) {
		bits = len == MINIFW_HASHLIMIT_FULL ? 32 : clamp_t(int, len - 32 * (int)w, 0, 32);
		out[w] = bits ? a->ip6[w] & htonl(~0U << (32 - bits)) : 0;
	}
}

/*
 * The flow's key, as xt_hashlimit's hashlimit_init_dst(): the ports of
 * protocols that have them (the SPI for ESP and AH). 0, or -1 to drop the
 * packet (its header is cut short).
 */
static int minifw_hl_key(const struct minifw_hashlimit_table *t, const struct minifw_pkt *p,
			 struct minifw_hashlimit_key *k)
{
	__be16 ports[4];

	memset(k, 0, sizeof(*k));
	k->family = p->family;
	if (t->cfg.mode & MINIFW_HASHLIMIT_DIP)
		minifw_hl_mask(k->dst, &p->daddr, p->family, t->cfg.dstmask);
	if (t->cfg.mode & MINIFW_HASHLIMIT_SIP)
		minifw_hl_mask(k->src, &p->saddr, p->family, t->cfg.srcmask);
	if (!(t->cfg.mode & MINIFW_HASHLIMIT_PORTS) || p->fragoff)
		return 0;
	/* IPv6 headers it cannot walk: xt_hashlimit drops the packet */
	if (p->badhdr)
		return -1;
	switch (p->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (!p->ports)
			return -1;
		ports[0] = p->sport;
		ports[1] = p->dport;
		break;
	case IPPROTO_DCCP:
	case IPPROTO_ESP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
		if (minifw_pkt_l4_bytes(p, ports, 4))
			return -1;
		break;
	case IPPROTO_AH:
		if (minifw_pkt_l4_bytes(p, ports, 8))
			return -1;
		ports[0] = ports[2];
		ports[1] = ports[3];
		break;
	default:
		return 0;
	}
	if (t->cfg.mode & MINIFW_HASHLIMIT_SPT)
		k->sport = ports[0];
	if (t->cfg.mode & MINIFW_HASHLIMIT_DPT)
		k->dport = ports[1];
	return 0;
}

/*
 * A slot for a new flow: one whose flow expired, else a free one, else
 * that of the flow seen least recently; NULL when the table holds its
 * most (the packet is dropped, as xt_hashlimit drops it).
 */
static struct minifw_hashlimit_entry *
minifw_hl_insert(struct minifw_hashlimit_table *t, u32 bk, unsigned long now)
{
	struct minifw_hashlimit_entry *e, *free = NULL, *oldest = NULL;
	unsigned int w;

	for (w = 0; w < MINIFW_HASHLIMIT_WAYS; w++) {
		e = &t->slots[bk * MINIFW_HASHLIMIT_WAYS + w];
		if (!e->key.family) {
			free = free ?: e;
			continue;
		}
		if (time_after_eq(now, e->expires))
			return e;
		if (!oldest || time_before(e->prev, oldest->prev))
			oldest = e;
	}
	if ((u32)atomic_read(&t->count) >= t->max)
		return NULL;
	if (!free)
		return oldest;
	atomic_inc(&t->count);
	return free;
}

/* xt_hashlimit's rateinfo_recalc(), revision 3 */
static void minifw_hl_recalc(const struct minifw_hashlimit_table *t,
			     struct minifw_hashlimit_entry *e, unsigned long now)
{
	unsigned long delta = now - e->prev;
	u64 cap, old;

	if (!delta)
		return;
	if (t->cfg.mode & MINIFW_HASHLIMIT_RATE_MATCH) {
		u64 interval = (u64)t->cfg.interval * HZ;

		if (delta < interval)
			return;
		e->prev = now;
		e->prev_window = e->credit * interval > (u64)delta * t->cost;
		e->credit = 0;
		return;
	}
	e->prev = now;
	if (t->cfg.mode & MINIFW_HASHLIMIT_BYTES) {
		old = e->credit;
		e->credit += MINIFW_HL_CPJ_BYTES * delta;
		cap = MINIFW_HL_CPJ_BYTES * HZ;
		if (old >= e->credit) {
			e->credit = cap;
			return;
		}
	} else {
		e->credit += delta * MINIFW_HL_CPJ;
		cap = t->cap;
	}
	if (e->credit > cap)
		e->credit = cap;
}

/* xt_hashlimit's rateinfo_init(), revision 3 */
static void minifw_hl_init(const struct minifw_hashlimit_table *t,
			   struct minifw_hashlimit_entry *e, unsigned long now)
{
	e->prev = now;
	e->prev_window = 0;
	e->credit = t->cfg.mode & MINIFW_HASHLIMIT_RATE_MATCH ? 0 : t->cap;
	e->cap_left = t->cfg.burst;
}

/* xt_hashlimit's hashlimit_byte_cost() */
static u64 minifw_hl_byte_cost(const struct minifw_hashlimit_table *t,
			       struct minifw_hashlimit_entry *e, u32 len)
{
	u64 cost = (u64)((len >> MINIFW_HASHLIMIT_BYTE_SHIFT) + 1) * t->cost;

	if (cost > MINIFW_HL_CPJ_BYTES * HZ)
		cost = MINIFW_HL_CPJ_BYTES * HZ;
	if (e->credit < cost && e->cap_left) {
		e->cap_left--;
		e->credit = MINIFW_HL_CPJ_BYTES * HZ;
	}
	return (u32)cost;
}

/* Packet path, RCU read side, bottom halves disabled: xt_hashlimit's hashlimit_mt_common(). */
static int minifw_hashlimit_match(const void *data, const struct minifw_pkt *p,
				  struct minifw_counter *c)
{
	const struct minifw_hashlimit *h = data;
	bool above = h->mode & MINIFW_HASHLIMIT_INVERT, under;
	struct minifw_hashlimit_table *t;
	struct minifw_hashlimit_entry *e = NULL;
	struct minifw_hashlimit_key k;
	unsigned long now = jiffies;
	unsigned int w;
	u32 bk;
	u64 cost;

	/* only while an edit that drops the table is under way */
	t = minifw_hashlimit_find(h->name, h->hash);
	if (!t)
		return above ? MINIFW_NOMATCH : MINIFW_MATCH;
	if (minifw_hl_key(t, p, &k))
		return MINIFW_HOTDROP;
	bk = reciprocal_scale(jhash2((const u32 *)&k, sizeof(k) / 4, t->seed), t->nbuckets);

	spin_lock(&t->lock[bk]);
	for (w = 0; w < MINIFW_HASHLIMIT_WAYS; w++) {
		e = &t->slots[bk * MINIFW_HASHLIMIT_WAYS + w];
		if (!memcmp(&e->key, &k, sizeof(k)))
			break;
	}
	if (w < MINIFW_HASHLIMIT_WAYS) {
		minifw_hl_recalc(t, e, now);
	} else {
		e = minifw_hl_insert(t, bk, now);
		if (!e) {
			spin_unlock(&t->lock[bk]);
#ifdef __KERNEL__
			net_err_ratelimited("hashlimit %s: max count of %u reached\n",
					    h->name, t->max);
#endif
			return MINIFW_HOTDROP;
		}
		e->key = k;
		minifw_hl_init(t, e, now);
	}
	e->expires = now + msecs_to_jiffies(t->cfg.expire);

	if (h->mode & MINIFW_HASHLIMIT_RATE_MATCH) {
		e->credit += h->mode & MINIFW_HASHLIMIT_BYTES ? p->len : 1;
		under = !e->prev_window && e->credit <= t->cap;
	} else {
		cost = h->mode & MINIFW_HASHLIMIT_BYTES ? minifw_hl_byte_cost(t, e, p->len) :
		       t->cost;
		under = e->credit >= cost;
		if (under)
			e->credit -= cost;
	}
	spin_unlock(&t->lock[bk]);
	return under != above ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_hashlimit = {
	.name		= "hashlimit",
	.size		= sizeof(struct minifw_hashlimit),
	.reads		= MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO,
	.opts		= minifw_hashlimit_opts,
	.parse		= minifw_hashlimit_parse,
	.check		= minifw_hashlimit_check,
	.checkentry	= minifw_hashlimit_checkentry,
	.print		= minifw_hashlimit_print,
	.lists_family	= minifw_hashlimit_lists_family,
	.stateful	= true,
	.match		= minifw_hashlimit_match,
};
