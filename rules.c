// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the rule language: commands (-A, -I, -D, -R, -F, -P, -Z) and the
 * core options of a rule (-s, -d, -p, -i, -o, -4, -6, -m, -j) parsed into
 * &struct minifw_cmd, and a rule printed back as iptables-save prints it.
 * Options of matches and targets are their extensions' (ext.c, ext/).
 *
 * This file and those it builds with take no locks and know nothing of
 * procfs: proc.c feeds bytes to the write protocol (writer.c) and minifw.c
 * publishes what it builds. They also build in user space
 * (include/minifw_user.h), where tests/unit, the fuzzer and bench-unit
 * drive them.
 */

/**
 * DOC: Rulesets, transactions and matching
 *
 * Where things are
 * ----------------
 * ============  =========================================================
 * (this file)   commands, the core options, the printer
 * syntax.c      words: errors, numbers, addresses, ports, "did you mean"
 * services.c    port names (--dport ssh), made from /etc/services
 * ext.c         the registry of extensions; loading, checking and
 *               printing them; a rule's extension data
 * ext/          one file per match or target (tcp, multiport, LOG ...)
 * ruleset.c     rulesets, their chains and the commands that edit them
 * graph.c       what jumps between chains make: loops, depth, hooks
 * counter.c     packet and byte counters
 * compile.c     compiled runs ("DOC: Compiled chains")
 * walk.c        the packet path: chains walked, calls followed, runs
 *               looked up
 * writer.c      the write protocol of /proc/minifw/rules
 * ============  =========================================================
 *
 * Data structures
 * ---------------
 * A ruleset (&struct minifw_ruleset) holds one chain per netfilter hook,
 * then the user chains (-N), with an index of them sorted by name, which is
 * the listing's order. A chain is a policy (a user chain's is RETURN) plus
 * a flat array of rules; a rule that jumps (-j CHAIN, -g CHAIN) names its
 * chain by index, so -E renames without touching the rules and -X
 * renumbers them. graph.c checks every edit's chain graph (no loop, calls
 * at most MINIFW_MAX_CALLS deep, each user chain's rules valid in every
 * built-in chain that reaches it), and walk.c follows calls on a stack of
 * return points.
 *
 * A rule is a &struct minifw_match (the canonical form of what the walk
 * tests inline: addresses, protocol, ports, interfaces, states), a
 * target, a pointer to
 * its counters and, for the few rules whose extensions have data of their
 * own, a pointer to a &struct minifw_ext (multiport's ports, a comment, a
 * limit's rate, LOG's options, each with its extension's ops). The match
 * also lists the rule's -m extensions in the order given, which is the
 * order they are printed in. A published ruleset is never modified: every
 * edit builds a new ruleset, minifw.c publishes it with
 * rcu_replace_pointer() and the old one is freed after an RCU grace period.
 *
 * Counters are separate, reference-counted objects (&struct minifw_counter,
 * per-CPU inside, handed out in blocks: see counter.c). A new ruleset built
 * from the live one takes a reference on the counters of every rule it
 * copies, so a rule that survives an edit keeps counting into the same
 * counters, even while packets still walk the old ruleset. Counters are
 * freed when the last ruleset holding them goes. A -m limit rule's token
 * bucket lives there too, for the same reason; extension data is shared
 * the same way but never changes.
 *
 * Extensions
 * ----------
 * Each match or target beyond the core is an extension: one file in ext/
 * with one &struct minifw_ext_ops (include/ext.h), as libxtables and
 * x_tables split them. The parser looks an option up among the core's and
 * every extension's; an extension's option goes to the extension the rule
 * has loaded (by -m, by -j, or, for --dport and the like, the match of the
 * rule's protocol, loaded then, as iptables does). Once the line is read,
 * each extension checks the rule; then their data is packed into the
 * rule's &struct minifw_ext. Core-backed extensions (tcp, udp, icmp,
 * icmp6, conntrack, state) set fields of &struct minifw_match instead and
 * have no data: the walk tests those inline and the compiler of runs keys
 * on them.
 *
 * Transactions
 * ------------
 * Lines written to /proc/minifw/rules are parsed into commands
 * (&struct minifw_cmd) first. Outside a restore block, the commands of one
 * write() are applied together to a copy of the live ruleset under the
 * owner's mutex (minifw_ruleset_edit()); the first failure drops the copy,
 * so a failed write changes nothing. Inside "*filter" ... "COMMIT" the lines
 * build a fresh ruleset as they arrive (over any number of writes), which
 * replaces the live one at COMMIT, as iptables-restore does. A write that
 * holds a block and other lines is applied in order, each block and each
 * run of lines outside blocks being its own transaction.
 *
 * Matching
 * --------
 * minifw_chain_eval() walks the chain in order; the first rule whose every
 * option matches and that has a deciding target (ACCEPT, DROP, REJECT)
 * decides. A rule without a target only counts; a LOG rule counts, logs and
 * goes on. If nothing decides, the policy does. Each core option costs a
 * compare or two: addresses are stored pre-masked, so "-s 10.1.2.3/8" is
 * stored as src 10.0.0.0, smsk 255.0.0.0 and tested as
 * (saddr & smsk) == src (an IPv6 rule keeps the prefix length, and the
 * walk takes its mask from a table). Only a rule whose extensions look at the packet
 * (multiport, iprange, limit) calls them, after its core matched.
 *
 * Both families walk the same chains. A rule's family (&struct
 * minifw_match.family) is set by the options that imply one (an address,
 * -p icmp, -p ipv6-icmp, an ICMP reject type, -4, -6) and is tested just
 * after the addresses (which most rules of a long list differ in): an IPv4
 * rule never matches an IPv6 packet, whatever its addresses compared. A
 * rule without one matches both, with all-zero addresses and masks that
 * every packet passes. Each family has its own copy of the walk, with the
 * other family's tests compiled out. The connection state (-m
 * conntrack/state) is one bit of the packet, given by the hook from the
 * conntrack entry, tested against the rule's set of wanted states. The
 * hook leaves out of the packet what no rule of the chain reads (&struct
 * minifw_chain.skip): a chain without port rules costs no transport
 * header read, one without state rules no conntrack lookup.
 *
 * Before a ruleset is published, runs of rules that differ only in one
 * address are compiled into lookup tables (see "DOC: Compiled chains" in
 * compile.c): the walk takes such a run in one step, with the same result.
 *
 * Worked example
 * --------------
 * The rules file::
 *
 *	-P INPUT DROP
 *	-A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT
 *	-A INPUT -p icmp -m comment --comment ping
 *
 * gives chain[MINIFW_INPUT] = { policy DROP, nrules 2, rules:
 * [0] { src 192.0.2.0, smsk 255.255.255.0, family 4, proto 6,
 * flags MINIFW_L4, exts [tcp], sport 0:65535, dport 22:22, target ACCEPT },
 * [1] { family 4, proto 1, exts [comment], target NONE,
 * ext -> { comment's ops, "ping" } } }.
 * The --dport of rule 0 loaded tcp, a core-backed extension: its port
 * lands in the match, and "-m tcp" in the listing. A ping from 192.0.2.9
 * to this host fails rule 0 on the protocol, matches rule 1 (its comment
 * looks at nothing), which counts it (1 packet, 84 bytes) and goes on; no
 * rule is left, so the policy counts it too and drops it. An ssh SYN from
 * 192.0.2.9 matches rule 0 and is accepted.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/kstrtox.h>
#include <asm/byteorder.h>
#endif

#include "rules.h"
#include "syntax.h"
#include "ext.h"
#include "ifname.h"

/*
 * The listing with the most words has 134, 136 with "-A CHAIN"
 * (test_longest_rule()): it must read back, with room for extensions to come.
 */
