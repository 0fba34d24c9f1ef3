#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Malformed packets, crafted with scapy in netns "peer", into the real
# PREROUTING hook: minifw and iptables (legacy, raw table, same hook) count
# each with the same rules, and must agree. See packets.py for the
# packets, the rules and how the two are kept apart.

load helpers

setup() {
	common_setup
	dmesg_mark
}

teardown() {
	iptables-legacy -t raw -F 2>/dev/null || true
	rmmod iptable_raw 2>/dev/null || true
	common_teardown
}

@test "malformed packets: minifw counts and drops them as iptables does, and nothing warns" {
	# no defragmentation in the way: fragments reach both as sent. (An
	# earlier state rule or nft notrack rule loaded nf_conntrack and its
	# defrag modules; nothing holds them now, so they unload.)
	unload_conntrack
	run grep -E '^nf_defrag_ipv4 ' /proc/modules
	assert_failure
	# one sender on one CPU, so the packets arrive in the order sent
	run taskset -c 0 python3 "$BATS_TEST_DIRNAME/packets.py" run
	echo "$output"
	assert_success
	# minifw and iptables agree on every packet and rule, except where
	# packets.py's KNOWN list says (printed above as "KNOWN DIFF" lines):
	# today, -m multiport on TCP/UDP headers cut after the ports
	assert_output --regexp ' 0 disagreements, [0-9]+ known'
	# and no non-first fragment matched a port rule (checked there too)
	refute_output --partial "UNEXPECTED"
	# nothing crashed, nothing warned
	run dmesg_new
	refute_output --regexp 'BUG|WARNING|Oops|general protection|Call Trace'
	# and the hook still works (echo requests only: the peer may still
	# answer some of the packets above with ICMP errors)
	fw "-F" "-A INPUT -p icmp --icmp-type echo-request -j DROP"
	peer_noreply 192.0.2.1
	assert_equal "$(pkts INPUT 1)" 1
}
