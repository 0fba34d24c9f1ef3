// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the compiler of runs: before a ruleset is published, each run of
 * rules that differ only in one address, or in the destination port,
 * becomes interval tables, which
 * the walk (walk.c) looks a packet up in at once. Also tells the hook what
 * fields of a packet no rule of a chain reads.
 *
 * Control path, may sleep; no locks. Also builds in user space
 * (include/minifw_user.h).
 */

#ifdef __KERNEL__
#include <linux/bsearch.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/sort.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/log2.h>
#include <asm/byteorder.h>
#endif

#include "ruleset.h"
#include "ext.h"

/**
 * DOC: Compiled chains
 *
 * Block lists are long runs of rules that differ only in one address:
 * "-A INPUT -s 203.0.113.0/24 -j DROP" a hundred thousand times. Walked
 * one by one, each costs a compare; minifw_ruleset_compile() turns each
 * such run into interval tables, so a packet costs one lookup, whatever
 * the run's length, and first-match order is kept exactly.
 *
 * Runs
 * ----
 * A run is a sequence of at least minifw_run_min (8) consecutive rules that
 *  - have a deciding target (ACCEPT, DROP, REJECT): the first rule of the
 *    run that matches is the one that decides, and the only one counted;
 *  - have no -m limit (its bucket must see every packet that reaches it),
 *    -m multiport or -m iprange (a comment is fine);
 *  - match one address, source or destination, not negated, with a prefix
 *    mask (or no address at all: a source prefix of length 0, in the
 *    family the rule has or in both);
 *  - are otherwise equal: same protocol, ports, interfaces, states...
 *    (&struct minifw_run.rest, the first rule's match with both addresses
 *    and the family cleared).
 * Rules outside runs are walked as before, so a port rule between two
 * block lists splits them into two runs and keeps its place.
 *
 * Interval tables
 * ---------------
 * For each family and each field, the run's prefixes cut the address
 * space into intervals, each belonging to the first rule (lowest index)
 * whose prefix holds it, or to none. Prefixes nest or are apart, so one
 * sweep over them sorted by start (the wider first) with a stack of the
 * prefixes holding the current address gives the intervals in order
 * (minifw_sweep()); neighbours of one rule merge, so n prefixes give at
 * most 2n + 1 intervals. A lookup is a binary search for the last start
 * not above the address. IPv4 tables of MINIFW_BUCKET_MIN (64) intervals
 * or more also have a bucket index on the top bits of the address, about
 * one bucket an interval (up to 2^16 buckets, on the top 16 bits), which
 * leaves a few intervals to search where addresses spread: with 100,000
 * random prefixes, about 3 per bucket. (IPv6 tables have none: the top
 * bits of IPv6 addresses in one ruleset are mostly the same, and a binary
 * search of the up to 200,001 intervals of 100,000 prefixes is 18
 * steps.) A packet's rule in the run is the lower of its source and
 * destination lookups; if there is one, the shared options decide
 * (minifw_match() on the rest, which may also say hotdrop), as they would
 * have for that rule alone.
 *
 * Worked example
 * --------------
 * ::
 *
 *	 0: -A INPUT -s 10.0.0.0/8 -j ACCEPT
 *	 1: -A INPUT -s 10.1.0.0/16 -j DROP
 *	 2: -A INPUT -s 192.0.2.0/24 -j DROP
 *	 3: -A INPUT -s 10.1.2.0/24 -j REJECT
 *	 4: -A INPUT -d 198.51.100.7/32 -j DROP
 *	 5: -A INPUT -s 192.0.2.0/24 -j ACCEPT
 *	 6: -A INPUT -j DROP
 *	 7: -A INPUT -6 -s 2001:db8::/32 -j ACCEPT
 *
 * is one run of eight rules (the rest: nothing). Rule 6 has no address:
 * it is 0.0.0.0/0 in the IPv4 source table and ::/0 in the IPv6 one.
 * Sorted, the IPv4 sources are 0.0.0.0/0 (6), 10.0.0.0/8 (0), 10.1.0.0/16
 * (1), 10.1.2.0/24 (3), 192.0.2.0/24 (2), 192.0.2.0/24 (5, the same prefix
 * again: never reached). The sweep gives::
 *
 *	start          rule
 *	0.0.0.0        6
 *	10.0.0.0       0    (10.1.0.0/16 and 10.1.2.0/24 are inside rule 0's
 *	11.0.0.0       6     prefix, and rule 0 comes first: they merge)
 *	192.0.2.0      2
 *	192.0.3.0      6
 *
 * and the IPv4 destination table has 0.0.0.0 none, 198.51.100.7 rule 4,
 * 198.51.100.8 none. A packet from 10.1.2.3 to 198.51.100.7 finds rule 0
 * in the source table and rule 4 in the destination table: rule 0, the
 * lower, accepts it and counts it, as the walk would have. Rules 1, 3, 5
 * and 7 can never match (7: rule 6 holds all of IPv6 too, so the IPv6
 * source table is one interval, :: to rule 6); they stay in the chain,
 * listed and counted at 0.
 *
 * Port runs
 * ---------
 * Service lists are runs of rules that differ only in the destination
 * port: "-A INPUT -p tcp --dport 8000:8010 -j ACCEPT", one per service. A
 * rule with a deciding target, -m tcp/udp/sctp/dccp (-p udplite's) ports,
 * its --dport not negated, is in a port run with its neighbours equal to
 * it but for --dport (the rest: the rule with any port; addresses,
 * family, interfaces, flags, --sport all shared). Where a rule could start
 * either kind of run, the longer one is taken.
 *
 * Port ranges overlap any way they like, unlike prefixes, so the sweep
 * above does not apply: the ranges' bounds cut the port space into
 * pieces, each rule in order paints the pieces of its range no earlier
 * rule painted (a union-find of "next unpainted piece" skips the painted
 * ones), and neighbouring pieces of one rule merge into intervals
 * (minifw_ptab_build()). A lookup first tests the shared rest, as the
 * walk meets it first: a later fragment, or a header it cannot read,
 * gets the run's first rule's answer; then the port's interval, by binary
 * search in the intervals of its bucket. The bucket index covers the
 * ports from the second interval's start to the last's, since a run's
 * ports cluster (8000 to 9000, not 0 to 65535): about one interval a
 * bucket where they spread evenly over that span (one far outlier, as
 * 8000 to 8100 and 60000, leaves the cluster in one bucket, searched in
 * log steps). With::
 *
 *	 0: -A INPUT -p tcp --dport 80 -j ACCEPT
 *	 1: -A INPUT -p tcp --dport 8000:8099 -j DROP
 *	 2: -A INPUT -p tcp --dport 8080 -j ACCEPT
 *	 3: -A INPUT -p tcp --dport 443 -j ACCEPT
 *	 4: -A INPUT -p tcp --dport 1024:65535 -j REJECT
 *	 5: -A INPUT -p tcp -m tcp -j DROP
 *
 * is one run (were six rules enough for one), its rest "-p tcp -m tcp"
 * (rule 5 has -m tcp: any port, but a header to read as the others; "-p
 * tcp" alone also matches later fragments, so would end the run). The
 * bounds are 0 80 81 443 444 1024 8000 8080 8081 8100; rule 0 paints 80,
 * rule 1 8000 to 8099, rule 2 nothing (8080 is painted), rule 3 443, rule
 * 4 what is left of 1024 to 65535, rule 5 the rest. The intervals::
 *
 *	start   rule
 *	0       5
 *	80      0
 *	81      5
 *	443     3
 *	444     5
 *	1024    4
 *	8000    1    (8080 too: rule 2 never matches)
 *	8100    4
 *
 * A TCP packet to port 8080 finds rule 1, and is dropped and counted
 * there, as the walk would have; a UDP packet fails the rest, and the run
 * has no rule for it.
 */

