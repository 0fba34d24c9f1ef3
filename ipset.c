// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the kernel's ipset sets for -m set and -j SET (ext/set.c), through
 * ip_set's own functions, as xt_set uses them.
 *
 * minifw takes ip_set's functions with symbol_request() only while a rule
 * names a set (so that a ruleset without one neither loads ip_set nor
 * holds it), as it takes conntrack's. A set is held from the moment a
 * ruleset naming it is about to go live (minifw_ipset_sync(), under
 * minifw_lock, before the publish) until no published ruleset a CPU may
 * still walk names it (minifw_ipset_retire(), after a grace period): while
 * held, "ipset destroy" and "ipset rename" refuse it, as with iptables'
 * rules, and its index stays its own ("ipset swap" swaps the contents of
 * two indices, names included, so a rule follows the name).
 */

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <net/net_namespace.h>

#include "minifw.h"
#include "minifw_kernel.h"
#include "ext.h"
#include "ipset.h"

/* ip_set's functions, taken while a set is held (or one is looked up) */
struct minifw_ipset_ops {
#ifdef MINIFW_IPSET_NLATTR_NAME
	ip_set_id_t (*get_byname)(struct net *net, const struct nlattr *name,
				  struct ip_set **set);
#else
	ip_set_id_t (*get_byname)(struct net *net, const char *name, struct ip_set **set);
#endif
	void (*put_byindex)(struct net *net, ip_set_id_t index);
	int (*test)(ip_set_id_t id, const struct sk_buff *skb,
		    const struct xt_action_param *par, struct ip_set_adt_opt *opt);
	int (*add)(ip_set_id_t id, const struct sk_buff *skb,
		   const struct xt_action_param *par, struct ip_set_adt_opt *opt);
	int (*del)(ip_set_id_t id, const struct sk_buff *skb,
		   const struct xt_action_param *par, struct ip_set_adt_opt *opt);
	void (*lock)(__u8 subsys_id);		/* nfnl_lock(): ipset's commands */
	void (*unlock)(__u8 subsys_id);
};

/* A set held: what the rules naming it were read with. */
struct minifw_ipset_hold {
	char name[MINIFW_IPSET_NAME_LEN];
	u16 index;
	u8 family, setdim;
	bool used;			/* minifw_ipset_retire()'s mark */
};

/* Under minifw_lock. */
static struct {
	struct minifw_ipset_ops ops;	/* all set, or all NULL */
	struct minifw_ipset_hold *held;	/* the sets held */
	u32 nheld, size;		/* ... and room for */
} minifw_ipset;

/*
 * What the packet path calls: &minifw_ipset.ops once a set is held, before
 * any ruleset naming one is published; NULL again only after a grace
 * period once none is.
 */
static const struct minifw_ipset_ops __rcu *minifw_ipset_live;

/* Give back what symbol_request() gave; NULLs are skipped. */
static void minifw_ipset_put_ops(void)
{
	struct minifw_ipset_ops *o = &minifw_ipset.ops;

	if (o->get_byname)
		symbol_put(ip_set_get_byname);
	if (o->put_byindex)
		symbol_put(ip_set_put_byindex);
	if (o->test)
		symbol_put(ip_set_test);
	if (o->add)
		symbol_put(ip_set_add);
	if (o->del)
		symbol_put(ip_set_del);
	if (o->lock)
		symbol_put(nfnl_lock);
	if (o->unlock)
		symbol_put(nfnl_unlock);
	memset(o, 0, sizeof(*o));
}

/* Control path, under minifw_lock: take ip_set's functions (loads ip_set). */
static int minifw_ipset_get_ops(struct minifw_err *err)
{
	struct minifw_ipset_ops *o = &minifw_ipset.ops;

	if (o->get_byname)
		return 0;
	/* the first loads ip_set (and nfnetlink) if it can be */
	o->get_byname = symbol_request(ip_set_get_byname);
	if (o->get_byname) {
		o->put_byindex = symbol_request(ip_set_put_byindex);
		o->test = symbol_request(ip_set_test);
		o->add = symbol_request(ip_set_add);
		o->del = symbol_request(ip_set_del);
		o->lock = symbol_request(nfnl_lock);
		o->unlock = symbol_request(nfnl_unlock);
		if (o->put_byindex && o->test && o->add && o->del && o->lock && o->unlock)
			return 0;
	}
	minifw_ipset_put_ops();
	return minifw_fail(err, "-m set and -j SET need the kernel's ipset (ip_set), which is not available");
}

