// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m helper [!] --helper NAME (libxt_helper, xt_helper): the
 * packet's connection was expected by a conntrack helper of that name, as
 * the data connections of FTP are by "ftp":
 *
 *   -A INPUT -m conntrack --ctstate RELATED -m helper --helper ftp -j ACCEPT
 *
 * As xt_helper, it is the helper of the connection's master (the one
 * that expected it), and NAME matches a helper whose name begins it (the
 * old "ftp-21" matches "ftp"); "" matches any helper. A packet whose
 * connection has no master with a helper matches only the negation.
 * Helpers are given to connections by the raw table's CT target
 * (iptables -t raw ... -j CT --helper ftp) or nftables' ct helper, not by
 * minifw. It needs connection tracking, started as -m conntrack starts
 * it; not in PREROUTING.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

struct minifw_helper {
	char name[30];		/* as struct xt_helper_info's */
	u8 inv;
	u8 pad;
};

static_assert(sizeof(struct minifw_helper) == 32, "struct minifw_helper has padding");

enum { MINIFW_HELPER_OPT };

static const struct minifw_opt minifw_helper_opts[] = {
	{ "--helper", NULL, NULL, MINIFW_HELPER_OPT, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static int minifw_helper_parse(struct minifw_xcall *x)
{
	struct minifw_helper *h = x->data;

	h->inv = x->inv;
	return minifw_copy_text(x->err, x->opt->name, h->name, sizeof(h->name), x->arg[0]);
}

static int minifw_helper_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m helper needs --helper NAME");
	return 0;
}

static void minifw_helper_print(struct minifw_buf *b, const struct minifw_rule *r,
				const void *data)
{
	const struct minifw_helper *h = data;

	if (h->inv)
		minifw_put(b, "!");
	minifw_put_string(b, "--helper", h->name);
}

/* Packet path: as xt_helper's helper_mt(). */
static int minifw_helper_match(const void *data, const struct minifw_pkt *p,
			       struct minifw_counter *c)
{
	const struct minifw_helper *h = data;
	char name[MINIFW_HELPER_NAME_LEN];
	bool hit;

	if (!minifw_pkt_ct_helper(p, name))
		hit = false;
	else
		hit = !h->name[0] || !strncmp(name, h->name, strlen(name));
	return hit ^ h->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_helper = {
	.name		= "helper",
	.size		= sizeof(struct minifw_helper),
	.reads		= MINIFW_SKIP_CT,
	.needs_ct	= true,
	.opts		= minifw_helper_opts,
	.parse		= minifw_helper_parse,
	.check		= minifw_helper_check,
	.print		= minifw_helper_print,
	.match		= minifw_helper_match,
};
