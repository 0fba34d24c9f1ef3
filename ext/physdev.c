// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m physdev [!] --physdev-in NAME [!] --physdev-out NAME
 * [!] --physdev-is-in [!] --physdev-is-out [!] --physdev-is-bridged
 * (libxt_physdev, xt_physdev): the bridge ports a bridged packet came in
 * and goes out of, as br_netfilter gives them to the IP hooks. "Drop
 * what VMs on vnet0 send to the LAN":
 *
 *   -A FORWARD -m physdev --physdev-in vnet0 --physdev-is-bridged -j DROP
 *
 * The first rule loads br_netfilter, as xt_physdev's checkentry does; a
 * bridge then sends its IP packets through the IP hooks while
 * net.bridge.bridge-nf-call-iptables (ip6tables) is 1.
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/kmod.h>
#include <linux/string.h>
#endif

#include "ext.h"

#define MINIFW_PHYSDEV_IN	0x01	/* XT_PHYSDEV_OP_IN */
#define MINIFW_PHYSDEV_OUT	0x02	/* XT_PHYSDEV_OP_OUT */
#define MINIFW_PHYSDEV_BRIDGED	0x04	/* XT_PHYSDEV_OP_BRIDGED */
#define MINIFW_PHYSDEV_ISIN	0x08	/* XT_PHYSDEV_OP_ISIN */
#define MINIFW_PHYSDEV_ISOUT	0x10	/* XT_PHYSDEV_OP_ISOUT */

/* A rule's -m physdev: xt_physdev_info. */
struct minifw_physdev {
	char in[IFNAMSIZ], out[IFNAMSIZ];	/* as written, NUL-padded */
	u8 inlen, outlen;			/* bytes compared (minifw_parse_ifname()) */
	u8 bitmask, invert;			/* MINIFW_PHYSDEV_* */
};

static_assert(sizeof(struct minifw_physdev) == 2 * IFNAMSIZ + 4,
	      "struct minifw_physdev has padding");

enum {
	MINIFW_PHYSDEV_OPT_IN, MINIFW_PHYSDEV_OPT_OUT, MINIFW_PHYSDEV_OPT_BRIDGED,
	MINIFW_PHYSDEV_OPT_ISIN, MINIFW_PHYSDEV_OPT_ISOUT,
};

/* each option's id is the bit of its MINIFW_PHYSDEV_* */
static const struct minifw_opt minifw_physdev_opts[] = {
	{ "--physdev-in", NULL, NULL, MINIFW_PHYSDEV_OPT_IN, 1, MINIFW_OPT_INV, NULL },
	{ "--physdev-out", NULL, NULL, MINIFW_PHYSDEV_OPT_OUT, 1, MINIFW_OPT_INV, NULL },
	{ "--physdev-is-bridged", NULL, NULL, MINIFW_PHYSDEV_OPT_BRIDGED, 0, MINIFW_OPT_INV, NULL },
	{ "--physdev-is-in", NULL, NULL, MINIFW_PHYSDEV_OPT_ISIN, 0, MINIFW_OPT_INV, NULL },
	{ "--physdev-is-out", NULL, NULL, MINIFW_PHYSDEV_OPT_ISOUT, 0, MINIFW_OPT_INV, NULL },
	{ }
};

static int minifw_physdev_parse(struct minifw_xcall *x)
{
	struct minifw_physdev *pd = x->data;
	u8 bit = 1U << x->opt->id;

	pd->bitmask |= bit;
	if (x->inv)
		pd->invert |= bit;
	if (x->opt->id == MINIFW_PHYSDEV_OPT_IN)
		return minifw_parse_ifname(x->err, x->arg[0], pd->in, &pd->inlen);
	if (x->opt->id == MINIFW_PHYSDEV_OPT_OUT)
		return minifw_parse_ifname(x->err, x->arg[0], pd->out, &pd->outlen);
	return 0;
}

static int minifw_physdev_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m physdev needs one of --physdev-in, --physdev-out, --physdev-is-in, --physdev-is-out and --physdev-is-bridged");
	return 0;
}

/*
 * As xt_physdev's checkentry: the output port is known in FORWARD and
 * POSTROUTING only, for a packet known to be bridged.
 */
