/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: rulesets, their chains and compiled runs, and the interface of
 * ruleset.c (building and editing them) and compile.c (their lookup tables).
 */
#ifndef MINIFW_RULESET_H
#define MINIFW_RULESET_H

#ifdef __KERNEL__
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#endif

#include "rules.h"
#include "counter.h"

struct minifw_ext_ops;

/* Default of the max_rules module parameter. */
#define MINIFW_DEFAULT_MAX_RULES	262144
extern unsigned int minifw_max_rules;

/*
 * The compiled form of a chain (see "DOC: Compiled chains" in compile.c).
 * An interval table maps every address of one family to the first rule of
 * a run whose prefix on one field (source or destination) holds it: the
 * address space cut into n intervals, interval i starting at start[i]
 * (host order; start[0] is 0) and belonging to rule[i], MINIFW_NO_RULE
 * for none.
 */
#define MINIFW_NO_RULE		U32_MAX

struct minifw_itab {
	u32 n;
	void *mem;		/* the one allocation holding the arrays */
	u32 *rule;
	u32 *start4;		/* IPv4 */
	u64 *start6;		/* IPv6: 2 words an interval, high then low */
	/*
	 * IPv4 and port tables of MINIFW_BUCKET_MIN intervals or more: an
	 * index on the top bits of the key past bbase (0 for addresses; the
	 * second interval's start for ports, which cluster), about one entry
	 * an interval (at most 2^16). bucket[b] is the interval holding key
	 * bbase + (b << bshift), for b from 0 to bmax + 1 (that one: the last
	 * interval), so a lookup searches only [bucket[b], bucket[b + 1]]; a
	 * key below bbase is in interval 0, one past the index in bucket bmax.
	 */
	u32 *bucket;
	u32 bbase, bmax;
	u8 bshift;
};

/*
 * Rules [first, end) of a chain, all with a deciding target and alike but
 * for one field: an address (and the family it implies), or the
 * destination port. What else they match is in rest, with that field
 * wildcarded (address runs: both addresses and the family).
 */
enum { MINIFW_TAB_IPV4, MINIFW_TAB_IPV6 };	/* first index of .tab */
enum { MINIFW_TAB_SRC, MINIFW_TAB_DST };	/* second index */
enum { MINIFW_RUN_ADDR, MINIFW_RUN_DPORT, MINIFW_RUN_CLASS };	/* struct minifw_run.kind */

/*
 * A classified segment (see "DOC: Classified segments" in compile.c):
 * for one family, its rules in classes by protocol, each class's in
 * tables, each table hashing the rules' source and destination prefixes
 * cut to its own lengths (and the destination port if it says), so that a
 * lookup in each table of the packet's class finds the few rules the
 * packet may match.
 */
#define MINIFW_CLASSES		16	/* 15 protocols named, and all others */

struct minifw_ctab {
	union minifw_addr smsk, dmsk;	/* the lengths it hashes, as masks */
	u32 pmsk;		/* of the destination port: 0 or 0xffff */
	u32 min, max;		/* its lowest and highest rule */
	u32 *slot;		/* open addressing: a key's index + 1, 0 empty */
	u32 mask;		/* slots - 1 (a power of 2, at least 2 slots) */
	u8 shift;		/* 64 - log2(slots): the hash's top bits */
	u8 slen, dlen;		/* the lengths, for the DOC's example and tests */
};

/*
 * A key of a table: the masked addresses and port; its rules are
 * rule[off] to rule[next key's off - 1], in ascending order.
 */
struct minifw_ckey4 {
	__be32 src, dst;
	u32 port, off;
};

struct minifw_ckey6 {
	__be32 src[4], dst[4];
	u32 port, off;
};

struct minifw_cls {
	u8 class_of[256];	/* a protocol's class: 0 if no rule names it */
	u32 ctab[MINIFW_CLASSES + 1];	/* class c's tables: ctab[c] to ctab[c + 1] - 1 */
	u8 nclasses;
	bool dport;		/* a table hashes ports: irregular packets walk */
	u64 seed;
	struct minifw_ctab *tab;	/* class by class, each by its lowest rule */
	void *key;		/* struct minifw_ckey4 or 6, a last one for its off */
	u32 *rule;
	void *mem;		/* the one allocation holding them */
};

struct minifw_run {
	u32 first, end;
	u8 kind;			/* MINIFW_RUN_* */
	struct minifw_match rest;
	struct minifw_itab tab[2][2];	/* address runs: [family][field] */
	/* destination-port runs: the port space cut into intervals */
	struct minifw_itab ports;
	/* classified segments: [MINIFW_TAB_IPV4], [MINIFW_TAB_IPV6] */
	struct minifw_cls *cls;
};

/*
 * A chain's compiled runs, shared by the rulesets whose chain has the
 * same rules (an edit of another chain does not rebuild them): nruns runs,
 * then a sentinel.
 */
struct minifw_runs {
	refcount_t ref;
	u32 n;
	struct minifw_run run[];
};

/*
 * A chain: built-in (one per hook) or user-defined. A user chain's policy
 * is MINIFW_T_RETURN: a packet that reaches its end goes back to where it
 * came from, counted on policy_cnt.
 */
