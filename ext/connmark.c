// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the connection's mark (conntrack's ct->mark, which outlives the
 * packet): -m connmark [!] --mark VALUE[/MASK] (libxt_connmark, xt_connmark's
 * connmark_mt) and -j CONNMARK (libxt_CONNMARK revision 2, connmark_tg_shift),
 * which sets it, saves the packet's mark into it or restores the packet's
 * mark from it, and goes on to the next rule. The usual three:
 *
 *   -A INPUT -j CONNMARK --restore-mark              the connection's mark to the packet
 *   -A INPUT -m mark --mark 0 -j MARK --set-mark 1   none yet (a new connection): one
 *   -A INPUT -j CONNMARK --save-mark                 which its connection keeps
 *
 * Both need connection tracking, which they start as -m conntrack does
 * (and are refused in PREROUTING for the same reason). A packet without a
 * connection matches no -m connmark, with or without "!", and -j CONNMARK
 * leaves it as it is, as in xt_connmark.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

struct minifw_connmark {
	u32 mark, mask;		/* (ct->mark & mask) == mark */
	u8 inv;
	u8 pad[3];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_connmark) == 12, "struct minifw_connmark has padding");

enum { MINIFW_CONNMARK_OPT };

static const struct minifw_opt minifw_connmark_opts[] = {
	{ "--mark", NULL, NULL, MINIFW_CONNMARK_OPT, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static int minifw_connmark_parse(struct minifw_xcall *x)
{
	struct minifw_connmark *m = x->data;

	m->inv = x->inv;
	return minifw_parse_mark_mask(x, x->arg[0], &m->mark, &m->mask, true);
}

static int minifw_connmark_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m connmark needs --mark");
	return 0;
}

static void minifw_connmark_print(struct minifw_buf *b, const struct minifw_rule *r,
				  const void *data)
{
	const struct minifw_connmark *m = data;

	if (m->inv)
		minifw_put(b, "!");
	minifw_put_mark_mask(b, "--mark", m->mark, m->mask, false);
}

static int minifw_connmark_match(const void *data, const struct minifw_pkt *p,
				 struct minifw_counter *c)
{
	const struct minifw_connmark *m = data;
	u32 ctmark;

	if (!minifw_pkt_ctmark(p, &ctmark))
		return MINIFW_NOMATCH;
	return ((ctmark & m->mask) == m->mark) ^ m->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_connmark = {
	.name		= "connmark",
	.size		= sizeof(struct minifw_connmark),
	.reads		= MINIFW_SKIP_CT,
	.needs_ct	= true,
	.opts		= minifw_connmark_opts,
	.parse		= minifw_connmark_parse,
	.check		= minifw_connmark_check,
	.print		= minifw_connmark_print,
	.match		= minifw_connmark_match,
};

/* -j CONNMARK: what it does, as xt_connmark.h's XT_CONNMARK_* */
enum { MINIFW_CONNMARK_NONE, MINIFW_CONNMARK_SET, MINIFW_CONNMARK_SAVE, MINIFW_CONNMARK_RESTORE };

/*
 * As struct xt_connmark_tginfo2, with the masks complemented: data are
 * zeroed when loaded, and libxt_CONNMARK starts both masks at all ones.
 */
struct minifw_connmark_tg {
	u32 ctmark;
	u32 ctmask_not;		/* ~ctmask: the bits of ct->mark it keeps (SET, SAVE) */
	u32 nfmask_not;		/* ~nfmask */
	u8 mode;		/* MINIFW_CONNMARK_* */
	u8 right;		/* shift right, not left */
	u8 shift;		/* bits, 0-31 */
	u8 pad;
};

static_assert(sizeof(struct minifw_connmark_tg) == 16, "struct minifw_connmark_tg has padding");

enum {
	MINIFW_CM_SET_XMARK, MINIFW_CM_SET_MARK, MINIFW_CM_AND_MARK, MINIFW_CM_OR_MARK,
	MINIFW_CM_XOR_MARK, MINIFW_CM_SAVE_MARK, MINIFW_CM_RESTORE_MARK,
	MINIFW_CM_OPS,			/* the ids above: what it does, one of them */
	MINIFW_CM_LEFT_SHIFT = MINIFW_CM_OPS, MINIFW_CM_RIGHT_SHIFT,
	MINIFW_CM_CTMASK, MINIFW_CM_NFMASK, MINIFW_CM_MASK,
};

static const struct minifw_opt minifw_connmark_tg_opts[] = {
	{ "--set-xmark", NULL, NULL, MINIFW_CM_SET_XMARK, 1, 0, NULL },
	{ "--set-mark", NULL, NULL, MINIFW_CM_SET_MARK, 1, 0, NULL },
	{ "--and-mark", NULL, NULL, MINIFW_CM_AND_MARK, 1, 0, NULL },
	{ "--or-mark", NULL, NULL, MINIFW_CM_OR_MARK, 1, 0, NULL },
	{ "--xor-mark", NULL, NULL, MINIFW_CM_XOR_MARK, 1, 0, NULL },
	{ "--save-mark", NULL, NULL, MINIFW_CM_SAVE_MARK, 0, 0, NULL },
	{ "--restore-mark", NULL, NULL, MINIFW_CM_RESTORE_MARK, 0, 0, NULL },
	{ "--left-shift-mark", NULL, NULL, MINIFW_CM_LEFT_SHIFT, 1, 0, NULL },
	{ "--right-shift-mark", NULL, NULL, MINIFW_CM_RIGHT_SHIFT, 1, 0, NULL },
	{ "--ctmask", NULL, NULL, MINIFW_CM_CTMASK, 1, 0, NULL },
	{ "--nfmask", NULL, NULL, MINIFW_CM_NFMASK, 1, 0, NULL },
	{ "--mask", NULL, NULL, MINIFW_CM_MASK, 1, 0, NULL },
	{ }
};

#define MINIFW_CM_OPS_LIST \
	"--set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark, --save-mark, --restore-mark"

/*
 * Each option as libxt_CONNMARK's connmark_tg_parse_v2(), in the order
 * given: a later --mask (or --ctmask) overrides the mask --set-mark made.
 */
static int minifw_connmark_tg_parse(struct minifw_xcall *x)
{
	struct minifw_connmark_tg *t = x->data;
	u32 id = x->opt->id, before = x->seen & ~(1U << id), v = 0, m;
	int ret;

	if (id < MINIFW_CM_OPS && (before & (BIT(MINIFW_CM_OPS) - 1)))
		return minifw_fail(x->err, "-j CONNMARK takes one of " MINIFW_CM_OPS_LIST);
	if ((id == MINIFW_CM_MASK && (before & (BIT(MINIFW_CM_CTMASK) | BIT(MINIFW_CM_NFMASK)))) ||
	    ((id == MINIFW_CM_CTMASK || id == MINIFW_CM_NFMASK) && (before & BIT(MINIFW_CM_MASK))))
		return minifw_fail(x->err, "--mask cannot be given with --ctmask or --nfmask");
	if (id == MINIFW_CM_LEFT_SHIFT || id == MINIFW_CM_RIGHT_SHIFT) {
		ret = minifw_parse_uint(x->err, x->arg[0], 31, "bits (0 to 31)", &v);
		if (ret)
			return ret;
		t->right = id == MINIFW_CM_RIGHT_SHIFT;
		t->shift = v;
		return 0;
	}
	if (x->opt->nargs) {
		ret = minifw_parse_mark_mask(x, x->arg[0], &v, &m,
					     id == MINIFW_CM_SET_XMARK || id == MINIFW_CM_SET_MARK);
		if (ret)
			return ret;
	}
	if (id < MINIFW_CM_SAVE_MARK)
		t->mode = MINIFW_CONNMARK_SET;
	switch (id) {
	case MINIFW_CM_SET_XMARK:
		t->ctmark = v;
		t->ctmask_not = ~m;
		break;
	case MINIFW_CM_SET_MARK:
		t->ctmark = v;
		t->ctmask_not = ~(v | m);
		break;
	case MINIFW_CM_AND_MARK:
		t->ctmark = 0;
		t->ctmask_not = v;
		break;
	case MINIFW_CM_OR_MARK:
		t->ctmark = v;
		t->ctmask_not = ~v;
		break;
	case MINIFW_CM_XOR_MARK:
		t->ctmark = v;
		t->ctmask_not = U32_MAX;
		break;
	case MINIFW_CM_SAVE_MARK:
		t->mode = MINIFW_CONNMARK_SAVE;
		break;
	case MINIFW_CM_RESTORE_MARK:
		t->mode = MINIFW_CONNMARK_RESTORE;
		break;
	case MINIFW_CM_CTMASK:
		t->ctmask_not = ~v;
		break;
	case MINIFW_CM_NFMASK:
		t->nfmask_not = ~v;
		break;
	default:			/* --mask */
		t->ctmask_not = ~v;
		t->nfmask_not = ~v;
		break;
	}
	return 0;
}

static int minifw_connmark_tg_check(struct minifw_xcall *x)
{
	if (!(x->seen & (BIT(MINIFW_CM_OPS) - 1)))
		return minifw_fail(x->err, "-j CONNMARK needs one of " MINIFW_CM_OPS_LIST);
	return 0;
}

/* libxt_CONNMARK's connmark_tg_save_v2(): every form as what it does */
static void minifw_connmark_tg_print(struct minifw_buf *b, const struct minifw_rule *r,
				     const void *data)
{
	const struct minifw_connmark_tg *t = data;

	if (t->mode == MINIFW_CONNMARK_SET)
		minifw_put(b, "--set-xmark 0x%x/0x%x", t->ctmark, ~t->ctmask_not);
	else
		minifw_put(b, "%s --nfmask 0x%x --ctmask 0x%x",
			   t->mode == MINIFW_CONNMARK_SAVE ? "--save-mark" : "--restore-mark",
			   ~t->nfmask_not, ~t->ctmask_not);
	if (t->shift)
		minifw_put(b, "--%s-shift-mark %u", t->right ? "right" : "left", t->shift);
}

/* Packet path: as xt_connmark's connmark_tg_shift(); go on to the next rule. */
static unsigned int minifw_connmark_tg_target(const void *data, const struct minifw_pkt *p)
{
	const struct minifw_connmark_tg *t = data;
	u32 old, v;

	if (!minifw_pkt_ctmark(p, &old))
		return MINIFW_T_NONE;
	switch (t->mode) {
	case MINIFW_CONNMARK_SET:
		v = (old & t->ctmask_not) ^ t->ctmark;
		break;
	case MINIFW_CONNMARK_SAVE:
		v = minifw_pkt_mark(p) & ~t->nfmask_not;
		break;
	default:
		v = old & ~t->ctmask_not;
		break;
	}
	v = t->right ? v >> t->shift : v << t->shift;
	if (t->mode == MINIFW_CONNMARK_RESTORE)
		minifw_pkt_set_mark(p, (minifw_pkt_mark(p) & t->nfmask_not) ^ v);
	else if (t->mode == MINIFW_CONNMARK_SAVE)
		minifw_pkt_set_ctmark(p, (old & t->ctmask_not) ^ v);
	else
		minifw_pkt_set_ctmark(p, v);
	return MINIFW_T_NONE;
}

const struct minifw_ext_ops minifw_xt_CONNMARK = {
	.name		= "CONNMARK",
	.verdict	= MINIFW_T_CONNMARK,
	.size		= sizeof(struct minifw_connmark_tg),
	.reads		= MINIFW_SKIP_CT,
	.needs_ct	= true,
	.opts		= minifw_connmark_tg_opts,
	.parse		= minifw_connmark_tg_parse,
	.check		= minifw_connmark_tg_check,
	.print		= minifw_connmark_tg_print,
	.target		= minifw_connmark_tg_target,
};
