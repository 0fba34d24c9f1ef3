// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: a small iptables-compatible IPv4 and IPv6 firewall in one module.
 *
 * This file owns module init/exit, the parameters, the live ruleset and the
 * netfilter hooks. The rule engine (rules.c and the files it builds with,
 * see include/minifw.h) parses, prints, compiles and matches; proc.c serves
 * /proc/minifw/rules and /proc/minifw/stats.
 *
 * One ruleset serves both families, as an nftables "inet" table: the same
 * five chains hook IPv4 and IPv6 at the same places, and each rule says
 * which family it is for (or both). Hook priorities (lower runs first; the
 * IPv6 values are the same numbers):
 *   PREROUTING  NF_IP_PRI_CONNTRACK_DEFRAG + 1 (-399): after reassembly
 *               (when conntrack's defrag is loaded), before the raw table,
 *               conntrack (-200) and routing, so blocked sources cost little
 *               and take no conntrack entry. No connection state is known
 *               yet, so the parser refuses -m conntrack/state there.
 *   INPUT, FORWARD, OUTPUT  NF_IP_PRI_FILTER (0), where iptables' filter
 *               table sits: after conntrack, so every state is known.
 *   POSTROUTING NF_IP_PRI_FILTER (0): after mangle, before source NAT, so
 *               rules see the address the host itself chose.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/sctp.h>
#include <linux/dccp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/netfilter_bridge.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/dsfield.h>
#include <net/tcp.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <linux/cred.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_conntrack_extend.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_ecache.h>
#include <net/netfilter/nf_conntrack_count.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <linux/netfilter/nfnetlink_acct.h>
#include <net/netfilter/nf_log.h>
#include <linux/if_packet.h>
#include <linux/ratelimit.h>
#include <linux/kmod.h>
#include <linux/audit.h>
#include <net/net_namespace.h>

#include "minifw.h"
#include "ext.h"
#include "minifw_kernel.h"
#include "recent.h"
#include "ipset.h"
#include "ifname.h"

static char *blocked_ips;
module_param(blocked_ips, charp, 0444);
MODULE_PARM_DESC(blocked_ips,
		 "Comma-separated IPv4 or IPv6 addresses or prefixes whose packets are dropped, each loaded as the rule \"-A PREROUTING -s ADDR -j DROP\" (e.g. 192.0.2.7,198.51.100.0/24,2001:db8:bad::/48)");

module_param_named(max_rules, minifw_max_rules, uint, 0644);
MODULE_PARM_DESC(max_rules,
		 "Most rules all chains may hold together, and most commands one write may carry (default "
		 __stringify(MINIFW_DEFAULT_MAX_RULES) ")");

module_param_named(recent_list_tot, minifw_recent_list_tot, uint, 0444);
MODULE_PARM_DESC(recent_list_tot,
		 "Addresses each -m recent list holds, rounded up to a multiple of 8 (1 to "
		 __stringify(MINIFW_RECENT_LIST_TOT_MAX) ", default 100; xt_recent's ip_list_tot)");

/* Serialises every replacement of minifw_rules (edits, restores). */
DEFINE_MUTEX(minifw_lock);
struct minifw_ruleset __rcu *minifw_rules;	/* replaced under minifw_lock */

/*
 * -j LOG prints through the kernel's packet logger (nf_log_syslog, the one
 * iptables' and ip6tables' LOG use, so lines look the same), -j NFLOG
 * through its netlink logger (nfnetlink_log, as iptables' NFLOG). The
 * first ruleset with a rule of either loads its logger, and minifw holds
 * it until unload.
 */
static bool minifw_logger_held[NF_LOG_TYPE_MAX];	/* by type, under minifw_lock */

/*
 * -m conntrack/state need connection tracking, which runs in a namespace
 * only while someone asks for it (nf_ct_netns_get(), as xt_conntrack does
 * on rule insertion). minifw asks while the live ruleset has a state rule,
 * and takes nf_conntrack's functions with symbol_request(), so that a
 * ruleset without state rules neither loads nf_conntrack nor runs it.
 */
struct minifw_ct_ops {
	int (*get)(struct net *net, u8 nfproto);	/* nf_ct_netns_get() */
	void (*put)(struct net *net, u8 nfproto);	/* nf_ct_netns_put() */
};

static struct minifw_ct_ops minifw_ct;	/* under minifw_lock; .get set while held */

/*
 * -j REJECT answers with the kernel's own helpers, nf_reject_ipv4's and
 * nf_reject_ipv6's, as ipt_REJECT and ip6t_REJECT do. The first ruleset
 * with a REJECT rule takes them with symbol_request(), which loads those
 * modules (so a plain insmod of minifw needs nothing loaded first), and
 * minifw holds them until unload. Published with rcu_assign_pointer()
 * before that ruleset is: its packets find them.
 */
struct minifw_reject_ops {
	typeof(nf_send_reset) *reset;
	typeof(nf_send_unreach) *unreach;
	typeof(nf_send_reset6) *reset6;
	typeof(nf_send_unreach6) *unreach6;
};

static struct minifw_reject_ops minifw_reject_held;	/* under minifw_lock */
static const struct minifw_reject_ops __rcu *minifw_reject_live;

/* LOG lines are rate-limited: a flood must not flood the log too. */
static DEFINE_RATELIMIT_STATE(minifw_log_ratelimit, 5 * HZ, 50);

/*
 * What extensions read or change of the packet beyond struct minifw_pkt
 * (include/walk.h), from the skb the hook was given (pkt->ctx).
 */

/**
 * minifw_pkt_ttl() - the IPv4 time to live or the IPv6 hop limit
 * @p: the packet, as minifw_hook() filled it
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: the header's value; the hook's skb starts with the IP header.
 */
u8 minifw_pkt_ttl(const struct minifw_pkt *p)
{
	const struct minifw_hook_ctx *c = p->ctx;

	if (p->family == MINIFW_FAM_IPV6)
		return ipv6_hdr(c->skb)->hop_limit;
	return ip_hdr(c->skb)->ttl;
}

/**
 * minifw_pkt_ttl_seen() - the TTL or hop limit as the packet came, for
 * -m recent --rttl
 * @p: the packet, as minifw_hook() filled it
 *
 * As xt_recent: a packet on its way out (an output device) that no socket
 * of this namespace sent is forwarded, and lost one already.
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: the value.
 */
u8 minifw_pkt_ttl_seen(const struct minifw_pkt *p)
{
	const struct minifw_hook_ctx *c = p->ctx;
	const struct sock *sk = c->skb->sk;
	u8 ttl = minifw_pkt_ttl(p);

	if (c->state->out && (!sk || !net_eq(c->state->net, sock_net(sk))))
		ttl++;
	return ttl;
}

/**
 * minifw_pkt_dsfield() - the IPv4 TOS byte or the IPv6 traffic class
 * @p: the packet, as minifw_hook() filled it
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: the byte, DSCP in its upper six bits, ECN in the lower two.
 */
u8 minifw_pkt_dsfield(const struct minifw_pkt *p)
{
	const struct minifw_hook_ctx *c = p->ctx;

	if (p->family == MINIFW_FAM_IPV6)
		return ipv6_get_dsfield(ipv6_hdr(c->skb));
	return ipv4_get_dsfield(ip_hdr(c->skb));
}

/**
 * minifw_pkt_type() - the link-layer packet type, as xt_pkttype has it
 * @p: the packet, as minifw_hook() filled it
 *
 * A looped-back packet's type comes from its destination address.
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST or PACKET_OTHERHOST
 * (or the skb's own type).
 */
u8 minifw_pkt_type(const struct minifw_pkt *p)
{
	const struct minifw_hook_ctx *c = p->ctx;

	if (c->skb->pkt_type != PACKET_LOOPBACK)
		return c->skb->pkt_type;
	if (p->family == MINIFW_FAM_IPV6 || ipv4_is_multicast(p->daddr.ip))
		return PACKET_MULTICAST;
	return PACKET_BROADCAST;
}

/**
 * minifw_pkt_mark() - the packet's mark
 * @p: the packet, as minifw_hook() filled it
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: skb->mark.
 */
u32 minifw_pkt_mark(const struct minifw_pkt *p)
{
	const struct minifw_hook_ctx *c = p->ctx;

	return c->skb->mark;
}

/**
 * minifw_pkt_set_mark() - change the packet's mark (-j MARK)
 * @p: the packet, as minifw_hook() filled it
 * @mark: the new mark
 *
 * The hook owns the skb; the mark is metadata, not packet data, so no
 * copy or checksum is involved (as xt_MARK). Nothing re-routes the packet.
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 */
void minifw_pkt_set_mark(const struct minifw_pkt *p, u32 mark)
{
	const struct minifw_hook_ctx *c = p->ctx;

	c->skb->mark = mark;
}

/*
 * xt_addrtype's IPv6 route lookup (match_lookup_rt6()): which of LOCAL,
 * ANYCAST and UNREACHABLE the routing tables say @addr is, seen from @dev
 * if the rule limits it to one. The lookup is the kernel's own; like any
 * route lookup it may take a dst reference, released here, and may
 * allocate (GFP_ATOMIC) a route the cache lacks, as for xt_addrtype: the
 * kernel helper's allocation, not minifw's, as -j REJECT's reply is.
 */
static u16 minifw_addrtype_route6(struct net *net, const struct net_device *dev,
				  const struct in6_addr *addr, u16 types)
{
	struct flowi6 fl6 = { .daddr = *addr };
	struct dst_entry *dst;
	const struct rt6_info *rt;
	u16 ret = 0;

	if (dev)
		fl6.flowi6_oif = dev->ifindex;
	if (dev && (types & XT_ADDRTYPE_LOCAL) && nf_ipv6_chk_addr(net, addr, dev, true))
		ret = XT_ADDRTYPE_LOCAL;
	if (nf_ip6_route(net, &dst, flowi6_to_flowi(&fl6), false))
		return XT_ADDRTYPE_UNREACHABLE;
	rt = container_of(dst, struct rt6_info, dst);
	if (rt->rt6i_flags & RTF_REJECT)
		ret = XT_ADDRTYPE_UNREACHABLE;
	if (!dev && (rt->rt6i_flags & RTF_LOCAL))
		ret |= XT_ADDRTYPE_LOCAL;
	if (ipv6_anycast_destination(dst, addr))
		ret |= XT_ADDRTYPE_ANYCAST;
	dst_release(dst);
	return ret;
}

/**
 * minifw_pkt_addrtype() - is an address of the packet of one of these
 * types? (-m addrtype, as xt_addrtype revision 1)
 * @p: the packet, as minifw_hook() filled it
 * @dst: the destination address, else the source
 * @limit: XT_ADDRTYPE_LIMIT_IFACE_IN or _OUT to ask as seen from that
 *         device, or 0
 * @types: XT_ADDRTYPE_* bits (1 << RTN_*)
 *
 * IPv4: the type inet_dev_addr_type() gives the address (a lookup in the
 * local routing table) is one of @types. IPv6, as xt_addrtype: each of
 * MULTICAST, UNICAST and UNSPEC in @types is a condition ipv6_addr_type()
 * must meet, and with LOCAL, ANYCAST or UNREACHABLE in @types a route
 * lookup must say one of them.
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: true if it is.
 */
bool minifw_pkt_addrtype(const struct minifw_pkt *p, bool dst, u8 limit, u16 types)
{
	const struct minifw_hook_ctx *c = p->ctx;
	const struct nf_hook_state *st = c->state;
	const struct net_device *dev = NULL;
	struct in6_addr a6;
	unsigned int type;
	int t6;

	if (limit & XT_ADDRTYPE_LIMIT_IFACE_IN)
		dev = st->in;
	else if (limit & XT_ADDRTYPE_LIMIT_IFACE_OUT)
		dev = st->out;
	if (p->family == MINIFW_FAM_IPV4) {
		type = inet_dev_addr_type(st->net, dev, dst ? p->daddr.ip : p->saddr.ip);
		return type < 16 && (types & BIT(type));
	}
	memcpy(&a6, dst ? p->daddr.ip6 : p->saddr.ip6, sizeof(a6));
	t6 = ipv6_addr_type(&a6);
	if (!minifw_addrtype6_kind(types, t6 == IPV6_ADDR_ANY, t6 & IPV6_ADDR_MULTICAST,
				   t6 & IPV6_ADDR_UNICAST))
		return false;
	if (types & MINIFW_ADDRTYPE6_ROUTED)
		return types & minifw_addrtype_route6(st->net, dev, &a6, types);
	return true;
}

/* The packet's connection, or NULL (none, INVALID, UNTRACKED). */
static struct nf_conn *minifw_pkt_conn(const struct minifw_pkt *p)
{
	const struct minifw_hook_ctx *c = p->ctx;
	enum ip_conntrack_info ctinfo;

	return nf_ct_get(c->skb, &ctinfo);
}

/**
 * minifw_pkt_ct() - the packet's connection, as -m conntrack reads it
 * @p: the packet, as minifw_hook() filled it
 * @v: what xt_conntrack reads of the connection, out
 *
 * Only what nf_conntrack.h's inline helpers read (no symbol of
 * nf_conntrack is needed): the tuples, the status, the time left
 * (nf_ct_expires()), the direction of this packet.
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: false if the packet has no connection (INVALID, UNTRACKED).
 */
bool minifw_pkt_ct(const struct minifw_pkt *p, struct minifw_ct_view *v)
{
	const struct minifw_hook_ctx *c = p->ctx;
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(c->skb, &ctinfo);
	unsigned int d;

	if (!ct)
		return false;
	BUILD_BUG_ON(sizeof(v->t[0].src) != sizeof(ct->tuplehash[0].tuple.src.u3));
	for (d = 0; d < IP_CT_DIR_MAX; d++) {
		const struct nf_conntrack_tuple *t = &ct->tuplehash[d].tuple;

		memcpy(&v->t[d].src, &t->src.u3, sizeof(v->t[d].src));
		memcpy(&v->t[d].dst, &t->dst.u3, sizeof(v->t[d].dst));
		v->t[d].sport = t->src.u.all;
		v->t[d].dport = t->dst.u.all;
	}
	v->status = (u32)READ_ONCE(ct->status);
	v->expires = nf_ct_expires(ct) / HZ;
	v->proto = nf_ct_protonum(ct);
	v->reply = CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY;
	return true;
}

/*
 * nf_ct_ext_find() without a symbol of nf_conntrack (see minifw_ct). In
 * 6.1 the inline calls nf_conntrack's __nf_ct_ext_find(), which modules
 * cannot take with symbol_get() (it is not EXPORT_SYMBOL_GPL), to hide the
 * extensions of connections older than the last unload of a helper or
 * timeout policy (nf_ct_iterate_destroy()): they would point into the
 * unloaded module. minifw reads only what lives in the extension itself
 * (accounting's counters, the event bits) or what unload cleared (the
 * helper of a confirmed connection), so it reads them as 6.12 does: an
 * older connection's counts are still read.
 */
static void *minifw_ct_ext_find(const struct nf_conn *ct, u8 id)
{
	struct nf_ct_ext *ext = ct->ext;

	if (!ext || !__nf_ct_ext_exist(ext, id))
		return NULL;
	return (void *)ext + ext->offset[id];
}

/**
 * minifw_pkt_ct_acct() - what the packet's connection has carried so far,
 * this packet included (-m connbytes), as xt_connbytes reads it
 * @p: the packet, as minifw_hook() filled it
 * @a: packets and bytes by direction, out
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: false if the packet has no connection, or it has no accounting
 * (it began before accounting was switched on).
 */
bool minifw_pkt_ct_acct(const struct minifw_pkt *p, struct minifw_ct_acct *a)
{
	const struct nf_conn *ct = minifw_pkt_conn(p);
	const struct nf_conn_acct *acct;
	unsigned int d;

	if (!ct)
		return false;
	acct = minifw_ct_ext_find(ct, NF_CT_EXT_ACCT);
	if (!acct)
		return false;
	for (d = 0; d < IP_CT_DIR_MAX; d++) {
		a->packets[d] = atomic64_read(&acct->counter[d].packets);
		a->bytes[d] = atomic64_read(&acct->counter[d].bytes);
	}
	return true;
}

/**
 * minifw_pkt_ct_helper() - the conntrack helper that expected the packet's
 * connection (-m helper), as xt_helper finds it: its master's
 * @p: the packet, as minifw_hook() filled it
 * @name: the helper's name, MINIFW_HELPER_NAME_LEN bytes, out
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: false if the packet has no connection, it has no master, or the
 * master has no helper.
 */
bool minifw_pkt_ct_helper(const struct minifw_pkt *p, char *name)
{
	const struct nf_conn *ct = minifw_pkt_conn(p);
	const struct nf_conntrack_helper *helper;
	const struct nf_conn_help *help;

	BUILD_BUG_ON(MINIFW_HELPER_NAME_LEN != NF_CT_HELPER_NAME_LEN);
	/*
	 * A master not yet confirmed (never, in practice: helpers expect on
	 * later packets) could still point to a helper whose module is gone:
	 * 6.1 hides such extensions by their generation, which minifw
	 * cannot read (see minifw_ct_ext_find()).
	 */
	if (!ct || !ct->master || !nf_ct_is_confirmed(ct->master))
		return false;
	help = minifw_ct_ext_find(ct->master, NF_CT_EXT_HELPER);
	if (!help)
		return false;
	helper = rcu_dereference(help->helper);
	if (!helper)
		return false;
	strscpy(name, helper->name, MINIFW_HELPER_NAME_LEN);
	return true;
}

/**
 * minifw_pkt_time() - the time a packet is matched at (-m time), as xt_time
 * reads it: the real time, not the packet's stamp
 * @p: the packet (unused: the time is now's)
 * @kerneltz: in the kernel's timezone (sys_tz, as settimeofday() set it)
 *
 * Context: packet path.
 * Return: seconds since 1970-01-01 00:00:00 UTC, or of that timezone.
 */
s64 minifw_pkt_time(const struct minifw_pkt *p, bool kerneltz)
{
	s64 now = ktime_get_real_seconds();

	return kerneltz ? now - 60 * (s64)sys_tz.tz_minuteswest : now;
}

/**
 * minifw_pkt_ctmark() - the connection's mark (-m connmark, -j CONNMARK)
 * @p: the packet, as minifw_hook() filled it
 * @mark: the mark, out
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: false if the packet has no connection (INVALID, UNTRACKED).
 */
bool minifw_pkt_ctmark(const struct minifw_pkt *p, u32 *mark)
{
	const struct nf_conn *ct = minifw_pkt_conn(p);

	if (!ct)
		return false;
	*mark = READ_ONCE(ct->mark);
	return true;
}

/**
 * minifw_pkt_set_ctmark() - change the connection's mark (-j CONNMARK)
 * @p: the packet, as minifw_hook() filled it
 * @mark: the new mark
 *
 * As xt_CONNMARK: a new mark is an IPCT_MARK event, which ctnetlink's
 * listeners (conntrack -E) get after the packet. The event is cached as
 * nf_conntrack_event_cache() caches it, with minifw's own lookup of the
 * extension (minifw_ct_ext_find()).
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 */
void minifw_pkt_set_ctmark(const struct minifw_pkt *p, u32 mark)
{
	struct nf_conn *ct = minifw_pkt_conn(p);
#ifdef CONFIG_NF_CONNTRACK_EVENTS
	struct nf_conntrack_ecache *e;
#endif

	if (!ct || READ_ONCE(ct->mark) == mark)
		return;
	WRITE_ONCE(ct->mark, mark);
#ifdef CONFIG_NF_CONNTRACK_EVENTS
	if (!rcu_access_pointer(nf_ct_net(ct)->ct.nf_conntrack_event_cb))
		return;
	e = minifw_ct_ext_find(ct, NF_CT_EXT_ECACHE);
	if (e)
		set_bit(IPCT_MARK, &e->cache);
#endif
}

/**
 * minifw_pkt_mac_source() - the Ethernet source address (-m mac), as xt_mac
 * finds it
 * @p: the packet, as minifw_hook() filled it
 * @mac: 6 bytes, out
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: false if the packet has none (not received over Ethernet).
 */
bool minifw_pkt_mac_source(const struct minifw_pkt *p, u8 *mac)
{
	const struct minifw_hook_ctx *c = p->ctx;
	const struct sk_buff *skb = c->skb;

	if (!skb->dev || skb->dev->type != ARPHRD_ETHER)
		return false;
	if (!skb_mac_header_was_set(skb) || skb_mac_header_len(skb) < ETH_HLEN)
		return false;
	ether_addr_copy(mac, eth_hdr(skb)->h_source);
	return true;
}

/**
 * minifw_pkt_rthdr() - the IPv6 routing header (-m rt), as ip6t_rt reads it
 * @p: the packet, as minifw_hook() filled it
 * @h: what -m rt reads of it, out
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: 0; -ENOENT if the packet has none; another error if its headers
 * cannot be read or the routing header is cut short (the rule drops it).
 */
int minifw_pkt_rthdr(const struct minifw_pkt *p, struct minifw_rthdr *h)
{
	const struct minifw_hook_ctx *c = p->ctx;
	const struct sk_buff *skb = c->skb;
	struct ipv6_rt_hdr _rh;
	const struct ipv6_rt_hdr *rh;
	unsigned int ptr = 0;
	__be32 _res;
	const __be32 *res;
	int err;

	err = ipv6_find_hdr(skb, &ptr, NEXTHDR_ROUTING, NULL, NULL);
	if (err < 0)
		return err;
	rh = skb_header_pointer(skb, ptr, sizeof(_rh), &_rh);
	if (!rh)
		return -EBADMSG;
	h->len = ipv6_optlen(rh);
	if (skb->len - ptr < h->len)
		return -EBADMSG;
	h->type = rh->type;
	h->segsleft = rh->segments_left;
	/*
	 * The 4 bytes after segments left: type 0's reserved field. Within
	 * the h->len bytes checked above (at least 8), so never NULL; were
	 * it, ip6t_rt would drop the packet too.
	 */
	res = skb_header_pointer(skb, ptr + sizeof(*rh), sizeof(_res), &_res);
	if (!res)
		return -EBADMSG;
	h->reserved = (__force u32)*res;
	return 0;
}

/**
 * minifw_pkt_ip6_opts() - an IPv6 Hop-by-Hop or Destination Options header
 * (-m hbh, -m dst), found and walked as ip6t_hbh does
 * @p: the packet, as minifw_hook() filled it
 * @type: NEXTHDR_HOP or NEXTHDR_DEST
 * @o: its length and first options, out (struct minifw_ip6opts)
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: 0; -ENOENT if the packet has no such header; another error if
 * its headers cannot be read or this one is longer than the packet (the
 * rule drops it).
 */
int minifw_pkt_ip6_opts(const struct minifw_pkt *p, u8 type, struct minifw_ip6opts *o)
{
	const struct minifw_hook_ctx *c = p->ctx;
	const struct sk_buff *skb = c->skb;
	struct ipv6_opt_hdr _oh;
	const struct ipv6_opt_hdr *oh;
	unsigned int ptr = 0, off;
	u8 _tl[2];
	const u8 *tl;
	int err;

	err = ipv6_find_hdr(skb, &ptr, type, NULL, NULL);
	if (err < 0)
		return err;
	oh = skb_header_pointer(skb, ptr, sizeof(_oh), &_oh);
	if (!oh)
		return -EBADMSG;
	o->len = ipv6_optlen(oh);
	if (skb->len - ptr < o->len)
		return -EBADMSG;
	/*
	 * Each option's type and length byte (Pad1, type 0, has only the
	 * type); all within the o->len bytes checked above.
	 */
	o->nopts = 0;
	for (off = sizeof(*oh); o->nopts < MINIFW_IP6OPTS_MAX && off < o->len;) {
		tl = skb_header_pointer(skb, ptr + off, min(o->len - off, 2U), _tl);
		if (!tl || (tl[0] && off + 1 >= o->len))
			break;
		o->type[o->nopts] = tl[0];
		o->optlen[o->nopts] = tl[0] ? tl[1] : 0;
		off += tl[0] ? tl[1] + 2U : 1U;
		o->nopts++;
	}
	return 0;
}

/**
 * minifw_pkt_tcp_mss() - the MSS option of a TCP header (-m tcpmss), as
 * xt_tcpmss reads it
 * @p: the packet, as minifw_hook() filled it, with its TCP header read
 * @mss: the option's value, out
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: 1 and @mss; 0 if the header has no MSS option; -EBADMSG if its
 * length is malformed or its options are cut short (the rule drops it).
 */
int minifw_pkt_tcp_mss(const struct minifw_pkt *p, u16 *mss)
{
	const struct minifw_hook_ctx *c = p->ctx;
	u8 _th[sizeof(struct tcphdr)], _opt[15 * 4 - sizeof(struct tcphdr)];
	const struct tcphdr *th;
	unsigned int i, optlen;
	const u8 *op;

	th = skb_header_pointer(c->skb, p->thoff, sizeof(_th), _th);
	if (!th || th->doff * 4 < sizeof(*th))
		return -EBADMSG;
	optlen = th->doff * 4 - sizeof(*th);
	if (!optlen)
		return 0;
	op = skb_header_pointer(c->skb, p->thoff + sizeof(*th), optlen, _opt);
	if (!op)
		return -EBADMSG;
	for (i = 0; i < optlen; ) {
		if (op[i] == TCPOPT_MSS && optlen - i >= TCPOLEN_MSS && op[i + 1] == TCPOLEN_MSS) {
			*mss = (op[i + 2] << 8) | op[i + 3];
			return 1;
		}
		/* as xt_tcpmss: EOL and NOP are one byte, a length 0 steps one */
		if (op[i] < 2 || i == optlen - 1)
			i++;
		else
			i += op[i + 1] ?: 1;
	}
	return 0;
}

/**
 * minifw_pkt_owner() - the local socket a packet was sent from (-m owner),
 * as xt_owner's owner_mt() reads it
 * @p: the packet, as minifw_hook() filled it
 * @sgid: a range of group ids to look for among the supplementary groups
 *        (--suppl-groups), or NULL
 * @o: what was found, out
 *
 * Ids as the network namespace's user namespace sees them. The socket's
 * file is read under the socket's own sk_callback_lock, read side, as
 * xt_owner and the kernel's packet logger (--log-uid) read it: it keeps
 * the file from going while a close orphans the socket. No lock of
 * minifw's.
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 */
void minifw_pkt_owner(const struct minifw_pkt *p, const u32 *sgid, struct minifw_sock_owner *o)
{
	const struct minifw_hook_ctx *c = p->ctx;
	struct net *net = c->state->net;
	struct sock *sk = skb_to_full_sk(c->skb);
	const struct group_info *gi;
	const struct file *filp;
	const struct cred *cred;
	unsigned int i;
	u32 g;

	memset(o, 0, sizeof(*o));
	if (!sk || !sk->sk_socket || !net_eq(net, sock_net(sk)))
		return;
	o->sock = true;
	read_lock_bh(&sk->sk_callback_lock);
	filp = sk->sk_socket ? sk->sk_socket->file : NULL;
	if (filp) {
		cred = filp->f_cred;
		o->file = true;
		o->uid = from_kuid(net->user_ns, cred->fsuid);
		o->gid = from_kgid(net->user_ns, cred->fsgid);
		gi = cred->group_info;
		/* bounded by NGROUPS_MAX, as in xt_owner */
		for (i = 0; sgid && gi && i < gi->ngroups && !o->suppl; i++) {
			g = from_kgid(net->user_ns, gi->gid[i]);
			o->suppl = g >= sgid[0] && g <= sgid[1];
		}
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/**
 * minifw_pkt_l4_at() - bytes of the transport header, or after it (-m esp,
 * -m sctp's chunks), whatever the protocol
 * @p: the packet, as minifw_hook() filled it, not a later fragment
 * @off: where, from the start of the transport header
 * @buf: @len bytes, out
 * @len: how many
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: 0, or -EBADMSG if the packet is too short (the rule drops it).
 */
int minifw_pkt_l4_at(const struct minifw_pkt *p, u32 off, void *buf, u32 len)
{
	const struct minifw_hook_ctx *c = p->ctx;
	const void *h = skb_header_pointer(c->skb, p->thoff + off, len, buf);

	if (!h)
		return -EBADMSG;
	if (h != buf)
		memcpy(buf, h, len);
	return 0;
}

/*
 * -m connlimit: the kernel's nf_conncount (as xt_connlimit counts), taken
 * with symbol_get() when a first rule needs it, so that minifw does not
 * load it, nor nf_conntrack, until then. Its symbols are held while a
 * rule's counts live; a rule's counts are freed from minifw_wq (their
 * destructor sleeps), which minifw_exit() drains.
 */
/* minifw's work: old rulesets freed, -m connlimit's counts freed */
static struct workqueue_struct *minifw_wq;

struct minifw_conncount {
	struct work_struct free_work;
	struct nf_conncount_data *data[2];	/* IPv4's, IPv6's, or NULL */
	/* nf_conncount_count_skb(), held while these counts live */
	unsigned int (*count)(struct net *net, const struct sk_buff *skb, u16 l3num,
			      struct nf_conncount_data *data, const u32 *key);
};

static DEFINE_MUTEX(minifw_cc_lock);
/* nf_conncount's functions, as symbol_get() gives them */
static struct {
	unsigned int users;		/* counts made and not yet freed */
#ifdef MINIFW_CONNCOUNT_NO_FAMILY
	struct nf_conncount_data *(*init)(struct net *net, unsigned int keylen);
	void (*destroy)(struct net *net, struct nf_conncount_data *data);
#else
	struct nf_conncount_data *(*init)(struct net *net, unsigned int family,
					  unsigned int keylen);
	void (*destroy)(struct net *net, unsigned int family, struct nf_conncount_data *data);
#endif
	unsigned int (*count)(struct net *net, const struct sk_buff *skb, u16 l3num,
			      struct nf_conncount_data *data, const u32 *key);
} minifw_cc;

/* The key's bytes for each family, as xt_connlimit's: the address, the zone. */
static const unsigned int minifw_cc_keylen[2] = {
	sizeof(u32) + sizeof(struct in_addr), sizeof(u32) + sizeof(struct in6_addr),
};

static const u8 minifw_cc_family[2] = { NFPROTO_IPV4, NFPROTO_IPV6 };

/* nf_conncount_init() and _destroy() lost their family (Kbuild tells) */
#ifdef MINIFW_CONNCOUNT_NO_FAMILY
#define MINIFW_CC_INIT(f, keylen)	minifw_cc.init(&init_net, keylen)
#define MINIFW_CC_DESTROY(f, d)		minifw_cc.destroy(&init_net, d)
#else
#define MINIFW_CC_INIT(f, keylen)	minifw_cc.init(&init_net, f, keylen)
#define MINIFW_CC_DESTROY(f, d)		minifw_cc.destroy(&init_net, f, d)
#endif

/* Under minifw_cc_lock: the last user gone, nf_conncount's symbols go. */
static void minifw_cc_put_symbols(void)
{
	if (minifw_cc.users || !minifw_cc.init)
		return;
	symbol_put(nf_conncount_init);
	symbol_put(nf_conncount_destroy);
	symbol_put(nf_conncount_count_skb);
	minifw_cc.init = NULL;
	minifw_cc.destroy = NULL;
	minifw_cc.count = NULL;
}

static void minifw_conncount_free_work(struct work_struct *work)
{
	struct minifw_conncount *cc = container_of(work, struct minifw_conncount, free_work);
	unsigned int f;

	mutex_lock(&minifw_cc_lock);
	for (f = 0; f < 2; f++)
		if (cc->data[f])
			MINIFW_CC_DESTROY(minifw_cc_family[f], cc->data[f]);
	minifw_cc.users--;
	minifw_cc_put_symbols();
	mutex_unlock(&minifw_cc_lock);
	kfree(cc);
}

/**
 * minifw_conncount_new() - connection counts for a -m connlimit rule, as
 * xt_connlimit's checkentry makes them
 * @family: the rule's, MINIFW_FAM_ANY for both
 * @err: why not
 *
 * Context: control path, may sleep (loads nf_conncount and nf_conntrack).
 * Return: the counts, or an ERR_PTR() with @err.
 */
struct minifw_conncount *minifw_conncount_new(u8 family, struct minifw_err *err)
{
	struct minifw_conncount *cc = kzalloc(sizeof(*cc), GFP_KERNEL);
	unsigned int f;
	int ret = 0;

	if (!cc)
		return ERR_PTR(minifw_nomem(err));
	INIT_WORK(&cc->free_work, minifw_conncount_free_work);
	mutex_lock(&minifw_cc_lock);
	if (!minifw_cc.init) {
		request_module("nf_conncount");
		minifw_cc.init = symbol_get(nf_conncount_init);
		minifw_cc.destroy = symbol_get(nf_conncount_destroy);
		minifw_cc.count = symbol_get(nf_conncount_count_skb);
		if (!minifw_cc.init || !minifw_cc.destroy || !minifw_cc.count) {
			if (minifw_cc.init)
				symbol_put(nf_conncount_init);
			if (minifw_cc.destroy)
				symbol_put(nf_conncount_destroy);
			if (minifw_cc.count)
				symbol_put(nf_conncount_count_skb);
			minifw_cc.init = NULL;
			minifw_cc.destroy = NULL;
			minifw_cc.count = NULL;
			ret = minifw_fail(err, "-m connlimit: the kernel's nf_conncount cannot be loaded");
			goto out;
		}
	}
	for (f = 0; f < 2 && !ret; f++) {
		if (family == (f ? MINIFW_FAM_IPV4 : MINIFW_FAM_IPV6))
			continue;
		cc->data[f] = MINIFW_CC_INIT(minifw_cc_family[f], minifw_cc_keylen[f]);
		if (IS_ERR(cc->data[f])) {
			ret = minifw_fail(err, "-m connlimit: nf_conncount_init(): error %ld",
					  PTR_ERR(cc->data[f]));
			cc->data[f] = NULL;
		}
	}
	if (ret) {
		for (f = 0; f < 2; f++)
			if (cc->data[f])
				MINIFW_CC_DESTROY(minifw_cc_family[f], cc->data[f]);
		goto out;
	}
	minifw_cc.users++;
	cc->count = minifw_cc.count;
out:
	minifw_cc_put_symbols();
	mutex_unlock(&minifw_cc_lock);
	if (ret) {
		kfree(cc);
		return ERR_PTR(ret);
	}
	return cc;
}

/**
 * minifw_conncount_free() - free a rule's connection counts
 * @cc: from minifw_conncount_new()
 *
 * Context: control path; does not sleep (the counts go from minifw_wq).
 */
void minifw_conncount_free(struct minifw_conncount *cc)
{
	queue_work(minifw_wq, &cc->free_work);
}

/**
 * minifw_pkt_conncount() - the connections of the packet's group, its own
 * counted in, as xt_connlimit counts them
 * @p: the packet, as minifw_hook() filled it
 * @cc: the rule's counts
 * @mask: the group's address mask (IPv4 in .ip)
 * @daddr: grouped by destination address (else by source)
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: the number, or 0 if it cannot be counted (the rule drops the
 * packet, as xt_connlimit does).
 */
unsigned int minifw_pkt_conncount(const struct minifw_pkt *p, struct minifw_conncount *cc,
				  const union minifw_addr *mask, bool daddr)
{
	const struct minifw_hook_ctx *c = p->ctx;
	const struct nf_conntrack_zone *zone = &nf_ct_zone_dflt;
	const union minifw_addr *a = daddr ? &p->daddr : &p->saddr;
	const struct nf_conn *ct = minifw_pkt_conn(p);
	unsigned int i, f = p->family == MINIFW_FAM_IPV6;
	u32 key[5];

	if (ct)
		zone = nf_ct_zone(ct);
	for (i = 0; i < (f ? 4 : 1); i++)
		key[i] = (__force u32)(a->ip6[i] & mask->ip6[i]);
	key[i] = zone->id;
	return cc->count(&init_net, c->skb, minifw_cc_family[f], cc->data[f], key);
}

/**
 * minifw_pkt_physdev() - the bridge ports of a bridged packet (-m physdev),
 * as xt_physdev reads them
 * @p: the packet, as minifw_hook() filled it
 * @in: IFNAMSIZ bytes: the port it came in by, "" if none, out
 * @out: IFNAMSIZ bytes: the port it goes out of, "" if none (yet), out
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: false if the packet was not bridged (br_netfilter gave it no
 * bridge information); then @in and @out are not set.
 */
bool minifw_pkt_physdev(const struct minifw_pkt *p, char *in, char *out)
{
	const struct minifw_hook_ctx *c = p->ctx;
	const struct net_device *dev;

	if (!nf_bridge_info_exists(c->skb))
		return false;
	dev = nf_bridge_get_physindev(c->skb, c->state->net);
	if (dev)
		memcpy(in, dev->name, IFNAMSIZ);
	else
		in[0] = '\0';
	dev = nf_bridge_get_physoutdev(c->skb);
	if (dev)
		memcpy(out, dev->name, IFNAMSIZ);
	else
		out[0] = '\0';
	return true;
}

/*
 * -m nfacct: an accounting object of nfnetlink_acct (made with nfacct(8)),
 * held by a rule as xt_nfacct holds it; nfnetlink_acct's functions taken
 * with symbol_get(), so that nothing is loaded before a first rule.
 */
struct minifw_nfacct {
	struct nf_acct *acct;
	void (*update)(const struct sk_buff *skb, struct nf_acct *nfacct);
	int (*overquota)(struct net *net, struct nf_acct *nfacct);
	void (*put)(struct nf_acct *acct);
};

/**
 * minifw_nfacct_get() - the accounting object @name, held, as
 * xt_nfacct's checkentry takes it
 * @name: its name
 * @err: why not
 *
 * Context: control path, may sleep (loads nfnetlink_acct).
 * Return: the object, or an ERR_PTR(): -ENOENT if there is none of that
 * name, else with @err.
 */
struct minifw_nfacct *minifw_nfacct_get(const char *name, struct minifw_err *err)
{
	struct nf_acct *(*find)(struct net *net, const char *filter_name);
	struct minifw_nfacct *a = kzalloc(sizeof(*a), GFP_KERNEL);
	int ret;

	if (!a)
		return ERR_PTR(minifw_nomem(err));
	request_module("nfnetlink_acct");
	find = symbol_get(nfnl_acct_find_get);
	a->update = symbol_get(nfnl_acct_update);
	a->overquota = symbol_get(nfnl_acct_overquota);
	a->put = symbol_get(nfnl_acct_put);
	if (!find || !a->update || !a->overquota || !a->put) {
		ret = minifw_fail(err, "-m nfacct: the kernel's nfnetlink_acct cannot be loaded");
		goto fail;
	}
	a->acct = find(&init_net, name);
	if (!a->acct) {
		ret = -ENOENT;
		goto fail;
	}
	symbol_put(nfnl_acct_find_get);
	return a;
fail:
	if (find)
		symbol_put(nfnl_acct_find_get);
	if (a->update)
		symbol_put(nfnl_acct_update);
	if (a->overquota)
		symbol_put(nfnl_acct_overquota);
	if (a->put)
		symbol_put(nfnl_acct_put);
	kfree(a);
	return ERR_PTR(ret);
}

/**
 * minifw_nfacct_put() - let go of an accounting object
 * @a: from minifw_nfacct_get()
 *
 * Context: control path; does not sleep.
 */
void minifw_nfacct_put(struct minifw_nfacct *a)
{
	a->put(a->acct);
	symbol_put(nfnl_acct_update);
	symbol_put(nfnl_acct_overquota);
	symbol_put(nfnl_acct_put);
	kfree(a);
}

/**
 * minifw_pkt_nfacct() - count the packet in the object, as xt_nfacct does
 * @p: the packet, as minifw_hook() filled it
 * @a: the object
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: true if the object has a quota and the packet is over it (or
 * it has none: nfnl_acct_overquota()'s NFACCT_NO_QUOTA), as xt_nfacct.
 */
bool minifw_pkt_nfacct(const struct minifw_pkt *p, struct minifw_nfacct *a)
{
	const struct minifw_hook_ctx *c = p->ctx;

	a->update(c->skb, a->acct);
	return a->overquota(c->state->net, a->acct) != NFACCT_UNDERQUOTA;
}

/**
 * minifw_pkt_find_text() - is the pattern in the packet (-m string)?
 * @p: the packet, as minifw_hook() filled it
 * @from: the first offset from the IP header to search at
 * @to: the offset the pattern must end at or before
 * @conf: the search, prepared by textsearch_prepare()
 *
 * As xt_string searches, with skb_find_text(); the offsets are those of
 * the skb at the hook, where its data start at the IP header.
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: true if found.
 */
bool minifw_pkt_find_text(const struct minifw_pkt *p, u16 from, u16 to, struct ts_config *conf)
{
	const struct minifw_hook_ctx *c = p->ctx;

	return skb_find_text(c->skb, from, to, conf) != UINT_MAX;
}

/**
 * minifw_pkt_ip6_exthdr() - the first bytes of an IPv6 extension header
 * (-m frag), found as ip6_tables' matches find it (ipv6_find_hdr())
 * @p: the packet, as minifw_hook() filled it
 * @type: the header's protocol number (NEXTHDR_FRAGMENT ...)
 * @buf: @len bytes, out
 * @len: how many
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: 0; -ENOENT if the packet has no such header; another error if
 * its headers cannot be read or this one is cut short (the rule drops it).
 */
int minifw_pkt_ip6_exthdr(const struct minifw_pkt *p, u8 type, void *buf, u32 len)
{
	const struct minifw_hook_ctx *c = p->ctx;
	unsigned int ptr = 0;
	const void *h;
	int err;

	err = ipv6_find_hdr(c->skb, &ptr, type, NULL, NULL);
	if (err < 0)
		return err;
	h = skb_header_pointer(c->skb, ptr, len, buf);
	if (!h)
		return -EBADMSG;
	if (h != buf)
		memcpy(buf, h, len);
	return 0;
}

/**
 * minifw_pkt_ip6_headers() - the extension headers of an IPv6 packet
 * (-m ipv6header), walked as ip6t_ipv6header walks them
 * @p: the packet, as minifw_hook() filled it
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 * Return: MINIFW_IP6H_* of each header, MINIFW_IP6H_PROTO if an
 * upper-layer header follows them; -ENOENT if the chain ends too short
 * for one (no match), -EBADMSG if one cannot be read (the rule drops it).
 */
int minifw_pkt_ip6_headers(const struct minifw_pkt *p)
{
	const struct minifw_hook_ctx *c = p->ctx;
	const struct sk_buff *skb = c->skb;
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	unsigned int ptr = sizeof(struct ipv6hdr);
	int len = skb->len - ptr, hdrlen, seen = 0;
	const struct ipv6_opt_hdr *hp;
	struct ipv6_opt_hdr _hdr;

	while (nf_ip6_ext_hdr(nexthdr)) {
		if (nexthdr == NEXTHDR_NONE) {
			seen |= MINIFW_IP6H_NONE;
			break;
		}
		if (len < (int)sizeof(struct ipv6_opt_hdr))
			return -ENOENT;
		if (nexthdr == NEXTHDR_ESP) {
			seen |= MINIFW_IP6H_ESP;
			break;
		}
		hp = skb_header_pointer(skb, ptr, sizeof(_hdr), &_hdr);
		if (!hp)
			return -EBADMSG;
		switch (nexthdr) {
		case NEXTHDR_HOP:
			seen |= MINIFW_IP6H_HOP;
			hdrlen = ipv6_optlen(hp);
			break;
		case NEXTHDR_ROUTING:
			seen |= MINIFW_IP6H_ROUTE;
			hdrlen = ipv6_optlen(hp);
			break;
		case NEXTHDR_FRAGMENT:
			seen |= MINIFW_IP6H_FRAG;
			hdrlen = 8;
			break;
		case NEXTHDR_AUTH:
			seen |= MINIFW_IP6H_AUTH;
			hdrlen = ipv6_authlen(hp);
			break;
		case NEXTHDR_DEST:
			seen |= MINIFW_IP6H_DST;
			hdrlen = ipv6_optlen(hp);
			break;
		default:
			return -ENOENT;
		}
		nexthdr = hp->nexthdr;
		len -= hdrlen;
		ptr += hdrlen;
		if (ptr > skb->len)
			break;
	}
	if (nexthdr != NEXTHDR_NONE && nexthdr != NEXTHDR_ESP)
		seen |= MINIFW_IP6H_PROTO;
	return seen;
}

/* Control path: a reference to the packet logger of one family and type. */
static int minifw_logger_get(u8 pf, enum nf_log_type type)
{
	int ret = nf_logger_find_get(pf, type);

	if (ret) {
		/* not loaded yet: nf_log_syslog, nfnetlink_log go by this alias */
		request_module("nf-logger-%u-%u", pf, type);
		ret = nf_logger_find_get(pf, type);
	}
	return ret;
}

/*
 * Control path, under minifw_lock: make sure LOG rules (@type
 * NF_LOG_TYPE_LOG, nf_log_syslog) or NFLOG rules (NF_LOG_TYPE_ULOG,
 * nfnetlink_log) can log; held until unload once taken.
 */
static int minifw_need_logger(const struct minifw_ruleset *rs, enum nf_log_type type,
			      struct minifw_err *err)
{
	bool *held = &minifw_logger_held[type];
	int ret;

	if (*held || !minifw_ruleset_has_target(rs, type == NF_LOG_TYPE_LOG ? MINIFW_T_LOG :
						 MINIFW_T_NFLOG))
		return 0;
	ret = minifw_logger_get(NFPROTO_IPV4, type);
	if (!ret) {
		ret = minifw_logger_get(NFPROTO_IPV6, type);
		if (ret)
			nf_logger_put(NFPROTO_IPV4, type);
	}
	if (ret) {
		scnprintf(err->msg, sizeof(err->msg), type == NF_LOG_TYPE_LOG ?
			  "-j LOG needs the kernel's packet logger (nf_log_syslog): error %d" :
			  "-j NFLOG needs the kernel's netlink logger (nfnetlink_log): error %d",
			  ret);
		return ret;
	}
	*held = true;
	return 0;
}

/* Give back the REJECT helpers symbol_request() gave; NULLs are skipped. */
static void minifw_reject_put(void)
{
	struct minifw_reject_ops *o = &minifw_reject_held;

	if (o->reset)
		symbol_put(nf_send_reset);
	if (o->unreach)
		symbol_put(nf_send_unreach);
	if (o->reset6)
		symbol_put(nf_send_reset6);
	if (o->unreach6)
		symbol_put(nf_send_unreach6);
	memset(o, 0, sizeof(*o));
}

/*
 * Control path, under minifw_lock: make sure -j REJECT rules can answer;
 * held until unload once taken.
 */
static int minifw_need_reject(const struct minifw_ruleset *rs, struct minifw_err *err)
{
	struct minifw_reject_ops *o = &minifw_reject_held;

	if (o->reset || !minifw_ruleset_has_target(rs, MINIFW_T_REJECT))
		return 0;
	o->reset = symbol_request(nf_send_reset);
	o->unreach = symbol_request(nf_send_unreach);
	o->reset6 = symbol_request(nf_send_reset6);
	o->unreach6 = symbol_request(nf_send_unreach6);
	if (!o->reset || !o->unreach || !o->reset6 || !o->unreach6) {
		minifw_reject_put();
		scnprintf(err->msg, sizeof(err->msg),
			  "-j REJECT needs the kernel's REJECT helpers (nf_reject_ipv4, nf_reject_ipv6): error %d",
			  -ENOENT);
		return -ENOENT;
	}
	rcu_assign_pointer(minifw_reject_live, o);
	return 0;
}

/*
 * Control path, under minifw_lock: start connection tracking, taking the
 * functions of nf_conntrack minifw calls. Return: 0 or an error.
 */
static int minifw_get_conntrack(void)
{
	int ret;

	minifw_ct.get = symbol_request(nf_ct_netns_get);
	minifw_ct.put = symbol_request(nf_ct_netns_put);
	ret = minifw_ct.get && minifw_ct.put ? minifw_ct.get(&init_net, NFPROTO_INET) : -ENOENT;
	if (!ret)
		return 0;
	if (minifw_ct.get)
		symbol_put(nf_ct_netns_get);
	if (minifw_ct.put)
		symbol_put(nf_ct_netns_put);
	minifw_ct.get = NULL;
	minifw_ct.put = NULL;
	return ret;
}

/*
 * Control path, under minifw_lock: start connection tracking for a ruleset
 * with state rules, before it is published, so its first packet already
 * has a state; and its accounting for -m connbytes, as xt_connbytes does
 * (after nf_conntrack is loaded: loading sets it to its parameter).
 * Return: 0, or an error (rs is not to be published).
 */
static int minifw_need_conntrack(const struct minifw_ruleset *rs, struct minifw_err *err)
{
	int ret;

	if (!minifw_ruleset_has_ctstate(rs))
		return 0;
	if (!minifw_ct.get) {
		ret = minifw_get_conntrack();
		if (ret) {
			scnprintf(err->msg, sizeof(err->msg),
				  "-m conntrack/state need connection tracking (nf_conntrack): error %d",
				  ret);
			return ret;
		}
	}
	if (minifw_ruleset_has_match(rs, &minifw_xt_connbytes) && !nf_ct_acct_enabled(&init_net)) {
		pr_warn("-m connbytes: connection tracking accounting switched on (nf_conntrack_acct)\n");
		nf_ct_set_acct(&init_net, true);
	}
	return 0;
}

/*
 * Control path, under minifw_lock, after a publish: stop connection
 * tracking once no state rule is left. Packets still walking the old
 * ruleset only read the state conntrack already attached.
 */
static void minifw_drop_conntrack(const struct minifw_ruleset *rs)
{
	if (!minifw_ct.get || (rs && minifw_ruleset_has_ctstate(rs)))
		return;
	minifw_ct.put(&init_net, NFPROTO_INET);
	symbol_put(nf_ct_netns_get);
	symbol_put(nf_ct_netns_put);
	minifw_ct.get = NULL;
	minifw_ct.put = NULL;
}

/*
 * Control path, under minifw_lock: what @rs needs before it goes live,
 * besides its lookup tables (minifw_ruleset_compile(), done first: it
 * only allocates).
 */
static int minifw_prepare(const struct minifw_ruleset *rs, struct minifw_err *err)
{
	int ret;

	/* the lists last: once made, they are live */
	ret = minifw_need_logger(rs, NF_LOG_TYPE_LOG, err) ?:
	      minifw_need_logger(rs, NF_LOG_TYPE_ULOG, err) ?: minifw_need_reject(rs, err) ?:
	      minifw_need_conntrack(rs, err) ?:
	      minifw_ipset_sync(rs, err) ?: minifw_ext_tables_sync(rs, err);
	if (ret) {
		const struct minifw_ruleset *live;

		/* @rs does not go live: conntrack and sets as the live ruleset needs */
		live = rcu_dereference_protected(minifw_rules, lockdep_is_held(&minifw_lock));
		minifw_drop_conntrack(live);
		minifw_ipset_retire(live);
	}
	return ret;
}

/**
 * minifw_log() - log a packet for a -j LOG rule (ext/LOG.c)
 * @pkt: the packet; pkt->ctx is the hook's struct minifw_hook_ctx
 * @level: syslog level, 0-7
 * @flags: NF_LOG_* flags
 * @prefix: the rule's --log-prefix, or ""
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 */
void minifw_log(const struct minifw_pkt *pkt, u8 level, u8 flags, const char *prefix)
{
	const struct minifw_hook_ctx *c = pkt->ctx;
	struct nf_loginfo li = {
		.type = NF_LOG_TYPE_LOG,
		.u.log.level = level,
		.u.log.logflags = flags,
	};

	if (!__ratelimit(&minifw_log_ratelimit))
		return;
	nf_log_packet(c->state->net, c->state->pf, c->state->hook, c->skb,
		      c->state->in, c->state->out, &li, "%s", prefix);
}

/**
 * minifw_audit() - write a packet's audit record for a -j AUDIT rule, as
 * xt_AUDIT writes it: its mark, addresses and protocol (IPv6: after the
 * extension headers)
 * @pkt: the packet, as minifw_hook() filled it
 *
 * Nothing while auditing is off. The audit subsystem allocates the record
 * and limits how many it keeps (its rate and backlog limits).
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 */
void minifw_audit(const struct minifw_pkt *pkt)
{
#ifdef CONFIG_AUDIT
	const struct minifw_hook_ctx *c = pkt->ctx;
	const struct sk_buff *skb = c->skb;
	struct audit_buffer *ab;
	union {
		struct iphdr v4;
		struct ipv6hdr v6;
	} _h;
	const struct iphdr *ih;
	const struct ipv6hdr *ih6;
	__be16 frag_off;
	u8 nexthdr;

	if (audit_enabled == AUDIT_OFF)
		return;
	ab = audit_log_start(NULL, GFP_ATOMIC, AUDIT_NETFILTER_PKT);
	if (!ab)
		return;
	audit_log_format(ab, "mark=%#x", skb->mark);
	if (pkt->family == MINIFW_FAM_IPV4) {
		ih = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_h.v4), &_h.v4);
		if (ih)
			audit_log_format(ab, " saddr=%pI4 daddr=%pI4 proto=%hhu", &ih->saddr,
					 &ih->daddr, ih->protocol);
	} else {
		ih6 = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_h.v6), &_h.v6);
		if (ih6) {
			nexthdr = ih6->nexthdr;
			ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ih6), &nexthdr,
					 &frag_off);
			audit_log_format(ab, " saddr=%pI6c daddr=%pI6c proto=%hhu", &ih6->saddr,
					 &ih6->daddr, nexthdr);
		}
	}
	audit_log_end(ab);
