// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the packet path: a packet walked through a chain, rule by rule
 * and run by run (the lookups in a run's interval tables), into the user
 * chains its rules call and back, counted, and given the verdict of the
 * first rule that decides, or of the built-in chain's policy.
 *
 * Everything here runs in the hook: RCU read side, bottom halves
 * disabled, no locks, no allocation. Also builds in user space
 * (include/minifw_user.h), where the tests and bench-unit drive it.
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/in.h>
#include <asm/byteorder.h>
#endif

#include "ruleset.h"
#include "walk.h"
#include "ext.h"
#include "ifname.h"

/* (a & mask) == net, for the packet's family; @msk as a rule keeps it */
static __always_inline bool minifw_addr_in(const union minifw_addr *a,
					   const union minifw_addr *net,
					   u32 msk, u8 family)
{
	const union minifw_addr *mask;

	if (family == MINIFW_FAM_IPV4)
		return (a->ip & minifw_mask4(msk)) == net->ip;
	mask = minifw_mask6(msk);
	return !(((a->ip6[0] & mask->ip6[0]) ^ net->ip6[0]) |
		 ((a->ip6[1] & mask->ip6[1]) ^ net->ip6[1]) |
		 ((a->ip6[2] & mask->ip6[2]) ^ net->ip6[2]) |
		 ((a->ip6[3] & mask->ip6[3]) ^ net->ip6[3]));
}

/*
 * Does @p (of @family, which callers pass as a constant, so that each
 * family gets its own copy without the tests of the other) match @m, the
 * core of a rule? @inv: whether @m negates anything ("!"), also a
 * constant: most rules do not, and their copy tests each field without
 * the exclusive or of its negation.
 */
static __always_inline int minifw_match_core(const struct minifw_match *m,
					     const struct minifw_pkt *p, u8 family, bool inv)
{
	/* the negation bits, none in the copy for rules without them */
	u32 f = inv ? m->flags : m->flags & ~MINIFW_INV_ANY;

	/*
	 * The addresses first: in a long list they are what rules differ
	 * in. A rule of the other family compares words laid out for its
	 * own, meaningless here, but the family test below still says no;
	 * no test before it has effects.
	 */
	if (!minifw_addr_in(&p->saddr, &m->src, m->smsk, family) ^ !!(f & MINIFW_INV_SRC))
		return MINIFW_NOMATCH;
	if (!minifw_addr_in(&p->daddr, &m->dst, m->dmsk, family) ^ !!(f & MINIFW_INV_DST))
		return MINIFW_NOMATCH;
	if (m->family && m->family != family)
		return MINIFW_NOMATCH;
	if (m->in && ((memcmp(p->in, minifw_ifname(m->in), m->inlen) != 0) ^ !!(f & MINIFW_INV_IN)))
		return MINIFW_NOMATCH;
	if (m->out && ((memcmp(p->out, minifw_ifname(m->out), m->outlen) != 0) ^
		       !!(f & MINIFW_INV_OUT)))
		return MINIFW_NOMATCH;
	if (m->proto) {
		/*
		 * as ip6_tables (after the interfaces): no upper-layer
		 * protocol found drops the packet
		 */
		if (unlikely(p->badhdr))
			return MINIFW_HOTDROP;
		if (!(p->proto == m->proto) ^ !!(f & MINIFW_INV_PROTO))
			return MINIFW_NOMATCH;
	}
	if ((f & MINIFW_CTSTATE) && (!(m->ctstate & p->ctstate) ^ !!(f & MINIFW_INV_CTSTATE)))
		return MINIFW_NOMATCH;
	if (f & MINIFW_L4) {
		/*
		 * As xt_tcp, xt_udp, xt_icmp and ip6t_icmp6: a later fragment has
		 * no header, so never matches; an IPv4 TCP fragment at offset 1
		 * (8 bytes) can only be an attempt to rewrite the flags of the
		 * first one, and is dropped. (IPv6 offsets are in bytes, so never
		 * 1, as in ip6_tables.)
		 */
		if (p->fragoff)
			return p->fragoff == 1 && p->proto == IPPROTO_TCP ?
			       MINIFW_HOTDROP : MINIFW_NOMATCH;
		/* ... and a header we cannot read drops the packet. */
		if (!p->l4)
			return MINIFW_HOTDROP;
		if (m->proto == IPPROTO_ICMP || m->proto == IPPROTO_ICMPV6) {
			/* as xt_icmp: type 0xff is "any" */
			bool hit = m->icmp_type == 0xff ||
				   (p->icmp_type == m->icmp_type &&
				    p->icmp_code >= m->icmp_code[0] &&
				    p->icmp_code <= m->icmp_code[1]);

			return hit ^ !!(f & MINIFW_INV_ICMP) ? MINIFW_MATCH : MINIFW_NOMATCH;
		}
		if (!minifw_port_in(m->sport, p->sport) ^ !!(f & MINIFW_INV_SPORT))
			return MINIFW_NOMATCH;
		if (!minifw_port_in(m->dport, p->dport) ^ !!(f & MINIFW_INV_DPORT))
			return MINIFW_NOMATCH;
		if (((p->tcp_flags & m->tcp_fmsk) != m->tcp_fcmp) ^ !!(f & MINIFW_INV_TCPFLAGS))
			return MINIFW_NOMATCH;
	}
	return MINIFW_MATCH;
}

/* minifw_match_core(), the copy for rules that negate nothing where it can */
static __always_inline int minifw_match(const struct minifw_match *m,
					const struct minifw_pkt *p, u8 family)
{
	if (likely(!(m->flags & MINIFW_INV_ANY)))
		return minifw_match_core(m, p, family, false);
	return minifw_match_core(m, p, family, true);
}

/*
 * The rule's extensions that look at the packet, in registry order (the
 * order in which ext.c lists them: those that keep state, as -m limit,
 * last, so that only packets that match all else spend its credits).
 */
static __always_inline int minifw_match_ext(const struct minifw_rule *r,
					    const struct minifw_pkt *p)
{
	const struct minifw_ext_entry *x;
	int res;

	for (x = minifw_ext_first(r->ext); minifw_ext_more(r->ext, x); x = minifw_ext_next(x)) {
		if (!x->ops->match)
			continue;
		res = x->ops->match(x->data, p, r->cnt);
		if (res != MINIFW_MATCH)
			return res;
	}
	return MINIFW_MATCH;
}

/* A target extension's verdict (-j LOG: it logs and says go on). */
static unsigned int minifw_target_ext(const struct minifw_rule *r, const struct minifw_pkt *p)
{
	const struct minifw_ext_ops *ops = minifw_ext_ops(r->xtarget);

	return ops->target(minifw_rule_ext_data(r, ops), p);
}

/*
 * Interval tables (see "DOC: Compiled chains" in compile.c): the rule of
 * the interval holding an address, by binary search.
 */
/* The rule of the interval holding @a among intervals [lo, hi) of @t. */
static __always_inline u32 minifw_itab_search4(const struct minifw_itab *t, u32 a, u32 lo,
					       u32 hi)
{
	/* start4[lo] <= a, and a < start4[hi] unless hi == n */
	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (t->start4[mid] <= a)
			lo = mid;
		else
			hi = mid;
	}
	return t->rule[lo];
}

