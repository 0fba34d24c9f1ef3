/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: the write protocol of /proc/minifw/rules (writer.c), one per open
 * file: lines in, transactions out to the owner of the live ruleset.
 */
#ifndef MINIFW_WRITER_H
#define MINIFW_WRITER_H

#include "rules.h"

struct minifw_ruleset;

/* The owner supplies how a transaction reaches the live ruleset. */
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

#endif /* MINIFW_WRITER_H */
