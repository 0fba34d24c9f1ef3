// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the packet's mark (skb->mark, which policy routing, tc and other
 * firewalls read): -m mark [!] --mark VALUE[/MASK] (libxt_mark, xt_mark's
 * mark_mt) and -j MARK (libxt_MARK revision 2, mark_tg), which sets it and
 * goes on to the next rule. Values as iptables reads them: decimal or 0x
 * hexadecimal; listed in hexadecimal, as iptables-save lists them.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

struct minifw_mark {
	u32 mark, mask;		/* match: (skb->mark & mask) == mark */
	u8 inv;
	u8 pad[3];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_mark) == 12, "struct minifw_mark has padding");

/* -j MARK: skb->mark = (skb->mark & ~mask) ^ mark, as xt_MARK's mark_tg */
struct minifw_mark_tg {
	u32 mark, mask;
};

#define MINIFW_MARK_WHAT	"a mark (0 to 4294967295, or 0x0 to 0xffffffff)"

/**
 * minifw_parse_mark_mask() - "VALUE" or "VALUE/MASK", as XTTYPE_MARKMASK32
 * @x: the option being parsed (its name for the error)
 * @s: the word
 * @mark: VALUE, out
 * @mask: MASK, out; all ones if none is given
 * @mask_ok: may it have a mask?
 *
 * Also -m connmark's and -j CONNMARK's (ext/connmark.c).
 *
 * Context: control path.
 * Return: 0 or -EINVAL.
 */
int minifw_parse_mark_mask(struct minifw_xcall *x, char *s, u32 *mark, u32 *mask, bool mask_ok)
{
	char *slash = strchr(s, '/');
	int ret;

	*mask = U32_MAX;
	if (!slash)
		return minifw_parse_uint(x->err, s, U32_MAX, MINIFW_MARK_WHAT, mark);
	if (!mask_ok)
		return minifw_fail(x->err, "%s takes a value without a mask", x->opt->name);
	*slash = '\0';
	ret = minifw_parse_uint(x->err, s, U32_MAX, MINIFW_MARK_WHAT, mark) ?:
	      minifw_parse_uint(x->err, slash + 1, U32_MAX, MINIFW_MARK_WHAT, mask);
	*slash = '/';
	return ret;
}

enum { MINIFW_MARK_OPT };