/**
 * DOC: Classified segments
 *
 * Runs need rules alike but for one field. Access lists are not: each
 * rule names its own source and destination prefixes, protocol and port
 * ("-s 10.1.2.0/24 -d 10.9.0.7 -p tcp --dport 1521 -j ACCEPT"), and
 * firewalls mix ACCEPT, DROP, LOG and jumps among them. Every stretch of
 * at least minifw_class_min (16) rules between runs (the whole chain, if
 * it has none) is a classified segment: a lookup yields the first rule of
 * the segment, at or after a given one, that the packet may match, and the
 * walk checks that rule in full, as it would have (so counters, -m limit,
 * LOG, jumps and the rest behave exactly as walked), and asks again from
 * the next rule if it did not decide.
 *
 * The choice
 * ----------
 * Of the classifiers in the literature: bit-vector and Grouper-style
 * tables (nftables' pipapo) cost a pass over n/64 words per bit group of
 * the key, which at 100,000 rules is thousands of words a packet without
 * SIMD; decision trees (HiCuts, HyperCuts, EffiCuts) and DPDK's ACL tries
 * look up in a few steps but copy wildcard rules into many leaves, which
 * bounds neither memory nor the build (EffiCuts and DPDK split the rules
 * into several trees to tame it). Tuple space search (Srinivasan et al.,
 * 1999), as Open vSwitch's classifier and TupleMerge (Daly, Liu and Torng,
 * 2019) do it, keeps each rule once, in a hash table of rules with the
 * same prefix lengths, builds in one hash insert a rule, and costs one
 * hash probe a table: a packet's cost grows with the number of tables,
 * not of rules. TupleMerge's point is to keep that number small: a table
 * may hash fewer bits than its rules have (a /24 in a table of /16s), as
 * long as its buckets stay short, and the exact check of each rule found
 * in a bucket makes that safe. minifw does that:
 *
 *  - Each segment, for each family, has a class for each protocol its
 *    rules name (-p, not negated; at most 15, others go to class 0) and
 *    class 0 for the others; a rule with no protocol is in every class
 *    (unless those copies would outnumber the rules: then there is one
 *    class, and memory stays linear). A packet looks only in the tables
 *    of its protocol's class.
 *  - A table hashes the first slen bits of the source, dlen of the
 *    destination, and, if it says so, the destination port (of rules
 *    with one exact --dport, in the class of their port protocol). A rule
 *    fits a table that hashes no more than the rule fixes: its prefix
 *    lengths (a negated address fixes none) and its port.
 *  - Rules are placed in order: each in the first table of its class that
 *    it fits whose bucket for it holds fewer than 4 rules; if none, in a
 *    new table, of its lengths rounded down to a multiple of 16 bits, at
 *    most half the address (IPv4 /16, IPv6 /64), and no port, or, if that
 *    table is already there (and was full), of its own lengths and port
 *    (and past 64 tables in a class, in the one that fits with the
 *    shortest bucket). Few, coarse tables make few probes a packet: an
 *    access list's /24s and /32s share one table of /16s, and only where
 *    more than 4 of them share a /16 pair do the others make their own.
 *  - A table's buckets hold their rules in ascending order. A lookup from
 *    rule k takes the tables of the packet's class by their lowest rule,
 *    stops at the first table whose lowest rule is above the best found,
 *    skips those whose highest is below k, and in each looks up the
 *    packet's key and checks the bucket's rules from k on in full
 *    (minifw_match()) until one matches, or says hotdrop, or is past the
 *    best found.
 *  - Packets whose port the walk would not compare get the segment rule
 *    by rule (minifw_class_irregular()): where a table hashes ports, a
 *    TCP, UDP, SCTP or DCCP header that could not be read (the walk
 *    drops the packet at the first such rule) or a TCP fragment at offset
 *    1; and an IPv6 packet whose headers could not be read.
 *
 * Memory is linear: a rule index for each class a rule is in, about 16
 * bytes a key (40 for IPv6) and three to six slots of 4 bytes a key. The
 * build tries each rule against the tables of its class: at most 66 hash
 * probes a rule.
 *
 * Worked example
 * --------------
 * ::
 *
 *	 0: -A FORWARD -s 192.0.2.0/24 -d 198.51.100.7 -p tcp --dport 22 -j ACCEPT
 *	 1: -A FORWARD -s 192.0.2.0/24 -d 198.51.100.0/24 -p tcp -j DROP
 *	 2: -A FORWARD -d 198.51.100.9 -p udp --dport 53 -j ACCEPT
 *	 3: -A FORWARD -s 203.0.113.5 -j LOG
 *	 4: -A FORWARD -p tcp --dport 80 -j ACCEPT
 *	 5: -A FORWARD -s 203.0.113.0/24 -p tcp -j DROP
 *	 6: -A FORWARD -j DROP
 *
 * (were 7 rules enough for a segment) has three IPv4 classes: TCP (rules
 * 0, 1, 3, 4, 5, 6), UDP (2, 3, 6) and all others (3, 6). In TCP's, rule
 * 0 (/24, /32 and a port) makes table A, hashing /16 and /16; rule 1
 * (/24, /24) fits A, in rule 0's bucket; rule 3 (/32, /0) does not fit A
 * and makes B, /16 and /0; rule 4 (/0, /0 and a port) makes C, /0 and /0;
 * rule 5 (/24, /0) fits B, in rule 3's bucket, and rule 6 fits C::
 *
 *	table  hashes      key                          rules
 *	A      /16 /16     192.0.0.0, 198.51.0.0        0 1
 *	B      /16 /0      203.0.0.0, 0.0.0.0           3 5
 *	C      /0  /0      0.0.0.0, 0.0.0.0             4 6
 *
 * A TCP packet from 192.0.2.1 to 198.51.100.7, port 22, finds rules 0 and
 * 1 in A; rule 0 matches; B's lowest rule is 3, above 0: the lookup stops
 * there, and rule 0 accepts it. A TCP packet from 203.0.113.5 to
 * 198.51.100.20, port 80, finds nothing in A (its key is 203.0.0.0,
 * 198.51.0.0), rule 3 in B, and stops at C (4 > 3): rule 3 logs it and
 * goes on, so the lookup runs again from rule 4: A has no rule that high
 * and is skipped, B's bucket gives rule 5 (its source is in
 * 203.0.113.0/24), and C's, whose lowest rule is 4, below 5, gives rule 4
 * (port 80), which accepts it. A UDP packet to 198.51.100.9 port 53
 * finds rule 2 in the UDP class; an ICMP packet, class 0, gets rule 3 or
 * 6. Each is counted where the walk would have counted it.
 */

/*
 * Shortest run worth a lookup: below it, the rules are walked. A variable
 * only so that the unit tests can make runs of every length.
 */
unsigned int minifw_run_min = 8;

/*
 * IPv4 tables this long or longer get a bucket index, of 2^k entries for
 * 2^(k - 1) to 2^k intervals, at most 2^16: 4 to 8 bytes an interval.
 */
#define MINIFW_BUCKET_MIN	64
#define MINIFW_BUCKET_BITS_MAX	16

/* One rule's prefix as a range of addresses, host order, high word first. */
struct minifw_pfx {
	u64 start[2], end[2];
	u32 rule;
};

/* The sweep's stack of prefixes that hold the current address. */
struct minifw_nest {
	u64 end[2];
	u32 rule;	/* the first rule among this prefix and those holding it */
};

/* The longest such stack: nested prefixes of 0 to 128 bits. */
#define MINIFW_NEST_MAX		129

static int minifw_key_cmp(const u64 *a, const u64 *b)
{
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	if (a[1] != b[1])
		return a[1] < b[1] ? -1 : 1;
	return 0;
}

/* Sweep order: by start; at one start, the widest first; then by rule. */
static int minifw_pfx_cmp(const void *x, const void *y)
{
	const struct minifw_pfx *a = x, *b = y;

	return minifw_key_cmp(a->start, b->start) ?:
	       minifw_key_cmp(b->end, a->end) ?:
	       (a->rule > b->rule) - (a->rule < b->rule);
}

