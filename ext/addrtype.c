// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m addrtype [!] --src-type TYPE[,TYPE...] [!] --dst-type
 * TYPE[,TYPE...] [--limit-iface-in | --limit-iface-out] (libxt_addrtype
 * revision 1, xt_addrtype): the kind of address the kernel's routing
 * tables say an address is, e.g. ufw's "-m addrtype --dst-type LOCAL" (one
 * of this host's addresses) or "--dst-type BROADCAST".
 *
 * TYPE is a route type of <linux/rtnetlink.h>: UNSPEC, UNICAST, LOCAL,
 * BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, THROW,
 * NAT or XRESOLVE; as libxt_addrtype, in any case and any beginning of a
 * name ("loc" is LOCAL, "un" UNSPEC: the first that fits).
 *
 * The test itself is the packet path's (minifw_pkt_addrtype(), minifw.c):
 * IPv4 asks inet_dev_addr_type() whether the address is in one of the
 * types, IPv6 tests what ipv6_addr_type() and a route lookup say of it,
 * exactly as xt_addrtype. IPv6 has no BROADCAST, and xt_addrtype refuses
 * BLACKHOLE, PROHIBIT and the types after it for IPv6: a rule with any of
 * those is an IPv4 rule (refused if something else made it IPv6's, as
 * ip6tables refuses it).
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

static_assert(sizeof(struct xt_addrtype_info_v1) == 8, "struct xt_addrtype_info_v1 has padding");

enum {
	MINIFW_ADDRTYPE_OPT_SRC,
	MINIFW_ADDRTYPE_OPT_DST,
	MINIFW_ADDRTYPE_OPT_IN,
	MINIFW_ADDRTYPE_OPT_OUT,
};

static const struct minifw_opt minifw_addrtype_opts[] = {
	{ "--src-type", NULL, NULL, MINIFW_ADDRTYPE_OPT_SRC, 1, MINIFW_OPT_INV, NULL },
	{ "--dst-type", NULL, NULL, MINIFW_ADDRTYPE_OPT_DST, 1, MINIFW_OPT_INV, NULL },
	{ "--limit-iface-in", NULL, NULL, MINIFW_ADDRTYPE_OPT_IN, 0, 0, NULL },
	{ "--limit-iface-out", NULL, NULL, MINIFW_ADDRTYPE_OPT_OUT, 0, 0, NULL },
	{ }
};

/* bit n is route type n (RTN_*), as XT_ADDRTYPE_* */
static const char *const minifw_addrtype_names[] = {
	"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
	"BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE",
};

/* the types xt_addrtype refuses for IPv6 */
#define MINIFW_ADDRTYPE_IPV4_ONLY \
	((u16)(XT_ADDRTYPE_BROADCAST | XT_ADDRTYPE_BLACKHOLE | XT_ADDRTYPE_PROHIBIT | \
	       XT_ADDRTYPE_THROW | XT_ADDRTYPE_NAT | XT_ADDRTYPE_XRESOLVE))

static int minifw_addrtype_parse(struct minifw_xcall *x)
{
	struct xt_addrtype_info_v1 *info = x->data;
	const char *s = x->arg[0], *comma;
	u16 types = 0;
	size_t len, k;

	switch (x->opt->id) {
	case MINIFW_ADDRTYPE_OPT_IN:
		info->flags |= XT_ADDRTYPE_LIMIT_IFACE_IN;
		return 0;
	case MINIFW_ADDRTYPE_OPT_OUT:
		info->flags |= XT_ADDRTYPE_LIMIT_IFACE_OUT;
		return 0;
	}
	for (;; s = comma + 1) {
		comma = strchr(s, ',');
		len = comma ? (size_t)(comma - s) : strlen(s);
		for (k = 0; len && k < ARRAY_SIZE(minifw_addrtype_names); k++)
			if (!strncasecmp(s, minifw_addrtype_names[k], len) &&
			    len <= strlen(minifw_addrtype_names[k]))
				break;
		if (!len || k == ARRAY_SIZE(minifw_addrtype_names))
			return minifw_fail(x->err, "%s \"%s\": unknown address type; one or more of UNSPEC, UNICAST, LOCAL, BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, THROW, NAT, XRESOLVE, separated by commas",
					   x->opt->name, minifw_xq(x, x->arg[0]));
		types |= BIT(k);
		if (!comma)
			break;
	}

	if (x->opt->id == MINIFW_ADDRTYPE_OPT_SRC) {
		info->source = types;
		info->flags |= x->inv ? XT_ADDRTYPE_INVERT_SOURCE : 0;
	} else {
		info->dest = types;
		info->flags |= x->inv ? XT_ADDRTYPE_INVERT_DEST : 0;
	}
	return 0;
}

