#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Every match and its negation, on real packets.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "-s and ! -s" {
	fw "-A INPUT -s 192.0.2.7 -j DROP"
	peer_noreply -I 192.0.2.7 192.0.2.1
	peer_ping -I 192.0.2.2 192.0.2.1
	fw "-F" "-A INPUT ! -s 192.0.2.0/24 -p icmp -j DROP"
	peer_ping -I 192.0.2.7 192.0.2.1
	peer_noreply -I 198.51.100.5 192.0.2.1
	assert_equal "$(pkts INPUT 1)" 1
}

@test "-d and ! -d" {
	ip addr add 192.0.2.100/24 dev mfw0
	fw "-A INPUT -d 192.0.2.100/32 -j DROP"
	peer_noreply 192.0.2.100
	peer_ping 192.0.2.1
	fw "-F" "-A INPUT ! -d 192.0.2.100 -p icmp -j DROP"
	peer_ping 192.0.2.100
	peer_noreply 192.0.2.1
	ip addr del 192.0.2.100/24 dev mfw0
}

@test "-p icmp, ! -p icmp, -p by number" {
	tcp_server peer 8080
	fw "-A OUTPUT -p icmp -j DROP"
	noreply 192.0.2.2
	run tcp_ok 192.0.2.2 8080
	assert_output hi
	fw "-F" "-A OUTPUT ! -p icmp -j DROP"
	ping -c1 -W3 192.0.2.2 >/dev/null
	tcp_blocked 192.0.2.2 8080
	fw "-F" "-A OUTPUT -p 1 -j DROP"
	noreply 192.0.2.2
	run grep -- '^-A OUTPUT' "$RULES"
	assert_output "-A OUTPUT -p icmp -j DROP"
}

@test "-p tcp --dport and ! --dport, port ranges" {
	tcp_server peer 8080
	tcp_server peer 8081
	fw "-A OUTPUT -p tcp --dport 8080 -j DROP"
	tcp_blocked 192.0.2.2 8080
	run tcp_ok 192.0.2.2 8081
	assert_output hi
	fw "-F" "-A OUTPUT -p tcp ! --dport 8080 -j DROP"
	run tcp_ok 192.0.2.2 8080
	assert_output hi
	tcp_blocked 192.0.2.2 8081
	fw "-F" "-A OUTPUT -p tcp -m tcp --dport 8081:9000 -j DROP"
	run tcp_ok 192.0.2.2 8080
	assert_output hi
	tcp_blocked 192.0.2.2 8081
}

@test "-p tcp --sport and ! --sport (on replies)" {
	tcp_server peer 8080
	tcp_server peer 8081
	fw "-A INPUT -p tcp --sport 8080 -j DROP"
	tcp_blocked 192.0.2.2 8080
	run tcp_ok 192.0.2.2 8081
	assert_output hi
	fw "-F" "-A INPUT -p tcp ! --sport 8080 -j DROP"
	run tcp_ok 192.0.2.2 8080
	assert_output hi
	tcp_blocked 192.0.2.2 8081
}

@test "-p udp --dport / --sport and negations" {
	udp_server peer 5353
	udp_server peer 5354
	fw "-A OUTPUT -p udp --dport 5353 -j DROP"
	udp_blocked 192.0.2.2 5353
	run udp_ok 192.0.2.2 5354
	assert_output hi
	fw "-F" "-A INPUT -p udp ! --sport 5353 -j DROP"
	run udp_ok 192.0.2.2 5353
	assert_output hi
	udp_blocked 192.0.2.2 5354
	fw "-F" "-A INPUT -p udp -m udp --sport 5354 -j DROP"
	udp_blocked 192.0.2.2 5354
}

@test "-i, ! -i and wildcards" {
	fw "-A INPUT -i mfw0 -p icmp -j DROP"
	peer_noreply 192.0.2.1
	fw "-F" "-A INPUT -i mfw+ -p icmp -j DROP"
	peer_noreply 192.0.2.1
	fw "-F" "-A INPUT -i mfw1 -p icmp -j DROP"
	peer_ping 192.0.2.1
	fw "-F" "-A INPUT ! -i mfw0 -p icmp -j DROP"
	peer_ping 192.0.2.1
	fw "-F" "-A INPUT ! -i mfw1 -p icmp -j DROP"
	peer_noreply 192.0.2.1
	fw "-F" "-A INPUT -i mf -p icmp -j DROP"
	peer_ping 192.0.2.1
}

@test "-o, ! -o and wildcards (OUTPUT, POSTROUTING, FORWARD)" {
	fw "-A OUTPUT -o mfw0 -p icmp -j DROP"
	noreply 192.0.2.2
	ping -c1 -W3 203.0.113.2 >/dev/null
	fw "-F" "-A POSTROUTING ! -o mfw0 -p icmp -j DROP"
	ping -c1 -W3 192.0.2.2 >/dev/null
	noreply 203.0.113.2
	fw "-F" "-A FORWARD -i mfw0 -o mfw+ -p icmp -j DROP"
	peer_noreply 203.0.113.2
	assert_equal "$(pkts FORWARD 1)" 1
}

@test "PREROUTING sees packets before routing, POSTROUTING after" {
	fw "-A PREROUTING -s 192.0.2.2 -p icmp" "-A POSTROUTING -d 192.0.2.2 -p icmp"
	ip netns exec peer ping -c2 -i0.2 -q 192.0.2.1 >/dev/null
	assert_equal "$(pkts PREROUTING 1)" 2
	assert_equal "$(bytes PREROUTING 1)" 168
	assert_equal "$(pkts POSTROUTING 1)" 2
}
