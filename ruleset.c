// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: rulesets and the commands that edit them: a new ruleset, a copy
 * of the live one with commands applied (-A, -I, -D, -R, -F, -P, -Z), and
 * what minifw.c asks of one before publishing it.
 *
 * Control path; no locks (the caller serialises edits and publishes with
 * RCU). Also builds in user space (include/minifw_user.h).
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/err.h>
#endif

#include "ruleset.h"
#include "syntax.h"
#include "ext.h"

/*
 * Most rules a ruleset may hold (all chains together), and so also most
 * commands one write() may queue: the max_rules module parameter.
 */
unsigned int minifw_max_rules = MINIFW_DEFAULT_MAX_RULES;

/* Drop what a rule in a chain holds: its counters and extension. */
static void minifw_rule_release(struct minifw_rule *r)
{
	minifw_counter_put(r->cnt);
	minifw_ext_put(r->ext);
}

static void minifw_chain_free(struct minifw_chain *c)
{
	u32 i;

	for (i = 0; i < c->nrules; i++)
		minifw_rule_release(&c->rules[i]);
	kvfree(c->rules);
	minifw_counter_put(c->policy_cnt);
	minifw_chain_uncompile(c);
}

/**
 * minifw_ruleset_put() - drop a reference to a ruleset
 * @rs: ruleset, or NULL
 *
 * Frees it, and the counters no other ruleset holds, with the last reference.
 *
 * Context: control path or RCU callback; does not sleep.
 */
void minifw_ruleset_put(struct minifw_ruleset *rs)
{
	unsigned int c;

	if (!rs || !refcount_dec_and_test(&rs->ref))
		return;
	for (c = 0; c < MINIFW_NCHAINS; c++)
		minifw_chain_free(&rs->chain[c]);
	minifw_counter_block_put(rs->cblk);
	kfree(rs);
}

/**
 * minifw_ruleset_new() - an empty ruleset, every policy ACCEPT
 *
 * Context: control path, may sleep.
 * Return: the ruleset with one reference, or NULL.
 */
struct minifw_ruleset *minifw_ruleset_new(void)
{
	struct minifw_ruleset *rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	unsigned int c;

	if (!rs)
		return NULL;
	refcount_set(&rs->ref, 1);
	for (c = 0; c < MINIFW_NCHAINS; c++) {
		rs->chain[c].policy = MINIFW_T_ACCEPT;
		rs->chain[c].policy_cnt = minifw_counter_new(rs);
		if (!rs->chain[c].policy_cnt) {
			minifw_ruleset_put(rs);
			return NULL;
		}
	}
	return rs;
}

/* Move the rules into an array of @cap (at least nrules) entries. */
static int minifw_chain_resize(struct minifw_chain *c, u32 cap)
{
	struct minifw_rule *rules = NULL;

	if (cap) {
		rules = kvmalloc_array(cap, sizeof(*rules), GFP_KERNEL | __GFP_NOWARN);
		if (!rules)
			return -ENOMEM;
	}
	if (c->nrules)
		memcpy(rules, c->rules, c->nrules * sizeof(*rules));
	kvfree(c->rules);
	c->rules = rules;
	c->cap = cap;
	return 0;
}

/* Make room for at least @need rules; the array may move. */
static int minifw_chain_reserve(struct minifw_chain *c, u32 need)
{
	if (need <= c->cap)
		return 0;
	return minifw_chain_resize(c, max_t(u32, need,
					    c->cap < 8 ? 8 : c->cap + c->cap / 2));
}

/**
 * minifw_chain_trim() - give back what appends reserved
 * @c: a chain about to be published, which never grows again
 *
 * Context: control path, may sleep.
 * Return: 0 or -ENOMEM.
 */
int minifw_chain_trim(struct minifw_chain *c)
{
	if (c->cap - c->nrules <= c->nrules / 16)
		return 0;
	return minifw_chain_resize(c, c->nrules);
}

/* A private copy of @cur that shares its counters, with room for @adds more rules. */
static struct minifw_ruleset *minifw_ruleset_clone(const struct minifw_ruleset *cur,
						   const u32 *adds)
{
	struct minifw_ruleset *rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	unsigned int c;
	u32 i;

	if (!rs)
		return NULL;
	refcount_set(&rs->ref, 1);
	for (c = 0; c < MINIFW_NCHAINS; c++) {
		const struct minifw_chain *from = &cur->chain[c];
		struct minifw_chain *to = &rs->chain[c];

		to->policy = from->policy;
		to->policy_cnt = minifw_counter_get(from->policy_cnt);
		if (minifw_chain_reserve(to, from->nrules + adds[c])) {
			minifw_ruleset_put(rs);
			return NULL;
		}
		for (i = 0; i < from->nrules; i++) {
			to->rules[i] = from->rules[i];
			minifw_counter_get(to->rules[i].cnt);
			minifw_ext_get(to->rules[i].ext);
		}
		to->nrules = from->nrules;
	}
	return rs;
}