static __always_inline u32 minifw_itab_find4(const struct minifw_itab *t, u32 a)
{
	if (t->bucket)
		return minifw_itab_search4(t, a, t->bucket[a >> t->bshift],
					   t->bucket[(a >> t->bshift) + 1] + 1);
	return minifw_itab_search4(t, a, 0, t->n);
}

/*
 * The rule of the interval of a port table holding @port: as
 * minifw_itab_find4(), its bucket index starting at bbase.
 */
static __always_inline u32 minifw_ptab_find(const struct minifw_itab *t, u32 port)
{
	u32 b;

	if (!t->bucket)
		return minifw_itab_search4(t, port, 0, t->n);
	if (port < t->bbase)
		return t->rule[0];
	b = min_t(u32, (port - t->bbase) >> t->bshift, t->bmax);
	return minifw_itab_search4(t, port, t->bucket[b], t->bucket[b + 1] + 1);
}

static u32 minifw_itab_find6(const struct minifw_itab *t, u64 ahi, u64 alo)
{
	u32 lo = 0, hi = t->n;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;
		u64 shi = t->start6[2 * mid], slo = t->start6[2 * mid + 1];

		if (shi < ahi || (shi == ahi && slo <= alo))
			lo = mid;
		else
			hi = mid;
	}
	return t->rule[lo];
}