/*
 * May a rule be part of a run? Not with a target that lets the packet go
 * on (LOG included), nor with an extension that looks at the packet
 * itself (-m multiport, -m iprange: kept out for simplicity, rare in long
 * lists; -m limit, whose bucket must see every packet that reaches it). A
 * comment changes nothing a packet meets, and core-backed extensions (-m
 * tcp, -m conntrack) are in the key.
 */
static bool minifw_run_rule(const struct minifw_rule *r)
{
	/* deciding, in this chain: -j CHAIN comes back, so its rules are walked */
	if (r->target != MINIFW_T_ACCEPT && r->target != MINIFW_T_DROP &&
	    r->target != MINIFW_T_REJECT && r->target != MINIFW_T_RETURN &&
	    r->target != MINIFW_T_GOTO)
		return false;
	return !(r->m.flags & MINIFW_X_MATCH);
}

/*
 * What a rule matches besides its address, or false if it cannot be part
 * of an address run: beyond minifw_run_rule(), a negated address, two
 * addresses, or a mask that is not a prefix ("-s 10.0.0.1/255.0.0.255"
 * matches no one range of addresses).
 */
static bool minifw_addr_key(const struct minifw_rule *r, struct minifw_match *key)
{
	const struct minifw_match *m = &r->m;

	if (!minifw_run_rule(r))
		return false;
	if ((m->flags & (MINIFW_INV_SRC | MINIFW_INV_DST)) || (m->smsk && m->dmsk))
		return false;
	/* IPv6 masks are lengths, prefixes all */
	if (m->family == MINIFW_FAM_IPV4 &&
	    (minifw_mask4_len(ntohl(minifw_mask4(m->smsk))) < 0 ||
	     minifw_mask4_len(ntohl(minifw_mask4(m->dmsk))) < 0))
		return false;
	*key = *m;
	memset(&key->src, 0, sizeof(key->src));
	memset(&key->dst, 0, sizeof(key->dst));
	key->smsk = 0;
	key->dmsk = 0;
	key->family = MINIFW_FAM_ANY;
	return true;
}

/*
 * Likewise for a run of destination ports: a rule that reads the ports
 * (-m tcp, -m udp... not ICMP's type), its port not negated; the key is
 * the rule with any port.
 */
static bool minifw_port_key(const struct minifw_rule *r, struct minifw_match *key)
{
	const struct minifw_match *m = &r->m;

	if (!minifw_run_rule(r) || !(m->flags & MINIFW_L4) || (m->flags & MINIFW_INV_DPORT) ||
	    m->proto == IPPROTO_ICMP || m->proto == IPPROTO_ICMPV6)
		return false;
	*key = *m;
	key->dport[0] = 0;
	key->dport[1] = U16_MAX;
	return true;
}

typedef bool (*minifw_key_fn)(const struct minifw_rule *r, struct minifw_match *key);

/* How many rules from @i on share @fn's key (0: rule @i has none). */
static u32 minifw_run_len(const struct minifw_chain *c, u32 i, minifw_key_fn fn,
			  struct minifw_match *key)
{
	struct minifw_match next;
	u32 j;

	if (!fn(&c->rules[i], key))
		return 0;
	for (j = i + 1; j < c->nrules; j++)
		if (!fn(&c->rules[j], &next) || memcmp(key, &next, sizeof(next)))
			break;
	return j - i;
}

/*
 * The next run of @c at or after rule *@i: its rules [*first, *end), what
 * they share (@key) and its kind (MINIFW_RUN_*): of the two kinds, the
 * longer run from a rule on (an address run if as long). From a rule
 * whose runs are both too short, the search goes on at the next rule, not
 * past them: a run of the other kind may start inside (at a short address
 * run's last rule, a port run). Each rule is looked at from at most
 * minifw_run_min starts, so this stays linear. Return: false when there
 * is none.
 */
static bool minifw_next_run(const struct minifw_chain *c, u32 *i, u32 *first, u32 *end,
			    struct minifw_match *key, u8 *kind)
{
	struct minifw_match pkey;
	u32 alen, plen;

	for (; *i < c->nrules; (*i)++) {
		alen = minifw_run_len(c, *i, minifw_addr_key, key);
		plen = minifw_run_len(c, *i, minifw_port_key, &pkey);
		if (max_t(u32, alen, plen) < max_t(u32, minifw_run_min, 1))
			continue;
		*kind = plen > alen ? MINIFW_RUN_DPORT : MINIFW_RUN_ADDR;
		if (*kind == MINIFW_RUN_DPORT)
			*key = pkey;
		*first = *i;
		*end = *i + max_t(u32, alen, plen);
		*i = *end;
		return true;
	}
	return false;
}

/*
 * The prefixes of rules [first, end) of @c on one field (0 source, 1
 * destination) for one family (0 IPv4, 1 IPv6), into @out. A rule with no
 * address at all counts as a source prefix of length 0, in both families
 * if it has none.
 */
static u32 minifw_run_prefixes(const struct minifw_chain *c, u32 first, u32 end,
			       unsigned int fam, unsigned int field,
			       struct minifw_pfx *out)
{
	u8 family = fam ? MINIFW_FAM_IPV6 : MINIFW_FAM_IPV4;
	u32 i, n = 0;

	for (i = first; i < end; i++) {
		const struct minifw_match *m = &c->rules[i].m;
		const union minifw_addr *a = field ? &m->dst : &m->src;
		struct minifw_pfx *p = &out[n];
		union minifw_addr mask, *k = &mask;

		if (m->family && m->family != family)
			continue;
		if (field ? !m->dmsk : !!m->dmsk)
			continue;
		minifw_mask_addr(k, field ? m->dmsk : m->smsk, family);
		/* addresses are stored masked; masked again all the same */
		if (family == MINIFW_FAM_IPV4) {
			p->start[0] = 0;
			p->start[1] = ntohl(a->ip & k->ip);
			p->end[0] = 0;
			p->end[1] = p->start[1] | (u32)~ntohl(k->ip);
		} else {
			p->start[0] = minifw_ip6_word(a, 0) & minifw_ip6_word(k, 0);
			p->start[1] = minifw_ip6_word(a, 1) & minifw_ip6_word(k, 1);
			p->end[0] = p->start[0] | ~minifw_ip6_word(k, 0);
			p->end[1] = p->start[1] | ~minifw_ip6_word(k, 1);
		}
		p->rule = i;
		n++;
	}
	return n;
}

/* Where the sweep writes its intervals; with no arrays, it only counts. */
struct minifw_sweep_out {
	struct minifw_itab *t;
	u32 last;
};

static void minifw_emit(struct minifw_sweep_out *sw, const u64 *start, u32 rule)
{
	struct minifw_itab *t = sw->t;

	if (t->n && sw->last == rule)
		return;		/* the interval before goes on */
	if (t->rule) {
		t->rule[t->n] = rule;
		if (t->start4) {
			t->start4[t->n] = start[1];
		} else {
			t->start6[2 * t->n] = start[0];
			t->start6[2 * t->n + 1] = start[1];
		}
	}
	sw->last = rule;
	t->n++;
}

/*
 * Cut the address space up to @max into intervals, each given the first
 * rule whose prefix holds it, from @n prefixes in sweep order. Prefixes
 * are nested or apart, never overlapping otherwise, so those holding the
 * current address form a stack.
 */
