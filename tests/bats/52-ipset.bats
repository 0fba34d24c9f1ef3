#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# -m set and -j SET over the kernel's own ipset sets (Debian's ipset tool
# makes them): members dropped, counted as iptables-legacy counts them; a
# set held while a rule names it; -j SET adding and deleting; IPv6 sets.

load helpers

setup() { common_setup; }
teardown_file() { unload_ipset; }
teardown() {
	local s
	common_teardown
	legacy_clean
	for s in $(ipset list -n 2>/dev/null); do
		case $s in mfw_*) ipset destroy "$s" ;; esac
	done
}

# references N SET: the set is held N times ("ipset list" says so)
references() {
	run ipset list "$2"
	assert_success
	assert_line "References: $1"
}

@test "-m set drops a set's members; the set is held while a rule names it, and let go after" {
	ipset create mfw_block hash:ip counters
	ipset add mfw_block 192.0.2.7
	fw "-A INPUT -p icmp -m set --match-set mfw_block src -j DROP"
	references 1 mfw_block
	peer_noreply -I 192.0.2.7 192.0.2.1
	peer_ping -I 192.0.2.2 192.0.2.1
	assert_equal "$(pkts INPUT 1)" 1
	# the set counted the packet it matched
	run ipset list mfw_block
	assert_line "192.0.2.7 packets 1 bytes 84"
	# held: ipset refuses to destroy or rename it
	run ipset destroy mfw_block
	assert_failure
	assert_output --partial "in use by a kernel component"
	run ipset rename mfw_block mfw_other
	assert_failure
	# the set is ipset's: a member deleted there passes at once
	ipset del mfw_block 192.0.2.7
	peer_ping -I 192.0.2.7 192.0.2.1
	ipset add mfw_block 192.0.2.2
	peer_noreply -I 192.0.2.2 192.0.2.1
	# a second rule naming it, twice, holds it no more than once
	fw "-A INPUT -m set ! --match-set mfw_block dst -m set --match-set mfw_block src"
	references 1 mfw_block
	run grep -- '^-A' "$RULES"
	assert_output - <<'EOF'
-A INPUT -p icmp -m set --match-set mfw_block src -j DROP
-A INPUT -m set ! --match-set mfw_block dst -m set --match-set mfw_block src
EOF
	# the listing loads back unchanged
	listing >"$BATS_TEST_TMPDIR/saved"
	fw "-F"
	references 0 mfw_block
	dd if="$BATS_TEST_TMPDIR/saved" of="$RULES" status=none
	references 1 mfw_block
	diff "$BATS_TEST_TMPDIR/saved" <(listing)
	# no rule names it: destroyed it can be
	fw "-F"
	ipset destroy mfw_block
}

@test "-m set with src/dst flags and counters, two sets in a rule, counted as by iptables-legacy" {
	tcp_server "" 8093
	ipset create mfw_hosts hash:ip
	ipset add mfw_hosts 192.0.2.2
	ipset create mfw_svc hash:ip,port
	ipset add mfw_svc 192.0.2.2,tcp:8093
	ipset add mfw_svc 192.0.2.1,tcp:8093
	ipset create mfw_cnt hash:ip counters
	ipset add mfw_cnt 192.0.2.2
	alongside iptables-legacy INPUT "-m set --match-set mfw_hosts src" \
		"-m set ! --match-set mfw_hosts src" "-m set --match-set mfw_hosts dst" \
		"-m set --match-set mfw_svc src,dst" "-m set --match-set mfw_svc dst,dst" \
		"-m set ! --match-set mfw_svc src,src" "-p tcp -m set --match-set mfw_svc dst,dst,dst" \
		"-m set --match-set mfw_cnt src ! --update-counters" \
		"-m set --match-set mfw_hosts src -m set --match-set mfw_svc dst,dst" \
		"-m set --match-set mfw_hosts src -m set ! --match-set mfw_svc dst,dst --return-nomatch"
	alongside iptables-legacy OUTPUT "-m set --match-set mfw_hosts dst" \
		"-m set --match-set mfw_svc dst,src"
	NS=peer tcp_ok 192.0.2.1 8093
	peer_ping 192.0.2.1
	same_counts iptables-legacy INPUT OUTPUT
	[ "$(pkts INPUT 1)" -ge 4 ]
	[ "$(pkts INPUT 4)" -ge 3 ]
	assert_equal "$(pkts INPUT 3)" 0
	# no rule counted in the set: minifw's asked it not to, iptables' too
	run ipset list mfw_cnt
	assert_line "192.0.2.2 packets 0 bytes 0"
	# what minifw alone counts: the set's packets, compared as asked
	fw "-F" "-A INPUT -p icmp -m set --match-set mfw_cnt src --packets-gt 2" \
	   "-A INPUT -p icmp -m set --match-set mfw_cnt src ! --update-counters ! --packets-eq 1"
	ip netns exec peer ping -c4 -i0.2 -W2 -q 192.0.2.1 >/dev/null
	# the first rule counts each packet in the set first (as ip_set does),
	# so it sees 1, 2, 3, 4; the second sees the count the first left
	assert_equal "$(pkts INPUT 1)" 2
	assert_equal "$(pkts INPUT 2)" 3
	run ipset list mfw_cnt
	assert_line "192.0.2.2 packets 4 bytes 336"
}