/* ... and give them back when no set is held. */
static void minifw_ipset_drop_ops(void)
{
	if (!minifw_ipset.nheld && minifw_ipset.ops.get_byname)
		minifw_ipset_put_ops();
}

/*
 * Find set @name and hold it (ip_set_get_byname(), under ipset's own
 * command lock, so that no "ipset destroy" runs meanwhile), as
 * IPSET_INVALID_ID if there is none.
 */
static ip_set_id_t minifw_ipset_get(const char *name, u8 *family, u8 *dim)
{
	const struct minifw_ipset_ops *o = &minifw_ipset.ops;
	struct ip_set *set = NULL;
	ip_set_id_t id;
#ifdef MINIFW_IPSET_NLATTR_NAME
	struct {
		struct nlattr nla;
		char name[IPSET_MAXNAMELEN];
	} a = { .nla = { .nla_type = IPSET_ATTR_SETNAME } };

	BUILD_BUG_ON(offsetof(typeof(a), name) != NLA_HDRLEN);
	strscpy(a.name, name, sizeof(a.name));
	a.nla.nla_len = nla_attr_size(strlen(a.name) + 1);
	o->lock(NFNL_SUBSYS_IPSET);
	id = o->get_byname(&init_net, &a.nla, &set);
#else
	o->lock(NFNL_SUBSYS_IPSET);
	id = o->get_byname(&init_net, name, &set);
#endif
	o->unlock(NFNL_SUBSYS_IPSET);
	if (id == IPSET_INVALID_ID)
		return id;
	*family = set->family == NFPROTO_IPV4 ? MINIFW_FAM_IPV4 :
		  set->family == NFPROTO_IPV6 ? MINIFW_FAM_IPV6 : MINIFW_FAM_ANY;
	*dim = set->type->dimension;
	return id;
}

/**
 * minifw_ipset_find() - the set a rule names, as it is now
 * @name: its name
 * @index: its index, out
 * @family: its family (MINIFW_FAM_ANY for hash:mac, list:set), out
 * @dim: its type's dimension, out
 * @err: why not
 *
 * Context: control path, may sleep, while a rule is read; takes
 * minifw_lock, so the caller must not hold it.
 * Return: 0, or -EINVAL (no such set, no ipset) with @err.
 */
int minifw_ipset_find(const char *name, u16 *index, u8 *family, u8 *dim,
		      struct minifw_err *err)
{
	ip_set_id_t id;
	int ret;

	lockdep_assert_not_held(&minifw_lock);
	mutex_lock(&minifw_lock);
	ret = minifw_ipset_get_ops(err);
	if (!ret) {
		id = minifw_ipset_get(name, family, dim);
		if (id == IPSET_INVALID_ID) {
			ret = minifw_fail(err, "there is no set %s (ipset list -n lists the sets)",
					  name);
		} else {
			minifw_ipset.ops.put_byindex(&init_net, id);
			*index = id;
		}
		minifw_ipset_drop_ops();
	}
	mutex_unlock(&minifw_lock);
	return ret;
}

/* The set held at @index, or NULL. */
static struct minifw_ipset_hold *minifw_ipset_held(u16 index)
{
	static u32 last;	/* rules naming the same set often come together */
	u32 i;

	if (last < minifw_ipset.nheld && minifw_ipset.held[last].index == index)
		return &minifw_ipset.held[last];
	for (i = 0; i < minifw_ipset.nheld; i++) {
		if (minifw_ipset.held[i].index == index) {
			last = i;
			return &minifw_ipset.held[i];
		}
	}
	return NULL;
}

