// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m conntrack and -m state --state (libxt_conntrack revision 3,
 * which has both; the kernel's xt_conntrack and xt_state): what connection
 * tracking knows of the packet's connection.
 *
 *   [!] --ctstate STATE[,STATE...]   INVALID, NEW, ESTABLISHED, RELATED,
 *                                    UNTRACKED, SNAT, DNAT (-m state: the
 *                                    first five, as --state)
 *   [!] --ctproto PROTO              the transport protocol tracked
 *   [!] --ctorigsrc ADDR[/LEN]       the addresses of the original
 *   [!] --ctorigdst ADDR[/LEN]       direction and of the reply one (after
 *   [!] --ctreplsrc ADDR[/LEN]       NAT: a DNATed connection's reply
 *   [!] --ctrepldst ADDR[/LEN]       comes from the inner host)
 *   [!] --ctorigsrcport P[:P] ... --ctrepldstport P[:P]   their ports
 *   [!] --ctstatus STATUS[,...]      NONE, EXPECTED, SEEN_REPLY, ASSURED,
 *                                    CONFIRMED
 *   [!] --ctexpire N[:M]             seconds the entry has left
 *       --ctdir ORIGINAL|REPLY       the packet's direction
 *
 * The state is core-backed: the wanted states are struct
 * minifw_match.ctstate, tested inline by the walk against the state the
 * hook reads (and reads only for chains with such a rule), so a rule with
 * nothing but a state keeps no data and compiles into runs. A rule has
 * one list of states: -m state and -m conntrack may meet in a rule
 * (iptables' "-m state --state NEW -m conntrack --ctdir ORIGINAL"), but
 * only one of them with a state (minifw: iptables would test both). The other
 * options are this extension's data and .match (minifw_pkt_ct() reads the
 * connection), kept only by rules that use one (.kept). As xt_conntrack, a
 * packet without a connection matches such a rule only if it has a state
 * and the state matched. A ruleset with either makes minifw.c start
 * connection tracking (minifw_ruleset_has_ctstate()).
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"
/* after ext.h: in user space, glibc's <netinet/in.h> first */
#include <linux/netfilter/xt_conntrack.h>

enum {
	MINIFW_CT_OPT_STATE,
	MINIFW_CT_OPT_PROTO,
	MINIFW_CT_OPT_ORIGSRC,		/* the four addresses, in XT_CONNTRACK_ORIGSRC... order */
	MINIFW_CT_OPT_ORIGDST,
	MINIFW_CT_OPT_REPLSRC,
	MINIFW_CT_OPT_REPLDST,
	MINIFW_CT_OPT_ORIGSRCPORT,	/* the four ports, likewise */
	MINIFW_CT_OPT_ORIGDSTPORT,
	MINIFW_CT_OPT_REPLSRCPORT,
	MINIFW_CT_OPT_REPLDSTPORT,
	MINIFW_CT_OPT_STATUS,
	MINIFW_CT_OPT_EXPIRE,
	MINIFW_CT_OPT_DIR,
};

static const struct minifw_opt minifw_conntrack_opts[] = {
	{ "--ctstate", NULL, NULL, MINIFW_CT_OPT_STATE, 1, MINIFW_OPT_INV, NULL },
	{ "--ctproto", NULL, NULL, MINIFW_CT_OPT_PROTO, 1, MINIFW_OPT_INV, NULL },
	{ "--ctorigsrc", NULL, NULL, MINIFW_CT_OPT_ORIGSRC, 1, MINIFW_OPT_INV, NULL },
	{ "--ctorigdst", NULL, NULL, MINIFW_CT_OPT_ORIGDST, 1, MINIFW_OPT_INV, NULL },
	{ "--ctreplsrc", NULL, NULL, MINIFW_CT_OPT_REPLSRC, 1, MINIFW_OPT_INV, NULL },
	{ "--ctrepldst", NULL, NULL, MINIFW_CT_OPT_REPLDST, 1, MINIFW_OPT_INV, NULL },
	{ "--ctorigsrcport", NULL, NULL, MINIFW_CT_OPT_ORIGSRCPORT, 1, MINIFW_OPT_INV, NULL },
	{ "--ctorigdstport", NULL, NULL, MINIFW_CT_OPT_ORIGDSTPORT, 1, MINIFW_OPT_INV, NULL },
	{ "--ctreplsrcport", NULL, NULL, MINIFW_CT_OPT_REPLSRCPORT, 1, MINIFW_OPT_INV, NULL },
	{ "--ctrepldstport", NULL, NULL, MINIFW_CT_OPT_REPLDSTPORT, 1, MINIFW_OPT_INV, NULL },
	{ "--ctstatus", NULL, NULL, MINIFW_CT_OPT_STATUS, 1, MINIFW_OPT_INV, NULL },
	{ "--ctexpire", NULL, NULL, MINIFW_CT_OPT_EXPIRE, 1, MINIFW_OPT_INV, NULL },
	{ "--ctdir", NULL, NULL, MINIFW_CT_OPT_DIR, 1, 0, NULL },
	{ }
};

