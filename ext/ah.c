// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m ah, the IPsec Authentication Header, as iptables' two:
 *   IPv4 (libipt_ah, ipt_ah): after -p ah, [!] --ahspi N[:M], the SPI is
 *     in the range; a later fragment does not match.
 *   IPv6 (libip6t_ah, ip6t_ah): the AH extension header wherever it is
 *     among the headers (no -p: ip6tables' -p names the header after them),
 *     [!] --ahspi N[:M], [!] --ahlen N (its length in bytes, as
 *     ipv6_authlen()), --ahres (its reserved field is zero); a packet
 *     without one matches neither the rule nor a negation.
 * A rule with -p ah and only --ahspi is for both families (an IPv6 packet
 * never has -p ah, as in ip6tables); one without -p ah, or with --ahlen or
 * --ahres, is IPv6's. A header too short to read drops the packet, as
 * both modules drop it. "--ahspi :", every SPI, is listed only negated.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/in.h>
#include <net/ipv6.h>
#else
#define NEXTHDR_AUTH	51
#endif

#include "ext.h"

struct minifw_ah {
	u32 spi[2];		/* inclusive */
	u32 len;		/* --ahlen, bytes; 0: not tested unless negated */
	u8 flags;		/* MINIFW_AH_* */
	u8 pad[3];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_ah) == 16, "struct minifw_ah has padding");

#define MINIFW_AH_INV_SPI	0x01
#define MINIFW_AH_LEN		0x02
#define MINIFW_AH_INV_LEN	0x04
#define MINIFW_AH_RES		0x08

enum { MINIFW_AH_OPT_SPI, MINIFW_AH_OPT_LEN, MINIFW_AH_OPT_RES };

static const struct minifw_opt minifw_ah_opts[] = {
	{ "--ahspi", NULL, NULL, MINIFW_AH_OPT_SPI, 1, MINIFW_OPT_INV, NULL },
	{ "--ahlen", NULL, NULL, MINIFW_AH_OPT_LEN, 1, MINIFW_OPT_INV, NULL },
	{ "--ahres", NULL, NULL, MINIFW_AH_OPT_RES, 0, 0, NULL },
	{ }
};

static int minifw_ah_parse(struct minifw_xcall *x)
{
	struct minifw_ah *a = x->data;

	switch (x->opt->id) {
	case MINIFW_AH_OPT_SPI:
		a->flags |= x->inv ? MINIFW_AH_INV_SPI : 0;
		return minifw_x_parse_u32_range(x, "an SPI (0-4294967295)", U32_MAX, a->spi);
	case MINIFW_AH_OPT_LEN:
		a->flags |= MINIFW_AH_LEN | (x->inv ? MINIFW_AH_INV_LEN : 0);
		return minifw_parse_uint(x->err, x->arg[0], U32_MAX, "a length in bytes", &a->len);
	default:
		a->flags |= MINIFW_AH_RES;
		return 0;
	}
}

/* IPv4's -m ah: after -p ah, with only --ahspi */
static bool minifw_ah_any_family(const struct minifw_match *m, const struct minifw_ah *a)
{
	return m->proto == IPPROTO_AH && !(m->flags & MINIFW_INV_PROTO) &&
	       !(a->flags & (MINIFW_AH_LEN | MINIFW_AH_RES));
}

static int minifw_ah_check(struct minifw_xcall *x)
{
	struct minifw_ah *a = x->data;
	const struct minifw_match *m = &x->cmd->m;

	if (!(x->seen & BIT(MINIFW_AH_OPT_SPI)))
		a->spi[1] = U32_MAX;
	/* as libip6t_ah: --ahlen 0 is not tested, and not listed */
	if (a->len == 0 && !(a->flags & MINIFW_AH_INV_LEN))
		a->flags &= ~MINIFW_AH_LEN;
	if (minifw_ah_any_family(m, a))
		return 0;
	if (m->family == MINIFW_FAM_IPV4)
		return minifw_fail(x->err, "-m ah in an IPv4 rule needs -p ah and has only --ahspi");
	return minifw_set_family(x->rp, MINIFW_FAM_IPV6, "-m ah");
}

static void minifw_ah_print(struct minifw_buf *b, const struct minifw_rule *r, const void *data)
{
	const struct minifw_ah *a = data;

	minifw_x_put_u32_range(b, "--ahspi", a->spi, U32_MAX, a->flags & MINIFW_AH_INV_SPI);
	if (a->flags & MINIFW_AH_LEN) {
		if (a->flags & MINIFW_AH_INV_LEN)
			minifw_put(b, "!");
		minifw_put(b, "--ahlen %u", a->len);
	}
	if (a->flags & MINIFW_AH_RES)
		minifw_put(b, "--ahres");
}

/* without -p ah, or with --ahlen or --ahres, the listing says IPv6 */
static bool minifw_ah_lists_family(const struct minifw_rule *r, const void *data)
{
	return !minifw_ah_any_family(&r->m, data);
}

static bool minifw_ah_spi(const struct minifw_ah *a, const u8 *spi)
{
	u32 v = ((u32)spi[0] << 24) | (spi[1] << 16) | (spi[2] << 8) | spi[3];

	return (v >= a->spi[0] && v <= a->spi[1]) ^ !!(a->flags & MINIFW_AH_INV_SPI);
}

/* Packet path: as ipt_ah's ah_mt() for IPv4, ip6t_ah's ah_mt6() for IPv6. */
static int minifw_ah_match(const void *data, const struct minifw_pkt *p, struct minifw_counter *c)
{
	const struct minifw_ah *a = data;
	u8 h[8];		/* struct ip_auth_hdr: next, length, reserved, SPI */
	u32 len;
	int ret;

	if (p->family == MINIFW_FAM_IPV4) {
		if (p->fragoff)
			return MINIFW_NOMATCH;
		if (minifw_pkt_l4_bytes(p, h, sizeof(h)))
			return MINIFW_HOTDROP;
		return minifw_ah_spi(a, h + 4) ? MINIFW_MATCH : MINIFW_NOMATCH;
	}
	ret = minifw_pkt_ip6_exthdr(p, NEXTHDR_AUTH, h, sizeof(h));
	if (ret == -ENOENT)
		return MINIFW_NOMATCH;
	if (ret)
		return MINIFW_HOTDROP;
	len = ((u32)h[1] + 2) << 2;	/* ipv6_authlen() */
	if (!minifw_ah_spi(a, h + 4))
		return MINIFW_NOMATCH;
	/* as ip6t_ah: the length is tested if given, and "!" inverts that test */
	if (a->flags & MINIFW_AH_LEN) {
		bool same = a->len == len;

		if (same == !!(a->flags & MINIFW_AH_INV_LEN))
			return MINIFW_NOMATCH;
	}
	if ((a->flags & MINIFW_AH_RES) && (h[2] || h[3]))
		return MINIFW_NOMATCH;
	return MINIFW_MATCH;
}

const struct minifw_ext_ops minifw_xt_ah = {
	.name		= "ah",
	.size		= sizeof(struct minifw_ah),
	.reads		= MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO,
	.opts		= minifw_ah_opts,
	.parse		= minifw_ah_parse,
	.check		= minifw_ah_check,
	.print		= minifw_ah_print,
	.lists_family	= minifw_ah_lists_family,
	.match		= minifw_ah_match,
};