#endif
}

/**
 * minifw_nflog() - hand a packet to nfnetlink_log for a -j NFLOG rule
 * (ext/NFLOG.c), as xt_NFLOG's nflog_tg()
 * @pkt: the packet; pkt->ctx is the hook's struct minifw_hook_ctx
 * @n: the rule's options
 *
 * Not rate-limited: nfnetlink_log queues to its group, and drops what the
 * group's reader does not take.
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 */
void minifw_nflog(const struct minifw_pkt *pkt, const struct minifw_nflog *n)
{
	const struct minifw_hook_ctx *c = pkt->ctx;
	struct nf_loginfo li = {
		.type = NF_LOG_TYPE_ULOG,
		.u.ulog.copy_len = n->len,
		.u.ulog.group = n->group,
		.u.ulog.qthreshold = n->threshold,
		.u.ulog.flags = n->copy_len ? NF_LOG_F_COPY_LEN : 0,
	};

	nf_log_packet(c->state->net, c->state->pf, c->state->hook, c->skb,
		      c->state->in, c->state->out, &li, "%s", n->prefix);
}

/* Name for a packet without an input or output device. */
static const char minifw_noname[IFNAMSIZ];

/*
 * Old rulesets are freed from a workqueue (minifw_wq) after a grace
 * period, not from the RCU callback: freeing a large ruleset (the counters
 * of every rule and their per-CPU blocks) is too much work for softirq
 * context.
 */
