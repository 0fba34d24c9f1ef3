/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: -m hashlimit's tables (ext/hashlimit.c), as the owner of the live
 * ruleset (minifw.c) and the tests use them.
 */
#ifndef MINIFW_HASHLIMIT_H
#define MINIFW_HASHLIMIT_H

#include "rules.h"
#include "syntax.h"

/* a name's bytes: 254 and a NUL, as xt_hashlimit's name[NAME_MAX], and a NUL */
#define MINIFW_HASHLIMIT_NAME_LEN	256
/* --hashlimit-htable-size and -max at most, as xt_hashlimit */
#define MINIFW_HASHLIMIT_MAX_SIZE	1048576
#define MINIFW_HASHLIMIT_WAYS		8	/* slots of a bucket */
#define MINIFW_HASHLIMIT_TABLES_MAX	256
#define MINIFW_HASHLIMIT_FULL		0xff	/* srcmask, dstmask: not given, the whole address */

/* xt_hashlimit's mode bits (XT_HASHLIMIT_*), as its hashlimit_cfg3 has them */
#define MINIFW_HASHLIMIT_DIP		0x01
#define MINIFW_HASHLIMIT_DPT		0x02
#define MINIFW_HASHLIMIT_SIP		0x04
#define MINIFW_HASHLIMIT_SPT		0x08
#define MINIFW_HASHLIMIT_INVERT		0x10	/* --hashlimit-above */
#define MINIFW_HASHLIMIT_BYTES		0x20	/* a rate in bytes */
#define MINIFW_HASHLIMIT_RATE_MATCH	0x40

/* A rule's -m hashlimit: xt_hashlimit_mtinfo3's name and hashlimit_cfg3. */
struct minifw_hashlimit {
	char name[MINIFW_HASHLIMIT_NAME_LEN];	/* NUL-padded */
	u64 avg;		/* 1/1000000 s a packet; or the cost of 16 bytes */
	u64 burst;		/* packets; or rates' worth of bytes, 0 for none */
	u32 hash;		/* minifw_hashlimit_hash(name) */
	u32 mode;		/* MINIFW_HASHLIMIT_* */
	u32 size;		/* --hashlimit-htable-size, 0 if not given */
	u32 max;		/* --hashlimit-htable-max, 0 if not given */
	u32 gc_interval;	/* ms */
	u32 expire;		/* ms */
	u32 interval;		/* --hashlimit-rate-interval, s */
	u8 srcmask, dstmask;	/* prefix lengths, or MINIFW_HASHLIMIT_FULL */
	u8 pad[2];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_hashlimit) == 304, "struct minifw_hashlimit has padding");

/* What an entry is found by: the packet's fields the table's mode names. */
struct minifw_hashlimit_key {
	__be32 src[4], dst[4];	/* masked; IPv4 in [0] */
	__be16 sport, dport;
	u32 family;		/* 0: a free slot */
};

/* A flow of a table, and its token bucket (xt_hashlimit's dsthash_ent). */
struct minifw_hashlimit_entry {
	struct minifw_hashlimit_key key;
	u32 prev_window;	/* --hashlimit-rate-match: over the rate last interval */
	unsigned long prev;	/* jiffies of the last packet */
	unsigned long expires;	/* jiffies when the garbage collector may drop it */
	u64 credit;		/* --hashlimit-rate-match: the current rate */
	u64 cap_left;		/* bytes: refills left of the burst */
};

/* A table: one allocation, its slots after its buckets' locks. */
struct minifw_hashlimit_table {
	struct minifw_hashlimit_table __rcu *next;	/* in the tables: under minifw_lock */
	struct rcu_head rcu;
	/* set and read under minifw_lock */
	struct minifw_hashlimit_table *pending;	/* prepared, not yet published */
	struct minifw_hashlimit_table *replaces;	/* ... and the table it replaces, or NULL */
	bool used;
	/* set when made, then only read (the packet path too) */
	u32 nbuckets;
	u32 max;		/* entries at most */
	u32 seed;
	/* changed under a bucket's lock; compared with max without */
	atomic_t count;		/* entries */
	u64 cost;		/* credits a packet (xt_hashlimit's rateinfo_init()) */
	u64 cap;		/* credits at most, and of a new entry */
	/* the garbage collector's (not the packet path's) */
#ifdef __KERNEL__
	struct delayed_work gc;
#endif
	struct minifw_hashlimit cfg;	/* the rule that made it */
	struct minifw_hashlimit_entry *slots;	/* nbuckets * MINIFW_HASHLIMIT_WAYS */
	spinlock_t lock[];	/* a bucket's */
};

struct minifw_ruleset;

u32 minifw_hashlimit_hash(const char *name);
struct minifw_hashlimit_table *minifw_hashlimit_find(const char *name, u32 hash);
int minifw_hashlimit_prepare(const struct minifw_ruleset *rs, struct minifw_err *err);
void minifw_hashlimit_commit(bool publish);
void minifw_hashlimit_retire(const struct minifw_ruleset *rs);
u32 minifw_hashlimit_gc(struct minifw_hashlimit_table *t, bool all);

#endif /* MINIFW_HASHLIMIT_H */
