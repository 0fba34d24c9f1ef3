// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: rule types, parser, printer, matcher and the write protocol.
 *
 * This file takes no locks and knows nothing of procfs: proc.c feeds it bytes
 * and minifw.c publishes what it builds. It also builds in user space
 * (include/minifw_user.h), where tests/unit drives it.
 */

/**
 * DOC: Rulesets, transactions and matching
 *
 * Data structures
 * ---------------
 * A ruleset (&struct minifw_ruleset) holds one chain per netfilter hook. A
 * chain is a policy plus a flat array of rules; a rule is a &struct
 * minifw_match (the canonical form of the options most rules use), a
 * target, a pointer to its counters and, for the few rules that need it,
 * a pointer to a &struct minifw_ext (multiport, iprange, comment, limit,
 * LOG's options). A published ruleset is never modified: every edit builds
 * a new ruleset, minifw.c publishes it with rcu_replace_pointer() and the old
 * one is freed after an RCU grace period.
 *
 * Counters are separate, reference-counted objects (&struct minifw_counter,
 * per-CPU inside, handed out in blocks: see "Counters" below). A new
 * ruleset built from the live one takes a reference on the counters of
 * every rule it copies, so a rule that survives an edit keeps counting into
 * the same counters, even while packets still walk the old ruleset.
 * Counters are freed when the last ruleset holding them goes.
 * A -m limit rule's token bucket lives there too, for the same reason;
 * extensions are shared the same way but never change.
 *
 * Transactions
 * ------------
 * Lines written to /proc/minifw/rules are parsed into commands
 * (&struct minifw_cmd) first. Outside a restore block, the commands of one
 * write() are applied together to a copy of the live ruleset under the
 * owner's mutex (minifw_ruleset_edit()); the first failure drops the copy,
 * so a failed write changes nothing. Inside "*filter" ... "COMMIT" the lines
 * build a fresh ruleset as they arrive (over any number of writes), which
 * replaces the live one at COMMIT, as iptables-restore does. A write that
 * holds a block and other lines is applied in order, each block and each
 * run of lines outside blocks being its own transaction.
 *
 * Matching
 * --------
 * minifw_chain_eval() walks the chain in order; the first rule whose every
 * option matches and that has a deciding target (ACCEPT, DROP, REJECT)
 * decides. A rule without a target only counts; a LOG rule counts, logs and
 * goes on. If nothing decides, the policy does. Each option costs a
 * compare or two: addresses are stored pre-masked, so "-s 10.1.2.3/8" is
 * stored as src 10.0.0.0, smsk 255.0.0.0 and tested as
 * (saddr & smsk) == src.
 *
 * Both families walk the same chains. A rule's family (&struct
 * minifw_match.family) is set by the options that imply one (an address,
 * -p icmp, -p ipv6-icmp, an ICMP reject type, -4, -6) and is tested just
 * after the addresses (which most rules of a long list differ in): an IPv4
 * rule never matches an IPv6 packet, whatever its addresses compared. A
 * rule without one matches both, with all-zero addresses and masks that
 * every packet passes. Each family has its own copy of the walk, with the
 * other family's tests compiled out. The connection state (-m
 * conntrack/state) is one bit of the packet, given by the hook from the
 * conntrack entry, tested against the rule's set of wanted states. The
 * hook leaves out of the packet what no rule of the chain reads (&struct
 * minifw_chain.skip): a chain without port rules costs no transport
 * header read, one without state rules no conntrack lookup.
 *
 * Before a ruleset is published, runs of rules that differ only in one
 * address are compiled into lookup tables (see "DOC: Compiled chains"):
 * the walk takes such a run in one step, with the same result.
 *
 * Worked example
 * --------------
 * The rules file::
 *
 *	-P INPUT DROP
 *	-A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT
 *	-A INPUT -p icmp
 *
 * gives chain[MINIFW_INPUT] = { policy DROP, nrules 2, rules:
 * [0] { src 192.0.2.0, smsk 255.255.255.0, proto 6, flags MINIFW_L4,
 * sport 0:65535, dport 22:22, target ACCEPT },
 * [1] { proto 1, target NONE } }.
 * A ping from 192.0.2.9 to this host fails rule 0 on the protocol, matches
 * rule 1, which counts it (1 packet, 84 bytes) and goes on; no rule is left,
 * so the policy counts it too and drops it. An ssh SYN from 192.0.2.9
 * matches rule 0 and is accepted.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/inet.h>
#include <linux/ctype.h>
#include <linux/kstrtox.h>
#include <linux/stringify.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/sort.h>
#include <linux/overflow.h>
#include <asm/byteorder.h>
#endif

#include "minifw.h"

/* The longest listing a rule can have is 67 words: it must read back. */
#define MINIFW_MAX_TOKENS	80

/*
 * Most rules a ruleset may hold (all chains together), and so also most
 * commands one write() may queue: the max_rules module parameter.
 */
unsigned int minifw_max_rules = MINIFW_DEFAULT_MAX_RULES;

static const char *const minifw_chain_names[MINIFW_NCHAINS] = {
	[MINIFW_PREROUTING]	= "PREROUTING",
	[MINIFW_INPUT]		= "INPUT",
	[MINIFW_FORWARD]	= "FORWARD",
	[MINIFW_OUTPUT]		= "OUTPUT",
	[MINIFW_POSTROUTING]	= "POSTROUTING",
};

/**
 * minifw_chain_name() - name of a chain
 * @chain: enum minifw_chain_id
 *
 * Context: any.
 * Return: "INPUT" etc.
 */
const char *minifw_chain_name(unsigned int chain)
{
	return chain < MINIFW_NCHAINS ? minifw_chain_names[chain] : "?";
}

/**
 * minifw_target_name() - name of a target or policy
 * @target: enum minifw_target
 *
 * Context: any.
 * Return: "ACCEPT", "DROP" or "" for none.
 */
const char *minifw_target_name(unsigned int target)
{
	switch (target) {
	case MINIFW_T_ACCEPT:
		return "ACCEPT";
	case MINIFW_T_DROP:
		return "DROP";
	case MINIFW_T_REJECT:
		return "REJECT";
	case MINIFW_T_LOG:
		return "LOG";
	default:
		return "";
	}
}

/* Protocol names; the first entry of a number is the one listings print. */
static const struct {
	const char *name;
	u8 num;
} minifw_protos[] = {
	{ "all", 0 },	{ "icmp", 1 },	{ "igmp", 2 },	{ "tcp", 6 },
	{ "udp", 17 },	{ "gre", 47 },	{ "esp", 50 },	{ "ah", 51 },
	{ "ipv6-icmp", 58 }, { "icmpv6", 58 }, { "ospf", 89 }, { "sctp", 132 },
	{ "udplite", 136 },
};

static const char *minifw_proto_name(u8 num)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(minifw_protos); i++)
		if (minifw_protos[i].num == num)
			return minifw_protos[i].name;
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */

static int minifw_fail(struct minifw_err *err, const char *fmt, ...)
	__printf(2, 3);

/* Record why a line is refused; returns -EINVAL for "return minifw_fail()". */
static int minifw_fail(struct minifw_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * A token as it may be quoted in an error: at most 40 bytes, anything not
 * printable ASCII shown as '?', so user input cannot forge log lines.
 */
static const char *minifw_tok(char *buf, size_t len, const char *tok)
{
	size_t i;

	for (i = 0; i + 1 < len && tok[i]; i++)
		buf[i] = (tok[i] >= 0x20 && tok[i] < 0x7f) ? tok[i] : '?';
	buf[i] = '\0';
	if (tok[i] && i >= 3)
		memcpy(buf + i - 3, "...", 3);
	return buf;
}

#define MINIFW_TOKBUF 41

/* ---------------------------------------------------------------------- */
/* Counters                                                                */

/*
 * Counters are handed out from blocks (&struct minifw_counter_block): loading
 * 100,000 rules makes some 790 blocks, each one kmalloc() and one per-CPU
 * allocation, instead of 100,000 of each. The per-CPU allocator is slow (it
 * searches its chunks' bitmaps under a mutex): it was over a third of the
 * time of such a load. A ruleset hands out counters from its block
 * (&minifw_ruleset.cblk, a reference it holds for its whole life); each
 * next block is twice as big (1, 3, 7 ... MINIFW_CNT_BLOCK_MAX slots), so a
 * single-rule edit still allocates one small block while a restore fills
 * big ones. A slot is never reused: a block lives while any counter in it
 * does (or the ruleset that made it), and is freed with the last. The
 * unused slots of a ruleset's last block and the slots of deleted rules
 * stay allocated until then: never more than the block took when it was
 * made. No lock: counters are handed out only while a ruleset
 * is private to its builder, and freeing is a refcount.
 */
static_assert(sizeof(struct minifw_counter_block) +
	      MINIFW_CNT_BLOCK_MAX * sizeof(struct minifw_counter) <= 4096,
	      "a full counter block outgrows kmalloc-4k");

static struct minifw_counter_block *minifw_counter_block_new(u16 size)
{
	/* at most 4 KiB (static_assert above): no overflow to check */
	struct minifw_counter_block *b = kzalloc(sizeof(*b) + size * sizeof(b->slot[0]),
						 GFP_KERNEL);
	int cpu;
	u16 i;

	if (!b)
		return NULL;
	b->pcpu = (struct minifw_cpu_counter __percpu *)
		__alloc_percpu(size * sizeof(struct minifw_cpu_counter),
			       __alignof__(struct minifw_cpu_counter));
	if (!b->pcpu) {
		kfree(b);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		for (i = 0; i < size; i++)
			u64_stats_init(&per_cpu_ptr(b->pcpu + i, cpu)->syncp);
	refcount_set(&b->live, 1);
	b->size = size;
	return b;
}

static void minifw_counter_block_put(struct minifw_counter_block *b)
{
	if (!b || !refcount_dec_and_test(&b->live))
		return;
	free_percpu(b->pcpu);
	kfree(b);
}

/**
 * minifw_counter_new() - zeroed packet/byte counters for a ruleset's rule
 * @rs: the private ruleset being built, whose block they come from
 *
 * Context: control path, may sleep.
 * Return: counters with one reference, or NULL.
 */
struct minifw_counter *minifw_counter_new(struct minifw_ruleset *rs)
{
	struct minifw_counter_block *b = rs->cblk;
	struct minifw_counter *c;

	if (!b || b->used == b->size) {
		b = minifw_counter_block_new(b ? min_t(u16, 2 * b->size + 1,
						       MINIFW_CNT_BLOCK_MAX) : 1);
		if (!b)
			return NULL;
		minifw_counter_block_put(rs->cblk);
		rs->cblk = b;
	}
	c = &b->slot[b->used];
	c->pcpu = b->pcpu + b->used;
	c->blk = b;
	b->used++;
	refcount_set(&c->ref, 1);
	refcount_inc(&b->live);
	return c;
}

/**
 * minifw_counter_put() - drop a reference to counters
 * @c: counters, or NULL
 *
 * Context: control path or RCU callback; does not sleep.
 */
void minifw_counter_put(struct minifw_counter *c)
{
	if (c && refcount_dec_and_test(&c->ref))
		minifw_counter_block_put(c->blk);
}

static struct minifw_counter *minifw_counter_get(struct minifw_counter *c)
{
	refcount_inc(&c->ref);
	return c;
}

/**
 * minifw_counter_read() - sum counters over all CPUs
 * @c: counters
 * @pkts: packets, out
 * @bytes: bytes, out
 *
 * Context: any; the caller keeps @c alive (RCU or a ruleset reference).
 */
void minifw_counter_read(const struct minifw_counter *c, u64 *pkts, u64 *bytes)
{
#ifdef __KERNEL__
	u64 p = 0, b = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct minifw_cpu_counter *pc = per_cpu_ptr(c->pcpu, cpu);
		unsigned int start;
		u64 cp, cb;

		do {
			start = u64_stats_fetch_begin(&pc->syncp);
			cp = u64_stats_read(&pc->pkts);
			cb = u64_stats_read(&pc->bytes);
		} while (u64_stats_fetch_retry(&pc->syncp, start));
		p += cp;
		b += cb;
	}
	*pkts = p;
	*bytes = b;
#else
	*pkts = c->pcpu->pkts.v;
	*bytes = c->pcpu->bytes.v;
#endif
}

/* Extensions (control path): shared like counters, freed with the last user. */
static struct minifw_ext *minifw_ext_get(struct minifw_ext *e)
{
	if (e)
		refcount_inc(&e->ref);
	return e;
}

static void minifw_ext_put(const struct minifw_ext *e)
{
	struct minifw_ext *x = (struct minifw_ext *)e;

	if (x && refcount_dec_and_test(&x->ref))
		kfree(x);
}

static bool minifw_ext_equal(const struct minifw_ext *a, const struct minifw_ext *b)
{
	if (!a || !b)
		return a == b;
	return !memcmp(a, b, offsetof(struct minifw_ext, ref));
}

/**
 * minifw_cmd_free() - drop what a parsed command holds
 * @cmd: a command from minifw_parse_line()
 *
 * Context: control path.
 */
void minifw_cmd_free(struct minifw_cmd *cmd)
{
	minifw_ext_put(cmd->ext);
	cmd->ext = NULL;
}

/* Packet path: the caller has bottom halves disabled (see minifw.c). */
static __always_inline void minifw_count(struct minifw_counter *c, u32 len)
{
	struct minifw_cpu_counter *pc = this_cpu_ptr(c->pcpu);

#ifdef __KERNEL__
	u64_stats_update_begin(&pc->syncp);
	u64_stats_inc(&pc->pkts);
	u64_stats_add(&pc->bytes, len);
	u64_stats_update_end(&pc->syncp);
#else
	pc->pkts.v++;
	pc->bytes.v += len;
#endif
}

/* ---------------------------------------------------------------------- */
/* Matcher (packet path)                                                   */

enum { MINIFW_NOMATCH, MINIFW_MATCH, MINIFW_HOTDROP };

/* "-D CHAIN rule" compares matches with memcmp(): no hidden padding. */
static_assert(sizeof(struct minifw_match) == 124, "struct minifw_match has padding");
static_assert(offsetof(struct minifw_ext, ref) == 384, "struct minifw_ext has padding");

static __always_inline bool minifw_in_range(const u16 *range, __be16 port)
{
	u16 p = ntohs(port);

	return p >= range[0] && p <= range[1];
}

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
 * family gets its own copy without the tests of the other) match @m?
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
		if (!minifw_in_range(m->sport, p->sport) ^ !!(f & MINIFW_INV_SPORT))
			return MINIFW_NOMATCH;
		if (!minifw_in_range(m->dport, p->dport) ^ !!(f & MINIFW_INV_DPORT))
			return MINIFW_NOMATCH;
		if (((p->tcp_flags & m->tcp_fmsk) != m->tcp_fcmp) ^ !!(f & MINIFW_INV_TCPFLAGS))
			return MINIFW_NOMATCH;
	}
	return MINIFW_MATCH;
}

/*
 * -m limit, as xt_limit: a token bucket of "credits". Time adds
 * MINIFW_CREDITS_PER_JIFFY a jiffy up to limit_cap; a packet that finds
 * limit_cost credits takes them and matches. Lockless: the last update's
 * time and the credits are both moved with cmpxchg(). The bucket lives in
 * the rule's counters object, which survives edits of other rules.
 */
#define MINIFW_MAX_CPJ		(0xFFFFFFFFUL / (HZ * 60 * 60 * 24))
#define MINIFW_CREDITS_PER_JIFFY	(1U << (31 - __builtin_clz(MINIFW_MAX_CPJ)))

/* Credits for a period in MINIFW_LIMIT_SCALE units; more than u32 holds: 0 */
static u64 minifw_user2credits(u64 user)
{
	return div_u64(user * HZ * MINIFW_CREDITS_PER_JIFFY, MINIFW_LIMIT_SCALE);
}