static void minifw_ruleset_free_work(struct work_struct *work)
{
	minifw_ruleset_put(container_of(to_rcu_work(work), struct minifw_ruleset, rwork));
}

/*
 * Publish @rs, which minifw_prepare() accepted; the old ruleset goes once
 * no CPU can be walking it.
 */
static void minifw_publish(struct minifw_ruleset *rs)
{
	struct minifw_ruleset *old;

	old = rcu_replace_pointer(minifw_rules, rs, lockdep_is_held(&minifw_lock));
	INIT_RCU_WORK(&old->rwork, minifw_ruleset_free_work);
	queue_rcu_work(minifw_wq, &old->rwork);
	minifw_drop_conntrack(rs);
	minifw_ext_tables_retire(rs);
	minifw_ipset_retire(rs);
}

/**
 * minifw_ruleset_get_live() - a reference to the live ruleset
 *
 * Context: control path; release with minifw_ruleset_put(). The listing
 * files read from this snapshot, so one listing never mixes two versions.
 * Return: the ruleset.
 */
struct minifw_ruleset *minifw_ruleset_get_live(void)
{
	struct minifw_ruleset *rs;

	rcu_read_lock();
	rs = rcu_dereference(minifw_rules);
	/* still published, so its reference cannot have dropped to zero */
	refcount_inc(&rs->ref);
	rcu_read_unlock();
	return rs;
}

