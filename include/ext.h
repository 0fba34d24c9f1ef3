/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: extensions, the matches (-m) and targets (-j) beyond the core
 * options: what one is (&struct minifw_ext_ops), how a rule holds their
 * data (&struct minifw_ext), and the interface of ext.c, which loads them
 * while a rule is parsed and calls them to check, print and match it.
 *
 * An extension is one file in ext/ with one ops table, as libxtables'
 * struct xtables_match and the kernel's struct xt_match are together: its
 * names, its options, how it parses each and checks the rule once the line
 * is read, how it prints itself as iptables-save does, and what it does on
 * the packet path. Like them it has private data of a fixed size, zeroed
 * when it is loaded and compared with memcmp() (so "-D CHAIN rule" finds a
 * rule whatever its extensions hold: keep it canonical).
 *
 * Some extensions are core-backed: the fields they set (tcp's ports,
 * conntrack's states) are those every walked rule and every compiled run
 * reads, so they live in &struct minifw_match and the walk tests them
 * inline; such an extension has no data and no .match.
 *
 * How to add a match
 * ------------------
 * Write ext/NAME.c: its data struct, its options (a &struct minifw_opt
 * table ending with an empty entry), .parse for an option, .check once the
 * line is read (defaults, options it cannot do without), .hooks for the
 * built-in chains it may run in (.data_hooks if its options say),
 * .checkentry for what else the rule must
 * have (the -p it needs), .print in
 * iptables-save's form, and .match for the packet path (lockless,
 * allocation-free and bounded; MINIFW_MATCH, MINIFW_NOMATCH or
 * MINIFW_HOTDROP). Then name it in the registry: its table in ext.c, where
 * its place is also the order in which the walk calls a rule's matches,
 * and its declaration below. Its conformance cases go in
 * tests/unit/conformance.txt.
 */
#ifndef MINIFW_EXT_H
#define MINIFW_EXT_H

#include "rules.h"
#include "syntax.h"
#include "walk.h"
#include "counter.h"

/*
 * An option, of an extension or of the core (rules.c). A second option of
 * the same id in one rule is refused ("given twice"), unless it may be
 * given again.
 */
struct minifw_opt {
	const char *name, *alias1, *alias2;	/* "--dports", "--destination-ports" */
	u8 id;			/* 0-31, the extension's own numbering */
	u8 nargs;		/* arguments it takes: 0, 1 or 2 */
	u8 flags;		/* MINIFW_OPT_* */
	const char *twice;	/* said after "given twice": " (or with --syn)" */
};

#define MINIFW_OPT_INV		0x01	/* may follow "!" */
#define MINIFW_OPT_AGAIN	0x02	/* may be given again */

struct minifw_rule_parse;

/* What an extension's .parse and .check are given, as libxtables' xt_option_call. */
struct minifw_xcall {
	const struct minifw_ext_ops *ops;	/* the extension called */
	struct minifw_cmd *cmd;		/* the rule so far: core match, target, chain */
	struct minifw_err *err;
	void *data;			/* the extension's data */
	const struct minifw_opt *opt;	/* .parse: the option */
	char **arg;			/* .parse: its opt->nargs arguments */
	bool inv;			/* .parse: it follows "!" */
	u32 seen;			/* ids of its options given so far (this one too) */
	const char **keep;		/* a word it may keep from .parse to .check */
	struct minifw_rule_parse *rp;	/* for minifw_set_family() */
	char tb[MINIFW_TOKBUF];		/* for minifw_xq() */
};

struct minifw_ext_ops {
	const char *name;		/* after -m or -j: "multiport" */
	const char *const *aliases;	/* other names, NULL-terminated, or NULL */
	/*
	 * A target (-j): the rule's target (enum minifw_target), which is the
	 * verdict it gives unless it has a .target. 0: a match (-m).
	 */
	u8 verdict;
	/* a protocol's match: the -p it needs (a rule has one), or 0 */
	u8 proto;
	/*
	 * The built-in chains it may run in, as x_tables' .hooks
	 * (MINIFW_CHAIN_BIT() each), or 0 for all; a rule in a user chain is
	 * checked against the chains that reach it (graph.c). hooks_why says
	 * why not in the others, or NULL to list where it may run.
	 */
	u8 hooks;
	const char *hooks_why;
	/*
	 * Or, where its options say where it may run (addrtype's
	 * --limit-iface-in): the chains for these data, 0 for all, and why
	 * not in the others.
	 */
	u8 (*data_hooks)(const void *data, const char **why);
	/*
	 * The tables it may be in (MINIFW_TABLE_BIT() each), as x_tables'
	 * .table, or 0 for all.
	 */
	u8 tables;
	/*
	 * It reads or changes the packet's connection (-m conntrack, -m
	 * state, -j CONNMARK ...): not in the chains that run before
	 * connection tracking (minifw_table_before_ct()), where no connection
	 * is known yet.
	 */
	bool needs_ct;
	u16 size;			/* bytes of private data */
	u8 reads;			/* MINIFW_SKIP_* fields its .match reads */
	const struct minifw_opt *opts;	/* ending with an entry without name */

