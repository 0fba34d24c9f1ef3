// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m esp [!] --espspi N[:M] (libxt_esp, xt_esp): the Security
 * Parameters Index of an IPsec ESP packet is in the range, IPv4 and IPv6
 * alike; after -p esp. A later fragment does not match; a packet too
 * short for the SPI is dropped, as xt_esp drops it. "--espspi :", every
 * SPI, is not listed unless negated, as libxt_esp saves it.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/in.h>
#endif

#include "ext.h"

struct minifw_esp {
	u32 spi[2];		/* inclusive */
	u8 inv;
	u8 pad[3];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_esp) == 12, "struct minifw_esp has padding");

static const struct minifw_opt minifw_esp_opts[] = {
	{ "--espspi", NULL, NULL, 0, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static int minifw_esp_parse(struct minifw_xcall *x)
{
	struct minifw_esp *e = x->data;

	e->inv = x->inv;
	return minifw_x_parse_u32_range(x, "an SPI (0-4294967295)", U32_MAX, e->spi);
}

/* -m esp alone: any SPI */
static int minifw_esp_check(struct minifw_xcall *x)
{
	struct minifw_esp *e = x->data;

	if (!x->seen)
		e->spi[1] = U32_MAX;
	return 0;
}

/* as xt_esp's .proto */
static int minifw_esp_checkentry(struct minifw_xcall *x)
{
	const struct minifw_match *m = &x->cmd->m;

	if (m->proto != IPPROTO_ESP || (m->flags & MINIFW_INV_PROTO))
		return minifw_fail(x->err, "-m esp needs -p esp (not negated)");
	return 0;
}

static void minifw_esp_print(struct minifw_buf *b, const struct minifw_rule *r, const void *data)
{
	const struct minifw_esp *e = data;

	minifw_x_put_u32_range(b, "--espspi", e->spi, U32_MAX, e->inv);
}

/* Packet path: as xt_esp's esp_mt(). */
static int minifw_esp_match(const void *data, const struct minifw_pkt *p, struct minifw_counter *c)
{
	const struct minifw_esp *e = data;
	__be32 h[2];		/* struct ip_esp_hdr: the SPI, the sequence number */
	u32 v;

	if (p->fragoff)
		return MINIFW_NOMATCH;
	if (minifw_pkt_l4_bytes(p, h, sizeof(h)))
		return MINIFW_HOTDROP;
	v = ntohl(h[0]);
	return (v >= e->spi[0] && v <= e->spi[1]) ^ e->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_esp = {
	.name		= "esp",
	.size		= sizeof(struct minifw_esp),
	.reads		= MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO,
	.opts		= minifw_esp_opts,
	.parse		= minifw_esp_parse,
	.check		= minifw_esp_check,
	.checkentry	= minifw_esp_checkentry,
	.print		= minifw_esp_print,
	.match		= minifw_esp_match,
};