/**
 * minifw_commit_cmds() - apply commands to the live ruleset, all or none
 * @ctx: unused
 * @cmds: parsed commands
 * @n: how many
 * @err: reason on failure
 *
 * Context: control path, may sleep, takes minifw_lock.
 * Return: 0, -EINVAL or -ENOMEM; the live ruleset is unchanged on failure.
 */
int minifw_commit_cmds(void *ctx, const struct minifw_cmd *cmds, u32 n,
		       struct minifw_err *err)
{
	struct minifw_ruleset *rs;
	bool checks = true;
	u32 i;
	int ret;

	/* -C changes nothing: a write of only those publishes nothing */
	for (i = 0; i < n; i++)
		checks &= cmds[i].op == MINIFW_OP_CHECK;
	/*
	 * The commands were parsed outside the lock; applying them needs it,
	 * as they refer to the live ruleset ("-D INPUT 3").
	 */
	mutex_lock(&minifw_lock);
	rs = minifw_ruleset_edit(rcu_dereference_protected(minifw_rules,
							   lockdep_is_held(&minifw_lock)),
				 cmds, n, err);
	if (!IS_ERR(rs) && checks) {
		minifw_ruleset_put(rs);
		ret = 0;
	} else if (!IS_ERR(rs)) {
		ret = minifw_ruleset_compile(rs, err) ?: minifw_prepare(rs, err);
		if (ret)
			minifw_ruleset_put(rs);
		else
			minifw_publish(rs);
	} else {
		ret = PTR_ERR(rs);
	}
	mutex_unlock(&minifw_lock);
	return ret;
}

