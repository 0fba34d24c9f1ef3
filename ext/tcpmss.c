// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m tcpmss [!] --mss VALUE[:VALUE] (libxt_tcpmss, xt_tcpmss): the
 * maximum segment size a TCP SYN or SYN/ACK offers in its MSS option is
 * in the range (0-65535; "N:", ":M", ":" as libxtables reads ranges). A
 * packet without the option does not match (with "!": matches); one whose
 * options are cut short or malformed is dropped, as xt_tcpmss drops it.
 * TCP rules only; listed "--mss N" or "--mss N:M".
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#endif

#include "ext.h"

struct minifw_tcpmss {
	u16 min, max;
	u8 inv;
	u8 pad;			/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_tcpmss) == 6, "struct minifw_tcpmss has padding");

static const struct minifw_opt minifw_tcpmss_opts[] = {
	{ "--mss", NULL, NULL, 0, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static int minifw_tcpmss_parse(struct minifw_xcall *x)
{
	struct minifw_tcpmss *t = x->data;
	u32 range[2];

	if (minifw_x_parse_u32_range(x, "a segment size (0-65535)", U16_MAX, range))
		return -EINVAL;
	t->min = range[0];
	t->max = range[1];
	t->inv = x->inv;
	return 0;
}

static int minifw_tcpmss_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m tcpmss needs --mss");
	return 0;
}

/* as xt_tcpmss's .proto: TCP rules only */
static int minifw_tcpmss_checkentry(struct minifw_xcall *x)
{
	const struct minifw_match *m = &x->cmd->m;

	if (m->proto != IPPROTO_TCP || (m->flags & MINIFW_INV_PROTO))
		return minifw_fail(x->err, "-m tcpmss needs -p tcp (not negated)");
	return 0;
}

static void minifw_tcpmss_print(struct minifw_buf *b, const struct minifw_rule *r,
				const void *data)
{
	const struct minifw_tcpmss *t = data;

	if (t->inv)
		minifw_put(b, "!");
	if (t->min == t->max)
		minifw_put(b, "--mss %u", t->min);
	else
		minifw_put(b, "--mss %u:%u", t->min, t->max);
}

/*
 * Packet path: as xt_tcpmss's tcpmss_mt(), through the owner of the packet
 * path, which reads the options (minifw_pkt_tcp_mss()). A later fragment
 * has no TCP header: it has no MSS option (xt_tcpmss would read its data
 * as one).
 */
static int minifw_tcpmss_match(const void *data, const struct minifw_pkt *p,
			       struct minifw_counter *c)
{
	const struct minifw_tcpmss *t = data;
	u16 mss;
	int ret;

	if (p->fragoff)
		ret = 0;
	else
		ret = p->l4 ? minifw_pkt_tcp_mss(p, &mss) : -EBADMSG;
	if (ret < 0)
		return MINIFW_HOTDROP;
	if (!ret)
		return t->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
	return (mss >= t->min && mss <= t->max) ^ t->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_tcpmss = {
	.name		= "tcpmss",
	.size		= sizeof(struct minifw_tcpmss),
	.reads		= MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO,
	.opts		= minifw_tcpmss_opts,
	.parse		= minifw_tcpmss_parse,
	.check		= minifw_tcpmss_check,
	.checkentry	= minifw_tcpmss_checkentry,
	.print		= minifw_tcpmss_print,
	.match		= minifw_tcpmss_match,
};
