/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: rule types and the interface of rules.c (parser, printer, matcher,
 * ruleset editing and the write protocol of /proc/minifw/rules).
 *
 * rules.c takes no locks and knows nothing of procfs, so it also builds in
 * user space (see include/minifw_user.h) for unit tests and fuzzing.
 */
#ifndef MINIFW_H
#define MINIFW_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/if.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#else
#include "minifw_user.h"
#endif

/* The five netfilter hooks, in packet-flow order; also the listing order. */
enum minifw_chain_id {
	MINIFW_PREROUTING,
	MINIFW_INPUT,
	MINIFW_FORWARD,
	MINIFW_OUTPUT,
	MINIFW_POSTROUTING,
	MINIFW_NCHAINS,
	MINIFW_ALL_CHAINS = MINIFW_NCHAINS,	/* -F / -Z without a chain */
};

enum minifw_target {
	MINIFW_T_NONE,		/* no -j: count and go on to the next rule */
	MINIFW_T_ACCEPT,
	MINIFW_T_DROP,
	MINIFW_T_REJECT,	/* drop and answer; target_arg: enum minifw_reject */
	MINIFW_T_LOG,		/* log and go on; options in struct minifw_ext */
	MINIFW_T_UNSET,		/* policy not given in a restore block (yet) */
};

/* -j REJECT --reject-with ... */
enum minifw_reject {
	MINIFW_REJ_PORT_UNREACH,	/* the default */
	MINIFW_REJ_NET_UNREACH,
	MINIFW_REJ_HOST_UNREACH,
	MINIFW_REJ_PROTO_UNREACH,
	MINIFW_REJ_NET_PROHIB,
	MINIFW_REJ_HOST_PROHIB,
	MINIFW_REJ_ADMIN_PROHIB,
	MINIFW_REJ_TCP_RESET,
	MINIFW_REJ_NOROUTE,		/* IPv6 only: icmp6-no-route */
	MINIFW_REJ_ADDR_UNREACH,	/* IPv6 only: icmp6-addr-unreachable */
};

/*
 * Address families a rule applies to (struct minifw_match.family) and a
 * packet has (struct minifw_pkt.family). A rule with no address, like an
 * nftables "inet" rule, applies to both.
 */
#define MINIFW_FAM_ANY		0
#define MINIFW_FAM_IPV4		4
#define MINIFW_FAM_IPV6		6

/* -m conntrack --ctstate, -m state --state: bits in listing order */
#define MINIFW_CT_INVALID	0x01
#define MINIFW_CT_NEW		0x02
#define MINIFW_CT_RELATED	0x04
#define MINIFW_CT_ESTABLISHED	0x08
#define MINIFW_CT_UNTRACKED	0x10

/*
 * What minifw_chain_eval() returns: the target in the low byte, its
 * argument (enum minifw_reject) above it.
 */
#define MINIFW_VERDICT(target, arg)	((target) | (arg) << 8)
#define MINIFW_VERDICT_TARGET(v)	((v) & 0xff)
#define MINIFW_VERDICT_ARG(v)		((v) >> 8)

/* struct minifw_match.flags */
#define MINIFW_INV_SRC		0x0001
#define MINIFW_INV_DST		0x0002
#define MINIFW_INV_PROTO	0x0004
#define MINIFW_INV_SPORT	0x0008
#define MINIFW_INV_DPORT	0x0010
#define MINIFW_INV_IN		0x0020
#define MINIFW_INV_OUT		0x0040
#define MINIFW_L4		0x0080	/* -m tcp/udp/icmp (explicit or implied) */
#define MINIFW_INV_ICMP		0x0100
#define MINIFW_INV_TCPFLAGS	0x0200
#define MINIFW_MULTIPORT	0x0400	/* -m multiport, in struct minifw_ext */
#define MINIFW_INV_MULTIPORT	0x0800
#define MINIFW_SRCRANGE		0x1000	/* -m iprange --src-range */
#define MINIFW_INV_SRCRANGE	0x2000
#define MINIFW_DSTRANGE		0x4000	/* -m iprange --dst-range */
#define MINIFW_INV_DSTRANGE	0x8000
#define MINIFW_CTSTATE		0x10000	/* -m conntrack/state: ctstate */
#define MINIFW_INV_CTSTATE	0x20000

/* Default of the max_rules module parameter. */
#define MINIFW_DEFAULT_MAX_RULES	262144
extern unsigned int minifw_max_rules;

/*
 * Longest rule text the printer produces (options only, no "-A CHAIN"):
 * every option at its longest is 1258 bytes (negated dotted masks 74,
 * interfaces 42, tcp with both ports and flags 113, 15 multiport slots 114,
 * two ranges 103, a comment of 255 quotes 534, limit 57, conntrack 65,
 * LOG 175). An IPv6 rule is shorter: its addresses take 98, but it has no
 * -m iprange.
 */