static const struct minifw_opt minifw_state_opts[] = {
	{ "--state", NULL, NULL, MINIFW_CT_OPT_STATE, 1, MINIFW_OPT_INV, NULL },
	{ }
};

/*
 * -m conntrack's options but the state. flags and inv are XT_CONNTRACK_*
 * bits: which options the rule has (XT_CONNTRACK_STATE too, for packets
 * without a connection) and which are negated (for --ctdir,
 * XT_CONNTRACK_DIRECTION in inv is REPLY).
 */
struct minifw_conntrack {
	union minifw_addr addr[4], mask[4];	/* orig src, orig dst, reply src, reply dst */
	u32 expires[2];			/* inclusive, seconds */
	u16 port[4][2];			/* inclusive ranges, host order; same order */
	u16 flags, inv;
	u8 proto;
	u8 status;			/* IPS_EXPECTED ... IPS_CONFIRMED, the low four bits */
	u8 pad[2];
};

static_assert(sizeof(struct minifw_conntrack) == 160, "struct minifw_conntrack has padding");

/* The states' names in listing order (bit i of MINIFW_CT_*) ... */
static const char *const minifw_ct_names[] = {
	"INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT",
};

/* ... and in the order libxt_conntrack tries them, where "E" is ESTABLISHED */
static const u8 minifw_ct_try[] = { 0, 1, 3, 2, 4, 5, 6 };

/* --ctstatus: libxt_conntrack's order, which is also the listing's */
static const struct {
	const char *name;
	u8 bit;
} minifw_ct_statuses[] = {
	{ "NONE", 0 },
	{ "EXPECTED", IPS_EXPECTED },
	{ "SEEN_REPLY", IPS_SEEN_REPLY },
	{ "ASSURED", IPS_ASSURED },
	{ "CONFIRMED", IPS_CONFIRMED },
};

/*
 * "RELATED,ESTABLISHED"; as libxt_conntrack, a start of a name will do.
 * -m state knows only the first five.
 */
static int minifw_ct_parse_states(struct minifw_xcall *x, unsigned int nstates)
{
	struct minifw_match *m = &x->cmd->m;
	const char *s = x->arg[0], *w = s;

	if (m->flags & MINIFW_CTSTATE)
		return minifw_fail(x->err, "%s: -m state and -m conntrack --ctstate: one list of states per rule",
				   x->opt->name);
	m->flags |= MINIFW_CTSTATE | (x->inv ? MINIFW_INV_CTSTATE : 0);
	m->ctstate = 0;
	for (;;) {
		size_t len = strcspn(w, ","), i;

		for (i = 0; len && i < nstates; i++)
			if (len <= strlen(minifw_ct_names[minifw_ct_try[i]]) &&
			    !strncasecmp(minifw_ct_names[minifw_ct_try[i]], w, len))
				break;
		if (!len || i == nstates)
			return minifw_fail(x->err, "\"%s\" is not a list of states (INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED%s, separated by commas)",
					   minifw_xq(x, s), nstates > 5 ? ", SNAT, DNAT" : "");
		m->ctstate |= 1U << minifw_ct_try[i];
		if (!w[len])
			return 0;
		w += len + 1;
	}
}

