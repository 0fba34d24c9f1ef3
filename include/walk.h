/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: the packet path: what the matcher knows of a packet, and the
 * interface of walk.c.
 */
#ifndef MINIFW_WALK_H
#define MINIFW_WALK_H

#include <linux/if_packet.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include "rules.h"

/*
 * What the matcher needs to know of a packet; filled by the hook, but for
 * what the chain's skip (MINIFW_SKIP_*) leaves 0. A match on a new field
 * must also be known to minifw_chain_skip() (compile.c; an extension says
 * so in its .reads) and hook_pkt_skip() (tests/unit/hook_pkt.h).
 */
struct minifw_pkt {
	union minifw_addr saddr, daddr;	/* IPv4: only .ip is set */
	u8 family;		/* MINIFW_FAM_IPV4 or MINIFW_FAM_IPV6 */
	u8 proto;		/* IPv6: the header after the extension headers */
	bool badhdr;		/* IPv6: the extension headers could not be read */
	bool l4;		/* the whole transport header was read */
	bool ports;		/* TCP, UDP: at least the ports were read */
	__be16 sport, dport;	/* TCP, UDP: valid if ports */
	u8 icmp_type, icmp_code;	/* ICMP, ICMPv6: valid if l4 */
	u8 tcp_flags;		/* TCP: byte 13 of the header, valid if l4 */
	u8 ctstate;		/* one MINIFW_CT_* state, and SNAT, DNAT */
	/*
	 * Fragment offset, 0 for a first fragment or a whole packet; IPv4 in
	 * 8-byte units, IPv6 in bytes (as ip_tables and ip6_tables have it).
	 */
	u16 fragoff;
	/* where the transport header starts: valid unless a later fragment or MINIFW_SKIP_L4 */
	u32 thoff;
	u32 len;		/* bytes counted: the IP packet length */
	const char *in;		/* device names, "" if none */
	const char *out;
	const void *ctx;	/* the hook's: for minifw_log(), minifw_pkt_*() */
};

/*
 * struct minifw_chain.skip, what the hook leaves 0 in struct minifw_pkt:
 *   MINIFW_SKIP_L4     fragoff, l4, ports, sport, dport, icmp_type,
 *                      icmp_code, tcp_flags (the transport header read)
 *   MINIFW_SKIP_PROTO  IPv6: proto, badhdr (ipv6_find_hdr()); only ever
 *                      with MINIFW_SKIP_L4, whose offset it finds
 *   MINIFW_SKIP_CT     ctstate (the conntrack lookup)
 */
#define MINIFW_SKIP_L4		0x01
#define MINIFW_SKIP_PROTO	0x02
#define MINIFW_SKIP_CT		0x04

/* What a match says of a packet (a core match or an extension's .match). */
enum { MINIFW_NOMATCH, MINIFW_MATCH, MINIFW_HOTDROP };

/* Is @port (network order) in the inclusive host-order @range? */
static __always_inline bool minifw_port_in(const u16 *range, __be16 port)
{
	u16 p = ntohs(port);

	return p >= range[0] && p <= range[1];
}

/*
 * What -m conntrack reads of a packet's connection beyond its state
 * (minifw_pkt_ct()): the tuples of both directions, as the kernel keeps
 * them (the reply's after NAT), and the connection's status.
 */
struct minifw_ct_tuple {
	union minifw_addr src, dst;	/* IPv4: only .ip is set */
	__be16 sport, dport;		/* TCP, UDP, SCTP...: ports; else 0 or an id */
};

struct minifw_ct_view {
	struct minifw_ct_tuple t[2];	/* IP_CT_DIR_ORIGINAL, IP_CT_DIR_REPLY */
	u32 status;			/* IPS_* */
	u32 expires;			/* seconds left */
	u8 proto;			/* the transport protocol tracked */
	bool reply;			/* the packet goes the reply way */
};

/*
 * The extension headers an IPv6 packet has, as ip6t_ipv6header's MASK_*
 * (minifw_pkt_ip6_headers()).
 */
