// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -j NFQUEUE [--queue-num N | --queue-balance A:B [--queue-cpu-fanout]]
 * [--queue-bypass] (libxt_NFQUEUE revision 3, xt_NFQUEUE's nfqueue_tg_v3):
 * hand the packet to the program reading nfnetlink_queue's queue N (an
 * IPS, a user-space filter), which decides its fate. With --queue-balance
 * a flow keeps to one queue of the range (hashed on its addresses, both
 * ways alike), or with --queue-cpu-fanout the queue is the CPU's; with
 * --queue-bypass a packet no program reads goes on as if accepted, else
 * it is dropped. The hook returns NF_QUEUE_NR() (minifw.c).
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/jhash.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/smp.h>
#include <linux/string.h>
#endif

#include "ext.h"

struct minifw_nfqueue {
	u16 num;		/* the first queue */
	u16 total;		/* queues: 1, or --queue-balance's count */
	u8 bypass, fanout;
	u8 pad[2];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_nfqueue) == 8, "struct minifw_nfqueue has padding");

enum { MINIFW_NFQ_NUM, MINIFW_NFQ_BALANCE, MINIFW_NFQ_BYPASS, MINIFW_NFQ_FANOUT };

static const struct minifw_opt minifw_nfqueue_opts[] = {
	{ "--queue-num", NULL, NULL, MINIFW_NFQ_NUM, 1, 0, NULL },
	{ "--queue-balance", NULL, NULL, MINIFW_NFQ_BALANCE, 1, 0, NULL },
	{ "--queue-bypass", NULL, NULL, MINIFW_NFQ_BYPASS, 0, 0, NULL },
	{ "--queue-cpu-fanout", NULL, NULL, MINIFW_NFQ_FANOUT, 0, 0, NULL },
	{ }
};

static int minifw_nfqueue_parse(struct minifw_xcall *x)
{
	struct minifw_nfqueue *q = x->data;
	u32 v, r[2];

	if ((x->seen & BIT(MINIFW_NFQ_NUM)) && (x->seen & BIT(MINIFW_NFQ_BALANCE)))
		return minifw_fail(x->err, "--queue-num and --queue-balance cannot be given together");
	switch (x->opt->id) {
	case MINIFW_NFQ_NUM:
		if (minifw_parse_uint(x->err, x->arg[0], U16_MAX, "a queue (0 to 65535)", &v))
			return -EINVAL;
		q->num = v;
		return 0;
	case MINIFW_NFQ_BALANCE:
		/* as XTTYPE_UINT16RC with its largest 65534; one queue is no balance */
		if (!strchr(x->arg[0], ':'))
			return minifw_fail(x->err, "--queue-balance takes a range of queues (FIRST:LAST)");
		if (minifw_x_parse_u32_range(x, "a queue (0 to 65534)", U16_MAX - 1, r))
			return -EINVAL;
		if (r[0] == r[1])
			return minifw_fail(x->err, "--queue-balance %u:%u: %u should be less than %u",
					   r[0], r[1], r[0], r[1]);
		q->num = r[0];
		q->total = r[1] - r[0] + 1;
		return 0;
	case MINIFW_NFQ_BYPASS:
		q->bypass = 1;
		return 0;
	default:
		q->fanout = 1;
		return 0;
	}
}

static int minifw_nfqueue_check(struct minifw_xcall *x)
{
	struct minifw_nfqueue *q = x->data;

	if (q->fanout && !(x->seen & BIT(MINIFW_NFQ_BALANCE)))
		return minifw_fail(x->err, "--queue-cpu-fanout needs --queue-balance");
	if (!q->total)
		q->total = 1;
	return 0;
}

/* as libxt_NFQUEUE's NFQUEUE_save_v3() */
static void minifw_nfqueue_print(struct minifw_buf *b, const struct minifw_rule *r,
				 const void *data)
{
	const struct minifw_nfqueue *q = data;

	if (q->total > 1)
		minifw_put(b, "--queue-balance %u:%u", q->num, q->num + q->total - 1);
	else
		minifw_put(b, "--queue-num %u", q->num);
	if (q->bypass)
		minifw_put(b, "--queue-bypass");
	if (q->fanout)
		minifw_put(b, "--queue-cpu-fanout");
}

static u32 minifw_nfqueue_seed;

/* As nf_queue.h's hash_v4()/hash_v6(): both directions of a flow alike. */
static u32 minifw_nfqueue_hash(const struct minifw_pkt *p)
{
	const __be32 *s = p->saddr.ip6, *d = p->daddr.ip6;
	u32 a, b, c;

	if (p->family == MINIFW_FAM_IPV4) {
		a = min_t(u32, (__force u32)s[0], (__force u32)d[0]);
		b = max_t(u32, (__force u32)s[0], (__force u32)d[0]);
		return jhash_3words(a, b, p->proto, minifw_nfqueue_seed);
	}
	if ((__force u32)s[3] < (__force u32)d[3]) {
		a = (__force u32)s[3];
		b = (__force u32)d[3];
	} else {
		a = (__force u32)d[3];
		b = (__force u32)s[3];
	}
	c = min_t(u32, (__force u32)s[1], (__force u32)d[1]);
	return jhash_3words(a, b, c, minifw_nfqueue_seed);
}

/* Packet path: the queue, as nfqueue_tg_v3() picks it. */
static unsigned int minifw_nfqueue_target(const void *data, const struct minifw_pkt *p)
{
	const struct minifw_nfqueue *q = data;
	u32 queue = q->num;

	if (q->total > 1) {
		if (q->fanout)
			queue += smp_processor_id() % q->total;
		else
			queue += reciprocal_scale(minifw_nfqueue_hash(p), q->total);
	}
	return MINIFW_VERDICT(MINIFW_T_NFQUEUE, queue | (q->bypass ? MINIFW_NFQUEUE_BYPASS : 0));
}

/*
 * Control path: a seed for the hash before the first rule can run (two
 * writers may both set one, as xt_NFQUEUE's init_hashrandom() may: the
 * last stays).
 */
static int minifw_nfqueue_checkentry(struct minifw_xcall *x)
{
	if (!minifw_nfqueue_seed)
		minifw_nfqueue_seed = get_random_u32() | 1;
	return 0;
}

const struct minifw_ext_ops minifw_xt_NFQUEUE = {
	.name		= "NFQUEUE",
	.verdict	= MINIFW_T_NFQUEUE,
	.size		= sizeof(struct minifw_nfqueue),
	.opts		= minifw_nfqueue_opts,
	.parse		= minifw_nfqueue_parse,
	.check		= minifw_nfqueue_check,
	.checkentry	= minifw_nfqueue_checkentry,
	.print		= minifw_nfqueue_print,
	.target		= minifw_nfqueue_target,
};
