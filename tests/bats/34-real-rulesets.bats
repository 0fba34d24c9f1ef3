#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Real rulesets, as their tools write them (tests/fixtures, where each file
# came from): ufw's rules files, fail2ban's commands, the filter tables
# dockerd, firewalld, OpenWrt's fw3 and kube-proxy made, through minifw and through
# iptables-legacy (in a netns of its own, so that it filters
# nothing here), whose listings must be the same.

load helpers

FIX=$BATS_TEST_DIRNAME/../fixtures

setup() {
	common_setup
	ip netns add ipt
}

# fail2ban's ipset action made sets: ipset goes, as it came
teardown_file() { unload_ipset; }

teardown() {
	local i
	ip netns del ipt 2>/dev/null || true
	common_teardown
	# ufw's rules loaded xt_conntrack into iptables, which holds conntrack
	# until the netns is gone; later files expect it unloaded
	for i in $(seq 100); do
		unload_conntrack 2>/dev/null && break
		sleep 0.1
	done
}

ipt() { ip netns exec ipt iptables-legacy "$@"; }

# A filter-table listing without comments and counters, and without the
# PREROUTING and POSTROUTING chains that minifw's filter table has and
# iptables' has not (when they are empty and accept). A REJECT without
# --reject-with is listed so by minifw, whose rules without -4 or -6 are
# for both families (each answered with its own port unreachable), and
# with IPv4's type by iptables.
# A -m recent without --mask likewise is for both families in minifw,
# and listed without one, and with IPv4's by iptables. iptables lists
# "--nfacct-name  NAME" with two spaces (a bug its libxt_nfacct.t notes),
# minifw with one.
plain() {
	grep -vE '^(#|:PREROUTING ACCEPT|:POSTROUTING ACCEPT)' |
		sed -E 's/ \[[0-9]+:[0-9]+\]$//; s/^\[[0-9]+:[0-9]+\] //
			s/ -j REJECT --reject-with icmp-port-unreachable$/ -j REJECT/
			s/ --mask 255\.255\.255\.255 --r(source|dest)/ --r\1/
			s/ --nfacct-name  / --nfacct-name /'
}

# minifw's listing is iptables-legacy's
same_listing() {
	local ipt mine
	ipt=$(ip netns exec ipt iptables-legacy-save -t filter | plain)
	mine=$(plain <"$RULES")
	if [ "$mine" != "$ipt" ]; then
		diff <(echo "$mine") <(echo "$ipt") || true
		return 1
	fi
}

# The listing loads back unchanged.
round_trip() {
	local before
	before=$(listing)
	cat "$RULES" >"$BATS_TEST_TMPDIR/saved"
	fw "-F" "-X"
	fw "$(cat "$BATS_TEST_TMPDIR/saved")"
	assert_equal "$(listing)" "$before"
}

# ufw's three files in one document, as ufw-init loads them (iptables-restore
# -n of before, user and after, once ufw made the chains they jump to),
# with ufw's jumps from the built-in chains; "$@": a filter of the rules.
# UFW6=6: its IPv6 files (ufw6-* chains) instead.
ufw_doc() {
	local f p=ufw${UFW6:-}
	echo "*filter"
	echo ":INPUT DROP [0:0]"
	echo ":FORWARD DROP [0:0]"
	echo ":OUTPUT ACCEPT [0:0]"
	echo ":$p-logging-deny - [0:0]"
	echo ":$p-skip-to-policy-input - [0:0]"
	for f in before user after; do grep -h '^:' "$FIX/ufw/$f${UFW6:-}.rules"; done
	for f in before user after; do
		echo "-A INPUT -j $p-$f-input"
		echo "-A OUTPUT -j $p-$f-output"
		echo "-A FORWARD -j $p-$f-forward"
	done
	echo "-A $p-skip-to-policy-input -j DROP"
	for f in before user after; do grep -h '^-A' "$FIX/ufw/$f${UFW6:-}.rules"; done | "$@"
	echo "COMMIT"
}

@test "ufw's user.rules loads unchanged, lists as iptables-legacy lists it, and loads back" {
	fw "$(cat "$FIX/ufw/user.rules")"
	ip netns exec ipt iptables-legacy-restore <"$FIX/ufw/user.rules"
	same_listing
	round_trip
}

@test "ufw limit 22/tcp: its user.rules (-m recent) loads unchanged, lists as iptables-legacy's, and rejects the sixth connection within 30 s" {
	fw "$(cat "$FIX/ufw/user-limit.rules")" "-A INPUT -j ufw-user-input"
	ip netns exec ipt iptables-legacy-restore <"$FIX/ufw/user-limit.rules"
	ipt -A INPUT -j ufw-user-input
	same_listing
	round_trip
	tcp_server "" 22
	local i
	for i in 1 2 3 4 5; do
		NS=peer tcp_ok 192.0.2.1 22
	done
	NS=peer tcp_blocked 192.0.2.1 22
	# ufw-user-limit logged it and rejected it
	run awk '$1 == "ufw-user-limit" && $2 == 2 { print $3 }' "$STATS"
	assert_output 1
	grep -q '^src=192.0.2.2 ttl: 64 last_seen: [0-9]* oldest_pkt: 7 ' /proc/minifw/recent/DEFAULT
}

