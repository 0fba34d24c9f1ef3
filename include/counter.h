/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: per-rule packet and byte counters, and the interface of counter.c.
 */
#ifndef MINIFW_COUNTER_H
#define MINIFW_COUNTER_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/u64_stats_sync.h>
#else
#include "minifw_user.h"
#endif

/*
 * Per-rule counters, shared by every ruleset version that holds the rule, so
 * a rule keeps its counts when other rules change. Kernel: per-CPU with
 * u64_stats_sync, as nft_counter.c does; the refcount is taken and dropped
 * on the control path and from RCU callbacks.
 */
struct minifw_cpu_counter {
	u64_stats_t pkts;
	u64_stats_t bytes;
	struct u64_stats_sync syncp;
};

struct minifw_counter_block;

/*
 * 24 bytes a rule (and the per-CPU counts): the per-CPU pointer is not kept
 * but computed from the block (minifw_counter_pcpu()), a few instructions
 * once per packet counted, 8 bytes less per rule.
 */
struct minifw_counter {
	refcount_t ref;
	/*
	 * What an extension keeps of a rule from packet to packet, which
	 * must outlive edits of other rules as the counts do, updated
	 * without locks; see the extension's .init. One such extension a
	 * rule (ext.c refuses a second).
	 */
	u32 credit;		/* -m limit's credits; -m statistic's nth count */
	union {
		unsigned long prev;	/* -m limit: jiffies of the last update */
		atomic64_t quota;	/* -m quota: bytes left */
	};
	/* where it was handed out: its per-CPU counts are the block's */
	struct minifw_counter_block *blk;
};

/*
 * Counters come in blocks: one kmalloc() and one per-CPU allocation for up
 * to MINIFW_CNT_BLOCK_MAX of them (see minifw_counter_new() in counter.c). A
 * block is freed when its last counter and the ruleset that made it are gone.
 */
#define MINIFW_CNT_BLOCK_MAX	170	/* 16 + 170 * 24 bytes: 4 KiB */

struct minifw_counter_block {
	struct minifw_cpu_counter __percpu *pcpu;	/* @size of them */
	refcount_t live;		/* counters handed out and alive, +1 for the builder */
	u16 size;			/* slots */
	u16 used;			/* slots handed out, in order; never reused */
	struct minifw_counter slot[];
};

/* The per-CPU counts of @c: its slot's, in its block's per-CPU array. */
static __always_inline struct minifw_cpu_counter __percpu *
minifw_counter_pcpu(const struct minifw_counter *c)
{
	return c->blk->pcpu + (c - c->blk->slot);
}

struct minifw_ruleset;

struct minifw_counter *minifw_counter_new(struct minifw_ruleset *rs);
struct minifw_counter *minifw_counter_get(struct minifw_counter *c);
void minifw_counter_put(struct minifw_counter *c);
void minifw_counter_keep_state(struct minifw_counter *to, const struct minifw_counter *from);
void minifw_counter_block_put(struct minifw_counter_block *b);
void minifw_counter_read(const struct minifw_counter *c, u64 *pkts, u64 *bytes);

/* Count a packet. Packet path: the caller has bottom halves disabled. */
static __always_inline void minifw_count(struct minifw_counter *c, u32 len)
{
	struct minifw_cpu_counter *pc = this_cpu_ptr(minifw_counter_pcpu(c));

#ifdef __KERNEL__
	u64_stats_update_begin(&pc->syncp);
	u64_stats_inc(&pc->pkts);
	u64_stats_add(&pc->bytes, len);
	u64_stats_update_end(&pc->syncp);
#else
	pc->pkts.v++;
	pc->bytes.v += len;
#endif
}

#endif /* MINIFW_COUNTER_H */