	/*
	 * A core-backed extension with data for some options only (conntrack:
	 * all but the state): does a rule with these data keep them and run
	 * .match? NULL: it does if the extension has data, a .match, .target
	 * or .init. A rule that does not keep them has no entry: its listing
	 * gets NULL data (.print must take it) and the walk calls nothing.
	 */
	bool (*kept)(const void *data);

	/* control path */
	int (*parse)(struct minifw_xcall *x);
	/* the line is read: complete the options (defaults), refuse missing ones */
	int (*check)(struct minifw_xcall *x);
	/*
	 * then, as x_tables' checkentry: is the rule valid where it goes (its
	 * chain), with what else it has (its -p)?
	 */
	int (*checkentry)(struct minifw_xcall *x);
	void (*print)(struct minifw_buf *b, const struct minifw_rule *r, const void *data);
	/* does the listing say the rule's family (then no -4/-6 is listed)? */
	bool (*lists_family)(const struct minifw_rule *r, const void *data);
	/*
	 * A rule with it got new counters: set up what it keeps there between
	 * packets (so it keeps state: a verdict depends on the packets before).
	 */
	void (*init)(const void *data, struct minifw_counter *c);
	/*
	 * Without .init, its .match still changes what later packets see
	 * (-m recent's lists). One match with .init or this a rule: they run
	 * after the others, in no order of their own.
	 */
	bool stateful;

	/*
	 * What its .match needs beyond values (-m string's prepared search):
	 * .acquire takes it once the rule's data are kept, after every check
	 * (control path, may sleep), into the data from .cmp on; .release
	 * gives it back when no ruleset holds the rule any more (control path
	 * or RCU callback: does not sleep). The data before .cmp are what two
	 * rules compare (-D, -C); 0: all of them.
	 */
	u16 cmp;
	int (*acquire)(void *data, struct minifw_err *err);
	void (*release)(void *data);

	/* packet path, RCU read side, bottom halves disabled */
	int (*match)(const void *data, const struct minifw_pkt *p, struct minifw_counter *c);
	/* MINIFW_VERDICT(), or MINIFW_T_NONE to go on to the next rule */
	unsigned int (*target)(const void *data, const struct minifw_pkt *p);
};

static inline bool minifw_ext_is_target(const struct minifw_ext_ops *ops)
{
	return ops->verdict != MINIFW_T_NONE;
}

/*
 * May a rule have this match more than once? iptables allows any match
 * twice (-m set --match-set a src -m set ! --match-set b dst): each -m
 * its own data, the options after it its own, all must match. minifw: a
 * match whose data are all it has. Not a protocol's match (a second -m tcp
 * adds nothing), nor one backed by struct minifw_match (.kept: -m
 * conntrack, -m state), nor one that keeps state (.init, .stateful: one a
 * rule).
 */
static inline bool minifw_ext_multi(const struct minifw_ext_ops *ops)
{
	return ops->size && !ops->proto && !ops->kept && !ops->init && !ops->stateful &&
	       !minifw_ext_is_target(ops);
}

/*
 * The data of a rule's extensions that have any: for each, its ops and
 * its data padded to 8 bytes, in registry order. Immutable; shared, like
 * counters, by every ruleset version holding the rule. Everything after
 * .len is compared with memcmp(): allocated zeroed.
 */
struct minifw_ext_entry {
	const struct minifw_ext_ops *ops;
	u64 data[];
};

struct minifw_ext {
	refcount_t ref;
	u32 len;			/* bytes of entries */
	u64 ent[];			/* the entries */
};

static inline u32 minifw_ext_entry_size(const struct minifw_ext_ops *ops)
{
	return sizeof(struct minifw_ext_entry) + ((ops->size + 7U) & ~7U);
}

static inline const struct minifw_ext_entry *minifw_ext_first(const struct minifw_ext *e)
{
	return (const struct minifw_ext_entry *)e->ent;
}

static inline const struct minifw_ext_entry *
minifw_ext_next(const struct minifw_ext_entry *x)
{
	return (const void *)((const u8 *)x + minifw_ext_entry_size(x->ops));
}