static void minifw_sweep(struct minifw_sweep_out *sw, const struct minifw_pfx *p, u32 n,
			 const u64 *max, struct minifw_nest *stack)
{
	u64 cur[2] = { 0, 0 };
	bool more = true;	/* cur is in the space, not past its end */
	u32 sp = 0, i;

	for (i = 0; i <= n; i++) {
		/* close the prefixes that end before p[i]; after the last, all */
		while (sp && (i == n || minifw_key_cmp(stack[sp - 1].end, p[i].start) < 0)) {
			const struct minifw_nest *top = &stack[--sp];

			if (more && minifw_key_cmp(cur, top->end) <= 0)
				minifw_emit(sw, cur, top->rule);
			more = minifw_key_cmp(top->end, max) < 0;
			cur[0] = top->end[0];
			cur[1] = top->end[1] + 1;
			if (!cur[1])
				cur[0]++;
		}
		if (i == n)
			break;
		/* the same prefix again: a later rule never gets its packets */
		if (i && !minifw_key_cmp(p[i].start, p[i - 1].start) &&
		    !minifw_key_cmp(p[i].end, p[i - 1].end))
			continue;
		if (minifw_key_cmp(cur, p[i].start) < 0)
			minifw_emit(sw, cur, sp ? stack[sp - 1].rule : MINIFW_NO_RULE);
		cur[0] = p[i].start[0];
		cur[1] = p[i].start[1];
		stack[sp].end[0] = p[i].end[0];
		stack[sp].end[1] = p[i].end[1];
		stack[sp].rule = sp ? min_t(u32, stack[sp - 1].rule, p[i].rule) : p[i].rule;
		sp++;
	}
	if (more)
		minifw_emit(sw, cur, MINIFW_NO_RULE);
}

static void minifw_itab_free(struct minifw_itab *t)
{
	kvfree(t->mem);
	memset(t, 0, sizeof(*t));
}

/*
 * Entries of the bucket index of a table of @ntab intervals: 2^k for
 * 2^(k - 1) to 2^k - 1 intervals, at most 2^16; 0 (none) below
 * MINIFW_BUCKET_MIN.
 */
static u32 minifw_bucket_count(u32 ntab)
{
	if (ntab < MINIFW_BUCKET_MIN)
		return 0;
	return 1U << min_t(unsigned int, fls(ntab), MINIFW_BUCKET_BITS_MAX);
}

/* Fill in @t's bucket index, which it has room for after its arrays. */
static void minifw_itab_bucket(struct minifw_itab *t, u32 ntab, u32 nb)
{
	u32 b, j;

	t->bucket = t->rule + ntab;
	t->bmax = nb - 1;
	for (b = 0, j = 0; b <= nb; b++) {
		while (j + 1 < ntab &&
		       (u64)t->start4[j + 1] <= (u64)t->bbase + ((u64)b << t->bshift))
			j++;
		t->bucket[b] = j;
	}
}

/* Build one interval table of a run; an empty one if no rule is for it. */
static int minifw_itab_build(struct minifw_itab *t, const struct minifw_chain *c,
			     const struct minifw_run *run, unsigned int fam,
			     unsigned int field, struct minifw_pfx *pfx,
			     struct minifw_nest *stack)
{
	static const u64 max4[2] = { 0, U32_MAX }, max6[2] = { U64_MAX, U64_MAX };
	const u64 *max = fam == MINIFW_TAB_IPV6 ? max6 : max4;
	struct minifw_sweep_out sw = { .t = t };
	size_t key_size = fam == MINIFW_TAB_IPV6 ? 2 * sizeof(u64) : sizeof(u32);
	u32 n, ntab, nb = 0;
	size_t size;

	memset(t, 0, sizeof(*t));
	n = minifw_run_prefixes(c, run->first, run->end, fam, field, pfx);
	if (!n)
		return 0;
	sort(pfx, n, sizeof(*pfx), minifw_pfx_cmp, NULL);
	cond_resched();
	/* count, allocate, fill */
	minifw_sweep(&sw, pfx, n, max, stack);
	ntab = t->n;
	t->n = 0;
	size = array_size(ntab, key_size + sizeof(u32));
	if (fam == MINIFW_TAB_IPV4)
		nb = minifw_bucket_count(ntab);
	if (nb) {
		t->bshift = 32 - (fls(nb) - 1);	/* nb is 2^(32 - bshift) */
		size = size_add(size, array_size(nb + 1, sizeof(u32)));
	}
	t->mem = kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (!t->mem)
		return -ENOMEM;
	/* the keys first, for their alignment */
	if (fam == MINIFW_TAB_IPV6)
		t->start6 = t->mem;
	else
		t->start4 = t->mem;
	t->rule = (u32 *)((char *)t->mem + array_size(ntab, key_size));
	minifw_sweep(&sw, pfx, n, max, stack);
	if (nb)
		minifw_itab_bucket(t, ntab, nb);
	return 0;
}

/*
 * Allocate @t for @ntab intervals of a port table, with room for a bucket
 * index if long (*@nb entries, minifw_bucket_count()).
 */
static int minifw_itab_alloc_ports(struct minifw_itab *t, u32 ntab, u32 *nb)
{
	size_t size = array_size(ntab, 2 * sizeof(u32));

	*nb = minifw_bucket_count(ntab);
	if (*nb)
		size = size_add(size, array_size(*nb + 1, sizeof(u32)));
	t->mem = kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (!t->mem)
		return -ENOMEM;
	t->start4 = t->mem;
	t->rule = t->start4 + ntab;
	return 0;
}

/* Sort order of the port boundaries (u32 each). */
static int minifw_u32_cmp(const void *x, const void *y)
{
	u32 a = *(const u32 *)x, b = *(const u32 *)y;

	return (a > b) - (a < b);
}

/* minifw_ptab_build()'s "next unpainted piece at or after @x" (union-find). */
static u32 minifw_unpainted(u32 *next, u32 x)
{
	u32 root = x, y;

	while (next[root] != root)
		root = next[root];
	while (next[x] != root) {	/* path compression */
		y = next[x];
		next[x] = root;
		x = y;
	}
	return root;
}

/*
 * The port table of a destination-port run. Port ranges overlap any way
 * they like (unlike prefixes, which nest), so: the ranges' bounds cut the
 * port space into m pieces; each rule, in order, paints the pieces of its
 * range that no earlier rule painted, skipping painted ones with a
 * union-find of "the next unpainted piece" (n log n for the sort, then
 * about linear); neighbouring pieces of one rule merge into an interval.
 */
static int minifw_ptab_build(struct minifw_itab *t, const struct minifw_chain *c,
			     const struct minifw_run *run)
{
	u32 n = run->end - run->first, m = 0, i, k, x, last, ntab, nb;
	u32 *bound, *owner, *next;
	int ret = -ENOMEM;

	memset(t, 0, sizeof(*t));
	/* the bounds: 0 and each range's start and end + 1; next: one more */
	bound = kvmalloc_array((size_t)n + 1, 6 * sizeof(u32), GFP_KERNEL | __GFP_NOWARN);
	if (!bound)
		return -ENOMEM;
	owner = bound + 2 * n + 1;
	next = owner + 2 * n + 1;
	bound[m++] = 0;
	for (i = run->first; i < run->end; i++) {
		const u16 *d = c->rules[i].m.dport;

		bound[m++] = d[0];
		if (d[1] < U16_MAX)
			bound[m++] = d[1] + 1;
	}
	sort(bound, m, sizeof(*bound), minifw_u32_cmp, NULL);
	for (i = 1, k = 1; i < m; i++)
		if (bound[i] != bound[k - 1])
			bound[k++] = bound[i];
	m = k;		/* piece j: ports bound[j] to bound[j + 1] - 1 (the last: to 65535) */
	for (k = 0; k <= m; k++) {
		next[k] = k;		/* next[m]: past the last piece */
		if (k < m)
			owner[k] = MINIFW_NO_RULE;
	}
	for (i = run->first; i < run->end; i++) {
		const u16 *d = c->rules[i].m.dport;
		u32 *hit = bsearch(&(u32){ d[0] }, bound, m, sizeof(*bound), minifw_u32_cmp);

		for (x = minifw_unpainted(next, hit - bound);
		     x < m && bound[x] <= d[1]; x = minifw_unpainted(next, x + 1)) {
			owner[x] = i;
			next[x] = x + 1;
		}
	}
	/* merge neighbours of one rule: count, allocate, fill */
	for (k = 0, ntab = 0, last = 0; k < m; k++)
		if (!k || owner[k] != last) {
			ntab++;
			last = owner[k];
		}
	if (minifw_itab_alloc_ports(t, ntab, &nb))
		goto out;
	for (k = 0, t->n = 0; k < m; k++)
		if (!k || owner[k] != t->rule[t->n - 1]) {
			t->start4[t->n] = bound[k];
			t->rule[t->n++] = owner[k];
		}
	if (nb) {
		/* the index spans the ports from the second interval to the last's start */
		t->bbase = t->start4[1];
		while ((t->start4[ntab - 1] - t->bbase) >> t->bshift >= nb)
			t->bshift++;
		minifw_itab_bucket(t, ntab, nb);
	}
	ret = 0;
out:
	kvfree(bound);
	return ret;
}

