// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m ttl (libipt_ttl, xt_hl's ttl_mt) and -m hl (libip6t_hl,
 * hl_mt6): the IPv4 time to live or the IPv6 hop limit equal to, less
 * than or greater than a value; "! --ttl-eq" is "not equal". One of the
 * three options, once. -m ttl makes the rule IPv4's, -m hl IPv6's.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

enum { MINIFW_TTL_EQ, MINIFW_TTL_NE, MINIFW_TTL_LT, MINIFW_TTL_GT };

struct minifw_ttl {
	u8 mode;		/* MINIFW_TTL_* */
	u8 value;
};

static_assert(sizeof(struct minifw_ttl) == 2, "struct minifw_ttl has padding");

/* option ids, also their places in the tables below (error messages name them by id) */
enum { MINIFW_TTL_OPT_EQ, MINIFW_TTL_OPT_LT, MINIFW_TTL_OPT_GT, MINIFW_TTL_OPT_OLD };

static const struct minifw_opt minifw_ttl_opts[] = {
	{ "--ttl-eq", NULL, NULL, MINIFW_TTL_OPT_EQ, 1, MINIFW_OPT_INV, NULL },
	{ "--ttl-lt", NULL, NULL, MINIFW_TTL_OPT_LT, 1, 0, NULL },
	{ "--ttl-gt", NULL, NULL, MINIFW_TTL_OPT_GT, 1, 0, NULL },
	{ "--ttl", NULL, NULL, MINIFW_TTL_OPT_OLD, 1, 0, NULL },
	{ }
};

static const struct minifw_opt minifw_hl_opts[] = {
	{ "--hl-eq", NULL, NULL, MINIFW_TTL_OPT_EQ, 1, MINIFW_OPT_INV, NULL },
	{ "--hl-lt", NULL, NULL, MINIFW_TTL_OPT_LT, 1, 0, NULL },
	{ "--hl-gt", NULL, NULL, MINIFW_TTL_OPT_GT, 1, 0, NULL },
	{ "--hl", NULL, NULL, MINIFW_TTL_OPT_OLD, 1, 0, NULL },
	{ }
};

static bool minifw_is_hl(const struct minifw_ext_ops *ops)
{
	return ops->opts == minifw_hl_opts;
}

static int minifw_ttl_parse(struct minifw_xcall *x)
{
	struct minifw_ttl *t = x->data;
	bool hl = minifw_is_hl(x->ops);
	const char *what = hl ? "a hop limit from 0 to 255" : "a TTL from 0 to 255";
	const char *s = x->arg[0];
	u32 v;

	if (x->seen & ~(1U << x->opt->id))
		return minifw_fail(x->err, "-m %s takes one of %s, %s, %s", x->ops->name,
				   x->ops->opts[MINIFW_TTL_OPT_EQ].name,
				   x->ops->opts[MINIFW_TTL_OPT_LT].name,
				   x->ops->opts[MINIFW_TTL_OPT_GT].name);
	if (minifw_parse_uint(x->err, s, 0xff, what, &v))
		return -EINVAL;
	t->value = v;
	switch (x->opt->id) {
	case MINIFW_TTL_OPT_LT:
		t->mode = MINIFW_TTL_LT;
		break;
	case MINIFW_TTL_OPT_GT:
		t->mode = MINIFW_TTL_GT;
		break;
	default:
		t->mode = x->inv ? MINIFW_TTL_NE : MINIFW_TTL_EQ;
		break;
	}
	return minifw_set_family(x->rp, hl ? MINIFW_FAM_IPV6 : MINIFW_FAM_IPV4, x->opt->name);
}

static int minifw_ttl_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m %s needs %s, %s or %s", x->ops->name,
				   x->ops->opts[MINIFW_TTL_OPT_EQ].name,
				   x->ops->opts[MINIFW_TTL_OPT_LT].name,
				   x->ops->opts[MINIFW_TTL_OPT_GT].name);
	return 0;
}

/* as libipt_ttl and libip6t_hl save them */
static void minifw_ttl_print(struct minifw_buf *b, const struct minifw_rule *r,
			     const void *data)
{
	static const char *const op[] = {
		[MINIFW_TTL_EQ] = "-eq", [MINIFW_TTL_NE] = "-eq",
		[MINIFW_TTL_LT] = "-lt", [MINIFW_TTL_GT] = "-gt",
	};
	const struct minifw_ttl *t = data;

	/* -m ttl made the rule IPv4's, -m hl IPv6's */
	if (t->mode == MINIFW_TTL_NE)
		minifw_put(b, "!");
	minifw_put(b, "--%s%s %u", r->m.family == MINIFW_FAM_IPV6 ? "hl" : "ttl", op[t->mode],
		   t->value);
}

/* the rule is of the family its match says */
static bool minifw_ttl_lists_family(const struct minifw_rule *r, const void *data)
{
	return true;
}

/* Packet path; the core matched the rule's family. */
static int minifw_ttl_match(const void *data, const struct minifw_pkt *p,
			    struct minifw_counter *c)
{
	const struct minifw_ttl *t = data;
	u8 ttl = minifw_pkt_ttl(p);
	bool hit;

	switch (t->mode) {
	case MINIFW_TTL_EQ:
		hit = ttl == t->value;
		break;
	case MINIFW_TTL_NE:
		hit = ttl != t->value;
		break;
	case MINIFW_TTL_LT:
		hit = ttl < t->value;
		break;
	default:
		hit = ttl > t->value;
		break;
	}
	return hit ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_ttl = {
	.name		= "ttl",
	.size		= sizeof(struct minifw_ttl),
	.opts		= minifw_ttl_opts,
	.parse		= minifw_ttl_parse,
	.check		= minifw_ttl_check,
	.print		= minifw_ttl_print,
	.lists_family	= minifw_ttl_lists_family,
	.match		= minifw_ttl_match,
};

const struct minifw_ext_ops minifw_xt_hl = {
	.name		= "hl",
	.size		= sizeof(struct minifw_ttl),
	.opts		= minifw_hl_opts,
	.parse		= minifw_ttl_parse,
	.check		= minifw_ttl_check,
	.print		= minifw_ttl_print,
	.lists_family	= minifw_ttl_lists_family,
	.match		= minifw_ttl_match,
};