static int minifw_addrtype_check(struct minifw_xcall *x)
{
	struct xt_addrtype_info_v1 *info = x->data;
	const struct minifw_opt *o = x->ops->opts;
	const u32 limits = XT_ADDRTYPE_LIMIT_IFACE_IN | XT_ADDRTYPE_LIMIT_IFACE_OUT;
	u16 v4;

	if (!(x->seen & (BIT(MINIFW_ADDRTYPE_OPT_SRC) | BIT(MINIFW_ADDRTYPE_OPT_DST))))
		return minifw_fail(x->err, "-m addrtype needs %s or %s",
				   o[MINIFW_ADDRTYPE_OPT_SRC].name,
				   o[MINIFW_ADDRTYPE_OPT_DST].name);
	if ((info->flags & limits) == limits)
		return minifw_fail(x->err, "%s and %s cannot be used together",
				   o[MINIFW_ADDRTYPE_OPT_IN].name, o[MINIFW_ADDRTYPE_OPT_OUT].name);
	v4 = (info->source | info->dest) & MINIFW_ADDRTYPE_IPV4_ONLY;
	if (!v4)
		return 0;
	if (x->cmd->m.family == MINIFW_FAM_IPV6)
		return minifw_fail(x->err, "-m addrtype: IPv6 addresses have no type %s (ip6tables refuses it)",
				   minifw_addrtype_names[__ffs(v4)]);
	o += info->source & v4 ? MINIFW_ADDRTYPE_OPT_SRC : MINIFW_ADDRTYPE_OPT_DST;
	return minifw_set_family(x->rp, MINIFW_FAM_IPV4, o->name);
}

/* The chains it may run in: those where the device it is limited to exists. */
static u8 minifw_addrtype_hooks(const void *data, const char **why)
{
	const struct xt_addrtype_info_v1 *info = data;

	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN) {
		*why = "--limit-iface-in: packets there have no input interface";
		return MINIFW_CHAIN_BIT(MINIFW_PREROUTING) | MINIFW_CHAIN_BIT(MINIFW_INPUT) |
		       MINIFW_CHAIN_BIT(MINIFW_FORWARD);
	}
	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT) {
		*why = "--limit-iface-out: packets there have no output interface yet";
		return MINIFW_CHAIN_BIT(MINIFW_FORWARD) | MINIFW_CHAIN_BIT(MINIFW_OUTPUT) |
		       MINIFW_CHAIN_BIT(MINIFW_POSTROUTING);
	}
	return 0;
}

static void minifw_addrtype_put_types(struct minifw_buf *b, const char *opt, bool inv, u16 types)
{
	char list[112];	/* every name, with commas: 98 bytes */
	size_t k, pos = 0;

	list[0] = '\0';
	for (k = 0; k < ARRAY_SIZE(minifw_addrtype_names); k++)
		if (types & BIT(k))
			pos += scnprintf(list + pos, sizeof(list) - pos, "%s%s", pos ? "," : "",
					 minifw_addrtype_names[k]);
	if (inv)
		minifw_put(b, "!");
	minifw_put(b, "%s %s", opt, list);
}

/* as libxt_addrtype saves it */
static void minifw_addrtype_print(struct minifw_buf *b, const struct minifw_rule *r,
				  const void *data)
{
	const struct xt_addrtype_info_v1 *info = data;
	const struct minifw_opt *o = minifw_addrtype_opts;

	if (info->source)
		minifw_addrtype_put_types(b, o[MINIFW_ADDRTYPE_OPT_SRC].name,
					  info->flags & XT_ADDRTYPE_INVERT_SOURCE, info->source);
	if (info->dest)
		minifw_addrtype_put_types(b, o[MINIFW_ADDRTYPE_OPT_DST].name,
					  info->flags & XT_ADDRTYPE_INVERT_DEST, info->dest);
	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)
		minifw_put(b, "%s", o[MINIFW_ADDRTYPE_OPT_IN].name);
	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
		minifw_put(b, "%s", o[MINIFW_ADDRTYPE_OPT_OUT].name);
}

/* An IPv4-only type made the rule IPv4's, as iptables has it: no -4 listed. */
static bool minifw_addrtype_lists_family(const struct minifw_rule *r, const void *data)
{
	const struct xt_addrtype_info_v1 *info = data;

	return (info->source | info->dest) & MINIFW_ADDRTYPE_IPV4_ONLY;
}

/* Packet path: the source's test, then the destination's, as xt_addrtype. */
static int minifw_addrtype_match(const void *data, const struct minifw_pkt *p,
				 struct minifw_counter *c)
{
	const struct xt_addrtype_info_v1 *info = data;
	u8 limit = info->flags & (XT_ADDRTYPE_LIMIT_IFACE_IN | XT_ADDRTYPE_LIMIT_IFACE_OUT);

	if (info->source && minifw_pkt_addrtype(p, false, limit, info->source) ==
	    !!(info->flags & XT_ADDRTYPE_INVERT_SOURCE))
		return MINIFW_NOMATCH;
	if (info->dest && minifw_pkt_addrtype(p, true, limit, info->dest) ==
	    !!(info->flags & XT_ADDRTYPE_INVERT_DEST))
		return MINIFW_NOMATCH;
	return MINIFW_MATCH;
}

const struct minifw_ext_ops minifw_xt_addrtype = {
	.name		= "addrtype",
	.size		= sizeof(struct xt_addrtype_info_v1),
	.opts		= minifw_addrtype_opts,
	.parse		= minifw_addrtype_parse,
	.check		= minifw_addrtype_check,
	.data_hooks	= minifw_addrtype_hooks,
	.print		= minifw_addrtype_print,
	.lists_family	= minifw_addrtype_lists_family,
	.match		= minifw_addrtype_match,
};
