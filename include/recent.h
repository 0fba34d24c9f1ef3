/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: -m recent's lists (ext/recent.c), as the owner of the live
 * ruleset (minifw.c) and the lists' proc files (proc.c) use them.
 */
#ifndef MINIFW_RECENT_H
#define MINIFW_RECENT_H

#include "rules.h"
#include "syntax.h"

#define MINIFW_RECENT_NAME_LEN	200	/* with its NUL, as XT_RECENT_NAME_LEN */
#define MINIFW_RECENT_HITCOUNT_MAX	255	/* as xt_recent */
#define MINIFW_RECENT_STAMPS	32	/* times an entry keeps at least */
#define MINIFW_RECENT_WAYS	8	/* slots of a bucket */
#define MINIFW_RECENT_LISTS_MAX	256
#define MINIFW_RECENT_LIST_TOT_MAX	1000000	/* the parameter's bound */

/* A rule's -m recent. */
struct minifw_recent {
	char name[MINIFW_RECENT_NAME_LEN];	/* NUL-padded */
	u32 hash;			/* minifw_recent_hash(name) */
	u32 seconds;			/* 0: not given */
	u8 cmd;				/* its --set, --rcheck, --update or --remove */
	u8 inv;
	u8 reap, rttl, rdest;
	u8 maskfam;			/* the family --mask gave, 0 if none */
	u8 hitcount;			/* 0: not given */
	u8 pad;				/* explicit, so memcmp() sees only zeroes */
	union minifw_addr mask;
};

static_assert(sizeof(struct minifw_recent) == 232, "struct minifw_recent has padding");

/* An address in a list; a free slot has family 0. */
struct minifw_recent_entry {
	union minifw_addr addr;		/* IPv4 in .ip */
	u8 family;
	u8 ttl;				/* as last seen, 0 if added by hand */
	u16 next;			/* times seen, mod 2^16: the next to stamps[next % size] */
	u16 nstamps;			/* times kept: at most the list's stamps */
	u16 pad;
	unsigned long last;		/* jiffies last seen */
	unsigned long stamps[];		/* jiffies of the times kept */
};

struct minifw_recent_bucket {
	/* writers: the packet path and the list's file; --rcheck reads locklessly */
	seqlock_t lock;
};

struct minifw_recent_file;

/* A list: one allocation, its slots after its buckets. */
struct minifw_recent_list {
	struct minifw_recent_list __rcu *next;	/* in the lists: under minifw_lock */
	struct rcu_head rcu;
	/* the rest but the buckets: set, and read, under minifw_lock */
	struct minifw_recent_file *file;	/* its proc file (proc.c), or NULL */
	struct minifw_recent_list *pending;	/* minifw_recent_sync()'s, not yet published */
	struct minifw_recent_list *replaces;	/* ... and the list it replaces, or NULL */
	u32 hash;
	u32 nbuckets;
	u32 stamps;			/* per entry: a power of two */
	u32 esize;			/* bytes of an entry */
	bool used;			/* minifw_recent_sync()'s and _retire()'s mark */
	char name[MINIFW_RECENT_NAME_LEN];
	u8 *slots;			/* nbuckets * MINIFW_RECENT_WAYS entries */
	struct minifw_recent_bucket bucket[];
};

/* Entry @way of bucket @bk. */
static inline struct minifw_recent_entry *
minifw_recent_slot(const struct minifw_recent_list *l, u32 bk, unsigned int way)
{
	return (struct minifw_recent_entry *)(l->slots +
		((size_t)bk * MINIFW_RECENT_WAYS + way) * l->esize);
}

struct minifw_ruleset;

/* entries a list holds at most: the module parameter recent_list_tot */
extern unsigned int minifw_recent_list_tot;

u32 minifw_recent_hash(const char *name);
struct minifw_recent_list *minifw_recent_find(const char *name, u32 hash);
int minifw_recent_prepare(const struct minifw_ruleset *rs, struct minifw_err *err);
void minifw_recent_commit(bool publish);
int minifw_recent_sync(const struct minifw_ruleset *rs, struct minifw_err *err);
void minifw_recent_retire(const struct minifw_ruleset *rs);
int minifw_recent_edit(struct minifw_recent_list *l, char op, const union minifw_addr *a,
		       u8 family);
u32 minifw_recent_clear(struct minifw_recent_list *l, u32 first, u32 n);

/* proc.c: a list's file /proc/minifw/recent/NAME (control path, minifw_lock) */
#ifdef __KERNEL__
int minifw_proc_recent_add(struct minifw_recent_list *l);
void minifw_proc_recent_remove(struct minifw_recent_file *f);
#else
static inline int minifw_proc_recent_add(struct minifw_recent_list *l) { return 0; }
static inline void minifw_proc_recent_remove(struct minifw_recent_file *f) { }
#endif

#endif /* MINIFW_RECENT_H */
