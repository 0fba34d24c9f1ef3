// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the rule engine: the whole write path of /proc/minifw/rules
 * (tokenizer, parser, ruleset edits, restore blocks, partial lines) plus
 * the printer's round trip, under AddressSanitizer and UBSan.
 *
 * Input: byte 0 picks how the rest is cut into write() calls and whether
 * an allocation fails somewhere; the rest is what a user writes. Then IPv4
 * and IPv6 packets run through the ruleset it built, compiled as
 * minifw.c publishes it (byte 0 also picks the shortest run: 1 to 4, or
 * 8). Oracles: no crash, no leak, no undefined behaviour, every verdict a
 * real one and the same as the chain walked rule by rule gives for the
 * whole packet (the compiled chain gets what the hook fills in), and every
 * line the parser accepts prints as a rule that parses back to the same
 * text.
 *
 * Build and run: make fuzz (FUZZ_SECONDS=60 by default).
 */
#include "minifw.h"
#include "ext.h"
#include "recent.h"
#include "ipset.h"
#include "../unit/hook_pkt.h"

long minifw_user_alloc_fail_after = -1;
unsigned long minifw_user_jiffies = 1;
u32 minifw_user_random = 2463534242U;

void minifw_log(const struct minifw_pkt *pkt, u8 level, u8 flags, const char *prefix)
{
	(void)pkt;
	(void)level;
	(void)flags;
	(void)prefix;
}

void minifw_nflog(const struct minifw_pkt *pkt, const struct minifw_nflog *n)
{
	(void)pkt;
	(void)n;
}

void minifw_audit(const struct minifw_pkt *pkt)
{
	(void)pkt;
}

/* The live ruleset, as minifw.c keeps it, without the locking. */
static struct minifw_ruleset *live;

/* Oracle: the rule count the ruleset keeps is that of its chains. */
static void check_count(const struct minifw_ruleset *rs)
{
	u32 c, n = 0;

	for (c = 0; c < rs->nchains; c++)
		n += rs->chain[c].nrules;
	if (n != minifw_ruleset_count(rs)) {
		fprintf(stderr, "ruleset counts %u rules, its chains hold %u\n",
			minifw_ruleset_count(rs), n);
		abort();
	}
}

static int commit_cmds(void *ctx, const struct minifw_cmd *cmds, u32 n,
		       struct minifw_err *err)
{
	struct minifw_ruleset *rs = minifw_ruleset_edit(live, cmds, n, err);

	int ret;

	(void)ctx;
	if (IS_ERR(rs))
		return (int)PTR_ERR(rs);
	/* and, as minifw.c's minifw_prepare(), -m recent's lists and -m hashlimit's tables */
	ret = minifw_ruleset_compile(rs, err) ?: minifw_ext_tables_sync(rs, err);
	if (ret) {
		minifw_ext_tables_retire(live);
		minifw_ruleset_put(rs);
		return ret;
	}
	check_count(rs);
	minifw_ruleset_put(live);
	live = rs;
	minifw_ext_tables_retire(live);
	return 0;
}

static int commit_block(void *ctx, struct minifw_ruleset *rs, struct minifw_err *err)
{
	int ret;

	(void)ctx;
	minifw_ruleset_inherit_policies(rs, live);
	/* and, as minifw.c's minifw_prepare(), -m recent's lists and -m hashlimit's tables */
	ret = minifw_ruleset_compile(rs, err) ?: minifw_ext_tables_sync(rs, err);
	if (ret) {
		minifw_ext_tables_retire(live);
		minifw_ruleset_put(rs);
		return ret;
	}
	check_count(rs);
	minifw_ruleset_put(live);
	live = rs;
	minifw_ext_tables_retire(live);
	return 0;
}

static const struct minifw_writer_ops ops = {
	.commit_cmds = commit_cmds,
	.commit_block = commit_block,
};

