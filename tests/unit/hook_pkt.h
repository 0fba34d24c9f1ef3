/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the user-space tests: a packet as minifw_hook() fills it in for a
 * chain, which leaves out what no rule of the chain reads (struct
 * minifw_chain.skip) as its fresh packet has it, zero. A compiled chain
 * given such a packet must decide as the full packet is decided.
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
	}
	if (skip & MINIFW_SKIP_PROTO) {
		p->proto = 0;
		p->badhdr = false;
	}
	if (skip & MINIFW_SKIP_CT)
		p->ctstate = 0;
}

#endif /* MINIFW_HOOK_PKT_H */
