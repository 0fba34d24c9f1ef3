/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: the rule language: what a parsed rule and command are, and the
 * interface of rules.c (the parser and printer of the core options; the
 * extensions' own options are theirs, see include/ext.h).
 */
#ifndef MINIFW_RULES_H
#define MINIFW_RULES_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/types.h>
#include <linux/if.h>
#include <linux/in.h>
#include <linux/in6.h>
#else
#include "minifw_user.h"
#endif

/*
 * The built-in chains, one per netfilter hook, in packet-flow order; also
 * the listing order. A ruleset's user-defined chains follow them (see
 * &struct minifw_ruleset).
 */
enum minifw_chain_id {
	MINIFW_PREROUTING,
	MINIFW_INPUT,
	MINIFW_FORWARD,
	MINIFW_OUTPUT,
	MINIFW_POSTROUTING,
	MINIFW_NCHAINS,				/* built-in chains */
	MINIFW_ALL_CHAINS = MINIFW_NCHAINS,	/* -F, -Z, -X without a chain */
	MINIFW_USER_CHAIN,			/* the user chain named in cmd->name */
};

/* A set of built-in chains: bit 1 << enum minifw_chain_id for each. */
#define MINIFW_CHAIN_BIT(chain)	(1U << (chain))
#define MINIFW_ALL_BUILTIN	((1U << MINIFW_NCHAINS) - 1)

/*
 * The tables, as iptables' -t names them. Filter is 0: a command without
 * -t is filter's. (Only filter has rules so far: the writer refuses the
 * others' commands.)
 */
enum minifw_table_id {
	MINIFW_TABLE_FILTER,
	MINIFW_TABLE_RAW,
	MINIFW_TABLE_MANGLE,
	MINIFW_TABLE_NAT,
	MINIFW_NTABLES,
};

#define MINIFW_TABLE_BIT(table)	(1U << (table))

/* Longest name of a user-defined chain, as iptables (XT_EXTENSION_MAXNAMELEN - 1). */
#define MINIFW_CHAIN_NAME_MAX	28
/* Most chains a ruleset may have, built-in ones included (a jump's u16). */
#define MINIFW_MAX_CHAINS	65535
/*
 * Most calls (-j CHAIN) a packet may be inside at once: the walk's stack.
 * iptables sizes its stack by the number of user chains, nftables allows 16
 * (NFT_JUMP_STACK_SIZE); real rulesets nest three or four deep.
 */
#define MINIFW_MAX_CALLS	32
/* most rules one packet may be checked against in one built-in chain, calls included */
#define MINIFW_MAX_CHECKS	BIT(24)

/*
 * What a rule does with a packet it matches, and what a chain decides
 * (minifw_chain_eval()); ACCEPT and DROP are the core's, REJECT and LOG
 * those of their extensions (ext/REJECT.c, ext/LOG.c).
 */
enum minifw_target {
	MINIFW_T_NONE,		/* no -j: count and go on to the next rule */
	MINIFW_T_ACCEPT,
	MINIFW_T_DROP,
	MINIFW_T_REJECT,	/* drop and answer; target_arg: enum minifw_reject */
	MINIFW_T_LOG,		/* log and go on */
	MINIFW_T_MARK,		/* change the packet's mark and go on */
	MINIFW_T_CONNMARK,	/* change the connection's or packet's mark, go on */
	MINIFW_T_SET,		/* add to or delete from ipset sets, go on */
	MINIFW_T_NFLOG,		/* hand to nfnetlink_log, go on */
	MINIFW_T_NFQUEUE,	/* hand to a queue's reader; arg: queue | MINIFW_NFQUEUE_BYPASS */
	MINIFW_T_AUDIT,		/* an audit record, go on */
	MINIFW_T_UNSET,		/* policy not given in a restore block (yet) */
	MINIFW_T_JUMP,		/* -j CHAIN: call it; target_arg: its index */
	MINIFW_T_GOTO,		/* -g CHAIN: go on there, never back here */
	MINIFW_T_RETURN,	/* back to the caller; a user chain's "policy" */
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
	MINIFW_REJ_POLICY_FAIL,		/* IPv6 only: icmp6-policy-fail */
	MINIFW_REJ_REJECT_ROUTE,	/* IPv6 only: icmp6-reject-route */
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
/* -m conntrack only: besides its state, the connection is source or destination NATed */
#define MINIFW_CT_SNAT		0x20
#define MINIFW_CT_DNAT		0x40

/*
 * What minifw_chain_eval() returns: the target in the low byte, its
 * argument (enum minifw_reject; inside the walk, a jump's chain) above it.
 */
#define MINIFW_VERDICT(target, arg)	((target) | (arg) << 8)
#define MINIFW_VERDICT_TARGET(v)	((v) & 0xff)
#define MINIFW_VERDICT_ARG(v)		((v) >> 8)
/* -j NFQUEUE --queue-bypass, in its verdict's argument beside the queue */
#define MINIFW_NFQUEUE_BYPASS		0x10000

/* struct minifw_match.flags */
#define MINIFW_INV_SRC		0x0001
#define MINIFW_INV_DST		0x0002
#define MINIFW_INV_PROTO	0x0004
#define MINIFW_INV_SPORT	0x0008
#define MINIFW_INV_DPORT	0x0010
#define MINIFW_INV_IN		0x0020
#define MINIFW_INV_OUT		0x0040
#define MINIFW_L4		0x0080	/* -m tcp/udp/icmp/icmp6 (explicit or implied) */
#define MINIFW_INV_ICMP		0x0100
#define MINIFW_INV_TCPFLAGS	0x0200
#define MINIFW_CTSTATE		0x0400	/* -m conntrack/state: ctstate */
#define MINIFW_INV_CTSTATE	0x0800
/* every "!" above: a new MINIFW_INV_* goes here too (walk.c's minifw_match()) */
#define MINIFW_INV_ANY		(MINIFW_INV_SRC | MINIFW_INV_DST | MINIFW_INV_PROTO | \
				 MINIFW_INV_SPORT | MINIFW_INV_DPORT | MINIFW_INV_IN | \
				 MINIFW_INV_OUT | MINIFW_INV_ICMP | MINIFW_INV_TCPFLAGS | \
				 MINIFW_INV_CTSTATE)
/* what of the rule's extensions the walk must call (set from them) */
#define MINIFW_X_MATCH		0x1000	/* an extension's .match */
#define MINIFW_X_TARGET		0x2000	/* the target extension's .target */

/*
 * Longest rule text the printer produces (options only, no "-A CHAIN"). A
 * rule has at most MINIFW_MATCH_MAX (8) matches, and one of limit, quota,
 * statistic and recent; the longest IPv4 rule takes the 8 that print
 * longest and every core option at its longest: 2571 bytes (negated dotted
 * masks 74, interfaces 42, tcp with both ports and flags 113, 15 multiport
 * slots 114, time with every option 264, a comment of 255 quotes 534,
 * recent with a name of 199 bytes 307, conntrack with every option 446,
 * set with a name of 31 bytes and every option 204, addrtype 254, NFLOG
 * with a prefix of 63 quotes 220). An IPv6 rule has longer addresses (98,
 * conntrack's 546, recent's mask) but fewer address types: 2618 bytes in
 * OUTPUT (no -i there) with -m time, -m set and -m recent.
 * test_longest_rule() checks both, and the rule with the most words (148,
 * in OUTPUT), which MINIFW_MAX_TOKENS (rules.c) must hold with "-A CHAIN".
 * The bound leaves room for longer extensions to come; with "-A", the
 * longest chain name and blanks (32 bytes more) a listed rule still fits
 * MINIFW_LINE_MAX, so every listing reads back.
 */
#define MINIFW_RULE_TEXT_MAX	3072
/*
 * Longest line accepted from /proc/minifw/rules, newline excluded: any
 * listed line ("-A POSTROUTING " and the rule) fits.
 */
#define MINIFW_LINE_MAX		3200

/* Most -m extensions one rule may have (each at most once). */
#define MINIFW_MATCH_MAX	8

/* An IPv4 address is the first word, the other three zero. */
union minifw_addr {
	__be32 ip;
	__be32 ip6[4];
};

/* The 129 IPv6 masks, /0 to /128 (syntax.c). */
extern union minifw_addr minifw_prefix6[129];

/*
 * What a rule matches: the fields the walk tests inline and the compiler of
 * runs reads (addresses, family, protocol, ports, interfaces, and what the
 * hook reads of the transport header and of conntrack), whichever option
 * set them: the core's (-s, -p, -i ...) or a core-backed extension's (tcp's
 * --dport, conntrack's --ctstate). What other extensions match is in the
 * rule's &struct minifw_ext.
 *
 * Every field is canonical (host bits masked, unused bytes zero) so that two
 * rules that list alike compare equal with memcmp(): that is how
 * "-D CHAIN rule" finds its rule.
 */
struct minifw_match {
	union minifw_addr src, dst;	/* host bits cleared */
	/*
	 * Match if (saddr & mask) == src. An IPv4 rule's masks are the
	 * netmasks (any, as 255.0.255.0: minifw_mask4()); an IPv6 rule's,
	 * prefix lengths, as ip6tables takes no other (minifw_mask6()):
	 * 8 bytes, not 32. 0: any address, in both.
	 */
	u32 smsk, dmsk;
	u16 sport[2];		/* inclusive range, host order; 0:65535 = any */
	u16 dport[2];
	u16 flags;		/* MINIFW_INV_*, MINIFW_L4, MINIFW_CTSTATE, MINIFW_X_* */
	/* the -m extensions as given, by registry number (ext.c); 0 ends */
	u8 exts[MINIFW_MATCH_MAX];
	u8 family;		/* MINIFW_FAM_* */
	u8 proto;		/* 0 = any */
	u8 inlen, outlen;	/* bytes of in/out compared; "eth+" -> 3 */
	u8 icmp_type;		/* --icmp-type, --icmpv6-type; 0xff = any */
	u8 icmp_code[2];	/* inclusive code range */
	u8 tcp_fmsk, tcp_fcmp;	/* --tcp-flags: (flags & fmsk) == fcmp */
	u8 ctstate;		/* MINIFW_CT_* */
	/* the names as written, numbered (minifw_ifname()); 0 = any */
	u16 in, out;
};

/* A rule's IPv4 mask @msk (&struct minifw_match.smsk) as a netmask. */
static __always_inline __be32 minifw_mask4(u32 msk)
{
	return (__force __be32)msk;
}

/*
 * A rule's IPv6 mask @msk as 128 bits. An IPv4 rule's mask, which the walk
 * of an IPv6 packet reads before it tests the family, is clamped to /128:
 * meaningless, but in bounds.
 */
static __always_inline const union minifw_addr *minifw_mask6(u32 msk)
{
	return &minifw_prefix6[msk < 128 ? msk : 128];
}

void minifw_mask_addr(union minifw_addr *mask, u32 msk, u8 family);
u32 minifw_mask_pack(const union minifw_addr *mask, u8 family);

struct minifw_counter;
struct minifw_ext;

struct minifw_rule {
	struct minifw_match m;
	u8 target;			/* enum minifw_target */
	u8 xtarget;			/* the -j extension's registry number, or 0 */
	/* REJECT: enum minifw_reject; JUMP, GOTO: the chain's index in the ruleset */
	u16 target_arg;
	const struct minifw_ext *ext;	/* data of its extensions, or NULL */
	struct minifw_counter *cnt;
};

enum minifw_op {
	MINIFW_OP_APPEND,	/* -A */
	MINIFW_OP_INSERT,	/* -I */
	MINIFW_OP_DELETE_NUM,	/* -D CHAIN N */
	MINIFW_OP_DELETE_RULE,	/* -D CHAIN rule */
	MINIFW_OP_REPLACE,	/* -R */
	MINIFW_OP_FLUSH,	/* -F */
	MINIFW_OP_POLICY,	/* -P, and ":CHAIN POLICY" in a restore block */
	MINIFW_OP_ZERO,		/* -Z */
	MINIFW_OP_CHECK,	/* -C CHAIN rule: fails if there is no such rule */
	MINIFW_OP_NEW_CHAIN,	/* -N, and ":NAME -" in a restore block */
	MINIFW_OP_DELETE_CHAIN,	/* -X */
	MINIFW_OP_RENAME_CHAIN,	/* -E */
};

/*
 * One parsed line; the rule's fields are those of &struct minifw_rule.
 * Chains are named, not numbered, until the command is applied: user
 * chains exist only in the ruleset it is applied to.
 */
struct minifw_cmd {
	u8 op;			/* enum minifw_op */
	u8 chain;		/* enum minifw_chain_id, or MINIFW_USER_CHAIN */
	u8 policy;		/* MINIFW_OP_POLICY */
	u8 target;
	u8 xtarget;
	u8 table;		/* enum minifw_table_id: -t, filter without */
	u16 target_arg;		/* JUMP, GOTO: set when applied, from arg */
	u32 num;		/* rule number, 1-based; 0 = none given */
	u32 lineno;		/* for errors found when applying */
	struct minifw_match m;
	struct minifw_ext *ext;	/* a reference, or NULL: see minifw_cmd_free() */
	char name[MINIFW_CHAIN_NAME_MAX + 1];	/* the user chain, or "" */
	char arg[MINIFW_CHAIN_NAME_MAX + 1];	/* -j/-g CHAIN; -E's new name */
};

/* Why a line was refused: "line 3: unknown option \"--dprot\"" */
struct minifw_err {
	u32 line;		/* 1-based line of the open file, 0 = none */
	char msg[256];
};

/* rules.c: names */
const char *minifw_chain_name(unsigned int chain);
const char *minifw_chain_list(unsigned int chains, char *buf, size_t len);
const char *minifw_table_name(unsigned int table);
unsigned int minifw_table_chains(unsigned int table);
unsigned int minifw_table_before_ct(unsigned int table);
const char *minifw_target_name(unsigned int target);
bool minifw_is_target_name(const char *s);

/* rules.c: parser and printer */
int minifw_parse_line(char *line, struct minifw_cmd *cmd, struct minifw_err *err);
int minifw_parse_block_line(char *line, struct minifw_cmd *cmd, struct minifw_err *err);
int minifw_parse_policy_line(char *line, struct minifw_cmd *cmd, struct minifw_err *err);
void minifw_cmd_free(struct minifw_cmd *cmd);
void minifw_cmd_rule(const struct minifw_cmd *cmd, struct minifw_rule *r);
int minifw_rule_format(const struct minifw_rule *r, const char *jump, char *buf, size_t len);
int minifw_check_ifaces(const struct minifw_match *m, unsigned int hooks,
			struct minifw_err *err);
/* rules.c: an IPv6 address as ip6tables-save prints it (glibc's inet_ntop()) */
void minifw_fmt_ip6(char *buf, size_t len, const union minifw_addr *a);

/* syntax.c: an address as iptables reads it */
int minifw_parse_addr(const char *s, union minifw_addr *addr, union minifw_addr *mask,
		      u8 *family, struct minifw_err *err);

#endif /* MINIFW_RULES_H */