/* Packet path, lockless. */
static bool minifw_limit(const struct minifw_ext *e, struct minifw_counter *c)
{
	u32 old_credit, new_credit;
	unsigned long now, prev;
	u64 increase = 0;
	bool ret;

	/* nothing to add, nothing to take: the common case under a flood */
	now = jiffies;
	if (READ_ONCE(c->credit) < e->limit_cost && READ_ONCE(c->prev) == now)
		return false;
	do {
		/*
		 * Each jiffy is credited once: only the CPU that moves prev
		 * forward adds the time since (xt_limit's xchg() could see a
		 * prev from the future and add almost ULONG_MAX jiffies).
		 */
		now = jiffies;
		prev = READ_ONCE(c->prev);
		if (time_after(now, prev) && cmpxchg(&c->prev, prev, now) == prev)
			increase += (u64)(now - prev) * MINIFW_CREDITS_PER_JIFFY;
		old_credit = READ_ONCE(c->credit);
		new_credit = min_t(u64, (u64)old_credit + increase, e->limit_cap);
		ret = new_credit >= e->limit_cost;
		if (ret)
			new_credit -= e->limit_cost;
	} while (cmpxchg(&c->credit, old_credit, new_credit) != old_credit);
	return ret;
}

/* A new limit rule starts with a full bucket. */
static void minifw_limit_init(const struct minifw_rule *r)
{
	if (r->ext && r->ext->limit_avg) {
		r->cnt->credit = r->ext->limit_cap;
		r->cnt->prev = jiffies;
	}
}

/* -m multiport, -m iprange, -m limit: only for the rules that have them. */
static int minifw_match_ext(const struct minifw_rule *r, const struct minifw_pkt *p)
{
	const struct minifw_ext *e = r->ext;
	u32 f = r->m.flags;

	/* -m iprange rules are IPv4's: minifw_match() checked the family */
	if (f & MINIFW_SRCRANGE) {
		u32 a = ntohl(p->saddr.ip);

		if ((a < e->src_range[0] || a > e->src_range[1]) ^ !!(f & MINIFW_INV_SRCRANGE))
			return MINIFW_NOMATCH;
	}
	if (f & MINIFW_DSTRANGE) {
		u32 a = ntohl(p->daddr.ip);

		if ((a < e->dst_range[0] || a > e->dst_range[1]) ^ !!(f & MINIFW_INV_DSTRANGE))
			return MINIFW_NOMATCH;
	}
	if (f & MINIFW_MULTIPORT) {
		bool hit = false;
		unsigned int i;

		/*
		 * as xt_multiport: no ports in a later fragment; only the
		 * four bytes of the ports need to be there
		 */
		if (p->fragoff)
			return MINIFW_NOMATCH;
		if (!p->ports)
			return MINIFW_HOTDROP;
		for (i = 0; i < e->nports && !hit; i++)
			hit = (e->mp_dir != MINIFW_MP_DST &&
			       minifw_in_range(e->ports[i], p->sport)) ||
			      (e->mp_dir != MINIFW_MP_SRC &&
			       minifw_in_range(e->ports[i], p->dport));
		if (!hit ^ !!(f & MINIFW_INV_MULTIPORT))
			return MINIFW_NOMATCH;
	}
	/* last: only packets that match all else spend credits */
	if (e->limit_avg && !minifw_limit(e, r->cnt))
		return MINIFW_NOMATCH;
	return MINIFW_MATCH;
}

/*
 * Interval tables (see "DOC: Compiled chains"): the rule of the interval
 * holding an address, by binary search. Packet path, RCU read side.
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

/* An IPv6 address as two host-order words, for ordering. */
static __always_inline u64 minifw_ip6_word(const union minifw_addr *a, unsigned int w)
{
	return (u64)ntohl(a->ip6[2 * w]) << 32 | ntohl(a->ip6[2 * w + 1]);
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
 * match too (@res: MINIFW_MATCH, or what else minifw_match() said).
 * Packet path, RCU read side.
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
 * Rule @r matched @p (@res is not MINIFW_NOMATCH): count it, and log for
 * -j LOG. True if it decides the packet, with the verdict in @verdict.
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
	if (r->target == MINIFW_T_LOG) {
		minifw_log(r, p);
		return false;
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
			if (res == MINIFW_MATCH && unlikely(r->ext))
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

/* ---------------------------------------------------------------------- */
/* Parser                                                                  */

struct minifw_parser {
	char *tok[MINIFW_MAX_TOKENS];
	bool quoted[MINIFW_MAX_TOKENS];	/* not to be split by minifw_unglue() */
	int n, i;
	struct minifw_err *err;
	const char *family_opt;		/* the option that set the rule's family */
	char tb[MINIFW_TOKBUF];		/* for quoting tokens in errors */
};

static const char *minifw_q(struct minifw_parser *p, const char *tok)
{
	return minifw_tok(p->tb, sizeof(p->tb), tok);
}

static bool minifw_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int minifw_add_token(struct minifw_parser *p, char *tok, bool quoted)
{
	if (p->n == MINIFW_MAX_TOKENS)
		return minifw_fail(p->err, "too many words (at most %d)", MINIFW_MAX_TOKENS);
	p->quoted[p->n] = quoted;
	p->tok[p->n++] = tok;
	return 0;
}

/*
 * Short options that take an argument, which getopt lets the user glue on:
 * "-ptcp" is "-p tcp". Each is its own NUL-terminated string, so a glued
 * word splits without moving the line.
 */
static const char *const minifw_short_args[] = {
	"-A", "-I", "-D", "-R", "-P", "-F", "-Z", "-N", "-X",
	"-s", "-d", "-p", "-i", "-o", "-j", "-m",
};

/*
 * getopt reads "-ptcp" as "-p tcp" and "--dport=22" as "--dport 22", but
 * only where an option stands: an argument is taken whole ("-i -dth0" is
 * the interface "-dth0"). The parser calls this at each option's place;
 * a split inserts the argument as the next word.
 */
static int minifw_unglue(struct minifw_parser *p)
{
	char *tok = p->tok[p->i], *rest = NULL, *eq;
	size_t k;

	if (p->quoted[p->i] || tok[0] != '-' || !tok[1] || !tok[2])
		return 0;
	if (tok[1] == '-') {
		eq = strchr(tok, '=');
		if (!eq)
			return 0;
		*eq = '\0';
		rest = eq + 1;
	} else {
		for (k = 0; k < ARRAY_SIZE(minifw_short_args); k++)
			if (tok[1] == minifw_short_args[k][1])
				break;
		if (k == ARRAY_SIZE(minifw_short_args))
			return 0;
		p->tok[p->i] = (char *)minifw_short_args[k];
		rest = tok + 2;
	}
	if (p->n == MINIFW_MAX_TOKENS)
		return minifw_fail(p->err, "too many words (at most %d)", MINIFW_MAX_TOKENS);
	memmove(&p->tok[p->i + 2], &p->tok[p->i + 1], (p->n - p->i - 1) * sizeof(p->tok[0]));
	memmove(&p->quoted[p->i + 2], &p->quoted[p->i + 1],
		(p->n - p->i - 1) * sizeof(p->quoted[0]));
	p->tok[p->i + 1] = rest;
	p->quoted[p->i + 1] = true;	/* an argument: never split again */
	p->n++;
	return 0;
}

/*
 * Split a line into words as iptables-restore and getopt do: blanks
 * separate; "double quotes" group, with \", \\ and \' inside; 'single quotes'
 * group as they are. Quotes are removed in place, so a word never grows;
 * glued options ("-ptcp") are split later, by minifw_unglue().
 */
static int minifw_tokenize(struct minifw_parser *p, char *s)
{
	char *r = s, *w = s;
	int ret;

	p->n = 0;
	p->i = 0;
	for (;;) {
		bool quoted = false;
		char *tok;

		while (minifw_isspace(*r))
			r++;
		if (!*r)
			return 0;
		tok = w;
		while (*r && !minifw_isspace(*r)) {
			char q = *r;

			if (q != '"' && q != '\'') {
				*w++ = *r++;
				continue;
			}
			quoted = true;
			r++;
			while (*r && *r != q) {
				if (q == '"' && *r == '\\' &&
				    (r[1] == '"' || r[1] == '\\' || r[1] == '\''))
					r++;
				*w++ = *r++;
			}
			if (!*r)
				return minifw_fail(p->err, "unterminated %s quote",
						   q == '"' ? "double" : "single");
			r++;
		}
		/* r is at a blank or the end; w <= r, so the NUL fits */
		if (*r)
			r++;
		*w++ = '\0';
		ret = minifw_add_token(p, tok, quoted);
		if (ret)
			return ret;
	}
}

/*
 * Numbers must be plain decimal. iptables reads numbers as C does, so
 * "010" is 8 and "0x10" is 16 there: refuse what the two would read
 * differently rather than guess.
 */
enum { MINIFW_DEC_OK, MINIFW_DEC_BAD, MINIFW_DEC_OCTAL };

static int minifw_decimal(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return MINIFW_DEC_BAD;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return MINIFW_DEC_BAD;
	return len > 1 && s[0] == '0' ? MINIFW_DEC_OCTAL : MINIFW_DEC_OK;
}

/* All digits: a number, though maybe one minifw_decimal() refuses. */
static bool minifw_is_number(const char *s)
{
	return minifw_decimal(s, strlen(s)) != MINIFW_DEC_BAD;
}

static int minifw_not_decimal(struct minifw_err *err, const char *s, int why,
			      const char *what)
{
	char tb[MINIFW_TOKBUF];

	minifw_tok(tb, sizeof(tb), s);
	if (why == MINIFW_DEC_OCTAL)
		return minifw_fail(err, "\"%s\": leading zeros are ambiguous (iptables reads them as octal)",
				   tb);
	return minifw_fail(err, "\"%s\" is not %s", tb, what);
}

/*
 * "Did you mean": the closest known word within two edits (a swap of two
 * neighbours counts as one), if exactly one is that close.
 */
struct minifw_best {
	const char *word;
	const char *best;
	unsigned int dist;
	bool tie;
};

static unsigned int minifw_distance(const char *a, const char *b)
{
	u8 d[3][MINIFW_TOKBUF];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la >= MINIFW_TOKBUF || lb >= MINIFW_TOKBUF)
		return 255;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		u8 *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			bool same = tolower((unsigned char)a[i - 1]) ==
				    tolower((unsigned char)b[j - 1]);
			u8 v = min_t(u8, prev[j] + 1, cur[j - 1] + 1);

			v = min_t(u8, v, prev[j - 1] + !same);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				v = min_t(u8, v, prev2[j - 2] + 1);
			cur[j] = v;
		}
	}
	return d[la % 3][lb];
}

static void minifw_consider(struct minifw_best *b, const char *cand)
{
	unsigned int dist;

	if (!cand)
		return;
	dist = minifw_distance(b->word, cand);
	if (dist > 2 || dist * 2 > strlen(cand))
		return;
	if (b->best && dist == b->dist && strcmp(b->best, cand)) {
		b->tie = true;
	} else if (!b->best || dist < b->dist) {
		b->best = cand;
		b->dist = dist;
		b->tie = false;
	}
}

/* " (did you mean "x"?)" or "", for appending to an error */
static const char *minifw_hint(const struct minifw_best *b, char *buf, size_t len)
{
	if (!b->best || b->tie)
		return "";
	scnprintf(buf, len, " (did you mean \"%s\"?)", b->best);
	return buf;
}

#define MINIFW_HINTBUF 48

static int minifw_parse_chain(struct minifw_parser *p, const char *s, u8 *chain)
{
	unsigned int c;

	struct minifw_best b = { .word = s };
	char hint[MINIFW_HINTBUF];

	for (c = 0; c < MINIFW_NCHAINS; c++) {
		if (!strcmp(s, minifw_chain_names[c])) {
			*chain = c;
			return 0;
		}
		minifw_consider(&b, minifw_chain_names[c]);
	}
	if (b.best)
		return minifw_fail(p->err, "unknown chain \"%s\"%s", minifw_q(p, s),
				   minifw_hint(&b, hint, sizeof(hint)));
	return minifw_fail(p->err,
			   "unknown chain \"%s\" (chains are PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING)",
			   minifw_q(p, s));
}

static int minifw_parse_num(struct minifw_parser *p, const char *s, u32 *num)
{
	int ret = minifw_decimal(s, strlen(s));

	if (ret == MINIFW_DEC_OCTAL)
		return minifw_not_decimal(p->err, s, ret, "");
	if (ret != MINIFW_DEC_OK || kstrtou32(s, 10, num) || *num == 0)
		return minifw_fail(p->err, "\"%s\" is not a rule number (rules count from 1)",
				   minifw_q(p, s));
	return 0;
}

/* A policy (ACCEPT, DROP) or, with @target, a rule's target (also REJECT, LOG). */
static int minifw_parse_verdict(struct minifw_parser *p, const char *s, u8 *t,
				bool target)
{
	struct minifw_best b = { .word = s };
	char hint[MINIFW_HINTBUF];

	if (!strcmp(s, "ACCEPT")) {
		*t = MINIFW_T_ACCEPT;
	} else if (!strcmp(s, "DROP")) {
		*t = MINIFW_T_DROP;
	} else if (target && !strcmp(s, "REJECT")) {
		*t = MINIFW_T_REJECT;
	} else if (target && !strcmp(s, "LOG")) {
		*t = MINIFW_T_LOG;
	} else if (!target) {
		return minifw_fail(p->err, "\"%s\" is not a policy (a policy is ACCEPT or DROP)",
				   minifw_q(p, s));
	} else {
		minifw_consider(&b, "ACCEPT");
		minifw_consider(&b, "DROP");
		minifw_consider(&b, "REJECT");
		minifw_consider(&b, "LOG");
		return minifw_fail(p->err, "unknown target \"%s\"%s", minifw_q(p, s),
				   b.best ? minifw_hint(&b, hint, sizeof(hint)) :
				   " (minifw has ACCEPT, DROP, REJECT and LOG)");
	}
	return 0;
}

static __be32 minifw_prefix_mask(unsigned int len)
{
	return len ? htonl(~0U << (32 - len)) : 0;
}

/* Up to four dot-separated decimal parts of 1-3 digits; counts the dots. */
static int minifw_dotted(const char *s, size_t len, unsigned int *dots)
{
	size_t start = 0, i;
	int ret;

	*dots = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		ret = minifw_decimal(s + start, i - start);
		if (ret != MINIFW_DEC_OK)
			return ret;
		if (i - start > 3 || (i < len && ++*dots > 3))
			return MINIFW_DEC_BAD;
		start = i + 1;
	}
	return MINIFW_DEC_OK;
}

/*
 * What in6_pton() takes but inet_pton(), and so ip6tables, does not: a
 * group of more than four digits ("02001") and an IPv4 tail with leading
 * zeros ("::ffff:010.0.0.1").
 */
static bool minifw_ip6_text(const char *s, size_t len)
{
	size_t start = 0, i;
	unsigned int dots;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ':')
			continue;
		if (memchr(s + start, '.', i - start))
			return minifw_dotted(s + start, i - start, &dots) == MINIFW_DEC_OK &&
			       dots == 3 && i == len;
		if (i - start > 4)
			return false;
		start = i + 1;
	}
	return true;
}

/* "2001:db8::/32": in6_pton() and a prefix length, as ip6tables takes them */
static int minifw_parse_addr6(const char *s, union minifw_addr *addr,
			      union minifw_addr *mask, struct minifw_err *err)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char tb[MINIFW_TOKBUF];
	const char *end;
	unsigned int i;
	u8 len = 128;
	int ret;

	if (!alen || alen > 45 || !minifw_ip6_text(s, alen) ||
	    !in6_pton(s, (int)alen, (u8 *)addr->ip6, -1, &end) || end != s + alen)
		return minifw_fail(err, "\"%s\" is not an IPv6 address",
				   minifw_tok(tb, sizeof(tb), s));
	if (slash) {
		ret = minifw_decimal(slash + 1, strlen(slash + 1));
		if (ret == MINIFW_DEC_OCTAL)
			return minifw_not_decimal(err, slash + 1, ret, "");
		if (ret != MINIFW_DEC_OK || kstrtou8(slash + 1, 10, &len) || len > 128)
			return minifw_fail(err, "IPv6 prefix length \"%s\" is not in 0-128",
					   minifw_tok(tb, sizeof(tb), slash + 1));
	}
	for (i = 0; i < 4; i++, len -= min_t(u8, len, 32)) {
		mask->ip6[i] = minifw_prefix_mask(min_t(u8, len, 32));
		addr->ip6[i] &= mask->ip6[i];
	}
	return 0;
}

