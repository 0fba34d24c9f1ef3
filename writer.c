// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the write protocol of /proc/minifw/rules: bytes in, cut into
 * lines, parsed (rules.c) into commands, and handed to the owner of the
 * live ruleset as transactions: the commands of one write() together, or
 * a whole "*filter" ... "COMMIT" restore block, which may span writes.
 *
 * Control path; no locks (the owner, proc.c, serialises calls on one open
 * file). Also builds in user space (include/minifw_user.h).
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/stringify.h>
#endif

#include "writer.h"
#include "ruleset.h"
#include "syntax.h"

/**
 * minifw_writer_init() - set up the state of one open rules file
 * @w: writer
 * @ops: how transactions reach the live ruleset
 * @ctx: passed to @ops
 *
 * Context: control path.
 */
void minifw_writer_init(struct minifw_writer *w, const struct minifw_writer_ops *ops,
			void *ctx)
{
	memset(w, 0, offsetof(struct minifw_writer, line));
	w->ops = ops;
	w->ctx = ctx;
	w->line[0] = '\0';
}

static void minifw_writer_drop_cmds(struct minifw_writer *w)
{
	u32 i;

	for (i = 0; i < w->ncmds; i++)
		minifw_cmd_free(&w->cmds[i]);
	w->ncmds = 0;
}

/**
 * minifw_writer_abort() - drop everything pending
 * @w: writer
 *
 * A restore block that fails poisons the rest of the file: later writes are
 * refused, so the block's remaining lines cannot apply as loose commands.
 *
 * Context: control path.
 */
void minifw_writer_abort(struct minifw_writer *w)
{
	if (w->block) {
		minifw_ruleset_put(w->block);
		w->block = NULL;
		w->failed = true;
	}
	minifw_writer_drop_cmds(w);
	w->linelen = 0;
	w->write_err = 0;
}

static int minifw_writer_flush_cmds(struct minifw_writer *w)
{
	int ret = 0;

	if (w->ncmds)
		ret = w->ops->commit_cmds(w->ctx, w->cmds, w->ncmds, &w->err);
	minifw_writer_drop_cmds(w);
	return ret;
}

static int minifw_writer_add_cmd(struct minifw_writer *w, const struct minifw_cmd *cmd)
{
	if (w->ncmds >= READ_ONCE(minifw_max_rules))
		return minifw_fail(&w->err, "too many commands in one write: the limit is %u (max_rules)",
				   READ_ONCE(minifw_max_rules));
	if (w->ncmds == w->capcmds) {
		u32 cap = w->capcmds ? w->capcmds * 2 : 16;
		struct minifw_cmd *cmds = kvmalloc_array(cap, sizeof(*cmds),
							 GFP_KERNEL | __GFP_NOWARN);

		if (!cmds)
			return minifw_nomem(&w->err);
		if (w->ncmds)
			memcpy(cmds, w->cmds, w->ncmds * sizeof(*cmds));
		kvfree(w->cmds);
		w->cmds = cmds;
		w->capcmds = cap;
	}
	w->cmds[w->ncmds++] = *cmd;
	return 0;
}

/* A line without its leading and trailing blanks (cut in place). */
static char *minifw_trim(char *s)
{
	char *end;

	while (minifw_isspace(*s))
		s++;
	end = s + strlen(s);
	while (end > s && minifw_isspace(end[-1]))
		*--end = '\0';
	return s;
}

static bool minifw_is_block_start(char *s)
{
	return !strcmp(minifw_trim(s), "*filter");
}

static int minifw_writer_line(struct minifw_writer *w, char *s)
{
	struct minifw_cmd cmd;
	int ret;

	s = minifw_trim(s);
	if (!*s || *s == '#')
		return 0;

	if (*s == '*') {
		char tb[MINIFW_TOKBUF];

		if (strcmp(s, "*filter"))
			return minifw_fail(&w->err, "only the filter table exists (got \"%s\")",
					   minifw_tok(tb, sizeof(tb), s));
		if (w->block)
			return minifw_fail(&w->err, "*filter inside a *filter block (COMMIT missing?)");
		/* lines before the block in this write come first */
		ret = minifw_writer_flush_cmds(w);
		if (ret) {
			/* and if they fail, the block must not apply line by line */
			w->failed = true;
			return ret;
		}
		w->block = minifw_ruleset_new();
		if (!w->block)
			return minifw_nomem(&w->err);
		for (ret = 0; ret < MINIFW_NCHAINS; ret++)
			w->block->chain[ret].policy = MINIFW_T_UNSET;
		return 0;
	}
	if (!strcmp(s, "COMMIT")) {
		struct minifw_ruleset *rs = w->block;

		if (!rs)
			return minifw_fail(&w->err, "COMMIT without *filter");
		w->block = NULL;
		return w->ops->commit_block(w->ctx, rs, &w->err);
	}
	if (*s == ':') {
		if (!w->block)
			return minifw_fail(&w->err, "\":CHAIN POLICY\" lines belong in a *filter block");
		ret = minifw_parse_policy_line(s, &cmd, &w->err);
	} else if (w->block) {
		ret = minifw_parse_block_line(s, &cmd, &w->err);
	} else {
		ret = minifw_parse_line(s, &cmd, &w->err);
		if (!ret && cmd.table != MINIFW_TABLE_FILTER) {
			ret = minifw_fail(&w->err, "-t %s: not there yet (minifw has the filter table only)",
					  minifw_table_name(cmd.table));
			minifw_cmd_free(&cmd);
		}
	}
	if (ret)
		return ret;
	cmd.lineno = w->lineno;
	if (w->block) {
		ret = minifw_ruleset_apply(w->block, &cmd, &w->err);
		minifw_cmd_free(&cmd);
		return ret;
	}
	ret = minifw_writer_add_cmd(w, &cmd);
	if (ret)
		minifw_cmd_free(&cmd);
	return ret;
}

