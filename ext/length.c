// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m length [!] --length MIN[:MAX] (libxt_length, xt_length): the
 * IP packet's length, header included, for IPv4 and IPv6 alike (what the
 * counters count as bytes).
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

struct minifw_length {
	u16 min, max;		/* inclusive */
	u8 inv;
	u8 pad[3];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_length) == 8, "struct minifw_length has padding");

enum { MINIFW_LENGTH_OPT };

static const struct minifw_opt minifw_length_opts[] = {
	{ "--length", NULL, NULL, MINIFW_LENGTH_OPT, 1, MINIFW_OPT_INV, NULL },
	{ }
};

/* One end of the range, decimal or 0x hexadecimal; "" is the open end, @dflt. */
static int minifw_length_end(struct minifw_xcall *x, const char *s, u16 dflt, u16 *v)
{
	u32 n = dflt;

	if (*s && minifw_parse_uint(x->err, s, 0xffff, "a length from 0 to 65535", &n))
		return -EINVAL;
	*v = n;
	return 0;
}

/* "N", "MIN:MAX", "MIN:", ":MAX", ":" as libxt_length reads them */
static int minifw_length_parse(struct minifw_xcall *x)
{
	struct minifw_length *l = x->data;
	char *s = x->arg[0], *colon = strchr(s, ':');
	int ret;

	l->inv = x->inv;
	if (!colon) {
		ret = minifw_length_end(x, s, 0, &l->min);
		l->max = l->min;
		return ret;
	}
	*colon = '\0';
	ret = minifw_length_end(x, s, 0, &l->min) ?:
	      minifw_length_end(x, colon + 1, 0xffff, &l->max);
	*colon = ':';
	if (!ret && l->min > l->max)
		ret = minifw_fail(x->err, "--length %s: a reversed range (first > last)",
				  minifw_xq(x, s));
	return ret;
}

static int minifw_length_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m length needs --length");
	return 0;
}

static void minifw_length_print(struct minifw_buf *b, const struct minifw_rule *r,
				const void *data)
{
	const struct minifw_length *l = data;

	if (l->inv)
		minifw_put(b, "!");
	if (l->min == l->max)
		minifw_put(b, "--length %u", l->min);
	else
		minifw_put(b, "--length %u:%u", l->min, l->max);
}

/* Packet path: p->len is the IP packet's length, as xt_length reads it. */
static int minifw_length_match(const void *data, const struct minifw_pkt *p,
			       struct minifw_counter *c)
{
	const struct minifw_length *l = data;

	return (p->len >= l->min && p->len <= l->max) ^ l->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_length = {
	.name		= "length",
	.size		= sizeof(struct minifw_length),
	.opts		= minifw_length_opts,
	.parse		= minifw_length_parse,
	.check		= minifw_length_check,
	.print		= minifw_length_print,
	.match		= minifw_length_match,
};