#define MINIFW_IP6H_HOP		0x80
#define MINIFW_IP6H_DST		0x40
#define MINIFW_IP6H_ROUTE	0x20
#define MINIFW_IP6H_FRAG	0x10
#define MINIFW_IP6H_AUTH	0x08
#define MINIFW_IP6H_ESP		0x04
#define MINIFW_IP6H_NONE	0x02
#define MINIFW_IP6H_PROTO	0x01	/* an upper-layer header after them */

/* What -m rt reads of an IPv6 routing header (minifw_pkt_rthdr()). */
struct minifw_rthdr {
	u32 len;		/* bytes, as ipv6_optlen() */
	u32 reserved;		/* the 4 bytes after segments left (type 0's reserved) */
	u8 type;
	u8 segsleft;
};

/*
 * What -m hbh and -m dst read of an IPv6 options header
 * (minifw_pkt_ip6_opts()): its length and its first options, walked as
 * ip6t_hbh walks them. An option is listed if its type and (but for Pad1,
 * type 0) its length byte are within the header; the walk stops after one
 * that runs past the header's end, which ip6t_hbh accepts only as the last
 * option a rule names.
 */
#define MINIFW_IP6OPTS_MAX	16	/* IP6T_OPTS_OPTSNR */

struct minifw_ip6opts {
	u32 len;			/* bytes, as ipv6_optlen() */
	u8 nopts;
	u8 type[MINIFW_IP6OPTS_MAX];
	u8 optlen[MINIFW_IP6OPTS_MAX];	/* data length; Pad1's: 0 */
};

/* What -m connbytes reads of conntrack's accounting (minifw_pkt_ct_acct()). */
struct minifw_ct_acct {
	u64 packets[2];		/* by direction: IP_CT_DIR_ORIGINAL, IP_CT_DIR_REPLY */
	u64 bytes[2];
};

/* -m helper: a conntrack helper's name, the NUL included (NF_CT_HELPER_NAME_LEN) */
#define MINIFW_HELPER_NAME_LEN	16

/* What -m owner reads of a packet's local socket (minifw_pkt_owner()). */
struct minifw_sock_owner {
	bool sock;		/* a full socket of this namespace, with a struct socket */
	bool file;		/* which has a file */
	bool suppl;		/* one of its supplementary groups is in the range asked */
	u32 uid, gid;		/* the file's filesystem ids, if file */
};

struct minifw_ruleset;

/* walk.c */
unsigned int minifw_chain_eval(const struct minifw_ruleset *rs, unsigned int chain,
			       const struct minifw_pkt *pkt);

/*
 * -j LOG: the owner of the packet path logs the packet (minifw.c; the
 * user-space tests have their own): @level 0-7, @flags NF_LOG_*, @prefix.
 */
void minifw_log(const struct minifw_pkt *pkt, u8 level, u8 flags, const char *prefix);

/* -j NFLOG's options, as struct xt_nflog_info has them (ext/NFLOG.c) */
struct minifw_nflog {
	u32 len;		/* bytes to copy (--nflog-size), 0: all */
	u16 group;		/* nfnetlink_log's group */
	u16 threshold;		/* packets nfnetlink_log queues before it sends */
	u8 copy_len;		/* --nflog-size, not --nflog-range: len applies */
	char prefix[64];	/* NF_LOG_PREFIXLEN, the NUL included */
	u8 pad[7];		/* explicit, so memcmp() sees only zeroes */
};

/*
 * -j NFLOG: the owner of the packet path hands the packet to
 * nfnetlink_log (minifw.c; the user-space tests count).
 */
void minifw_nflog(const struct minifw_pkt *pkt, const struct minifw_nflog *n);

/*
 * -j AUDIT: the owner of the packet path writes the packet's audit record
 * (minifw.c; the user-space tests count).
 */
void minifw_audit(const struct minifw_pkt *pkt);

/* -m addrtype on IPv6: the types the route lookup answers for */
#define MINIFW_ADDRTYPE6_ROUTED \
	(XT_ADDRTYPE_LOCAL | XT_ADDRTYPE_ANYCAST | XT_ADDRTYPE_UNREACHABLE)