/**
 * minifw_commit_block() - replace the live ruleset by a restore block's
 * @ctx: unused
 * @rs: the block's ruleset; taken over
 * @err: reason on failure
 *
 * Context: control path, may sleep, takes minifw_lock.
 * Return: 0, or an error (the packet logger for LOG rules or connection
 * tracking for state rules did not load).
 */
int minifw_commit_block(void *ctx, struct minifw_ruleset *rs,
			struct minifw_err *err)
{
	int ret;

	/* the block is ours alone: compile it before taking the lock */
	ret = minifw_ruleset_compile(rs, err);
	if (ret) {
		minifw_ruleset_put(rs);
		return ret;
	}
	mutex_lock(&minifw_lock);
	minifw_ruleset_inherit_policies(rs,
					rcu_dereference_protected(minifw_rules,
								  lockdep_is_held(&minifw_lock)));
	ret = minifw_prepare(rs, err);
	if (ret)
		minifw_ruleset_put(rs);
	else
		minifw_publish(rs);
	mutex_unlock(&minifw_lock);
	return ret;
}

/*
 * Packet path: the connection state as xt_conntrack sees it: the packet's
 * conntrack entry and its direction, untracked, or invalid (no entry).
 */
static u8 minifw_ctstate(const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;

	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
	u8 state;

	if (ct) {
		/* NEW, RELATED, ESTABLISHED; a reply counts as its original */
		switch (ctinfo % IP_CT_IS_REPLY) {
		case IP_CT_NEW:
			state = MINIFW_CT_NEW;
			break;
		case IP_CT_RELATED:
			state = MINIFW_CT_RELATED;
			break;
		default:
			state = MINIFW_CT_ESTABLISHED;
			break;
		}
		/* and what xt_conntrack adds: NAT was set up for it */
		if (test_bit(IPS_SRC_NAT_BIT, &ct->status))
			state |= MINIFW_CT_SNAT;
		if (test_bit(IPS_DST_NAT_BIT, &ct->status))
			state |= MINIFW_CT_DNAT;
		return state;
	}
	return ctinfo == IP_CT_UNTRACKED ? MINIFW_CT_UNTRACKED : MINIFW_CT_INVALID;
}

