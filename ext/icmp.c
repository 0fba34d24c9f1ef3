// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m icmp --icmp-type (libipt_icmp) and -m icmp6 --icmpv6-type
 * (libip6t_icmp6): a type by name or number, with a code or code range.
 *
 * Core-backed: type and codes are fields of struct minifw_match, tested
 * inline by the walk (walk.c: minifw_match()), so these matches have no
 * data and no .match.
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/kstrtox.h>
#include <linux/in.h>
#endif

#include "ext.h"

enum { MINIFW_ICMP_OPT_TYPE };

static const struct minifw_opt minifw_icmp_opts[] = {
	{ "--icmp-type", NULL, NULL, MINIFW_ICMP_OPT_TYPE, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static const struct minifw_opt minifw_icmp6_opts[] = {
	{ "--icmpv6-type", NULL, NULL, MINIFW_ICMP_OPT_TYPE, 1, MINIFW_OPT_INV, NULL },
	{ }
};

/* ICMP types by iptables' names (libxt_icmp), with their code ranges. */
struct minifw_icmp_name {
	const char *name;
	u8 type, code_min, code_max;
};

static const struct minifw_icmp_name minifw_icmp_names[] = {
	{ "any", 0xff, 0, 0xff },
	{ "echo-reply", 0, 0, 0xff },
	{ "pong", 0, 0, 0xff },
	{ "destination-unreachable", 3, 0, 0xff },
	{ "network-unreachable", 3, 0, 0 },
	{ "host-unreachable", 3, 1, 1 },
	{ "protocol-unreachable", 3, 2, 2 },
	{ "port-unreachable", 3, 3, 3 },
	{ "fragmentation-needed", 3, 4, 4 },
	{ "source-route-failed", 3, 5, 5 },
	{ "network-unknown", 3, 6, 6 },
	{ "host-unknown", 3, 7, 7 },
	{ "network-prohibited", 3, 9, 9 },
	{ "host-prohibited", 3, 10, 10 },
	{ "TOS-network-unreachable", 3, 11, 11 },
	{ "TOS-host-unreachable", 3, 12, 12 },
	{ "communication-prohibited", 3, 13, 13 },
	{ "host-precedence-violation", 3, 14, 14 },
	{ "precedence-cutoff", 3, 15, 15 },
	{ "source-quench", 4, 0, 0xff },
	{ "redirect", 5, 0, 0xff },
	{ "network-redirect", 5, 0, 0 },
	{ "host-redirect", 5, 1, 1 },
	{ "TOS-network-redirect", 5, 2, 2 },
	{ "TOS-host-redirect", 5, 3, 3 },
	{ "echo-request", 8, 0, 0xff },
	{ "ping", 8, 0, 0xff },
	{ "router-advertisement", 9, 0, 0xff },
	{ "router-solicitation", 10, 0, 0xff },
	{ "time-exceeded", 11, 0, 0xff },
	{ "ttl-exceeded", 11, 0, 0xff },
	{ "ttl-zero-during-transit", 11, 0, 0 },
	{ "ttl-zero-during-reassembly", 11, 1, 1 },
	{ "parameter-problem", 12, 0, 0xff },
	{ "ip-header-bad", 12, 0, 0 },
	{ "required-option-missing", 12, 1, 1 },
	{ "timestamp-request", 13, 0, 0xff },
	{ "timestamp-reply", 14, 0, 0xff },
	{ "address-mask-request", 17, 0, 0xff },
	{ "address-mask-reply", 18, 0, 0xff },
};

/* ICMPv6 types by ip6tables' names (libip6t_icmp6) */
static const struct minifw_icmp_name minifw_icmp6_names[] = {
	{ "destination-unreachable", 1, 0, 0xff },
	{ "no-route", 1, 0, 0 },
	{ "communication-prohibited", 1, 1, 1 },
	{ "beyond-scope", 1, 2, 2 },
	{ "address-unreachable", 1, 3, 3 },
	{ "port-unreachable", 1, 4, 4 },
	{ "failed-policy", 1, 5, 5 },
	{ "reject-route", 1, 6, 6 },
	{ "packet-too-big", 2, 0, 0xff },
	{ "time-exceeded", 3, 0, 0xff },
	{ "ttl-exceeded", 3, 0, 0xff },
	{ "ttl-zero-during-transit", 3, 0, 0 },
	{ "ttl-zero-during-reassembly", 3, 1, 1 },
	{ "parameter-problem", 4, 0, 0xff },
	{ "bad-header", 4, 0, 0 },
	{ "unknown-header-type", 4, 1, 1 },
	{ "unknown-option", 4, 2, 2 },
	{ "echo-request", 128, 0, 0xff },
	{ "ping", 128, 0, 0xff },
	{ "echo-reply", 129, 0, 0xff },
	{ "pong", 129, 0, 0xff },
	{ "mld-listener-query", 130, 0, 0xff },
	{ "mld-listener-report", 131, 0, 0xff },
	{ "mld-listener-done", 132, 0, 0xff },
	{ "mld-listener-reduction", 132, 0, 0xff },
	{ "router-solicitation", 133, 0, 0xff },
	{ "router-advertisement", 134, 0, 0xff },
	{ "neighbour-solicitation", 135, 0, 0xff },
	{ "neighbor-solicitation", 135, 0, 0xff },
	{ "neighbour-advertisement", 136, 0, 0xff },
	{ "neighbor-advertisement", 136, 0, 0xff },
	{ "redirect", 137, 0, 0xff },
};

/* A type by name, or a unique start of one. */
static int minifw_icmp_by_name(struct minifw_xcall *x, const char *s, bool v6)
{
	const struct minifw_icmp_name *names = v6 ? minifw_icmp6_names : minifw_icmp_names;
	size_t nnames = v6 ? ARRAY_SIZE(minifw_icmp6_names) : ARRAY_SIZE(minifw_icmp_names);
	const struct minifw_icmp_name *hit = NULL;
	struct minifw_match *m = &x->cmd->m;
	size_t len = strlen(s), i;

	for (i = 0; i < nnames; i++) {
		const struct minifw_icmp_name *n = &names[i];

		if (strncasecmp(n->name, s, len))
			continue;
		if (strlen(n->name) == len) {
			hit = n;
			break;
		}
		/* a start shared by two types (not just aliases) */
		if (hit && (hit->type != n->type || hit->code_min != n->code_min ||
			    hit->code_max != n->code_max))
			return minifw_fail(x->err, "\"%s\" is ambiguous: it starts \"%s\" and \"%s\"",
					   minifw_xq(x, s), hit->name, n->name);
		hit = hit ?: n;
	}
	if (!hit)
		return minifw_fail(x->err, "unknown %s type \"%s\" (a name such as echo-request, or TYPE[/CODE])",
				   v6 ? "ICMPv6" : "ICMP", minifw_xq(x, s));
	m->icmp_type = hit->type;
	m->icmp_code[0] = hit->code_min;
	m->icmp_code[1] = hit->code_max;
	return 0;
}

/* "N", decimal, 0-255, of @len bytes */
static int minifw_icmp_num(const char *s, size_t len, u8 *v)
{
	char buf[4];

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (minifw_decimal(buf, len) != MINIFW_DEC_OK || kstrtou8(buf, 10, v))
		return -EINVAL;
	return 0;
}

/*
 * --icmp-type: "any", a name (or a unique start of one), "TYPE",
 * "TYPE/CODE" or "TYPE/CODE:CODE" (iptables 1.8.10's libxt_icmp.h);
 * --icmpv6-type the same with ICMPv6's names, which have no "any"
 * (libip6t_icmp6). For ICMP, type 255 is iptables' "any": 255/CODE matches
 * every type, as ip_tables' icmp_type_code_match() has it.
 */
static int minifw_icmp_parse(struct minifw_xcall *x)
{
	bool v6 = x->ops->proto == IPPROTO_ICMPV6;
	struct minifw_match *m = &x->cmd->m;
	const char *s = x->arg[0], *slash, *code, *colon;
	size_t len = strlen(s), tlen;
	u8 type, lo = 0, hi = 0xff;

	m->flags |= x->inv ? MINIFW_INV_ICMP : 0;
	if (len && (s[0] < '0' || s[0] > '9'))
		return minifw_icmp_by_name(x, s, v6);
	slash = strchr(s, '/');
	tlen = slash ? (size_t)(slash - s) : len;
	if (memchr(s, ':', tlen))
		return minifw_fail(x->err, "\"%s\": a range of %s types is not supported (nor by iptables)",
				   minifw_xq(x, s), v6 ? "ICMPv6" : "ICMP");
	/* ICMPv6's 255 is minifw's "any type" in struct minifw_match */
	if (minifw_icmp_num(s, tlen, &type) || (v6 && type == 0xff))
		goto bad;
	if (slash) {
		code = slash + 1;
		colon = strchr(code, ':');
		if (minifw_icmp_num(code, colon ? (size_t)(colon - code) : strlen(code), &lo))
			goto bad;
		hi = lo;
		if (colon && minifw_icmp_num(colon + 1, strlen(colon + 1), &hi))
			goto bad;
		/* minifw: iptables takes it, and the rule never matches */
		if (lo > hi)
			return minifw_fail(x->err, "\"%s\": a reversed range of codes (first > last)",
					   minifw_xq(x, s));
	}
	m->icmp_type = type;
	m->icmp_code[0] = lo;
	m->icmp_code[1] = hi;
	return 0;
bad:
	return minifw_fail(x->err, "\"%s\" is not an %s type (TYPE[/CODE[:CODE]], each 0-255, or a name)",
			   minifw_xq(x, s), v6 ? "ICMPv6" : "ICMP");
}

static int minifw_icmp_check(struct minifw_xcall *x)
{
	struct minifw_match *m = &x->cmd->m;

	if (x->seen & (1U << MINIFW_ICMP_OPT_TYPE))
		return 0;
	/* libip6t_icmp6 has no "any" */
	if (x->ops->proto == IPPROTO_ICMPV6)
		return minifw_fail(x->err, "-m icmp6 needs --icmpv6-type");
	/* as libxt_icmp: no --icmp-type is "any" */
	m->icmp_type = 0xff;
	m->icmp_code[1] = 0xff;
	return 0;
}

static void minifw_icmp_print(struct minifw_buf *b, const struct minifw_rule *r,
			      const void *data)
{
	const struct minifw_match *m = &r->m;
	const char *opt = m->proto == IPPROTO_ICMPV6 ? "--icmpv6-type" : "--icmp-type";

	if (m->flags & MINIFW_INV_ICMP)
		minifw_put(b, "!");
	/* libip6t_icmp6 saves numbers; its "any" is not one */
	if (m->icmp_code[0] == 0 && m->icmp_code[1] == 0xff)
		minifw_put(b, m->icmp_type == 0xff && m->proto == IPPROTO_ICMP ? "%s any" : "%s %u",
			   opt, m->icmp_type);
	else if (m->icmp_code[0] == m->icmp_code[1])
		minifw_put(b, "%s %u/%u", opt, m->icmp_type, m->icmp_code[0]);
	else	/* minifw: iptables-save lists the first code only, which reads back as it */
		minifw_put(b, "%s %u/%u:%u", opt, m->icmp_type, m->icmp_code[0], m->icmp_code[1]);
}

const struct minifw_ext_ops minifw_xt_icmp = {
	.name		= "icmp",
	.proto		= IPPROTO_ICMP,
	.opts		= minifw_icmp_opts,
	.parse		= minifw_icmp_parse,
	.check		= minifw_icmp_check,
	.print		= minifw_icmp_print,
};

/* libxtables takes the protocol's names for the match too */
static const char *const minifw_icmp6_aliases[] = { "icmpv6", "ipv6-icmp", NULL };

const struct minifw_ext_ops minifw_xt_icmp6 = {
	.name		= "icmp6",
	.aliases	= minifw_icmp6_aliases,
	.proto		= IPPROTO_ICMPV6,
	.opts		= minifw_icmp6_opts,
	.parse		= minifw_icmp_parse,
	.check		= minifw_icmp_check,
	.print		= minifw_icmp_print,
};