static int minifw_state_parse(struct minifw_xcall *x)
{
	return minifw_ct_parse_states(x, 5);
}

/*
 * "192.0.2.0/24", "192.0.2.0/255.255.0.255", "2001:db8::1": as libxtables'
 * host and mask, which keeps the address as given (the listing too) and
 * takes no short IPv4 form
 */
static int minifw_ct_parse_addr(struct minifw_xcall *x, union minifw_addr *addr,
				union minifw_addr *mask)
{
	const char *s = x->arg[0], *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	union minifw_addr host, all;
	unsigned int dots;
	char a[48];
	u8 fam, fam2;

	if (alen >= sizeof(a))
		alen = sizeof(a) - 1;
	memcpy(a, s, alen);
	a[alen] = '\0';
	if (minifw_parse_addr(s, &host, mask, &fam, x->err) ||
	    minifw_parse_addr(a, addr, &all, &fam2, x->err))
		return -EINVAL;
	/* no "10" for 10.0.0.0 as -s has it: libxtables would read 0.0.0.10 */
	if (fam == MINIFW_FAM_IPV4 && minifw_dotted(a, alen, &dots) == MINIFW_DEC_OK && dots != 3)
		return minifw_fail(x->err, "%s \"%s\": write the whole IPv4 address",
				   x->opt->name, minifw_xq(x, s));
	return minifw_set_family(x->rp, fam, x->opt->name);
}

/* "P", "P:P", "P:", ":P", ":" (numbers or service names of TCP or UDP) */
static int minifw_ct_parse_ports(struct minifw_xcall *x, u16 *range)
{
	char buf[64];

	if (strlen(x->arg[0]) >= sizeof(buf))
		return minifw_fail(x->err, "%s \"%s\": not a port or a range of ports",
				   x->opt->name, minifw_xq(x, x->arg[0]));
	strcpy(buf, x->arg[0]);
	if (!strcmp(buf, ":")) {
		range[0] = 0;
		range[1] = 0xffff;
		return 0;
	}
	return minifw_parse_ports(x->err, buf, 0, range);
}

/* "NONE", "SEEN_REPLY,ASSURED": as libxt_conntrack, a start of a name will do */
static int minifw_ct_parse_status(struct minifw_xcall *x, u8 *status)
{
	const char *s = x->arg[0], *w = s;

	for (;;) {
		size_t len = strcspn(w, ","), i;

		for (i = 0; len && i < ARRAY_SIZE(minifw_ct_statuses); i++)
			if (len <= strlen(minifw_ct_statuses[i].name) &&
			    !strncasecmp(minifw_ct_statuses[i].name, w, len))
				break;
		if (!len || i == ARRAY_SIZE(minifw_ct_statuses))
			return minifw_fail(x->err, "--ctstatus \"%s\": a list of NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED, separated by commas",
					   minifw_xq(x, s));
		*status |= minifw_ct_statuses[i].bit;
		if (!w[len])
			return 0;
		w += len + 1;
	}
}