/*
 * -m addrtype on IPv6, the part before the route lookup, as xt_addrtype:
 * each of MULTICAST, UNICAST and UNSPEC in @types is a condition the kind
 * of address (ipv6_addr_type()'s: @any is ::) must meet. Both owners of
 * the packet path use it.
 */
static inline bool minifw_addrtype6_kind(u16 types, bool any, bool multicast, bool unicast)
{
	if ((types & XT_ADDRTYPE_MULTICAST) && !multicast)
		return false;
	if ((types & XT_ADDRTYPE_UNICAST) && !unicast)
		return false;
	if ((types & XT_ADDRTYPE_UNSPEC) && !any)
		return false;
	return true;
}

/*
 * What some extensions read or change of a packet beyond struct
 * minifw_pkt, asked of the owner of the packet path, so that only rules
 * that need it pay for it: minifw.c reads the skb; in user space the
 * test's struct minifw_user_pkt, which pkt->ctx points to (or defaults:
 * mark 0, TTL 64, for this host).
 */
#ifdef __KERNEL__
u8 minifw_pkt_ttl(const struct minifw_pkt *p);
u8 minifw_pkt_ttl_seen(const struct minifw_pkt *p);	/* as before forwarding */
u8 minifw_pkt_dsfield(const struct minifw_pkt *p);	/* IPv4 TOS, IPv6 traffic class */
u8 minifw_pkt_type(const struct minifw_pkt *p);	/* PACKET_*, as xt_pkttype */
u32 minifw_pkt_mark(const struct minifw_pkt *p);
void minifw_pkt_set_mark(const struct minifw_pkt *p, u32 mark);
bool minifw_pkt_addrtype(const struct minifw_pkt *p, bool dst, u8 limit, u16 types);
bool minifw_pkt_ct(const struct minifw_pkt *p, struct minifw_ct_view *v);
bool minifw_pkt_ctmark(const struct minifw_pkt *p, u32 *mark);	/* false: no connection */
bool minifw_pkt_ct_acct(const struct minifw_pkt *p, struct minifw_ct_acct *a);	/* false: none */
bool minifw_pkt_ct_helper(const struct minifw_pkt *p, char *name);	/* false: none */
void minifw_pkt_set_ctmark(const struct minifw_pkt *p, u32 mark);
bool minifw_pkt_mac_source(const struct minifw_pkt *p, u8 *mac);
int minifw_pkt_rthdr(const struct minifw_pkt *p, struct minifw_rthdr *h);
int minifw_pkt_ip6_opts(const struct minifw_pkt *p, u8 type, struct minifw_ip6opts *o);
int minifw_pkt_tcp_mss(const struct minifw_pkt *p, u16 *mss);
void minifw_pkt_owner(const struct minifw_pkt *p, const u32 *sgid, struct minifw_sock_owner *o);
int minifw_pkt_l4_at(const struct minifw_pkt *p, u32 off, void *buf, u32 len);
int minifw_pkt_ip6_exthdr(const struct minifw_pkt *p, u8 type, void *buf, u32 len);
int minifw_pkt_ip6_headers(const struct minifw_pkt *p);
s64 minifw_pkt_time(const struct minifw_pkt *p, bool kerneltz);	/* seconds since 1970 */
bool minifw_pkt_physdev(const struct minifw_pkt *p, char *in, char *out);
struct minifw_nfacct;
struct minifw_nfacct *minifw_nfacct_get(const char *name, struct minifw_err *err);
void minifw_nfacct_put(struct minifw_nfacct *a);
bool minifw_pkt_nfacct(const struct minifw_pkt *p, struct minifw_nfacct *a);
struct ts_config;
bool minifw_pkt_find_text(const struct minifw_pkt *p, u16 from, u16 to, struct ts_config *conf);
struct minifw_conncount;
struct minifw_err;
struct minifw_conncount *minifw_conncount_new(u8 family, struct minifw_err *err);
void minifw_conncount_free(struct minifw_conncount *cc);
unsigned int minifw_pkt_conncount(const struct minifw_pkt *p, struct minifw_conncount *cc,
				  const union minifw_addr *mask, bool daddr);