#define MINIFW_MAX_TOKENS	160

/* "-D CHAIN rule" compares matches with memcmp(): no hidden padding. */
static_assert(sizeof(struct minifw_match) == 72, "struct minifw_match has padding");
/* every listed rule, "-A", its chain and blanks included, reads back (include/rules.h) */
static_assert(MINIFW_RULE_TEXT_MAX + 4 + MINIFW_CHAIN_NAME_MAX <= MINIFW_LINE_MAX,
	      "a listed rule may not fit a line");

static const char *const minifw_chain_names[MINIFW_NCHAINS] = {
	[MINIFW_PREROUTING]	= "PREROUTING",
	[MINIFW_INPUT]		= "INPUT",
	[MINIFW_FORWARD]	= "FORWARD",
	[MINIFW_OUTPUT]		= "OUTPUT",
	[MINIFW_POSTROUTING]	= "POSTROUTING",
};

/**
 * minifw_chain_name() - name of a chain
 * @chain: enum minifw_chain_id
 *
 * Context: any.
 * Return: "INPUT" etc.
 */
const char *minifw_chain_name(unsigned int chain)
{
	return chain < MINIFW_NCHAINS ? minifw_chain_names[chain] : "?";
}

/*
 * The tables and their built-in chains: those of iptables' (the kernel's
 * valid_hooks), but minifw's filter also has PREROUTING, its early drop,
 * and POSTROUTING.
 */
static const struct {
	const char *name;
	unsigned int chains;
} minifw_tables[MINIFW_NTABLES] = {
	[MINIFW_TABLE_FILTER]	= { "filter", MINIFW_ALL_BUILTIN },
	[MINIFW_TABLE_RAW]	= { "raw", MINIFW_CHAIN_BIT(MINIFW_PREROUTING) |
					   MINIFW_CHAIN_BIT(MINIFW_OUTPUT) },
	[MINIFW_TABLE_MANGLE]	= { "mangle", MINIFW_ALL_BUILTIN },
	[MINIFW_TABLE_NAT]	= { "nat", MINIFW_ALL_BUILTIN & ~MINIFW_CHAIN_BIT(MINIFW_FORWARD) },
};

/**
 * minifw_table_name() - name of a table
 * @table: enum minifw_table_id
 *
 * Context: any.
 * Return: "filter" etc.
 */
const char *minifw_table_name(unsigned int table)
{
	return table < MINIFW_NTABLES ? minifw_tables[table].name : "?";
}

/**
 * minifw_table_chains() - the built-in chains a table has
 * @table: enum minifw_table_id
 *
 * Context: any.
 * Return: MINIFW_CHAIN_BIT() of each.
 */
unsigned int minifw_table_chains(unsigned int table)
{
	return table < MINIFW_NTABLES ? minifw_tables[table].chains : 0;
}

/**
 * minifw_chain_list() - built-in chains as words: "INPUT, FORWARD and OUTPUT"
 * @chains: MINIFW_CHAIN_BIT() of each
 * @buf: where to write
 * @len: its size
 *
 * Context: any.
 * Return: @buf.
 */
const char *minifw_chain_list(unsigned int chains, char *buf, size_t len)
{
	unsigned int c, left = hweight32(chains);
	size_t pos = 0;

	buf[0] = '\0';
	for (c = 0; c < MINIFW_NCHAINS; c++) {
		if (!(chains & MINIFW_CHAIN_BIT(c)))
			continue;
		left--;
		pos += scnprintf(buf + pos, len - pos, "%s%s", minifw_chain_name(c),
				 left > 1 ? ", " : left == 1 ? " and " : "");
	}
	return buf;
}

/**
 * minifw_table_before_ct() - a table's chains that run before connection
 * tracking, where no connection is known
 * @table: enum minifw_table_id
 *
 * filter's PREROUTING, minifw's early drop (at -399, so that blocked
 * sources cost no conntrack entry), and raw's two chains (at -300, as
 * iptables' raw, before conntrack's -200).
 *
 * Context: any.
 * Return: MINIFW_CHAIN_BIT() of each.
 */
unsigned int minifw_table_before_ct(unsigned int table)
{
	if (table == MINIFW_TABLE_FILTER)
		return MINIFW_CHAIN_BIT(MINIFW_PREROUTING);
	return table == MINIFW_TABLE_RAW ? minifw_table_chains(table) : 0;
}

/* Is @s the name of a built-in chain? */
static bool minifw_is_builtin_chain(const char *s)
{
	unsigned int c;

	for (c = 0; c < MINIFW_NCHAINS; c++)
		if (!strcmp(s, minifw_chain_names[c]))
			return true;
	return false;
}

/**
 * minifw_target_name() - name of a target or policy
 * @target: enum minifw_target
 *
 * Context: any.
 * Return: "ACCEPT", "DROP" or "" for none.
 */
const char *minifw_target_name(unsigned int target)
{
	switch (target) {
	case MINIFW_T_ACCEPT:
		return "ACCEPT";
	case MINIFW_T_DROP:
		return "DROP";
	case MINIFW_T_REJECT:
		return "REJECT";
	case MINIFW_T_LOG:
		return "LOG";
	case MINIFW_T_MARK:
		return "MARK";
	case MINIFW_T_CONNMARK:
		return "CONNMARK";
	case MINIFW_T_SET:
		return "SET";
	case MINIFW_T_NFLOG:
		return "NFLOG";
	case MINIFW_T_NFQUEUE:
		return "NFQUEUE";
	case MINIFW_T_AUDIT:
		return "AUDIT";
	case MINIFW_T_RETURN:
		return "RETURN";
	default:
		return "";
	}
}