static int minifw_conntrack_parse(struct minifw_xcall *x)
{
	struct minifw_conntrack *ct = x->data;
	unsigned int id = x->opt->id, k;
	u16 bit;
	int ret;

	switch (id) {
	case MINIFW_CT_OPT_STATE:
		bit = XT_CONNTRACK_STATE;
		ret = minifw_ct_parse_states(x, ARRAY_SIZE(minifw_ct_try));
		break;
	case MINIFW_CT_OPT_PROTO:
		bit = XT_CONNTRACK_PROTO;
		ret = minifw_parse_proto(x->err, x->arg[0], &ct->proto);
		if (!ret && !ct->proto)
			ret = minifw_fail(x->err, "--ctproto: %s",
					  x->inv ? "! 0 would match every connection" :
					  "0 would match no connection");
		break;
	case MINIFW_CT_OPT_ORIGSRC ... MINIFW_CT_OPT_REPLDST:
		k = id - MINIFW_CT_OPT_ORIGSRC;
		bit = XT_CONNTRACK_ORIGSRC << k;
		ret = minifw_ct_parse_addr(x, &ct->addr[k], &ct->mask[k]);
		break;
	case MINIFW_CT_OPT_ORIGSRCPORT ... MINIFW_CT_OPT_REPLDSTPORT:
		k = id - MINIFW_CT_OPT_ORIGSRCPORT;
		bit = XT_CONNTRACK_ORIGSRC_PORT << k;
		ret = minifw_ct_parse_ports(x, ct->port[k]);
		break;
	case MINIFW_CT_OPT_STATUS:
		bit = XT_CONNTRACK_STATUS;
		ret = minifw_ct_parse_status(x, &ct->status);
		break;
	case MINIFW_CT_OPT_EXPIRE:
		bit = XT_CONNTRACK_EXPIRES;
		ret = minifw_x_parse_u32_range(x, "a number of seconds (0-4294967295)",
					       U32_MAX, ct->expires);
		break;
	default:
		bit = XT_CONNTRACK_DIRECTION;
		if (!strcasecmp(x->arg[0], "REPLY"))
			ct->inv |= XT_CONNTRACK_DIRECTION;
		ret = strcasecmp(x->arg[0], "ORIGINAL") && strcasecmp(x->arg[0], "REPLY") ?
		      minifw_fail(x->err, "--ctdir \"%s\": ORIGINAL or REPLY",
				  minifw_xq(x, x->arg[0])) : 0;
		break;
	}
	ct->flags |= bit;
	if (x->inv)
		ct->inv |= bit;
	return ret;
}

static int minifw_ct_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m %s needs %s", x->ops->name, x->ops->opts[0].name);
	return 0;
}

static int minifw_conntrack_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m conntrack needs --ctstate or another of its options (--ctproto, --ctorigsrc, --ctstatus, --ctexpire, --ctdir...)");
	return 0;
}

/* only a rule with more than a state keeps the data and runs .match */
static bool minifw_conntrack_kept(const void *data)
{
	const struct minifw_conntrack *ct = data;

	return ct->flags & ~XT_CONNTRACK_STATE;
}

/* "--ctstate RELATED,ESTABLISHED" (@opt: the option of the match given) */
static void minifw_ct_put(struct minifw_buf *b, const struct minifw_match *m, const char *opt)
{
	unsigned int i;

	if (!(m->flags & MINIFW_CTSTATE))
		return;
	if (m->flags & MINIFW_INV_CTSTATE)
		minifw_put(b, "!");
	minifw_put(b, "%s", opt);
	for (i = 0; i < ARRAY_SIZE(minifw_ct_names) && b->pos + 1 < b->len; i++) {
		if (!(m->ctstate & (1U << i)))
			continue;
		b->pos += scnprintf(b->s + b->pos, b->len - b->pos, "%s%s",
				    m->ctstate & ((1U << i) - 1) ? "," : " ",
				    minifw_ct_names[i]);
	}
}

/*
 * As libxtables prints a host and its mask: no /32 or /128, a length for
 * a contiguous mask, an IPv4 one dotted otherwise
 */
static void minifw_ct_put_addr(struct minifw_buf *b, const char *opt, u8 family,
			       const union minifw_addr *a, const union minifw_addr *mask)
{
	int plen = 0, i;
	char text[48];

	if (family == MINIFW_FAM_IPV6) {
		/* IPv6 masks are lengths: always contiguous */
		for (i = 0; i < 4; i++)
			plen += hweight32((__force u32)mask->ip6[i]);
		minifw_fmt_ip6(text, sizeof(text), a);
	} else {
		const u8 *q = (const u8 *)&a->ip;

		plen = minifw_mask4_len(ntohl(mask->ip));
		scnprintf(text, sizeof(text), "%u.%u.%u.%u", q[0], q[1], q[2], q[3]);
	}
	if (plen == (family == MINIFW_FAM_IPV6 ? 128 : 32)) {
		minifw_put(b, "%s %s", opt, text);
	} else if (plen < 0) {
		const u8 *k = (const u8 *)&mask->ip;

		minifw_put(b, "%s %s/%u.%u.%u.%u", opt, text, k[0], k[1], k[2], k[3]);
	} else {
		minifw_put(b, "%s %s/%d", opt, text, plen);
	}
}

