// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -j REJECT [--reject-with TYPE] (libipt_REJECT, libip6t_REJECT;
 * ipt_REJECT, ip6t_REJECT): drop the packet and answer it.
 *
 * The type is struct minifw_rule.target_arg, so a REJECT rule has no data
 * and its verdict is MINIFW_VERDICT(MINIFW_T_REJECT, type), which the hook
 * (minifw.c) carries out with the kernel's nf_send_unreach() and
 * nf_send_reset() and their IPv6 twins. A type names its family, but for
 * the two both tools take (port-unreach, tcp-reset).
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/in.h>
#endif

#include "ext.h"

enum { MINIFW_REJECT_OPT_WITH };

static const struct minifw_opt minifw_reject_opts[] = {
	{ "--reject-with", NULL, NULL, MINIFW_REJECT_OPT_WITH, 1, 0, NULL },
	{ }
};

/*
 * --reject-with names and their short aliases: libipt_REJECT's, then
 * libip6t_REJECT's. Each implies its family, but for the two that both
 * tools take ("port-unreach", "tcp-reset"): those fit both families.
 */
static const struct {
	const char *name, *alias;
	u8 with;
	u8 family;
} minifw_rejects[] = {
	{ "icmp-net-unreachable", "net-unreach", MINIFW_REJ_NET_UNREACH, MINIFW_FAM_IPV4 },
	{ "icmp-host-unreachable", "host-unreach", MINIFW_REJ_HOST_UNREACH, MINIFW_FAM_IPV4 },
	{ "icmp-proto-unreachable", "proto-unreach", MINIFW_REJ_PROTO_UNREACH, MINIFW_FAM_IPV4 },
	{ "icmp-port-unreachable", NULL, MINIFW_REJ_PORT_UNREACH, MINIFW_FAM_IPV4 },
	{ "port-unreach", NULL, MINIFW_REJ_PORT_UNREACH, MINIFW_FAM_ANY },
	{ "icmp-net-prohibited", "net-prohib", MINIFW_REJ_NET_PROHIB, MINIFW_FAM_IPV4 },
	{ "icmp-host-prohibited", "host-prohib", MINIFW_REJ_HOST_PROHIB, MINIFW_FAM_IPV4 },
	{ "tcp-reset", "tcp-rst", MINIFW_REJ_TCP_RESET, MINIFW_FAM_ANY },
	{ "icmp-admin-prohibited", "admin-prohib", MINIFW_REJ_ADMIN_PROHIB, MINIFW_FAM_IPV4 },
	{ "icmp6-no-route", "no-route", MINIFW_REJ_NOROUTE, MINIFW_FAM_IPV6 },
	{ "icmp6-adm-prohibited", "adm-prohibited", MINIFW_REJ_ADMIN_PROHIB, MINIFW_FAM_IPV6 },
	{ "icmp6-addr-unreachable", "addr-unreach", MINIFW_REJ_ADDR_UNREACH, MINIFW_FAM_IPV6 },
	{ "icmp6-port-unreachable", NULL, MINIFW_REJ_PORT_UNREACH, MINIFW_FAM_IPV6 },
	{ "icmp6-policy-fail", "policy-fail", MINIFW_REJ_POLICY_FAIL, MINIFW_FAM_IPV6 },
	{ "icmp6-reject-route", "reject-route", MINIFW_REJ_REJECT_ROUTE, MINIFW_FAM_IPV6 },
};

/* The type is read once the whole line is, as the family may come after. */
static int minifw_reject_parse(struct minifw_xcall *x)
{
	*x->keep = x->arg[0];
	return 0;
}

/*
 * As lib*_REJECT: the first name or alias in its order that starts so,
 * among the family's names if the rule has one (then "adm" is IPv6's
 * icmp6-adm-prohibited, as ip6tables reads it), else among all.
 */
static int minifw_reject_with(struct minifw_xcall *x, const char *s)
{
	u8 rule_family = x->cmd->m.family;
	struct minifw_best b = { .word = s };
	char hint[MINIFW_HINTBUF];
	size_t i, len = strlen(s);
	int pass;

	for (pass = rule_family ? 0 : 1; pass < 2; pass++) {
		for (i = 0; len && i < ARRAY_SIZE(minifw_rejects); i++) {
			if (!pass && minifw_rejects[i].family &&
			    minifw_rejects[i].family != rule_family)
				continue;
			if (!strncasecmp(minifw_rejects[i].name, s, len) ||
			    (minifw_rejects[i].alias &&
			     !strncasecmp(minifw_rejects[i].alias, s, len))) {
				x->cmd->target_arg = minifw_rejects[i].with;
				return minifw_set_family(x->rp, minifw_rejects[i].family,
							 "--reject-with");
			}
			minifw_consider(&b, minifw_rejects[i].name);
		}
	}
	return minifw_fail(x->err, "unknown --reject-with \"%s\"%s", minifw_xq(x, s),
			   b.best ? minifw_hint(&b, hint, sizeof(hint)) :
			   " (icmp-port-unreachable, icmp-host-prohibited, tcp-reset, icmp6-adm-prohibited, ...)");
}

static int minifw_reject_check(struct minifw_xcall *x)
{
	return *x->keep ? minifw_reject_with(x, *x->keep) : 0;
}

static int minifw_reject_checkentry(struct minifw_xcall *x)
{
	const struct minifw_match *m = &x->cmd->m;

	if (x->cmd->target_arg == MINIFW_REJ_TCP_RESET &&
	    (m->proto != IPPROTO_TCP || (m->flags & MINIFW_INV_PROTO)))
		return minifw_fail(x->err, "--reject-with tcp-reset needs -p tcp");
	return 0;
}

/*
 * The name iptables-save or ip6tables-save lists; NULL for the default
 * (port unreachable) in a rule for both families, which lists as a bare
 * "-j REJECT" so that it reads back as such.
 */
static const char *minifw_reject_name(u8 with, u8 family)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(minifw_rejects); i++)
		if (minifw_rejects[i].with == with && family &&
		    (minifw_rejects[i].family == family || with == MINIFW_REJ_TCP_RESET))
			return minifw_rejects[i].name;
	return with == MINIFW_REJ_TCP_RESET ? "tcp-reset" : NULL;
}

static void minifw_reject_print(struct minifw_buf *b, const struct minifw_rule *r,
				const void *data)
{
	const char *with = minifw_reject_name(r->target_arg, r->m.family);

	if (with)
		minifw_put(b, "--reject-with %s", with);
}

/* its type says the rule's family, but for tcp-reset */
static bool minifw_reject_lists_family(const struct minifw_rule *r, const void *data)
{
	return r->target_arg != MINIFW_REJ_TCP_RESET;
}

const struct minifw_ext_ops minifw_xt_REJECT = {
	.name		= "REJECT",
	.verdict	= MINIFW_T_REJECT,
	.opts		= minifw_reject_opts,
	.parse		= minifw_reject_parse,
	.check		= minifw_reject_check,
	/* as ipt_REJECT: only where an answer can be routed */
	.tables		= MINIFW_TABLE_BIT(MINIFW_TABLE_FILTER),
	.hooks		= MINIFW_CHAIN_BIT(MINIFW_INPUT) | MINIFW_CHAIN_BIT(MINIFW_FORWARD) |
			  MINIFW_CHAIN_BIT(MINIFW_OUTPUT),
	.checkentry	= minifw_reject_checkentry,
	.print		= minifw_reject_print,
	.lists_family	= minifw_reject_lists_family,
};
