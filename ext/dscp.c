// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m dscp [!] --dscp VALUE | [!] --dscp-class CLASS (libxt_dscp,
 * xt_dscp): the Differentiated Services codepoint, the upper six bits of
 * the IPv4 TOS byte or of the IPv6 traffic class. VALUE is 0-63 (decimal
 * or 0x hexadecimal); CLASS one of BE, CS0-CS7, AF11-AF43, EF, which
 * iptables turns into its value, and so lists: "--dscp-class EF" is listed
 * "--dscp 0x2e". For IPv4 and IPv6 rules alike.
 *
 * And -m tos [!] --tos VALUE[/MASK] | [!] --tos NAME (libxt_tos revision
 * 1, xt_dscp's tos_mt): the whole TOS byte or traffic class under a mask
 * (0xff if none). NAME is one of RFC 1349's, which stand for a value under
 * the mask 0x3f: Minimize-Delay 0x10, Maximize-Throughput 0x08,
 * Maximize-Reliability 0x04, Minimize-Cost 0x02, Normal-Service 0x00.
 * Listed as iptables-save lists it: "--tos 0x10/0x3f".
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

struct minifw_dscp {
	u8 dscp;		/* 0-63 */
	u8 inv;
};

static_assert(sizeof(struct minifw_dscp) == 2, "struct minifw_dscp has padding");

enum { MINIFW_DSCP_OPT_VALUE, MINIFW_DSCP_OPT_CLASS };

static const struct minifw_opt minifw_dscp_opts[] = {
	{ "--dscp", NULL, NULL, MINIFW_DSCP_OPT_VALUE, 1, MINIFW_OPT_INV, NULL },
	{ "--dscp-class", NULL, NULL, MINIFW_DSCP_OPT_CLASS, 1, MINIFW_OPT_INV, NULL },
	{ }
};

/* libxt_dscp's classes (dscp_helper.c) */
static const struct {
	const char *name;
	u8 dscp;
} minifw_dscp_classes[] = {
	{ "CS0", 0x00 }, { "CS1", 0x08 }, { "CS2", 0x10 }, { "CS3", 0x18 },
	{ "CS4", 0x20 }, { "CS5", 0x28 }, { "CS6", 0x30 }, { "CS7", 0x38 },
	{ "BE", 0x00 },
	{ "AF11", 0x0a }, { "AF12", 0x0c }, { "AF13", 0x0e },
	{ "AF21", 0x12 }, { "AF22", 0x14 }, { "AF23", 0x16 },
	{ "AF31", 0x1a }, { "AF32", 0x1c }, { "AF33", 0x1e },
	{ "AF41", 0x22 }, { "AF42", 0x24 }, { "AF43", 0x26 },
	{ "EF", 0x2e },
};

static int minifw_dscp_parse(struct minifw_xcall *x)
{
	struct minifw_dscp *d = x->data;
	u32 v;
	size_t k;

	if ((x->seen & BIT(MINIFW_DSCP_OPT_VALUE)) && (x->seen & BIT(MINIFW_DSCP_OPT_CLASS)))
		return minifw_fail(x->err, "--dscp and --dscp-class: one or the other");
	d->inv = x->inv;
	if (x->opt->id == MINIFW_DSCP_OPT_VALUE) {
		if (minifw_parse_uint(x->err, x->arg[0], 63, "a DSCP value from 0 to 63", &v))
			return -EINVAL;
		d->dscp = v;
		return 0;
	}
	/* minifw: the whole name; libxt_dscp takes any text that starts with one */
	for (k = 0; k < ARRAY_SIZE(minifw_dscp_classes); k++) {
		if (!strcasecmp(x->arg[0], minifw_dscp_classes[k].name)) {
			d->dscp = minifw_dscp_classes[k].dscp;
			return 0;
		}
	}
	return minifw_fail(x->err, "--dscp-class \"%s\": BE, CS0 to CS7, AF11 to AF43 or EF",
			   minifw_xq(x, x->arg[0]));
}

static int minifw_dscp_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m dscp needs --dscp or --dscp-class");
	return 0;
}

