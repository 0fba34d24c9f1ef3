// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m connbytes (libxt_connbytes, xt_connbytes): how much the
 * packet's connection has carried so far, this packet included, by
 * conntrack's accounting:
 *
 *   [!] --connbytes FROM[:TO]              from FROM (to TO, else no end)
 *       --connbytes-mode packets|bytes|avgpkt   packets, bytes, or bytes
 *                                          per packet (0 before the first)
 *       --connbytes-dir original|reply|both     which direction's count
 *
 * All three are needed. "!" matches outside the range; as in xt_connbytes,
 * where it swaps FROM and TO (so a range of one number stays as it is).
 * The usual use: mark or queue only the beginning of each connection,
 *
 *   -A FORWARD -m connbytes --connbytes 0:10 --connbytes-mode packets \
 *      --connbytes-dir both -j NFQUEUE
 *
 * It needs connection tracking, started as -m conntrack starts it, and
 * its accounting (net.netfilter.nf_conntrack_acct), which the first rule
 * with it switches on, as xt_connbytes does; connections older than that
 * have no counts, and a packet without counts matches neither the rule nor
 * a negation.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/string.h>
#endif

#include "ext.h"

/* as xt_connbytes.h */
enum { MINIFW_CB_PKTS, MINIFW_CB_BYTES, MINIFW_CB_AVGPKT };
enum { MINIFW_CB_ORIGINAL, MINIFW_CB_REPLY, MINIFW_CB_BOTH };

struct minifw_connbytes {
	u64 from, to;		/* as xt_connbytes_info: from > to is "!" */
	u8 mode;		/* MINIFW_CB_PKTS ... */
	u8 dir;			/* MINIFW_CB_ORIGINAL ... */
	u8 pad[6];
};

static_assert(sizeof(struct minifw_connbytes) == 24, "struct minifw_connbytes has padding");

enum {
	MINIFW_CB_OPT_RANGE,
	MINIFW_CB_OPT_MODE,
	MINIFW_CB_OPT_DIR,
};

static const struct minifw_opt minifw_connbytes_opts[] = {
	{ "--connbytes", NULL, NULL, MINIFW_CB_OPT_RANGE, 1, MINIFW_OPT_INV, NULL },
	{ "--connbytes-mode", NULL, NULL, MINIFW_CB_OPT_MODE, 1, 0, NULL },
	{ "--connbytes-dir", NULL, NULL, MINIFW_CB_OPT_DIR, 1, 0, NULL },
	{ }
};

static const char *const minifw_cb_modes[] = { "packets", "bytes", "avgpkt" };
static const char *const minifw_cb_dirs[] = { "original", "reply", "both" };