#define MINIFW_RULE_TEXT_MAX	1280
/*
 * Longest line accepted from /proc/minifw/rules, newline excluded: any
 * listed line ("-A POSTROUTING " and the rule) fits.
 */
#define MINIFW_LINE_MAX		1536

#define MINIFW_MP_MAX		15	/* -m multiport: ports, a range counts 2 */
#define MINIFW_COMMENT_MAX	255	/* -m comment --comment */
#define MINIFW_LOG_PREFIX_MAX	29	/* -j LOG --log-prefix */

/* -m multiport: which ports */
enum { MINIFW_MP_SRC = 1, MINIFW_MP_DST, MINIFW_MP_ANY };

/*
 * Matches a rule may have, for struct minifw_match.order. L4 is the one
 * named by the protocol: tcp, udp, icmp or icmp6.
 */
enum {
	MINIFW_M_L4 = 1, MINIFW_M_MULTIPORT, MINIFW_M_IPRANGE, MINIFW_M_COMMENT,
	MINIFW_M_LIMIT, MINIFW_M_CONNTRACK, MINIFW_M_STATE
};

#define MINIFW_M_BITS		3	/* bits of one entry in .order */

/* -m limit: rates in iptables' unit, 1/MINIFW_LIMIT_SCALE second per packet */
#define MINIFW_LIMIT_SCALE	10000
#define MINIFW_LIMIT_BURST	5	/* default --limit-burst */
#define MINIFW_LIMIT_BURST_MAX	10000

/* An IPv4 address is the first word, the other three zero. */
union minifw_addr {
	__be32 ip;
	__be32 ip6[4];
};

/*
 * What a rule matches. Every field is canonical (host bits masked, unused
 * bytes zero) so that two rules that list alike compare equal with memcmp():
 * that is how "-D CHAIN rule" finds its rule.
 */
struct minifw_match {
	union minifw_addr src, smsk;	/* match if (saddr & smsk) == src */
	union minifw_addr dst, dmsk;
	u16 sport[2];		/* inclusive range, host order; 0:65535 = any */
	u16 dport[2];
	u32 flags;		/* MINIFW_INV_*, MINIFW_L4, ... */
	u32 order;		/* MINIFW_M_* as given, MINIFW_M_BITS each, first lowest */
	u8 family;		/* MINIFW_FAM_* */
	u8 proto;		/* 0 = any */
	u8 inlen, outlen;	/* bytes of in/out compared; "eth+" -> 3 */
	u8 icmp_type;		/* --icmp-type, --icmpv6-type; 0xff = any */
	u8 icmp_code[2];	/* inclusive code range */
	u8 tcp_fmsk, tcp_fcmp;	/* --tcp-flags: (flags & fmsk) == fcmp */
	u8 ctstate;		/* MINIFW_CT_* */
	char in[IFNAMSIZ];	/* as written, "" = any */
	char out[IFNAMSIZ];
	u8 pad[2];		/* explicit, so memcmp() sees only zeroes */
};

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

struct minifw_counter {
	refcount_t ref;
	/* -m limit's token bucket, as xt_limit: updated without locks */
	u32 credit;
	unsigned long prev;		/* jiffies of the last update */
	struct minifw_cpu_counter __percpu *pcpu;
	struct minifw_counter_block *blk;	/* where it was handed out */
};

/*
 * Counters come in blocks: one kmalloc() and one per-CPU allocation for up
 * to MINIFW_CNT_BLOCK_MAX of them (see minifw_counter_new() in rules.c). A
 * block is freed when its last counter and the ruleset that made it are gone.
 */
#define MINIFW_CNT_BLOCK_MAX	127	/* 16 + 127 * 32 bytes: just under 4 KiB */

struct minifw_counter_block {
	struct minifw_cpu_counter __percpu *pcpu;	/* @size of them */
	refcount_t live;		/* counters handed out and alive, +1 for the builder */
	u16 size;			/* slots */
	u16 used;			/* slots handed out, in order; never reused */
	struct minifw_counter slot[];
};

/*
 * What few rules have: -m multiport, -m iprange, -m comment, -m limit's
 * rate, LOG's options.
 * Immutable; shared, like counters, by every ruleset version holding the
 * rule. Everything before .ref is compared with memcmp(): keep it zeroed.
 */
struct minifw_ext {
	u32 src_range[2];	/* --src-range, host order, inclusive */
	u32 dst_range[2];
	u16 ports[MINIFW_MP_MAX][2];	/* multiport: inclusive ranges */
	u8 nports;		/* entries used in ports */
	u8 mp_dir;		/* MINIFW_MP_* */
	u8 log_level;		/* 0-7, syslog's */
	u8 log_flags;		/* NF_LOG_* */
	u32 limit_avg;		/* -m limit: period per packet, 1/MINIFW_LIMIT_SCALE s; 0 = none */
	u32 limit_burst;
	u32 limit_cost;		/* credits per packet, and at most (as xt_limit) */
	u32 limit_cap;
	char log_prefix[MINIFW_LOG_PREFIX_MAX + 1];
	char comment[MINIFW_COMMENT_MAX + 1];
	u8 pad2[2];
	refcount_t ref;
};

