// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -j AUDIT --type accept|drop|reject (libxt_AUDIT, xt_AUDIT): an
 * audit record of the packet (type NETFILTER_PKT: its mark, addresses and
 * protocol), then on to the next rule, as xt_AUDIT. The usual pair:
 *
 *   -A INPUT -p tcp --dport 23 -j AUDIT --type drop
 *   -A INPUT -p tcp --dport 23 -j DROP
 *
 * The type is kept and listed, and the record does not say it, as in
 * xt_AUDIT. Records go to auditd, or to the kernel log without it, and
 * only while auditing is on (auditctl -e 1, or audit=1 at boot).
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

/* as xt_AUDIT.h's XT_AUDIT_TYPE_* */
static const char *const minifw_audit_types[] = { "accept", "drop", "reject" };

struct minifw_audit {
	u8 type;
	u8 pad[7];
};

static_assert(sizeof(struct minifw_audit) == 8, "struct minifw_audit has padding");

enum { MINIFW_AUDIT_OPT_TYPE };

static const struct minifw_opt minifw_audit_opts[] = {
	{ "--type", NULL, NULL, MINIFW_AUDIT_OPT_TYPE, 1, 0, NULL },
	{ }
};

/* any case, as libxt_AUDIT */
static int minifw_audit_parse(struct minifw_xcall *x)
{
	struct minifw_audit *a = x->data;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(minifw_audit_types); i++) {
		if (!strcasecmp(x->arg[0], minifw_audit_types[i])) {
			a->type = i;
			return 0;
		}
	}
	return minifw_fail(x->err, "--type \"%s\" is not accept, drop or reject",
			   minifw_xq(x, x->arg[0]));
}

static int minifw_audit_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-j AUDIT needs --type accept, drop or reject");
	return 0;
}

static void minifw_audit_print(struct minifw_buf *b, const struct minifw_rule *r,
			       const void *data)
{
	const struct minifw_audit *a = data;

	minifw_put(b, "--type %s", minifw_audit_types[a->type]);
}

/* Packet path: the record, and on to the next rule. */
static unsigned int minifw_audit_target(const void *data, const struct minifw_pkt *p)
{
	minifw_audit(p);
	return MINIFW_T_NONE;
}

const struct minifw_ext_ops minifw_xt_AUDIT = {
	.name		= "AUDIT",
	.verdict	= MINIFW_T_AUDIT,
	.size		= sizeof(struct minifw_audit),
	.opts		= minifw_audit_opts,
	.parse		= minifw_audit_parse,
	.check		= minifw_audit_check,
	.print		= minifw_audit_print,
	.target		= minifw_audit_target,
};
