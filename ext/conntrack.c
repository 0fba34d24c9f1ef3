// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m conntrack --ctstate and -m state --state (libxt_conntrack,
 * which has both; the kernel's xt_conntrack and xt_state): the states
 * connection tracking gave the packet.
 *
 * Core-backed: the wanted states are struct minifw_match.ctstate, tested
 * inline by the walk against the one state the hook reads (and reads only
 * for chains with such a rule); a ruleset with one makes minifw.c start
 * connection tracking (minifw_ruleset_has_ctstate()).
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

enum { MINIFW_CT_OPT_STATE };

static const struct minifw_opt minifw_conntrack_opts[] = {
	{ "--ctstate", NULL, NULL, MINIFW_CT_OPT_STATE, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static const struct minifw_opt minifw_state_opts[] = {
	{ "--state", NULL, NULL, MINIFW_CT_OPT_STATE, 1, MINIFW_OPT_INV, NULL },
	{ }
};

/* The states' names in listing order (bit i of MINIFW_CT_*) ... */
static const char *const minifw_ct_names[] = {
	"INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED",
};

/* ... and in the order libxt_conntrack tries them, where "E" is ESTABLISHED */
static const u8 minifw_ct_try[] = { 0, 1, 3, 2, 4 };

/* "RELATED,ESTABLISHED"; as libxt_conntrack, a start of a name will do */
static int minifw_ct_parse(struct minifw_xcall *x)
{
	struct minifw_match *m = &x->cmd->m;
	const char *s = x->arg[0], *w = s;

	m->flags |= MINIFW_CTSTATE | (x->inv ? MINIFW_INV_CTSTATE : 0);
	m->ctstate = 0;
	for (;;) {
		size_t len = strcspn(w, ","), i;

		for (i = 0; len && i < ARRAY_SIZE(minifw_ct_try); i++)
			if (len <= strlen(minifw_ct_names[minifw_ct_try[i]]) &&
			    !strncasecmp(minifw_ct_names[minifw_ct_try[i]], w, len))
				break;
		if (!len || i == ARRAY_SIZE(minifw_ct_try)) {
			if (len == 4 && (!strncasecmp(w, "SNAT", 4) || !strncasecmp(w, "DNAT", 4)))
				return minifw_fail(x->err, "state %.4s is not supported (minifw does no NAT)",
						   w);
			return minifw_fail(x->err, "\"%s\" is not a list of states (INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED, separated by commas)",
					   minifw_xq(x, s));
		}
		m->ctstate |= 1U << minifw_ct_try[i];
		if (!w[len])
			return 0;
		w += len + 1;
	}
}

static int minifw_ct_check(struct minifw_xcall *x)
{
	if (!(x->seen & (1U << MINIFW_CT_OPT_STATE)))
		return minifw_fail(x->err, "-m %s needs %s", x->ops->name, x->ops->opts[0].name);
	return 0;
}

/* "--ctstate RELATED,ESTABLISHED" (@opt: the option of the match given) */
static void minifw_ct_put(struct minifw_buf *b, const struct minifw_match *m, const char *opt)
{
	unsigned int i;

	if (m->flags & MINIFW_INV_CTSTATE)
		minifw_put(b, "!");
	minifw_put(b, "%s", opt);
	for (i = 0; i < ARRAY_SIZE(minifw_ct_names) && b->pos + 1 < b->len; i++) {
		if (!(m->ctstate & (1U << i)))
			continue;
		b->pos += scnprintf(b->s + b->pos, b->len - b->pos, "%s%s",
				    m->ctstate & ((1U << i) - 1) ? "," : " ",
				    minifw_ct_names[i]);
	}
}

static void minifw_conntrack_print(struct minifw_buf *b, const struct minifw_rule *r,
				   const void *data)
{
	minifw_ct_put(b, &r->m, "--ctstate");
}

static void minifw_state_print(struct minifw_buf *b, const struct minifw_rule *r,
			       const void *data)
{
	minifw_ct_put(b, &r->m, "--state");
}

/*
 * minifw's PREROUTING hook runs before connection tracking (so that
 * blocked sources cost no conntrack entry): no state is known there.
 */
#define MINIFW_CT_HOOKS	(MINIFW_ALL_BUILTIN & ~MINIFW_CHAIN_BIT(MINIFW_PREROUTING))
#define MINIFW_CT_WHY	"minifw filters there before connection tracking (use INPUT or FORWARD)"

const struct minifw_ext_ops minifw_xt_conntrack = {
	.name		= "conntrack",
	.group		= "state",
	.opts		= minifw_conntrack_opts,
	.parse		= minifw_ct_parse,
	.check		= minifw_ct_check,
	.hooks		= MINIFW_CT_HOOKS,
	.hooks_why	= MINIFW_CT_WHY,
	.print		= minifw_conntrack_print,
};

const struct minifw_ext_ops minifw_xt_state = {
	.name		= "state",
	.group		= "state",
	.opts		= minifw_state_opts,
	.parse		= minifw_ct_parse,
	.check		= minifw_ct_check,
	.hooks		= MINIFW_CT_HOOKS,
	.hooks_why	= MINIFW_CT_WHY,
	.print		= minifw_state_print,
};
