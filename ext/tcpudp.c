// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m tcp and -m udp (libxt_tcp, libxt_udp; the kernel's
 * xt_tcpudp.c): --sport, --dport and tcp's --tcp-flags and --syn.
 *
 * Core-backed: ports and flags are fields of struct minifw_match, which the
 * walk tests inline (walk.c: minifw_match()) and the compiler of runs keys
 * on, so these matches have no data and no .match.
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/in.h>
#endif

#include "ext.h"

enum { MINIFW_TCP_OPT_SPORT, MINIFW_TCP_OPT_DPORT, MINIFW_TCP_OPT_FLAGS };

static const struct minifw_opt minifw_tcp_opts[] = {
	{ "--sport", "--source-port", NULL, MINIFW_TCP_OPT_SPORT, 1, MINIFW_OPT_INV, NULL },
	{ "--dport", "--destination-port", NULL, MINIFW_TCP_OPT_DPORT, 1, MINIFW_OPT_INV, NULL },
	{ "--tcp-flags", NULL, NULL, MINIFW_TCP_OPT_FLAGS, 2, MINIFW_OPT_INV,
	  " (or with --syn/--tcp-flags)" },
	{ "--syn", NULL, NULL, MINIFW_TCP_OPT_FLAGS, 0, MINIFW_OPT_INV,
	  " (or with --syn/--tcp-flags)" },
	{ }
};

/* tcp's ports, the same options with the same numbers */
static const struct minifw_opt minifw_udp_opts[] = {
	{ "--sport", "--source-port", NULL, MINIFW_TCP_OPT_SPORT, 1, MINIFW_OPT_INV, NULL },
	{ "--dport", "--destination-port", NULL, MINIFW_TCP_OPT_DPORT, 1, MINIFW_OPT_INV, NULL },
	{ }
};

/* TCP flags in iptables-save's order (libxt_tcp). */
static const struct {
	const char *name;
	u8 bit;
} minifw_tcp_flags[] = {
	{ "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 },
	{ "ACK", 0x10 }, { "URG", 0x20 }, { "ALL", 0x3f }, { "NONE", 0 },
};

/* "SYN,ACK", "ALL", "NONE" */
static int minifw_parse_tcp_flags(struct minifw_xcall *x, const char *s, u8 *flags)
{
	const char *w = s;

	*flags = 0;
	for (;;) {
		size_t len = strcspn(w, ","), i;

		for (i = 0; i < ARRAY_SIZE(minifw_tcp_flags); i++)
			if (strlen(minifw_tcp_flags[i].name) == len &&
			    !strncasecmp(minifw_tcp_flags[i].name, w, len))
				break;
		if (i == ARRAY_SIZE(minifw_tcp_flags))
			return minifw_fail(x->err, "\"%s\" is not a list of TCP flags (FIN,SYN,RST,PSH,ACK,URG, ALL or NONE)",
					   minifw_xq(x, s));
		*flags |= minifw_tcp_flags[i].bit;
		if (!w[len])
			return 0;
		w += len + 1;
	}
}

static int minifw_tcp_parse(struct minifw_xcall *x)
{
	struct minifw_match *m = &x->cmd->m;
	int ret = 0;

	switch (x->opt->id) {
	case MINIFW_TCP_OPT_SPORT:
		m->flags |= x->inv ? MINIFW_INV_SPORT : 0;
		return minifw_parse_ports(x->err, x->arg[0], x->ops->proto, m->sport);
	case MINIFW_TCP_OPT_DPORT:
		m->flags |= x->inv ? MINIFW_INV_DPORT : 0;
		return minifw_parse_ports(x->err, x->arg[0], x->ops->proto, m->dport);
	}
	m->flags |= x->inv ? MINIFW_INV_TCPFLAGS : 0;
	if (!x->opt->nargs) {
		/* --syn: FIN,SYN,RST,ACK SYN, a connection's first packet */
		m->tcp_fmsk = 0x17;
		m->tcp_fcmp = 0x02;
		return 0;
	}
	ret = minifw_parse_tcp_flags(x, x->arg[0], &m->tcp_fmsk) ?:
	      minifw_parse_tcp_flags(x, x->arg[1], &m->tcp_fcmp);
	/* iptables takes it, but such a rule never matches */
	if (!ret && (m->tcp_fcmp & ~m->tcp_fmsk))
		ret = minifw_fail(x->err, "--tcp-flags %s %s: the flags to compare must be among the flags to look at",
				  x->arg[0], x->arg[1]);
	return ret;
}

/* a port option, unless it is every port (no option) */
static void minifw_tcpudp_put_ports(struct minifw_buf *b, const char *opt, bool inv,
				    const u16 *range)
{
	if (range[0] == 0 && range[1] == 0xffff && !inv)
		return;
	minifw_put_ports(b, opt, inv, range);
}

/* "FIN,SYN,RST,ACK" as iptables-save prints flags; "NONE" for none */
static const char *minifw_tcp_flag_names(u8 flags, char *buf, size_t len)
{
	struct minifw_buf b = { .s = buf, .len = len };
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < 6; i++) {
		if (!(flags & minifw_tcp_flags[i].bit))
			continue;
		if (b.pos)
			b.s[b.pos++] = ',';
		b.pos += scnprintf(b.s + b.pos, b.len - b.pos, "%s", minifw_tcp_flags[i].name);
	}
	return b.pos ? buf : "NONE";
}

static void minifw_tcp_print(struct minifw_buf *b, const struct minifw_rule *r,
			     const void *data)
{
	const struct minifw_match *m = &r->m;
	u32 f = m->flags;

	minifw_tcpudp_put_ports(b, "--sport", f & MINIFW_INV_SPORT, m->sport);
	minifw_tcpudp_put_ports(b, "--dport", f & MINIFW_INV_DPORT, m->dport);
	if (m->tcp_fmsk || (f & MINIFW_INV_TCPFLAGS)) {
		char fm[32], fc[32];

		if (f & MINIFW_INV_TCPFLAGS)
			minifw_put(b, "!");
		minifw_put(b, "--tcp-flags %s %s",
			   minifw_tcp_flag_names(m->tcp_fmsk, fm, sizeof(fm)),
			   minifw_tcp_flag_names(m->tcp_fcmp, fc, sizeof(fc)));
	}
}

const struct minifw_ext_ops minifw_xt_tcp = {
	.name		= "tcp",
	.proto		= IPPROTO_TCP,
	.opts		= minifw_tcp_opts,
	.parse		= minifw_tcp_parse,
	.print		= minifw_tcp_print,
};

/* udp's options are tcp's ports, and print as they do (it has no flags) */
const struct minifw_ext_ops minifw_xt_udp = {
	.name		= "udp",
	.proto		= IPPROTO_UDP,
	.opts		= minifw_udp_opts,
	.parse		= minifw_tcp_parse,
	.print		= minifw_tcp_print,
};