static __always_inline u32 minifw_itab_find(const struct minifw_itab *t,
					    const union minifw_addr *a, u8 family)
{
	if (!t->n)
		return MINIFW_NO_RULE;
	if (family == MINIFW_FAM_IPV4)
		return minifw_itab_find4(t, ntohl(a->ip));
	return minifw_itab_find6(t, minifw_ip6_word(a, 0), minifw_ip6_word(a, 1));
}

/*
 * A destination-port run: what its rules share decides first, as the walk
 * meets it first (a later fragment or an unreadable header says so at the
 * run's first rule: MINIFW_HOTDROP, there); then the port's interval.
 */
static __always_inline const struct minifw_rule *
minifw_port_run_find(const struct minifw_chain *chain, const struct minifw_run *run,
		     const struct minifw_pkt *p, int *res, u8 family)
{
	u32 hit;

	*res = minifw_match(&run->rest, p, family);
	if (*res == MINIFW_NOMATCH)
		return NULL;
	if (*res == MINIFW_HOTDROP)
		return &chain->rules[run->first];
	hit = minifw_ptab_find(&run->ports, ntohs(p->dport));
	return hit == MINIFW_NO_RULE ? NULL : &chain->rules[hit];
}

/*
 * The rule of @run that decides @p, or NULL: the first rule of the run
 * whose address (or port) holds the packet's, if the options the run's
 * rules share match too (@res: MINIFW_MATCH, or what else minifw_match()
 * said). A run's rules have no extension that looks at the packet.
 */
static __always_inline const struct minifw_rule *
minifw_run_find(const struct minifw_chain *chain, const struct minifw_run *run,
		const struct minifw_pkt *p, int *res, u8 family)
{
	const struct minifw_itab *t = run->tab[family == MINIFW_FAM_IPV6 ?
					       MINIFW_TAB_IPV6 : MINIFW_TAB_IPV4];
	u32 hit;

	if (run->kind == MINIFW_RUN_DPORT)
		return minifw_port_run_find(chain, run, p, res, family);
	hit = minifw_itab_find(&t[MINIFW_TAB_SRC], &p->saddr, family);

	/* the run's first rule cannot be beaten */
	if (hit != run->first)
		hit = min_t(u32, hit, minifw_itab_find(&t[MINIFW_TAB_DST], &p->daddr,
						       family));
	if (hit == MINIFW_NO_RULE)
		return NULL;
	*res = minifw_match(&run->rest, p, family);
	return &chain->rules[hit];
}

/*
 * Classified segments (see "DOC: Classified segments" in compile.c).
 *
 * Could a rule's hashed destination port miss what the walk says of @p?
 * Only where the walk's -m tcp/udp/... drops it for its header (unread,
 * or a TCP fragment at offset 1) rather than compare ports; and an IPv6
 * header chain unread drops it at any rule with -p. Such packets go
 * through the segment rule by rule.
 */
static __always_inline bool minifw_class_irregular(const struct minifw_cls *cl,
						   const struct minifw_pkt *p)
{
	if (unlikely(p->badhdr))
		return true;
	if (!cl->dport)
		return false;
	if (p->fragoff)
		return p->fragoff == 1 && p->proto == IPPROTO_TCP;
	/* (no port rule matches another protocol, whose header minifw does not read) */
	return !p->l4 && minifw_port_proto(p->proto);
}

/*
 * The first rule of key @k's whose index is in [from, *best) and that
 * matches @p (or says hotdrop): into *@best, with what it said in *@res.
 */
static __always_inline void minifw_ckey_scan(const struct minifw_chain *chain,
					     const struct minifw_cls *cl, u32 off, u32 end,
					     const struct minifw_pkt *p, u32 from, u32 *best,
					     int *res, u8 family)
{
	for (; off < end; off++) {
		u32 r = cl->rule[off];
		int m;

		if (r < from)
			continue;
		if (r >= *best)
			return;
		m = minifw_match(&chain->rules[r].m, p, family);
		if (m != MINIFW_NOMATCH) {
			*best = r;
			*res = m;
			return;
		}
	}
}