/*
 * Packet path: read the transport header at @thoff: the whole of it, as
 * xt_tcp, xt_udp, xt_icmp and ip6t_icmp6 insist on, or nothing (and rules
 * that need it drop the packet). Ports and ICMP type/code are the first
 * bytes of each.
 */
static void minifw_fill_l4(struct minifw_pkt *pkt, const struct sk_buff *skb,
			   unsigned int thoff)
{
	u8 buf[sizeof(struct tcphdr)];	/* the longest of the headers read */
	unsigned int need;
	const u8 *h;

	pkt->thoff = thoff;
	switch (pkt->proto) {
	case IPPROTO_TCP:
		need = sizeof(struct tcphdr);
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		need = sizeof(struct udphdr);
		break;
	case IPPROTO_SCTP:
		need = sizeof(struct sctphdr);	/* as xt_sctp reads it */
		break;
	case IPPROTO_DCCP:
		need = sizeof(struct dccp_hdr);	/* as xt_dccp reads it */
		break;
	case IPPROTO_ICMP:
		need = sizeof(struct icmphdr);
		break;
	case IPPROTO_ICMPV6:
		need = sizeof(struct icmp6hdr);
		break;
	default:
		return;
	}
	h = skb_header_pointer(skb, thoff, need, buf);
	if (!h) {
		/* -m multiport, as xt_multiport, reads just the two ports */
		if (pkt->proto != IPPROTO_ICMP && pkt->proto != IPPROTO_ICMPV6) {
			h = skb_header_pointer(skb, thoff, 4, buf);
			if (h) {
				memcpy(&pkt->sport, h, sizeof(pkt->sport));
				memcpy(&pkt->dport, h + 2, sizeof(pkt->dport));
				pkt->ports = true;
			}
		}
		return;
	}
	pkt->l4 = true;
	pkt->ports = true;
	if (pkt->proto == IPPROTO_ICMP || pkt->proto == IPPROTO_ICMPV6) {
		pkt->icmp_type = h[0];
		pkt->icmp_code = h[1];
		return;
	}
	memcpy(&pkt->sport, h, sizeof(pkt->sport));
	memcpy(&pkt->dport, h + 2, sizeof(pkt->dport));
	if (pkt->proto == IPPROTO_TCP)
		pkt->tcp_flags = h[13];	/* the flags byte, as xt_tcp reads it */
}