static inline bool minifw_ext_more(const struct minifw_ext *e, const struct minifw_ext_entry *x)
{
	return (const u8 *)x < (const u8 *)e->ent + e->len;
}

/* The extensions, each defined in its file in ext/; ext.c's registry lists them. */
extern const struct minifw_ext_ops minifw_xt_tcp;
extern const struct minifw_ext_ops minifw_xt_udp;
extern const struct minifw_ext_ops minifw_xt_icmp;
extern const struct minifw_ext_ops minifw_xt_icmp6;
extern const struct minifw_ext_ops minifw_xt_iprange;
extern const struct minifw_ext_ops minifw_xt_multiport;
extern const struct minifw_ext_ops minifw_xt_sctp;
extern const struct minifw_ext_ops minifw_xt_dccp;
extern const struct minifw_ext_ops minifw_xt_state;
extern const struct minifw_ext_ops minifw_xt_conntrack;
extern const struct minifw_ext_ops minifw_xt_comment;
extern const struct minifw_ext_ops minifw_xt_limit;
extern const struct minifw_ext_ops minifw_xt_REJECT;
extern const struct minifw_ext_ops minifw_xt_LOG;
extern const struct minifw_ext_ops minifw_xt_NFLOG;
extern const struct minifw_ext_ops minifw_xt_NFQUEUE;
extern const struct minifw_ext_ops minifw_xt_length;
extern const struct minifw_ext_ops minifw_xt_ttl;
extern const struct minifw_ext_ops minifw_xt_hl;
extern const struct minifw_ext_ops minifw_xt_pkttype;
extern const struct minifw_ext_ops minifw_xt_dscp;
extern const struct minifw_ext_ops minifw_xt_tos;
extern const struct minifw_ext_ops minifw_xt_ecn;
extern const struct minifw_ext_ops minifw_xt_tcpmss;
extern const struct minifw_ext_ops minifw_xt_frag;
extern const struct minifw_ext_ops minifw_xt_esp;
extern const struct minifw_ext_ops minifw_xt_ah;
extern const struct minifw_ext_ops minifw_xt_mh;
extern const struct minifw_ext_ops minifw_xt_ipv6header;
extern const struct minifw_ext_ops minifw_xt_owner;
extern const struct minifw_ext_ops minifw_xt_statistic;
extern const struct minifw_ext_ops minifw_xt_quota;
extern const struct minifw_ext_ops minifw_xt_recent;
extern const struct minifw_ext_ops minifw_xt_hashlimit;
extern const struct minifw_ext_ops minifw_xt_connlimit;
extern const struct minifw_ext_ops minifw_xt_nfacct;
extern const struct minifw_ext_ops minifw_xt_mark;
extern const struct minifw_ext_ops minifw_xt_MARK;
extern const struct minifw_ext_ops minifw_xt_connmark;
extern const struct minifw_ext_ops minifw_xt_connbytes;
extern const struct minifw_ext_ops minifw_xt_AUDIT;
extern const struct minifw_ext_ops minifw_xt_helper;
extern const struct minifw_ext_ops minifw_xt_time;
extern const struct minifw_ext_ops minifw_xt_CONNMARK;
extern const struct minifw_ext_ops minifw_xt_set;
extern const struct minifw_ext_ops minifw_xt_string;
extern const struct minifw_ext_ops minifw_xt_SET;
extern const struct minifw_ext_ops minifw_xt_addrtype;
extern const struct minifw_ext_ops minifw_xt_mac;
extern const struct minifw_ext_ops minifw_xt_physdev;
extern const struct minifw_ext_ops minifw_xt_rt;
extern const struct minifw_ext_ops minifw_xt_hbh;
extern const struct minifw_ext_ops minifw_xt_dst;

/*
 * The units of a rate, longest first, as libxt_limit's and
 * libxt_hashlimit's print_rate() try them (ext/limit.c).
 */
struct minifw_rate_unit {
	const char *name;	/* as printed */
	const char *word;	/* as parsed: any start of it */
	u32 secs;
};

#define MINIFW_RATE_UNITS	4
extern const struct minifw_rate_unit minifw_rate_units[MINIFW_RATE_UNITS];
u32 minifw_rate_unit_secs(const char *word);

/* The registry, by registry number - 1 (ext.c). */
extern const struct minifw_ext_ops *const minifw_exts[];
extern const unsigned int minifw_nexts;

static inline const struct minifw_ext_ops *minifw_ext_ops(unsigned int id)
{
	return minifw_exts[id - 1];
}