static const struct minifw_opt minifw_mark_opts[] = {
	{ "--mark", NULL, NULL, MINIFW_MARK_OPT, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static int minifw_mark_parse(struct minifw_xcall *x)
{
	struct minifw_mark *m = x->data;

	m->inv = x->inv;
	return minifw_parse_mark_mask(x, x->arg[0], &m->mark, &m->mask, true);
}

static int minifw_mark_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m mark needs --mark");
	return 0;
}

/**
 * minifw_put_mark_mask() - "OPT VALUE[/MASK]", as xtables_print_mark_mask()
 * @b: the listing
 * @opt: the option
 * @mark: VALUE
 * @mask: MASK, listed unless all ones
 * @always: list the mask even then
 *
 * Context: any.
 */
void minifw_put_mark_mask(struct minifw_buf *b, const char *opt, u32 mark, u32 mask, bool always)
{
	if (always || mask != U32_MAX)
		minifw_put(b, "%s 0x%x/0x%x", opt, mark, mask);
	else
		minifw_put(b, "%s 0x%x", opt, mark);
}

static void minifw_mark_print(struct minifw_buf *b, const struct minifw_rule *r,
			      const void *data)
{
	const struct minifw_mark *m = data;

	if (m->inv)
		minifw_put(b, "!");
	minifw_put_mark_mask(b, "--mark", m->mark, m->mask, false);
}

static int minifw_mark_match(const void *data, const struct minifw_pkt *p,
			     struct minifw_counter *c)
{
	const struct minifw_mark *m = data;

	return ((minifw_pkt_mark(p) & m->mask) == m->mark) ^ m->inv ?
	       MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_mark = {
	.name		= "mark",
	.size		= sizeof(struct minifw_mark),
	.opts		= minifw_mark_opts,
	.parse		= minifw_mark_parse,
	.check		= minifw_mark_check,
	.print		= minifw_mark_print,
	.match		= minifw_mark_match,
};

enum {
	MINIFW_MARK_OPT_SET_XMARK, MINIFW_MARK_OPT_SET_MARK, MINIFW_MARK_OPT_AND_MARK,
	MINIFW_MARK_OPT_OR_MARK, MINIFW_MARK_OPT_XOR_MARK,
};

static const struct minifw_opt minifw_mark_tg_opts[] = {
	{ "--set-xmark", NULL, NULL, MINIFW_MARK_OPT_SET_XMARK, 1, 0, NULL },
	{ "--set-mark", NULL, NULL, MINIFW_MARK_OPT_SET_MARK, 1, 0, NULL },
	{ "--and-mark", NULL, NULL, MINIFW_MARK_OPT_AND_MARK, 1, 0, NULL },
	{ "--or-mark", NULL, NULL, MINIFW_MARK_OPT_OR_MARK, 1, 0, NULL },
	{ "--xor-mark", NULL, NULL, MINIFW_MARK_OPT_XOR_MARK, 1, 0, NULL },
	{ }
};

/* Each option as libxt_MARK's mark_tg_parse() turns it into mark and mask. */
static int minifw_mark_tg_parse(struct minifw_xcall *x)
{
	struct minifw_mark_tg *t = x->data;
	u32 id = x->opt->id, v, m;
	bool set = id == MINIFW_MARK_OPT_SET_XMARK || id == MINIFW_MARK_OPT_SET_MARK;
	int ret;

	if (x->seen & ~(1U << id))
		return minifw_fail(x->err, "-j MARK takes one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark");
	ret = minifw_parse_mark_mask(x, x->arg[0], &v, &m, set);	/* only they take a mask */
	if (ret)
		return ret;
	switch (id) {
	case MINIFW_MARK_OPT_SET_XMARK:
		t->mark = v;
		t->mask = m;
		break;
	case MINIFW_MARK_OPT_SET_MARK:
		t->mark = v;
		t->mask = v | m;
		break;
	case MINIFW_MARK_OPT_AND_MARK:
		t->mark = 0;
		t->mask = ~v;
		break;
	case MINIFW_MARK_OPT_OR_MARK:
		t->mark = v;
		t->mask = v;
		break;
	default:
		t->mark = v;
		t->mask = 0;
		break;
	}
	return 0;
}

static int minifw_mark_tg_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-j MARK needs one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark");
	return 0;
}

/* libxt_MARK lists every form as what it does: --set-xmark VALUE/MASK */
static void minifw_mark_tg_print(struct minifw_buf *b, const struct minifw_rule *r,
				 const void *data)
{
	const struct minifw_mark_tg *t = data;

	minifw_put_mark_mask(b, "--set-xmark", t->mark, t->mask, true);
}

/* Packet path: change the mark, go on to the next rule. */
static unsigned int minifw_mark_tg_target(const void *data, const struct minifw_pkt *p)
{
	const struct minifw_mark_tg *t = data;

	minifw_pkt_set_mark(p, (minifw_pkt_mark(p) & ~t->mask) ^ t->mark);
	return MINIFW_T_NONE;
}

const struct minifw_ext_ops minifw_xt_MARK = {
	.name		= "MARK",
	.verdict	= MINIFW_T_MARK,
	.size		= sizeof(struct minifw_mark_tg),
	.opts		= minifw_mark_tg_opts,
	.parse		= minifw_mark_tg_parse,
	.check		= minifw_mark_tg_check,
	.print		= minifw_mark_tg_print,
	.target		= minifw_mark_tg_target,
};
