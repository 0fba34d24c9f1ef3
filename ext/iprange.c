// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m iprange --src-range|--dst-range A-B (libxt_iprange,
 * xt_iprange): inclusive ranges of whole IPv4 addresses.
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
	u32 src[2];		/* --src-range, host order, inclusive */
	u32 dst[2];
	u8 flags;		/* MINIFW_RANGE_* */
	u8 pad[3];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_iprange) == 20, "struct minifw_iprange has padding");

enum { MINIFW_RANGE_OPT_SRC, MINIFW_RANGE_OPT_DST };

static const struct minifw_opt minifw_iprange_opts[] = {
	{ "--src-range", NULL, NULL, MINIFW_RANGE_OPT_SRC, 1, MINIFW_OPT_INV, NULL },
	{ "--dst-range", NULL, NULL, MINIFW_RANGE_OPT_DST, 1, MINIFW_OPT_INV, NULL },
	{ }
};

/* "192.0.2.1-192.0.2.9", whole addresses, first <= last */
static int minifw_parse_iprange(struct minifw_xcall *x, char *s, u32 *range)
{
	char *dash = strchr(s, '-');
	union minifw_addr a[2], mask;
	int i, ret = 0;
	u8 fam;

	if (!dash || strchr(s, '/'))
		return minifw_fail(x->err, "\"%s\" is not an address range (FIRST-LAST)",
				   minifw_xq(x, s));
	*dash = '\0';
	for (i = 0; i < 2 && !ret; i++) {
		const char *addr = i ? dash + 1 : s;
		unsigned int dots;

		/* no "10" for 10.0.0.0 here: a range is of whole addresses */
		if ((minifw_dotted(addr, strlen(addr), &dots) == MINIFW_DEC_OK && dots != 3) ||
		    strchr(addr, ':'))
			ret = minifw_fail(x->err, "\"%s\" is not a whole IPv4 address (minifw's ranges are IPv4 only)",
					  minifw_xq(x, addr));
		else
			ret = minifw_parse_addr(addr, &a[i], &mask, &fam, x->err);
	}
	*dash = '-';
	if (ret)
		return ret;
	range[0] = ntohl(a[0].ip);
	range[1] = ntohl(a[1].ip);
	if (range[0] > range[1])
		return minifw_fail(x->err, "\"%s\" is a reversed range (first > last)",
				   minifw_xq(x, s));
	return 0;
}

static int minifw_iprange_parse(struct minifw_xcall *x)
{
	struct minifw_iprange *ir = x->data;
	bool src = x->opt->id == MINIFW_RANGE_OPT_SRC;

	ir->flags |= src ? MINIFW_RANGE_SRC : MINIFW_RANGE_DST;
	if (x->inv)
		ir->flags |= src ? MINIFW_RANGE_INV_SRC : MINIFW_RANGE_INV_DST;
	return minifw_set_family(x->rp, MINIFW_FAM_IPV4, x->opt->name) ?:
	       minifw_parse_iprange(x, x->arg[0], src ? ir->src : ir->dst);
}

static int minifw_iprange_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m iprange needs --src-range or --dst-range");
	return 0;
}

static void minifw_put_range(struct minifw_buf *b, const char *opt, bool inv,
			     const u32 *range)
{
	if (inv)
		minifw_put(b, "!");
	minifw_put(b, "%s %u.%u.%u.%u-%u.%u.%u.%u", opt,
		   range[0] >> 24, (range[0] >> 16) & 0xff,
		   (range[0] >> 8) & 0xff, range[0] & 0xff,
		   range[1] >> 24, (range[1] >> 16) & 0xff,
		   (range[1] >> 8) & 0xff, range[1] & 0xff);
}

static void minifw_iprange_print(struct minifw_buf *b, const struct minifw_rule *r,
				 const void *data)
{
	const struct minifw_iprange *ir = data;

	if (ir->flags & MINIFW_RANGE_SRC)
		minifw_put_range(b, "--src-range", ir->flags & MINIFW_RANGE_INV_SRC, ir->src);
	if (ir->flags & MINIFW_RANGE_DST)
		minifw_put_range(b, "--dst-range", ir->flags & MINIFW_RANGE_INV_DST, ir->dst);
}

/* its addresses say the rule is IPv4's */
static bool minifw_iprange_lists_family(const struct minifw_rule *r, const void *data)
{
	return true;
}

static bool minifw_in_range(const u32 *range, __be32 addr, bool inv)
{
	u32 a = ntohl(addr);

	return (a >= range[0] && a <= range[1]) ^ inv;
}

/* Packet path; the rule is IPv4's, and the core matched the family. */
static int minifw_iprange_match(const void *data, const struct minifw_pkt *p,
				struct minifw_counter *c)
{
	const struct minifw_iprange *ir = data;

	if ((ir->flags & MINIFW_RANGE_SRC) &&
	    !minifw_in_range(ir->src, p->saddr.ip, ir->flags & MINIFW_RANGE_INV_SRC))
		return MINIFW_NOMATCH;
	if ((ir->flags & MINIFW_RANGE_DST) &&
	    !minifw_in_range(ir->dst, p->daddr.ip, ir->flags & MINIFW_RANGE_INV_DST))
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