/**
 * minifw_parse_addr() - parse an address as iptables or ip6tables does
 * @s: "ADDR[/LEN|/MASK]" for IPv4 ("10/8" is 10.0.0.0/8, as in iptables),
 *     "ADDR6[/LEN]" for IPv6 (any text with a colon)
 * @addr: address with host bits cleared, out; IPv4 in the first word
 * @mask: netmask, out (all ones when no length is given)
 * @family: MINIFW_FAM_IPV4 or MINIFW_FAM_IPV6, out
 * @err: reason on failure
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int minifw_parse_addr(const char *s, union minifw_addr *addr, union minifw_addr *mask,
		      u8 *family, struct minifw_err *err)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	const char *end;
	unsigned int dots;
	char buf[24];
	int ret;
	u8 a[4];

	memset(addr, 0, sizeof(*addr));
	memset(mask, 0, sizeof(*mask));
	/* a colon makes it IPv6, unless after a dot ("10.0.0.1:80") */
	if (memchr(s, ':', alen) && strcspn(s, ".") > strcspn(s, ":")) {
		*family = MINIFW_FAM_IPV6;
		return minifw_parse_addr6(s, addr, mask, err);
	}
	*family = MINIFW_FAM_IPV4;
	ret = alen > 15 ? MINIFW_DEC_BAD : minifw_dotted(s, alen, &dots);
	if (ret != MINIFW_DEC_OK)
		return minifw_not_decimal(err, s, ret, "an IPv4 address");
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	/* iptables completes a short network address: "10" is 10.0.0.0 */
	for (; dots < 3; dots++)
		strcat(buf, ".0");
	/* in4_pton() stops at any odd character: insist it read everything */
	if (!in4_pton(buf, -1, a, -1, &end) || *end)
		return minifw_not_decimal(err, s, MINIFW_DEC_BAD, "an IPv4 address");
	memcpy(&addr->ip, a, 4);

	if (!slash) {
		mask->ip = htonl(0xffffffff);
	} else if (strchr(slash + 1, '.')) {
		size_t mlen = strlen(slash + 1);

		ret = mlen > 15 ? MINIFW_DEC_BAD : minifw_dotted(slash + 1, mlen, &dots);
		if (ret == MINIFW_DEC_OK && dots != 3)
			ret = MINIFW_DEC_BAD;
		if (ret != MINIFW_DEC_OK || !in4_pton(slash + 1, (int)mlen, a, -1, &end) ||
		    end != slash + 1 + mlen)
			return minifw_not_decimal(err, slash + 1, ret, "a netmask");
		memcpy(&mask->ip, a, 4);
	} else {
		char tb[MINIFW_TOKBUF];
		u8 len;

		ret = minifw_decimal(slash + 1, strlen(slash + 1));
		if (ret == MINIFW_DEC_OCTAL)
			return minifw_not_decimal(err, slash + 1, ret, "");
		if (ret != MINIFW_DEC_OK || kstrtou8(slash + 1, 10, &len) || len > 32)
			return minifw_fail(err, "prefix length \"%s\" is not in 0-32",
					   minifw_tok(tb, sizeof(tb), slash + 1));
		mask->ip = minifw_prefix_mask(len);
	}
	addr->ip &= mask->ip;
	return 0;
}

static int minifw_parse_port(struct minifw_parser *p, const char *s, u16 *port)
{
	int ret = minifw_decimal(s, strlen(s));

	if (ret == MINIFW_DEC_OCTAL)
		return minifw_not_decimal(p->err, s, ret, "");
	if (ret != MINIFW_DEC_OK || kstrtou16(s, 10, port))
		return minifw_fail(p->err, "\"%s\" is not a port (0-65535)", minifw_q(p, s));
	return 0;
}

/* "P", "P:P", "P:", ":P" as iptables' tcp and udp matches take them. */
static int minifw_parse_ports(struct minifw_parser *p, char *s, u16 *range)
{
	char *colon = strchr(s, ':');
	int ret;

	range[0] = 0;
	range[1] = 0xffff;
	if (!colon) {
		ret = minifw_parse_port(p, s, &range[0]);
		range[1] = range[0];
		return ret;
	}
	*colon = '\0';
	ret = (*s ? minifw_parse_port(p, s, &range[0]) : 0) ?:
	      (colon[1] ? minifw_parse_port(p, colon + 1, &range[1]) : 0);
	*colon = ':';
	if (ret)
		return ret;
	if (range[0] > range[1])
		return minifw_fail(p->err, "\"%s\" is a reversed port range (first > last)",
				   minifw_q(p, s));
	return 0;
}

static int minifw_parse_proto(struct minifw_parser *p, const char *s, u8 *proto)
{
	char lower[16];
	size_t i;

	if (minifw_is_number(s)) {
		if (minifw_decimal(s, strlen(s)) == MINIFW_DEC_OCTAL)
			return minifw_not_decimal(p->err, s, MINIFW_DEC_OCTAL, "");
		if (kstrtou8(s, 10, proto))
			return minifw_fail(p->err, "protocol \"%s\" is not in 0-255",
					   minifw_q(p, s));
		return 0;
	}
	/* iptables lower-cases protocol names: -p TCP works */
	for (i = 0; s[i] && i + 1 < sizeof(lower); i++)
		lower[i] = tolower((unsigned char)s[i]);
	lower[i] = '\0';
	if (!s[i]) {
		for (i = 0; i < ARRAY_SIZE(minifw_protos); i++) {
			if (!strcmp(lower, minifw_protos[i].name)) {
				*proto = minifw_protos[i].num;
				return 0;
			}
		}
	}
	return minifw_fail(p->err, "unknown protocol \"%s\" (tcp, udp, icmp, all or a number)",
			   minifw_q(p, s));
}

static int minifw_parse_iface(struct minifw_parser *p, const char *s, char *name,
			      u8 *cmplen)
{
	size_t len = strlen(s);
	size_t i;

	if (!len)
		return minifw_fail(p->err, "an empty interface name matches nothing; leave the option out");
	if (len >= IFNAMSIZ)
		return minifw_fail(p->err, "interface name \"%s\" is longer than %d characters",
				   minifw_q(p, s), IFNAMSIZ - 1);
	/* what the kernel refuses in a name, and quotes, which would not list back */
	for (i = 0; i < len; i++)
		if (strchr("/:\"'\\", s[i]) || s[i] < 0x21 || s[i] > 0x7e)
			return minifw_fail(p->err, "\"%s\" is not an interface name",
					   minifw_q(p, s));
	memcpy(name, s, len);
	/* "eth+" matches every name starting "eth"; "eth0" needs the NUL too */
	*cmplen = s[len - 1] == '+' ? len - 1 : len + 1;
	return 0;
}

/* ICMP types by iptables' names (libxt_icmp), with their code ranges. */
static const struct minifw_icmp_name {
	const char *name;
	u8 type, code_min, code_max;
} minifw_icmp_names[] = {
	{ "any", 0xff, 0, 0xff },
	{ "echo-reply", 0, 0, 0xff },
	{ "pong", 0, 0, 0xff },
	{ "destination-unreachable", 3, 0, 0xff },
	{ "network-unreachable", 3, 0, 0 },
	{ "host-unreachable", 3, 1, 1 },
	{ "protocol-unreachable", 3, 2, 2 },
	{ "port-unreachable", 3, 3, 3 },
	{ "fragmentation-needed", 3, 4, 4 },
	{ "source-route-failed", 3, 5, 5 },
	{ "network-unknown", 3, 6, 6 },
	{ "host-unknown", 3, 7, 7 },
	{ "network-prohibited", 3, 9, 9 },
	{ "host-prohibited", 3, 10, 10 },
	{ "TOS-network-unreachable", 3, 11, 11 },
	{ "TOS-host-unreachable", 3, 12, 12 },
	{ "communication-prohibited", 3, 13, 13 },
	{ "host-precedence-violation", 3, 14, 14 },
	{ "precedence-cutoff", 3, 15, 15 },
	{ "source-quench", 4, 0, 0xff },
	{ "redirect", 5, 0, 0xff },
	{ "network-redirect", 5, 0, 0 },
	{ "host-redirect", 5, 1, 1 },
	{ "TOS-network-redirect", 5, 2, 2 },
	{ "TOS-host-redirect", 5, 3, 3 },
	{ "echo-request", 8, 0, 0xff },
	{ "ping", 8, 0, 0xff },
	{ "router-advertisement", 9, 0, 0xff },
	{ "router-solicitation", 10, 0, 0xff },
	{ "time-exceeded", 11, 0, 0xff },
	{ "ttl-exceeded", 11, 0, 0xff },
	{ "ttl-zero-during-transit", 11, 0, 0 },
	{ "ttl-zero-during-reassembly", 11, 1, 1 },
	{ "parameter-problem", 12, 0, 0xff },
	{ "ip-header-bad", 12, 0, 0 },
	{ "required-option-missing", 12, 1, 1 },
	{ "timestamp-request", 13, 0, 0xff },
	{ "timestamp-reply", 14, 0, 0xff },
	{ "address-mask-request", 17, 0, 0xff },
	{ "address-mask-reply", 18, 0, 0xff },
};

/* ICMPv6 types by ip6tables' names (libip6t_icmp6) */
static const struct minifw_icmp_name minifw_icmp6_names[] = {
	{ "destination-unreachable", 1, 0, 0xff },
	{ "no-route", 1, 0, 0 },
	{ "communication-prohibited", 1, 1, 1 },
	{ "beyond-scope", 1, 2, 2 },
	{ "address-unreachable", 1, 3, 3 },
	{ "port-unreachable", 1, 4, 4 },
	{ "failed-policy", 1, 5, 5 },
	{ "reject-route", 1, 6, 6 },
	{ "packet-too-big", 2, 0, 0xff },
	{ "time-exceeded", 3, 0, 0xff },
	{ "ttl-exceeded", 3, 0, 0xff },
	{ "ttl-zero-during-transit", 3, 0, 0 },
	{ "ttl-zero-during-reassembly", 3, 1, 1 },
	{ "parameter-problem", 4, 0, 0xff },
	{ "bad-header", 4, 0, 0 },
	{ "unknown-header-type", 4, 1, 1 },
	{ "unknown-option", 4, 2, 2 },
	{ "echo-request", 128, 0, 0xff },
	{ "ping", 128, 0, 0xff },
	{ "echo-reply", 129, 0, 0xff },
	{ "pong", 129, 0, 0xff },
	{ "router-solicitation", 133, 0, 0xff },
	{ "router-advertisement", 134, 0, 0xff },
	{ "neighbour-solicitation", 135, 0, 0xff },
	{ "neighbor-solicitation", 135, 0, 0xff },
	{ "neighbour-advertisement", 136, 0, 0xff },
	{ "neighbor-advertisement", 136, 0, 0xff },
	{ "redirect", 137, 0, 0xff },
};

/*
 * --icmp-type: "any", a name (or a unique start of one), "TYPE" or
 * "TYPE/CODE"; --icmpv6-type (@v6) the same with ICMPv6's names, which
 * have no "any" (libip6t_icmp6).
 */
static int minifw_parse_icmp(struct minifw_parser *p, const char *s,
			     struct minifw_match *m, bool v6)
{
	const struct minifw_icmp_name *names = v6 ? minifw_icmp6_names : minifw_icmp_names;
	size_t nnames = v6 ? ARRAY_SIZE(minifw_icmp6_names) : ARRAY_SIZE(minifw_icmp_names);
	const struct minifw_icmp_name *hit = NULL;
	size_t len = strlen(s), i;
	const char *slash;
	char buf[8];
	u8 v;

	if (len && (s[0] < '0' || s[0] > '9')) {
		for (i = 0; i < nnames; i++) {
			const struct minifw_icmp_name *n = &names[i];

			if (strncasecmp(n->name, s, len))
				continue;
			if (strlen(n->name) == len) {
				hit = n;
				break;
			}
			/* a start shared by two types (not just aliases) */
			if (hit && (hit->type != n->type || hit->code_min != n->code_min ||
				    hit->code_max != n->code_max))
				return minifw_fail(p->err, "\"%s\" is ambiguous: it starts \"%s\" and \"%s\"",
						   minifw_q(p, s), hit->name, n->name);
			hit = hit ?: n;
		}
		if (!hit)
			return minifw_fail(p->err, "unknown %s type \"%s\" (a name such as echo-request, or TYPE[/CODE])",
					   v6 ? "ICMPv6" : "ICMP", minifw_q(p, s));
		m->icmp_type = hit->type;
		m->icmp_code[0] = hit->code_min;
		m->icmp_code[1] = hit->code_max;
		return 0;
	}
	slash = strchr(s, '/');
	if ((slash ? (size_t)(slash - s) : len) >= sizeof(buf))
		goto bad;
	memcpy(buf, s, slash ? (size_t)(slash - s) : len);
	buf[slash ? slash - s : (long)len] = '\0';
	/* 255 stands for "any" in struct minifw_match (ICMPv6 reserves it) */
	if (minifw_decimal(buf, strlen(buf)) != MINIFW_DEC_OK || kstrtou8(buf, 10, &v) || v == 0xff)
		goto bad;
	m->icmp_type = v;
	m->icmp_code[0] = 0;
	m->icmp_code[1] = 0xff;
	if (slash) {
		if (minifw_decimal(slash + 1, strlen(slash + 1)) != MINIFW_DEC_OK ||
		    kstrtou8(slash + 1, 10, &v))
			goto bad;
		m->icmp_code[0] = v;
		m->icmp_code[1] = v;
	}
	return 0;
bad:
	return minifw_fail(p->err, "\"%s\" is not an %s type (TYPE[/CODE], each 0-255, or a name)",
			   minifw_q(p, s), v6 ? "ICMPv6" : "ICMP");
}

/* TCP flags in iptables-save's order (libxt_tcp). */
static const struct {
	const char *name;
	u8 bit;
} minifw_tcp_flags[] = {
	{ "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 },
	{ "ACK", 0x10 }, { "URG", 0x20 }, { "ALL", 0x3f }, { "NONE", 0 },
};

/* "SYN,ACK", "ALL", "NONE" */
static int minifw_parse_tcp_flags(struct minifw_parser *p, const char *s, u8 *flags)
{
	const char *w = s;

	*flags = 0;
	for (;;) {
		size_t len = strcspn(w, ","), i;

		for (i = 0; i < ARRAY_SIZE(minifw_tcp_flags); i++)
			if (strlen(minifw_tcp_flags[i].name) == len &&
			    !strncasecmp(minifw_tcp_flags[i].name, w, len))
				break;
		if (i == ARRAY_SIZE(minifw_tcp_flags))
			return minifw_fail(p->err, "\"%s\" is not a list of TCP flags (FIN,SYN,RST,PSH,ACK,URG, ALL or NONE)",
					   minifw_q(p, s));
		*flags |= minifw_tcp_flags[i].bit;
		if (!w[len])
			return 0;
		w += len + 1;
	}
}

/*
 * --reject-with names and their short aliases: libipt_REJECT's, then
 * libip6t_REJECT's. Each implies its family, but for the two that both
 * tools take ("port-unreach", "tcp-reset"): those fit both families.
 */
static const struct {
	const char *name, *alias;
	u8 with;
	u8 family;
} minifw_rejects[] = {
	{ "icmp-net-unreachable", "net-unreach", MINIFW_REJ_NET_UNREACH, MINIFW_FAM_IPV4 },
	{ "icmp-host-unreachable", "host-unreach", MINIFW_REJ_HOST_UNREACH, MINIFW_FAM_IPV4 },
	{ "icmp-proto-unreachable", "proto-unreach", MINIFW_REJ_PROTO_UNREACH, MINIFW_FAM_IPV4 },
	{ "icmp-port-unreachable", NULL, MINIFW_REJ_PORT_UNREACH, MINIFW_FAM_IPV4 },
	{ "port-unreach", NULL, MINIFW_REJ_PORT_UNREACH, MINIFW_FAM_ANY },
	{ "icmp-net-prohibited", "net-prohib", MINIFW_REJ_NET_PROHIB, MINIFW_FAM_IPV4 },
	{ "icmp-host-prohibited", "host-prohib", MINIFW_REJ_HOST_PROHIB, MINIFW_FAM_IPV4 },
	{ "tcp-reset", "tcp-rst", MINIFW_REJ_TCP_RESET, MINIFW_FAM_ANY },
	{ "icmp-admin-prohibited", "admin-prohib", MINIFW_REJ_ADMIN_PROHIB, MINIFW_FAM_IPV4 },
	{ "icmp6-no-route", "no-route", MINIFW_REJ_NOROUTE, MINIFW_FAM_IPV6 },
	{ "icmp6-adm-prohibited", "adm-prohibited", MINIFW_REJ_ADMIN_PROHIB, MINIFW_FAM_IPV6 },
	{ "icmp6-addr-unreachable", "addr-unreach", MINIFW_REJ_ADDR_UNREACH, MINIFW_FAM_IPV6 },
	{ "icmp6-port-unreachable", NULL, MINIFW_REJ_PORT_UNREACH, MINIFW_FAM_IPV6 },
};

/*
 * The name iptables-save or ip6tables-save lists; NULL for the default
 * (port unreachable) in a rule for both families, which lists as a bare
 * "-j REJECT" so that it reads back as such.
 */
static const char *minifw_reject_name(u8 with, u8 family)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(minifw_rejects); i++)
		if (minifw_rejects[i].with == with && family &&
		    (minifw_rejects[i].family == family || with == MINIFW_REJ_TCP_RESET))
			return minifw_rejects[i].name;
	return with == MINIFW_REJ_TCP_RESET ? "tcp-reset" : NULL;
}

