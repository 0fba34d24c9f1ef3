// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m pkttype [!] --pkt-type unicast|broadcast|multicast|otherhost
 * (libxt_pkttype, xt_pkttype; also its other names host, bcast, mcast, in
 * any case): the link-layer type of the packet, a looped-back one's from
 * its destination address, as xt_pkttype.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

struct minifw_pkttype {
	u8 type;		/* PACKET_HOST ... */
	u8 inv;
};

static_assert(sizeof(struct minifw_pkttype) == 2, "struct minifw_pkttype has padding");

enum { MINIFW_PKTTYPE_OPT };

static const struct minifw_opt minifw_pkttype_opts[] = {
	{ "--pkt-type", NULL, NULL, MINIFW_PKTTYPE_OPT, 1, MINIFW_OPT_INV, NULL },
	{ }
};

/* libxt_pkttype's names; the first of a type is the one listed */
static const struct {
	const char *name;
	u8 type;
} minifw_pkttypes[] = {
	{ "unicast", PACKET_HOST },
	{ "broadcast", PACKET_BROADCAST },
	{ "multicast", PACKET_MULTICAST },
	{ "otherhost", PACKET_OTHERHOST },
	{ "bcast", PACKET_BROADCAST },
	{ "mcast", PACKET_MULTICAST },
	{ "host", PACKET_HOST },
};

static int minifw_pkttype_parse(struct minifw_xcall *x)
{
	struct minifw_pkttype *pt = x->data;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(minifw_pkttypes); k++) {
		if (!strcasecmp(x->arg[0], minifw_pkttypes[k].name)) {
			pt->type = minifw_pkttypes[k].type;
			pt->inv = x->inv;
			return 0;
		}
	}
	return minifw_fail(x->err, "--pkt-type \"%s\": unicast, broadcast, multicast or otherhost",
			   minifw_xq(x, x->arg[0]));
}

static int minifw_pkttype_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m pkttype needs --pkt-type");
	return 0;
}

static void minifw_pkttype_print(struct minifw_buf *b, const struct minifw_rule *r,
				 const void *data)
{
	const struct minifw_pkttype *pt = data;
	size_t k;

	if (pt->inv)
		minifw_put(b, "!");
	for (k = 0; k < ARRAY_SIZE(minifw_pkttypes); k++) {
		if (minifw_pkttypes[k].type == pt->type) {
			minifw_put(b, "--pkt-type %s", minifw_pkttypes[k].name);
			return;
		}
	}
	minifw_put(b, "--pkt-type %u", pt->type);	/* cannot be: parsed from the table */
}

static int minifw_pkttype_match(const void *data, const struct minifw_pkt *p,
				struct minifw_counter *c)
{
	const struct minifw_pkttype *pt = data;

	return (minifw_pkt_type(p) == pt->type) ^ pt->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_pkttype = {
	.name		= "pkttype",
	.size		= sizeof(struct minifw_pkttype),
	.opts		= minifw_pkttype_opts,
	.parse		= minifw_pkttype_parse,
	.check		= minifw_pkttype_check,
	.print		= minifw_pkttype_print,
	.match		= minifw_pkttype_match,
};