static int minifw_check_num(const struct minifw_cmd *cmd, u32 max,
			    struct minifw_err *err)
{
	if (cmd->num > max)
		return minifw_fail(err, "%s has %u rules; there is no rule %u%s",
				   minifw_chain_name(cmd->chain),
				   max - (cmd->op == MINIFW_OP_INSERT), cmd->num,
				   cmd->op == MINIFW_OP_INSERT ? " to insert before" : "");
	return 0;
}

static int minifw_zero(struct minifw_ruleset *rs, struct minifw_chain *c, u32 num)
{
	struct minifw_counter *fresh;
	u32 i;

	/* Fresh counters, not cleared ones: other CPUs may be counting. */
	for (i = num ? num - 1 : 0; i < (num ? num : c->nrules); i++) {
		fresh = minifw_counter_new(rs);
		if (!fresh)
			return -ENOMEM;
		/* as iptables -Z: counts restart, a limit's bucket does not */
		minifw_counter_keep_state(fresh, c->rules[i].cnt);
		minifw_counter_put(c->rules[i].cnt);
		c->rules[i].cnt = fresh;
	}
	if (!num) {
		fresh = minifw_counter_new(rs);
		if (!fresh)
			return -ENOMEM;
		minifw_counter_put(c->policy_cnt);
		c->policy_cnt = fresh;
	}
	return 0;
}

/* Do two rules list alike? (-D CHAIN rule) */
static bool minifw_rule_equal(const struct minifw_rule *a, const struct minifw_rule *b)
{
	return a->target == b->target && a->target_arg == b->target_arg &&
	       a->xtarget == b->xtarget && !memcmp(&a->m, &b->m, sizeof(a->m)) &&
	       minifw_ext_equal(a->ext, b->ext);
}

/**
 * minifw_ruleset_apply() - apply one command to a private ruleset
 * @rs: a ruleset nobody else sees yet
 * @cmd: the command
 * @err: reason on failure
 *
 * On failure @rs may be partly changed; the caller throws it away.
 *
 * Context: control path, may sleep.
 * Return: 0, -EINVAL or -ENOMEM.
 */
int minifw_ruleset_apply(struct minifw_ruleset *rs, const struct minifw_cmd *cmd,
			 struct minifw_err *err)
{
	struct minifw_chain *c = cmd->chain < MINIFW_NCHAINS ? &rs->chain[cmd->chain] : NULL;
	struct minifw_rule rule;
	unsigned int k;
	u32 pos = 0, i;

	minifw_cmd_rule(cmd, &rule);
	switch (cmd->op) {
	case MINIFW_OP_APPEND:
	case MINIFW_OP_INSERT:
		pos = cmd->op == MINIFW_OP_APPEND ? c->nrules : (cmd->num ? cmd->num - 1 : 0);
		if (minifw_check_num(cmd, c->nrules + 1, err))
			return -EINVAL;
		if (minifw_ruleset_count(rs) >= READ_ONCE(minifw_max_rules))
			return minifw_fail(err, "too many rules: the limit is %u (module parameter max_rules)",
					   READ_ONCE(minifw_max_rules));
		if (minifw_chain_reserve(c, c->nrules + 1))
			return minifw_nomem(err);
		rule.cnt = minifw_counter_new(rs);
		if (!rule.cnt)
			return minifw_nomem(err);
		minifw_ext_init(&rule);
		minifw_ext_get(cmd->ext);
		memmove(&c->rules[pos + 1], &c->rules[pos],
			(c->nrules - pos) * sizeof(rule));
		c->rules[pos] = rule;
		c->nrules++;
		return 0;
	case MINIFW_OP_DELETE_RULE:
		for (i = 0; i < c->nrules; i++)
			if (minifw_rule_equal(&c->rules[i], &rule))
				break;
		if (i == c->nrules)
			return minifw_fail(err, "no such rule in %s (-D needs the rule exactly as listed, or its number)",
					   minifw_chain_name(cmd->chain));
		pos = i + 1;
		fallthrough;
	case MINIFW_OP_DELETE_NUM:
		if (!pos) {
			if (minifw_check_num(cmd, c->nrules, err))
				return -EINVAL;
			pos = cmd->num;
		}
		minifw_rule_release(&c->rules[pos - 1]);
		memmove(&c->rules[pos - 1], &c->rules[pos],
			(c->nrules - pos) * sizeof(rule));
		c->nrules--;
		return 0;
	case MINIFW_OP_REPLACE:
		if (minifw_check_num(cmd, c->nrules, err))
			return -EINVAL;
		rule.cnt = minifw_counter_new(rs);
		if (!rule.cnt)
			return minifw_nomem(err);
		minifw_ext_init(&rule);
		minifw_ext_get(cmd->ext);
		minifw_rule_release(&c->rules[cmd->num - 1]);
		c->rules[cmd->num - 1] = rule;
		return 0;
	case MINIFW_OP_POLICY:
		c->policy = cmd->policy;
		return 0;
	case MINIFW_OP_FLUSH:
	case MINIFW_OP_ZERO:
		if (cmd->op == MINIFW_OP_ZERO && cmd->num &&
		    minifw_check_num(cmd, c->nrules, err))
			return -EINVAL;
		for (k = 0; k < MINIFW_NCHAINS; k++) {
			struct minifw_chain *ch = &rs->chain[k];

			if (c && c != ch)
				continue;
			if (cmd->op == MINIFW_OP_ZERO) {
				if (minifw_zero(rs, ch, cmd->num))
					return minifw_nomem(err);
				continue;
			}
			for (i = 0; i < ch->nrules; i++)
				minifw_rule_release(&ch->rules[i]);
			ch->nrules = 0;
		}
		return 0;
	}
	return minifw_fail(err, "unknown command");
}