@test "ufw's before.rules and after.rules each load unchanged, list as iptables-legacy lists them, and load back" {
	local f
	for f in before after; do
		# with the chains ufw makes before it loads them, as
		# iptables-restore needs them too
		{
			echo "*filter"
			echo ":ufw-logging-deny - [0:0]"
			echo ":ufw-skip-to-policy-input - [0:0]"
			grep -v '^\*filter' "$FIX/ufw/$f.rules"
		} >"$BATS_TEST_TMPDIR/$f"
		fw "-F" "-X"
		ipt -F
		ipt -X
		fw "$(cat "$BATS_TEST_TMPDIR/$f")"
		ip netns exec ipt iptables-legacy-restore <"$BATS_TEST_TMPDIR/$f"
		same_listing
		round_trip
	done
}

@test "ufw's whole ruleset loads whole, lists as in iptables-legacy, and filters: -m addrtype in ufw-not-local" {
	ufw_doc cat >"$BATS_TEST_TMPDIR/ufw"
	fw "$(cat "$BATS_TEST_TMPDIR/ufw")"
	ip netns exec ipt iptables-legacy-restore <"$BATS_TEST_TMPDIR/ufw"
	same_listing
	round_trip
	# ufw's before.rules accepts echo requests before ufw-not-local
	peer_ping 192.0.2.1
	run awk '$1 == "ufw-before-input" && / --icmp-type 8 -j ACCEPT$/ { print $3 }' "$STATS"
	assert_output 1
	# UDP to this host returns from ufw-not-local as LOCAL; to the
	# link's broadcast address as BROADCAST, then after.rules sends
	# broadcasts to the INPUT policy (DROP)
	ip netns exec peer socat -u - UDP:192.0.2.1:5000 <<<x
	ip netns exec peer socat -u - UDP-DATAGRAM:192.0.2.255:5000,broadcast <<<x
	eventually "policy:0 1:1 2:0 3:1 4:0 5:0 " \
		awk '$1 == "ufw-not-local" { printf "%s:%s ", $2, $3 }' "$STATS"
	eventually 1 awk '$1 == "ufw-after-input" && / BROADCAST / { print $3 }' "$STATS"
}

# section TABLE FILE: one table's block of an iptables-save file, from
# its "*TABLE" line to its COMMIT (other tables are the nat issue's)
section() {
	awk -v t="*$1" '$0 == t { on = 1 } on { print } on && $0 == "COMMIT" { exit }' "$2"
}

# load_filter FILE [6]: FILE's filter table into minifw and into
# iptables-legacy (ip6tables-legacy with 6); the listings must be the
# same, and minifw's must load back unchanged
load_filter() {
	local same
	section filter "$1" >"$BATS_TEST_TMPDIR/filter"
	fw "-F" "-X"
	fw "$(cat "$BATS_TEST_TMPDIR/filter")"
	ip netns exec ipt ip${2:-}tables-legacy-restore <"$BATS_TEST_TMPDIR/filter"
	same=$(ip netns exec ipt ip${2:-}tables-legacy-save -t filter | plain)
	if [ "$(plain <"$RULES")" != "$same" ]; then
		diff <(plain <"$RULES") <(echo "$same") || true
		return 1
	fi
	round_trip
	ip netns exec ipt ip${2:-}tables-legacy -F
	ip netns exec ipt ip${2:-}tables-legacy -X
}

@test "Docker's filter table (dockerd with three networks and published ports) loads unchanged, lists as iptables-legacy's and loads back; its IPv6 one too" {
	load_filter "$FIX/docker/iptables.rules"
	# what dockerd made: its four chains, the FORWARD policy, a published port
	run grep -c '^:DOCKER' "$RULES"
	assert_output 4
	grep -q '^:FORWARD DROP' "$RULES"
	grep -qx -- '-A DOCKER -d 198.51.100.2/32 ! -i br-2f91f44b7f00 -o br-2f91f44b7f00 -p tcp -m tcp --dport 80 -j ACCEPT' "$RULES"
	load_filter "$FIX/docker/ip6tables.rules" 6
	grep -qx -- '-A DOCKER -d 2001:db8:1::2/128 ! -i br-af29b7064989 -o br-af29b7064989 -p tcp -m tcp --dport 443 -j ACCEPT' "$RULES"
}