#else
struct minifw_user_pkt {
	u32 mark;
	u8 ttl;			/* IPv4 TTL, IPv6 hop limit */
	u8 dsfield;		/* IPv4 TOS, IPv6 traffic class */
	u8 type;		/* PACKET_HOST ... */
	const struct minifw_ct_view *ct;	/* its connection, or NULL */
	u32 ctmark;		/* the connection's mark, if it has one */
	const struct minifw_ct_acct *acct;	/* its accounting, or NULL */
	const char *helper;	/* the helper of its master, or NULL */
	u8 mac[6];		/* Ethernet source, if has_mac */
	bool has_mac;
	const struct minifw_rthdr *rt;	/* its IPv6 routing header, or NULL */
	u8 mss_opt;		/* the TCP MSS option: MINIFW_USER_MSS_* */
	u16 mss;		/* its value, if MINIFW_USER_MSS_SET */
	struct minifw_sock_owner owner;	/* its local socket (.suppl unused) */
	u32 groups[4];		/* the socket's supplementary groups */
	u8 ngroups;
	u8 l4[8];		/* the transport header's first bytes */
	u8 l4len;		/* how many the packet has */
	bool has_ext;		/* an IPv6 extension header: */
	u8 ext_type;		/* its type (NEXTHDR_*) */
	u8 ext_len;		/* how many of its bytes the packet has */
	u8 ext[24];		/* its first bytes */
	int ip6_headers;	/* MINIFW_IP6H_*, or -errno; 0: as ext says */
	s64 now;		/* the time, in seconds since 1970 (UTC) */
	s32 tz_minuteswest;	/* the kernel's timezone (sys_tz), for --kerneltz */
	const u8 *bytes;	/* the packet from its IP header (-m string), or NULL */
	u16 nbytes;
	bool bridged;		/* with these bridge ports ("" for none): */
	const char *physin, *physout;
};

enum { MINIFW_USER_MSS_NONE, MINIFW_USER_MSS_SET, MINIFW_USER_MSS_BAD };

/* the TCP MSS option, as the test gave it */
static inline int minifw_pkt_tcp_mss(const struct minifw_pkt *p, u16 *mss)
{
	const struct minifw_user_pkt *u = p->ctx;

	if (!u || u->mss_opt == MINIFW_USER_MSS_NONE)
		return 0;
	if (u->mss_opt == MINIFW_USER_MSS_BAD)
		return -EBADMSG;
	*mss = u->mss;
	return 1;
}

/* -m string: is the pattern within [from, to) of the bytes the test gave? */
static inline bool minifw_pkt_find_text(const struct minifw_pkt *p, u16 from, u16 to,
					struct ts_config *conf)
{
	const struct minifw_user_pkt *u = p->ctx;
	u32 end = u && u->bytes ? min_t(u32, to, u->nbytes) : 0, i, k;

	for (i = from; i + conf->len <= end; i++) {
		for (k = 0; k < conf->len; k++)
			if ((conf->icase ? toupper(u->bytes[i + k]) : u->bytes[i + k]) !=
			    conf->pattern[k])
				break;
		if (k == conf->len)
			return true;
	}
	return false;
}

/*
 * -m nfacct's objects, a model of nfnetlink_acct: every name but
 * "missing" exists; "quota*" is over its quota from its third packet on
 */
struct minifw_nfacct {
	u64 pkts;
	bool quota;
};

static inline struct minifw_nfacct *minifw_nfacct_get(const char *name, struct minifw_err *err)
{
	struct minifw_nfacct *a;

	if (!strcmp(name, "missing"))
		return ERR_PTR(-ENOENT);
	a = calloc(1, sizeof(*a));
	if (!a)
		return ERR_PTR(-ENOMEM);
	a->quota = !strncmp(name, "quota", 5);
	return a;
}

static inline void minifw_nfacct_put(struct minifw_nfacct *a)
{
	free(a);
}