/*
 * As lib*_REJECT: the first name or alias in its order that starts so,
 * among the family's names if the rule has one (then "adm" is IPv6's
 * icmp6-adm-prohibited, as ip6tables reads it), else among all. Called
 * once the whole line is read, as the family may come after.
 */
static int minifw_parse_reject(struct minifw_parser *p, const char *s, u8 rule_family,
			       u8 *with, u8 *family)
{
	struct minifw_best b = { .word = s };
	char hint[MINIFW_HINTBUF];
	size_t i, len = strlen(s);
	int pass;

	for (pass = rule_family ? 0 : 1; pass < 2; pass++) {
		for (i = 0; len && i < ARRAY_SIZE(minifw_rejects); i++) {
			if (!pass && minifw_rejects[i].family &&
			    minifw_rejects[i].family != rule_family)
				continue;
			if (!strncasecmp(minifw_rejects[i].name, s, len) ||
			    (minifw_rejects[i].alias &&
			     !strncasecmp(minifw_rejects[i].alias, s, len))) {
				*with = minifw_rejects[i].with;
				*family = minifw_rejects[i].family;
				return 0;
			}
			minifw_consider(&b, minifw_rejects[i].name);
		}
	}
	return minifw_fail(p->err, "unknown --reject-with \"%s\"%s", minifw_q(p, s),
			   b.best ? minifw_hint(&b, hint, sizeof(hint)) :
			   " (icmp-port-unreachable, icmp-host-prohibited, tcp-reset, icmp6-adm-prohibited, ...)");
}

/* syslog levels by name, as libxt_LOG takes them */
static const struct {
	const char *name;
	u8 level;
} minifw_log_levels[] = {
	{ "emerg", 0 }, { "panic", 0 }, { "alert", 1 }, { "crit", 2 },
	{ "error", 3 }, { "err", 3 }, { "warning", 4 }, { "warn", 4 },
	{ "notice", 5 }, { "info", 6 }, { "debug", 7 },
};

#define MINIFW_LOG_DEFAULT_LEVEL	4	/* warning, as iptables */

/* NF_LOG_* flags of nf_log.h, by their LOG option */
static const struct {
	const char *opt;
	u8 flag;
} minifw_log_flags[] = {
	{ "--log-tcp-sequence", 0x01 }, { "--log-tcp-options", 0x02 },
	{ "--log-ip-options", 0x04 }, { "--log-uid", 0x08 }, { "--log-macdecode", 0x20 },
};

enum minifw_opt_id {
	MINIFW_O_SRC, MINIFW_O_DST, MINIFW_O_PROTO, MINIFW_O_IN, MINIFW_O_OUT,
	MINIFW_O_JUMP, MINIFW_O_MATCH, MINIFW_O_SPORT, MINIFW_O_DPORT,
	MINIFW_O_TCPFLAGS, MINIFW_O_SYN, MINIFW_O_ICMPTYPE, MINIFW_O_REJECTWITH,
	MINIFW_O_MPORTS, MINIFW_O_SRCRANGE, MINIFW_O_DSTRANGE, MINIFW_O_COMMENT,
	MINIFW_O_LOGPREFIX, MINIFW_O_LOGLEVEL, MINIFW_O_LOGFLAG,
	MINIFW_O_LIMIT, MINIFW_O_LIMITBURST, MINIFW_O_FAMILY, MINIFW_O_ICMP6TYPE,
	MINIFW_O_CTSTATE,
};

/* What an option needs before it: a protocol or a target (or a match, below). */
enum {
	MINIFW_NEED_NONE, MINIFW_NEED_TCPUDP, MINIFW_NEED_TCP, MINIFW_NEED_ICMP,
	MINIFW_NEED_ICMP6, MINIFW_NEED_REJECT, MINIFW_NEED_LOG
};

/* -m names of the matches other than tcp/udp/icmp, by MINIFW_M_* */
static const char *const minifw_match_names[] = {
	[MINIFW_M_MULTIPORT]	= "multiport",
	[MINIFW_M_IPRANGE]	= "iprange",
	[MINIFW_M_COMMENT]	= "comment",
	[MINIFW_M_LIMIT]	= "limit",
	[MINIFW_M_CONNTRACK]	= "conntrack",
	[MINIFW_M_STATE]	= "state",
};

static const struct minifw_opt {
	const char *name, *alias1, *alias2;
	u8 id;
	bool invertible;
	u8 nargs;
	u8 needs;		/* MINIFW_NEED_* */
	u8 match;		/* the -m it belongs to (MINIFW_M_*), or 0 */
} minifw_opts[] = {
	{ "-s", "--source", "--src", MINIFW_O_SRC, true, 1, MINIFW_NEED_NONE, 0 },
	{ "-d", "--destination", "--dst", MINIFW_O_DST, true, 1, MINIFW_NEED_NONE, 0 },
	{ "-p", "--protocol", NULL, MINIFW_O_PROTO, true, 1, MINIFW_NEED_NONE, 0 },
	{ "-i", "--in-interface", NULL, MINIFW_O_IN, true, 1, MINIFW_NEED_NONE, 0 },
	{ "-o", "--out-interface", NULL, MINIFW_O_OUT, true, 1, MINIFW_NEED_NONE, 0 },
	{ "-j", "--jump", NULL, MINIFW_O_JUMP, false, 1, MINIFW_NEED_NONE, 0 },
	{ "-m", "--match", NULL, MINIFW_O_MATCH, false, 1, MINIFW_NEED_NONE, 0 },
	{ "--sport", "--source-port", NULL, MINIFW_O_SPORT, true, 1, MINIFW_NEED_TCPUDP, 0 },
	{ "--dport", "--destination-port", NULL, MINIFW_O_DPORT, true, 1, MINIFW_NEED_TCPUDP, 0 },
	{ "--tcp-flags", NULL, NULL, MINIFW_O_TCPFLAGS, true, 2, MINIFW_NEED_TCP, 0 },
	{ "--syn", NULL, NULL, MINIFW_O_SYN, true, 0, MINIFW_NEED_TCP, 0 },
	{ "--icmp-type", NULL, NULL, MINIFW_O_ICMPTYPE, true, 1, MINIFW_NEED_ICMP, 0 },
	{ "--reject-with", NULL, NULL, MINIFW_O_REJECTWITH, false, 1, MINIFW_NEED_REJECT, 0 },
	{ "--sports", "--source-ports", NULL, MINIFW_O_MPORTS, true, 1, MINIFW_NEED_NONE,
	  MINIFW_M_MULTIPORT },
	{ "--dports", "--destination-ports", NULL, MINIFW_O_MPORTS, true, 1, MINIFW_NEED_NONE,
	  MINIFW_M_MULTIPORT },
	{ "--ports", NULL, NULL, MINIFW_O_MPORTS, true, 1, MINIFW_NEED_NONE, MINIFW_M_MULTIPORT },
	{ "--src-range", NULL, NULL, MINIFW_O_SRCRANGE, true, 1, MINIFW_NEED_NONE,
	  MINIFW_M_IPRANGE },
	{ "--dst-range", NULL, NULL, MINIFW_O_DSTRANGE, true, 1, MINIFW_NEED_NONE,
	  MINIFW_M_IPRANGE },
	{ "--comment", NULL, NULL, MINIFW_O_COMMENT, false, 1, MINIFW_NEED_NONE, MINIFW_M_COMMENT },
	{ "--log-prefix", NULL, NULL, MINIFW_O_LOGPREFIX, false, 1, MINIFW_NEED_LOG, 0 },
	{ "--log-level", NULL, NULL, MINIFW_O_LOGLEVEL, false, 1, MINIFW_NEED_LOG, 0 },
	{ "--log-tcp-sequence", NULL, NULL, MINIFW_O_LOGFLAG, false, 0, MINIFW_NEED_LOG, 0 },
	{ "--log-tcp-options", NULL, NULL, MINIFW_O_LOGFLAG, false, 0, MINIFW_NEED_LOG, 0 },
	{ "--log-ip-options", NULL, NULL, MINIFW_O_LOGFLAG, false, 0, MINIFW_NEED_LOG, 0 },
	{ "--log-uid", NULL, NULL, MINIFW_O_LOGFLAG, false, 0, MINIFW_NEED_LOG, 0 },
	{ "--log-macdecode", NULL, NULL, MINIFW_O_LOGFLAG, false, 0, MINIFW_NEED_LOG, 0 },
	{ "--limit", NULL, NULL, MINIFW_O_LIMIT, false, 1, MINIFW_NEED_NONE, MINIFW_M_LIMIT },
	{ "--limit-burst", NULL, NULL, MINIFW_O_LIMITBURST, false, 1, MINIFW_NEED_NONE,
	  MINIFW_M_LIMIT },
	{ "-4", "--ipv4", NULL, MINIFW_O_FAMILY, false, 0, MINIFW_NEED_NONE, 0 },
	{ "-6", "--ipv6", NULL, MINIFW_O_FAMILY, false, 0, MINIFW_NEED_NONE, 0 },
	{ "--icmpv6-type", NULL, NULL, MINIFW_O_ICMP6TYPE, true, 1, MINIFW_NEED_ICMP6, 0 },
	{ "--ctstate", NULL, NULL, MINIFW_O_CTSTATE, true, 1, MINIFW_NEED_NONE,
	  MINIFW_M_CONNTRACK },
	{ "--state", NULL, NULL, MINIFW_O_CTSTATE, true, 1, MINIFW_NEED_NONE, MINIFW_M_STATE },
};

/* Is @s a start of the long option @name, as getopt_long() takes them? */
static bool minifw_long_prefix(const char *s, const char *name)
{
	return name && name[0] == '-' && name[1] == '-' && s[0] == '-' && s[1] == '-' && s[2] &&
	       !strncmp(name, s, strlen(s));
}

static const struct minifw_opt *minifw_find_opt(const char *s)
{
	const struct minifw_opt *hit = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(minifw_opts); i++) {
		const struct minifw_opt *o = &minifw_opts[i];

		if (!strcmp(s, o->name) || (o->alias1 && !strcmp(s, o->alias1)) ||
		    (o->alias2 && !strcmp(s, o->alias2)))
			return o;
	}
	/* "--proto" for "--protocol": a start of exactly one long option */
	for (i = 0; i < ARRAY_SIZE(minifw_opts); i++) {
		const struct minifw_opt *o = &minifw_opts[i];

		if (!minifw_long_prefix(s, o->name) && !minifw_long_prefix(s, o->alias1) &&
		    !minifw_long_prefix(s, o->alias2))
			continue;
		if (hit)
			return NULL;
		hit = o;
	}
	return hit;
}

static int minifw_unknown_option(struct minifw_parser *p, const char *name)
{
	struct minifw_best b = { .word = name };
	char hint[MINIFW_HINTBUF];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(minifw_opts); i++) {
		minifw_consider(&b, minifw_opts[i].name);
		minifw_consider(&b, minifw_opts[i].alias1);
		minifw_consider(&b, minifw_opts[i].alias2);
	}
	return minifw_fail(p->err, "unknown option \"%s\"%s", minifw_q(p, name),
			   minifw_hint(&b, hint, sizeof(hint)));
}

/* Is the option's prerequisite (-p tcp, -j REJECT, ...) already there? */
static int minifw_check_needs(struct minifw_parser *p, const struct minifw_opt *o,
			      u8 proto, u8 target, u8 matches)
{
	if (o->match && !(matches & (1U << o->match)))
		return minifw_fail(p->err, "%s needs -m %s before it", o->name,
				   minifw_match_names[o->match]);
	switch (o->needs) {
	case MINIFW_NEED_LOG:
		if (target != MINIFW_T_LOG)
			return minifw_fail(p->err, "%s needs -j LOG before it", o->name);
		break;
	case MINIFW_NEED_TCPUDP:
		if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
			return minifw_fail(p->err, "%s needs -p tcp or -p udp before it", o->name);
		break;
	case MINIFW_NEED_TCP:
		if (proto != IPPROTO_TCP)
			return minifw_fail(p->err, "%s needs -p tcp before it", o->name);
		break;
	case MINIFW_NEED_ICMP:
		if (proto != IPPROTO_ICMP)
			return minifw_fail(p->err, "%s needs -p icmp before it", o->name);
		break;
	case MINIFW_NEED_ICMP6:
		if (proto != IPPROTO_ICMPV6)
			return minifw_fail(p->err, "%s needs -p ipv6-icmp before it", o->name);
		break;
	case MINIFW_NEED_REJECT:
		if (target != MINIFW_T_REJECT)
			return minifw_fail(p->err, "%s needs -j REJECT before it", o->name);
		break;
	}
	return 0;
}

/* The -m a protocol's options come in */
static const char *minifw_l4_name(u8 proto)
{
	return proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_ICMP ? "icmp" :
	       proto == IPPROTO_ICMPV6 ? "icmp6" : "tcp";
}

/* The matches of a rule as they are given, for listing them in that order. */
struct minifw_matches {
	u8 given;		/* bit per MINIFW_M_* */
	u8 n;
	u32 order;		/* MINIFW_M_* values, first lowest */
};

static void minifw_note_match(struct minifw_matches *ms, unsigned int kind)
{
	if (ms->given & (1U << kind))
		return;
	ms->given |= 1U << kind;
	ms->order |= kind << (MINIFW_M_BITS * ms->n++);
}

/*
 * A rule is for one family as soon as an option implies it (an address,
 * -p icmp, an ICMPv6 reject, -4 ...); options of both cannot mix.
 */
static int minifw_set_family(struct minifw_parser *p, struct minifw_match *m,
			     u8 family, const char *opt)
{
	if (!family || m->family == family)
		return 0;
	if (m->family)
		return minifw_fail(p->err, "%s makes the rule IPv%u, but %s made it IPv%u",
				   opt, family, p->family_opt, m->family);
	m->family = family;
	p->family_opt = opt;
	return 0;
}

/* -m conntrack --ctstate, -m state --state: names in listing order */
static const char *const minifw_ct_names[] = {
	"INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED",
};

/* ... and in the order libxt_conntrack tries them, where "E" is ESTABLISHED */
static const u8 minifw_ct_try[] = { 0, 1, 3, 2, 4 };