/* The same, looking the key of @p up in table @t first (IPv4). */
static __always_inline void minifw_ctab_find4(const struct minifw_chain *chain,
					      const struct minifw_cls *cl,
					      const struct minifw_ctab *t,
					      const struct minifw_pkt *p, u32 port, u32 from,
					      u32 *best, int *res)
{
	const struct minifw_ckey4 *keys = cl->key, *k;
	__be32 src = p->saddr.ip & t->smsk.ip, dst = p->daddr.ip & t->dmsk.ip;
	u32 h, x;

	port &= t->pmsk;
	for (h = minifw_chash4(cl->seed, src, dst, port, t->shift); (x = t->slot[h]);
	     h = (h + 1) & t->mask) {
		k = &keys[x - 1];
		if (k->src == src && k->dst == dst && k->port == port) {
			minifw_ckey_scan(chain, cl, k->off, k[1].off, p, from, best, res,
					 MINIFW_FAM_IPV4);
			return;
		}
	}
}

/* (IPv6) */
static __always_inline void minifw_ctab_find6(const struct minifw_chain *chain,
					      const struct minifw_cls *cl,
					      const struct minifw_ctab *t,
					      const struct minifw_pkt *p, u32 port, u32 from,
					      u32 *best, int *res)
{
	const struct minifw_ckey6 *keys = cl->key, *k;
	__be32 src[4], dst[4];
	unsigned int w;
	u32 h, x;

	for (w = 0; w < 4; w++) {
		src[w] = p->saddr.ip6[w] & t->smsk.ip6[w];
		dst[w] = p->daddr.ip6[w] & t->dmsk.ip6[w];
	}
	port &= t->pmsk;
	for (h = minifw_chash6(cl->seed, src, dst, port, t->shift); (x = t->slot[h]);
	     h = (h + 1) & t->mask) {
		k = &keys[x - 1];
		if (k->port == port && !memcmp(k->src, src, sizeof(src)) &&
		    !memcmp(k->dst, dst, sizeof(dst))) {
			minifw_ckey_scan(chain, cl, k->off, k[1].off, p, from, best, res,
					 MINIFW_FAM_IPV6);
			return;
		}
	}
}

/*
 * The first rule of classified segment @run, at @from or after, that
 * matches @p or says hotdrop (in *@res), or run->end if none: the lowest of
 * what each table of the packet's protocol's class holds for it, the
 * tables taken by their lowest rule, until none can have a lower one than
 * found.
 */
static __always_inline u32 minifw_class_next(const struct minifw_chain *chain,
					     const struct minifw_run *run,
					     const struct minifw_pkt *p, u32 from, int *res,
					     u8 family)
{
	const struct minifw_cls *cl = &run->cls[family == MINIFW_FAM_IPV6 ?
						 MINIFW_TAB_IPV6 : MINIFW_TAB_IPV4];
	const struct minifw_ctab *t, *tend;
	u32 best = run->end, port = ntohs(p->dport);
	u8 c;

	/* none of its rules is of this family, or for both */
	if (!cl->nclasses)
		return best;
	if (unlikely(minifw_class_irregular(cl, p))) {
		for (; from < run->end; from++) {
			*res = minifw_match(&chain->rules[from].m, p, family);
			if (*res != MINIFW_NOMATCH)
				break;
		}
		return from;
	}
	c = cl->class_of[p->proto];
	t = cl->tab + cl->ctab[c];
	for (tend = cl->tab + cl->ctab[c + 1]; t < tend && t->min < best; t++) {
		if (t->max < from)
			continue;
		if (family == MINIFW_FAM_IPV4)
			minifw_ctab_find4(chain, cl, t, p, port, from, &best, res);
		else
			minifw_ctab_find6(chain, cl, t, p, port, from, &best, res);
	}
	return best;
}

/*
 * Rule @r matched @p (@res is not MINIFW_NOMATCH): count it, and run its
 * target. True if it decides the packet, with the verdict in @verdict.
 * MINIFW_HOTDROP drops the packet uncounted, as ip_tables does.
 */
static __always_inline bool minifw_hit(const struct minifw_rule *r, int res,
				       const struct minifw_pkt *p, unsigned int *verdict)
{
	if (unlikely(res == MINIFW_HOTDROP)) {
		*verdict = MINIFW_T_DROP;
		return true;
	}
	minifw_count(r->cnt, p->len);
	if (unlikely(r->m.flags & MINIFW_X_TARGET)) {
		*verdict = minifw_target_ext(r, p);
		return *verdict != MINIFW_T_NONE;
	}
	if (r->target == MINIFW_T_NONE)
		return false;
	*verdict = MINIFW_VERDICT(r->target, r->target_arg);
	return true;
}

