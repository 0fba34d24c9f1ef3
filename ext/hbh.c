// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m hbh and -m dst (libip6t_hbh, libip6t_dst, ip6t_hbh): the IPv6
 * Hop-by-Hop and Destination Options headers.
 *
 *   [!] --hbh-len N                  the header's length in bytes, as
 *                                    ipv6_optlen() (8 for the smallest)
 *       --hbh-opts T[:L][,T[:L]...]  its first options, in this order: each
 *                                    of type T (0 is Pad1, which has no
 *                                    length) and, if given, of data length L
 *   --dst-len, --dst-opts            the same for -m dst
 *
 * As ip6t_hbh, --hbh-opts is a prefix: the header's first options must be
 * these, more may follow. At most 16 options, the last one without a
 * length (libip6t_hbh's quirk, kept so that what minifw takes iptables
 * takes too). L 255 means any length, so "5:255" lists as "5". A packet
 * without the header matches neither the rule nor a negation; one whose
 * header cannot be read or is longer than the packet is dropped (hotdrop),
 * as ip6t_hbh. The rule is IPv6's.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <net/ipv6.h>
#else
#define NEXTHDR_HOP	0
#define NEXTHDR_DEST	60
#endif

#include "ext.h"

#define MINIFW_OPTS_ANYLEN	0xff	/* an option of any data length */

struct minifw_hbh {
	u32 len;			/* --hbh-len */
	u8 type[MINIFW_IP6OPTS_MAX];	/* --hbh-opts, in order */
	u8 optlen[MINIFW_IP6OPTS_MAX];	/* their data lengths, or ANYLEN */
	u8 nopts;
	u8 flags;			/* MINIFW_HBH_* */
	u8 pad[2];
};

static_assert(sizeof(struct minifw_hbh) == 40, "struct minifw_hbh has padding");

#define MINIFW_HBH_LEN		0x01
#define MINIFW_HBH_INV_LEN	0x02

enum {
	MINIFW_HBH_OPT_LEN,
	MINIFW_HBH_OPT_OPTS,
};

static const struct minifw_opt minifw_hbh_opts[] = {
	{ "--hbh-len", NULL, NULL, MINIFW_HBH_OPT_LEN, 1, MINIFW_OPT_INV, NULL },
	{ "--hbh-opts", NULL, NULL, MINIFW_HBH_OPT_OPTS, 1, 0, NULL },
	{ }
};

static const struct minifw_opt minifw_dst_opts[] = {
	{ "--dst-len", NULL, NULL, MINIFW_HBH_OPT_LEN, 1, MINIFW_OPT_INV, NULL },
	{ "--dst-opts", NULL, NULL, MINIFW_HBH_OPT_OPTS, 1, 0, NULL },
	{ }
};

/* "1:2,23,4:6": types and data lengths, 0-255 each */
static int minifw_hbh_parse_opts(struct minifw_xcall *x, struct minifw_hbh *h)
{
	char *w = x->arg[0], *next, *colon;
	u32 type, len = MINIFW_OPTS_ANYLEN;

	for (;;) {
		next = strchr(w, ',');
		if (next)
			*next = '\0';
		colon = strchr(w, ':');
		if (colon)
			*colon = '\0';
		if (h->nopts == MINIFW_IP6OPTS_MAX)
			return minifw_fail(x->err, "%s: too many options (at most %d)",
					   x->opt->name, MINIFW_IP6OPTS_MAX);
		if (colon && h->nopts == MINIFW_IP6OPTS_MAX - 1)
			return minifw_fail(x->err, "%s: option %d cannot have a length (as in iptables)",
					   x->opt->name, MINIFW_IP6OPTS_MAX);
		if (minifw_parse_uint(x->err, w, 0xff, "an option type (0-255)", &type))
			return -EINVAL;
		if (colon && !type)
			return minifw_fail(x->err, "%s: option 0 (Pad1) has no length",
					   x->opt->name);
		if (colon && minifw_parse_uint(x->err, colon + 1, 0xff, "an option length (0-255)",
					       &len))
			return -EINVAL;
		h->type[h->nopts] = type;
		h->optlen[h->nopts++] = colon ? len : MINIFW_OPTS_ANYLEN;
		if (colon)
			*colon = ':';
		if (!next)
			return 0;
		*next = ',';
		w = next + 1;
	}
}

static int minifw_hbh_parse(struct minifw_xcall *x)
{
	struct minifw_hbh *h = x->data;

	if (x->opt->id == MINIFW_HBH_OPT_LEN) {
		if (minifw_parse_uint(x->err, x->arg[0], 0xffffffff, "a length in bytes", &h->len))
			return -EINVAL;
		h->flags |= MINIFW_HBH_LEN | (x->inv ? MINIFW_HBH_INV_LEN : 0);
	} else if (minifw_hbh_parse_opts(x, h)) {
		return -EINVAL;
	}
	return minifw_set_family(x->rp, MINIFW_FAM_IPV6, x->opt->name);
}

