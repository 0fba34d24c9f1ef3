// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m rt (libip6t_rt, ip6t_rt): the IPv6 routing header, e.g. ufw's
 * "-m rt --rt-type 0 -j DROP" against the deprecated type 0 (RFC 5095).
 *
 *   [!] --rt-type N          its type
 *   [!] --rt-segsleft N[:M]  its segments left (default any)
 *   [!] --rt-len N           its length in bytes, as ipv6_optlen()
 *       --rt-0-res           after --rt-type 0: its reserved field is zero
 *
 * A packet without a routing header matches neither the rule nor a
 * negation; one whose routing header cannot be read is dropped (hotdrop),
 * as ip6t_rt. --rt-0-addrs and --rt-0-not-strict, which list the
 * addresses of a type 0 header, are refused: type 0 headers are gone from
 * the Internet and the kernel drops them itself. The rule is IPv6's.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

struct minifw_rt {
	u32 segsleft[2];	/* inclusive */
	u32 len;
	u8 type;
	u8 flags;		/* MINIFW_RT_* */
	u8 pad[2];
};

static_assert(sizeof(struct minifw_rt) == 16, "struct minifw_rt has padding");

#define MINIFW_RT_TYPE		0x01
#define MINIFW_RT_LEN		0x02
#define MINIFW_RT_RES		0x04
#define MINIFW_RT_INV_TYPE	0x10
#define MINIFW_RT_INV_SGS	0x20
#define MINIFW_RT_INV_LEN	0x40

enum {
	MINIFW_RT_OPT_TYPE,
	MINIFW_RT_OPT_SEGSLEFT,
	MINIFW_RT_OPT_LEN,
	MINIFW_RT_OPT_RES,
	MINIFW_RT_OPT_ADDRS,
	MINIFW_RT_OPT_NSTRICT,
};

static const struct minifw_opt minifw_rt_opts[] = {
	{ "--rt-type", NULL, NULL, MINIFW_RT_OPT_TYPE, 1, MINIFW_OPT_INV, NULL },
	{ "--rt-segsleft", NULL, NULL, MINIFW_RT_OPT_SEGSLEFT, 1, MINIFW_OPT_INV, NULL },
	{ "--rt-len", NULL, NULL, MINIFW_RT_OPT_LEN, 1, MINIFW_OPT_INV, NULL },
	{ "--rt-0-res", NULL, NULL, MINIFW_RT_OPT_RES, 0, 0, NULL },
	{ "--rt-0-addrs", NULL, NULL, MINIFW_RT_OPT_ADDRS, 1, 0, NULL },
	{ "--rt-0-not-strict", NULL, NULL, MINIFW_RT_OPT_NSTRICT, 0, 0, NULL },
	{ }
};

static int minifw_rt_parse(struct minifw_xcall *x)
{
	struct minifw_rt *rt = x->data;
	u32 v;

	switch (x->opt->id) {
	case MINIFW_RT_OPT_TYPE:
		if (minifw_parse_uint(x->err, x->arg[0], 0xff, "a routing header type (0-255)", &v))
			return -EINVAL;
		rt->type = v;
		rt->flags |= MINIFW_RT_TYPE | (x->inv ? MINIFW_RT_INV_TYPE : 0);
		break;
	case MINIFW_RT_OPT_SEGSLEFT:
		if (minifw_x_parse_u32_range(x, "a number (0-4294967295)", U32_MAX, rt->segsleft))
			return -EINVAL;
		rt->flags |= x->inv ? MINIFW_RT_INV_SGS : 0;
		break;
	case MINIFW_RT_OPT_LEN:
		if (minifw_parse_uint(x->err, x->arg[0], 0xffffffff, "a length in bytes", &rt->len))
			return -EINVAL;
		rt->flags |= MINIFW_RT_LEN | (x->inv ? MINIFW_RT_INV_LEN : 0);
		break;
	case MINIFW_RT_OPT_RES:
		/* a type given, 0, not negated */
		if ((rt->flags & (MINIFW_RT_TYPE | MINIFW_RT_INV_TYPE)) != MINIFW_RT_TYPE ||
		    rt->type)
			return minifw_fail(x->err, "--rt-type 0 must come before --rt-0-res");
		rt->flags |= MINIFW_RT_RES;
		break;
	default:
		return minifw_fail(x->err, "%s is not supported (type 0 routing headers are obsolete: match them with --rt-type 0)",
				   x->opt->name);
	}
	return minifw_set_family(x->rp, MINIFW_FAM_IPV6, x->opt->name);
}

/* -m rt alone is valid (any routing header); its defaults */
static int minifw_rt_check(struct minifw_xcall *x)
{
	struct minifw_rt *rt = x->data;

	if (!(x->seen & BIT(MINIFW_RT_OPT_SEGSLEFT)))
		rt->segsleft[1] = 0xffffffff;
	return minifw_set_family(x->rp, MINIFW_FAM_IPV6, "-m rt");
}

/* as libip6t_rt saves it: an unnegated any segments left is not listed */
static void minifw_rt_print(struct minifw_buf *b, const struct minifw_rule *r, const void *data)
{
	const struct minifw_rt *rt = data;

	if (rt->flags & MINIFW_RT_TYPE) {
		if (rt->flags & MINIFW_RT_INV_TYPE)
			minifw_put(b, "!");
		minifw_put(b, "--rt-type %u", rt->type);
	}
	minifw_x_put_u32_range(b, "--rt-segsleft", rt->segsleft, U32_MAX,
			       rt->flags & MINIFW_RT_INV_SGS);
	if (rt->flags & MINIFW_RT_LEN) {
		if (rt->flags & MINIFW_RT_INV_LEN)
			minifw_put(b, "!");
		minifw_put(b, "--rt-len %u", rt->len);
	}
	if (rt->flags & MINIFW_RT_RES)
		minifw_put(b, "--rt-0-res");
}

/* the rule is IPv6's, as -m rt says */
static bool minifw_rt_lists_family(const struct minifw_rule *r, const void *data)
{
	return true;
}

/* Packet path; the core matched the rule's family (IPv6). */
static int minifw_rt_match(const void *data, const struct minifw_pkt *p, struct minifw_counter *c)
{
	const struct minifw_rt *rt = data;
	struct minifw_rthdr h;
	int ret = minifw_pkt_rthdr(p, &h);
	bool hit;

	if (ret == -ENOENT)
		return MINIFW_NOMATCH;
	if (ret)
		return MINIFW_HOTDROP;
	hit = (h.segsleft >= rt->segsleft[0] && h.segsleft <= rt->segsleft[1]) ^
	      !!(rt->flags & MINIFW_RT_INV_SGS);
	if (hit && (rt->flags & MINIFW_RT_LEN))
		hit = (h.len == rt->len) ^ !!(rt->flags & MINIFW_RT_INV_LEN);
	if (hit && (rt->flags & MINIFW_RT_TYPE))
		hit = (h.type == rt->type) ^ !!(rt->flags & MINIFW_RT_INV_TYPE);
	if (hit && (rt->flags & MINIFW_RT_RES))
		hit = !h.reserved;
	return hit ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_rt = {
	.name		= "rt",
	.size		= sizeof(struct minifw_rt),
	.opts		= minifw_rt_opts,
	.parse		= minifw_rt_parse,
	.check		= minifw_rt_check,
	.print		= minifw_rt_print,
	.lists_family	= minifw_rt_lists_family,
	.match		= minifw_rt_match,
};
