// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the graph the jumps between chains make (-j CHAIN calls a user
 * chain, -g CHAIN goes to it): no loops, calls nested at most
 * MINIFW_MAX_CALLS deep, at most MINIFW_MAX_CHECKS rules on one packet's
 * way, and every rule of a user chain valid in each built-in chain it is
 * reached from. This is what ip_tables checks when a
 * table is replaced (mark_source_chains(), then each match's and target's
 * hooks), done once a transaction's commands are applied: one command alone
 * cannot tell ("-A INPUT -j a" may come before or after "-A a -o eth0").
 *
 * Control path; iterative, so a long path of chains costs no stack. Also
 * builds in user space (include/minifw_user.h).
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#endif

#include "ruleset.h"
#include "syntax.h"
#include "ext.h"

/* Scratch of one check, one allocation: per chain, and the DFS stack. */
struct minifw_graph {
	u64 *checks;		/* most rules a packet entering it is checked against */
	struct minifw_dfs_frame {
		u32 chain;
		u32 rule;	/* the next rule to look at */
	} *stack;
	u32 *post;		/* chains in DFS post-order */
	u32 *depth;		/* most calls on the stack when it runs */
	u32 *line;		/* latest line that changed it or a chain on a path to it */
	u32 *below;		/* latest line that changed it or a chain it reaches */
	u8 *state;		/* MINIFW_WHITE, GRAY (on the stack), BLACK (done) */
};

enum { MINIFW_WHITE, MINIFW_GRAY, MINIFW_BLACK };

static bool minifw_jumps(const struct minifw_rule *r)
{
	return r->target == MINIFW_T_JUMP || r->target == MINIFW_T_GOTO;
}

/* "a -> b -> a": the loop on the stack from @from, closed by @to. */
static int minifw_loop(const struct minifw_ruleset *rs, const struct minifw_graph *g,
		       u32 from, u32 sp, u32 to, struct minifw_err *err)
{
	char path[160];
	size_t pos = 0;
	u32 k, line = 0;

	for (k = from; k < sp; k++) {
		u32 c = g->stack[k].chain;

		pos += scnprintf(path + pos, sizeof(path) - pos, "%s -> ", rs->chain[c].name);
		line = max_t(u32, line, rs->chain[c].lineno);
	}
	scnprintf(path + pos, sizeof(path) - pos, "%s", rs->chain[to].name);
	if (line)
		err->line = line;
	return minifw_fail(err, "chain \"%s\" would call itself: %s", rs->chain[to].name, path);
}

/*
 * Depth-first over every chain, following jumps: the chains in post-order
 * (g->post; reversed, each chain comes before those it jumps to), or the
 * first loop found.
 */
static int minifw_graph_order(const struct minifw_ruleset *rs, struct minifw_graph *g,
			      struct minifw_err *err)
{
	u32 n = rs->nchains, np = 0, s, sp, k;

	for (s = 0; s < n; s++) {
		if (g->state[s] != MINIFW_WHITE)
			continue;
		g->state[s] = MINIFW_GRAY;
		g->stack[0] = (struct minifw_dfs_frame){ s, 0 };
		sp = 1;
		while (sp) {
			struct minifw_dfs_frame *f = &g->stack[sp - 1];
			const struct minifw_chain *ch = &rs->chain[f->chain];
			u32 t;

			while (f->rule < ch->nrules && !minifw_jumps(&ch->rules[f->rule]))
				f->rule++;
			if (f->rule == ch->nrules) {
				g->state[f->chain] = MINIFW_BLACK;
				g->post[np++] = f->chain;
				sp--;
				continue;
			}
			t = ch->rules[f->rule++].target_arg;
			if (g->state[t] == MINIFW_GRAY) {
				for (k = 0; g->stack[k].chain != t; k++)
					;
				return minifw_loop(rs, g, k, sp, t, err);
			}
			if (g->state[t] == MINIFW_WHITE) {
				g->state[t] = MINIFW_GRAY;
				g->stack[sp++] = (struct minifw_dfs_frame){ t, 0 };
			}
		}
	}
	return 0;
}

/*
 * In that order, what reaches each chain: the built-in chains
 * (struct minifw_chain.hooks) and how many calls deep.
 */
static int minifw_graph_reach(struct minifw_ruleset *rs, struct minifw_graph *g,
			      struct minifw_err *err)
{
	u32 n = rs->nchains, k, i;

	for (k = 0; k < n; k++) {
		rs->chain[k].hooks = k < MINIFW_NCHAINS ? MINIFW_CHAIN_BIT(k) : 0;
		g->depth[k] = 0;
		g->line[k] = rs->chain[k].lineno;
	}
	for (k = n; k-- > 0; ) {
		u32 c = g->post[k];
		const struct minifw_chain *ch = &rs->chain[c];

		if (!ch->hooks)
			continue;
		for (i = 0; i < ch->nrules; i++) {
			const struct minifw_rule *r = &ch->rules[i];
			u32 t = r->target_arg, d;

			if (!minifw_jumps(r))
				continue;
			d = g->depth[c] + (r->target == MINIFW_T_JUMP);
			rs->chain[t].hooks |= ch->hooks;
			g->line[t] = max_t(u32, g->line[t], g->line[c]);
			if (d <= g->depth[t])
				continue;
			g->depth[t] = d;
			if (d > MINIFW_MAX_CALLS) {
				if (g->line[t])
					err->line = g->line[t];
				return minifw_fail(err, "calls from %s would nest %u deep at chain \"%s\" (at most %u: -j CHAIN nests, -g CHAIN does not)",
						   minifw_chain_name(__ffs(ch->hooks)), d,
						   rs->chain[t].name, MINIFW_MAX_CALLS);
			}
		}
	}
	return 0;
}

