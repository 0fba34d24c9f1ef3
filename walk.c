// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the packet path: a packet walked through a chain, rule by rule
 * and run by run (the lookups in a run's interval tables), counted, and
 * given the verdict of the first rule that decides, or of the policy.
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

/* (a & mask) == net, for the packet's family */
static __always_inline bool minifw_addr_in(const union minifw_addr *a,
					   const union minifw_addr *net,
					   const union minifw_addr *mask, u8 family)
{
	if (family == MINIFW_FAM_IPV4)
		return (a->ip & mask->ip) == net->ip;
	return !(((a->ip6[0] & mask->ip6[0]) ^ net->ip6[0]) |
		 ((a->ip6[1] & mask->ip6[1]) ^ net->ip6[1]) |
		 ((a->ip6[2] & mask->ip6[2]) ^ net->ip6[2]) |
		 ((a->ip6[3] & mask->ip6[3]) ^ net->ip6[3]));
}

/*
 * Does @p (of @family, which callers pass as a constant, so that each
 * family gets its own copy without the tests of the other) match @m, the
 * core of a rule?
 */
static __always_inline int minifw_match(const struct minifw_match *m,
					const struct minifw_pkt *p, u8 family)
{
	u32 f = m->flags;

	/*
	 * The addresses first: in a long list they are what rules differ
	 * in. A rule of the other family compares words laid out for its
	 * own, meaningless here, but the family test below still says no;
	 * no test before it has effects.
	 */
	if (!minifw_addr_in(&p->saddr, &m->src, &m->smsk, family) ^ !!(f & MINIFW_INV_SRC))
		return MINIFW_NOMATCH;
	if (!minifw_addr_in(&p->daddr, &m->dst, &m->dmsk, family) ^ !!(f & MINIFW_INV_DST))
		return MINIFW_NOMATCH;
	if (m->family && m->family != family)
		return MINIFW_NOMATCH;
	if (m->in[0] && ((memcmp(p->in, m->in, m->inlen) != 0) ^ !!(f & MINIFW_INV_IN)))
		return MINIFW_NOMATCH;
	if (m->out[0] && ((memcmp(p->out, m->out, m->outlen) != 0) ^ !!(f & MINIFW_INV_OUT)))
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
static __always_inline u32 minifw_itab_find4(const struct minifw_itab *t, u32 a)
{
	u32 lo = 0, hi = t->n;

	if (t->bucket) {
		lo = t->bucket[a >> t->bshift];
		hi = t->bucket[(a >> t->bshift) + 1] + 1;
	}
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
 * The rule of @run that decides @p, or NULL: the first rule of the run
 * whose address holds the packet's, if the options the run's rules share
 * match too (@res: MINIFW_MATCH, or what else minifw_match() said). A
 * run's rules have no extension that looks at the packet.
 */
static __always_inline const struct minifw_rule *
minifw_run_find(const struct minifw_chain *chain, const struct minifw_run *run,
		const struct minifw_pkt *p, int *res, u8 family)
{
	const struct minifw_itab *t = run->tab[family == MINIFW_FAM_IPV6 ?
					       MINIFW_TAB_IPV6 : MINIFW_TAB_IPV4];
	u32 hit = minifw_itab_find(&t[MINIFW_TAB_SRC], &p->saddr, family);

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
	if (unlikely(r->xflags & MINIFW_X_TARGET)) {
		*verdict = minifw_target_ext(r, p);
		return *verdict != MINIFW_T_NONE;
	}
	if (r->target == MINIFW_T_NONE)
		return false;
	*verdict = MINIFW_VERDICT(r->target, r->target_arg);
	return true;
}

/*
 * minifw_chain_eval() for packets of @family (a constant): the rules up to
 * the next run one by one, then the run by its tables, and so on.
 */
static __always_inline unsigned int minifw_chain_walk(const struct minifw_chain *chain,
						      const struct minifw_pkt *p, u8 family)
{
	const struct minifw_run *run = chain->runs;
	u32 i = 0, n = chain->nrules;
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
			if (res == MINIFW_MATCH && unlikely(r->xflags & MINIFW_X_MATCH))
				res = minifw_match_ext(r, p);
			if (res != MINIFW_NOMATCH && minifw_hit(r, res, p, &verdict))
				return verdict;
		}
		if (i >= n)
			break;
		/* a run: one lookup stands for all its rules */
		r = minifw_run_find(chain, run, p, &res, family);
		i = run->end;
		run++;
		if (r && res != MINIFW_NOMATCH && minifw_hit(r, res, p, &verdict))
			return verdict;
	}
	minifw_count(chain->policy_cnt, p->len);
	return chain->policy;
}

/**
 * minifw_chain_eval() - run a packet through a chain
 * @chain: chain of a published ruleset
 * @pkt: the packet
 *
 * Counts the packet on every rule it matches up to the deciding one, or on
 * the policy when none decides.
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: MINIFW_VERDICT(target, arg) of the deciding rule or policy; the
 * target is MINIFW_T_ACCEPT, MINIFW_T_DROP or MINIFW_T_REJECT.
 */
unsigned int minifw_chain_eval(const struct minifw_chain *chain,
			       const struct minifw_pkt *pkt)
{
	if (pkt->family == MINIFW_FAM_IPV4)
		return minifw_chain_walk(chain, pkt, MINIFW_FAM_IPV4);
	return minifw_chain_walk(chain, pkt, MINIFW_FAM_IPV6);
}