@test "-j SET adds the sender to a set and deletes it, with --exist and --timeout" {
	tcp_server "" 8094
	ipset create mfw_seen hash:ip timeout 0
	ipset create mfw_gone hash:ip
	ipset add mfw_gone 192.0.2.2
	fw "-A INPUT -p tcp --dport 8094 --syn -j SET --add-set mfw_seen src --exist --timeout 600 --del-set mfw_gone src" \
	   "-A INPUT -p tcp --dport 8094 -m set --match-set mfw_seen src"
	run ipset test mfw_seen 192.0.2.2
	assert_failure
	NS=peer tcp_ok 192.0.2.1 8094
	ipset test mfw_seen 192.0.2.2
	run ipset test mfw_gone 192.0.2.2
	assert_failure
	# every packet after the SYN found the sender in the set
	[ "$(pkts INPUT 2)" -ge 3 ]
	run ipset list mfw_seen
	assert_output --regexp '192\.0\.2\.2 timeout (59[0-9]|600)'
	references 1 mfw_seen
	references 1 mfw_gone
	run grep -- '^-A' "$RULES"
	assert_output - <<'EOF'
-A INPUT -p tcp -m tcp --dport 8094 --tcp-flags FIN,SYN,RST,ACK SYN -j SET --add-set mfw_seen src --exist --timeout 600 --del-set mfw_gone src
-A INPUT -p tcp -m tcp --dport 8094 -m set --match-set mfw_seen src
EOF
}

@test "an IPv6 set makes an IPv6 rule; a set of both (hash:mac) leaves the rule for both" {
	net6_up
	ipset create mfw_v6 hash:net family inet6
	ipset add mfw_v6 2001:db8:1::/64
	fw "-A INPUT -p ipv6-icmp --icmpv6-type echo-request -m set --match-set mfw_v6 src -j DROP"
	run ! ip netns exec peer ping -6 -c1 -W0.5 -q 2001:db8:1::1
	peer_ping 192.0.2.1
	assert_equal "$(pkts INPUT 1)" 1
	run grep -- '^-A' "$RULES"
	assert_output '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -m set --match-set mfw_v6 src -j DROP'
	fw_refused "line 1: --match-set makes the rule IPv6, but -4 made it IPv4" \
		"-A INPUT -4 -m set --match-set mfw_v6 src"
	fw_refused "line 1: -p makes the rule IPv4, but --match-set made it IPv6" \
		"-A INPUT -m set --match-set mfw_v6 src -p icmp"
	ipset create mfw_macs hash:mac
	ipset add mfw_macs "$(ip netns exec peer cat /sys/class/net/mfwp/address)"
	fw "-F" "-A INPUT -p icmp -m set --match-set mfw_macs src -j DROP" \
	   "-A INPUT -p ipv6-icmp --icmpv6-type echo-request -m set --match-set mfw_macs src"
	peer_noreply 192.0.2.1
	ip netns exec peer ping -6 -c1 -W2 -q 2001:db8:1::1 >/dev/null
	assert_equal "$(pkts INPUT 1)" 1
	assert_equal "$(pkts INPUT 2)" 1
}

@test "a rule naming a set that does not exist, or with too few flags, is refused whole" {
	ipset create mfw_pair hash:ip,port
	fw "-A INPUT -p tcp --dport 22"
	fw_refused "line 2: --match-set: there is no set mfw_nosuch (ipset list -n lists the sets)" \
		"-A INPUT -j ACCEPT" "-A INPUT -m set --match-set mfw_nosuch src -j DROP"
	fw_refused "line 1: --match-set: set mfw_pair has 2 dimensions, and 1 src/dst flags are given (the rule would never match)" \
		"-A INPUT -m set --match-set mfw_pair src"
	# nothing of the refused writes applied, and nothing is held
	run grep -c -- '^-A' "$RULES"
	assert_output 1
	references 0 mfw_pair
	ipset destroy mfw_pair
}

@test "a set made and destroyed while rules naming it are written: each write applies whole or not at all, nothing stays held" {
	local i applied=0 refused=0
	dmesg_mark
	(
		for i in $(seq 20); do
			ipset create mfw_race hash:ip 2>/dev/null
			ipset add mfw_race 192.0.2.7 2>/dev/null
			ipset destroy mfw_race 2>/dev/null
		done
	) &
	for i in $(seq 20); do
		if fw "-A INPUT -m set --match-set mfw_race src -j DROP" "-A INPUT -p udp" 2>/dev/null; then
			applied=$((applied + 1))
			# applied: the set is held, and the rule drops its member
			references 1 mfw_race
			fw "-F"
		else
			refused=$((refused + 1))
			# refused: nothing of the write applied
			run grep -c -- '^-A' "$RULES"
			assert_output 0
		fi
	done
	wait
	echo "applied $applied, refused $refused"
	# nothing held: the set can be made and destroyed again
	ipset destroy mfw_race 2>/dev/null || true
	ipset create mfw_race hash:ip
	ipset destroy mfw_race
	run dmesg_new
	refute_output --partial "WARNING"
	refute_output --partial "BUG"
}