/* -m hbh alone is valid (any Hop-by-Hop Options header) */
static int minifw_hbh_check(struct minifw_xcall *x)
{
	return minifw_set_family(x->rp, MINIFW_FAM_IPV6, "-m hbh");
}

static int minifw_dst_check(struct minifw_xcall *x)
{
	return minifw_set_family(x->rp, MINIFW_FAM_IPV6, "-m dst");
}

/* as libip6t_hbh and libip6t_dst save them */
static void minifw_hbh_put(struct minifw_buf *b, const struct minifw_hbh *h, const char *len,
			   const char *opts)
{
	unsigned int i;

	if (h->flags & MINIFW_HBH_LEN) {
		if (h->flags & MINIFW_HBH_INV_LEN)
			minifw_put(b, "!");
		minifw_put(b, "%s %u", len, h->len);
	}
	if (!h->nopts)
		return;
	minifw_put(b, "%s", opts);
	for (i = 0; i < h->nopts && b->pos + 1 < b->len; i++) {
		b->s[b->pos++] = i ? ',' : ' ';
		b->pos += scnprintf(b->s + b->pos, b->len - b->pos, "%u", h->type[i]);
		if (h->optlen[i] != MINIFW_OPTS_ANYLEN)
			b->pos += scnprintf(b->s + b->pos, b->len - b->pos, ":%u", h->optlen[i]);
	}
}

static void minifw_hbh_print(struct minifw_buf *b, const struct minifw_rule *r, const void *data)
{
	minifw_hbh_put(b, data, "--hbh-len", "--hbh-opts");
}

static void minifw_dst_print(struct minifw_buf *b, const struct minifw_rule *r, const void *data)
{
	minifw_hbh_put(b, data, "--dst-len", "--dst-opts");
}

/* the rule is IPv6's, as -m hbh and -m dst say */
static bool minifw_hbh_lists_family(const struct minifw_rule *r, const void *data)
{
	return true;
}

/*
 * Packet path; the core matched the rule's family (IPv6). The options are
 * a prefix of the header's, each with its type and, unless any, its data
 * length (Pad1 has none).
 */
static int minifw_opts_match(const struct minifw_hbh *h, const struct minifw_pkt *p, u8 nexthdr)
{
	struct minifw_ip6opts o;
	int ret = minifw_pkt_ip6_opts(p, nexthdr, &o);
	unsigned int i;

	if (ret == -ENOENT)
		return MINIFW_NOMATCH;
	if (ret)
		return MINIFW_HOTDROP;
	if (h->flags & MINIFW_HBH_LEN) {
		bool same = o.len == h->len;

		if (same == !!(h->flags & MINIFW_HBH_INV_LEN))
			return MINIFW_NOMATCH;
	}
	if (h->nopts > o.nopts)
		return MINIFW_NOMATCH;
	for (i = 0; i < h->nopts; i++) {
		if (o.type[i] != h->type[i])
			return MINIFW_NOMATCH;
		if (o.type[i] && h->optlen[i] != MINIFW_OPTS_ANYLEN && o.optlen[i] != h->optlen[i])
			return MINIFW_NOMATCH;
	}
	return MINIFW_MATCH;
}

static int minifw_hbh_match(const void *data, const struct minifw_pkt *p, struct minifw_counter *c)
{
	return minifw_opts_match(data, p, NEXTHDR_HOP);
}

static int minifw_dst_match(const void *data, const struct minifw_pkt *p, struct minifw_counter *c)
{
	return minifw_opts_match(data, p, NEXTHDR_DEST);
}

const struct minifw_ext_ops minifw_xt_hbh = {
	.name		= "hbh",
	.size		= sizeof(struct minifw_hbh),
	.opts		= minifw_hbh_opts,
	.parse		= minifw_hbh_parse,
	.check		= minifw_hbh_check,
	.print		= minifw_hbh_print,
	.lists_family	= minifw_hbh_lists_family,
	.match		= minifw_hbh_match,
};

const struct minifw_ext_ops minifw_xt_dst = {
	.name		= "dst",
	.size		= sizeof(struct minifw_hbh),
	.opts		= minifw_dst_opts,
	.parse		= minifw_hbh_parse,
	.check		= minifw_dst_check,
	.print		= minifw_dst_print,
	.lists_family	= minifw_hbh_lists_family,
	.match		= minifw_dst_match,
};
