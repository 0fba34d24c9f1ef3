#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# User-defined chains: -N/-X/-E, -j CHAIN, -g CHAIN, RETURN, with real
# packets. Where the same rules can go through iptables-legacy, they do
# (oracle.py): both must give every probe the same fate and every rule
# the same counters.

load helpers

setup() { common_setup; }

teardown() {
	legacy_clean
	common_teardown
}

# Every kind of probe from each of the peer's addresses.
PROBES=()
for src in 192.0.2.2 192.0.2.7 198.51.100.5; do
	PROBES+=("icmp:$src" "udp:$src:5000" "udp:$src:5001" "udp:$src:5002"
		"tcp:$src:22" "tcp:$src:23" "tcp:$src:80")
done


@test "a chain called from two places counts each call; RETURN and nested calls as iptables" {
	cat >"$BATS_TEST_TMPDIR/doc" <<-'EOF'
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	:common - [0:0]
	:deny - [0:0]
	:svc - [0:0]
	-A INPUT -p icmp -j common
	-A INPUT -p udp -j common
	-A INPUT -s 192.0.2.7/32 -j svc
	-A INPUT -p tcp -m tcp --dport 23 -j DROP
	-A common -s 198.51.100.5/32 -j RETURN
	-A common -j deny
	-A common -p udp -m udp --dport 5000 -j DROP
	-A deny -s 192.0.2.7/32 -p icmp -j DROP
	-A deny -p udp -m udp --dport 5001 -j REJECT --reject-with icmp-port-unreachable
	-A deny
	-A svc -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset
	-A svc -p tcp -j RETURN
	-A svc -j ACCEPT
	COMMIT
	EOF
	oracle "$BATS_TEST_TMPDIR/doc"
	# deny's last rule counted 1 echo request (called from INPUT's first
	# rule) and 4 UDP probes (called from its second)
	assert_output --regexp 'deny 3 +5 160'
}

