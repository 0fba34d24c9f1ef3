// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m ipv6header [!] --header HEADER[,HEADER...] [--soft]
 * (libip6t_ipv6header, ip6t_ipv6header): which IPv6 extension headers a
 * packet has. The headers: hop-by-hop, dst, route, frag, auth, esp, none
 * and protocol (an upper-layer header after them), by libip6t_ipv6header's
 * names, /etc/protocols' (hopopt, ipv6-opts, ipv6-route, ipv6-frag, ah,
 * esp, ipv6-nonxt) or their numbers (0, 60, 43, 44, 51, 50, 59, 255).
 * Without --soft the packet has exactly those; with it, at least those.
 * Listed in ip6tables-save's order and names. The rule is IPv6's.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

struct minifw_ipv6header {
	u8 headers;		/* MINIFW_IP6H_* */
	u8 inv;
	u8 soft;
	u8 pad;			/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_ipv6header) == 4, "struct minifw_ipv6header has padding");

enum { MINIFW_IP6H_OPT_HEADER, MINIFW_IP6H_OPT_SOFT };

static const struct minifw_opt minifw_ipv6header_opts[] = {
	{ "--header", NULL, NULL, MINIFW_IP6H_OPT_HEADER, 1, MINIFW_OPT_INV, NULL },
	{ "--soft", NULL, NULL, MINIFW_IP6H_OPT_SOFT, 0, 0, NULL },
	{ }
};

/* each header's bit, in ip6tables-save's order, with the name it prints */
static const struct {
	u8 bit;
	const char *name;
} minifw_ip6h_order[] = {
	{ MINIFW_IP6H_HOP, "hop-by-hop" }, { MINIFW_IP6H_DST, "ipv6-opts" },
	{ MINIFW_IP6H_ROUTE, "ipv6-route" }, { MINIFW_IP6H_FRAG, "ipv6-frag" },
	{ MINIFW_IP6H_AUTH, "ah" }, { MINIFW_IP6H_ESP, "esp" },
	{ MINIFW_IP6H_NONE, "ipv6-nonxt" }, { MINIFW_IP6H_PROTO, "protocol" },
};

/* the names it reads: /etc/protocols' (and their aliases), libip6t_ipv6header's */
static const struct {
	const char *name;
	u8 bit;
} minifw_ip6h_names[] = {
	{ "hopopt", MINIFW_IP6H_HOP }, { "HOPOPT", MINIFW_IP6H_HOP },
	{ "hop-by-hop", MINIFW_IP6H_HOP }, { "hop", MINIFW_IP6H_HOP }, { "0", MINIFW_IP6H_HOP },
	{ "ipv6-opts", MINIFW_IP6H_DST }, { "IPv6-Opts", MINIFW_IP6H_DST },
	{ "dst", MINIFW_IP6H_DST }, { "60", MINIFW_IP6H_DST },
	{ "ipv6-route", MINIFW_IP6H_ROUTE }, { "IPv6-Route", MINIFW_IP6H_ROUTE },
	{ "route", MINIFW_IP6H_ROUTE }, { "43", MINIFW_IP6H_ROUTE },
	{ "ipv6-frag", MINIFW_IP6H_FRAG }, { "IPv6-Frag", MINIFW_IP6H_FRAG },
	{ "frag", MINIFW_IP6H_FRAG }, { "44", MINIFW_IP6H_FRAG },
	{ "ah", MINIFW_IP6H_AUTH }, { "IPSEC-AH", MINIFW_IP6H_AUTH },
	{ "auth", MINIFW_IP6H_AUTH }, { "51", MINIFW_IP6H_AUTH },
	{ "esp", MINIFW_IP6H_ESP }, { "IPSEC-ESP", MINIFW_IP6H_ESP }, { "50", MINIFW_IP6H_ESP },
	{ "ipv6-nonxt", MINIFW_IP6H_NONE }, { "IPv6-NoNxt", MINIFW_IP6H_NONE },
	{ "none", MINIFW_IP6H_NONE }, { "59", MINIFW_IP6H_NONE },
	{ "protocol", MINIFW_IP6H_PROTO }, { "prot", MINIFW_IP6H_PROTO },
	{ "255", MINIFW_IP6H_PROTO },
};

static int minifw_ipv6header_parse(struct minifw_xcall *x)
{
	struct minifw_ipv6header *h = x->data;
	const char *s = x->arg[0], *end;
	size_t i, len;

	if (x->opt->id == MINIFW_IP6H_OPT_SOFT) {
		h->soft = 1;
		return 0;
	}
	h->inv = x->inv;
	for (;;) {
		end = strchr(s, ',');
		len = end ? (size_t)(end - s) : strlen(s);
		for (i = 0; i < ARRAY_SIZE(minifw_ip6h_names); i++)
			if (strlen(minifw_ip6h_names[i].name) == len &&
			    !strncmp(minifw_ip6h_names[i].name, s, len))
				break;
		if (i == ARRAY_SIZE(minifw_ip6h_names))
			return minifw_fail(x->err, "\"%s\" is not a list of IPv6 headers (hop, dst, route, frag, auth, esp, none, prot, or their numbers)",
					   minifw_xq(x, x->arg[0]));
		h->headers |= minifw_ip6h_names[i].bit;
		if (!end)
			return 0;
		s = end + 1;
	}
}

static int minifw_ipv6header_check(struct minifw_xcall *x)
{
	if (!(x->seen & BIT(MINIFW_IP6H_OPT_HEADER)))
		return minifw_fail(x->err, "-m ipv6header needs --header");
	return minifw_set_family(x->rp, MINIFW_FAM_IPV6, "-m ipv6header");
}

static void minifw_ipv6header_print(struct minifw_buf *b, const struct minifw_rule *r,
				    const void *data)
{
	const struct minifw_ipv6header *h = data;
	char list[96] = "";
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(minifw_ip6h_order); i++)
		if (h->headers & minifw_ip6h_order[i].bit)
			n += scnprintf(list + n, sizeof(list) - n, "%s%s", n ? "," : "",
				       minifw_ip6h_order[i].name);
	if (h->inv)
		minifw_put(b, "!");
	minifw_put(b, "--header %s", list);
	if (h->soft)
		minifw_put(b, "--soft");
}

/* the rule is IPv6's, as -m ipv6header says */
static bool minifw_ipv6header_lists_family(const struct minifw_rule *r, const void *data)
{
	return true;
}

/* Packet path: as ip6t_ipv6header's ipv6header_mt6(). */
static int minifw_ipv6header_match(const void *data, const struct minifw_pkt *p,
				   struct minifw_counter *c)
{
	const struct minifw_ipv6header *h = data;
	int seen = minifw_pkt_ip6_headers(p);

	if (seen == -EBADMSG)
		return MINIFW_HOTDROP;
	if (seen < 0)
		return MINIFW_NOMATCH;
	if (h->soft)
		return ((seen ^ h->headers ^ (h->inv ? 0xff : 0)) & h->headers) ?
		       MINIFW_NOMATCH : MINIFW_MATCH;
	return (seen == h->headers) ^ h->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_ipv6header = {
	.name		= "ipv6header",
	.size		= sizeof(struct minifw_ipv6header),
	.opts		= minifw_ipv6header_opts,
	.parse		= minifw_ipv6header_parse,
	.check		= minifw_ipv6header_check,
	.print		= minifw_ipv6header_print,
	.lists_family	= minifw_ipv6header_lists_family,
	.match		= minifw_ipv6header_match,
};
