// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: a small iptables-compatible IPv4 firewall in one module.
 *
 * This file owns module init/exit, the parameters, the live ruleset and the
 * netfilter hooks. rules.c parses, prints and matches; proc.c serves
 * /proc/minifw/rules and /proc/minifw/stats.
 *
 * Hook priorities (lower runs first):
 *   PREROUTING  NF_IP_PRI_CONNTRACK_DEFRAG + 1 (-399): after reassembly
 *               (when conntrack's defrag is loaded), before the raw table,
 *               conntrack (-200) and routing, so blocked sources cost little.
 *   INPUT, FORWARD, OUTPUT  NF_IP_PRI_FILTER (0), where iptables' filter
 *               table sits.
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
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/nf_log.h>
#include <linux/ratelimit.h>
#include <linux/kmod.h>
#include <net/net_namespace.h>

#include "minifw.h"
#include "minifw_kernel.h"

static char *blocked_ips;
module_param(blocked_ips, charp, 0444);
MODULE_PARM_DESC(blocked_ips,
		 "Comma-separated IPv4 addresses or CIDRs whose packets are dropped, each loaded as the rule \"-A PREROUTING -s ADDR -j DROP\" (e.g. 192.0.2.7,198.51.100.0/24)");

module_param_named(max_rules, minifw_max_rules, uint, 0644);
MODULE_PARM_DESC(max_rules,
		 "Most rules all chains may hold together, and most commands one write may carry (default " __stringify(MINIFW_DEFAULT_MAX_RULES) ")");

/* Serialises every replacement of minifw_rules (edits, restores). */
DEFINE_MUTEX(minifw_lock);
struct minifw_ruleset __rcu *minifw_rules;	/* replaced under minifw_lock */

/*
 * -j LOG prints through the kernel's packet logger (nf_log_syslog, the one
 * iptables' LOG uses, so lines look the same). The first ruleset with a LOG
 * rule loads it and minifw holds it until unload.
 */
static bool minifw_logger_held;		/* under minifw_lock */

/* LOG lines are rate-limited: a flood must not flood the log too. */
static DEFINE_RATELIMIT_STATE(minifw_log_ratelimit, 5 * HZ, 50);

/* What the hook hands minifw_log() through struct minifw_pkt.ctx. */
struct minifw_hook_ctx {
	struct sk_buff *skb;
	const struct nf_hook_state *state;
};

/* Control path, under minifw_lock: make sure LOG rules can log. */
static int minifw_need_logger(const struct minifw_ruleset *rs, struct minifw_err *err)
{
	int ret;

	if (minifw_logger_held || !minifw_ruleset_has_target(rs, MINIFW_T_LOG))
		return 0;
	ret = nf_logger_find_get(NFPROTO_IPV4, NF_LOG_TYPE_LOG);
	if (ret) {
		/* not loaded yet: nf_log_syslog goes by this alias */
		request_module("nf-logger-%u-%u", NFPROTO_IPV4, NF_LOG_TYPE_LOG);
		ret = nf_logger_find_get(NFPROTO_IPV4, NF_LOG_TYPE_LOG);
	}
	if (ret) {
		scnprintf(err->msg, sizeof(err->msg),
			  "-j LOG needs the kernel's packet logger (nf_log_syslog): error %d", ret);
		return ret;
	}
	minifw_logger_held = true;
	return 0;
}

/**
 * minifw_log() - log a packet for a -j LOG rule
 * @r: the rule
 * @pkt: the packet; pkt->ctx is the hook's struct minifw_hook_ctx
 *
 * Context: packet path, RCU read side, bottom halves disabled.
 */
void minifw_log(const struct minifw_rule *r, const struct minifw_pkt *pkt)
{
	const struct minifw_hook_ctx *c = pkt->ctx;
	struct nf_loginfo li = {
		.type = NF_LOG_TYPE_LOG,
		.u.log.level = r->ext->log_level,
		.u.log.logflags = r->ext->log_flags,
	};

	if (!__ratelimit(&minifw_log_ratelimit))
		return;
	nf_log_packet(c->state->net, NFPROTO_IPV4, c->state->hook, c->skb,
		      c->state->in, c->state->out, &li, "%s", r->ext->log_prefix);
}

/* Name for a packet without an input or output device. */
static const char minifw_noname[IFNAMSIZ];

/*
 * Old rulesets are freed from a workqueue after a grace period, not from
 * the RCU callback: freeing a large ruleset (per-CPU counters of every rule)
 * is too much work for softirq context.
 */
static struct workqueue_struct *minifw_wq;

static void minifw_ruleset_free_work(struct work_struct *work)
{
	minifw_ruleset_put(container_of(to_rcu_work(work), struct minifw_ruleset, rwork));
}

/* Publish @rs; the old ruleset goes once no CPU can be walking it. */
static void minifw_publish(struct minifw_ruleset *rs)
{
	struct minifw_ruleset *old;

	old = rcu_replace_pointer(minifw_rules, rs, lockdep_is_held(&minifw_lock));
	INIT_RCU_WORK(&old->rwork, minifw_ruleset_free_work);
	queue_rcu_work(minifw_wq, &old->rwork);
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
	int ret;

	/*
	 * The commands were parsed outside the lock; applying them needs it,
	 * as they refer to the live ruleset ("-D INPUT 3").
	 */
	mutex_lock(&minifw_lock);
	rs = minifw_ruleset_edit(rcu_dereference_protected(minifw_rules,
							   lockdep_is_held(&minifw_lock)),
				 cmds, n, err);
	if (!IS_ERR(rs)) {
		ret = minifw_need_logger(rs, err);
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
 * Return: 0, or an error (the packet logger for LOG rules did not load).
 */
int minifw_commit_block(void *ctx, struct minifw_ruleset *rs,
			struct minifw_err *err)
{
	int ret;

	mutex_lock(&minifw_lock);
	minifw_ruleset_inherit_policies(rs, rcu_dereference_protected(minifw_rules,
								      lockdep_is_held(&minifw_lock)));
	ret = minifw_need_logger(rs, err);
	if (ret)
		minifw_ruleset_put(rs);
	else
		minifw_publish(rs);
	mutex_unlock(&minifw_lock);
	return ret;
}

/* Packet path: gather what the rules look at; never fails. */
static void minifw_fill_pkt(struct minifw_pkt *pkt, const struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	u8 buf[sizeof(struct tcphdr)];
	unsigned int need;
	const u8 *h;

	pkt->saddr = iph->saddr;
	pkt->daddr = iph->daddr;
	pkt->proto = iph->protocol;
	pkt->len = skb->len;
	pkt->fragoff = ntohs(iph->frag_off) & IP_OFFSET;
	pkt->l4 = false;
	pkt->in = state->in ? state->in->name : minifw_noname;
	pkt->out = state->out ? state->out->name : minifw_noname;
	if (pkt->fragoff)
		return;

	/*
	 * The whole transport header, as xt_tcp, xt_udp and xt_icmp insist
	 * on, or nothing (and rules that need it drop the packet). Ports and
	 * ICMP type/code are the first bytes of each.
	 */
	switch (pkt->proto) {
	case IPPROTO_TCP:
		need = sizeof(struct tcphdr);
		break;
	case IPPROTO_UDP:
		need = sizeof(struct udphdr);
		break;
	case IPPROTO_ICMP:
		need = sizeof(struct icmphdr);
		break;
	default:
		return;
	}
	h = skb_header_pointer(skb, ip_hdrlen(skb), need, buf);
	if (!h)
		return;
	pkt->l4 = true;
	if (pkt->proto == IPPROTO_ICMP) {
		pkt->icmp_type = h[0];
		pkt->icmp_code = h[1];
		return;
	}
	memcpy(&pkt->sport, h, sizeof(pkt->sport));
	memcpy(&pkt->dport, h + 2, sizeof(pkt->dport));
	if (pkt->proto == IPPROTO_TCP)
		pkt->tcp_flags = h[13];	/* the flags byte, as xt_tcp reads it */
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

/* Packet path: answer a rejected packet with the kernel's own helpers. */
static void minifw_reject(struct sk_buff *skb, const struct nf_hook_state *state,
			  unsigned int with)
{
	if (with == MINIFW_REJ_TCP_RESET)
		nf_send_reset(state->net, state->sk, skb, state->hook);
	else if (with < ARRAY_SIZE(minifw_reject_codes))
		nf_send_unreach(skb, minifw_reject_codes[with], state->hook);
}

/* Packet path, RCU read side (nf_hook_slow() holds it). */
static unsigned int minifw_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	const struct minifw_ruleset *rs = rcu_dereference(minifw_rules);
	struct minifw_hook_ctx ctx = { .skb = skb, .state = state };
	struct minifw_pkt pkt;
	unsigned int verdict;

	minifw_fill_pkt(&pkt, skb, state);
	pkt.ctx = &ctx;
	/* per-CPU counters: no softirq may preempt an update on this CPU */
	local_bh_disable();
	verdict = minifw_chain_eval(&rs->chain[(unsigned long)priv], &pkt);
	if (MINIFW_VERDICT_TARGET(verdict) == MINIFW_T_REJECT)
		minifw_reject(skb, state, MINIFW_VERDICT_ARG(verdict));
	local_bh_enable();
	return MINIFW_VERDICT_TARGET(verdict) == MINIFW_T_ACCEPT ? NF_ACCEPT : NF_DROP;
}

#define MINIFW_HOOK(_chain, _hooknum, _prio) {				\
	.hook		= minifw_hook,					\
	.pf		= NFPROTO_IPV4,					\
	.hooknum	= _hooknum,					\
	.priority	= _prio,					\
	.priv		= (void *)(unsigned long)(_chain),		\
}

static const struct nf_hook_ops minifw_hook_ops[] = {
	MINIFW_HOOK(MINIFW_PREROUTING, NF_INET_PRE_ROUTING, NF_IP_PRI_CONNTRACK_DEFRAG + 1),
	MINIFW_HOOK(MINIFW_INPUT, NF_INET_LOCAL_IN, NF_IP_PRI_FILTER),
	MINIFW_HOOK(MINIFW_FORWARD, NF_INET_FORWARD, NF_IP_PRI_FILTER),
	MINIFW_HOOK(MINIFW_OUTPUT, NF_INET_LOCAL_OUT, NF_IP_PRI_FILTER),
	MINIFW_HOOK(MINIFW_POSTROUTING, NF_INET_POST_ROUTING, NF_IP_PRI_FILTER),
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
		char line[64];
		struct minifw_cmd cmd;
		struct minifw_err err = {};

		entry = strim(entry);
		if (!*entry)
			continue;
		if (strspn(entry, "0123456789./") != strlen(entry) || strlen(entry) > 31) {
			pr_err("blocked_ips: bad entry \"%.32s\": not an IPv4 address or CIDR\n",
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
	int ret;

	minifw_wq = alloc_workqueue("minifw", 0, 0);
	if (!minifw_wq)
		return -ENOMEM;
	rs = minifw_ruleset_new();
	if (!rs) {
		ret = -ENOMEM;
		goto err_destroy_wq;
	}
	ret = minifw_load_blocked(rs);
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
err_unpublish:
	RCU_INIT_POINTER(minifw_rules, NULL);
	synchronize_rcu();
err_put_rules:
	minifw_ruleset_put(rs);
err_destroy_wq:
	destroy_workqueue(minifw_wq);
	return ret;
}

static void __exit minifw_exit(void)
{
	struct minifw_ruleset *rs;

	/* no reader or writer after this: open files are shut down here */
	minifw_proc_exit();
	/* no packet either (it waits for running hooks) */
	nf_unregister_net_hooks(&init_net, minifw_hook_ops, ARRAY_SIZE(minifw_hook_ops));
	rs = rcu_replace_pointer(minifw_rules, NULL, true);
	/* a hook that started before the unregistration may still read rs */
	synchronize_rcu();
	/* old rulesets queued by minifw_publish(): let them all be freed */
	rcu_barrier();
	destroy_workqueue(minifw_wq);
	minifw_ruleset_put(rs);
	if (minifw_logger_held)
		nf_logger_put(NFPROTO_IPV4, NF_LOG_TYPE_LOG);
	pr_info("unloaded\n");
}

module_init(minifw_init);
module_exit(minifw_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The minifw authors");
MODULE_DESCRIPTION("minifw: a small iptables-compatible IPv4 firewall configured through /proc/minifw");
MODULE_VERSION("0.1.0");
