#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Loading, parameters, the proc files, unloading.

load helpers

setup() {
	stop_servers
	fw_unload
	dmesg_mark
}

teardown() {
	common_teardown
}

@test "module loads with no rules; files, modes and empty listing" {
	fw_load
	[ -d /sys/module/minifw ]
	run stat -c '%a %U' "$RULES"
	assert_output "600 root"
	run stat -c '%a' "$STATS"
	assert_output "444"
	run cat "$RULES"
	assert_output "# minifw ruleset, iptables-save format
*filter
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
COMMIT"
	run modinfo -F parm "$MINIFW_KO"
	assert_output --partial "blocked_ips:Comma-separated IPv4 or IPv6 addresses"
}

@test "insmod alone: the first REJECT rule loads the kernel's REJECT helpers" {
	unload_with_users nf_reject_ipv4
	unload_with_users nf_reject_ipv6
	fw_load
	# a load takes nothing it does not need
	[ ! -d /sys/module/nf_reject_ipv4 ]
	[ ! -d /sys/module/nf_reject_ipv6 ]
	fw "-A INPUT -p tcp --dport 8080 -j REJECT --reject-with tcp-reset"
	[ -d /sys/module/nf_reject_ipv4 ]
	[ -d /sys/module/nf_reject_ipv6 ]
	run ip netns exec peer socat -T5 - TCP:192.0.2.1:8080,connect-timeout=5 </dev/null
	assert_failure
	assert_output --partial "Connection refused"
	assert_equal "$(pkts INPUT 1)" 1
	# held until minifw goes, and let go then
	run rmmod nf_reject_ipv4
	assert_failure
	fw_unload
	rmmod nf_reject_ipv4 nf_reject_ipv6
}

@test "blocked_ips: an address and a CIDR are dropped, others pass" {
	fw_load blocked_ips=192.0.2.7,198.51.100.0/24
	run cat /sys/module/minifw/parameters/blocked_ips
	assert_output "192.0.2.7,198.51.100.0/24"
	run grep -- '^-A' "$RULES"
	assert_output "-A PREROUTING -s 192.0.2.7/32 -j DROP
-A PREROUTING -s 198.51.100.0/24 -j DROP"
	peer_noreply -I 192.0.2.7 192.0.2.1
	peer_noreply -I 198.51.100.5 192.0.2.1
	peer_ping -I 192.0.2.2 192.0.2.1
	assert_equal "$(pkts PREROUTING 1)" 1
	assert_equal "$(pkts PREROUTING 2)" 1
	assert_equal "$(bytes PREROUTING 2)" 84
}

@test "blocked_ips rules are ordinary rules: deleted by number they stop blocking" {
	fw_load blocked_ips=192.0.2.7
	peer_noreply -I 192.0.2.7 192.0.2.1
	fw "-D PREROUTING 1"
	peer_ping -I 192.0.2.7 192.0.2.1
	run grep -c -- '^-A' "$RULES"
	assert_output 0
}

@test "blocked_ips via modprobe, with modprobe.d style options" {
	modprobe minifw blocked_ips=198.51.100.0/24
	peer_noreply -I 198.51.100.5 192.0.2.1
	peer_ping -I 192.0.2.2 192.0.2.1
}

@test "invalid blocked_ips entries refuse to load and say which entry" {
	local bad
	for bad in 192.0.2.300 198.51.100.0/33 junk 192.0.2.1/ "192.0.2.1,10.0.0.0/8x"; do
		dmesg_mark
		run ! fw_load blocked_ips="$bad"
		[ ! -d /sys/module/minifw ]
		[ ! -d /proc/minifw ]
		run dmesg_new
		assert_output --partial "minifw: blocked_ips: bad entry"
	done
	run dmesg_new
	assert_output --partial '"10.0.0.0/8x"'
}

@test "max_rules bounds the ruleset; a change past it is refused whole" {
	fw_load max_rules=3 blocked_ips=192.0.2.7
	run cat /sys/module/minifw/parameters/max_rules
	assert_output 3
	fw "-A INPUT -p icmp"
	run ! fw "-A INPUT -p tcp" "-A INPUT -p udp"
	run grep -c -- '^-A' "$RULES"
	assert_output 2
	run dmesg_new
	assert_output --partial "minifw: line 2: too many rules: the limit is 3"
	echo 4 > /sys/module/minifw/parameters/max_rules
	fw "-A INPUT -p tcp"
	run grep -c -- '^-A' "$RULES"
	assert_output 3
}

@test "rmmod while traffic flows" {
	fw_load
	fw "-A INPUT -p icmp" "-A OUTPUT -p icmp"
	ip netns exec peer ping -f -w 4 -q 192.0.2.1 >/dev/null 2>&1 3>&- &
	local pid=$!
	sleep 1
	rmmod minifw
	fw_load
	sleep 0.5
	rmmod minifw
	wait "$pid" || true
	[ ! -d /proc/minifw ]
	fw_load
	peer_ping 192.0.2.1
}
