// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the rule engine (rules.c and the files it builds with), in
 * user space: "make unit" builds this file with them against
 * include/minifw_user.h, under ASan and UBSan, and runs it.
 *
 * Almost every test is a table: one row is one case, with its input and what
 * is expected. A case passes when all its checks pass. A failing case prints
 * one line: the section, the input, what was checked, expected and actual.
 * The last line is "unit: N passed, N failed"; the exit status is 1 if any
 * case failed. ASan's leak checker runs at exit, so every ruleset made here
 * is freed again.
 *
 * Sections, in the order main() runs them:
 *   1. listing   parse a rule, print it: the canonical text iptables-save
 *                prints, and printing is a fixed point (round trip)
 *   2. commands  what each command parses to (op, chain, num, policy)
 *   3. errors    lines the parser refuses, and that the message names the
 *                offending word
 *   4. edit      minifw_ruleset_edit(): order after -A/-I/-D/-R/-F/-P/-Z,
 *                rule numbers, failures, and counters kept or renewed
 *   5. match     minifw_chain_eval(): each match and its negation, first
 *                match wins, counting rules, policy, fragments, hotdrop;
 *                IPv4 and IPv6 packets through rules of either family or
 *                both, IPv6 prefixes at every word boundary, connection
 *                states; IPv6 address text against glibc's inet_ntop()
 *                user-defined chains: calls, gotos, RETURN, their counters,
 *                loops, depth and where a chain's rules may run, -N -X -E -C
 *   6. writer    the write protocol of /proc/minifw/rules: transactions,
 *                restore blocks, line limits, iptables-save round trip
 *   7. nomem     every allocation failing in turn changes nothing
 *   8. conformance  tests/unit/conformance.txt: iptables rule lines and
 *                the iptables-save text or the error each must give
 *   9. classifier  compiled chains ("DOC: Compiled chains" in compile.c): the
 *                worked example as written; random rulesets and millions
 *                of random packets, compiled against walked rule by rule
 *                (every verdict, every counter)
 * Sections 4 and 5 also run a second time with every possible run compiled.
 */
#include <netdb.h>
#include "minifw.h"
#include "syntax.h"
#include "hook_pkt.h"
#include "ext.h"
#include "hashlimit.h"
#include "recent.h"
#include "ipset.h"
#include "ifname.h"

/* The shim's failure injection: <0 never fails, 0 = the next allocation
 * fails, N = fail after N successful allocations. */
long minifw_user_alloc_fail_after = -1;

/* -m limit reads the time here; tests move it. */
unsigned long minifw_user_jiffies = 1000;
u32 minifw_user_random = 2463534242U;

/* -j LOG: ext/LOG.c calls the packet path's logger; here it only counts. */
static unsigned int n_logged;
void minifw_log(const struct minifw_pkt *pkt, u8 level, u8 flags, const char *prefix)
{
	n_logged++;
}

/* -j NFLOG: likewise */
static unsigned int n_nflogged;
void minifw_nflog(const struct minifw_pkt *pkt, const struct minifw_nflog *n)
{
	n_nflogged++;
}

/* -j AUDIT: likewise */
static unsigned int n_audited;
void minifw_audit(const struct minifw_pkt *pkt)
{
	n_audited++;
}

/* ---------------------------------------------------------------------- */
/* Cases and checks                                                        */

static unsigned int n_passed, n_failed;

/*
 * Sections 4 and 5 run twice: as built, walked rule by rule, and compiled
 * with runs of any length (minifw_run_min 1), so that every rule that can
 * be in a run is looked up in an interval table. Failures of the second
 * pass say "[compiled]".
 */
static bool compiled_mode;

static struct {
	const char *section;
	char input[600];	/* what the case feeds in, for the FAIL line */
	bool failed;
} tc;

/* Print s quoted, control characters escaped, at most max bytes of it. */
static void print_quoted(const char *s, size_t max)
{
	size_t i;

	putchar('"');
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	if (s[i])
		fputs("...", stdout);
	putchar('"');
}

static void case_beginf(const char *section, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void case_beginf(const char *section, const char *fmt, ...)
{
	va_list ap;

	tc.section = section;
	tc.failed = false;
	va_start(ap, fmt);
	vsnprintf(tc.input, sizeof(tc.input), fmt, ap);
	va_end(ap);
}

static void case_begin(const char *section, const char *input)
{
	case_beginf(section, "%s", input);
}

static void case_end(void)
{
	if (tc.failed)
		n_failed++;
	else
		n_passed++;
}

/* Report a failed check; only the first one of a case is printed. */
static void case_fail(const char *what, const char *expected, const char *actual,
		      bool quote)
{
	if (!tc.failed) {
		printf("FAIL %s%s: ", tc.section, compiled_mode ? " [compiled]" : "");
		print_quoted(tc.input, 300);
		printf(": %s: expected ", what);
		if (quote)
			print_quoted(expected, 400);
		else
			fputs(expected, stdout);
		fputs(", got ", stdout);
		if (quote)
			print_quoted(actual, 400);
		else
			fputs(actual, stdout);
		putchar('\n');
	}
	tc.failed = true;
}

static bool expect_str(const char *what, const char *expected, const char *actual)
{
	if (!strcmp(expected, actual))
		return true;
	case_fail(what, expected, actual, true);
	return false;
}

static bool expect_contains(const char *what, const char *needle, const char *hay)
{
	char e[200];

	if (strstr(hay, needle))
		return true;
	snprintf(e, sizeof(e), "text containing \"%s\"", needle);
	case_fail(what, e, hay, false);
	return false;
}

static bool expect_int(const char *what, long long expected, long long actual)
{
	char e[32], a[32];

	if (expected == actual)
		return true;
	snprintf(e, sizeof(e), "%lld", expected);
	snprintf(a, sizeof(a), "%lld", actual);
	case_fail(what, e, a, false);
	return false;
}

static bool expect_bool(const char *what, bool expected, bool actual)
{
	if (expected == actual)
		return true;
	case_fail(what, expected ? "true" : "false", actual ? "true" : "false", false);
	return false;
}

static const char *errname(long e)
{
	static char buf[4][24];
	static unsigned int k;

	switch (e) {
	case 0:
		return "0";
	case -EINVAL:
		return "-EINVAL";
	case -ENOMEM:
		return "-ENOMEM";
	}
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%ld", e);
	return buf[k];
}

/* A return value: 0, -EINVAL, -ENOMEM. */
static bool expect_ret(const char *what, long expected, long actual)
{
	if (expected == actual)
		return true;
	case_fail(what, errname(expected), errname(actual), false);
	return false;
}

/* ---------------------------------------------------------------------- */
/* Helpers: strings, parsing, listings, packets                            */

/* A growing string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* The string, "" if nothing was printed; the caller frees it. */
static char *sb_take(struct sbuf *b)
{
	if (!b->s)
		sb_printf(b, "%s", "");
	return b->s;
}

/* Copy the next line of *s into buf, without its newline; false at the end. */
static bool next_line(const char **s, char *buf, size_t len)
{
	const char *nl;
	size_t n;

	if (!**s)
		return false;
	nl = strchr(*s, '\n');
	n = nl ? (size_t)(nl - *s) : strlen(*s);
	memcpy(buf, *s, n < len ? n : len - 1);
	buf[n < len ? n : len - 1] = '\0';
	*s += n + (nl ? 1 : 0);
	return true;
}

/* minifw_parse_line() on a copy (it tokenizes in place). */
static int parse(const char *line, struct minifw_cmd *cmd, struct minifw_err *err)
{
	char buf[MINIFW_LINE_MAX + 1];

	memset(err, 0, sizeof(*err));
	snprintf(buf, sizeof(buf), "%s", line);
	return minifw_parse_line(buf, cmd, err);
}

/*
 * What a line gets written on its own to a fresh minifw: the parser's
 * error, or else the one of applying it to an empty ruleset and checking
 * the graph of its chains. @cmd holds nothing after.
 */
static int parse_apply(const char *line, struct minifw_cmd *cmd, struct minifw_err *err)
{
	struct minifw_ruleset *rs;
	int ret = parse(line, cmd, err);

	if (ret)
		return ret;
	rs = minifw_ruleset_new();
	if (!rs)
		abort();
	ret = minifw_ruleset_apply(rs, cmd, err) ?: minifw_ruleset_check_graph(rs, err);
	minifw_ruleset_put(rs);
	minifw_cmd_free(cmd);
	return ret;
}

/* The options of a parsed -A/-I/-D/-R, printed as the listing prints them. */
static void format_cmd(const struct minifw_cmd *cmd, char *buf, size_t len)
{
	struct minifw_rule r;

	minifw_cmd_rule(cmd, &r);
	minifw_rule_format(&r, cmd->arg, buf, len);
}

/*
 * Parse each line of script into cmds[]; a command's lineno is its line
 * number in the script, from 1. Empty lines are skipped (but counted).
 */
static int parse_script(const char *script, struct minifw_cmd *cmds, u32 max, u32 *n)
{
	char line[MINIFW_LINE_MAX + 1];
	struct minifw_err err;
	u32 lineno = 0;

	*n = 0;
	while (next_line(&script, line, sizeof(line))) {
		lineno++;
		if (!line[0])
			continue;
		if (*n == max) {
			case_fail("parse the test's script", "fewer lines", line, true);
			return -1;
		}
		if (parse(line, &cmds[*n], &err)) {
			case_fail("parse the test's script", "no error", err.msg, true);
			return -1;
		}
		cmds[(*n)++].lineno = lineno;
	}
	return 0;
}

/* A new ruleset with each line of script applied by minifw_ruleset_apply(). */
static struct minifw_ruleset *build(const char *script)
{
	struct minifw_ruleset *rs = minifw_ruleset_new();
	struct minifw_cmd cmds[64];
	struct minifw_err err = { 0 };
	u32 n, i;

	if (!rs)
		abort();
	if (parse_script(script, cmds, ARRAY_SIZE(cmds), &n))
		return rs;
	for (i = 0; i < n; i++) {
		if (minifw_ruleset_apply(rs, &cmds[i], &err)) {
			case_fail("build the test's ruleset", "no error", err.msg, true);
			break;
		}
	}
	for (i = 0; i < n; i++)
		minifw_cmd_free(&cmds[i]);
	if (compiled_mode && minifw_ruleset_compile(rs, &err))
		case_fail("compile the test's ruleset", "no error", err.msg, true);
	return rs;
}

/*
 * A new ruleset with each line of script applied, then compiled (with the
 * check of its chains' graph): *ret says how that went, the failure
 * expected (unlike build()).
 */
static struct minifw_ruleset *edit_raw(const char *script, struct minifw_err *err, int *ret)
{
	struct minifw_ruleset *rs = minifw_ruleset_new();
	struct minifw_cmd cmds[64];
	u32 n, i;

	memset(err, 0, sizeof(*err));
	*ret = -EBADMSG;
	if (!rs)
		abort();
	if (parse_script(script, cmds, ARRAY_SIZE(cmds), &n))
		return rs;
	*ret = 0;
	for (i = 0; i < n && !*ret; i++)
		*ret = minifw_ruleset_apply(rs, &cmds[i], err);
	for (i = 0; i < n; i++)
		minifw_cmd_free(&cmds[i]);
	if (!*ret)
		*ret = minifw_ruleset_compile(rs, err);
	return rs;
}

/* minifw_ruleset_edit() with the commands of a script. */
static struct minifw_ruleset *edit(const struct minifw_ruleset *cur, const char *script,
				   struct minifw_err *err)
{
	struct minifw_cmd cmds[64];
	struct minifw_ruleset *rs;
	u32 n, i;

	memset(err, 0, sizeof(*err));
	if (parse_script(script, cmds, ARRAY_SIZE(cmds), &n))
		return ERR_PTR(-EBADMSG);
	rs = minifw_ruleset_edit(cur, cmds, n, err);
	for (i = 0; i < n; i++)
		minifw_cmd_free(&cmds[i]);
	if (compiled_mode && !IS_ERR(rs) && minifw_ruleset_compile(rs, err))
		case_fail("compile the edited ruleset", "no error", err->msg, true);
	return rs;
}

/*
 * A ruleset as text. save: as iptables-save prints it ("*filter", a
 * ":CHAIN POLICY [packets:bytes]" line per chain, the "-A" lines, "COMMIT").
 * Short: only "-P CHAIN DROP" for DROP policies and the "-A" lines, which is
 * also a script that builds the same ruleset from an empty one. The caller
 * frees the text.
 */
static char *listing(const struct minifw_ruleset *rs, bool save)
{
	char text[MINIFW_RULE_TEXT_MAX];
	struct sbuf b = { 0 };
	unsigned int c;
	u32 i;
	u64 p, by;

	if (save)
		sb_printf(&b, "*filter\n");
	for (c = 0; c < rs->nchains; c++) {
		const struct minifw_chain *ch = minifw_listed_chain(rs, c);

		minifw_counter_read(ch->policy_cnt, &p, &by);
		if (c >= MINIFW_NCHAINS)
			sb_printf(&b, save ? ":%s - [0:0]\n" : "-N %s\n", ch->name);
		else if (save)
			sb_printf(&b, ":%s %s [%llu:%llu]\n", ch->name,
				  minifw_target_name(ch->policy),
				  (unsigned long long)p, (unsigned long long)by);
		else if (ch->policy != MINIFW_T_ACCEPT)
			sb_printf(&b, "-P %s %s\n", ch->name,
				  minifw_target_name(ch->policy));
	}
	for (c = 0; c < rs->nchains; c++) {
		const struct minifw_chain *ch = minifw_listed_chain(rs, c);

		for (i = 0; i < ch->nrules; i++) {
			const struct minifw_rule *r = &ch->rules[i];

			minifw_rule_format(r, r->target == MINIFW_T_JUMP ||
					   r->target == MINIFW_T_GOTO ?
					   rs->chain[r->target_arg].name : NULL,
					   text, sizeof(text));
			sb_printf(&b, "-A %s%s%s\n", ch->name, text[0] ? " " : "", text);
		}
	}
	if (save)
		sb_printf(&b, "COMMIT\n");
	return sb_take(&b);
}

static bool expect_listing(const char *what, const char *expected,
			   const struct minifw_ruleset *rs)
{
	char *l = listing(rs, false);
	bool ok = expect_str(what, expected, l);

	free(l);
	return ok;
}

/* Counters of a chain: "p:b p:b ... | p:b", the rules' then the policy's. */
static const char *counts(const struct minifw_ruleset *rs, unsigned int chain)
{
	static char buf[1024];
	const struct minifw_chain *ch = &rs->chain[chain];
	size_t pos = 0;
	u64 p, b;
	u32 i;

	buf[0] = '\0';
	for (i = 0; i < ch->nrules && pos < sizeof(buf) - 64; i++) {
		minifw_counter_read(ch->rules[i].cnt, &p, &b);
		pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, "%llu:%llu ",
					(unsigned long long)p, (unsigned long long)b);
	}
	minifw_counter_read(ch->policy_cnt, &p, &b);
	snprintf(buf + pos, sizeof(buf) - pos, "| %llu:%llu",
		 (unsigned long long)p, (unsigned long long)b);
	return buf;
}

/* A packet, and the IFNAMSIZ-byte device names the hook would pass. */
struct test_pkt {
	struct minifw_pkt p;
	char in[IFNAMSIZ], out[IFNAMSIZ];
	struct minifw_user_pkt u;	/* p.ctx: mark, TTL, packet type, connection */
	struct minifw_ct_view ct;	/* u.ct, with "conn" */
	struct minifw_rthdr rt;		/* u.rt, with "rt=" */
	struct minifw_ct_acct acct;	/* u.acct, with "acct=" */
	char helper[MINIFW_HELPER_NAME_LEN];	/* u.helper, with "helper=" */
	u8 bytes[256];			/* u.bytes, with "text=" */
	char physin[IFNAMSIZ], physout[IFNAMSIZ];	/* with "physin=", "physout=" */
};

/* "192.0.2.1:22" or "[2001:db8::1]:22" (port optional); sets the family */
static bool parse_host(const char *s, union minifw_addr *addr, __be16 *port, u8 *family)
{
	char a[64];
	const char *colon, *start = s;
	size_t n;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			return false;
		start = s + 1;
		n = (size_t)(close - start);
		colon = close[1] == ':' ? close + 1 : NULL;
		*family = MINIFW_FAM_IPV6;
	} else {
		colon = strchr(s, ':');
		n = colon ? (size_t)(colon - s) : strlen(s);
		*family = MINIFW_FAM_IPV4;
	}
	if (n >= sizeof(a))
		return false;
	memcpy(a, start, n);
	a[n] = '\0';
	*port = htons(colon ? (u16)atoi(colon + 1) : 0);
	memset(addr, 0, sizeof(*addr));
	return inet_pton(*family == MINIFW_FAM_IPV6 ? AF_INET6 : AF_INET, a, addr) == 1;
}

/* The MINIFW_CT_* bit of a state name, 0 if none. */
static u8 ct_bit(const char *name)
{
	static const char *const names[] = {
		"INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return (u8)(1U << i);
	return 0;
}

/* "conn": the connection's tuples from the packet's, as conntrack keeps them */
static void make_conn(struct test_pkt *t)
{
	struct minifw_ct_tuple *o = &t->ct.t[0], *r = &t->ct.t[1], *pkt = &t->ct.t[t->ct.reply];
	bool dnat = t->p.ctstate & MINIFW_CT_DNAT;
	struct minifw_ct_tuple nat = *r;

	t->ct.proto = t->p.proto;
	pkt->src = t->p.saddr;
	pkt->dst = t->p.daddr;
	pkt->sport = t->p.sport;
	pkt->dport = t->p.dport;
	/* the other direction: swapped, or from the DNAT target */
	if (t->ct.reply) {
		o->src = r->dst;
		o->dst = r->src;
		o->sport = r->dport;
		o->dport = r->sport;
	} else {
		r->src = dnat ? nat.src : o->dst;
		r->sport = dnat ? nat.sport : o->dport;
		r->dst = o->src;
		r->dport = o->sport;
	}
}

/*
 * A packet from a spec such as
 *	"tcp 10.1.2.3:1234 > 192.0.2.7:22 in=eth0 out=wlan0 len=60 frag nol4"
 *	"icmpv6 [2001:db8::1] > [2001:db8::2] type=128/0 ct=NEW"
 * proto (tcp, udp, icmp, icmpv6 or a number), source, ">", destination
 * (IPv6 ones in brackets; both of one family); then optional: in= and
 * out= (default ""), len= (default 100), "frag" (a non-first fragment),
 * "frag1" (one at offset 1, i.e. 8 bytes: IPv4's units), "fragoff=N" (the
 * offset as the hook gives it: IPv4 in 8-byte units, IPv6 in bytes),
 * "nol4" (the transport header could not be read), "badhdr" (IPv6: the
 * extension headers could not be read, so neither could the transport
 * header), "type=T[/C]" (ICMP or ICMPv6 type and code, default 0/0) and
 * "ct=STATE" (the connection tracking state: INVALID, NEW, RELATED,
 * ESTABLISHED or UNTRACKED; default none of them), "ttl=N" (TTL or hop
 * limit, default 64), "mark=N" (default 0) and "pkttype=T" (host,
 * broadcast, multicast or otherhost; default host). "conn" gives the
 * packet a connection for -m conntrack (its tuple the original one, the
 * reply the other way), then: "reply" (the packet is the reply),
 * "dnat=ADDR:PORT" (the reply comes from there; the state gains DNAT),
 * "ctstatus=N" (IPS_* bits), "ctexpire=N" (seconds), "ctmark=N",
 * "acct=OP/OB/RP/RB" (its accounting: packets and bytes of the original
 * direction, then of the reply; default none), "helper=NAME" (the helper
 * of its master; default none); "now=N"
 * (the time, in seconds since 1970), "tzwest=N" (the kernel's timezone,
 * minutes west of UTC); "mac=XX:..:XX"
 * (the Ethernet source; default none); "rt=TYPE/SEGSLEFT/LEN[/RESERVED]"
 * (an IPv6 routing header; default none); "tos=N" (the IPv4 TOS byte or
 * IPv6 traffic class, default 0); "tcpflags=N" (the TCP flags byte,
 * default 0); "mss=N" (the TCP MSS option; "mss=bad": options cut short;
 * default none); "sock" (a local socket without a file), "uid=N", "gid=N"
 * (one with a file, and its ids) and "groups=A,B" (its supplementary
 * groups); default no socket; "l4=HEX" (the transport header's first
 * bytes, for -m esp), "exthdr=TYPE:HEX" (an IPv6 extension header of
 * that protocol number and its first bytes) and "ip6h=N" (the extension
 * headers -m ipv6header sees, MINIFW_IP6H_*, or -1 and -2 for a chain it
 * cannot read and one too short: by default that of exthdr=); "text=WORD"
 * (the packet's bytes for -m string: 40 zeroes, 60 for IPv6, then WORD
 * with "_" for a blank); "l4hex=HEX" (the packet's bytes: an IP header
 * of zeroes, 20 or 40, then the transport header and what follows, HEX;
 * the packet's length is theirs); "bridged", "physin=NAME",
 * "physout=NAME" (the bridge ports of a bridged packet, -m physdev).
 */
/* "0a1b..." into at most @max bytes; how many */
static size_t hex_bytes(const char *s, u8 *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (n < max && sscanf(s + 2 * n, "%2x", &v) == 1)
		out[n++] = (u8)v;
	return n;
}

static void make_pkt(struct test_pkt *t, const char *spec)
{
	char buf[256], *save = NULL, *w;
	int field = 0;
	bool ok = true;
	u8 fam;

	memset(t, 0, sizeof(*t));
	t->p.in = t->in;
	t->p.out = t->out;
	t->p.l4 = true;
	t->p.ports = true;
	t->p.len = 100;
	t->p.ctx = &t->u;
	t->u.ttl = 64;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save), field++) {
		if (field == 0)
			t->p.proto = !strcmp(w, "tcp") ? IPPROTO_TCP :
				     !strcmp(w, "udp") ? IPPROTO_UDP :
				     !strcmp(w, "icmp") ? IPPROTO_ICMP :
				     !strcmp(w, "icmpv6") ? IPPROTO_ICMPV6 : (u8)atoi(w);
		else if (field == 1)
			ok &= parse_host(w, &t->p.saddr, &t->p.sport, &t->p.family);
		else if (field == 2)
			ok &= !strcmp(w, ">");
		else if (field == 3)
			ok &= parse_host(w, &t->p.daddr, &t->p.dport, &fam) && fam == t->p.family;
		else if (!strncmp(w, "in=", 3))
			snprintf(t->in, sizeof(t->in), "%s", w + 3);
		else if (!strncmp(w, "out=", 4))
			snprintf(t->out, sizeof(t->out), "%s", w + 4);
		else if (!strncmp(w, "len=", 4))
			t->p.len = (u32)atoi(w + 4);
		else if (!strcmp(w, "frag"))
			t->p.fragoff = 100;
		else if (!strcmp(w, "frag1"))
			t->p.fragoff = 1;
		else if (!strncmp(w, "fragoff=", 8))
			t->p.fragoff = (u16)atoi(w + 8);
		else if (!strcmp(w, "nol4"))
			t->p.l4 = t->p.ports = false;
		else if (!strcmp(w, "ports4"))	/* just the ports: a cut header */
			t->p.l4 = false;
		else if (!strcmp(w, "badhdr")) {
			t->p.badhdr = true;
			t->p.l4 = t->p.ports = false;
			ok &= t->p.family == MINIFW_FAM_IPV6;
		} else if (!strncmp(w, "type=", 5)) {
			t->p.icmp_type = (u8)atoi(w + 5);
			t->p.icmp_code = strchr(w, '/') ? (u8)atoi(strchr(w, '/') + 1) : 0;
		} else if (!strncmp(w, "ct=", 3)) {
			t->p.ctstate = ct_bit(w + 3);
			ok &= t->p.ctstate != 0;
		} else if (!strncmp(w, "ttl=", 4)) {
			t->u.ttl = (u8)atoi(w + 4);
		} else if (!strncmp(w, "tos=", 4)) {
			t->u.dsfield = (u8)strtoul(w + 4, NULL, 0);
		} else if (!strncmp(w, "mark=", 5)) {
			t->u.mark = (u32)strtoul(w + 5, NULL, 0);
		} else if (!strncmp(w, "tcpflags=", 9)) {
			t->p.tcp_flags = (u8)strtoul(w + 9, NULL, 0);
		} else if (!strcmp(w, "sock")) {
			t->u.owner.sock = true;
		} else if (!strncmp(w, "uid=", 4)) {
			t->u.owner.sock = t->u.owner.file = true;
			t->u.owner.uid = (u32)strtoul(w + 4, NULL, 0);
		} else if (!strncmp(w, "gid=", 4)) {
			t->u.owner.sock = t->u.owner.file = true;
			t->u.owner.gid = (u32)strtoul(w + 4, NULL, 0);
		} else if (!strncmp(w, "groups=", 7)) {
			char *g = w + 7;

			while (*g && t->u.ngroups < ARRAY_SIZE(t->u.groups)) {
				t->u.groups[t->u.ngroups++] = (u32)strtoul(g, &g, 0);
				g += *g == ',';
			}
		} else if (!strncmp(w, "l4=", 3)) {
			t->u.l4len = (u8)hex_bytes(w + 3, t->u.l4, sizeof(t->u.l4));
		} else if (!strncmp(w, "exthdr=", 7)) {
			char *colon = strchr(w, ':');

			ok &= colon != NULL;
			t->u.has_ext = true;
			t->u.ext_type = (u8)atoi(w + 7);
			t->u.ext_len = colon ? (u8)hex_bytes(colon + 1, t->u.ext, sizeof(t->u.ext)) : 0;
		} else if (!strncmp(w, "ip6h=", 5)) {
			t->u.ip6_headers = (int)strtol(w + 5, NULL, 0);
			if (t->u.ip6_headers == -1)
				t->u.ip6_headers = -ENOENT;
			else if (t->u.ip6_headers == -2)
				t->u.ip6_headers = -EBADMSG;
		} else if (!strcmp(w, "mss=bad")) {
			t->u.mss_opt = MINIFW_USER_MSS_BAD;
		} else if (!strncmp(w, "mss=", 4)) {
			t->u.mss_opt = MINIFW_USER_MSS_SET;
			t->u.mss = (u16)atoi(w + 4);
		} else if (!strncmp(w, "mac=", 4)) {
			unsigned int m[6], k;

			ok &= sscanf(w + 4, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
				     &m[4], &m[5]) == 6;
			for (k = 0; k < 6; k++)
				t->u.mac[k] = (u8)m[k];
			t->u.has_mac = true;
		} else if (!strncmp(w, "rt=", 3)) {
			unsigned int ty, sl, len, res = 0;

			ok &= sscanf(w + 3, "%u/%u/%u/%u", &ty, &sl, &len, &res) >= 3;
			t->rt = (struct minifw_rthdr){ .type = (u8)ty, .segsleft = (u8)sl,
						       .len = len, .reserved = res };
			t->u.rt = &t->rt;
		} else if (!strcmp(w, "conn")) {
			t->u.ct = &t->ct;
		} else if (!strcmp(w, "reply")) {
			t->ct.reply = true;
		} else if (!strncmp(w, "dnat=", 5)) {
			ok &= parse_host(w + 5, &t->ct.t[1].src, &t->ct.t[1].sport, &fam);
			t->p.ctstate |= MINIFW_CT_DNAT;
		} else if (!strncmp(w, "ctstatus=", 9)) {
			t->ct.status = (u32)strtoul(w + 9, NULL, 0);
		} else if (!strncmp(w, "now=", 4)) {
			t->u.now = strtoll(w + 4, NULL, 0);
		} else if (!strncmp(w, "tzwest=", 7)) {
			t->u.tz_minuteswest = (s32)strtol(w + 7, NULL, 0);
		} else if (!strncmp(w, "acct=", 5)) {
			unsigned long long v[4];

			ok &= sscanf(w + 5, "%llu/%llu/%llu/%llu", &v[0], &v[1], &v[2], &v[3]) == 4;
			t->acct = (struct minifw_ct_acct){ .packets = { v[0], v[2] },
							   .bytes = { v[1], v[3] } };
			t->u.acct = &t->acct;
		} else if (!strncmp(w, "helper=", 7)) {
			snprintf(t->helper, sizeof(t->helper), "%s", w + 7);
			t->u.helper = t->helper;
		} else if (!strcmp(w, "bridged")) {
			t->u.bridged = true;
		} else if (!strncmp(w, "physin=", 7)) {
			snprintf(t->physin, sizeof(t->physin), "%s", w + 7);
			t->u.physin = t->physin;
			t->u.bridged = true;
		} else if (!strncmp(w, "physout=", 8)) {
			snprintf(t->physout, sizeof(t->physout), "%s", w + 8);
			t->u.physout = t->physout;
			t->u.bridged = true;
		} else if (!strncmp(w, "l4hex=", 6)) {
			size_t at = t->p.family == MINIFW_FAM_IPV4 ? 20 : 40;

			t->u.nbytes = at + hex_bytes(w + 6, t->bytes + at, sizeof(t->bytes) - at);
			t->u.bytes = t->bytes;
			t->p.thoff = at;
			t->p.len = t->u.nbytes;
		} else if (!strncmp(w, "text=", 5)) {
			size_t at = t->p.family == MINIFW_FAM_IPV4 ? 40 : 60, k;

			ok &= at + strlen(w + 5) <= sizeof(t->bytes);
			for (k = 0; ok && w[5 + k]; k++)
				t->bytes[at + k] = w[5 + k] == '_' ? ' ' : w[5 + k];
			t->u.bytes = t->bytes;
			t->u.nbytes = at + k;
		} else if (!strncmp(w, "ctmark=", 7)) {
			t->u.ctmark = (u32)strtoul(w + 7, NULL, 0);
		} else if (!strncmp(w, "ctexpire=", 9)) {
			t->ct.expires = (u32)strtoul(w + 9, NULL, 0);
		} else if (!strncmp(w, "pkttype=", 8)) {
			t->u.type = !strcmp(w + 8, "broadcast") ? PACKET_BROADCAST :
				    !strcmp(w + 8, "multicast") ? PACKET_MULTICAST :
				    !strcmp(w + 8, "otherhost") ? PACKET_OTHERHOST :
				    PACKET_HOST;
			ok &= t->u.type != PACKET_HOST || !strcmp(w + 8, "host");
		} else {
			ok = false;
		}
	}
	if (!ok || field < 4) {
		fprintf(stderr, "test_rules: bad packet spec \"%s\"\n", spec);
		abort();
	}
	if (t->u.ct)
		make_conn(t);
}

/* ---------------------------------------------------------------------- */
/* 1. Canonical listing                                                    */

/*
 * The line is parsed; the rule it describes is printed with
 * minifw_rule_format(). want is what iptables-save prints for the rule's
 * options (after "-A CHAIN"): canonical values, iptables-save's order.
 */
static const struct {
	const char *line, *want;
} listing_cases[] = {
	/* addresses: host bits masked, /32 always printed */
	{ "-A INPUT -s 10.1.2.3/8", "-s 10.0.0.0/8" },
	{ "-A INPUT -s 192.0.2.1", "-s 192.0.2.1/32" },
	{ "-A INPUT -s 192.0.2.1/32", "-s 192.0.2.1/32" },
	{ "-A INPUT -s 192.0.2.129/25", "-s 192.0.2.128/25" },
	{ "-A INPUT -s 10.1.2.3/31", "-s 10.1.2.2/31" },
	{ "-A INPUT -s 200.1.2.3/1", "-s 128.0.0.0/1" },
	{ "-A INPUT -s 10.1.2.3/1", "-s 0.0.0.0/1" },
	{ "-A INPUT -d 198.51.100.7/24", "-d 198.51.100.0/24" },
	{ "-A INPUT -d 255.255.255.255", "-d 255.255.255.255/32" },
	{ "-A INPUT -d 0.0.0.0/32", "-d 0.0.0.0/32" },
	/*
	 * 0.0.0.0/0 (any mask of 0) matches every IPv4 address, unless
	 * negated; the rule is IPv4's, which "-4" keeps in the listing
	 */
	{ "-A INPUT -s 0.0.0.0/0", "-4" },
	{ "-A INPUT -s 1.2.3.4/0", "-4" },
	{ "-A INPUT -d 0.0.0.0/0", "-4" },
	{ "-A INPUT ! -s 0.0.0.0/0", "! -s 0.0.0.0/0" },
	{ "-A INPUT ! -d 9.9.9.9/0", "! -d 0.0.0.0/0" },
	/* iptables completes short network addresses: "10" is 10.0.0.0 */
	{ "-A INPUT -s 10/8", "-s 10.0.0.0/8" },
	{ "-A INPUT -s 10", "-s 10.0.0.0/32" },
	{ "-A INPUT -s 172.16/12", "-s 172.16.0.0/12" },
	{ "-A INPUT -s 1.2.3", "-s 1.2.3.0/32" },
	{ "-A INPUT -s 0/0", "-4" },
	/* dotted masks: contiguous ones print as a length, others dotted */
	{ "-A INPUT -s 10.1.2.3/255.255.0.0", "-s 10.1.0.0/16" },
	{ "-A INPUT -s 10.1.2.3/255.255.255.255", "-s 10.1.2.3/32" },
	{ "-A INPUT -d 10.1.2.3/255.255.255.254", "-d 10.1.2.2/31" },
	{ "-A INPUT -s 10.1.2.3/0.0.0.0", "-4" },
	{ "-A INPUT -s 10.1.2.3/255.0.255.0", "-s 10.0.2.0/255.0.255.0" },
	{ "-A INPUT -d 10.1.2.3/0.0.0.255", "-d 0.0.0.3/0.0.0.255" },
	{ "-A INPUT ! -s 10.1.2.3/255.255.0.255", "! -s 10.1.0.3/255.255.0.255" },
	/* protocols: names lower-cased, numbers named when they have a name */
	{ "-A INPUT -p all", "" },
	{ "-A INPUT -p ALL", "" },
	{ "-A INPUT -p 0", "" },
	{ "-A INPUT -p tcp", "-p tcp" },
	{ "-A INPUT -p 6", "-p tcp" },
	{ "-A INPUT -p TCP", "-p tcp" },
	{ "-A INPUT -p Udp", "-p udp" },
	{ "-A INPUT -p 17", "-p udp" },
	{ "-A INPUT -p 1", "-p icmp" },
	{ "-A INPUT -p ICMP", "-p icmp" },
	{ "-A INPUT -p 47", "-p gre" },
	{ "-A INPUT -p 50", "-p esp" },
	{ "-A INPUT -p 132", "-p sctp" },
	{ "-A INPUT -p icmpv6", "-p ipv6-icmp" },
	{ "-A INPUT -p 200", "-p 200" },
	{ "-A INPUT -p 255", "-p 255" },
	{ "-A INPUT ! -p tcp", "! -p tcp" },
	{ "-A INPUT ! -p 200", "! -p 200" },
	/* tcp and udp: -m tcp / -m udp printed whenever ports are given */
	{ "-A INPUT -p tcp --dport 22", "-p tcp -m tcp --dport 22" },
	{ "-A INPUT -p udp --sport 53", "-p udp -m udp --sport 53" },
	{ "-A INPUT -p tcp -m tcp", "-p tcp -m tcp" },
	{ "-A INPUT -p udp -m udp", "-p udp -m udp" },
	{ "-A INPUT -p tcp -m tcp --dport 22", "-p tcp -m tcp --dport 22" },
	{ "-A INPUT -m tcp -p tcp --dport 22", "-p tcp -m tcp --dport 22" },
	{ "-A INPUT -m udp --dport 53 -p udp", "-p udp -m udp --dport 53" },
	{ "-A INPUT -p 6 --dport 22", "-p tcp -m tcp --dport 22" },
	{ "-A INPUT -p TCP --dport 22", "-p tcp -m tcp --dport 22" },
	/* port ranges normalised */
	{ "-A INPUT -p tcp --dport 1024:", "-p tcp -m tcp --dport 1024:65535" },
	{ "-A INPUT -p tcp --dport :1023", "-p tcp -m tcp --dport 0:1023" },
	{ "-A INPUT -p tcp --dport 5:5", "-p tcp -m tcp --dport 5" },
	{ "-A INPUT -p udp --dport 100:200", "-p udp -m udp --dport 100:200" },
	{ "-A INPUT -p tcp --dport 0", "-p tcp -m tcp --dport 0" },
	{ "-A INPUT -p tcp --dport 65535", "-p tcp -m tcp --dport 65535" },
	{ "-A INPUT -p tcp --dport 0:65535", "-p tcp -m tcp" },
	{ "-A INPUT -p tcp --dport 0:", "-p tcp -m tcp" },
	{ "-A INPUT -p tcp --sport :", "-p tcp -m tcp" },
	{ "-A INPUT -p tcp ! --dport 0:65535", "-p tcp -m tcp ! --dport 0:65535" },
	{ "-A INPUT -p tcp --dport 22 --sport 1024:", "-p tcp -m tcp --sport 1024:65535 --dport 22" },
	/* options print in iptables-save's order whatever the input order */
	{ "-A FORWARD -j DROP -o eth1 -i eth0 -p tcp --dport 22 --sport 1024: -d 192.0.2.0/24 -s 10.0.0.0/8",
	  "-s 10.0.0.0/8 -d 192.0.2.0/24 -i eth0 -o eth1 -p tcp -m tcp --sport 1024:65535 --dport 22 -j DROP" },
	{ "-A INPUT -j ACCEPT -p udp --dport 53 -m udp -d 10.0.0.1",
	  "-d 10.0.0.1/32 -p udp -m udp --dport 53 -j ACCEPT" },
	{ "-A OUTPUT -o lo -d 127.0.0.1 -s 127.0.0.1 -j ACCEPT",
	  "-s 127.0.0.1/32 -d 127.0.0.1/32 -o lo -j ACCEPT" },
	/* negations */
	{ "-A INPUT ! -s 10.0.0.0/8", "! -s 10.0.0.0/8" },
	{ "-A INPUT ! -d 10.1.2.3", "! -d 10.1.2.3/32" },
	{ "-A INPUT ! -i eth0", "! -i eth0" },
	{ "-A OUTPUT ! -o eth0", "! -o eth0" },
	{ "-A INPUT -p tcp ! --sport 1024:", "-p tcp -m tcp ! --sport 1024:65535" },
	{ "-A INPUT -p udp ! --dport 53", "-p udp -m udp ! --dport 53" },
	{ "-A INPUT -p tcp ! --sport 1 ! --dport 2", "-p tcp -m tcp ! --sport 1 ! --dport 2" },
	{ "-A FORWARD ! -s 10.0.0.0/8 ! -d 10.0.0.0/8 ! -i eth0 ! -o eth1 ! -p udp -j DROP",
	  "! -s 10.0.0.0/8 ! -d 10.0.0.0/8 ! -i eth0 ! -o eth1 ! -p udp -j DROP" },
	/* interfaces, exact and wildcard */
	{ "-A INPUT -i eth+", "-i eth+" },
	{ "-A INPUT -i +", "" },
	{ "-A INPUT ! -i +", "! -i +" },
	{ "-A INPUT -i lo", "-i lo" },
	{ "-A INPUT -i 0123456789abcde", "-i 0123456789abcde" },
	{ "-A OUTPUT -o wg0", "-o wg0" },
	{ "-A POSTROUTING -o ppp+", "-o ppp+" },
	{ "-A PREROUTING -i br-lan", "-i br-lan" },
	{ "-A FORWARD -i eth0.100 -o eth1", "-i eth0.100 -o eth1" },
	/* long options */
	{ "-A INPUT --source 10.0.0.0/8", "-s 10.0.0.0/8" },
	{ "-A INPUT --src 10.0.0.1", "-s 10.0.0.1/32" },
	{ "-A INPUT --destination 10.0.0.0/8", "-d 10.0.0.0/8" },
	{ "-A INPUT --dst 10.0.0.0/8", "-d 10.0.0.0/8" },
	{ "-A INPUT --protocol udp", "-p udp" },
	{ "-A INPUT --in-interface eth0", "-i eth0" },
	{ "-A OUTPUT --out-interface eth0", "-o eth0" },
	{ "-A INPUT --jump ACCEPT", "-j ACCEPT" },
	{ "-A INPUT -p tcp --match tcp", "-p tcp -m tcp" },
	{ "-A INPUT -p tcp --source-port 80", "-p tcp -m tcp --sport 80" },
	{ "-A INPUT -p tcp --destination-port 443", "-p tcp -m tcp --dport 443" },
	{ "--append INPUT --protocol tcp --destination-port 22 --jump ACCEPT",
	  "-p tcp -m tcp --dport 22 -j ACCEPT" },
	{ "-A INPUT ! --source 10.0.0.0/8 ! --protocol tcp", "! -s 10.0.0.0/8 ! -p tcp" },
	/* targets; a rule without -j only counts and prints without -j */
	{ "-A INPUT", "" },
	{ "-A INPUT -j ACCEPT", "-j ACCEPT" },
	{ "-A INPUT -j DROP", "-j DROP" },
	{ "-A INPUT -s 10.0.0.0/8", "-s 10.0.0.0/8" },
	/* the other rule commands, and white space */
	{ "-I INPUT 3 -s 10.0.0.0/8 -j DROP", "-s 10.0.0.0/8 -j DROP" },
	{ "-D INPUT -p tcp --dport 22 -j ACCEPT", "-p tcp -m tcp --dport 22 -j ACCEPT" },
	{ "-R INPUT 1 -p udp -j DROP", "-p udp -j DROP" },
	{ "  -A\tINPUT   -s 10.0.0.0/8\t-j DROP  \r", "-s 10.0.0.0/8 -j DROP" },
	/* IPv6: as glibc's inet_ntop() prints, host bits masked, /128 printed */
	{ "-A INPUT -s 2001:db8::1", "-s 2001:db8::1/128" },
	{ "-A INPUT -s 2001:DB8:0:0:0:0:0:1/128", "-s 2001:db8::1/128" },
	{ "-A INPUT -d 2001:db8:1:2:3:4:5:6/64", "-d 2001:db8:1:2::/64" },
	{ "-A INPUT -s ::", "-s ::/128" },
	{ "-A INPUT -s ::1", "-s ::1/128" },
	{ "-A INPUT -s ::ffff:192.0.2.1", "-s ::ffff:192.0.2.1/128" },
	{ "-A INPUT -s 1:0:0:2:0:0:3:4", "-s 1::2:0:0:3:4/128" },
	{ "-A INPUT -s ::/0", "-6" },
	{ "-A INPUT ! -s ::/0", "! -s ::/0" },
	{ "-A INPUT ! -d 2001:db8::/32 -p tcp --dport 22", "! -d 2001:db8::/32 -p tcp -m tcp --dport 22" },
	/* -4 and -6 where nothing else says the family */
	{ "-A INPUT -4", "-4" },
	{ "-A INPUT --ipv6", "-6" },
	{ "-A INPUT -6 -s 2001:db8::1", "-s 2001:db8::1/128" },
	{ "-A INPUT -4 -p icmp", "-p icmp" },
	{ "-A INPUT -6 -p tcp -j DROP", "-6 -p tcp -j DROP" },
	{ "-A INPUT -6 ! -p ipv6-icmp", "-6 ! -p ipv6-icmp" },
	/* ICMPv6 types, saved as numbers */
	{ "-A INPUT -p ipv6-icmp --icmpv6-type echo-request", "-p ipv6-icmp -m icmp6 --icmpv6-type 128" },
	{ "-A INPUT -p icmpv6 -m icmp6 ! --icmpv6-type port-unreachable",
	  "-p ipv6-icmp -m icmp6 ! --icmpv6-type 1/4" },
	/* REJECT: the default is family-neutral; each family's names */
	{ "-A INPUT -j REJECT", "-j REJECT" },
	{ "-A INPUT -4 -j REJECT", "-j REJECT --reject-with icmp-port-unreachable" },
	{ "-A INPUT -6 -j REJECT", "-j REJECT --reject-with icmp6-port-unreachable" },
	{ "-A FORWARD -j REJECT --reject-with adm-prohibited", "-j REJECT --reject-with icmp6-adm-prohibited" },
	{ "-A INPUT -6 -p tcp -j REJECT --reject-with tcp-reset", "-6 -p tcp -j REJECT --reject-with tcp-reset" },
	/* connection tracking state, in libxt_conntrack's order */
	{ "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
	  "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" },
	{ "-A INPUT -m state --state new", "-m state --state NEW" },
	{ "-A FORWARD -m conntrack ! --ctstate E,I", "-m conntrack ! --ctstate INVALID,ESTABLISHED" },
	{ "-A OUTPUT -p tcp --dport 22 -m state --state NEW -m comment --comment ssh",
	  "-p tcp -m tcp --dport 22 -m state --state NEW -m comment --comment ssh" },
	/* the longest rule there is still fits MINIFW_RULE_TEXT_MAX */
	{ "-A FORWARD ! -s 255.255.255.253/255.255.255.253 ! -d 255.255.255.253/255.255.255.253 "
	  "! -i 0123456789abcde ! -o 0123456789abcd+ -p udp ! --sport 65534:65535 "
	  "! --dport 65534:65535 -j ACCEPT",
	  "! -s 255.255.255.253/255.255.255.253 ! -d 255.255.255.253/255.255.255.253 "
	  "! -i 0123456789abcde ! -o 0123456789abcd+ -p udp -m udp ! --sport 65534:65535 "
	  "! --dport 65534:65535 -j ACCEPT" },
};

static void test_listing(void)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(listing_cases); k++) {
		const char *line = listing_cases[k].line;
		struct minifw_cmd cmd, cmd2;
		struct minifw_err err;
		char once[MINIFW_RULE_TEXT_MAX], twice[MINIFW_RULE_TEXT_MAX];
		char again[MINIFW_RULE_TEXT_MAX + 32];
		int ret;

		case_begin("listing", line);
		ret = parse(line, &cmd, &err);
		if (expect_ret("parse", 0, ret) && expect_str("parse error", "", err.msg)) {
			format_cmd(&cmd, once, sizeof(once));
			expect_str("printed", listing_cases[k].want, once);
			expect_int("printed length < MINIFW_RULE_TEXT_MAX", 1,
				   strlen(once) < MINIFW_RULE_TEXT_MAX - 1);
			/* round trip: what is printed parses back to the same text */
			snprintf(again, sizeof(again), "-A %s %s",
				 minifw_chain_name(cmd.chain), once);
			ret = parse(again, &cmd2, &err);
			if (expect_ret("parse the printed rule", 0, ret)) {
				format_cmd(&cmd2, twice, sizeof(twice));
				expect_str("printed twice", once, twice);
				expect_int("same struct minifw_match", 0,
					   memcmp(&cmd.m, &cmd2.m, sizeof(cmd.m)));
				minifw_cmd_free(&cmd2);
			}
			minifw_cmd_free(&cmd);
		}
		case_end();
	}

	/* a buffer too small truncates, NUL-terminated, never overflows */
	case_begin("listing", "minifw_rule_format() into 1, 8 and 12 bytes");
	{
		struct minifw_cmd cmd;
		struct minifw_err err;
		struct minifw_rule r;
		char buf[16];

		parse("-A INPUT -s 10.0.0.0/8 -j DROP", &cmd, &err);
		minifw_cmd_rule(&cmd, &r);
		memset(buf, 'x', sizeof(buf));
		minifw_rule_format(&r, NULL, buf, 1);
		expect_str("1 byte", "", buf);
		memset(buf, 'x', sizeof(buf));
		minifw_rule_format(&r, NULL, buf, 8);
		expect_str("8 bytes", "-s 10.0", buf);
		memset(buf, 'x', sizeof(buf));
		minifw_rule_format(&r, NULL, buf, 12);
		expect_int("12 bytes: byte 12 untouched", 'x', buf[12]);
		expect_int("12 bytes: NUL-terminated", 11, strlen(buf));
	}
	case_end();
}

/* ---------------------------------------------------------------------- */
/* 2. Commands                                                             */

static const struct {
	const char *line;
	u8 op, chain;
	u32 num;
	u8 policy, target;
} command_cases[] = {
	{ "-A INPUT -j DROP", MINIFW_OP_APPEND, MINIFW_INPUT, 0, 0, MINIFW_T_DROP },
	{ "--append FORWARD", MINIFW_OP_APPEND, MINIFW_FORWARD, 0, 0, MINIFW_T_NONE },
	{ "-A PREROUTING -j ACCEPT", MINIFW_OP_APPEND, MINIFW_PREROUTING, 0, 0, MINIFW_T_ACCEPT },
	{ "-A OUTPUT", MINIFW_OP_APPEND, MINIFW_OUTPUT, 0, 0, MINIFW_T_NONE },
	{ "-A POSTROUTING", MINIFW_OP_APPEND, MINIFW_POSTROUTING, 0, 0, MINIFW_T_NONE },
	{ "-I INPUT -j ACCEPT", MINIFW_OP_INSERT, MINIFW_INPUT, 0, 0, MINIFW_T_ACCEPT },
	{ "-I INPUT 1 -j ACCEPT", MINIFW_OP_INSERT, MINIFW_INPUT, 1, 0, MINIFW_T_ACCEPT },
	{ "-I INPUT 42", MINIFW_OP_INSERT, MINIFW_INPUT, 42, 0, MINIFW_T_NONE },
	{ "--insert OUTPUT 2 -p udp", MINIFW_OP_INSERT, MINIFW_OUTPUT, 2, 0, MINIFW_T_NONE },
	{ "-I INPUT 4294967295", MINIFW_OP_INSERT, MINIFW_INPUT, 4294967295U, 0, MINIFW_T_NONE },
	{ "-D INPUT 3", MINIFW_OP_DELETE_NUM, MINIFW_INPUT, 3, 0, MINIFW_T_NONE },
	{ "--delete FORWARD 1", MINIFW_OP_DELETE_NUM, MINIFW_FORWARD, 1, 0, MINIFW_T_NONE },
	{ "-D INPUT -s 10.0.0.0/8 -j DROP", MINIFW_OP_DELETE_RULE, MINIFW_INPUT, 0, 0, MINIFW_T_DROP },
	{ "-D OUTPUT -p tcp", MINIFW_OP_DELETE_RULE, MINIFW_OUTPUT, 0, 0, MINIFW_T_NONE },
	{ "-R INPUT 2 -j DROP", MINIFW_OP_REPLACE, MINIFW_INPUT, 2, 0, MINIFW_T_DROP },
	{ "--replace OUTPUT 1 -p tcp", MINIFW_OP_REPLACE, MINIFW_OUTPUT, 1, 0, MINIFW_T_NONE },
	{ "-R INPUT 7", MINIFW_OP_REPLACE, MINIFW_INPUT, 7, 0, MINIFW_T_NONE },
	{ "-F", MINIFW_OP_FLUSH, MINIFW_ALL_CHAINS, 0, 0, MINIFW_T_NONE },
	{ "-F INPUT", MINIFW_OP_FLUSH, MINIFW_INPUT, 0, 0, MINIFW_T_NONE },
	{ "--flush", MINIFW_OP_FLUSH, MINIFW_ALL_CHAINS, 0, 0, MINIFW_T_NONE },
	{ "--flush POSTROUTING", MINIFW_OP_FLUSH, MINIFW_POSTROUTING, 0, 0, MINIFW_T_NONE },
	{ "-P INPUT DROP", MINIFW_OP_POLICY, MINIFW_INPUT, 0, MINIFW_T_DROP, MINIFW_T_NONE },
	{ "-P FORWARD ACCEPT", MINIFW_OP_POLICY, MINIFW_FORWARD, 0, MINIFW_T_ACCEPT, MINIFW_T_NONE },
	{ "--policy OUTPUT DROP", MINIFW_OP_POLICY, MINIFW_OUTPUT, 0, MINIFW_T_DROP, MINIFW_T_NONE },
	{ "-Z", MINIFW_OP_ZERO, MINIFW_ALL_CHAINS, 0, 0, MINIFW_T_NONE },
	{ "-Z INPUT", MINIFW_OP_ZERO, MINIFW_INPUT, 0, 0, MINIFW_T_NONE },
	{ "-Z INPUT 3", MINIFW_OP_ZERO, MINIFW_INPUT, 3, 0, MINIFW_T_NONE },
	{ "--zero", MINIFW_OP_ZERO, MINIFW_ALL_CHAINS, 0, 0, MINIFW_T_NONE },
	{ "--zero FORWARD 1", MINIFW_OP_ZERO, MINIFW_FORWARD, 1, 0, MINIFW_T_NONE },
	{ "\t-P  PREROUTING\tDROP ", MINIFW_OP_POLICY, MINIFW_PREROUTING, 0, MINIFW_T_DROP, MINIFW_T_NONE },
};

static void test_commands(void)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(command_cases); k++) {
		struct minifw_cmd cmd;
		struct minifw_err err;
		int ret;

		case_begin("commands", command_cases[k].line);
		ret = parse(command_cases[k].line, &cmd, &err);
		if (expect_ret("parse", 0, ret)) {
			expect_int("op", command_cases[k].op, cmd.op);
			expect_str("chain", minifw_chain_name(command_cases[k].chain),
				   minifw_chain_name(cmd.chain));
			expect_int("num", command_cases[k].num, cmd.num);
			expect_str("policy", minifw_target_name(command_cases[k].policy),
				   minifw_target_name(cmd.policy));
			expect_str("target", minifw_target_name(command_cases[k].target),
				   minifw_target_name(cmd.target));
		}
		case_end();
	}

	case_begin("commands", "minifw_chain_name() and minifw_target_name()");
	expect_str("chain 0", "PREROUTING", minifw_chain_name(MINIFW_PREROUTING));
	expect_str("chain 4", "POSTROUTING", minifw_chain_name(MINIFW_POSTROUTING));
	expect_str("chain 5", "?", minifw_chain_name(MINIFW_NCHAINS));
	expect_str("target NONE", "", minifw_target_name(MINIFW_T_NONE));
	expect_str("target ACCEPT", "ACCEPT", minifw_target_name(MINIFW_T_ACCEPT));
	expect_str("target DROP", "DROP", minifw_target_name(MINIFW_T_DROP));
	case_end();
}

/* ---------------------------------------------------------------------- */
/* 3. Errors                                                               */

#define WORDS8 "-s 1 -s 2 -s 3 -s 4 "

/* The parser refuses the line with -EINVAL and err.msg contains msg. */
static const struct {
	const char *line, *msg;
} error_cases[] = {
	/* not a command, not an option */
	{ "", "empty command" },
	{ "   \t ", "empty command" },
	{ "-L", "\"-L\" is not a command" },
	{ "-L INPUT", "\"-L\"" },
	{ "iptables -A INPUT -j DROP", "\"iptables\"" },
	{ "-a INPUT", "\"-a\"" },
	{ "-A INPUT --dprot 22", "unknown option \"--dprot\"" },
	{ "-A INPUT -p tcp --dprot 22", "\"--dprot\"" },
	{ "-A INPUT -x", "\"-x\"" },
	{ "-A INPUT DROP", "\"DROP\"" },
	{ "-A INPUT -j DROP extra", "\"extra\"" },
	{ "-A INPUT --\x01" "bad", "\"--?bad\"" },
	{ "-A INPUT -s 1.2.3.4 -p udp -m udp --dport 22 --syn", "--syn needs -p tcp" },
	{ "-A INPUT " WORDS8 WORDS8 WORDS8 WORDS8 WORDS8 WORDS8 WORDS8 WORDS8 WORDS8 WORDS8 WORDS8 WORDS8
	  WORDS8 WORDS8 WORDS8 WORDS8 WORDS8 WORDS8 WORDS8 WORDS8 WORDS8, "too many words" },
	/* addresses */
	{ "-A INPUT -s 192.0.2.300", "\"192.0.2.300\" is not an IPv4 address" },
	/* in4_pton() alone would stop at these and take the address before them */
	{ "-A INPUT -d 10.0.0.1:80 -j DROP", "\"10.0.0.1:80\" is not an IPv4 address" },
	{ "-A INPUT -s 1.2.3.4x", "\"1.2.3.4x\" is not an IPv4 address" },
	{ "-A INPUT -s 1.2.3.4.", "\"1.2.3.4.\" is not an IPv4 address" },
	{ "-A INPUT -s 10.0.0.0/255.0.0.0x", "\"255.0.0.0x\" is not a netmask" },
	{ "-A INPUT -s 10.0.0.0/255.0.0", "\"255.0.0\" is not a netmask" },
	{ "-A INPUT -s 0x0a.0.0.1", "\"0x0a.0.0.1\" is not an IPv4 address" },
	{ "-A INPUT -s +1.2.3.4", "\"+1.2.3.4\" is not an IPv4 address" },
	/* iptables reads a leading zero as octal: refused, not guessed */
	{ "-A INPUT -s 010.0.0.1", "\"010.0.0.1\": leading zeros are ambiguous" },
	{ "-A INPUT -s 10.0.0.0/08", "\"08\": leading zeros are ambiguous" },
	{ "-A INPUT -p tcp --dport 022", "\"022\": leading zeros are ambiguous" },
	{ "-A INPUT -p tcp --sport 1:080", "\"080\": leading zeros are ambiguous" },
	{ "-A INPUT -p 06", "\"06\": leading zeros are ambiguous" },
	{ "-D INPUT 01", "\"01\": leading zeros are ambiguous" },
	{ "-A INPUT -p tcp --dport +22", "\"+22\" is not a port" },
	{ "-A INPUT -s 1.2.3.4.5", "\"1.2.3.4.5\"" },
	{ "-A INPUT -s 1..2.3", "\"1..2.3\"" },
	{ "-A INPUT -s 1.2.3.", "\"1.2.3.\"" },
	{ "-A INPUT -s .1.2.3", "\".1.2.3\"" },
	{ "-A INPUT -s junk", "\"junk\"" },
	{ "-A INPUT -s junk/0", "\"junk/0\"" },
	{ "-A INPUT -d example.com", "\"example.com\"" },
	{ "-A INPUT -s localhost", "\"localhost\"" },
	{ "-A INPUT -s 2001:db8::1 -d 192.0.2.1", "-d makes the rule IPv4, but -s made it IPv6" },
	{ "-A INPUT -s 2001:db8::1::2", "\"2001:db8::1::2\" is not an IPv6 address" },
	{ "-A INPUT -s 0x0a000001", "\"0x0a000001\"" },
	{ "-A INPUT -s /8", "\"/8\"" },
	{ "-A INPUT -s 1.2.3.-4", "\"1.2.3.-4\"" },
	{ "-A INPUT -s 100.200.300.400.500.600", "100.200.300.400.500.600" },
	{ "-A INPUT -s 10.0.0.0/33", "\"33\"" },
	{ "-A INPUT -s 10.0.0.0/", "prefix length \"\"" },
	{ "-A INPUT -s 10.0.0.0/-1", "\"-1\"" },
	{ "-A INPUT -s 10.0.0.0/8x", "\"8x\"" },
	{ "-A INPUT -s 10.0.0.0/255.255.0.256", "\"255.255.0.256\" is not a netmask" },
	{ "-A INPUT -s 10.0.0.0/255.255.0", "\"255.255.0\"" },
	{ "-A INPUT -s 1.2.3.4 -s 5.6.7.8", "-s given twice" },
	{ "-A INPUT --source 1.2.3.4 -s 5.6.7.8", "-s given twice" },
	{ "-A INPUT -d 1.2.3.4 --dst 1.2.3.4", "-d given twice" },
	{ "-A INPUT -s ! 10.0.0.1", "\"!\"" },
	{ "-A INPUT -s 0123456789012345678901234567890123456789xyz",
	  "\"0123456789012345678901234567890123456...\"" },
	/* protocols */
	{ "-A INPUT -p foo", "unknown protocol \"foo\"" },
	{ "-A INPUT -p 256", "\"256\"" },
	{ "-A INPUT -p -6", "\"-6\"" },
	{ "-A INPUT -p verylongprotocolname", "\"verylongprotocolname\"" },
	{ "-A INPUT -p t\xc3\xa9p", "\"t??p\"" },
	{ "-A INPUT ! -p all", "! -p all" },
	{ "-A INPUT ! -p 0", "! -p all" },
	{ "-A INPUT -p tcp -p udp", "-p given twice" },
	{ "-A INPUT -p tcp --protocol tcp", "-p given twice" },
	/* ports */
	{ "-A INPUT -p tcp --dport 65536", "\"65536\" is not a port" },
	{ "-A INPUT -p tcp --sport 70000:", "\"70000\"" },
	{ "-A INPUT -p tcp --dport :99999", "\"99999\"" },
	{ "-A INPUT -p tcp --dport 100:50", "\"100:50\" is a reversed port range" },
	{ "-A INPUT -p udp --sport 2:1", "\"2:1\"" },
	{ "-A INPUT -p tcp --dport tftp", "\"tftp\" is not a port (0-65535) or a tcp service name" },
	{ "-A INPUT -p tcp --dport -1", "\"-1\"" },
	{ "-A INPUT -p tcp --dport 1:2:3", "\"2:3\"" },
	{ "-A INPUT -p tcp --dport 22,80", "\"22,80\"" },
	{ "-A INPUT --dport 22", "--dport needs -p tcp, -p udp, -p sctp or -p dccp" },
	{ "-A INPUT --sport 22 -p tcp", "--sport needs -p tcp" },
	{ "-A INPUT --destination-port 22", "--dport needs" },
	{ "-A INPUT -p icmp --dport 22", "--dport needs -p tcp" },
	{ "-A INPUT -p all --dport 22", "--dport needs -p tcp" },
	{ "-A INPUT ! -p tcp --dport 22", "needs -p tcp (not negated)" },
	{ "-A INPUT ! -p udp -m udp", "needs -p udp (not negated)" },
	{ "-A INPUT -p udp -m tcp", "-m tcp needs -p tcp" },
	{ "-A INPUT -p tcp -m udp --dport 53", "-m udp needs -p udp" },
	{ "-A INPUT -m tcp", "-m tcp needs -p tcp" },
	{ "-A INPUT -m tcp --dport 22", "-m tcp needs -p tcp" },
	{ "-A INPUT -p icmp -m tcp", "-m tcp needs -p tcp" },
	{ "-A INPUT -p tcp -m states --state NEW", "unknown match \"states\"" },
	{ "-A INPUT -p tcp -m state --state NEW -m conntrack --ctstate NEW", "one list of states per rule" },
	{ "-A INPUT -p tcp -m TCP", "\"TCP\"" },
	{ "-A INPUT -m conntrack --ctstate NEW -m conntrack --ctdir ORIGINAL", "-m conntrack given twice" },
	{ "-A INPUT -p tcp --dport 22 --dport 23", "--dport given twice" },
	{ "-A INPUT -p tcp --dport 22 --destination-port 23", "--dport given twice" },
	{ "-A INPUT -p tcp --sport 1 --source-port 2", "--sport given twice" },
	/* targets */
	{ "-A INPUT -j REJCT", "unknown target \"REJCT\" (did you mean \"REJECT\"?)" },
	{ "-A INPUT -j accept", "\"accept\"" },
	{ "-A INPUT -j LOGG", "unknown target \"LOGG\" (did you mean \"LOG\"?)" },
	{ "-A INPUT -g RETURN", "RETURN is a target, not a chain" },
	{ "-A INPUT -j DROP -j ACCEPT", "-j given twice" },
	{ "-A INPUT -j DROP --jump DROP", "-j given twice" },
	/* chains: only the five, upper case */
	{ "-A input -j DROP", "unknown chain \"input\"" },
	{ "-A Input", "\"Input\"" },
	{ "-A FOO", "\"FOO\"" },
	{ "-A -j DROP", "\"-j\"" },
	{ "-P forward DROP", "\"forward\"" },
	{ "-F FOO", "\"FOO\"" },
	{ "-Z nat", "\"nat\"" },
	{ "-D INPUTT 1", "\"INPUTT\"" },
	/* rule numbers */
	{ "-I INPUT 0 -j DROP", "\"0\" is not a rule number" },
	{ "-D INPUT 0", "\"0\" is not a rule number" },
	{ "-R INPUT 0 -j DROP", "\"0\"" },
	{ "-Z INPUT 0", "\"0\"" },
	{ "-Z INPUT x", "\"x\" is not a rule number" },
	{ "-Z INPUT -1", "\"-1\"" },
	{ "-R INPUT x -j DROP", "-R needs a rule number" },
	{ "-R INPUT -j DROP", "-R needs a rule number" },
	{ "-I INPUT 1x", "\"1x\"" },
	{ "-I INPUT 4294967296", "\"4294967296\"" },
	{ "-D INPUT 99999999999", "\"99999999999\"" },
	{ "-D INPUT 1 2", "\"1\"" },
	{ "-Z INPUT 1 2", "unexpected \"2\"" },
	/* missing arguments */
	{ "-A", "-A needs a chain" },
	{ "-I", "-I needs a chain" },
	{ "-D", "-D needs a chain" },
	{ "-R", "-R needs a chain" },
	{ "-P", "-P needs a chain" },
	{ "-D INPUT", "-D needs a rule number or a rule" },
	{ "-R INPUT", "-R needs a rule number" },
	{ "-P INPUT", "-P needs ACCEPT or DROP" },
	{ "-A INPUT -s", "-s needs an argument" },
	{ "-A INPUT -d", "-d needs an argument" },
	{ "-A INPUT -p", "-p needs an argument" },
	{ "-A INPUT -i", "-i needs an argument" },
	{ "-A FORWARD -o", "-o needs an argument" },
	{ "-A INPUT -j", "-j needs an argument" },
	{ "-A INPUT -p tcp -m", "-m needs an argument" },
	{ "-A INPUT -p tcp --dport", "--dport needs an argument" },
	{ "-A INPUT -p tcp --sport", "--sport needs an argument" },
	/* ! */
	{ "-A INPUT !", "\"!\" at the end" },
	{ "-A INPUT -s 10.0.0.1 !", "\"!\" at the end" },
	{ "-A INPUT ! ! -s 10.0.0.1", "\"! !\"" },
	{ "-A INPUT ! -j DROP", "-j cannot be negated" },
	{ "-A INPUT -p tcp ! -m tcp", "-m cannot be negated" },
	{ "-A INPUT ! -s", "-s needs an argument" },
	/* interfaces: -i only where packets have an input device, -o likewise */
	{ "-A OUTPUT -i eth0", "-i cannot be used in OUTPUT" },
	{ "-A POSTROUTING -i eth0", "-i cannot be used in POSTROUTING" },
	{ "-A PREROUTING -o eth0", "-o cannot be used in PREROUTING" },
	{ "-A INPUT -o eth0", "-o cannot be used in INPUT" },
	{ "-A OUTPUT ! -i eth+", "-i cannot be used in OUTPUT" },
	{ "-I OUTPUT 1 -i eth0", "-i cannot be used in OUTPUT" },
	{ "-R INPUT 1 -o eth0", "-o cannot be used in INPUT" },
	{ "-D POSTROUTING -i eth0", "-i cannot be used in POSTROUTING" },
	{ "-A INPUT -i 0123456789abcdef", "\"0123456789abcdef\" is longer than 15" },
	{ "-A INPUT -i 0123456789abcde+", "\"0123456789abcde+\"" },
	{ "-A INPUT -i eth/0", "\"eth/0\" is not an interface name" },
	{ "-A INPUT -i eth:0", "\"eth:0\"" },
	{ "-A INPUT -i eth\x7f", "\"eth?\"" },
	{ "-A INPUT -i eth0 -i eth1", "-i given twice" },
	{ "-A FORWARD -o eth0 --out-interface eth1", "-o given twice" },
	/* policy, flush, zero: exactly their arguments */
	{ "-P INPUT REJECT", "\"REJECT\" is not a policy" },
	{ "-P INPUT drop", "\"drop\"" },
	{ "-P INPUT DROP x", "unexpected \"x\" after -P" },
	{ "-P INPUT DROP -j ACCEPT", "unexpected \"-j\"" },
	{ "-F INPUT x", "unexpected \"x\" after -F" },
	{ "-F INPUT 1", "unexpected \"1\"" },
	{ "-F INPUT -j DROP", "unexpected \"-j\"" },
};

/* -t TABLE: where iptables takes it, which chains each table has, no DROP in nat */
static const struct {
	const char *line;
	u8 table;
	const char *err;	/* NULL: parses */
} table_cases[] = {
	{ "-A INPUT -j ACCEPT", MINIFW_TABLE_FILTER, NULL },
	{ "-t filter -A INPUT -j ACCEPT", MINIFW_TABLE_FILTER, NULL },
	{ "-t nat -A POSTROUTING -o eth0 -j ACCEPT", MINIFW_TABLE_NAT, NULL },
	{ "-A POSTROUTING -t nat -o eth0 -j ACCEPT", MINIFW_TABLE_NAT, NULL },
	{ "-A OUTPUT -p tcp -j ACCEPT -t mangle", MINIFW_TABLE_MANGLE, NULL },
	{ "-tnat -A INPUT -j ACCEPT", MINIFW_TABLE_NAT, NULL },
	{ "--table=raw -A PREROUTING -j ACCEPT", MINIFW_TABLE_RAW, NULL },
	{ "--tab raw -A OUTPUT -j ACCEPT", MINIFW_TABLE_RAW, NULL },
	{ "-t mangle -A FORWARD -j ACCEPT", MINIFW_TABLE_MANGLE, NULL },
	{ "-t nat -P PREROUTING ACCEPT", MINIFW_TABLE_NAT, NULL },
	{ "-P INPUT DROP -t filter", MINIFW_TABLE_FILTER, NULL },
	{ "-F -t nat", MINIFW_TABLE_NAT, NULL },
	{ "-F INPUT -t nat", MINIFW_TABLE_NAT, NULL },
	{ "-Z INPUT 3 -t mangle", MINIFW_TABLE_MANGLE, NULL },
	{ "-D INPUT 3 -t mangle", MINIFW_TABLE_MANGLE, NULL },
	{ "-X -t raw", MINIFW_TABLE_RAW, NULL },
	{ "-t raw -N foo", MINIFW_TABLE_RAW, NULL },
	/* an option's argument is taken whole, as getopt takes it */
	{ "-A INPUT -m comment --comment -t -j ACCEPT", MINIFW_TABLE_FILTER, NULL },
	{ "--table raw -A INPUT -j ACCEPT", 0,
	  "the raw table has no chain INPUT (its chains: PREROUTING and OUTPUT)" },
	{ "-t nat -A FORWARD -j ACCEPT", 0,
	  "its chains: PREROUTING, INPUT, OUTPUT and POSTROUTING" },
	{ "-t nat -A PREROUTING -j DROP", 0, "the nat table is not for filtering" },
	{ "-t nat -P POSTROUTING DROP", 0, "the nat table is not for filtering" },
	{ "-t nat -t nat -F", 0, "-t given twice" },
	{ "-t nat -A INPUT -t nat -j ACCEPT", 0, "-t given twice" },
	{ "-t nat -F -t raw", 0, "-t given twice" },
	{ "-t security -F", 0, "the security table is not supported" },
	{ "-t foo -F", 0, "unknown table \"foo\"" },
	{ "-t", 0, "-t needs a table" },
	{ "-t nat", 0, "-t without a command" },
	{ "-A -t nat INPUT -j ACCEPT", 0, "\"-t\" is not a chain name" },
	/* where extensions may be, by table: REJECT in filter only (ipt_REJECT's .table) */
	{ "-t nat -A INPUT -j REJECT", 0, "-j REJECT is only valid in the filter table" },
	{ "-t mangle -A FORWARD -j REJECT", 0, "-j REJECT is only valid in the filter table" },
	/* no connection before conntrack: raw's chains, filter's own PREROUTING */
	{ "-t raw -A PREROUTING -m conntrack --ctstate NEW -j ACCEPT", 0,
	  "-m conntrack cannot be used in the raw table: it runs before connection tracking" },
	{ "-t raw -A OUTPUT -m state --state NEW -j ACCEPT", 0,
	  "-m state cannot be used in the raw table" },
	{ "-A PREROUTING -m conntrack --ctstate NEW -j ACCEPT", 0,
	  "-m conntrack cannot be used in PREROUTING: minifw filters there before connection tracking" },
	{ "-t mangle -A PREROUTING -m conntrack --ctstate NEW -j ACCEPT", MINIFW_TABLE_MANGLE, NULL },
	{ "-t nat -A PREROUTING -m connmark --mark 1 -j ACCEPT", MINIFW_TABLE_NAT, NULL },
	{ "-t raw -A PREROUTING -m mark --mark 1 -j ACCEPT", MINIFW_TABLE_RAW, NULL },
};

static void test_tables(void)
{
	struct minifw_err err;
	struct minifw_cmd cmd;
	size_t k;
	char buf[128];

	for (k = 0; k < ARRAY_SIZE(table_cases); k++) {
		int ret;

		case_begin("tables", table_cases[k].line);
		ret = parse(table_cases[k].line, &cmd, &err);
		if (!table_cases[k].err) {
			if (expect_ret("parse", 0, ret))
				expect_str("table", minifw_table_name(table_cases[k].table),
					   minifw_table_name(cmd.table));
		} else {
			expect_ret("parse", -EINVAL, ret);
			expect_contains("err.msg", table_cases[k].err, err.msg);
		}
		if (!ret)
			minifw_cmd_free(&cmd);
		case_end();
	}
	case_begin("tables", "a restore block's line takes no -t");
	snprintf(buf, sizeof(buf), "-t filter -A INPUT -j ACCEPT");
	expect_ret("parse", -EINVAL, minifw_parse_block_line(buf, &cmd, &err));
	expect_contains("err.msg", "-t cannot be used in a restore block", err.msg);
	snprintf(buf, sizeof(buf), "-A INPUT -j ACCEPT");
	if (!expect_ret("without", 0, minifw_parse_block_line(buf, &cmd, &err)))
		minifw_cmd_free(&cmd);
	case_end();
	case_begin("tables", "a raw user chain reached from PREROUTING has no connection");
	{
		struct minifw_ruleset *rs = minifw_ruleset_new();
		static const char *const lines[] = {
			"-t raw -N c", "-t raw -A c -m state --state NEW -j ACCEPT",
		};
		size_t i;

		rs->table = MINIFW_TABLE_RAW;
		for (i = 0; i < ARRAY_SIZE(lines) + 1; i++) {
			int ret = parse(i < ARRAY_SIZE(lines) ? lines[i] : "-t raw -A PREROUTING -j c",
					&cmd, &err);

			if (!ret) {
				ret = minifw_ruleset_apply(rs, &cmd, &err) ?:
				      minifw_ruleset_check_graph(rs, &err);
				minifw_cmd_free(&cmd);
			}
			expect_ret("apply", i < ARRAY_SIZE(lines) ? 0 : -EINVAL, ret);
		}
		expect_contains("err.msg",
				"rule 1 of chain \"c\", which is reached from PREROUTING: -m state cannot be used in the raw table",
				err.msg);
		minifw_ruleset_put(rs);
	}
	case_end();
	case_begin("tables", "names and chains");
	expect_str("nat", "nat", minifw_table_name(MINIFW_TABLE_NAT));
	expect_str("out of range", "?", minifw_table_name(MINIFW_NTABLES));
	expect_str("raw's chains", "PREROUTING and OUTPUT",
		   minifw_chain_list(minifw_table_chains(MINIFW_TABLE_RAW), buf, sizeof(buf)));
	expect_str("filter's (minifw's own PREROUTING and POSTROUTING too)",
		   "PREROUTING, INPUT, FORWARD, OUTPUT and POSTROUTING",
		   minifw_chain_list(minifw_table_chains(MINIFW_TABLE_FILTER), buf, sizeof(buf)));
	case_end();
}

static void test_errors(void)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(error_cases); k++) {
		struct minifw_cmd cmd;
		struct minifw_err err;
		int ret;

		case_begin("errors", error_cases[k].line);
		ret = parse_apply(error_cases[k].line, &cmd, &err);
		expect_ret("parse and apply", -EINVAL, ret);
		expect_contains("err.msg", error_cases[k].msg, err.msg);
		case_end();
	}

	/* minifw_parse_addr() directly: the canonical address and mask */
	case_begin("errors", "minifw_parse_addr(\"192.0.2.77/255.255.255.0\") and (\"300.1.1.1\")");
	{
		struct minifw_err err = { 0 };
		union minifw_addr addr = { .ip = 1 }, mask = { .ip = 1 };
		u8 fam = 0;

		expect_ret("parse", 0, minifw_parse_addr("192.0.2.77/255.255.255.0", &addr, &mask, &fam, &err));
		expect_int("addr", htonl(0xc0000200), addr.ip);
		expect_int("mask", htonl(0xffffff00), mask.ip);
		expect_int("family", MINIFW_FAM_IPV4, fam);
		expect_ret("bad address", -EINVAL, minifw_parse_addr("300.1.1.1", &addr, &mask, &fam, &err));
		expect_contains("err.msg", "\"300.1.1.1\"", err.msg);
	}
	case_end();
}

/* ---------------------------------------------------------------------- */
/* 4. Ruleset editing                                                      */

/*
 * Rules are told apart by their protocol numbers: "-p 201" lists as
 * "-p 201", so BASE is both a script and its own listing.
 */
#define BASE "-A INPUT -p 201\n-A INPUT -p 202\n-A INPUT -p 203\n"

/*
 * before is applied to an empty ruleset (minifw_ruleset_apply()); then
 * minifw_ruleset_edit() applies edit, one command per line, line numbers
 * from 1. after is the short listing of the result ("-P" lines for DROP
 * policies, then the rules), or NULL if the edit must fail with -EINVAL,
 * err.line = errline and err.msg containing errmsg. Either way the old
 * ruleset must be unchanged.
 */
static const struct edit_case {
	const char *before, *edit, *after, *errmsg;
	u32 errline;
} edit_cases[] = {
	/* -A appends, -I inserts before rule N (default 1) */
	{ .before = "", .edit = "-A INPUT -p 201\n-A INPUT -p 202",
	  .after = "-A INPUT -p 201\n-A INPUT -p 202\n" },
	{ .before = BASE, .edit = "-A INPUT -p 204",
	  .after = BASE "-A INPUT -p 204\n" },
	{ .before = BASE, .edit = "-I INPUT -p 200",
	  .after = "-A INPUT -p 200\n" BASE },
	{ .before = BASE, .edit = "-I INPUT 1 -p 200",
	  .after = "-A INPUT -p 200\n" BASE },
	{ .before = BASE, .edit = "-I INPUT 2 -p 200",
	  .after = "-A INPUT -p 201\n-A INPUT -p 200\n-A INPUT -p 202\n-A INPUT -p 203\n" },
	{ .before = BASE, .edit = "-I INPUT 4 -p 200",
	  .after = BASE "-A INPUT -p 200\n" },
	{ .before = "", .edit = "-I INPUT 1 -p 200", .after = "-A INPUT -p 200\n" },
	{ .before = "", .edit = "-I INPUT -p 201\n-I INPUT -p 202",
	  .after = "-A INPUT -p 202\n-A INPUT -p 201\n" },
	{ .before = BASE, .edit = "-I INPUT 5 -p 200",
	  .errmsg = "INPUT has 3 rules; there is no rule 5", .errline = 1 },
	{ .before = "", .edit = "-I INPUT 2 -p 200", .errmsg = "no rule 2", .errline = 1 },
	{ .before = BASE, .edit = "-I FORWARD 2 -p 200", .errmsg = "FORWARD has 0 rules", .errline = 1 },
	/* -D by number */
	{ .before = BASE, .edit = "-D INPUT 1", .after = "-A INPUT -p 202\n-A INPUT -p 203\n" },
	{ .before = BASE, .edit = "-D INPUT 3", .after = "-A INPUT -p 201\n-A INPUT -p 202\n" },
	{ .before = BASE, .edit = "-D INPUT 1\n-D INPUT 1\n-D INPUT 1", .after = "" },
	{ .before = BASE, .edit = "-D INPUT 4", .errmsg = "INPUT has 3 rules; there is no rule 4", .errline = 1 },
	{ .before = "", .edit = "-D INPUT 1", .errmsg = "no rule 1", .errline = 1 },
	/* -D by rule: the first equal rule, target included */
	{ .before = BASE, .edit = "-D INPUT -p 202", .after = "-A INPUT -p 201\n-A INPUT -p 203\n" },
	{ .before = "-A INPUT -p 201\n-A INPUT -p 202\n-A INPUT -p 201\n", .edit = "-D INPUT -p 201",
	  .after = "-A INPUT -p 202\n-A INPUT -p 201\n" },
	{ .before = BASE, .edit = "-D INPUT -p 204", .errmsg = "no such rule in INPUT", .errline = 1 },
	{ .before = "-A INPUT -p 201 -j DROP", .edit = "-D INPUT -p 201",
	  .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -p 201 -j DROP", .edit = "-D INPUT -p 201 -j ACCEPT",
	  .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -p 201", .edit = "-D INPUT -p 201 -j ACCEPT",
	  .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -p 201 -j DROP", .edit = "-D INPUT -p 201 -j DROP", .after = "" },
	{ .before = "-A INPUT -s 10.0.0.0/8 -j DROP", .edit = "-D INPUT -s 10.1.2.3/8 -j DROP", .after = "" },
	{ .before = "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
	  .edit = "-D INPUT -p 6 --destination-port 22:22 -j ACCEPT", .after = "" },
	{ .before = "-A INPUT -p tcp --dport 22", .edit = "-D INPUT -p tcp",
	  .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -i eth+", .edit = "-D INPUT -i eth0", .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -i eth+", .edit = "-D INPUT -i eth+", .after = "" },
	{ .before = "-A INPUT ! -s 10.0.0.0/8", .edit = "-D INPUT -s 10.0.0.0/8",
	  .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -p 201\n-A OUTPUT -p 201", .edit = "-D OUTPUT -p 201", .after = "-A INPUT -p 201\n" },
	/* ... the family is part of the rule: "-6" is implied by an IPv6 address */
	{ .before = "-A INPUT -6 -s 2001:db8::1 -j DROP", .edit = "-D INPUT -s 2001:db8::1/128 -j DROP",
	  .after = "" },
	{ .before = "-A INPUT -s 2001:DB8::1/64", .edit = "-D INPUT -s 2001:db8::/64", .after = "" },
	{ .before = "-A INPUT -s 2001:db8::/64", .edit = "-D INPUT -s 2001:db8::/63",
	  .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -4 -p tcp", .edit = "-D INPUT -p tcp", .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -p tcp", .edit = "-D INPUT -6 -p tcp", .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -4 -p tcp\n-A INPUT -6 -p tcp\n-A INPUT -p tcp", .edit = "-D INPUT -6 -p tcp",
	  .after = "-A INPUT -4 -p tcp\n-A INPUT -p tcp\n" },
	{ .before = "-A INPUT -j REJECT", .edit = "-D INPUT -4 -j REJECT", .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -4 -j REJECT", .edit = "-D INPUT -j REJECT --reject-with icmp-port-unreachable",
	  .after = "" },
	{ .before = "-A INPUT -6 -j REJECT --reject-with icmp6-adm-prohibited",
	  .edit = "-D INPUT -j REJECT --reject-with icmp-admin-prohibited", .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -p ipv6-icmp --icmpv6-type echo-request",
	  .edit = "-D INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128", .after = "" },
	{ .before = "-A INPUT -p ipv6-icmp --icmpv6-type 128", .edit = "-D INPUT -p ipv6-icmp --icmpv6-type 128/0",
	  .errmsg = "no such rule", .errline = 1 },
	/* ... states in any order and case, but the same match, negation and match order */
	{ .before = "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
	  .edit = "-D INPUT -m conntrack --ctstate related,established -j ACCEPT", .after = "" },
	{ .before = "-A INPUT -m conntrack --ctstate NEW", .edit = "-D INPUT -m state --state NEW",
	  .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -m conntrack ! --ctstate NEW", .edit = "-D INPUT -m conntrack --ctstate NEW",
	  .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -m conntrack --ctstate NEW", .edit = "-D INPUT -m conntrack --ctstate NEW,INVALID",
	  .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -m conntrack --ctstate NEW -m comment --comment x",
	  .edit = "-D INPUT -m comment --comment x -m conntrack --ctstate NEW", .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -m conntrack --ctstate NEW -m comment --comment x",
	  .edit = "-D INPUT -m conntrack --ctstate N -m comment --comment x", .after = "" },
	/* ... the extensions' data: conntrack's addresses as given, /32 or not */
	{ .before = "-A INPUT -m conntrack --ctorigsrc 192.0.2.1",
	  .edit = "-D INPUT -m conntrack --ctorigsrc 192.0.2.1/32", .after = "" },
	{ .before = "-A INPUT -m conntrack --ctorigsrc 192.0.2.1/24",
	  .edit = "-D INPUT -m conntrack --ctorigsrc 192.0.2.0/24", .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -m conntrack --ctorigsrc 192.0.2.1/24",
	  .edit = "-D INPUT -m conntrack --ctorigsrc 192.0.2.1/255.255.255.0", .after = "" },
	{ .before = "-A INPUT -m conntrack --ctstate NEW --ctdir ORIGINAL",
	  .edit = "-D INPUT -m conntrack --ctstate NEW", .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -m conntrack --ctstate NEW",
	  .edit = "-D INPUT -m conntrack --ctstate NEW --ctdir ORIGINAL", .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -m conntrack --ctstate NEW --ctdir ORIGINAL",
	  .edit = "-D INPUT -m conntrack --ctdir original --ctstate new", .after = "" },
	/* ... -m state with -m conntrack: the same matches, in the same order */
	{ .before = "-A INPUT -m state --state NEW -m conntrack --ctdir ORIGINAL",
	  .edit = "-D INPUT -m state --state NEW -m conntrack --ctdir ORIGINAL", .after = "" },
	{ .before = "-A INPUT -m state --state NEW -m conntrack --ctdir ORIGINAL",
	  .edit = "-D INPUT -m conntrack --ctdir ORIGINAL -m state --state NEW",
	  .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -m state --state NEW -m conntrack --ctdir ORIGINAL",
	  .edit = "-D INPUT -m conntrack --ctstate NEW --ctdir ORIGINAL", .errmsg = "no such rule", .errline = 1 },
	/* ... a MAC address in either case; -m rt's whole range is no option */
	{ .before = "-A INPUT -m mac --mac-source AA:BB:CC:DD:EE:0F",
	  .edit = "-D INPUT -m mac --mac-source aa:bb:cc:dd:ee:f", .after = "" },
	{ .before = "-A INPUT -m mac --mac-source AA:BB:CC:DD:EE:0F",
	  .edit = "-D INPUT -m mac ! --mac-source aa:bb:cc:dd:ee:f", .errmsg = "no such rule", .errline = 1 },
	{ .before = "-A INPUT -m rt --rt-segsleft :", .edit = "-D INPUT -m rt", .after = "" },
	{ .before = "-A INPUT -m rt --rt-segsleft 0:", .edit = "-D INPUT -m rt --rt-segsleft 1:",
	  .errmsg = "no such rule", .errline = 1 },
	/* -R replaces rule N */
	{ .before = BASE, .edit = "-R INPUT 2 -p 200 -j DROP",
	  .after = "-A INPUT -p 201\n-A INPUT -p 200 -j DROP\n-A INPUT -p 203\n" },
	{ .before = BASE, .edit = "-R INPUT 3", .after = "-A INPUT -p 201\n-A INPUT -p 202\n-A INPUT\n" },
	{ .before = BASE, .edit = "-R INPUT 4 -p 200", .errmsg = "no rule 4", .errline = 1 },
	{ .before = "", .edit = "-R INPUT 1 -p 200", .errmsg = "no rule 1", .errline = 1 },
	/* -F one chain or all, -P */
	{ .before = BASE "-A FORWARD -p 201", .edit = "-F INPUT", .after = "-A FORWARD -p 201\n" },
	{ .before = BASE "-A FORWARD -p 201", .edit = "-F", .after = "" },
	{ .before = "-P INPUT DROP\n-A INPUT -p 201", .edit = "-F", .after = "-P INPUT DROP\n" },
	{ .before = "", .edit = "-P INPUT DROP\n-P OUTPUT DROP\n-P OUTPUT ACCEPT", .after = "-P INPUT DROP\n" },
	{ .before = "", .edit = "-F\n-F INPUT", .after = "" },
	/* -Z changes counters only */
	{ .before = BASE, .edit = "-Z INPUT 3\n-Z INPUT\n-Z", .after = BASE },
	{ .before = BASE, .edit = "-Z INPUT 4", .errmsg = "no rule 4", .errline = 1 },
	{ .before = "", .edit = "-Z FORWARD 1", .errmsg = "FORWARD has 0 rules", .errline = 1 },
	/* several commands: all apply in order, or none */
	{ .before = BASE, .edit = "-A INPUT -p 204\n-D INPUT 1\n-I INPUT 2 -p 200\n-R INPUT 1 -p 209",
	  .after = "-A INPUT -p 209\n-A INPUT -p 200\n-A INPUT -p 203\n-A INPUT -p 204\n" },
	{ .before = BASE, .edit = "-A INPUT -p 204\n-D INPUT 1\n-D INPUT 9\n-A INPUT -p 205",
	  .errmsg = "no rule 9", .errline = 3 },
	{ .before = BASE, .edit = "-F INPUT\n-D INPUT -p 201", .errmsg = "no such rule", .errline = 2 },
	{ .before = BASE, .edit = "-A INPUT -p 204\n\n-R INPUT 5 -p 205", .errmsg = "no rule 5", .errline = 3 },
	{ .before = "", .edit = "-A OUTPUT -p 201\n-A FORWARD -i eth0 -o eth1 -j DROP\n-P FORWARD DROP",
	  .after = "-P FORWARD DROP\n-A FORWARD -i eth0 -o eth1 -j DROP\n-A OUTPUT -p 201\n" },
	{ .before = BASE, .edit = "", .after = BASE },
};

static void run_edit_case(const struct edit_case *c)
{
	struct minifw_ruleset *cur, *rs;
	struct minifw_err err;
	char *before, *now;

	case_beginf("edit", "ruleset \"%s\", edit \"%s\"", c->before, c->edit);
	cur = build(c->before);
	before = listing(cur, true);
	rs = edit(cur, c->edit, &err);
	if (c->after) {
		if (expect_bool("edit succeeds", false, IS_ERR(rs))) {
			expect_listing("new ruleset", c->after, rs);
			expect_bool("a new ruleset", true, rs != cur);
			minifw_ruleset_put(rs);
		} else {
			expect_str("err.msg", "", err.msg);
		}
	} else {
		if (expect_bool("edit fails", true, IS_ERR(rs))) {
			expect_ret("error", -EINVAL, PTR_ERR(rs));
			expect_contains("err.msg", c->errmsg, err.msg);
			expect_int("err.line", c->errline, err.line);
		} else {
			minifw_ruleset_put(rs);
		}
	}
	now = listing(cur, true);
	expect_str("the old ruleset is unchanged", before, now);
	free(now);
	free(before);
	minifw_ruleset_put(cur);
	case_end();
}

/* The packet without what the hook leaves out for the chain (0 if never compiled). */
static unsigned int eval(const struct minifw_ruleset *rs, unsigned int chain, const char *spec)
{
	struct test_pkt t;

	make_pkt(&t, spec);
	hook_pkt_skip(&t.p, rs->chain[chain].skip);
	return minifw_chain_eval(rs, chain, &t.p);
}

static const char *eval_name(const struct minifw_ruleset *rs, unsigned int chain,
			     const char *spec)
{
	return minifw_target_name(eval(rs, chain, spec));
}

#define TCP10 "tcp 10.1.1.1:1000 > 192.0.2.1:22 len=100"
#define UDP10 "udp 10.1.1.1:53 > 192.0.2.1:53 len=200"
#define ICMP11 "icmp 11.1.1.1 > 192.0.2.1 len=300"

/*
 * Counters: a rule keeps its counters (shared, not copied) in every ruleset
 * made from one that holds it; -R and -Z give fresh counters; the policy
 * counter counts the packets no rule decided.
 */
static void test_counters(void)
{
	struct minifw_ruleset *rs1, *rs2, *rs3, *rs4, *rs5, *rs6, *bad;
	struct minifw_err err;
	int refs;

	case_begin("counters", "A: -s 10.0.0.0/8, B: -p tcp, C: -p udp -j DROP; "
		   "send " TCP10 ", " UDP10 ", " ICMP11);
	rs1 = build("-A INPUT -s 10.0.0.0/8\n-A INPUT -p tcp\n-A INPUT -p udp -j DROP");
	expect_str("tcp verdict", "ACCEPT", eval_name(rs1, MINIFW_INPUT, TCP10));
	expect_str("udp verdict", "DROP", eval_name(rs1, MINIFW_INPUT, UDP10));
	expect_str("icmp verdict", "ACCEPT", eval_name(rs1, MINIFW_INPUT, ICMP11));
	expect_str("counters A B C | policy", "2:300 1:100 1:200 | 2:400", counts(rs1, MINIFW_INPUT));
	case_end();

	case_begin("counters", "-I INPUT 1 -d 192.0.2.99, -D INPUT -p tcp: A and C keep their counts");
	rs2 = edit(rs1, "-I INPUT 1 -d 192.0.2.99\n-D INPUT -p tcp", &err);
	if (IS_ERR(rs2))
		abort();
	expect_str("counters new A C | policy", "0:0 2:300 1:200 | 2:400", counts(rs2, MINIFW_INPUT));
	expect_str("old ruleset", "2:300 1:100 1:200 | 2:400", counts(rs1, MINIFW_INPUT));
	case_end();

	case_begin("counters", "a packet through the old ruleset counts in the new one too");
	eval(rs1, MINIFW_INPUT, TCP10);
	expect_str("new ruleset", "0:0 3:400 1:200 | 3:500", counts(rs2, MINIFW_INPUT));
	expect_str("old ruleset", "3:400 2:200 1:200 | 3:500", counts(rs1, MINIFW_INPUT));
	expect_int("A's counters are held by both", 2, rs2->chain[MINIFW_INPUT].rules[1].cnt->ref.refs);
	case_end();

	case_begin("counters", "the old ruleset goes: the new one keeps the counts");
	minifw_ruleset_put(rs1);
	expect_str("new ruleset", "0:0 3:400 1:200 | 3:500", counts(rs2, MINIFW_INPUT));
	expect_int("A's counters held once", 1, rs2->chain[MINIFW_INPUT].rules[1].cnt->ref.refs);
	expect_int("policy counters held once", 1, rs2->chain[MINIFW_INPUT].policy_cnt->ref.refs);
	case_end();

	case_begin("counters", "-R INPUT 3 with the same rule: fresh counters");
	rs3 = edit(rs2, "-R INPUT 3 -p udp -j DROP", &err);
	if (IS_ERR(rs3))
		abort();
	expect_str("new ruleset", "0:0 3:400 0:0 | 3:500", counts(rs3, MINIFW_INPUT));
	expect_str("old ruleset", "0:0 3:400 1:200 | 3:500", counts(rs2, MINIFW_INPUT));
	case_end();

	case_begin("counters", "-A, -P, -F OUTPUT keep INPUT's counts; the policy counts what no rule decided");
	rs4 = edit(rs3, "-A INPUT -p 99\n-P INPUT DROP\n-F OUTPUT", &err);
	if (IS_ERR(rs4))
		abort();
	expect_str("after the edit", "0:0 3:400 0:0 0:0 | 3:500", counts(rs4, MINIFW_INPUT));
	expect_str("icmp verdict: the policy", "DROP", eval_name(rs4, MINIFW_INPUT, ICMP11));
	expect_str("udp verdict: rule C", "DROP", eval_name(rs4, MINIFW_INPUT, UDP10));
	expect_str("after icmp and udp", "0:0 4:600 1:200 0:0 | 4:800", counts(rs4, MINIFW_INPUT));
	case_end();

	case_begin("counters", "-Z INPUT 2 zeroes rule 2 only");
	rs5 = edit(rs4, "-Z INPUT 2", &err);
	if (IS_ERR(rs5))
		abort();
	expect_str("new ruleset", "0:0 0:0 1:200 0:0 | 4:800", counts(rs5, MINIFW_INPUT));
	expect_str("old ruleset", "0:0 4:600 1:200 0:0 | 4:800", counts(rs4, MINIFW_INPUT));
	case_end();

	case_begin("counters", "a failing edit (-Z INPUT, -D INPUT 99) changes no counter");
	refs = rs5->chain[MINIFW_INPUT].rules[2].cnt->ref.refs;
	bad = edit(rs5, "-Z INPUT\n-D INPUT 99", &err);
	expect_bool("fails", true, IS_ERR(bad));
	expect_str("counters", "0:0 0:0 1:200 0:0 | 4:800", counts(rs5, MINIFW_INPUT));
	expect_int("references to C's counters", refs, rs5->chain[MINIFW_INPUT].rules[2].cnt->ref.refs);
	case_end();

	case_begin("counters", "-Z INPUT zeroes every rule and the policy");
	rs6 = edit(rs5, "-Z INPUT", &err);
	if (IS_ERR(rs6))
		abort();
	expect_str("new ruleset", "0:0 0:0 0:0 0:0 | 0:0", counts(rs6, MINIFW_INPUT));
	expect_str("old ruleset", "0:0 0:0 1:200 0:0 | 4:800", counts(rs5, MINIFW_INPUT));
	case_end();
	minifw_ruleset_put(rs2);
	minifw_ruleset_put(rs3);
	minifw_ruleset_put(rs4);
	minifw_ruleset_put(rs5);
	minifw_ruleset_put(rs6);

	/* -Z without a chain, -Z CHAIN, -F */
	rs1 = build("-A INPUT -p tcp\n-A FORWARD -p tcp");
	eval(rs1, MINIFW_INPUT, TCP10);
	eval(rs1, MINIFW_FORWARD, TCP10);

	case_begin("counters", "-Z FORWARD leaves INPUT alone");
	rs2 = edit(rs1, "-Z FORWARD", &err);
	if (IS_ERR(rs2))
		abort();
	expect_str("INPUT", "1:100 | 1:100", counts(rs2, MINIFW_INPUT));
	expect_str("FORWARD", "0:0 | 0:0", counts(rs2, MINIFW_FORWARD));
	case_end();

	case_begin("counters", "-Z zeroes every chain");
	rs3 = edit(rs1, "-Z", &err);
	if (IS_ERR(rs3))
		abort();
	expect_str("INPUT", "0:0 | 0:0", counts(rs3, MINIFW_INPUT));
	expect_str("FORWARD", "0:0 | 0:0", counts(rs3, MINIFW_FORWARD));
	case_end();

	case_begin("counters", "-F INPUT keeps the policy counter; a new rule starts at zero");
	rs4 = edit(rs1, "-F INPUT\n-A INPUT -p tcp", &err);
	if (IS_ERR(rs4))
		abort();
	expect_str("INPUT", "0:0 | 1:100", counts(rs4, MINIFW_INPUT));
	case_end();

	minifw_ruleset_put(rs1);
	minifw_ruleset_put(rs2);
	minifw_ruleset_put(rs3);
	minifw_ruleset_put(rs4);

	case_begin("counters", "minifw_ruleset_new(): every policy ACCEPT, no rules, counters zero");
	rs1 = minifw_ruleset_new();
	expect_listing("listing", "", rs1);
	expect_int("minifw_ruleset_count()", 0, minifw_ruleset_count(rs1));
	expect_str("PREROUTING", "| 0:0", counts(rs1, MINIFW_PREROUTING));
	minifw_ruleset_put(rs1);
	case_end();
}

static void test_edit(void)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(edit_cases); k++)
		run_edit_case(&edit_cases[k]);
	test_counters();
}

/* ---------------------------------------------------------------------- */
/* 5. Matcher                                                              */

#define PKT "tcp 10.1.2.3:1234 > 192.0.2.7:22 in=eth0 out=wlan0"
#define PKT6 "tcp [2001:db8:1:2:3:4:5:6]:1234 > [2001:db8::7]:22 in=eth0 out=wlan0"
#define ICMP6 "icmpv6 [2001:db8::1] > [2001:db8::2]"

/*
 * One rule "-A FORWARD <opts> -j DROP", policy ACCEPT: the packet (PKT when
 * NULL) must be dropped and counted by the rule if it matches, else
 * accepted and counted by the policy.
 */
static const struct {
	const char *opts, *pkt;
	bool match;
} match_cases[] = {
	{ "", NULL, true },
	/* source and destination */
	{ "-s 10.0.0.0/8", NULL, true },
	{ "-s 11.0.0.0/8", NULL, false },
	{ "! -s 10.0.0.0/8", NULL, false },
	{ "! -s 11.0.0.0/8", NULL, true },
	{ "-s 10.1.2.3", NULL, true },
	{ "-s 10.1.2.4", NULL, false },
	{ "-s 10.1.2.2/31", NULL, true },
	{ "-s 10.1.2.4/31", NULL, false },
	{ "-s 10.9.2.9/255.0.255.0", NULL, true },
	{ "-s 10.9.3.9/255.0.255.0", NULL, false },
	{ "-s 0.0.0.0/0", NULL, true },
	{ "! -s 0.0.0.0/0", NULL, false },
	{ "-d 192.0.2.0/24", NULL, true },
	{ "-d 192.0.3.0/24", NULL, false },
	{ "! -d 192.0.2.7", NULL, false },
	{ "! -d 192.0.2.8", NULL, true },
	{ "-s 10.0.0.0/8 -d 192.0.3.0/24", NULL, false },
	/* protocol */
	{ "-p tcp", NULL, true },
	{ "-p udp", NULL, false },
	{ "! -p tcp", NULL, false },
	{ "! -p udp", NULL, true },
	{ "-p 6", NULL, true },
	{ "-p all", NULL, true },
	{ "-p icmp", "icmp 10.1.2.3 > 192.0.2.7", true },
	{ "-p tcp", "icmp 10.1.2.3 > 192.0.2.7", false },
	{ "-p 200", "200 10.1.2.3 > 192.0.2.7", true },
	{ "! -p 200", "201 10.1.2.3 > 192.0.2.7", true },
	/* ports and ranges */
	{ "-p tcp --dport 22", NULL, true },
	{ "-p tcp --dport 23", NULL, false },
	{ "-p tcp ! --dport 22", NULL, false },
	{ "-p tcp ! --dport 23", NULL, true },
	{ "-p tcp --dport 20:25", NULL, true },
	{ "-p tcp --dport 22:22", NULL, true },
	{ "-p tcp --dport 23:", NULL, false },
	{ "-p tcp --dport :22", NULL, true },
	{ "-p tcp --dport :21", NULL, false },
	{ "-p tcp ! --dport 20:25", NULL, false },
	{ "-p tcp ! --dport 0:65535", NULL, false },
	{ "-p tcp --sport 1234", NULL, true },
	{ "-p tcp --sport 1000:2000", NULL, true },
	{ "-p tcp --sport 1235:", NULL, false },
	{ "-p tcp ! --sport 1234", NULL, false },
	{ "-p tcp --sport 1234 --dport 23", NULL, false },
	{ "-p tcp --sport 1234 --dport 22", NULL, true },
	{ "-p tcp -m tcp", NULL, true },
	{ "-p udp --dport 22", NULL, false },
	{ "-p udp --dport 53", "udp 10.1.2.3:5353 > 192.0.2.7:53", true },
	{ "-p udp ! --dport 53", "udp 10.1.2.3:5353 > 192.0.2.7:53", false },
	{ "-p tcp --dport 53", "udp 10.1.2.3:5353 > 192.0.2.7:53", false },
	{ "-p tcp --dport 0", "tcp 10.1.2.3:0 > 192.0.2.7:0", true },
	{ "-p tcp --dport 65535", "tcp 10.1.2.3:1 > 192.0.2.7:65535", true },
	{ "-p tcp --dport 65535", "tcp 10.1.2.3:1 > 192.0.2.7:65534", false },
	/* input and output interfaces: exact, wildcard, any */
	{ "-i eth0", NULL, true },
	{ "-i eth1", NULL, false },
	{ "-i eth", NULL, false },
	{ "-i eth0x", NULL, false },
	{ "-i eth+", NULL, true },
	{ "-i et+", NULL, true },
	{ "-i eth0+", NULL, true },
	{ "-i wlan+", NULL, false },
	{ "-i +", NULL, true },
	{ "! -i eth0", NULL, false },
	{ "! -i eth1", NULL, true },
	{ "! -i eth+", NULL, false },
	{ "! -i wlan+", NULL, true },
	{ "! -i +", NULL, false },
	{ "-i eth+", "tcp 10.1.2.3:1 > 192.0.2.7:2 in=eth", true },
	{ "-i eth0", "tcp 10.1.2.3:1 > 192.0.2.7:2 in=eth00", false },
	{ "-i 0123456789abcde", "tcp 10.1.2.3:1 > 192.0.2.7:2 in=0123456789abcde", true },
	{ "-i 0123456789abcde", "tcp 10.1.2.3:1 > 192.0.2.7:2 in=0123456789abcdf", false },
	{ "-i +", "tcp 10.1.2.3:1 > 192.0.2.7:2", true },
	{ "-i eth0", "tcp 10.1.2.3:1 > 192.0.2.7:2", false },
	{ "-o wlan0", NULL, true },
	{ "-o wlan+", NULL, true },
	{ "-o eth0", NULL, false },
	{ "! -o wlan0", NULL, false },
	{ "! -o eth+", NULL, true },
	/* everything at once */
	{ "-s 10.0.0.0/8 -d 192.0.2.0/24 -i eth+ -o wlan0 -p tcp --sport 1024: --dport 22", NULL, true },
	{ "-s 10.0.0.0/8 -d 192.0.2.0/24 -i eth+ -o wlan0 -p tcp --sport 1024: --dport 23", NULL, false },
	{ "-s 10.0.0.0/8 -d 192.0.2.0/24 -i eth+ -o wlan1 -p tcp --sport 1024: --dport 22", NULL, false },
	/* non-first fragments have no ports: port rules never match them */
	{ "-p tcp --dport 22", PKT " frag", false },
	{ "-p tcp --dport 23", PKT " frag", false },
	{ "-p tcp ! --dport 23", PKT " frag", false },
	{ "-p tcp ! --sport 1:2", PKT " frag", false },
	{ "-p tcp -m tcp", PKT " frag", false },
	{ "-p tcp", PKT " frag", true },
	{ "-s 10.0.0.0/8", PKT " frag", true },
	{ "-s 10.0.0.0/8 -d 192.0.2.7 -i eth0", PKT " frag", true },
	{ "-p udp --dport 53", "udp 10.1.2.3:5353 > 192.0.2.7:53 frag", false },

	/*
	 * Families: a rule with an IPv6 address (or -6, -p ipv6-icmp) is for
	 * IPv6 packets only, one with an IPv4 address (or -4, -p icmp) for
	 * IPv4 only, whether its options are negated or not; a rule with
	 * neither applies to both.
	 */
	{ "-s 2001:db8::/32", NULL, false },
	{ "-s 2001:db8::/32", PKT6, true },
	{ "-s 10.0.0.0/8", PKT6, false },
	{ "! -s 10.0.0.0/8", PKT6, false },
	{ "! -s 2001:db8::/32", NULL, false },
	{ "! -s 2001:db9::/32", NULL, false },
	{ "! -d 192.0.2.8", PKT6, false },
	{ "-s 0.0.0.0/0", NULL, true },
	{ "-s 0.0.0.0/0", PKT6, false },
	{ "-s ::/0", NULL, false },
	{ "-s ::/0", PKT6, true },
	{ "! -s ::/0", PKT6, false },
	{ "! -s 0.0.0.0/0", PKT6, false },
	{ "-4", NULL, true },
	{ "-4", PKT6, false },
	{ "-6", NULL, false },
	{ "-6", PKT6, true },
	{ "", PKT6, true },
	{ "-p tcp", PKT6, true },
	{ "-p tcp --sport 1234 --dport 22", PKT6, true },
	{ "-p tcp --dport 23", PKT6, false },
	{ "-p tcp -m multiport --dports 80,22", PKT6, true },
	{ "! -p udp", PKT6, true },
	{ "-i eth0 -o wlan+", PKT6, true },
	{ "-i eth1", PKT6, false },
	{ "-4 -p tcp", PKT6, false },
	{ "-6 -p tcp", PKT6, true },
	{ "-6 -p tcp", NULL, false },
	{ "-p icmp", "icmp 10.1.2.3 > 192.0.2.7", true },
	{ "-p icmp", "1 [2001:db8::1] > [2001:db8::2]", false },
	{ "-p ipv6-icmp", "icmpv6 [2001:db8::1] > [2001:db8::2]", true },
	{ "-p ipv6-icmp", "58 10.1.2.3 > 192.0.2.7", false },
	{ "-p 58", "icmpv6 [2001:db8::1] > [2001:db8::2]", true },
	{ "! -p icmp", "icmpv6 [2001:db8::1] > [2001:db8::2]", true },
	{ "! -p icmp", "1 [2001:db8::1] > [2001:db8::2]", false },
	{ "! -p ipv6-icmp", PKT6, true },
	{ "! -p ipv6-icmp", NULL, true },
	{ "-m iprange --src-range 0.0.0.0-255.255.255.255", PKT6, false },
	{ "-m iprange --src-range 0.0.0.0-255.255.255.255", NULL, true },
	{ "-m iprange --src-range ::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PKT6, true },
	{ "-m iprange --src-range ::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL, false },
	{ "-m iprange ! --src-range 2001:db8::-2001:db8::1", NULL, false },
	/* IPv6 ranges: inclusive, every word compared in order */
	{ "-m iprange --src-range 2001:db8:1:2:3:4:5:6", PKT6, true },
	{ "-m iprange --src-range 2001:db8:1:2:3:4:5:7-2001:db8:1:2:3:4:5:ff", PKT6, false },
	{ "-m iprange --src-range 2001:db8:1:2:3:4:4:ffff-2001:db8:1:2:3:4:5:5", PKT6, false },
	{ "-m iprange --src-range 2001:db8:1:2:3:4:4:ffff-2001:db8:1:2:3:4:5:6", PKT6, true },
	{ "-m iprange --src-range 2001:db8:1:2::-2001:db8:1:2:ffff::", PKT6, true },
	{ "-m iprange --src-range 2001:db8:1:1:ffff::-2001:db8:1:2:3:4:5:5", PKT6, false },
	{ "-m iprange --src-range 2001:db8:1:2:3:4:5:6-2001:db8:1:3::", PKT6, true },
	{ "-m iprange ! --src-range 2001:db8:1:2:3:4:5:7-2001:db8:1:3::", PKT6, true },
	{ "-m iprange --dst-range 2001:db8::-2001:db8::7", PKT6, true },
	{ "-m iprange --dst-range 2001:db8::8-2001:db8::ffff", PKT6, false },
	{ "-m iprange --src-range 2001:db8:1:2::-2001:db8:1:2:ffff:: ! --dst-range 2001:db8::7", PKT6, false },
	/* IPv6 addresses: every word counts */
	{ "-s 2001:db8:1:2:3:4:5:6", PKT6, true },
	{ "-s 2001:db8:1:2:3:4:5:6/128", PKT6, true },
	{ "-s 2001:db9:1:2:3:4:5:6", PKT6, false },
	{ "-s 2001:db8:1:3:3:4:5:6", PKT6, false },
	{ "-s 2001:db8:1:2:3:5:5:6", PKT6, false },
	{ "-s 2001:db8:1:2:3:4:5:7", PKT6, false },
	{ "-s 2001:db8:1:2:3:4:5:6/127", PKT6, true },
	{ "-s 2001:db8:1:2:3:4:5:7/127", PKT6, true },
	{ "-s 2001:db8:1:2:3:4:5:4/127", PKT6, false },
	{ "-d 2001:db8::7", PKT6, true },
	{ "-d 2001:db8::/64", PKT6, true },
	{ "-d 2001:db8:0:1::/64", PKT6, false },
	{ "-s 2001:db8:1:2::/64 -d 2001:db8::/96", PKT6, true },
	{ "-s 2001:db8:1:2::/64 -d 2001:db8:0:0:1::/96", PKT6, false },
	/* negated IPv6 addresses */
	{ "! -s 2001:db8::/32", PKT6, false },
	{ "! -s 2001:db9::/32", PKT6, true },
	{ "! -s 2001:db8:1:2:3:4:5:7", PKT6, true },
	{ "! -d 2001:db8::7", PKT6, false },
	{ "! -d 2001:db8::8", PKT6, true },
	{ "! -d ::/0", PKT6, false },
	{ "! -s 2001:db9::/32 ! -d 2001:db8::7", PKT6, false },
	/* an IPv4-mapped IPv6 address is an IPv6 packet's, not IPv4's */
	{ "-s 10.1.2.3", "tcp [::ffff:10.1.2.3]:1 > [2001:db8::7]:22", false },
	{ "-s ::ffff:10.1.2.3", "tcp [::ffff:10.1.2.3]:1 > [2001:db8::7]:22", true },
	{ "-s ::ffff:10.0.0.0/104", "tcp [::ffff:10.1.2.3]:1 > [2001:db8::7]:22", true },
	{ "-s ::ffff:11.0.0.0/104", "tcp [::ffff:10.1.2.3]:1 > [2001:db8::7]:22", false },
	{ "-s ::ffff:10.1.2.3", "tcp 10.1.2.3:1 > 192.0.2.7:22", false },
	/* IPv6 fragments: offsets in bytes; later fragments have no ports */
	{ "-p tcp --dport 22", PKT6 " fragoff=8", false },
	{ "-p tcp ! --dport 23", PKT6 " fragoff=8", false },
	{ "-p tcp", PKT6 " fragoff=8", true },
	{ "-s 2001:db8::/32 -p tcp", PKT6 " fragoff=1448", true },
	{ "-p udp --dport 53", "udp [2001:db8::1]:53 > [2001:db8::2]:53 fragoff=8", false },

	/* ICMPv6 types and codes (ip6t_icmp6: no "any" type) */
	{ "-p ipv6-icmp --icmpv6-type echo-request", ICMP6 " type=128/0", true },
	{ "-p ipv6-icmp --icmpv6-type echo-request", ICMP6 " type=129/0", false },
	{ "-p ipv6-icmp --icmpv6-type 128", ICMP6 " type=128/7", true },
	{ "-p ipv6-icmp --icmpv6-type 128/0", ICMP6 " type=128/0", true },
	{ "-p ipv6-icmp --icmpv6-type 128/0", ICMP6 " type=128/1", false },
	{ "-p ipv6-icmp ! --icmpv6-type echo-request", ICMP6 " type=128/0", false },
	{ "-p ipv6-icmp ! --icmpv6-type echo-request", ICMP6 " type=129/0", true },
	{ "-p ipv6-icmp ! --icmpv6-type 1/4", ICMP6 " type=1/3", true },
	{ "-p ipv6-icmp --icmpv6-type destination-unreachable", ICMP6 " type=1/4", true },
	{ "-p ipv6-icmp --icmpv6-type port-unreachable", ICMP6 " type=1/4", true },
	{ "-p ipv6-icmp --icmpv6-type port-unreachable", ICMP6 " type=1/3", false },
	{ "-p ipv6-icmp --icmpv6-type address-unreachable", ICMP6 " type=1/3", true },
	{ "-p ipv6-icmp --icmpv6-type no-route", ICMP6 " type=1/0", true },
	{ "-p ipv6-icmp --icmpv6-type no-route", ICMP6 " type=2/0", false },
	{ "-p ipv6-icmp --icmpv6-type packet-too-big", ICMP6 " type=2/0", true },
	{ "-p ipv6-icmp --icmpv6-type neighbour-solicitation", ICMP6 " type=135/0", true },
	{ "-p ipv6-icmp --icmpv6-type neighbor-advertisement", ICMP6 " type=136/0", true },
	{ "-p ipv6-icmp --icmpv6-type neighbor-advertisement", ICMP6 " type=135/0", false },
	{ "-p ipv6-icmp --icmpv6-type 0", ICMP6 " type=0/0", true },
	{ "-p ipv6-icmp --icmpv6-type 0", ICMP6 " type=255/0", false },
	{ "-p ipv6-icmp --icmpv6-type 254", ICMP6 " type=255/0", false },
	{ "-p ipv6-icmp --icmpv6-type 254/255", ICMP6 " type=254/255", true },
	{ "-p ipv6-icmp", ICMP6 " type=255/255", true },
	/* ICMPv6 is not ICMP, whatever the numbers */
	{ "-p ipv6-icmp --icmpv6-type 8", "icmp 10.1.2.3 > 192.0.2.7 type=8/0", false },
	{ "-p icmp --icmp-type 128", "icmpv6 [2001:db8::1] > [2001:db8::2] type=128/0", false },
	{ "-p icmp --icmp-type any", "icmpv6 [2001:db8::1] > [2001:db8::2] type=128/0", false },
	{ "-p icmp --icmp-type echo-request", "icmp 10.1.2.3 > 192.0.2.7 type=8/0", true },
	/* a later fragment has no ICMPv6 header: the type match never matches */
	{ "-p ipv6-icmp --icmpv6-type 128", ICMP6 " type=128/0 fragoff=8", false },
	{ "-p ipv6-icmp ! --icmpv6-type 128", ICMP6 " type=128/0 fragoff=8", false },
	{ "-p ipv6-icmp", ICMP6 " type=128/0 fragoff=8", true },

	/* connection tracking state: the packet's one state in the rule's set */
	{ "-m conntrack --ctstate NEW", PKT " ct=NEW", true },
	{ "-m conntrack --ctstate NEW", PKT " ct=ESTABLISHED", false },
	{ "-m conntrack --ctstate NEW,ESTABLISHED", PKT " ct=ESTABLISHED", true },
	{ "-m conntrack --ctstate RELATED,ESTABLISHED", PKT " ct=RELATED", true },
	{ "-m conntrack --ctstate RELATED,ESTABLISHED", PKT " ct=NEW", false },
	{ "-m conntrack --ctstate INVALID", PKT " ct=INVALID", true },
	{ "-m conntrack --ctstate NEW,RELATED,ESTABLISHED,UNTRACKED", PKT " ct=INVALID", false },
	{ "-m conntrack --ctstate UNTRACKED", PKT " ct=UNTRACKED", true },
	{ "-m conntrack --ctstate INVALID", PKT " ct=UNTRACKED", false },
	{ "-m conntrack --ctstate INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED", PKT " ct=INVALID", true },
	{ "-m conntrack --ctstate INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED", PKT " ct=UNTRACKED", true },
	{ "-m conntrack ! --ctstate NEW", PKT " ct=NEW", false },
	{ "-m conntrack ! --ctstate NEW", PKT " ct=ESTABLISHED", true },
	{ "-m conntrack ! --ctstate NEW,RELATED,ESTABLISHED", PKT " ct=INVALID", true },
	{ "-m conntrack ! --ctstate INVALID", PKT " ct=INVALID", false },
	{ "-m conntrack ! --ctstate INVALID", PKT " ct=UNTRACKED", true },
	{ "-m conntrack ! --ctstate UNTRACKED", PKT " ct=UNTRACKED", false },
	{ "-m conntrack ! --ctstate INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED", PKT " ct=NEW", false },
	{ "-m state --state NEW", PKT " ct=NEW", true },
	{ "-m state --state ESTABLISHED", PKT " ct=NEW", false },
	{ "-m state ! --state NEW", PKT " ct=NEW", false },
	{ "-m state ! --state NEW", PKT " ct=RELATED", true },
	{ "-m state --state INVALID,UNTRACKED", PKT " ct=UNTRACKED", true },
	{ "-m conntrack --ctstate ESTABLISHED", PKT6 " ct=ESTABLISHED", true },
	{ "-s 2001:db8::/32 -m state --state ESTABLISHED", PKT6 " ct=ESTABLISHED", true },
	{ "-s 10.0.0.0/8 -m state --state ESTABLISHED", PKT6 " ct=ESTABLISHED", false },
	{ "-m conntrack --ctstate ESTABLISHED", PKT " frag ct=ESTABLISHED", true },
	{ "-p tcp --dport 22 -m conntrack --ctstate NEW", PKT " ct=NEW", true },
	{ "-p tcp --dport 22 -m conntrack --ctstate NEW", PKT " ct=ESTABLISHED", false },
	{ "-p tcp --dport 23 -m conntrack --ctstate NEW", PKT " ct=NEW", false },
	{ "-m conntrack --ctstate NEW -m comment --comment x", PKT " ct=NEW", true },
};

static void test_match(void)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(match_cases); k++) {
		const char *spec = match_cases[k].pkt ? match_cases[k].pkt : PKT;
		bool match = match_cases[k].match;
		struct minifw_ruleset *rs;
		const struct minifw_chain *ch;
		char line[256];
		u64 p, b;

		case_beginf("match", "rule \"%s\" with packet \"%s\"", match_cases[k].opts, spec);
		snprintf(line, sizeof(line), "-A FORWARD %s -j DROP", match_cases[k].opts);
		rs = build(line);
		ch = &rs->chain[MINIFW_FORWARD];
		expect_str("verdict", match ? "DROP" : "ACCEPT", eval_name(rs, MINIFW_FORWARD, spec));
		if (ch->nrules == 1) {
			minifw_counter_read(ch->rules[0].cnt, &p, &b);
			expect_int("rule's packets", match, p);
			expect_int("rule's bytes", match ? 100 : 0, b);
		}
		minifw_counter_read(ch->policy_cnt, &p, &b);
		expect_int("policy's packets", !match, p);
		minifw_ruleset_put(rs);
		case_end();
	}
}

/*
 * Several rules in FORWARD: verdict, and counters as "packets:bytes" of each
 * rule then "| " the policy's (the packets are 100 bytes long).
 */
static const struct {
	const char *rules, *pkt, *verdict, *counts;
} chain_cases[] = {
	/* -m multiport: any listed port or range; a later fragment never */
	{ "-A FORWARD -p tcp -m multiport --dports 80,20:23 -j DROP", PKT, "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -p tcp -m multiport --dports 80,443 -j DROP", PKT, "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -p tcp -m multiport ! --dports 80,443 -j DROP", PKT, "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -p tcp -m multiport --sports 1234 -j DROP", PKT, "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -p tcp -m multiport --sports 22 -j DROP", PKT, "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -p tcp -m multiport --ports 22 -j DROP", PKT, "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -p tcp -m multiport --ports 1234 -j DROP", PKT, "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -p tcp -m multiport --dports 22 -j DROP", PKT " frag", "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -p tcp -m multiport ! --dports 80 -j DROP", PKT " frag", "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -p tcp -m multiport --dports 22 -j ACCEPT", PKT " nol4", "DROP", "0:0 | 0:0" },
	/* a header cut after the ports: enough for -m multiport, as xt_multiport */
	{ "-A FORWARD -p tcp -m multiport --dports 22 -j ACCEPT", PKT " ports4", "ACCEPT", "1:100 | 0:0" },
	{ "-A FORWARD -p tcp -m multiport --dports 23 -j ACCEPT", PKT " ports4", "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -p tcp --dport 22 -j ACCEPT", PKT " ports4", "DROP", "0:0 | 0:0" },
	/* -m iprange: inclusive, host order */
	{ "-A FORWARD -m iprange --src-range 10.1.2.3-10.1.2.3 -j DROP", PKT, "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -m iprange --src-range 10.1.2.4-10.255.0.0 -j DROP", PKT, "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -m iprange --src-range 9.255.255.255-10.1.2.2 -j DROP", PKT, "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -m iprange ! --src-range 10.1.2.4-10.255.0.0 -j DROP", PKT, "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -m iprange --dst-range 192.0.2.0-192.0.2.255 -j DROP", PKT, "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -m iprange --src-range 10.0.0.0-10.255.255.255 ! --dst-range 192.0.2.7-192.0.2.7 -j DROP",
	  PKT, "ACCEPT", "0:0 | 1:100" },
	/* -m comment matches everything */
	{ "-A FORWARD -m comment --comment x -j DROP", PKT, "DROP", "1:100 | 0:0" },
	/* LOG counts, logs and goes on */
	{ "-A FORWARD -j LOG\n-A FORWARD -j LOG --log-prefix x\n-A FORWARD -p tcp -j DROP", PKT,
	  "DROP", "1:100 1:100 1:100 | 0:0" },
	/* first match wins */
	{ "-A FORWARD -p tcp -j ACCEPT\n-A FORWARD -p tcp -j DROP", PKT,
	  "ACCEPT", "1:100 0:0 | 0:0" },
	{ "-A FORWARD -p tcp -j DROP\n-A FORWARD -p tcp -j ACCEPT", PKT,
	  "DROP", "1:100 0:0 | 0:0" },
	{ "-A FORWARD -p udp -j DROP\n-A FORWARD -s 10.0.0.0/8 -j ACCEPT\n-A FORWARD -j DROP", PKT,
	  "ACCEPT", "0:0 1:100 0:0 | 0:0" },
	/* a rule without -j counts and goes on */
	{ "-A FORWARD -p tcp\n-A FORWARD -s 10.0.0.0/8\n-A FORWARD -j DROP", PKT,
	  "DROP", "1:100 1:100 1:100 | 0:0" },
	{ "-A FORWARD\n-A FORWARD\n-A FORWARD -p udp\n-A FORWARD -j ACCEPT", PKT,
	  "ACCEPT", "1:100 1:100 0:0 1:100 | 0:0" },
	/* the policy decides when no rule does, and counts it */
	{ "-P FORWARD DROP\n-A FORWARD -p udp -j ACCEPT", PKT, "DROP", "0:0 | 1:100" },
	{ "-P FORWARD DROP\n-A FORWARD -p tcp", PKT, "DROP", "1:100 | 1:100" },
	{ "-A FORWARD -p tcp", PKT, "ACCEPT", "1:100 | 1:100" },
	{ "", PKT, "ACCEPT", "| 1:100" },
	{ "-P FORWARD DROP", PKT " len=1500", "DROP", "| 1:1500" },
	/* hotdrop: a TCP/UDP header that could not be read drops the packet
	 * at the first port rule it reaches; that rule and the policy don't count */
	{ "-A FORWARD\n-A FORWARD -p tcp --dport 22 -j ACCEPT\n-A FORWARD -j ACCEPT", PKT " nol4",
	  "DROP", "1:100 0:0 0:0 | 0:0" },
	{ "-A FORWARD -p tcp -m tcp -j ACCEPT", PKT " nol4", "DROP", "0:0 | 0:0" },
	{ "-A FORWARD -p tcp ! --dport 22", PKT " nol4", "DROP", "0:0 | 0:0" },
	{ "-A FORWARD -p udp --dport 53 -j ACCEPT", "udp 10.1.2.3:1 > 192.0.2.7:53 nol4",
	  "DROP", "0:0 | 0:0" },
	/* ... but only a rule whose other options match */
	{ "-A FORWARD -s 11.0.0.0/8 -p tcp --dport 22 -j DROP", PKT " nol4", "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -p udp --dport 53 -j DROP", PKT " nol4", "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -i eth1 -p tcp --dport 22 -j DROP", PKT " nol4", "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -s 10.0.0.0/8 -j DROP", PKT " nol4", "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -p tcp -j DROP", PKT " nol4", "DROP", "1:100 | 0:0" },
	/* as xt_tcp: a TCP fragment at offset 1 is dropped by a port rule */
	{ "-A FORWARD -p tcp --dport 22 -j ACCEPT", PKT " frag1", "DROP", "0:0 | 0:0" },
	{ "-A FORWARD -p tcp -j ACCEPT", PKT " frag1", "ACCEPT", "1:100 | 0:0" },
	{ "-A FORWARD -p udp --dport 53 -j ACCEPT", "udp 10.1.2.3:5353 > 192.0.2.7:53 frag1", "ACCEPT",
	  "0:0 | 1:100" },
	/* a fragment has no header to read: no hotdrop, the port rule is skipped */
	{ "-A FORWARD -p tcp --dport 22 -j DROP", PKT " frag nol4", "ACCEPT", "0:0 | 1:100" },
	{ "-P FORWARD DROP\n-A FORWARD -p tcp --dport 22 -j ACCEPT\n-A FORWARD -s 10.0.0.0/8 -j ACCEPT",
	  PKT " frag", "ACCEPT", "0:0 1:100 | 0:0" },

	/*
	 * IPv6 fragment offsets are in bytes (ip6_tables): a fragment at 8
	 * bytes is not IPv4's offset-1 attack, so a port rule skips it
	 */
	{ "-P FORWARD DROP\n-A FORWARD -p tcp --dport 22 -j DROP\n-A FORWARD -j ACCEPT", PKT6 " fragoff=8",
	  "ACCEPT", "0:0 1:100 | 0:0" },
	{ "-P FORWARD DROP\n-A FORWARD -p tcp --dport 22 -j DROP\n-A FORWARD -j ACCEPT", PKT " frag1",
	  "DROP", "0:0 0:0 | 0:0" },
	{ "-A FORWARD -p tcp -m multiport --dports 22 -j DROP", PKT6 " fragoff=8", "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -p ipv6-icmp --icmpv6-type 128 -j DROP", ICMP6 " type=128/0 fragoff=8",
	  "ACCEPT", "0:0 | 1:100" },
	/* an IPv6 transport header that could not be read: hotdrop, as IPv4 */
	{ "-A FORWARD -p tcp --dport 22 -j ACCEPT", PKT6 " nol4", "DROP", "0:0 | 0:0" },
	{ "-A FORWARD -p ipv6-icmp --icmpv6-type 128 -j ACCEPT", ICMP6 " nol4", "DROP", "0:0 | 0:0" },
	{ "-A FORWARD -p ipv6-icmp ! --icmpv6-type 128 -j ACCEPT", ICMP6 " nol4", "DROP", "0:0 | 0:0" },
	{ "-A FORWARD -p ipv6-icmp -j ACCEPT", ICMP6 " nol4", "ACCEPT", "1:100 | 0:0" },
	/*
	 * IPv6 extension headers that could not be read (ip6_packet_match():
	 * ipv6_find_hdr() fails): a rule with -p, negated or not, drops the
	 * packet once its addresses match; a rule without -p does not look
	 */
	{ "-A FORWARD -p tcp -j ACCEPT", PKT6 " badhdr", "DROP", "0:0 | 0:0" },
	{ "-A FORWARD ! -p tcp -j ACCEPT", PKT6 " badhdr", "DROP", "0:0 | 0:0" },
	{ "-A FORWARD -p ipv6-icmp -j ACCEPT", PKT6 " badhdr", "DROP", "0:0 | 0:0" },
	{ "-A FORWARD -p 200 -j ACCEPT", PKT6 " badhdr", "DROP", "0:0 | 0:0" },
	{ "-A FORWARD\n-A FORWARD -p udp -j ACCEPT\n-A FORWARD -j ACCEPT", PKT6 " badhdr",
	  "DROP", "1:100 0:0 0:0 | 0:0" },
	{ "-A FORWARD -s 2001:db8::/32 -j DROP", PKT6 " badhdr", "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -s 2001:db8::/32 -i eth0 -o wlan0 -j DROP", PKT6 " badhdr", "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -j DROP", PKT6 " badhdr", "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -s 2001:db9::/32 -p tcp -j DROP", PKT6 " badhdr", "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD ! -d 2001:db8::7 -p tcp -j DROP", PKT6 " badhdr", "ACCEPT", "0:0 | 1:100" },
	/* ... after the interfaces, as ip6_packet_match() checks them first */
	{ "-A FORWARD -i eth1 -p tcp -j DROP", PKT6 " badhdr", "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -o eth1 -p tcp -j DROP", PKT6 " badhdr", "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -i eth0 -p tcp -j ACCEPT", PKT6 " badhdr", "DROP", "0:0 | 0:0" },
	{ "-A FORWARD -4 -p tcp -j DROP", PKT6 " badhdr", "ACCEPT", "0:0 | 1:100" },
	{ "-A FORWARD -m conntrack --ctstate ESTABLISHED -j DROP", PKT6 " badhdr ct=ESTABLISHED",
	  "DROP", "1:100 | 0:0" },
	{ "-A FORWARD -m conntrack --ctstate NEW -p tcp -j ACCEPT", PKT6 " badhdr ct=NEW",
	  "DROP", "0:0 | 0:0" },
	/* a state rule counts what it matches and lets the rest go on */
	{ "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
	  "-A FORWARD -m conntrack --ctstate INVALID -j DROP\n"
	  "-A FORWARD -p tcp --dport 22 -m state --state NEW -j ACCEPT\n-A FORWARD -j DROP",
	  PKT " ct=NEW", "ACCEPT", "0:0 0:0 1:100 0:0 | 0:0" },
	{ "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
	  "-A FORWARD -m conntrack --ctstate INVALID -j DROP\n"
	  "-A FORWARD -p tcp --dport 22 -m state --state NEW -j ACCEPT\n-A FORWARD -j DROP",
	  PKT " ct=INVALID", "DROP", "0:0 1:100 0:0 0:0 | 0:0" },
	{ "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
	  "-A FORWARD -m conntrack --ctstate INVALID -j DROP\n"
	  "-A FORWARD -p tcp --dport 22 -m state --state NEW -j ACCEPT\n-A FORWARD -j DROP",
	  PKT6 " ct=UNTRACKED", "DROP", "0:0 0:0 0:0 1:100 | 0:0" },
};

static void test_chains(void)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(chain_cases); k++) {
		struct minifw_ruleset *rs;

		case_beginf("match", "rules \"%s\" with packet \"%s\"", chain_cases[k].rules,
			    chain_cases[k].pkt);
		rs = build(chain_cases[k].rules);
		n_logged = 0;
		expect_str("verdict", chain_cases[k].verdict,
			   eval_name(rs, MINIFW_FORWARD, chain_cases[k].pkt));
		expect_str("counters", chain_cases[k].counts, counts(rs, MINIFW_FORWARD));
		expect_int("LOG rules that logged", minifw_ruleset_has_target(rs, MINIFW_T_LOG) ? 2 : 0,
			   n_logged);
		minifw_ruleset_put(rs);
		case_end();
	}
}

/* ---------------------------------------------------------------------- */
/* User-defined chains                                                     */

/*
 * Packets of every chain that has rules or counts: "INPUT 1 0 | 1, A 0 1 |
 * 0", each rule's, then the policy's (a user chain's: its end's).
 */
static const char *chain_pkts(const struct minifw_ruleset *rs)
{
	static char buf[1024];
	size_t pos = 0;
	u64 p, b;
	u32 k, i;

	buf[0] = '\0';
	for (k = 0; k < rs->nchains; k++) {
		const struct minifw_chain *ch = minifw_listed_chain(rs, k);

		minifw_counter_read(ch->policy_cnt, &p, &b);
		if (!ch->nrules && !p)
			continue;
		pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, "%s%s", pos ? ", " : "",
					ch->name);
		for (i = 0; i < ch->nrules && pos < sizeof(buf) - 64; i++) {
			u64 rp;

			minifw_counter_read(ch->rules[i].cnt, &rp, &b);
			pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, " %llu",
						(unsigned long long)rp);
		}
		pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, " | %llu",
					(unsigned long long)p);
	}
	return buf;
}

/*
 * A packet into INPUT, through the user chains its rules call (-j) and go
 * to (-g): the verdict, and what each chain counted. iptables-legacy gives
 * the same for the same rules (tests/bats/32-chains.bats checks it there).
 */
static const struct {
	const char *rules, *pkt, *verdict, *counts;
} user_chain_cases[] = {
#define CALL "-N A\n-A INPUT -j A\n-A INPUT -p tcp -j DROP\n" \
	"-A A -p udp -j ACCEPT\n-A A -p icmp -j RETURN\n-A A\n"
	/* the callee decides */
	{ CALL, "udp 10.0.0.1:5 > 192.0.2.1:53", "ACCEPT", "INPUT 1 0 | 0, A 1 0 0 | 0" },
	/* RETURN: back after the call, and on to the policy */
	{ CALL, "icmp 10.0.0.1 > 192.0.2.1", "ACCEPT", "INPUT 1 0 | 1, A 0 1 0 | 0" },
	/* the callee's end: counted there, back after the call */
	{ CALL, "tcp 10.0.0.1:5 > 192.0.2.1:22", "DROP", "INPUT 1 1 | 0, A 0 0 1 | 1" },
#undef CALL
	/* -g: no way back; the end of the chain gone to is the policy's */
	{ "-N B\n-A INPUT -g B\n-A INPUT -j DROP\n-A B -p udp -j DROP",
	  "tcp 10.0.0.1:5 > 192.0.2.1:22", "ACCEPT", "INPUT 1 0 | 1, B 0 | 1" },
	{ "-N B\n-A INPUT -g B\n-A INPUT -j DROP\n-A B -p udp -j DROP",
	  "udp 10.0.0.1:5 > 192.0.2.1:53", "DROP", "INPUT 1 0 | 0, B 1 | 0" },
	{ "-P INPUT DROP\n-N B\n-A INPUT -g B\n-A INPUT -j ACCEPT\n-A B -j RETURN",
	  "tcp 10.0.0.1:5 > 192.0.2.1:22", "DROP", "INPUT 1 0 | 1, B 1 | 0" },
	/* RETURN in a built-in chain: the policy decides */
	{ "-P INPUT DROP\n-A INPUT -p tcp -j RETURN\n-A INPUT -j ACCEPT",
	  "tcp 10.0.0.1:5 > 192.0.2.1:22", "DROP", "INPUT 1 0 | 1" },
	{ "-P INPUT DROP\n-A INPUT -p tcp -j RETURN\n-A INPUT -j ACCEPT",
	  "udp 10.0.0.1:5 > 192.0.2.1:53", "ACCEPT", "INPUT 0 1 | 0" },
	/* nested calls, each back where it was */
#define NEST "-N A\n-N B\n-A INPUT -j A\n-A INPUT -j REJECT\n" \
	"-A A -j B\n-A A -p udp -j DROP\n-A B -p tcp -j ACCEPT\n"
	{ NEST, "tcp 10.0.0.1:5 > 192.0.2.1:22", "ACCEPT", "INPUT 1 0 | 0, A 1 0 | 0, B 1 | 0" },
	{ NEST, "udp 10.0.0.1:5 > 192.0.2.1:53", "DROP", "INPUT 1 0 | 0, A 1 1 | 0, B 0 | 1" },
	{ NEST, "icmp 10.0.0.1 > 192.0.2.1", "REJECT", "INPUT 1 1 | 0, A 1 0 | 1, B 0 | 1" },
#undef NEST
	/* one chain called from two places counts each call */
	{ "-N C\n-A C\n-A INPUT -p tcp -j C\n-A INPUT -j C",
	  "tcp 10.0.0.1:5 > 192.0.2.1:22", "ACCEPT", "INPUT 1 1 | 1, C 2 | 2" },
	/* -g inside a call: the chain gone to returns to the caller's caller */
	{ "-N A\n-N B\n-A INPUT -j A\n-A INPUT -j DROP\n-A A -g B\n-A A -j ACCEPT\n-A B",
	  "tcp 10.0.0.1:5 > 192.0.2.1:22", "DROP", "INPUT 1 1 | 0, A 1 0 | 0, B 1 | 1" },
	/* a RETURN inside a call goes back one level only */
	{ "-N A\n-N B\n-A INPUT -j A\n-A A -j B\n-A A -j DROP\n-A B -j RETURN\n-A B -j ACCEPT",
	  "tcp 10.0.0.1:5 > 192.0.2.1:22", "DROP", "INPUT 1 | 0, A 1 1 | 0, B 1 0 | 0" },
	/* matches and LOG in a user chain: LOG goes on */
	{ "-N L\n-A INPUT -p tcp --dport 22 -j L\n-A L -s 10.0.0.0/8 -j LOG\n-A L -j DROP",
	  "tcp 10.0.0.1:5 > 192.0.2.1:22", "DROP", "INPUT 1 | 0, L 1 1 | 0" },
	{ "-N L\n-A INPUT -p tcp --dport 22 -j L\n-A L -s 10.0.0.0/8 -j LOG\n-A L -j DROP",
	  "tcp 10.0.0.1:5 > 192.0.2.1:80", "ACCEPT", "INPUT 0 | 1, L 0 0 | 0" },
	/* an empty chain returns at once */
	{ "-N E\n-A INPUT -j E\n-A INPUT -j DROP",
	  "tcp 10.0.0.1:5 > 192.0.2.1:22", "DROP", "INPUT 1 1 | 0, E | 1" },
	/* a run of rules that go to the chain (-g) and RETURN, compiled or not */
	{ "-N X\n-A INPUT -s 10.0.0.1 -g X\n-A INPUT -s 10.0.0.2 -g X\n-A INPUT -s 10.0.0.3 -j RETURN\n"
	  "-A INPUT -s 10.0.0.4 -g X\n-A INPUT -j DROP\n-A X -j ACCEPT",
	  "tcp 10.0.0.4:5 > 192.0.2.1:22", "ACCEPT", "INPUT 0 0 0 1 0 | 0, X 1 | 0" },
	{ "-N X\n-A INPUT -s 10.0.0.1 -g X\n-A INPUT -s 10.0.0.2 -g X\n-A INPUT -s 10.0.0.3 -j RETURN\n"
	  "-A INPUT -s 10.0.0.4 -g X\n-A INPUT -j DROP\n-A X -j ACCEPT",
	  "tcp 10.0.0.3:5 > 192.0.2.1:22", "ACCEPT", "INPUT 0 0 1 0 0 | 1, X 0 | 0" },
	/* a run of calls: each comes back after its own rule */
	{ "-N X\n-A INPUT -s 10.0.0.0/8 -j X\n-A INPUT -s 10.0.0.0/16 -j X\n"
	  "-A INPUT -s 10.0.0.0/24 -j X\n-A INPUT -j DROP\n-A X",
	  "tcp 10.0.1.4:5 > 192.0.2.1:22", "DROP", "INPUT 1 1 0 1 | 0, X 2 | 2" },
};

/*
 * What the jumps make, checked once the commands are applied (graph.c):
 * NULL where the ruleset is fine, else a part of the error.
 */
static const struct {
	const char *rules, *err;
} graph_cases[] = {
	{ "-N a\n-N b\n-A a -j b\n-A b -j a", "chain \"a\" would call itself: a -> b -> a" },
	{ "-N a\n-A a -j a", "chain \"a\" would call itself: a -> a" },
	{ "-N a\n-N b\n-A a -g b\n-A b -g a", "would call itself: a -> b -> a" },
	{ "-N a\n-N b\n-N c\n-A INPUT -j a\n-A a -j b\n-A b -p tcp -j c\n-A c -j b",
	  "chain \"b\" would call itself: b -> c -> b" },
	/* a diamond is no loop */
	{ "-N a\n-N b\n-N c\n-N d\n-A INPUT -j a\n-A a -j b\n-A a -j c\n-A b -j d\n-A c -j d\n"
	  "-A FORWARD -j d\n-A d -j RETURN", NULL },
	/* -i, -o, REJECT and states, where the callers run */
	{ "-N x\n-A x -o eth0 -j DROP\n-A INPUT -j x",
	  "rule 1 of chain \"x\", which is reached from INPUT: -o cannot be used in INPUT" },
	{ "-N x\n-A INPUT -j x\n-A x -p tcp\n-A x -o eth0", "rule 2 of chain \"x\"" },
	{ "-N x\n-A FORWARD -j x\n-A x -o eth0 -j DROP\n-A x -i eth1 -j DROP", NULL },
	{ "-N x\n-A FORWARD -j x\n-A OUTPUT -j x\n-A x -i eth1",
	  "which is reached from FORWARD: -i cannot be used in OUTPUT" },
	{ "-N x\n-N y\n-A PREROUTING -j x\n-A x -j y\n-A y -j REJECT",
	  "rule 1 of chain \"y\", which is reached from PREROUTING: -j REJECT is only valid in INPUT, FORWARD and OUTPUT" },
	{ "-N x\n-A PREROUTING -g x\n-A x -m state --state NEW",
	  "-m state cannot be used in PREROUTING: minifw filters there before connection tracking" },
	{ "-N x\n-A INPUT -g x\n-A x -m conntrack --ctstate NEW -j REJECT", NULL },
	/* where an extension may run depends on its options: addrtype's limits */
	{ "-N x\n-A FORWARD -j x\n-A x -m addrtype --dst-type LOCAL --limit-iface-out\n-A OUTPUT -j x",
	  NULL },
	{ "-N x\n-A FORWARD -j x\n-A x -m addrtype --dst-type LOCAL --limit-iface-out\n-A INPUT -j x",
	  "rule 1 of chain \"x\", which is reached from INPUT: -m addrtype cannot be used in INPUT: --limit-iface-out" },
	{ "-N x\n-A x -m addrtype --dst-type LOCAL --limit-iface-in\n-A POSTROUTING -g x",
	  "-m addrtype cannot be used in POSTROUTING: --limit-iface-in: packets there have no input interface" },
	/* a chain nothing reaches is checked once something does */
	{ "-N x\n-A x -o eth0\n-A x -j REJECT", NULL },
};

/*
 * Calls @depth deep from INPUT (c1 ... cN), each chain jumping to the next
 * with the rules @how says: "j" one -j, "gg" two -g, "jg" a -j then a -g.
 */
static struct minifw_ruleset *deep(unsigned int depth, const char *how,
				   struct minifw_err *err, int *ret)
{
	struct minifw_ruleset *rs = minifw_ruleset_new();
	struct sbuf b = { 0 };
	char *script, *line, *save = NULL;
	const char *h;
	unsigned int i;

	for (i = 1; i <= depth; i++)
		sb_printf(&b, "-N c%u\n", i);
	sb_printf(&b, "-A INPUT -j c1\n");
	for (i = 1; i < depth; i++)
		for (h = how; *h; h++)
			sb_printf(&b, "-A c%u -%c c%u\n", i, *h, i + 1);
	sb_printf(&b, "-A c%u -j DROP\n", depth);
	script = sb_take(&b);
	*ret = 0;
	for (line = strtok_r(script, "\n", &save); line && !*ret;
	     line = strtok_r(NULL, "\n", &save)) {
		struct minifw_cmd cmd;

		*ret = parse(line, &cmd, err) ?: minifw_ruleset_apply(rs, &cmd, err);
		minifw_cmd_free(&cmd);
	}
	if (!*ret)
		*ret = minifw_ruleset_compile(rs, err);
	free(script);
	return rs;
}

/* Commands on chains: live ruleset, a write's commands, then the listing or the error. */
static const struct {
	const char *live, *cmds, *after, *err;
} chain_cmd_cases[] = {
	{ "", "-N zeta\n-N Alpha\n-N beta\n-N _x",
	  "-N Alpha\n-N _x\n-N beta\n-N zeta\n", NULL },
	{ "-N a", "-N a", NULL, "chain \"a\" already exists" },
	{ "-N a\n-A INPUT -j a", "-X a", NULL, "-X a: 1 rule still jumps to it (delete them first)" },
	{ "-N a\n-A INPUT -j a\n-A FORWARD -g a", "-X a", NULL, "2 rules still jump to it" },
	{ "-N a\n-A a -j DROP", "-X a", NULL, "-X a: it still has 1 rule (flush it first: -F a)" },
	{ "-N a\n-N b\n-A a -j b", "-F a\n-X b", "-N a\n", NULL },
	{ "-N a\n-A INPUT -j a", "-D INPUT -j a\n-X a", "", NULL },
	{ "-N a\n-A INPUT -j a", "-D INPUT 1\n-X a", "", NULL },
	/* -X alone: all user chains or none, as iptables-legacy 1.8.9 */
	{ "-N a\n-N b\n-N c\n-A a -j b", "-X", NULL, "-X a: it still has 1 rule (flush it first: -F a)" },
	{ "-N a\n-N b\n-N c\n-A INPUT -j c", "-X", NULL, "-X c: 1 rule still jumps to it (delete them first)" },
	{ "-N b\n-N a\n-N c\n-A INPUT -j c", "-F\n-X", "", NULL },
	{ "-N z\n-N Z\n-N _", "-X", "", NULL },
	{ "-N a\n-N b\n-A a -j b", "-F\n-X", "", NULL },
	/* -E: jumps follow; the listing keeps names sorted */
	{ "-N a\n-N z\n-A INPUT -j a\n-A z -g a", "-E a m",
	  "-N m\n-N z\n-A INPUT -j m\n-A z -g m\n", NULL },
	{ "-N a\n-N b", "-E a b", NULL, "-E: chain \"b\" already exists" },
	{ "-N a", "-E a INPUT", NULL, "-E: chain \"INPUT\" already exists" },
	/* -X: the chains after it move, and the jumps to them follow */
	{ "-N a\n-N b\n-N c\n-A INPUT -j c\n-A b -j c", "-X a",
	  "-N b\n-N c\n-A INPUT -j c\n-A b -j c\n", NULL },
	{ "-N a", "-P a DROP", NULL, "-P a: only built-in chains have a policy" },
	{ "-N a\n-A a -p tcp", "-A a -p udp\n-I a 1 -p icmp\n-R a 2 -p 47\n-D a 3",
	  "-N a\n-A a -p icmp\n-A a -p gre\n", NULL },
	{ "-N a", "-D a 1", NULL, "a has 0 rules; there is no rule 1" },
	{ "-N blocklist", "-A blocklst -j DROP", NULL,
	  "unknown chain \"blocklst\" (did you mean \"blocklist\"?)" },
	{ "-N a", "-A b -j a", NULL, "unknown chain \"b\" (make it with -N first)" },
	{ "-N blocklist", "-A INPUT -j blocklst", NULL,
	  "unknown target \"blocklst\" (did you mean \"blocklist\"?)" },
	/* -C: fails without the rule, changes nothing */
	{ "-N a\n-A a -p tcp -j DROP\n-A INPUT -j a", "-C a -p tcp -j DROP\n-C INPUT -j a",
	  "-N a\n-A INPUT -j a\n-A a -p tcp -j DROP\n", NULL },
	{ "-N a\n-A a -p tcp -j DROP", "-C a -p udp -j DROP", NULL, "-C: no such rule in a" },
	{ "-N a\n-N b\n-A INPUT -j a", "-C INPUT -j b", NULL, "-C: no such rule in INPUT" },
	{ "-N a\n-A INPUT -j a", "-C INPUT -g a", NULL, "-C: no such rule in INPUT" },
};

static void test_user_chains(void)
{
	struct minifw_err err;
	size_t k;
	int ret;

	for (k = 0; k < ARRAY_SIZE(user_chain_cases); k++) {
		struct minifw_ruleset *rs;

		case_beginf("chains", "rules \"%s\" with packet \"%s\"", user_chain_cases[k].rules,
			    user_chain_cases[k].pkt);
		rs = build(user_chain_cases[k].rules);
		expect_ret("graph", 0, minifw_ruleset_check_graph(rs, &err));
		expect_str("verdict", user_chain_cases[k].verdict,
			   eval_name(rs, MINIFW_INPUT, user_chain_cases[k].pkt));
		expect_str("counters", user_chain_cases[k].counts, chain_pkts(rs));
		minifw_ruleset_put(rs);
		case_end();
	}
	for (k = 0; k < ARRAY_SIZE(graph_cases); k++) {
		struct minifw_ruleset *rs;

		case_beginf("chains", "graph of \"%s\"", graph_cases[k].rules);
		rs = build(compiled_mode ? "" : graph_cases[k].rules);
		if (compiled_mode) {
			/* build() compiles: apply the script by hand */
			minifw_ruleset_put(rs);
			rs = edit_raw(graph_cases[k].rules, &err, &ret);
		} else {
			memset(&err, 0, sizeof(err));
			ret = minifw_ruleset_check_graph(rs, &err);
		}
		if (graph_cases[k].err) {
			expect_ret("check", -EINVAL, ret);
			expect_contains("err.msg", graph_cases[k].err, err.msg);
		} else {
			expect_ret("check", 0, ret);
			expect_str("err.msg", "", err.msg);
		}
		minifw_ruleset_put(rs);
		case_end();
	}
	for (k = 0; k < ARRAY_SIZE(chain_cmd_cases); k++) {
		struct minifw_ruleset *live, *rs;

		case_beginf("chains", "live \"%s\", commands \"%s\"", chain_cmd_cases[k].live,
			    chain_cmd_cases[k].cmds);
		live = build(chain_cmd_cases[k].live);
		rs = edit(live, chain_cmd_cases[k].cmds, &err);
		if (chain_cmd_cases[k].err) {
			expect_bool("refused", true, IS_ERR(rs));
			expect_contains("err.msg", chain_cmd_cases[k].err, err.msg);
		} else if (expect_bool("applied", false, IS_ERR(rs))) {
			expect_listing("listing", chain_cmd_cases[k].after, rs);
		}
		if (!IS_ERR(rs))
			minifw_ruleset_put(rs);
		minifw_ruleset_put(live);
		case_end();
	}

	case_begin("chains", "calls 32 deep pass, 33 do not; -g does not count");
	{
		struct minifw_ruleset *rs;

		rs = deep(MINIFW_MAX_CALLS, "j", &err, &ret);
		expect_ret("32 calls", 0, ret);
		expect_str("a packet through them", "DROP",
			   eval_name(rs, MINIFW_INPUT, "tcp 10.0.0.1:5 > 192.0.2.1:22"));
		minifw_ruleset_put(rs);
		rs = deep(MINIFW_MAX_CALLS + 1, "j", &err, &ret);
		expect_ret("33 calls", -EINVAL, ret);
		expect_contains("err.msg", "calls from INPUT would nest 33 deep at chain \"c33\" (at most 32: -j CHAIN nests, -g CHAIN does not)", err.msg);
		minifw_ruleset_put(rs);
		rs = deep(200, "g", &err, &ret);
		expect_ret("1 call and 199 gotos", 0, ret);
		expect_str("a packet through them", "DROP",
			   eval_name(rs, MINIFW_INPUT, "tcp 10.0.0.1:5 > 192.0.2.1:22"));
		minifw_ruleset_put(rs);
	}
	case_end();

	/*
	 * Each chain calls the next twice: a packet entering c(D-j) may be
	 * checked against f(j) = 3 * 2^(j-1) - 2 rules (f(1) = 1, f(j+1) =
	 * 2 + 2 f(j)), one more in INPUT: 12,582,911 at 23 deep, 25,165,823 at 24.
	 */
	case_begin("chains", "at most 2^24 rules checked for one packet, calls included");
	{
		struct minifw_ruleset *rs;

		rs = deep(23, "jj", &err, &ret);
		expect_ret("23 deep, 2 calls each", 0, ret);
		minifw_ruleset_put(rs);
		rs = deep(24, "jj", &err, &ret);
		expect_ret("24 deep, 2 calls each", -EINVAL, ret);
		expect_str("err.msg", "a packet in INPUT could be checked against more than 16777216 rules: too many calls of user chains that call others", err.msg);
		minifw_ruleset_put(rs);
		/* a goto leaves for good: the second of two is never reached */
		rs = deep(24, "gg", &err, &ret);
		expect_ret("24 deep, 2 gotos each", 0, ret);
		minifw_ruleset_put(rs);
		/* ... but the goto a packet takes counts: a call, then a goto */
		rs = deep(24, "jg", &err, &ret);
		expect_ret("24 deep, a call and a goto each", -EINVAL, ret);
		minifw_ruleset_put(rs);
	}
	case_end();

	case_begin("chains", "-X of 20,000 empty chains at once; -C changes no chain's line");
	{
		struct minifw_ruleset *rs = minifw_ruleset_new();
		struct minifw_cmd cmd;
		char line[64];
		unsigned int i;

		for (i = 0; i < 20000; i++) {
			snprintf(line, sizeof(line), "-N chain%u", i);
			ret = parse(line, &cmd, &err) ?: minifw_ruleset_apply(rs, &cmd, &err);
			minifw_cmd_free(&cmd);
			if (ret)
				break;
		}
		expect_int("chains", 20000 + MINIFW_NCHAINS, rs->nchains);
		ret = parse("-X", &cmd, &err) ?: minifw_ruleset_apply(rs, &cmd, &err);
		minifw_cmd_free(&cmd);
		expect_ret("-X", 0, ret);
		expect_int("chains after -X", MINIFW_NCHAINS, rs->nchains);
		minifw_ruleset_put(rs);

		rs = edit_raw("-N x\n-A x -o eth0\n-A INPUT -j x\n-C x -o eth0", &err, &ret);
		expect_ret("refused", -EINVAL, ret);
		expect_int("err.line: the -A INPUT, not the -C", 3, err.line);
		minifw_ruleset_put(rs);
	}
	case_end();

	case_begin("chains", "a user chain's rules keep their counts across edits");
	{
		struct minifw_ruleset *rs = build("-N a\n-A INPUT -j a\n-A a -p tcp"), *rs2;

		eval(rs, MINIFW_INPUT, "tcp 10.0.0.1:5 > 192.0.2.1:22");
		rs2 = edit(rs, "-N b\n-I INPUT 1 -j b\n-A a -p udp\n-E a c", &err);
		if (expect_bool("applied", false, IS_ERR(rs2))) {
			eval(rs2, MINIFW_INPUT, "tcp 10.0.0.1:5 > 192.0.2.1:22");
			expect_str("counters", "INPUT 1 2 | 2, b | 1, c 2 0 | 2", chain_pkts(rs2));
			minifw_ruleset_put(rs2);
		}
		minifw_ruleset_put(rs);
	}
	case_end();

	case_begin("chains", "the hook reads what the user chains reached need");
	{
		struct minifw_ruleset *rs = build("-N a\n-N b\n-A INPUT -j a\n-A a -p tcp --dport 22\n"
						  "-A b -m state --state NEW\n-A OUTPUT -g b");

		expect_ret("compile", 0, minifw_ruleset_compile(rs, &err));
		expect_int("INPUT reads the ports", MINIFW_SKIP_CT, rs->chain[MINIFW_INPUT].skip);
		expect_int("OUTPUT reads the state", MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO,
			   rs->chain[MINIFW_OUTPUT].skip);
		expect_int("FORWARD reads nothing",
			   MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO | MINIFW_SKIP_CT,
			   rs->chain[MINIFW_FORWARD].skip);
		minifw_ruleset_put(rs);
	}
	case_end();
}

/* Which of @n packets @rs drops in FORWARD, as a string of "x" (dropped) and ".". */
static const char *drops(struct minifw_ruleset *rs, const char *spec, int n, char *buf)
{
	struct test_pkt t;
	int i;

	make_pkt(&t, spec);
	for (i = 0; i < n; i++)
		buf[i] = minifw_chain_eval(rs, MINIFW_FORWARD, &t.p) == MINIFW_T_DROP ? 'x' : '.';
	buf[n] = '\0';
	return buf;
}

/* -m statistic: nth as xt_statistic counts, random by its probability. */
static void test_statistic(void)
{
	struct minifw_ruleset *rs, *rs2;
	struct minifw_err err;
	char buf[64];
	int i, hits;

	case_begin("statistic", "nth: every third packet, from the first or the second");
	rs = build("-A FORWARD -m statistic --mode nth --every 3 --packet 0 -j DROP");
	expect_str("--packet 0", "x..x..x..", drops(rs, PKT, 9, buf));
	minifw_ruleset_put(rs);
	rs = build("-A FORWARD -m statistic --mode nth --every 3 --packet 1 -j DROP");
	expect_str("--packet 1", ".x..x..x.", drops(rs, PKT, 9, buf));
	minifw_ruleset_put(rs);
	rs = build("-A FORWARD -m statistic --mode nth ! --every 2 --packet 0 -j DROP");
	expect_str("! --every 2", ".x.x", drops(rs, PKT, 4, buf));
	minifw_ruleset_put(rs);
	case_end();

	case_begin("statistic", "nth: the count survives an edit of another rule and -Z");
	rs = build("-A FORWARD -m statistic --mode nth --every 3 --packet 0 -j DROP");
	expect_str("before", "x.", drops(rs, PKT, 2, buf));
	rs2 = edit(rs, "-I FORWARD -p udp -j DROP\n-Z FORWARD", &err);
	expect_str("after", ".x..x", drops(rs2, PKT, 5, buf));
	minifw_ruleset_put(rs2);
	minifw_ruleset_put(rs);
	case_end();

	case_begin("statistic", "random: 0 never, 1 always, 0.25 about a quarter");
	rs = build("-A FORWARD -m statistic --mode random --probability 0 -j DROP");
	expect_str("0", "....", drops(rs, PKT, 4, buf));
	minifw_ruleset_put(rs);
	rs = build("-A FORWARD -m statistic --mode random --probability 1 -j DROP");
	expect_str("1", "xxxx", drops(rs, PKT, 4, buf));
	minifw_ruleset_put(rs);
	rs = build("-A FORWARD -m statistic --mode random ! --probability 1 -j DROP");
	expect_str("! 1", "....", drops(rs, PKT, 4, buf));
	minifw_ruleset_put(rs);
	rs = build("-A FORWARD -m statistic --mode random --probability 0.25 -j DROP");
	for (i = 0, hits = 0; i < 2000; i++)
		hits += *drops(rs, PKT, 1, buf) == 'x';
	expect_int("about 500 of 2000 (400-600)", 1, hits >= 400 && hits <= 600);
	minifw_ruleset_put(rs);
	case_end();
}

/* -m quota: bytes taken by the packets that match, none after the first too big. */
static void test_quota(void)
{
	struct minifw_ruleset *rs, *rs2;
	struct minifw_err err;
	char buf[64];

	case_begin("quota", "250 bytes: two packets of 100, then none, not even a small one");
	rs = build("-A FORWARD -m quota --quota 250 -j ACCEPT\n-P FORWARD DROP");
	expect_str("100-byte packets", "..xx", drops(rs, TCP10, 4, buf));
	expect_str("then 40 bytes", "x", drops(rs, "tcp 10.1.1.1:1000 > 192.0.2.1:22 len=40", 1, buf));
	minifw_ruleset_put(rs);
	rs = build("-A FORWARD -m quota ! --quota 200 -j DROP");
	expect_str("! --quota 200", "..xx", drops(rs, TCP10, 4, buf));
	minifw_ruleset_put(rs);
	rs = build("-A FORWARD -m quota --quota 18446744073709551615 -j DROP");
	expect_str("the largest", "xxx", drops(rs, TCP10, 3, buf));
	minifw_ruleset_put(rs);
	case_end();

	case_begin("quota", "the bytes left survive an edit of another rule and -Z");
	rs = build("-A FORWARD -m quota --quota 300 -j DROP");
	expect_str("before", "x", drops(rs, TCP10, 1, buf));
	rs2 = edit(rs, "-I FORWARD -p udp -j DROP\n-Z", &err);
	expect_str("after", "xx..", drops(rs2, TCP10, 4, buf));
	minifw_ruleset_put(rs2);
	minifw_ruleset_put(rs);
	/* a rule made anew (-R) starts with its whole quota, as in iptables */
	rs = build("-A FORWARD -m quota --quota 100 -j DROP");
	expect_str("used up", "x.", drops(rs, TCP10, 2, buf));
	rs2 = edit(rs, "-R FORWARD 1 -m quota --quota 100 -j DROP", &err);
	expect_str("replaced", "x.", drops(rs2, TCP10, 2, buf));
	minifw_ruleset_put(rs2);
	minifw_ruleset_put(rs);
	case_end();
}

/* build() and make the lists of its -m recent rules, as a commit does */
static struct minifw_ruleset *build_recent(const char *script)
{
	struct minifw_ruleset *rs = build(script);
	struct minifw_err err = { 0 };

	expect_ret("minifw_recent_sync()", 0, minifw_recent_sync(rs, &err));
	return rs;
}

/* the list called @name: NULL if there is none */
static struct minifw_recent_list *recent_list(const char *name)
{
	return minifw_recent_find(name, minifw_recent_hash(name));
}

static int recent_has(const char *name, const char *addr)
{
	struct minifw_recent_list *l = recent_list(name);
	union minifw_addr a = { 0 };
	u8 family = strchr(addr, ':') ? MINIFW_FAM_IPV6 : MINIFW_FAM_IPV4;

	if (!l)
		return -1;
	inet_pton(family == MINIFW_FAM_IPV4 ? AF_INET : AF_INET6, addr, &a);
	return !minifw_recent_edit(l, '?', &a, family);
}

/* -m recent: xt_recent's lists, as a commit makes and drops them. */
static void test_recent(void)
{
	struct minifw_ruleset *rs, *rs2;
	struct minifw_recent_list *l;
	union minifw_addr a = { 0 };
	struct minifw_err err;
	char buf[64], spec[96];
	unsigned int tot = minifw_recent_list_tot;
	int i;

	case_begin("recent", "the ssh idiom: the third new connection within 60 s is dropped, and each after");
	rs = build_recent("-A FORWARD -p tcp --dport 22 -m recent --set --name SSH\n"
			  "-A FORWARD -p tcp --dport 22 -m recent --update --seconds 60 --hitcount 3 --name SSH -j DROP");
	expect_str("from 10.1.1.1", "..xxx", drops(rs, TCP10, 5, buf));
	expect_str("another source", "..x", drops(rs, "tcp 10.1.1.2:1000 > 192.0.2.1:22", 3, buf));
	expect_str("another port", "...", drops(rs, "tcp 10.1.1.3:1000 > 192.0.2.1:23", 3, buf));
	/* --update refreshed the times: 61 s after the last, two pass again */
	minifw_user_jiffies += 61 * HZ;
	expect_str("61 s later", "..x", drops(rs, TCP10, 3, buf));
	expect_int("a list SSH", 1, recent_has("SSH", "10.1.1.1"));
	minifw_recent_retire(NULL);
	expect_int("retired", -1, recent_has("SSH", "10.1.1.1"));
	minifw_ruleset_put(rs);
	case_end();

	case_begin("recent", "--rcheck, its \"!\", --remove, --rdest and --mask");
	rs = build_recent("-A FORWARD -s 10.1.1.1 -m recent --set --name A\n"
			  "-A FORWARD -s 10.1.1.9 -m recent --remove --name A\n"
			  "-A FORWARD -m recent --rcheck --name A -j DROP");
	expect_str("not seen yet", ".", drops(rs, "tcp 10.1.1.2:1000 > 192.0.2.1:22", 1, buf));
	expect_str("set, then checked by the next rule", "x", drops(rs, TCP10, 1, buf));
	expect_str("checked", "x", drops(rs, "udp 10.1.1.1:53 > 192.0.2.1:53", 1, buf));
	minifw_ruleset_put(rs);
	/* the list lives on while a rule names it */
	rs = build_recent("-A FORWARD -m recent ! --rcheck --name A -j DROP");
	minifw_recent_retire(rs);
	expect_str("! --rcheck: 10.1.1.1 in the list", ".", drops(rs, TCP10, 1, buf));
	expect_str("! --rcheck: 10.1.1.2 not", "x", drops(rs, "tcp 10.1.1.2:1000 > 192.0.2.1:22", 1, buf));
	minifw_ruleset_put(rs);
	rs = build_recent("-A FORWARD -m recent --remove --name A -j DROP");
	minifw_recent_retire(rs);
	expect_str("--remove: there, then not", "x.", drops(rs, TCP10, 2, buf));
	minifw_ruleset_put(rs);
	rs = build_recent("-A FORWARD -m recent --set --rdest --name D\n"
			  "-A FORWARD -4 -m recent --rcheck --name M --mask 255.255.255.0 -j DROP\n"
			  "-A FORWARD -4 -m recent --set --name M --mask 255.255.255.0");
	minifw_recent_retire(rs);
	drops(rs, TCP10, 1, buf);
	expect_int("--rdest: the destination", 1, recent_has("D", "192.0.2.1"));
	expect_int("--rdest: not the source", 0, recent_has("D", "10.1.1.1"));
	expect_int("--mask: the masked source", 1, recent_has("M", "10.1.1.0"));
	expect_str("--mask: the same /24", "x", drops(rs, "tcp 10.1.1.200:1 > 192.0.2.1:22", 1, buf));
	expect_str("--mask: another /24: set, then seen", ".x", drops(rs, "tcp 10.1.2.200:1 > 192.0.2.1:22", 2, buf));
	minifw_recent_retire(NULL);
	minifw_ruleset_put(rs);
	case_end();

	case_begin("recent", "! --update refreshes when the rule matches (xt_recent's quirk); --rttl; --reap");
	rs = build_recent("-A FORWARD -m recent --set --name Q\n"
			  "-A FORWARD -m recent ! --update --hitcount 2 --name Q -j DROP");
	expect_str("first: one time, so ! --update matches and refreshes", "x", drops(rs, TCP10, 1, buf));
	expect_str("then three times: no match", ".", drops(rs, TCP10, 1, buf));
	minifw_recent_retire(NULL);
	minifw_ruleset_put(rs);
	rs = build_recent("-A FORWARD -p tcp -m recent --set --name T\n"
			  "-A FORWARD -p udp -m recent --rcheck --rttl --name T -j DROP");
	drops(rs, TCP10 " ttl=50", 1, buf);
	expect_str("--rttl: the same TTL (forwarded: one more)", "x",
		   drops(rs, "udp 10.1.1.1:1 > 192.0.2.1:2 ttl=50", 1, buf));
	expect_str("--rttl: another TTL", ".", drops(rs, "udp 10.1.1.1:1 > 192.0.2.1:2 ttl=49", 1, buf));
	minifw_recent_retire(NULL);
	minifw_ruleset_put(rs);
	/* --reap drops the entries of the bucket not seen within --seconds */
	minifw_recent_list_tot = 8;	/* one bucket */
	rs = build_recent("-A FORWARD -p tcp -m recent --set --name R\n"
			  "-A FORWARD -p udp -m recent --rcheck --seconds 10 --reap --name R -j DROP");
	drops(rs, TCP10, 1, buf);
	minifw_user_jiffies += 20 * HZ;
	drops(rs, "tcp 10.1.1.2:1 > 192.0.2.1:2", 1, buf);
	expect_str("checked, seen just now", "x", drops(rs, "udp 10.1.1.2:1 > 192.0.2.1:2", 1, buf));
	expect_int("reaped", 0, recent_has("R", "10.1.1.1"));
	expect_int("seen just now: kept", 1, recent_has("R", "10.1.1.2"));
	minifw_recent_retire(NULL);
	minifw_ruleset_put(rs);
	case_end();

	case_begin("recent", "a list holds recent_list_tot addresses: the least recently seen goes");
	rs = build_recent("-A FORWARD -m recent --set --name F");
	for (i = 1; i <= 9; i++) {
		snprintf(spec, sizeof(spec), "tcp 10.1.1.%d:1 > 192.0.2.1:2", i);
		drops(rs, spec, 1, buf);
		minifw_user_jiffies++;
		if (i == 8) {
			/* the first, seen again: not the least recent now */
			drops(rs, "tcp 10.1.1.1:1 > 192.0.2.1:2", 1, buf);
			minifw_user_jiffies++;
		}
	}
	expect_int("the first, seen again, kept", 1, recent_has("F", "10.1.1.1"));
	expect_int("the second went", 0, recent_has("F", "10.1.1.2"));
	expect_int("the ninth came", 1, recent_has("F", "10.1.1.9"));
	l = recent_list("F");
	a.ip = htonl(0x0a010102);
	expect_ret("\"+10.1.1.2\"", 0, minifw_recent_edit(l, '+', &a, MINIFW_FAM_IPV4));
	expect_int("added by hand", 1, recent_has("F", "10.1.1.2"));
	a.ip = htonl(0x0a0101fe);
	expect_ret("\"-10.1.1.254\": not there", -ENOENT, minifw_recent_edit(l, '-', &a, MINIFW_FAM_IPV4));
	expect_ret("\"/\"", 0, minifw_recent_edit(l, '/', &a, MINIFW_FAM_IPV4));
	expect_int("emptied", 0, recent_has("F", "10.1.1.1"));
	minifw_recent_retire(NULL);
	minifw_ruleset_put(rs);
	minifw_recent_list_tot = tot;
	case_end();

	case_begin("recent", "lists live while a rule names them: edits keep them, -F drops them");
	rs = build_recent("-A FORWARD -m recent --set --name K");
	drops(rs, TCP10, 1, buf);
	rs2 = edit(rs, "-I FORWARD -p udp -j DROP", &err);
	expect_ret("sync", 0, minifw_recent_sync(rs2, &err));
	minifw_recent_retire(rs2);
	expect_int("kept by an edit of another rule", 1, recent_has("K", "10.1.1.1"));
	minifw_ruleset_put(rs);
	rs = edit(rs2, "-A FORWARD -m recent --rcheck --hitcount 40 --name K", &err);
	expect_ret("sync", 0, minifw_recent_sync(rs, &err));
	minifw_recent_retire(rs);
	expect_int("made again for 64 times (xt_recent flushes it)", 0, recent_has("K", "10.1.1.1"));
	expect_int("64 times", 64, (int)recent_list("K")->stamps);
	minifw_ruleset_put(rs2);
	/* a sync that fails changes nothing, a list to make larger included */
	drops(rs, TCP10, 1, buf);
	rs2 = edit(rs, "-A FORWARD -m recent --rcheck --hitcount 100 --name K\n"
		   "-A FORWARD -m recent --set --name Z", &err);
	minifw_user_alloc_fail_after = 1;
	expect_ret("sync, the second list not made", -ENOMEM, minifw_recent_sync(rs2, &err));
	minifw_user_alloc_fail_after = -1;
	minifw_recent_retire(rs);
	expect_int("K as it was", 1, recent_has("K", "10.1.1.1"));
	expect_int("K's 64 times", 64, (int)recent_list("K")->stamps);
	expect_int("no Z", -1, recent_has("Z", "10.1.1.1"));
	minifw_ruleset_put(rs2);
	rs2 = edit(rs, "-F FORWARD", &err);
	minifw_recent_retire(rs2);
	expect_int("-F: gone", -1, recent_has("K", "10.1.1.1"));
	minifw_ruleset_put(rs2);
	minifw_ruleset_put(rs);
	case_end();
}

/* -m connlimit: connections counted by group, by user space's model of nf_conncount */
static void test_connlimit(void)
{
	struct minifw_ruleset *rs;
	char buf[64];

	case_begin("connlimit", "above 2 per source: a third connection is dropped");
	rs = build("-A FORWARD -p tcp -m connlimit --connlimit-above 2 -j DROP");
	expect_str("a first connection", ".", drops(rs, "tcp 10.1.1.1:1000 > 192.0.2.1:22", 1, buf));
	expect_str("a second", ".", drops(rs, "tcp 10.1.1.1:1001 > 192.0.2.1:22", 1, buf));
	expect_str("the first again", ".", drops(rs, "tcp 10.1.1.1:1000 > 192.0.2.1:22", 1, buf));
	expect_str("a third", "x", drops(rs, "tcp 10.1.1.1:1002 > 192.0.2.1:22", 1, buf));
	expect_str("another source", ".", drops(rs, "tcp 10.1.1.2:1000 > 192.0.2.1:22", 1, buf));
	minifw_ruleset_put(rs);
	case_end();

	case_begin("connlimit", "--connlimit-upto, --connlimit-mask and --connlimit-daddr");
	rs = build("-A FORWARD -p tcp -m connlimit --connlimit-upto 1 --connlimit-mask 24 -j DROP");
	expect_str("the first of the /24", "x", drops(rs, "tcp 10.1.1.1:1000 > 192.0.2.1:22", 1, buf));
	expect_str("a second of the /24", ".", drops(rs, "tcp 10.1.1.2:1000 > 192.0.2.1:22", 1, buf));
	minifw_ruleset_put(rs);
	rs = build("-A FORWARD -p tcp -m connlimit --connlimit-above 1 --connlimit-daddr -j DROP");
	expect_str("a source to a host", ".", drops(rs, "tcp 10.1.1.1:1000 > 192.0.2.1:22", 1, buf));
	expect_str("another to the same host", "x", drops(rs, "tcp 10.1.1.2:1000 > 192.0.2.1:22", 1, buf));
	expect_str("to another host", ".", drops(rs, "tcp 10.1.1.3:1000 > 192.0.2.9:22", 1, buf));
	minifw_ruleset_put(rs);
	case_end();
}

/* build() and make the tables of its -m hashlimit rules, as a commit does */
static struct minifw_ruleset *build_hashlimit(const char *script)
{
	struct minifw_ruleset *rs = build(script);
	struct minifw_err err = { 0 };

	expect_ret("minifw_ext_tables_sync()", 0, minifw_ext_tables_sync(rs, &err));
	minifw_ext_tables_retire(rs);
	return rs;
}

static struct minifw_hashlimit_table *hashlimit_table(const char *name)
{
	return minifw_hashlimit_find(name, minifw_hashlimit_hash(name));
}

/* -m hashlimit: a token bucket per flow, in tables a commit makes and drops. */
static void test_hashlimit(void)
{
	struct minifw_ruleset *rs, *rs2, *rs3;
	struct minifw_hashlimit_table *t;
	struct minifw_err err;
	char buf[64], spec[160];
	int i;

	case_begin("hashlimit", "2/sec, burst 3, per source: each source its burst, then the rate");
	rs = build_hashlimit("-A FORWARD -m hashlimit --hashlimit-upto 2/sec --hashlimit-burst 3 --hashlimit-mode srcip --hashlimit-name A -j ACCEPT\n"
			     "-P FORWARD DROP");
	expect_str("from 10.1.1.1", "...xx", drops(rs, TCP10, 5, buf));
	expect_str("from 10.1.1.2", "...x", drops(rs, "udp 10.1.1.2:53 > 192.0.2.1:53", 4, buf));
	minifw_user_jiffies += HZ;
	expect_str("a second later: two more", "..x", drops(rs, TCP10, 3, buf));
	minifw_user_jiffies += 10 * HZ;
	expect_str("ten seconds later: the burst, no more", "...x", drops(rs, TCP10, 4, buf));
	t = hashlimit_table("A");
	expect_int("a table A with two flows", 2, t ? atomic_read(&t->count) : -1);
	/* idle for its expiry (1 s for a rate a second): the collector frees both */
	minifw_user_jiffies += HZ;
	expect_int("garbage collected", 2, t ? (int)minifw_hashlimit_gc(t, false) : -1);
	expect_int("none left", 0, t ? atomic_read(&t->count) : -1);
	minifw_ext_tables_retire(NULL);
	expect_int("retired", 1, !hashlimit_table("A"));
	minifw_ruleset_put(rs);
	case_end();

	case_begin("hashlimit", "--hashlimit-above, \"!\", no mode (one bucket for all), masks and ports");
	rs = build_hashlimit("-A FORWARD -m hashlimit --hashlimit-above 1/min --hashlimit-burst 2 --hashlimit-name B -j DROP");
	expect_str("any source, one bucket", "..x", drops(rs, TCP10, 3, buf));
	expect_str("another source, the same bucket", "x", drops(rs, "tcp 10.9.9.9:1 > 192.0.2.1:22", 1, buf));
	minifw_ruleset_put(rs);
	rs = build_hashlimit("-A FORWARD -m hashlimit ! --hashlimit-above 1/min --hashlimit-burst 2 --hashlimit-name B2 -j DROP");
	expect_str("! --hashlimit-above: as --hashlimit-upto", "xx..", drops(rs, TCP10, 4, buf));
	minifw_ruleset_put(rs);
	rs = build_hashlimit("-A FORWARD -m hashlimit --hashlimit-above 1/min --hashlimit-burst 1 --hashlimit-mode srcip --hashlimit-srcmask 24 --hashlimit-name C -j DROP");
	expect_str("10.1.1.1", ".x", drops(rs, TCP10, 2, buf));
	expect_str("10.1.1.2: the same /24", "x", drops(rs, "tcp 10.1.1.2:1000 > 192.0.2.1:22", 1, buf));
	expect_str("10.1.2.1: another", ".x", drops(rs, "tcp 10.1.2.1:1000 > 192.0.2.1:22", 2, buf));
	expect_str("IPv6: its own flows", ".x", drops(rs, "tcp [2001:db8::1]:1000 > [2001:db8::2]:22", 2, buf));
	minifw_ruleset_put(rs);
	rs = build_hashlimit("-A FORWARD -m hashlimit --hashlimit-above 1/min --hashlimit-burst 1 --hashlimit-mode dstport --hashlimit-name D -j DROP");
	expect_str("to port 22", ".x", drops(rs, TCP10, 2, buf));
	expect_str("to port 23", ".x", drops(rs, "tcp 10.1.1.1:1000 > 192.0.2.1:23", 2, buf));
	expect_str("udp to port 23: the same key", "x", drops(rs, "udp 10.1.1.1:1000 > 192.0.2.1:23", 1, buf));
	expect_str("icmp: no ports", ".x", drops(rs, "icmp 10.1.1.1 > 192.0.2.1 type=8", 2, buf));
	minifw_ext_tables_retire(NULL);
	minifw_ruleset_put(rs);
	case_end();

	case_begin("hashlimit", "bytes: 1kb/s with a 2kb burst lets 27 packets of 100 bytes through, as xt_hashlimit's credits");
	rs = build_hashlimit("-A FORWARD -m hashlimit --hashlimit-upto 1kb/s --hashlimit-burst 2kb --hashlimit-name E -j ACCEPT\n-P FORWARD DROP");
	expect_str("30 packets", "...........................xxx", drops(rs, TCP10, 30, buf));
	minifw_ext_tables_retire(NULL);
	minifw_ruleset_put(rs);
	case_end();

	/* as xt_hashlimit, the most is at least --hashlimit-htable-size */
	case_begin("hashlimit", "--hashlimit-htable-max 2: a third flow's packets are dropped until one expires");
	rs = build_hashlimit("-A FORWARD -m hashlimit --hashlimit-upto 100/sec --hashlimit-mode srcip --hashlimit-htable-size 2 --hashlimit-htable-max 2 --hashlimit-name F -j ACCEPT");
	expect_str("a first source", ".", drops(rs, "tcp 10.1.1.1:1 > 192.0.2.1:22", 1, buf));
	expect_str("a second", ".", drops(rs, "tcp 10.1.1.2:1 > 192.0.2.1:22", 1, buf));
	expect_str("a third: dropped, even by an ACCEPT rule", "x", drops(rs, "tcp 10.1.1.3:1 > 192.0.2.1:22", 1, buf));
	minifw_user_jiffies += 2 * HZ;
	expect_str("after the expiry: its slot is taken", ".", drops(rs, "tcp 10.1.1.3:1 > 192.0.2.1:22", 1, buf));
	minifw_ext_tables_retire(NULL);
	minifw_ruleset_put(rs);
	case_end();

	case_begin("hashlimit", "--hashlimit-rate-match: matches while a flow goes at most the rate, limits nothing");
	rs = build_hashlimit("-A FORWARD -m hashlimit --hashlimit-above 2/sec --hashlimit-burst 1 --hashlimit-mode srcip --hashlimit-name G --hashlimit-rate-match -j DROP");
	/* the burst is 1 + the rate: 3 a second */
	expect_str("4 in the first second", "...x", drops(rs, TCP10, 4, buf));
	minifw_user_jiffies += HZ;
	expect_str("the last interval was over the rate", "xx", drops(rs, TCP10, 2, buf));
	minifw_user_jiffies += HZ;
	expect_str("and under it again", ".", drops(rs, TCP10, 1, buf));
	minifw_ext_tables_retire(NULL);
	minifw_ruleset_put(rs);
	case_end();

	case_begin("hashlimit", "a table lives while a rule names it: edits keep it, new settings make it anew");
	rs = build_hashlimit("-A FORWARD -m hashlimit --hashlimit-above 1/min --hashlimit-burst 2 --hashlimit-name H -j DROP");
	expect_str("before", "..x", drops(rs, TCP10, 3, buf));
	rs2 = edit(rs, "-I FORWARD -p udp -j DROP", &err);
	expect_ret("sync", 0, minifw_ext_tables_sync(rs2, &err));
	expect_str("an edit of another rule: still over", "x", drops(rs2, TCP10, 1, buf));
	minifw_ruleset_put(rs);
	rs = edit(rs2, "-I FORWARD -m hashlimit --hashlimit-above 1/min --hashlimit-burst 2 --hashlimit-name H -j DROP", &err);
	expect_ret("sync", 0, minifw_ext_tables_sync(rs, &err));
	expect_str("another rule with the same settings: the same table", "x", drops(rs, TCP10, 1, buf));
	minifw_ruleset_put(rs2);
	rs2 = edit(rs, "-F FORWARD\n-A FORWARD -m hashlimit --hashlimit-above 1/min --hashlimit-burst 3 --hashlimit-name H -j DROP", &err);
	expect_ret("sync", 0, minifw_ext_tables_sync(rs2, &err));
	expect_str("a rule with another burst: a new table", "...x", drops(rs2, TCP10, 4, buf));
	minifw_ruleset_put(rs);
	/* a write refused by -m recent (a 257th list) leaves the table as it was */
	rs = edit(rs2, "-I FORWARD -m hashlimit --hashlimit-above 1/min --hashlimit-burst 4 --hashlimit-name H -j DROP", &err);
	for (i = 0; i < 257; i++) {
		snprintf(spec, sizeof(spec), "-A FORWARD -m recent --rcheck --name r%d", i);
		rs3 = edit(rs, spec, &err);
		minifw_ruleset_put(rs);
		rs = rs3;
	}
	expect_int("refused", -EINVAL, minifw_ext_tables_sync(rs, &err));
	expect_int("why", 1, !!strstr(err.msg, "too many lists"));
	expect_int("no list made", 1, !recent_list("r0"));
	expect_str("the table of the live rules, as it was", "x", drops(rs2, TCP10, 1, buf));
	minifw_ruleset_put(rs);
	rs = edit(rs2, "-I FORWARD -m hashlimit --hashlimit-upto 1/min --hashlimit-name H --hashlimit-rate-match", &err);
	expect_int("rate-match in one rule of a table only: refused", -EINVAL,
		   minifw_ext_tables_sync(rs, &err));
	expect_int("why", 1, !!strstr(err.msg, "--hashlimit-rate-match in some of its rules, not all"));
	minifw_ruleset_put(rs);
	minifw_ext_tables_retire(NULL);
	minifw_ruleset_put(rs2);
	case_end();

	case_begin("hashlimit", "at most 256 tables");
	rs = build("-P FORWARD ACCEPT");
	for (i = 0; i < MINIFW_HASHLIMIT_TABLES_MAX + 1; i++) {
		snprintf(spec, sizeof(spec), "-A FORWARD -m hashlimit --hashlimit-upto 1/sec --hashlimit-name t%d --hashlimit-htable-max 8", i);
		rs2 = edit(rs, spec, &err);
		minifw_ruleset_put(rs);
		rs = rs2;
	}
	expect_int("the 257th refused", -EINVAL, minifw_ext_tables_sync(rs, &err));
	expect_int("why", 1, !!strstr(err.msg, "too many tables (at most 256)"));
	expect_int("and none made", 1, !hashlimit_table("t0"));
	minifw_ruleset_put(rs);
	case_end();
}

/* -m limit: the burst passes, then one packet per period, as xt_limit. */
static void test_limit(void)
{
	struct minifw_ruleset *rs;
	struct test_pkt t;
	int i, passed;
	char what[64];

	case_begin("limit", "burst 5 then 1/second (HZ 100 in user space)");
	rs = build("-A FORWARD -m limit --limit 1/sec -j ACCEPT\n-P FORWARD DROP");
	make_pkt(&t, PKT);
	for (i = 0, passed = 0; i < 20; i++)
		passed += minifw_chain_eval(rs, MINIFW_FORWARD, &t.p) == MINIFW_T_ACCEPT;
	expect_int("passed at once (the burst)", 5, passed);
	minifw_user_jiffies += HZ / 2;
	passed = minifw_chain_eval(rs, MINIFW_FORWARD, &t.p) == MINIFW_T_ACCEPT;
	expect_int("passed after half a period", 0, passed);
	minifw_user_jiffies += HZ / 2;
	for (i = 0, passed = 0; i < 5; i++)
		passed += minifw_chain_eval(rs, MINIFW_FORWARD, &t.p) == MINIFW_T_ACCEPT;
	expect_int("passed after a whole period", 1, passed);
	/* a long pause refills the bucket to the burst, no more */
	minifw_user_jiffies += 3600UL * 24 * 3 * HZ;
	for (i = 0, passed = 0; i < 20; i++)
		passed += minifw_chain_eval(rs, MINIFW_FORWARD, &t.p) == MINIFW_T_ACCEPT;
	expect_int("passed after three days", 5, passed);
	minifw_ruleset_put(rs);
	case_end();

	case_begin("limit", "a limit rule keeps its bucket when other rules change");
	rs = build("-A FORWARD -m limit --limit 2/min --limit-burst 3 -j ACCEPT\n-P FORWARD DROP");
	for (i = 0, passed = 0; i < 2; i++)
		passed += minifw_chain_eval(rs, MINIFW_FORWARD, &t.p) == MINIFW_T_ACCEPT;
	{
		struct minifw_err err;
		struct minifw_ruleset *rs2 = edit(rs, "-I FORWARD -p udp -j DROP", &err);

		for (i = 0; i < 5; i++)
			passed += minifw_chain_eval(rs2, MINIFW_FORWARD, &t.p) == MINIFW_T_ACCEPT;
		snprintf(what, sizeof(what), "passed over both versions");
		expect_int(what, 3, passed);
		minifw_ruleset_put(rs2);
	}
	minifw_ruleset_put(rs);
	case_end();
}

/*
 * IPv4 and IPv6 packets through one chain: each rule counts only its
 * family's packets (or both, if it has no address), and each verdict
 * carries the REJECT type of the rule that decided.
 */
static void test_families(void)
{
	static const struct {
		const char *pkt;
		unsigned int verdict;
	} pkts[] = {
		{ "tcp 10.1.1.1:1000 > 192.0.2.1:22 len=60", MINIFW_T_ACCEPT },
		{ "tcp [2001:db8::1]:1000 > [2001:db8::2]:22 len=80",
		  MINIFW_VERDICT(MINIFW_T_REJECT, MINIFW_REJ_ADMIN_PROHIB) },
		{ "udp 10.1.1.1:53 > 192.0.2.1:53 len=40",
		  MINIFW_VERDICT(MINIFW_T_REJECT, MINIFW_REJ_PORT_UNREACH) },
		{ "udp [2001:db8::1]:53 > [2001:db8::2]:53 len=120", MINIFW_T_DROP },
		{ "icmpv6 [2001:db9::1] > [2001:db9::2] len=48", MINIFW_T_ACCEPT },
		{ "icmp 11.1.1.1 > 192.0.2.9 len=84", MINIFW_T_ACCEPT },
		{ "udp [2001:db9::1]:1 > [2001:db9::2]:5000 len=70",
		  MINIFW_VERDICT(MINIFW_T_REJECT, MINIFW_REJ_PORT_UNREACH) },
	};
	const char *rules =
		"-A FORWARD -s 10.0.0.0/8\n"
		"-A FORWARD -s 2001:db8::/32\n"
		"-A FORWARD -p tcp\n"
		"-A FORWARD -4\n"
		"-A FORWARD -6 -p udp --dport 53 -j DROP\n"
		"-A FORWARD -p udp -j REJECT\n"
		"-A FORWARD -d 2001:db8::/32 -j REJECT --reject-with icmp6-adm-prohibited\n";
	struct minifw_ruleset *rs;
	char *l;
	size_t k;

	case_begin("families", "IPv4 and IPv6 packets through rules of either family and both");
	rs = build(rules);
	for (k = 0; k < ARRAY_SIZE(pkts); k++) {
		char what[96];

		snprintf(what, sizeof(what), "verdict for packet %zu", k + 1);
		expect_int(what, pkts[k].verdict, eval(rs, MINIFW_FORWARD, pkts[k].pkt));
	}
	/*
	 * 1: IPv4 60+40; 2: IPv6 80+120; 3: TCP of both, 60+80; 4: IPv4
	 * 60+40+84; 5: IPv6 DNS 120; 6: the UDP that got there, IPv4's 40
	 * and IPv6's 70; 7: the IPv6 TCP 80; policy: 60, 48 and 84
	 */
	expect_str("counters", "2:100 2:200 2:140 3:184 1:120 2:110 1:80 | 3:192",
		   counts(rs, MINIFW_FORWARD));
	l = listing(rs, false);
	expect_str("listing",
		   "-A FORWARD -s 10.0.0.0/8\n"
		   "-A FORWARD -s 2001:db8::/32\n"
		   "-A FORWARD -p tcp\n"
		   "-A FORWARD -4\n"
		   "-A FORWARD -6 -p udp -m udp --dport 53 -j DROP\n"
		   "-A FORWARD -p udp -j REJECT\n"
		   "-A FORWARD -d 2001:db8::/32 -j REJECT --reject-with icmp6-adm-prohibited\n", l);
	free(l);
	minifw_ruleset_put(rs);
	case_end();

	/*
	 * The walk tests addresses before the family: a negated IPv4 prefix
	 * an IPv6 packet "passes" (its first word is not in 192.0.2.0/24)
	 * must still not match it, nor an IPv6 prefix an IPv4 packet.
	 */
	case_begin("families", "a rule of the other family whose addresses would pass");
	rs = build("-A INPUT ! -s 192.0.2.0/24 -j DROP\n-A INPUT ! -d 2001:db8::/32 -j DROP");
	expect_int("IPv6 packet", MINIFW_T_ACCEPT,
		   eval(rs, MINIFW_INPUT, "udp [2001:db8::1]:1 > [2001:db8::2]:2 len=50"));
	expect_int("IPv4 packet", MINIFW_T_ACCEPT,
		   eval(rs, MINIFW_INPUT, "udp 192.0.2.7:1 > 198.51.100.1:2 len=50"));
	expect_str("counters", "0:0 0:0 | 2:100", counts(rs, MINIFW_INPUT));
	minifw_ruleset_put(rs);
	case_end();

	case_begin("families", "minifw_ruleset_has_ctstate()");
	rs = build("-A INPUT -s 2001:db8::/32 -j ACCEPT\n-A OUTPUT -p tcp --dport 22");
	expect_bool("without state rules", false, minifw_ruleset_has_ctstate(rs));
	minifw_ruleset_put(rs);
	rs = build("-A INPUT -p tcp\n-A OUTPUT -m state ! --state INVALID -j ACCEPT");
	expect_bool("with -m state in OUTPUT", true, minifw_ruleset_has_ctstate(rs));
	{
		struct minifw_err err;
		struct minifw_ruleset *rs2 = edit(rs, "-D OUTPUT 1", &err);

		if (!IS_ERR(rs2)) {
			expect_bool("after deleting it", false, minifw_ruleset_has_ctstate(rs2));
			minifw_ruleset_put(rs2);
		} else {
			case_fail("-D OUTPUT 1", "no error", err.msg, true);
		}
	}
	minifw_ruleset_put(rs);
	rs = build("-A POSTROUTING -m conntrack --ctstate NEW");
	expect_bool("with -m conntrack in POSTROUTING", true, minifw_ruleset_has_ctstate(rs));
	minifw_ruleset_put(rs);
	rs = build("-N c\n-A c -m conntrack --ctdir REPLY");
	expect_bool("with -m conntrack and no state, in a user chain", true,
		    minifw_ruleset_has_ctstate(rs));
	minifw_ruleset_put(rs);
	case_end();
}

static void flip_bit(u8 *a, unsigned int bit)
{
	a[bit / 8] ^= (u8)(0x80 >> (bit % 8));
}

/* "-A FORWARD <opts> -j DROP", one packet: DROP or ACCEPT */
static const char *verdict_of(const char *opts, const char *pkt)
{
	static char v[16];
	struct minifw_ruleset *rs;
	char line[256];

	snprintf(line, sizeof(line), "-A FORWARD %s -j DROP", opts);
	rs = build(line);
	snprintf(v, sizeof(v), "%s", eval_name(rs, MINIFW_FORWARD, pkt));
	minifw_ruleset_put(rs);
	return v;
}

/*
 * IPv6 prefixes at and around every word boundary: the last bit of the
 * prefix counts, the first host bit does not; the listing masks host bits
 * exactly as computed here and prints as glibc's inet_ntop().
 */
static void test_prefixes(void)
{
	static const unsigned int lens[] = {
		0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65,
		95, 96, 97, 111, 112, 120, 126, 127, 128,
	};
	static const u8 base[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0xa5, 0x5a, 0x0f, 0xf0,
		0x12, 0x34, 0x00, 0x01, 0xff, 0xfe, 0x80, 0x01,
	};
	size_t k;
	int dir;

	for (k = 0; k < ARRAY_SIZE(lens); k++) {
		for (dir = 0; dir < 2; dir++) {
			unsigned int len = lens[k], i;
			const char *opt = dir ? "-d" : "-s";
			char a[INET6_ADDRSTRLEN], net[INET6_ADDRSTRLEN], pkt[160], opts[128];
			char want[128], line[160], text[MINIFW_RULE_TEXT_MAX];
			struct minifw_cmd cmd;
			struct minifw_err err;
			u8 m[16], f[16];

			inet_ntop(AF_INET6, base, a, sizeof(a));
			case_beginf("prefixes", "%s %s/%u", opt, a, len);
			/* the listing: host bits cleared, as computed bit by bit here */
			memcpy(m, base, sizeof(m));
			for (i = len; i < 128; i++)
				m[i / 8] &= (u8)~(0x80 >> (i % 8));
			inet_ntop(AF_INET6, m, net, sizeof(net));
			if (len)
				snprintf(want, sizeof(want), "%s %s/%u", opt, net, len);
			else
				snprintf(want, sizeof(want), "-6");
			snprintf(line, sizeof(line), "-A FORWARD %s %s/%u", opt, a, len);
			if (expect_ret("parse", 0, parse(line, &cmd, &err))) {
				format_cmd(&cmd, text, sizeof(text));
				expect_str("printed", want, text);
			}
			/* the packet has base for this address, another for the other */
			snprintf(pkt, sizeof(pkt), dir ? "tcp [2001:db8::99]:1 > [%s]:2" : "tcp [%s]:1 > [2001:db8::99]:2", a);
			snprintf(opts, sizeof(opts), "%s %s/%u", opt, a, len);
			expect_str("the address itself", "DROP", verdict_of(opts, pkt));
			snprintf(opts, sizeof(opts), "! %s %s/%u", opt, a, len);
			expect_str("the address itself, negated", "ACCEPT", verdict_of(opts, pkt));
			if (len) {
				/* the prefix's last bit and its first differ: no match */
				memcpy(f, base, sizeof(f));
				flip_bit(f, len - 1);
				inet_ntop(AF_INET6, f, net, sizeof(net));
				snprintf(opts, sizeof(opts), "%s %s/%u", opt, net, len);
				expect_str("last prefix bit flipped", "ACCEPT", verdict_of(opts, pkt));
				snprintf(opts, sizeof(opts), "! %s %s/%u", opt, net, len);
				expect_str("last prefix bit flipped, negated", "DROP", verdict_of(opts, pkt));
				memcpy(f, base, sizeof(f));
				flip_bit(f, 0);
				inet_ntop(AF_INET6, f, net, sizeof(net));
				snprintf(opts, sizeof(opts), "%s %s/%u", opt, net, len);
				expect_str("first bit flipped", "ACCEPT", verdict_of(opts, pkt));
			}
			if (len < 128) {
				/* host bits, the first and the last, do not count */
				memcpy(f, base, sizeof(f));
				flip_bit(f, len);
				inet_ntop(AF_INET6, f, net, sizeof(net));
				snprintf(opts, sizeof(opts), "%s %s/%u", opt, net, len);
				expect_str("first host bit flipped", "DROP", verdict_of(opts, pkt));
				snprintf(opts, sizeof(opts), "! %s %s/%u", opt, net, len);
				expect_str("first host bit flipped, negated", "ACCEPT", verdict_of(opts, pkt));
				memcpy(f, base, sizeof(f));
				flip_bit(f, 127);
				inet_ntop(AF_INET6, f, net, sizeof(net));
				snprintf(opts, sizeof(opts), "%s %s/%u", opt, net, len);
				expect_str("last bit flipped", "DROP", verdict_of(opts, pkt));
			}
			/* an IPv4 packet never matches, negated or not */
			snprintf(opts, sizeof(opts), "! %s %s/%u", opt, a, len);
			expect_str("an IPv4 packet, negated rule", "ACCEPT",
				   verdict_of(opts, "tcp 10.1.2.3:1 > 192.0.2.7:2"));
			case_end();
		}
	}
}

/* xorshift64: the same "random" addresses on every run */
static u64 rnd_state = 0x9e3779b97f4a7c15ULL;

static u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (u32)(rnd_state >> 11);
}

/*
 * Many IPv6 addresses, mostly zero groups (so runs of every length and
 * place, ties, the IPv4-mapped and -compatible forms), written compressed
 * (inet_ntop()), in full and in full upper case with leading zeros, each
 * with a prefix length: minifw_parse_addr() gives the address masked
 * and the mask, and the listing prints what glibc's inet_ntop() prints for
 * the masked address (as ip6tables-save does).
 */
static void test_ip6_text(void)
{
	unsigned int n, bad = 0;

	case_begin("ip6 text", "20000 addresses against glibc's inet_pton() and inet_ntop()");
	for (n = 0; n < 20000 && bad < 5; n++) {
		u8 a[16], m[16], k[16];
		char forms[3][64], want[96], line[160], text[MINIFW_RULE_TEXT_MAX], what[200];
		unsigned int len, i, form;

		for (i = 0; i < 8; i++) {
			u32 r = rnd();
			u16 g = r % 3 ? 0 : (r >> 8) % 4 == 0 ? 0xffff : (u16)(r >> 12);

			a[2 * i] = (u8)(g >> 8);
			a[2 * i + 1] = (u8)g;
		}
		if (rnd() % 8 == 0) {
			/* ::ffff:a.b.c.d or ::a.b.c.d */
			memset(a, 0, 10);
			a[10] = a[11] = rnd() % 2 ? 0xff : 0;
		}
		len = rnd() % 2 ? 128 : rnd() % 129;
		memset(k, 0, sizeof(k));
		for (i = 0; i < len; i++)
			k[i / 8] |= (u8)(0x80 >> (i % 8));
		for (i = 0; i < 16; i++)
			m[i] = a[i] & k[i];
		inet_ntop(AF_INET6, a, forms[0], sizeof(forms[0]));
		snprintf(forms[1], sizeof(forms[1]), "%x:%x:%x:%x:%x:%x:%x:%x",
			 a[0] << 8 | a[1], a[2] << 8 | a[3], a[4] << 8 | a[5], a[6] << 8 | a[7],
			 a[8] << 8 | a[9], a[10] << 8 | a[11], a[12] << 8 | a[13], a[14] << 8 | a[15]);
		snprintf(forms[2], sizeof(forms[2]), "%04X:%04X:%04X:%04X:%04X:%04X:%04X:%04X",
			 a[0] << 8 | a[1], a[2] << 8 | a[3], a[4] << 8 | a[5], a[6] << 8 | a[7],
			 a[8] << 8 | a[9], a[10] << 8 | a[11], a[12] << 8 | a[13], a[14] << 8 | a[15]);
		if (len) {
			char net[INET6_ADDRSTRLEN];

			inet_ntop(AF_INET6, m, net, sizeof(net));
			snprintf(want, sizeof(want), "-s %s/%u", net, len);
		} else {
			snprintf(want, sizeof(want), "-6");
		}
		for (form = 0; form < 3; form++) {
			union minifw_addr addr, mask;
			struct minifw_cmd cmd;
			struct minifw_err err = { 0 };
			u8 fam = 0;
			bool ok;

			snprintf(line, sizeof(line), "%s/%u", forms[form], len);
			ok = minifw_parse_addr(line, &addr, &mask, &fam, &err) == 0 &&
			     fam == MINIFW_FAM_IPV6 && !memcmp(addr.ip6, m, 16) && !memcmp(mask.ip6, k, 16);
			snprintf(line, sizeof(line), "-A INPUT -s %s/%u", forms[form], len);
			if (parse(line, &cmd, &err)) {
				ok = false;
				snprintf(text, sizeof(text), "refused: %s", err.msg);
			} else {
				format_cmd(&cmd, text, sizeof(text));
			}
			if (!ok || strcmp(text, want)) {
				snprintf(what, sizeof(what), "%s: address, mask and listing", line);
				case_fail(what, want, text, true);
				bad++;
			}
		}
	}
	case_end();
}

#define QUOTES255 "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\""
#define NAME199 "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
#define RECENT4 "-m recent ! --rcheck --seconds 4294967295 --reap --hitcount 255 --rttl " \
	"--name " NAME199 " --mask 255.255.255.255 --rdest "
#define RECENT6 "-m recent ! --rcheck --seconds 4294967295 --reap --hitcount 255 --rttl " \
	"--name " NAME199 " --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rdest "
#define TIME_LONG "-m time --timestart 23:59:58 --timestop 23:59:57 --monthdays " \
	"2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31 " \
	"--weekdays Mon,Tue,Wed,Thu,Fri,Sat --datestart 2038-01-19T03:14:06 " \
	"--datestop 2038-01-19T03:14:07 --kerneltz --contiguous "
#define SET31 "ssssssssssssssssssssssssssssss"	/* and a family: 31 bytes */
#define SETM(fam) "-m set ! --match-set " SET31 fam " src,src,src,src,src,src --return-nomatch " \
	"! --update-counters ! --update-subcounters ! --packets-eq 18446744073709551615 " \
	"! --bytes-eq 18446744073709551615 "
#define QUOTES63 QUOTES29 QUOTES29 "\"\"\"\"\""
#define NFLOG63 "-j NFLOG --nflog-prefix '" QUOTES63 "' --nflog-group 65535 --nflog-size 4294967295 " \
	"--nflog-threshold 65535"
#define QUOTES29 "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\""

/*
 * A rule as long as it gets lists within MINIFW_RULE_TEXT_MAX, @listed
 * bytes (the arithmetic in include/rules.h), and reads back.
 */
static void check_long_rule(const char *what, const char *line, size_t listed)
{
	char text[MINIFW_RULE_TEXT_MAX], back[MINIFW_LINE_MAX + 1], buf[MINIFW_LINE_MAX + 1];
	char again[MINIFW_RULE_TEXT_MAX], chain[16] = "";
	struct minifw_cmd cmd, cmd2;
	struct minifw_err err;

	sscanf(line, "-A %15s", chain);

	case_begin("listing", what);
	expect_int("the input fits a line", 1, strlen(line) <= MINIFW_LINE_MAX);
	snprintf(buf, sizeof(buf), "%s", line);
	if (expect_ret("parse", 0, minifw_parse_line(buf, &cmd, &err))) {
		format_cmd(&cmd, text, sizeof(text));
		expect_int("listed within MINIFW_RULE_TEXT_MAX", 1, strlen(text) < sizeof(text) - 1);
		expect_int("listed length", (long long)listed, (long long)strlen(text));
		expect_int("listed in full (ends as the line does)", 1,
			   strlen(text) > 20 && !strcmp(text + strlen(text) - 20, line + strlen(line) - 20));
		snprintf(back, sizeof(back), "-A %s %s", chain, text);
		if (expect_ret("parse the listing", 0, minifw_parse_line(back, &cmd2, &err))) {
			format_cmd(&cmd2, again, sizeof(again));
			expect_str("listed again", text, again);
			expect_int("same struct minifw_match", 0, memcmp(&cmd.m, &cmd2.m, sizeof(cmd.m)));
			minifw_cmd_free(&cmd2);
		}
		minifw_cmd_free(&cmd);
	}
	case_end();
}

static void test_longest_rule(void)
{
	check_long_rule("the longest rule",
		"-A FORWARD ! -s 100.100.100.100/255.0.255.0 ! -d 100.100.100.100/255.0.255.0 "
		"! -i abcdefghijklmno ! -o abcdefghijklmno -p tcp ! --sport 10000:20000 "
		"! --dport 10000:20000 ! --tcp-flags ALL ALL -m multiport ! --sports "
		"10000:10001,10002:10003,10004:10005,10006:10007,10008:10009,10010:10011,"
		"10012:10013,10014 " TIME_LONG "-m comment --comment '" QUOTES255 "' "
		RECENT4
		"-m conntrack ! --ctstate untracked,established,related,new,invalid,snat,dnat "
		"! --ctproto 255 ! --ctorigsrc 100.100.100.100/31 ! --ctorigdst 100.100.100.100/31 "
		"! --ctreplsrc 100.100.100.100/31 ! --ctrepldst 100.100.100.100/31 "
		"! --ctorigsrcport 10000:20000 ! --ctorigdstport 10000:20000 "
		"! --ctreplsrcport 10000:20000 ! --ctrepldstport 10000:20000 "
		"! --ctstatus expected,seen_reply,assured,confirmed "
		"! --ctexpire 1000000000:4000000000 --ctdir ORIGINAL "
		SETM("4")
		"-m addrtype ! --src-type unspec,unicast,local,broadcast,anycast,multicast,blackhole,"
		"unreachable,prohibit,throw,nat,xresolve ! --dst-type unspec,unicast,local,broadcast,"
		"anycast,multicast,blackhole,unreachable,prohibit,throw,nat,xresolve --limit-iface-out "
		NFLOG63, 2571);
	/*
	 * IPv6: the longest addresses, no -m iprange, IPv6's address types;
	 * in OUTPUT, which has no -i but -m owner; the longest eight matches
	 * (MINIFW_MATCH_MAX), so not -m rt
	 */
	check_long_rule("the longest IPv6 rule",
		"-A OUTPUT ! -s ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
		"! -d ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128 "
		"! -o abcdefghijklmno -p tcp ! --sport 10000:20000 "
		"! --dport 10000:20000 ! --tcp-flags ALL ALL -m multiport ! --sports "
		"10000:10001,10002:10003,10004:10005,10006:10007,10008:10009,10010:10011,"
		"10012:10013,10014 -m comment --comment '" QUOTES255 "' "
		TIME_LONG
		"-m conntrack ! --ctstate untracked,established,related,new,invalid,snat,dnat "
		"! --ctproto 255 ! --ctorigsrc ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127 "
		"! --ctorigdst ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127 "
		"! --ctreplsrc ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127 "
		"! --ctrepldst ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127 "
		"! --ctorigsrcport 10000:20000 ! --ctorigdstport 10000:20000 "
		"! --ctreplsrcport 10000:20000 ! --ctrepldstport 10000:20000 "
		"! --ctstatus expected,seen_reply,assured,confirmed "
		"! --ctexpire 1000000000:4000000000 --ctdir ORIGINAL "
		SETM("6")
		"-m addrtype ! --src-type unspec,unicast,local,anycast,multicast,unreachable "
		"! --dst-type unspec,unicast,local,anycast,multicast,unreachable --limit-iface-out "
		RECENT6
		NFLOG63, 2618);
	/*
	 * The most words: the matches with most options, in OUTPUT for
	 * -m owner (no -i there): 148 words listed, 150 with "-A OUTPUT".
	 */
	check_long_rule("the rule with the most words",
		"-A OUTPUT ! -s ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
		"! -d ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128 "
		"! -o abcdefghijklmno -p tcp ! --sport 10000:20000 "
		"! --dport 10000:20000 ! --tcp-flags ALL ALL "
		RECENT6
		"-m conntrack ! --ctstate untracked,established,related,new,invalid,snat,dnat "
		"! --ctproto 255 ! --ctorigsrc ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127 "
		"! --ctorigdst ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127 "
		"! --ctreplsrc ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127 "
		"! --ctrepldst ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127 "
		"! --ctorigsrcport 10000:20000 ! --ctorigdstport 10000:20000 "
		"! --ctreplsrcport 10000:20000 ! --ctrepldstport 10000:20000 "
		"! --ctstatus expected,seen_reply,assured,confirmed "
		"! --ctexpire 1000000000:4000000000 --ctdir ORIGINAL "
		"-m frag ! --fragid 1000000000:4000000000 ! --fraglen 4294967295 --fragres --fragfirst "
		"--fraglast "
		SETM("6")
		"-m owner ! --socket-exists ! --uid-owner 1000000000-4000000000 "
		"! --gid-owner 1000000000-4000000000 --suppl-groups "
		"-m addrtype ! --src-type unspec,unicast,local,anycast,multicast,unreachable "
		"! --dst-type unspec,unicast,local,anycast,multicast,unreachable --limit-iface-out "
		"-m rt --rt-type 0 ! --rt-segsleft 1000000000:4000000000 ! --rt-len 4294967295 "
		"--rt-0-res "
		"-j LOG --log-prefix '" QUOTES29 "' "
		"--log-level 7 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid "
		"--log-macdecode", 1959);
}

/* ---------------------------------------------------------------------- */
/* 6. The writer                                                           */

/*
 * What minifw.c does with the writer's transactions, on a plain pointer:
 * commands are applied to a copy of the live ruleset, which replaces it on
 * success; a restore block inherits the policies it does not set and
 * replaces the live ruleset.
 */
struct harness {
	struct minifw_ruleset *live;
};

static int h_commit_cmds(void *ctx, const struct minifw_cmd *cmds, u32 n,
			 struct minifw_err *err)
{
	struct harness *h = ctx;
	struct minifw_ruleset *rs = minifw_ruleset_edit(h->live, cmds, n, err);
	int ret;

	if (IS_ERR(rs))
		return (int)PTR_ERR(rs);
	/* and, as minifw.c's minifw_prepare(), -m recent's lists */
	ret = minifw_ruleset_compile(rs, err) ?: minifw_recent_sync(rs, err);
	if (ret) {
		minifw_recent_retire(h->live);
		minifw_ruleset_put(rs);
		return ret;
	}
	minifw_ruleset_put(h->live);
	h->live = rs;
	minifw_recent_retire(h->live);
	return 0;
}

static int h_commit_block(void *ctx, struct minifw_ruleset *rs, struct minifw_err *err)
{
	struct harness *h = ctx;
	int ret;

	minifw_ruleset_inherit_policies(rs, h->live);
	/* and, as minifw.c's minifw_prepare(), -m recent's lists */
	ret = minifw_ruleset_compile(rs, err) ?: minifw_recent_sync(rs, err);
	if (ret) {
		minifw_recent_retire(h->live);
		minifw_ruleset_put(rs);
		return ret;
	}
	minifw_ruleset_put(h->live);
	h->live = rs;
	minifw_recent_retire(h->live);
	return 0;
}

static const struct minifw_writer_ops h_ops = {
	.commit_cmds = h_commit_cmds,
	.commit_block = h_commit_block,
};

/* One write() as proc.c does it: feed it all, then end_write. */
static int do_write(struct minifw_writer *w, const char *s, size_t len)
{
	minifw_writer_feed(w, s, len);
	return minifw_writer_end_write(w);
}

static int write_str(struct minifw_writer *w, const char *s)
{
	return do_write(w, s, strlen(s));
}

/*
 * The live ruleset is built from live; then each of writes[] is written to
 * one open file, in turn, and must return ret[]. After them the live
 * file is closed: minifw_writer_release() must return close_ret, and then
 * the live ruleset lists as after. If errmsg is set, the writer's err (of
 * the last failing call) has err.line = errline and err.msg contains errmsg.
 */
static const struct writer_case {
	const char *name, *live;
	const char *writes[4];
	int ret[4];
	const char *after, *errmsg;
	u32 errline;
	int close_ret;
} writer_cases[] = {
	/* outside a block: one write is one transaction */
	{ .name = "several lines in one write all apply", .live = "",
	  .writes = { "-A INPUT -s 10.0.0.0/8 -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-P INPUT DROP\n" },
	  .after = "-P INPUT DROP\n-A INPUT -s 10.0.0.0/8 -j DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n" },
	{ .name = "one bad line: nothing of the write applies", .live = "-A INPUT -p 201",
	  .writes = { "-A INPUT -p 202\n-A INPUT --dprot 22\n-A INPUT -p 203\n" }, .ret = { -EINVAL },
	  .after = "-A INPUT -p 201\n", .errmsg = "\"--dprot\"", .errline = 2 },
	{ .name = "bad first line", .live = "",
	  .writes = { "-A INPUT -j REJCT\n-A INPUT -p 202\n" }, .ret = { -EINVAL },
	  .after = "", .errmsg = "\"REJCT\"", .errline = 1 },
	{ .name = "a bad last line without newline fails at close, alone", .live = "",
	  .writes = { "-A INPUT -p 202\n-A INPUT -j REJCT" }, .close_ret = -EINVAL,
	  .after = "-A INPUT -p 202\n", .errmsg = "\"REJCT\"", .errline = 2 },
	{ .name = "a line cut between two writes is one line", .live = BASE,
	  .writes = { "-D INPUT 1", "0\n" }, .ret = { 0, -EINVAL },
	  .after = BASE, .errmsg = "no rule 10", .errline = 1 },
	{ .name = "a line cut between two writes applies whole", .live = "",
	  .writes = { "-A INPUT -s 10.0.0.0/8", " -j DROP\n-A INPUT -p 201\n" },
	  .after = "-A INPUT -s 10.0.0.0/8 -j DROP\n-A INPUT -p 201\n" },
	{ .name = "a command that fails when applied: err.line is its line", .live = BASE,
	  .writes = { "-A INPUT -p 204\n-D INPUT 9\n-A INPUT -p 205\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "no rule 9", .errline = 2 },
	{ .name = "-D of a rule that does not exist: err.line is its line", .live = BASE,
	  .writes = { "-D INPUT -p 209\n-A INPUT -p 204\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "no such rule", .errline = 1 },
	{ .name = "lines are counted over all writes", .live = "",
	  .writes = { "-A INPUT -p 201\n-A INPUT -p 202\n", "\n# comment\n-A INPUT -p\n" },
	  .ret = { 0, -EINVAL },
	  .after = "-A INPUT -p 201\n-A INPUT -p 202\n", .errmsg = "-p needs an argument", .errline = 5 },
	{ .name = "a failed write outside a block does not stop the next", .live = "",
	  .writes = { "-A INPUT -j BOGUS\n", "-A INPUT -p 201\n" }, .ret = { -EINVAL, 0 },
	  .after = "-A INPUT -p 201\n" },
	{ .name = "each write is its own transaction", .live = "",
	  .writes = { "-A INPUT -p 201\n", "-A INPUT -p 202\n-A INPUT -p\n" }, .ret = { 0, -EINVAL },
	  .after = "-A INPUT -p 201\n", .errline = 3, .errmsg = "-p needs" },
	{ .name = "blank lines and comments are ignored", .live = "",
	  .writes = { "\n\n   \n# comment\n\t# indented comment\n-A INPUT -p 201\n\r\n\n" },
	  .after = "-A INPUT -p 201\n" },
	{ .name = "only comments", .live = BASE, .writes = { "# nothing\n#\n" }, .after = BASE },
	{ .name = "an empty write", .live = BASE, .writes = { "" }, .after = BASE },
	{ .name = "the last line without newline applies at close", .live = "",
	  .writes = { "-A INPUT -p 201\n-A INPUT -p 202" },
	  .after = "-A INPUT -p 201\n-A INPUT -p 202\n" },
	{ .name = "a single line without newline applies at close", .live = "",
	  .writes = { "-P INPUT DROP" }, .after = "-P INPUT DROP\n" },
	{ .name = "CRLF line endings", .live = "",
	  .writes = { "-A INPUT -p 201\r\n-P INPUT DROP\r\n" }, .after = "-P INPUT DROP\n-A INPUT -p 201\n" },
	/* restore blocks */
	{ .name = "a block replaces the whole ruleset", .live = BASE "-A OUTPUT -p 201",
	  .writes = { "*filter\n:INPUT DROP [12:345]\n-A INPUT -p 209\nCOMMIT\n" },
	  .after = "-P INPUT DROP\n-A INPUT -p 209\n" },
	{ .name = "chains without a ':' line keep the live policy",
	  .live = "-P INPUT DROP\n-P FORWARD DROP\n-A INPUT -p 201",
	  .writes = { "*filter\n:FORWARD ACCEPT [0:0]\n:OUTPUT DROP [0:0]\nCOMMIT\n" },
	  .after = "-P INPUT DROP\n-P OUTPUT DROP\n" },
	{ .name = "an empty block empties the ruleset", .live = "-P INPUT DROP\n" BASE,
	  .writes = { "*filter\nCOMMIT\n" }, .after = "-P INPUT DROP\n" },
	{ .name = "a block over several writes", .live = BASE,
	  .writes = { "*filter\n-A INPUT -p 211\n", "-A INPUT -p 212\n", "COMMIT\n" },
	  .after = "-A INPUT -p 211\n-A INPUT -p 212\n" },
	{ .name = "a block with lines split across writes", .live = BASE,
	  .writes = { "*filter\n-A INPUT -p 2", "11\n-A INPUT", " -p 212\nCOMM", "IT\n" },
	  .after = "-A INPUT -p 211\n-A INPUT -p 212\n" },
	{ .name = "every command works in a block", .live = BASE,
	  .writes = { "*filter\n-A INPUT -p 201\n-A INPUT -p 202\n-I INPUT 1 -p 200\n-D INPUT -p 201\n"
		      "-R INPUT 2 -p 203\n-P OUTPUT DROP\n-A FORWARD -p 201\n-F FORWARD\n-Z\nCOMMIT\n" },
	  .after = "-P OUTPUT DROP\n-A INPUT -p 200\n-A INPUT -p 203\n" },
	{ .name = "lines after COMMIT in the same write", .live = "",
	  .writes = { "*filter\n-A INPUT -p 201\nCOMMIT\n-A INPUT -p 202\n" },
	  .after = "-A INPUT -p 201\n-A INPUT -p 202\n" },
	{ .name = "lines before *filter in the same write apply first", .live = "",
	  .writes = { "-P INPUT DROP\n-A INPUT -p 201\n*filter\n-A OUTPUT -p 202\nCOMMIT\n" },
	  .after = "-P INPUT DROP\n-A OUTPUT -p 202\n" },
	{ .name = "two blocks in one write", .live = "",
	  .writes = { "*filter\n-A INPUT -p 201\nCOMMIT\n*filter\n-A INPUT -p 202\nCOMMIT\n" },
	  .after = "-A INPUT -p 202\n" },
	{ .name = "spaces around *filter and COMMIT", .live = "",
	  .writes = { "  *filter \t\n\t:INPUT DROP [0:0]  \n COMMIT \n" }, .after = "-P INPUT DROP\n" },
	{ .name = "CRLF in a block", .live = BASE,
	  .writes = { "*filter\r\n:INPUT DROP [0:0]\r\n-A INPUT -p 201\r\nCOMMIT\r\n" },
	  .after = "-P INPUT DROP\n-A INPUT -p 201\n" },
	{ .name = "':CHAIN POLICY' without counters", .live = "",
	  .writes = { "*filter\n:INPUT DROP\nCOMMIT\n" }, .after = "-P INPUT DROP\n" },
	/* a block that fails applies nothing and poisons the file */
	/* a refused write on a poisoned file names its own first line */
	{ .name = "a bad line aborts the block; later writes are refused", .live = BASE,
	  .writes = { "*filter\n-A INPUT -p 209\n-A INPUT -j BOGUS\nCOMMIT\n", "-A INPUT -p 204\n" },
	  .ret = { -EINVAL, -EINVAL }, .after = BASE, .errmsg = "earlier line", .errline = 5 },
	{ .name = "a bad line in a block spread over writes", .live = BASE,
	  .writes = { "*filter\n-A INPUT -p 209\n", "-A INPUT --bogus\n", "COMMIT\n" },
	  .ret = { 0, -EINVAL, -EINVAL }, .after = BASE, .errmsg = "earlier line", .errline = 4 },
	{ .name = "the error of the bad line in a block", .live = BASE,
	  .writes = { "*filter\n-A INPUT -p 209\n", "-A INPUT --bogus\n" },
	  .ret = { 0, -EINVAL }, .after = BASE, .errmsg = "\"--bogus\"", .errline = 3 },
	{ .name = "a rule number out of range in a block", .live = BASE,
	  .writes = { "*filter\n-D INPUT 1\nCOMMIT\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "no rule 1", .errline = 2 },
	{ .name = "*filter inside a block", .live = BASE,
	  .writes = { "*filter\n*filter\nCOMMIT\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "*filter inside", .errline = 2 },
	{ .name = "a user chain's name too long", .live = BASE,
	  .writes = { "*filter\n:F23456789012345678901234567890 - [0:0]\nCOMMIT\n" },
	  .ret = { -EINVAL }, .after = BASE, .errmsg = "longer than 28", .errline = 2 },
	{ .name = "':INPUT -'", .live = BASE,
	  .writes = { "*filter\n:INPUT - [0:0]\nCOMMIT\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "INPUT needs a policy", .errline = 2 },
	{ .name = "a user chain's policy", .live = BASE,
	  .writes = { "*filter\n:FOO - [0:0]\n:FOO DROP [0:0]\nCOMMIT\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "only built-in chains have a policy", .errline = 3 },
	{ .name = "a bad policy in a block", .live = BASE,
	  .writes = { "*filter\n:INPUT REJECT [0:0]\nCOMMIT\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "\"REJECT\"", .errline = 2 },
	{ .name = "bad counters", .live = BASE,
	  .writes = { "*filter\n:INPUT DROP [x:1]\nCOMMIT\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "counters", .errline = 2 },
	{ .name = "counters without brackets", .live = BASE,
	  .writes = { "*filter\n:INPUT DROP 12:345\nCOMMIT\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "\"12:345\"", .errline = 2 },
	{ .name = "a ':' line with too many words", .live = BASE,
	  .writes = { "*filter\n:INPUT DROP [0:0] x\nCOMMIT\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = ":CHAIN POLICY", .errline = 2 },
	/* what is refused outside a block */
	{ .name = "COMMIT outside a block", .live = BASE, .writes = { "COMMIT\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "COMMIT without *filter", .errline = 1 },
	{ .name = "COMMIT after good lines", .live = "", .writes = { "-A INPUT -p 201\nCOMMIT\n" },
	  .ret = { -EINVAL }, .after = "", .errmsg = "COMMIT without", .errline = 2 },
	{ .name = "':INPUT ACCEPT' outside a block", .live = BASE,
	  .writes = { ":INPUT ACCEPT [0:0]\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "belong in a *filter block", .errline = 1 },
	{ .name = "*nat", .live = BASE, .writes = { "*nat\n-A PREROUTING -j ACCEPT\nCOMMIT\n" },
	  .ret = { -EINVAL }, .after = BASE, .errmsg = "\"*nat\"", .errline = 1 },
	{ .name = "*mangle after a good line", .live = "", .writes = { "-A INPUT -p 201\n*mangle\n" },
	  .ret = { -EINVAL }, .after = "", .errmsg = "\"*mangle\"", .errline = 2 },
	/* -t: filter's commands apply; the other tables' are refused (not there yet) */
	{ .name = "-t filter", .live = BASE, .writes = { "-t filter -A INPUT -p 204\n-D INPUT 1 -t filter\n" },
	  .ret = { 0 }, .after = "-A INPUT -p 202\n-A INPUT -p 203\n-A INPUT -p 204\n" },
	{ .name = "-t nat", .live = BASE, .writes = { "-A INPUT -p 204\n-t nat -A PREROUTING -j ACCEPT\n" },
	  .ret = { -EINVAL }, .after = BASE, .errmsg = "-t nat: not there yet", .errline = 2 },
	{ .name = "-t in a block", .live = BASE,
	  .writes = { "*filter\n-t filter -A INPUT -p 204\nCOMMIT\n" }, .ret = { -EINVAL },
	  .after = BASE, .errmsg = "-t cannot be used in a restore block", .errline = 2 },
	/* blocks never committed */
	{ .name = "no COMMIT: release() drops the block", .live = BASE,
	  .writes = { "*filter\n-A INPUT -p 209\n" }, .after = BASE, .close_ret = -EINVAL,
	  .errmsg = "without COMMIT", .errline = 2 },
	{ .name = "a last COMMIT without newline commits at close", .live = BASE,
	  .writes = { "*filter\n-A INPUT -p 209\nCOMMIT" }, .after = "-A INPUT -p 209\n" },
	{ .name = "a last bad line without newline in a block drops it at close", .live = BASE,
	  .writes = { "*filter\n-A INPUT -p 209\nCOMMIT x" }, .after = BASE, .close_ret = -EINVAL,
	  .errmsg = "\"COMMIT\" is not a command", .errline = 3 },
	{ .name = "release() after COMMIT", .live = BASE,
	  .writes = { "*filter\nCOMMIT\n" }, .after = "" },
};

static void run_writer_case(const struct writer_case *c)
{
	struct harness h;
	struct minifw_writer w;
	size_t pos;
	int i;

	/* the FAIL line shows the name, the live ruleset and every write */
	case_beginf("writer", "%s: live \"%s\", writes", c->name, c->live);
	pos = strlen(tc.input);
	for (i = 0; i < 4 && c->writes[i] && pos < sizeof(tc.input); i++)
		pos += (size_t)snprintf(tc.input + pos, sizeof(tc.input) - pos, " \"%s\"", c->writes[i]);

	h.live = build(c->live);
	minifw_writer_init(&w, &h_ops, &h);
	for (i = 0; i < 4 && c->writes[i]; i++) {
		char what[32];

		snprintf(what, sizeof(what), "write %d returns", i + 1);
		expect_ret(what, c->ret[i], write_str(&w, c->writes[i]));
	}
	expect_ret("release()", c->close_ret, minifw_writer_release(&w));
	if (c->errmsg) {
		expect_int("err.line", c->errline, w.err.line);
		expect_contains("err.msg", c->errmsg, w.err.msg);
	}
	expect_listing("live ruleset", c->after, h.live);
	minifw_ruleset_put(h.live);
	case_end();
}

/* A restore block in iptables-save form, fed in two pieces at every byte. */
#define SPLIT_LIVE "-P FORWARD DROP\n-P OUTPUT DROP\n-A OUTPUT -p 201\n-A INPUT -p 202\n"
#define SPLIT_BLOCK "*filter\n:INPUT DROP [12:345]\n:FORWARD ACCEPT [0:0]\n" \
	"-A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n" \
	"-A FORWARD -o eth+ -j DROP\nCOMMIT\n"
#define SPLIT_AFTER "-P INPUT DROP\n-P OUTPUT DROP\n" \
	"-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n" \
	"-A FORWARD -o eth+ -j DROP\n"

enum split_mode { SPLIT_FEEDS, SPLIT_WRITES, SPLIT_BYTES };

static void split_sweep(enum split_mode mode)
{
	static const char text[] = SPLIT_BLOCK;
	const size_t len = sizeof(text) - 1;
	size_t k, first = mode == SPLIT_WRITES ? strlen("*filter\n") : 0;
	size_t last = mode == SPLIT_BYTES ? 0 : len;

	for (k = first; k <= last; k++) {
		struct harness h = { .live = build(SPLIT_LIVE) };
		struct minifw_ruleset *old = h.live;
		struct minifw_writer w;
		char what[80];
		int ret = 0;
		size_t i;

		minifw_writer_init(&w, &h_ops, &h);
		if (mode == SPLIT_BYTES) {
			for (i = 0; i < len && !ret; i++) {
				ret = minifw_writer_feed(&w, text + i, 1);
				if (i + 1 < len && h.live != old) {
					snprintf(what, sizeof(what), "byte %zu applied the block early", i);
					case_fail(what, "no", "yes", false);
				}
			}
		} else {
			ret = mode == SPLIT_FEEDS ? minifw_writer_feed(&w, text, k)
						  : do_write(&w, text, k);
			snprintf(what, sizeof(what), "split at byte %zu: first part", k);
			expect_ret(what, 0, ret);
			snprintf(what, sizeof(what), "split at byte %zu: live replaced after the first part", k);
			expect_bool(what, k == len, h.live != old);
			ret = mode == SPLIT_FEEDS ? minifw_writer_feed(&w, text + k, len - k)
						  : do_write(&w, text + k, len - k);
		}
		if (!ret)
			ret = minifw_writer_end_write(&w);
		snprintf(what, sizeof(what), "split at byte %zu: result", k);
		expect_ret(what, 0, ret);
		snprintf(what, sizeof(what), "split at byte %zu: live ruleset", k);
		expect_listing(what, SPLIT_AFTER, h.live);
		snprintf(what, sizeof(what), "split at byte %zu: release()", k);
		expect_ret(what, 0, minifw_writer_release(&w));
		minifw_ruleset_put(h.live);
	}
}

/* A valid line of exactly len bytes: "-A INPUT -p 201", spaces, "-j DROP". */
static char *long_line(size_t len, const char *end)
{
	char *s = malloc(len + strlen(end) + 1);

	if (!s)
		abort();
	memset(s, ' ', len);
	memcpy(s, "-A INPUT -p 201", 15);
	memcpy(s + len - 7, "-j DROP", 7);
	strcpy(s + len, end);
	return s;
}

static void test_writer_limits(void)
{
	struct harness h;
	struct minifw_writer w;
	char *line;
	int ret;

	case_begin("writer", "a line of exactly MINIFW_LINE_MAX bytes, with newline");
	h.live = minifw_ruleset_new();
	minifw_writer_init(&w, &h_ops, &h);
	line = long_line(MINIFW_LINE_MAX, "\n");
	expect_ret("write", 0, write_str(&w, line));
	expect_listing("live", "-A INPUT -p 201 -j DROP\n", h.live);
	free(line);
	minifw_writer_release(&w);
	minifw_ruleset_put(h.live);
	case_end();

	case_begin("writer", "a line of exactly MINIFW_LINE_MAX bytes, no newline");
	h.live = minifw_ruleset_new();
	minifw_writer_init(&w, &h_ops, &h);
	line = long_line(MINIFW_LINE_MAX, "");
	expect_ret("write", 0, write_str(&w, line));
	expect_ret("release()", 0, minifw_writer_release(&w));
	expect_listing("live", "-A INPUT -p 201 -j DROP\n", h.live);
	free(line);
	minifw_ruleset_put(h.live);
	case_end();

	case_begin("writer", "a line of MINIFW_LINE_MAX + 1 bytes, then a good write");
	h.live = minifw_ruleset_new();
	minifw_writer_init(&w, &h_ops, &h);
	line = long_line(MINIFW_LINE_MAX + 1, "\n");
	expect_ret("write", -EINVAL, write_str(&w, line));
	expect_int("err.line", 1, w.err.line);
	expect_contains("err.msg", "longer than " __stringify(MINIFW_LINE_MAX) " bytes", w.err.msg);
	expect_listing("live after the long line", "", h.live);
	expect_ret("next write", 0, write_str(&w, "-A INPUT -p 202\n"));
	expect_listing("live after the next write", "-A INPUT -p 202\n", h.live);
	free(line);
	minifw_writer_release(&w);
	minifw_ruleset_put(h.live);
	case_end();

	case_begin("writer", "a line of MINIFW_LINE_MAX + 1 bytes without newline");
	h.live = minifw_ruleset_new();
	minifw_writer_init(&w, &h_ops, &h);
	line = long_line(MINIFW_LINE_MAX + 1, "");
	expect_ret("write", -EINVAL, write_str(&w, line));
	expect_contains("err.msg", "longer than", w.err.msg);
	/* the rest of the long line, in the next write, is dropped with it */
	expect_ret("the line's tail", 0, write_str(&w, "-A INPUT -p 203\n-A INPUT -p 202\n"));
	expect_ret("release()", 0, minifw_writer_release(&w));
	expect_listing("live", "-A INPUT -p 202\n", h.live);
	free(line);
	minifw_ruleset_put(h.live);
	case_end();

	case_begin("writer", "a 3300-byte line fed in 1100-byte pieces inside a block");
	h.live = build(BASE);
	minifw_writer_init(&w, &h_ops, &h);
	line = long_line(3300, "\nCOMMIT\n");
	ret = write_str(&w, "*filter\n");
	if (!ret)
		ret = do_write(&w, line, 1100);
	if (!ret)
		ret = do_write(&w, line + 1100, 1100);
	if (!ret)
		ret = do_write(&w, line + 2200, strlen(line + 2200));
	expect_ret("write", -EINVAL, ret);
	expect_int("err.line", 2, w.err.line);
	expect_contains("err.msg", "longer than", w.err.msg);
	expect_listing("live", BASE, h.live);
	expect_ret("the file is refused from now on", -EINVAL, write_str(&w, "-A INPUT -p 209\n"));
	expect_listing("live at the end", BASE, h.live);
	free(line);
	minifw_writer_release(&w);
	minifw_ruleset_put(h.live);
	case_end();

	case_begin("writer", "a NUL byte: \"-A INPUT -p 201\\n-A INPUT\\0 -p 202\\n\"");
	h.live = build(BASE);
	minifw_writer_init(&w, &h_ops, &h);
	{
		static const char nul[] = "-A INPUT -p 201\n-A INPUT\0 -p 202\n";

		expect_ret("write", -EINVAL, do_write(&w, nul, sizeof(nul) - 1));
	}
	expect_int("err.line", 2, w.err.line);
	expect_contains("err.msg", "NUL", w.err.msg);
	expect_listing("live", BASE, h.live);
	minifw_writer_release(&w);
	minifw_ruleset_put(h.live);
	case_end();

	case_begin("writer", "a NUL byte inside a block");
	h.live = build(BASE);
	minifw_writer_init(&w, &h_ops, &h);
	expect_ret("write 1", 0, write_str(&w, "*filter\n"));
	expect_ret("write 2", -EINVAL, do_write(&w, "\0COMMIT\n", 8));
	expect_ret("write 3", -EINVAL, write_str(&w, "COMMIT\n"));
	expect_listing("live", BASE, h.live);
	expect_ret("release()", 0, minifw_writer_release(&w));
	minifw_ruleset_put(h.live);
	case_end();

	case_begin("writer", "a *filter ... COMMIT block fed in two pieces, split at every byte");
	split_sweep(SPLIT_FEEDS);
	case_end();
	case_begin("writer", "a *filter ... COMMIT block fed one byte at a time");
	split_sweep(SPLIT_BYTES);
	case_end();
	case_begin("writer", "a *filter ... COMMIT block as two write()s, split at every byte after \"*filter\\n\"");
	split_sweep(SPLIT_WRITES);
	case_end();
}

/* 20,000 rules in one block, fed in page-sized pieces of one write. */
/* The max_rules limit, and a failed write that starts a restore block. */
static void test_writer_max_rules(void)
{
	struct harness h;
	struct minifw_writer w;
	unsigned int saved = minifw_max_rules;

	minifw_max_rules = 3;
	case_begin("writer", "max_rules: a write that would pass the limit changes nothing");
	h.live = build("-A INPUT -p 201\n-A OUTPUT -p 202");
	minifw_writer_init(&w, &h_ops, &h);
	expect_ret("write", -EINVAL, write_str(&w, "-A FORWARD -p 203\n-A INPUT -p 204\n"));
	expect_contains("err.msg", "too many rules: the limit is 3", w.err.msg);
	expect_int("err.line", 2, w.err.line);
	expect_listing("live", "-A INPUT -p 201\n-A OUTPUT -p 202\n", h.live);
	/* deleting first makes room, in the same transaction */
	expect_ret("delete then add", 0, write_str(&w, "-D INPUT 1\n-A FORWARD -p 203\n-A INPUT -p 204\n"));
	expect_ret("release()", 0, minifw_writer_release(&w));
	expect_listing("live after", "-A INPUT -p 204\n-A FORWARD -p 203\n-A OUTPUT -p 202\n", h.live);
	minifw_ruleset_put(h.live);
	case_end();

	case_begin("writer", "max_rules: a restore block past the limit is refused");
	h.live = build("-A INPUT -p 201");
	minifw_writer_init(&w, &h_ops, &h);
	expect_ret("write", -EINVAL,
		   write_str(&w, "*filter\n-A INPUT -p 1\n-A INPUT -p 2\n-A INPUT -p 3\n-A INPUT -p 4\nCOMMIT\n"));
	expect_int("err.line", 5, w.err.line);
	expect_ret("release()", 0, minifw_writer_release(&w));
	expect_listing("live", "-A INPUT -p 201\n", h.live);
	minifw_ruleset_put(h.live);
	case_end();

	case_begin("writer", "max_rules: also bounds the commands of one write");
	h.live = build("");
	minifw_writer_init(&w, &h_ops, &h);
	expect_ret("write", -EINVAL, write_str(&w, "-F\n-F\n-F\n-F\n"));
	expect_contains("err.msg", "too many commands in one write", w.err.msg);
	expect_int("err.line", 4, w.err.line);
	expect_ret("release()", 0, minifw_writer_release(&w));
	minifw_ruleset_put(h.live);
	case_end();
	minifw_max_rules = saved;

	case_begin("writer", "a restore block after a failed line of the same write stays refused");
	h.live = build("-A INPUT -p 201");
	minifw_writer_init(&w, &h_ops, &h);
	expect_ret("write 1", -EINVAL, write_str(&w, "-A INPUT -j BOGUS\n*filter\n-A INPUT -p 2"));
	expect_ret("write 2", -EINVAL, write_str(&w, "09\n-A INPUT -p 210\n"));
	expect_ret("write 3", -EINVAL, write_str(&w, "COMMIT\n"));
	expect_contains("err.msg", "earlier line of this restore failed", w.err.msg);
	expect_ret("release()", 0, minifw_writer_release(&w));
	expect_listing("live", "-A INPUT -p 201\n", h.live);
	minifw_ruleset_put(h.live);
	case_end();

	case_begin("writer", "line numbers count the lines of a failed write too");
	h.live = build("");
	minifw_writer_init(&w, &h_ops, &h);
	expect_ret("write 1", -EINVAL, write_str(&w, "-A INPUT -j BOGUS\n-A INPUT -p 1\n\n# c\n"));
	expect_ret("write 2", -EINVAL, write_str(&w, "-A INPUT -p 2\n-A INPUT --x\n"));
	expect_int("err.line", 6, w.err.line);
	expect_ret("release()", 0, minifw_writer_release(&w));
	minifw_ruleset_put(h.live);
	case_end();
}

static void test_writer_big(void)
{
	struct harness h = { .live = minifw_ruleset_new() };
	struct minifw_writer w;
	struct sbuf b = { 0 };
	char text[MINIFW_RULE_TEXT_MAX], *s;
	size_t pos;
	int i, ret = 0;

	case_begin("writer", "a 20,000-line block");
	sb_printf(&b, "*filter\n:INPUT DROP [0:0]\n");
	for (i = 0; i < 20000; i++)
		sb_printf(&b, "-A INPUT -s 10.%d.%d.0/24 -p tcp --dport %d -j ACCEPT\n",
			  i / 256, i % 256, 1 + i % 65535);
	sb_printf(&b, "COMMIT\n");
	s = sb_take(&b);
	minifw_writer_init(&w, &h_ops, &h);
	for (pos = 0; pos < b.len && !ret; pos += 4096)
		ret = minifw_writer_feed(&w, s + pos, b.len - pos < 4096 ? b.len - pos : 4096);
	if (!ret)
		ret = minifw_writer_end_write(&w);
	expect_ret("write", 0, ret);
	expect_int("minifw_ruleset_count()", 20000, minifw_ruleset_count(h.live));
	if (h.live->chain[MINIFW_INPUT].nrules == 20000) {
		minifw_rule_format(&h.live->chain[MINIFW_INPUT].rules[12345], NULL, text,
				   sizeof(text));
		expect_str("rule 12346", "-s 10.48.57.0/24 -p tcp -m tcp --dport 12346 -j ACCEPT", text);
		expect_str("a packet for the last rule", "ACCEPT",
			   eval_name(h.live, MINIFW_INPUT, "tcp 10.78.31.9:1 > 192.0.2.1:20000"));
		expect_str("a packet for no rule", "DROP",
			   eval_name(h.live, MINIFW_INPUT, "tcp 10.78.31.9:1 > 192.0.2.1:20001"));
	}
	expect_ret("release()", 0, minifw_writer_release(&w));
	minifw_ruleset_put(h.live);
	free(s);
	case_end();
}

/*
 * The listing in iptables-save form loads back through the writer into an
 * identical listing: every rule of the listing table, in its chain, plus
 * some policies.
 */
static void test_writer_roundtrip(void)
{
	struct harness h1 = { .live = minifw_ruleset_new() };
	struct harness h2 = { .live = build("-P FORWARD DROP\n-A INPUT -p 209") };
	struct minifw_writer w;
	struct sbuf b = { 0 };
	char *script, *l1, *l2;
	size_t k;

	case_begin("writer", "iptables-save listing of the listing table's rules loads back identical");
	sb_printf(&b, "-P INPUT DROP\n-P OUTPUT DROP\n");
	for (k = 0; k < ARRAY_SIZE(listing_cases); k++) {
		struct minifw_cmd cmd;
		struct minifw_err err;

		if (!parse(listing_cases[k].line, &cmd, &err)) {
			sb_printf(&b, "-A %s %s\n", minifw_chain_name(cmd.chain), listing_cases[k].want);
			minifw_cmd_free(&cmd);
		}
	}
	script = sb_take(&b);
	minifw_writer_init(&w, &h_ops, &h1);
	expect_ret("write the rules", 0, write_str(&w, script));
	minifw_writer_release(&w);
	expect_int("rules", ARRAY_SIZE(listing_cases), minifw_ruleset_count(h1.live));

	l1 = listing(h1.live, true);
	minifw_writer_init(&w, &h_ops, &h2);
	expect_ret("write the listing", 0, write_str(&w, l1));
	expect_ret("release()", 0, minifw_writer_release(&w));
	l2 = listing(h2.live, true);
	expect_str("listing after loading the listing", l1, l2);
	free(script);
	free(l1);
	free(l2);
	minifw_ruleset_put(h1.live);
	minifw_ruleset_put(h2.live);
	case_end();

	case_begin("writer", "a block's ':INPUT DROP [12:345]' counters are not loaded");
	h1.live = minifw_ruleset_new();
	minifw_writer_init(&w, &h_ops, &h1);
	expect_ret("write", 0, write_str(&w, "*filter\n:INPUT DROP [12:345]\nCOMMIT\n"));
	expect_str("INPUT counters", "| 0:0", counts(h1.live, MINIFW_INPUT));
	minifw_writer_release(&w);
	minifw_ruleset_put(h1.live);
	case_end();
}

static void test_writer(void)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(writer_cases); k++)
		run_writer_case(&writer_cases[k]);
	test_writer_limits();
	test_writer_big();
	test_writer_roundtrip();
}

/* ---------------------------------------------------------------------- */
/* 7. Allocation failure                                                   */

#define NOMEM_LIVE "-A INPUT -p 201\n-A INPUT -p 202\n-A INPUT -p 203\n-A INPUT -p 204\n" \
	"-A INPUT -p 205\n-A INPUT -p 206\n-A INPUT -p 207\n-A INPUT -p 208\n" \
	"-A FORWARD -p 201\n-P OUTPUT DROP\n"
#define NOMEM_EDIT "-A INPUT -j DROP\n-I INPUT 1 -p tcp\n-R INPUT 2 -s 10/8\n-Z INPUT\n" \
	"-D INPUT 3\n-A FORWARD -j ACCEPT\n-Z FORWARD 1\n"

/*
 * Run attempt() with allocation K failing, K = 0, 1, ... until it succeeds:
 * every failure must be -ENOMEM and leave the live ruleset as it was.
 */
static void nomem_loop(const char *name, int (*attempt)(struct harness *h, struct minifw_err *err))
{
	struct harness h = { .live = build(NOMEM_LIVE) };
	char *before, *now, what[64];
	struct minifw_err err;
	long k;
	int ret = -ENOMEM;

	eval(h.live, MINIFW_INPUT, TCP10);
	before = listing(h.live, true);
	case_begin("nomem", name);
	for (k = 0; k < 100000 && ret; k++) {
		struct minifw_ruleset *old = h.live;

		memset(&err, 0, sizeof(err));
		minifw_user_alloc_fail_after = k;
		ret = attempt(&h, &err);
		minifw_user_alloc_fail_after = -1;
		if (!ret)
			break;
		snprintf(what, sizeof(what), "allocation %ld failing: returns", k);
		expect_ret(what, -ENOMEM, ret);
		snprintf(what, sizeof(what), "allocation %ld failing: err.msg", k);
		expect_contains(what, "out of memory", err.msg);
		snprintf(what, sizeof(what), "allocation %ld failing: same live ruleset", k);
		expect_bool(what, true, h.live == old);
		now = listing(h.live, true);
		snprintf(what, sizeof(what), "allocation %ld failing: live listing", k);
		expect_str(what, before, now);
		free(now);
	}
	expect_ret("finally succeeds", 0, ret);
	expect_bool("some allocation was made to fail", true, k > 0);
	now = listing(h.live, false);
	expect_str("live after success",
		   "-P OUTPUT DROP\n-A INPUT -p tcp\n-A INPUT -s 10.0.0.0/8\n-A INPUT -p 203\n"
		   "-A INPUT -p 204\n-A INPUT -p 205\n-A INPUT -p 206\n-A INPUT -p 207\n"
		   "-A INPUT -p 208\n-A INPUT -j DROP\n-A FORWARD -p 201\n-A FORWARD -j ACCEPT\n",
		   now);
	free(now);
	free(before);
	minifw_ruleset_put(h.live);
	case_end();
}

static int attempt_edit(struct harness *h, struct minifw_err *err)
{
	struct minifw_cmd cmds[16];
	struct minifw_ruleset *rs;
	u32 n;

	if (parse_script(NOMEM_EDIT, cmds, ARRAY_SIZE(cmds), &n))
		return -EBADMSG;
	rs = minifw_ruleset_edit(h->live, cmds, n, err);
	if (IS_ERR(rs))
		return (int)PTR_ERR(rs);
	minifw_ruleset_put(h->live);
	h->live = rs;
	return 0;
}

static int attempt_write(struct harness *h, struct minifw_err *err)
{
	struct minifw_writer w;
	int ret;

	minifw_writer_init(&w, &h_ops, h);
	ret = write_str(&w, NOMEM_EDIT);
	*err = w.err;
	minifw_writer_release(&w);
	return ret;
}

static int attempt_block(struct harness *h, struct minifw_err *err)
{
	struct minifw_writer w;
	int ret;

	minifw_writer_init(&w, &h_ops, h);
	ret = write_str(&w, "*filter\n:OUTPUT DROP [0:0]\n" NOMEM_LIVE NOMEM_EDIT "COMMIT\n");
	*err = w.err;
	minifw_writer_release(&w);
	return ret;
}

static void test_nomem(void)
{
	long k;

	nomem_loop("minifw_ruleset_edit() of 7 commands", attempt_edit);
	nomem_loop("a write() of the same 7 commands", attempt_write);
	nomem_loop("a *filter block of 17 commands", attempt_block);

	case_begin("nomem", "minifw_ruleset_new() and minifw_counter_new()");
	for (k = 0; k < 1000; k++) {
		struct minifw_ruleset *rs;

		minifw_user_alloc_fail_after = k;
		rs = minifw_ruleset_new();
		minifw_user_alloc_fail_after = -1;
		if (rs) {
			/*
			 * the ruleset, its chains and their index by name, then
			 * blocks of 1, 3 and 7 counters for 5 policies
			 */
			expect_int("allocations of minifw_ruleset_new()", 9, k);
			minifw_ruleset_put(rs);
			break;
		}
	}
	for (k = 0; k < 2; k++) {
		struct minifw_ruleset *rs = minifw_ruleset_new();
		struct minifw_counter_block *b = rs->cblk;

		while (rs->cblk->used < rs->cblk->size)
			minifw_counter_put(minifw_counter_new(rs));
		minifw_user_alloc_fail_after = k;
		expect_bool("minifw_counter_new() fails", true, minifw_counter_new(rs) == NULL);
		minifw_user_alloc_fail_after = -1;
		expect_bool("the ruleset keeps its block", true, rs->cblk == b);
		minifw_ruleset_put(rs);
	}
	case_end();
}

/*
 * Counter blocks: sizes 1, 3, 7 ... MINIFW_CNT_BLOCK_MAX, each counter its own
 * slot, and a block lives while a counter in it does, however the rulesets
 * that hold them come and go (LeakSanitizer checks that each one is freed,
 * AddressSanitizer that none is used after). User space has one CPU:
 * per_cpu_ptr() across CPUs is left to sparse and the tests in the VM.
 */
static struct minifw_ruleset *edit1(struct minifw_ruleset *rs, const char *text)
{
	struct minifw_ruleset *next;
	struct minifw_err err;
	struct minifw_cmd cmd;
	char line[80];

	snprintf(line, sizeof(line), "%s", text);
	expect_int(line, 0, minifw_parse_line(line, &cmd, &err));
	next = minifw_ruleset_edit(rs, &cmd, 1, &err);
	minifw_cmd_free(&cmd);
	expect_bool(text, false, IS_ERR(next));
	return IS_ERR(next) ? NULL : next;
}

static u64 rule_pkts(const struct minifw_ruleset *rs, u32 n)
{
	u64 pkts, bytes;

	minifw_counter_read(rs->chain[MINIFW_INPUT].rules[n].cnt, &pkts, &bytes);
	return pkts;
}

static void test_counter_blocks(void)
{
	struct minifw_counter_block *seen[64] = { NULL };
	struct minifw_ruleset *rs, *zeroed, *flushed;
	unsigned int nseen = 0, i, sizes_ok = 1;
	u32 n, want = 7;
	struct minifw_err err;
	struct minifw_cmd cmd;
	char line[80];

	case_begin("counter blocks", "1,000 rules: blocks of 7, 15 ... 127, 170; -Z, -F");
	rs = minifw_ruleset_new();
	for (n = 0; n < 1000; n++) {
		snprintf(line, sizeof(line), "-A INPUT -s 192.0.2.%u -j DROP", n % 250);
		expect_int(line, 0, minifw_parse_line(line, &cmd, &err));
		expect_int("applied", 0, minifw_ruleset_apply(rs, &cmd, &err));
		minifw_cmd_free(&cmd);
	}
	for (n = 0; n < rs->chain[MINIFW_INPUT].nrules; n++) {
		struct minifw_counter *c = rs->chain[MINIFW_INPUT].rules[n].cnt;

		if (c - c->blk->slot < 0 || c - c->blk->slot >= c->blk->used)
			expect_int("a counter is a slot its block handed out", n, -1);
		if ((!nseen || seen[nseen - 1] != c->blk) && nseen < ARRAY_SIZE(seen))
			seen[nseen++] = c->blk;
	}
	/* the 5 policies took blocks of 1 and 3 and a slot of the 7 */
	for (i = 0; i < nseen; i++) {
		if (seen[i]->size != want)
			sizes_ok = 0;
		want = min_t(u32, 2 * want + 1, MINIFW_CNT_BLOCK_MAX);
	}
	expect_bool("rule blocks of 7, 15, 31, 63, 127, 170 ...", true, sizes_ok);
	/* 6 + 15 + 31 + 63 + 127 + 5 * 170 >= 1000 */
	expect_int("blocks holding 1000 rules", 10, nseen);

	/* -Z gives fresh counters; the version before keeps its counts */
	expect_str("a packet from 192.0.2.5", "DROP",
		   eval_name(rs, MINIFW_INPUT, "udp 192.0.2.5:1 > 198.51.100.1:2 len=100"));
	zeroed = edit1(rs, "-Z INPUT");
	if (zeroed) {
		expect_int("before -Z: rule 6 counted the packet", 1, rule_pkts(rs, 5));
		expect_int("after -Z: rule 6", 0, rule_pkts(zeroed, 5));
		minifw_ruleset_put(rs);
		expect_str("the same packet", "DROP",
			   eval_name(zeroed, MINIFW_INPUT, "udp 192.0.2.5:1 > 198.51.100.1:2 len=100"));
		/* -F drops the counters of -Z's blocks; the older ones went with rs */
		flushed = edit1(zeroed, "-F INPUT");
		if (flushed) {
			expect_int("-F's version still sees -Z's counts", 1, rule_pkts(zeroed, 5));
			minifw_ruleset_put(flushed);
		}
		rs = zeroed;
	}
	minifw_ruleset_put(rs);
	case_end();
}

/*
 * Masks as rules keep them: minifw_prefix6[] is /0 to /128, and a mask
 * packed (IPv4's netmask, IPv6's length) reads back as it was parsed.
 */
static void test_masks(void)
{
	static const char *const addrs[] = {
		"10.1.2.3/255.0.255.0", "10.1.2.3/8", "10.1.2.3", "0/0", "2001:db8::/33",
		"2001:db8::1", "::/0", "2001:db8:0:1:2:3:4:5/127",
	};
	union minifw_addr a, mask, back;
	struct minifw_err err;
	unsigned int l, w, i, bad = 0;
	u8 fam;

	case_begin("masks", "minifw_prefix6[0..128]; packed masks read back");
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		expect_int(addrs[i], 0, minifw_parse_addr(addrs[i], &a, &mask, &fam, &err));
		minifw_mask_addr(&back, minifw_mask_pack(&mask, fam), fam);
		expect_bool(addrs[i], true, !memcmp(&back, &mask, sizeof(mask)));
	}
	/* filled by the first IPv6 address parsed */
	for (l = 0; l <= 128; l++) {
		unsigned int ones = 0;
		bool prefix = true;

		for (w = 0; w < 4; w++) {
			u32 m = ntohl(minifw_prefix6[l].ip6[w]);

			ones += hweight32(m);
			prefix &= m == (l >= 32 * (w + 1) ? U32_MAX : l <= 32 * w ? 0 :
					~(U32_MAX >> (l - 32 * w)));
		}
		bad += ones != l || !prefix;
	}
	expect_int("masks of minifw_prefix6[] not /0 to /128", 0, bad);
	/* an IPv4 rule's mask in the walk of an IPv6 packet: read as /128, in bounds */
	expect_bool("IPv4 mask as IPv6", true, minifw_mask6(0xffffff00) == &minifw_prefix6[128]);
	case_end();
}

/* References held to interface names, over every number handed out. */
static long ifnames_held(void)
{
	long held = 0;
	unsigned int c, i;

	for (c = 0; c < ARRAY_SIZE(minifw_ifname_chunks); c++)
		for (i = 0; minifw_ifname_chunks[c] && i < MINIFW_IFNAME_CHUNK; i++)
			held += refcount_read(&minifw_ifname_chunks[c]->e[i].ref);
	return held;
}

/*
 * Interface names (ifname.c): one number a name, shared by every rule
 * and command that names it, and counted, so that a number comes free
 * when its last rule goes, and is taken by the next new name; at most
 * MINIFW_IFNAME_MAX - 1 names at once; a failed allocation fails the line.
 */
static void test_ifnames(void)
{
	static u16 ids[MINIFW_IFNAME_MAX];
	struct minifw_cmd cmds[1];
	struct minifw_ruleset *rs, *next;
	long held = ifnames_held();
	const struct minifw_chain *fw;
	struct minifw_err err;
	char line[80], *text;
	u16 wan;
	u32 n;

	case_begin("interface names", "-i eth0 in INPUT and FORWARD, -o eth+, ! -i +; -F; 65535 names");
	rs = build("-A INPUT -i eth0 -j DROP\n-A FORWARD -i eth0 -o eth+ -j ACCEPT\n"
		   "-A FORWARD ! -i + -j DROP\n-A FORWARD -i wan0 ! -o eth0 -j DROP");
	text = listing(rs, false);
	expect_str("listed", "-A INPUT -i eth0 -j DROP\n-A FORWARD -i eth0 -o eth+ -j ACCEPT\n"
		   "-A FORWARD ! -i + -j DROP\n-A FORWARD -i wan0 ! -o eth0 -j DROP\n", text);
	free(text);
	fw = &rs->chain[MINIFW_FORWARD];
	expect_bool("one number for eth0", true,
		    rs->chain[MINIFW_INPUT].rules[0].m.in == fw->rules[0].m.in &&
		    fw->rules[0].m.in == fw->rules[2].m.out);
	expect_bool("eth0, eth+, + and wan0 have numbers of their own", true,
		    fw->rules[0].m.in != fw->rules[0].m.out && fw->rules[1].m.in &&
		    fw->rules[1].m.in != fw->rules[0].m.out && fw->rules[2].m.in != fw->rules[0].m.in &&
		    fw->rules[2].m.in != fw->rules[1].m.in && fw->rules[2].m.in != fw->rules[0].m.out);
	/* 6 references: the rules' (eth0 3, eth+, +, wan0) */
	expect_int("references held", held + 6, ifnames_held());
	expect_str("in eth0", "DROP", eval_name(rs, MINIFW_INPUT, "udp 192.0.2.1:1 > 192.0.2.2:2 in=eth0"));
	expect_str("in eth1", "ACCEPT", eval_name(rs, MINIFW_INPUT, "udp 192.0.2.1:1 > 192.0.2.2:2 in=eth1"));
	expect_str("eth0 to eth7", "ACCEPT",
		   eval_name(rs, MINIFW_FORWARD, "udp 192.0.2.1:1 > 192.0.2.2:2 in=eth0 out=eth7"));
	expect_str("wan0 to eth0", "ACCEPT",
		   eval_name(rs, MINIFW_FORWARD, "udp 192.0.2.1:1 > 192.0.2.2:2 in=wan0 out=eth0"));
	expect_str("wan0 to lan0", "DROP",
		   eval_name(rs, MINIFW_FORWARD, "udp 192.0.2.1:1 > 192.0.2.2:2 in=wan0 out=lan0"));
	/* an edit's copy holds the names too; the rules it drops let theirs go */
	next = edit1(rs, "-F FORWARD");
	if (next) {
		expect_int("references with the copy", held + 6 + 1, ifnames_held());
		minifw_ruleset_put(rs);
		expect_int("references of the copy alone", held + 1, ifnames_held());
		rs = next;
	}
	/* wan0's number came free: a new name takes it (eth+ and + are free too) */
	snprintf(line, sizeof(line), "-A FORWARD -o lan9");
	expect_int(line, 0, minifw_parse_line(line, &cmds[0], &err));
	expect_bool("a free number taken again", true, cmds[0].m.out < 5);
	wan = cmds[0].m.out;
	minifw_cmd_free(&cmds[0]);
	snprintf(line, sizeof(line), "-A FORWARD -o lan9");
	expect_int(line, 0, minifw_parse_line(line, &cmds[0], &err));
	expect_int("the same number again", wan, cmds[0].m.out);
	minifw_cmd_free(&cmds[0]);
	minifw_ruleset_put(rs);
	expect_int("references after the last ruleset", held, ifnames_held());

	/* at most 65535 names at once, whatever holds them; freed ones are taken again */
	for (n = 0; n < MINIFW_IFNAME_MAX - 1; n++) {
		snprintf(line, sizeof(line), "if%u", n);
		if (!expect_int(line, 0, minifw_ifname_intern(&err, line, &ids[n])))
			break;
	}
	snprintf(line, sizeof(line), "-A INPUT -i one-more");
	expect_int(line, -EINVAL, minifw_parse_line(line, &cmds[0], &err));
	expect_str("why", "more than 65535 interface names are in use", err.msg);
	snprintf(line, sizeof(line), "-A FORWARD -i if7 -o if65534");
	expect_int("names in use still parse", 0, minifw_parse_line(line, &cmds[0], &err));
	expect_bool("as the numbers they have", true,
		    cmds[0].m.in == ids[7] && cmds[0].m.out == ids[65534]);
	minifw_cmd_free(&cmds[0]);
	minifw_ifname_put(ids[300]);
	snprintf(line, sizeof(line), "-A INPUT -i one-more");
	expect_int("one name let go: one more", 0, minifw_parse_line(line, &cmds[0], &err));
	expect_int("its number", ids[300], cmds[0].m.in);
	minifw_cmd_free(&cmds[0]);
	for (n = 0; n < MINIFW_IFNAME_MAX - 1; n++)
		if (n != 300)
			minifw_ifname_put(ids[n]);
	snprintf(line, sizeof(line), "if%d", 12345);
	expect_int(line, 0, minifw_ifname_intern(&err, line, &ids[0]));
	expect_str("a name found in its bucket again", "if12345", minifw_ifname(ids[0]));
	minifw_ifname_put(ids[0]);
	expect_int("references after the commands", held, ifnames_held());

	/* a name's first chunk that cannot be allocated fails the line */
	if (!held) {
		minifw_ifname_exit();
		minifw_user_alloc_fail_after = 0;
		snprintf(line, sizeof(line), "-A INPUT -i eth0");
		expect_int(line, -ENOMEM, minifw_parse_line(line, &cmds[0], &err));
		minifw_user_alloc_fail_after = -1;
		expect_str("why", "out of memory", err.msg);
		snprintf(line, sizeof(line), "-A INPUT -i eth0");
		expect_int("then it can", 0, minifw_parse_line(line, &cmds[0], &err));
		minifw_cmd_free(&cmds[0]);
	}
	case_end();
}

/* ---------------------------------------------------------------------- */
/* 8. Conformance table                                                    */

/*
 * tests/unit/conformance.txt (or $MINIFW_CONFORMANCE): one case a line,
 * "RULE-LINE => CANONICAL-OPTIONS" or "RULE-LINE => !ERROR-SUBSTRING";
 * '#' comments and blank lines are skipped. A canonical text is what
 * minifw_rule_format() prints for the parsed rule, and "-A CHAIN " plus it
 * must parse back to the same text and match; "!" directly followed by
 * text means the line is refused with -EINVAL and err.msg contains the
 * text ("! -s ..." is a canonical text that starts with a negation): by the
 * parser, or when the command is applied to an empty ruleset (a chain or
 * a jump's target that does not exist there). Each
 * line is a case named by its line number; a line that is none of these is
 * a failed case too.
 */
static void test_conformance(void)
{
	const char *path = getenv("MINIFW_CONFORMANCE");
	char def[512], raw[MINIFW_LINE_MAX + 256];
	unsigned int lineno = 0, ncases = 0;
	FILE *f;

	if (!path) {
		/* next to this file, as the compiler was given it */
		const char *slash = strrchr(__FILE__, '/');

		snprintf(def, sizeof(def), "%.*sconformance.txt",
			 slash ? (int)(slash + 1 - __FILE__) : 0, __FILE__);
		path = def;
	}
	f = fopen(path, "r");
	if (!f) {
		case_beginf("conformance", "%s", path);
		case_fail("open the table", "a readable file", strerror(errno), false);
		case_end();
		return;
	}
	while (fgets(raw, sizeof(raw), f)) {
		char once[MINIFW_RULE_TEXT_MAX], twice[MINIFW_RULE_TEXT_MAX];
		char again[MINIFW_RULE_TEXT_MAX + 32];
		struct minifw_cmd cmd, cmd2;
		struct minifw_err err;
		size_t n = strlen(raw);
		char *rule = raw, *want, *sep, *s;
		bool refused;
		int ret, c;

		lineno++;
		if (n && raw[n - 1] == '\n') {
			raw[--n] = '\0';
		} else if (!feof(f)) {
			/* longer than raw: drop the rest of it */
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			case_beginf("conformance", "line %u: %.60s", lineno, raw);
			case_fail("table line", "a text line that fits the reader's buffer",
				  "a longer line, or a NUL byte", false);
			case_end();
			continue;
		}
		if (n && raw[n - 1] == '\r')
			raw[--n] = '\0';
		for (s = raw; isspace((unsigned char)*s); s++)
			;
		if (!*s || *s == '#')
			continue;
		ncases++;

		/* RULE-LINE => EXPECTED, or "RULE-LINE =>" for a rule without options */
		sep = strstr(raw, " => ");
		if (sep) {
			*sep = '\0';
			want = sep + 4;
		} else if (n >= 3 && !strcmp(raw + n - 3, " =>")) {
			raw[n - 3] = '\0';
			want = raw + n - 3;	/* "" */
		} else {
			case_beginf("conformance", "line %u: %s", lineno, raw);
			case_fail("table line", "RULE-LINE => CANONICAL or RULE-LINE => !ERROR",
				  "no \" => \"", false);
			case_end();
			continue;
		}
		while (isspace((unsigned char)*want))
			want++;
		for (s = want + strlen(want); s > want && isspace((unsigned char)s[-1]); )
			*--s = '\0';
		refused = want[0] == '!' && want[1] != ' ';
		case_beginf("conformance", "line %u: %s", lineno, rule);
		if (refused && !want[1]) {
			case_fail("table line", "text after \"!\" (part of the error)", "\"!\" alone",
				  false);
			case_end();
			continue;
		}

		if (refused) {
			/* by the parser, or when applied to an empty ruleset */
			ret = parse_apply(rule, &cmd, &err);
			if (!ret)
				case_fail("parse and apply", "refused (-EINVAL)", "accepted", true);
			expect_ret("parse and apply", -EINVAL, ret);
			expect_contains("err.msg", want + 1, err.msg);
			case_end();
			continue;
		}
		ret = parse(rule, &cmd, &err);
		if (expect_str("parse error", "", err.msg) && expect_ret("parse", 0, ret) &&
			   expect_bool("parsed to -A, -I, -D RULE or -R",
				       true, cmd.op == MINIFW_OP_APPEND || cmd.op == MINIFW_OP_INSERT ||
				       cmd.op == MINIFW_OP_DELETE_RULE || cmd.op == MINIFW_OP_REPLACE)) {
			format_cmd(&cmd, once, sizeof(once));
			expect_str("printed", want, once);
			/* round trip: the printed rule parses back to itself */
			snprintf(again, sizeof(again), "-A %s %s", cmd.chain < MINIFW_NCHAINS ?
				 minifw_chain_name(cmd.chain) : cmd.name, once);
			ret = parse(again, &cmd2, &err);
			if (expect_str("parse the printed rule", "", err.msg) &&
			    expect_ret("parse the printed rule", 0, ret)) {
				format_cmd(&cmd2, twice, sizeof(twice));
				expect_str("printed again", once, twice);
				expect_int("same struct minifw_match after the round trip", 0,
					   memcmp(&cmd.m, &cmd2.m, sizeof(cmd.m)));
				expect_int("same target", cmd.target, cmd2.target);
				expect_int("same target_arg", cmd.target_arg, cmd2.target_arg);
			}
			minifw_cmd_free(&cmd2);
		}
		minifw_cmd_free(&cmd);
		case_end();
	}
	fclose(f);
	case_beginf("conformance", "%s", path);
	expect_bool("the table has cases", true, ncases > 0);
	case_end();
}

/* ---------------------------------------------------------------------- */

/* ---------------------------------------------------------------------- */
/* 9. Classifier: compiled chains against the rule-by-rule walk            */

/*
 * Random rulesets, built twice from the same commands: one compiled, one
 * walked rule by rule (the plain first-match reference). Random packets go
 * through both, into a random chain: every verdict and, at the end, every
 * counter must agree. MINIFW_DIFF_PACKETS sets how many packets in all
 * (default 2,000,000).
 */

/* Address pools: prefixes cluster around these, so they nest and touch. */
static const char *const diff_bases4[] = {
	"10.0.0.0", "10.1.0.0", "10.1.2.0", "192.0.2.0", "198.51.100.128",
	"0.0.0.0", "255.255.255.255", "203.0.113.7",
};
static const char *const diff_bases6[] = {
	"2001:db8::", "2001:db8:1::", "2001:db8:1:2::8000", "::",
	"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::1:0:0:7",
};

/* A random address of @v6's family near one of the bases. */
static void diff_addr(bool v6, u8 *a)
{
	unsigned int i, flips = rnd() % 4;

	memset(a, 0, 16);
	if (v6)
		inet_pton(AF_INET6, diff_bases6[rnd() % ARRAY_SIZE(diff_bases6)], a);
	else
		inet_pton(AF_INET, diff_bases4[rnd() % ARRAY_SIZE(diff_bases4)], a);
	/* a few bits flipped, mostly low ones */
	for (i = 0; i < flips; i++) {
		unsigned int bits = v6 ? 128 : 32;
		unsigned int bit = rnd() % 2 ? bits - 1 - rnd() % 16 : rnd() % bits;

		a[bit / 8] ^= (u8)(0x80 >> (bit % 8));
	}
}

/* "2001:db8::/48" or "10.1.0.0/16" (host bits set: the parser masks them) */
static void diff_prefix(char *buf, size_t len, bool v6)
{
	u8 a[16];
	char t[INET6_ADDRSTRLEN];
	unsigned int plen = v6 ? (rnd() % 3 ? 32 + rnd() % 97 : rnd() % 129) :
				 (rnd() % 3 ? 8 + rnd() % 25 : rnd() % 33);

	diff_addr(v6, a);
	inet_ntop(v6 ? AF_INET6 : AF_INET, a, t, sizeof(t));
	snprintf(buf, len, "%s/%u", t, plen);
}

/* A deciding target; REJECT only where iptables takes it. */
static const char *diff_target(unsigned int chain)
{
	static const char *const t[] = { "-j DROP", "-j ACCEPT", "-j DROP", "-j REJECT" };
	bool reject = chain == MINIFW_INPUT || chain == MINIFW_FORWARD || chain == MINIFW_OUTPUT;

	return t[rnd() % (ARRAY_SIZE(t) - !reject)];
}

/*
 * Options rules of a run share, valid in @chain: nothing, a protocol,
 * ports, an interface, a state.
 */
static const char *diff_rest(unsigned int chain)
{
	static const char *const any[] = {
		"", "", "", "-p tcp", "-p udp --dport 53", "-p tcp ! --dport 22",
		"-p icmp", "-p ipv6-icmp", "-p tcp --tcp-flags SYN,ACK SYN",
	};

	switch (rnd() % 8) {
	case 0:
		return chain == MINIFW_OUTPUT || chain == MINIFW_POSTROUTING ? "-o eth1" : "-i eth0";
	case 1:
		return chain == MINIFW_PREROUTING ? "-p udp" : "-m conntrack --ctstate NEW,ESTABLISHED";
	default:
		return any[rnd() % ARRAY_SIZE(any)];
	}
}

/* One rule line for @chain: a run's member (sharing @rest) or anything. */
static void diff_rule(char *buf, size_t len, unsigned int chain, const char *rest, bool member)
{
	const char *c = minifw_chain_name(chain);
	char p1[64], p2[64];
	/* the family the rest implies, if any */
	bool v6 = strstr(rest, "ipv6-icmp") ? true : strstr(rest, "-p icmp") ? false :
		  rnd() % 3 == 0;

	diff_prefix(p1, sizeof(p1), v6);
	diff_prefix(p2, sizeof(p2), v6);
	if (member) {
		switch (rnd() % 16) {
		case 0:	/* no address: all of the family, or of both */
			snprintf(buf, len, "-A %s %s %s %s", c,
				 rnd() % 2 ? "" : v6 ? "-6" : "-4", rest, diff_target(chain));
			return;
		case 1:
		case 2:
		case 3:
			snprintf(buf, len, "-A %s -d %s %s %s", c, p1, rest, diff_target(chain));
			return;
		default:
			snprintf(buf, len, "-A %s -s %s %s %s", c, p1, rest, diff_target(chain));
			return;
		}
	}
	switch (rnd() % 10) {
	case 0:
		snprintf(buf, len, "-A %s ! -s %s %s %s", c, p1, rest, diff_target(chain));
		break;
	case 1:
		snprintf(buf, len, "-A %s -s %s -d %s %s", c, p1, p2, diff_target(chain));
		break;
	case 2:
		snprintf(buf, len, "-A %s -s %s %s", c, p1, rest);	/* counts only */
		break;
	case 3:
		snprintf(buf, len, "-A %s -d %s -j LOG", c, p1);
		break;
	case 4: {
		/* what classified segments hash: addresses, protocol, one port */
		static const char *const proto[] = { "tcp", "udp", "sctp", "dccp", "tcp" };
		static const u16 port[] = { 22, 53, 80, 85, 1234, 0, 20, 21, 24 };
		char s[80] = "", d[80] = "";

		if (rnd() % 4)
			snprintf(s, sizeof(s), " -s %s", p1);
		if (rnd() % 3 == 0)
			snprintf(d, sizeof(d), " -d %s", p2);
		snprintf(buf, len, "-A %s%s%s -p %s %s--dport %u %s", c, s, d,
			 proto[rnd() % ARRAY_SIZE(proto)], rnd() % 8 ? "" : "! ",
			 port[rnd() % ARRAY_SIZE(port)], diff_target(chain));
		break;
	}
	case 5:
		snprintf(buf, len, "-A %s -s %s -p udp -m multiport --dports 53,80:90 %s",
			 c, p1, diff_target(chain));
		break;
	case 6:
		snprintf(buf, len, "-A %s -s %s -m limit --limit 3/min --limit-burst 2 %s",
			 c, p1, diff_target(chain));
		break;
	case 7:
		snprintf(buf, len, "-A %s -s %s -m comment --comment x %s", c, p1, diff_target(chain));
		break;
	case 8:	/* a mask that is not a prefix (IPv4 only) */
		snprintf(buf, len, "-A %s -s 10.%u.3.9/255.%u.255.0 %s %s", c, rnd() % 4,
			 rnd() % 2 ? 0 : 255 - (rnd() % 4) * 64,
			 strstr(rest, "ipv6-icmp") ? "" : rest, diff_target(chain));
		break;
	default:
		snprintf(buf, len, "-A %s %s %s", c, rest, diff_target(chain));
		break;
	}
}

/*
 * A member of a run of destination ports: @shared (addresses, protocol,
 * what else the run's rules share) and a port or range around the
 * packets' ports, now and then any port, or a negated one (not a member:
 * it splits the run).
 */
static void diff_port_rule(char *buf, size_t len, unsigned int chain, const char *shared)
{
	static const u16 near[] = { 0, 20, 22, 23, 52, 53, 54, 79, 80, 81, 85, 86, 1233, 1234,
				    1235, 65534, 65535 };
	u16 lo = near[rnd() % ARRAY_SIZE(near)], hi = near[rnd() % ARRAY_SIZE(near)];
	const char *c = minifw_chain_name(chain);

	if (lo > hi) {
		u16 t = lo;

		lo = hi;
		hi = t;
	}
	switch (rnd() % 16) {
	case 0:
		snprintf(buf, len, "-A %s %s ! --dport %u %s", c, shared, lo, diff_target(chain));
		break;
	case 1:
	case 2:
		snprintf(buf, len, "-A %s %s %s", c, shared, diff_target(chain));
		break;
	case 3:
	case 4:
	case 5:
	case 6:
		snprintf(buf, len, "-A %s %s --dport %u:%u %s", c, shared, lo, hi, diff_target(chain));
		break;
	default:
		snprintf(buf, len, "-A %s %s --dport %u %s", c, shared, lo, diff_target(chain));
		break;
	}
}

/* What the rules of a run of ports share (the -p first, for --dport). */
static void diff_port_shared(char *buf, size_t len, unsigned int chain)
{
	static const char *const protos[] = { "-p tcp", "-p udp", "-p tcp --syn",
					      "-p udp --sport 53", "-p tcp ! --sport 80:90" };
	char p1[64];
	bool v6 = rnd() % 3 == 0;

	diff_prefix(p1, sizeof(p1), v6);
	switch (rnd() % 4) {
	case 0:
		snprintf(buf, len, "-s %s %s", p1, protos[rnd() % ARRAY_SIZE(protos)]);
		break;
	case 1:
		snprintf(buf, len, "%s %s", chain == MINIFW_OUTPUT || chain == MINIFW_POSTROUTING ?
			 "-o eth1" : "-i eth0", protos[rnd() % ARRAY_SIZE(protos)]);
		break;
	default:
		snprintf(buf, len, "%s%s", v6 ? "-6 " : "", protos[rnd() % ARRAY_SIZE(protos)]);
		break;
	}
}

/* A random packet whose addresses are often at the edges of prefixes. */
static void diff_packet(struct test_pkt *t)
{
	static const char *const ifs[] = { "", "eth0", "eth1" };
	static const u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, 47 };
	static const u16 ports[] = { 22, 53, 80, 85, 1234, 0, 23, 54, 81, 65535 };
	bool v6 = rnd() % 3 == 0;
	u8 a[16];

	memset(t, 0, sizeof(*t));
	t->p.in = t->in;
	t->p.out = t->out;
	t->p.family = v6 ? MINIFW_FAM_IPV6 : MINIFW_FAM_IPV4;
	diff_addr(v6, a);
	memcpy(&t->p.saddr, a, v6 ? 16 : 4);
	diff_addr(v6, a);
	memcpy(&t->p.daddr, a, v6 ? 16 : 4);
	t->p.proto = protos[rnd() % ARRAY_SIZE(protos)];
	t->p.sport = htons(ports[rnd() % ARRAY_SIZE(ports)]);
	t->p.dport = htons(ports[rnd() % ARRAY_SIZE(ports)]);
	t->p.tcp_flags = (u8)rnd();
	t->p.ctstate = (u8)(1U << (rnd() % 6)) & 0x1f;
	t->p.l4 = t->p.ports = rnd() % 16 != 0;
	t->p.fragoff = rnd() % 16 ? 0 : rnd() % 2 ? 1 : 100;
	t->p.badhdr = v6 && rnd() % 32 == 0;
	/* as the hook: no header read of a protocol it has no matches for (GRE) */
	if (t->p.badhdr || t->p.proto == 47)
		t->p.l4 = t->p.ports = false;
	t->p.len = 40 + rnd() % 1400;
	snprintf(t->in, sizeof(t->in), "%s", ifs[rnd() % ARRAY_SIZE(ifs)]);
	snprintf(t->out, sizeof(t->out), "%s", ifs[rnd() % ARRAY_SIZE(ifs)]);
}

/* Apply one line to both rulesets; false if the parser refused it. */
static bool diff_apply(struct minifw_ruleset *a, struct minifw_ruleset *b, const char *line)
{
	struct minifw_err err = { 0 };
	struct minifw_cmd cmd;
	char buf[MINIFW_LINE_MAX + 1];
	bool ok;

	snprintf(buf, sizeof(buf), "%s", line);
	if (minifw_parse_line(buf, &cmd, &err)) {
		case_fail("the generator's rule parses", line, err.msg, true);
		return false;
	}
	ok = !minifw_ruleset_apply(a, &cmd, &err) && !minifw_ruleset_apply(b, &cmd, &err);
	if (!ok)
		case_fail("the generator's rule applies", line, err.msg, true);
	minifw_cmd_free(&cmd);
	return ok;
}

/* Every rule's and the policy's counters of a chain agree. */
static void diff_counters(const struct minifw_chain *x, const struct minifw_chain *y,
			  const char *what)
{
	char w[96], e[48], g[48];
	u64 p1, b1, p2, b2;
	u32 r;

	for (r = 0; r <= x->nrules; r++) {
		minifw_counter_read(r < x->nrules ? x->rules[r].cnt : x->policy_cnt, &p1, &b1);
		minifw_counter_read(r < y->nrules ? y->rules[r].cnt : y->policy_cnt, &p2, &b2);
		if (p1 == p2 && b1 == b2)
			continue;
		snprintf(w, sizeof(w), "%s: counters of %s %u", what,
			 r < x->nrules ? "rule" : "the policy after rule", r + (r < x->nrules));
		snprintf(e, sizeof(e), "%llu:%llu", (unsigned long long)p1, (unsigned long long)b1);
		snprintf(g, sizeof(g), "%llu:%llu", (unsigned long long)p2, (unsigned long long)b2);
		case_fail(w, e, g, false);
		return;
	}
}

/*
 * One run of 10,000 IPv4 prefixes (/16 to /32) spread over the whole
 * address space, so its table has a bucket index: packets at the edges of
 * the prefixes and anywhere.
 */
static void diff_big_run(void)
{
	enum { NRULES = 10000, NPKTS = 30000 };
	struct minifw_ruleset *ref = minifw_ruleset_new(), *cmp = minifw_ruleset_new();
	static u32 start[NRULES], end[NRULES];
	struct minifw_err err = { 0 };
	char line[128];
	unsigned int i;

	if (!ref || !cmp)
		abort();
	for (i = 0; i < NRULES; i++) {
		unsigned int plen = 16 + rnd() % 17;
		u32 mask = plen == 32 ? U32_MAX : ~(U32_MAX >> plen);
		/* half of them nested in an earlier one */
		u32 a = i && rnd() % 2 ? start[rnd() % i] | (rnd() & ~mask) : rnd();

		start[i] = a & mask;
		end[i] = start[i] | ~mask;
		snprintf(line, sizeof(line), "-A FORWARD -s %u.%u.%u.%u/%u -j %s", a >> 24,
			 (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff, plen,
			 rnd() % 2 ? "DROP" : "ACCEPT");
		diff_apply(ref, cmp, line);
	}
	if (minifw_ruleset_compile(cmp, &err))
		case_fail("compile the big run", "no error", err.msg, true);
	expect_int("the big run is one run", 1, cmp->chain[MINIFW_FORWARD].nruns);
	expect_bool("its table has a bucket index", true,
		    cmp->chain[MINIFW_FORWARD].nruns &&
		    cmp->chain[MINIFW_FORWARD].runs[0].tab[0][0].bucket);
	for (i = 0; i < NPKTS && !tc.failed; i++) {
		struct test_pkt t;
		u32 k = rnd() % NRULES, a;
		unsigned int v1, v2;

		switch (rnd() % 5) {
		case 0: a = start[k]; break;
		case 1: a = start[k] - 1; break;
		case 2: a = end[k]; break;
		case 3: a = end[k] + 1; break;
		default: a = rnd(); break;
		}
		make_pkt(&t, "tcp 10.0.0.1:1 > 192.0.2.1:2");
		t.p.saddr.ip = htonl(a);
		v1 = minifw_chain_eval(ref, MINIFW_FORWARD, &t.p);
		v2 = minifw_chain_eval(cmp, MINIFW_FORWARD, &t.p);
		if (v1 != v2) {
			char what[64];

			snprintf(what, sizeof(what), "big run, source %08x: verdict", a);
			case_fail(what, minifw_target_name(v1), minifw_target_name(v2), false);
		}
	}
	diff_counters(&ref->chain[MINIFW_FORWARD], &cmp->chain[MINIFW_FORWARD], "big run");
	minifw_ruleset_put(ref);
	minifw_ruleset_put(cmp);
}

/* An IPv4 interval table as "start rule, ..." (-1: no rule) */
static const char *itab4_text(const struct minifw_itab *t, char *buf, size_t len)
{
	size_t pos = 0;
	u32 i;

	buf[0] = '\0';
	for (i = 0; i < t->n && pos < len; i++) {
		struct in_addr a = { htonl(t->start4[i]) };

		pos += (size_t)snprintf(buf + pos, len - pos, "%s %d, ", inet_ntoa(a),
					(int)t->rule[i]);
	}
	return buf;
}

static int u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return (x > y) - (x < y);
}

/*
 * Class @proto's tables of @cl: "/16 /32: 0 3; /0 /0 port: 1; " (lengths,
 * port, the rules of all its buckets, in order; IPv4)
 */
static const char *ctab_text(const struct minifw_cls *cl, u8 proto, char *buf, size_t len)
{
	const struct minifw_ckey4 *keys = cl->key;
	u8 c = cl->class_of[proto];
	u32 t, k, r, nr, rules[64];
	size_t n = 0;

	buf[0] = '\0';
	for (t = cl->ctab[c]; t < cl->ctab[c + 1] && n < len; t++) {
		const struct minifw_ctab *ct = &cl->tab[t];

		nr = 0;
		for (k = 0; k <= ct->mask; k++) {
			u32 x = ct->slot[k];

			if (!x)
				continue;
			for (r = keys[x - 1].off; r < keys[x].off && nr < ARRAY_SIZE(rules); r++)
				rules[nr++] = cl->rule[r];
		}
		qsort(rules, nr, sizeof(rules[0]), u32_cmp);
		n += snprintf(buf + n, len - n, "/%u /%u%s:", ct->slen, ct->dlen,
			      ct->pmsk ? " port" : "");
		for (r = 0; r < nr && n < len; r++)
			n += snprintf(buf + n, len - n, " %u", rules[r]);
		if (n < len)
			n += snprintf(buf + n, len - n, "; ");
	}
	return buf;
}

/* An edit as the writer makes it: a copy of @cur with @script applied, compiled once. */
static struct minifw_ruleset *edit_compiled(const struct minifw_ruleset *cur, const char *script)
{
	struct minifw_err err = { 0 };
	struct minifw_cmd cmds[8];
	struct minifw_ruleset *rs;
	u32 n, i;

	if (parse_script(script, cmds, ARRAY_SIZE(cmds), &n))
		abort();
	rs = minifw_ruleset_edit(cur, cmds, n, &err);
	for (i = 0; i < n; i++)
		minifw_cmd_free(&cmds[i]);
	if (IS_ERR(rs) || minifw_ruleset_compile(rs, &err)) {
		case_fail(script, "applied and compiled", err.msg, true);
		return NULL;
	}
	return rs;
}

/*
 * A chain's compiled runs are rebuilt only when the chain changes: an edit
 * of another chain shares them, and the last ruleset to hold them frees
 * them (ASan would see a leak or a double free).
 */
static void test_compiled_shared(void)
{
	struct minifw_ruleset *a, *b, *c;
	struct minifw_err err = { 0 };
	char script[64 * 64];
	size_t n = 0;
	u32 i;

	case_begin("classifier", "an edit rebuilds the compiled runs of the chains it changes only");
	for (i = 0; i < 40; i++)
		n += snprintf(script + n, sizeof(script) - n,
			      "-A FORWARD -s 10.%u.0.0/16 -p tcp --dport %u -j %s\n", i, 1000 + i,
			      i % 2 ? "ACCEPT" : "DROP");
	for (i = 0; i < 20; i++)
		n += snprintf(script + n, sizeof(script) - n, "-A INPUT -s 192.0.2.%u -j DROP\n", i);
	a = build(script);
	expect_ret("compile", 0, minifw_ruleset_compile(a, &err));
	b = edit_compiled(a, "-A INPUT -j ACCEPT\n");
	if (b) {
		expect_bool("FORWARD's runs shared", true,
			    b->chain[MINIFW_FORWARD].compiled == a->chain[MINIFW_FORWARD].compiled &&
			    b->chain[MINIFW_FORWARD].runs == a->chain[MINIFW_FORWARD].runs);
		expect_int("held by both", 2, a->chain[MINIFW_FORWARD].compiled->ref.refs);
		expect_bool("INPUT's rebuilt", true,
			    b->chain[MINIFW_INPUT].compiled != a->chain[MINIFW_INPUT].compiled);
		expect_str("a shared segment still decides", "ACCEPT",
			   eval_name(b, MINIFW_FORWARD, "tcp 10.3.1.1:5 > 192.0.2.1:1003"));
		c = edit_compiled(b, "-I FORWARD 3 -p udp -j DROP\n");
		if (c) {
			expect_bool("FORWARD's rebuilt after its own edit", true,
				    c->chain[MINIFW_FORWARD].compiled !=
				    b->chain[MINIFW_FORWARD].compiled);
			expect_bool("INPUT's shared", true,
				    c->chain[MINIFW_INPUT].compiled == b->chain[MINIFW_INPUT].compiled);
			expect_str("the rebuilt one decides", "DROP",
				   eval_name(c, MINIFW_FORWARD, "tcp 10.2.1.1:5 > 192.0.2.1:1002"));
			minifw_ruleset_put(c);
		}
		minifw_ruleset_put(a);
		expect_int("held by the copy alone", 1, b->chain[MINIFW_FORWARD].compiled->ref.refs);
		expect_str("after the first ruleset is gone", "ACCEPT",
			   eval_name(b, MINIFW_FORWARD, "tcp 10.3.1.1:5 > 192.0.2.1:1003"));
		minifw_ruleset_put(b);
	} else {
		minifw_ruleset_put(a);
	}
	case_end();
}

/* The worked example of DOC: Classified segments. */
static void test_class_doc_example(void)
{
	struct minifw_err err = { 0 };
	const struct minifw_chain *ch;
	struct minifw_ruleset *rs;
	char buf[512];

	case_begin("classifier", "the worked example of DOC: Classified segments");
	rs = build("-A FORWARD -s 192.0.2.0/24 -d 198.51.100.7 -p tcp --dport 22 -j ACCEPT\n"
		   "-A FORWARD -s 192.0.2.0/24 -d 198.51.100.0/24 -p tcp -j DROP\n"
		   "-A FORWARD -d 198.51.100.9 -p udp --dport 53 -j ACCEPT\n"
		   "-A FORWARD -s 203.0.113.5 -j LOG\n"
		   "-A FORWARD -p tcp --dport 80 -j ACCEPT\n"
		   "-A FORWARD -s 203.0.113.0/24 -p tcp -j DROP\n"
		   "-A FORWARD -j DROP\n");
	minifw_class_min = 7;
	expect_ret("compile", 0, minifw_ruleset_compile(rs, &err));
	minifw_class_min = 16;
	ch = &rs->chain[MINIFW_FORWARD];
	expect_int("segments", 1, ch->nruns);
	if (ch->nruns == 1 && ch->runs[0].kind == MINIFW_RUN_CLASS) {
		const struct minifw_cls *cl = &ch->runs[0].cls[MINIFW_TAB_IPV4];

		expect_int("IPv4 classes", 3, cl->nclasses);
		expect_str("TCP's tables", "/16 /16: 0 1; /16 /0: 3 5; /0 /0: 4 6; ",
			   ctab_text(cl, IPPROTO_TCP, buf, sizeof(buf)));
		expect_str("UDP's tables", "/0 /16: 2; /16 /0: 3; /0 /0: 6; ",
			   ctab_text(cl, IPPROTO_UDP, buf, sizeof(buf)));
		expect_str("the others' tables", "/16 /0: 3; /0 /0: 6; ",
			   ctab_text(cl, IPPROTO_ICMP, buf, sizeof(buf)));
		expect_int("IPv6 classes (rules 4 and 6 are of both)", 2,
			   ch->runs[0].cls[MINIFW_TAB_IPV6].nclasses);
	} else {
		case_fail("one classified segment", "kind 2", "none", false);
	}
	expect_str("192.0.2.1 > 198.51.100.7:22", "ACCEPT",
		   eval_name(rs, MINIFW_FORWARD, "tcp 192.0.2.1:5 > 198.51.100.7:22"));
	expect_str("203.0.113.5 > 198.51.100.20:80", "ACCEPT",
		   eval_name(rs, MINIFW_FORWARD, "tcp 203.0.113.5:5 > 198.51.100.20:80"));
	expect_str("udp 192.0.2.1 > 198.51.100.9:53", "ACCEPT",
		   eval_name(rs, MINIFW_FORWARD, "udp 192.0.2.1:5 > 198.51.100.9:53"));
	expect_str("icmp 203.0.113.5 > 198.51.100.9", "DROP",
		   eval_name(rs, MINIFW_FORWARD, "icmp 203.0.113.5 > 198.51.100.9"));
	expect_str("counts", "1:100 0:0 1:100 2:200 1:100 0:0 1:100 | 0:0",
		   counts(rs, MINIFW_FORWARD));
	minifw_ruleset_put(rs);
	case_end();
}

/*
 * A full bucket: more than 4 rules under one /16 pair make tables of their
 * own lengths (the relaxed table is there, and full), and a packet finds
 * each where the walk would.
 */
static void test_class_full_bucket(void)
{
	struct minifw_err err = { 0 };
	const struct minifw_chain *ch;
	struct minifw_ruleset *rs;
	char script[2048], buf[512];
	size_t n = 0;
	u32 i;

	case_begin("classifier", "more rules under one /16 pair than a bucket holds");
	for (i = 0; i < 6; i++)
		n += snprintf(script + n, sizeof(script) - n,
			      "-A FORWARD -s 192.0.2.%u -d 198.51.100.0/24 -p tcp -j %s\n", i + 1,
			      i % 2 ? "ACCEPT" : "REJECT");
	for (i = 0; i < 2; i++)
		n += snprintf(script + n, sizeof(script) - n,
			      "-A FORWARD -s 192.0.2.%u/31 -d 198.51.100.0/24 -p tcp -j ACCEPT\n",
			      2 * i + 16);
	for (i = 0; i < 8; i++)
		n += snprintf(script + n, sizeof(script) - n,
			      "-A FORWARD -s 192.0.%u.0/24 -p tcp --dport %u -j DROP\n", i + 10,
			      1000 + i);
	rs = build(script);
	expect_ret("compile", 0, minifw_ruleset_compile(rs, &err));
	ch = &rs->chain[MINIFW_FORWARD];
	expect_int("segments", 1, ch->nruns);
	if (ch->nruns == 1 && ch->runs[0].kind == MINIFW_RUN_CLASS)
		expect_str("TCP's tables",
			   "/16 /16: 0 1 2 3; /32 /24: 4 5; /31 /24: 6 7; /16 /0: 8 9 10 11; "
			   "/24 /0 port: 12 13 14 15; ",
			   ctab_text(&ch->runs[0].cls[MINIFW_TAB_IPV4], IPPROTO_TCP, buf,
				     sizeof(buf)));
	else
		case_fail("one classified segment", "kind 2", "none", false);
	expect_str("the fifth /32, in a table of its own lengths", "REJECT",
		   eval_name(rs, MINIFW_FORWARD, "tcp 192.0.2.5:5 > 198.51.100.1:80"));
	expect_str("the sixth", "ACCEPT",
		   eval_name(rs, MINIFW_FORWARD, "tcp 192.0.2.6:5 > 198.51.100.1:80"));
	expect_str("a /31", "ACCEPT",
		   eval_name(rs, MINIFW_FORWARD, "tcp 192.0.2.19:5 > 198.51.100.1:80"));
	expect_str("the last /24", "DROP",
		   eval_name(rs, MINIFW_FORWARD, "tcp 192.0.17.1:5 > 198.51.100.1:1007"));
	expect_str("none", "ACCEPT",
		   eval_name(rs, MINIFW_FORWARD, "tcp 192.0.2.20:5 > 198.51.100.1:80"));
	expect_str("counts", "0:0 0:0 0:0 0:0 1:100 1:100 0:0 1:100 0:0 0:0 0:0 0:0 0:0 0:0 0:0 1:100 | 1:100",
		   counts(rs, MINIFW_FORWARD));
	minifw_ruleset_put(rs);
	case_end();
}

static void test_doc_example(void)
{
	struct minifw_ruleset *rs;
	struct minifw_err err = { 0 };
	const struct minifw_chain *ch;
	char buf[512];
	u32 i;

	case_begin("classifier", "the worked example of DOC: Compiled chains");
	rs = build("-A INPUT -s 10.0.0.0/8 -j ACCEPT\n-A INPUT -s 10.1.0.0/16 -j DROP\n"
		   "-A INPUT -s 192.0.2.0/24 -j DROP\n-A INPUT -s 10.1.2.0/24 -j REJECT\n"
		   "-A INPUT -d 198.51.100.7/32 -j DROP\n-A INPUT -s 192.0.2.0/24 -j ACCEPT\n"
		   "-A INPUT -j DROP\n-A INPUT -6 -s 2001:db8::/32 -j ACCEPT\n");
	expect_ret("compile", 0, minifw_ruleset_compile(rs, &err));
	ch = &rs->chain[MINIFW_INPUT];
	expect_int("runs", 1, ch->nruns);
	if (ch->nruns == 1) {
		expect_int("first", 0, ch->runs[0].first);
		expect_int("end", 8, ch->runs[0].end);
		expect_str("IPv4 sources",
			   "0.0.0.0 6, 10.0.0.0 0, 11.0.0.0 6, 192.0.2.0 2, 192.0.3.0 6, ",
			   itab4_text(&ch->runs[0].tab[0][0], buf, sizeof(buf)));
		expect_str("IPv4 destinations",
			   "0.0.0.0 -1, 198.51.100.7 4, 198.51.100.8 -1, ",
			   itab4_text(&ch->runs[0].tab[0][1], buf, sizeof(buf)));
		/* IPv6: ::/0 (rule 6) holds 2001:db8::/32 (rule 7): one interval */
		expect_int("IPv6 source intervals", 1, ch->runs[0].tab[1][0].n);
		expect_int("IPv6 destination intervals", 0, ch->runs[0].tab[1][1].n);
	}
	expect_str("10.1.2.3 > 198.51.100.7", "ACCEPT",
		   eval_name(rs, MINIFW_INPUT, "tcp 10.1.2.3:1 > 198.51.100.7:2"));
	expect_str("counts", "1:100 0:0 0:0 0:0 0:0 0:0 0:0 0:0 | 0:0", counts(rs, MINIFW_INPUT));
	expect_str("192.0.2.9 > 198.51.100.7", "DROP",
		   eval_name(rs, MINIFW_INPUT, "tcp 192.0.2.9:1 > 198.51.100.7:2"));
	expect_str("11.0.0.1 > 198.51.100.7", "DROP",
		   eval_name(rs, MINIFW_INPUT, "tcp 11.0.0.1:1 > 198.51.100.7:2"));
	expect_str("counts", "1:100 0:0 1:100 0:0 1:100 0:0 0:0 0:0 | 0:0", counts(rs, MINIFW_INPUT));
	expect_str("2001:db8::1 > 2001:db8::2: rule 6 first", "DROP",
		   eval_name(rs, MINIFW_INPUT, "tcp [2001:db8::1]:1 > [2001:db8::2]:2"));
	minifw_ruleset_put(rs);
	case_end();

	case_begin("classifier", "the worked example of port runs in DOC: Compiled chains");
	rs = build("-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -p tcp --dport 8000:8099 -j DROP\n"
		   "-A INPUT -p tcp --dport 8080 -j ACCEPT\n-A INPUT -p tcp --dport 443 -j ACCEPT\n"
		   "-A INPUT -p tcp --dport 1024:65535 -j REJECT\n-A INPUT -p tcp -m tcp -j DROP\n");
	minifw_run_min = 6;
	expect_ret("compile", 0, minifw_ruleset_compile(rs, &err));
	minifw_run_min = 8;
	ch = &rs->chain[MINIFW_INPUT];
	expect_int("runs", 1, ch->nruns);
	if (ch->nruns == 1) {
		const struct minifw_itab *t = &ch->runs[0].ports;
		size_t len = 0;

		expect_int("kind", MINIFW_RUN_DPORT, ch->runs[0].kind);
		buf[0] = '\0';
		for (i = 0; i < t->n; i++)
			len += snprintf(buf + len, sizeof(buf) - len, "%u %d, ", t->start4[i],
					(int)t->rule[i]);
		expect_str("intervals", "0 5, 80 0, 81 5, 443 3, 444 5, 1024 4, 8000 1, 8100 4, ", buf);
	}
	expect_str("to 8080", "DROP", eval_name(rs, MINIFW_INPUT, "tcp 192.0.2.9:1 > 198.51.100.7:8080"));
	expect_str("to 8100", "REJECT", eval_name(rs, MINIFW_INPUT, "tcp 192.0.2.9:1 > 198.51.100.7:8100"));
	expect_str("UDP", "ACCEPT", eval_name(rs, MINIFW_INPUT, "udp 192.0.2.9:1 > 198.51.100.7:80"));
	expect_str("counts", "0:0 1:100 0:0 0:0 1:100 0:0 | 1:100", counts(rs, MINIFW_INPUT));
	minifw_ruleset_put(rs);
	case_end();

		/*
	 * A short run of one kind may end where a run of the other starts:
	 * rule 0 and 1 share a source (a port run of two), rules 1 to 8 a
	 * port (an address run of eight)
	 */
	case_begin("classifier", "a run of one kind starting at the last rule of a short one of the other");
	rs = build("-A INPUT -s 10.0.0.1 -p tcp --dport 22 -j ACCEPT\n"
		   "-A INPUT -s 10.0.0.1 -p tcp --dport 80 -j ACCEPT\n"
		   "-A INPUT -s 10.0.0.2 -p tcp --dport 80 -j ACCEPT\n"
		   "-A INPUT -s 10.0.0.3 -p tcp --dport 80 -j ACCEPT\n"
		   "-A INPUT -s 10.0.0.4 -p tcp --dport 80 -j ACCEPT\n"
		   "-A INPUT -s 10.0.0.5 -p tcp --dport 80 -j ACCEPT\n"
		   "-A INPUT -s 10.0.0.6 -p tcp --dport 80 -j ACCEPT\n"
		   "-A INPUT -s 10.0.0.7 -p tcp --dport 80 -j ACCEPT\n"
		   "-A INPUT -s 10.0.0.8 -p tcp --dport 80 -j ACCEPT\n"
		   "-A OUTPUT -d 10.0.0.9 -p tcp --dport 22 -j ACCEPT\n"
		   "-A OUTPUT -d 10.0.0.1 -p tcp --dport 22 -j ACCEPT\n"
		   "-A OUTPUT -d 10.0.0.1 -p tcp --dport 23 -j ACCEPT\n"
		   "-A OUTPUT -d 10.0.0.1 -p tcp --dport 24 -j ACCEPT\n"
		   "-A OUTPUT -d 10.0.0.1 -p tcp --dport 25 -j ACCEPT\n"
		   "-A OUTPUT -d 10.0.0.1 -p tcp --dport 26 -j ACCEPT\n"
		   "-A OUTPUT -d 10.0.0.1 -p tcp --dport 27 -j ACCEPT\n"
		   "-A OUTPUT -d 10.0.0.1 -p tcp --dport 28 -j ACCEPT\n"
		   "-A OUTPUT -d 10.0.0.1 -p tcp --dport 29 -j ACCEPT\n");
	expect_ret("compile", 0, minifw_ruleset_compile(rs, &err));
	ch = &rs->chain[MINIFW_INPUT];
	expect_int("INPUT: runs", 1, ch->nruns);
	if (ch->nruns == 1) {
		expect_int("an address run", MINIFW_RUN_ADDR, ch->runs[0].kind);
		expect_int("from", 1, ch->runs[0].first);
		expect_int("to", 9, ch->runs[0].end);
	}
	ch = &rs->chain[MINIFW_OUTPUT];
	expect_int("OUTPUT: runs", 1, ch->nruns);
	if (ch->nruns == 1) {
		expect_int("a port run", MINIFW_RUN_DPORT, ch->runs[0].kind);
		expect_int("from", 1, ch->runs[0].first);
		expect_int("to", 9, ch->runs[0].end);
	}
	minifw_ruleset_put(rs);
	case_end();

	/* allocation K failing: -ENOMEM, and the chains are left uncompiled */
	case_begin("classifier", "minifw_ruleset_compile() with each allocation failing");
	for (i = 0; i < 100; i++) {
		int ret;

		rs = build("-A INPUT -s 10.0.0.0/8 -j DROP\n-A INPUT -d 10.0.0.0/8 -j DROP\n"
			   "-A INPUT -s 2001:db8::/32 -j DROP\n-A INPUT -d 2001:db8::/32 -j DROP\n"
			   "-A OUTPUT -s 10.0.0.0/8 -j DROP\n-A OUTPUT -s 10.0.0.0/8 -j DROP\n"
			   "-A FORWARD -p tcp --dport 1:9 -j DROP\n-A FORWARD -p tcp --dport 5 -j DROP\n");
		minifw_run_min = 2;
		minifw_user_alloc_fail_after = i;
		ret = minifw_ruleset_compile(rs, &err);
		minifw_user_alloc_fail_after = -1;
		minifw_run_min = 8;
		if (ret) {
			expect_ret("fails with", -ENOMEM, ret);
			expect_bool("INPUT uncompiled", true, !rs->chain[MINIFW_INPUT].runs);
			expect_bool("OUTPUT uncompiled", true, !rs->chain[MINIFW_OUTPUT].runs);
			expect_bool("FORWARD uncompiled", true, !rs->chain[MINIFW_FORWARD].runs);
		} else {
			expect_int("INPUT's runs", 1, rs->chain[MINIFW_INPUT].nruns);
			expect_int("OUTPUT's runs", 1, rs->chain[MINIFW_OUTPUT].nruns);
			expect_int("FORWARD's runs", 1, rs->chain[MINIFW_FORWARD].nruns);
		}
		expect_str("and still matches", "DROP",
			   eval_name(rs, MINIFW_INPUT, "tcp [2001:db8::1]:1 > [2001:db9::2]:2"));
		minifw_ruleset_put(rs);
		if (!ret)
			break;
	}
	expect_bool("some allocation was made to fail", true, i > 0 && i < 100);
	case_end();
}

/*
 * Port runs against the walk, long ones too (a bucket index from 64
 * intervals): random ranges, clustered, spread or at the ends of the port
 * space, and packets at every bound, interval start and bucket edge, one
 * off either side; later fragments, unreadable headers.
 */
static u32 pr_ports[4096];
static unsigned int pr_nports;

static void pr_add(u32 p)
{
	if (p <= U16_MAX && pr_nports < ARRAY_SIZE(pr_ports))
		pr_ports[pr_nports++] = p;
}

static u16 pr_port(unsigned int mode, u16 base)
{
	switch (mode) {
	case 0:
		return (u16)(rnd() % 65536);
	case 1:
		return (u16)(base + rnd() % 200);
	case 2:
		return (u16)(rnd() % 2 ? rnd() % 4 : 65535 - rnd() % 4);
	default:
		return (u16)(base + rnd() % 3000);
	}
}

/* The bounds, interval starts and bucket edges of @y's port runs, as probes. */
static unsigned long pr_edges(const struct minifw_chain *y, unsigned long *bucketed)
{
	unsigned long druns = 0;
	u32 i, k;

	for (i = 0; i < y->nruns; i++) {
		const struct minifw_itab *t = &y->runs[i].ports;

		if (y->runs[i].kind != MINIFW_RUN_DPORT)
			continue;
		druns++;
		expect_bool("as long as a run must be", true,
			    y->runs[i].end - y->runs[i].first >= minifw_run_min);
		for (k = 0; k < t->n; k++) {
			pr_add(t->start4[k]);
			pr_add(t->start4[k] - 1U);
		}
		if (!t->bucket)
			continue;
		(*bucketed)++;
		for (k = 0; k <= t->bmax + 2; k++) {
			u32 p = t->bbase + (k << t->bshift);

			pr_add(p - 1);
			pr_add(p);
			pr_add(p + 1);
		}
	}
	return druns;
}

static void test_port_runs(void)
{
	static const char *const shared[] = { "-p tcp", "-p udp", "-p tcp --syn", "-6 -p tcp",
					      "-s 10.0.0.0/8 -p udp", "-p udp --sport 53" };
	unsigned long r, bucketed = 0, druns = 0;
	char line[256];

	case_begin("classifier", "long port runs against the walk, at every edge");
	rnd_state = 0x1234567887654321ULL;
	for (r = 0; r < 300 && !tc.failed; r++) {
		struct minifw_ruleset *ref = minifw_ruleset_new(), *cmp = minifw_ruleset_new();
		unsigned int nrules = 1 + rnd() % (rnd() % 4 ? 300 : 3000), i, k, mode = rnd() % 4;
		const char *sh = shared[rnd() % ARRAY_SIZE(shared)];
		struct minifw_err err = { 0 };
		u16 base = (u16)(rnd() % 65536);
		char what[64];

		if (!ref || !cmp)
			abort();
		pr_nports = 0;
		pr_add(0);
		pr_add(1);
		pr_add(65534);
		pr_add(65535);
		for (i = 0; i < nrules; i++) {
			const char *t = rnd() % 2 ? "-j DROP" : rnd() % 2 ? "-j ACCEPT" : "-j REJECT";
			u16 lo = pr_port(mode, base), hi = lo;
			unsigned int kind = rnd() % 64;

			if (rnd() % 3 == 0) {
				hi = rnd() % 2 ? pr_port(mode, base) : (u16)(lo + rnd() % 50);
				if (hi < lo) {
					u16 x = lo;

					lo = hi;
					hi = x;
				}
			}
			pr_add(lo);
			pr_add(lo - 1U);
			pr_add(lo + 1U);
			pr_add(hi);
			pr_add(hi + 1U);
			if (kind == 0)
				snprintf(line, sizeof(line), "-A FORWARD %s ! --dport %u %s", sh, lo, t);
			else if (kind == 1)
				snprintf(line, sizeof(line), "-A FORWARD %s %s", sh, t);
			else if (kind == 2)
				snprintf(line, sizeof(line), "-A FORWARD -p udp --dport %u %s", lo, t);
			else if (kind == 3 && rnd() % 4 == 0)
				snprintf(line, sizeof(line), "-A FORWARD %s --dport %u -j LOG", sh, lo);
			else
				snprintf(line, sizeof(line), "-A FORWARD %s --dport %u:%u %s", sh, lo,
					 hi, t);
			diff_apply(ref, cmp, line);
		}
		minifw_run_min = 1 + rnd() % 8;
		if (minifw_ruleset_compile(cmp, &err))
			case_fail("compile", "no error", err.msg, true);
		druns += pr_edges(&cmp->chain[MINIFW_FORWARD], &bucketed);
		for (k = 0; k < 4 * pr_nports + 200 && !tc.failed; k++) {
			u32 port = k < pr_nports ? pr_ports[k] : rnd() % 65536;
			unsigned int v1, v2, w = rnd() % 20;
			struct test_pkt tp;

			make_pkt(&tp, rnd() % 3 ? "tcp 10.0.0.1:53 > 192.0.2.1:2" :
				 rnd() % 2 ? "udp 10.0.0.1:53 > 192.0.2.1:2" :
				 "tcp [2001:db8::1]:53 > [2001:db8::2]:2");
			tp.p.dport = htons((u16)port);
			tp.p.tcp_flags = (u8)rnd();
			if (w == 0)
				tp.p.fragoff = 1;
			else if (w == 1)
				tp.p.fragoff = 100;
			else if (w == 2)
				tp.p.l4 = tp.p.ports = false;
			else if (w == 3 && tp.p.family == MINIFW_FAM_IPV6)
				tp.p.badhdr = true;
			if (tp.p.badhdr)
				tp.p.l4 = tp.p.ports = false;
			v1 = minifw_chain_eval(ref, MINIFW_FORWARD, &tp.p);
			v2 = minifw_chain_eval(cmp, MINIFW_FORWARD, &tp.p);
			if (v1 != v2) {
				snprintf(what, sizeof(what), "round %lu, port %u (%u): verdict", r,
					 port, w);
				case_fail(what, minifw_target_name(v1 & 0xff),
					  minifw_target_name(v2 & 0xff), false);
			}
		}
		snprintf(what, sizeof(what), "round %lu", r);
		diff_counters(&ref->chain[MINIFW_FORWARD], &cmp->chain[MINIFW_FORWARD], what);
		minifw_ruleset_put(ref);
		minifw_ruleset_put(cmp);
	}
	minifw_run_min = 8;
	printf("port runs: %lu rounds, %lu runs, %lu with a bucket index\n", r, druns, bucketed);
	expect_bool("bucket indexes were made", true, bucketed > 20);
	case_end();
}

static void test_classifier(void)
{
	const char *env = getenv("MINIFW_DIFF_PACKETS");
	unsigned long total = env ? strtoul(env, NULL, 10) : 2000000, sent = 0;
	unsigned long runs = 0, port_runs = 0, looked_up = 0, decided_in_runs = 0, skips = 0;
	unsigned long class_runs = 0, decided_in_class = 0, multi_class = 0;
	unsigned int round = 0;
	char line[MINIFW_LINE_MAX + 1];

	test_doc_example();
	test_class_doc_example();
	test_class_full_bucket();
	test_compiled_shared();
	case_beginf("classifier", "%lu random packets through random rulesets", total);
	rnd_state = 0x5eed5eed12345678ULL;
	while (sent < total && !tc.failed) {
		struct minifw_ruleset *ref = minifw_ruleset_new(), *cmp = minifw_ruleset_new();
		struct minifw_err err = { 0 };
		unsigned int c, i, npkts;

		if (!ref || !cmp)
			abort();
		/*
		 * runs of every length, and the default; classified segments
		 * of every length, between them or (no runs) whole chains
		 */
		minifw_run_min = round % 4 == 3 ? 8 : 1 + round % 3;
		minifw_class_min = round % 5 == 4 ? 16 : 1 + round % 4;
		if (round % 7 == 6)
			minifw_run_min = U32_MAX;
		for (c = 0; c < MINIFW_NCHAINS; c++) {
			unsigned int nseg = rnd() % 12;

			if (rnd() % 2) {
				snprintf(line, sizeof(line), "-P %s DROP", minifw_chain_name(c));
				diff_apply(ref, cmp, line);
			}
			for (i = 0; i < nseg; i++) {
				const char *rest = diff_rest(c);
				/* a segment: a run's worth of alike rules, or one other rule */
				unsigned int k, len = rnd() % 3 ? 1 + rnd() % (rnd() % 4 ? 12 : 300) : 0;
				char shared[96];

				/* or a run of ports */
				if (len && rnd() % 3 == 0) {
					diff_port_shared(shared, sizeof(shared), c);
					for (k = 0; k < len; k++) {
						diff_port_rule(line, sizeof(line), c, shared);
						diff_apply(ref, cmp, line);
					}
					continue;
				}
				for (k = 0; k < len; k++) {
					diff_rule(line, sizeof(line), c, rest, rnd() % 16 != 0);
					diff_apply(ref, cmp, line);
				}
				if (!len) {
					diff_rule(line, sizeof(line), c, rest, false);
					diff_apply(ref, cmp, line);
				}
			}
		}
		if (minifw_ruleset_compile(cmp, &err))
			case_fail("compile", "no error", err.msg, true);
		for (c = 0; c < MINIFW_NCHAINS; c++) {
			runs += cmp->chain[c].nruns;
			for (i = 0; i < cmp->chain[c].nruns; i++) {
				port_runs += cmp->chain[c].runs[i].kind == MINIFW_RUN_DPORT;
				class_runs += cmp->chain[c].runs[i].kind == MINIFW_RUN_CLASS;
				multi_class += cmp->chain[c].runs[i].kind == MINIFW_RUN_CLASS &&
					       cmp->chain[c].runs[i].cls[MINIFW_TAB_IPV4].nclasses > 1;
			}
		}
		npkts = 2000 + rnd() % 8000;
		for (i = 0; i < npkts && !tc.failed; i++, sent++) {
			struct minifw_pkt skipped;
			struct test_pkt t;
			unsigned int v1, v2;

			diff_packet(&t);
			c = rnd() % MINIFW_NCHAINS;
			/* cmp also gets the packet with what its chain skips left out */
			skipped = t.p;
			hook_pkt_skip(&skipped, cmp->chain[c].skip);
			skips += cmp->chain[c].skip != 0;
			v1 = minifw_chain_eval(ref, c, &t.p);
			v2 = minifw_chain_eval(cmp, c, &skipped);
			looked_up += cmp->chain[c].nruns != 0;
			if (v1 != v2) {
				char what[96], exp[32], got[32];

				snprintf(what, sizeof(what), "round %u, packet %u, %s: verdict",
					 round, i, minifw_chain_name(c));
				snprintf(exp, sizeof(exp), "%s/%u", minifw_target_name(v1 & 0xff), v1 >> 8);
				snprintf(got, sizeof(got), "%s/%u", minifw_target_name(v2 & 0xff), v2 >> 8);
				case_fail(what, exp, got, false);
			}
		}
		for (c = 0; c < MINIFW_NCHAINS; c++) {
			const struct minifw_chain *y = &cmp->chain[c];
			char what[64];
			u32 r;

			for (r = 0; r < y->nruns; r++) {
				u32 k;

				for (k = y->runs[r].first; k < y->runs[r].end; k++) {
					u64 p, b;

					minifw_counter_read(y->rules[k].cnt, &p, &b);
					if (y->runs[r].kind == MINIFW_RUN_CLASS)
						decided_in_class += p;
					else
						decided_in_runs += p;
				}
			}
			snprintf(what, sizeof(what), "round %u, %s", round, minifw_chain_name(c));
			diff_counters(&ref->chain[c], y, what);
		}
		minifw_ruleset_put(ref);
		minifw_ruleset_put(cmp);
		round++;
	}
	diff_big_run();
	/* the comparison is only worth something if runs decided packets */
	expect_bool("rulesets had runs", true, runs > (unsigned long)round);
	expect_bool("packets went through chains with runs", true, looked_up > total / 4);
	expect_bool("rules in runs decided packets", true, decided_in_runs > total / 20);
	expect_bool("chains left packet fields out", true, skips > total / 20);
	printf("classifier: %lu packets, %u rulesets, %lu runs (%lu of ports, %lu classified, "
	       "%lu of them with protocol classes), %lu packets matched in runs, %lu in "
	       "classified segments\n", sent, round, runs, port_runs, class_runs, multi_class,
	       decided_in_runs, decided_in_class);
	expect_bool("classified segments had protocol classes", true, multi_class > 500);
	expect_bool("port runs were made", true, port_runs > 1000);
	expect_bool("segments were classified", true, class_runs > 1000);
	expect_bool("rules in classified segments matched packets", true,
		    decided_in_class > total / 20);
	minifw_run_min = 8;
	minifw_class_min = 16;
	case_end();
}

/*
 * services.c against the C library's getservbyname(), which iptables asks:
 * every TCP and UDP name of this machine's /etc/services gives the same
 * port in both (services.c was made from Debian 12's; scripts/services.sh
 * makes it anew when this fails on another), and no other protocol's.
 */
static unsigned int check_service(const char *name, unsigned int udp)
{
	const struct servent *want = getservbyname(name, udp ? "udp" : "tcp");

	expect_int(name, ntohs(want->s_port),
		   minifw_service_port(name, udp ? IPPROTO_UDP : IPPROTO_TCP));
	return 1;
}

static void test_services(void)
{
	const struct servent *se;
	unsigned int n = 0, udp;
	char **alias;

	case_begin("services", "/etc/services");
	setservent(0);
	while ((se = getservent())) {
		udp = !strcmp(se->s_proto, "udp");
		if (!udp && strcmp(se->s_proto, "tcp"))
			continue;
		n += check_service(se->s_name, udp);
		for (alias = se->s_aliases; *alias; alias++)
			n += check_service(*alias, udp);
	}
	endservent();
	expect_bool("names compared", true, n > 300);
	expect_int("no such name", -1, minifw_service_port("no-such-service", IPPROTO_TCP));
	expect_int("a UDP-only name as TCP", -1, minifw_service_port("tftp", IPPROTO_TCP));
	expect_int("a UDP-only name, any protocol", 69, minifw_service_port("tftp", 0));
	case_end();
}

/*
 * Random chains and jumps against a reference: rulesets of INPUT and up to
 * five user chains, built one random rule at a time (each through an edit
 * and the compiler, as a write goes), whose rules are kept here too, as
 * what they say. A rule is refused exactly when it would close a loop (the
 * reference looks for one itself; five chains cannot nest 33 calls), and
 * packets get from minifw_chain_eval() the verdict and counters of a
 * reference walk that follows iptables' rules for -j, -g, RETURN and a user
 * chain's end. Compiled with runs of two, so that calls return into runs.
 */
enum { RC_ANY, RC_SRC, RC_TCP22, RC_UDP, RC_ICMP, RC_MATCHES };
enum { RT_NONE, RT_ACCEPT, RT_DROP, RT_RETURN, RT_JUMP, RT_GOTO, RT_TARGETS };
#define RC_CHAINS 6		/* INPUT, then u1 .. u5 */
#define RC_RULES 40

struct rc_rule {
	u8 match, net, target, to;
};

struct rc_set {
	struct rc_rule rule[RC_CHAINS][RC_RULES];
	u32 n[RC_CHAINS];
	u64 hits[RC_CHAINS][RC_RULES], end[RC_CHAINS];
	u32 nchains;
	unsigned int policy;	/* INPUT's */
};

struct rc_pkt {
	u8 proto, net;
	u16 dport;
};

static const char *rc_chain(u32 c, char *buf)
{
	if (!c)
		return "INPUT";
	snprintf(buf, 12, "u%u", c);
	return buf;
}

static bool rc_matches(const struct rc_rule *r, const struct rc_pkt *p)
{
	switch (r->match) {
	case RC_SRC:
		return p->net == r->net;
	case RC_TCP22:
		return p->proto == IPPROTO_TCP && p->dport == 22;
	case RC_UDP:
		return p->proto == IPPROTO_UDP;
	case RC_ICMP:
		return p->proto == IPPROTO_ICMP;
	}
	return true;
}

/* Does a jump from chain @from to @to close a loop? */
static bool rc_reaches(const struct rc_set *set, u32 c, u32 to, u32 depth)
{
	u32 i;

	if (c == to)
		return true;
	for (i = 0; depth < RC_CHAINS && i < set->n[c]; i++)
		if (set->rule[c][i].target >= RT_JUMP &&
		    rc_reaches(set, set->rule[c][i].to, to, depth + 1))
			return true;
	return false;
}

/* The reference walk: iptables' ipt_do_table(), for these rules. */
static unsigned int rc_eval(struct rc_set *set, const struct rc_pkt *p)
{
	u32 stack[RC_CHAINS * 2][2], sp = 0, c = 0, i = 0;

	for (;;) {
		const struct rc_rule *r;

		if (i >= set->n[c]) {
			if (!c) {
				set->end[0]++;
				return set->policy;
			}
			set->end[c]++;
			goto ret;
		}
		r = &set->rule[c][i];
		if (!rc_matches(r, p)) {
			i++;
			continue;
		}
		set->hits[c][i]++;
		switch (r->target) {
		case RT_NONE:
			i++;
			continue;
		case RT_ACCEPT:
			return MINIFW_T_ACCEPT;
		case RT_DROP:
			return MINIFW_T_DROP;
		case RT_JUMP:
			stack[sp][0] = c;
			stack[sp++][1] = i + 1;
			fallthrough;
		case RT_GOTO:
			c = r->to;
			i = 0;
			continue;
		}
ret:
		if (!sp) {
			set->end[0]++;
			return set->policy;
		}
		sp--;
		c = stack[sp][0];
		i = stack[sp][1];
	}
}

static void rc_line(const struct rc_rule *r, u32 c, char *line)
{
	static const char *const matches[] = { "", "", " -p tcp --dport 22", " -p udp",
					       " -p icmp" };
	static const char *const targets[] = { "", " -j ACCEPT", " -j DROP", " -j RETURN",
					       " -j ", " -g " };
	char name[12], to[12], net[24] = "";

	if (r->match == RC_SRC)
		snprintf(net, sizeof(net), " -s 10.%u.0.0/16", r->net);
	sprintf(line, "-A %s%s%s%s%s", rc_chain(c, name), net, matches[r->match],
		targets[r->target], r->target >= RT_JUMP ? rc_chain(r->to, to) : "");
}

static void test_random_chains(void)
{
	static const char *const kinds[] = { "tcp", "tcp", "udp", "icmp" };
	static const char *const ports[] = { ":5 > 192.0.2.1:22", ":5 > 192.0.2.1:80",
					     ":53 > 192.0.2.1:53", " > 192.0.2.1" };
	static const u8 protos[] = { IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	unsigned int saved_min = minifw_run_min, rounds = 0, refused = 0, sent = 0, calls = 0;
	struct rc_set *set = calloc(1, sizeof(*set));
	char line[128], spec[64], name[12];
	struct minifw_err err;
	u32 round, k, c, i;

	if (!set)
		abort();
	minifw_run_min = 2;
	case_begin("chains", "random chains and jumps against a reference walk");
	for (round = 0; round < 300 && !tc.failed; round++) {
		struct minifw_ruleset *rs = minifw_ruleset_new(), *next;

		/* classified segments of every length, with calls inside; or runs */
		minifw_class_min = 1 + round % 6;
		minifw_run_min = round % 3 ? 2 : U32_MAX;
		memset(set, 0, sizeof(*set));
		set->nchains = 2 + rnd() % (RC_CHAINS - 1);
		set->policy = rnd() % 2 ? MINIFW_T_DROP : MINIFW_T_ACCEPT;
		if (set->policy == MINIFW_T_DROP) {
			next = edit(rs, "-P INPUT DROP", &err);
			minifw_ruleset_put(rs);
			rs = next;
		}
		for (c = 1; c < set->nchains; c++) {
			snprintf(line, sizeof(line), "-N u%u", c);
			next = edit(rs, line, &err);
			minifw_ruleset_put(rs);
			rs = next;
		}
		for (k = 0; k < 5 + rnd() % 35; k++) {
			struct rc_rule r;
			bool loop;
			int ret;

			/* one at a time: the order of an initializer's calls is not defined */
			r.match = rnd() % RC_MATCHES;
			r.net = rnd() % 4;
			r.target = rnd() % RT_TARGETS;

			c = rnd() % set->nchains;
			if (set->n[c] == RC_RULES)
				continue;
			/* address rules come in rows, so that runs form */
			if (set->n[c] && set->rule[c][set->n[c] - 1].match == RC_SRC && rnd() % 2)
				r.match = RC_SRC;
			r.to = 1 + rnd() % (set->nchains - 1);
			if (r.target < RT_JUMP)
				r.to = 0;
			loop = r.target >= RT_JUMP && rc_reaches(set, r.to, c, 0);
			rc_line(&r, c, line);
			next = edit(rs, line, &err);
			ret = IS_ERR(next) ? (int)PTR_ERR(next) : minifw_ruleset_compile(next, &err);
			if (!expect_bool(line, loop, ret != 0))
				break;
			if (ret) {
				expect_contains("err.msg", "would call itself", err.msg);
				refused++;
				if (!IS_ERR(next))
					minifw_ruleset_put(next);
				continue;
			}
			minifw_ruleset_put(rs);
			rs = next;
			set->rule[c][set->n[c]++] = r;
		}
		for (k = 0; k < 2 * 4 * 4 && !tc.failed; k++) {
			struct rc_pkt p = { protos[k % 4], (u8)(k / 4 % 4), 0 };
			struct test_pkt t;

			p.dport = k % 4 == 0 ? 22 : k % 4 == 1 ? 80 : 53;
			snprintf(spec, sizeof(spec), "%s 10.%u.1.1%s", kinds[k % 4], p.net,
				 ports[k % 4]);
			make_pkt(&t, spec);
			hook_pkt_skip(&t.p, rs->chain[MINIFW_INPUT].skip);
			expect_str(spec, minifw_target_name(rc_eval(set, &p)),
				   minifw_target_name(minifw_chain_eval(rs, MINIFW_INPUT, &t.p)));
			sent++;
		}
		for (c = 0; c < set->nchains && !tc.failed; c++) {
			int idx = c ? minifw_chain_find(rs, rc_chain(c, name)) : MINIFW_INPUT;
			const struct minifw_chain *ch = &rs->chain[idx];
			u64 pk, b;

			for (i = 0; i < ch->nruns; i++)
				for (k = ch->runs[i].first; ch->runs[i].kind == MINIFW_RUN_CLASS &&
				     k < ch->runs[i].end; k++)
					calls += ch->rules[k].target == MINIFW_T_JUMP;

			for (i = 0; i < set->n[c]; i++) {
				minifw_counter_read(ch->rules[i].cnt, &pk, &b);
				rc_line(&set->rule[c][i], c, line);
				expect_int(line, (long long)set->hits[c][i], (long long)pk);
			}
			minifw_counter_read(ch->policy_cnt, &pk, &b);
			expect_int(c ? "a user chain's end" : "INPUT's policy", (long long)set->end[c],
				   (long long)pk);
		}
		minifw_ruleset_put(rs);
		rounds++;
	}
	case_end();
	printf("random chains: %u rulesets, %u rules refused as loops, %u packets, "
	       "%u calls in classified segments\n", rounds, refused, sent, calls);
	expect_bool("classified segments had calls", true, calls > 100);
	minifw_run_min = saved_min;
	minifw_class_min = 16;
	free(set);
}

/*
 * Matches on what the hook reads of the skb on demand (length, TTL and hop
 * limit, packet type, mark) and -j MARK: FORWARD's verdict for the packet,
 * the mark it leaves, and the packets of each rule.
 */
static const struct {
	const char *rules, *pkt, *verdict;
	u32 mark;
	const char *counts;
} header_cases[] = {
	{ "-A FORWARD -m length --length 100 -j DROP", TCP10, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m length --length 101:65535 -j DROP", TCP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m length ! --length 0:99 -j DROP", TCP10, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m length --length :100 -j DROP", UDP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m ttl --ttl-eq 64 -j DROP", TCP10, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m ttl ! --ttl-eq 64 -j DROP", TCP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m ttl --ttl-lt 2 -j DROP", TCP10 " ttl=1", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m ttl --ttl-lt 1 -j DROP", TCP10 " ttl=1", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m ttl --ttl-gt 254 -j DROP", TCP10 " ttl=255", "DROP", 0, "FORWARD 1 | 0" },
	/* -m ttl is IPv4's, -m hl IPv6's: the other family's packets pass */
	{ "-A FORWARD -m ttl --ttl-eq 64 -j DROP", "tcp [2001:db8::1]:5 > [2001:db8::2]:22",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m hl --hl-eq 64 -j DROP", "tcp [2001:db8::1]:5 > [2001:db8::2]:22",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m hl --hl-lt 64 -j DROP", TCP10 " ttl=1", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m pkttype --pkt-type broadcast -j DROP", TCP10 " pkttype=broadcast",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m pkttype ! --pkt-type unicast -j DROP", TCP10 " pkttype=multicast",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m pkttype ! --pkt-type unicast -j DROP", TCP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m mark --mark 0x4000/0x4000 -j DROP", TCP10 " mark=0x4001", "DROP", 0x4001,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m mark ! --mark 0x4000/0x4000 -j DROP", TCP10 " mark=0x4001", "ACCEPT",
	  0x4001, "FORWARD 0 | 1" },
	/* one rule marks, a later one reads it (Kubernetes' masquerade mark) */
	{ "-A FORWARD -p tcp -j MARK --or-mark 0x4000\n-A FORWARD -m mark --mark 0x4000/0x4000 -j DROP",
	  TCP10 " mark=0x1", "DROP", 0x4001, "FORWARD 1 1 | 0" },
	{ "-A FORWARD -j MARK --set-mark 0x10/0xf0\n-A FORWARD -m mark --mark 0x17", TCP10 " mark=0xf7",
	  "ACCEPT", 0x17, "FORWARD 1 1 | 1" },
	{ "-A FORWARD -j MARK --and-mark 0xff\n-A FORWARD -j MARK --xor-mark 0x101", TCP10 " mark=0x1234",
	  "ACCEPT", 0x135, "FORWARD 1 1 | 1" },
	{ "-A FORWARD -j MARK --set-xmark 0x5/0x0", TCP10 " mark=0x3", "ACCEPT", 0x6,
	  "FORWARD 1 | 1" },
	{ "-A FORWARD -j MARK --set-mark 7", TCP10 " mark=0xffff0000", "ACCEPT", 7, "FORWARD 1 | 1" },
	/* in a user chain, then back */
	{ "-N m\n-A m -j MARK --set-mark 2\n-A FORWARD -j m\n-A FORWARD -m mark --mark 2 -j DROP",
	  TCP10, "DROP", 2, "FORWARD 1 1 | 0, m 1 | 1" },
	/* conntrack's options on the packet's connection */
#define CT_TCP "tcp 10.0.0.1:40000 > 192.0.2.1:22 ct=ESTABLISHED conn"
	{ "-A FORWARD -m conntrack --ctproto tcp --ctorigdstport 22 -j DROP", CT_TCP, "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m conntrack ! --ctproto tcp -j DROP", CT_TCP, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m conntrack --ctorigsrc 10.0.0.0/8 --ctrepldst 10.0.0.1 -j DROP", CT_TCP, "DROP",
	  0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m conntrack ! --ctorigsrc 10.0.0.0/8 -j DROP", CT_TCP, "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m conntrack --ctorigsrc 10.9.9.1/255.0.0.255 -j DROP", CT_TCP, "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m conntrack --ctorigsrc 10.9.9.2/255.0.0.255 -j DROP", CT_TCP, "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m conntrack --ctreplsrcport 22 --ctrepldstport 40000:40001 -j DROP", CT_TCP,
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m conntrack --ctdir ORIGINAL -j DROP", CT_TCP, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m conntrack --ctdir REPLY -j DROP", CT_TCP, "ACCEPT", 0, "FORWARD 0 | 1" },
	/* a reply: its tuple is the reply one */
	{ "-A FORWARD -m conntrack --ctdir REPLY --ctorigsrc 192.0.2.1 --ctorigdstport 40000 -j DROP",
	  "tcp 10.0.0.1:40000 > 192.0.2.1:22 ct=ESTABLISHED conn reply", "DROP", 0, "FORWARD 1 | 0" },
	/* DNAT: the original destination, and the reply's source the inner host */
	{ "-A FORWARD -m conntrack --ctstate DNAT --ctorigdstport 8080 --ctreplsrc 192.0.2.9 "
	  "--ctreplsrcport 80 -j DROP", "tcp 10.0.0.1:40000 > 198.51.100.1:8080 ct=NEW conn "
	  "dnat=192.0.2.9:80", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m conntrack --ctstate DNAT -j DROP", CT_TCP, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m conntrack ! --ctstate DNAT -j DROP", CT_TCP, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m state --state NEW -j DROP", "tcp 10.0.0.1:40000 > 198.51.100.1:8080 ct=NEW "
	  "conn dnat=192.0.2.9:80", "DROP", 0, "FORWARD 1 | 0" },
	/* status: any of the bits; NONE never */
	{ "-A FORWARD -m conntrack --ctstatus ASSURED,EXPECTED -j DROP", CT_TCP " ctstatus=0xc",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m conntrack --ctstatus SEEN_REPLY -j DROP", CT_TCP " ctstatus=0xc",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m conntrack --ctstatus NONE -j DROP", CT_TCP, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m conntrack ! --ctstatus NONE -j DROP", CT_TCP, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m conntrack --ctexpire 100:200 -j DROP", CT_TCP " ctexpire=200", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m conntrack ! --ctexpire 100:200 -j DROP", CT_TCP " ctexpire=201", "DROP", 0,
	  "FORWARD 1 | 0" },
	/* no connection: only a rule with a state (that matched) matches */
	{ "-A FORWARD -m conntrack --ctproto tcp -j DROP", "tcp 10.0.0.1:5 > 192.0.2.1:22 ct=INVALID",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m conntrack ! --ctproto tcp -j DROP", "tcp 10.0.0.1:5 > 192.0.2.1:22 ct=INVALID",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m conntrack --ctstate INVALID --ctproto udp -j DROP",
	  "tcp 10.0.0.1:5 > 192.0.2.1:22 ct=INVALID", "DROP", 0, "FORWARD 1 | 0" },
	/*
	 * -m state with -m conntrack's other options: both must match; without
	 * a connection the state may match, the conntrack match does not
	 */
	{ "-A FORWARD -m state --state ESTABLISHED -m conntrack --ctdir ORIGINAL -j DROP", CT_TCP,
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m state --state ESTABLISHED -m conntrack --ctdir REPLY -j DROP", CT_TCP,
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m conntrack --ctdir ORIGINAL -m state --state NEW -j DROP", CT_TCP, "ACCEPT",
	  0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m state --state INVALID -m conntrack ! --ctproto udp -j DROP",
	  "tcp 10.0.0.1:5 > 192.0.2.1:22 ct=INVALID", "ACCEPT", 0, "FORWARD 0 | 1" },
	/* IPv6 addresses */
	{ "-A FORWARD -m conntrack --ctorigdst 2001:db8::/64 --ctorigsrc 2001:db8:1::1 -j DROP",
	  "udp [2001:db8:1::1]:5 > [2001:db8::2]:53 ct=NEW conn", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m conntrack --ctorigdst 2001:db8::/64 -j DROP",
	  "udp [2001:db8:1::1]:5 > [2001:db8:1::2]:53 ct=NEW conn", "ACCEPT", 0, "FORWARD 0 | 1" },
	/* the DSCP: the upper six bits of the TOS byte, IPv4 and IPv6 */
	{ "-A FORWARD -m dscp --dscp 0x2e -j DROP", TCP10 " tos=0xb9", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m dscp --dscp-class EF -j DROP", TCP10 " tos=0xb8", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m dscp --dscp 0x2e -j DROP", TCP10 " tos=0x2e", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m dscp ! --dscp 0 -j DROP", TCP10 " tos=0x03", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m dscp ! --dscp 0 -j DROP", TCP10 " tos=0x04", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m dscp --dscp-class af41 -j DROP", "udp [2001:db8::1]:5 > [2001:db8::2]:53 tos=0x88",
	  "DROP", 0, "FORWARD 1 | 0" },
	/* ICMP code ranges; type 255 is any type, whatever the code (ip_tables) */
	{ "-A FORWARD -p icmp --icmp-type 3/0:2 -j DROP", "icmp 10.1.1.1 > 192.0.2.1 type=3/2", "DROP",
	  0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p icmp --icmp-type 3/0:2 -j DROP", "icmp 10.1.1.1 > 192.0.2.1 type=3/3", "ACCEPT",
	  0, "FORWARD 0 | 1" },
	{ "-A FORWARD -p icmp ! --icmp-type 3/0:2 -j DROP", "icmp 10.1.1.1 > 192.0.2.1 type=8/0", "DROP",
	  0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p icmp --icmp-type 255/255 -j DROP", "icmp 10.1.1.1 > 192.0.2.1 type=8/0", "DROP",
	  0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p ipv6-icmp --icmpv6-type 1/3:4 -j DROP",
	  "icmpv6 [2001:db8::1] > [2001:db8::2] type=1/4", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p ipv6-icmp --icmpv6-type mld-listener-report -j DROP",
	  "icmpv6 [2001:db8::1] > [ff02::16] type=131/0", "DROP", 0, "FORWARD 1 | 0" },
	/* -m esp: the SPI, the first 4 of the 8 bytes the packet must have */
#define ESP4 "50 10.1.1.1 > 192.0.2.1"
	{ "-A FORWARD -p esp -m esp --espspi 256:511 -j DROP", ESP4 " l4=0000010000000001", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -p esp -m esp --espspi 256:511 -j DROP", ESP4 " l4=0000020000000001", "ACCEPT",
	  0, "FORWARD 0 | 1" },
	{ "-A FORWARD -p esp -m esp ! --espspi 256:511 -j DROP", ESP4 " l4=0000020000000001", "DROP",
	  0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p esp -m esp --espspi 1 -j ACCEPT", ESP4 " l4=00000001000000", "DROP", 0,
	  "FORWARD 0 | 0" },
	{ "-A FORWARD -p esp -m esp -j DROP", ESP4 " frag l4=0000000100000001", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -p esp -m esp --espspi 7 -j DROP",
	  "50 [2001:db8::1] > [2001:db8::2] l4=0000000700000001", "DROP", 0, "FORWARD 1 | 0" },
#define FRAG6 "udp [2001:db8::1]:5 > [2001:db8::2]:53"
	/* -m ipv6header: exactly the headers, or (--soft) at least them */
	{ "-A FORWARD -m ipv6header --header frag,prot -j DROP", FRAG6 " ip6h=0x11", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m ipv6header --header frag -j DROP", FRAG6 " ip6h=0x11", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m ipv6header --header frag --soft -j DROP", FRAG6 " ip6h=0x11", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m ipv6header ! --header frag --soft -j DROP", FRAG6 " ip6h=0x11", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m ipv6header ! --header hop,frag --soft -j DROP", FRAG6 " ip6h=0x11", "ACCEPT",
	  0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m ipv6header ! --header hop --soft -j DROP", FRAG6 " ip6h=0x11", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m ipv6header ! --header prot -j DROP", FRAG6, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m ipv6header ! --header prot -j DROP", FRAG6 " ip6h=-1", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m ipv6header --header none -j ACCEPT", FRAG6 " ip6h=-2", "DROP", 0,
	  "FORWARD 0 | 0" },
	{ "-A FORWARD -m ipv6header --header dst,prot -j DROP", FRAG6 " exthdr=60:1100000000000000",
	  "DROP", 0, "FORWARD 1 | 0" },
	/* -m mh: the type (byte 2) of a header whose payload protocol is none (59) */
#define MH6 "135 [2001:db8::1] > [2001:db8::2]"
	{ "-A FORWARD -p mh -m mh --mh-type bu -j DROP", MH6 " l4=3b00050000000000", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -p mh -m mh --mh-type bu -j DROP", MH6 " l4=3b00060000000000", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -p mh -m mh ! --mh-type 5:7 -j DROP", MH6 " l4=3b00040000000000", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -p mh -m mh -j ACCEPT", MH6 " l4=0600050000000000", "DROP", 0, "FORWARD 0 | 0" },
	{ "-A FORWARD -p mh -m mh -j ACCEPT", MH6 " l4=3b0005", "DROP", 0, "FORWARD 0 | 0" },
	{ "-A FORWARD -p mh -m mh -j DROP", MH6 " frag l4=3b00050000000000", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	/* -m ah: IPv4's after -p ah (the SPI in bytes 4-7), IPv6's extension header */
#define AH4 "51 10.1.1.1 > 192.0.2.1"
	{ "-A FORWARD -p ah -m ah --ahspi 256:511 -j DROP", AH4 " l4=0604000000000100", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -p ah -m ah --ahspi 256:511 -j DROP", AH4 " l4=0604000000000200", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -p ah -m ah ! --ahspi 256:511 -j DROP", AH4 " l4=0604000000000200", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -p ah -m ah -j ACCEPT", AH4 " l4=06040000000001", "DROP", 0, "FORWARD 0 | 0" },
	{ "-A FORWARD -p ah -m ah -j DROP", AH4 " frag l4=0604000000000100", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m ah --ahspi 256 --ahlen 24 -j DROP", FRAG6 " exthdr=51:0604000000000100",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m ah --ahlen 16 -j DROP", FRAG6 " exthdr=51:0604000000000100", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m ah ! --ahlen 16 -j DROP", FRAG6 " exthdr=51:0604000000000100", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m ah --ahres -j DROP", FRAG6 " exthdr=51:0604000100000100", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m ah --ahres -j DROP", FRAG6 " exthdr=51:0604000000000100", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m ah ! --ahspi 5 -j DROP", FRAG6, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m ah -j ACCEPT", FRAG6 " exthdr=51:060400", "DROP", 0, "FORWARD 0 | 0" },
	/* -m frag: the header's id, offset and M flag; none, no match */
	{ "-A FORWARD -m frag --fragid 5:9 -j DROP", FRAG6 " exthdr=44:1100000100000007", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m frag --fragid 5:9 -j DROP", FRAG6 " exthdr=44:110000010000000a", "ACCEPT",
	  0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m frag ! --fragid 5:9 -j DROP", FRAG6, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m frag --fragfirst --fragmore -j DROP", FRAG6 " exthdr=44:1100000100000007",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m frag --fragfirst -j DROP", FRAG6 " exthdr=44:1100005800000007", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m frag --fraglast -j DROP", FRAG6 " exthdr=44:1100005800000007", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m frag --fragres -j DROP", FRAG6 " exthdr=44:1101005800000007", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m frag --fragres -j DROP", FRAG6 " exthdr=44:1100005e00000007", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m frag -j ACCEPT", FRAG6 " exthdr=44:110000", "DROP", 0, "FORWARD 0 | 0" },
	/* -m tos: the whole byte under the mask; a name's mask is 0x3f */
	{ "-A FORWARD -m tos --tos Minimize-Delay -j DROP", TCP10 " tos=0xd0", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m tos --tos 0x10 -j DROP", TCP10 " tos=0xd0", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m tos ! --tos 0x10 -j DROP", TCP10 " tos=0x10", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m tos --tos 0xb8/0xfc -j DROP", "udp [2001:db8::1]:5 > [2001:db8::2]:53 tos=0xb9",
	  "DROP", 0, "FORWARD 1 | 0" },
	/* as iptables: a value with bits outside its mask never matches */
	{ "-A FORWARD -m tos --tos 0xff/0x0f -j DROP", TCP10 " tos=0xff", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	/* -m ecn: each option given must hold */
	{ "-A FORWARD -m ecn --ecn-ip-ect 3 -j DROP", UDP10 " tos=0x03", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m ecn --ecn-ip-ect 3 -j DROP", UDP10 " tos=0x02", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m ecn ! --ecn-ip-ect 0 -j DROP", "udp [2001:db8::1]:5 > [2001:db8::2]:53 tos=0x01",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr -j DROP", TCP10 " tcpflags=0xc2",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr -j DROP", TCP10 " tcpflags=0x42",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -p tcp -m ecn ! --ecn-tcp-cwr --ecn-ip-ect 2 -j DROP", TCP10 " tcpflags=0x42 tos=2",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p tcp -m ecn ! --ecn-tcp-cwr --ecn-ip-ect 2 -j DROP", TCP10 " tcpflags=0x42 tos=1",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	/* an unread TCP header matches neither a flag nor its negation */
	{ "-A FORWARD -p tcp -m ecn ! --ecn-tcp-ece -j DROP", TCP10 " frag", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	/* -m tcpmss: no option, no match; cut short, dropped */
	{ "-A FORWARD -p tcp -m tcpmss --mss 1400:1460 -j DROP", TCP10 " mss=1460", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -p tcp -m tcpmss --mss 1400:1460 -j DROP", TCP10 " mss=1461", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -p tcp -m tcpmss --mss 1400:1460 -j DROP", TCP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -p tcp -m tcpmss ! --mss 1400:1460 -j DROP", TCP10, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p tcp -m tcpmss ! --mss 1400:1460 -j DROP", TCP10 " mss=1400", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -p tcp -m tcpmss ! --mss 1400:1460 -j ACCEPT", TCP10 " mss=bad", "DROP", 0,
	  "FORWARD 0 | 0" },
	{ "-A FORWARD -p tcp -m tcpmss --mss 1220 -j DROP", "tcp [2001:db8::1]:5 > [2001:db8::2]:80 mss=1220",
	  "DROP", 0, "FORWARD 1 | 0" },
	/* the Ethernet source; none: neither the rule nor its negation */
	{ "-A FORWARD -m mac --mac-source 42:01:02:03:04:05 -j DROP", TCP10 " mac=42:1:2:3:4:5",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m mac --mac-source 42:01:02:03:04:05 -j DROP", TCP10 " mac=42:1:2:3:4:6",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m mac ! --mac-source 42:01:02:03:04:05 -j DROP", TCP10 " mac=42:1:2:3:4:6",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m mac ! --mac-source 42:01:02:03:04:05 -j DROP", TCP10, "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	/* the IPv6 routing header: none matches neither the rule nor a negation */
#define RT6 "udp [2001:db8::1]:5 > [2001:db8::2]:53"
	{ "-A FORWARD -m rt --rt-type 0 -j DROP", RT6 " rt=0/2/40", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m rt --rt-type 0 -j DROP", RT6 " rt=2/1/24", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m rt ! --rt-type 0 -j DROP", RT6, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m rt -j DROP", RT6 " rt=4/0/8", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m rt --rt-segsleft 1:2 --rt-len 40 -j DROP", RT6 " rt=0/2/40", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m rt ! --rt-segsleft 1:2 -j DROP", RT6 " rt=0/2/40", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m rt --rt-type 0 --rt-0-res -j DROP", RT6 " rt=0/2/40/7", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m rt --rt-type 0 --rt-0-res -j DROP", RT6 " rt=0/2/40/0", "DROP", 0,
	  "FORWARD 1 | 0" },
	/* IPv6's: an IPv4 packet passes */
	{ "-A FORWARD -m rt -j DROP", UDP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	/*
	 * -m hbh and -m dst: a Hop-by-Hop header of 8 bytes with a router
	 * alert (5, 2 bytes of data) and a PadN (1, none); --hbh-opts is a
	 * prefix of the header's options
	 */
#define HBH6 RT6 " exthdr=0:1100050200000100"
	{ "-A FORWARD -m hbh -j DROP", HBH6, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m hbh --hbh-len 8 -j DROP", HBH6, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m hbh ! --hbh-len 8 -j DROP", HBH6, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m hbh ! --hbh-len 16 -j DROP", HBH6, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m hbh --hbh-opts 5:2 -j DROP", HBH6, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m hbh --hbh-opts 5:2,1:0 -j DROP", HBH6, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m hbh --hbh-opts 5,1 -j DROP", HBH6, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m hbh --hbh-opts 1 -j DROP", HBH6, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m hbh --hbh-opts 5:3 -j DROP", HBH6, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m hbh --hbh-opts 5,1,0 -j DROP", HBH6, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m hbh --hbh-len 16 --hbh-opts 5 -j DROP", HBH6, "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m dst -j DROP", HBH6, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m dst --dst-opts 5:2 -j DROP", RT6 " exthdr=60:1100050200000100", "DROP",
	  0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m hbh -j DROP", RT6 " exthdr=60:1100050200000100", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	/* two Pad1 and a PadN of 2 bytes: Pad1 has no length byte */
	{ "-A FORWARD -m hbh --hbh-opts 0,0,1:2 -j DROP", RT6 " exthdr=0:1100000001020000",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m hbh --hbh-opts 0,1:2 -j DROP", RT6 " exthdr=0:1100000001020000",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	/* an option that runs past the header's end: only as the last named */
	{ "-A FORWARD -m hbh --hbh-opts 5:8 -j DROP", RT6 " exthdr=0:1100050800000000", "DROP",
	  0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m hbh --hbh-opts 5,1 -j DROP", RT6 " exthdr=0:1100050800000000", "ACCEPT",
	  0, "FORWARD 0 | 1" },
	/* a header longer than the packet (16 bytes of 8): dropped, uncounted */
	{ "-A FORWARD -m hbh -j ACCEPT", RT6 " exthdr=0:1101050200000100", "DROP", 0,
	  "FORWARD 0 | 0" },
	{ "-A FORWARD -m hbh -j ACCEPT", RT6, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m dst -j DROP", UDP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	/*
	 * -m connbytes: a connection that carried 3 packets of 300 bytes in
	 * the original direction and 2 of 1000 in reply; avgpkt 100, 500 and
	 * 260 (1300 / 5)
	 */
#define CB TCP10 " conn acct=3/300/2/1000"
#define CBR(range, mode, dir) "-A FORWARD -m connbytes --connbytes " range \
	" --connbytes-mode " mode " --connbytes-dir " dir " -j DROP"
	{ CBR("3", "packets", "original"), CB, "DROP", 0, "FORWARD 1 | 0" },
	{ CBR("4", "packets", "original"), CB, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ CBR("0:2", "packets", "reply"), CB, "DROP", 0, "FORWARD 1 | 0" },
	{ CBR("5:5", "packets", "both"), CB, "DROP", 0, "FORWARD 1 | 0" },
	{ CBR("0:4", "packets", "both"), CB, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ CBR("1300", "bytes", "both"), CB, "DROP", 0, "FORWARD 1 | 0" },
	{ CBR("301", "bytes", "original"), CB, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ CBR("100:100", "avgpkt", "original"), CB, "DROP", 0, "FORWARD 1 | 0" },
	{ CBR("500:500", "avgpkt", "reply"), CB, "DROP", 0, "FORWARD 1 | 0" },
	{ CBR("260:260", "avgpkt", "both"), CB, "DROP", 0, "FORWARD 1 | 0" },
	{ CBR("261", "avgpkt", "both"), CB, "ACCEPT", 0, "FORWARD 0 | 1" },
	/* "!": outside the range; its ends are in it */
	{ "-A FORWARD -m connbytes ! --connbytes 4:10 --connbytes-mode packets "
	  "--connbytes-dir original -j DROP", CB, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m connbytes ! --connbytes 3:10 --connbytes-mode packets "
	  "--connbytes-dir original -j DROP", CB, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m connbytes ! --connbytes 1:2 --connbytes-mode packets "
	  "--connbytes-dir reply -j DROP", CB, "ACCEPT", 0, "FORWARD 0 | 1" },
	/* before its first packet avgpkt is 0 */
	{ CBR("0:0", "avgpkt", "reply"), TCP10 " conn acct=1/60/0/0", "DROP", 0,
	  "FORWARD 1 | 0" },
	/* no connection, or no accounting: no match, negated or not */
	{ CBR("0", "packets", "both"), TCP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ CBR("0", "packets", "both"), TCP10 " conn", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m connbytes ! --connbytes 4:10 --connbytes-mode packets "
	  "--connbytes-dir original -j DROP", TCP10 " conn", "ACCEPT", 0, "FORWARD 0 | 1" },
	/*
	 * -m helper: the helper of the connection's master, by the beginning
	 * of the name given; "" is any; no helper matches only "!"
	 */
	{ "-A FORWARD -m helper --helper ftp -j DROP", TCP10 " conn helper=ftp", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m helper --helper ftp-21 -j DROP", TCP10 " conn helper=ftp", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m helper --helper ft -j DROP", TCP10 " conn helper=ftp", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m helper --helper irc -j DROP", TCP10 " conn helper=ftp", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m helper --helper \"\" -j DROP", TCP10 " conn helper=sip", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m helper ! --helper ftp -j DROP", TCP10 " conn helper=irc", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m helper ! --helper ftp -j DROP", TCP10 " conn helper=ftp", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m helper --helper \"\" -j DROP", TCP10 " conn", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m helper ! --helper ftp -j DROP", TCP10 " conn", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m helper ! --helper \"\" -j DROP", TCP10, "DROP", 0, "FORWARD 1 | 0" },
	/* -m sctp: a DATA chunk (flags B, E) of 16 bytes after the common header */
#define SCTP_DATA "132 10.1.1.1:5000 > 192.0.2.1:80 l4hex=13880050000000000000000000030010000000000000000000000000"
	{ "-A FORWARD -p sctp -m sctp --dport 80 --chunk-types any DATA -j DROP", SCTP_DATA, "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -p sctp -m sctp ! --dport 80 -j DROP", SCTP_DATA, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -p sctp --chunk-types all DATA,INIT -j DROP", SCTP_DATA, "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -p sctp --chunk-types any DATA:E -j DROP", SCTP_DATA, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p sctp --chunk-types any DATA:e -j DROP", SCTP_DATA, "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -p sctp --chunk-types only DATA -j DROP", SCTP_DATA, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p sctp ! --chunk-types only INIT -j DROP", SCTP_DATA, "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -p sctp -m multiport --dports 79:81 -j DROP", SCTP_DATA, "DROP", 0,
	  "FORWARD 1 | 0" },
	/* a chunk of length 0: dropped, as xt_sctp drops it, even by an ACCEPT rule */
	{ "-A FORWARD -p sctp --chunk-types any INIT -j ACCEPT",
	  "132 10.1.1.1:5000 > 192.0.2.1:80 l4hex=138800500000000000000000000300000000", "DROP", 0,
	  "FORWARD 0 | 0" },
	/* -m dccp: a REQUEST (X set), doff 6, options 1 and 32 (length 3) */
#define DCCP_REQ "33 10.1.1.1:5000 > 192.0.2.1:80 l4hex=138800500600000001000000000000000000000001200302"
	{ "-A FORWARD -p dccp --dccp-types REQUEST -j DROP", DCCP_REQ, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p dccp ! --dccp-types REQUEST,DATA -j DROP", DCCP_REQ, "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -p dccp --dccp-option 32 -j DROP", DCCP_REQ, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -p dccp --dccp-option 5 -j DROP", DCCP_REQ, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -p dccp ! --dccp-option 5 --sport 5000 -j DROP", DCCP_REQ, "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -p dccp -m multiport --sports 5000 -j DROP", DCCP_REQ, "DROP", 0,
	  "FORWARD 1 | 0" },
	/* doff 1: shorter than the header, dropped by an option rule */
	{ "-A FORWARD -p dccp --dccp-option 5 -j ACCEPT",
	  "33 10.1.1.1:5000 > 192.0.2.1:80 l4hex=138800500100000001000000000000000000000001200302",
	  "DROP", 0, "FORWARD 0 | 0" },
	{ "-A FORWARD -p udplite -m multiport --dports 80 -j DROP", "136 10.1.1.1:5 > 192.0.2.1:80",
	  "DROP", 0, "FORWARD 1 | 0" },
	/* -m physdev: the ports of a bridged packet, as xt_physdev reads them */
	{ "-A FORWARD -m physdev --physdev-in vnet0 -j DROP", TCP10 " physin=vnet0 physout=eth0",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m physdev --physdev-in vnet+ -j DROP", TCP10 " physin=vnet12", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m physdev ! --physdev-in vnet0 -j DROP", TCP10 " physin=vnet0", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m physdev --physdev-in vnet0 -j DROP", TCP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m physdev ! --physdev-in vnet0 -j DROP", TCP10, "DROP", 0, "FORWARD 1 | 0" },
	/* bridged, no input port: --physdev-in says nothing */
	{ "-A FORWARD -m physdev --physdev-in vnet0 -j DROP", TCP10 " bridged", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m physdev --physdev-is-bridged -j DROP", TCP10 " physin=a physout=b", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m physdev --physdev-is-bridged -j DROP", TCP10 " physin=a", "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m physdev ! --physdev-is-bridged -j DROP", TCP10 " physin=a", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m physdev --physdev-out eth1 --physdev-is-bridged -j DROP",
	  TCP10 " physin=a physout=eth1", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m physdev ! --physdev-out eth1 --physdev-is-bridged -j DROP",
	  TCP10 " physin=a physout=eth1", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m physdev --physdev-is-in ! --physdev-is-out -j DROP", TCP10 " physin=a",
	  "DROP", 0, "FORWARD 1 | 0" },
	/* -m nfacct: true unless the object has a quota not yet reached */
	{ "-A FORWARD -m nfacct --nfacct-name all -j DROP", TCP10, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m nfacct --nfacct-name quota1 -j DROP", TCP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	/* -m string: the text is at 40 (IPv4) or 60 (IPv6), --to not included */
	{ "-A FORWARD -m string --string admin --algo bm -j DROP", TCP10 " text=GET_/admin", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m string --string admin --algo kmp -j DROP", TCP10 " text=GET_/Admin",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m string --string admin --algo kmp --icase -j DROP", TCP10 " text=GET_/ADMIN",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m string ! --string admin --algo bm -j DROP", TCP10 " text=GET_/", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m string --string \"GET /\" --algo bm -j DROP", TCP10 " text=GET_/", "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m string --hex-string \"|47 45|T\" --algo bm -j DROP", TCP10 " text=GET_/",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m string --string GET --algo bm --from 40 --to 43 -j DROP", TCP10 " text=GET_/",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m string --string GET --algo bm --from 41 -j DROP", TCP10 " text=GET_/",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m string --string GET --algo bm --to 42 -j DROP", TCP10 " text=GET_/",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m string --string GET --algo bm --from 60 --to 63 -j DROP",
	  "tcp [2001:db8::1]:5 > [2001:db8::2]:80 text=GET", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m string --string GET --algo bm -j DROP", TCP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	/* addrtype, by user space's model (include/walk.h): 127/8 is local */
	{ "-A FORWARD -m addrtype --dst-type LOCAL -j DROP", "udp 10.0.0.1:5 > 127.0.0.1:53",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m addrtype --dst-type LOCAL -j DROP", UDP10, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m addrtype ! --dst-type LOCAL -j DROP", UDP10, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m addrtype --dst-type BROADCAST,MULTICAST -j DROP",
	  "udp 10.0.0.1:68 > 255.255.255.255:67", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m addrtype --dst-type BROADCAST,MULTICAST -j DROP",
	  "udp 10.0.0.1:5 > 224.0.0.251:5353", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m addrtype --src-type UNICAST --dst-type LOCAL -j DROP",
	  "udp 127.0.0.2:5 > 127.0.0.1:53", "ACCEPT", 0, "FORWARD 0 | 1" },
	/* -m time, on Monday 2024-03-04 10:30:00 UTC and Tuesday 01:00 */
#define MON1030 TCP10 " now=1709548200"
#define TUE0100 TCP10 " now=1709600400"
	{ "-A FORWARD -m time --timestart 09:00 --timestop 17:00 -j DROP", MON1030, "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m time --timestart 10:30:01 --timestop 17:00 -j DROP", MON1030, "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m time --timestart 09:00 --timestop 10:30 -j DROP", MON1030, "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m time --timestart 22:00 --timestop 06:00 -j DROP", TUE0100, "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m time --timestart 22:00 --timestop 06:00 -j DROP", MON1030, "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m time --timestart 22:00 --timestop 06:00 --weekdays Tue -j DROP", TUE0100,
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m time --timestart 22:00 --timestop 06:00 --weekdays Mon -j DROP", TUE0100,
	  "ACCEPT", 0, "FORWARD 0 | 1" },
	/* --contiguous: after midnight, still Monday's night */
	{ "-A FORWARD -m time --timestart 22:00 --timestop 06:00 --weekdays Mon --contiguous -j DROP",
	  TUE0100, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m time --timestart 22:00 --timestop 06:00 --monthdays 4 --contiguous -j DROP",
	  TUE0100, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m time --weekdays Sat,Sun -j DROP", MON1030, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m time ! --weekdays Sat,Sun -j DROP", MON1030, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m time --monthdays 4 -j DROP", MON1030, "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m time --monthdays 5 -j DROP", MON1030, "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m time --monthdays 5 -j DROP", TUE0100, "DROP", 0, "FORWARD 1 | 0" },
	/* the dates are inclusive */
	{ "-A FORWARD -m time --datestart 2024-03-04T10:30:01 -j DROP", MON1030, "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m time --datestart 2024-03-04T10:30 -j DROP", MON1030, "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m time --datestop 2024-03-04T10:30:00 -j DROP", MON1030, "DROP", 0,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m time --datestop 2024-03-04T10:29:59 -j DROP", MON1030, "ACCEPT", 0,
	  "FORWARD 0 | 1" },
	/* --kerneltz: the kernel's timezone, minutes west of UTC */
	{ "-A FORWARD -m time --timestart 09:00 --timestop 10:00 --kerneltz -j DROP",
	  MON1030 " tzwest=-60", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m time --timestart 09:00 --timestop 10:00 --kerneltz -j DROP",
	  MON1030 " tzwest=60", "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m time --timestart 09:00 --timestop 10:00 -j DROP",
	  MON1030 " tzwest=60", "ACCEPT", 0, "FORWARD 0 | 1" },
	/* IPv6: each of MULTICAST, UNICAST, UNSPEC is a condition, as xt_addrtype */
	{ "-A FORWARD -m addrtype --dst-type MULTICAST -j DROP", "udp [2001:db8::1]:5 > [ff02::fb]:5353",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m addrtype --dst-type MULTICAST,UNICAST -j DROP",
	  "udp [2001:db8::1]:5 > [ff02::fb]:5353", "ACCEPT", 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m addrtype --dst-type LOCAL,UNICAST -j DROP", "udp [2001:db8::1]:5 > [::1]:53",
	  "DROP", 0, "FORWARD 1 | 0" },
	{ "-A FORWARD -m addrtype --dst-type LOCAL -j DROP", "udp [2001:db8::1]:5 > [2001:db8::2]:53",
	  "ACCEPT", 0, "FORWARD 0 | 1" },
};

/*
 * Build @rules, send packet @pkt (into *@t) through FORWARD and expect
 * @verdict; the caller checks the rest and puts the ruleset.
 */
static struct minifw_ruleset *forward_case(const char *rules, const char *pkt,
					   const char *verdict, struct test_pkt *t)
{
	struct minifw_ruleset *rs = build(rules);

	make_pkt(t, pkt);
	hook_pkt_skip(&t->p, rs->chain[MINIFW_FORWARD].skip);
	expect_str("verdict", verdict,
		   minifw_target_name(minifw_chain_eval(rs, MINIFW_FORWARD, &t->p)));
	return rs;
}

static void test_header_matches(void)
{
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(header_cases); k++) {
		struct minifw_ruleset *rs;
		struct test_pkt t;

		case_beginf("header matches", "\"%s\" for %s", header_cases[k].rules,
			    header_cases[k].pkt);
		rs = forward_case(header_cases[k].rules, header_cases[k].pkt,
				  header_cases[k].verdict, &t);
		expect_int("mark after", header_cases[k].mark, t.u.mark);
		expect_str("counters", header_cases[k].counts, chain_pkts(rs));
		minifw_ruleset_put(rs);
		case_end();
	}
}

/*
 * -m connmark and -j CONNMARK, as xt_connmark: the packet's and its
 * connection's mark after the chain. Without a connection neither acts.
 */
static const struct {
	const char *rules, *pkt, *verdict;
	u32 mark, ctmark;
	const char *counts;
} connmark_cases[] = {
	{ "-A FORWARD -m connmark --mark 0x1 -j DROP", TCP10 " conn ctmark=1", "DROP", 0, 1,
	  "FORWARD 1 | 0" },
	{ "-A FORWARD -m connmark --mark 0x1 -j DROP", TCP10 " conn ctmark=3", "ACCEPT", 0, 3,
	  "FORWARD 0 | 1" },
	{ "-A FORWARD -m connmark --mark 0x10/0xf0 -j DROP", TCP10 " conn ctmark=0x1f", "DROP", 0,
	  0x1f, "FORWARD 1 | 0" },
	{ "-A FORWARD -m connmark ! --mark 0x1 -j DROP", TCP10 " conn ctmark=2", "DROP", 0, 2,
	  "FORWARD 1 | 0" },
	/* no connection: no match, negated or not */
	{ "-A FORWARD -m connmark ! --mark 0x1 -j DROP", TCP10, "ACCEPT", 0, 0, "FORWARD 0 | 1" },
	{ "-A FORWARD -m connmark --mark 0 -j DROP", TCP10, "ACCEPT", 0, 0, "FORWARD 0 | 1" },
	/* the usual three: restore, mark the new, save */
	{ "-A FORWARD -j CONNMARK --restore-mark\n-A FORWARD -m mark --mark 0 -j MARK --set-mark 7\n"
	  "-A FORWARD -j CONNMARK --save-mark", TCP10 " conn", "ACCEPT", 7, 7, "FORWARD 1 1 1 | 1" },
	{ "-A FORWARD -j CONNMARK --restore-mark\n-A FORWARD -m mark --mark 0 -j MARK --set-mark 7\n"
	  "-A FORWARD -j CONNMARK --save-mark", TCP10 " conn ctmark=5", "ACCEPT", 5, 5,
	  "FORWARD 1 0 1 | 1" },
	{ "-A FORWARD -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xf0f0", TCP10 " conn mark=0x1234 ctmark=0xffff",
	  "ACCEPT", 0x1234, 0x0f3b, "FORWARD 1 | 1" },
	{ "-A FORWARD -j CONNMARK --restore-mark --ctmask 0xff00 --nfmask 0xff --right-shift-mark 8",
	  TCP10 " conn mark=0x1234 ctmark=0xab00", "ACCEPT", 0x12ab, 0xab00, "FORWARD 1 | 1" },
	{ "-A FORWARD -j CONNMARK --save-mark --mask 0xf --left-shift-mark 4",
	  TCP10 " conn mark=0x37 ctmark=0x100", "ACCEPT", 0x37, 0x170, "FORWARD 1 | 1" },
	{ "-A FORWARD -j CONNMARK --set-xmark 0x5/0xf", TCP10 " conn ctmark=0x123", "ACCEPT", 0,
	  0x125, "FORWARD 1 | 1" },
	{ "-A FORWARD -j CONNMARK --set-mark 1 --left-shift-mark 4", TCP10 " conn ctmark=0x3", "ACCEPT",
	  0, 0x10, "FORWARD 1 | 1" },
	{ "-A FORWARD -j CONNMARK --or-mark 0x4000", TCP10 " conn ctmark=1", "ACCEPT", 0, 0x4001,
	  "FORWARD 1 | 1" },
	{ "-A FORWARD -j CONNMARK --and-mark 0xff", TCP10 " conn ctmark=0x1234", "ACCEPT", 0, 0x34,
	  "FORWARD 1 | 1" },
	{ "-A FORWARD -j CONNMARK --xor-mark 3\n-A FORWARD -m connmark --mark 2 -j DROP",
	  TCP10 " conn ctmark=1", "DROP", 0, 2, "FORWARD 1 1 | 0" },
	/* no connection: counted, nothing changed */
	{ "-A FORWARD -j CONNMARK --set-mark 9\n-A FORWARD -j CONNMARK --restore-mark",
	  TCP10 " mark=3", "ACCEPT", 3, 0, "FORWARD 1 1 | 1" },
};

static void test_connmark(void)
{
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(connmark_cases); k++) {
		struct minifw_ruleset *rs;
		struct test_pkt t;

		case_beginf("connmark", "\"%s\" for %s", connmark_cases[k].rules,
			    connmark_cases[k].pkt);
		rs = forward_case(connmark_cases[k].rules, connmark_cases[k].pkt,
				  connmark_cases[k].verdict, &t);
		expect_int("mark after", connmark_cases[k].mark, t.u.mark);
		expect_int("connection's mark after", connmark_cases[k].ctmark, t.u.ctmark);
		expect_str("counters", connmark_cases[k].counts, chain_pkts(rs));
		/* both need connection tracking, which then runs */
		expect_bool("conntrack needed", true, minifw_ruleset_has_ctstate(rs));
		minifw_ruleset_put(rs);
		case_end();
	}
}

/*
 * -m set and -j SET against the model of ipset's sets (include/ipset.h):
 * each case runs its packet @times times, with blocklist holding
 * 10.1.1.1 (TCP10's source) first; afterwards, is @member in blocklist?
 */
static const struct {
	const char *rules, *pkt;
	unsigned int times;
	const char *verdict, *counts, *member;
	bool in;
} set_cases[] = {
	{ "-A FORWARD -m set --match-set blocklist src -j DROP", TCP10, 1, "DROP", "FORWARD 1 | 0",
	  "10.1.1.1", true },
	{ "-A FORWARD -m set ! --match-set blocklist src -j DROP", TCP10, 1, "ACCEPT",
	  "FORWARD 0 | 1", "10.1.1.1", true },
	{ "-A FORWARD -m set --match-set blocklist dst -j DROP", TCP10, 1, "ACCEPT", "FORWARD 0 | 1",
	  "10.1.1.1", true },
	{ "-A FORWARD -m set ! --match-set blocklist dst -j DROP", TCP10, 1, "DROP", "FORWARD 1 | 0",
	  "10.1.1.1", true },
	/* the set counts the packet, then compares: 1, 2, 3 */
	{ "-A FORWARD -m set --match-set blocklist src --packets-gt 2", TCP10, 3, "ACCEPT",
	  "FORWARD 1 | 3", "10.1.1.1", true },
	{ "-A FORWARD -m set --match-set blocklist src --bytes-lt 201", TCP10, 3, "ACCEPT",
	  "FORWARD 2 | 3", "10.1.1.1", true },
	{ "-A FORWARD -m set --match-set blocklist src ! --update-counters --packets-eq 0", TCP10, 3,
	  "ACCEPT", "FORWARD 3 | 3", "10.1.1.1", true },
	{ "-A FORWARD -m set --match-set blocklist src ! --packets-eq 2", TCP10, 3, "ACCEPT",
	  "FORWARD 2 | 3", "10.1.1.1", true },
	/* -j SET goes on; a later rule sees what it did */
	{ "-A FORWARD -j SET --add-set blocklist dst\n-A FORWARD -m set --match-set blocklist dst -j DROP",
	  TCP10, 1, "DROP", "FORWARD 1 1 | 0", "192.0.2.1", true },
	{ "-A FORWARD -j SET --del-set blocklist src\n-A FORWARD -m set --match-set blocklist src -j DROP",
	  TCP10, 1, "ACCEPT", "FORWARD 1 0 | 1", "10.1.1.1", false },
	{ "-A FORWARD -j SET --add-set blocklist dst --del-set blocklist src", TCP10, 2, "ACCEPT",
	  "FORWARD 2 | 2", "192.0.2.1", true },
	/* two -m set: both must match, each with its own options */
	{ "-A FORWARD -m set --match-set blocklist src -m set --match-set allowlist dst -j DROP", TCP10,
	  1, "ACCEPT", "FORWARD 0 | 1", "10.1.1.1", true },
	{ "-A FORWARD -m set --match-set blocklist src -m set ! --match-set allowlist dst -j DROP", TCP10,
	  1, "DROP", "FORWARD 1 | 0", "10.1.1.1", true },
	{ "-A FORWARD -m set ! --match-set allowlist dst -m set --match-set blocklist src --packets-gt 1",
	  TCP10, 3, "ACCEPT", "FORWARD 2 | 3", "10.1.1.1", true },
	{ "-A FORWARD -m set --match-set blocklist src ! --update-counters --packets-eq 0 -m set ! --match-set allowlist src --packets-gt 1",
	  TCP10, 2, "ACCEPT", "FORWARD 2 | 2", "10.1.1.1", true },
	/* an IPv4 set's rule is IPv4's: an IPv6 packet passes it, "!" or not */
	{ "-A FORWARD -m set ! --match-set blocklist src -j DROP", "tcp [2001:db8::1]:5 > [2001:db8::2]:22",
	  1, "ACCEPT", "FORWARD 0 | 1", "10.1.1.1", true },
};

static void test_ipset(void)
{
	struct minifw_user_ipset *bl = &minifw_user_ipsets[0];
	union minifw_addr a;
	unsigned int k, n, i;

	for (k = 0; k < ARRAY_SIZE(set_cases); k++) {
		struct minifw_ruleset *rs;
		struct test_pkt t;
		unsigned int v = 0;
		bool in = false;

		case_beginf("ipset", "\"%s\" for %s, %u times", set_cases[k].rules,
			    set_cases[k].pkt, set_cases[k].times);
		memset(bl->member, 0, sizeof(bl->member));
		inet_pton(AF_INET, "10.1.1.1", &bl->member[0].ip);
		bl->packets[0] = bl->bytes[0] = 0;
		bl->n = 1;
		rs = build(set_cases[k].rules);
		for (n = 0; n < set_cases[k].times; n++) {
			make_pkt(&t, set_cases[k].pkt);
			hook_pkt_skip(&t.p, rs->chain[MINIFW_FORWARD].skip);
			v = minifw_chain_eval(rs, MINIFW_FORWARD, &t.p);
		}
		expect_str("verdict", set_cases[k].verdict, minifw_target_name(v));
		expect_str("counters", set_cases[k].counts, chain_pkts(rs));
		memset(&a, 0, sizeof(a));
		inet_pton(AF_INET, set_cases[k].member, &a.ip);
		for (i = 0; i < bl->n; i++)
			in |= !memcmp(&bl->member[i], &a, sizeof(a));
		expect_bool("member after", set_cases[k].in, in);
		minifw_ruleset_put(rs);
		case_end();
	}
	bl->n = 0;
}

/* -j NFLOG hands the packet over (here: counts it) and goes on */
static void test_nflog(void)
{
	struct minifw_ruleset *rs;
	struct test_pkt t;
	unsigned int before = n_nflogged;

	case_begin("NFLOG", "logs and goes on to the next rule");
	rs = forward_case("-A FORWARD -j NFLOG --nflog-group 3 --nflog-prefix x\n"
			  "-A FORWARD -p udp -j NFLOG\n-A FORWARD -j DROP", TCP10, "DROP", &t);
	expect_int("logged", 1, n_nflogged - before);
	expect_str("counters", "FORWARD 1 0 1 | 0", chain_pkts(rs));
	expect_bool("an NFLOG rule", true, minifw_ruleset_has_target(rs, MINIFW_T_NFLOG));
	minifw_ruleset_put(rs);
	case_end();
}

/* -j AUDIT writes a record (here: counts it) and goes on */
static void test_audit(void)
{
	struct minifw_ruleset *rs;
	struct test_pkt t;
	unsigned int before = n_audited;

	case_begin("AUDIT", "writes a record and goes on to the next rule");
	rs = forward_case("-A FORWARD -p tcp -j AUDIT --type drop\n"
			  "-A FORWARD -p udp -j AUDIT --type accept\n-A FORWARD -p tcp -j DROP",
			  TCP10, "DROP", &t);
	expect_int("audited", 1, n_audited - before);
	expect_str("counters", "FORWARD 1 0 1 | 0", chain_pkts(rs));
	minifw_ruleset_put(rs);
	case_end();
}

/*
 * -j NFQUEUE decides: the verdict names the queue (and --queue-bypass);
 * with --queue-balance both directions of a flow meet the same queue of
 * the range, as nf_queue.h's hash_v4()/hash_v6() pick it.
 */
static void test_nfqueue(void)
{
	static const char *const flows[][2] = {
		{ "tcp 10.1.1.1:1000 > 192.0.2.1:22", "tcp 192.0.2.1:22 > 10.1.1.1:1000" },
		{ "udp 10.1.1.2:53 > 192.0.2.9:53", "udp 192.0.2.9:53 > 10.1.1.2:53" },
		{ "tcp [2001:db8::1]:5 > [2001:db8:1::2]:22", "tcp [2001:db8:1::2]:22 > [2001:db8::1]:5" },
	};
	struct minifw_ruleset *rs;
	struct test_pkt t;
	unsigned int v, w, k;

	case_begin("NFQUEUE", "decides, in a user chain too, with its queue and bypass");
	rs = build("-N q\n-A q -j NFQUEUE --queue-num 7 --queue-bypass\n-A FORWARD -p tcp -j q\n"
		   "-A FORWARD -j NFQUEUE --queue-num 65535\n-A FORWARD -j ACCEPT");
	make_pkt(&t, TCP10);
	hook_pkt_skip(&t.p, rs->chain[MINIFW_FORWARD].skip);
	v = minifw_chain_eval(rs, MINIFW_FORWARD, &t.p);
	expect_str("verdict", "NFQUEUE", minifw_target_name(MINIFW_VERDICT_TARGET(v)));
	expect_int("queue and bypass", 7 | MINIFW_NFQUEUE_BYPASS, MINIFW_VERDICT_ARG(v));
	make_pkt(&t, UDP10);
	hook_pkt_skip(&t.p, rs->chain[MINIFW_FORWARD].skip);
	v = minifw_chain_eval(rs, MINIFW_FORWARD, &t.p);
	expect_int("queue", 65535, MINIFW_VERDICT_ARG(v));
	expect_str("counters", "FORWARD 1 1 0 | 0, q 1 | 0", chain_pkts(rs));
	minifw_ruleset_put(rs);
	case_end();

	rs = build("-A FORWARD -j NFQUEUE --queue-balance 100:107");
	for (k = 0; k < ARRAY_SIZE(flows); k++) {
		case_beginf("NFQUEUE", "--queue-balance: %s, both ways", flows[k][0]);
		make_pkt(&t, flows[k][0]);
		hook_pkt_skip(&t.p, rs->chain[MINIFW_FORWARD].skip);
		v = MINIFW_VERDICT_ARG(minifw_chain_eval(rs, MINIFW_FORWARD, &t.p));
		make_pkt(&t, flows[k][1]);
		hook_pkt_skip(&t.p, rs->chain[MINIFW_FORWARD].skip);
		w = MINIFW_VERDICT_ARG(minifw_chain_eval(rs, MINIFW_FORWARD, &t.p));
		expect_int("in the range", 1, v >= 100 && v <= 107);
		expect_int("the reply's queue", v, w);
		case_end();
	}
	minifw_ruleset_put(rs);
}

/* -m owner, in OUTPUT: as xt_owner, by the packet's socket */
static const struct {
	const char *rules, *pkt, *verdict;
} owner_cases[] = {
	{ "-A OUTPUT -m owner --uid-owner 1000 -j DROP", TCP10 " uid=1000", "DROP" },
	{ "-A OUTPUT -m owner --uid-owner 1000 -j DROP", TCP10 " uid=1001", "ACCEPT" },
	{ "-A OUTPUT -m owner --uid-owner 1000-1999 -j DROP", TCP10 " uid=1999", "DROP" },
	{ "-A OUTPUT -m owner ! --uid-owner 1000 -j DROP", TCP10 " uid=0", "DROP" },
	{ "-A OUTPUT -m owner ! --uid-owner 1000 -j DROP", TCP10 " uid=1000", "ACCEPT" },
	/* no socket (a reply the kernel sends): only all-negated options match */
	{ "-A OUTPUT -m owner --uid-owner 0 -j DROP", TCP10, "ACCEPT" },
	{ "-A OUTPUT -m owner ! --uid-owner 0 -j DROP", TCP10, "DROP" },
	{ "-A OUTPUT -m owner ! --uid-owner 0 --gid-owner 0 -j DROP", TCP10, "ACCEPT" },
	{ "-A OUTPUT -m owner --socket-exists -j DROP", TCP10, "ACCEPT" },
	{ "-A OUTPUT -m owner ! --socket-exists -j DROP", TCP10, "DROP" },
	{ "-A OUTPUT -m owner --socket-exists -j DROP", TCP10 " sock", "DROP" },
	{ "-A OUTPUT -m owner ! --socket-exists -j DROP", TCP10 " uid=0", "ACCEPT" },
	/* a socket without a file: the id options never match, their negations do */
	{ "-A OUTPUT -m owner --uid-owner 0 -j DROP", TCP10 " sock", "ACCEPT" },
	{ "-A OUTPUT -m owner ! --uid-owner 0 -j DROP", TCP10 " sock", "DROP" },
	{ "-A OUTPUT -m owner --socket-exists ! --gid-owner 5 -j DROP", TCP10 " sock", "DROP" },
	/* the group, or with --suppl-groups one of the supplementary ones */
	{ "-A OUTPUT -m owner --gid-owner 100 -j DROP", TCP10 " gid=100", "DROP" },
	{ "-A OUTPUT -m owner --gid-owner 100 -j DROP", TCP10 " gid=5 groups=7,100", "ACCEPT" },
	{ "-A OUTPUT -m owner --gid-owner 100 --suppl-groups -j DROP", TCP10 " gid=5 groups=7,100",
	  "DROP" },
	{ "-A OUTPUT -m owner --gid-owner 100-200 --suppl-groups -j DROP", TCP10 " gid=5 groups=7,8",
	  "ACCEPT" },
	{ "-A OUTPUT -m owner ! --gid-owner 100 --suppl-groups -j DROP", TCP10 " gid=5 groups=100",
	  "ACCEPT" },
	{ "-A OUTPUT -m owner --uid-owner 1000 --gid-owner 100 -j DROP", TCP10 " uid=1000 gid=101",
	  "ACCEPT" },
	{ "-A OUTPUT -m owner --uid-owner 1000 --gid-owner 100 -j DROP", TCP10 " uid=1000 gid=100",
	  "DROP" },
};

static void test_owner(void)
{
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(owner_cases); k++) {
		struct minifw_ruleset *rs;
		struct test_pkt t;

		case_beginf("owner", "\"%s\" for %s", owner_cases[k].rules, owner_cases[k].pkt);
		rs = build(owner_cases[k].rules);
		make_pkt(&t, owner_cases[k].pkt);
		hook_pkt_skip(&t.p, rs->chain[MINIFW_OUTPUT].skip);
		expect_str("verdict", owner_cases[k].verdict,
			   minifw_target_name(minifw_chain_eval(rs, MINIFW_OUTPUT, &t.p)));
		minifw_ruleset_put(rs);
		case_end();
	}
}

/* Sections 4 and 5: run twice (see compiled_mode) */
static void test_edit_and_match(void)
{
	test_edit();
	test_match();
	test_chains();
	test_user_chains();
	test_limit();
	test_statistic();
	test_quota();
	test_recent();
	test_hashlimit();
	test_connlimit();
	test_header_matches();
	test_connmark();
	test_ipset();
	test_nflog();
	test_audit();
	test_nfqueue();
	test_owner();
	test_families();
	test_prefixes();
}

/*
 * The ipset sets every test may name (include/ipset.h's model): as
 * "ipset create NAME TYPE" would make them. A test that adds members
 * clears them after.
 */
static void make_ipsets(void)
{
	static const struct minifw_user_ipset sets[MINIFW_USER_IPSETS] = {
		{ .name = "blocklist", .family = MINIFW_FAM_IPV4, .dim = 1 },	/* hash:ip */
		{ .name = "block6", .family = MINIFW_FAM_IPV6, .dim = 1 },	/* hash:net family inet6 */
		{ .name = "ipport", .family = MINIFW_FAM_IPV4, .dim = 2 },	/* hash:ip,port */
		{ .name = "macs", .family = MINIFW_FAM_ANY, .dim = 1 },		/* hash:mac */
		/* the longest names, for the longest rules */
		{ .name = SET31 "4", .family = MINIFW_FAM_IPV4, .dim = 1 },
		{ .name = SET31 "6", .family = MINIFW_FAM_IPV6, .dim = 1 },
		{ .name = "allowlist", .family = MINIFW_FAM_IPV4, .dim = 1 },	/* hash:ip, empty */
	};

	memcpy(minifw_user_ipsets, sets, sizeof(sets));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	make_ipsets();
	test_listing();
	test_commands();
	test_tables();
	test_errors();
	test_edit_and_match();
	compiled_mode = true;
	minifw_run_min = 1;
	test_edit_and_match();
	compiled_mode = false;
	minifw_run_min = 8;
	test_classifier();
	test_port_runs();
	test_ip6_text();
	test_longest_rule();
	test_writer();
	test_writer_max_rules();
	test_nomem();
	test_counter_blocks();
	test_conformance();
	test_services();
	test_random_chains();
	test_masks();
	test_ifnames();
	/* every rule and command gone: no interface name may be held */
	case_begin("interface names", "after every test");
	expect_int("references held", 0, ifnames_held());
	case_end();
	minifw_ifname_exit();
	printf("unit: %u passed, %u failed\n", n_passed, n_failed);
	return n_failed ? 1 : 0;
}
