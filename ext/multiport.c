// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m multiport --sports|--dports|--ports LIST (libxt_multiport,
 * xt_multiport): any of up to 15 ports or ranges, a range counting two.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/in.h>
#endif

#include "ext.h"

#define MINIFW_MP_MAX		15	/* ports, a range counting two */

/* which ports */
enum { MINIFW_MP_SRC = 1, MINIFW_MP_DST, MINIFW_MP_ANY };

struct minifw_multiport {
	u16 ports[MINIFW_MP_MAX][2];	/* inclusive ranges, host order */
	u8 nports;			/* entries used in ports */
	u8 dir;				/* MINIFW_MP_* */
	bool inv;
	u8 pad;				/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_multiport) == 64, "struct minifw_multiport has padding");

enum { MINIFW_MP_OPT_PORTS };

#define MINIFW_MP_TWICE		" (one of --sports, --dports, --ports per rule)"

static const struct minifw_opt minifw_multiport_opts[] = {
	{ "--sports", "--source-ports", NULL, MINIFW_MP_OPT_PORTS, 1, MINIFW_OPT_INV,
	  MINIFW_MP_TWICE },
	{ "--dports", "--destination-ports", NULL, MINIFW_MP_OPT_PORTS, 1, MINIFW_OPT_INV,
	  MINIFW_MP_TWICE },
	{ "--ports", NULL, NULL, MINIFW_MP_OPT_PORTS, 1, MINIFW_OPT_INV, MINIFW_MP_TWICE },
	{ }
};

/* "22,80,1000:2000": at most 15 ports, a range counting two, as iptables */
static int minifw_multiport_parse(struct minifw_xcall *x)
{
	struct minifw_multiport *mp = x->data;
	char *w = x->arg[0], *next;
	unsigned int slots = 0;
	int ret;

	mp->dir = x->opt->name[2] == 's' ? MINIFW_MP_SRC :
		  x->opt->name[2] == 'd' ? MINIFW_MP_DST : MINIFW_MP_ANY;
	mp->inv = x->inv;
	for (;;) {
		next = strchr(w, ',');
		if (next)
			*next = '\0';
		if (mp->nports == MINIFW_MP_MAX ||
		    slots + (strchr(w, ':') ? 2 : 1) > MINIFW_MP_MAX) {
			ret = minifw_fail(x->err, "too many ports in a multiport list (at most %d, a range counts two)",
					  MINIFW_MP_MAX);
		} else if (!*w) {
			ret = minifw_fail(x->err, "empty port in a multiport list");
		} else {
			slots += strchr(w, ':') ? 2 : 1;
			ret = minifw_parse_ports(x->err, w, x->cmd->m.proto,
						 mp->ports[mp->nports++]);
		}
		if (ret)
			return ret;
		if (!next)
			return 0;
		*next = ',';
		w = next + 1;
	}
}

static int minifw_multiport_check(struct minifw_xcall *x)
{
	const struct minifw_match *m = &x->cmd->m;

	if (!x->seen)
		return minifw_fail(x->err, "-m multiport needs --sports, --dports or --ports");
	/* as libxt_multiport: the protocols with ports (minifw takes -p after too) */
	switch (m->flags & MINIFW_INV_PROTO ? 0 : m->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return 0;
	}
	return minifw_fail(x->err, "-m multiport needs -p tcp, udp, udplite, sctp or dccp");
	return 0;
}

static void minifw_multiport_print(struct minifw_buf *b, const struct minifw_rule *r,
				   const void *data)
{
	const struct minifw_multiport *mp = data;
	unsigned int i;

	if (mp->inv)
		minifw_put(b, "!");
	minifw_put(b, "%s", mp->dir == MINIFW_MP_SRC ? "--sports" :
			    mp->dir == MINIFW_MP_DST ? "--dports" : "--ports");
	for (i = 0; i < mp->nports && b->pos + 1 < b->len; i++) {
		b->s[b->pos++] = i ? ',' : ' ';
		if (mp->ports[i][0] == mp->ports[i][1])
			b->pos += scnprintf(b->s + b->pos, b->len - b->pos, "%u",
					    mp->ports[i][0]);
		else
			b->pos += scnprintf(b->s + b->pos, b->len - b->pos, "%u:%u",
					    mp->ports[i][0], mp->ports[i][1]);
	}
}

/* Packet path. */
static int minifw_multiport_match(const void *data, const struct minifw_pkt *p,
				  struct minifw_counter *c)
{
	const struct minifw_multiport *mp = data;
	bool hit = false;
	unsigned int i;

	/*
	 * as xt_multiport: no ports in a later fragment; only the four bytes
	 * of the ports need to be there
	 */
	if (p->fragoff)
		return MINIFW_NOMATCH;
	if (!p->ports)
		return MINIFW_HOTDROP;
	for (i = 0; i < mp->nports && !hit; i++)
		hit = (mp->dir != MINIFW_MP_DST && minifw_port_in(mp->ports[i], p->sport)) ||
		      (mp->dir != MINIFW_MP_SRC && minifw_port_in(mp->ports[i], p->dport));
	return hit ^ mp->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_multiport = {
	.name		= "multiport",
	.size		= sizeof(struct minifw_multiport),
	/* IPv6: where the ports are is ipv6_find_hdr()'s */
	.reads		= MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO,
	.opts		= minifw_multiport_opts,
	.parse		= minifw_multiport_parse,
	.check		= minifw_multiport_check,
	.print		= minifw_multiport_print,
	.match		= minifw_multiport_match,
};