/**
 * minifw_is_target_name() - is @s a target, which no chain may be called?
 * @s: a word
 *
 * As iptables -N refuses: the standard targets (ACCEPT, DROP, QUEUE,
 * RETURN, as libiptc has them) and every target extension.
 *
 * Context: any.
 * Return: true if it is one.
 */
bool minifw_is_target_name(const char *s)
{
	return !strcmp(s, "ACCEPT") || !strcmp(s, "DROP") || !strcmp(s, "QUEUE") ||
	       !strcmp(s, "RETURN") || minifw_ext_is_target_name(s);
}

/* ---------------------------------------------------------------------- */
/* Words                                                                   */

struct minifw_parser {
	char *tok[MINIFW_MAX_TOKENS];
	bool quoted[MINIFW_MAX_TOKENS];	/* not to be split by minifw_unglue() */
	int n, i;
	bool table_seen;		/* -t given */
	bool in_block;			/* a restore block's line: no -t */
	struct minifw_err *err;
	char tb[MINIFW_TOKBUF];		/* for quoting tokens in errors */
};

static const char *minifw_q(struct minifw_parser *p, const char *tok)
{
	return minifw_tok(p->tb, sizeof(p->tb), tok);
}

static int minifw_add_token(struct minifw_parser *p, char *tok, bool quoted)
{
	if (p->n == MINIFW_MAX_TOKENS)
		return minifw_fail(p->err, "too many words (at most %d)", MINIFW_MAX_TOKENS);
	p->quoted[p->n] = quoted;
	p->tok[p->n++] = tok;
	return 0;
}

/*
 * Short options that take an argument, which getopt lets the user glue on:
 * "-ptcp" is "-p tcp". Each is its own NUL-terminated string, so a glued
 * word splits without moving the line.
 */
static const char *const minifw_short_args[] = {
	"-A", "-I", "-D", "-R", "-P", "-F", "-Z", "-N", "-X", "-E", "-C",
	"-s", "-d", "-p", "-i", "-o", "-j", "-g", "-m", "-t",
};

/*
 * getopt reads "-ptcp" as "-p tcp" and "--dport=22" as "--dport 22", but
 * only where an option stands: an argument is taken whole ("-i -dth0" is
 * the interface "-dth0"). The parser calls this at each option's place;
 * a split inserts the argument as the next word.
 */
static int minifw_unglue(struct minifw_parser *p)
{
	char *tok = p->tok[p->i], *rest = NULL, *eq;
	size_t k;

	if (p->quoted[p->i] || tok[0] != '-' || !tok[1] || !tok[2])
		return 0;
	if (tok[1] == '-') {
		eq = strchr(tok, '=');
		if (!eq)
			return 0;
		*eq = '\0';
		rest = eq + 1;
	} else {
		for (k = 0; k < ARRAY_SIZE(minifw_short_args); k++)
			if (tok[1] == minifw_short_args[k][1])
				break;
		if (k == ARRAY_SIZE(minifw_short_args))
			return 0;
		p->tok[p->i] = (char *)minifw_short_args[k];
		rest = tok + 2;
	}
	if (p->n == MINIFW_MAX_TOKENS)
		return minifw_fail(p->err, "too many words (at most %d)", MINIFW_MAX_TOKENS);
	memmove(&p->tok[p->i + 2], &p->tok[p->i + 1], (p->n - p->i - 1) * sizeof(p->tok[0]));
	memmove(&p->quoted[p->i + 2], &p->quoted[p->i + 1],
		(p->n - p->i - 1) * sizeof(p->quoted[0]));
	p->tok[p->i + 1] = rest;
	p->quoted[p->i + 1] = true;	/* an argument: never split again */
	p->n++;
	return 0;
}

/*
 * Split a line into words as iptables-restore and getopt do: blanks
 * separate; "double quotes" group, with \", \\ and \' inside; 'single quotes'
 * group as they are. Quotes are removed in place, so a word never grows;
 * glued options ("-ptcp") are split later, by minifw_unglue().
 */
static int minifw_tokenize(struct minifw_parser *p, char *s)
{
	char *r = s, *w = s;
	int ret;

	p->n = 0;
	p->i = 0;
	for (;;) {
		bool quoted = false;
		char *tok;

		while (minifw_isspace(*r))
			r++;
		if (!*r)
			return 0;
		tok = w;
		while (*r && !minifw_isspace(*r)) {
			char q = *r;

			if (q != '"' && q != '\'') {
				*w++ = *r++;
				continue;
			}
			quoted = true;
			r++;
			while (*r && *r != q) {
				if (q == '"' && *r == '\\' &&
				    (r[1] == '"' || r[1] == '\\' || r[1] == '\''))
					r++;
				*w++ = *r++;
			}
			if (!*r)
				return minifw_fail(p->err, "unterminated %s quote",
						   q == '"' ? "double" : "single");
			r++;
		}
		/* r is at a blank or the end; w <= r, so the NUL fits */
		if (*r)
			r++;
		*w++ = '\0';
		ret = minifw_add_token(p, tok, quoted);
		if (ret)
			return ret;
	}
}

/*
 * A user chain's name, as iptables allows it: at most 28 characters, not
 * starting with "-" or "!"; minifw also keeps out blanks, quotes and
 * backslashes (which would not list back) and non-ASCII bytes.
 */
static int minifw_check_chain_name(struct minifw_parser *p, const char *s)
{
	size_t i, len = strlen(s);

	if (len > MINIFW_CHAIN_NAME_MAX)
		return minifw_fail(p->err, "chain name \"%s\" is longer than %d characters",
				   minifw_q(p, s), MINIFW_CHAIN_NAME_MAX);
	if (!len || s[0] == '-' || s[0] == '!')
		return minifw_fail(p->err, "\"%s\" is not a chain name (a name cannot be empty or start with \"-\" or \"!\")",
				   minifw_q(p, s));
	for (i = 0; i < len; i++)
		if (strchr("\"'\\", s[i]) || s[i] < 0x21 || s[i] > 0x7e)
			return minifw_fail(p->err, "\"%s\" is not a chain name (no quotes, backslashes or blanks)",
					   minifw_q(p, s));
	return 0;
}

