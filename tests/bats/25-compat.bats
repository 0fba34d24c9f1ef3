#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# iptables compatibility: REJECT, --icmp-type, --tcp-flags/--syn, option
# syntax, errors that teach. Real packets, as everywhere.

load helpers

setup() { common_setup; }
teardown() {
	common_teardown
	# what a failed test left: auditing on, iptables-legacy's rules
	[ -z "${AUDIT_ON:-}" ] || audit_switch 0 || true
	[ ! -d /sys/module/iptable_filter ] || legacy_clean
}

# Capture the first ICMP unreachable seen in the peer namespace while
# running "$@"; print tcpdump's line for it.
peer_icmp_capture() {
	local out=$BATS_TEST_TMPDIR/icmp.txt log=$BATS_TEST_TMPDIR/tcpdump.log i
	ip netns exec peer tcpdump -n -l -c 1 -i mfwp 'icmp[icmptype] == icmp-unreach' \
		>"$out" 2>"$log" 3>&- &
	local pid=$!
	# tcpdump says so once its socket is open
	for i in $(seq 100); do
		grep -q "listening on" "$log" && break
		sleep 0.1
	done
	"$@" || true
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	cat "$out"
}

peer_udp_send() {
	echo x | ip netns exec peer socat -T1 - UDP:192.0.2.1:"$1" >/dev/null 2>&1
}

@test "REJECT --reject-with tcp-reset: connect refused at once, not a timeout" {
	fw "-A INPUT -p tcp --dport 8080 -j REJECT --reject-with tcp-reset"
	run ip netns exec peer socat -T5 - TCP:192.0.2.1:8080,connect-timeout=5 </dev/null
	assert_failure
	assert_output --partial "Connection refused"
	assert_equal "$(pkts INPUT 1)" 1
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p tcp -m tcp --dport 8080 -j REJECT --reject-with tcp-reset"
}

@test "REJECT default: UDP draws an ICMP port unreachable (tcpdump in the peer)" {
	fw "-A INPUT -p udp --dport 5353 -j REJECT"
	run grep -- '^-A INPUT' "$RULES"
	# a rule for both families: the port unreachable of the packet's family
	assert_output "-A INPUT -p udp -m udp --dport 5353 -j REJECT"
	run peer_icmp_capture peer_udp_send 5353
	assert_output --partial "192.0.2.1 > 192.0.2.2: ICMP 192.0.2.1 udp port 5353 unreachable"
}

@test "REJECT --reject-with icmp-host-prohibited and icmp-admin-prohibited" {
	fw "-A INPUT -p udp --dport 5353 -j REJECT --reject-with icmp-host-prohibited"
	run peer_icmp_capture peer_udp_send 5353
	assert_output --partial "ICMP host 192.0.2.1 unreachable - admin prohibited"
	fw "-R INPUT 1 -p udp --dport 5353 -j REJECT --reject-with admin-prohib"
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p udp -m udp --dport 5353 -j REJECT --reject-with icmp-admin-prohibited"
	run peer_icmp_capture peer_udp_send 5353
	assert_output --partial "ICMP host 192.0.2.1 unreachable - admin prohibited filter"
}

@test "REJECT in FORWARD answers for the far host; refused in PREROUTING" {
	fw "-A FORWARD -p icmp -j REJECT --reject-with icmp-net-unreachable"
	run peer_icmp_capture peer_ping 203.0.113.2
	assert_output --partial "ICMP net 203.0.113.2 unreachable"
	fw_refused "line 1: -j REJECT is only valid in INPUT, FORWARD and OUTPUT" "-A PREROUTING -j REJECT"
	fw_refused "line 1: --reject-with tcp-reset needs -p tcp" "-A INPUT -p udp -j REJECT --reject-with tcp-reset"
}

@test "--icmp-type by name and number, and its negation" {
	fw "-A INPUT -p icmp --icmp-type echo-request -j DROP"
	peer_noreply 192.0.2.1
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p icmp -m icmp --icmp-type 8 -j DROP"
	fw "-F" "-A INPUT -p icmp -m icmp ! --icmp-type 8 -j DROP"
	peer_ping 192.0.2.1
	# the host's own ping: its echo reply is not type 8, so dropped
	noreply 192.0.2.2
	fw "-F" "-A INPUT -p icmp --icmp-type 3/3" "-A INPUT -p icmp --icmp-type any"
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p icmp -m icmp --icmp-type 3/3
-A INPUT -p icmp -m icmp --icmp-type any"
	peer_ping 192.0.2.1
	assert_equal "$(pkts INPUT 1)" 0
	assert_equal "$(pkts INPUT 2)" 1
}