@test "goto: the chain's end returns to the last -j caller; RETURN in a built-in chain is its policy" {
	cat >"$BATS_TEST_TMPDIR/doc" <<-'EOF'
	*filter
	:INPUT DROP [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	:a - [0:0]
	:b - [0:0]
	:c - [0:0]
	-A INPUT -p icmp -g a
	-A INPUT -p udp -j b
	-A INPUT -p tcp -m tcp --dport 22 -j RETURN
	-A INPUT -p tcp -j ACCEPT
	-A INPUT -p udp -m udp --dport 5000 -j ACCEPT
	-A a -s 192.0.2.7/32 -j RETURN
	-A a -s 192.0.2.2/32 -j ACCEPT
	-A b -p udp -m udp --dport 5000 -g c
	-A b -p udp -m udp --dport 5001 -j ACCEPT
	-A c -s 192.0.2.7/32 -j DROP
	-A c -s 192.0.2.2/32 -j RETURN
	COMMIT
	EOF
	oracle "$BATS_TEST_TMPDIR/doc"
}

@test "calls nested ten deep, and counters survive -E, -I, -N and -A between two rounds" {
	{
		printf '%s\n' "*filter" ":INPUT ACCEPT [0:0]" ":FORWARD ACCEPT [0:0]" \
			":OUTPUT ACCEPT [0:0]"
		for i in $(seq 1 10); do echo ":l$i - [0:0]"; done
		echo "-A INPUT -j l1"
		for i in $(seq 1 9); do
			echo "-A l$i -p udp -m udp --dport 500$((i % 3)) -j RETURN"
			echo "-A l$i -j l$((i + 1))"
		done
		echo "-A l10 -s 192.0.2.7/32 -p icmp -j DROP"
		echo "-A l10 -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset"
		echo "COMMIT"
	} >"$BATS_TEST_TMPDIR/doc"
	cat >"$BATS_TEST_TMPDIR/edits" <<-'EOF'
	-E l5 middle
	-I middle 1 -p tcp -m tcp --dport 80 -j DROP
	-N extra
	-A extra -s 198.51.100.5/32 -j DROP
	-I INPUT 1 -p icmp -j extra
	-D l10 1
	EOF
	oracle "$BATS_TEST_TMPDIR/doc" --then "$BATS_TEST_TMPDIR/edits"
	assert_output --partial "round 1 (after edits 1)"
}

@test "a loop is refused at the write that would close it, with its path; nothing changes" {
	fw "-N a" "-N b" "-N c" "-A a -j b" "-A b -g c"
	before=$(cat "$RULES")
	fw_refused 'line 1: chain "a" would call itself: a -> b -> c -> a' "-A c -j a"
	fw_refused 'line 2: chain "c" would call itself: c -> c' "-A c -p tcp" "-I c 1 -g c"
	assert_equal "$(cat "$RULES")" "$before"
	# iptables refuses it too, once a built-in chain reaches the chains
	# (the kernel's ip_tables checks only those; minifw refuses at once)
	iptables-legacy -N a
	iptables-legacy -N b
	iptables-legacy -A a -j b
	iptables-legacy -A INPUT -j a
	run iptables-legacy -A b -j a
	assert_failure
	assert_output --partial "Too many levels of symbolic links"
	# and the packets still flow through what was there
	fw "-A INPUT -j a" "-A c -p icmp -j DROP"
	peer_noreply 192.0.2.1
	assert_equal "$(pkts c 1)" 1
}

@test "calls nest 32 deep; the 33rd is refused, however the chains are linked" {
	local cmds=() i
	for i in $(seq 1 33); do cmds+=("-N c$i"); done
	for i in $(seq 1 31); do cmds+=("-A c$i -j c$((i + 1))"); done
	cmds+=("-A c32 -p icmp -j DROP" "-A INPUT -j c1")
	fw "${cmds[@]}"
	peer_noreply 192.0.2.1
	assert_equal "$(pkts c32 1)" 1
	fw_refused 'line 1: calls from INPUT would nest 33 deep at chain "c33" (at most 32: -j CHAIN nests, -g CHAIN does not)' \
		"-A c32 -j c33"
	# a goto does not nest: it replaces the chain it leaves
	fw "-I c32 1 -p udp -g c33"
	# nor is the bound passed by the chain that reaches INPUT last
	fw_refused 'line 3: calls from INPUT would nest 33 deep at chain "c32" (at most 32: -j CHAIN nests, -g CHAIN does not)' \
		"-N top" "-A top -j c1" "-I INPUT 1 -j top"
	peer_noreply 192.0.2.1
	assert_equal "$(pkts c32 2)" 2
}

@test "one packet may be checked against at most 2^24 rules, each call of a chain counted" {
	local cmds=() i
	# f1 .. f24, each calling the next twice: 25,165,823 rules from f1
	for i in $(seq 1 24); do cmds+=("-N f$i"); done
	for i in $(seq 1 23); do cmds+=("-A f$i -j f$((i + 1))" "-A f$i -j f$((i + 1))"); done
	cmds+=("-A f24 -j RETURN")
	fw "${cmds[@]}"
	fw_refused 'line 1: a packet in INPUT could be checked against more than 16777216 rules: too many calls of user chains that call others' \
		"-A INPUT -j f1"
	# from f2: 12,582,911 rules. No packet is sent through them: the rule
	# matches none (under emulation a packet would take minutes).
	fw "-A INPUT -s 203.0.113.99 -p udp --dport 9 -j f2"
	run grep -c -- '-j f2$' "$RULES"
	assert_output 3
}

@test "-X refuses a chain that is jumped to or has rules, -X alone deletes all or none, -E renames" {
	fw "-N used" "-N full" "-N empty" "-A INPUT -p icmp -j used" "-A full -j ACCEPT"
	fw_refused 'line 1: -X used: 1 rule still jumps to it (delete them first)' "-X used"
	fw_refused 'line 1: -X full: it still has 1 rule (flush it first: -F full)' "-X full"
	fw_refused 'line 1: -X full: it still has 1 rule (flush it first: -F full)' "-X"
	run grep -c '^:' "$RULES"
	assert_output 8
	fw "-X empty"
	fw "-E used renamed"
	run grep -- '-j renamed' "$RULES"
	assert_output "-A INPUT -p icmp -j renamed"
	fw "-A renamed -j DROP"
	peer_noreply 192.0.2.1
	assert_equal "$(pkts renamed 1)" 1
	fw "-F" "-X"
	run grep -c '^:' "$RULES"
	assert_output 5
}

@test "-C: the write fails when no such rule exists, as iptables -C exits 1" {
	fw "-N f2b-sshd" "-A f2b-sshd -s 192.0.2.7/32 -j REJECT --reject-with icmp-port-unreachable" \
		"-A f2b-sshd -j RETURN" "-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd"
	echo "-C INPUT -p tcp -m multiport --dports 22 -j f2b-sshd" >"$RULES"
	echo "-C f2b-sshd -s 192.0.2.7 -j REJECT" >"$RULES"
	run ! sh -c 'echo "-C f2b-sshd -s 192.0.2.8 -j REJECT" > /proc/minifw/rules'
	run cat /proc/minifw/error
	assert_output "line 1: -C: no such rule in f2b-sshd (the rule must be exactly as listed)"
	run ! sh -c 'echo "-C INPUT -j f2b-sshd" > /proc/minifw/rules'
}

@test "listing: user chains after the built-in ones, sorted as iptables-save sorts them; it loads back" {
	fw "-N zeta" "-N Alpha" "-N _x" "-N beta" "-A INPUT -j zeta" "-A zeta -g beta" \
		"-A beta -p tcp -j RETURN" "-A _x -j Alpha"
	run grep '^:' "$RULES"
	assert_output "$(printf '%s\n' ':PREROUTING ACCEPT [0:0]' ':INPUT ACCEPT [0:0]' \
		':FORWARD ACCEPT [0:0]' ':OUTPUT ACCEPT [0:0]' ':POSTROUTING ACCEPT [0:0]' \
		':Alpha - [0:0]' ':_x - [0:0]' ':beta - [0:0]' ':zeta - [0:0]')"
	saved=$(listing)
	cat "$RULES" >"$BATS_TEST_TMPDIR/saved"
	fw "-F" "-X"
	fw "$(cat "$BATS_TEST_TMPDIR/saved")"
	assert_equal "$(listing)" "$saved"
	# iptables-legacy-restore takes the listing and saves it the same
	# (without minifw's PREROUTING and POSTROUTING, which iptables'
	# filter table has not)
	grep -vE '^(#|:PREROUTING |:POSTROUTING )' "$BATS_TEST_TMPDIR/saved" >"$BATS_TEST_TMPDIR/ipt"
	iptables-legacy-restore <"$BATS_TEST_TMPDIR/ipt"
	run bash -c "iptables-legacy-save -t filter | grep -v '^#'"
	assert_output "$(cat "$BATS_TEST_TMPDIR/ipt")"
}

@test "stats: a user chain's rules and its end (RETURN) are counted" {
	fw "-N count" "-A INPUT -p icmp -j count" "-A count -s 192.0.2.7" "-A count -s 192.0.2.2"
	peer_ping 192.0.2.1
	run grep '^count ' "$STATS"
	assert_output "$(printf '%s\n' 'count policy 1 84 RETURN' 'count 1 0 0 -s 192.0.2.7/32' \
		'count 2 1 84 -s 192.0.2.2/32')"
}