/*
 * A chain a command works on: a built-in one, or a user chain by name
 * (@name), which the ruleset the command is applied to must have.
 */
static int minifw_parse_chain(struct minifw_parser *p, const char *s, u8 *chain,
			      char *name)
{
	unsigned int c;
	int ret;

	for (c = 0; c < MINIFW_NCHAINS; c++) {
		if (!strcmp(s, minifw_chain_names[c])) {
			*chain = c;
			return 0;
		}
	}
	ret = minifw_check_chain_name(p, s);
	if (ret)
		return ret;
	*chain = MINIFW_USER_CHAIN;
	strscpy(name, s, MINIFW_CHAIN_NAME_MAX + 1);
	return 0;
}

/* A name for a new user chain (-N, -E): also not a target's. */
static int minifw_parse_new_name(struct minifw_parser *p, const char *s, char *name)
{
	int ret = minifw_check_chain_name(p, s);

	if (ret)
		return ret;
	if (minifw_is_target_name(s))
		return minifw_fail(p->err, "\"%s\" is a target: a chain cannot have its name",
				   minifw_q(p, s));
	strscpy(name, s, MINIFW_CHAIN_NAME_MAX + 1);
	return 0;
}

static int minifw_parse_num(struct minifw_parser *p, const char *s, u32 *num)
{
	int ret = minifw_decimal(s, strlen(s));

	if (ret == MINIFW_DEC_OCTAL)
		return minifw_not_decimal(p->err, s, ret, "");
	if (ret != MINIFW_DEC_OK || kstrtou32(s, 10, num) || *num == 0)
		return minifw_fail(p->err, "\"%s\" is not a rule number (rules count from 1)",
				   minifw_q(p, s));
	return 0;
}

/* The core's verdicts, ACCEPT and DROP, by name; MINIFW_T_NONE for neither. */
static u8 minifw_verdict(const char *s)
{
	return !strcmp(s, "ACCEPT") ? MINIFW_T_ACCEPT : !strcmp(s, "DROP") ? MINIFW_T_DROP :
	       MINIFW_T_NONE;
}

/* A chain's policy: ACCEPT or DROP. */
static int minifw_parse_policy(struct minifw_parser *p, const char *s, u8 *policy)
{
	*policy = minifw_verdict(s);
	if (*policy == MINIFW_T_NONE)
		return minifw_fail(p->err, "\"%s\" is not a policy (a policy is ACCEPT or DROP)",
				   minifw_q(p, s));
	return 0;
}

/*
 * -j: the core's ACCEPT, DROP or RETURN, a target extension (REJECT, LOG),
 * or a user chain to call, by name (found when the command is applied).
 * -g: a user chain to go to.
 */
