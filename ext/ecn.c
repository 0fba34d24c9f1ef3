// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m ecn (libxt_ecn, xt_ecn): Explicit Congestion Notification.
 *   [!] --ecn-tcp-cwr    the TCP header's CWR flag is set (-p tcp)
 *   [!] --ecn-tcp-ece    its ECE flag is set (-p tcp)
 *   [!] --ecn-ip-ect N   the IP header's ECN field (the low two bits of
 *                        the IPv4 TOS byte or IPv6 traffic class) is N, 0-3
 * Each option given must hold (with its own "!"). Listed in libxt_ecn's
 * order: ECE, CWR, ECT.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/tcp.h>
#endif

#include "ext.h"

enum { MINIFW_ECN_OPT_CWR, MINIFW_ECN_OPT_ECE, MINIFW_ECN_OPT_ECT };

/* the TCP flags byte's bits, as struct tcphdr has them */
#define MINIFW_TCP_ECE		0x40
#define MINIFW_TCP_CWR		0x80

struct minifw_ecn {
	u8 ops;			/* BIT(MINIFW_ECN_OPT_*) given */
	u8 inv;			/* BIT(MINIFW_ECN_OPT_*) negated */
	u8 ect;			/* --ecn-ip-ect */
};

static_assert(sizeof(struct minifw_ecn) == 3, "struct minifw_ecn has padding");

static const struct minifw_opt minifw_ecn_opts[] = {
	{ "--ecn-tcp-cwr", NULL, NULL, MINIFW_ECN_OPT_CWR, 0, MINIFW_OPT_INV, NULL },
	{ "--ecn-tcp-ece", NULL, NULL, MINIFW_ECN_OPT_ECE, 0, MINIFW_OPT_INV, NULL },
	{ "--ecn-ip-ect", NULL, NULL, MINIFW_ECN_OPT_ECT, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static int minifw_ecn_parse(struct minifw_xcall *x)
{
	struct minifw_ecn *e = x->data;
	u8 bit = BIT(x->opt->id);
	u32 v;

	e->ops |= bit;
	if (x->inv)
		e->inv |= bit;
	if (x->opt->id != MINIFW_ECN_OPT_ECT)
		return 0;
	if (minifw_parse_uint(x->err, x->arg[0], 3, "an ECN codepoint from 0 to 3", &v))
		return -EINVAL;
	e->ect = v;
	return 0;
}

static int minifw_ecn_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m ecn needs --ecn-tcp-cwr, --ecn-tcp-ece or --ecn-ip-ect");
	return 0;
}

/* as xt_ecn's ecn_mt_check4/6(): the TCP flags only in a TCP rule */
static int minifw_ecn_checkentry(struct minifw_xcall *x)
{
	const struct minifw_ecn *e = x->data;
	const struct minifw_match *m = &x->cmd->m;

	if ((e->ops & (BIT(MINIFW_ECN_OPT_CWR) | BIT(MINIFW_ECN_OPT_ECE))) &&
	    (m->proto != IPPROTO_TCP || (m->flags & MINIFW_INV_PROTO)))
		return minifw_fail(x->err, "--ecn-tcp-cwr and --ecn-tcp-ece need -p tcp");
	return 0;
}

static void minifw_ecn_put(struct minifw_buf *b, const struct minifw_ecn *e, unsigned int id,
			   const char *name)
{
	if (!(e->ops & BIT(id)))
		return;
	if (e->inv & BIT(id))
		minifw_put(b, "!");
	minifw_put(b, "%s", name);
}

static void minifw_ecn_print(struct minifw_buf *b, const struct minifw_rule *r,
			     const void *data)
{
	const struct minifw_ecn *e = data;

	minifw_ecn_put(b, e, MINIFW_ECN_OPT_ECE, "--ecn-tcp-ece");
	minifw_ecn_put(b, e, MINIFW_ECN_OPT_CWR, "--ecn-tcp-cwr");
	minifw_ecn_put(b, e, MINIFW_ECN_OPT_ECT, "--ecn-ip-ect");
	if (e->ops & BIT(MINIFW_ECN_OPT_ECT))
		minifw_put(b, "%u", e->ect);
}

/* Does the condition @id hold, given whether the packet has it? */
static bool minifw_ecn_holds(const struct minifw_ecn *e, unsigned int id, bool has)
{
	return !(e->ops & BIT(id)) || has != !!(e->inv & BIT(id));
}

/*
 * Packet path: as xt_ecn's ecn_mt4/6(). The TCP flags are those the hook
 * read (a rule with them has -p tcp); a TCP packet whose header could not
 * be read, or a later fragment, does not match, where xt_ecn reads
 * whatever is at the header's place.
 */
static int minifw_ecn_match(const void *data, const struct minifw_pkt *p,
			    struct minifw_counter *c)
{
	const struct minifw_ecn *e = data;

	if (!minifw_ecn_holds(e, MINIFW_ECN_OPT_ECT, (minifw_pkt_dsfield(p) & 3) == e->ect))
		return MINIFW_NOMATCH;
	if (!(e->ops & (BIT(MINIFW_ECN_OPT_CWR) | BIT(MINIFW_ECN_OPT_ECE))))
		return MINIFW_MATCH;
	if (p->fragoff || !p->l4)
		return MINIFW_NOMATCH;
	return minifw_ecn_holds(e, MINIFW_ECN_OPT_ECE, p->tcp_flags & MINIFW_TCP_ECE) &&
	       minifw_ecn_holds(e, MINIFW_ECN_OPT_CWR, p->tcp_flags & MINIFW_TCP_CWR) ?
	       MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_ecn = {
	.name		= "ecn",
	.size		= sizeof(struct minifw_ecn),
	.reads		= MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO,
	.opts		= minifw_ecn_opts,
	.parse		= minifw_ecn_parse,
	.check		= minifw_ecn_check,
	.checkentry	= minifw_ecn_checkentry,
	.print		= minifw_ecn_print,
	.match		= minifw_ecn_match,
};