/* as libxt_conntrack saves it, in its order */
static void minifw_conntrack_print(struct minifw_buf *b, const struct minifw_rule *r,
				   const void *data)
{
	const struct minifw_conntrack *ct = data;
	const struct minifw_opt *o = minifw_conntrack_opts;
	unsigned int k;
	u16 f;

	/* no data: the rule's state is this match's; else if it has one */
	if (!ct || (ct->flags & XT_CONNTRACK_STATE))
		minifw_ct_put(b, &r->m, o[MINIFW_CT_OPT_STATE].name);
	if (!ct)
		return;
	f = ct->flags;
#define MINIFW_CT_NOT(bit) do { if (ct->inv & (bit)) minifw_put(b, "!"); } while (0)
	if (f & XT_CONNTRACK_PROTO) {
		MINIFW_CT_NOT(XT_CONNTRACK_PROTO);
		minifw_put(b, "%s %u", o[MINIFW_CT_OPT_PROTO].name, ct->proto);
	}
	for (k = 0; k < 4; k++) {
		if (!(f & (XT_CONNTRACK_ORIGSRC << k)))
			continue;
		MINIFW_CT_NOT(XT_CONNTRACK_ORIGSRC << k);
		minifw_ct_put_addr(b, o[MINIFW_CT_OPT_ORIGSRC + k].name, r->m.family,
				   &ct->addr[k], &ct->mask[k]);
	}
	for (k = 0; k < 4; k++) {
		const char *name = o[MINIFW_CT_OPT_ORIGSRCPORT + k].name;

		if (!(f & (XT_CONNTRACK_ORIGSRC_PORT << k)))
			continue;
		MINIFW_CT_NOT(XT_CONNTRACK_ORIGSRC_PORT << k);
		if (ct->port[k][0] == ct->port[k][1])
			minifw_put(b, "%s %u", name, ct->port[k][0]);
		else
			minifw_put(b, "%s %u:%u", name, ct->port[k][0], ct->port[k][1]);
	}
	if (f & XT_CONNTRACK_STATUS) {
		char list[48];
		size_t pos = 0;

		list[0] = '\0';
		for (k = 1; k < ARRAY_SIZE(minifw_ct_statuses); k++)
			if (ct->status & minifw_ct_statuses[k].bit)
				pos += scnprintf(list + pos, sizeof(list) - pos, "%s%s",
						 pos ? "," : "", minifw_ct_statuses[k].name);
		MINIFW_CT_NOT(XT_CONNTRACK_STATUS);
		minifw_put(b, "%s %s", o[MINIFW_CT_OPT_STATUS].name, pos ? list : "NONE");
	}
	if (f & XT_CONNTRACK_EXPIRES) {
		MINIFW_CT_NOT(XT_CONNTRACK_EXPIRES);
		if (ct->expires[0] == ct->expires[1])
			minifw_put(b, "%s %u", o[MINIFW_CT_OPT_EXPIRE].name, ct->expires[0]);
		else
			minifw_put(b, "%s %u:%u", o[MINIFW_CT_OPT_EXPIRE].name, ct->expires[0],
				   ct->expires[1]);
	}
#undef MINIFW_CT_NOT
	if (f & XT_CONNTRACK_DIRECTION)
		minifw_put(b, "%s %s", o[MINIFW_CT_OPT_DIR].name,
			   ct->inv & XT_CONNTRACK_DIRECTION ? "REPLY" : "ORIGINAL");
}

/* an address made the rule that address's family: no -4 or -6 listed */
static bool minifw_conntrack_lists_family(const struct minifw_rule *r, const void *data)
{
	const struct minifw_conntrack *ct = data;

	return ct && (ct->flags & (XT_CONNTRACK_ORIGSRC | XT_CONNTRACK_ORIGDST |
				   XT_CONNTRACK_REPLSRC | XT_CONNTRACK_REPLDST));
}