/*
 * Hold the set @r names, unless held already: either way it must be the
 * one the rule was read with (same index, name, family and dimension);
 * a set held cannot be destroyed or renamed, but one not held yet may
 * have been since the rule was read, and its index given to another.
 */
static int minifw_ipset_take(const struct minifw_ipset_ref *r, struct minifw_err *err)
{
	struct minifw_ipset_hold *h = minifw_ipset_held(r->index);
	ip_set_id_t id;
	u8 family, dim;
	int ret;

	if (!h) {
		if (minifw_ipset.nheld == minifw_ipset.size) {
			u32 size = max(2 * minifw_ipset.size, 16U);
			void *p = krealloc_array(minifw_ipset.held, size, sizeof(*h), GFP_KERNEL);

			if (!p)
				return minifw_nomem(err);
			minifw_ipset.held = p;
			minifw_ipset.size = size;
		}
		ret = minifw_ipset_get_ops(err);
		if (ret)
			return ret;
		id = minifw_ipset_get(r->name, &family, &dim);
		if (id == IPSET_INVALID_ID)
			return minifw_fail(err, "set %s is gone: ipset destroyed it", r->name);
		h = &minifw_ipset.held[minifw_ipset.nheld++];
		*h = (struct minifw_ipset_hold){ .index = id, .family = family, .setdim = dim };
		strscpy(h->name, r->name, sizeof(h->name));
	}
	if (h->index != r->index || strcmp(h->name, r->name) || h->family != r->family ||
	    h->setdim != r->setdim)
		return minifw_fail(err, "set %s was made again while the rules were read: write them again",
				   r->name);
	return 0;
}

/* Let go of the sets held from @from on. */
static void minifw_ipset_put_from(u32 from)
{
	const struct minifw_ipset_hold *h;

	while (minifw_ipset.nheld > from) {
		h = &minifw_ipset.held[--minifw_ipset.nheld];
		minifw_ipset.ops.put_byindex(&init_net, h->index);
	}
}

/* Once no set is held: no ops for the packet path, none taken, no array. */
static void minifw_ipset_none_held(void)
{
	if (minifw_ipset.nheld)
		return;
	kfree(minifw_ipset.held);
	minifw_ipset.held = NULL;
	minifw_ipset.size = 0;
	minifw_ipset_drop_ops();
}

/**
 * minifw_ipset_sync() - hold the sets the rules of @rs name
 * @rs: a ruleset about to go live
 * @err: why not
 *
 * Each set not held yet is found again by name: it must be the one the
 * rules were read with (same index, family and dimension), or the write
 * is refused (the set was destroyed, or made again, meanwhile). All or
 * none: on failure, nothing more is held.
 *
 * Context: control path, may sleep, under minifw_lock, before @rs is
 * published (minifw.c's minifw_prepare()).
 * Return: 0, or -ENOMEM / -EINVAL with @err.
 */
int minifw_ipset_sync(const struct minifw_ruleset *rs, struct minifw_err *err)
{
	const struct minifw_ipset_ref *refs[MINIFW_SET_REFS_MAX];
	u32 c, i, before = minifw_ipset.nheld;
	unsigned int k, n;
	int ret = 0;

	lockdep_assert_held(&minifw_lock);
	for (c = 0; c < rs->nchains && !ret; c++) {
		for (i = 0; i < rs->chain[c].nrules && !ret; i++) {
			n = minifw_set_refs(&rs->chain[c].rules[i], refs);
			for (k = 0; k < n && !ret; k++)
				ret = minifw_ipset_take(refs[k], err);
		}
	}
	if (ret) {
		minifw_ipset_put_from(before);
		minifw_ipset_none_held();
	} else if (minifw_ipset.nheld) {
		/* before @rs is published: its packets find the ops */
		rcu_assign_pointer(minifw_ipset_live, &minifw_ipset.ops);
	}
	return ret;
}

/**
 * minifw_ipset_retire() - let go of the sets no rule of @rs names
 * @rs: the live ruleset, or NULL at unload (then all go)
 *
 * After a grace period: a CPU may still be walking the ruleset before
 * @rs, and a set let go may be destroyed at once.
 *
 * Context: control path, may sleep, under minifw_lock, after @rs was
 * published (or after a minifw_ipset_sync() for a ruleset that was not).
 */