/*
 * Rule @r, whose core said @res of @p (not MINIFW_NOMATCH): its
 * extensions, then, if they match too, minifw_hit(). True if it decides
 * the packet, with the verdict in @verdict.
 */
static __always_inline bool minifw_rule_decides(const struct minifw_rule *r, int res,
						const struct minifw_pkt *p,
						unsigned int *verdict)
{
	if (res == MINIFW_MATCH && unlikely(r->m.flags & MINIFW_X_MATCH))
		res = minifw_match_ext(r, p);
	return res != MINIFW_NOMATCH && minifw_hit(r, res, p, verdict);
}

/* minifw_class_walk(): no rule of the segment decided, the walk goes on after it */
#define MINIFW_CLASS_ON		U64_MAX

/*
 * Classified segment @run of @chain for @p, from rule @i on: its
 * candidates in order, each matched in full, counted and its target run
 * as the walk would. Returns what minifw_chain_walk() would of the rule
 * that decides, or MINIFW_CLASS_ON.
 */
static __always_inline u64 minifw_class_walk(const struct minifw_chain *chain,
					     const struct minifw_run *run,
					     const struct minifw_pkt *p, u32 i, u8 family)
{
	const struct minifw_rule *r;
	unsigned int verdict;
	int res = MINIFW_NOMATCH;

	for (;; i++) {
		i = minifw_class_next(chain, run, p, i, &res, family);
		if (i >= run->end)
			return MINIFW_CLASS_ON;
		r = &chain->rules[i];
		if (minifw_rule_decides(r, res, p, &verdict))
			return (u64)(i + 1) << 32 | verdict;
	}
}

static noinline u64 minifw_class_walk4(const struct minifw_chain *chain,
				       const struct minifw_run *run,
				       const struct minifw_pkt *p, u32 i)
{
	return minifw_class_walk(chain, run, p, i, MINIFW_FAM_IPV4);
}

static noinline u64 minifw_class_walk6(const struct minifw_chain *chain,
				       const struct minifw_run *run,
				       const struct minifw_pkt *p, u32 i)
{
	return minifw_class_walk(chain, run, p, i, MINIFW_FAM_IPV6);
}

/*
 * The first run of @chain that ends after rule @pos (its sentinel if
 * none): a classified segment may hold @pos, another run only start there.
 */
