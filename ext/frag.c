// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m frag (libip6t_frag, ip6t_frag): the IPv6 fragment header.
 *   [!] --fragid N[:M]   its identification is in the range
 *   [!] --fraglen N      listed, not tested (as ip6t_frag, whose match
 *                        ignores it: the header's length is always 8)
 *   --fragres            its reserved fields are zero
 *   --fragfirst          it is the first fragment (offset 0)
 *   --fragmore           more fragments follow
 *   --fraglast           it is the last fragment (not with --fragmore)
 * A packet without a fragment header matches neither the rule nor a
 * negation; one whose header cannot be read is dropped, as ip6t_frag
 * drops it. The rule is IPv6's.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <net/ipv6.h>
#else
#define NEXTHDR_FRAGMENT	44
#define IP6_MF			0x0001
#endif

#include "ext.h"

struct minifw_frag {
	u32 id[2];		/* inclusive */
	u32 len;		/* --fraglen */
	u8 flags;		/* MINIFW_FRAG_* */
	u8 pad[3];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_frag) == 16, "struct minifw_frag has padding");

#define MINIFW_FRAG_LEN		0x01
#define MINIFW_FRAG_RES		0x02
#define MINIFW_FRAG_FIRST	0x04
#define MINIFW_FRAG_MORE	0x08
#define MINIFW_FRAG_LAST	0x10
#define MINIFW_FRAG_INV_ID	0x20
#define MINIFW_FRAG_INV_LEN	0x40

enum {
	MINIFW_FRAG_OPT_ID, MINIFW_FRAG_OPT_LEN, MINIFW_FRAG_OPT_RES, MINIFW_FRAG_OPT_FIRST,
	MINIFW_FRAG_OPT_MORE, MINIFW_FRAG_OPT_LAST,
};

static const struct minifw_opt minifw_frag_opts[] = {
	{ "--fragid", NULL, NULL, MINIFW_FRAG_OPT_ID, 1, MINIFW_OPT_INV, NULL },
	{ "--fraglen", NULL, NULL, MINIFW_FRAG_OPT_LEN, 1, MINIFW_OPT_INV, NULL },
	{ "--fragres", NULL, NULL, MINIFW_FRAG_OPT_RES, 0, 0, NULL },
	{ "--fragfirst", NULL, NULL, MINIFW_FRAG_OPT_FIRST, 0, 0, NULL },
	{ "--fragmore", NULL, NULL, MINIFW_FRAG_OPT_MORE, 0, 0, NULL },
	{ "--fraglast", NULL, NULL, MINIFW_FRAG_OPT_LAST, 0, 0, NULL },
	{ }
};

static int minifw_frag_parse(struct minifw_xcall *x)
{
	struct minifw_frag *f = x->data;

	switch (x->opt->id) {
	case MINIFW_FRAG_OPT_ID:
		if (minifw_x_parse_u32_range(x, "a fragment id (0-4294967295)", U32_MAX, f->id))
			return -EINVAL;
		f->flags |= x->inv ? MINIFW_FRAG_INV_ID : 0;
		break;
	case MINIFW_FRAG_OPT_LEN:
		if (minifw_parse_uint(x->err, x->arg[0], U32_MAX, "a length in bytes", &f->len))
			return -EINVAL;
		f->flags |= MINIFW_FRAG_LEN | (x->inv ? MINIFW_FRAG_INV_LEN : 0);
		break;
	case MINIFW_FRAG_OPT_RES:
		f->flags |= MINIFW_FRAG_RES;
		break;
	case MINIFW_FRAG_OPT_FIRST:
		f->flags |= MINIFW_FRAG_FIRST;
		break;
	default:
		if (x->seen & BIT(MINIFW_FRAG_OPT_MORE) && x->seen & BIT(MINIFW_FRAG_OPT_LAST))
			return minifw_fail(x->err, "--fragmore and --fraglast: one or the other");
		if (x->opt->id == MINIFW_FRAG_OPT_MORE)
			f->flags |= MINIFW_FRAG_MORE;
		else
			f->flags |= MINIFW_FRAG_LAST;
		break;
	}
	return minifw_set_family(x->rp, MINIFW_FAM_IPV6, x->opt->name);
}

/* -m frag alone is valid (any fragment header) */
static int minifw_frag_check(struct minifw_xcall *x)
{
	struct minifw_frag *f = x->data;

	if (!(x->seen & BIT(MINIFW_FRAG_OPT_ID)))
		f->id[1] = U32_MAX;
	return minifw_set_family(x->rp, MINIFW_FAM_IPV6, "-m frag");
}

/* as libip6t_frag saves it */
static void minifw_frag_print(struct minifw_buf *b, const struct minifw_rule *r, const void *data)
{
	const struct minifw_frag *f = data;

	minifw_x_put_u32_range(b, "--fragid", f->id, U32_MAX, f->flags & MINIFW_FRAG_INV_ID);
	if (f->flags & MINIFW_FRAG_LEN) {
		if (f->flags & MINIFW_FRAG_INV_LEN)
			minifw_put(b, "!");
		minifw_put(b, "--fraglen %u", f->len);
	}
	if (f->flags & MINIFW_FRAG_RES)
		minifw_put(b, "--fragres");
	if (f->flags & MINIFW_FRAG_FIRST)
		minifw_put(b, "--fragfirst");
	if (f->flags & MINIFW_FRAG_MORE)
		minifw_put(b, "--fragmore");
	if (f->flags & MINIFW_FRAG_LAST)
		minifw_put(b, "--fraglast");
}

/* the rule is IPv6's, as -m frag says */
static bool minifw_frag_lists_family(const struct minifw_rule *r, const void *data)
{
	return true;
}

/* Packet path: as ip6t_frag's frag_mt6(), on the header's 8 bytes. */
static int minifw_frag_match(const void *data, const struct minifw_pkt *p, struct minifw_counter *c)
{
	const struct minifw_frag *f = data;
	u8 h[8];		/* struct frag_hdr */
	u16 off;
	u32 id;
	int ret = minifw_pkt_ip6_exthdr(p, NEXTHDR_FRAGMENT, h, sizeof(h));

	if (ret == -ENOENT)
		return MINIFW_NOMATCH;
	if (ret)
		return MINIFW_HOTDROP;
	off = (h[2] << 8) | h[3];
	id = ((u32)h[4] << 24) | (h[5] << 16) | (h[6] << 8) | h[7];
	if (((id >= f->id[0] && id <= f->id[1]) ^ !!(f->flags & MINIFW_FRAG_INV_ID)) == 0)
		return MINIFW_NOMATCH;
	if ((f->flags & MINIFW_FRAG_RES) && (h[1] || (off & 0x6)))
		return MINIFW_NOMATCH;
	if ((f->flags & MINIFW_FRAG_FIRST) && (off & ~0x7))
		return MINIFW_NOMATCH;
	if ((f->flags & MINIFW_FRAG_MORE) && !(off & IP6_MF))
		return MINIFW_NOMATCH;
	if ((f->flags & MINIFW_FRAG_LAST) && (off & IP6_MF))
		return MINIFW_NOMATCH;
	return MINIFW_MATCH;
}

const struct minifw_ext_ops minifw_xt_frag = {
	.name		= "frag",
	.size		= sizeof(struct minifw_frag),
	.opts		= minifw_frag_opts,
	.parse		= minifw_frag_parse,
	.check		= minifw_frag_check,
	.print		= minifw_frag_print,
	.lists_family	= minifw_frag_lists_family,
	.match		= minifw_frag_match,
};