static inline bool minifw_pkt_nfacct(const struct minifw_pkt *p, struct minifw_nfacct *a)
{
	return ++a->pkts > 2 || !a->quota;
}

/* the bridge ports the test gave */
static inline bool minifw_pkt_physdev(const struct minifw_pkt *p, char *in, char *out)
{
	const struct minifw_user_pkt *u = p->ctx;

	if (!u || !u->bridged)
		return false;
	memset(in, 0, IFNAMSIZ);
	memset(out, 0, IFNAMSIZ);
	strncpy(in, u->physin ?: "", IFNAMSIZ - 1);
	strncpy(out, u->physout ?: "", IFNAMSIZ - 1);
	return true;
}

/*
 * -m connlimit's counts, a model of nf_conncount: the connections (their
 * original tuples) seen in each group; none ever closes.
 */
struct minifw_conncount {
	u32 n;
	struct {
		u32 key[4];
		u8 family;
		struct minifw_ct_tuple t;
	} e[64];
};

static inline struct minifw_conncount *minifw_conncount_new(u8 family, struct minifw_err *err)
{
	struct minifw_conncount *cc = calloc(1, sizeof(*cc));

	if (!cc)
		return ERR_PTR(-ENOMEM);
	return cc;
}

static inline void minifw_conncount_free(struct minifw_conncount *cc)
{
	free(cc);
}

/* the connections of the packet's group, its own counted in; 0: too many to count */
static inline unsigned int minifw_pkt_conncount(const struct minifw_pkt *p,
						struct minifw_conncount *cc,
						const union minifw_addr *mask, bool daddr)
{
	const struct minifw_user_pkt *u = p->ctx;
	const union minifw_addr *a = daddr ? &p->daddr : &p->saddr;
	struct minifw_ct_tuple t = { p->saddr, p->daddr, p->sport, p->dport };
	unsigned int i, n = 0;
	bool seen = false;
	u32 key[4] = { 0 };

	if (u && u->ct)
		t = u->ct->t[0];
	for (i = 0; i < (p->family == MINIFW_FAM_IPV6 ? 4U : 1U); i++)
		key[i] = a->ip6[i] & mask->ip6[i];
	for (i = 0; i < cc->n; i++) {
		if (cc->e[i].family != p->family || memcmp(cc->e[i].key, key, sizeof(key)))
			continue;
		n++;
		seen |= !memcmp(&cc->e[i].t, &t, sizeof(t));
	}
	if (seen)
		return n;
	if (cc->n == ARRAY_SIZE(cc->e))
		return 0;
	memcpy(cc->e[cc->n].key, key, sizeof(key));
	cc->e[cc->n].family = p->family;
	cc->e[cc->n++].t = t;
	return n + 1;
}

/*
 * the transport header's bytes the test gave: from its packet's bytes
 * ("l4hex="), or its first bytes ("l4=")
 */
static inline int minifw_pkt_l4_at(const struct minifw_pkt *p, u32 off, void *buf, u32 len)
{
	const struct minifw_user_pkt *u = p->ctx;

	if (u && u->bytes) {
		if (p->thoff + off + len > u->nbytes)
			return -EBADMSG;
		memcpy(buf, u->bytes + p->thoff + off, len);
		return 0;
	}
	if (!u || off + len > u->l4len)
		return -EBADMSG;
	memcpy(buf, u->l4 + off, len);
	return 0;
}

/* the IPv6 extension header the test gave, if of this type */
static inline int minifw_pkt_ip6_exthdr(const struct minifw_pkt *p, u8 type, void *buf, u32 len)
{
	const struct minifw_user_pkt *u = p->ctx;

	if (!u || !u->has_ext || u->ext_type != type)
		return -ENOENT;
	if (len > u->ext_len)
		return -EBADMSG;
	memcpy(buf, u->ext, len);
	return 0;
}

