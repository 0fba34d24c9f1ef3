// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m recent (libxt_recent, xt_recent): lists of addresses seen
 * recently, each with the times it was seen. A rule with --set adds the
 * packet's source (--rdest: destination) to the list --name names, or
 * refreshes it; --rcheck matches if it is in the list, --update as well and
 * refreshes it, --remove takes it out; --seconds and --hitcount ask for
 * that many times within that many seconds. The ssh brute-force idiom:
 *
 *   -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set
 *   -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW \
 *            -m recent --update --seconds 60 --hitcount 4 -j DROP
 *
 * DOC: the lists
 *
 * A list exists while a rule of the live ruleset names it, as in
 * iptables: minifw_recent_sync() makes the lists of a ruleset about to go
 * live (under minifw_lock), minifw_recent_retire() drops those no rule
 * names once it is live. So a list survives any edit that keeps one of its
 * rules, and -F empties it. Each has its file /proc/minifw/recent/NAME,
 * read and written as xt_recent's (proc.c): "+ADDR", "-ADDR", "/".
 *
 * A list holds at most recent_list_tot addresses (the module parameter,
 * xt_recent's ip_list_tot; rounded up to a multiple of 8), in one
 * allocation made when the list is: the packet path never allocates. An
 * address hashes (jhash, random seed) to a bucket of MINIFW_RECENT_WAYS
 * slots; a new address takes a free slot of its bucket or the one seen
 * least recently (xt_recent: the least recently seen of the whole list),
 * and --reap drops the entries of its bucket not seen within --seconds
 * (xt_recent: the list's oldest entry). Each entry keeps its last
 * MINIFW_RECENT_STAMPS times seen, or more, the power of two at or above
 * the largest --hitcount of the list's rules if that is more (xt_recent
 * keeps as few as that power of two for a list only --hitcount rules name:
 * the same packets match, its file lists fewer times).
 *
 * Packet path: the list is found by name in an RCU list (few lists; the
 * rule keeps the name's hash). A --rcheck (without --reap) reads its
 * bucket under the bucket's seqlock read side: lockless, retried if a
 * writer came by. Everything else changes the bucket, under the bucket's
 * own lock: two CPUs wait for each other only on the same bucket of the
 * same list (xt_recent takes one lock for all lists of all namespaces).
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/jhash.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/kstrtox.h>
#include "minifw_kernel.h"
#endif

#include "ext.h"
#include "recent.h"
#include "ruleset.h"

unsigned int minifw_recent_list_tot = 100;

/* the lists, by name; changed under minifw_lock, read under RCU */
static struct minifw_recent_list __rcu *minifw_recent_lists;
static u32 minifw_recent_seed;

enum {
	MINIFW_RECENT_OPT_SET, MINIFW_RECENT_OPT_RCHECK, MINIFW_RECENT_OPT_UPDATE,
	MINIFW_RECENT_OPT_REMOVE, MINIFW_RECENT_OPT_SECONDS, MINIFW_RECENT_OPT_REAP,
	MINIFW_RECENT_OPT_HITCOUNT, MINIFW_RECENT_OPT_RTTL, MINIFW_RECENT_OPT_NAME,
	MINIFW_RECENT_OPT_RSOURCE, MINIFW_RECENT_OPT_RDEST, MINIFW_RECENT_OPT_MASK,
};

#define MINIFW_RECENT_ANY_OP	0x0f	/* the four commands' bits */

static const struct minifw_opt minifw_recent_opts[] = {
	{ "--set", NULL, NULL, MINIFW_RECENT_OPT_SET, 0, MINIFW_OPT_INV, NULL },
	{ "--rcheck", NULL, NULL, MINIFW_RECENT_OPT_RCHECK, 0, MINIFW_OPT_INV, NULL },
	{ "--update", NULL, NULL, MINIFW_RECENT_OPT_UPDATE, 0, MINIFW_OPT_INV, NULL },
	{ "--remove", NULL, NULL, MINIFW_RECENT_OPT_REMOVE, 0, MINIFW_OPT_INV, NULL },
	{ "--seconds", NULL, NULL, MINIFW_RECENT_OPT_SECONDS, 1, 0, NULL },
	{ "--reap", NULL, NULL, MINIFW_RECENT_OPT_REAP, 0, 0, NULL },
	{ "--hitcount", NULL, NULL, MINIFW_RECENT_OPT_HITCOUNT, 1, 0, NULL },
	{ "--rttl", NULL, NULL, MINIFW_RECENT_OPT_RTTL, 0, 0, NULL },
	{ "--name", NULL, NULL, MINIFW_RECENT_OPT_NAME, 1, 0, NULL },
	{ "--rsource", NULL, NULL, MINIFW_RECENT_OPT_RSOURCE, 0, MINIFW_OPT_AGAIN, NULL },
	{ "--rdest", NULL, NULL, MINIFW_RECENT_OPT_RDEST, 0, MINIFW_OPT_AGAIN, NULL },
	{ "--mask", NULL, NULL, MINIFW_RECENT_OPT_MASK, 1, 0, NULL },
	{ }
};

static const char *const minifw_recent_cmd[] = { "--set", "--rcheck", "--update", "--remove" };

/**
 * minifw_recent_hash() - the hash of a list's name, which the packet path
 * compares before the name
 * @name: the name
 *
 * Context: any.
 * Return: the hash.
 */
u32 minifw_recent_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

static int minifw_recent_parse(struct minifw_xcall *x)
{
	struct minifw_recent *r = x->data;
	const char *s = x->arg ? x->arg[0] : NULL;
	union minifw_addr addr, mask;
	u8 family = 0;
	u32 v;

	switch (x->opt->id) {
	case MINIFW_RECENT_OPT_SET:
	case MINIFW_RECENT_OPT_RCHECK:
	case MINIFW_RECENT_OPT_UPDATE:
	case MINIFW_RECENT_OPT_REMOVE:
		if (x->seen & MINIFW_RECENT_ANY_OP & ~(1U << x->opt->id))
			return minifw_fail(x->err, "%s and %s cannot go together: one of --set, --rcheck, --update and --remove",
					   minifw_recent_cmd[r->cmd], x->opt->name);
		r->cmd = x->opt->id;
		r->inv = x->inv;
		return 0;
	case MINIFW_RECENT_OPT_SECONDS:
	case MINIFW_RECENT_OPT_HITCOUNT:
		if (minifw_decimal(s, strlen(s)) != MINIFW_DEC_OK || kstrtou32(s, 10, &v) ||
		    (x->opt->id == MINIFW_RECENT_OPT_SECONDS && !v))
			return minifw_fail(x->err, "\"%s\" is not a number (%s)", minifw_xq(x, s),
					   x->opt->id == MINIFW_RECENT_OPT_SECONDS ?
					   "1 to 4294967295" : "0 to 255");
		if (x->opt->id == MINIFW_RECENT_OPT_SECONDS) {
			r->seconds = v;
			return 0;
		}
		/* xt_recent keeps at most 255 times an address was seen */
		if (v > MINIFW_RECENT_HITCOUNT_MAX)
			return minifw_fail(x->err, "%u is more than the %u times a list keeps",
					   v, MINIFW_RECENT_HITCOUNT_MAX);
		r->hitcount = v;
		return 0;
	case MINIFW_RECENT_OPT_REAP:
		r->reap = 1;
		return 0;
	case MINIFW_RECENT_OPT_RTTL:
		r->rttl = 1;
		return 0;
	case MINIFW_RECENT_OPT_RSOURCE:
	case MINIFW_RECENT_OPT_RDEST:
		r->rdest = x->opt->id == MINIFW_RECENT_OPT_RDEST;
		return 0;
	case MINIFW_RECENT_OPT_NAME:
		return minifw_x_name(x, s, r->name, sizeof(r->name), "list");
	default:	/* --mask: an address, which says the rule's family */
		if (strchr(s, '/') || minifw_parse_addr(s, &addr, &mask, &family, x->err))
			return minifw_fail(x->err, "\"%s\" is not an address mask",
					   minifw_xq(x, s));
		r->mask = addr;
		r->maskfam = family;
		return minifw_set_family(x->rp, family, "--mask");
	}
}

static int minifw_recent_check(struct minifw_xcall *x)
{
	struct minifw_recent *r = x->data;

	if (!(x->seen & MINIFW_RECENT_ANY_OP))
		return minifw_fail(x->err, "-m recent needs one of --set, --rcheck, --update and --remove");
	if ((r->cmd == MINIFW_RECENT_OPT_SET || r->cmd == MINIFW_RECENT_OPT_REMOVE) &&
	    (x->seen & (1U << MINIFW_RECENT_OPT_SECONDS | 1U << MINIFW_RECENT_OPT_HITCOUNT |
			1U << MINIFW_RECENT_OPT_REAP | 1U << MINIFW_RECENT_OPT_RTTL)))
		return minifw_fail(x->err, "--seconds, --hitcount, --reap and --rttl go with --rcheck or --update, not %s",
				   minifw_recent_cmd[r->cmd]);
	if (r->reap && !r->seconds)
		return minifw_fail(x->err, "--reap needs --seconds");
	if (!r->name[0])
		memcpy(r->name, "DEFAULT", sizeof("DEFAULT"));
	r->hash = minifw_recent_hash(r->name);
	return 0;
}

static void minifw_recent_print(struct minifw_buf *b, const struct minifw_rule *rule,
				const void *data)
{
	const struct minifw_recent *r = data;
	char buf[48];

	if (r->inv)
		minifw_put(b, "!");
	minifw_put(b, "%s", minifw_recent_cmd[r->cmd]);
	if (r->seconds)
		minifw_put(b, "--seconds %u", r->seconds);
	if (r->reap)
		minifw_put(b, "--reap");
	if (r->hitcount)
		minifw_put(b, "--hitcount %u", r->hitcount);
	if (r->rttl)
		minifw_put(b, "--rttl");
	minifw_put(b, "--name %s", r->name);
	/*
	 * iptables-save prints the mask of the rule's family, all ones if
	 * none was given; a rule for both families has none to print
	 */
	if (rule->m.family == MINIFW_FAM_IPV4) {
		u32 m = r->maskfam ? ntohl(r->mask.ip) : 0xffffffff;

		minifw_put(b, "--mask %u.%u.%u.%u", m >> 24, (m >> 16) & 0xff, (m >> 8) & 0xff,
			   m & 0xff);
	} else if (rule->m.family == MINIFW_FAM_IPV6) {
		union minifw_addr all;

		memset(&all, 0xff, sizeof(all));
		minifw_fmt_ip6(buf, sizeof(buf), r->maskfam ? &r->mask : &all);
		minifw_put(b, "--mask %s", buf);
	}
	minifw_put(b, "%s", r->rdest ? "--rdest" : "--rsource");
}

/* a rule of one family lists its --mask, which says the family */
static bool minifw_recent_lists_family(const struct minifw_rule *rule, const void *data)
{
	return rule->m.family != MINIFW_FAM_ANY;
}

/* The first list (control path under minifw_lock, or packet path). */
static struct minifw_recent_list *minifw_recent_first(void)
{
#ifdef __KERNEL__
	return rcu_dereference_check(minifw_recent_lists, lockdep_is_held(&minifw_lock));
#else
	return minifw_recent_lists;
#endif
}

static struct minifw_recent_list *minifw_recent_next(const struct minifw_recent_list *l)
{
#ifdef __KERNEL__
	return rcu_dereference_check(l->next, lockdep_is_held(&minifw_lock));
#else
	return l->next;
#endif
}

/**
 * minifw_recent_find() - the list called @name
 * @name: its name
 * @hash: minifw_recent_hash(@name)
 *
 * Context: packet path, or RCU read side, or control path under minifw_lock.
 * Return: the list, or NULL.
 */
struct minifw_recent_list *minifw_recent_find(const char *name, u32 hash)
{
	struct minifw_recent_list *l;

	for (l = minifw_recent_first(); l; l = minifw_recent_next(l))
		if (l->hash == hash && !strcmp(l->name, name))
			return l;
	return NULL;
}

/* A new, empty list, not yet published (control path). */
static struct minifw_recent_list *minifw_recent_new(const char *name, u32 hash, u32 stamps)
{
	u32 nbuckets = DIV_ROUND_UP(READ_ONCE(minifw_recent_list_tot), MINIFW_RECENT_WAYS);
	size_t esize = sizeof(struct minifw_recent_entry) + stamps * sizeof(unsigned long);
	/* the slots aligned as an entry must be */
	size_t head = (sizeof(struct minifw_recent_list) +
		       nbuckets * sizeof(struct minifw_recent_bucket) + 7) & ~(size_t)7;
	struct minifw_recent_list *l;
	u32 i;

	l = kvzalloc(head + (size_t)nbuckets * MINIFW_RECENT_WAYS * esize,
		     GFP_KERNEL | __GFP_NOWARN);
	if (!l)
		return NULL;
	memcpy(l->name, name, strlen(name) + 1);
	l->hash = hash;
	l->nbuckets = nbuckets;
	l->stamps = stamps;
	l->esize = esize;
	l->slots = (u8 *)l + head;
	for (i = 0; i < nbuckets; i++)
		seqlock_init(&l->bucket[i].lock);
	return l;
}

static void minifw_recent_unlink(struct minifw_recent_list *l)
{
	struct minifw_recent_list __rcu **pp = &minifw_recent_lists;
	struct minifw_recent_list *p;

#ifdef __KERNEL__
	while ((p = rcu_dereference_protected(*pp, lockdep_is_held(&minifw_lock))) != l)
#else
	while ((p = *pp) != l)
#endif
		pp = &p->next;
	rcu_assign_pointer(*pp, minifw_recent_next(l));
	if (l->file)
		minifw_proc_recent_remove(l->file);
	/* CPUs still walking an old ruleset may hold it: free it after them */
	kvfree_rcu(l, rcu);
}

/* Stamps an entry of a list named by @name needs for @r's --hitcount. */
static u32 minifw_recent_stamps(const struct minifw_recent *r)
{
	return r->hitcount > MINIFW_RECENT_STAMPS ? roundup_pow_of_two(r->hitcount) :
	       MINIFW_RECENT_STAMPS;
}

/* The largest number of times the rules of @rs naming @r's list need kept. */
static u32 minifw_recent_stamps_of(const struct minifw_ruleset *rs, u32 c0, u32 i0,
				   const struct minifw_recent *r)
{
	const struct minifw_recent *o;
	u32 c, i, stamps = 0;

	for (c = c0; c < rs->nchains; c++) {
		for (i = c == c0 ? i0 : 0; i < rs->chain[c].nrules; i++) {
			o = minifw_rule_ext_data(&rs->chain[c].rules[i], &minifw_xt_recent);
			if (o && o->hash == r->hash && !strcmp(o->name, r->name))
				stamps = max_t(u32, stamps, minifw_recent_stamps(o));
		}
	}
	return stamps;
}

/* the lists minifw_recent_sync() made and has not published yet */
static struct minifw_recent_list *
minifw_recent_pending(struct minifw_recent_list *p, const struct minifw_recent *r)
{
	for (; p; p = p->pending)
		if (p->hash == r->hash && !strcmp(p->name, r->name))
			return p;
	return NULL;
}

/* minifw_recent_prepare()'s lists, which minifw_recent_commit() publishes */
static struct minifw_recent_list *minifw_recent_prepared;

/**
 * minifw_recent_prepare() - make the lists the rules of @rs name
 * @rs: a ruleset about to go live
 * @err: why not
 *
 * Every list to make is made (with its file), not yet published: this may
 * fail, and then changes nothing; minifw_recent_commit() publishes them,
 * which cannot fail. A list that exists but keeps fewer times an address was seen than
 * a --hitcount of @rs needs is made again, empty, as xt_recent flushes it.
 * Lists @rs does not name stay until minifw_recent_retire(). The lists are
 * allocated here, under minifw_lock (as xt_recent allocates its tables
 * under its mutex): a list is made once, when a ruleset first names it.
 *
 * Context: control path, may sleep, under minifw_lock; the last step of
 * preparing @rs (minifw.c's minifw_prepare()).
 * Return: 0, or -ENOMEM / -EINVAL (too many lists, no file) with @err.
 */
int minifw_recent_prepare(const struct minifw_ruleset *rs, struct minifw_err *err)
{
	struct minifw_recent_list *l, *old, *pending = NULL;
	const struct minifw_recent *r;
	u32 c, i, n = 0, stamps;
	int ret = 0;

	if (!minifw_recent_seed)
		minifw_recent_seed = get_random_u32() | 1;
	for (l = minifw_recent_first(); l; l = minifw_recent_next(l)) {
		l->used = false;	/* here: "seen in this pass" */
		n++;
	}
	for (c = 0; c < rs->nchains && !ret; c++) {
		for (i = 0; i < rs->chain[c].nrules && !ret; i++) {
			r = minifw_rule_ext_data(&rs->chain[c].rules[i], &minifw_xt_recent);
			if (!r || minifw_recent_pending(pending, r))
				continue;
			old = minifw_recent_find(r->name, r->hash);
			if (old && old->used)
				continue;
			if (old)
				old->used = true;
			/* the first rule naming the list: what all of them need */
			stamps = minifw_recent_stamps_of(rs, c, i, r);
			if (old && old->stamps >= stamps)
				continue;
			if (!old && n >= MINIFW_RECENT_LISTS_MAX) {
				ret = minifw_fail(err, "-m recent: too many lists (at most %d)",
						  MINIFW_RECENT_LISTS_MAX);
				break;
			}
			l = minifw_recent_new(r->name, r->hash, stamps);
			if (!l) {
				ret = minifw_nomem(err);
				break;
			}
			if (!old) {
				ret = minifw_proc_recent_add(l);
				if (ret) {
					kvfree(l);
					ret = minifw_fail(err, "-m recent: cannot make /proc/minifw/recent/%s: error %d",
							  r->name, ret);
					break;
				}
				n++;
			}
			l->replaces = old;
			l->pending = pending;
			pending = l;
		}
	}
	minifw_recent_prepared = pending;
	if (ret)
		minifw_recent_commit(false);
	return ret;
}

/**
 * minifw_recent_commit() - publish the lists minifw_recent_prepare() made,
 * or drop them
 * @publish: publish them (the ruleset goes live); else drop them
 *
 * Context: control path, may sleep, under minifw_lock.
 */
void minifw_recent_commit(bool publish)
{
	struct minifw_recent_list *l, *next;

	for (l = minifw_recent_prepared; l; l = next) {
		next = l->pending;
		if (!publish) {
			if (l->file)
				minifw_proc_recent_remove(l->file);
			kvfree(l);
			continue;
		}
		/* first, so that it is found before the list it replaces */
		RCU_INIT_POINTER(l->next, minifw_recent_first());
		rcu_assign_pointer(minifw_recent_lists, l);
		if (l->replaces) {
			/* its file is the new list's now */
			l->file = l->replaces->file;
			l->replaces->file = NULL;
			minifw_recent_unlink(l->replaces);
		}
	}
	minifw_recent_prepared = NULL;
}

/**
 * minifw_recent_sync() - minifw_recent_prepare(), then publish
 * @rs: a ruleset about to go live
 * @err: why not
 *
 * Context: control path, may sleep, under minifw_lock.
 * Return: 0, or as minifw_recent_prepare().
 */
int minifw_recent_sync(const struct minifw_ruleset *rs, struct minifw_err *err)
{
	int ret = minifw_recent_prepare(rs, err);

	if (!ret)
		minifw_recent_commit(true);
	return ret;
}

/**
 * minifw_recent_retire() - drop the lists no rule of @rs names
 * @rs: the live ruleset, or NULL at unload (then all go)
 *
 * Context: control path, may sleep, under minifw_lock.
 */
void minifw_recent_retire(const struct minifw_ruleset *rs)
{
	struct minifw_recent_list *l, *next;
	const struct minifw_recent *r;
	u32 c, i;

	for (l = minifw_recent_first(); l; l = minifw_recent_next(l))
		l->used = false;
	for (c = 0; rs && c < rs->nchains; c++) {
		for (i = 0; i < rs->chain[c].nrules; i++) {
			r = minifw_rule_ext_data(&rs->chain[c].rules[i], &minifw_xt_recent);
			l = r ? minifw_recent_find(r->name, r->hash) : NULL;
			if (l)
				l->used = true;
		}
	}
	for (l = minifw_recent_first(); l; l = next) {
		next = minifw_recent_next(l);
		if (!l->used)
			minifw_recent_unlink(l);
	}
}

/* The bucket of an address. */
static u32 minifw_recent_bucket_of(const struct minifw_recent_list *l,
				   const union minifw_addr *a, u8 family)
{
	u32 h = jhash2((const u32 *)a, family == MINIFW_FAM_IPV4 ? 1 : 4,
		       minifw_recent_seed ^ family);

	return reciprocal_scale(h, l->nbuckets);
}

static struct minifw_recent_entry *
minifw_recent_lookup(const struct minifw_recent_list *l, u32 bucket,
		     const union minifw_addr *a, u8 family, u8 ttl)
{
	struct minifw_recent_entry *e;
	unsigned int w;

	for (w = 0; w < MINIFW_RECENT_WAYS; w++) {
		e = minifw_recent_slot(l, bucket, w);
		if (e->family == family && !memcmp(&e->addr, a, sizeof(*a)) &&
		    (!ttl || !e->ttl || e->ttl == ttl))
			return e;
	}
	return NULL;
}

/* Another time @e was seen: now. */
static void minifw_recent_stamp(const struct minifw_recent_list *l,
				struct minifw_recent_entry *e, unsigned long now)
{
	e->stamps[e->next & (l->stamps - 1)] = now;
	e->next++;
	if (e->nstamps < l->stamps)
		e->nstamps++;
	e->last = now;
}

/* A slot for a new address: a free one, else the one seen least recently. */
static struct minifw_recent_entry *
minifw_recent_insert(const struct minifw_recent_list *l, u32 bucket,
		     const union minifw_addr *a, u8 family, u8 ttl, unsigned long now)
{
	struct minifw_recent_entry *e, *oldest = NULL;
	unsigned int w;

	for (w = 0; w < MINIFW_RECENT_WAYS; w++) {
		e = minifw_recent_slot(l, bucket, w);
		if (!e->family) {
			oldest = e;
			break;
		}
		if (!oldest || time_before(e->last, oldest->last))
			oldest = e;
	}
	memset(oldest, 0, l->esize);
	oldest->addr = *a;
	oldest->family = family;
	oldest->ttl = ttl;
	minifw_recent_stamp(l, oldest, now);
	return oldest;
}

/* Does @e have the hits asked for within the seconds asked for? */
static bool minifw_recent_hits(const struct minifw_recent *r,
			       const struct minifw_recent_entry *e, unsigned long since)
{
	u32 i, hits = 0;

	for (i = 0; i < e->nstamps; i++) {
		if (r->seconds && time_after(since, e->stamps[i]))
			continue;
		if (!r->hitcount || ++hits >= r->hitcount)
			return true;
	}
	return false;
}

/*
 * Packet path, RCU read side, bottom halves disabled: xt_recent's
 * recent_mt(), its result (with "!" folded in) and its quirk included: a
 * "! --update" refreshes an address when the rule matches, that is when
 * the address was not seen often enough.
 */
static int minifw_recent_match(const void *data, const struct minifw_pkt *p,
			       struct minifw_counter *c)
{
	const struct minifw_recent *r = data;
	const union minifw_addr *src = r->rdest ? &p->daddr : &p->saddr;
	unsigned long now = jiffies, since = now - (unsigned long)r->seconds * HZ;
	struct minifw_recent_entry *e, *o;
	struct minifw_recent_list *l;
	struct minifw_recent_bucket *b;
	union minifw_addr a = { };
	bool ret = r->inv;
	unsigned int seq, w, n;
	u8 ttl;
	u32 bk;

	/* only while an edit that drops the list is under way */
	l = minifw_recent_find(r->name, r->hash);
	if (!l)
		return (r->cmd == MINIFW_RECENT_OPT_SET) ^ ret ? MINIFW_MATCH : MINIFW_NOMATCH;
	n = p->family == MINIFW_FAM_IPV4 ? 1 : 4;
	for (w = 0; w < n; w++)
		a.ip6[w] = src->ip6[w] & (r->maskfam ? r->mask.ip6[w] : htonl(~0U));
	ttl = minifw_pkt_ttl_seen(p);
	bk = minifw_recent_bucket_of(l, &a, p->family);
	b = &l->bucket[bk];

	if (r->cmd == MINIFW_RECENT_OPT_RCHECK && !r->reap) {
		bool hit;

		do {
			seq = read_seqbegin(&b->lock);
			e = minifw_recent_lookup(l, bk, &a, p->family, r->rttl ? ttl : 0);
			hit = e && minifw_recent_hits(r, e, since);
		} while (read_seqretry(&b->lock, seq));
		return hit ^ ret ? MINIFW_MATCH : MINIFW_NOMATCH;
	}

	write_seqlock(&b->lock);
	e = minifw_recent_lookup(l, bk, &a, p->family, r->rttl ? ttl : 0);
	if (!e) {
		if (r->cmd == MINIFW_RECENT_OPT_SET) {
			minifw_recent_insert(l, bk, &a, p->family, ttl, now);
			ret = !ret;
		}
		goto out;
	}
	if (r->cmd == MINIFW_RECENT_OPT_SET) {
		ret = !ret;
	} else if (r->cmd == MINIFW_RECENT_OPT_REMOVE) {
		memset(e, 0, l->esize);
		ret = !ret;
		goto out;
	} else {
		if (minifw_recent_hits(r, e, since))
			ret = !ret;
		if (r->reap) {
			for (w = 0; w < MINIFW_RECENT_WAYS; w++) {
				o = minifw_recent_slot(l, bk, w);
				if (o->family && time_after(since, o->last) &&
				    (o != e || !(r->cmd == MINIFW_RECENT_OPT_UPDATE && ret)))
					memset(o, 0, l->esize);
			}
			if (!e->family)
				goto out;
		}
	}
	if (r->cmd == MINIFW_RECENT_OPT_SET || (r->cmd == MINIFW_RECENT_OPT_UPDATE && ret)) {
		minifw_recent_stamp(l, e, now);
		e->ttl = ttl;
	}
out:
	write_sequnlock(&b->lock);
	return ret ? MINIFW_MATCH : MINIFW_NOMATCH;
}

/**
 * minifw_recent_clear() - forget the addresses of some buckets of a list
 * @l: the list
 * @first: the first bucket
 * @n: how many (past the last bucket: up to it)
 *
 * Context: control path, RCU read side (the list was found so); bottom
 * halves enabled.
 * Return: the bucket after the last cleared.
 */
u32 minifw_recent_clear(struct minifw_recent_list *l, u32 first, u32 n)
{
	u32 bk, w;

	for (bk = first; bk < l->nbuckets && bk - first < n; bk++) {
		write_seqlock_bh(&l->bucket[bk].lock);
		for (w = 0; w < MINIFW_RECENT_WAYS; w++)
			memset(minifw_recent_slot(l, bk, w), 0, l->esize);
		write_sequnlock_bh(&l->bucket[bk].lock);
	}
	return bk;
}

/**
 * minifw_recent_edit() - what its /proc/minifw/recent file's writer asks
 * @l: the list
 * @op: '+' add or refresh ADDR, '-' remove it, '/' empty the list, '?'
 *	only say whether it has ADDR
 * @a: the address, IPv4 in a->ip
 * @family: MINIFW_FAM_IPV4 or MINIFW_FAM_IPV6
 *
 * As xt_recent's recent_mt_proc_write(): an address added so has TTL 0 and
 * is not masked.
 *
 * Context: control path, RCU read side (the list was found so); bottom
 * halves enabled.
 * Return: 0, or -ENOENT to remove (or ask for) an address the list does
 * not have.
 */
int minifw_recent_edit(struct minifw_recent_list *l, char op, const union minifw_addr *a,
		       u8 family)
{
	struct minifw_recent_entry *e;
	u32 bk;
	int ret = 0;

	if (op == '/') {
		minifw_recent_clear(l, 0, l->nbuckets);
		return 0;
	}
	bk = minifw_recent_bucket_of(l, a, family);
	if (op == '?') {
		read_seqlock_excl_bh(&l->bucket[bk].lock);
		ret = minifw_recent_lookup(l, bk, a, family, 0) ? 0 : -ENOENT;
		read_sequnlock_excl_bh(&l->bucket[bk].lock);
		return ret;
	}
	write_seqlock_bh(&l->bucket[bk].lock);
	e = minifw_recent_lookup(l, bk, a, family, 0);
	if (op == '+' && e)
		minifw_recent_stamp(l, e, jiffies);
	else if (op == '+')
		minifw_recent_insert(l, bk, a, family, 0, jiffies);
	else if (e)
		memset(e, 0, l->esize);
	else
		ret = -ENOENT;
	write_sequnlock_bh(&l->bucket[bk].lock);
	return ret;
}

const struct minifw_ext_ops minifw_xt_recent = {
	.name		= "recent",
	.size		= sizeof(struct minifw_recent),
	.opts		= minifw_recent_opts,
	.parse		= minifw_recent_parse,
	.check		= minifw_recent_check,
	.print		= minifw_recent_print,
	.lists_family	= minifw_recent_lists_family,
	.stateful	= true,
	.match		= minifw_recent_match,
};
