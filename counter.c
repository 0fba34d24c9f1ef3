// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the packet and byte counters of rules and policies.
 *
 * Counters are handed out from blocks (&struct minifw_counter_block): loading
 * 100,000 rules makes some 590 blocks, each one kmalloc() and one per-CPU
 * allocation, instead of 100,000 of each. The per-CPU allocator is slow (it
 * searches its chunks' bitmaps under a mutex): it was over a third of the
 * time of such a load. A ruleset hands out counters from its block
 * (&minifw_ruleset.cblk, a reference it holds for its whole life); each
 * next block is twice as big (1, 3, 7 ... 127, then MINIFW_CNT_BLOCK_MAX
 * slots), so a single-rule edit still allocates one small block while a
 * restore fills big ones. A slot is never reused: a block lives while any counter in it
 * does (or the ruleset that made it), and is freed with the last. The
 * unused slots of a ruleset's last block and the slots of deleted rules
 * stay allocated until then: never more than the block took when it was
 * made. No lock: counters are handed out only while a ruleset
 * is private to its builder, and freeing is a refcount.
 *
 * Counting itself is minifw_count() (include/counter.h), inline in the walk.
 * Also builds in user space (include/minifw_user.h), with one CPU.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#endif

#include "counter.h"
#include "ruleset.h"

static_assert(sizeof(unsigned long) <= sizeof(atomic64_t), "-m limit's prev is not within quota");
static_assert(sizeof(struct minifw_counter_block) +
	      MINIFW_CNT_BLOCK_MAX * sizeof(struct minifw_counter) <= 4096,
	      "a full counter block outgrows kmalloc-4k");

static struct minifw_counter_block *minifw_counter_block_new(u16 size)
{
	/* at most 4 KiB (static_assert above): no overflow to check */
	struct minifw_counter_block *b = kzalloc(sizeof(*b) + size * sizeof(b->slot[0]),
						 GFP_KERNEL);
	int cpu;
	u16 i;

	if (!b)
		return NULL;
	b->pcpu = (struct minifw_cpu_counter __percpu *)
		__alloc_percpu(size * sizeof(struct minifw_cpu_counter),
			       __alignof__(struct minifw_cpu_counter));
	if (!b->pcpu) {
		kfree(b);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		for (i = 0; i < size; i++)
			u64_stats_init(&per_cpu_ptr(b->pcpu + i, cpu)->syncp);
	refcount_set(&b->live, 1);
	b->size = size;
	return b;
}

/**
 * minifw_counter_block_put() - drop a reference to a counter block
 * @b: the block, or NULL
 *
 * Context: control path or RCU callback; does not sleep.
 */
void minifw_counter_block_put(struct minifw_counter_block *b)
{
	if (!b || !refcount_dec_and_test(&b->live))
		return;
	free_percpu(b->pcpu);
	kfree(b);
}

/**
 * minifw_counter_new() - zeroed packet/byte counters for a ruleset's rule
 * @rs: the private ruleset being built, whose block they come from
 *
 * Context: control path, may sleep.
 * Return: counters with one reference, or NULL.
 */
struct minifw_counter *minifw_counter_new(struct minifw_ruleset *rs)
{
	struct minifw_counter_block *b = rs->cblk;
	struct minifw_counter *c;

	if (!b || b->used == b->size) {
		b = minifw_counter_block_new(b ? min_t(u16, 2 * b->size + 1,
						       MINIFW_CNT_BLOCK_MAX) : 1);
		if (!b)
			return NULL;
		minifw_counter_block_put(rs->cblk);
		rs->cblk = b;
	}
	c = &b->slot[b->used];
	c->blk = b;
	b->used++;
	refcount_set(&c->ref, 1);
	refcount_inc(&b->live);
	return c;
}

/**
 * minifw_counter_get() - take another reference to counters
 * @c: counters
 *
 * Context: control path.
 * Return: @c.
 */
struct minifw_counter *minifw_counter_get(struct minifw_counter *c)
{
	refcount_inc(&c->ref);
	return c;
}

/**
 * minifw_counter_keep_state() - give new counters what an extension kept in
 * old ones (-m limit's bucket, -m statistic's count, -m quota's bytes left)
 * @to: the new counters, as minifw_counter_new() made them
 * @from: the old ones
 *
 * Context: control path.
 */
void minifw_counter_keep_state(struct minifw_counter *to, const struct minifw_counter *from)
{
	to->credit = from->credit;
	/* the whole union: prev is within quota's bytes */
	atomic64_set(&to->quota, atomic64_read(&from->quota));
}

/**
 * minifw_counter_put() - drop a reference to counters
 * @c: counters, or NULL
 *
 * Context: control path or RCU callback; does not sleep.
 */
void minifw_counter_put(struct minifw_counter *c)
{
	if (c && refcount_dec_and_test(&c->ref))
		minifw_counter_block_put(c->blk);
}

/**
 * minifw_counter_read() - sum counters over all CPUs
 * @c: counters
 * @pkts: packets, out
 * @bytes: bytes, out
 *
 * Context: any; the caller keeps @c alive (RCU or a ruleset reference).
 */
void minifw_counter_read(const struct minifw_counter *c, u64 *pkts, u64 *bytes)
{
#ifdef __KERNEL__
	u64 p = 0, b = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct minifw_cpu_counter *pc = per_cpu_ptr(minifw_counter_pcpu(c), cpu);
		unsigned int start;
		u64 cp, cb;

		do {
			start = u64_stats_fetch_begin(&pc->syncp);
			cp = u64_stats_read(&pc->pkts);
			cb = u64_stats_read(&pc->bytes);
		} while (u64_stats_fetch_retry(&pc->syncp, start));
		p += cp;
		b += cb;
	}
	*pkts = p;
	*bytes = b;
#else
	*pkts = minifw_counter_pcpu(c)->pkts.v;
	*bytes = minifw_counter_pcpu(c)->bytes.v;
#endif
}
