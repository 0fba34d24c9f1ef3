/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: what minifw.c (the live ruleset and the hooks) and proc.c (the proc
 * files) share. Kernel only.
 */
#ifndef MINIFW_KERNEL_H
#define MINIFW_KERNEL_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include "minifw.h"

/* Serialises every replacement of minifw_rules. */
extern struct mutex minifw_lock;
/* The live ruleset: read under RCU, replaced under minifw_lock. */
extern struct minifw_ruleset __rcu *minifw_rules;

/*
 * What the hook hands the packet path's accessors (minifw_log(),
 * minifw_pkt_*()) through struct minifw_pkt.ctx.
 */
struct minifw_hook_ctx {
	struct sk_buff *skb;
	const struct nf_hook_state *state;
};

struct minifw_ruleset *minifw_ruleset_get_live(void);
int minifw_commit_cmds(void *ctx, const struct minifw_cmd *cmds, u32 n,
		       struct minifw_err *err);
int minifw_commit_block(void *ctx, struct minifw_ruleset *rs,
			struct minifw_err *err);

int minifw_proc_init(void);
void minifw_proc_exit_rules(void);
void minifw_proc_exit(void);

#endif /* MINIFW_KERNEL_H */
