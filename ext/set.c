// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the kernel's ipset sets. -m set [!] --match-set NAME src|dst[,...]
 * (libxt_set revision 4, xt_set's set_match_v4) matches a packet whose
 * addresses, ports... (one per src/dst flag, in the set's order) are in
 * set NAME; -j SET --add-set/--del-set NAME src|dst[,...] (libxt_SET
 * revision 3, set_target_v3) adds them to a set or deletes them, and goes
 * on to the next rule. The sets are ipset's own ("ipset create ..."), so
 * fail2ban's ipset actions and block lists kept with ipset work unchanged.
 *
 * As iptables, a rule may only name a set that exists: it is found when
 * the rule is read (include/ipset.h), and its family is the rule's (a set
 * of both, hash:mac or list:set, leaves the rule for both). Unlike
 * iptables, a rule with fewer src/dst flags than the set has dimensions is
 * refused: xt_set would never match it (and always with "!").
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif
#include <linux/netfilter/ipset/ip_set.h>

#include "ext.h"
#include "ipset.h"

/* -m set */
struct minifw_setm {
	struct minifw_ipset_ref set;
	struct minifw_ipset_ask ask;
};

static_assert(sizeof(struct minifw_setm) == 72, "struct minifw_setm has padding");

enum {
	MINIFW_SET_MATCH_SET, MINIFW_SET_RETURN_NOMATCH, MINIFW_SET_UPDATE_COUNTERS,
	MINIFW_SET_UPDATE_SUBCOUNTERS, MINIFW_SET_PACKETS_EQ, MINIFW_SET_PACKETS_LT,
	MINIFW_SET_PACKETS_GT, MINIFW_SET_BYTES_EQ, MINIFW_SET_BYTES_LT, MINIFW_SET_BYTES_GT,
};

static const struct minifw_opt minifw_set_opts[] = {
	/* not its old name --set, which is -m recent's in minifw */
	{ "--match-set", NULL, NULL, MINIFW_SET_MATCH_SET, 2, MINIFW_OPT_INV, NULL },
	{ "--return-nomatch", NULL, NULL, MINIFW_SET_RETURN_NOMATCH, 0, 0, NULL },
	{ "--update-counters", NULL, NULL, MINIFW_SET_UPDATE_COUNTERS, 0, MINIFW_OPT_INV, NULL },
	{ "--update-subcounters", NULL, NULL, MINIFW_SET_UPDATE_SUBCOUNTERS, 0, MINIFW_OPT_INV,
	  NULL },
	{ "--packets-eq", NULL, NULL, MINIFW_SET_PACKETS_EQ, 1, MINIFW_OPT_INV, NULL },
	{ "--packets-lt", NULL, NULL, MINIFW_SET_PACKETS_LT, 1, 0, NULL },
	{ "--packets-gt", NULL, NULL, MINIFW_SET_PACKETS_GT, 1, 0, NULL },
	{ "--bytes-eq", NULL, NULL, MINIFW_SET_BYTES_EQ, 1, MINIFW_OPT_INV, NULL },
	{ "--bytes-lt", NULL, NULL, MINIFW_SET_BYTES_LT, 1, 0, NULL },
	{ "--bytes-gt", NULL, NULL, MINIFW_SET_BYTES_GT, 1, 0, NULL },
	{ }
};

/*
 * "NAME" "src,dst...": the set, found, and its flags, as libxt_set's
 * parse_dirs() reads them (by their first three letters). The set's
 * family becomes the rule's.
 */
static int minifw_set_ref_parse(struct minifw_xcall *x, struct minifw_ipset_ref *ref)
{
	const char *name = x->arg[0], *f = x->arg[1];
	int ret;

	if (strlen(name) >= MINIFW_IPSET_NAME_LEN)
		return minifw_fail(x->err, "set name \"%s\" is too long (at most %d characters)",
				   minifw_xq(x, name), MINIFW_IPSET_NAME_LEN - 1);
	strscpy(ref->name, name, sizeof(ref->name));
	for (;;) {
		if (ref->dim == MINIFW_IPSET_DIM_MAX)
			return minifw_fail(x->err, "at most %d src/dst flags",
					   MINIFW_IPSET_DIM_MAX);
		ref->dim++;
		if (!strncmp(f, "src", 3))
			ref->flags |= 1U << ref->dim;
		else if (strncmp(f, "dst", 3))
			return minifw_fail(x->err, "\"%s\": flags are src or dst, separated by commas",
					   minifw_xq(x, x->arg[1]));
		f = strchr(f, ',');
		if (!f)
			break;
		f++;
	}
	ret = minifw_ipset_find(ref->name, &ref->index, &ref->family, &ref->setdim, x->err);
	if (ret)
		return ret;
	if (ref->dim < ref->setdim)
		return minifw_fail(x->err, "set %s has %u dimensions, and %u src/dst flags are given (the rule would never match)",
				   ref->name, ref->setdim, ref->dim);
	return minifw_set_family(x->rp, ref->family, x->opt->name);
}

/* --packets-eq, -lt, -gt and --bytes-eq, -lt, -gt: the comparison of each */
static const u8 minifw_set_cmp_of[] = { IPSET_COUNTER_EQ, IPSET_COUNTER_LT, IPSET_COUNTER_GT };

/* A value of --packets-* or --bytes-*, and its comparison. */
static int minifw_set_counter(struct minifw_xcall *x, const char *what, u64 *v, u8 *op)
{
	if (*op)
		return minifw_fail(x->err, "-m set takes one of --%s-eq, --%s-lt, --%s-gt",
				   what, what, what);
	*op = x->inv ? IPSET_COUNTER_NE :
	      minifw_set_cmp_of[(x->opt->id - MINIFW_SET_PACKETS_EQ) % 3];
	return minifw_parse_u64(x->err, x->arg[0], "a counter value (0 to 18446744073709551615)",
				v);
}

static int minifw_set_parse(struct minifw_xcall *x)
{
	struct minifw_setm *m = x->data;
	struct minifw_ipset_ask *a = &m->ask;

	switch (x->opt->id) {
	case MINIFW_SET_MATCH_SET:
		if (x->inv)
			m->set.flags |= IPSET_INV_MATCH;
		return minifw_set_ref_parse(x, &m->set);
	case MINIFW_SET_RETURN_NOMATCH:
		a->cmdflags |= IPSET_FLAG_RETURN_NOMATCH;
		return 0;
	case MINIFW_SET_UPDATE_COUNTERS:
		/* only "!" does something, as in libxt_set */
		if (x->inv)
			a->cmdflags |= IPSET_FLAG_SKIP_COUNTER_UPDATE;
		return 0;
	case MINIFW_SET_UPDATE_SUBCOUNTERS:
		if (x->inv)
			a->cmdflags |= IPSET_FLAG_SKIP_SUBCOUNTER_UPDATE;
		return 0;
	case MINIFW_SET_PACKETS_EQ:
	case MINIFW_SET_PACKETS_LT:
	case MINIFW_SET_PACKETS_GT:
		return minifw_set_counter(x, "packets", &a->packets, &a->packets_op);
	default:
		return minifw_set_counter(x, "bytes", &a->bytes, &a->bytes_op);
	}
}

static int minifw_set_check(struct minifw_xcall *x)
{
	if (!(x->seen & BIT(MINIFW_SET_MATCH_SET)))
		return minifw_fail(x->err, "-m set needs --match-set NAME src|dst[,...]");
	return 0;
}

static void minifw_set_put_ref(struct minifw_buf *b, const char *opt,
			       const struct minifw_ipset_ref *ref)
{
	char f[4 * MINIFW_IPSET_DIM_MAX];
	unsigned int i, n = 0;

	for (i = 1; i <= ref->dim; i++)
		n += scnprintf(f + n, sizeof(f) - n, "%s%s", i > 1 ? "," : "",
			       ref->flags & (1U << i) ? "src" : "dst");
	minifw_put(b, "%s %s %s", opt, ref->name, f);
}

static const char *const minifw_set_cmp[] = {
	[IPSET_COUNTER_EQ] = "eq", [IPSET_COUNTER_NE] = "eq",
	[IPSET_COUNTER_LT] = "lt", [IPSET_COUNTER_GT] = "gt",
};

/* as libxt_set's set_printv4_counter() */
static void minifw_set_put_counter(struct minifw_buf *b, const char *what, u8 op, u64 v)
{
	if (!op)
		return;
	if (op == IPSET_COUNTER_NE)
		minifw_put(b, "!");
	minifw_put(b, "--%s-%s %llu", what, minifw_set_cmp[op], (unsigned long long)v);
}

/* as libxt_set's set_save_v4() */
static void minifw_set_print(struct minifw_buf *b, const struct minifw_rule *r, const void *data)
{
	const struct minifw_setm *m = data;
	u32 f = m->ask.cmdflags;

	if (m->set.flags & IPSET_INV_MATCH)
		minifw_put(b, "!");
	minifw_set_put_ref(b, "--match-set", &m->set);
	if (f & IPSET_FLAG_RETURN_NOMATCH)
		minifw_put(b, "--return-nomatch");
	if (f & IPSET_FLAG_SKIP_COUNTER_UPDATE)
		minifw_put(b, "! --update-counters");
	if (f & IPSET_FLAG_SKIP_SUBCOUNTER_UPDATE)
		minifw_put(b, "! --update-subcounters");
	minifw_set_put_counter(b, "packets", m->ask.packets_op, m->ask.packets);
	minifw_set_put_counter(b, "bytes", m->ask.bytes_op, m->ask.bytes);
}

/* the set's family is the rule's, and the set is listed: no -4/-6 then */
static bool minifw_set_lists_family(const struct minifw_rule *r, const void *data)
{
	const struct minifw_setm *m = data;

	return m->set.family != MINIFW_FAM_ANY;
}

/* Packet path: as set_match_v4(). */
static int minifw_set_match(const void *data, const struct minifw_pkt *p,
			    struct minifw_counter *c)
{
	const struct minifw_setm *m = data;

	return (minifw_pkt_ipset(p, MINIFW_IPSET_TEST, &m->set, &m->ask) > 0) ^
	       !!(m->set.flags & IPSET_INV_MATCH) ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_set = {
	.name		= "set",
	.size		= sizeof(struct minifw_setm),
	.opts		= minifw_set_opts,
	.parse		= minifw_set_parse,
	.check		= minifw_set_check,
	.print		= minifw_set_print,
	.lists_family	= minifw_set_lists_family,
	.match		= minifw_set_match,
};

/* -j SET */
struct minifw_set_tg {
	struct minifw_ipset_ref add, del;	/* .index MINIFW_IPSET_NONE: not given */
	u32 cmdflags;			/* --exist */
	u32 timeout;			/* --timeout, U32_MAX if not given */
};

static_assert(sizeof(struct minifw_set_tg) == 88, "struct minifw_set_tg has padding");

enum {
	MINIFW_SET_ADD, MINIFW_SET_DEL, MINIFW_SET_EXIST, MINIFW_SET_TIMEOUT, MINIFW_SET_MAP,
	MINIFW_SET_MAP_MARK, MINIFW_SET_MAP_PRIO, MINIFW_SET_MAP_QUEUE,
};

static const struct minifw_opt minifw_set_tg_opts[] = {
	{ "--add-set", NULL, NULL, MINIFW_SET_ADD, 2, 0, NULL },
	{ "--del-set", NULL, NULL, MINIFW_SET_DEL, 2, 0, NULL },
	{ "--exist", NULL, NULL, MINIFW_SET_EXIST, 0, 0, NULL },
	{ "--timeout", NULL, NULL, MINIFW_SET_TIMEOUT, 1, 0, NULL },
	{ "--map-set", NULL, NULL, MINIFW_SET_MAP, 2, 0, NULL },
	{ "--map-mark", NULL, NULL, MINIFW_SET_MAP_MARK, 0, 0, NULL },
	{ "--map-prio", NULL, NULL, MINIFW_SET_MAP_PRIO, 0, 0, NULL },
	{ "--map-queue", NULL, NULL, MINIFW_SET_MAP_QUEUE, 0, 0, NULL },
	{ }
};

static int minifw_set_tg_parse(struct minifw_xcall *x)
{
	struct minifw_set_tg *t = x->data;

	switch (x->opt->id) {
	case MINIFW_SET_ADD:
	case MINIFW_SET_DEL:
		return minifw_set_ref_parse(x, x->opt->id == MINIFW_SET_ADD ? &t->add : &t->del);
	case MINIFW_SET_EXIST:
		t->cmdflags |= IPSET_FLAG_EXIST;
		return 0;
	case MINIFW_SET_TIMEOUT:
		/* the value U32_MAX stands for "not given", as in libxt_SET */
		return minifw_parse_uint(x->err, x->arg[0], U32_MAX - 1,
					 "a timeout in seconds (0 to 4294967294)", &t->timeout);
	default:
		/* xt_set refuses it there, as it does the map options */
		return minifw_fail(x->err, "%s is only valid in the mangle table, which minifw does not have yet",
				   x->opt->name);
	}
}

static int minifw_set_tg_check(struct minifw_xcall *x)
{
	struct minifw_set_tg *t = x->data;

	if (!(x->seen & (BIT(MINIFW_SET_ADD) | BIT(MINIFW_SET_DEL))))
		return minifw_fail(x->err, "-j SET needs --add-set or --del-set");
	if (!(x->seen & BIT(MINIFW_SET_ADD))) {
		if (x->seen & BIT(MINIFW_SET_EXIST))
			return minifw_fail(x->err, "--exist needs --add-set");
		if (x->seen & BIT(MINIFW_SET_TIMEOUT))
			return minifw_fail(x->err, "--timeout needs --add-set");
	}
	if (!(x->seen & BIT(MINIFW_SET_TIMEOUT)))
		t->timeout = U32_MAX;
	if (!(x->seen & BIT(MINIFW_SET_ADD)))
		t->add.index = MINIFW_IPSET_NONE;
	if (!(x->seen & BIT(MINIFW_SET_DEL)))
		t->del.index = MINIFW_IPSET_NONE;
	return 0;
}

/* as libxt_SET's set_target_save_v3() */
static void minifw_set_tg_print(struct minifw_buf *b, const struct minifw_rule *r,
				const void *data)
{
	const struct minifw_set_tg *t = data;

	if (t->add.index != MINIFW_IPSET_NONE) {
		minifw_set_put_ref(b, "--add-set", &t->add);
		if (t->cmdflags & IPSET_FLAG_EXIST)
			minifw_put(b, "--exist");
		if (t->timeout != U32_MAX)
			minifw_put(b, "--timeout %u", t->timeout);
	}
	if (t->del.index != MINIFW_IPSET_NONE)
		minifw_set_put_ref(b, "--del-set", &t->del);
}

static bool minifw_set_tg_lists_family(const struct minifw_rule *r, const void *data)
{
	const struct minifw_set_tg *t = data;

	return (t->add.index != MINIFW_IPSET_NONE && t->add.family != MINIFW_FAM_ANY) ||
	       (t->del.index != MINIFW_IPSET_NONE && t->del.family != MINIFW_FAM_ANY);
}

/* Packet path: as set_target_v3(), without --map-set; go on to the next rule. */
static unsigned int minifw_set_tg_target(const void *data, const struct minifw_pkt *p)
{
	const struct minifw_set_tg *t = data;
	struct minifw_ipset_ask a = { .cmdflags = t->cmdflags, .timeout = t->timeout };

	if (t->add.index != MINIFW_IPSET_NONE)
		minifw_pkt_ipset(p, MINIFW_IPSET_ADD, &t->add, &a);
	if (t->del.index != MINIFW_IPSET_NONE) {
		a = (struct minifw_ipset_ask){ 0 };	/* as set_target_v3's del_opt */
		minifw_pkt_ipset(p, MINIFW_IPSET_DEL, &t->del, &a);
	}
	return MINIFW_T_NONE;
}

const struct minifw_ext_ops minifw_xt_SET = {
	.name		= "SET",
	.verdict	= MINIFW_T_SET,
	.size		= sizeof(struct minifw_set_tg),
	.opts		= minifw_set_tg_opts,
	.parse		= minifw_set_tg_parse,
	.check		= minifw_set_tg_check,
	.print		= minifw_set_tg_print,
	.lists_family	= minifw_set_tg_lists_family,
	.target		= minifw_set_tg_target,
};

/**
 * minifw_set_refs() - the sets a rule names
 * @r: the rule
 * @refs: up to MINIFW_SET_REFS_MAX, out: its -m set's, its -j SET's
 *        --add-set and --del-set
 *
 * Context: any.
 * Return: how many.
 */
unsigned int minifw_set_refs(const struct minifw_rule *r, const struct minifw_ipset_ref **refs)
{
	const struct minifw_set_tg *t = minifw_rule_ext_data(r, &minifw_xt_SET);
	const struct minifw_setm *m;
	unsigned int n = 0;

	while ((m = minifw_rule_ext_nth(r, &minifw_xt_set, n)))
		refs[n++] = &m->set;
	if (t && t->add.index != MINIFW_IPSET_NONE)
		refs[n++] = &t->add;
	if (t && t->del.index != MINIFW_IPSET_NONE)
		refs[n++] = &t->del;
	return n;
}

#ifndef __KERNEL__
/*
 * User space: the model of ipset's sets the tests make (include/ipset.h).
 * Members are addresses of the first dimension; a test counts and matches
 * counters as ip_set_match_extensions() does for a set with counters.
 */
struct minifw_user_ipset minifw_user_ipsets[MINIFW_USER_IPSETS];

int minifw_ipset_find(const char *name, u16 *index, u8 *family, u8 *dim,
		      struct minifw_err *err)
{
	u16 i;

	for (i = 0; i < MINIFW_USER_IPSETS; i++) {
		const struct minifw_user_ipset *s = &minifw_user_ipsets[i];

		if (s->name && !strcmp(s->name, name)) {
			*index = i;
			*family = s->family;
			*dim = s->dim;
			return 0;
		}
	}
	return minifw_fail(err, "there is no set %s (ipset list -n lists the sets)", name);
}

static bool minifw_user_cmp(u8 op, u64 have, u64 want)
{
	switch (op) {
	case IPSET_COUNTER_EQ:
		return have == want;
	case IPSET_COUNTER_NE:
		return have != want;
	case IPSET_COUNTER_LT:
		return have < want;
	case IPSET_COUNTER_GT:
		return have > want;
	default:
		return true;
	}
}

int minifw_pkt_ipset(const struct minifw_pkt *p, int op, const struct minifw_ipset_ref *ref,
		     const struct minifw_ipset_ask *a)
{
	struct minifw_user_ipset *s = &minifw_user_ipsets[ref->index];
	const union minifw_addr *addr = ref->flags & IPSET_DIM_ONE_SRC ? &p->saddr : &p->daddr;
	size_t alen = p->family == MINIFW_FAM_IPV4 ? 4 : 16;
	unsigned int i;

	if (s->family != MINIFW_FAM_ANY && s->family != p->family)
		return 0;
	for (i = 0; i < s->n && memcmp(&s->member[i], addr, alen); i++)
		;
	if (op == MINIFW_IPSET_ADD) {
		if (i == s->n && s->n < MINIFW_USER_IPSET_MEMBERS) {
			memset(&s->member[s->n], 0, sizeof(s->member[0]));
			memcpy(&s->member[s->n], addr, alen);
			s->packets[s->n] = 0;
			s->bytes[s->n] = 0;
			s->n++;
		}
		return 0;
	}
	if (i == s->n)
		return 0;
	if (op == MINIFW_IPSET_DEL) {
		s->n--;
		s->member[i] = s->member[s->n];
		s->packets[i] = s->packets[s->n];
		s->bytes[i] = s->bytes[s->n];
		return 0;
	}
	if (!(a->cmdflags & IPSET_FLAG_SKIP_COUNTER_UPDATE)) {
		s->packets[i]++;
		s->bytes[i] += p->len;
	}
	return minifw_user_cmp(a->packets_op, s->packets[i], a->packets) &&
	       minifw_user_cmp(a->bytes_op, s->bytes[i], a->bytes);
}
#endif
