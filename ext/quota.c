// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m quota [!] --quota BYTES (libxt_quota, xt_quota): matches
 * while the rule's quota of bytes lasts, each packet that matches taking
 * its length; once a packet finds too little left, nothing more matches
 * (with "!": the other way round). The bytes left live in the rule's
 * counters (struct minifw_counter.quota), so they survive edits of other
 * rules and -Z, as the counts do; the listing shows the quota given, as
 * iptables-save does. BYTES is 0 to 18446744073709551615.
 */

#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

struct minifw_quota {
	u64 quota;
	u8 inv;
	u8 pad[7];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_quota) == 16, "struct minifw_quota has padding");

static const struct minifw_opt minifw_quota_opts[] = {
	{ "--quota", NULL, NULL, 0, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static int minifw_quota_parse(struct minifw_xcall *x)
{
	struct minifw_quota *q = x->data;

	q->inv = x->inv;
	return minifw_parse_u64(x->err, x->arg[0],
				"a number of bytes (0 to 18446744073709551615)", &q->quota);
}

static int minifw_quota_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m quota needs --quota");
	return 0;
}

static void minifw_quota_print(struct minifw_buf *b, const struct minifw_rule *r,
			       const void *data)
{
	const struct minifw_quota *q = data;

	if (q->inv)
		minifw_put(b, "!");
	minifw_put(b, "--quota %llu", (unsigned long long)q->quota);
}

/* A new quota rule has its whole quota. */
static void minifw_quota_init(const void *data, struct minifw_counter *c)
{
	const struct minifw_quota *q = data;

	atomic64_set(&c->quota, (s64)q->quota);
}

/*
 * Packet path: as xt_quota's quota_mt(), lockless: the bytes left are
 * taken with a compare-and-exchange where xt_quota takes a spinlock.
 */
static int minifw_quota_match(const void *data, const struct minifw_pkt *p,
			      struct minifw_counter *c)
{
	const struct minifw_quota *q = data;
	s64 old = atomic64_read(&c->quota), left;
	bool ret;

	do {
		ret = (u64)old >= p->len;
		/* too little: none left, so no smaller packet matches later */
		left = ret ? (s64)((u64)old - p->len) : 0;
	} while (!atomic64_try_cmpxchg(&c->quota, &old, left));
	return ret ^ q->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_quota = {
	.name		= "quota",
	.size		= sizeof(struct minifw_quota),
	.opts		= minifw_quota_opts,
	.parse		= minifw_quota_parse,
	.check		= minifw_quota_check,
	.print		= minifw_quota_print,
	.init		= minifw_quota_init,
	.match		= minifw_quota_match,
};
