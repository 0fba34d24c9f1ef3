// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m mh [!] --mh-type TYPE[:TYPE] (libip6t_mh, ip6t_mh): the
 * type of an IPv6 Mobility Header, after -p mobility-header; a number
 * 0-255 or a name (binding-update, bu, ...: any beginning of one, the
 * whole name first). As ip6t_mh, a later fragment does not match, and a
 * header too short or whose payload protocol is not "none" (59) drops the
 * packet. "--mh-type :", every type, is listed only negated. The rule is
 * IPv6's.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/in6.h>
#endif

#include "ext.h"

struct minifw_mh {
	u8 type[2];		/* inclusive */
	u8 inv;
	u8 pad;			/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_mh) == 4, "struct minifw_mh has padding");

static const struct minifw_opt minifw_mh_opts[] = {
	{ "--mh-type", NULL, NULL, 0, 1, MINIFW_OPT_INV, NULL },
	{ }
};

/* libip6t_mh's names, each with its short alias */
static const struct {
	const char *name;
	u8 type;
} minifw_mh_names[] = {
	{ "binding-refresh-request", 0 }, { "brr", 0 }, { "home-test-init", 1 }, { "hoti", 1 },
	{ "careof-test-init", 2 }, { "coti", 2 }, { "home-test", 3 }, { "hot", 3 },
	{ "careof-test", 4 }, { "cot", 4 }, { "binding-update", 5 }, { "bu", 5 },
	{ "binding-acknowledgement", 6 }, { "ba", 6 }, { "binding-error", 7 }, { "be", 7 },
};

/* One type, as libip6t_mh's name_to_type(); @s ends at @len. */
static int minifw_mh_type(const char *s, size_t len, u8 *type)
{
	char num[4];
	size_t i, found = ARRAY_SIZE(minifw_mh_names);
	u32 v;

	for (i = 0; len && i < ARRAY_SIZE(minifw_mh_names); i++) {
		if (strncasecmp(minifw_mh_names[i].name, s, len))
			continue;
		if (found == ARRAY_SIZE(minifw_mh_names) || strlen(minifw_mh_names[i].name) == len)
			found = i;
	}
	if (found < ARRAY_SIZE(minifw_mh_names)) {
		*type = minifw_mh_names[found].type;
		return 0;
	}
	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';
	if (minifw_decimal(num, len) != MINIFW_DEC_OK || kstrtou32(num, 10, &v) || v > 255)
		return -EINVAL;
	*type = v;
	return 0;
}

static int minifw_mh_parse(struct minifw_xcall *x)
{
	struct minifw_mh *m = x->data;
	const char *s = x->arg[0], *colon = strchr(s, ':');
	int ret;

	m->inv = x->inv;
	if (!colon) {
		ret = minifw_mh_type(s, strlen(s), &m->type[0]);
		m->type[1] = m->type[0];
	} else {
		m->type[1] = 255;
		ret = (colon > s ? minifw_mh_type(s, colon - s, &m->type[0]) : 0) ?:
		      (colon[1] ? minifw_mh_type(colon + 1, strlen(colon + 1), &m->type[1]) : 0);
		if (!ret && m->type[0] > m->type[1])
			return minifw_fail(x->err, "\"%s\" is not a type range: %u is more than %u",
					   minifw_xq(x, s), m->type[0], m->type[1]);
	}
	if (ret)
		return minifw_fail(x->err, "\"%s\" is not a mobility header type (0-255 or a name: binding-update, bu, ...)",
				   minifw_xq(x, s));
	return 0;
}

/* -m mh alone: any type */
static int minifw_mh_check(struct minifw_xcall *x)
{
	struct minifw_mh *m = x->data;

	if (!x->seen)
		m->type[1] = 255;
	return minifw_set_family(x->rp, MINIFW_FAM_IPV6, "-m mh");
}

/* as ip6t_mh's .proto */
static int minifw_mh_checkentry(struct minifw_xcall *x)
{
	const struct minifw_match *m = &x->cmd->m;

	if (m->proto != IPPROTO_MH || (m->flags & MINIFW_INV_PROTO))
		return minifw_fail(x->err, "-m mh needs -p mobility-header (not negated)");
	return 0;
}

static void minifw_mh_print(struct minifw_buf *b, const struct minifw_rule *r, const void *data)
{
	const struct minifw_mh *m = data;
	u32 range[2] = { m->type[0], m->type[1] };

	minifw_x_put_u32_range(b, "--mh-type", range, 255, m->inv);
}

/* the rule is IPv6's, as -m mh says */
static bool minifw_mh_lists_family(const struct minifw_rule *r, const void *data)
{
	return true;
}

/* Packet path: as ip6t_mh's mh_mt(). */
static int minifw_mh_match(const void *data, const struct minifw_pkt *p, struct minifw_counter *c)
{
	const struct minifw_mh *m = data;
	u8 h[6];		/* struct ip6_mh: payload proto, length, type, reserved, csum */

	if (p->fragoff)
		return MINIFW_NOMATCH;
	if (minifw_pkt_l4_bytes(p, h, sizeof(h)) || h[0] != 59 /* IPPROTO_NONE */)
		return MINIFW_HOTDROP;
	return (h[2] >= m->type[0] && h[2] <= m->type[1]) ^ m->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_mh = {
	.name		= "mh",
	.size		= sizeof(struct minifw_mh),
	.reads		= MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO,
	.opts		= minifw_mh_opts,
	.parse		= minifw_mh_parse,
	.check		= minifw_mh_check,
	.checkentry	= minifw_mh_checkentry,
	.print		= minifw_mh_print,
	.lists_family	= minifw_mh_lists_family,
	.match		= minifw_mh_match,
};