@test "--syn drops new connections while an established one goes on" {
	socat_bg "" TCP-LISTEN:8080,reuseaddr,fork EXEC:cat
	wait_port "" tcp 8080
	coproc CONN { ip netns exec peer socat - TCP:192.0.2.1:8080 3>&-; }
	local line
	echo one >&"${CONN[1]}"
	read -r -t 5 line <&"${CONN[0]}"
	assert_equal "$line" one
	fw "-A INPUT -p tcp --dport 8080 --syn -j DROP"
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p tcp -m tcp --dport 8080 --tcp-flags FIN,SYN,RST,ACK SYN -j DROP"
	# established: still flows
	echo two >&"${CONN[1]}"
	read -r -t 5 line <&"${CONN[0]}"
	assert_equal "$line" two
	# new: the SYN is dropped
	run ! ip netns exec peer socat -T1 - TCP:192.0.2.1:8080,connect-timeout=1 </dev/null
	# the SYN (a retransmission may follow within the second)
	[ "$(pkts INPUT 1)" -ge 1 ]
	kill "$CONN_PID" 2>/dev/null || true
}

@test "--tcp-flags counts exactly the SYN-ACKs of a connection" {
	tcp_server peer 8080
	fw "-A INPUT -p tcp --tcp-flags SYN,ACK SYN,ACK" "-A INPUT -p tcp ! --tcp-flags ALL NONE"
	run tcp_ok 192.0.2.2 8080
	assert_output hi
	assert_equal "$(pkts INPUT 1)" 1
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN,ACK
-A INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE"
}

@test "option syntax: long options, --opt=value, glued, quoted, dotted masks" {
	fw "--append INPUT --source=192.0.2.0/255.255.255.0 --protocol tcp --destination-port=8080 --jump DROP" \
	   "-AINPUT -ptcp -s192.0.2.7 -jACCEPT" \
	   "-A INPUT -p \"udp\" --dport '53' -j 'DROP'" \
	   "--insert OUTPUT 1 ! --out-interface mfw1 --jump ACCEPT"
	run grep -- '^-A' "$RULES"
	assert_output "-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 8080 -j DROP
-A INPUT -s 192.0.2.7/32 -p tcp -j ACCEPT
-A INPUT -p udp -m udp --dport 53 -j DROP
-A OUTPUT ! -o mfw1 -j ACCEPT"
}

@test "errors that teach: did you mean, the fix, and /proc/minifw/error" {
	fw_refused 'line 1: unknown option "--dprot" (did you mean "--dport"?)' "-A INPUT -p tcp --dprot 22 -j DROP"
	fw_refused 'line 2: unknown chain "INPTU" (did you mean "INPUT"?)' "-A INPUT -p tcp -j ACCEPT" "-A INPTU -j DROP"
	fw_refused "line 1: --dport needs -p tcp, -p udp, -p sctp or -p dccp before it" "-A INPUT --dport 22 -j DROP"
	fw_refused 'line 1: --dport: "022": leading zeros are ambiguous (iptables reads them as octal)' "-A INPUT -p tcp --dport 022 -j DROP"
	# readable by anyone, like the stats
	run stat -c %a /proc/minifw/error
	assert_output 444
}

@test "LOG: an iptables-format line per packet, and the packet goes on" {
	fw "-A INPUT -p icmp -j LOG --log-prefix \"mfw-ping: \" --log-level info" \
	   "-A INPUT -p icmp -j DROP"
	run grep -- '^-A INPUT' "$RULES"
	assert_output '-A INPUT -p icmp -j LOG --log-prefix "mfw-ping: " --log-level 6
-A INPUT -p icmp -j DROP'
	dmesg_mark
	peer_noreply 192.0.2.1
	assert_equal "$(pkts INPUT 1)" 1
	assert_equal "$(pkts INPUT 2)" 1
	run dmesg_new
	assert_output --regexp 'mfw-ping: IN=mfw0 OUT= MAC=[0-9a-f:]+ SRC=192\.0\.2\.2 DST=192\.0\.2\.1 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=[0-9]+ (DF )?PROTO=ICMP TYPE=8 CODE=0 ID=[0-9]+ SEQ=1'
}

@test "LOG: TCP ports in the line, default level, flags listed" {
	tcp_server peer 8080
	fw "-A OUTPUT -p tcp --dport 8080 --syn -j LOG --log-prefix out-syn --log-tcp-options --log-uid"
	run grep -- '^-A OUTPUT' "$RULES"
	assert_output "-A OUTPUT -p tcp -m tcp --dport 8080 --tcp-flags FIN,SYN,RST,ACK SYN -j LOG --log-prefix out-syn --log-tcp-options --log-uid"
	dmesg_mark
	run tcp_ok 192.0.2.2 8080
	assert_output hi
	run dmesg_new
	assert_output --regexp 'out-synIN= OUT=mfw0 SRC=192\.0\.2\.1 DST=192\.0\.2\.2 .*PROTO=TCP SPT=[0-9]+ DPT=8080 .*SYN .*UID=0'
	assert_equal "$(pkts OUTPUT 1)" 1
}

