// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: rulesets and the commands that edit them: a new ruleset, a copy
 * of the live one with commands applied (-A, -I, -D, -R, -C, -F, -P, -Z;
 * the user chains' -N, -X, -E), and what minifw.c asks of one before
 * publishing it.
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
#include "ifname.h"

/*
 * Most rules a ruleset may hold (all chains together), and so also most
 * commands one write() may queue: the max_rules module parameter.
 */
unsigned int minifw_max_rules = MINIFW_DEFAULT_MAX_RULES;

/* Does @r jump or go to a chain (rule.target_arg)? */
static bool minifw_rule_jumps(const struct minifw_rule *r)
{
	return r->target == MINIFW_T_JUMP || r->target == MINIFW_T_GOTO;
}

/* Drop what a rule holds: its counters, extension and interface names. */
static void minifw_rule_free(struct minifw_rule *r)
{
	minifw_counter_put(r->cnt);
	minifw_ext_put(r->ext);
	minifw_ifname_put(r->m.in);
	minifw_ifname_put(r->m.out);
}

/* Another reference to what a copied rule holds but its counters. */
static void minifw_rule_get(const struct minifw_rule *r)
{
	minifw_ext_get(r->ext);
	minifw_ifname_get(r->m.in);
	minifw_ifname_get(r->m.out);
}

/* A rule leaves a ruleset being edited: also one reference less to its chain. */
static void minifw_rule_release(struct minifw_ruleset *rs, struct minifw_rule *r)
{
	if (minifw_rule_jumps(r))
		rs->chain[r->target_arg].refs--;
	minifw_rule_free(r);
}

static void minifw_chain_free(struct minifw_chain *c)
{
	u32 i;

	for (i = 0; i < c->nrules; i++)
		minifw_rule_free(&c->rules[i]);
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
	u32 c;

	if (!rs || !refcount_dec_and_test(&rs->ref))
		return;
	for (c = 0; rs->chain && c < rs->nchains; c++)
		minifw_chain_free(&rs->chain[c]);
	kvfree(rs->chain);
	kvfree(rs->byname);
	minifw_counter_block_put(rs->cblk);
	kfree(rs);
}

/* Room for @cap chains; the arrays may move. */
static int minifw_ruleset_reserve_chains(struct minifw_ruleset *rs, u32 cap)
{
	struct minifw_chain *chain;
	u32 *byname;

	if (cap <= rs->capchains)
		return 0;
	cap = max_t(u32, cap, rs->capchains + rs->capchains / 2);
	chain = kvcalloc(cap, sizeof(*chain), GFP_KERNEL | __GFP_NOWARN);
	byname = kvmalloc_array(cap, sizeof(*byname), GFP_KERNEL | __GFP_NOWARN);
	if (!chain || !byname) {
		kvfree(chain);
		kvfree(byname);
		return -ENOMEM;
	}
	if (rs->nchains) {
		memcpy(chain, rs->chain, rs->nchains * sizeof(*chain));
		memcpy(byname, rs->byname, (rs->nchains - MINIFW_NCHAINS) * sizeof(*byname));
	}
	kvfree(rs->chain);
	kvfree(rs->byname);
	rs->chain = chain;
	rs->byname = byname;
	rs->capchains = cap;
	return 0;
}

/* A ruleset without chains, with room for @cap of them. */
static struct minifw_ruleset *minifw_ruleset_alloc(u32 cap)
{
	struct minifw_ruleset *rs = kzalloc(sizeof(*rs), GFP_KERNEL);

	if (!rs)
		return NULL;
	refcount_set(&rs->ref, 1);
	if (minifw_ruleset_reserve_chains(rs, cap)) {
		kfree(rs);
		return NULL;
	}
	return rs;
}

/**
 * minifw_ruleset_new() - an empty ruleset: the built-in chains, every
 * policy ACCEPT
 *
 * Context: control path, may sleep.
 * Return: the ruleset with one reference, or NULL.
 */
struct minifw_ruleset *minifw_ruleset_new(void)
{
	struct minifw_ruleset *rs = minifw_ruleset_alloc(8);
	unsigned int c;

	if (!rs)
		return NULL;
	for (c = 0; c < MINIFW_NCHAINS; c++) {
		struct minifw_chain *ch = &rs->chain[c];

		rs->nchains++;
		strscpy(ch->name, minifw_chain_name(c), sizeof(ch->name));
		ch->policy = MINIFW_T_ACCEPT;
		ch->hooks = MINIFW_CHAIN_BIT(c);
		ch->policy_cnt = minifw_counter_new(rs);
		if (!ch->policy_cnt) {
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

/*
 * A private copy of @cur that shares its counters, with room for @adds
 * more rules in each built-in chain.
 */
static struct minifw_ruleset *minifw_ruleset_clone(const struct minifw_ruleset *cur,
						   const u32 *adds)
{
	struct minifw_ruleset *rs = minifw_ruleset_alloc(cur->nchains + 4);
	u32 c, i;

	if (!rs)
		return NULL;
	rs->table = cur->table;
	memcpy(rs->byname, cur->byname, (cur->nchains - MINIFW_NCHAINS) * sizeof(*rs->byname));
	for (c = 0; c < cur->nchains; c++) {
		const struct minifw_chain *from = &cur->chain[c];
		struct minifw_chain *to = &rs->chain[c];

		rs->nchains++;
		memcpy(to->name, from->name, sizeof(to->name));
		to->policy = from->policy;
		to->hooks = from->hooks;
		to->refs = from->refs;
		to->policy_cnt = minifw_counter_get(from->policy_cnt);
		if (minifw_chain_reserve(to, from->nrules + (c < MINIFW_NCHAINS ? adds[c] : 0))) {
			minifw_ruleset_put(rs);
			return NULL;
		}
		for (i = 0; i < from->nrules; i++) {
			to->rules[i] = from->rules[i];
			minifw_counter_get(to->rules[i].cnt);
			minifw_rule_get(&to->rules[i]);
		}
		to->nrules = from->nrules;
		/* the compiled runs, kept by compiling if the chain is left as it is */
		if (from->compiled) {
			refcount_inc(&from->compiled->ref);
			to->compiled = from->compiled;
			to->runs = from->runs;
			to->nruns = from->nruns;
			to->built_from = from->rules;
			to->built_n = from->nrules;
		}
	}
	rs->nrules = cur->nrules;
	return rs;
}

/* Where @name is, or would go, among the first @n entries of rs->byname. */
static u32 minifw_byname_pos(const struct minifw_ruleset *rs, u32 n, const char *name,
			     bool *found)
{
	u32 lo = 0, hi = n;

	*found = false;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int cmp = strcmp(rs->chain[rs->byname[mid]].name, name);

		if (!cmp) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * minifw_chain_find() - a chain by name
 * @rs: ruleset
 * @name: "INPUT", or a user chain's name
 *
 * Context: any.
 * Return: its index in rs->chain, or -1.
 */
int minifw_chain_find(const struct minifw_ruleset *rs, const char *name)
{
	unsigned int c;
	bool found;
	u32 pos;

	for (c = 0; c < MINIFW_NCHAINS; c++)
		if (!strcmp(rs->chain[c].name, name))
			return c;
	pos = minifw_byname_pos(rs, rs->nchains - MINIFW_NCHAINS, name, &found);
	return found ? (int)rs->byname[pos] : -1;
}

/**
 * minifw_listed_chain() - the chains in listing order
 * @rs: ruleset
 * @k: 0 to rs->nchains - 1
 *
 * The built-in chains in packet-flow order, then the user chains by name,
 * as iptables-save lists them.
 *
 * Context: any.
 * Return: the @k-th chain.
 */
const struct minifw_chain *minifw_listed_chain(const struct minifw_ruleset *rs, u32 k)
{
	return &rs->chain[k < MINIFW_NCHAINS ? k : rs->byname[k - MINIFW_NCHAINS]];
}

/* "unknown chain" or "unknown target", with the nearest name there is */
static int minifw_unknown(const struct minifw_ruleset *rs, const char *name, bool jump,
			  struct minifw_err *err)
{
	struct minifw_best b = { .word = name };
	char hint[MINIFW_HINTBUF];
	u32 c;

	for (c = 0; c < rs->nchains; c++)
		if (!jump || c >= MINIFW_NCHAINS)
			minifw_consider(&b, rs->chain[c].name);
	if (jump) {
		minifw_consider(&b, "ACCEPT");
		minifw_consider(&b, "DROP");
		minifw_consider(&b, "RETURN");
		minifw_ext_consider_targets(&b);
	}
	if (b.best)
		return minifw_fail(err, "unknown %s \"%s\"%s", jump ? "target" : "chain", name,
				   minifw_hint(&b, hint, sizeof(hint)));
	if (jump)
		return minifw_fail(err, "unknown target \"%s\" (no target or chain has that name; make the chain with -N first)",
				   name);
	return minifw_fail(err, "unknown chain \"%s\" (make it with -N first)", name);
}

/* The chain @cmd works on, by index; or -EINVAL. */
static int minifw_cmd_chain(const struct minifw_ruleset *rs, const struct minifw_cmd *cmd,
			    struct minifw_err *err)
{
	int c;

	if (cmd->chain < MINIFW_NCHAINS)
		return cmd->chain;
	c = minifw_chain_find(rs, cmd->name);
	return c >= 0 ? c : minifw_unknown(rs, cmd->name, false, err);
}

static int minifw_check_num(const struct minifw_cmd *cmd, const struct minifw_chain *c,
			    u32 max, struct minifw_err *err)
{
	if (cmd->num > max)
		return minifw_fail(err, "%s has %u rules; there is no rule %u%s", c->name,
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

/* Do two rules list alike? (-D CHAIN rule, -C) */
static bool minifw_rule_equal(const struct minifw_rule *a, const struct minifw_rule *b)
{
	return a->target == b->target && a->target_arg == b->target_arg &&
	       a->xtarget == b->xtarget && !memcmp(&a->m, &b->m, sizeof(a->m)) &&
	       minifw_ext_equal(a->ext, b->ext);
}

/*
 * The rule of an -A, -I, -R, -D or -C command in @rs: its jump's chain
 * found by name (a reference is taken only when it is added).
 */
static int minifw_cmd_rule_in(const struct minifw_ruleset *rs, const struct minifw_cmd *cmd,
			      struct minifw_rule *r, struct minifw_err *err)
{
	int c;

	minifw_cmd_rule(cmd, r);
	if (!minifw_rule_jumps(r))
		return 0;
	c = minifw_chain_find(rs, cmd->arg);
	if (c < 0)
		return minifw_unknown(rs, cmd->arg, true, err);
	r->target_arg = c;
	return 0;
}

/* Add @r (its counters new) as rule @pos of chain @c. */
static int minifw_chain_add(struct minifw_ruleset *rs, u32 c, u32 pos, struct minifw_rule *r,
			    struct minifw_err *err)
{
	struct minifw_chain *ch = &rs->chain[c];

	if (rs->nrules >= READ_ONCE(minifw_max_rules))
		return minifw_fail(err, "too many rules: the limit is %u (module parameter max_rules)",
				   READ_ONCE(minifw_max_rules));
	if (minifw_chain_reserve(ch, ch->nrules + 1))
		return minifw_nomem(err);
	r->cnt = minifw_counter_new(rs);
	if (!r->cnt)
		return minifw_nomem(err);
	minifw_ext_init(r);
	minifw_rule_get(r);
	if (minifw_rule_jumps(r))
		rs->chain[r->target_arg].refs++;
	memmove(&ch->rules[pos + 1], &ch->rules[pos], (ch->nrules - pos) * sizeof(*r));
	ch->rules[pos] = *r;
	ch->nrules++;
	rs->nrules++;
	return 0;
}

/* -N: a new user chain, last in chain[], in its place in byname[]. */
static int minifw_chain_new(struct minifw_ruleset *rs, const struct minifw_cmd *cmd,
			    struct minifw_err *err)
{
	struct minifw_chain *ch;
	bool found;
	u32 pos;

	if (minifw_chain_find(rs, cmd->name) >= 0)
		return minifw_fail(err, "chain \"%s\" already exists", cmd->name);
	if (rs->nchains >= MINIFW_MAX_CHAINS)
		return minifw_fail(err, "too many chains (at most %u)", MINIFW_MAX_CHAINS);
	if (minifw_ruleset_reserve_chains(rs, rs->nchains + 1))
		return minifw_nomem(err);
	ch = &rs->chain[rs->nchains];
	memset(ch, 0, sizeof(*ch));
	ch->policy_cnt = minifw_counter_new(rs);
	if (!ch->policy_cnt)
		return minifw_nomem(err);
	ch->policy = MINIFW_T_RETURN;
	ch->lineno = cmd->lineno;
	strscpy(ch->name, cmd->name, sizeof(ch->name));
	pos = minifw_byname_pos(rs, rs->nchains - MINIFW_NCHAINS, cmd->name, &found);
	memmove(&rs->byname[pos + 1], &rs->byname[pos],
		(rs->nchains - MINIFW_NCHAINS - pos) * sizeof(*rs->byname));
	rs->byname[pos] = rs->nchains++;
	return 0;
}

/* Take user chain @c out of rs->byname[]. */
static void minifw_byname_remove(struct minifw_ruleset *rs, u32 c)
{
	bool found;
	u32 pos = minifw_byname_pos(rs, rs->nchains - MINIFW_NCHAINS, rs->chain[c].name, &found);

	if (WARN_ON_ONCE(!found))
		return;
	memmove(&rs->byname[pos], &rs->byname[pos + 1],
		(rs->nchains - MINIFW_NCHAINS - pos - 1) * sizeof(*rs->byname));
}

/*
 * -X of one chain: refused, as iptables refuses it, while a rule jumps to
 * it or it has rules. The chains after it move down one, and so do the
 * jumps to them.
 */
static int minifw_chain_delete(struct minifw_ruleset *rs, u32 c, struct minifw_err *err)
{
	struct minifw_chain *ch = &rs->chain[c];
	u32 k, i;

	if (c < MINIFW_NCHAINS)
		return minifw_fail(err, "-X %s: built-in chains cannot be deleted", ch->name);
	if (ch->refs)
		return minifw_fail(err, "-X %s: %u rule%s still jump%s to it (delete them first)",
				   ch->name, ch->refs, ch->refs == 1 ? "" : "s",
				   ch->refs == 1 ? "s" : "");
	if (ch->nrules)
		return minifw_fail(err, "-X %s: it still has %u rule%s (flush it first: -F %s)",
				   ch->name, ch->nrules, ch->nrules == 1 ? "" : "s", ch->name);
	minifw_byname_remove(rs, c);
	minifw_chain_free(ch);
	memmove(ch, ch + 1, (rs->nchains - c - 1) * sizeof(*ch));
	rs->nchains--;
	for (k = 0; k < rs->nchains - MINIFW_NCHAINS; k++)
		rs->byname[k] -= rs->byname[k] > c;
	for (k = 0; k < rs->nchains; k++)
		for (i = 0; i < rs->chain[k].nrules; i++)
			if (minifw_rule_jumps(&rs->chain[k].rules[i]))
				rs->chain[k].rules[i].target_arg -=
					rs->chain[k].rules[i].target_arg > c;
	return 0;
}

/*
 * -X without a name: every user chain, or none. As iptables, it is refused
 * when one of them still has rules or a built-in chain jumps to it, and the
 * error names the first such chain in name order.
 */
static int minifw_chain_delete_all(struct minifw_ruleset *rs, struct minifw_err *err)
{
	u32 k, c;

	for (k = 0; k < rs->nchains - MINIFW_NCHAINS; k++) {
		c = rs->byname[k];
		if (rs->chain[c].nrules || rs->chain[c].refs)
			return minifw_chain_delete(rs, c, err);
	}
	/* all empty and unreferenced: no jump to renumber, nothing to sort */
	for (c = MINIFW_NCHAINS; c < rs->nchains; c++)
		minifw_chain_free(&rs->chain[c]);
	rs->nchains = MINIFW_NCHAINS;
	return 0;
}

/* -E OLD NEW: jumps name chains by index, so they follow. */
static int minifw_chain_rename(struct minifw_ruleset *rs, u32 c, const char *name,
			       struct minifw_err *err)
{
	bool found;
	u32 pos;

	if (c < MINIFW_NCHAINS)
		return minifw_fail(err, "-E %s: built-in chains cannot be renamed",
				   rs->chain[c].name);
	if (minifw_chain_find(rs, name) >= 0)
		return minifw_fail(err, "-E: chain \"%s\" already exists", name);
	minifw_byname_remove(rs, c);
	strscpy(rs->chain[c].name, name, sizeof(rs->chain[c].name));
	/* byname[] has one entry less now */
	pos = minifw_byname_pos(rs, rs->nchains - MINIFW_NCHAINS - 1, name, &found);
	memmove(&rs->byname[pos + 1], &rs->byname[pos],
		(rs->nchains - MINIFW_NCHAINS - 1 - pos) * sizeof(*rs->byname));
	rs->byname[pos] = c;
	return 0;
}

/* The rule @r of chain @ch as it is listed: where a -D or -C finds it. */
static u32 minifw_chain_lookup(const struct minifw_chain *ch, const struct minifw_rule *r)
{
	u32 i;

	for (i = 0; i < ch->nrules; i++)
		if (minifw_rule_equal(&ch->rules[i], r))
			break;
	return i;
}

/* -F and -Z, of one chain (@c) or of all (@c < 0). */
static int minifw_flush_zero(struct minifw_ruleset *rs, const struct minifw_cmd *cmd, int c,
			     struct minifw_err *err)
{
	u32 k, i;

	if (cmd->op == MINIFW_OP_ZERO && cmd->num &&
	    minifw_check_num(cmd, &rs->chain[c], rs->chain[c].nrules, err))
		return -EINVAL;
	for (k = 0; k < rs->nchains; k++) {
		struct minifw_chain *ch = &rs->chain[k];

		if (c >= 0 && (u32)c != k)
			continue;
		if (cmd->op == MINIFW_OP_ZERO) {
			if (minifw_zero(rs, ch, cmd->num))
				return minifw_nomem(err);
			continue;
		}
		for (i = 0; i < ch->nrules; i++)
			minifw_rule_release(rs, &ch->rules[i]);
		rs->nrules -= ch->nrules;
		ch->nrules = 0;
		ch->lineno = cmd->lineno;
	}
	return 0;
}

/* -A, -I, -R, -D, -C: the commands that name a rule of chain @c. */
static int minifw_rule_cmd(struct minifw_ruleset *rs, const struct minifw_cmd *cmd, u32 c,
			   struct minifw_err *err)
{
	struct minifw_chain *ch = &rs->chain[c];
	struct minifw_rule rule;
	u32 pos;

	if (cmd->op != MINIFW_OP_DELETE_NUM && minifw_cmd_rule_in(rs, cmd, &rule, err))
		return -EINVAL;
	if (cmd->op != MINIFW_OP_CHECK)
		ch->lineno = cmd->lineno;	/* -C changes nothing */
	switch (cmd->op) {
	case MINIFW_OP_APPEND:
		return minifw_chain_add(rs, c, ch->nrules, &rule, err);
	case MINIFW_OP_INSERT:
		if (minifw_check_num(cmd, ch, ch->nrules + 1, err))
			return -EINVAL;
		return minifw_chain_add(rs, c, cmd->num ? cmd->num - 1 : 0, &rule, err);
	case MINIFW_OP_REPLACE:
		if (minifw_check_num(cmd, ch, ch->nrules, err))
			return -EINVAL;
		pos = cmd->num - 1;
		break;
	case MINIFW_OP_DELETE_NUM:
		if (minifw_check_num(cmd, ch, ch->nrules, err))
			return -EINVAL;
		pos = cmd->num - 1;
		break;
	default:
		pos = minifw_chain_lookup(ch, &rule);
		if (pos == ch->nrules)
			return minifw_fail(err, "%s: no such rule in %s (the rule must be exactly as listed%s)",
					   cmd->op == MINIFW_OP_CHECK ? "-C" : "-D", ch->name,
					   cmd->op == MINIFW_OP_CHECK ? "" : ", or give its number");
		if (cmd->op == MINIFW_OP_CHECK)
			return 0;
		break;
	}
	/* -R, -D: out with the old rule; -R adds the new one in its place */
	minifw_rule_release(rs, &ch->rules[pos]);
	memmove(&ch->rules[pos], &ch->rules[pos + 1], (ch->nrules - pos - 1) * sizeof(rule));
	ch->nrules--;
	rs->nrules--;
	if (cmd->op == MINIFW_OP_REPLACE)
		return minifw_chain_add(rs, c, pos, &rule, err);
	return 0;
}

/**
 * minifw_ruleset_apply() - apply one command to a private ruleset
 * @rs: a ruleset nobody else sees yet
 * @cmd: the command
 * @err: reason on failure
 *
 * What no one command can see (loops of jumps, how deep calls nest, a
 * rule in a user chain that cannot run where the chain is called from) is
 * minifw_ruleset_check_graph()'s, once all the commands are applied.
 * On failure @rs may be partly changed; the caller throws it away.
 *
 * Context: control path, may sleep.
 * Return: 0, -EINVAL or -ENOMEM.
 */
int minifw_ruleset_apply(struct minifw_ruleset *rs, const struct minifw_cmd *cmd,
			 struct minifw_err *err)
{
	int c = -1;

	if (cmd->op == MINIFW_OP_NEW_CHAIN)
		return minifw_chain_new(rs, cmd, err);
	if (cmd->chain != MINIFW_ALL_CHAINS) {
		c = minifw_cmd_chain(rs, cmd, err);
		if (c < 0)
			return c;
	}
	switch (cmd->op) {
	case MINIFW_OP_POLICY:
		if (c >= MINIFW_NCHAINS)
			return minifw_fail(err, "-P %s: only built-in chains have a policy",
					   rs->chain[c].name);
		rs->chain[c].policy = cmd->policy;
		return 0;
	case MINIFW_OP_FLUSH:
	case MINIFW_OP_ZERO:
		return minifw_flush_zero(rs, cmd, c, err);
	case MINIFW_OP_DELETE_CHAIN:
		if (c < 0)
			return minifw_chain_delete_all(rs, err);
		return minifw_chain_delete(rs, c, err);
	case MINIFW_OP_RENAME_CHAIN:
		return minifw_chain_rename(rs, c, cmd->arg, err);
	default:
		return minifw_rule_cmd(rs, cmd, c, err);
	}
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
	u32 c, i;

	for (c = 0; c < rs->nchains; c++)
		for (i = 0; i < rs->chain[c].nrules; i++)
			if (rs->chain[c].rules[i].target == target)
				return true;
	return false;
}

/**
 * minifw_ruleset_has_match() - does any rule have the match @ops?
 * @rs: ruleset
 * @ops: the extension (&minifw_xt_connbytes)
 *
 * Context: control path.
 * Return: true if one does.
 */
bool minifw_ruleset_has_match(const struct minifw_ruleset *rs, const struct minifw_ext_ops *ops)
{
	const struct minifw_rule *r;
	u32 c, i, k;

	for (c = 0; c < rs->nchains; c++)
		for (i = 0; i < rs->chain[c].nrules; i++) {
			r = &rs->chain[c].rules[i];
			for (k = 0; k < MINIFW_MATCH_MAX && r->m.exts[k]; k++)
				if (minifw_ext_ops(r->m.exts[k]) == ops)
					return true;
		}
	return false;
}

/**
 * minifw_ruleset_has_ctstate() - does any rule match on connection state
 * or another of -m conntrack's options?
 * @rs: ruleset
 *
 * Context: control path.
 * Return: true if one does (then connection tracking must run).
 */
bool minifw_ruleset_has_ctstate(const struct minifw_ruleset *rs)
{
	u32 c, i;

	for (c = 0; c < rs->nchains; c++)
		for (i = 0; i < rs->chain[c].nrules; i++)
			if ((rs->chain[c].rules[i].m.flags & MINIFW_CTSTATE) ||
			    (minifw_ext_reads(&rs->chain[c].rules[i]) & MINIFW_SKIP_CT))
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
	return rs->nrules;
}