struct minifw_rule {
	struct minifw_match m;
	u8 target;			/* enum minifw_target */
	u8 target_arg;			/* REJECT: enum minifw_reject */
	const struct minifw_ext *ext;	/* or NULL */
	struct minifw_counter *cnt;
};

/*
 * The compiled form of a chain (see "DOC: Compiled chains" in rules.c).
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
	 * IPv4 tables of MINIFW_BUCKET_MIN intervals or more: an index on
	 * the top bits of the address, about one entry an interval (at most
	 * 2^16). bucket[b] is the interval holding address b << bshift, for b
	 * from 0 to 2^(32 - bshift) (that one: the last interval), so a
	 * lookup searches only [bucket[b], bucket[b + 1]].
	 */
	u32 *bucket;
	u8 bshift;
};

/*
 * Rules [first, end) of a chain, all with a deciding target and alike but
 * for one address (and the family it implies): what else they match is in
 * rest, with both addresses and the family wildcarded.
 */
enum { MINIFW_TAB_IPV4, MINIFW_TAB_IPV6 };	/* first index of .tab */
enum { MINIFW_TAB_SRC, MINIFW_TAB_DST };	/* second index */

struct minifw_run {
	u32 first, end;
	struct minifw_match rest;
	struct minifw_itab tab[2][2];	/* [family][field] */
};

struct minifw_chain {
	struct minifw_rule *rules;	/* nrules used, cap allocated */
	u32 nrules;
	u32 cap;
	u8 policy;			/* MINIFW_T_ACCEPT or MINIFW_T_DROP */
	struct minifw_counter *policy_cnt;
	/*
	 * Compiled runs, in order, then one with first == MINIFW_NO_RULE; or
	 * NULL, and the chain is walked rule by rule (before
	 * minifw_ruleset_compile(), or where no run is long enough).
	 */
	struct minifw_run *runs;
	u32 nruns;
	/*
	 * What no rule of the chain reads (MINIFW_SKIP_*), so the hook need
	 * not find it in the packet; set by minifw_ruleset_compile(). 0, the
	 * default, has the hook fill in everything.
	 */
	u8 skip;
};

/*
 * struct minifw_chain.skip, what the hook leaves 0 in struct minifw_pkt:
 *   MINIFW_SKIP_L4     fragoff, l4, ports, sport, dport, icmp_type,
 *                      icmp_code, tcp_flags (the transport header read)
 *   MINIFW_SKIP_PROTO  IPv6: proto, badhdr (ipv6_find_hdr()); only ever
 *                      with MINIFW_SKIP_L4, whose offset it finds
 *   MINIFW_SKIP_CT     ctstate (the conntrack lookup)
 */
#define MINIFW_SKIP_L4		0x01
#define MINIFW_SKIP_PROTO	0x02
#define MINIFW_SKIP_CT		0x04

/*
 * A whole ruleset. Immutable once published: edits build a new one. ref is
 * held by the published pointer and by each open listing of the proc files.
 */
struct minifw_ruleset {
	struct minifw_chain chain[MINIFW_NCHAINS];
	refcount_t ref;
	/* the block new counters come from (while private); dropped with the ruleset */
	struct minifw_counter_block *cblk;
	struct rcu_work rwork;		/* frees it after a grace period */
};

/*
 * What the matcher needs to know of a packet; filled by the hook, but for
 * what the chain's skip (MINIFW_SKIP_*) leaves 0. A match on a new field
 * must also be known to minifw_chain_skip() (rules.c) and hook_pkt_skip()
 * (tests/unit/hook_pkt.h).
 */
struct minifw_pkt {
	union minifw_addr saddr, daddr;	/* IPv4: only .ip is set */
	u8 family;		/* MINIFW_FAM_IPV4 or MINIFW_FAM_IPV6 */
	u8 proto;		/* IPv6: the header after the extension headers */
	bool badhdr;		/* IPv6: the extension headers could not be read */
	bool l4;		/* the whole transport header was read */
	bool ports;		/* TCP, UDP: at least the ports were read */
	__be16 sport, dport;	/* TCP, UDP: valid if ports */
	u8 icmp_type, icmp_code;	/* ICMP, ICMPv6: valid if l4 */
	u8 tcp_flags;		/* TCP: byte 13 of the header, valid if l4 */
	u8 ctstate;		/* one MINIFW_CT_* bit */
	/*
	 * Fragment offset, 0 for a first fragment or a whole packet; IPv4 in
	 * 8-byte units, IPv6 in bytes (as ip_tables and ip6_tables have it).
	 */
	u16 fragoff;
	u32 len;		/* bytes counted: the IP packet length */
	const char *in;		/* device names, "" if none */
	const char *out;
	const void *ctx;	/* the hook's, for minifw_log() */
};

