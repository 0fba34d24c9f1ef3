// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m iprange [!] --src-range|--dst-range FIRST[-LAST] (libxt_iprange,
 * xt_iprange): inclusive ranges of whole addresses, IPv4 or IPv6, which
 * make the rule that family's.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/byteorder.h>
#endif

#include "ext.h"

/* struct minifw_iprange.flags */
#define MINIFW_RANGE_SRC	0x01
#define MINIFW_RANGE_DST	0x02
#define MINIFW_RANGE_INV_SRC	0x04
#define MINIFW_RANGE_INV_DST	0x08

struct minifw_iprange {
	union minifw_addr src[2];	/* --src-range, network order, inclusive */
	union minifw_addr dst[2];
	u8 flags;		/* MINIFW_RANGE_* */
	u8 pad[7];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_iprange) == 72, "struct minifw_iprange has padding");

enum { MINIFW_RANGE_OPT_SRC, MINIFW_RANGE_OPT_DST };

static const struct minifw_opt minifw_iprange_opts[] = {
	{ "--src-range", NULL, NULL, MINIFW_RANGE_OPT_SRC, 1, MINIFW_OPT_INV, NULL },
	{ "--dst-range", NULL, NULL, MINIFW_RANGE_OPT_DST, 1, MINIFW_OPT_INV, NULL },
	{ }
};

/*
 * Is @a before @b? Network order compares as the numbers do, word by
 * word from the first (IPv4 has one).
 */
static bool minifw_addr_before(const union minifw_addr *a, const union minifw_addr *b,
			       u8 family)
{
	unsigned int i, n = family == MINIFW_FAM_IPV6 ? 4 : 1;

	for (i = 0; i < n; i++)
		if (a->ip6[i] != b->ip6[i])
			return ntohl(a->ip6[i]) < ntohl(b->ip6[i]);
	return false;
}

/*
 * "FIRST-LAST" of whole addresses, or one ("FIRST", as FIRST-FIRST), as
 * libxt_iprange reads them; the family of the first is the rule's.
 */
static int minifw_parse_iprange(struct minifw_xcall *x, char *s, union minifw_addr *range)
{
	char *dash = strchr(s, '-');
	union minifw_addr mask;
	int i, ret = 0;
	u8 fam[2];

	if (strchr(s, '/'))
		return minifw_fail(x->err, "\"%s\" is not an address range (FIRST-LAST)",
				   minifw_xq(x, s));
	if (dash)
		*dash = '\0';
	for (i = 0; i < 2 && !ret; i++) {
		const char *addr = i && dash ? dash + 1 : s;
		unsigned int dots;

		/* no "10" for 10.0.0.0 here: a range is of whole addresses */
		if (minifw_dotted(addr, strlen(addr), &dots) == MINIFW_DEC_OK && dots != 3)
			ret = minifw_fail(x->err, "\"%s\" is not a whole IPv4 address",
					  minifw_xq(x, addr));
		else
			ret = minifw_parse_addr(addr, &range[i], &mask, &fam[i], x->err);
	}
	if (dash)
		*dash = '-';
	if (ret)
		return ret;
	if (fam[0] != fam[1])
		return minifw_fail(x->err, "\"%s\" mixes IPv4 and IPv6", minifw_xq(x, s));
	/* minifw: libxt_iprange warns "will never match" and takes it */
	if (minifw_addr_before(&range[1], &range[0], fam[0]))
		return minifw_fail(x->err, "\"%s\" is a reversed range (first > last)",
				   minifw_xq(x, s));
	return minifw_set_family(x->rp, fam[0], x->opt->name);
}

static int minifw_iprange_parse(struct minifw_xcall *x)
{
	struct minifw_iprange *ir = x->data;
	bool src = x->opt->id == MINIFW_RANGE_OPT_SRC;

	ir->flags |= src ? MINIFW_RANGE_SRC : MINIFW_RANGE_DST;
	if (x->inv)
		ir->flags |= src ? MINIFW_RANGE_INV_SRC : MINIFW_RANGE_INV_DST;
	return minifw_parse_iprange(x, x->arg[0], src ? ir->src : ir->dst);
}

static int minifw_iprange_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m iprange needs --src-range or --dst-range");
	return 0;
}

/* as iprange_mt4_save() and iprange_mt6_save() */
static void minifw_put_range(struct minifw_buf *b, const char *opt, bool inv,
			     const union minifw_addr *range, u8 family)
{
	char a[48], z[48];

	if (inv)
		minifw_put(b, "!");
	if (family == MINIFW_FAM_IPV6) {
		minifw_fmt_ip6(a, sizeof(a), &range[0]);
		minifw_fmt_ip6(z, sizeof(z), &range[1]);
		minifw_put(b, "%s %s-%s", opt, a, z);
	} else {
		u32 f = ntohl(range[0].ip), l = ntohl(range[1].ip);

		minifw_put(b, "%s %u.%u.%u.%u-%u.%u.%u.%u", opt,
			   f >> 24, (f >> 16) & 0xff, (f >> 8) & 0xff, f & 0xff,
			   l >> 24, (l >> 16) & 0xff, (l >> 8) & 0xff, l & 0xff);
	}
}

static void minifw_iprange_print(struct minifw_buf *b, const struct minifw_rule *r,
				 const void *data)
{
	const struct minifw_iprange *ir = data;

	if (ir->flags & MINIFW_RANGE_SRC)
		minifw_put_range(b, "--src-range", ir->flags & MINIFW_RANGE_INV_SRC, ir->src,
				 r->m.family);
	if (ir->flags & MINIFW_RANGE_DST)
		minifw_put_range(b, "--dst-range", ir->flags & MINIFW_RANGE_INV_DST, ir->dst,
				 r->m.family);
}

/* its addresses say the rule's family */
static bool minifw_iprange_lists_family(const struct minifw_rule *r, const void *data)
{
	return true;
}

static bool minifw_in_range(const union minifw_addr *range, const union minifw_addr *a,
			    u8 family, bool inv)
{
	return !(minifw_addr_before(a, &range[0], family) ||
		 minifw_addr_before(&range[1], a, family)) ^ inv;
}

/* Packet path; the core matched the rule's family. */
static int minifw_iprange_match(const void *data, const struct minifw_pkt *p,
				struct minifw_counter *c)
{
	const struct minifw_iprange *ir = data;

	if ((ir->flags & MINIFW_RANGE_SRC) &&
	    !minifw_in_range(ir->src, &p->saddr, p->family, ir->flags & MINIFW_RANGE_INV_SRC))
		return MINIFW_NOMATCH;
	if ((ir->flags & MINIFW_RANGE_DST) &&
	    !minifw_in_range(ir->dst, &p->daddr, p->family, ir->flags & MINIFW_RANGE_INV_DST))
		return MINIFW_NOMATCH;
	return MINIFW_MATCH;
}

const struct minifw_ext_ops minifw_xt_iprange = {
	.name		= "iprange",
	.size		= sizeof(struct minifw_iprange),
	.opts		= minifw_iprange_opts,
	.parse		= minifw_iprange_parse,
	.check		= minifw_iprange_check,
	.print		= minifw_iprange_print,
	.lists_family	= minifw_iprange_lists_family,
	.match		= minifw_iprange_match,
};