/* as libxt_dscp saves it: always the value, in hex */
static void minifw_dscp_print(struct minifw_buf *b, const struct minifw_rule *r,
			      const void *data)
{
	const struct minifw_dscp *d = data;

	if (d->inv)
		minifw_put(b, "!");
	minifw_put(b, "--dscp 0x%02x", d->dscp);
}

/* Packet path: as xt_dscp's dscp_mt() and dscp_mt6(). */
static int minifw_dscp_match(const void *data, const struct minifw_pkt *p,
			     struct minifw_counter *c)
{
	const struct minifw_dscp *d = data;

	return ((minifw_pkt_dsfield(p) >> 2) == d->dscp) ^ d->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_dscp = {
	.name		= "dscp",
	.size		= sizeof(struct minifw_dscp),
	.opts		= minifw_dscp_opts,
	.parse		= minifw_dscp_parse,
	.check		= minifw_dscp_check,
	.print		= minifw_dscp_print,
	.match		= minifw_dscp_match,
};

struct minifw_tos {
	u8 value, mask;		/* (tos & mask) == value, as given (not masked) */
	u8 inv;
};

static_assert(sizeof(struct minifw_tos) == 3, "struct minifw_tos has padding");

static const struct minifw_opt minifw_tos_opts[] = {
	{ "--tos", NULL, NULL, 0, 1, MINIFW_OPT_INV, NULL },
	{ }
};

/* tos_values.c's names, case-insensitive as xtopt_parse_tosmask() reads them */
static const struct {
	const char *name;
	u8 value;
} minifw_tos_names[] = {
	{ "Minimize-Delay", 0x10 }, { "Maximize-Throughput", 0x08 },
	{ "Maximize-Reliability", 0x04 }, { "Minimize-Cost", 0x02 },
	{ "Normal-Service", 0x00 },
};

#define MINIFW_TOS_WHAT \
	"a TOS value[/mask] (0 to 255 each) or Minimize-Delay, Maximize-Throughput, Maximize-Reliability, Minimize-Cost, Normal-Service"

static int minifw_tos_parse(struct minifw_xcall *x)
{
	struct minifw_tos *t = x->data;
	char *s = x->arg[0], *slash;
	u32 v, m = 0xff;
	size_t k;
	int ret;

	t->inv = x->inv;
	for (k = 0; k < ARRAY_SIZE(minifw_tos_names); k++) {
		if (!strcasecmp(s, minifw_tos_names[k].name)) {
			t->value = minifw_tos_names[k].value;
			t->mask = 0x3f;
			return 0;
		}
	}
	slash = strchr(s, '/');
	if (slash)
		*slash = '\0';
	ret = minifw_parse_uint(x->err, s, 0xff, MINIFW_TOS_WHAT, &v);
	if (!ret && slash)
		ret = minifw_parse_uint(x->err, slash + 1, 0xff, MINIFW_TOS_WHAT, &m);
	if (slash)
		*slash = '/';
	t->value = v;
	t->mask = m;
	return ret;
}

static int minifw_tos_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m tos needs --tos");
	return 0;
}

static void minifw_tos_print(struct minifw_buf *b, const struct minifw_rule *r,
			     const void *data)
{
	const struct minifw_tos *t = data;

	if (t->inv)
		minifw_put(b, "!");
	minifw_put(b, "--tos 0x%02x/0x%02x", t->value, t->mask);
}

/* Packet path: as xt_dscp's tos_mt(). */
static int minifw_tos_match(const void *data, const struct minifw_pkt *p,
			    struct minifw_counter *c)
{
	const struct minifw_tos *t = data;

	return ((minifw_pkt_dsfield(p) & t->mask) == t->value) ^ t->inv ?
	       MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_tos = {
	.name		= "tos",
	.size		= sizeof(struct minifw_tos),
	.opts		= minifw_tos_opts,
	.parse		= minifw_tos_parse,
	.check		= minifw_tos_check,
	.print		= minifw_tos_print,
	.match		= minifw_tos_match,
};
