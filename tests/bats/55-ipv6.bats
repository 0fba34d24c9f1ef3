#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# IPv6 in the same ruleset: address and prefix rules, rules for both
# families, -4/-6, ICMPv6 types, REJECT and LOG for IPv6, blocked_ips with
# IPv6, fragments, and the Neighbour Discovery a DROP policy takes away.

load helpers

setup_file() {
	net_up
	net6_up
}

setup() { common_setup; }
teardown() { common_teardown; }

# One UDP datagram of "x\n" from the peer: 30 bytes over IPv4, 50 over IPv6.
peer_udp() {
	echo x | ip netns exec peer socat -T0.2 - "UDP:$1:$2${3:+,bind=$3}" >/dev/null 2>&1 || true
}

@test "an IPv6 address rule drops that host only; counters exact (104-byte echo requests)" {
	# (rule 1 counts the echo requests alone: the peer may also have to
	# ask for our MAC address again, from 2001:db8:1::7 too)
	fw "-A INPUT -s 2001:db8:1::7 -p ipv6-icmp --icmpv6-type echo-request" \
	   "-A INPUT -s 2001:db8:1::7 -j DROP"
	peer_noreply -I 2001:db8:1::7 2001:db8:1::1
	peer_ping -I 2001:db8:1::2 2001:db8:1::1
	[ "$(pkts INPUT 1)" -eq 1 ]
	[ "$(bytes INPUT 1)" -eq 104 ]
	[ "$(pkts INPUT 2)" -ge 1 ]
	run grep -- '^-A' "$RULES"
	assert_output - <<'EOF'
-A INPUT -s 2001:db8:1::7/128 -p ipv6-icmp -m icmp6 --icmpv6-type 128
-A INPUT -s 2001:db8:1::7/128 -j DROP
EOF
}

@test "an IPv6 prefix rule: host bits masked, both hosts of the prefix dropped" {
	# echo requests only: the peer's neighbour solicitations come from the
	# same prefix whenever its cache entry for us has gone stale
	fw "-A INPUT -s 2001:db8:1::2/64 -p ipv6-icmp --icmpv6-type echo-request -j DROP"
	peer_noreply -I 2001:db8:1::7 2001:db8:1::1
	peer_noreply -I 2001:db8:1::2 2001:db8:1::1
	[ "$(pkts INPUT 1)" -eq 2 ]
	run grep -- '^-A' "$RULES"
	assert_output "-A INPUT -s 2001:db8:1::/64 -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j DROP"
	# IPv4 is untouched by an IPv6 rule
	peer_ping 192.0.2.1
	[ "$(pkts INPUT 1)" -eq 2 ]
}

@test "a rule without addresses applies to both families, -4 and -6 to one" {
	fw "-A INPUT -p udp --dport 7777" \
	   "-A INPUT -4 -p udp --dport 7777" \
	   "-A INPUT -6 -p udp --dport 7777" \
	   "-A INPUT -s 192.0.2.2 -p udp --dport 7777" \
	   "-A INPUT -s 2001:db8:1::2 -p udp --dport 7777"
	peer_udp 192.0.2.1 7777
	peer_udp '[2001:db8:1::1]' 7777
	[ "$(pkts INPUT 1)" -eq 2 ]
	[ "$(bytes INPUT 1)" -eq 80 ]
	[ "$(pkts INPUT 2)" -eq 1 ]
	[ "$(bytes INPUT 2)" -eq 30 ]
	[ "$(pkts INPUT 3)" -eq 1 ]
	[ "$(bytes INPUT 3)" -eq 50 ]
	[ "$(pkts INPUT 4)" -eq 1 ]
	[ "$(pkts INPUT 5)" -eq 1 ]
	run grep -- '^-A' "$RULES"
	assert_output - <<'EOF'
-A INPUT -p udp -m udp --dport 7777
-A INPUT -4 -p udp -m udp --dport 7777
-A INPUT -6 -p udp -m udp --dport 7777
-A INPUT -s 192.0.2.2/32 -p udp -m udp --dport 7777
-A INPUT -s 2001:db8:1::2/128 -p udp -m udp --dport 7777
EOF
}