/*
 * Classified segments (see "DOC: Classified segments"): the stretches of
 * a chain between runs, at least this long, are classified; shorter ones
 * are walked. A variable only so that the tests can classify any stretch.
 */
unsigned int minifw_class_min = 16;

/*
 * A rule goes into the first table of its class it fits whose bucket for
 * it holds fewer than MINIFW_CLASS_LIMIT rules. A class makes at most
 * MINIFW_CLASS_TABLES tables; past them, a rule goes where its bucket is
 * shortest (the table of no lengths at worst: a list walked in order).
 */
#define MINIFW_CLASS_LIMIT	4
#define MINIFW_CLASS_TABLES	64
/*
 * A new table's prefix lengths: the rule's, down to a multiple of
 * MINIFW_CLASS_STEP, and at most half the address (16 bits of IPv4, 64 of
 * IPv6): the fewer tables, the fewer probes a packet, and the bucket limit
 * keeps the buckets short where so few bits do not spread the rules.
 */
#define MINIFW_CLASS_STEP	16
#define MINIFW_CLASS_ALLTABS	(MINIFW_CLASSES * (MINIFW_CLASS_TABLES + 1))

/*
 * What a table hashes, or what a rule can be hashed on: prefix lengths,
 * and the destination port or not.
 */
struct minifw_shape {
	u8 slen, dlen, port;
};

/* A key of a table being built, and how many rules it has. */
struct minifw_bkey {
	union minifw_addr src, dst;
	u32 port, tab, count;
};

/* The state of one family's build. */
struct minifw_cbuild {
	const struct minifw_chain *c;
	u32 first, end;			/* the segment's rules */
	u8 family;
	u8 nclasses;
	u8 class_of[256];		/* as struct minifw_cls's */
	u8 proto[MINIFW_CLASSES];	/* each class's protocol (class 0: none) */
	/* the tables, class by class */
	struct minifw_shape shape[MINIFW_CLASS_ALLTABS];
	u32 min[MINIFW_CLASS_ALLTABS], max[MINIFW_CLASS_ALLTABS];
	u32 ctab[MINIFW_CLASSES + 1];	/* the first table of each class */
	u32 ntabs;
	struct minifw_bkey *key;	/* one per placement at most */
	u32 nkeys;
	/* each placement of a rule in a class, in order: its rule and key */
	u32 *prule, *pkey;
	u32 nplace;
	u32 *map;			/* (table, key) -> key + 1, 0: none */
	u8 mapshift;
	u64 seed;
};

/* The length of the prefix of ones of @mask (128 bits, or IPv4's 32). */
static u8 minifw_prefix_len(const union minifw_addr *mask, u8 family)
{
	unsigned int w, n = 0;

	for (w = 0; w < (family == MINIFW_FAM_IPV6 ? 4 : 1); w++) {
		u32 m = ntohl(mask->ip6[w]);

		if (m != U32_MAX)
			return n + 32 - fls(~m);
		n += 32;
	}
	return n;
}

/* A prefix length as a mask, in network order. */
static void minifw_len_mask(union minifw_addr *mask, unsigned int len)
{
	unsigned int w;

	for (w = 0; w < 4; w++, len = len > 32 ? len - 32 : 0)
		mask->ip6[w] = htonl(len >= 32 ? U32_MAX : len ? ~(U32_MAX >> len) : 0);
}

/*
 * The protocol rule @m's class is for, or 0 (all classes): -p, not
 * negated. Rules of the other family: false.
 */
static bool minifw_rule_proto(const struct minifw_match *m, u8 family, u8 *proto)
{
	if (m->family && m->family != family)
		return false;
	*proto = m->flags & MINIFW_INV_PROTO ? 0 : m->proto;
	return true;
}

/*
 * What of rule @m a table of its class may hash: a prefix of its address
 * masks not negated (the ones they start with: a mask that is no prefix
 * still holds one), and its destination port if one, not negated, read by
 * -m tcp/udp/sctp/dccp, in the class of its protocol (@proto).
 */
static void minifw_rule_shape(const struct minifw_match *m, u8 family, u8 proto,
			      struct minifw_shape *s)
{
	union minifw_addr smsk, dmsk;

	minifw_mask_addr(&smsk, m->smsk, family);
	minifw_mask_addr(&dmsk, m->dmsk, family);
	s->slen = m->flags & MINIFW_INV_SRC ? 0 : minifw_prefix_len(&smsk, family);
	s->dlen = m->flags & MINIFW_INV_DST ? 0 : minifw_prefix_len(&dmsk, family);
	s->port = proto && m->proto == proto && !(m->flags & MINIFW_INV_PROTO) &&
		  (m->flags & MINIFW_L4) && !(m->flags & MINIFW_INV_DPORT) &&
		  minifw_port_proto(m->proto) && m->dport[0] == m->dport[1];
}

/* May a table of shape @t hold a rule of shape @r? */
static bool minifw_shape_fits(const struct minifw_shape *t, const struct minifw_shape *r)
{
	return t->slen <= r->slen && t->dlen <= r->dlen && t->port <= r->port;
}

/* The key of rule @m in a table of shape @t. */
static void minifw_rule_key(const struct minifw_match *m, const struct minifw_shape *t,
			    struct minifw_bkey *k)
{
	union minifw_addr smsk, dmsk;
	unsigned int w;

	minifw_len_mask(&smsk, t->slen);
	minifw_len_mask(&dmsk, t->dlen);
	for (w = 0; w < 4; w++) {
		k->src.ip6[w] = m->src.ip6[w] & smsk.ip6[w];
		k->dst.ip6[w] = m->dst.ip6[w] & dmsk.ip6[w];
	}
	k->port = t->port ? m->dport[0] : 0;
}

/* The build's slot of (@tab, @k): holding its key + 1, or 0 where it would go. */
static u32 *minifw_bkey_slot(struct minifw_cbuild *b, u32 tab, const struct minifw_bkey *k)
{
	u32 mask = (1U << (64 - b->mapshift)) - 1;
	u32 h = minifw_chash6(b->seed ^ ((u64)tab * MINIFW_CHASH_MUL), k->src.ip6, k->dst.ip6,
			      k->port, b->mapshift);

	for (;; h = (h + 1) & mask) {
		const struct minifw_bkey *o;

		if (!b->map[h])
			return &b->map[h];
		o = &b->key[b->map[h] - 1];
		if (o->tab == tab && o->port == k->port &&
		    !memcmp(&o->src, &k->src, sizeof(k->src)) &&
		    !memcmp(&o->dst, &k->dst, sizeof(k->dst)))
			return &b->map[h];
	}
}

/* How many rules (@tab, @k) has; *@slot for minifw_place(). */
static u32 minifw_bkey_count(struct minifw_cbuild *b, u32 tab, struct minifw_bkey *k,
			     u32 **slot)
{
	*slot = minifw_bkey_slot(b, tab, k);
	return **slot ? b->key[**slot - 1].count : 0;
}