struct minifw_chain {
	struct minifw_rule *rules;	/* nrules used, cap allocated */
	u32 nrules;
	u32 cap;
	u8 policy;			/* MINIFW_T_ACCEPT, MINIFW_T_DROP, MINIFW_T_RETURN */
	/*
	 * The built-in chains it is reached from by jumps (MINIFW_CHAIN_BIT()
	 * each; a built-in chain, its own): set by minifw_ruleset_check_graph().
	 */
	u8 hooks;
	u32 refs;			/* rules that jump or go to it */
	/* the last line of this edit that changed it, for errors; or 0 */
	u32 lineno;
	struct minifw_counter *policy_cnt;
	/*
	 * Compiled runs, in order, then one with first == MINIFW_NO_RULE; or
	 * NULL, and the chain is walked rule by rule (before
	 * minifw_ruleset_compile(), or where no run is long enough).
	 */
	struct minifw_run *runs;
	u32 nruns;
	struct minifw_runs *compiled;	/* what holds runs, or NULL */
	/*
	 * A copy's: the rules of the chain it was copied from, which compiled
	 * is of; minifw_ruleset_compile() keeps compiled if the rules are
	 * still the same (and forgets these)
	 */
	const struct minifw_rule *built_from;
	u32 built_n;
	/*
	 * What no rule of the chain reads (MINIFW_SKIP_*), so the hook need
	 * not find it in the packet; set by minifw_ruleset_compile(). 0, the
	 * default, has the hook fill in everything.
	 */
	u8 skip;
	char name[MINIFW_CHAIN_NAME_MAX + 1];
};

/*
 * A whole ruleset. Immutable once published: edits build a new one. ref is
 * held by the published pointer and by each open listing of the proc files.
 *
 * chain[] holds the built-in chains (enum minifw_chain_id), then the user
 * chains in the order they were made; a jump names its chain by index
 * there. byname[] lists the user chains' indices sorted by name (strcmp(),
 * as libiptc sorts them): how names are looked up, and the listing order.
 */
struct minifw_ruleset {
	struct minifw_chain *chain;
	u32 nchains;			/* MINIFW_NCHAINS and the user chains */
	u32 capchains;			/* allocated of chain[] and byname[] */
	u32 *byname;			/* nchains - MINIFW_NCHAINS entries */
	u32 nrules;			/* in all chains */
	u8 table;			/* enum minifw_table_id (filter: 0) */
	refcount_t ref;
	/* the block new counters come from (while private); dropped with the ruleset */
	struct minifw_counter_block *cblk;
	struct rcu_work rwork;		/* frees it after a grace period */
};

/* An IPv6 address as two host-order words, for ordering. */
static __always_inline u64 minifw_ip6_word(const union minifw_addr *a, unsigned int w)
{
	return (u64)ntohl(a->ip6[2 * w]) << 32 | ntohl(a->ip6[2 * w + 1]);
}

/* Protocols whose ports xt_tcp, xt_udp, xt_sctp and xt_dccp read. */
static inline bool minifw_port_proto(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_DCCP;
}

/* ruleset.c */
struct minifw_ruleset *minifw_ruleset_new(void);
void minifw_ruleset_put(struct minifw_ruleset *rs);
struct minifw_ruleset *minifw_ruleset_edit(const struct minifw_ruleset *cur,
					   const struct minifw_cmd *cmds, u32 n,
					   struct minifw_err *err);
int minifw_ruleset_apply(struct minifw_ruleset *rs, const struct minifw_cmd *cmd,
			 struct minifw_err *err);
void minifw_ruleset_inherit_policies(struct minifw_ruleset *rs,
				     const struct minifw_ruleset *cur);
u32 minifw_ruleset_count(const struct minifw_ruleset *rs);
int minifw_chain_find(const struct minifw_ruleset *rs, const char *name);
const struct minifw_chain *minifw_listed_chain(const struct minifw_ruleset *rs, u32 k);
bool minifw_ruleset_has_target(const struct minifw_ruleset *rs, unsigned int target);
bool minifw_ruleset_has_ctstate(const struct minifw_ruleset *rs);
bool minifw_ruleset_has_match(const struct minifw_ruleset *rs, const struct minifw_ext_ops *ops);
int minifw_chain_trim(struct minifw_chain *c);

/* graph.c */
int minifw_ruleset_check_graph(struct minifw_ruleset *rs, struct minifw_err *err);

/* compile.c */
int minifw_ruleset_compile(struct minifw_ruleset *rs, struct minifw_err *err);
void minifw_chain_uncompile(struct minifw_chain *c);
extern unsigned int minifw_run_min;
extern unsigned int minifw_class_min;

/*
 * The hash of a classifier table (compile.c builds with it, walk.c looks
 * up): the masked key of an IPv4 packet or rule, @shift as the table's
 * (and minifw_chash6() an IPv6 one's).
 */
#define MINIFW_CHASH_MUL	0x9e3779b97f4a7c15ULL	/* 2^64 / the golden ratio */
#define MINIFW_CHASH_MUL2	0xc2b2ae3d27d4eb4fULL	/* another odd constant (xxHash's) */

static __always_inline u32 minifw_chash4(u64 seed, __be32 src, __be32 dst, u32 port,
					 u8 shift)
{
	u64 h = ((u64)(__force u32)src << 32 | (__force u32)dst) ^ seed;

	/* Fibonacci hashing: the top bits of the product depend on all below */
	return (h + port * MINIFW_CHASH_MUL2) * MINIFW_CHASH_MUL >> shift;
}

static __always_inline u32 minifw_chash6(u64 seed, const __be32 *src, const __be32 *dst,
					 u32 port, u8 shift)
{
	u64 h = seed;
	unsigned int w;

	for (w = 0; w < 4; w += 2) {
		h = (h ^ ((u64)(__force u32)src[w] << 32 | (__force u32)src[w + 1])) *
		    MINIFW_CHASH_MUL;
		h = (h ^ ((u64)(__force u32)dst[w] << 32 | (__force u32)dst[w + 1])) *
		    MINIFW_CHASH_MUL;
	}
	return (h + port * MINIFW_CHASH_MUL2) * MINIFW_CHASH_MUL >> shift;
}

#endif /* MINIFW_RULESET_H */