static int minifw_writer_end_line(struct minifw_writer *w)
{
	int ret;

	w->lineno++;
	w->err.line = w->lineno;
	w->line[w->linelen] = '\0';
	ret = minifw_writer_line(w, w->line);
	w->linelen = 0;
	return ret;
}

/*
 * Refuse the line being read at once (it is too long, or holds a NUL) and
 * skip the rest of it, in this write or later ones, so that its tail is
 * never taken for a line of its own.
 */
static int minifw_writer_bad_line(struct minifw_writer *w, const char *why)
{
	w->err.line = w->lineno + 1;
	w->skipline = true;
	w->linelen = 0;
	return minifw_fail(&w->err, "%s", why);
}

/**
 * minifw_writer_feed() - take the bytes of one write(), or part of them
 * @w: writer
 * @buf: bytes
 * @len: number of bytes
 *
 * Complete lines are parsed at once; outside a restore block their commands
 * wait for minifw_writer_end_write(). A partial last line is kept. After a
 * failure everything pending is dropped, w->err says which line failed and
 * why, and the rest of the write is only scanned to keep the line count
 * (feed it all anyway).
 *
 * Context: control path, may sleep.
 * Return: 0, or the write's error (-EINVAL, -ENOMEM).
 */
int minifw_writer_feed(struct minifw_writer *w, const char *buf, size_t len)
{
	size_t i;
	int ret;

	if (w->failed && !w->write_err) {
		w->err.line = w->lineno + 1;
		minifw_fail(&w->err, "an earlier line of this restore failed; the block was not applied");
		w->write_err = -EINVAL;
	}
	for (i = 0; i < len; i++) {
		char ch = buf[i];

		/* dropping the tail of a refused line */
		if (w->skipline) {
			if (ch == '\n') {
				w->lineno++;
				w->skipline = false;
			}
			continue;
		}
		/*
		 * dropping the rest of a failed write: only count lines, and
		 * mind a restore block starting there, whose lines must not
		 * apply one by one in later writes
		 */
		if (w->write_err) {
			if (ch == '\n') {
				w->lineno++;
				w->line[w->linelen] = '\0';
				if (minifw_is_block_start(w->line))
					w->failed = true;
				w->linelen = 0;
			} else if (w->linelen < MINIFW_LINE_MAX) {
				w->line[w->linelen++] = ch;
			}
			continue;
		}
		if (ch == '\n') {
			ret = minifw_writer_end_line(w);
		} else if (ch == '\0') {
			ret = minifw_writer_bad_line(w, "NUL byte in line");
		} else if (w->linelen < MINIFW_LINE_MAX) {
			w->line[w->linelen++] = ch;
			continue;
		} else {
			ret = minifw_writer_bad_line(w, "line longer than "
						     __stringify(MINIFW_LINE_MAX) " bytes");
		}
		if (ret) {
			minifw_writer_abort(w);
			w->write_err = ret;
		}
	}
	return w->write_err;
}

/**
 * minifw_writer_end_write() - finish one write()
 * @w: writer
 *
 * Outside a restore block the complete lines of the write are committed
 * together. A last line without newline waits for the next write (a file
 * copied in chunks may be cut anywhere) or for minifw_writer_release().
 *
 * Context: control path, may sleep.
 * Return: 0, or -EINVAL / -ENOMEM: nothing of this write's lines outside
 * blocks applied (a block it closed with COMMIT did).
 */
int minifw_writer_end_write(struct minifw_writer *w)
{
	int ret = w->write_err;

	/* a failed write that ends inside a line drops all of that line */
	if (ret && w->linelen)
		w->skipline = true;
	w->write_err = 0;
	if (!ret && !w->block)
		ret = minifw_writer_flush_cmds(w);
	if (ret)
		minifw_writer_abort(w);
	return ret;
}

/**
 * minifw_writer_release() - finish an open rules file at close
 * @w: writer
 *
 * A last line without newline is taken now, as its own transaction (or as
 * the end of a restore block, typically "COMMIT"). A block still open after
 * it is dropped: nothing of it applies.
 *
 * Context: control path, may sleep.
 * Return: 0, or -EINVAL / -ENOMEM with w->err saying why (the caller can only
 * log it: close() has no one to tell).
 */
int minifw_writer_release(struct minifw_writer *w)
{
	int ret = 0;

	if (!w->failed && w->linelen && !w->skipline) {
		ret = minifw_writer_end_line(w);
		if (!ret)
			ret = minifw_writer_end_write(w);
	}
	if (!ret && w->block) {
		w->err.line = w->lineno;
		ret = minifw_fail(&w->err, "*filter block closed without COMMIT: nothing applied");
	}
	minifw_ruleset_put(w->block);
	w->block = NULL;
	minifw_writer_drop_cmds(w);
	kvfree(w->cmds);
	w->cmds = NULL;
	w->capcmds = 0;
	return ret;
}
