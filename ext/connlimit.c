// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m connlimit --connlimit-upto|--connlimit-above N
 * [--connlimit-mask LEN] [--connlimit-saddr|--connlimit-daddr]
 * (libxt_connlimit, xt_connlimit revision 1): how many connections the
 * packet's source (or destination) address, grouped by the mask, has, its
 * own counted in, through the kernel's nf_conncount as xt_connlimit
 * counts them. "At most 4 ssh connections from each host":
 *
 *   -A INPUT -p tcp --syn --dport 22 -m connlimit --connlimit-above 4 -j REJECT
 *
 * Each rule has its own counts (nf_conncount_init() for its families),
 * made once the rule is kept and freed when no ruleset holds it, as
 * xt_connlimit's checkentry and destroy do. nf_conncount allocates on
 * the packet path (a new connection of a group; xt_connlimit too): a
 * packet it cannot count is dropped.
 */

#ifdef __KERNEL__
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

#define MINIFW_CONNLIMIT_FULL	0xff	/* no --connlimit-mask: the whole address */

/* A rule's -m connlimit: xt_connlimit_info. */
struct minifw_connlimit {
	union minifw_addr mask;		/* of masklen, or all ones */
	u32 limit;
	u8 upto;			/* XT_CONNLIMIT_INVERT: at most limit */
	u8 daddr;			/* XT_CONNLIMIT_DADDR */
	u8 masklen;			/* as given, or MINIFW_CONNLIMIT_FULL */
	u8 family;			/* the rule's: the counts it needs */
	/* what .acquire keeps: not compared */
	struct minifw_conncount *cc;
};

static_assert(sizeof(struct minifw_connlimit) == 32, "struct minifw_connlimit has padding");

enum {
	MINIFW_CONNLIMIT_OPT_UPTO, MINIFW_CONNLIMIT_OPT_ABOVE, MINIFW_CONNLIMIT_OPT_MASK,
	MINIFW_CONNLIMIT_OPT_SADDR, MINIFW_CONNLIMIT_OPT_DADDR,
};

static const struct minifw_opt minifw_connlimit_opts[] = {
	{ "--connlimit-upto", NULL, NULL, MINIFW_CONNLIMIT_OPT_UPTO, 1, MINIFW_OPT_INV, NULL },
	{ "--connlimit-above", NULL, NULL, MINIFW_CONNLIMIT_OPT_ABOVE, 1, MINIFW_OPT_INV, NULL },
	{ "--connlimit-mask", NULL, NULL, MINIFW_CONNLIMIT_OPT_MASK, 1, 0, NULL },
	{ "--connlimit-saddr", NULL, NULL, MINIFW_CONNLIMIT_OPT_SADDR, 0, 0, NULL },
	{ "--connlimit-daddr", NULL, NULL, MINIFW_CONNLIMIT_OPT_DADDR, 0, 0, NULL },
	{ }
};

#define MINIFW_CONNLIMIT_SEEN(id)	(1U << MINIFW_CONNLIMIT_OPT_##id)

/* The prefix length of a contiguous mask of @family; -EINVAL if it is not. */
static int minifw_connlimit_masklen(const union minifw_addr *m, u8 family, u32 *len)
{
	unsigned int w, n = family == MINIFW_FAM_IPV4 ? 1 : 4;
	int bits;

	*len = 0;
	for (w = 0; w < n; w++) {
		bits = minifw_mask4_len(ntohl(m->ip6[w]));
		if (bits < 0 || (bits && *len != 32 * w))
			return -EINVAL;
		*len += bits;
	}
	return 0;
}

static int minifw_connlimit_parse(struct minifw_xcall *x)
{
	struct minifw_connlimit *cl = x->data;
	const char *s = x->arg ? x->arg[0] : NULL;
	union minifw_addr addr, mask;
	u8 family = 0;
	bool upto;
	u32 v;

	switch (x->opt->id) {
	case MINIFW_CONNLIMIT_OPT_UPTO:
	case MINIFW_CONNLIMIT_OPT_ABOVE:
		if (x->seen & (MINIFW_CONNLIMIT_SEEN(UPTO) | MINIFW_CONNLIMIT_SEEN(ABOVE)) &
		    ~(1U << x->opt->id))
			return minifw_fail(x->err, "--connlimit-upto and --connlimit-above cannot go together");
		if (minifw_parse_uint(x->err, s, U32_MAX, "a number of connections (0-4294967295)",
				      &cl->limit))
			return -EINVAL;
		upto = x->opt->id == MINIFW_CONNLIMIT_OPT_UPTO;
		/* upto, or "!" above */
		cl->upto = upto != x->inv;
		return 0;
	case MINIFW_CONNLIMIT_OPT_MASK:
		/* a prefix length, or a mask (XTTYPE_PLENMASK), which says its family */
		if (strchr(s, '.') || strchr(s, ':')) {
			if (strchr(s, '/') || minifw_parse_addr(s, &addr, &mask, &family, x->err) ||
			    minifw_connlimit_masklen(&addr, family, &v))
				return minifw_fail(x->err, "--connlimit-mask \"%s\" is not a prefix length or a network mask",
						   minifw_xq(x, s));
			cl->masklen = v;
			return minifw_set_family(x->rp, family, x->opt->name);
		}
		if (minifw_parse_uint(x->err, s, 128, "a prefix length (0-32, IPv6 0-128)", &v))
			return -EINVAL;
		cl->masklen = v;
		return v > 32 ? minifw_set_family(x->rp, MINIFW_FAM_IPV6, x->opt->name) : 0;
	default:	/* --connlimit-saddr, --connlimit-daddr */
		if (x->seen & (MINIFW_CONNLIMIT_SEEN(SADDR) | MINIFW_CONNLIMIT_SEEN(DADDR)) &
		    ~(1U << x->opt->id))
			return minifw_fail(x->err, "--connlimit-saddr and --connlimit-daddr cannot go together");
		cl->daddr = x->opt->id == MINIFW_CONNLIMIT_OPT_DADDR;
		return 0;
	}
}

