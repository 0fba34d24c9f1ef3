// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -j NFLOG [--nflog-group N] [--nflog-prefix TEXT] [--nflog-size N]
 * [--nflog-threshold N] (libxt_NFLOG, xt_NFLOG): hand the packet to
 * nfnetlink_log's group N (which ulogd, "tcpdump -i nflog:N" and other
 * programs read) through the kernel's packet logger, and go on to the next
 * rule. The owner of the packet path calls the logger (minifw_nflog():
 * minifw.c), as for -j LOG.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

#define MINIFW_NFLOG_THRESHOLD	1	/* as XT_NFLOG_DEFAULT_THRESHOLD */

static_assert(sizeof(struct minifw_nflog) == 80, "struct minifw_nflog has padding");

enum {
	MINIFW_NFLOG_GROUP, MINIFW_NFLOG_PREFIX, MINIFW_NFLOG_RANGE, MINIFW_NFLOG_SIZE,
	MINIFW_NFLOG_THRESHOLD_OPT,
};

static const struct minifw_opt minifw_nflog_opts[] = {
	{ "--nflog-group", NULL, NULL, MINIFW_NFLOG_GROUP, 1, 0, NULL },
	{ "--nflog-prefix", NULL, NULL, MINIFW_NFLOG_PREFIX, 1, 0, NULL },
	/* never had an effect; listed as given, as iptables-legacy lists it */
	{ "--nflog-range", NULL, NULL, MINIFW_NFLOG_RANGE, 1, 0, NULL },
	{ "--nflog-size", NULL, NULL, MINIFW_NFLOG_SIZE, 1, 0, NULL },
	{ "--nflog-threshold", NULL, NULL, MINIFW_NFLOG_THRESHOLD_OPT, 1, 0, NULL },
	{ }
};

static int minifw_nflog_parse(struct minifw_xcall *x)
{
	struct minifw_nflog *n = x->data;
	u32 v;
	int ret;

	switch (x->opt->id) {
	case MINIFW_NFLOG_PREFIX:
		if (!x->arg[0][0])
			return minifw_fail(x->err, "--nflog-prefix needs a text");
		/* minifw: iptables-legacy cuts a longer one short */
		return minifw_copy_text(x->err, x->opt->name, n->prefix, sizeof(n->prefix),
					x->arg[0]);
	case MINIFW_NFLOG_RANGE:
	case MINIFW_NFLOG_SIZE:
		if (x->seen & BIT(MINIFW_NFLOG_RANGE) && x->seen & BIT(MINIFW_NFLOG_SIZE))
			return minifw_fail(x->err, "--nflog-size and --nflog-range cannot be given together");
		n->copy_len = x->opt->id == MINIFW_NFLOG_SIZE;
		return minifw_parse_uint(x->err, x->arg[0], U32_MAX,
					 "a number of bytes (0 to 4294967295)", &n->len);
	default:
		ret = minifw_parse_uint(x->err, x->arg[0], U16_MAX,
					x->opt->id == MINIFW_NFLOG_GROUP ? "a group (0 to 65535)" :
					"a number of packets (0 to 65535)", &v);
		if (x->opt->id == MINIFW_NFLOG_GROUP)
			n->group = v;
		else
			n->threshold = v;
		return ret;
	}
}

static int minifw_nflog_check(struct minifw_xcall *x)
{
	struct minifw_nflog *n = x->data;

	if (!(x->seen & BIT(MINIFW_NFLOG_THRESHOLD_OPT)))
		n->threshold = MINIFW_NFLOG_THRESHOLD;
	return 0;
}

/* as libxt_NFLOG's nflog_print() */
static void minifw_nflog_print(struct minifw_buf *b, const struct minifw_rule *r,
			       const void *data)
{
	const struct minifw_nflog *n = data;

	if (n->prefix[0])
		minifw_put_string(b, "--nflog-prefix", n->prefix);
	if (n->group)
		minifw_put(b, "--nflog-group %u", n->group);
	if (n->copy_len)
		minifw_put(b, "--nflog-size %u", n->len);
	else if (n->len)
		minifw_put(b, "--nflog-range %u", n->len);
	if (n->threshold != MINIFW_NFLOG_THRESHOLD)
		minifw_put(b, "--nflog-threshold %u", n->threshold);
}

/* Packet path: log, and go on to the next rule. */
static unsigned int minifw_nflog_target(const void *data, const struct minifw_pkt *p)
{
	minifw_nflog(p, data);
	return MINIFW_T_NONE;
}

const struct minifw_ext_ops minifw_xt_NFLOG = {
	.name		= "NFLOG",
	.verdict	= MINIFW_T_NFLOG,
	.size		= sizeof(struct minifw_nflog),
	.opts		= minifw_nflog_opts,
	.parse		= minifw_nflog_parse,
	.check		= minifw_nflog_check,
	.print		= minifw_nflog_print,
	.target		= minifw_nflog_target,
};
