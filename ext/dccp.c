// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m dccp [!] --sport P[:P] [!] --dport P[:P] [!] --dccp-types
 * TYPE[,...] [!] --dccp-option N (libxt_dccp, xt_dccp): the ports of a DCCP
 * packet, its type (REQUEST, RESPONSE, DATA, ACK, DATAACK, CLOSEREQ,
 * CLOSE, RESET, SYNC, SYNCACK, INVALID: the types 10 to 15) and an option
 * it carries, after -p dccp.
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

#define MINIFW_DCCP_SRC		0x01	/* XT_DCCP_SRC_PORTS */
#define MINIFW_DCCP_DST		0x02	/* XT_DCCP_DEST_PORTS */
#define MINIFW_DCCP_TYPE	0x04	/* XT_DCCP_TYPE */
#define MINIFW_DCCP_OPTION	0x08	/* XT_DCCP_OPTION */
#define MINIFW_DCCP_INVALID	10	/* DCCP_PKT_INVALID */

/* A rule's -m dccp: xt_dccp_info. */
struct minifw_dccp {
	u16 spts[2], dpts[2];
	u16 typemask;			/* a bit per type */
	u8 option;
	u8 flags, invflags;		/* MINIFW_DCCP_* */
	u8 pad;				/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_dccp) == 14, "struct minifw_dccp has padding");

enum { MINIFW_DCCP_OPT_SPORT, MINIFW_DCCP_OPT_DPORT, MINIFW_DCCP_OPT_TYPES,
	MINIFW_DCCP_OPT_OPTION };

