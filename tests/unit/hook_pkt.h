/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the user-space tests: minifw_hook() leaves 0 in a packet what no rule
 * of the chain reads (struct minifw_chain.skip). hook_pkt_skip() clears
 * that much, and a little more than the hook (IPv4's protocol, IPv6's
 * fragment offset): a chain given the packet so cleared must decide as it
 * decides the whole packet.
 */
#ifndef MINIFW_HOOK_PKT_H
#define MINIFW_HOOK_PKT_H

#include "minifw.h"

static inline void hook_pkt_skip(struct minifw_pkt *p, u8 skip)
{
	if (skip & MINIFW_SKIP_L4) {
		p->fragoff = 0;
		p->l4 = false;
		p->ports = false;
		p->sport = 0;
		p->dport = 0;
		p->icmp_type = 0;
		p->icmp_code = 0;
		p->tcp_flags = 0;
		p->thoff = 0;
	}
	if (skip & MINIFW_SKIP_PROTO) {
		p->proto = 0;
		p->badhdr = false;
	}
	if (skip & MINIFW_SKIP_CT)
		p->ctstate = 0;
}

#endif /* MINIFW_HOOK_PKT_H */
