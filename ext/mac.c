// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m mac [!] --mac-source XX:XX:XX:XX:XX:XX (libxt_mac, xt_mac):
 * the Ethernet source address of a received packet. Only where packets
 * come in from a link: PREROUTING, INPUT and FORWARD, as xt_mac. A packet
 * that did not come over Ethernet (loopback, a tunnel) has no such address
 * and matches neither the rule nor its negation, as in xt_mac.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

struct minifw_mac {
	u8 addr[6];
	u8 inv;
	u8 pad;
};

static_assert(sizeof(struct minifw_mac) == 8, "struct minifw_mac has padding");

enum { MINIFW_MAC_OPT_SOURCE };

static const struct minifw_opt minifw_mac_opts[] = {
	{ "--mac-source", NULL, NULL, MINIFW_MAC_OPT_SOURCE, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static int minifw_hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* six bytes of one or two hexadecimal digits, separated by colons, as libxtables */
static int minifw_mac_parse(struct minifw_xcall *x)
{
	struct minifw_mac *m = x->data;
	const char *s = x->arg[0];
	unsigned int i;
	int hi, lo;

	for (i = 0; i < 6; i++) {
		hi = minifw_hexdigit(*s);
		if (hi < 0)
			goto bad;
		s++;
		lo = minifw_hexdigit(*s);
		if (lo >= 0)
			s++;
		m->addr[i] = lo >= 0 ? hi << 4 | lo : hi;
		if (*s != (i < 5 ? ':' : '\0'))
			goto bad;
		s++;
	}
	m->inv = x->inv;
	return 0;
bad:
	return minifw_fail(x->err, "--mac-source \"%s\" is not a MAC address (XX:XX:XX:XX:XX:XX)",
			   minifw_xq(x, x->arg[0]));
}

static int minifw_mac_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m mac needs --mac-source");
	return 0;
}

/* as xtables_print_mac(): lower case */
static void minifw_mac_print(struct minifw_buf *b, const struct minifw_rule *r, const void *data)
{
	const struct minifw_mac *m = data;

	if (m->inv)
		minifw_put(b, "!");
	minifw_put(b, "--mac-source %02x:%02x:%02x:%02x:%02x:%02x", m->addr[0], m->addr[1],
		   m->addr[2], m->addr[3], m->addr[4], m->addr[5]);
}

/* Packet path: as xt_mac, no address is no match either way */
static int minifw_mac_match(const void *data, const struct minifw_pkt *p,
			    struct minifw_counter *c)
{
	const struct minifw_mac *m = data;
	u8 src[6];

	if (!minifw_pkt_mac_source(p, src))
		return MINIFW_NOMATCH;
	return !memcmp(src, m->addr, sizeof(src)) ^ m->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_mac = {
	.name		= "mac",
	.size		= sizeof(struct minifw_mac),
	.opts		= minifw_mac_opts,
	.parse		= minifw_mac_parse,
	.check		= minifw_mac_check,
	.hooks		= MINIFW_CHAIN_BIT(MINIFW_PREROUTING) | MINIFW_CHAIN_BIT(MINIFW_INPUT) |
			  MINIFW_CHAIN_BIT(MINIFW_FORWARD),
	.print		= minifw_mac_print,
	.match		= minifw_mac_match,
};
