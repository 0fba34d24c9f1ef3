// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m comment --comment TEXT (libxt_comment, xt_comment): a note
 * kept and listed with the rule; it matches every packet, so it has no
 * .match, and rules that differ only in it still compile into one run.
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

#define MINIFW_COMMENT_MAX	255	/* as xt_comment's XT_MAX_COMMENT_LEN, less the NUL */

struct minifw_comment {
	char text[MINIFW_COMMENT_MAX + 1];
};

enum { MINIFW_COMMENT_OPT };

static const struct minifw_opt minifw_comment_opts[] = {
	{ "--comment", NULL, NULL, MINIFW_COMMENT_OPT, 1, 0, NULL },
	{ }
};

static int minifw_comment_parse(struct minifw_xcall *x)
{
	struct minifw_comment *cm = x->data;

	return minifw_copy_text(x->err, x->opt->name, cm->text, sizeof(cm->text), x->arg[0]);
}

static int minifw_comment_check(struct minifw_xcall *x)
{
	const struct minifw_comment *cm = x->data;

	if (!cm->text[0])
		return minifw_fail(x->err, "-m comment needs --comment TEXT");
	return 0;
}

static void minifw_comment_print(struct minifw_buf *b, const struct minifw_rule *r,
				 const void *data)
{
	const struct minifw_comment *cm = data;

	minifw_put_string(b, "--comment", cm->text);
}

const struct minifw_ext_ops minifw_xt_comment = {
	.name		= "comment",
	.size		= sizeof(struct minifw_comment),
	.opts		= minifw_comment_opts,
	.parse		= minifw_comment_parse,
	.check		= minifw_comment_check,
	.print		= minifw_comment_print,
};