/*
 * A rule being parsed, as rules.c and ext.c share it: the extensions
 * loaded so far, in the order given (the target last), with their data.
 */
struct minifw_loaded {
	const struct minifw_ext_ops *ops;
	u8 id;				/* registry number */
	u16 off;			/* of its data in the scratch */
	u32 seen;			/* ids of its options given */
	const char *keep;		/* see struct minifw_xcall */
};

struct minifw_rule_parse {
	struct minifw_cmd *cmd;
	struct minifw_err *err;
	const char *family_opt;		/* the option that set the rule's family */
	/* the protocol's match the rule named with -m (-m tcp), or NULL */
	const struct minifw_ext_ops *proto_match;
	u8 n;
	struct minifw_loaded x[MINIFW_MATCH_MAX + 1];
	u8 *scratch;			/* the data, MINIFW_EXT_SCRATCH bytes */
	u16 used;
};

/*
 * Most data the extensions of one rule may have together (all of today's
 * in one rule: under 400 bytes).
 */
#define MINIFW_EXT_SCRATCH	1024

/* ext.c: while a rule is parsed (control path) */
const struct minifw_opt *minifw_find_opt(const char *s, const struct minifw_opt *core,
					 const struct minifw_rule_parse *rp,
					 const struct minifw_ext_ops **ops);
int minifw_unknown_option(struct minifw_err *err, const char *name,
			  const struct minifw_opt *core);
int minifw_ext_load_match(struct minifw_rule_parse *rp, const char *name);
int minifw_ext_load_target(struct minifw_rule_parse *rp, const char *name);
bool minifw_ext_is_target_name(const char *name);
void minifw_ext_consider_targets(struct minifw_best *b);
const char *minifw_ext_target_names(char *buf, size_t len);
int minifw_ext_owner(struct minifw_rule_parse *rp, const struct minifw_ext_ops **ops,
		     const struct minifw_opt **o, struct minifw_loaded **slot);
int minifw_ext_parse(struct minifw_rule_parse *rp, struct minifw_loaded *slot,
		     const struct minifw_opt *o, char **arg, bool inv);
int minifw_ext_check(struct minifw_rule_parse *rp);
int minifw_ext_checkentry(struct minifw_rule_parse *rp);
int minifw_ext_where(const struct minifw_ext_ops *ops, const void *data, unsigned int hooks,
		     unsigned int table, struct minifw_err *err);
void minifw_rule_parse_free(struct minifw_rule_parse *rp);
int minifw_set_family(struct minifw_rule_parse *rp, u8 family, const char *opt);
const char *minifw_xq(struct minifw_xcall *x, const char *tok);
struct minifw_ruleset;
int minifw_ext_tables_sync(const struct minifw_ruleset *rs, struct minifw_err *err);
void minifw_ext_tables_retire(const struct minifw_ruleset *rs);
int minifw_x_name(struct minifw_xcall *x, const char *s, char *out, size_t size,
		  const char *what);
int minifw_x_parse_u32_range(struct minifw_xcall *x, const char *what, u32 max,
			     u32 *range);
void minifw_x_put_u32_range(struct minifw_buf *b, const char *opt, const u32 *range, u32 max,
			    bool inv);

/* ext/mark.c: marks as -m mark, -m connmark and their targets read and list them */
int minifw_parse_mark_mask(struct minifw_xcall *x, char *s, u32 *mark, u32 *mask, bool mask_ok);
void minifw_put_mark_mask(struct minifw_buf *b, const char *opt, u32 mark, u32 mask, bool always);

/* ext.c: a rule's extensions */
struct minifw_ext *minifw_ext_get(const struct minifw_ext *e);
void minifw_ext_put(const struct minifw_ext *e);
bool minifw_ext_equal(const struct minifw_ext *a, const struct minifw_ext *b);
const void *minifw_rule_ext_data(const struct minifw_rule *r, const struct minifw_ext_ops *ops);
const void *minifw_rule_ext_nth(const struct minifw_rule *r, const struct minifw_ext_ops *ops,
				unsigned int n);
const void *minifw_rule_match_data(const struct minifw_rule *r, unsigned int k);
void minifw_ext_print_matches(struct minifw_buf *b, const struct minifw_rule *r);
void minifw_ext_print_target(struct minifw_buf *b, const struct minifw_rule *r);
bool minifw_ext_lists_family(const struct minifw_rule *r);
void minifw_ext_init(const struct minifw_rule *r);
u8 minifw_ext_reads(const struct minifw_rule *r);
bool minifw_ext_keeps_state(const struct minifw_rule *r);

#endif /* MINIFW_EXT_H */