/*
 * Packet path: gather what the rules look at in an IPv4 packet, but not
 * what @skip (struct minifw_chain.skip) says no rule of the chain reads.
 */
static void minifw_fill_pkt4(struct minifw_pkt *pkt, const struct sk_buff *skb, u8 skip)
{
	const struct iphdr *iph = ip_hdr(skb);

	pkt->family = MINIFW_FAM_IPV4;
	pkt->saddr.ip = iph->saddr;
	pkt->daddr.ip = iph->daddr;
	pkt->proto = iph->protocol;
	if (skip & MINIFW_SKIP_L4)
		return;
	pkt->fragoff = ntohs(iph->frag_off) & IP_OFFSET;
	if (!pkt->fragoff)
		minifw_fill_l4(pkt, skb, ip_hdrlen(skb));
}

/*
 * Packet path: the same for IPv6. The protocol is the header after the
 * extension headers, found by ipv6_find_hdr() as ip6_tables finds it: for
 * a later fragment, the fragment header's next header, with the offset.
 */
static void minifw_fill_pkt6(struct minifw_pkt *pkt, const struct sk_buff *skb, u8 skip)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	unsigned int thoff = 0;
	unsigned short fragoff;
	int proto;

	pkt->family = MINIFW_FAM_IPV6;
	memcpy(pkt->saddr.ip6, &ip6h->saddr, sizeof(pkt->saddr.ip6));
	memcpy(pkt->daddr.ip6, &ip6h->daddr, sizeof(pkt->daddr.ip6));
	if (skip & MINIFW_SKIP_PROTO)
		return;
	proto = ipv6_find_hdr(skb, &thoff, -1, &fragoff, NULL);
	if (proto < 0) {
		pkt->badhdr = true;
		return;
	}
	pkt->proto = proto;
	pkt->fragoff = fragoff;
	if (!fragoff && !(skip & MINIFW_SKIP_L4))
		minifw_fill_l4(pkt, skb, thoff);
}

/* ICMP codes of --reject-with, as ipt_REJECT sends them */
static const u8 minifw_reject_codes[] = {
	[MINIFW_REJ_PORT_UNREACH]	= ICMP_PORT_UNREACH,
	[MINIFW_REJ_NET_UNREACH]	= ICMP_NET_UNREACH,
	[MINIFW_REJ_HOST_UNREACH]	= ICMP_HOST_UNREACH,
	[MINIFW_REJ_PROTO_UNREACH]	= ICMP_PROT_UNREACH,
	[MINIFW_REJ_NET_PROHIB]		= ICMP_NET_ANO,
	[MINIFW_REJ_HOST_PROHIB]	= ICMP_HOST_ANO,
	[MINIFW_REJ_ADMIN_PROHIB]	= ICMP_PKT_FILTERED,
};

/* ICMPv6 codes of --reject-with, as ip6t_REJECT sends them */
static const u8 minifw_reject6_codes[] = {
	[MINIFW_REJ_PORT_UNREACH]	= ICMPV6_PORT_UNREACH,
	[MINIFW_REJ_ADMIN_PROHIB]	= ICMPV6_ADM_PROHIBITED,
	[MINIFW_REJ_NOROUTE]		= ICMPV6_NOROUTE,
	[MINIFW_REJ_ADDR_UNREACH]	= ICMPV6_ADDR_UNREACH,
	[MINIFW_REJ_POLICY_FAIL]	= ICMPV6_POLICY_FAIL,
	[MINIFW_REJ_REJECT_ROUTE]	= ICMPV6_REJECT_ROUTE,
};

/*
 * Packet path: answer a rejected packet with the kernel's own helpers. The
 * parser lets only the types of the rule's family through (a rule for both
 * families has port-unreachable or tcp-reset).
 */
static void minifw_reject(struct sk_buff *skb, const struct nf_hook_state *state,
			  unsigned int with)
{
	/* taken before the first ruleset with a REJECT rule went live */
	const struct minifw_reject_ops *o = rcu_dereference(minifw_reject_live);

	if (unlikely(!o))
		return;
	if (state->pf == NFPROTO_IPV6) {
		if (with == MINIFW_REJ_TCP_RESET)
			o->reset6(state->net, state->sk, skb, state->hook);
		else if (with < ARRAY_SIZE(minifw_reject6_codes))
			o->unreach6(state->net, skb, minifw_reject6_codes[with], state->hook);
	} else if (with == MINIFW_REJ_TCP_RESET) {
		o->reset(state->net, state->sk, skb, state->hook);
	} else if (with < ARRAY_SIZE(minifw_reject_codes)) {
		o->unreach(skb, minifw_reject_codes[with], state->hook);
	}
}