static const struct minifw_run *minifw_run_from(const struct minifw_chain *chain, u32 pos)
{
	u32 lo = 0, hi = chain->nruns, mid;

	if (!chain->runs)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (chain->runs[mid].end <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &chain->runs[lo];
}

/*
 * One chain for packets of @family (a constant), from rule @i on: the
 * rules up to the next run one by one, then the run by its tables, and so
 * on. Returns the verdict of the first rule that decides, or the chain's
 * policy (a user chain's: MINIFW_T_RETURN), counted. For a rule that
 * calls another chain, the rule after it is in the upper 32 bits, where
 * the walk goes on when that chain returns (an address or port run holds
 * no such rule; a classified segment may, and the walk goes on inside it).
 */
static __always_inline u64 minifw_chain_walk(const struct minifw_chain *chain,
					     const struct minifw_pkt *p, u8 family, u32 i)
{
	const struct minifw_run *run = i ? minifw_run_from(chain, i) : chain->runs;
	u32 n = chain->nrules;
	const struct minifw_rule *r;
	unsigned int verdict;
	int res;

	for (;;) {
		/* the sentinel run starts at MINIFW_NO_RULE */
		u32 stop = run ? min_t(u32, run->first, n) : n;

		for (; i < stop; i++) {
			r = &chain->rules[i];
			res = minifw_match(&r->m, p, family);
			if (likely(res == MINIFW_NOMATCH))
				continue;
			if (minifw_rule_decides(r, res, p, &verdict))
				return (u64)(i + 1) << 32 | verdict;
		}
		if (i >= n)
			break;
		if (run->kind == MINIFW_RUN_CLASS) {
			u64 v = family == MINIFW_FAM_IPV4 ? minifw_class_walk4(chain, run, p, i) :
							    minifw_class_walk6(chain, run, p, i);

			if (v != MINIFW_CLASS_ON)
				return v;
			i = run->end;
			run++;
			continue;
		}
		/*
		 * a run: one lookup stands for all its rules; none of them is
		 * a -j CHAIN (compile.c keeps calls out of runs), so a verdict
		 * from here needs no place to resume
		 */
		r = minifw_run_find(chain, run, p, &res, family);
		i = run->end;
		run++;
		if (r && res != MINIFW_NOMATCH && minifw_hit(r, res, p, &verdict))
			return verdict;
	}
	minifw_count(chain->policy_cnt, p->len);
	return chain->policy;
}

/* Where to go on in a chain when the chain it called returns. */
struct minifw_frame {
	u32 chain;
	u32 pos;	/* the rule after the call */
};

/*
 * The rest of minifw_walk() once a rule of built-in chain @base said -j,
 * -g or RETURN (@v, from minifw_chain_walk()): into the chains its rules
 * call (-j, which comes back) or go to (-g, which does not), back on
 * RETURN or at a user chain's end, and to @base's policy on a RETURN with
 * nothing to return to, as ip_tables. Out of line, so that chains without
 * calls keep the short path.
 */
static __always_inline unsigned int minifw_calls(const struct minifw_ruleset *rs,
						 unsigned int base, const struct minifw_pkt *p,
						 u8 family, u64 v)
{
	struct minifw_frame stack[MINIFW_MAX_CALLS];
	unsigned int verdict = (u32)v, sp = 0;
	u32 c = base, pos;

	for (;;) {
		switch (MINIFW_VERDICT_TARGET(verdict)) {
		case MINIFW_T_JUMP:
			/* cannot happen: graph.c refuses deeper calls */
			if (unlikely(sp == MINIFW_MAX_CALLS))
				return MINIFW_T_DROP;
			stack[sp++] = (struct minifw_frame){ c, v >> 32 };
			fallthrough;
		case MINIFW_T_GOTO:
			c = MINIFW_VERDICT_ARG(verdict);
			pos = 0;
			break;
		case MINIFW_T_RETURN:
			if (!sp) {
				minifw_count(rs->chain[base].policy_cnt, p->len);
				return rs->chain[base].policy;
			}
			sp--;
			c = stack[sp].chain;
			pos = stack[sp].pos;
			break;
		default:
			return verdict;
		}
		v = minifw_chain_walk(&rs->chain[c], p, family, pos);
		verdict = (u32)v;
	}
}

static noinline unsigned int minifw_calls4(const struct minifw_ruleset *rs, unsigned int base,
					   const struct minifw_pkt *p, u64 v)
{
	return minifw_calls(rs, base, p, MINIFW_FAM_IPV4, v);
}

static noinline unsigned int minifw_calls6(const struct minifw_ruleset *rs, unsigned int base,
					   const struct minifw_pkt *p, u64 v)
{
	return minifw_calls(rs, base, p, MINIFW_FAM_IPV6, v);
}

/* minifw_chain_eval() for packets of @family (a constant). */
static __always_inline unsigned int minifw_walk(const struct minifw_ruleset *rs,
						unsigned int base, const struct minifw_pkt *p,
						u8 family)
{
	u64 v = minifw_chain_walk(&rs->chain[base], p, family, 0);

	if (likely(MINIFW_VERDICT_TARGET((u32)v) < MINIFW_T_JUMP))
		return (u32)v;
	if (family == MINIFW_FAM_IPV4)
		return minifw_calls4(rs, base, p, v);
	return minifw_calls6(rs, base, p, v);
}

/**
 * minifw_chain_eval() - run a packet through a built-in chain
 * @rs: a published ruleset
 * @chain: enum minifw_chain_id
 * @pkt: the packet
 *
 * Counts the packet on every rule it matches up to the deciding one (in
 * the user chains it is sent to too), or on the policy when none decides.
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: MINIFW_VERDICT(target, arg) of the deciding rule or policy; the
 * target is MINIFW_T_ACCEPT, MINIFW_T_DROP, MINIFW_T_REJECT or MINIFW_T_NFQUEUE.
 */
unsigned int minifw_chain_eval(const struct minifw_ruleset *rs, unsigned int chain,
			       const struct minifw_pkt *pkt)
{
	if (pkt->family == MINIFW_FAM_IPV4)
		return minifw_walk(rs, chain, pkt, MINIFW_FAM_IPV4);
	return minifw_walk(rs, chain, pkt, MINIFW_FAM_IPV6);
}