@test "policies apply to both families" {
	fw "-P INPUT DROP" \
	   "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT" \
	   "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-advertisement -j ACCEPT"
	peer_noreply 192.0.2.1
	peer_noreply 2001:db8:1::1
	fw "-P INPUT ACCEPT"
	peer_ping 192.0.2.1
	peer_ping 2001:db8:1::1
}

@test "--icmpv6-type: names, numbers, codes and negation" {
	fw "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128/1" \
	   "-A INPUT -p icmpv6 --icmpv6-type 128/0" \
	   "-A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type echo-request -s 2001:db8:1::2" \
	   "-A INPUT -p ipv6-icmp --icmpv6-type ping -j DROP"
	peer_noreply 2001:db8:1::1
	[ "$(pkts INPUT 1)" -eq 0 ]
	[ "$(pkts INPUT 2)" -eq 1 ]
	[ "$(pkts INPUT 4)" -eq 1 ]
	[ "$(bytes INPUT 4)" -eq 104 ]
	run grep -- '^-A' "$RULES"
	assert_output - <<'EOF'
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128/1
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128/0
-A INPUT -s 2001:db8:1::2/128 -p ipv6-icmp -m icmp6 ! --icmpv6-type 128
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j DROP
EOF
}

@test "REJECT over IPv6: each --reject-with reaches the peer as its ICMPv6 error" {
	local with
	for with in icmp6-no-route:'No route' icmp6-adm-prohibited:'Administratively prohibited' \
		icmp6-addr-unreachable:'Address unreachable' icmp6-port-unreachable:'Port unreachable' \
		icmp6-policy-fail:'Unknown code 5' icmp6-reject-route:'Unknown code 6'; do
		fw "-F" "-A INPUT -p ipv6-icmp --icmpv6-type echo-request -j REJECT --reject-with ${with%%:*}"
		run ip netns exec peer ping -c1 -W2 2001:db8:1::1
		assert_failure
		assert_output --partial "Destination unreachable: ${with#*:}"
	done
}

@test "REJECT over IPv6: tcp-reset refuses the connection, a bare REJECT answers both families" {
	tcp_server "" 8081
	fw "-A INPUT -p tcp --dport 8081 -j REJECT --reject-with tcp-reset" \
	   "-A INPUT -p udp --dport 7777 -j REJECT"
	NS=peer run socat -T2 - 'TCP:[2001:db8:1::1]:8081,connect-timeout=2'
	assert_failure
	assert_output --partial "Connection refused"
	NS=peer run socat -T2 - TCP:192.0.2.1:8081,connect-timeout=2
	assert_output --partial "Connection refused"
	# a family-less REJECT answers each family with its port unreachable
	run ip netns exec peer bash -c 'echo x | socat -T2 - "UDP:[2001:db8:1::1]:7777"; echo x | socat -T2 - UDP:192.0.2.1:7777'
	assert_output --partial "Connection refused"
	[ "$(pkts INPUT 2)" -eq 2 ]
	run grep -- '^-A' "$RULES"
	assert_output - <<'EOF'
-A INPUT -p tcp -m tcp --dport 8081 -j REJECT --reject-with tcp-reset
-A INPUT -p udp -m udp --dport 7777 -j REJECT
EOF
}

@test "LOG over IPv6 prints what ip6tables' LOG prints" {
	dmesg_mark
	fw "-A INPUT -s 2001:db8:1::2 -p ipv6-icmp -j LOG --log-prefix \"v6 in: \""
	peer_ping 2001:db8:1::1
	run dmesg_new
	assert_output --regexp 'v6 in: IN=mfw0 OUT= MAC=[0-9a-f:]+ SRC=2001:0db8:0001:0000:0000:0000:0000:0002 DST=2001:0db8:0001:0000:0000:0000:0000:0001 LEN=104 .*PROTO=ICMPv6 TYPE=128 CODE=0'
}