/*
 * In post-order (a chain after every chain it jumps to), the most rules a
 * packet entering each chain can be checked against: its own up to where
 * it leaves, and for each call (-j) those of the chain called; a goto (-g)
 * leaves for good, so only the dearest way out counts. Without a bound,
 * chains that each call the next twice, 32 deep, would check one packet
 * 2^32 times in a softirq; iptables lets that by. The bound is
 * MINIFW_MAX_CHECKS, or max_rules if that is larger, so that one chain of
 * max_rules rules always loads.
 */
static int minifw_graph_checks(const struct minifw_ruleset *rs, struct minifw_graph *g,
			       struct minifw_err *err)
{
	u64 most = max_t(u64, MINIFW_MAX_CHECKS, READ_ONCE(minifw_max_rules));
	u32 k, i, c;

	for (k = 0; k < rs->nchains; k++) {
		const struct minifw_chain *ch;
		u64 run = 0, best = 0;

		c = g->post[k];
		ch = &rs->chain[c];
		g->below[c] = ch->lineno;
		for (i = 0; i < ch->nrules && run <= most; i++) {
			const struct minifw_rule *r = &ch->rules[i];

			run++;
			if (!minifw_jumps(r))
				continue;
			g->below[c] = max_t(u32, g->below[c], g->below[r->target_arg]);
			if (r->target == MINIFW_T_JUMP)
				run += g->checks[r->target_arg];
			else
				best = max_t(u64, best, run + g->checks[r->target_arg]);
		}
		run = max_t(u64, run, best);
		g->checks[c] = min_t(u64, run, most + 1);	/* no overflow below */
		if (c < MINIFW_NCHAINS && run > most) {
			if (g->below[c])
				err->line = g->below[c];
			return minifw_fail(err, "a packet in %s could be checked against more than %llu rules: too many calls of user chains that call others",
					   ch->name, (unsigned long long)most);
		}
	}
	return 0;
}

/* May rule @r run in the built-in chains @hooks? (-i, -o, its extensions') */
static int minifw_rule_where(const struct minifw_rule *r, unsigned int hooks,
			     unsigned int table, struct minifw_err *err)
{
	int ret = minifw_check_ifaces(&r->m, hooks, err);
	const struct minifw_ext_ops *ops;
	unsigned int k;

	for (k = 0; !ret && k < MINIFW_MATCH_MAX && r->m.exts[k]; k++) {
		ops = minifw_ext_ops(r->m.exts[k]);
		ret = minifw_ext_where(ops, minifw_rule_match_data(r, k), hooks, table, err);
	}
	if (!ret && r->xtarget) {
		ops = minifw_ext_ops(r->xtarget);
		ret = minifw_ext_where(ops, minifw_rule_ext_data(r, ops), hooks, table, err);
	}
	return ret;
}

/* Every rule of every user chain, where it is reached from. */
static int minifw_graph_rules(const struct minifw_ruleset *rs, const struct minifw_graph *g,
			      struct minifw_err *err)
{
	struct minifw_err why = { 0 };
	u32 c, i, from;

	for (c = MINIFW_NCHAINS; c < rs->nchains; c++) {
		const struct minifw_chain *ch = &rs->chain[c];

		for (i = 0; ch->hooks && i < ch->nrules; i++) {
			if (!minifw_rule_where(&ch->rules[i], ch->hooks, rs->table, &why))
				continue;
			from = __ffs(ch->hooks);
			if (g->line[c])
				err->line = g->line[c];
			return minifw_fail(err, "rule %u of chain \"%s\", which is reached from %s: %s",
					   i + 1, ch->name, minifw_chain_name(from), why.msg);
		}
	}
	return 0;
}

/**
 * minifw_ruleset_check_graph() - check what the jumps between chains make
 * @rs: a ruleset nobody walks yet, every command applied
 * @err: reason on failure; err->line, if known, the latest line that
 *       changed a chain involved
 *
 * Refuses a loop of jumps (also among chains no built-in chain reaches,
 * which iptables lets by until one does), calls nested more than
 * MINIFW_MAX_CALLS deep, a built-in chain whose packets could be checked
 * against more than MINIFW_MAX_CHECKS rules, and a rule of a user chain that cannot run in a
 * built-in chain the user chain is reached from. Sets each chain's hooks.
 *
 * Context: control path, may sleep.
 * Return: 0, -EINVAL or -ENOMEM.
 */
int minifw_ruleset_check_graph(struct minifw_ruleset *rs, struct minifw_err *err)
{
	size_t n = rs->nchains;
	struct minifw_graph g;
	void *mem;
	int ret;

	if (n == MINIFW_NCHAINS)
		return 0;	/* no user chain: no jump */
	/* per chain: checks, stack, post, depth, line, below, state; u64 first, aligned */
	mem = kvmalloc_array(n, sizeof(*g.checks) + sizeof(*g.stack) + 4 * sizeof(u32) + 1,
			     GFP_KERNEL | __GFP_NOWARN);
	if (!mem)
		return minifw_nomem(err);
	g.checks = mem;
	g.stack = (struct minifw_dfs_frame *)(g.checks + n);
	g.post = (u32 *)(g.stack + n);
	g.depth = g.post + n;
	g.line = g.depth + n;
	g.below = g.line + n;
	g.state = (u8 *)(g.below + n);
	memset(g.state, MINIFW_WHITE, n);
	ret = minifw_graph_order(rs, &g, err) ?: minifw_graph_reach(rs, &g, err) ?:
	      minifw_graph_checks(rs, &g, err) ?: minifw_graph_rules(rs, &g, err);
	kvfree(mem);
	return ret;
}