@test "firewalld's filter table (iptables backend, zones public and trusted, rich rules) loads unchanged, lists as iptables-legacy's, and gives probes the same fates and counters" {
	load_filter "$FIX/firewalld/iptables.rules"
	fw "-F" "-X"
	section filter "$FIX/firewalld/iptables.rules" >"$BATS_TEST_TMPDIR/doc"
	# ssh (logged, at most 3 a minute), http, 8080-8090, 5353/udp open;
	# https only from 192.0.2.0/24; the rest rejected, each logged
	PROBES=(tcp:192.0.2.2:22 tcp:192.0.2.7:22 tcp:192.0.2.2:80 tcp:192.0.2.7:443
		tcp:198.51.100.5:443 tcp:192.0.2.2:8085 tcp:192.0.2.2:8091 udp:192.0.2.2:5353
		udp:192.0.2.2:53 icmp:192.0.2.2 tcp:198.51.100.5:22@flags=A)
	oracle "$BATS_TEST_TMPDIR/doc"
	# the https probes: one accepted by the rich rule, one rejected at
	# the zone's end
	assert_output --regexp 'IN_public_allow 5 +1 '
}

@test "OpenWrt's stock firewall (fw3, 21.02) loads unchanged, lists as iptables-legacy's, and gives probes the same fates and counters; its IPv6 one too" {
	load_filter "$FIX/openwrt/ip6tables.rules" 6
	grep -qx -- '-A zone_wan_input -p udp -m udp --dport 546 -m comment --comment "!fw3: Allow-DHCPv6" -j ACCEPT' "$RULES"
	load_filter "$FIX/openwrt/iptables.rules"
	fw "-F" "-X"
	section filter "$FIX/openwrt/iptables.rules" >"$BATS_TEST_TMPDIR/doc"
	# SYNs pass syn_flood's -m limit (burst 50) and return; mfw0 is in
	# no zone, so the INPUT policy takes them
	PROBES=(tcp:192.0.2.2:22 tcp:192.0.2.7:80 tcp:198.51.100.5:443 udp:192.0.2.2:68
		icmp:192.0.2.2 tcp:192.0.2.2:22@flags=A)
	oracle "$BATS_TEST_TMPDIR/doc"
	assert_output --regexp 'syn_flood 1 +3 '
}

@test "kube-proxy's filter table (its own test's expected rules) loads unchanged, lists as iptables-legacy's, and gives probes the same fates and counters" {
	local o=ct_state_invalid_dropped_pkts
	# kube-proxy's metrics object, made before its rules name it
	nfacct add $o
	ip netns exec ipt nfacct add $o
	load_filter "$FIX/kubernetes/kube-proxy.rules"
	fw "-F" "-X"
	# with the jumps kube-proxy inserts into INPUT (its
	# iptablesJumpChains, each -I, so the last first) and kubelet's
	{
		section filter "$FIX/kubernetes/kube-proxy.rules" | grep -v '^COMMIT'
		echo '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL'
		echo '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS'
		echo '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES'
		echo '-A INPUT -j KUBE-FIREWALL'
		echo COMMIT
	} >"$BATS_TEST_TMPDIR/doc"
	# the health check node port is open, node port 3001 of a service
	# without local endpoints dropped (-m addrtype --dst-type LOCAL)
	PROBES=(tcp:192.0.2.2:30000 tcp:192.0.2.2:3001 tcp:192.0.2.7:3001 tcp:192.0.2.2:80
		udp:192.0.2.2:3001 icmp:192.0.2.2)
	oracle "$BATS_TEST_TMPDIR/doc"
	assert_output --regexp 'KUBE-EXTERNAL-SERVICES 3 +2 '
	assert_output --regexp 'KUBE-NODEPORTS 1 +1 '
	nfacct del $o
}

# fail2ban's iptables-multiport action for jail sshd (see
# tests/fixtures/README.md): one command, through both; the same exit
# status (0 or not) and the same listing after it.
both() {
	local m=0 i=0
	echo "$1" >"$RULES" 2>/dev/null || m=1
	# shellcheck disable=SC2086 # the command's words, as fail2ban's shell splits them
	ipt -w $1 2>/dev/null || i=1
	if [ "$m" != "$i" ]; then
		echo "$1: minifw exits $m, iptables $i"
		return 1
	fi
	same_listing
	return "$m"
}