static const char *cmd_chain(const struct minifw_cmd *cmd)
{
	return cmd->chain == MINIFW_USER_CHAIN ? cmd->name : minifw_chain_name(cmd->chain);
}

/* A line the parser takes must print as a rule that parses back the same. */
static void check_round_trip(const char *line, size_t len)
{
	char buf[MINIFW_LINE_MAX + 1], text[MINIFW_RULE_TEXT_MAX], again[MINIFW_RULE_TEXT_MAX];
	char back[MINIFW_RULE_TEXT_MAX + 32];
	struct minifw_cmd cmd, cmd2;
	struct minifw_err err;
	struct minifw_rule r;

	if (len > MINIFW_LINE_MAX || memchr(line, '\0', len))
		return;
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (minifw_parse_line(buf, &cmd, &err))
		return;
	if (cmd.op != MINIFW_OP_APPEND && cmd.op != MINIFW_OP_INSERT &&
	    cmd.op != MINIFW_OP_REPLACE && cmd.op != MINIFW_OP_DELETE_RULE) {
		minifw_cmd_free(&cmd);
		return;
	}
	minifw_cmd_rule(&cmd, &r);
	minifw_rule_format(&r, cmd.arg, text, sizeof(text));
	snprintf(back, sizeof(back), "-A %s %s", cmd_chain(&cmd), text);
	/* the parser cuts back into words: quote the listing from text */
	if (minifw_parse_line(back, &cmd2, &err)) {
		fprintf(stderr, "listing does not parse back: \"%s\": %s\n", back, err.msg);
		abort();
	}
	minifw_cmd_rule(&cmd2, &r);
	minifw_rule_format(&r, cmd2.arg, again, sizeof(again));
	if (strcmp(text, again)) {
		fprintf(stderr, "listing changes on a round trip: \"%s\" -> \"%s\"\n", text, again);
		abort();
	}
	minifw_cmd_free(&cmd);
	minifw_cmd_free(&cmd2);
}

/*
 * Run packets through every chain of the ruleset the input built: fixed
 * IPv4 and IPv6 ones (whole, fragments, unreadable headers) and one made
 * from the input's bytes, so that the matcher meets every rule the parser
 * takes. Oracle: a verdict is ACCEPT, DROP or REJECT (with a REJECT type
 * only for REJECT), and no sanitizer complains.
 */
static bool has_limit(const struct minifw_ruleset *rs)
{
	u32 c, i;

	for (c = 0; c < rs->nchains; c++)
		for (i = 0; i < rs->chain[c].nrules; i++)
			if (minifw_ext_keeps_state(&rs->chain[c].rules[i]))
				return true;
	return false;
}

/*
 * The graph oracle, independent of graph.c: from chain @c, no jump or goto
 * leads back to a chain on the way (@state 1), and the calls (-j; a goto
 * replaces the caller) nest at most MINIFW_MAX_CALLS deep. Returns the
 * depth of calls below @c; @state 2 with @depth memoises a chain done.
 */
static u32 check_calls(const struct minifw_ruleset *rs, u32 c, u8 *state, u32 *depth)
{
	const struct minifw_chain *ch = &rs->chain[c];
	u32 i, d, max = 0;

	if (state[c] == 2)
		return depth[c];
	if (state[c] == 1) {
		fprintf(stderr, "a loop through chain %s was accepted\n", ch->name);
		abort();
	}
	state[c] = 1;
	for (i = 0; i < ch->nrules; i++) {
		const struct minifw_rule *r = &ch->rules[i];

		if (r->target != MINIFW_T_JUMP && r->target != MINIFW_T_GOTO)
			continue;
		d = check_calls(rs, r->target_arg, state, depth) + (r->target == MINIFW_T_JUMP);
		if (d > max)
			max = d;
	}
	state[c] = 2;
	depth[c] = max;
	return max;
}