static const struct minifw_opt minifw_dccp_opts[] = {
	{ "--sport", "--source-port", NULL, MINIFW_DCCP_OPT_SPORT, 1, MINIFW_OPT_INV, NULL },
	{ "--dport", "--destination-port", NULL, MINIFW_DCCP_OPT_DPORT, 1, MINIFW_OPT_INV, NULL },
	{ "--dccp-types", NULL, NULL, MINIFW_DCCP_OPT_TYPES, 1, MINIFW_OPT_INV, NULL },
	{ "--dccp-option", NULL, NULL, MINIFW_DCCP_OPT_OPTION, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static const char *const minifw_dccp_types[] = {
	"REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ", "CLOSE", "RESET",
	"SYNC", "SYNCACK", "INVALID",
};

/* libxt_dccp's parse_dccp_types(): INVALID is the types 10 to 15 */
static int minifw_dccp_types_parse(struct minifw_xcall *x, const char *s, u16 *mask)
{
	const char *end;
	size_t len, i;

	*mask = 0;
	for (; *s; s = *end ? end + 1 : end) {
		end = s + strcspn(s, ",");
		len = end - s;
		if (!len)
			continue;
		for (i = 0; i < ARRAY_SIZE(minifw_dccp_types); i++)
			if (strlen(minifw_dccp_types[i]) == len &&
			    !strncasecmp(minifw_dccp_types[i], s, len))
				break;
		if (i == ARRAY_SIZE(minifw_dccp_types))
			return minifw_fail(x->err, "--dccp-types \"%s\": not a DCCP packet type (REQUEST, RESPONSE, DATA, ACK, DATAACK, CLOSEREQ, CLOSE, RESET, SYNC, SYNCACK, INVALID)",
					   minifw_xq(x, x->arg[0]));
		*mask |= 1U << i;
	}
	if (*mask & (1U << MINIFW_DCCP_INVALID))
		*mask |= 0xf800;
	return 0;
}

static int minifw_dccp_parse(struct minifw_xcall *x)
{
	struct minifw_dccp *d = x->data;
	u8 bit = 1U << x->opt->id;	/* MINIFW_DCCP_SRC ... by option */
	u32 v;

	d->flags |= bit;
	if (x->inv)
		d->invflags |= bit;
	switch (x->opt->id) {
	case MINIFW_DCCP_OPT_SPORT:
		return minifw_parse_ports(x->err, x->arg[0], IPPROTO_DCCP, d->spts);
	case MINIFW_DCCP_OPT_DPORT:
		return minifw_parse_ports(x->err, x->arg[0], IPPROTO_DCCP, d->dpts);
	case MINIFW_DCCP_OPT_TYPES:
		return minifw_dccp_types_parse(x, x->arg[0], &d->typemask);
	default:
		if (minifw_parse_uint(x->err, x->arg[0], 255, "an option number (1-255)", &v))
			return -EINVAL;
		/* as libxt_dccp: option 0 (padding) is not taken */
		if (!v)
			return minifw_fail(x->err, "--dccp-option 0: an option number is 1-255");
		d->option = v;
		return 0;
	}
}

/* As libxt_dccp's dccp_save(). */
static void minifw_dccp_print(struct minifw_buf *b, const struct minifw_rule *rule,
			      const void *data)
{
	const struct minifw_dccp *d = data;
	char list[96];
	size_t pos = 0;
	unsigned int t;

	if (d->flags & MINIFW_DCCP_SRC)
		minifw_put_ports(b, "--sport", d->invflags & MINIFW_DCCP_SRC, d->spts);
	if (d->flags & MINIFW_DCCP_DST)
		minifw_put_ports(b, "--dport", d->invflags & MINIFW_DCCP_DST, d->dpts);
	if (d->flags & MINIFW_DCCP_TYPE) {
		list[0] = '\0';
		/* the types in order, INVALID the last (for 10 to 15) */
		for (t = 0; t <= MINIFW_DCCP_INVALID; t++)
			if (d->typemask & (1U << t))
				pos += scnprintf(list + pos, sizeof(list) - pos, "%s%s",
						 pos ? "," : "", minifw_dccp_types[t]);
		if (d->invflags & MINIFW_DCCP_TYPE)
			minifw_put(b, "!");
		minifw_put(b, "--dccp-types %s", list);
	}
	if (d->flags & MINIFW_DCCP_OPTION) {
		if (d->invflags & MINIFW_DCCP_OPTION)
			minifw_put(b, "!");
		minifw_put(b, "--dccp-option %u", d->option);
	}
}

/* The header's length before its options: dccp.h's __dccp_hdr_len(). */
static u32 minifw_dccp_hdr_len(u8 type, bool x)
{
	/* dccp_packet_hdr_len(): REQUEST, RESPONSE, DATA, the acks; the rest as RESET */
	static const u8 len[16] = { 4, 12, 0, 8, 8, 8, 8, 12, 8, 8, 12, 12, 12, 12, 12, 12 };

	return 12 + (x ? 4 : 0) + len[type];
}

/* xt_dccp's dccp_find_option(): MINIFW_MATCH if the packet has it */
static int minifw_dccp_option(const struct minifw_pkt *p, u8 option, const u8 *h)
{
	u32 hlen = minifw_dccp_hdr_len((h[8] >> 1) & 0xf, h[8] & 1), optlen, i;
	u8 op[2];

	if (h[4] * 4U < hlen)
		return MINIFW_HOTDROP;
	optlen = h[4] * 4U - hlen;
	if (!optlen)
		return MINIFW_NOMATCH;
	/* the whole option area, or the packet is dropped */
	if (p->thoff + hlen + optlen > p->len)
		return MINIFW_HOTDROP;
	for (i = 0; i < optlen; ) {
		if (minifw_pkt_l4_at(p, hlen + i, op, i == optlen - 1 ? 1 : 2))
			return MINIFW_HOTDROP;
		if (op[0] == option)
			return MINIFW_MATCH;
		if (op[0] < 2 || i == optlen - 1)
			i++;
		else
			i += op[1] ?: 1;
	}
	return MINIFW_NOMATCH;
}

/* Packet path, RCU read side, bottom halves disabled: xt_dccp's dccp_mt(). */
static int minifw_dccp_match(const void *data, const struct minifw_pkt *p,
			     struct minifw_counter *c)
{
	const struct minifw_dccp *d = data;
	int m;
	u8 h[12];			/* struct dccp_hdr */

	if (p->fragoff)
		return MINIFW_NOMATCH;
	if (minifw_pkt_l4_at(p, 0, h, sizeof(h)))
		return MINIFW_HOTDROP;
	if ((d->flags & MINIFW_DCCP_SRC) &&
	    minifw_port_in(d->spts, p->sport) == !!(d->invflags & MINIFW_DCCP_SRC))
		return MINIFW_NOMATCH;
	if ((d->flags & MINIFW_DCCP_DST) &&
	    minifw_port_in(d->dpts, p->dport) == !!(d->invflags & MINIFW_DCCP_DST))
		return MINIFW_NOMATCH;
	if ((d->flags & MINIFW_DCCP_TYPE) &&
	    !!(d->typemask & (1U << ((h[8] >> 1) & 0xf))) == !!(d->invflags & MINIFW_DCCP_TYPE))
		return MINIFW_NOMATCH;
	if (!(d->flags & MINIFW_DCCP_OPTION))
		return MINIFW_MATCH;
	m = minifw_dccp_option(p, d->option, h);
	if (m == MINIFW_HOTDROP)
		return m;
	return (m == MINIFW_MATCH) != !!(d->invflags & MINIFW_DCCP_OPTION) ?
	       MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_dccp = {
	.name		= "dccp",
	.proto		= IPPROTO_DCCP,
	.size		= sizeof(struct minifw_dccp),
	.reads		= MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO,
	.opts		= minifw_dccp_opts,
	.parse		= minifw_dccp_parse,
	.print		= minifw_dccp_print,
	.match		= minifw_dccp_match,
};