# audit_switch 0|1: the kernel's auditing off or on (AUDIT_SET over
# netlink, as auditctl -e does; Debian's auditd would also start a daemon)
audit_switch() {
	python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)        # NETLINK_AUDIT
status = struct.pack("=8I", 1, int(sys.argv[1]), 0, 0, 0, 0, 0, 0)  # mask: ENABLED
s.sendto(struct.pack("=IHHII", 16 + len(status), 1001, 5, 1, 0) + status, (0, 0))  # AUDIT_SET
ack = s.recv(4096)
err = struct.unpack_from("=i", ack, 16)[0]
sys.exit(-err)' "$1"
}

@test "AUDIT: an audit record per packet, as iptables-legacy writes it, and the packet goes on" {
	AUDIT_ON=1
	audit_switch 1
	dmesg_mark
	fw "-A INPUT -s 192.0.2.2 -p icmp -j AUDIT --type drop"
	iptables-legacy -A INPUT -s 192.0.2.7 -p icmp -j AUDIT --type accept
	peer_ping 192.0.2.1
	peer_ping -I 192.0.2.7 192.0.2.1
	audit_switch 0
	legacy_clean
	# without auditd, the records go to the kernel log
	run bash -c "dmesg | tail -n +$((DMESG_START + 1)) |
		sed -n 's/.*audit: type=1324 audit([0-9.:]*): //p'"
	assert_output - <<'EOF'
mark=0x0 saddr=192.0.2.2 daddr=192.0.2.1 proto=1
mark=0x0 saddr=192.0.2.7 daddr=192.0.2.1 proto=1
EOF
	assert_equal "$(pkts INPUT 1)" 1
	run grep -- '-j AUDIT' "$RULES"
	assert_output '-A INPUT -s 192.0.2.2/32 -p icmp -j AUDIT --type drop'
}

@test "NFLOG: tcpdump reads the packets from nfnetlink_log's group, with the prefix, and the packet goes on" {
	local cap=$BATS_TEST_TMPDIR/nflog.pcap log=$BATS_TEST_TMPDIR/tcpdump.log i pid
	fw "-A INPUT -p icmp -j NFLOG --nflog-group 5 --nflog-prefix mfw-nflog --nflog-size 64" \
	   "-A INPUT -p icmp -j DROP"
	run grep -- '^-A INPUT' "$RULES"
	assert_output '-A INPUT -p icmp -j NFLOG --nflog-prefix mfw-nflog --nflog-group 5 --nflog-size 64
-A INPUT -p icmp -j DROP'
	# minifw loaded nfnetlink_log for the rule
	[ -d /sys/module/nfnetlink_log ]
	timeout 30 tcpdump -n -U -c 2 -i nflog:5 -w "$cap" 2>"$log" 3>&- &
	pid=$!
	for i in $(seq 100); do
		grep -q "listening on" "$log" && break
		sleep 0.1
	done
	peer_noreply 192.0.2.1
	peer_noreply 192.0.2.1
	wait "$pid"
	run tcpdump -n -r "$cap"
	assert_equal "$(grep -c '192\.0\.2\.2 > 192\.0\.2\.1: ICMP echo request' <<<"$output")" 2
	# the prefix travels with each packet
	assert_equal "$(grep -ac mfw-nflog "$cap")" 2
	assert_equal "$(pkts INPUT 1)" 2
	assert_equal "$(pkts INPUT 2)" 2
}

# nfq QUEUE accept|drop COUNT: a reader of the queue (nfqueue.py) in the
# background, its lines in $BATS_TEST_TMPDIR/nfq.out, once it is bound
nfq() {
	local out=$BATS_TEST_TMPDIR/nfq.out i
	python3 "$BATS_TEST_DIRNAME/nfqueue.py" "$@" 20 >"$out" 2>&1 3>&- &
	NFQ_PID=$!
	for i in $(seq 200); do
		grep -q "^bound" "$out" && return 0
		sleep 0.1
	done
	cat "$out"
	return 1
}

