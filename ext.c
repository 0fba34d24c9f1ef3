// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: extensions: the registry of every match and target beyond the
 * core options, loading them while a rule is parsed (by -m, by -j, or by
 * an option of the rule's protocol, as iptables loads -m tcp for --dport),
 * their final checks, and the data a rule keeps of them (&struct
 * minifw_ext): built once the line is read, shared by ruleset versions,
 * compared for -D, printed. What one extension is: include/ext.h.
 *
 * Control path but for minifw_rule_ext_data(), which -j LOG's packet path
 * uses to find its options. No locks. Also builds in user space
 * (include/minifw_user.h).
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#endif

#include "ext.h"
#include "hashlimit.h"
#include "recent.h"

/*
 * The registry: every extension, declared in include/ext.h. Its place is
 * its number (1 for the first) and the order in which the walk calls a
 * rule's matches: those that look only at the packet first, as the
 * cheapest, iprange before multiport as minifw always had them (a too
 * short packet is dropped by multiport only if iprange let it through);
 * those that keep state last, so that only packets that match all else
 * spend -m limit's credits.
 */
const struct minifw_ext_ops *const minifw_exts[] = {
	&minifw_xt_tcp,
	&minifw_xt_udp,
	&minifw_xt_icmp,
	&minifw_xt_icmp6,
	&minifw_xt_iprange,
	&minifw_xt_multiport,
	&minifw_xt_sctp,
	&minifw_xt_dccp,
	&minifw_xt_state,
	&minifw_xt_conntrack,
	&minifw_xt_comment,
	&minifw_xt_length,
	&minifw_xt_ttl,
	&minifw_xt_hl,
	&minifw_xt_pkttype,
	&minifw_xt_dscp,
	&minifw_xt_tos,
	&minifw_xt_ecn,
	&minifw_xt_mark,
	&minifw_xt_connmark,
	&minifw_xt_connbytes,
	&minifw_xt_helper,
	&minifw_xt_set,
	&minifw_xt_string,
	&minifw_xt_time,
	&minifw_xt_addrtype,
	&minifw_xt_mac,
	&minifw_xt_physdev,
	&minifw_xt_rt,
	&minifw_xt_hbh,
	&minifw_xt_dst,
	&minifw_xt_frag,
	&minifw_xt_esp,
	&minifw_xt_ah,
	&minifw_xt_mh,
	&minifw_xt_ipv6header,
	&minifw_xt_tcpmss,
	&minifw_xt_owner,
	&minifw_xt_limit,
	&minifw_xt_statistic,
	&minifw_xt_quota,
	&minifw_xt_recent,
	&minifw_xt_hashlimit,
	&minifw_xt_connlimit,
	&minifw_xt_nfacct,
	&minifw_xt_REJECT,
	&minifw_xt_LOG,
	&minifw_xt_NFLOG,
	&minifw_xt_NFQUEUE,
	&minifw_xt_AUDIT,
	&minifw_xt_MARK,
	&minifw_xt_CONNMARK,
	&minifw_xt_SET,
};

const unsigned int minifw_nexts = ARRAY_SIZE(minifw_exts);

/* ---------------------------------------------------------------------- */
/* Names and options                                                       */

/* The registry number of the match (or @target) called @name, or 0. */
static unsigned int minifw_ext_find(const char *name, bool target)
{
	unsigned int id;
	size_t k;

	for (id = 1; id <= minifw_nexts; id++) {
		const struct minifw_ext_ops *ops = minifw_ext_ops(id);

		if (minifw_ext_is_target(ops) != target)
			continue;
		if (!strcmp(name, ops->name))
			return id;
		for (k = 0; ops->aliases && ops->aliases[k]; k++)
			if (!strcmp(name, ops->aliases[k]))
				return id;
	}
	return 0;
}

/* "a, b and c" (@last " and "): the @n words of @w, for an error. */
static const char *minifw_join(char *buf, size_t len, const char *const *w, unsigned int n,
			       const char *last)
{
	size_t pos = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		pos += scnprintf(buf + pos, len - pos, "%s%s",
				 !i ? "" : i + 1 == n ? last : ", ", w[i]);
	return buf;
}

/* The names of the matches, or of the targets after @builtin ones. */
static const char *minifw_ext_names(char *buf, size_t len, bool targets,
				    const char *const *builtin, unsigned int nbuiltin)
{
	const char *w[16];
	unsigned int id, n;

	for (n = 0; n < nbuiltin && n < ARRAY_SIZE(w); n++)
		w[n] = builtin[n];
	for (id = 1; id <= minifw_nexts && n < ARRAY_SIZE(w); id++)
		if (minifw_ext_is_target(minifw_ext_ops(id)) == targets)
			w[n++] = minifw_ext_ops(id)->name;
	return minifw_join(buf, len, w, n, " and ");
}

static __always_inline bool minifw_opt_is(const struct minifw_opt *o, const char *s)
{
	return !strcmp(s, o->name) || (o->alias1 && !strcmp(s, o->alias1)) ||
	       (o->alias2 && !strcmp(s, o->alias2));
}

static bool minifw_opt_starts(const struct minifw_opt *o, const char *s)
{
	return minifw_long_prefix(s, o->name) || minifw_long_prefix(s, o->alias1) ||
	       minifw_long_prefix(s, o->alias2);
}

/* The option of @ops called @name (its canonical name), or NULL. */
static const struct minifw_opt *minifw_ext_opt(const struct minifw_ext_ops *ops,
					       const char *name)
{
	const struct minifw_opt *o;

	for (o = ops->opts; o && o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/*
 * Every option, one after the other: the core's, then each extension's in
 * registry order. Start with { .o = core }.
 */
struct minifw_opt_iter {
	const struct minifw_opt *o;	/* the next one */
	unsigned int id;		/* whose: 0 the core, else the registry number */
};

static const struct minifw_opt *minifw_opt_next(struct minifw_opt_iter *it,
						const struct minifw_ext_ops **ops)
{
	while (!it->o || !it->o->name) {
		if (++it->id > minifw_nexts)
			return NULL;
		it->o = minifw_ext_ops(it->id)->opts;
	}
	*ops = it->id ? minifw_ext_ops(it->id) : NULL;
	return it->o++;
}

/*
 * One step of finding the option @s is a start of: @o (of @xo) is it, or
 * the one found before is; false if @s starts two names (ambiguous).
 */
static bool minifw_opt_start_of_one(const struct minifw_opt *o, const char *s,
				    const struct minifw_ext_ops *xo,
				    const struct minifw_opt **hit,
				    const struct minifw_ext_ops **ops)
{
	if (!minifw_opt_starts(o, s))
		return true;
	if (*hit && strcmp(o->name, (*hit)->name))
		return false;
	if (!*hit) {
		*hit = o;
		*ops = xo;
	}
	return true;
}

/**
 * minifw_find_opt() - the option a word names, as getopt_long() finds it
 * @s: the word ("--dport", or a start of exactly one long option:
 *     "--proto" for "--protocol")
 * @core: the core's options
 * @rp: the rule being parsed, whose extensions' options come first for a
 *      start of one, or NULL
 * @ops: the extension the option is of, out; NULL for the core
 *
 * Several extensions may have an option of one name (tcp's and udp's
 * --dport): this is the first; minifw_ext_owner() picks the one the rule
 * has.
 *
 * Context: control path.
 * Return: the option, or NULL for none (or an ambiguous start).
 */
const struct minifw_opt *minifw_find_opt(const char *s, const struct minifw_opt *core,
					 const struct minifw_rule_parse *rp,
					 const struct minifw_ext_ops **ops)
{
	struct minifw_opt_iter it = { .o = core };
	const struct minifw_opt *o, *hit = NULL;
	const struct minifw_ext_ops *xo;
	unsigned int k;

	/* the core's, most rules' options, first and fast */
	for (o = core; o->name; o++)
		if (minifw_opt_is(o, s)) {
			*ops = NULL;
			return o;
		}
	while ((o = minifw_opt_next(&it, &xo)))
		if (minifw_opt_is(o, s)) {
			*ops = xo;
			return o;
		}
	/*
	 * a start of one option: all that start so must be one name; first
	 * among the core's, those of the extensions the rule has loaded and
	 * those of its -p's match, as iptables' getopt_long() sees only those
	 * (-m state --st, -p tcp --dpor)
	 */
	for (k = 0; rp && k <= rp->n + minifw_nexts; k++) {
		xo = !k ? NULL : k <= rp->n ? rp->x[k - 1].ops : minifw_ext_ops(k - rp->n);
		if (k > rp->n && (!xo->proto || xo->proto != rp->cmd->m.proto))
			continue;
		for (o = xo ? xo->opts : core; o->name; o++)
			if (!minifw_opt_start_of_one(o, s, xo, &hit, ops))
				return NULL;
	}
	if (hit)
		return hit;
	it = (struct minifw_opt_iter){ .o = core };
	while ((o = minifw_opt_next(&it, &xo)))
		if (!minifw_opt_start_of_one(o, s, xo, &hit, ops))
			return NULL;
	return hit;
}

/**
 * minifw_unknown_option() - refuse an unknown option, with the closest known
 * @err: reason, out
 * @name: the word
 * @core: the core's options
 *
 * Context: control path.
 * Return: -EINVAL.
 */
int minifw_unknown_option(struct minifw_err *err, const char *name,
			  const struct minifw_opt *core)
{
	struct minifw_opt_iter it = { .o = core };
	struct minifw_best b = { .word = name };
	const struct minifw_ext_ops *ops;
	const struct minifw_opt *o;
	char hint[MINIFW_HINTBUF], tb[MINIFW_TOKBUF];

	while ((o = minifw_opt_next(&it, &ops))) {
		minifw_consider(&b, o->name);
		minifw_consider(&b, o->alias1);
		minifw_consider(&b, o->alias2);
	}
	return minifw_fail(err, "unknown option \"%s\"%s", minifw_tok(tb, sizeof(tb), name),
			   minifw_hint(&b, hint, sizeof(hint)));
}

/* ---------------------------------------------------------------------- */
/* Loading extensions into a rule being parsed (control path)              */

/* Add extension @id to the rule; *@slot is where it is. */
static int minifw_ext_add(struct minifw_rule_parse *rp, unsigned int id,
			  struct minifw_loaded **slot)
{
	const struct minifw_ext_ops *ops = minifw_ext_ops(id);
	struct minifw_match *m = &rp->cmd->m;
	unsigned int k, off = 0;

	if (!minifw_ext_is_target(ops)) {
		for (k = 0; k < MINIFW_MATCH_MAX && m->exts[k]; k++)
			;
		if (k == MINIFW_MATCH_MAX)
			return minifw_fail(rp->err, "too many matches (at most %d per rule)",
					   MINIFW_MATCH_MAX);
		m->exts[k] = id;
	}
	if (rp->n == ARRAY_SIZE(rp->x))
		return minifw_fail(rp->err, "too many extensions in one rule");
	if (ops->size) {
		if (!rp->scratch) {
			rp->scratch = kzalloc(MINIFW_EXT_SCRATCH, GFP_KERNEL);
			if (!rp->scratch)
				return minifw_nomem(rp->err);
		}
		off = (rp->used + 7U) & ~7U;
		if (off + ops->size > MINIFW_EXT_SCRATCH)
			return minifw_fail(rp->err, "the rule's extensions hold too much");
		rp->used = off + ops->size;
	}
	*slot = &rp->x[rp->n++];
	**slot = (struct minifw_loaded){ .ops = ops, .id = id, .off = off };
	return 0;
}

/**
 * minifw_ext_load_match() - "-m NAME"
 * @rp: the rule being parsed
 * @name: NAME, as written
 *
 * A second -m of a protocol's match adds nothing (iptables loads one per
 * -m, to the same effect); of a match that may come twice
 * (minifw_ext_multi()), it is a second instance; of any other, it is
 * refused, as are two -m of different protocols.
 *
 * Context: control path.
 * Return: 0, -EINVAL or -ENOMEM.
 */
int minifw_ext_load_match(struct minifw_rule_parse *rp, const char *name)
{
	unsigned int id = minifw_ext_find(name, false);
	const struct minifw_ext_ops *ops;
	struct minifw_loaded *slot;
	char list[128], tb[MINIFW_TOKBUF];
	unsigned int k;

	if (!id)
		return minifw_fail(rp->err, "unknown match \"%s\" (minifw has %s)",
				   minifw_tok(tb, sizeof(tb), name),
				   minifw_ext_names(list, sizeof(list), false, NULL, 0));
	ops = minifw_ext_ops(id);
	/*
	 * A rule has one protocol: the first -m of a protocol named it. (One
	 * that an option loaded may differ: its check will say so at the end,
	 * as the kernel refuses such a match of iptables'.)
	 */
	if (ops->proto && rp->proto_match && rp->proto_match != ops)
		return minifw_fail(rp->err, "-m %s and -m %s: one protocol match per rule",
				   rp->proto_match->name, name);
	for (k = 0; k < rp->n; k++) {
		const struct minifw_ext_ops *had = rp->x[k].ops;

		/* a second -m tcp (or one after --dport loaded it) adds nothing */
		if (had == ops && ops->proto) {
			rp->proto_match = ops;
			return 0;
		}
		if (had == ops && !minifw_ext_multi(ops))
			return minifw_fail(rp->err, "-m %s given twice", name);
	}
	if (ops->proto)
		rp->proto_match = ops;
	return minifw_ext_add(rp, id, &slot);
}

/**
 * minifw_ext_load_target() - "-j NAME", for a target not the core's
 * @rp: the rule being parsed
 * @name: NAME
 *
 * Context: control path.
 * Return: 0, 1 if there is no such target (nothing done), -EINVAL or -ENOMEM.
 */
int minifw_ext_load_target(struct minifw_rule_parse *rp, const char *name)
{
	unsigned int id = minifw_ext_find(name, true);
	struct minifw_loaded *slot;

	if (!id)
		return 1;
	rp->cmd->target = minifw_ext_ops(id)->verdict;
	rp->cmd->xtarget = id;
	return minifw_ext_add(rp, id, &slot);
}

/**
 * minifw_ext_is_target_name() - is @name an extension's target?
 * @name: a word
 *
 * Context: any.
 * Return: true if -j @name loads a target extension.
 */
bool minifw_ext_is_target_name(const char *name)
{
	return minifw_ext_find(name, true) != 0;
}

/**
 * minifw_ext_consider_targets() - the targets' names, for "did you mean"
 * @b: the search
 *
 * Context: control path.
 */
void minifw_ext_consider_targets(struct minifw_best *b)
{
	unsigned int id;

	for (id = 1; id <= minifw_nexts; id++)
		if (minifw_ext_is_target(minifw_ext_ops(id)))
			minifw_consider(b, minifw_ext_ops(id)->name);
}

/**
 * minifw_ext_target_names() - "ACCEPT, DROP, RETURN, REJECT and LOG"
 * @buf: output
 * @len: its size
 *
 * Context: any.
 * Return: @buf.
 */
const char *minifw_ext_target_names(char *buf, size_t len)
{
	static const char *const builtin[] = { "ACCEPT", "DROP", "RETURN" };

	return minifw_ext_names(buf, len, true, builtin, ARRAY_SIZE(builtin));
}

/* "-p tcp or -p udp", "-m multiport", "-j LOG": what an option needs. */
static int minifw_needs(struct minifw_rule_parse *rp, const char *name)
{
	const char *w[8];
	char what[8][24], list[128];
	unsigned int id, n = 0;

	for (id = 1; id <= minifw_nexts && n < ARRAY_SIZE(w); id++) {
		const struct minifw_ext_ops *ops = minifw_ext_ops(id);

		if (!minifw_ext_opt(ops, name))
			continue;
		if (ops->proto)
			scnprintf(what[n], sizeof(what[n]), "-p %s", minifw_proto_name(ops->proto));
		else
			scnprintf(what[n], sizeof(what[n]), "-%c %s",
				  minifw_ext_is_target(ops) ? 'j' : 'm', ops->name);
		w[n] = what[n];
		n++;
	}
	return minifw_fail(rp->err, "%s needs %s before it", name,
			   minifw_join(list, sizeof(list), w, n, " or "));
}

/**
 * minifw_ext_owner() - the extension of the rule an extension's option is for
 * @rp: the rule being parsed
 * @ops: the extension that parses it, out
 * @o: in: the option, as minifw_find_opt() found it (of some extension);
 *     out: the same option of the extension that parses it
 * @slot: where that extension is loaded, out
 *
 * An extension the rule has; else the match of the rule's protocol, which
 * is loaded here (as iptables loads -m tcp for a --dport after -p tcp); else
 * the option needs what the rule lacks ("--dport needs -p tcp or -p udp
 * before it").
 *
 * Context: control path.
 * Return: 0, -EINVAL or -ENOMEM.
 */
int minifw_ext_owner(struct minifw_rule_parse *rp, const struct minifw_ext_ops **ops,
		     const struct minifw_opt **o, struct minifw_loaded **slot)
{
	const char *name = (*o)->name;
	u8 proto = rp->proto_match ? rp->proto_match->proto : rp->cmd->m.proto;
	const struct minifw_opt *opt;
	unsigned int j, k, id;

	for (k = 0; k < rp->n; k++) {
		opt = minifw_ext_opt(rp->x[k].ops, name);
		if (opt) {
			/*
			 * of a match given twice, its latest -m: iptables
			 * marks the ones before completed
			 */
			for (j = rp->n - 1; j > k; j--)
				if (rp->x[j].ops == rp->x[k].ops)
					break;
			k = j;
			*ops = rp->x[k].ops;
			*o = opt;
			*slot = &rp->x[k];
			return 0;
		}
	}
	for (id = 1; proto && id <= minifw_nexts; id++) {
		const struct minifw_ext_ops *cand = minifw_ext_ops(id);

		opt = minifw_ext_opt(cand, name);
		if (cand->proto == proto && opt) {
			*ops = cand;
			*o = opt;
			return minifw_ext_add(rp, id, slot);
		}
	}
	return minifw_needs(rp, name);
}

/**
 * minifw_set_family() - the rule is for one family, as an option implies
 * @rp: the rule being parsed
 * @family: MINIFW_FAM_IPV4 or MINIFW_FAM_IPV6; MINIFW_FAM_ANY changes nothing
 * @opt: the option, for the error
 *
 * Options that imply both families cannot mix.
 *
 * Context: control path.
 * Return: 0 or -EINVAL.
 */
int minifw_set_family(struct minifw_rule_parse *rp, u8 family, const char *opt)
{
	struct minifw_match *m = &rp->cmd->m;

	if (!family || m->family == family)
		return 0;
	if (m->family)
		return minifw_fail(rp->err, "%s makes the rule IPv%u, but %s made it IPv%u",
				   opt, family, rp->family_opt, m->family);
	m->family = family;
	rp->family_opt = opt;
	return 0;
}

/**
 * minifw_xq() - a token quoted for an extension's error
 * @x: the call
 * @tok: the token
 *
 * Context: control path.
 * Return: the quoted token, valid until the next call with @x.
 */
const char *minifw_xq(struct minifw_xcall *x, const char *tok)
{
	return minifw_tok(x->tb, sizeof(x->tb), tok);
}

/**
 * minifw_x_name() - the option's argument as the name of a file in /proc
 * (xt_check_proc_name()), and only what lists as one word
 * @x: the call
 * @s: the argument
 * @out: the name, NUL-padded, out
 * @size: bytes of @out: the name is shorter
 * @what: what it names, for the error ("list")
 *
 * Context: control path.
 * Return: 0 or -EINVAL.
 */
int minifw_x_name(struct minifw_xcall *x, const char *s, char *out, size_t size,
		  const char *what)
{
	size_t i, len = strlen(s);

	if (!len || len >= size || !strcmp(s, ".") || !strcmp(s, ".."))
		return minifw_fail(x->err, "\"%s\" is not a %s name (1 to %zu characters, not . or ..)",
				   minifw_xq(x, s), what, size - 1);
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || strchr("/\"'\\", s[i]))
			return minifw_fail(x->err, "\"%s\" is not a %s name (no blank, /, quote or backslash)",
					   minifw_xq(x, s), what);
	memset(out, 0, size);
	memcpy(out, s, len);
	return 0;
}

/**
 * minifw_x_parse_u32_range() - the option's argument as libxtables reads a
 * range of numbers (XTTYPE_UINT16RC, XTTYPE_UINT32RC): "N", "N:M", "N:",
 * ":M", ":"
 * @x: the call; its option names the errors
 * @what: what a number is, for the errors ("a number of seconds (0-4294967295)")
 * @max: the largest number, which an open end stands for
 * @range: first and last, inclusive, out
 *
 * Context: control path.
 * Return: 0 or -EINVAL.
 */
int minifw_x_parse_u32_range(struct minifw_xcall *x, const char *what, u32 max, u32 *range)
{
	const char *s = x->arg[0], *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	char first[16];

	range[0] = 0;
	range[1] = max;
	if (len >= sizeof(first) || (!colon && !len))
		return minifw_fail(x->err, "%s \"%s\" is not %s or a range of them",
				   x->opt->name, minifw_xq(x, s), what);
	memcpy(first, s, len);
	first[len] = '\0';
	if (len && minifw_parse_uint(x->err, first, max, what, &range[0]))
		return -EINVAL;
	if (colon && colon[1] &&
	    minifw_parse_uint(x->err, colon + 1, max, what, &range[1]))
		return -EINVAL;
	if (!colon)
		range[1] = range[0];
	if (range[0] > range[1])
		return minifw_fail(x->err, "%s \"%s\" is a reversed range (first > last)",
				   x->opt->name, minifw_xq(x, s));
	return 0;
}

/**
 * minifw_x_put_u32_range() - an option with a range minifw_x_parse_u32_range()
 * read, as libxtables' matches save one (--rt-segsleft, --fragid, --espspi):
 * nothing for every number (0 to @max) unless negated, "N" for one, "N:M"
 * else
 * @b: the listing
 * @opt: the option
 * @range: first and last, inclusive
 * @max: the largest number the option takes
 * @inv: negated
 *
 * Context: any.
 */
void minifw_x_put_u32_range(struct minifw_buf *b, const char *opt, const u32 *range, u32 max,
			    bool inv)
{
	if (!inv && !range[0] && range[1] == max)
		return;
	if (inv)
		minifw_put(b, "!");
	if (range[0] == range[1])
		minifw_put(b, "%s %u", opt, range[0]);
	else
		minifw_put(b, "%s %u:%u", opt, range[0], range[1]);
}

/* the data of an extension of the rule being parsed; NULL if it has none */
static void *minifw_slot_data(const struct minifw_rule_parse *rp, const struct minifw_loaded *slot)
{
	return slot->ops->size ? rp->scratch + slot->off : NULL;
}

static void minifw_xcall_init(struct minifw_xcall *x, struct minifw_rule_parse *rp,
			      struct minifw_loaded *slot)
{
	*x = (struct minifw_xcall){
		.ops = slot->ops,
		.cmd = rp->cmd,
		.err = rp->err,
		.data = minifw_slot_data(rp, slot),
		.seen = slot->seen,
		.keep = &slot->keep,
		.rp = rp,
	};
}

/*
 * An option's error names the option, unless its message does already:
 * "--dport: \"65536\" is not a port (0-65535)".
 */
static void minifw_err_name_opt(struct minifw_err *err, const char *opt)
{
	char msg[sizeof(err->msg)];

	if (strstr(err->msg, opt))
		return;
	scnprintf(msg, sizeof(msg), "%s: %s", opt, err->msg);
	memcpy(err->msg, msg, sizeof(msg));
}

/**
 * minifw_ext_parse() - an extension's option
 * @rp: the rule being parsed
 * @slot: the extension, from minifw_ext_owner()
 * @o: the option
 * @arg: its arguments
 * @inv: it follows "!"
 *
 * Context: control path.
 * Return: 0 or -EINVAL.
 */
int minifw_ext_parse(struct minifw_rule_parse *rp, struct minifw_loaded *slot,
		     const struct minifw_opt *o, char **arg, bool inv)
{
	struct minifw_xcall x;
	int ret;

	minifw_xcall_init(&x, rp, slot);
	x.opt = o;
	x.arg = arg;
	x.inv = inv;
	ret = slot->ops->parse(&x);
	if (ret)
		minifw_err_name_opt(rp->err, o->name);
	return ret;
}

/*
 * Does the rule keep an entry for this extension in its &struct
 * minifw_ext: data, or a .match, .target or .init to call? The
 * extension's .kept decides when it has one.
 */
static bool minifw_ext_kept(const struct minifw_rule_parse *rp, const struct minifw_loaded *slot)
{
	const struct minifw_ext_ops *ops = slot->ops;

	if (ops->kept)
		return ops->kept(minifw_slot_data(rp, slot));
	return ops->size || ops->match || ops->target || ops->init;
}

/* Call @ops' .check or .checkentry (@fn) on the rule. */
static int minifw_ext_call(struct minifw_rule_parse *rp, struct minifw_loaded *slot,
			   int (*fn)(struct minifw_xcall *x))
{
	struct minifw_xcall x;

	if (!fn)
		return 0;
	minifw_xcall_init(&x, rp, slot);
	return fn(&x);
}

/*
 * What a match keeps between packets lives in the rule's counters (struct
 * minifw_counter: -m limit's bucket, -m statistic's count, -m quota's
 * bytes left), one place a rule: so one such match a rule. -m recent's
 * lists are not there, but it too runs after the rule's other matches,
 * where iptables runs matches in the order given: one of them a rule keeps
 * that order. minifw: iptables lets a rule have several.
 */
static int minifw_ext_one_state(struct minifw_rule_parse *rp)
{
	const struct minifw_ext_ops *first = NULL;
	unsigned int k;

	for (k = 0; k < rp->n; k++) {
		const struct minifw_ext_ops *ops = rp->x[k].ops;

		if (!ops->init && !ops->stateful)
			continue;
		if (first)
			return minifw_fail(rp->err, "-m %s and -m %s: one match that keeps state (limit, quota, statistic, recent, hashlimit, connlimit, nfacct) per rule",
					   first->name, ops->name);
		first = ops;
	}
	return 0;
}

/**
 * minifw_ext_check() - the line is read: let the extensions complete and
 * check their options
 * @rp: the rule being parsed
 *
 * As iptables: the target first (its options were read as they came, as
 * ip6tables and iptables read REJECT's types, which minifw can only read
 * once it knows the rule's family), then the matches in the order given;
 * a protocol's match first says whether the rule has its -p.
 *
 * Context: control path.
 * Return: 0 or -EINVAL.
 */
int minifw_ext_check(struct minifw_rule_parse *rp)
{
	const struct minifw_match *m = &rp->cmd->m;
	unsigned int k;
	int ret;

	for (k = 0; k < rp->n; k++)
		if (minifw_ext_is_target(rp->x[k].ops)) {
			ret = minifw_ext_call(rp, &rp->x[k], rp->x[k].ops->check);
			if (ret)
				return ret;
		}
	for (k = 0; k < rp->n; k++) {
		const struct minifw_ext_ops *ops = rp->x[k].ops;

		if (minifw_ext_is_target(ops))
			continue;
		if (ops->proto && (m->proto != ops->proto || (m->flags & MINIFW_INV_PROTO)))
			return minifw_fail(rp->err, "-m %s needs -p %s (not negated)", ops->name,
					   minifw_proto_name(ops->proto));
		/* the walk tests a protocol's match inline (struct minifw_match) */
		if (ops->proto)
			rp->cmd->m.flags |= MINIFW_L4;
		ret = minifw_ext_call(rp, &rp->x[k], ops->check);
		if (ret)
			return ret;
	}
	return minifw_ext_one_state(rp);
}

/* The entries of the loaded extensions a rule keeps, in registry order. */
static int minifw_ext_build(struct minifw_rule_parse *rp)
{
	struct minifw_ext_entry *to;
	struct minifw_ext *e;
	unsigned int id, k;
	u32 len = 0;

	for (k = 0; k < rp->n; k++)
		if (minifw_ext_kept(rp, &rp->x[k]))
			len += minifw_ext_entry_size(rp->x[k].ops);
	if (!len)
		return 0;
	e = kzalloc(sizeof(*e) + len, GFP_KERNEL);
	if (!e)
		return minifw_nomem(rp->err);
	refcount_set(&e->ref, 1);
	e->len = len;
	to = (struct minifw_ext_entry *)e->ent;
	for (id = 1; id <= minifw_nexts; id++) {
		for (k = 0; k < rp->n; k++) {
			const struct minifw_ext_ops *ops = rp->x[k].ops;

			if (rp->x[k].id != id || !minifw_ext_kept(rp, &rp->x[k]))
				continue;
			to->ops = ops;
			memcpy(to->data, rp->scratch + rp->x[k].off, ops->size);
			to = (struct minifw_ext_entry *)minifw_ext_next(to);
		}
	}
	/* what the data cannot hold by value, each entry's in turn */
	e->len = 0;
	for (to = (struct minifw_ext_entry *)e->ent; (u8 *)to < (u8 *)e->ent + len;
	     to = (struct minifw_ext_entry *)minifw_ext_next(to)) {
		int ret = to->ops->acquire ? to->ops->acquire(to->data, rp->err) : 0;

		if (ret) {
			minifw_ext_put(e);	/* releases the entries before */
			return ret;
		}
		e->len += minifw_ext_entry_size(to->ops);
	}
	rp->cmd->ext = e;
	return 0;
}

/**
 * minifw_ext_where() - may an extension run in these built-in chains?
 * @ops: the extension
 * @data: its data in the rule
 * @hooks: built-in chains (MINIFW_CHAIN_BIT() each) the rule runs in
 * @table: the rule's table (enum minifw_table_id)
 * @err: reason if not
 *
 * As x_tables checks a match's or target's .table, .hooks (and its checkentry
 * what its options allow) against the hooks a rule is reached from.
 *
 * Context: control path.
 * Return: 0 or -EINVAL.
 */
int minifw_ext_where(const struct minifw_ext_ops *ops, const void *data, unsigned int hooks,
		     unsigned int table, struct minifw_err *err)
{
	const char *opt = minifw_ext_is_target(ops) ? "-j" : "-m";
	const char *why = ops->hooks_why;
	unsigned int ok = ops->data_hooks ? ops->data_hooks(data, &why) : ops->hooks;
	unsigned int bad = ok ? hooks & ~ok : 0;
	unsigned int early = ops->needs_ct ? hooks & minifw_table_before_ct(table) : 0;
	char list[64];

	if (ops->tables && !(ops->tables & MINIFW_TABLE_BIT(table)))
		return minifw_fail(err, "%s %s is only valid in the %s table", opt, ops->name,
				   minifw_table_name(__ffs(ops->tables)));
	if (early) {
		if (table == MINIFW_TABLE_FILTER)
			return minifw_fail(err, "%s %s cannot be used in %s: minifw filters there before connection tracking (use INPUT or FORWARD)",
					   opt, ops->name, minifw_chain_name(__ffs(early)));
		return minifw_fail(err, "%s %s cannot be used in the %s table: it runs before connection tracking",
				   opt, ops->name, minifw_table_name(table));
	}
	if (!bad)
		return 0;
	if (why)
		return minifw_fail(err, "%s %s cannot be used in %s: %s", opt, ops->name,
				   minifw_chain_name(__ffs(bad)), why);
	return minifw_fail(err, "%s %s is only valid in %s", opt, ops->name,
			   minifw_chain_list(ok, list, sizeof(list)));
}

/* Where a rule being parsed runs: its built-in chain; a user chain's, later */
static unsigned int minifw_parse_hooks(const struct minifw_rule_parse *rp)
{
	return rp->cmd->chain < MINIFW_NCHAINS ? MINIFW_CHAIN_BIT(rp->cmd->chain) : 0;
}

/**
 * minifw_ext_checkentry() - check where the rule may go, then keep its
 * extensions' data
 * @rp: the rule being parsed, which passed minifw_ext_check() and the
 *      core's checks
 *
 * As x_tables' checkentry, the matches' in the order given, then the
 * target's: the chains they are valid in (.hooks; in a user chain, that
 * waits for minifw_ruleset_check_graph()), and what else the rule must
 * have for them (REJECT's tcp-reset a -p tcp).
 *
 * Context: control path.
 * Return: 0, -EINVAL or -ENOMEM; the command then holds the data (see
 * minifw_cmd_free()).
 */
int minifw_ext_checkentry(struct minifw_rule_parse *rp)
{
	unsigned int k, hooks = minifw_parse_hooks(rp);
	int ret;

	for (k = 0; k < rp->n; k++)
		if (!minifw_ext_is_target(rp->x[k].ops)) {
			ret = minifw_ext_where(rp->x[k].ops, minifw_slot_data(rp, &rp->x[k]),
					       hooks, rp->cmd->table, rp->err) ?:
			      minifw_ext_call(rp, &rp->x[k], rp->x[k].ops->checkentry);
			if (ret)
				return ret;
		}
	for (k = 0; k < rp->n; k++) {
		const struct minifw_ext_ops *ops = rp->x[k].ops;

		if (minifw_ext_is_target(ops)) {
			ret = minifw_ext_where(ops, minifw_slot_data(rp, &rp->x[k]), hooks,
					       rp->cmd->table, rp->err) ?:
			      minifw_ext_call(rp, &rp->x[k], ops->checkentry);
			if (ret)
				return ret;
		}
		if (minifw_ext_kept(rp, &rp->x[k]))
			rp->cmd->m.flags |= (ops->match ? MINIFW_X_MATCH : 0) |
					    (ops->target ? MINIFW_X_TARGET : 0);
	}
	return minifw_ext_build(rp);
}

/**
 * minifw_rule_parse_free() - free what parsing a rule took
 * @rp: the rule parsed
 *
 * Context: control path.
 */
void minifw_rule_parse_free(struct minifw_rule_parse *rp)
{
	kfree(rp->scratch);
	rp->scratch = NULL;
}

/* ---------------------------------------------------------------------- */
/* A rule's extensions                                                     */

/**
 * minifw_ext_get() - take another reference to a rule's extension data
 * @e: the data, or NULL
 *
 * Context: control path.
 * Return: @e.
 */
struct minifw_ext *minifw_ext_get(const struct minifw_ext *e)
{
	struct minifw_ext *x = (struct minifw_ext *)e;

	if (x)
		refcount_inc(&x->ref);
	return x;
}

/**
 * minifw_ext_put() - drop a reference; the last frees it
 * @e: the data, or NULL
 *
 * Context: control path or RCU callback; does not sleep.
 */
void minifw_ext_put(const struct minifw_ext *e)
{
	struct minifw_ext *x = (struct minifw_ext *)e;

	const struct minifw_ext_entry *en;

	if (!x || !refcount_dec_and_test(&x->ref))
		return;
	for (en = minifw_ext_first(x); minifw_ext_more(x, en); en = minifw_ext_next(en))
		if (en->ops->release)
			en->ops->release((void *)en->data);
	kfree(x);
}

/**
 * minifw_ext_equal() - do two rules' extensions hold the same?
 * @a: data, or NULL
 * @b: data, or NULL
 *
 * Context: control path.
 * Return: true if so.
 */
bool minifw_ext_equal(const struct minifw_ext *a, const struct minifw_ext *b)
{
	const struct minifw_ext_entry *x, *y;

	if (!a || !b)
		return a == b;
	if (a->len != b->len)
		return false;
	for (x = minifw_ext_first(a), y = minifw_ext_first(b); minifw_ext_more(a, x);
	     x = minifw_ext_next(x), y = minifw_ext_next(y))
		if (x->ops != y->ops ||
		    memcmp(x->data, y->data, x->ops->cmp ?: x->ops->size))
			return false;
	return true;
}

/**
 * minifw_rule_ext_data() - the data of one extension of a rule
 * @r: the rule
 * @ops: an extension the rule has
 *
 * Context: any (packet path: -j LOG).
 * Return: its data; NULL if it has none (ops->size 0) or the rule did not
 * keep it (ops->kept).
 */
const void *minifw_rule_ext_data(const struct minifw_rule *r, const struct minifw_ext_ops *ops)
{
	return minifw_rule_ext_nth(r, ops, 0);
}

/**
 * minifw_rule_ext_nth() - the data of one -m of a match a rule may have
 * more than once (minifw_ext_multi())
 * @r: the rule
 * @ops: the extension
 * @n: which of its -m, from 0, in the order given
 *
 * Context: any.
 * Return: its data; NULL as minifw_rule_ext_data().
 */
const void *minifw_rule_ext_nth(const struct minifw_rule *r, const struct minifw_ext_ops *ops,
				unsigned int n)
{
	const struct minifw_ext_entry *x;

	if (!ops->size || !r->ext)
		return NULL;
	for (x = minifw_ext_first(r->ext); minifw_ext_more(r->ext, x); x = minifw_ext_next(x))
		if (x->ops == ops && !n--)
			return x->data;
	return NULL;
}

/**
 * minifw_rule_match_data() - the data of a rule's k-th match
 * @r: the rule
 * @k: index in r->m.exts[]
 *
 * Of the -m it is, if the rule gives that match more than once.
 *
 * Context: any.
 * Return: its data; NULL as minifw_rule_ext_data().
 */
const void *minifw_rule_match_data(const struct minifw_rule *r, unsigned int k)
{
	unsigned int j, n = 0;

	for (j = 0; j < k; j++)
		n += r->m.exts[j] == r->m.exts[k];
	return minifw_rule_ext_nth(r, minifw_ext_ops(r->m.exts[k]), n);
}

/**
 * minifw_ext_print_matches() - a rule's "-m NAME OPTIONS", as given
 * @b: the listing
 * @r: the rule
 *
 * Context: any.
 */
void minifw_ext_print_matches(struct minifw_buf *b, const struct minifw_rule *r)
{
	unsigned int k;

	for (k = 0; k < MINIFW_MATCH_MAX && r->m.exts[k]; k++) {
		const struct minifw_ext_ops *ops = minifw_ext_ops(r->m.exts[k]);

		minifw_put(b, "-m %s", ops->name);
		if (ops->print)
			ops->print(b, r, minifw_rule_match_data(r, k));
	}
}

/**
 * minifw_ext_print_target() - the options of a rule's target extension
 * @b: the listing, after "-j NAME"
 * @r: the rule
 *
 * Context: any.
 */
void minifw_ext_print_target(struct minifw_buf *b, const struct minifw_rule *r)
{
	const struct minifw_ext_ops *ops;

	if (!r->xtarget)
		return;
	ops = minifw_ext_ops(r->xtarget);
	if (ops->print)
		ops->print(b, r, minifw_rule_ext_data(r, ops));
}

/**
 * minifw_ext_lists_family() - does the listing of a rule's extensions say
 * its family (so no -4 or -6 is needed)?
 * @r: the rule
 *
 * Context: any.
 * Return: true if one does.
 */
bool minifw_ext_lists_family(const struct minifw_rule *r)
{
	const struct minifw_ext_ops *ops;
	unsigned int k;

	for (k = 0; k < MINIFW_MATCH_MAX && r->m.exts[k]; k++) {
		ops = minifw_ext_ops(r->m.exts[k]);
		if (ops->lists_family && ops->lists_family(r, minifw_rule_match_data(r, k)))
			return true;
	}
	ops = r->xtarget ? minifw_ext_ops(r->xtarget) : NULL;
	return ops && ops->lists_family && ops->lists_family(r, minifw_rule_ext_data(r, ops));
}

/**
 * minifw_ext_init() - a rule got new counters: let its extensions set up
 * what they keep there (a full bucket for -m limit)
 * @r: the rule
 *
 * Context: control path.
 */
void minifw_ext_init(const struct minifw_rule *r)
{
	const struct minifw_ext_entry *x;

	if (!r->ext)
		return;
	for (x = minifw_ext_first(r->ext); minifw_ext_more(r->ext, x); x = minifw_ext_next(x))
		if (x->ops->init)
			x->ops->init(x->data, r->cnt);
}

/**
 * minifw_ext_keeps_state() - does a rule's match keep state between packets?
 * @r: the rule
 *
 * Context: any.
 * Return: true if one does (then a packet's verdict depends on those before).
 */
bool minifw_ext_keeps_state(const struct minifw_rule *r)
{
	const struct minifw_ext_entry *x;

	if (!r->ext)
		return false;
	for (x = minifw_ext_first(r->ext); minifw_ext_more(r->ext, x); x = minifw_ext_next(x))
		if (x->ops->init)
			return true;
	return false;
}

/**
 * minifw_ext_reads() - what of a packet a rule's extensions read
 * @r: the rule
 *
 * Its target's too: -j CONNMARK needs connection tracking as -m connmark.
 *
 * Context: control path.
 * Return: MINIFW_SKIP_* bits of the fields the hook must fill in for them.
 */
u8 minifw_ext_reads(const struct minifw_rule *r)
{
	unsigned int k;
	u8 reads = r->xtarget ? minifw_ext_ops(r->xtarget)->reads : 0;

	for (k = 0; k < MINIFW_MATCH_MAX && r->m.exts[k]; k++)
		reads |= minifw_ext_ops(r->m.exts[k])->reads;
	return reads;
}

/**
 * minifw_ext_tables_sync() - make the tables and lists the rules of @rs
 * name (-m hashlimit, -m recent)
 * @rs: a ruleset about to go live
 * @err: why not
 *
 * All are made first, then all published: a failure changes nothing.
 *
 * Context: control path, may sleep, under minifw_lock; the last step of
 * preparing @rs.
 * Return: 0, or -ENOMEM / -EINVAL with @err.
 */
int minifw_ext_tables_sync(const struct minifw_ruleset *rs, struct minifw_err *err)
{
	int ret = minifw_hashlimit_prepare(rs, err);

	if (ret)
		return ret;
	ret = minifw_recent_prepare(rs, err);
	minifw_hashlimit_commit(!ret);
	if (!ret)
		minifw_recent_commit(true);
	return ret;
}

/**
 * minifw_ext_tables_retire() - drop the tables and lists no rule of @rs names
 * @rs: the live ruleset, or NULL at unload (then all go)
 *
 * Context: control path, may sleep, under minifw_lock.
 */
void minifw_ext_tables_retire(const struct minifw_ruleset *rs)
{
	minifw_recent_retire(rs);
	minifw_hashlimit_retire(rs);
}