static void minifw_state_print(struct minifw_buf *b, const struct minifw_rule *r,
			       const void *data)
{
	minifw_ct_put(b, &r->m, "--state");
}

/* Is @a in @want/@mask? @family: the packet's */
static bool minifw_ct_addr_in(const union minifw_addr *a, const union minifw_addr *want,
			      const union minifw_addr *mask, u8 family)
{
	unsigned int i, n = family == MINIFW_FAM_IPV6 ? 4 : 1;

	for (i = 0; i < n; i++)
		if ((a->ip6[i] ^ want->ip6[i]) & mask->ip6[i])
			return false;
	return true;
}

/*
 * Packet path: the options but the state, which the walk tested, as
 * xt_conntrack's conntrack_mt() (revision 3) tests them.
 */
static int minifw_conntrack_match(const void *data, const struct minifw_pkt *p,
				  struct minifw_counter *c)
{
	const struct minifw_conntrack *ct = data;
	u16 f = ct->flags, inv = ct->inv;
	struct minifw_ct_view v;
	unsigned int k;
	bool in;

	if (!minifw_pkt_ct(p, &v))
		return f & XT_CONNTRACK_STATE ? MINIFW_MATCH : MINIFW_NOMATCH;
	if ((f & XT_CONNTRACK_DIRECTION) && v.reply != !!(inv & XT_CONNTRACK_DIRECTION))
		return MINIFW_NOMATCH;
	for (k = 0; k < 4; k++) {
		const struct minifw_ct_tuple *t = &v.t[k / 2];

		if (!(f & (XT_CONNTRACK_ORIGSRC << k)))
			continue;
		in = minifw_ct_addr_in(k % 2 ? &t->dst : &t->src, &ct->addr[k], &ct->mask[k],
				       p->family);
		if (in == !!(inv & (XT_CONNTRACK_ORIGSRC << k)))
			return MINIFW_NOMATCH;
	}
	in = v.proto == ct->proto;
	if ((f & XT_CONNTRACK_PROTO) && in == !!(inv & XT_CONNTRACK_PROTO))
		return MINIFW_NOMATCH;
	for (k = 0; k < 4; k++) {
		const struct minifw_ct_tuple *t = &v.t[k / 2];

		if (!(f & (XT_CONNTRACK_ORIGSRC_PORT << k)))
			continue;
		in = minifw_port_in(ct->port[k], k % 2 ? t->dport : t->sport);
		if (in == !!(inv & (XT_CONNTRACK_ORIGSRC_PORT << k)))
			return MINIFW_NOMATCH;
	}
	if ((f & XT_CONNTRACK_STATUS) &&
	    !!(ct->status & v.status) == !!(inv & XT_CONNTRACK_STATUS))
		return MINIFW_NOMATCH;
	if (f & XT_CONNTRACK_EXPIRES) {
		in = v.expires >= ct->expires[0] && v.expires <= ct->expires[1];
		if (in == !!(inv & XT_CONNTRACK_EXPIRES))
			return MINIFW_NOMATCH;
	}
	return MINIFW_MATCH;
}

const struct minifw_ext_ops minifw_xt_conntrack = {
	.name		= "conntrack",
	.size		= sizeof(struct minifw_conntrack),
	.reads		= MINIFW_SKIP_CT,
	.opts		= minifw_conntrack_opts,
	.parse		= minifw_conntrack_parse,
	.check		= minifw_conntrack_check,
	.needs_ct	= true,
	.kept		= minifw_conntrack_kept,
	.print		= minifw_conntrack_print,
	.lists_family	= minifw_conntrack_lists_family,
	.match		= minifw_conntrack_match,
};

const struct minifw_ext_ops minifw_xt_state = {
	.name		= "state",
	.reads		= MINIFW_SKIP_CT,
	.opts		= minifw_state_opts,
	.parse		= minifw_state_parse,
	.check		= minifw_ct_check,
	.needs_ct	= true,
	.print		= minifw_state_print,
};
