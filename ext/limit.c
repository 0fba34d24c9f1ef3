// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m limit [--limit N/UNIT] [--limit-burst N] (libxt_limit,
 * xt_limit): at most the rate on average, after a burst, as iptables'
 * token bucket. The bucket is per rule and lives in the rule's counters
 * (struct minifw_counter.credit, .prev), so it survives edits of other
 * rules, as the counts do, and -Z, as in iptables.
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/kstrtox.h>
#endif

#include "ext.h"

/* rates in iptables' unit, 1/MINIFW_LIMIT_SCALE second per packet */
#define MINIFW_LIMIT_SCALE	10000
#define MINIFW_LIMIT_BURST	5	/* default --limit-burst */
#define MINIFW_LIMIT_BURST_MAX	10000

struct minifw_limit {
	u32 avg;		/* period per packet, 1/MINIFW_LIMIT_SCALE s */
	u32 burst;
	u32 cost;		/* credits per packet, and at most (as xt_limit) */
	u32 cap;
};

enum { MINIFW_LIMIT_OPT_RATE, MINIFW_LIMIT_OPT_BURST };

static const struct minifw_opt minifw_limit_opts[] = {
	{ "--limit", NULL, NULL, MINIFW_LIMIT_OPT_RATE, 1, 0, NULL },
	{ "--limit-burst", NULL, NULL, MINIFW_LIMIT_OPT_BURST, 1, 0, NULL },
	{ }
};

/*
 * A token bucket of "credits", as xt_limit's: time adds
 * MINIFW_CREDITS_PER_JIFFY a jiffy up to cap; a packet that finds cost
 * credits takes them and matches.
 */
#define MINIFW_MAX_CPJ		(0xFFFFFFFFUL / (HZ * 60 * 60 * 24))
#define MINIFW_CREDITS_PER_JIFFY	(1U << (31 - __builtin_clz(MINIFW_MAX_CPJ)))

/* Credits for a period in MINIFW_LIMIT_SCALE units; more than u32 holds: 0 */
static u64 minifw_user2credits(u64 user)
{
	return div_u64(user * HZ * MINIFW_CREDITS_PER_JIFFY, MINIFW_LIMIT_SCALE);
}

const struct minifw_rate_unit minifw_rate_units[MINIFW_RATE_UNITS] = {
	{ "day", "day", 24 * 60 * 60 }, { "hour", "hour", 60 * 60 },
	{ "min", "minute", 60 }, { "sec", "second", 1 },
};

/**
 * minifw_rate_unit_secs() - the unit after a rate's "/", as libxt_limit
 * and libxt_hashlimit read it: any start of its word, in any case
 * @word: "s", "minute", "HOUR" ...
 *
 * Context: control path.
 * Return: its seconds, or 0 if it is none.
 */
u32 minifw_rate_unit_secs(const char *word)
{
	size_t len = strlen(word), i;

	for (i = 0; len && i < MINIFW_RATE_UNITS; i++)
		if (!strncasecmp(minifw_rate_units[i].word, word, len))
			return minifw_rate_units[i].secs;
	return 0;
}

/* "N[/second|/minute|/hour|/day]" (or a start of the unit): period in 1/10000 s */
static int minifw_parse_rate(struct minifw_xcall *x, const char *s, u32 *avg)
{
	const char *slash = strchr(s, '/');
	u32 secs = 1, n;
	char num[12];
	size_t len = slash ? (size_t)(slash - s) : strlen(s);

	if (slash) {
		secs = minifw_rate_unit_secs(slash + 1);
		if (!secs)
			goto bad;
	}
	if (len >= sizeof(num))
		goto bad;
	memcpy(num, s, len);
	num[len] = '\0';
	if (minifw_decimal(num, len) != MINIFW_DEC_OK || kstrtou32(num, 10, &n) || !n)
		goto bad;
	*avg = (u32)div_u64((u64)MINIFW_LIMIT_SCALE * secs, n);
	if (!*avg)
		return minifw_fail(x->err, "--limit \"%s\" is too fast (at most 10000/second)",
				   minifw_xq(x, s));
	return 0;
bad:
	return minifw_fail(x->err, "\"%s\" is not a rate (N/second, N/minute, N/hour or N/day)",
			   minifw_xq(x, s));
}

static int minifw_limit_parse(struct minifw_xcall *x)
{
	struct minifw_limit *l = x->data;
	const char *arg = x->arg[0];

	if (x->opt->id == MINIFW_LIMIT_OPT_RATE)
		return minifw_parse_rate(x, arg, &l->avg);
	if (minifw_decimal(arg, strlen(arg)) != MINIFW_DEC_OK ||
	    kstrtou32(arg, 10, &l->burst) || !l->burst || l->burst > MINIFW_LIMIT_BURST_MAX)
		return minifw_fail(x->err, "--limit-burst \"%s\" is not in 1-%d",
				   minifw_xq(x, arg), MINIFW_LIMIT_BURST_MAX);
	return 0;
}