@test "NFQUEUE: a user-space reader decides; without one the packet is dropped, or passes with --queue-bypass" {
	fw "-A INPUT -p icmp -j NFQUEUE --queue-num 3" "-A INPUT -p icmp -j DROP"
	run grep -- '^-A INPUT' "$RULES"
	assert_output '-A INPUT -p icmp -j NFQUEUE --queue-num 3
-A INPUT -p icmp -j DROP'
	# no reader: nf_queue drops it
	peer_noreply 192.0.2.1
	# a reader that accepts: the ping is answered, the DROP rule never met
	nfq 3 accept 1
	peer_ping 192.0.2.1
	wait "$NFQ_PID"
	run cat "$BATS_TEST_TMPDIR/nfq.out"
	# NF_INET_LOCAL_IN is hook 1; an 84-byte echo request
	assert_line --regexp '^packet [0-9]+ hook 1 len 84$'
	assert_line "seen 1"
	# a reader that drops
	nfq 3 drop 1
	peer_noreply 192.0.2.1
	wait "$NFQ_PID"
	run cat "$BATS_TEST_TMPDIR/nfq.out"
	assert_line "seen 1"
	assert_equal "$(pkts INPUT 1)" 3
	assert_equal "$(pkts INPUT 2)" 0
	# --queue-bypass without a reader: past minifw's hook, as if accepted
	fw "-F" "-A INPUT -p icmp -j NFQUEUE --queue-num 4 --queue-bypass" "-A INPUT -p icmp -j DROP"
	peer_ping 192.0.2.1
	assert_equal "$(pkts INPUT 1)" 1
	assert_equal "$(pkts INPUT 2)" 0
}

@test "-m multiport --dports, with a range, and its negation" {
	tcp_server "" 8080
	tcp_server "" 8081
	tcp_server "" 8085
	fw "-A INPUT -p tcp -m multiport --dports 8080,8082:8090 -j DROP"
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p tcp -m multiport --dports 8080,8082:8090 -j DROP"
	NS=peer tcp_blocked 192.0.2.1 8080
	NS=peer run tcp_ok 192.0.2.1 8081
	assert_output hi
	NS=peer tcp_blocked 192.0.2.1 8085
	fw "-F" "-A INPUT -p tcp -m multiport ! --ports 8081 -j DROP"
	NS=peer run tcp_ok 192.0.2.1 8081
	assert_output hi
	NS=peer tcp_blocked 192.0.2.1 8080
}

@test "-m iprange --src-range and ! --dst-range" {
	fw "-A INPUT -m iprange --src-range 192.0.2.5-192.0.2.9 -j DROP"
	peer_noreply -I 192.0.2.7 192.0.2.1
	peer_ping -I 192.0.2.2 192.0.2.1
	fw "-F" "-A INPUT -p icmp -m iprange ! --dst-range 192.0.2.1-192.0.2.1 -j DROP"
	peer_ping 192.0.2.1
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p icmp -m iprange ! --dst-range 192.0.2.1-192.0.2.1 -j DROP"
}

@test "-m comment: quoted text round-trips through the listing" {
	fw "-A INPUT -p tcp --dport 22 -m comment --comment \"ssh from the \\\"ops\\\" net\" -j ACCEPT" \
	   "-A INPUT -p icmp -m comment --comment plain_word"
	run grep -- '^-A INPUT' "$RULES"
	assert_output '-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh from the \"ops\" net" -j ACCEPT
-A INPUT -p icmp -m comment --comment plain_word'
	cat "$RULES" > "$BATS_TEST_TMPDIR/saved"
	fw "-F"
	cat "$BATS_TEST_TMPDIR/saved" > "$RULES"
	run diff <(sed -E 's/ \[[0-9]+:[0-9]+\]$//' "$BATS_TEST_TMPDIR/saved") <(listing)
	assert_success
	# -D by text needs the comment too
	run ! fw "-D INPUT -p icmp -m comment --comment other"
	fw "-D INPUT -p icmp -m comment --comment plain_word"
	run grep -c -- '^-A INPUT' "$RULES"
	assert_output 1
}

@test "-m limit lets the burst through, then the rate" {
	fw "-A INPUT -p icmp -m limit --limit 2/sec --limit-burst 3 -j ACCEPT" "-A INPUT -p icmp -j DROP"
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p icmp -m limit --limit 2/sec --limit-burst 3 -j ACCEPT
-A INPUT -p icmp -j DROP"
	local start end passed
	start=$(date +%s%N)
	ip netns exec peer ping -c 20 -i 0.002 -W 0.5 -q 192.0.2.1 >/dev/null 2>&1 || true
	end=$(date +%s%N)
	passed=$(pkts INPUT 1)
	assert_equal "$((passed + $(pkts INPUT 2)))" 20
	# the burst at least; beyond it, no more than the rate allowed meanwhile
	[ "$passed" -ge 3 ]
	[ "$passed" -le $((3 + 2 * (end - start) / 1000000000 + 1)) ]
	# after a pause the bucket has refilled
	sleep 1.5
	peer_ping 192.0.2.1
}