@test "fail2ban's sshd jail: start, check, ban, unban, stop as through iptables-legacy; the ban drops" {
	ipt -L -n >/dev/null	# iptable_filter loaded: it has a listing
	ban="-s 192.0.2.7 -j REJECT --reject-with icmp-port-unreachable"
	jump="-p tcp -m multiport --dports ssh -j f2b-sshd"
	# actionstart
	run ! both "-C f2b-sshd -j RETURN"
	both "-N f2b-sshd"
	both "-A f2b-sshd -j RETURN"
	run ! both "-C INPUT $jump"
	both "-I INPUT $jump"
	# actioncheck
	both "-C INPUT $jump"
	# actionban, and it bans: the banned source's SYN is rejected, the
	# other's goes on (a RST: nothing listens on port 22)
	both "-I f2b-sshd 1 $ban"
	run ip netns exec peer socat -T2 - TCP:192.0.2.1:22,bind=192.0.2.7,connect-timeout=2
	run ip netns exec peer socat -T2 - TCP:192.0.2.1:22,bind=192.0.2.2,connect-timeout=2
	assert_equal "$(pkts f2b-sshd 1)" 1
	assert_equal "$(pkts f2b-sshd 2)" 1
	assert_equal "$(pkts INPUT 1)" 2
	# actionunban
	both "-D f2b-sshd $ban"
	run ! both "-D f2b-sshd $ban"
	# actionstop: nothing left
	both "-D INPUT $jump"
	both "-F f2b-sshd"
	both "-X f2b-sshd"
	run grep -c -- '-A \|f2b' "$RULES"
	assert_output 0
}

@test "fail2ban's sshd jail with banaction iptables-ipset: the set is made, matched, banned into, destroyed as with iptables-legacy" {
	local rule="INPUT -p tcp --dport ssh -m set --match-set f2b-sshd src -j REJECT --reject-with icmp-port-unreachable"
	ipt -L -n >/dev/null	# iptable_filter loaded: it has a listing
	# actionstart: the set in each namespace, then the rule unless there
	ipset -exist create f2b-sshd hash:ip timeout 0
	ip netns exec ipt ipset -exist create f2b-sshd hash:ip timeout 0
	run ! both "-C $rule"
	both "-I $rule"
	both "-C $rule"
	# actionban: the address into the set, which drops its SYN at once
	ipset -exist add f2b-sshd 192.0.2.7 timeout 0
	run ip netns exec peer socat -T2 - TCP:192.0.2.1:22,bind=192.0.2.7,connect-timeout=2
	assert_output --partial "Connection refused"
	assert_equal "$(pkts INPUT 1)" 1
	run ip netns exec peer socat -T2 - TCP:192.0.2.1:22,bind=192.0.2.2,connect-timeout=2
	assert_equal "$(pkts INPUT 1)" 1
	# actionunban: out of the set, through again
	ipset -exist del f2b-sshd 192.0.2.7
	run ip netns exec peer socat -T2 - TCP:192.0.2.1:22,bind=192.0.2.7,connect-timeout=2
	assert_equal "$(pkts INPUT 1)" 1
	# actionstop: the rule goes, then the set can
	run ipset destroy f2b-sshd
	assert_failure
	both "-D $rule"
	run ! both "-C $rule"
	ipset flush f2b-sshd
	ipset destroy f2b-sshd
	ip netns exec ipt iptables-legacy -F
	ip netns exec ipt ipset destroy f2b-sshd
}

@test "firewalld's IPv6 filter table loads unchanged and lists as ip6tables-legacy's" {
	load_filter "$FIX/firewalld/ip6tables.rules" 6
	grep -qx -- '-A IN_public_allow -d fe80::/64 -p udp -m udp --dport 546 -j ACCEPT' "$RULES"
}

# Last in the file: net6_up leaves IPv6 on.
@test "ufw's IPv6 ruleset loads whole, lists as in ip6tables-legacy, and drops a type 0 routing header (-m rt)" {
	local same
	net6_up
	UFW6=6 ufw_doc cat >"$BATS_TEST_TMPDIR/ufw6"
	fw "$(cat "$BATS_TEST_TMPDIR/ufw6")"
	ip netns exec ipt ip6tables-legacy-restore <"$BATS_TEST_TMPDIR/ufw6"
	same=$(ip netns exec ipt ip6tables-legacy-save -t filter | plain)
	assert_equal "$(plain <"$RULES")" "$same"
	round_trip
	peer_ping -6 2001:db8:1::1
	ip netns exec peer python3 -c '
from scapy.layers.inet6 import IPv6, IPv6ExtHdrRouting, ICMPv6EchoRequest
from scapy.sendrecv import send
send(IPv6(src="2001:db8:1::2", dst="2001:db8:1::1") /
     IPv6ExtHdrRouting(type=0, segleft=1, addresses=["2001:db8:3::2"]) /
     ICMPv6EchoRequest(), verbose=0)'
	eventually 1 awk '$1 == "ufw6-before-input" && / -m rt --rt-type 0 -j DROP$/ { print $3 }' "$STATS"
	run awk '$1 == "ufw6-before-input" && / --icmpv6-type 128 -j ACCEPT$/ { print $3 }' "$STATS"
	assert_output 1
}