/* Put rule @i into table @tab under key @k, whose build slot is @slot. */
static void minifw_place(struct minifw_cbuild *b, u32 i, u32 tab, const struct minifw_bkey *k,
			 u32 *slot)
{
	if (!*slot) {
		b->key[b->nkeys] = *k;
		b->key[b->nkeys].tab = tab;
		b->key[b->nkeys].count = 0;
		*slot = ++b->nkeys;
	}
	b->key[*slot - 1].count++;
	b->prule[b->nplace] = i;
	b->pkey[b->nplace++] = *slot - 1;
	if (b->min[tab] == MINIFW_NO_RULE)
		b->min[tab] = i;
	b->max[tab] = i;
}

/* The table of class @c of shape @s, or MINIFW_NO_RULE. */
static u32 minifw_shape_table(const struct minifw_cbuild *b, u8 c, const struct minifw_shape *s)
{
	u32 t;

	for (t = b->ctab[c]; t < b->ntabs; t++)
		if (!memcmp(&b->shape[t], s, sizeof(*s)))
			return t;
	return MINIFW_NO_RULE;
}

static u32 minifw_new_table(struct minifw_cbuild *b, const struct minifw_shape *s)
{
	b->shape[b->ntabs] = *s;
	b->min[b->ntabs] = MINIFW_NO_RULE;
	return b->ntabs++;
}

/* A new table's prefix length for a rule's @len (see MINIFW_CLASS_STEP). */
static u8 minifw_class_len(u8 len, u8 family)
{
	u8 half = family == MINIFW_FAM_IPV6 ? 64 : 16;

	return min_t(u8, len / MINIFW_CLASS_STEP * MINIFW_CLASS_STEP, half);
}

/*
 * Find rule @i (of shape @rs) a table of class @c (whose tables are the
 * last made), as TupleMerge does: the first that fits it where its bucket
 * is not full; or a new one, of its lengths relaxed (minifw_class_len())
 * and no port, or of its own shape if that one is there already (full,
 * then); past MINIFW_CLASS_TABLES, the table that fits with the shortest
 * bucket.
 */
static void minifw_class_place(struct minifw_cbuild *b, u8 c, u32 i,
			       const struct minifw_shape *rs)
{
	const struct minifw_match *m = &b->c->rules[i].m;
	u32 t, n, best = MINIFW_NO_RULE, best_n = U32_MAX, *slot;
	struct minifw_shape s;
	struct minifw_bkey k;

	for (t = b->ctab[c]; t < b->ntabs; t++) {
		if (!minifw_shape_fits(&b->shape[t], rs))
			continue;
		minifw_rule_key(m, &b->shape[t], &k);
		n = minifw_bkey_count(b, t, &k, &slot);
		if (n < MINIFW_CLASS_LIMIT) {
			minifw_place(b, i, t, &k, slot);
			return;
		}
		if (n < best_n) {
			best = t;
			best_n = n;
		}
	}
	s = (struct minifw_shape){ minifw_class_len(rs->slen, b->family),
				   minifw_class_len(rs->dlen, b->family), 0 };
	if (minifw_shape_table(b, c, &s) != MINIFW_NO_RULE)
		s = *rs;
	t = minifw_shape_table(b, c, &s);
	if (t == MINIFW_NO_RULE) {
		if (b->ntabs - b->ctab[c] < MINIFW_CLASS_TABLES) {
			t = minifw_new_table(b, &s);
		} else if (best != MINIFW_NO_RULE) {
			t = best;
		} else {
			/* none fits: the table of no lengths, made once */
			s = (struct minifw_shape){ 0, 0, 0 };
			t = minifw_shape_table(b, c, &s);
			if (t == MINIFW_NO_RULE)
				t = minifw_new_table(b, &s);
		}
	}
	minifw_rule_key(m, &b->shape[t], &k);
	minifw_bkey_count(b, t, &k, &slot);
	minifw_place(b, i, t, &k, slot);
}

/*
 * The classes of a segment: one for each protocol its rules name (-p,
 * not negated), up to MINIFW_CLASSES - 1 of them, and class 0 for all
 * other protocols; or class 0 alone, if the rules of no protocol, in
 * every class, would take more room than all the rules once. Return: the
 * placements to make, a rule in each class it may match a packet of.
 */
static u32 minifw_class_protos(struct minifw_cbuild *b)
{
	u32 i, nplace = 0, nany = 0;
	u8 proto;

	b->nclasses = 1;
	for (i = b->first; i < b->end; i++) {
		if (!minifw_rule_proto(&b->c->rules[i].m, b->family, &proto))
			continue;
		if (!proto) {
			nany++;
			continue;
		}
		if (!b->class_of[proto] && b->nclasses < MINIFW_CLASSES) {
			b->proto[b->nclasses] = proto;
			b->class_of[proto] = b->nclasses++;
		}
		nplace++;
	}
	/*
	 * copies of the rules of no protocol in the other classes, if more
	 * than the rules themselves: one class, that memory stays linear
	 */
	if ((u64)nany * (b->nclasses - 1) > nplace + nany) {
		memset(b->class_of, 0, sizeof(b->class_of));
		b->nclasses = 1;
	}
	return nplace + nany * b->nclasses;
}

/* Where laid-out key @k of @cl keeps its offset. */
static u32 *minifw_ckey_off(struct minifw_cls *cl, bool v6, u32 k)
{
	if (v6)
		return &((struct minifw_ckey6 *)cl->key)[k].off;
	return &((struct minifw_ckey4 *)cl->key)[k].off;
}

/*
 * Slots of a table of @nkeys keys: at most a third full (a miss, the
 * common case, reads at most 1.6 slots on average, 2.5 at half full), at
 * least 2.
 */
static u32 minifw_class_slots(u32 nkeys)
{
	return max_t(u32, roundup_pow_of_two(3 * nkeys), 2);
}

/* Fill in table @ct, the build's table @t, whose @nslots slots start at @slots. */
static void minifw_ctab_init(struct minifw_ctab *ct, const struct minifw_cbuild *b, u32 t,
			     u32 *slots, u32 nslots)
{
	const struct minifw_shape *s = &b->shape[t];

	minifw_len_mask(&ct->smsk, s->slen);
	minifw_len_mask(&ct->dmsk, s->dlen);
	if (b->family == MINIFW_FAM_IPV4) {
		/* an IPv4 address is the first word */
		memset(&ct->smsk.ip6[1], 0, 3 * sizeof(u32));
		memset(&ct->dmsk.ip6[1], 0, 3 * sizeof(u32));
	}
	ct->pmsk = s->port ? U16_MAX : 0;
	ct->slen = s->slen;
	ct->dlen = s->dlen;
	ct->min = b->min[t];
	ct->max = b->max[t];
	ct->slot = slots;
	ct->mask = nslots - 1;
	ct->shift = 64 - ilog2(nslots);
}

/* Hash build key @bk into its table's slots, as laid-out key @k. */
static void minifw_ckey_insert(struct minifw_cls *cl, bool v6, const struct minifw_bkey *bk,
			       u32 k)
{
	struct minifw_ctab *ct = &cl->tab[bk->tab];
	u32 h;

	if (v6) {
		struct minifw_ckey6 *ck = (struct minifw_ckey6 *)cl->key + k;

		memcpy(ck->src, bk->src.ip6, sizeof(ck->src));
		memcpy(ck->dst, bk->dst.ip6, sizeof(ck->dst));
		ck->port = bk->port;
		h = minifw_chash6(cl->seed, ck->src, ck->dst, ck->port, ct->shift);
	} else {
		struct minifw_ckey4 *ck = (struct minifw_ckey4 *)cl->key + k;

		ck->src = bk->src.ip;
		ck->dst = bk->dst.ip;
		ck->port = bk->port;
		h = minifw_chash4(cl->seed, ck->src, ck->dst, ck->port, ct->shift);
	}
	while (ct->slot[h])
		h = (h + 1) & ct->mask;
	ct->slot[h] = k + 1;
}

/*
 * Lay out the tables of @cl from the build @b, in one allocation: the
 * tables, their keys grouped by table, the slots, each key's rules in
 * ascending order.
 */
