// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for rules.c: the whole write path of /proc/minifw/rules
 * (tokenizer, parser, ruleset edits, restore blocks, partial lines) plus
 * the printer's round trip, under AddressSanitizer and UBSan.
 *
 * Input: byte 0 picks how the rest is cut into write() calls and whether
 * an allocation fails somewhere; the rest is what a user writes. Oracles:
 * no crash, no leak, no undefined behaviour, and every line the parser
 * accepts prints as a rule that parses back to the same text.
 *
 * Build and run: make fuzz (FUZZ_SECONDS=60 by default).
 */
#include "minifw.h"

long minifw_user_alloc_fail_after = -1;
unsigned long minifw_user_jiffies = 1;

void minifw_log(const struct minifw_rule *r, const struct minifw_pkt *pkt)
{
	(void)r;
	(void)pkt;
}

/* The live ruleset, as minifw.c keeps it, without the locking. */
static struct minifw_ruleset *live;

static int commit_cmds(void *ctx, const struct minifw_cmd *cmds, u32 n,
		       struct minifw_err *err)
{
	struct minifw_ruleset *rs = minifw_ruleset_edit(live, cmds, n, err);

	(void)ctx;
	if (IS_ERR(rs))
		return (int)PTR_ERR(rs);
	minifw_ruleset_put(live);
	live = rs;
	return 0;
}

static int commit_block(void *ctx, struct minifw_ruleset *rs, struct minifw_err *err)
{
	(void)ctx;
	(void)err;
	minifw_ruleset_inherit_policies(rs, live);
	minifw_ruleset_put(live);
	live = rs;
	return 0;
}

static const struct minifw_writer_ops ops = {
	.commit_cmds = commit_cmds,
	.commit_block = commit_block,
};

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
	r = (struct minifw_rule){ .m = cmd.m, .target = cmd.target,
				  .target_arg = cmd.target_arg, .ext = cmd.ext };
	minifw_rule_format(&r, text, sizeof(text));
	snprintf(back, sizeof(back), "-A %s %s", minifw_chain_name(cmd.chain), text);
	if (minifw_parse_line(back, &cmd2, &err)) {
		fprintf(stderr, "listing does not parse back: \"%s\": %s\n", back, err.msg);
		abort();
	}
	r = (struct minifw_rule){ .m = cmd2.m, .target = cmd2.target,
				  .target_arg = cmd2.target_arg, .ext = cmd2.ext };
	minifw_rule_format(&r, again, sizeof(again));
	if (strcmp(text, again)) {
		fprintf(stderr, "listing changes on a round trip: \"%s\" -> \"%s\"\n", text, again);
		abort();
	}
	minifw_cmd_free(&cmd);
	minifw_cmd_free(&cmd2);
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

	live = minifw_ruleset_new();
	if (!live)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		abort();
	minifw_writer_init(w, &ops, NULL);
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
