#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Every command on real traffic: -A -I -D -R -F -P -Z.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "-A appends; first match wins" {
	fw "-A INPUT -p icmp -j ACCEPT"
	fw "-A INPUT -p icmp -j DROP"
	peer_ping 192.0.2.1
	assert_equal "$(pkts INPUT 1)" 1
	assert_equal "$(pkts INPUT 2)" 0
}

@test "-I inserts at the top by default and at a position" {
	fw "-A INPUT -p icmp -j ACCEPT"
	fw "-I INPUT -p icmp -j DROP"
	peer_noreply 192.0.2.1
	fw "-I INPUT 2 -s 192.0.2.2/32"
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p icmp -j DROP
-A INPUT -s 192.0.2.2/32
-A INPUT -p icmp -j ACCEPT"
	fw "-I INPUT 4 -d 192.0.2.1/32 -j ACCEPT"
	run grep -c -- '^-A INPUT' "$RULES"
	assert_output 4
}

@test "-D by number and by rule text" {
	fw "-A INPUT -p icmp -j DROP" "-A INPUT -s 192.0.2.7/32 -j DROP" "-A INPUT -p tcp -j DROP"
	peer_noreply 192.0.2.1
	fw "-D INPUT 1"
	peer_ping 192.0.2.1
	peer_noreply -I 192.0.2.7 192.0.2.1
	# by text, written differently from the listing but the same rule
	fw "-D INPUT -s 192.0.2.7 -j DROP"
	peer_ping -I 192.0.2.7 192.0.2.1
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p tcp -j DROP"
}

@test "-R replaces a rule in place" {
	fw "-A INPUT -s 203.0.113.9/32 -j ACCEPT" "-A INPUT -p icmp -j DROP"
	peer_noreply 192.0.2.1
	fw "-R INPUT 2 -p icmp -j ACCEPT"
	peer_ping 192.0.2.1
	assert_equal "$(pkts INPUT 2)" 1
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -s 203.0.113.9/32 -j ACCEPT
-A INPUT -p icmp -j ACCEPT"
}

@test "-F flushes one chain or all, policies stay" {
	fw "-P FORWARD DROP" "-A INPUT -p icmp -j DROP" "-A OUTPUT -p icmp -j DROP" "-A FORWARD -p tcp"
	fw "-F INPUT"
	run grep -c -- '^-A' "$RULES"
	assert_output 2
	fw "-F"
	run grep -c -- '^-A' "$RULES"
	assert_output 0
	peer_ping 192.0.2.1
	run grep '^:FORWARD' "$RULES"
	assert_output --regexp '^:FORWARD DROP '
}

@test "-P sets a chain policy; its counters count what no rule decided" {
	fw "-P INPUT DROP"
	run ! ip netns exec peer ping -c3 -i0.2 -W1 -q 192.0.2.1
	assert_equal "$(pkts INPUT policy)" 3
	assert_equal "$(bytes INPUT policy)" 252
	fw "-A INPUT -s 192.0.2.2 -p icmp -j ACCEPT"
	peer_ping 192.0.2.1
	assert_equal "$(pkts INPUT policy)" 3
	fw "-P INPUT ACCEPT" "-F INPUT"
	peer_ping -I 192.0.2.7 192.0.2.1
	assert_equal "$(pkts INPUT policy)" 4
}

@test "-P FORWARD DROP stops forwarding; rules open it again" {
	NS=peer tcp_server far 8080
	NS=peer run tcp_ok 203.0.113.2 8080
	assert_output hi
	fw "-P FORWARD DROP"
	NS=peer tcp_blocked 203.0.113.2 8080
	fw "-A FORWARD -i mfw0 -o mfw1 -p tcp --dport 8080 -j ACCEPT" \
	   "-A FORWARD -i mfw1 -o mfw0 -p tcp --sport 8080 -j ACCEPT"
	NS=peer run tcp_ok 203.0.113.2 8080
	assert_output hi
}

@test "-Z zeroes counters: all, one chain, one rule" {
	fw "-A INPUT -p icmp" "-A INPUT -s 192.0.2.2" "-A OUTPUT -p icmp"
	ip netns exec peer ping -c2 -i0.2 -q 192.0.2.1 >/dev/null
	assert_equal "$(pkts INPUT 1)" 2
	fw "-Z INPUT 1"
	assert_equal "$(pkts INPUT 1)" 0
	assert_equal "$(pkts INPUT 2)" 2
	assert_equal "$(pkts OUTPUT 1)" 2
	fw "-Z INPUT"
	assert_equal "$(pkts INPUT 2)" 0
	assert_equal "$(pkts INPUT policy)" 0
	assert_equal "$(pkts OUTPUT 1)" 2
	fw "-Z"
	assert_equal "$(pkts OUTPUT 1)" 0
	peer_ping 192.0.2.1
	assert_equal "$(pkts INPUT 1)" 1
}

@test "exact counters survive edits of other rules" {
	fw "-A INPUT -s 192.0.2.2/32 -p icmp"
	ip netns exec peer ping -c5 -i0.2 -q 192.0.2.1 >/dev/null
	assert_equal "$(pkts INPUT 1)" 5
	assert_equal "$(bytes INPUT 1)" 420
	fw "-I INPUT -p tcp -j DROP"
	fw "-A INPUT -p udp -j DROP"
	fw "-R INPUT 3 -p udp -j ACCEPT"
	fw "-D INPUT 1"
	fw "-A OUTPUT -p icmp" "-D OUTPUT 1"
	assert_equal "$(pkts INPUT 1)" 5
	assert_equal "$(bytes INPUT 1)" 420
	ip netns exec peer ping -c3 -i0.2 -q 192.0.2.1 >/dev/null
	assert_equal "$(pkts INPUT 1)" 8
	assert_equal "$(bytes INPUT 1)" 672
}

@test "stats format: header, policy and rule lines, parseable with awk" {
	fw "-A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT" "-A INPUT -p icmp"
	run cat "$STATS"
	assert_line --index 0 "# chain rule packets bytes rule-options"
	assert_line --index 1 "PREROUTING policy 0 0 ACCEPT"
	assert_line --regexp '^INPUT policy [0-9]+ [0-9]+ ACCEPT$'
	assert_line "INPUT 1 0 0 -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT"
	assert_line "INPUT 2 0 0 -p icmp"
	# any user may read the stats
	setpriv --reuid=65534 --regid=65534 --clear-groups cat "$STATS" >/dev/null
}