/* "RELATED,ESTABLISHED"; as libxt_conntrack, a start of a name will do */
static int minifw_parse_ctstate(struct minifw_parser *p, const char *s, u8 *mask)
{
	const char *w = s;

	*mask = 0;
	for (;;) {
		size_t len = strcspn(w, ","), i;

		for (i = 0; len && i < ARRAY_SIZE(minifw_ct_try); i++)
			if (len <= strlen(minifw_ct_names[minifw_ct_try[i]]) &&
			    !strncasecmp(minifw_ct_names[minifw_ct_try[i]], w, len))
				break;
		if (!len || i == ARRAY_SIZE(minifw_ct_try)) {
			if (len == 4 && (!strncasecmp(w, "SNAT", 4) || !strncasecmp(w, "DNAT", 4)))
				return minifw_fail(p->err, "state %.4s is not supported (minifw does no NAT)",
						   w);
			return minifw_fail(p->err, "\"%s\" is not a list of states (INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED, separated by commas)",
					   minifw_q(p, s));
		}
		*mask |= 1U << minifw_ct_try[i];
		if (!w[len])
			return 0;
		w += len + 1;
	}
}

static struct minifw_ext *minifw_cmd_ext(struct minifw_parser *p, struct minifw_cmd *cmd)
{
	if (!cmd->ext) {
		cmd->ext = kzalloc(sizeof(*cmd->ext), GFP_KERNEL);
		if (!cmd->ext) {
			minifw_fail(p->err, "out of memory");
			return NULL;
		}
		refcount_set(&cmd->ext->ref, 1);
		cmd->ext->log_level = MINIFW_LOG_DEFAULT_LEVEL;
	}
	return cmd->ext;
}

/* "22,80,1000:2000": at most 15 ports, a range counting two, as iptables */
static int minifw_parse_multiport(struct minifw_parser *p, char *s, struct minifw_ext *e)
{
	unsigned int slots = 0;
	char *w = s, *next;
	int ret;

	for (;;) {
		next = strchr(w, ',');
		if (next)
			*next = '\0';
		if (e->nports == MINIFW_MP_MAX ||
		    slots + (strchr(w, ':') ? 2 : 1) > MINIFW_MP_MAX) {
			ret = minifw_fail(p->err, "too many ports in a multiport list (at most %d, a range counts two)",
					  MINIFW_MP_MAX);
		} else if (!*w) {
			ret = minifw_fail(p->err, "empty port in a multiport list");
		} else {
			slots += strchr(w, ':') ? 2 : 1;
			ret = minifw_parse_ports(p, w, e->ports[e->nports++]);
		}
		if (ret)
			return ret;
		if (!next)
			return 0;
		*next = ',';
		w = next + 1;
	}
}

/* "192.0.2.1-192.0.2.9", whole addresses, first <= last */
static int minifw_parse_iprange(struct minifw_parser *p, char *s, u32 *range)
{
	char *dash = strchr(s, '-');
	union minifw_addr a[2], mask;
	int i, ret = 0;
	u8 fam;

	if (!dash || strchr(s, '/'))
		return minifw_fail(p->err, "\"%s\" is not an address range (FIRST-LAST)",
				   minifw_q(p, s));
	*dash = '\0';
	for (i = 0; i < 2 && !ret; i++) {
		const char *addr = i ? dash + 1 : s;
		unsigned int dots;

		/* no "10" for 10.0.0.0 here: a range is of whole addresses */
		if ((minifw_dotted(addr, strlen(addr), &dots) == MINIFW_DEC_OK && dots != 3) ||
		    strchr(addr, ':'))
			ret = minifw_fail(p->err, "\"%s\" is not a whole IPv4 address (minifw's ranges are IPv4 only)",
					  minifw_q(p, addr));
		else
			ret = minifw_parse_addr(addr, &a[i], &mask, &fam, p->err);
	}
	*dash = '-';
	if (ret)
		return ret;
	range[0] = ntohl(a[0].ip);
	range[1] = ntohl(a[1].ip);
	if (range[0] > range[1])
		return minifw_fail(p->err, "\"%s\" is a reversed range (first > last)",
				   minifw_q(p, s));
	return 0;
}

/* libxt_limit's units, longest first as print_rate() tries them */
static const struct {
	const char *name;	/* as printed */
	const char *word;	/* as parsed: any start of it */
	u32 secs;
} minifw_rates[] = {
	{ "day", "day", 24 * 60 * 60 }, { "hour", "hour", 60 * 60 },
	{ "min", "minute", 60 }, { "sec", "second", 1 },
};

/* "N[/second|/minute|/hour|/day]" (or a start of the unit): period in 1/10000 s */
static int minifw_parse_rate(struct minifw_parser *p, const char *s, u32 *avg)
{
	const char *slash = strchr(s, '/');
	u32 secs = 1, n;
	char num[12];
	size_t len = slash ? (size_t)(slash - s) : strlen(s), i;

	if (slash) {
		size_t ulen = strlen(slash + 1);

		for (i = 0; ulen && i < ARRAY_SIZE(minifw_rates); i++)
			if (!strncasecmp(minifw_rates[i].word, slash + 1, ulen))
				break;
		if (!ulen || i == ARRAY_SIZE(minifw_rates))
			goto bad;
		secs = minifw_rates[i].secs;
	}
	if (len >= sizeof(num))
		goto bad;
	memcpy(num, s, len);
	num[len] = '\0';
	if (minifw_decimal(num, len) != MINIFW_DEC_OK || kstrtou32(num, 10, &n) || !n)
		goto bad;
	*avg = (u32)div_u64((u64)MINIFW_LIMIT_SCALE * secs, n);
	if (!*avg)
		return minifw_fail(p->err, "--limit \"%s\" is too fast (at most 10000/second)",
				   minifw_q(p, s));
	return 0;
bad:
	return minifw_fail(p->err, "\"%s\" is not a rate (N/second, N/minute, N/hour or N/day)",
			   minifw_q(p, s));
}

/* --comment, --log-prefix: kept as given, refused if too long, never cut */
static int minifw_copy_text(struct minifw_parser *p, const char *opt, char *dst,
			    size_t size, const char *arg)
{
	size_t len = strlen(arg);

	if (len >= size)
		return minifw_fail(p->err, "%s is longer than %zu characters", opt, size - 1);
	memcpy(dst, arg, len + 1);
	return 0;
}

static int minifw_parse_log_level(struct minifw_parser *p, const char *s, u8 *level)
{
	size_t i;

	if (minifw_decimal(s, strlen(s)) == MINIFW_DEC_OK && !kstrtou8(s, 10, level) && *level <= 7)
		return 0;
	for (i = 0; i < ARRAY_SIZE(minifw_log_levels); i++) {
		if (!strcasecmp(s, minifw_log_levels[i].name)) {
			*level = minifw_log_levels[i].level;
			return 0;
		}
	}
	return minifw_fail(p->err, "\"%s\" is not a log level (0-7, or emerg, alert, crit, error, warning, notice, info, debug)",
			   minifw_q(p, s));
}

/* The rule part of -A/-I/-D/-R: options up to the end of the line. */
static int minifw_parse_rule(struct minifw_parser *p, struct minifw_cmd *cmd)
{
	struct minifw_match *m = &cmd->m;
	struct minifw_matches ms = {};
	struct minifw_ext *e;
	u8 l4match = 0;			/* protocol named by -m tcp/udp/icmp/icmp6 */
	const char *reject_with = NULL;
	bool inv = false;
	u8 fam;
	u32 seen = 0;
	size_t k;
	int ret;

	m->sport[1] = 0xffff;
	m->dport[1] = 0xffff;

	while (p->i < p->n) {
		const struct minifw_opt *o;
		const char *name;
		char *arg = NULL;
		u8 id;

		ret = minifw_unglue(p);
		if (ret)
			return ret;
		name = p->tok[p->i++];

		if (!strcmp(name, "!")) {
			if (inv)
				return minifw_fail(p->err, "\"! !\": one ! per option");
			inv = true;
			continue;
		}
		o = minifw_find_opt(name);
		if (!o)
			return minifw_unknown_option(p, name);
		ret = minifw_check_needs(p, o, l4match ?: m->proto, cmd->target, ms.given);
		if (ret)
			return ret;
		if (p->n - p->i < o->nargs)
			return minifw_fail(p->err, "%s needs %s", o->name,
					   o->nargs == 1 ? "an argument" : "two arguments");
		if (o->nargs)
			arg = p->tok[p->i++];
		if (inv && !o->invertible)
			return minifw_fail(p->err, "%s cannot be negated with !", o->name);
		/* --syn is a short --tcp-flags: one or the other */
		id = o->id == MINIFW_O_SYN ? MINIFW_O_TCPFLAGS : o->id;
		if (id != MINIFW_O_MATCH && id != MINIFW_O_LOGFLAG && id != MINIFW_O_FAMILY &&
		    (seen & (1U << id)))
			return minifw_fail(p->err, "%s given twice%s", o->name,
					   id == MINIFW_O_TCPFLAGS ?
					   " (or with --syn/--tcp-flags)" :
					   id == MINIFW_O_MPORTS ?
					   " (one of --sports, --dports, --ports per rule)" : "");
		seen |= 1U << id;
		/* a port, flag or type option loads tcp/udp/icmp/icmp6 here, as in iptables */
		if (o->needs == MINIFW_NEED_TCPUDP || o->needs == MINIFW_NEED_TCP ||
		    o->needs == MINIFW_NEED_ICMP || o->needs == MINIFW_NEED_ICMP6)
			minifw_note_match(&ms, MINIFW_M_L4);

		switch (o->id) {
		case MINIFW_O_SRC:
			ret = minifw_parse_addr(arg, &m->src, &m->smsk, &fam, p->err) ?:
			      minifw_set_family(p, m, fam, o->name);
			m->flags |= inv ? MINIFW_INV_SRC : 0;
			break;
		case MINIFW_O_DST:
			ret = minifw_parse_addr(arg, &m->dst, &m->dmsk, &fam, p->err) ?:
			      minifw_set_family(p, m, fam, o->name);
			m->flags |= inv ? MINIFW_INV_DST : 0;
			break;
		case MINIFW_O_FAMILY:
			ret = minifw_set_family(p, m, o->name[1] == '4' ? MINIFW_FAM_IPV4 :
						MINIFW_FAM_IPV6, o->name);
			break;
		case MINIFW_O_PROTO:
			ret = minifw_parse_proto(p, arg, &m->proto);
			if (!ret && inv && !m->proto)
				ret = minifw_fail(p->err, "! -p all would never match");
			/* ICMP is IPv4's, ICMPv6 IPv6's */
			if (!ret && !inv) {
				fam = m->proto == IPPROTO_ICMP ? MINIFW_FAM_IPV4 :
				      m->proto == IPPROTO_ICMPV6 ? MINIFW_FAM_IPV6 : 0;
				ret = minifw_set_family(p, m, fam, o->name);
			}
			m->flags |= inv ? MINIFW_INV_PROTO : 0;
			break;
		case MINIFW_O_IN:
			ret = minifw_parse_iface(p, arg, m->in, &m->inlen);
			m->flags |= inv ? MINIFW_INV_IN : 0;
			break;
		case MINIFW_O_OUT:
			ret = minifw_parse_iface(p, arg, m->out, &m->outlen);
			m->flags |= inv ? MINIFW_INV_OUT : 0;
			break;
		case MINIFW_O_JUMP:
			ret = minifw_parse_verdict(p, arg, &cmd->target, true);
			if (!ret && cmd->target == MINIFW_T_LOG && !minifw_cmd_ext(p, cmd))
				ret = -ENOMEM;
			break;
		case MINIFW_O_MATCH: {
			unsigned int kind = 0;
			u8 proto = !strcmp(arg, "tcp") ? IPPROTO_TCP :
				   !strcmp(arg, "udp") ? IPPROTO_UDP :
				   !strcmp(arg, "icmp") ? IPPROTO_ICMP :
				   /* libxtables takes the protocol's names too */
				   !strcmp(arg, "icmp6") || !strcmp(arg, "icmpv6") ||
				   !strcmp(arg, "ipv6-icmp") ? IPPROTO_ICMPV6 : 0;

			if (proto) {
				if (l4match && l4match != proto)
					return minifw_fail(p->err, "-m %s and -m %s: one protocol match per rule",
							   minifw_l4_name(l4match), arg);
				l4match = proto;
				kind = MINIFW_M_L4;
				m->flags |= MINIFW_L4;
			}
			for (k = MINIFW_M_MULTIPORT;
			     !kind && k < ARRAY_SIZE(minifw_match_names); k++)
				if (!strcmp(arg, minifw_match_names[k]))
					kind = k;
			if (!kind)
				return minifw_fail(p->err, "unknown match \"%s\" (minifw has tcp, udp, icmp, icmp6, multiport, iprange, conntrack, state, limit and comment)",
						   minifw_q(p, arg));
			/* a second -m tcp (iptables loads one per -m) adds nothing */
			if ((ms.given & (1U << kind)) && kind != MINIFW_M_L4)
				return minifw_fail(p->err, "-m %s given twice", arg);
			if ((kind == MINIFW_M_STATE && (ms.given & (1U << MINIFW_M_CONNTRACK))) ||
			    (kind == MINIFW_M_CONNTRACK && (ms.given & (1U << MINIFW_M_STATE))))
				return minifw_fail(p->err, "-m state and -m conntrack: one state match per rule");
			minifw_note_match(&ms, kind);
			ret = 0;
			/* the matches that keep their options in struct minifw_ext */
			if (kind >= MINIFW_M_MULTIPORT && kind <= MINIFW_M_LIMIT &&
			    !minifw_cmd_ext(p, cmd))
				ret = -ENOMEM;
			break;
		}
		case MINIFW_O_SPORT:
			ret = minifw_parse_ports(p, arg, m->sport);
			m->flags |= MINIFW_L4 | (inv ? MINIFW_INV_SPORT : 0);
			break;
		case MINIFW_O_DPORT:
			ret = minifw_parse_ports(p, arg, m->dport);
			m->flags |= MINIFW_L4 | (inv ? MINIFW_INV_DPORT : 0);
			break;
		case MINIFW_O_TCPFLAGS:
			ret = minifw_parse_tcp_flags(p, arg, &m->tcp_fmsk) ?:
			      minifw_parse_tcp_flags(p, p->tok[p->i++], &m->tcp_fcmp);
			/* iptables takes it, but such a rule never matches */
			if (!ret && (m->tcp_fcmp & ~m->tcp_fmsk))
				ret = minifw_fail(p->err, "--tcp-flags %s %s: the flags to compare must be among the flags to look at",
						  arg, p->tok[p->i - 1]);
			m->flags |= MINIFW_L4 | (inv ? MINIFW_INV_TCPFLAGS : 0);
			break;
		case MINIFW_O_SYN:
			/* FIN,SYN,RST,ACK SYN: a connection's first packet */
			m->tcp_fmsk = 0x17;
			m->tcp_fcmp = 0x02;
			m->flags |= MINIFW_L4 | (inv ? MINIFW_INV_TCPFLAGS : 0);
			ret = 0;
			break;
		case MINIFW_O_ICMPTYPE:
		case MINIFW_O_ICMP6TYPE:
			ret = minifw_parse_icmp(p, arg, m, o->id == MINIFW_O_ICMP6TYPE);
			m->flags |= MINIFW_L4 | (inv ? MINIFW_INV_ICMP : 0);
			break;
		case MINIFW_O_CTSTATE:
			ret = minifw_parse_ctstate(p, arg, &m->ctstate);
			m->flags |= MINIFW_CTSTATE | (inv ? MINIFW_INV_CTSTATE : 0);
			break;
		case MINIFW_O_REJECTWITH:
			reject_with = arg;	/* read at the end, knowing the family */
			ret = 0;
			break;
		case MINIFW_O_MPORTS:
			e = cmd->ext;
			e->mp_dir = o->name[2] == 's' ? MINIFW_MP_SRC :
				    o->name[2] == 'd' ? MINIFW_MP_DST : MINIFW_MP_ANY;
			ret = minifw_parse_multiport(p, arg, e);
			m->flags |= MINIFW_MULTIPORT | (inv ? MINIFW_INV_MULTIPORT : 0);
			break;
		case MINIFW_O_SRCRANGE:
			ret = minifw_set_family(p, m, MINIFW_FAM_IPV4, o->name) ?:
			      minifw_parse_iprange(p, arg, cmd->ext->src_range);
			m->flags |= MINIFW_SRCRANGE | (inv ? MINIFW_INV_SRCRANGE : 0);
			break;
		case MINIFW_O_DSTRANGE:
			ret = minifw_set_family(p, m, MINIFW_FAM_IPV4, o->name) ?:
			      minifw_parse_iprange(p, arg, cmd->ext->dst_range);
			m->flags |= MINIFW_DSTRANGE | (inv ? MINIFW_INV_DSTRANGE : 0);
			break;
		case MINIFW_O_COMMENT:
			ret = minifw_copy_text(p, o->name, cmd->ext->comment,
					       sizeof(cmd->ext->comment), arg);
			break;
		case MINIFW_O_LOGPREFIX:
			ret = minifw_copy_text(p, o->name, cmd->ext->log_prefix,
					       sizeof(cmd->ext->log_prefix), arg);
			break;
		case MINIFW_O_LOGLEVEL:
			ret = minifw_parse_log_level(p, arg, &cmd->ext->log_level);
			break;
		case MINIFW_O_LIMIT:
			ret = minifw_parse_rate(p, arg, &cmd->ext->limit_avg);
			break;
		case MINIFW_O_LIMITBURST:
			if (minifw_decimal(arg, strlen(arg)) != MINIFW_DEC_OK ||
			    kstrtou32(arg, 10, &cmd->ext->limit_burst) ||
			    !cmd->ext->limit_burst ||
			    cmd->ext->limit_burst > MINIFW_LIMIT_BURST_MAX)
				return minifw_fail(p->err, "--limit-burst \"%s\" is not in 1-%d",
						   minifw_q(p, arg), MINIFW_LIMIT_BURST_MAX);
			ret = 0;
			break;
		case MINIFW_O_LOGFLAG:
			for (k = 0; k < ARRAY_SIZE(minifw_log_flags); k++)
				if (!strcmp(o->name, minifw_log_flags[k].opt))
					cmd->ext->log_flags |= minifw_log_flags[k].flag;
			ret = 0;
			break;
		default:
			ret = -EINVAL;
		}
		if (ret)
			return ret;
		inv = false;
	}
	if (inv)
		return minifw_fail(p->err, "\"!\" at the end of the line negates nothing");
	if (reject_with) {
		ret = minifw_parse_reject(p, reject_with, m->family, &cmd->target_arg, &fam) ?:
		      minifw_set_family(p, m, fam, "--reject-with");
		if (ret)
			return ret;
	}

	if (m->flags & MINIFW_L4) {
		u8 want = l4match ? l4match : m->proto;

		if (m->proto != want || (m->flags & MINIFW_INV_PROTO))
			return minifw_fail(p->err, "-m %s needs -p %s (not negated)",
					   minifw_l4_name(want), minifw_proto_name(want));
		/* as libxt_icmp: no --icmp-type is "any" */
		if (want == IPPROTO_ICMP && !(seen & (1U << MINIFW_O_ICMPTYPE))) {
			m->icmp_type = 0xff;
			m->icmp_code[1] = 0xff;
		}
		/* libip6t_icmp6 has no "any" */
		if (want == IPPROTO_ICMPV6 && !(seen & (1U << MINIFW_O_ICMP6TYPE)))
			return minifw_fail(p->err, "-m icmp6 needs --icmpv6-type");
	}
	if ((ms.given & ((1U << MINIFW_M_CONNTRACK) | (1U << MINIFW_M_STATE))) &&
	    !(m->flags & MINIFW_CTSTATE))
		return minifw_fail(p->err, "-m %s needs %s",
				   ms.given & (1U << MINIFW_M_STATE) ? "state" : "conntrack",
				   ms.given & (1U << MINIFW_M_STATE) ? "--state" : "--ctstate");
	/*
	 * minifw's PREROUTING hook runs before connection tracking (so that
	 * blocked sources cost no conntrack entry): no state is known there.
	 */
	if ((m->flags & MINIFW_CTSTATE) && cmd->chain == MINIFW_PREROUTING)
		return minifw_fail(p->err, "-m %s cannot be used in PREROUTING: minifw filters there before connection tracking (use INPUT or FORWARD)",
				   ms.given & (1U << MINIFW_M_STATE) ? "state" : "conntrack");
	if ((ms.given & (1U << MINIFW_M_MULTIPORT)) && !(m->flags & MINIFW_MULTIPORT))
		return minifw_fail(p->err, "-m multiport needs --sports, --dports or --ports");
	if ((m->flags & MINIFW_MULTIPORT) &&
	    ((m->proto != IPPROTO_TCP && m->proto != IPPROTO_UDP) || (m->flags & MINIFW_INV_PROTO)))
		return minifw_fail(p->err, "-m multiport needs -p tcp or -p udp");
	if ((ms.given & (1U << MINIFW_M_IPRANGE)) &&
	    !(m->flags & (MINIFW_SRCRANGE | MINIFW_DSTRANGE)))
		return minifw_fail(p->err, "-m iprange needs --src-range or --dst-range");
	if ((ms.given & (1U << MINIFW_M_COMMENT)) && !cmd->ext->comment[0])
		return minifw_fail(p->err, "-m comment needs --comment TEXT");
	if (ms.given & (1U << MINIFW_M_LIMIT)) {
		e = cmd->ext;
		/* as libxt_limit: 3/hour, burst 5, unless given */
		if (!(seen & (1U << MINIFW_O_LIMIT)))
			e->limit_avg = MINIFW_LIMIT_SCALE * 3600 / 3;
		if (!(seen & (1U << MINIFW_O_LIMITBURST)))
			e->limit_burst = MINIFW_LIMIT_BURST;
		/* as xt_limit: the whole burst must fit in the bucket's u32 */
		if (minifw_user2credits((u64)e->limit_avg * e->limit_burst) > 0xffffffffULL)
			return minifw_fail(p->err, "--limit-burst %u is too large for this rate (at most %llu)",
					   e->limit_burst,
					   (unsigned long long)
					   div_u64(0xffffffffULL,
						   minifw_user2credits(e->limit_avg) ?: 1));
		e->limit_cost = minifw_user2credits(e->limit_avg);
		e->limit_cap = minifw_user2credits((u64)e->limit_avg * e->limit_burst);
	}
	m->order = ms.order;
	/* As iptables: no input device after routing out, no output before. */
	if (m->in[0] && (cmd->chain == MINIFW_OUTPUT || cmd->chain == MINIFW_POSTROUTING))
		return minifw_fail(p->err, "-i cannot be used in %s (packets there have no input interface)",
				   minifw_chain_name(cmd->chain));
	if (m->out[0] && (cmd->chain == MINIFW_PREROUTING || cmd->chain == MINIFW_INPUT))
		return minifw_fail(p->err, "-o cannot be used in %s (packets there have no output interface yet)",
				   minifw_chain_name(cmd->chain));
	if (cmd->target == MINIFW_T_REJECT) {
		/* as ipt_REJECT: only where an answer can be routed */
		if (cmd->chain == MINIFW_PREROUTING || cmd->chain == MINIFW_POSTROUTING)
			return minifw_fail(p->err, "-j REJECT is only valid in INPUT, FORWARD and OUTPUT");
		if (cmd->target_arg == MINIFW_REJ_TCP_RESET &&
		    (m->proto != IPPROTO_TCP || (m->flags & MINIFW_INV_PROTO)))
			return minifw_fail(p->err, "--reject-with tcp-reset needs -p tcp");
	}
	return 0;
}