static int minifw_class_layout(struct minifw_cls *cl, struct minifw_cbuild *b)
{
	bool v6 = b->family == MINIFW_FAM_IPV6;
	size_t ksize = v6 ? sizeof(struct minifw_ckey6) : sizeof(struct minifw_ckey4);
	u32 t, k, i, n, sum, nslots = 0, *slots, *at, *tkeys;
	size_t size;

	/* scratch: each build key's place among the laid-out ones; keys a table */
	at = kvmalloc_array(b->nkeys + 2 * b->ntabs, sizeof(u32), GFP_KERNEL | __GFP_NOWARN);
	if (!at)
		return -ENOMEM;
	tkeys = at + b->nkeys;
	memset(tkeys, 0, 2 * b->ntabs * sizeof(u32));
	for (k = 0; k < b->nkeys; k++)
		tkeys[b->key[k].tab]++;
	for (t = 0, sum = 0; t < b->ntabs; t++) {
		tkeys[b->ntabs + t] = sum;	/* the table's next key */
		sum += tkeys[t];
		nslots += minifw_class_slots(tkeys[t]);
	}
	size = array_size(b->ntabs, sizeof(*cl->tab));
	size = size_add(size, array_size(b->nkeys + 1, ksize));
	size = size_add(size, array_size(nslots, sizeof(u32)));
	size = size_add(size, array_size(b->nplace, sizeof(u32)));
	cl->mem = kvzalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (!cl->mem) {
		kvfree(at);
		return -ENOMEM;
	}
	cl->tab = cl->mem;
	cl->key = cl->tab + b->ntabs;
	slots = (u32 *)((char *)cl->key + (b->nkeys + 1) * ksize);
	cl->rule = slots + nslots;
	cl->seed = b->seed;
	memcpy(cl->class_of, b->class_of, sizeof(cl->class_of));
	memcpy(cl->ctab, b->ctab, sizeof(cl->ctab));
	for (t = 0; t < b->ntabs; t++) {
		n = minifw_class_slots(tkeys[t]);
		minifw_ctab_init(&cl->tab[t], b, t, slots, n);
		slots += n;
		cl->dport |= b->shape[t].port;
	}
	/* keys in table order; offsets: their counts summed */
	for (k = 0; k < b->nkeys; k++) {
		at[k] = tkeys[b->ntabs + b->key[k].tab]++;
		*minifw_ckey_off(cl, v6, at[k]) = b->key[k].count;
	}
	for (k = 0, sum = 0; k <= b->nkeys; k++) {
		u32 *off = minifw_ckey_off(cl, v6, k);

		n = k < b->nkeys ? *off : 0;
		*off = sum;
		sum += n;
	}
	for (k = 0; k < b->nkeys; k++)
		minifw_ckey_insert(cl, v6, &b->key[k], at[k]);
	/* the rules, in ascending order, each after those of its key before it */
	for (i = 0; i < b->nplace; i++)
		cl->rule[(*minifw_ckey_off(cl, v6, at[b->pkey[i]]))++] = b->prule[i];
	/* which moved each offset to the next key's: move them back */
	for (k = b->nkeys; k > 0; k--)
		*minifw_ckey_off(cl, v6, k) = *minifw_ckey_off(cl, v6, k - 1);
	*minifw_ckey_off(cl, v6, 0) = 0;
	kvfree(at);
	return 0;
}

/* Build one family's tables of classified segment @run of @c. */
static int minifw_class_build(struct minifw_cls *cl, const struct minifw_chain *c,
			      const struct minifw_run *run, u8 family)
{
	struct minifw_cbuild *b;
	struct minifw_shape rs;
	u32 n, i, bits;
	int ret = -ENOMEM;
	u8 proto, k;

	memset(cl, 0, sizeof(*cl));
	b = kvzalloc(sizeof(*b), GFP_KERNEL | __GFP_NOWARN);
	if (!b)
		return -ENOMEM;
	b->c = c;
	b->first = run->first;
	b->end = run->end;
	b->family = family;
#ifdef __KERNEL__
	b->seed = get_random_u64();
#else
	b->seed = 0x5eedc1a55eedc1a5ULL;	/* the tests: the same tables every run */
#endif
	n = minifw_class_protos(b);
	if (!n)
		goto out;
	bits = ilog2(roundup_pow_of_two(2 * n));
	b->mapshift = 64 - bits;
	b->key = kvmalloc_array(n, sizeof(*b->key), GFP_KERNEL | __GFP_NOWARN);
	b->prule = kvmalloc_array(n, 2 * sizeof(u32), GFP_KERNEL | __GFP_NOWARN);
	b->map = kvcalloc(1U << bits, sizeof(u32), GFP_KERNEL | __GFP_NOWARN);
	if (!b->key || !b->prule || !b->map)
		goto out;
	b->pkey = b->prule + n;
	for (k = 0; k < b->nclasses; k++) {
		b->ctab[k] = b->ntabs;
		for (i = run->first; i < run->end; i++) {
			if (!minifw_rule_proto(&c->rules[i].m, family, &proto) ||
			    (proto && b->class_of[proto] != k))
				continue;
			minifw_rule_shape(&c->rules[i].m, family, b->proto[k], &rs);
			minifw_class_place(b, k, i, &rs);
			if (!(i & 1023))
				cond_resched();
		}
	}
	b->ctab[b->nclasses] = b->ntabs;
	cl->nclasses = b->nclasses;
	ret = minifw_class_layout(cl, b);
out:
	kvfree(b->map);
	kvfree(b->prule);
	kvfree(b->key);
	kvfree(b);
	return n ? ret : 0;
}

static void minifw_class_free(struct minifw_run *run)
{
	unsigned int f;

	if (!run->cls)
		return;
	for (f = 0; f < 2; f++)
		kvfree(run->cls[f].mem);
	kvfree(run->cls);
	run->cls = NULL;
}

/* Build classified segment @run of @c, both families. */
static int minifw_class_compile(const struct minifw_chain *c, struct minifw_run *run)
{
	run->cls = kvcalloc(2, sizeof(*run->cls), GFP_KERNEL | __GFP_NOWARN);
	if (!run->cls)
		return -ENOMEM;
	if (minifw_class_build(&run->cls[MINIFW_TAB_IPV4], c, run, MINIFW_FAM_IPV4))
		return -ENOMEM;
	return minifw_class_build(&run->cls[MINIFW_TAB_IPV6], c, run, MINIFW_FAM_IPV6);
}

/**
 * minifw_chain_uncompile() - free a chain's runs
 * @c: chain
 *
 * Context: control path, or RCU callback (freeing a ruleset); does not sleep.
 */
void minifw_chain_uncompile(struct minifw_chain *c)
{
	struct minifw_runs *cmp = c->compiled;
	unsigned int fam, field;
	u32 i;

	c->compiled = NULL;
	c->runs = NULL;
	c->nruns = 0;
	c->built_from = NULL;
	if (!cmp || !refcount_dec_and_test(&cmp->ref))
		return;		/* another ruleset's chain still has them */
	for (i = 0; i < cmp->n; i++) {
		for (fam = 0; fam < 2; fam++)
			for (field = 0; field < 2; field++)
				minifw_itab_free(&cmp->run[i].tab[fam][field]);
		minifw_itab_free(&cmp->run[i].ports);
		minifw_class_free(&cmp->run[i]);
	}
	kvfree(cmp);
}

/*
 * May @c keep the runs it shares with the chain it was copied from: are
 * its rules still those?
 */
static bool minifw_chain_unchanged(const struct minifw_chain *c)
{
	return c->compiled && c->built_from && c->built_n == c->nrules &&
	       !memcmp(c->rules, c->built_from, array_size(c->nrules, sizeof(*c->rules)));
}

/*
 * Where minifw_next_seg() is in a chain: past its last segment (@pos),
 * and the next run it found (@next, if @have).
 */
struct minifw_seg_iter {
	u32 pos, i;
	bool have, done;
	struct minifw_run next;
};