static int minifw_parse_jump(struct minifw_parser *p, struct minifw_rule_parse *rp,
			     const char *s, bool go)
{
	struct minifw_cmd *cmd = rp->cmd;
	int ret;

	cmd->target = minifw_verdict(s);
	if (cmd->target == MINIFW_T_NONE && !strcmp(s, "RETURN"))
		cmd->target = MINIFW_T_RETURN;
	if (go && (cmd->target != MINIFW_T_NONE || minifw_ext_is_target_name(s)))
		return minifw_fail(p->err, "-g %s: %s is a target, not a chain (use -j)",
				   minifw_q(p, s), minifw_q(p, s));
	if (cmd->target != MINIFW_T_NONE)
		return 0;
	ret = minifw_ext_load_target(rp, s);
	if (ret <= 0)
		return ret;
	if (minifw_is_builtin_chain(s))
		return minifw_fail(p->err, "%s %s: a built-in chain cannot be jumped to",
				   go ? "-g" : "-j", s);
	ret = minifw_check_chain_name(p, s);
	if (ret) {
		char list[64];

		return minifw_fail(p->err, "unknown target \"%s\" (minifw has %s, and user-defined chains)",
				   minifw_q(p, s), minifw_ext_target_names(list, sizeof(list)));
	}
	cmd->target = go ? MINIFW_T_GOTO : MINIFW_T_JUMP;
	strscpy(cmd->arg, s, sizeof(cmd->arg));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Rules                                                                   */

enum { MINIFW_O_SRC, MINIFW_O_DST, MINIFW_O_PROTO, MINIFW_O_IN, MINIFW_O_OUT,
	MINIFW_O_JUMP, MINIFW_O_MATCH, MINIFW_O_FAMILY, MINIFW_O_TABLE };

/* The core's options; each extension has its own (ext/). */
static const struct minifw_opt minifw_core_opts[] = {
	{ "-s", "--source", "--src", MINIFW_O_SRC, 1, MINIFW_OPT_INV, NULL },
	{ "-d", "--destination", "--dst", MINIFW_O_DST, 1, MINIFW_OPT_INV, NULL },
	{ "-p", "--protocol", NULL, MINIFW_O_PROTO, 1, MINIFW_OPT_INV, NULL },
	{ "-i", "--in-interface", NULL, MINIFW_O_IN, 1, MINIFW_OPT_INV, NULL },
	{ "-o", "--out-interface", NULL, MINIFW_O_OUT, 1, MINIFW_OPT_INV, NULL },
	{ "-j", "--jump", NULL, MINIFW_O_JUMP, 1, 0, " (or with -g)" },
	{ "-g", "--goto", NULL, MINIFW_O_JUMP, 1, 0, " (or with -j)" },
	{ "-m", "--match", NULL, MINIFW_O_MATCH, 1, MINIFW_OPT_AGAIN, NULL },
	{ "-4", "--ipv4", NULL, MINIFW_O_FAMILY, 0, MINIFW_OPT_AGAIN, NULL },
	{ "-6", "--ipv6", NULL, MINIFW_O_FAMILY, 0, MINIFW_OPT_AGAIN, NULL },
	/* (given twice: minifw_parse_table() says so, -t before the command counting) */
	{ "-t", "--table", NULL, MINIFW_O_TABLE, 1, MINIFW_OPT_AGAIN, NULL },
	{ }
};

/*
 * -t TABLE, wherever iptables' getopt takes it: before the command, among
 * a rule's options, after a command's arguments. Not in a restore block,
 * whose lines are its table's (iptables-restore refuses it too).
 */
static int minifw_parse_table(struct minifw_parser *p, struct minifw_cmd *cmd, const char *arg)
{
	unsigned int t;

	if (p->in_block)
		return minifw_fail(p->err, "-t cannot be used in a restore block (its lines are its table's)");
	if (p->table_seen)
		return minifw_fail(p->err, "-t given twice");
	p->table_seen = true;
	for (t = 0; t < MINIFW_NTABLES; t++) {
		if (!strcmp(arg, minifw_tables[t].name)) {
			cmd->table = t;
			return 0;
		}
	}
	if (!strcmp(arg, "security"))
		return minifw_fail(p->err, "the security table is not supported (minifw has filter, raw, mangle and nat)");
	return minifw_fail(p->err, "unknown table \"%s\" (minifw has filter, raw, mangle and nat)",
			   minifw_q(p, arg));
}

static bool minifw_is_table_opt(const char *s)
{
	return !strcmp(s, "-t") || minifw_long_prefix(s, "--table") ||
	       (s[0] == '-' && s[1] == 't' && s[2]) || !strncmp(s, "--table=", 8);
}

/* If the word at @p is -t (or --table), take it and its table: 1; else 0. */
static int minifw_take_table(struct minifw_parser *p, struct minifw_cmd *cmd)
{
	int ret;

	ret = minifw_unglue(p);
	if (ret)
		return ret;
	/* (unglued: "-tnat" is "-t" "nat" now) */
	if (p->quoted[p->i] || !minifw_is_table_opt(p->tok[p->i]))
		return 0;
	if (p->i + 1 == p->n)
		return minifw_fail(p->err, "-t needs a table (filter, raw, mangle or nat)");
	p->i += 2;
	return minifw_parse_table(p, cmd, p->tok[p->i - 1]) ?: 1;
}

/*
 * -i, -o: the name's number (include/ifname.h) and the bytes compared.
 * "-i +" is every interface: as no -i (iptables 1.8.10 lists none).
 */
static int minifw_parse_iface(struct minifw_err *err, const char *arg, bool inv,
			      u16 *id, u8 *cmplen)
{
	char name[IFNAMSIZ] = { 0 };
	int ret;

	ret = minifw_parse_ifname(err, arg, name, cmplen);
	if (ret || (!inv && !*cmplen))
		return ret;
	return minifw_ifname_intern(err, name, id);
}

static int minifw_parse_core(struct minifw_parser *p, struct minifw_rule_parse *rp,
			     const struct minifw_opt *o, char *arg, bool inv)
{
	struct minifw_match *m = &rp->cmd->m;
	int ret;
	union minifw_addr mask;
	u8 fam;

	switch (o->id) {
	case MINIFW_O_SRC:
		ret = minifw_parse_addr(arg, &m->src, &mask, &fam, p->err) ?:
		      minifw_set_family(rp, fam, o->name);
		m->smsk = minifw_mask_pack(&mask, fam);
		m->flags |= inv ? MINIFW_INV_SRC : 0;
		return ret;
	case MINIFW_O_DST:
		ret = minifw_parse_addr(arg, &m->dst, &mask, &fam, p->err) ?:
		      minifw_set_family(rp, fam, o->name);
		m->dmsk = minifw_mask_pack(&mask, fam);
		m->flags |= inv ? MINIFW_INV_DST : 0;
		return ret;
	case MINIFW_O_FAMILY:
		return minifw_set_family(rp, o->name[1] == '4' ? MINIFW_FAM_IPV4 :
					 MINIFW_FAM_IPV6, o->name);
	case MINIFW_O_PROTO:
		ret = minifw_parse_proto(p->err, arg, &m->proto);
		if (!ret && inv && !m->proto)
			ret = minifw_fail(p->err, "! -p all would never match");
		/* ICMP is IPv4's, ICMPv6 IPv6's */
		if (!ret && !inv) {
			fam = m->proto == IPPROTO_ICMP ? MINIFW_FAM_IPV4 :
			      m->proto == IPPROTO_ICMPV6 ? MINIFW_FAM_IPV6 : 0;
			ret = minifw_set_family(rp, fam, o->name);
		}
		m->flags |= inv ? MINIFW_INV_PROTO : 0;
		return ret;
	case MINIFW_O_IN:
		m->flags |= inv ? MINIFW_INV_IN : 0;
		return minifw_parse_iface(p->err, arg, inv, &m->in, &m->inlen);
	case MINIFW_O_OUT:
		m->flags |= inv ? MINIFW_INV_OUT : 0;
		return minifw_parse_iface(p->err, arg, inv, &m->out, &m->outlen);
	case MINIFW_O_JUMP:
		return minifw_parse_jump(p, rp, arg, o->name[1] == 'g');
	case MINIFW_O_MATCH:
		return minifw_ext_load_match(rp, arg);
	case MINIFW_O_TABLE:
		return minifw_parse_table(p, rp->cmd, arg);
	}
	return -EINVAL;
}

/* The options of a rule, up to the end of the line. */
static int minifw_parse_opts(struct minifw_parser *p, struct minifw_rule_parse *rp)
{
	bool inv = false;
	u32 seen = 0;
	int ret;

	while (p->i < p->n) {
		const struct minifw_ext_ops *ops;
		struct minifw_loaded *slot = NULL;
		const struct minifw_opt *o;
		const char *name;
		char **arg;
		u32 *given;

		ret = minifw_unglue(p);
		if (ret)
			return ret;
		name = p->tok[p->i++];

		if (!strcmp(name, "!")) {
			if (inv)
				return minifw_fail(p->err, "\"! !\": one ! per option");
			inv = true;
			continue;
		}
		o = minifw_find_opt(name, minifw_core_opts, rp, &ops);
		if (!o)
			return minifw_unknown_option(p->err, name, minifw_core_opts);
		/* an extension's: the one the rule has, or what it needs first */
		if (ops) {
			ret = minifw_ext_owner(rp, &ops, &o, &slot);
			if (ret)
				return ret;
		}
		if (p->n - p->i < o->nargs)
			return minifw_fail(p->err, "%s needs %s", o->name,
					   o->nargs == 1 ? "an argument" : "two arguments");
		arg = &p->tok[p->i];
		p->i += o->nargs;
		if (inv && !(o->flags & MINIFW_OPT_INV))
			return minifw_fail(p->err, "%s cannot be negated with !", o->name);
		given = slot ? &slot->seen : &seen;
		if (!(o->flags & MINIFW_OPT_AGAIN) && (*given & (1U << o->id)))
			return minifw_fail(p->err, "%s given twice%s", o->name, o->twice ?: "");
		*given |= 1U << o->id;
		ret = slot ? minifw_ext_parse(rp, slot, o, arg, inv) :
		      minifw_parse_core(p, rp, o, arg[0], inv);
		if (ret)
			return ret;
		inv = false;
	}
	if (inv)
		return minifw_fail(p->err, "\"!\" at the end of the line negates nothing");
	return 0;
}

/**
 * minifw_check_ifaces() - may a rule's -i and -o be used in these chains?
 * @m: the rule's match
 * @hooks: the built-in chains it runs in (MINIFW_CHAIN_BIT() each)
 * @err: reason if not
 *
 * As iptables: no input device after routing out, no output before.
 *
 * Context: control path.
 * Return: 0 or -EINVAL.
 */
int minifw_check_ifaces(const struct minifw_match *m, unsigned int hooks,
			struct minifw_err *err)
{
	unsigned int bad;

	bad = hooks & (MINIFW_CHAIN_BIT(MINIFW_OUTPUT) | MINIFW_CHAIN_BIT(MINIFW_POSTROUTING));
	if (m->in && bad)
		return minifw_fail(err, "-i cannot be used in %s (packets there have no input interface)",
				   minifw_chain_name(__ffs(bad)));
	bad = hooks & (MINIFW_CHAIN_BIT(MINIFW_PREROUTING) | MINIFW_CHAIN_BIT(MINIFW_INPUT));
	if (m->out && bad)
		return minifw_fail(err, "-o cannot be used in %s (packets there have no output interface yet)",
				   minifw_chain_name(__ffs(bad)));
	return 0;
}

/*
 * The rule part of -A/-I/-D/-R: options, then the checks of the whole rule
 * in iptables' order: the extensions' options, the core's (-i, -o), then
 * where the extensions may go (x_tables' checkentry).
 */
static int minifw_parse_rule(struct minifw_parser *p, struct minifw_cmd *cmd)
{
	struct minifw_rule_parse rp = { .cmd = cmd, .err = p->err };
	int ret;

	cmd->m.sport[1] = 0xffff;
	cmd->m.dport[1] = 0xffff;
	ret = minifw_parse_opts(p, &rp) ?: minifw_ext_check(&rp) ?:
	      minifw_check_ifaces(&cmd->m, cmd->chain < MINIFW_NCHAINS ?
				  MINIFW_CHAIN_BIT(cmd->chain) : 0, p->err) ?:
	      minifw_ext_checkentry(&rp);
	minifw_rule_parse_free(&rp);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Commands                                                                */

static const struct {
	const char *name, *alias;
	u8 op;
	bool needs_chain;
} minifw_commands[] = {
	{ "-A", "--append", MINIFW_OP_APPEND, true },
	{ "-I", "--insert", MINIFW_OP_INSERT, true },
	{ "-D", "--delete", MINIFW_OP_DELETE_RULE, true },
	{ "-R", "--replace", MINIFW_OP_REPLACE, true },
	{ "-F", "--flush", MINIFW_OP_FLUSH, false },
	{ "-P", "--policy", MINIFW_OP_POLICY, true },
	{ "-Z", "--zero", MINIFW_OP_ZERO, false },
	{ "-C", "--check", MINIFW_OP_CHECK, true },
	{ "-N", "--new-chain", MINIFW_OP_NEW_CHAIN, true },
	{ "-X", "--delete-chain", MINIFW_OP_DELETE_CHAIN, false },
	{ "-E", "--rename-chain", MINIFW_OP_RENAME_CHAIN, true },
};

/* Is @s the command @k, or a start of its long name ("--app")? */
static bool minifw_is_command(const char *s, size_t k)
{
	return !strcmp(s, minifw_commands[k].name) ||
	       minifw_long_prefix(s, minifw_commands[k].alias);
}

/*
 * What a command's table allows: only its own built-in chains, and in nat
 * no DROP (iptables refuses it there: "the nat table is not intended for
 * filtering").
 */
static int minifw_check_table(const struct minifw_cmd *cmd, struct minifw_err *err)
{
	unsigned int chains = minifw_table_chains(cmd->table);
	char list[64];

	if (cmd->chain < MINIFW_NCHAINS && !(chains & MINIFW_CHAIN_BIT(cmd->chain)))
		return minifw_fail(err, "the %s table has no chain %s (its chains: %s)",
				   minifw_table_name(cmd->table), minifw_chain_name(cmd->chain),
				   minifw_chain_list(chains, list, sizeof(list)));
	if (cmd->table == MINIFW_TABLE_NAT &&
	    ((cmd->op == MINIFW_OP_POLICY && cmd->policy == MINIFW_T_DROP) ||
	     (cmd->op != MINIFW_OP_POLICY && cmd->target == MINIFW_T_DROP)))
		return minifw_fail(err, "the nat table is not for filtering: no DROP there (as in iptables)");
	return 0;
}

/* minifw_parse_line() without the cleanup on failure */
static int minifw_parse_cmd(char *line, struct minifw_cmd *cmd, bool in_block,
			    struct minifw_err *err)
{
	struct minifw_parser p = { .err = err, .in_block = in_block };
	const char *c;
	size_t k;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	ret = minifw_tokenize(&p, line);
	if (ret)
		return ret;
	if (!p.n)
		return minifw_fail(err, "empty command");

	/* -t first ("-t nat -A POSTROUTING ..."), as iptables' manual writes it */
	while (p.i < p.n && (ret = minifw_take_table(&p, cmd)) == 1)
		;
	if (ret < 0)
		return ret;
	if (p.i == p.n)
		return minifw_fail(err, "-t without a command");
	ret = minifw_unglue(&p);
	if (ret)
		return ret;
	c = p.tok[p.i++];
	for (k = 0; k < ARRAY_SIZE(minifw_commands); k++)
		if (minifw_is_command(c, k))
			break;
	if (k == ARRAY_SIZE(minifw_commands))
		return minifw_fail(err, "\"%s\" is not a command (-A, -I, -D, -R, -C, -F, -Z, -P, -N, -X or -E)",
				   minifw_q(&p, c));
	cmd->op = minifw_commands[k].op;
	cmd->chain = MINIFW_ALL_CHAINS;

	/* (-F, -Z and -X take a chain if one follows, as iptables: not "-t") */
	if (p.i < p.n && (minifw_commands[k].needs_chain || !minifw_is_table_opt(p.tok[p.i]))) {
		if (cmd->op == MINIFW_OP_NEW_CHAIN) {
			cmd->chain = MINIFW_USER_CHAIN;
			ret = minifw_parse_new_name(&p, p.tok[p.i++], cmd->name);
		} else {
			ret = minifw_parse_chain(&p, p.tok[p.i++], &cmd->chain, cmd->name);
		}
		if (ret)
			return ret;
	} else if (minifw_commands[k].needs_chain) {
		return minifw_fail(err, "%s needs a chain", minifw_commands[k].name);
	}

	switch (cmd->op) {
	case MINIFW_OP_INSERT:
		if (p.i < p.n && minifw_is_number(p.tok[p.i])) {
			ret = minifw_parse_num(&p, p.tok[p.i++], &cmd->num);
			if (ret)
				return ret;
		}
		ret = minifw_parse_rule(&p, cmd);
		break;
	case MINIFW_OP_APPEND:
	case MINIFW_OP_CHECK:
		ret = minifw_parse_rule(&p, cmd);
		break;
	case MINIFW_OP_RENAME_CHAIN:
		if (p.i == p.n)
			return minifw_fail(err, "-E needs the old and the new name");
		ret = minifw_parse_new_name(&p, p.tok[p.i++], cmd->arg);
		break;
	case MINIFW_OP_DELETE_RULE:
		if (p.i == p.n)
			return minifw_fail(err, "-D needs a rule number or a rule");
		if (minifw_is_number(p.tok[p.i]) &&
		    (p.i + 1 == p.n || minifw_is_table_opt(p.tok[p.i + 1]))) {
			cmd->op = MINIFW_OP_DELETE_NUM;
			ret = minifw_parse_num(&p, p.tok[p.i++], &cmd->num);
			break;
		}
		ret = minifw_parse_rule(&p, cmd);
		break;
	case MINIFW_OP_REPLACE:
		if (p.i == p.n || !minifw_is_number(p.tok[p.i]))
			return minifw_fail(err, "-R needs a rule number");
		ret = minifw_parse_num(&p, p.tok[p.i++], &cmd->num) ?:
		      minifw_parse_rule(&p, cmd);
		break;
	case MINIFW_OP_POLICY:
		if (p.i == p.n)
			return minifw_fail(err, "-P needs ACCEPT or DROP");
		ret = minifw_parse_policy(&p, p.tok[p.i++], &cmd->policy);
		break;
	case MINIFW_OP_ZERO:
		/* -Z CHAIN N zeroes one rule, as in iptables */
		if (p.i < p.n && cmd->chain != MINIFW_ALL_CHAINS &&
		    !minifw_is_table_opt(p.tok[p.i]))
			ret = minifw_parse_num(&p, p.tok[p.i++], &cmd->num);
		break;
	default:
		break;
	}
	/* -t after the arguments ("-F INPUT -t nat") */
	while (!ret && p.i < p.n && (ret = minifw_take_table(&p, cmd)) == 1)
		ret = 0;
	if (ret)
		return ret;
	if (p.i < p.n)
		return minifw_fail(err, "unexpected \"%s\" after %s", minifw_q(&p, p.tok[p.i]),
				   minifw_commands[k].name);
	return minifw_check_table(cmd, err);
}

/**
 * minifw_parse_line() - parse one command line ("-A INPUT -p tcp -j DROP")
 * @line: the line, without newline; tokenized in place
 * @cmd: the command, out; release with minifw_cmd_free()
 * @err: reason on failure
 *
 * Context: control path (a rule with -m comment etc. allocates).
 * Return: 0, -EINVAL or -ENOMEM; on failure @cmd holds nothing.
 */
int minifw_parse_line(char *line, struct minifw_cmd *cmd, struct minifw_err *err)
{
	int ret = minifw_parse_cmd(line, cmd, false, err);

	if (ret)
		minifw_cmd_free(cmd);
	return ret;
}

/**
 * minifw_parse_block_line() - parse a command line of a restore block
 * @line: the line, without newline; tokenized in place
 * @cmd: the command, out; release with minifw_cmd_free()
 * @err: reason on failure
 *
 * As minifw_parse_line(), but -t is refused: the block names the table.
 *
 * Context: control path.
 * Return: 0, -EINVAL or -ENOMEM; on failure @cmd holds nothing.
 */
int minifw_parse_block_line(char *line, struct minifw_cmd *cmd, struct minifw_err *err)
{
	int ret = minifw_parse_cmd(line, cmd, true, err);

	if (ret)
		minifw_cmd_free(cmd);
	return ret;
}

/**
 * minifw_parse_policy_line() - ":INPUT DROP [12:345]" in a restore block
 * @line: the line, starting with ':'; tokenized in place
 * @cmd: a MINIFW_OP_POLICY command, or MINIFW_OP_NEW_CHAIN for a user
 *       chain's ":NAME - [0:0]", out (the counters are ignored)
 * @err: reason on failure
 *
 * Context: control path.
 * Return: 0 or -EINVAL.
 */
int minifw_parse_policy_line(char *line, struct minifw_cmd *cmd, struct minifw_err *err)
{
	struct minifw_parser p = { .err = err };
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	cmd->op = MINIFW_OP_POLICY;
	ret = minifw_tokenize(&p, line + 1);
	if (ret)
		return ret;
	if (p.n < 2 || p.n > 3)
		return minifw_fail(err, "expected \":CHAIN POLICY [packets:bytes]\"");
	if (!strcmp(p.tok[1], "-")) {
		/* ":NAME - [0:0]": a user chain */
		cmd->op = MINIFW_OP_NEW_CHAIN;
		cmd->chain = MINIFW_USER_CHAIN;
		if (minifw_is_builtin_chain(p.tok[0]))
			return minifw_fail(err, "built-in chain %s needs a policy (ACCEPT or DROP), not \"-\"",
					   p.tok[0]);
		ret = minifw_parse_new_name(&p, p.tok[0], cmd->name);
	} else {
		ret = minifw_parse_chain(&p, p.tok[0], &cmd->chain, cmd->name) ?:
		      minifw_parse_policy(&p, p.tok[1], &cmd->policy);
	}
	if (ret)
		return ret;
	if (p.n == 3) {
		char *t = p.tok[2], *colon = strchr(t, ':');
		size_t len = strlen(t);
		u64 v;

		if (t[0] != '[' || t[len - 1] != ']' || !colon)
			return minifw_fail(err, "bad counters \"%s\" (expected [packets:bytes])",
					   minifw_q(&p, t));
		t[len - 1] = '\0';
		*colon = '\0';
		if (kstrtou64(t + 1, 10, &v) || kstrtou64(colon + 1, 10, &v))
			return minifw_fail(err, "bad counters in \":%s\"", p.tok[0]);
	}
	return 0;
}

/**
 * minifw_cmd_free() - drop what a parsed command holds
 * @cmd: a command from minifw_parse_line()
 *
 * Context: control path.
 */
void minifw_cmd_free(struct minifw_cmd *cmd)
{
	minifw_ext_put(cmd->ext);
	cmd->ext = NULL;
	minifw_ifname_put(cmd->m.in);
	minifw_ifname_put(cmd->m.out);
	cmd->m.in = 0;
	cmd->m.out = 0;
}

/**
 * minifw_cmd_rule() - the rule a command holds, without counters
 * @cmd: an -A, -I, -D or -R command
 * @r: the rule, out; it borrows @cmd's extension data and interface names
 *
 * Context: any.
 */
void minifw_cmd_rule(const struct minifw_cmd *cmd, struct minifw_rule *r)
{
	*r = (struct minifw_rule){
		.m = cmd->m,
		.target = cmd->target,
		.xtarget = cmd->xtarget,
		.target_arg = cmd->target_arg,
		.ext = cmd->ext,
	};
}

/* ---------------------------------------------------------------------- */
/* Printer                                                                 */

/**
 * minifw_fmt_ip6() - an IPv6 address as ip6tables-save prints it
 * @buf: output, NUL-terminated
 * @len: size of @buf; 40 always suffices
 * @a: the address
 *
 * As glibc's inet_ntop(): the longest run of two or more zero groups, the
 * first of equal runs, as "::"; lowercase hex; the IPv4-mapped and
 * -compatible forms end in dotted IPv4.
 *
 * Context: any.
 */
void minifw_fmt_ip6(char *buf, size_t len, const union minifw_addr *a)
{
	int best = -1, bestlen = 0, run = 0, i;
	size_t pos = 0;
	u16 w[8];

	for (i = 0; i < 8; i++) {
		w[i] = ntohl(a->ip6[i / 2]) >> (i % 2 ? 0 : 16);
		run = w[i] ? 0 : run + 1;
		if (run > bestlen && run >= 2) {
			bestlen = run;
			best = i + 1 - run;
		}
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			pos += scnprintf(buf + pos, len - pos, "::");
			i += bestlen - 1;
			continue;
		}
		if (i == 6 && best == 0 && (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
			scnprintf(buf + pos, len - pos, "%s%u.%u.%u.%u", bestlen == 5 ? ":" : "",
				  w[6] >> 8, w[6] & 0xff, w[7] >> 8, w[7] & 0xff);
			return;
		}
		pos += scnprintf(buf + pos, len - pos, "%s%x",
				 i && i != best + bestlen ? ":" : "", w[i]);
	}
}

/* Is the address option listed: a mask, or "! -s 0.0.0.0/0"? */
static bool minifw_addr_listed(u32 msk, bool inv)
{
	return inv || msk;
}

static void minifw_put_addr(struct minifw_buf *b, const char *opt, bool inv, u8 family,
			    const union minifw_addr *addr, u32 msk)
{
	__be32 mask = minifw_mask4(msk);
	const u8 *a = (const u8 *)&addr->ip, *k = (const u8 *)&mask;
	int len = minifw_mask4_len(ntohl(mask));

	if (!minifw_addr_listed(msk, inv))
		return;
	if (inv)
		minifw_put(b, "!");
	if (family == MINIFW_FAM_IPV6) {
		char text[48];

		minifw_fmt_ip6(text, sizeof(text), addr);
		minifw_put(b, "%s %s/%u", opt, text, msk);
	} else if (len >= 0) {
		/* contiguous masks list as a length, others dotted, as iptables-save */
		minifw_put(b, "%s %u.%u.%u.%u/%d", opt, a[0], a[1], a[2], a[3], len);
	} else {
		minifw_put(b, "%s %u.%u.%u.%u/%u.%u.%u.%u", opt, a[0], a[1], a[2], a[3],
			   k[0], k[1], k[2], k[3]);
	}
}

/**
 * minifw_rule_format() - print a rule's options as iptables-save does
 * @r: the rule
 * @jump: the name of the chain it jumps or goes to, if it does
 * @buf: output, NUL-terminated
 * @len: size of @buf; MINIFW_RULE_TEXT_MAX always suffices (see there)
 *
 * Prints "-s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT": options in
 * iptables-save order, canonical values, no leading "-A CHAIN".
 *
 * Context: any.
 * Return: length of the text.
 */
int minifw_rule_format(const struct minifw_rule *r, const char *jump, char *buf, size_t len)
{
	const struct minifw_match *m = &r->m;
	struct minifw_buf b = { .s = buf, .len = len };
	u32 f = m->flags;

	if (!len)
		return 0;
	buf[0] = '\0';
	/* -4 or -6 first, where nothing else listed says the family */
	if (m->family && !minifw_addr_listed(m->smsk, f & MINIFW_INV_SRC) &&
	    !minifw_addr_listed(m->dmsk, f & MINIFW_INV_DST) &&
	    ((m->proto != IPPROTO_ICMP && m->proto != IPPROTO_ICMPV6) || (f & MINIFW_INV_PROTO)) &&
	    !minifw_ext_lists_family(r))
		minifw_put(&b, "-%u", m->family);
	/* Then in iptables-save's order: -s -d -i -o -p, matches, -j. */
	minifw_put_addr(&b, "-s", f & MINIFW_INV_SRC, m->family, &m->src, m->smsk);
	minifw_put_addr(&b, "-d", f & MINIFW_INV_DST, m->family, &m->dst, m->dmsk);
	if (m->in)
		minifw_put(&b, "%s-i %s", f & MINIFW_INV_IN ? "! " : "", minifw_ifname(m->in));
	if (m->out)
		minifw_put(&b, "%s-o %s", f & MINIFW_INV_OUT ? "! " : "", minifw_ifname(m->out));
	if (m->proto) {
		const char *name = minifw_proto_name(m->proto);

		if (f & MINIFW_INV_PROTO)
			minifw_put(&b, "!");
		if (name)
			minifw_put(&b, "-p %s", name);
		else
			minifw_put(&b, "-p %u", m->proto);
	}
	/* the matches in the order they were given, as iptables-save */
	minifw_ext_print_matches(&b, r);
	if (r->target == MINIFW_T_JUMP || r->target == MINIFW_T_GOTO)
		minifw_put(&b, "-%c %s", r->target == MINIFW_T_GOTO ? 'g' : 'j', jump);
	else if (r->target != MINIFW_T_NONE)
		minifw_put(&b, "-j %s", r->xtarget ? minifw_ext_ops(r->xtarget)->name :
			   minifw_target_name(r->target));
	minifw_ext_print_target(&b, r);
	return (int)b.pos;
}