static const struct {
	const char *name, *alias;
	u8 op;
	bool needs_chain;
} minifw_commands[] = {
	{ "-A", "--append", MINIFW_OP_APPEND, true },
	{ "-I", "--insert", MINIFW_OP_INSERT, true },
	{ "-D", "--delete", MINIFW_OP_DELETE_RULE, true },
	{ "-R", "--replace", MINIFW_OP_REPLACE, true },
	{ "-F", "--flush", MINIFW_OP_FLUSH, false },
	{ "-P", "--policy", MINIFW_OP_POLICY, true },
	{ "-Z", "--zero", MINIFW_OP_ZERO, false },
};

/* minifw_parse_line() without the cleanup on failure */
static int minifw_parse_cmd(char *line, struct minifw_cmd *cmd, struct minifw_err *err)
{
	struct minifw_parser p = { .err = err };
	const char *c;
	size_t k;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	ret = minifw_tokenize(&p, line);
	if (ret)
		return ret;
	if (!p.n)
		return minifw_fail(err, "empty command");

	ret = minifw_unglue(&p);
	if (ret)
		return ret;
	c = p.tok[p.i++];
	for (k = 0; k < ARRAY_SIZE(minifw_commands); k++)
		if (!strcmp(c, minifw_commands[k].name) ||
		    minifw_long_prefix(c, minifw_commands[k].alias))
			break;
	if (k == ARRAY_SIZE(minifw_commands))
		return minifw_fail(err, "\"%s\" is not a command (-A, -I, -D, -R, -F, -P or -Z)",
				   minifw_q(&p, c));
	cmd->op = minifw_commands[k].op;
	cmd->chain = MINIFW_ALL_CHAINS;

	if (p.i < p.n) {
		ret = minifw_parse_chain(&p, p.tok[p.i++], &cmd->chain);
		if (ret)
			return ret;
	} else if (minifw_commands[k].needs_chain) {
		return minifw_fail(err, "%s needs a chain", minifw_commands[k].name);
	}

	switch (cmd->op) {
	case MINIFW_OP_INSERT:
		if (p.i < p.n && minifw_is_number(p.tok[p.i])) {
			ret = minifw_parse_num(&p, p.tok[p.i++], &cmd->num);
			if (ret)
				return ret;
		}
		return minifw_parse_rule(&p, cmd);
	case MINIFW_OP_APPEND:
		return minifw_parse_rule(&p, cmd);
	case MINIFW_OP_DELETE_RULE:
		if (p.i == p.n)
			return minifw_fail(err, "-D needs a rule number or a rule");
		if (p.i + 1 == p.n && minifw_is_number(p.tok[p.i])) {
			cmd->op = MINIFW_OP_DELETE_NUM;
			return minifw_parse_num(&p, p.tok[p.i], &cmd->num);
		}
		return minifw_parse_rule(&p, cmd);
	case MINIFW_OP_REPLACE:
		if (p.i == p.n || !minifw_is_number(p.tok[p.i]))
			return minifw_fail(err, "-R needs a rule number");
		ret = minifw_parse_num(&p, p.tok[p.i++], &cmd->num);
		if (ret)
			return ret;
		return minifw_parse_rule(&p, cmd);
	case MINIFW_OP_POLICY:
		if (p.i == p.n)
			return minifw_fail(err, "-P needs ACCEPT or DROP");
		ret = minifw_parse_verdict(&p, p.tok[p.i++], &cmd->policy, false);
		break;
	case MINIFW_OP_ZERO:
		/* -Z CHAIN N zeroes one rule, as in iptables */
		if (p.i < p.n && cmd->chain != MINIFW_ALL_CHAINS)
			ret = minifw_parse_num(&p, p.tok[p.i++], &cmd->num);
		break;
	default:
		break;
	}
	if (ret)
		return ret;
	if (p.i < p.n)
		return minifw_fail(err, "unexpected \"%s\" after %s", minifw_q(&p, p.tok[p.i]),
				   minifw_commands[k].name);
	return 0;
}

/**
 * minifw_parse_line() - parse one command line ("-A INPUT -p tcp -j DROP")
 * @line: the line, without newline; tokenized in place
 * @cmd: the command, out; release with minifw_cmd_free()
 * @err: reason on failure
 *
 * Context: control path (a rule with -m comment etc. allocates).
 * Return: 0, -EINVAL or -ENOMEM; on failure @cmd holds nothing.
 */
int minifw_parse_line(char *line, struct minifw_cmd *cmd, struct minifw_err *err)
{
	int ret = minifw_parse_cmd(line, cmd, err);

	if (ret)
		minifw_cmd_free(cmd);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Printer                                                                 */

struct minifw_buf {
	char *s;
	size_t len, pos;
};

static void minifw_put(struct minifw_buf *b, const char *fmt, ...) __printf(2, 3);

static void minifw_put(struct minifw_buf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->pos + 1 >= b->len)
		return;
	if (b->pos)
		b->s[b->pos++] = ' ';
	va_start(ap, fmt);
	b->pos += vscnprintf(b->s + b->pos, b->len - b->pos, fmt, ap);
	va_end(ap);
}

/*
 * An IPv6 address as ip6tables-save prints it (glibc's inet_ntop()): the
 * longest run of two or more zero groups, the first of equal runs, as
 * "::"; lowercase hex; the IPv4-mapped and -compatible forms end in
 * dotted IPv4.
 */
static void minifw_fmt_ip6(char *buf, size_t len, const union minifw_addr *a)
{
	int best = -1, bestlen = 0, run = 0, i;
	size_t pos = 0;
	u16 w[8];

	for (i = 0; i < 8; i++) {
		w[i] = ntohl(a->ip6[i / 2]) >> (i % 2 ? 0 : 16);
		run = w[i] ? 0 : run + 1;
		if (run > bestlen && run >= 2) {
			bestlen = run;
			best = i + 1 - run;
		}
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			pos += scnprintf(buf + pos, len - pos, "::");
			i += bestlen - 1;
			continue;
		}
		if (i == 6 && best == 0 && (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
			scnprintf(buf + pos, len - pos, "%s%u.%u.%u.%u", bestlen == 5 ? ":" : "",
				  w[6] >> 8, w[6] & 0xff, w[7] >> 8, w[7] & 0xff);
			return;
		}
		pos += scnprintf(buf + pos, len - pos, "%s%x",
				 i && i != best + bestlen ? ":" : "", w[i]);
	}
}

/* Is the address option listed: a mask, or "! -s 0.0.0.0/0"? */
static bool minifw_addr_listed(const union minifw_addr *mask, bool inv)
{
	return inv || mask->ip6[0] || mask->ip6[1] || mask->ip6[2] || mask->ip6[3];
}

static void minifw_put_addr(struct minifw_buf *b, const char *opt, bool inv, u8 family,
			    const union minifw_addr *addr, const union minifw_addr *mask)
{
	const u8 *a = (const u8 *)&addr->ip, *k = (const u8 *)&mask->ip;
	u32 hm = ntohl(mask->ip);

	if (!minifw_addr_listed(mask, inv))
		return;
	if (inv)
		minifw_put(b, "!");
	if (family == MINIFW_FAM_IPV6) {
		unsigned int plen = 0, i;
		char text[48];

		for (i = 0; i < 4; i++)
			plen += hweight32((__force u32)mask->ip6[i]);
		minifw_fmt_ip6(text, sizeof(text), addr);
		minifw_put(b, "%s %s/%u", opt, text, plen);
	} else if (hm == 0 || (~hm & (~hm + 1)) == 0) {
		/* contiguous masks list as a length, others dotted, as iptables-save */
		minifw_put(b, "%s %u.%u.%u.%u/%u", opt, a[0], a[1], a[2], a[3],
			   hm ? 32 - (unsigned int)__builtin_ctz(hm) : 0);
	} else {
		minifw_put(b, "%s %u.%u.%u.%u/%u.%u.%u.%u", opt, a[0], a[1], a[2], a[3],
			   k[0], k[1], k[2], k[3]);
	}
}

static void minifw_put_ports(struct minifw_buf *b, const char *opt, bool inv,
			     const u16 *range)
{
	if (range[0] == 0 && range[1] == 0xffff && !inv)
		return;
	if (inv)
		minifw_put(b, "!");
	if (range[0] == range[1])
		minifw_put(b, "%s %u", opt, range[0]);
	else
		minifw_put(b, "%s %u:%u", opt, range[0], range[1]);
}

/* "FIN,SYN,RST,ACK" as iptables-save prints flags; "NONE" for none */
static const char *minifw_tcp_flag_names(u8 flags, char *buf, size_t len)
{
	struct minifw_buf b = { .s = buf, .len = len };
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < 6; i++) {
		if (!(flags & minifw_tcp_flags[i].bit))
			continue;
		if (b.pos)
			b.s[b.pos++] = ',';
		b.pos += scnprintf(b.s + b.pos, b.len - b.pos, "%s", minifw_tcp_flags[i].name);
	}
	return b.pos ? buf : "NONE";
}