static void check_graph(const struct minifw_ruleset *rs)
{
	u8 *state = calloc(rs->nchains, 1);
	u32 *depth = calloc(rs->nchains, sizeof(*depth));
	u32 c;

	if (!state || !depth)
		abort();
	for (c = 0; c < rs->nchains; c++)
		if (check_calls(rs, c, state, depth) > MINIFW_MAX_CALLS && c < MINIFW_NCHAINS) {
			fprintf(stderr, "calls from %s nest %u deep\n", rs->chain[c].name, depth[c]);
			abort();
		}
	free(state);
	free(depth);
}

/* The ruleset walked rule by rule: every chain's runs taken out (or put back). */
static void swap_runs(struct minifw_ruleset *rs, struct minifw_run **saved)
{
	u32 c;

	for (c = 0; c < rs->nchains; c++) {
		struct minifw_run *runs = rs->chain[c].runs;

		rs->chain[c].runs = saved[c];
		saved[c] = runs;
	}
}

static void run_packets(struct minifw_ruleset *rs, const uint8_t *data, size_t size)
{
	/* IFNAMSIZ bytes each, as the hook passes them: the matcher may read all */
	static const char devs[][IFNAMSIZ] = { "", "eth0", "eth1", "lo", "wlan0" };
	struct minifw_run **saved = calloc(rs->nchains, sizeof(*saved));
	bool limit = has_limit(rs);
	struct minifw_pkt p;
	unsigned int c, k, v;
	size_t i;

	if (!saved)
		abort();
	check_graph(rs);
	for (k = 0; k < 10; k++) {
		memset(&p, 0, sizeof(p));
		p.family = k < 5 ? MINIFW_FAM_IPV4 : MINIFW_FAM_IPV6;
		if (p.family == MINIFW_FAM_IPV4) {
			p.saddr.ip = htonl(0xc0000201);		/* 192.0.2.1 */
			p.daddr.ip = htonl(0xc6336401);		/* 198.51.100.1 */
		} else {
			p.saddr.ip6[0] = p.daddr.ip6[0] = htonl(0x20010db8);
			p.saddr.ip6[3] = htonl(1);
			p.daddr.ip6[3] = htonl(2);
		}
		p.proto = (u8[]){ IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, 47 }[k % 5];
		p.l4 = k % 5 != 4;
		p.ports = p.l4;
		p.sport = htons(1024 + k);
		p.dport = htons(22);
		p.icmp_type = p.family == MINIFW_FAM_IPV4 ? 8 : 128;
		p.tcp_flags = 0x02;
		p.ctstate = (u8)(1U << (k % 5));
		p.fragoff = k == 2 ? 1 : k == 7 ? 8 : 0;
		p.badhdr = k == 9;
		p.len = 60 + k;
		p.in = devs[k % ARRAY_SIZE(devs)];
		p.out = devs[(k + 1) % ARRAY_SIZE(devs)];
		/* the last packet takes its fields from the input */
		if (k == 9 && size) {
			u8 *raw = (u8 *)&p.saddr;

			for (i = 0; i < 2 * sizeof(p.saddr); i++)
				raw[i] = data[(i * 7) % size];
			p.proto = data[size / 2];
			p.family = data[size - 1] & 1 ? MINIFW_FAM_IPV6 : MINIFW_FAM_IPV4;
			if (p.family == MINIFW_FAM_IPV4) {
				/* an IPv4 packet has only .ip */
				memset(p.saddr.ip6 + 1, 0, 12);
				memset(p.daddr.ip6 + 1, 0, 12);
			}
			p.badhdr = p.family == MINIFW_FAM_IPV6 && (data[0] & 0x40);
			p.l4 = !p.badhdr && !(data[0] & 0x20);
			p.ports = p.l4 || (!p.badhdr && (data[0] & 0x10));
			p.sport = (u16)(data[size / 3] << 8 | data[size / 4]);
			p.dport = (u16)(data[size / 5] << 8 | data[size / 6]);
			p.icmp_type = data[size / 7];
			p.icmp_code = data[size / 8];
			p.tcp_flags = data[size / 9];
			p.ctstate = (u8)(1U << (data[size / 10] % 5));
			p.fragoff = data[0] & 0x10 ? data[size / 11] : 0;
		}
		for (c = 0; c < MINIFW_NCHAINS; c++) {
			struct minifw_chain *ch = &rs->chain[c];
			struct minifw_pkt q = p;

			/* compiled, given what the hook gives it */
			hook_pkt_skip(&q, ch->skip);
			v = minifw_chain_eval(rs, c, &q);
			/*
			 * the same chains walked rule by rule, given the whole
			 * packet, must agree (unless a -m limit rule's bucket,
			 * emptied by the first walk, may answer differently)
			 */
			if (!limit) {
				unsigned int walked;

				swap_runs(rs, saved);
				walked = minifw_chain_eval(rs, c, &p);
				swap_runs(rs, saved);
				if (walked != v) {
					fprintf(stderr, "chain %s: compiled 0x%x, walked 0x%x, packet %u\n",
						minifw_chain_name(c), v, walked, k);
					abort();
				}
			}
			if ((MINIFW_VERDICT_TARGET(v) != MINIFW_T_ACCEPT &&
			     MINIFW_VERDICT_TARGET(v) != MINIFW_T_DROP &&
			     MINIFW_VERDICT_TARGET(v) != MINIFW_T_REJECT &&
			     MINIFW_VERDICT_TARGET(v) != MINIFW_T_NFQUEUE) ||
			    (MINIFW_VERDICT_ARG(v) && MINIFW_VERDICT_TARGET(v) != MINIFW_T_REJECT &&
			     MINIFW_VERDICT_TARGET(v) != MINIFW_T_NFQUEUE)) {
				fprintf(stderr, "chain %s gave verdict 0x%x for packet %u\n",
					minifw_chain_name(c), v, k);
				abort();
			}
		}
	}
	free(saved);
}