void minifw_ipset_retire(const struct minifw_ruleset *rs)
{
	const struct minifw_ipset_ref *refs[MINIFW_SET_REFS_MAX];
	struct minifw_ipset_hold *h;
	unsigned int k, n;
	u32 c, i, kept = 0;

	lockdep_assert_held(&minifw_lock);
	if (!minifw_ipset.nheld)
		return;
	for (i = 0; i < minifw_ipset.nheld; i++)
		minifw_ipset.held[i].used = false;
	for (c = 0; rs && c < rs->nchains; c++) {
		for (i = 0; i < rs->chain[c].nrules; i++) {
			n = minifw_set_refs(&rs->chain[c].rules[i], refs);
			for (k = 0; k < n; k++) {
				h = minifw_ipset_held(refs[k]->index);
				if (h)
					h->used = true;
			}
		}
	}
	for (i = 0; i < minifw_ipset.nheld; i++)
		kept += minifw_ipset.held[i].used;
	if (kept == minifw_ipset.nheld)
		return;
	synchronize_rcu();
	/* no CPU walks a ruleset naming a set now, if none is kept */
	if (!kept)
		RCU_INIT_POINTER(minifw_ipset_live, NULL);
	/* the ones to let go to the end, then let go */
	for (i = 0, k = 0; i < minifw_ipset.nheld; i++) {
		if (minifw_ipset.held[i].used) {
			swap(minifw_ipset.held[k], minifw_ipset.held[i]);
			k++;
		}
	}
	minifw_ipset_put_from(kept);
	minifw_ipset_none_held();
}

/**
 * minifw_pkt_ipset() - test, add or delete the packet in a set (-m set, -j SET)
 * @p: the packet, as minifw_hook() filled it
 * @op: MINIFW_IPSET_TEST, _ADD or _DEL
 * @ref: the set, as the rule names it (held while the rule may run)
 * @a: what the rule asks beyond it
 *
 * As xt_set's set_match_v4() and set_target_v3() call ip_set: ip_set reads
 * only the net and devices of the xt_action_param.
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: for TEST, > 0 if the packet is in the set; else ip_set's result.
 */
int minifw_pkt_ipset(const struct minifw_pkt *p, int op, const struct minifw_ipset_ref *ref,
		     const struct minifw_ipset_ask *a)
{
	const struct minifw_ipset_ops *o = rcu_dereference(minifw_ipset_live);
	const struct minifw_hook_ctx *c = p->ctx;
	struct xt_action_param par = { .state = c->state };
	struct ip_set_adt_opt opt = {
		.family = c->state->pf,
		.dim = ref->dim,
		.flags = ref->flags,
		.cmdflags = a->cmdflags,
		/* xt_set asks the set's own timeout but when adding */
		.ext.timeout = op == MINIFW_IPSET_ADD ? a->timeout : IPSET_NO_TIMEOUT,
		.ext.packets = a->packets,
		.ext.bytes = a->bytes,
		.ext.packets_op = a->packets_op,
		.ext.bytes_op = a->bytes_op,
	};

	if (WARN_ON_ONCE(!o))		/* a rule naming a set runs only while it is held */
		return 0;
	switch (op) {
	case MINIFW_IPSET_TEST:
		if (a->packets_op != IPSET_COUNTER_NONE || a->bytes_op != IPSET_COUNTER_NONE)
			opt.cmdflags |= IPSET_FLAG_MATCH_COUNTERS;
		return o->test(ref->index, c->skb, &par, &opt);
	case MINIFW_IPSET_ADD:
		if (opt.ext.timeout != IPSET_NO_TIMEOUT && opt.ext.timeout > IPSET_MAX_TIMEOUT)
			opt.ext.timeout = IPSET_MAX_TIMEOUT;
		return o->add(ref->index, c->skb, &par, &opt);
	default:
		return o->del(ref->index, c->skb, &par, &opt);
	}
}