/* -m tcp|udp|icmp|icmp6 and their options */
static void minifw_put_l4(struct minifw_buf *b, const struct minifw_match *m)
{
	u32 f = m->flags;

	minifw_put(b, "-m %s", minifw_l4_name(m->proto));
	if (m->proto == IPPROTO_ICMPV6) {
		/* libip6t_icmp6 saves numbers */
		if (f & MINIFW_INV_ICMP)
			minifw_put(b, "!");
		if (m->icmp_code[0] == 0 && m->icmp_code[1] == 0xff)
			minifw_put(b, "--icmpv6-type %u", m->icmp_type);
		else
			minifw_put(b, "--icmpv6-type %u/%u", m->icmp_type, m->icmp_code[0]);
	}
	if (m->proto == IPPROTO_ICMP) {
		if (f & MINIFW_INV_ICMP)
			minifw_put(b, "!");
		if (m->icmp_type == 0xff)
			minifw_put(b, "--icmp-type any");
		else if (m->icmp_code[0] == 0 && m->icmp_code[1] == 0xff)
			minifw_put(b, "--icmp-type %u", m->icmp_type);
		else
			minifw_put(b, "--icmp-type %u/%u", m->icmp_type, m->icmp_code[0]);
	}
	minifw_put_ports(b, "--sport", f & MINIFW_INV_SPORT, m->sport);
	minifw_put_ports(b, "--dport", f & MINIFW_INV_DPORT, m->dport);
	if (m->tcp_fmsk || (f & MINIFW_INV_TCPFLAGS)) {
		char fm[32], fc[32];

		if (f & MINIFW_INV_TCPFLAGS)
			minifw_put(b, "!");
		minifw_put(b, "--tcp-flags %s %s",
			   minifw_tcp_flag_names(m->tcp_fmsk, fm, sizeof(fm)),
			   minifw_tcp_flag_names(m->tcp_fcmp, fc, sizeof(fc)));
	}
}

/*
 * A string argument as xtables_save_string() prints it: bare if it is only
 * letters, digits, '_' and '-', else in double quotes with ", \ and '
 * escaped, which the tokenizer reads back.
 */
static void minifw_put_string(struct minifw_buf *b, const char *opt, const char *v)
{
	size_t plain = 0;
	const char *c;

	for (c = v; *c; c++)
		plain += (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			 (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
	if (*v && plain == strlen(v)) {
		minifw_put(b, "%s %s", opt, v);
		return;
	}
	minifw_put(b, "%s \"", opt);
	for (c = v; *c && b->pos + 3 < b->len; c++) {
		if (*c == '"' || *c == '\\' || *c == '\'')
			b->s[b->pos++] = '\\';
		b->s[b->pos++] = *c;
	}
	if (b->pos + 1 < b->len)
		b->s[b->pos++] = '"';
	b->s[b->pos] = '\0';
}

static void minifw_put_range(struct minifw_buf *b, const char *opt, bool inv,
			     const u32 *range)
{
	if (inv)
		minifw_put(b, "!");
	minifw_put(b, "%s %u.%u.%u.%u-%u.%u.%u.%u", opt,
		   range[0] >> 24, (range[0] >> 16) & 0xff,
		   (range[0] >> 8) & 0xff, range[0] & 0xff,
		   range[1] >> 24, (range[1] >> 16) & 0xff,
		   (range[1] >> 8) & 0xff, range[1] & 0xff);
}

/* Does "N/unit" for @avg parse back to @avg? */
static bool minifw_rate_exact(u32 avg, unsigned int unit)
{
	u32 mult, n;

	if (unit >= ARRAY_SIZE(minifw_rates))
		return true;	/* none is: keep the last */
	mult = MINIFW_LIMIT_SCALE * minifw_rates[unit].secs;
	n = mult / avg;
	return n && mult / n == avg;
}

static void minifw_put_match(struct minifw_buf *b, const struct minifw_rule *r,
			     unsigned int kind)
{
	const struct minifw_ext *e = r->ext;
	u32 f = r->m.flags;
	unsigned int i;

	switch (kind) {
	case MINIFW_M_L4:
		minifw_put_l4(b, &r->m);
		break;
	case MINIFW_M_CONNTRACK:
	case MINIFW_M_STATE:
		minifw_put(b, "-m %s", kind == MINIFW_M_STATE ? "state" : "conntrack");
		if (f & MINIFW_INV_CTSTATE)
			minifw_put(b, "!");
		minifw_put(b, "%s", kind == MINIFW_M_STATE ? "--state" : "--ctstate");
		for (i = 0; i < ARRAY_SIZE(minifw_ct_names) && b->pos + 1 < b->len; i++) {
			if (!(r->m.ctstate & (1U << i)))
				continue;
			b->pos += scnprintf(b->s + b->pos, b->len - b->pos, "%s%s",
					    r->m.ctstate & ((1U << i) - 1) ? "," : " ",
					    minifw_ct_names[i]);
		}
		break;
	case MINIFW_M_MULTIPORT:
		minifw_put(b, "-m multiport");
		if (f & MINIFW_INV_MULTIPORT)
			minifw_put(b, "!");
		minifw_put(b, "%s", e->mp_dir == MINIFW_MP_SRC ? "--sports" :
				    e->mp_dir == MINIFW_MP_DST ? "--dports" : "--ports");
		for (i = 0; i < e->nports && b->pos + 1 < b->len; i++) {
			b->s[b->pos++] = i ? ',' : ' ';
			if (e->ports[i][0] == e->ports[i][1])
				b->pos += scnprintf(b->s + b->pos, b->len - b->pos, "%u",
						    e->ports[i][0]);
			else
				b->pos += scnprintf(b->s + b->pos, b->len - b->pos, "%u:%u",
						    e->ports[i][0], e->ports[i][1]);
		}
		break;
	case MINIFW_M_IPRANGE:
		minifw_put(b, "-m iprange");
		if (f & MINIFW_SRCRANGE)
			minifw_put_range(b, "--src-range", f & MINIFW_INV_SRCRANGE, e->src_range);
		if (f & MINIFW_DSTRANGE)
			minifw_put_range(b, "--dst-range", f & MINIFW_INV_DSTRANGE, e->dst_range);
		break;
	case MINIFW_M_COMMENT:
		minifw_put(b, "-m comment");
		minifw_put_string(b, "--comment", e->comment);
		break;
	case MINIFW_M_LIMIT:
		/* libxt_limit's print_rate(): the largest unit that is exact enough */
		for (i = 1; i < ARRAY_SIZE(minifw_rates); i++) {
			u32 mult = MINIFW_LIMIT_SCALE * minifw_rates[i].secs;

			if (e->limit_avg > mult || mult / e->limit_avg < mult % e->limit_avg)
				break;
		}
		/*
		 * ... unless it would not read back as this rate: then the
		 * smallest unit that does
		 */
		if (!minifw_rate_exact(e->limit_avg, i - 1))
			for (i = ARRAY_SIZE(minifw_rates); i > 1; i--)
				if (minifw_rate_exact(e->limit_avg, i - 1))
					break;
		minifw_put(b, "-m limit --limit %u/%s",
			   MINIFW_LIMIT_SCALE * minifw_rates[i - 1].secs / e->limit_avg,
			   minifw_rates[i - 1].name);
		if (e->limit_burst != MINIFW_LIMIT_BURST)
			minifw_put(b, "--limit-burst %u", e->limit_burst);
		break;
	}
}

/* LOG's options, as libxt_LOG saves them */
static void minifw_put_log(struct minifw_buf *b, const struct minifw_ext *e)
{
	size_t k;

	if (e->log_prefix[0])
		minifw_put_string(b, "--log-prefix", e->log_prefix);
	if (e->log_level != MINIFW_LOG_DEFAULT_LEVEL)
		minifw_put(b, "--log-level %u", e->log_level);
	for (k = 0; k < ARRAY_SIZE(minifw_log_flags); k++)
		if (e->log_flags & minifw_log_flags[k].flag)
			minifw_put(b, "%s", minifw_log_flags[k].opt);
}

/**
 * minifw_rule_format() - print a rule's options as iptables-save does
 * @r: the rule
 * @buf: output, NUL-terminated
 * @len: size of @buf; MINIFW_RULE_TEXT_MAX always suffices (see there)
 *
 * Prints "-s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT": options in
 * iptables-save order, canonical values, no leading "-A CHAIN".
 *
 * Context: any.
 * Return: length of the text.
 */
int minifw_rule_format(const struct minifw_rule *r, char *buf, size_t len)
{
	const struct minifw_match *m = &r->m;
	struct minifw_buf b = { .s = buf, .len = len };
	u32 f = m->flags;
	u32 order;

	if (!len)
		return 0;
	buf[0] = '\0';
	/* -4 or -6 first, where nothing else listed says the family */
	if (m->family && !minifw_addr_listed(&m->smsk, f & MINIFW_INV_SRC) &&
	    !minifw_addr_listed(&m->dmsk, f & MINIFW_INV_DST) &&
	    !(f & (MINIFW_SRCRANGE | MINIFW_DSTRANGE)) &&
	    ((m->proto != IPPROTO_ICMP && m->proto != IPPROTO_ICMPV6) || (f & MINIFW_INV_PROTO)) &&
	    (r->target != MINIFW_T_REJECT || r->target_arg == MINIFW_REJ_TCP_RESET))
		minifw_put(&b, "-%u", m->family);
	/* Then in iptables-save's order: -s -d -i -o -p, matches, -j. */
	minifw_put_addr(&b, "-s", f & MINIFW_INV_SRC, m->family, &m->src, &m->smsk);
	minifw_put_addr(&b, "-d", f & MINIFW_INV_DST, m->family, &m->dst, &m->dmsk);
	if (m->in[0])
		minifw_put(&b, "%s-i %s", f & MINIFW_INV_IN ? "! " : "", m->in);
	if (m->out[0])
		minifw_put(&b, "%s-o %s", f & MINIFW_INV_OUT ? "! " : "", m->out);
	if (m->proto) {
		const char *name = minifw_proto_name(m->proto);

		if (f & MINIFW_INV_PROTO)
			minifw_put(&b, "!");
		if (name)
			minifw_put(&b, "-p %s", name);
		else
			minifw_put(&b, "-p %u", m->proto);
	}
	/* the matches in the order they were given, as iptables-save */
	for (order = m->order; order; order >>= MINIFW_M_BITS)
		minifw_put_match(&b, r, order & ((1U << MINIFW_M_BITS) - 1));
	if (r->target != MINIFW_T_NONE)
		minifw_put(&b, "-j %s", minifw_target_name(r->target));
	if (r->target == MINIFW_T_REJECT) {
		const char *with = minifw_reject_name(r->target_arg, m->family);

		if (with)
			minifw_put(&b, "--reject-with %s", with);
	}
	if (r->target == MINIFW_T_LOG)
		minifw_put_log(&b, r->ext);
	return (int)b.pos;
}

/* ---------------------------------------------------------------------- */
/* Rulesets (control path)                                                 */

/* Drop what a rule in a chain holds: its counters and extension. */
static void minifw_rule_release(struct minifw_rule *r)
{
	minifw_counter_put(r->cnt);
	minifw_ext_put(r->ext);
}

static void minifw_chain_uncompile(struct minifw_chain *c);

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
			minifw_ext_get((struct minifw_ext *)to->rules[i].ext);
		}
		to->nrules = from->nrules;
	}
	return rs;
}