/*
 * The next segment of @c to compile into *@s (its first, end, kind and,
 * for a run, rest): a run, or the stretch of at least minifw_class_min
 * rules before it (or after the last) to classify. False when none is
 * left.
 */
static bool minifw_next_seg(const struct minifw_chain *c, struct minifw_seg_iter *it,
			    struct minifw_run *s)
{
	u32 upto;

	for (;;) {
		if (!it->have && !it->done) {
			it->have = minifw_next_run(c, &it->i, &it->next.first, &it->next.end,
						   &it->next.rest, &it->next.kind);
			it->done = !it->have;
		}
		upto = it->have ? it->next.first : c->nrules;
		if (upto - it->pos >= max_t(u32, minifw_class_min, 1)) {
			memset(s, 0, sizeof(*s));
			s->first = it->pos;
			s->end = upto;
			s->kind = MINIFW_RUN_CLASS;
			it->pos = upto;
			return true;
		}
		if (!it->have)
			return false;
		*s = it->next;
		it->pos = it->next.end;
		it->have = false;
		return true;
	}
}

/*
 * How many runs and classified segments @c has; *@longest: rules in the
 * longest address run, if longer (the prefix scratch is for those).
 */
static u32 minifw_chain_runs(const struct minifw_chain *c, u32 *longest)
{
	struct minifw_seg_iter it = { 0 };
	struct minifw_run s;
	u32 n = 0;

	for (; minifw_next_seg(c, &it, &s); n++)
		if (s.kind == MINIFW_RUN_ADDR)
			*longest = max_t(u32, *longest, s.end - s.first);
	return n;
}

/* Build the @n runs of @c; on failure, what was built stays for the caller. */
static int minifw_chain_compile(struct minifw_chain *c, u32 n, struct minifw_pfx *pfx,
				struct minifw_nest *stack)
{
	struct minifw_seg_iter it = { 0 };
	unsigned int fam, field;
	struct minifw_run *run;

	c->compiled = kvzalloc(size_add(sizeof(*c->compiled),
					array_size(n + 1, sizeof(c->compiled->run[0]))),
			       GFP_KERNEL | __GFP_NOWARN);
	if (!c->compiled)
		return -ENOMEM;
	refcount_set(&c->compiled->ref, 1);
	c->runs = c->compiled->run;
	/* the sentinel: no rule reaches it */
	c->runs[n].first = MINIFW_NO_RULE;
	c->runs[n].end = MINIFW_NO_RULE;
	while (c->nruns < n && minifw_next_seg(c, &it, &c->runs[c->nruns])) {
		run = &c->runs[c->nruns++];
		c->compiled->n = c->nruns;	/* what minifw_chain_uncompile() frees */
		if (run->kind == MINIFW_RUN_CLASS) {
			if (minifw_class_compile(c, run))
				return -ENOMEM;
			cond_resched();
			continue;
		}
		if (run->kind == MINIFW_RUN_DPORT) {
			if (minifw_ptab_build(&run->ports, c, run))
				return -ENOMEM;
			cond_resched();
			continue;
		}
		for (fam = 0; fam < 2; fam++) {
			for (field = 0; field < 2; field++) {
				if (minifw_itab_build(&run->tab[fam][field], c, run, fam,
						      field, pfx, stack))
					return -ENOMEM;
				cond_resched();
			}
		}
	}
	return 0;
}

/*
 * The packet fields none of @c's rules reads (struct minifw_chain.skip):
 * fragment offset, ports, ICMP type/code and TCP flags are read only by
 * -m tcp/udp/icmp and the extensions that say so in .reads (multiport);
 * the IPv6 protocol (IPv4's costs nothing and is always there) only by -p
 * and those; the state only by -m conntrack/state. -j LOG and REJECT read
 * the skb itself. Control path.
 */
static u8 minifw_chain_skip(const struct minifw_chain *c)
{
	u8 skip = MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO | MINIFW_SKIP_CT;
	u32 i;

	for (i = 0; i < c->nrules; i++) {
		const struct minifw_match *m = &c->rules[i].m;

		/* IPv6: where the transport header starts is ipv6_find_hdr()'s */
		if (m->flags & MINIFW_L4)
			skip &= ~(MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO);
		if (m->proto)
			skip &= ~MINIFW_SKIP_PROTO;
		if (m->flags & MINIFW_CTSTATE)
			skip &= ~MINIFW_SKIP_CT;
		skip &= ~minifw_ext_reads(&c->rules[i]);
	}
	return skip;
}

/*
 * The hook fills in a packet for a built-in chain and the user chains it
 * reaches: skip only what none of them reads.
 */
static void minifw_ruleset_skip(struct minifw_ruleset *rs)
{
	u32 c, k;

	for (c = 0; c < rs->nchains; c++)
		rs->chain[c].skip = minifw_chain_skip(&rs->chain[c]);
	for (c = MINIFW_NCHAINS; c < rs->nchains; c++)
		for (k = 0; k < MINIFW_NCHAINS; k++)
			if (rs->chain[c].hooks & MINIFW_CHAIN_BIT(k))
				rs->chain[k].skip &= rs->chain[c].skip;
}

/**
 * minifw_ruleset_compile() - make a ruleset ready to publish
 * @rs: a ruleset nobody walks yet
 * @err: reason on failure
 *
 * Checks the graph of its chains (minifw_ruleset_check_graph(), which may
 * refuse the ruleset), then builds the lookup tables of every chain (see
 * "DOC: Compiled chains"), but for the chains a copy of a ruleset left as
 * they were, which keep the tables they share with it. Called just before
 * publishing (again, it starts over); also gives back the room reserved
 * for rules that were never appended, and tells the hook what packet
 * fields no rule reads (struct minifw_chain.skip).
 *
 * Context: control path, may sleep.
 * Return: 0, -EINVAL (the graph) or -ENOMEM (then @rs is walked rule by rule).
 */
int minifw_ruleset_compile(struct minifw_ruleset *rs, struct minifw_err *err)
{
	struct minifw_nest *stack = NULL;
	struct minifw_pfx *pfx = NULL;
	u32 c, longest = 0, all = 0, *todo;
	int ret;

	ret = minifw_ruleset_check_graph(rs, err);
	if (ret)
		return ret;
	minifw_ruleset_skip(rs);
	/* each chain's runs to build: 0 if none, or if it keeps those it shares */
	todo = kvcalloc(rs->nchains, sizeof(*todo), GFP_KERNEL | __GFP_NOWARN);
	if (!todo)
		return minifw_nomem(err);
	for (c = 0; c < rs->nchains; c++) {
		struct minifw_chain *ch = &rs->chain[c];

		if (minifw_chain_trim(ch)) {
			kvfree(todo);
			return minifw_nomem(err);
		}
		if (minifw_chain_unchanged(ch)) {
			ch->built_from = NULL;
			continue;
		}
		minifw_chain_uncompile(ch);
		todo[c] = minifw_chain_runs(ch, &longest);
		all += todo[c];
	}
	if (!all) {
		kvfree(todo);
		return 0;
	}
	/* scratch: the prefixes of one table (none if only port runs), the sweep's stack */
	pfx = kvmalloc_array(max_t(u32, longest, 1), sizeof(*pfx), GFP_KERNEL | __GFP_NOWARN);
	stack = kmalloc_array(MINIFW_NEST_MAX, sizeof(*stack), GFP_KERNEL);
	if (!pfx || !stack)
		ret = -ENOMEM;
	for (c = 0; c < rs->nchains && !ret; c++)
		if (todo[c])
			ret = minifw_chain_compile(&rs->chain[c], todo[c], pfx, stack);
	kfree(stack);
	kvfree(pfx);
	kvfree(todo);
	if (ret) {
		for (c = 0; c < rs->nchains; c++)
			minifw_chain_uncompile(&rs->chain[c]);
		return minifw_nomem(err);
	}
	return 0;
}