/* the options of ext, if it is of that type, walked as minifw.c walks them */
static inline int minifw_pkt_ip6_opts(const struct minifw_pkt *p, u8 type, struct minifw_ip6opts *o)
{
	const struct minifw_user_pkt *u = p->ctx;
	u32 off = 2;

	if (!u || !u->has_ext || u->ext_type != type)
		return -ENOENT;
	if (u->ext_len < 2 || (u->ext[1] + 1u) * 8 > u->ext_len)
		return -EBADMSG;
	o->len = (u->ext[1] + 1u) * 8;
	o->nopts = 0;
	while (o->nopts < MINIFW_IP6OPTS_MAX && off < o->len) {
		if (u->ext[off] && off + 1 >= o->len)
			break;
		o->type[o->nopts] = u->ext[off];
		o->optlen[o->nopts] = u->ext[off] ? u->ext[off + 1] : 0;
		off += u->ext[off] ? o->optlen[o->nopts] + 2u : 1u;
		o->nopts++;
	}
	return 0;
}

/* the extension headers, as the test gave them, or the one of ext */
static inline int minifw_pkt_ip6_headers(const struct minifw_pkt *p)
{
	const struct minifw_user_pkt *u = p->ctx;
	static const u8 bit[] = { [0] = MINIFW_IP6H_HOP, [43] = MINIFW_IP6H_ROUTE,
				  [44] = MINIFW_IP6H_FRAG, [51] = MINIFW_IP6H_AUTH,
				  [60] = MINIFW_IP6H_DST };

	if (u && u->ip6_headers)
		return u->ip6_headers;
	return MINIFW_IP6H_PROTO |
	       (u && u->has_ext && u->ext_type < sizeof(bit) ? bit[u->ext_type] : 0);
}

/* the time the test gave (UTC, or the test's kernel timezone's) */
static inline s64 minifw_pkt_time(const struct minifw_pkt *p, bool kerneltz)
{
	const struct minifw_user_pkt *u = p->ctx;

	if (!u)
		return 0;
	return u->now - (kerneltz ? 60 * (s64)u->tz_minuteswest : 0);
}

/* the packet's local socket, as the test gave it */
static inline void minifw_pkt_owner(const struct minifw_pkt *p, const u32 *sgid,
				    struct minifw_sock_owner *o)
{
	const struct minifw_user_pkt *u = p->ctx;
	unsigned int i;

	*o = u ? u->owner : (struct minifw_sock_owner){ 0 };
	o->suppl = false;
	for (i = 0; u && sgid && i < u->ngroups; i++)
		if (u->groups[i] >= sgid[0] && u->groups[i] <= sgid[1])
			o->suppl = true;
}

static inline u8 minifw_pkt_ttl(const struct minifw_pkt *p)
{
	const struct minifw_user_pkt *u = p->ctx;

	return u ? u->ttl : 64;
}

/* as minifw.c's: one more if forwarded (an output device, no socket) */
static inline u8 minifw_pkt_ttl_seen(const struct minifw_pkt *p)
{
	const struct minifw_user_pkt *u = p->ctx;

	return minifw_pkt_ttl(p) + (p->out[0] && !(u && u->owner.sock));
}

static inline u8 minifw_pkt_dsfield(const struct minifw_pkt *p)
{
	const struct minifw_user_pkt *u = p->ctx;

	return u ? u->dsfield : 0;
}

static inline u8 minifw_pkt_type(const struct minifw_pkt *p)
{
	const struct minifw_user_pkt *u = p->ctx;

	return u ? u->type : PACKET_HOST;
}

static inline u32 minifw_pkt_mark(const struct minifw_pkt *p)
{
	const struct minifw_user_pkt *u = p->ctx;

	return u ? u->mark : 0;
}

static inline void minifw_pkt_set_mark(const struct minifw_pkt *p, u32 mark)
{
	struct minifw_user_pkt *u = (struct minifw_user_pkt *)p->ctx;

	if (u)
		u->mark = mark;
}

/* the connection's mark, if the test gave the packet a connection */
static inline bool minifw_pkt_ctmark(const struct minifw_pkt *p, u32 *mark)
{
	const struct minifw_user_pkt *u = p->ctx;

	if (!u || !u->ct)
		return false;
	*mark = u->ctmark;
	return true;
}