static int minifw_limit_check(struct minifw_xcall *x)
{
	struct minifw_limit *l = x->data;

	/* as libxt_limit: 3/hour, burst 5, unless given */
	if (!(x->seen & (1U << MINIFW_LIMIT_OPT_RATE)))
		l->avg = MINIFW_LIMIT_SCALE * 3600 / 3;
	if (!(x->seen & (1U << MINIFW_LIMIT_OPT_BURST)))
		l->burst = MINIFW_LIMIT_BURST;
	/* as xt_limit: the whole burst must fit in the bucket's u32 */
	if (minifw_user2credits((u64)l->avg * l->burst) > 0xffffffffULL)
		return minifw_fail(x->err, "--limit-burst %u is too large for this rate (at most %llu)",
				   l->burst,
				   (unsigned long long)
				   div_u64(0xffffffffULL, minifw_user2credits(l->avg) ?: 1));
	l->cost = minifw_user2credits(l->avg);
	l->cap = minifw_user2credits((u64)l->avg * l->burst);
	return 0;
}

/* Does "N/unit" for @avg parse back to @avg? */
static bool minifw_rate_exact(u32 avg, unsigned int unit)
{
	u32 mult, n;

	if (unit >= MINIFW_RATE_UNITS)
		return true;	/* none is: keep the last */
	mult = MINIFW_LIMIT_SCALE * minifw_rate_units[unit].secs;
	n = mult / avg;
	return n && mult / n == avg;
}

static void minifw_limit_print(struct minifw_buf *b, const struct minifw_rule *r,
			       const void *data)
{
	const struct minifw_limit *l = data;
	unsigned int i;

	/* libxt_limit's print_rate(): the largest unit that is exact enough */
	for (i = 1; i < MINIFW_RATE_UNITS; i++) {
		u32 mult = MINIFW_LIMIT_SCALE * minifw_rate_units[i].secs;

		if (l->avg > mult || mult / l->avg < mult % l->avg)
			break;
	}
	/* ... unless it would not read back as this rate: then the smallest unit that does */
	if (!minifw_rate_exact(l->avg, i - 1))
		for (i = MINIFW_RATE_UNITS; i > 1; i--)
			if (minifw_rate_exact(l->avg, i - 1))
				break;
	minifw_put(b, "--limit %u/%s", MINIFW_LIMIT_SCALE * minifw_rate_units[i - 1].secs / l->avg,
		   minifw_rate_units[i - 1].name);
	if (l->burst != MINIFW_LIMIT_BURST)
		minifw_put(b, "--limit-burst %u", l->burst);
}

/* A new limit rule starts with a full bucket. */
static void minifw_limit_init(const void *data, struct minifw_counter *c)
{
	const struct minifw_limit *l = data;

	c->credit = l->cap;
	c->prev = jiffies;
}

/*
 * Packet path, lockless: the last update's time and the credits are both
 * moved with cmpxchg().
 */
static int minifw_limit_match(const void *data, const struct minifw_pkt *p,
			      struct minifw_counter *c)
{
	const struct minifw_limit *l = data;
	u32 old_credit, new_credit;
	unsigned long now, prev;
	u64 increase = 0;
	bool ret;

	/* nothing to add, nothing to take: the common case under a flood */
	now = jiffies;
	if (READ_ONCE(c->credit) < l->cost && READ_ONCE(c->prev) == now)
		return MINIFW_NOMATCH;
	do {
		/*
		 * Each jiffy is credited once: only the CPU that moves prev
		 * forward adds the time since (xt_limit's xchg() could see a
		 * prev from the future and add almost ULONG_MAX jiffies).
		 */
		now = jiffies;
		prev = READ_ONCE(c->prev);
		if (time_after(now, prev) && cmpxchg(&c->prev, prev, now) == prev)
			increase += (u64)(now - prev) * MINIFW_CREDITS_PER_JIFFY;
		old_credit = READ_ONCE(c->credit);
		new_credit = min_t(u64, (u64)old_credit + increase, l->cap);
		ret = new_credit >= l->cost;
		if (ret)
			new_credit -= l->cost;
	} while (cmpxchg(&c->credit, old_credit, new_credit) != old_credit);
	return ret ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_limit = {
	.name		= "limit",
	.size		= sizeof(struct minifw_limit),
	.opts		= minifw_limit_opts,
	.parse		= minifw_limit_parse,
	.check		= minifw_limit_check,
	.print		= minifw_limit_print,
	.init		= minifw_limit_init,
	.match		= minifw_limit_match,
};