@test "blocked_ips takes IPv6 addresses and prefixes mixed with IPv4" {
	fw_unload
	fw_load blocked_ips=2001:db8:1::7,192.0.2.7,2001:db8:3::/48
	peer_noreply -I 2001:db8:1::7 2001:db8:1::1
	peer_ping -I 2001:db8:1::2 2001:db8:1::1
	peer_noreply -I 192.0.2.7 192.0.2.1
	peer_ping -I 192.0.2.2 192.0.2.1
	run grep -- '^-A' "$RULES"
	assert_output - <<'EOF'
-A PREROUTING -s 2001:db8:1::7/128 -j DROP
-A PREROUTING -s 192.0.2.7/32 -j DROP
-A PREROUTING -s 2001:db8:3::/48 -j DROP
EOF
	# the echo request, and maybe the peer's neighbour solicitation from ::7
	[ "$(pkts PREROUTING 1)" -ge 1 ]
	[ "$(pkts PREROUTING 2)" -eq 1 ]
	[ "$(bytes PREROUTING 2)" -eq 84 ]
}

@test "blocked_ips refuses a bad IPv6 entry" {
	fw_unload
	run fw_load blocked_ips=2001:db8::1::2
	assert_failure
	[ ! -d /sys/module/minifw ]
}

@test "fragments: -p udp sees every fragment, a port rule only the first (both families)" {
	fw "-A PREROUTING -p udp -s 2001:db8:1::2" \
	   "-A PREROUTING -p udp --dport 7778 -s 2001:db8:1::2" \
	   "-A PREROUTING -p udp -s 192.0.2.2" \
	   "-A PREROUTING -p udp --dport 7778 -s 192.0.2.2"
	# 3000 bytes over a 1500-byte MTU: three fragments in each family
	head -c 3000 /dev/zero | ip netns exec peer socat -u - 'UDP-SENDTO:[2001:db8:1::1]:7778' || true
	head -c 3000 /dev/zero | ip netns exec peer socat -u - UDP-SENDTO:192.0.2.1:7778 || true
	[ "$(pkts PREROUTING 1)" -eq 3 ]
	[ "$(pkts PREROUTING 2)" -eq 1 ]
	[ "$(pkts PREROUTING 3)" -eq 3 ]
	[ "$(pkts PREROUTING 4)" -eq 1 ]
}

@test "FORWARD and OUTPUT filter IPv6 as well" {
	fw "-A FORWARD -s 2001:db8:1::2 -d 2001:db8:3::2 -p ipv6-icmp -j DROP" \
	   "-A OUTPUT -d 2001:db8:1::7 -p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j DROP"
	peer_noreply 2001:db8:3::2
	[ "$(pkts FORWARD 1)" -eq 1 ]
	noreply 2001:db8:1::7
	[ "$(pkts OUTPUT 1)" -eq 1 ]
	ping -c1 -W2 -q 2001:db8:1::2 >/dev/null
}

@test "a DROP policy also drops Neighbour Discovery; examples/ipv6-host.rules keeps it working" {
	fw "-P INPUT DROP" "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j ACCEPT"
	# the peer forgets our MAC address and must ask again: the question is dropped
	ip -n peer -6 neigh flush dev mfwp
	peer_noreply 2001:db8:1::1
	cat "$BATS_TEST_DIRNAME/../../examples/ipv6-host.rules" >"$RULES"
	ip -n peer -6 neigh flush dev mfwp
	peer_ping 2001:db8:1::1
	peer_ping 192.0.2.1
	# the listing of the example reads back as it was written
	run diff <(grep -v '^#' "$BATS_TEST_DIRNAME/../../examples/ipv6-host.rules") <(listing | grep -v '^#')
	assert_success
}
