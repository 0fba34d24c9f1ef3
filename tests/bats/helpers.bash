# SPDX-License-Identifier: GPL-2.0
# Shared by every bats file: the test network, module loading, small
# readers of /proc/minifw/stats. Runs inside the test VM as root.
#
# Topology (all documentation addresses):
#
#   netns "peer"                   root netns (minifw)              netns "far"
#   veth mfwp 192.0.2.2/24   <->   mfw0 192.0.2.1/24
#        also 192.0.2.7/24,        mfw1 203.0.113.1/24     <->   veth mfwf 203.0.113.2/24
#        198.51.100.5/24           (forwarding on)
#
# Packets from "peer" to the root netns cross PREROUTING and INPUT; replies
# cross OUTPUT and POSTROUTING; "peer" <-> "far" crosses FORWARD.
#
# IPv6 is off on these links unless a file calls net6_up: minifw filters
# IPv6 too, and the IPv6 stack's own chatter (DAD, MLD reports, router
# solicitations) would land in the exact counters of family-less rules.

bats_require_minimum_version 1.5.0
# bats-support and bats-assert (Debian's, in /usr/lib/bats), their files
# sourced directly: bats loads this file again for every test, and
# bats_load_library's load.bash files run dirname once per file sourced,
# 15 processes that cost 0.8 s a test under emulation. They only define
# functions, so the order does not matter.
for _lib in /usr/lib/bats/bats-support/src/*.bash /usr/lib/bats/bats-assert/src/*.bash; do
	# shellcheck disable=SC1090
	source "$_lib"
done
unset _lib

MINIFW_KO=${MINIFW_KO:-$BATS_TEST_DIRNAME/../../build/$(</proc/sys/kernel/osrelease)/minifw.ko}
RULES=/proc/minifw/rules
STATS=/proc/minifw/stats

# Bring up the namespaces; idempotent. One ip process per namespace (ip
# -batch): each costs a tenth of a second under emulation, and every file
# does this.
net_up() {
	net_down
	ip -batch - <<-EOF
		netns add peer
		netns add far
		link add mfw0 type veth peer name mfwp
		link set mfwp netns peer
		link add mfw1 type veth peer name mfwf
		link set mfwf netns far
	EOF
	# still down: no IPv6 address, no IPv6 packet yet
	sysctl -qw net.ipv6.conf.mfw0.disable_ipv6=1 net.ipv6.conf.mfw1.disable_ipv6=1 \
		net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
	# (icmp_ratelimit: REJECT's ICMP errors must not be held back by the
	# per-peer limit)
	ip netns exec peer sysctl -qw net.ipv6.conf.mfwp.disable_ipv6=1
	ip netns exec far sysctl -qw net.ipv6.conf.mfwf.disable_ipv6=1
	ip -batch - <<-EOF
		addr add 192.0.2.1/24 dev mfw0
		addr add 203.0.113.1/24 dev mfw1
		link set mfw0 up
		link set mfw1 up
		route add 198.51.100.0/24 via 192.0.2.2
	EOF
	ip -n peer -batch - <<-EOF
		link set lo up
		addr add 192.0.2.2/24 dev mfwp
		addr add 192.0.2.7/24 dev mfwp
		addr add 198.51.100.5/24 dev mfwp
		link set mfwp up
		route add 203.0.113.0/24 via 192.0.2.1
	EOF
	ip -n far -batch - <<-EOF
		link set lo up
		addr add 203.0.113.2/24 dev mfwf
		link set mfwf up
		route add default via 203.0.113.1
	EOF
	# ARP once, so the first counted packet is not delayed by resolution
	ping -c1 -W2 192.0.2.2 >/dev/null
	ping -c1 -W2 203.0.113.2 >/dev/null
}

# IPv6 on the same links, for files that test it:
#   peer mfwp 2001:db8:1::2, ::7 <-> mfw0 2001:db8:1::1
#   mfw1 2001:db8:3::1 <-> far mfwf 2001:db8:3::2
# No link-local addresses, no DAD, no router solicitations: only the
# tests' packets and Neighbour Discovery for them. What MLD reports the
# new addresses cause are sent within a second; wait them out.
net6_up() {
	local ns_dev ns dev
	# once per file: a later test may ask again
	[ -z "$(ip -6 addr show dev mfw0 to 2001:db8:1::1/128)" ] || return 0
	for ns_dev in :mfw0 :mfw1 peer:mfwp far:mfwf; do
		ns=${ns_dev%%:*}
		dev=${ns_dev#*:}
		run_in "$ns" sysctl -qw net.ipv6.conf."$dev".addr_gen_mode=1 \
			net.ipv6.conf."$dev".accept_dad=0 \
			net.ipv6.conf."$dev".router_solicitations=0 \
			net.ipv6.conf."$dev".accept_ra=0 \
			net.ipv6.conf."$dev".disable_ipv6=0
	done
	sysctl -qw net.ipv6.conf.all.forwarding=1
	ip addr add 2001:db8:1::1/64 dev mfw0 nodad
	ip addr add 2001:db8:3::1/64 dev mfw1 nodad
	ip -n peer addr add 2001:db8:1::2/64 dev mfwp nodad
	# deprecated: used only where a test binds to it, as 192.0.2.7 is
	ip -n peer addr add 2001:db8:1::7/64 dev mfwp nodad preferred_lft 0
	ip -n peer route add 2001:db8:3::/64 via 2001:db8:1::1
	ip -n far addr add 2001:db8:3::2/64 dev mfwf nodad
	ip -n far route add default via 2001:db8:3::1
	sleep 1.5
	ping -c1 -W2 2001:db8:1::2 >/dev/null
	ping -c1 -W2 2001:db8:3::2 >/dev/null
}

net_down() {
	local pids
	pids=$(ip netns pids peer 2>/dev/null; ip netns pids far 2>/dev/null) || true
	# shellcheck disable=SC2086 # one pid a word
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	# -force: on past what is not there
	ip -force -batch - >/dev/null 2>&1 <<-EOF || true
		netns del peer
		netns del far
		link del mfw0
		link del mfw1
	EOF
}

# A plain insmod, as the tutorials do it: minifw loads what its rules need
# (REJECT's helpers, the loggers, conntrack) when they are written.
fw_load() {
	insmod "$MINIFW_KO" "$@"
}

fw_unload() {
	if [ -d /sys/module/minifw ]; then
		rmmod minifw
	fi
}

# Remove nf_conntrack and its defragmenters, and every module that uses
# them. Modules stay loaded after their last user goes (nft_ct after an nft
# notrack rule, xt_conntrack after an iptables one). Fails if anything
# still holds one of them: minifw with a state rule, a table. rmmod, not
# modprobe -r: that would also remove what they use when nothing else
# does, nf_tables among them (nft_ct's), and with it tests/in-vm.sh's
# hook keepalive tables.
unload_conntrack() {
	unload_with_users nf_conntrack &&
		unload_with_users nf_defrag_ipv4 &&
		unload_with_users nf_defrag_ipv6
}

unload_with_users() {
	local m users
	[ -d "/sys/module/$1" ] || return 0
	users=$(awk -v m="$1" '$1 == m && $4 != "-" { gsub(",", " ", $4); print $4 }' /proc/modules)
	for m in $users; do
		unload_with_users "$m" || return 1
	done
	rmmod "$1"
}

# Remove ipset (ip_set) and every module that uses it (its set types,
# xt_set): a file that made sets leaves it as it found it, for 95-bench.
unload_ipset() { unload_with_users ip_set; }

# The network is built once per file (it costs seconds under emulation);
# each test gets a freshly loaded module without rules.
setup_file() { net_up; }
teardown_file() { net_down; }

common_setup() {
	stop_servers
	fw_unload
	fw_load
}

common_teardown() {
	stop_servers
	fw_unload || true
}

# Every socat a test starts in the background goes through socat_bg, which
# notes it; stop_servers kills them all then, and costs nothing otherwise
# (pkill costs 0.4 s under emulation, and this runs twice a test).
stop_servers() {
	[ -e "$BATS_RUN_TMPDIR/socat" ] || return 0
	pkill -x socat 2>/dev/null || true
	rm -f "$BATS_RUN_TMPDIR/socat"
}

# socat_bg NETNS ARGS...: socat in netns NETNS ("" for this one), in the background
socat_bg() {
	local ns=$1
	shift
	touch "$BATS_RUN_TMPDIR/socat"
	run_in "$ns" socat "$@" 3>&- &
}

# Write all arguments as lines in ONE write() (one transaction).
fw() {
	printf '%s\n' "$@" | dd of="$RULES" bs=16M iflag=fullblock status=none
}

# fw_refused MESSAGE LINE...: the write is refused, and /proc/minifw/error
# says "line N: ..." exactly as MESSAGE.
fw_refused() {
	local msg=$1
	shift
	run ! fw "$@"
	run cat /proc/minifw/error
	assert_output "$msg"
}

# Packets / bytes of rule N of CHAIN, or of its policy with N=policy.
pkts() { awk -v c="$1" -v n="$2" '$1 == c && $2 == n { print $3 }' "$STATS"; }
bytes() { awk -v c="$1" -v n="$2" '$1 == c && $2 == n { print $4 }' "$STATS"; }

# The listing without counters, for comparisons across traffic.
listing() { sed -E 's/ \[[0-9]+:[0-9]+\]$//' "$RULES"; }

# ping from the peer namespace (extra args before the target): peer_ping
# succeeds on a reply, waiting up to 3 s; peer_noreply succeeds when no reply
# came within 0.5 s (the packet was dropped). noreply: the same from here.
peer_ping() { ip netns exec peer ping -c1 -W3 -q "$@" >/dev/null 2>&1; }
peer_noreply() { ! ip netns exec peer ping -c1 -W0.5 -q "$@" >/dev/null 2>&1; }
noreply() { ! ping -c1 -W0.5 -q "$@" >/dev/null 2>&1; }

# Kernel log since dmesg_mark.
dmesg_mark() { DMESG_START=$(dmesg | wc -l); }
dmesg_new() { dmesg | tail -n +"$((DMESG_START + 1))"; }

# A TCP server in netns $1 on port $2 answering "hi"; stopped by
# stop_servers at the end of each test.
tcp_server() {
	socat_bg "$1" -t10 TCP-LISTEN:"$2",reuseaddr,fork SYSTEM:'echo hi'
	wait_port "$1" tcp "$2"
}

# A UDP server in netns $1 on port $2 answering "hi" to each datagram.
udp_server() {
	socat_bg "$1" -t10 UDP-RECVFROM:"$2",reuseaddr,fork SYSTEM:'echo hi'
	wait_port "$1" udp "$2"
}

# eventually WANT CMD...: CMD prints WANT within 2 s. For counters of
# packets sent from another namespace without a reply to wait for: the
# sender may return while its packet still waits in a receive queue.
eventually() {
	local want=$1 got i
	shift
	for i in $(seq 20); do
		got=$("$@")
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	echo "expected \"$want\", got \"$got\" from: $*" >&2
	return 1
}

# wait_port NETNS PROTO PORT: until a server listens ("" is the root netns)
wait_port() {
	local i
	for i in $(seq 100); do
		if run_in "$1" ss -Hln --"$2" | grep -q ":$3 "; then
			return 0
		fi
		sleep 0.05
	done
	echo "server on $1 $2/$3 did not start" >&2
	return 1
}

# Talk to a server from the root netns (or netns $NS if set). *_ok succeed
# only if it answered "hi" (socat exits 0 when a UDP answer never comes);
# *_blocked succeed if no answer came (within 1 s). The *_ok waits cost
# nothing when the answer comes, so they are long: under emulation on a
# busy host, 3 s were once not enough for an open port.
#
# -t (here and in the servers): socat's half-close wait. The client's
# stdin ends at once, and by default each side then gives the other only
# 0.5 s before closing; a server shell slower than that to run "echo hi"
# fails with "echo: I/O error" and the client sees no answer. UDP never
# closes, so udp_ok stops after the 3 bytes of "hi\n" (readbytes=3).
tcp_ok() { answered run_in "${NS:-}" socat -t10 -T10 - TCP:"$1":"$2",connect-timeout=10 </dev/null; }
tcp_blocked() { ! answered run_in "${NS:-}" socat -T1 - TCP:"$1":"$2",connect-timeout=1 </dev/null; }
udp_ok() { echo x | answered run_in "${NS:-}" socat -t10 -T10 - UDP:"$1":"$2",readbytes=3; }
udp_blocked() { ! (echo x | answered run_in "${NS:-}" socat -T1 - UDP:"$1":"$2"); }

answered() {
	local out
	out=$("$@")
	echo "$out"
	[ "$out" = hi ]
}

run_in() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

# iptables-legacy as the oracle (oracle.py): its filter table emptied and
# unloaded again after a test.
legacy_clean() {
	local c
	for c in -F -X "-P INPUT ACCEPT" "-P FORWARD ACCEPT" "-P OUTPUT ACCEPT"; do
		# shellcheck disable=SC2086 # the command's words
		iptables-legacy $c 2>/dev/null || true
	done
	rmmod iptable_filter 2>/dev/null || true
}

# oracle DOC [--then EDITS]...: minifw and iptables-legacy give the
# file's PROBES (an array) the same fates and counters (oracle.py).
oracle() {
	run ip netns exec peer python3 "$BATS_TEST_DIRNAME/oracle.py" "$@" "${PROBES[@]}"
	echo "$output"
	assert_success
	assert_output --regexp ', 0 disagreements$'
}

# alongside IPT CHAIN OPTIONS...: each OPTIONS a rule that only counts, in
# minifw's CHAIN (for IPv4, or IPv6 if IPT is ip6tables-legacy) and in
# IPT's filter table. Both hook the same places at the same priority and
# accept, so both see every packet.
alongside() {
	local ipt=$1 chain=$2 fam=-4 o
	shift 2
	[ "$ipt" = ip6tables-legacy ] && fam=-6
	for o in "$@"; do
		fw "-A $chain $fam $o"
		# shellcheck disable=SC2086 # the options' words
		$ipt -A "$chain" $o
	done
}

# same_counts IPT CHAIN...: each rule of each CHAIN counted as many packets
# in minifw as in IPT. The two are read one after the other, and a packet
# can come in between (a Neighbour Discovery probe): read again, a few
# times, until they agree.
same_counts() {
	local ipt=$1 chain mine theirs rc try
	shift
	for try in 1 2 3 4 5; do
		rc=0
		for chain in "$@"; do
			mine=$(awk -v c="$chain" '$1 == c && $2 != "policy" { print $2, $3 }' "$STATS")
			theirs=$($ipt -L "$chain" -v -x -n --line-numbers | awk 'NR > 2 { print $1, $2 }')
			echo "$chain: minifw" $mine "/ $ipt" $theirs
			[ "$mine" = "$theirs" ] || rc=1
		done
		[ "$rc" = 0 ] && return 0
		sleep 0.3
	done
	return 1
}