/**
 * minifw_ruleset_edit() - a new ruleset: @cur with @cmds applied
 * @cur: the live ruleset; only read
 * @cmds: commands, applied in order
 * @n: number of commands
 * @err: reason on failure, with the failing command's line
 *
 * Rules that survive share their counters with @cur.
 *
 * Context: control path, may sleep; the caller serialises edits.
 * Return: the new ruleset, or an ERR_PTR(); @cur is unchanged either way.
 */
struct minifw_ruleset *minifw_ruleset_edit(const struct minifw_ruleset *cur,
					   const struct minifw_cmd *cmds, u32 n,
					   struct minifw_err *err)
{
	u32 adds[MINIFW_NCHAINS] = { 0 };
	struct minifw_ruleset *rs;
	u32 i;
	int ret;

	/* room for the rules the commands add, so that no append regrows */
	for (i = 0; i < n; i++)
		if ((cmds[i].op == MINIFW_OP_APPEND || cmds[i].op == MINIFW_OP_INSERT) &&
		    cmds[i].chain < MINIFW_NCHAINS)
			adds[cmds[i].chain]++;
	rs = minifw_ruleset_clone(cur, adds);
	if (!rs)
		return ERR_PTR(minifw_nomem(err));
	for (i = 0; i < n; i++) {
		cond_resched();
		ret = minifw_ruleset_apply(rs, &cmds[i], err);
		if (ret) {
			err->line = cmds[i].lineno;
			minifw_ruleset_put(rs);
			return ERR_PTR(ret);
		}
	}
	return rs;
}

/**
 * minifw_ruleset_inherit_policies() - fill policies a restore block left out
 * @rs: the block's ruleset
 * @cur: the live ruleset
 *
 * As iptables-restore: a chain the block gives no policy keeps its own.
 *
 * Context: control path, under the owner's lock.
 */
void minifw_ruleset_inherit_policies(struct minifw_ruleset *rs,
				     const struct minifw_ruleset *cur)
{
	unsigned int c;

	for (c = 0; c < MINIFW_NCHAINS; c++)
		if (rs->chain[c].policy == MINIFW_T_UNSET)
			rs->chain[c].policy = cur->chain[c].policy;
}

/**
 * minifw_ruleset_has_target() - does any rule jump to @target?
 * @rs: ruleset
 * @target: enum minifw_target
 *
 * Context: control path.
 * Return: true if one does.
 */
bool minifw_ruleset_has_target(const struct minifw_ruleset *rs, unsigned int target)
{
	unsigned int c;
	u32 i;

	for (c = 0; c < MINIFW_NCHAINS; c++)
		for (i = 0; i < rs->chain[c].nrules; i++)
			if (rs->chain[c].rules[i].target == target)
				return true;
	return false;
}

/**
 * minifw_ruleset_has_ctstate() - does any rule match on connection state?
 * @rs: ruleset
 *
 * Context: control path.
 * Return: true if one does (then connection tracking must run).
 */
bool minifw_ruleset_has_ctstate(const struct minifw_ruleset *rs)
{
	unsigned int c;
	u32 i;

	for (c = 0; c < MINIFW_NCHAINS; c++)
		for (i = 0; i < rs->chain[c].nrules; i++)
			if (rs->chain[c].rules[i].m.flags & MINIFW_CTSTATE)
				return true;
	return false;
}

/**
 * minifw_ruleset_count() - number of rules in all chains
 * @rs: ruleset
 *
 * Context: any.
 * Return: the count.
 */
u32 minifw_ruleset_count(const struct minifw_ruleset *rs)
{
	u32 n = 0;
	unsigned int c;

	for (c = 0; c < MINIFW_NCHAINS; c++)
		n += rs->chain[c].nrules;
	return n;
}
