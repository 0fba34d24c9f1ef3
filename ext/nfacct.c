// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m nfacct --nfacct-name NAME (libxt_nfacct, xt_nfacct): every
 * packet that reaches the match is counted in the kernel's accounting
 * object NAME (nfnetlink_acct, made and read with nfacct(8): "nfacct add
 * http", "nfacct list"); the match is true unless the object has a quota
 * the packet is still under, as xt_nfacct's. The object must exist when
 * the rule is written; the rule holds it (nfacct del refuses it) until no
 * ruleset has the rule.
 */

#ifdef __KERNEL__
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

#define MINIFW_NFACCT_NAME_LEN	32	/* NFACCT_NAME_MAX, with its NUL */

/* A rule's -m nfacct: xt_nfacct_match_info. */
struct minifw_nfacct_info {
	char name[MINIFW_NFACCT_NAME_LEN];	/* NUL-padded */
	/* what .acquire keeps: not compared */
	struct minifw_nfacct *acct;
};

static_assert(sizeof(struct minifw_nfacct_info) == MINIFW_NFACCT_NAME_LEN + sizeof(void *),
	      "struct minifw_nfacct_info has padding");

enum { MINIFW_NFACCT_OPT_NAME };

static const struct minifw_opt minifw_nfacct_opts[] = {
	{ "--nfacct-name", NULL, NULL, MINIFW_NFACCT_OPT_NAME, 1, 0, NULL },
	{ }
};

static int minifw_nfacct_parse(struct minifw_xcall *x)
{
	struct minifw_nfacct_info *n = x->data;

	if (!x->arg[0][0])
		return minifw_fail(x->err, "--nfacct-name needs a name");
	return minifw_copy_text(x->err, x->opt->name, n->name, sizeof(n->name), x->arg[0]);
}

static int minifw_nfacct_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m nfacct needs --nfacct-name");
	return 0;
}

/* As libxt_nfacct's nfacct_save(), with xtables_save_string(). */
static void minifw_nfacct_print(struct minifw_buf *b, const struct minifw_rule *rule,
				const void *data)
{
	const struct minifw_nfacct_info *n = data;

	minifw_put_string(b, "--nfacct-name", n->name);
}

static int minifw_nfacct_acquire(void *data, struct minifw_err *err)
{
	struct minifw_nfacct_info *n = data;
	struct minifw_nfacct *a = minifw_nfacct_get(n->name, err);

	if (a == ERR_PTR(-ENOENT))
		return minifw_fail(err, "-m nfacct: no accounting object \"%s\" (make it: nfacct add %s)",
				   n->name, n->name);
	if (IS_ERR(a))
		return PTR_ERR(a);
	n->acct = a;
	return 0;
}

static void minifw_nfacct_release(void *data)
{
	struct minifw_nfacct_info *n = data;

	minifw_nfacct_put(n->acct);
}

/* Packet path, RCU read side, bottom halves disabled: xt_nfacct's nfacct_mt(). */
static int minifw_nfacct_match(const void *data, const struct minifw_pkt *p,
			       struct minifw_counter *c)
{
	const struct minifw_nfacct_info *n = data;

	return minifw_pkt_nfacct(p, n->acct) ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_nfacct = {
	.name		= "nfacct",
	.size		= sizeof(struct minifw_nfacct_info),
	.cmp		= offsetof(struct minifw_nfacct_info, acct),
	.opts		= minifw_nfacct_opts,
	.parse		= minifw_nfacct_parse,
	.check		= minifw_nfacct_check,
	.print		= minifw_nfacct_print,
	.acquire	= minifw_nfacct_acquire,
	.release	= minifw_nfacct_release,
	/* it counts the packet: after the rule's other matches, as the last */
	.stateful	= true,
	.match		= minifw_nfacct_match,
};