/*
 * -j LOG: the owner of the packet path logs the packet (minifw.c; the
 * user-space tests have their own).
 */
void minifw_log(const struct minifw_rule *r, const struct minifw_pkt *pkt);

enum minifw_op {
	MINIFW_OP_APPEND,	/* -A */
	MINIFW_OP_INSERT,	/* -I */
	MINIFW_OP_DELETE_NUM,	/* -D CHAIN N */
	MINIFW_OP_DELETE_RULE,	/* -D CHAIN rule */
	MINIFW_OP_REPLACE,	/* -R */
	MINIFW_OP_FLUSH,	/* -F */
	MINIFW_OP_POLICY,	/* -P, and ":CHAIN POLICY" in a restore block */
	MINIFW_OP_ZERO,		/* -Z */
};

/* One parsed line. */
struct minifw_cmd {
	u8 op;			/* enum minifw_op */
	u8 chain;		/* enum minifw_chain_id */
	u8 policy;		/* MINIFW_OP_POLICY */
	u32 num;		/* rule number, 1-based; 0 = none given */
	u32 lineno;		/* for errors found when applying */
	struct minifw_match m;
	u8 target;
	u8 target_arg;
	struct minifw_ext *ext;	/* a reference, or NULL: see minifw_cmd_free() */
};

/* Why a line was refused: "line 3: unknown option \"--dprot\"" */
struct minifw_err {
	u32 line;		/* 1-based line of the open file, 0 = none */
	char msg[160];
};

/* rules.c: names */
const char *minifw_chain_name(unsigned int chain);
const char *minifw_target_name(unsigned int target);

/* rules.c: parser and printer */
int minifw_parse_line(char *line, struct minifw_cmd *cmd, struct minifw_err *err);
void minifw_cmd_free(struct minifw_cmd *cmd);
int minifw_parse_addr(const char *s, union minifw_addr *addr, union minifw_addr *mask,
		      u8 *family, struct minifw_err *err);
int minifw_rule_format(const struct minifw_rule *r, char *buf, size_t len);

/* rules.c: counters */
struct minifw_counter *minifw_counter_new(struct minifw_ruleset *rs);
void minifw_counter_put(struct minifw_counter *c);
void minifw_counter_read(const struct minifw_counter *c, u64 *pkts, u64 *bytes);

/* rules.c: rulesets */
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
int minifw_ruleset_compile(struct minifw_ruleset *rs, struct minifw_err *err);
extern unsigned int minifw_run_min;
bool minifw_ruleset_has_target(const struct minifw_ruleset *rs, unsigned int target);
bool minifw_ruleset_has_ctstate(const struct minifw_ruleset *rs);

/* rules.c: matcher (packet path) */
unsigned int minifw_chain_eval(const struct minifw_chain *chain,
			       const struct minifw_pkt *pkt);

/*
 * The write protocol of /proc/minifw/rules, one per open file. The owner
 * supplies how a transaction reaches the live ruleset.
 */
struct minifw_writer_ops {
	/* Apply cmds to the live ruleset atomically; all or nothing. */
	int (*commit_cmds)(void *ctx, const struct minifw_cmd *cmds, u32 n,
			   struct minifw_err *err);
	/* Replace the live ruleset by rs (a restore block); takes rs. */
	int (*commit_block)(void *ctx, struct minifw_ruleset *rs,
			    struct minifw_err *err);
};

/* Serialised by its owner (proc.c: one mutex per open file). */
struct minifw_writer {
	const struct minifw_writer_ops *ops;
	void *ctx;
	u32 lineno;			/* lines seen on this file so far */
	u32 linelen;
	bool skipline;			/* dropping the rest of a refused line */
	int write_err;			/* this write failed: drop the rest */
	bool failed;			/* a restore block failed: refuse the rest */
	struct minifw_ruleset *block;	/* restore block being built, or NULL */
	struct minifw_cmd *cmds;	/* this write's commands outside a block */
	u32 ncmds, capcmds;
	struct minifw_err err;		/* why the last call failed */
	char line[MINIFW_LINE_MAX + 1];
};

void minifw_writer_init(struct minifw_writer *w, const struct minifw_writer_ops *ops,
			void *ctx);
int minifw_writer_feed(struct minifw_writer *w, const char *buf, size_t len);
int minifw_writer_end_write(struct minifw_writer *w);
void minifw_writer_abort(struct minifw_writer *w);
int minifw_writer_release(struct minifw_writer *w);

#endif /* MINIFW_H */