/* Packet path, RCU read side (nf_hook_slow() holds it); both families. */
static unsigned int minifw_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	const struct minifw_ruleset *rs = rcu_dereference(minifw_rules);
	const struct minifw_chain *chain = &rs->chain[(unsigned long)priv];	/* a built-in one */
	struct minifw_hook_ctx ctx = { .skb = skb, .state = state };
	struct minifw_pkt pkt = {
		.len = skb->len,
		.in = state->in ? state->in->name : minifw_noname,
		.out = state->out ? state->out->name : minifw_noname,
		.ctx = &ctx,
	};
	unsigned int verdict;

	if (state->pf == NFPROTO_IPV6)
		minifw_fill_pkt6(&pkt, skb, chain->skip);
	else
		minifw_fill_pkt4(&pkt, skb, chain->skip);
	if (!(chain->skip & MINIFW_SKIP_CT))
		pkt.ctstate = minifw_ctstate(skb);
	/* per-CPU counters: no softirq may preempt an update on this CPU */
	local_bh_disable();
	verdict = minifw_chain_eval(rs, (unsigned long)priv, &pkt);
	if (MINIFW_VERDICT_TARGET(verdict) == MINIFW_T_REJECT)
		minifw_reject(skb, state, MINIFW_VERDICT_ARG(verdict));
	local_bh_enable();
	switch (MINIFW_VERDICT_TARGET(verdict)) {
	case MINIFW_T_ACCEPT:
		return NF_ACCEPT;
	case MINIFW_T_NFQUEUE:
		/* nf_hook_slow() queues it (nfnetlink_queue), or drops it, or bypasses */
		return NF_QUEUE_NR(MINIFW_VERDICT_ARG(verdict) & 0xffff) |
		       (MINIFW_VERDICT_ARG(verdict) & MINIFW_NFQUEUE_BYPASS ?
			NF_VERDICT_FLAG_QUEUE_BYPASS : 0);
	default:
		return NF_DROP;
	}
}

#define MINIFW_HOOK(_pf, _chain, _hooknum, _prio) {			\
	.hook		= minifw_hook,					\
	.pf		= _pf,						\
	.hooknum	= _hooknum,					\
	.priority	= _prio,					\
	.priv		= (void *)(unsigned long)(_chain),		\
}

static const struct nf_hook_ops minifw_hook_ops[] = {
	MINIFW_HOOK(NFPROTO_IPV4, MINIFW_PREROUTING, NF_INET_PRE_ROUTING,
		    NF_IP_PRI_CONNTRACK_DEFRAG + 1),
	MINIFW_HOOK(NFPROTO_IPV4, MINIFW_INPUT, NF_INET_LOCAL_IN, NF_IP_PRI_FILTER),
	MINIFW_HOOK(NFPROTO_IPV4, MINIFW_FORWARD, NF_INET_FORWARD, NF_IP_PRI_FILTER),
	MINIFW_HOOK(NFPROTO_IPV4, MINIFW_OUTPUT, NF_INET_LOCAL_OUT, NF_IP_PRI_FILTER),
	MINIFW_HOOK(NFPROTO_IPV4, MINIFW_POSTROUTING, NF_INET_POST_ROUTING, NF_IP_PRI_FILTER),
	MINIFW_HOOK(NFPROTO_IPV6, MINIFW_PREROUTING, NF_INET_PRE_ROUTING,
		    NF_IP6_PRI_CONNTRACK_DEFRAG + 1),
	MINIFW_HOOK(NFPROTO_IPV6, MINIFW_INPUT, NF_INET_LOCAL_IN, NF_IP6_PRI_FILTER),
	MINIFW_HOOK(NFPROTO_IPV6, MINIFW_FORWARD, NF_INET_FORWARD, NF_IP6_PRI_FILTER),
	MINIFW_HOOK(NFPROTO_IPV6, MINIFW_OUTPUT, NF_INET_LOCAL_OUT, NF_IP6_PRI_FILTER),
	MINIFW_HOOK(NFPROTO_IPV6, MINIFW_POSTROUTING, NF_INET_POST_ROUTING, NF_IP6_PRI_FILTER),
};

/*
 * blocked_ips: each entry becomes an ordinary rule, parsed by the same code
 * as a line written to /proc/minifw/rules. Only address characters are let
 * through, so an entry cannot smuggle in other options.
 */
static int __init minifw_load_blocked(struct minifw_ruleset *rs)
{
	char *list, *s, *entry;
	int ret = 0;

	if (!blocked_ips || !*blocked_ips)
		return 0;
	list = kstrdup(blocked_ips, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	s = list;
	while (!ret && (entry = strsep(&s, ",")) != NULL) {
		char line[80];
		struct minifw_cmd cmd;
		struct minifw_err err = {};

		entry = strim(entry);
		if (!*entry)
			continue;
		if (strspn(entry, "0123456789abcdefABCDEF:./") != strlen(entry) ||
		    strlen(entry) > 49) {
			pr_err("blocked_ips: bad entry \"%.50s\": not an IPv4 or IPv6 address or prefix\n",
			       entry);
			ret = -EINVAL;
			break;
		}
		snprintf(line, sizeof(line), "-A PREROUTING -s %s -j DROP", entry);
		ret = minifw_parse_line(line, &cmd, &err);
		if (!ret) {
			ret = minifw_ruleset_apply(rs, &cmd, &err);
			minifw_cmd_free(&cmd);
		}
		if (ret)
			pr_err("blocked_ips: bad entry \"%s\": %s\n", entry, err.msg);
	}
	kfree(list);
	return ret;
}

static int __init minifw_init(void)
{
	struct minifw_ruleset *rs;
	struct minifw_err err;
	int ret;

	if (!minifw_recent_list_tot || minifw_recent_list_tot > MINIFW_RECENT_LIST_TOT_MAX) {
		pr_err("recent_list_tot: %u is not in 1-%u\n", minifw_recent_list_tot,
		       MINIFW_RECENT_LIST_TOT_MAX);
		return -EINVAL;
	}
	minifw_wq = alloc_workqueue("minifw", 0, 0);
	if (!minifw_wq)
		return -ENOMEM;
	rs = minifw_ruleset_new();
	if (!rs) {
		ret = -ENOMEM;
		goto err_destroy_wq;
	}
	ret = minifw_load_blocked(rs);
	if (!ret) {
		ret = minifw_ruleset_compile(rs, &err);
		if (ret)
			pr_err("blocked_ips: %s\n", err.msg);
	}
	if (ret)
		goto err_put_rules;
	RCU_INIT_POINTER(minifw_rules, rs);

	/* hooks first: once the proc files exist, writers may swap rulesets */
	ret = nf_register_net_hooks(&init_net, minifw_hook_ops,
				    ARRAY_SIZE(minifw_hook_ops));
	if (ret)
		goto err_unpublish;
	ret = minifw_proc_init();
	if (ret)
		goto err_unregister_hooks;
	pr_info("loaded, %u rules\n", minifw_ruleset_count(rs));
	return 0;

err_unregister_hooks:
	nf_unregister_net_hooks(&init_net, minifw_hook_ops, ARRAY_SIZE(minifw_hook_ops));
	/* see minifw_exit(): hooks already running may still read the ruleset */
	synchronize_net();
err_unpublish:
	RCU_INIT_POINTER(minifw_rules, NULL);
err_put_rules:
	minifw_ruleset_put(rs);
err_destroy_wq:
	destroy_workqueue(minifw_wq);
	minifw_ifname_exit();
	return ret;
}

static void __exit minifw_exit(void)
{
	struct minifw_ruleset *rs;
	unsigned int type;

	/* no writer after this: open rules files are shut down here */
	minifw_proc_exit_rules();
	/*
	 * No new packet after this, but nf_unregister_net_hooks() does not
	 * wait for the hooks already running (it swaps in a dummy and frees
	 * the old hook array after a grace period): wait for them, as they
	 * read minifw_rules and run this module's code.
	 */
	nf_unregister_net_hooks(&init_net, minifw_hook_ops, ARRAY_SIZE(minifw_hook_ops));
	synchronize_net();
	/* no packet and no writer: the lists and tables go, and the sets */
	mutex_lock(&minifw_lock);
	minifw_ext_tables_retire(NULL);
	minifw_ipset_retire(NULL);
	mutex_unlock(&minifw_lock);
	/* no reader after this */
	minifw_proc_exit();
	rs = rcu_replace_pointer(minifw_rules, NULL, true);
	/* old rulesets queued by minifw_publish(): let them all be freed */
	rcu_barrier();
	/* the last ruleset before the queue goes: its rules may queue work there */
	minifw_ruleset_put(rs);
	destroy_workqueue(minifw_wq);
	/* no rule is left to name an interface */
	minifw_ifname_exit();
	mutex_lock(&minifw_lock);
	minifw_drop_conntrack(NULL);
	/* no packet in the hooks: they were unregistered and waited for */
	RCU_INIT_POINTER(minifw_reject_live, NULL);
	minifw_reject_put();
	mutex_unlock(&minifw_lock);
	for (type = 0; type < NF_LOG_TYPE_MAX; type++) {
		if (minifw_logger_held[type]) {
			nf_logger_put(NFPROTO_IPV4, type);
			nf_logger_put(NFPROTO_IPV6, type);
		}
	}
	pr_info("unloaded\n");
}

module_init(minifw_init);
module_exit(minifw_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The minifw authors");
MODULE_DESCRIPTION("minifw: a small iptables-compatible IPv4 and IPv6 firewall configured through /proc/minifw");
MODULE_VERSION("0.1.0");