static int minifw_nomem(struct minifw_err *err)
{
	minifw_fail(err, "out of memory");
	return -ENOMEM;
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
		fresh->credit = c->rules[i].cnt->credit;
		fresh->prev = c->rules[i].cnt->prev;
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
	struct minifw_rule rule = { .m = cmd->m, .target = cmd->target,
				    .target_arg = cmd->target_arg, .ext = cmd->ext };
	unsigned int k;
	u32 pos = 0, i;

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
		minifw_limit_init(&rule);
		minifw_ext_get(cmd->ext);
		memmove(&c->rules[pos + 1], &c->rules[pos],
			(c->nrules - pos) * sizeof(rule));
		c->rules[pos] = rule;
		c->nrules++;
		return 0;
	case MINIFW_OP_DELETE_RULE:
		for (i = 0; i < c->nrules; i++)
			if (c->rules[i].target == rule.target &&
			    c->rules[i].target_arg == rule.target_arg &&
			    !memcmp(&c->rules[i].m, &rule.m, sizeof(rule.m)) &&
			    minifw_ext_equal(c->rules[i].ext, rule.ext))
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
		minifw_limit_init(&rule);
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

/* ---------------------------------------------------------------------- */
/* Compiled chains (control path)                                          */

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

static bool minifw_addr_set(const union minifw_addr *mask)
{
	return mask->ip6[0] | mask->ip6[1] | mask->ip6[2] | mask->ip6[3];
}

/* Is @mask a prefix (ones, then zeroes), as CIDR masks are? */
static bool minifw_mask_is_prefix(const union minifw_addr *mask)
{
	bool zeroes = false;
	unsigned int w;

	for (w = 0; w < 4; w++) {
		u32 m = ntohl(mask->ip6[w]);

		if ((zeroes && m) || (~m & (~m + 1)))
			return false;
		zeroes = m != U32_MAX;
	}
	return true;
}

/*
 * What a rule matches besides its address, or false if it cannot be part
 * of a run: a target that lets the packet go on (LOG included), -m limit
 * (its bucket must see every packet that reaches it), -m multiport or
 * -m iprange (kept out for simplicity: rare in long lists), a negated
 * address, two addresses, or a mask that is not a prefix
 * ("-s 10.0.0.1/255.0.0.255" matches no one range of addresses). A
 * comment changes nothing a packet meets.
 */
static bool minifw_run_key(const struct minifw_rule *r, struct minifw_match *key)
{
	const struct minifw_match *m = &r->m;

	if (r->target != MINIFW_T_ACCEPT && r->target != MINIFW_T_DROP &&
	    r->target != MINIFW_T_REJECT)
		return false;
	if (r->ext && (r->ext->limit_avg ||
		       (m->flags & (MINIFW_MULTIPORT | MINIFW_SRCRANGE | MINIFW_DSTRANGE))))
		return false;
	if ((m->flags & (MINIFW_INV_SRC | MINIFW_INV_DST)) ||
	    (minifw_addr_set(&m->smsk) && minifw_addr_set(&m->dmsk)) ||
	    !minifw_mask_is_prefix(&m->smsk) || !minifw_mask_is_prefix(&m->dmsk))
		return false;
	*key = *m;
	memset(&key->src, 0, sizeof(key->src));
	memset(&key->smsk, 0, sizeof(key->smsk));
	memset(&key->dst, 0, sizeof(key->dst));
	memset(&key->dmsk, 0, sizeof(key->dmsk));
	key->family = MINIFW_FAM_ANY;
	return true;
}

/*
 * The next run of @c at or after rule *@i: its rules [*first, *end) and
 * what they share (@key). Return: false when there is none.
 */
static bool minifw_next_run(const struct minifw_chain *c, u32 *i, u32 *first, u32 *end,
			    struct minifw_match *key)
{
	struct minifw_match next;
	u32 j;

	while (*i < c->nrules) {
		if (!minifw_run_key(&c->rules[*i], key)) {
			(*i)++;
			continue;
		}
		for (j = *i + 1; j < c->nrules; j++)
			if (!minifw_run_key(&c->rules[j], &next) ||
			    memcmp(key, &next, sizeof(next)))
				break;
		*first = *i;
		*end = j;
		*i = j;
		if (j - *first >= minifw_run_min)
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
		const union minifw_addr *k = field ? &m->dmsk : &m->smsk;
		struct minifw_pfx *p = &out[n];

		if (m->family && m->family != family)
			continue;
		if (field ? !minifw_addr_set(&m->dmsk) : minifw_addr_set(&m->dmsk))
			continue;
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
	u32 n, ntab, b, j, nb = 0;
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
	if (fam == MINIFW_TAB_IPV4 && ntab >= MINIFW_BUCKET_MIN) {
		unsigned int bits = min_t(unsigned int, fls(ntab), MINIFW_BUCKET_BITS_MAX);

		t->bshift = 32 - bits;
		nb = 1U << bits;
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
	if (nb) {
		t->bucket = t->rule + ntab;
		for (b = 0, j = 0; b <= nb; b++) {
			while (j + 1 < ntab && (u64)t->start4[j + 1] <= (u64)b << t->bshift)
				j++;
			t->bucket[b] = j;
		}
	}
	return 0;
}

static void minifw_chain_uncompile(struct minifw_chain *c)
{
	unsigned int fam, field;
	u32 i;

	for (i = 0; c->runs && i < c->nruns; i++)
		for (fam = 0; fam < 2; fam++)
			for (field = 0; field < 2; field++)
				minifw_itab_free(&c->runs[i].tab[fam][field]);
	kvfree(c->runs);
	c->runs = NULL;
	c->nruns = 0;
}

/* A published chain never grows: give back what appends reserved. */
static int minifw_chain_trim(struct minifw_chain *c)
{
	if (c->cap - c->nrules <= c->nrules / 16)
		return 0;
	return minifw_chain_resize(c, c->nrules);
}

/* How many runs @c has; *@longest: rules in the longest one, if longer. */
static u32 minifw_chain_runs(const struct minifw_chain *c, u32 *longest)
{
	struct minifw_match key;
	u32 i, n = 0, first, end;

	for (i = 0; minifw_next_run(c, &i, &first, &end, &key); n++)
		*longest = max_t(u32, *longest, end - first);
	return n;
}

/* Build the @n runs of @c; on failure, what was built stays for the caller. */
static int minifw_chain_compile(struct minifw_chain *c, u32 n, struct minifw_pfx *pfx,
				struct minifw_nest *stack)
{
	struct minifw_match key;
	u32 i, first, end;
	unsigned int fam, field;
	struct minifw_run *run;

	c->runs = kvcalloc(n + 1, sizeof(*c->runs), GFP_KERNEL | __GFP_NOWARN);
	if (!c->runs)
		return -ENOMEM;
	c->runs[n].first = MINIFW_NO_RULE;
	for (i = 0; minifw_next_run(c, &i, &first, &end, &key); ) {
		run = &c->runs[c->nruns++];
		run->first = first;
		run->end = end;
		run->rest = key;
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
 * -m tcp/udp/icmp and multiport; the IPv6 protocol (IPv4's costs nothing
 * and is always there) only by -p; the state only by -m conntrack/state.
 * -j LOG and REJECT read the skb itself. Control path.
 */
static u8 minifw_chain_skip(const struct minifw_chain *c)
{
	u8 skip = MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO | MINIFW_SKIP_CT;
	u32 i;

	for (i = 0; i < c->nrules; i++) {
		const struct minifw_match *m = &c->rules[i].m;

		/* IPv6: where the transport header starts is ipv6_find_hdr()'s */
		if (m->flags & (MINIFW_L4 | MINIFW_MULTIPORT))
			skip &= ~(MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO);
		if (m->proto)
			skip &= ~MINIFW_SKIP_PROTO;
		if (m->flags & MINIFW_CTSTATE)
			skip &= ~MINIFW_SKIP_CT;
	}
	return skip;
}

/**
 * minifw_ruleset_compile() - build the lookup tables of every chain
 * @rs: a ruleset nobody walks yet
 * @err: reason on failure
 *
 * See "DOC: Compiled chains". Called just before publishing (again, it
 * starts over); also gives back the room reserved for rules that were
 * never appended, and tells the hook what packet fields no rule reads
 * (struct minifw_chain.skip, set first: it cannot fail).
 *
 * Context: control path, may sleep.
 * Return: 0 or -ENOMEM (then @rs is as before: walked rule by rule).
 */
int minifw_ruleset_compile(struct minifw_ruleset *rs, struct minifw_err *err)
{
	struct minifw_nest *stack = NULL;
	struct minifw_pfx *pfx = NULL;
	u32 nruns[MINIFW_NCHAINS], longest = 0, all = 0;
	unsigned int c;
	int ret = 0;

	for (c = 0; c < MINIFW_NCHAINS; c++)
		rs->chain[c].skip = minifw_chain_skip(&rs->chain[c]);
	for (c = 0; c < MINIFW_NCHAINS; c++) {
		minifw_chain_uncompile(&rs->chain[c]);
		if (minifw_chain_trim(&rs->chain[c]))
			return minifw_nomem(err);
		nruns[c] = minifw_chain_runs(&rs->chain[c], &longest);
		all += nruns[c];
	}
	if (!all)
		return 0;
	/* scratch: the prefixes of one table, the sweep's stack */
	pfx = kvmalloc_array(longest, sizeof(*pfx), GFP_KERNEL | __GFP_NOWARN);
	stack = kmalloc_array(MINIFW_NEST_MAX, sizeof(*stack), GFP_KERNEL);
	if (!pfx || !stack)
		ret = -ENOMEM;
	for (c = 0; c < MINIFW_NCHAINS && !ret; c++)
		if (nruns[c])
			ret = minifw_chain_compile(&rs->chain[c], nruns[c], pfx, stack);
	kfree(stack);
	kvfree(pfx);
	if (ret) {
		for (c = 0; c < MINIFW_NCHAINS; c++)
			minifw_chain_uncompile(&rs->chain[c]);
		return minifw_nomem(err);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The write protocol of /proc/minifw/rules (control path)                 */

/**
 * minifw_writer_init() - set up the state of one open rules file
 * @w: writer
 * @ops: how transactions reach the live ruleset
 * @ctx: passed to @ops
 *
 * Context: control path.
 */
void minifw_writer_init(struct minifw_writer *w, const struct minifw_writer_ops *ops,
			void *ctx)
{
	memset(w, 0, offsetof(struct minifw_writer, line));
	w->ops = ops;
	w->ctx = ctx;
	w->line[0] = '\0';
}

static void minifw_writer_drop_cmds(struct minifw_writer *w)
{
	u32 i;

	for (i = 0; i < w->ncmds; i++)
		minifw_cmd_free(&w->cmds[i]);
	w->ncmds = 0;
}

/**
 * minifw_writer_abort() - drop everything pending
 * @w: writer
 *
 * A restore block that fails poisons the rest of the file: later writes are
 * refused, so the block's remaining lines cannot apply as loose commands.
 *
 * Context: control path.
 */
void minifw_writer_abort(struct minifw_writer *w)
{
	if (w->block) {
		minifw_ruleset_put(w->block);
		w->block = NULL;
		w->failed = true;
	}
	minifw_writer_drop_cmds(w);
	w->linelen = 0;
	w->write_err = 0;
}

static int minifw_writer_flush_cmds(struct minifw_writer *w)
{
	int ret = 0;

	if (w->ncmds)
		ret = w->ops->commit_cmds(w->ctx, w->cmds, w->ncmds, &w->err);
	minifw_writer_drop_cmds(w);
	return ret;
}

static int minifw_writer_add_cmd(struct minifw_writer *w, const struct minifw_cmd *cmd)
{
	if (w->ncmds >= READ_ONCE(minifw_max_rules))
		return minifw_fail(&w->err, "too many commands in one write: the limit is %u (max_rules)",
				   READ_ONCE(minifw_max_rules));
	if (w->ncmds == w->capcmds) {
		u32 cap = w->capcmds ? w->capcmds * 2 : 16;
		struct minifw_cmd *cmds = kvmalloc_array(cap, sizeof(*cmds),
							 GFP_KERNEL | __GFP_NOWARN);

		if (!cmds)
			return minifw_nomem(&w->err);
		if (w->ncmds)
			memcpy(cmds, w->cmds, w->ncmds * sizeof(*cmds));
		kvfree(w->cmds);
		w->cmds = cmds;
		w->capcmds = cap;
	}
	w->cmds[w->ncmds++] = *cmd;
	return 0;
}

/* ":INPUT DROP [12:345]" in a restore block; the counters are ignored. */
static int minifw_writer_chain_line(struct minifw_writer *w, char *s,
				    struct minifw_cmd *cmd)
{
	struct minifw_parser p = { .err = &w->err };
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	cmd->op = MINIFW_OP_POLICY;
	ret = minifw_tokenize(&p, s + 1);
	if (ret)
		return ret;
	if (p.n < 2 || p.n > 3)
		return minifw_fail(&w->err, "expected \":CHAIN POLICY [packets:bytes]\"");
	ret = minifw_parse_chain(&p, p.tok[0], &cmd->chain);
	if (ret)
		return ret;
	if (!strcmp(p.tok[1], "-"))
		return minifw_fail(&w->err, "user-defined chains are not supported (\":%s -\")",
				   minifw_q(&p, p.tok[0]));
	ret = minifw_parse_verdict(&p, p.tok[1], &cmd->policy, false);
	if (ret)
		return ret;
	if (p.n == 3) {
		char *t = p.tok[2], *colon = strchr(t, ':');
		size_t len = strlen(t);
		u64 v;

		if (t[0] != '[' || t[len - 1] != ']' || !colon)
			return minifw_fail(&w->err, "bad counters \"%s\" (expected [packets:bytes])",
					   minifw_q(&p, t));
		t[len - 1] = '\0';
		*colon = '\0';
		if (kstrtou64(t + 1, 10, &v) || kstrtou64(colon + 1, 10, &v))
			return minifw_fail(&w->err, "bad counters in \":%s\"", p.tok[0]);
	}
	return 0;
}

/* A line without its leading and trailing blanks (cut in place). */
static char *minifw_trim(char *s)
{
	char *end;

	while (minifw_isspace(*s))
		s++;
	end = s + strlen(s);
	while (end > s && minifw_isspace(end[-1]))
		*--end = '\0';
	return s;
}

static bool minifw_is_block_start(char *s)
{
	return !strcmp(minifw_trim(s), "*filter");
}

static int minifw_writer_line(struct minifw_writer *w, char *s)
{
	struct minifw_cmd cmd;
	int ret;

	s = minifw_trim(s);
	if (!*s || *s == '#')
		return 0;

	if (*s == '*') {
		char tb[MINIFW_TOKBUF];

		if (strcmp(s, "*filter"))
			return minifw_fail(&w->err, "only the filter table exists (got \"%s\")",
					   minifw_tok(tb, sizeof(tb), s));
		if (w->block)
			return minifw_fail(&w->err, "*filter inside a *filter block (COMMIT missing?)");
		/* lines before the block in this write come first */
		ret = minifw_writer_flush_cmds(w);
		if (ret)
			return ret;
		w->block = minifw_ruleset_new();
		if (!w->block)
			return minifw_nomem(&w->err);
		for (ret = 0; ret < MINIFW_NCHAINS; ret++)
			w->block->chain[ret].policy = MINIFW_T_UNSET;
		return 0;
	}
	if (!strcmp(s, "COMMIT")) {
		struct minifw_ruleset *rs = w->block;

		if (!rs)
			return minifw_fail(&w->err, "COMMIT without *filter");
		w->block = NULL;
		return w->ops->commit_block(w->ctx, rs, &w->err);
	}
	if (*s == ':') {
		if (!w->block)
			return minifw_fail(&w->err, "\":CHAIN POLICY\" lines belong in a *filter block");
		ret = minifw_writer_chain_line(w, s, &cmd);
	} else {
		ret = minifw_parse_line(s, &cmd, &w->err);
	}
	if (ret)
		return ret;
	cmd.lineno = w->lineno;
	if (w->block) {
		ret = minifw_ruleset_apply(w->block, &cmd, &w->err);
		minifw_cmd_free(&cmd);
		return ret;
	}
	ret = minifw_writer_add_cmd(w, &cmd);
	if (ret)
		minifw_cmd_free(&cmd);
	return ret;
}

static int minifw_writer_end_line(struct minifw_writer *w)
{
	int ret;

	w->lineno++;
	w->err.line = w->lineno;
	w->line[w->linelen] = '\0';
	ret = minifw_writer_line(w, w->line);
	w->linelen = 0;
	return ret;
}

/*
 * Refuse the line being read at once (it is too long, or holds a NUL) and
 * skip the rest of it, in this write or later ones, so that its tail is
 * never taken for a line of its own.
 */
static int minifw_writer_bad_line(struct minifw_writer *w, const char *why)
{
	w->err.line = w->lineno + 1;
	w->skipline = true;
	w->linelen = 0;
	return minifw_fail(&w->err, "%s", why);
}

/**
 * minifw_writer_feed() - take the bytes of one write(), or part of them
 * @w: writer
 * @buf: bytes
 * @len: number of bytes
 *
 * Complete lines are parsed at once; outside a restore block their commands
 * wait for minifw_writer_end_write(). A partial last line is kept. After a
 * failure everything pending is dropped, w->err says which line failed and
 * why, and the rest of the write is only scanned to keep the line count
 * (feed it all anyway).
 *
 * Context: control path, may sleep.
 * Return: 0, or the write's error (-EINVAL, -ENOMEM).
 */
int minifw_writer_feed(struct minifw_writer *w, const char *buf, size_t len)
{
	size_t i;
	int ret;

	if (w->failed && !w->write_err) {
		w->err.line = w->lineno + 1;
		minifw_fail(&w->err, "an earlier line of this restore failed; the block was not applied");
		w->write_err = -EINVAL;
	}
	for (i = 0; i < len; i++) {
		char ch = buf[i];

		/* dropping the tail of a refused line */
		if (w->skipline) {
			if (ch == '\n') {
				w->lineno++;
				w->skipline = false;
			}
			continue;
		}
		/*
		 * dropping the rest of a failed write: only count lines, and
		 * mind a restore block starting there, whose lines must not
		 * apply one by one in later writes
		 */
		if (w->write_err) {
			if (ch == '\n') {
				w->lineno++;
				w->line[w->linelen] = '\0';
				if (minifw_is_block_start(w->line))
					w->failed = true;
				w->linelen = 0;
			} else if (w->linelen < MINIFW_LINE_MAX) {
				w->line[w->linelen++] = ch;
			}
			continue;
		}
		if (ch == '\n') {
			ret = minifw_writer_end_line(w);
		} else if (ch == '\0') {
			ret = minifw_writer_bad_line(w, "NUL byte in line");
		} else if (w->linelen < MINIFW_LINE_MAX) {
			w->line[w->linelen++] = ch;
			continue;
		} else {
			ret = minifw_writer_bad_line(w, "line longer than "
						     __stringify(MINIFW_LINE_MAX) " bytes");
		}
		if (ret) {
			minifw_writer_abort(w);
			w->write_err = ret;
		}
	}
	return w->write_err;
}

/**
 * minifw_writer_end_write() - finish one write()
 * @w: writer
 *
 * Outside a restore block the complete lines of the write are committed
 * together. A last line without newline waits for the next write (a file
 * copied in chunks may be cut anywhere) or for minifw_writer_release().
 *
 * Context: control path, may sleep.
 * Return: 0, or -EINVAL / -ENOMEM: nothing of this write's lines outside
 * blocks applied (a block it closed with COMMIT did).
 */
int minifw_writer_end_write(struct minifw_writer *w)
{
	int ret = w->write_err;

	/* a failed write that ends inside a line drops all of that line */
	if (ret && w->linelen)
		w->skipline = true;
	w->write_err = 0;
	if (!ret && !w->block)
		ret = minifw_writer_flush_cmds(w);
	if (ret)
		minifw_writer_abort(w);
	return ret;
}

/**
 * minifw_writer_release() - finish an open rules file at close
 * @w: writer
 *
 * A last line without newline is taken now, as its own transaction (or as
 * the end of a restore block, typically "COMMIT"). A block still open after
 * it is dropped: nothing of it applies.
 *
 * Context: control path, may sleep.
 * Return: 0, or -EINVAL / -ENOMEM with w->err saying why (the caller can only
 * log it: close() has no one to tell).
 */
int minifw_writer_release(struct minifw_writer *w)
{
	int ret = 0;

	if (!w->failed && w->linelen && !w->skipline) {
		ret = minifw_writer_end_line(w);
		if (!ret)
			ret = minifw_writer_end_write(w);
	}
	if (!ret && w->block) {
		w->err.line = w->lineno;
		ret = minifw_fail(&w->err, "*filter block closed without COMMIT: nothing applied");
	}
	minifw_ruleset_put(w->block);
	w->block = NULL;
	minifw_writer_drop_cmds(w);
	kvfree(w->cmds);
	w->cmds = NULL;
	w->capcmds = 0;
	return ret;
}