/* @s, one of @names (3 of them): its index; -1 */
static int minifw_cb_word(const char *const *names, const char *s)
{
	int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/*
 * "N", "N:M", "N:", ":M", ":" as libxtables reads XTTYPE_UINT64RC: an
 * open end, or N alone, goes to the largest number
 */
static int minifw_connbytes_range(struct minifw_xcall *x, struct minifw_connbytes *cb)
{
	char *s = x->arg[0], *colon = strchr(s, ':');
	const char *what = "a count (0-18446744073709551615)";

	cb->from = 0;
	cb->to = U64_MAX;
	if (!*s)
		return minifw_fail(x->err, "--connbytes needs a count or a range of them");
	if (colon)
		*colon = '\0';
	if (*s && minifw_parse_u64(x->err, s, what, &cb->from))
		return -EINVAL;
	if (colon) {
		*colon = ':';
		if (colon[1] && minifw_parse_u64(x->err, colon + 1, what, &cb->to))
			return -EINVAL;
	}
	if (cb->from > cb->to)
		return minifw_fail(x->err, "--connbytes \"%s\" is a reversed range (first > last)",
				   minifw_xq(x, s));
	if (x->inv) {
		u64 first = cb->from;

		cb->from = cb->to;
		cb->to = first;
	}
	return 0;
}

static int minifw_connbytes_parse(struct minifw_xcall *x)
{
	struct minifw_connbytes *cb = x->data;
	int i;

	switch (x->opt->id) {
	case MINIFW_CB_OPT_RANGE:
		return minifw_connbytes_range(x, cb);
	case MINIFW_CB_OPT_MODE:
		i = minifw_cb_word(minifw_cb_modes, x->arg[0]);
		if (i < 0)
			return minifw_fail(x->err, "unknown --connbytes-mode \"%s\" (packets, bytes or avgpkt)",
					   minifw_xq(x, x->arg[0]));
		cb->mode = i;
		return 0;
	default:
		i = minifw_cb_word(minifw_cb_dirs, x->arg[0]);
		if (i < 0)
			return minifw_fail(x->err, "unknown --connbytes-dir \"%s\" (original, reply or both)",
					   minifw_xq(x, x->arg[0]));
		cb->dir = i;
		return 0;
	}
}

static int minifw_connbytes_check(struct minifw_xcall *x)
{
	const u32 all = BIT(MINIFW_CB_OPT_RANGE) | BIT(MINIFW_CB_OPT_MODE) | BIT(MINIFW_CB_OPT_DIR);

	if (x->seen != all)
		return minifw_fail(x->err, "-m connbytes needs --connbytes, --connbytes-mode and --connbytes-dir");
	return 0;
}

/*
 * As libxt_connbytes saves it, "!" and the range in order, no end if none;
 * but for an end of 0, which it leaves out too ("--connbytes 0" for 0:0,
 * which loads back as 0 to no end): minifw lists "0:0".
 */
static void minifw_connbytes_print(struct minifw_buf *b, const struct minifw_rule *r,
				   const void *data)
{
	const struct minifw_connbytes *cb = data;
	u64 from = min_t(u64, cb->from, cb->to), to = max_t(u64, cb->from, cb->to);

	if (cb->from > cb->to)
		minifw_put(b, "!");
	if (to == U64_MAX)
		minifw_put(b, "--connbytes %llu", (unsigned long long)from);
	else
		minifw_put(b, "--connbytes %llu:%llu", (unsigned long long)from,
			   (unsigned long long)to);
	minifw_put(b, "--connbytes-mode %s --connbytes-dir %s", minifw_cb_modes[cb->mode],
		   minifw_cb_dirs[cb->dir]);
}

/* Packet path: as xt_connbytes' connbytes_mt(). */
static int minifw_connbytes_match(const void *data, const struct minifw_pkt *p,
				  struct minifw_counter *c)
{
	const struct minifw_connbytes *cb = data;
	struct minifw_ct_acct a;
	u64 pkts, bytes, what;

	if (!minifw_pkt_ct_acct(p, &a))
		return MINIFW_NOMATCH;
	pkts = cb->dir == MINIFW_CB_REPLY ? 0 : a.packets[0];
	bytes = cb->dir == MINIFW_CB_REPLY ? 0 : a.bytes[0];
	if (cb->dir != MINIFW_CB_ORIGINAL) {
		pkts += a.packets[1];
		bytes += a.bytes[1];
	}
	if (cb->mode == MINIFW_CB_PKTS)
		what = pkts;
	else if (cb->mode == MINIFW_CB_BYTES)
		what = bytes;
	else
		what = pkts ? div64_u64(bytes, pkts) : 0;
	if (cb->to >= cb->from)
		return what >= cb->from && what <= cb->to ? MINIFW_MATCH : MINIFW_NOMATCH;
	return what < cb->to || what > cb->from ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_connbytes = {
	.name		= "connbytes",
	.size		= sizeof(struct minifw_connbytes),
	.reads		= MINIFW_SKIP_CT,
	.needs_ct	= true,
	.opts		= minifw_connbytes_opts,
	.parse		= minifw_connbytes_parse,
	.check		= minifw_connbytes_check,
	.print		= minifw_connbytes_print,
	.match		= minifw_connbytes_match,
};