/* the connection's accounting, if the test gave the packet both */
static inline bool minifw_pkt_ct_acct(const struct minifw_pkt *p, struct minifw_ct_acct *a)
{
	const struct minifw_user_pkt *u = p->ctx;

	if (!u || !u->ct || !u->acct)
		return false;
	*a = *u->acct;
	return true;
}

/* the helper of the connection's master, if the test gave the packet both */
static inline bool minifw_pkt_ct_helper(const struct minifw_pkt *p, char *name)
{
	const struct minifw_user_pkt *u = p->ctx;

	if (!u || !u->ct || !u->helper)
		return false;
	snprintf(name, MINIFW_HELPER_NAME_LEN, "%s", u->helper);
	return true;
}

static inline void minifw_pkt_set_ctmark(const struct minifw_pkt *p, u32 mark)
{
	struct minifw_user_pkt *u = (struct minifw_user_pkt *)p->ctx;

	if (u && u->ct)
		u->ctmark = mark;
}

/* the IPv6 routing header, if the test gave one */
static inline int minifw_pkt_rthdr(const struct minifw_pkt *p, struct minifw_rthdr *h)
{
	const struct minifw_user_pkt *u = p->ctx;

	if (!u || !u->rt)
		return -ENOENT;
	*h = *u->rt;
	return 0;
}

/* the Ethernet source address, if the test gave one */
static inline bool minifw_pkt_mac_source(const struct minifw_pkt *p, u8 *mac)
{
	const struct minifw_user_pkt *u = p->ctx;

	if (!u || !u->has_mac)
		return false;
	memcpy(mac, u->mac, sizeof(u->mac));
	return true;
}

/* the packet's connection, if the test gave it one */
static inline bool minifw_pkt_ct(const struct minifw_pkt *p, struct minifw_ct_view *v)
{
	const struct minifw_user_pkt *u = p->ctx;

	if (!u || !u->ct)
		return false;
	*v = *u->ct;
	return true;
}

/*
 * -m addrtype in user space: a host whose only local addresses are
 * loopback's, with no routes but to them. IPv4: 0.0.0.0/8 and
 * 255.255.255.255 BROADCAST, 224.0.0.0/4 MULTICAST, 127.0.0.0/8 LOCAL, the
 * rest UNICAST; IPv6 as xt_addrtype's conditions, :: UNSPEC, ff00::/8
 * MULTICAST, ::1 LOCAL and UNICAST, the rest UNICAST and unreachable.
 */
static inline bool minifw_pkt_addrtype(const struct minifw_pkt *p, bool dst, u8 limit,
				       u16 types)
{
	const union minifw_addr *a = dst ? &p->daddr : &p->saddr;
	u32 v4 = ntohl(a->ip);
	bool any, mc, lo;

	if (p->family == MINIFW_FAM_IPV4) {
		if ((v4 >> 24) == 0 || v4 == 0xffffffff)
			return types & XT_ADDRTYPE_BROADCAST;
		if ((v4 >> 28) == 0xe)
			return types & XT_ADDRTYPE_MULTICAST;
		return types & ((v4 >> 24) == 127 ? XT_ADDRTYPE_LOCAL : XT_ADDRTYPE_UNICAST);
	}
	any = !(a->ip6[0] | a->ip6[1] | a->ip6[2] | a->ip6[3]);
	mc = (ntohl(a->ip6[0]) >> 24) == 0xff;
	lo = !(a->ip6[0] | a->ip6[1] | a->ip6[2]) && a->ip6[3] == htonl(1);
	if (!minifw_addrtype6_kind(types, any, mc, !mc && !any))
		return false;
	if (types & MINIFW_ADDRTYPE6_ROUTED)
		return types & (lo ? XT_ADDRTYPE_LOCAL : XT_ADDRTYPE_UNREACHABLE);
	return true;
}
#endif

/* The transport header's first bytes, whatever its protocol (-m esp). */
static inline int minifw_pkt_l4_bytes(const struct minifw_pkt *p, void *buf, u32 len)
{
	return minifw_pkt_l4_at(p, 0, buf, len);
}

#endif /* MINIFW_WALK_H */