static int minifw_connlimit_check(struct minifw_xcall *x)
{
	struct minifw_connlimit *cl = x->data;
	unsigned int w, len;

	if (!(x->seen & (MINIFW_CONNLIMIT_SEEN(UPTO) | MINIFW_CONNLIMIT_SEEN(ABOVE))))
		return minifw_fail(x->err, "-m connlimit needs --connlimit-upto or --connlimit-above");
	if (!(x->seen & MINIFW_CONNLIMIT_SEEN(MASK)))
		cl->masklen = MINIFW_CONNLIMIT_FULL;
	/* one prefix for both families: IPv4's is its first 32 bits */
	len = cl->masklen == MINIFW_CONNLIMIT_FULL ? 128 : cl->masklen;
	for (w = 0; w < 4; w++)
		cl->mask.ip6[w] = len >= 32 * (w + 1) ? htonl(~0U) :
				  len <= 32 * w ? 0 : htonl(~0U << (32 * (w + 1) - len));
	return 0;
}

/* The whole address of the rule's family: no mask to keep. */
static int minifw_connlimit_checkentry(struct minifw_xcall *x)
{
	struct minifw_connlimit *cl = x->data;
	u8 full = x->cmd->m.family == MINIFW_FAM_IPV4 ? 32 :
		  x->cmd->m.family == MINIFW_FAM_IPV6 ? 128 : MINIFW_CONNLIMIT_FULL;

	if (full == 32 && cl->masklen != MINIFW_CONNLIMIT_FULL && cl->masklen > 32)
		return minifw_fail(x->err, "-m connlimit: a mask longer than 32 in an IPv4 rule");
	if (cl->masklen == full) {
		cl->masklen = MINIFW_CONNLIMIT_FULL;
		memset(&cl->mask, 0xff, sizeof(cl->mask));
	}
	cl->family = x->cmd->m.family;
	return 0;
}

/* As libxt_connlimit's connlimit_save4/6(): the mask always, but of a rule for both families */
static void minifw_connlimit_print(struct minifw_buf *b, const struct minifw_rule *rule,
				   const void *data)
{
	const struct minifw_connlimit *cl = data;

	minifw_put(b, "%s %u", cl->upto ? "--connlimit-upto" : "--connlimit-above", cl->limit);
	if (cl->masklen != MINIFW_CONNLIMIT_FULL)
		minifw_put(b, "--connlimit-mask %u", cl->masklen);
	else if (rule->m.family == MINIFW_FAM_IPV4)
		minifw_put(b, "--connlimit-mask 32");
	else if (rule->m.family == MINIFW_FAM_IPV6)
		minifw_put(b, "--connlimit-mask 128");
	minifw_put(b, "%s", cl->daddr ? "--connlimit-daddr" : "--connlimit-saddr");
}

/* a mask longer than 32 says the rule is IPv6 */
static bool minifw_connlimit_lists_family(const struct minifw_rule *rule, const void *data)
{
	const struct minifw_connlimit *cl = data;

	return cl->masklen != MINIFW_CONNLIMIT_FULL && cl->masklen > 32;
}

static int minifw_connlimit_acquire(void *data, struct minifw_err *err)
{
	struct minifw_connlimit *cl = data;
	struct minifw_conncount *cc = minifw_conncount_new(cl->family, err);

	if (IS_ERR(cc))
		return PTR_ERR(cc);
	cl->cc = cc;
	return 0;
}

static void minifw_connlimit_release(void *data)
{
	struct minifw_connlimit *cl = data;

	minifw_conncount_free(cl->cc);
}

/* Packet path, RCU read side, bottom halves disabled: xt_connlimit's connlimit_mt(). */
static int minifw_connlimit_match(const void *data, const struct minifw_pkt *p,
				  struct minifw_counter *c)
{
	const struct minifw_connlimit *cl = data;
	unsigned int n = minifw_pkt_conncount(p, cl->cc, &cl->mask, cl->daddr);

	if (!n)
		return MINIFW_HOTDROP;
	return (n > cl->limit) != cl->upto ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_connlimit = {
	.name		= "connlimit",
	.size		= sizeof(struct minifw_connlimit),
	.cmp		= offsetof(struct minifw_connlimit, cc),
	.reads		= MINIFW_SKIP_CT,
	/* it counts the connection: after the rule's other matches, as the last */
	.stateful	= true,
	.needs_ct	= true,
	.opts		= minifw_connlimit_opts,
	.parse		= minifw_connlimit_parse,
	.check		= minifw_connlimit_check,
	.checkentry	= minifw_connlimit_checkentry,
	.print		= minifw_connlimit_print,
	.lists_family	= minifw_connlimit_lists_family,
	.acquire	= minifw_connlimit_acquire,
	.release	= minifw_connlimit_release,
	.match		= minifw_connlimit_match,
};