/* The ipset sets an input may name (-m set, -j SET), empty for each input. */
static void make_ipsets(void)
{
	static const struct minifw_user_ipset sets[MINIFW_USER_IPSETS] = {
		{ .name = "fz4", .family = MINIFW_FAM_IPV4, .dim = 1 },
		{ .name = "fz6", .family = MINIFW_FAM_IPV6, .dim = 1 },
		{ .name = "fz2", .family = MINIFW_FAM_IPV4, .dim = 2 },
		{ .name = "fzmac", .family = MINIFW_FAM_ANY, .dim = 1 },
	};

	memcpy(minifw_user_ipsets, sets, sizeof(sets));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct minifw_writer *w;
	size_t pos, chunk, start, i;
	u8 mode;

	if (!size)
		return 0;
	mode = data[0];
	data++;
	size--;
	make_ipsets();

	live = minifw_ruleset_new();
	if (!live)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		abort();
	minifw_writer_init(w, &ops, NULL);
	minifw_run_min = mode & 0x40 ? 8 : 1 + ((mode >> 3) & 3);
	minifw_class_min = mode & 0x40 ? 16 : 1 + ((mode >> 4) & 3);
	/* low bits: write size; high bit: fail one allocation */
	chunk = (size_t[]){ 1, 3, 7, 64, 777, 4096, 65536, 1 << 20 }[mode & 7];
	if (mode & 0x80)
		minifw_user_alloc_fail_after = (mode >> 3) & 0xf;
	for (pos = 0; pos < size; pos += chunk) {
		size_t n = size - pos < chunk ? size - pos : chunk;

		minifw_writer_feed(w, (const char *)data + pos, n);
		minifw_writer_end_write(w);
	}
	minifw_writer_release(w);
	minifw_user_alloc_fail_after = -1;
	free(w);
	run_packets(live, data, size);
	minifw_ruleset_put(live);
	live = NULL;

	for (start = 0, i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			check_round_trip((const char *)data + start, i - start);
			start = i + 1;
		}
	}
	return 0;
}