static u8 minifw_physdev_hooks(const void *data, const char **why)
{
	const struct minifw_physdev *pd = data;

	if ((pd->bitmask & (MINIFW_PHYSDEV_OUT | MINIFW_PHYSDEV_ISOUT)) &&
	    (!(pd->bitmask & MINIFW_PHYSDEV_BRIDGED) || (pd->invert & MINIFW_PHYSDEV_BRIDGED))) {
		*why = "--physdev-out and --physdev-is-out need --physdev-is-bridged there";
		return MINIFW_ALL_BUILTIN & ~MINIFW_CHAIN_BIT(MINIFW_OUTPUT);
	}
	return 0;
}

/* As libxt_physdev's physdev_save(). */
static void minifw_physdev_print(struct minifw_buf *b, const struct minifw_rule *rule,
				 const void *data)
{
	const struct minifw_physdev *pd = data;

	if (pd->bitmask & MINIFW_PHYSDEV_ISIN)
		minifw_put(b, "%s--physdev-is-in", pd->invert & MINIFW_PHYSDEV_ISIN ? "! " : "");
	if (pd->bitmask & MINIFW_PHYSDEV_IN)
		minifw_put(b, "%s--physdev-in %s", pd->invert & MINIFW_PHYSDEV_IN ? "! " : "",
			   pd->in);
	if (pd->bitmask & MINIFW_PHYSDEV_ISOUT)
		minifw_put(b, "%s--physdev-is-out", pd->invert & MINIFW_PHYSDEV_ISOUT ? "! " : "");
	if (pd->bitmask & MINIFW_PHYSDEV_OUT)
		minifw_put(b, "%s--physdev-out %s", pd->invert & MINIFW_PHYSDEV_OUT ? "! " : "",
			   pd->out);
	if (pd->bitmask & MINIFW_PHYSDEV_BRIDGED)
		minifw_put(b, "%s--physdev-is-bridged",
			   pd->invert & MINIFW_PHYSDEV_BRIDGED ? "! " : "");
}

/* xt_physdev's checkentry loads br_netfilter, once. */
static int minifw_physdev_acquire(void *data, struct minifw_err *err)
{
#ifdef __KERNEL__
	static bool probed;

	if (!READ_ONCE(probed)) {
		WRITE_ONCE(probed, true);
		request_module("br_netfilter");
	}
#endif
	return 0;
}

/* Packet path, RCU read side, bottom halves disabled: xt_physdev's physdev_mt(). */
static int minifw_physdev_match(const void *data, const struct minifw_pkt *p,
				struct minifw_counter *c)
{
	const struct minifw_physdev *pd = data;
	u8 want = pd->bitmask & ~pd->invert;	/* the options that ask for a port */
	char in[IFNAMSIZ], out[IFNAMSIZ];
	bool has_in, has_out;

	/* not bridged (or not known yet): only what asks for no port matches */
	if (!minifw_pkt_physdev(p, in, out))
		return want ? MINIFW_NOMATCH : MINIFW_MATCH;
	has_in = in[0];
	has_out = out[0];
	if ((pd->bitmask & MINIFW_PHYSDEV_BRIDGED) &&
	    has_out == !!(pd->invert & MINIFW_PHYSDEV_BRIDGED))
		return MINIFW_NOMATCH;
	if ((pd->bitmask & MINIFW_PHYSDEV_ISIN) && has_in == !!(pd->invert & MINIFW_PHYSDEV_ISIN))
		return MINIFW_NOMATCH;
	if ((pd->bitmask & MINIFW_PHYSDEV_ISOUT) &&
	    has_out == !!(pd->invert & MINIFW_PHYSDEV_ISOUT))
		return MINIFW_NOMATCH;
	/* as xt_physdev: without an input port, --physdev-in says nothing */
	if ((pd->bitmask & MINIFW_PHYSDEV_IN) && has_in &&
	    !memcmp(in, pd->in, pd->inlen) == !!(pd->invert & MINIFW_PHYSDEV_IN))
		return MINIFW_NOMATCH;
	if (!(pd->bitmask & MINIFW_PHYSDEV_OUT))
		return MINIFW_MATCH;
	if (!has_out)
		return MINIFW_NOMATCH;
	return !memcmp(out, pd->out, pd->outlen) != !!(pd->invert & MINIFW_PHYSDEV_OUT) ?
	       MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_physdev = {
	.name		= "physdev",
	.size		= sizeof(struct minifw_physdev),
	.data_hooks	= minifw_physdev_hooks,
	.opts		= minifw_physdev_opts,
	.parse		= minifw_physdev_parse,
	.check		= minifw_physdev_check,
	.print		= minifw_physdev_print,
	.acquire	= minifw_physdev_acquire,
	.match		= minifw_physdev_match,
};
