#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# -m conntrack and -m state --state on real connections: the stateful
# default-drop firewall, NEW on one port, INVALID, UNTRACKED, connection
# tracking that runs only while a state rule exists, -m conntrack's
# other options on a connection iptables-legacy's nat table DNATs, and the
# connection's mark (-m connmark, -j CONNMARK) beside iptables-legacy's,
# -m connbytes, -m helper and -m connlimit.

load helpers

setup() { common_setup; }
teardown() {
	local i held=
	common_teardown
	# what a failed test left running (conntrack -E, a server)
	# shellcheck disable=SC2086 # one pid a word
	[ -z "${BG_PIDS:-}" ] || kill $BG_PIDS 2>/dev/null || true
	nft delete table ip minifw_test_notrack 2>/dev/null || true
	if [ -d /sys/module/iptable_mangle ]; then
		iptables-legacy -t mangle -F
		rmmod iptable_mangle
		held=1
	fi
	if [ -d /sys/module/iptable_raw ]; then
		iptables-legacy -t raw -F
		rmmod iptable_raw
		held=1
	fi
	if [ -d /sys/module/iptable_nat ]; then
		iptables-legacy -t nat -F
		rmmod iptable_nat
		held=1
	fi
	legacy_clean
	# -m connlimit's nf_conncount (minifw's and xt_connlimit's) holds it too
	if [ -d /sys/module/nf_conncount ]; then held=1; fi
	if [ -n "$held" ]; then
		# iptables' NAT, connmark and CT hold conntrack: the files after
		# this one expect it unloaded
		for i in $(seq 100); do
			unload_conntrack 2>/dev/null && break
			sleep 0.1
		done
		[ ! -d /sys/module/nf_conntrack ]
	fi
}

# The usual stateful INPUT: replies in, new connections out only.
stateful_input() {
	fw "-P INPUT DROP" \
	   "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" "$@"
}

@test "a state rule starts connection tracking; without one it is not even loaded" {
	# nothing else in the test VM uses conntrack: it must be unloadable
	modprobe -r nf_conntrack 2>/dev/null || true
	[ ! -d /sys/module/nf_conntrack ]
	fw "-A INPUT -p tcp --dport 22 -j ACCEPT"
	[ ! -d /sys/module/nf_conntrack ]
	fw "-A INPUT -m state --state NEW"
	[ -d /sys/module/nf_conntrack ]
	# running: a ping creates a conntrack entry
	ping -c1 -W2 -q 192.0.2.2 >/dev/null
	[ "$(cat /proc/sys/net/netfilter/nf_conntrack_count)" -ge 1 ]
	# the last state rule goes: minifw lets go, so it unloads again
	fw "-D INPUT 2"
	run modprobe -r nf_conntrack
	assert_success
	[ ! -d /sys/module/nf_conntrack ]
}

@test "rmmod minifw lets go of connection tracking" {
	fw "-A INPUT -m conntrack --ctstate NEW"
	[ -d /sys/module/nf_conntrack ]
	fw_unload
	run modprobe -r nf_conntrack
	assert_success
}

@test "-P INPUT DROP with ESTABLISHED,RELATED: replies to our pings come in, the peer's pings do not" {
	stateful_input
	ping -c3 -i0.2 -W2 -q 192.0.2.2 >/dev/null
	# the three echo replies, 84 bytes each, were ESTABLISHED
	[ "$(pkts INPUT 1)" -eq 3 ]
	[ "$(bytes INPUT 1)" -eq 252 ]
	[ "$(pkts INPUT policy)" -eq 0 ]
	# the peer's echo requests are NEW: dropped by the policy
	peer_noreply 192.0.2.1
	peer_noreply 192.0.2.1
	[ "$(pkts INPUT policy)" -eq 2 ]
	[ "$(pkts INPUT 1)" -eq 3 ]
}

@test "-P INPUT DROP with ESTABLISHED,RELATED: we connect out over TCP and UDP, the peer cannot connect in" {
	stateful_input
	tcp_server peer 8080
	udp_server peer 8082
	tcp_server "" 8081
	udp_server "" 8083
	run tcp_ok 192.0.2.2 8080
	assert_success
	run udp_ok 192.0.2.2 8082
	assert_success
	NS=peer run tcp_blocked 192.0.2.1 8081
	assert_success
	NS=peer run udp_blocked 192.0.2.1 8083
	assert_success
	[ "$(pkts INPUT policy)" -ge 2 ]
}

@test "the ICMP error about our own UDP datagram is RELATED" {
	fw "-A INPUT -m conntrack --ctstate RELATED"
	# nothing listens on the peer's port 9: its port unreachable (20 + 8
	# bytes, quoting our 30-byte datagram) is RELATED to our "connection"
	echo x | socat -T1 - UDP:192.0.2.2:9 >/dev/null 2>&1 || true
	[ "$(pkts INPUT 1)" -eq 1 ]
	[ "$(bytes INPUT 1)" -eq 58 ]
}

@test "NEW on one port opens just that port" {
	stateful_input "-A INPUT -p tcp --dport 8081 -m conntrack --ctstate NEW -j ACCEPT"
	tcp_server "" 8081
	tcp_server "" 8084
	NS=peer run tcp_ok 192.0.2.1 8081
	assert_success
	NS=peer run tcp_blocked 192.0.2.1 8084
	assert_success
	# one SYN was NEW and accepted by rule 2
	[ "$(pkts INPUT 2)" -eq 1 ]
	run grep -e '^-A' -e '^:INPUT' <(listing)
	assert_output - <<'EOF'
:INPUT DROP
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8081 -m conntrack --ctstate NEW -j ACCEPT
EOF
}

@test "INVALID drop catches a stray ACK sent with no connection" {
	fw "-A INPUT -p tcp --dport 8085 -m conntrack --ctstate INVALID -j DROP" \
	   "-A INPUT -p tcp --dport 8085"
	# strict TCP tracking: an ACK out of nowhere is not picked up midstream
	sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
	ip netns exec peer python3 -c '
from scapy.layers.inet import IP, TCP
from scapy.sendrecv import send
send(IP(src="192.0.2.2", dst="192.0.2.1") / TCP(sport=40000, dport=8085, flags="A", seq=1000, ack=2000), verbose=0)'
	sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1
	# dropped as INVALID (40 bytes), so the rule after it never saw it
	[ "$(pkts INPUT 1)" -eq 1 ]
	[ "$(bytes INPUT 1)" -eq 40 ]
	[ "$(pkts INPUT 2)" -eq 0 ]
}

@test "! --ctstate and -m state match what they say" {
	fw "-A INPUT -p icmp -m conntrack ! --ctstate NEW" \
	   "-A INPUT -p icmp -m state --state NEW"
	ping -c2 -i0.2 -W2 -q 192.0.2.2 >/dev/null
	peer_ping 192.0.2.1
	# two echo replies (ESTABLISHED), one echo request from the peer (NEW)
	[ "$(pkts INPUT 1)" -eq 2 ]
	[ "$(pkts INPUT 2)" -eq 1 ]
}

@test "UNTRACKED: packets nftables exempts from tracking" {
	fw "-A INPUT -p udp --dport 8086 -m conntrack --ctstate UNTRACKED" \
	   "-A INPUT -p udp --dport 8086 -m conntrack --ctstate NEW"
	nft -f - <<'EOF'
table ip minifw_test_notrack {
	chain pre { type filter hook prerouting priority raw; udp dport 8086 ip saddr 192.0.2.7 notrack; }
}
EOF
	echo x | ip netns exec peer socat -T0.2 - UDP:192.0.2.1:8086,bind=192.0.2.7 >/dev/null 2>&1 || true
	echo x | ip netns exec peer socat -T0.2 - UDP:192.0.2.1:8086,bind=192.0.2.2 >/dev/null 2>&1 || true
	[ "$(pkts INPUT 1)" -eq 1 ]
	[ "$(bytes INPUT 1)" -eq 30 ]
	[ "$(pkts INPUT 2)" -eq 1 ]
}

@test "state rules in PREROUTING are refused: minifw's PREROUTING runs before conntrack" {
	fw_refused 'line 1: -m conntrack cannot be used in PREROUTING: minifw filters there before connection tracking (use INPUT or FORWARD)' \
		"-A PREROUTING -m conntrack --ctstate NEW -j DROP"
	run cat "$RULES"
	refute_output --partial "-A PREROUTING"
}

@test "FORWARD and OUTPUT see states too" {
	fw "-A FORWARD -p icmp -m conntrack --ctstate NEW" \
	   "-A FORWARD -p icmp -m conntrack --ctstate ESTABLISHED" \
	   "-A OUTPUT -p icmp -m conntrack --ctstate NEW"
	peer_ping 203.0.113.2
	ping -c1 -W2 -q 192.0.2.2 >/dev/null
	[ "$(pkts FORWARD 1)" -eq 1 ]
	[ "$(pkts FORWARD 2)" -eq 1 ]
	[ "$(pkts OUTPUT 1)" -eq 1 ]
}

@test "-m conntrack's other options on a DNATed connection, counted as by iptables-legacy" {
	tcp_server "" 80
	udp_server "" 5353
	# another NAT, iptables-legacy's: port 8080 of this host is its port 80
	iptables-legacy -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 192.0.2.1:80
	alongside iptables-legacy INPUT "-m conntrack --ctstate DNAT" \
		"-m conntrack --ctstate NEW,DNAT --ctorigdstport 8080 --ctreplsrcport 80" \
		"-m conntrack --ctproto tcp --ctdir ORIGINAL" "-m conntrack --ctdir REPLY" \
		"-m conntrack ! --ctstatus ASSURED" "-m conntrack --ctstatus SEEN_REPLY,EXPECTED" \
		"-m conntrack --ctorigsrc 192.0.2.0/24 ! --ctorigdst 192.0.2.1" \
		"-m conntrack --ctexpire 0:130" "-m conntrack ! --ctexpire 0:130" \
		"-m conntrack --ctstate SNAT" "-m conntrack --ctreplsrc 192.0.2.1 --ctrepldst 192.0.2.2" \
		"-m conntrack ! --ctproto udp --ctorigsrcport 1024:65535 --ctrepldstport 1024:" \
		"-m state --state ESTABLISHED -m conntrack --ctdir ORIGINAL --ctorigdstport 8080"
	alongside iptables-legacy OUTPUT "-m conntrack --ctdir REPLY --ctorigdstport 8080" \
		"-m conntrack --ctstate DNAT ! --ctreplsrcport 80" "-m conntrack --ctstatus CONFIRMED" \
		"-m conntrack --ctorigdst 192.0.2.1 --ctproto udp --ctdir REPLY" \
		"-m conntrack --ctstatus SEEN_REPLY -m state ! --state NEW"
	NS=peer tcp_ok 192.0.2.1 8080
	NS=peer tcp_ok 192.0.2.1 80
	NS=peer udp_ok 192.0.2.1 5353
	peer_ping 192.0.2.1
	same_counts iptables-legacy INPUT OUTPUT
	# the DNATed connection was there to count: SYN, ACK, data, FIN...
	[ "$(pkts INPUT 1)" -ge 3 ]
	[ "$(pkts OUTPUT 1)" -ge 2 ]
	assert_equal "$(pkts INPUT 10)" 0
	# -m state with -m conntrack's other options saw packets too
	[ "$(pkts INPUT 12)" -ge 2 ]
	[ "$(pkts OUTPUT 5)" -ge 2 ]
}

@test "-m connmark reads the mark iptables-legacy's CONNMARK gave the connection, counted as by iptables-legacy" {
	tcp_server "" 8090
	tcp_server "" 8091
	# iptables-legacy's mangle table (before both filters) marks the connections to 8090
	iptables-legacy -t mangle -A PREROUTING -p tcp --dport 8090 -j CONNMARK --set-mark 0x12
	alongside iptables-legacy INPUT "-p tcp -m connmark --mark 0x12" \
		"-p tcp -m connmark ! --mark 0x12" "-p tcp -m connmark --mark 0x10/0xf0" \
		"-p tcp -m connmark --mark 0" "-p tcp -m connmark ! --mark 0x2/0x2"
	alongside iptables-legacy OUTPUT "-p tcp -m connmark --mark 0x12" "-p tcp -m connmark --mark 0x0"
	NS=peer tcp_ok 192.0.2.1 8090
	NS=peer tcp_ok 192.0.2.1 8091
	NS=peer tcp_ok 192.0.2.1 8090
	same_counts iptables-legacy INPUT OUTPUT
	# both connections were counted, each by its own rules
	[ "$(pkts INPUT 1)" -ge 6 ]
	[ "$(pkts INPUT 4)" -ge 3 ]
	assert_equal "$(pkts INPUT 2)" "$(pkts INPUT 4)"
	assert_equal "$(pkts INPUT 3)" "$(pkts INPUT 1)"
	assert_equal "$(pkts INPUT 5)" "$(pkts INPUT 4)"
}

@test "-j CONNMARK saves the mark of a connection's first packet and restores it to the rest" {
	tcp_server "" 8092
	fw "-A INPUT -p tcp --dport 8092 -j CONNMARK --restore-mark" \
	   "-A INPUT -p tcp --dport 8092 -m mark --mark 0 -j MARK --set-mark 0x7" \
	   "-A INPUT -p tcp --dport 8092 -j CONNMARK --save-mark" \
	   "-A INPUT -p tcp --dport 8092 -m connmark --mark 0x7/0xff" \
	   "-A OUTPUT -p tcp --sport 8092 -j CONNMARK --set-xmark 0x100/0x100" \
	   "-A OUTPUT -p tcp --sport 8092 -m connmark --mark 0x107"
	# iptables-legacy reads the connection's mark minifw wrote
	iptables-legacy -t mangle -A POSTROUTING -p tcp --sport 8092 -m connmark --mark 0x107
	NS=peer tcp_ok 192.0.2.1 8092
	NS=peer tcp_ok 192.0.2.1 8092
	# every packet in saw the mark (and the bit OUTPUT added to it after the
	# SYN); only each connection's SYN got it by -j MARK
	[ "$(pkts INPUT 1)" -ge 6 ]
	assert_equal "$(pkts INPUT 2)" 2
	assert_equal "$(pkts INPUT 4)" "$(pkts INPUT 1)"
	[ "$(pkts OUTPUT 1)" -ge 4 ]
	assert_equal "$(pkts OUTPUT 2)" "$(pkts OUTPUT 1)"
	assert_equal "$(iptables-legacy -t mangle -L POSTROUTING -v -x -n | awk 'NR == 3 { print $1 }')" \
		"$(pkts OUTPUT 1)"
	run grep -- '^-A' "$RULES"
	assert_output - <<'EOF'
-A INPUT -p tcp -m tcp --dport 8092 -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff
-A INPUT -p tcp -m tcp --dport 8092 -m mark --mark 0x0 -j MARK --set-xmark 0x7/0xffffffff
-A INPUT -p tcp -m tcp --dport 8092 -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff
-A INPUT -p tcp -m tcp --dport 8092 -m connmark --mark 0x7/0xff
-A OUTPUT -p tcp -m tcp --sport 8092 -j CONNMARK --set-xmark 0x100/0x100
-A OUTPUT -p tcp -m tcp --sport 8092 -m connmark --mark 0x107
EOF
	# they need connection tracking: minifw started it for them
	[ -d /sys/module/nf_conntrack ]
}

@test "-j CONNMARK's new mark is an event for conntrack -E, as iptables-legacy's is" {
	socat_bg "" TCP-LISTEN:8094,reuseaddr,fork EXEC:cat
	socat_bg "" TCP-LISTEN:8095,reuseaddr,fork EXEC:cat
	wait_port "" tcp 8094
	wait_port "" tcp 8095
	# The server's data, "x" and a newline (54 bytes; its SYN-ACK has 60,
	# its ACKs 52): the client's data before it made the connection
	# ASSURED (an event of its own), and the server's FIN comes only
	# after the client's, so the new mark is its only event
	fw "-A OUTPUT -p tcp --sport 8094 -m length --length 53:59 -j CONNMARK --set-mark 0x5"
	iptables-legacy -t mangle -A OUTPUT -p tcp --sport 8095 -m length --length 53:59 \
		-j CONNMARK --set-mark 0x5
	conntrack -E -p tcp >"$BATS_TEST_TMPDIR/events" 2>/dev/null 3>&- &
	local listener=$! port
	BG_PIDS=$listener
	sleep 1
	# (the client's FIN 2 s after its data: a server slow under emulation
	# to fork its cat would otherwise echo after it, its data then the ACK
	# of that FIN, one event for the new state and the mark)
	for port in 8094 8095; do
		run bash -c "(echo x; sleep 2) | ip netns exec peer socat -t10 -T10 - TCP:192.0.2.1:$port"
		assert_output x
	done
	sleep 0.5
	kill "$listener"
	# each connection's events: the kind, the TCP state (if the event has
	# one), the mark
	events() {
		awk -v p="dport=$1" '$0 ~ p " " { m = "mark=0"
			for (i = 1; i <= NF; i++) if ($i ~ /^mark=/) m = $i
			print $1, $5, m }' "$BATS_TEST_TMPDIR/events"
	}
	events 8094
	events 8095
	# the event of the mark alone, without a TCP state, once for each
	# (the order of the closing states depends on which FIN comes first)
	assert_equal "$(events 8094 | grep -c '^\[UPDATE\] src=192.0.2.2 mark=5$')" 1
	assert_equal "$(events 8095 | grep -c '^\[UPDATE\] src=192.0.2.2 mark=5$')" 1
}

@test "-m connbytes counts a connection's packets, bytes and average, as iptables-legacy; minifw switches accounting on" {
	# off, as nf_conntrack starts (if it is loaded at all)
	sysctl -qw net.netfilter.nf_conntrack_acct=0 2>/dev/null || true
	dmesg_mark
	tcp_server "" 8093
	alongside iptables-legacy INPUT \
		"-p tcp -m connbytes --connbytes 0:2 --connbytes-mode packets --connbytes-dir original" \
		"-p tcp -m connbytes ! --connbytes 0:2 --connbytes-mode packets --connbytes-dir original" \
		"-p tcp -m connbytes --connbytes 1 --connbytes-mode packets --connbytes-dir reply" \
		"-p tcp -m connbytes --connbytes 200 --connbytes-mode bytes --connbytes-dir both" \
		"-p tcp -m connbytes --connbytes 0:55 --connbytes-mode avgpkt --connbytes-dir both" \
		"-p tcp -m connbytes ! --connbytes 0:55 --connbytes-mode avgpkt --connbytes-dir original"
	alongside iptables-legacy OUTPUT \
		"-p tcp -m connbytes --connbytes 2:3 --connbytes-mode packets --connbytes-dir reply"
	[ "$(sysctl -n net.netfilter.nf_conntrack_acct)" = 1 ]
	dmesg_new | grep -q 'minifw: -m connbytes: connection tracking accounting switched on'
	NS=peer tcp_ok 192.0.2.1 8093
	NS=peer tcp_ok 192.0.2.1 8093
	same_counts iptables-legacy INPUT OUTPUT
	# each connection's SYN and ACK in, then the rest of it
	assert_equal "$(pkts INPUT 1)" 4
	[ "$(pkts INPUT 2)" -ge 4 ]
	[ "$(pkts INPUT 3)" -ge 6 ]
	[ "$(pkts INPUT 4)" -ge 2 ]
	[ "$(pkts INPUT 5)" -ge 2 ]
	[ "$(pkts INPUT 6)" -ge 2 ]
	[ "$(pkts OUTPUT 1)" -ge 4 ]
	run grep -c -- '-m connbytes' "$RULES"
	assert_output 7
}

@test "-m helper matches the FTP data connection conntrack's ftp helper expected, counted as by iptables-legacy" {
	# the raw table gives the control connection the ftp helper, as
	# firewalls do since kernels stopped giving helpers by port
	iptables-legacy -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
	alongside iptables-legacy INPUT "-p tcp --dport 8021 -m helper --helper ftp" \
		"-p tcp --dport 8021 -m helper ! --helper ftp" "-p tcp -m helper --helper irc" \
		"-p tcp -m helper ! --helper irc" \
		"-p tcp -m conntrack --ctstate RELATED -m helper --helper ftp-21"
	# a passive FTP server: the data port (8021) in its 227 reply
	python3 -c '
import socket
ctl = socket.create_server(("192.0.2.1", 21))
data = socket.create_server(("192.0.2.1", 8021))
ctl.settimeout(10)
data.settimeout(10)
c, _ = ctl.accept()
c.sendall(b"220 minifw\r\n")
c.recv(100)
c.sendall(b"227 Entering Passive Mode (192,0,2,1,31,85).\r\n")
d, _ = data.accept()
d.sendall(b"hi\n")
d.close()
c.recv(100)
c.close()' 3>&- &
	local server=$!
	BG_PIDS=$server
	wait_port "" tcp 8021
	run ip netns exec peer python3 -c '
import socket
c = socket.create_connection(("192.0.2.1", 21), timeout=10)
c.recv(100)
c.sendall(b"PASV\r\n")
print(c.recv(100).decode().strip())
d = socket.create_connection(("192.0.2.1", 8021), timeout=10)
print(d.recv(100).decode().strip())
d.close()
c.sendall(b"QUIT\r\n")
c.close()'
	assert_output $'227 Entering Passive Mode (192,0,2,1,31,85).\nhi'
	wait "$server"
	same_counts iptables-legacy INPUT
	# the data connection's packets in (SYN, ACK, FIN ...), all expected by ftp
	[ "$(pkts INPUT 1)" -ge 3 ]
	assert_equal "$(pkts INPUT 2)" 0
	assert_equal "$(pkts INPUT 3)" 0
	[ "$(pkts INPUT 4)" -gt "$(pkts INPUT 1)" ]
	[ "$(pkts INPUT 5)" -ge 1 ]
}

# conns SRC... : from the peer, a TCP connection to port 2222 from each
# address in turn, all held open; prints "ok" or "refused" for each, then
# closes them (with FIN) in order.
hold_conns() {
	ip netns exec peer python3 - "$@" <<-'EOF2'
	import socket, sys
	held = []
	for src in sys.argv[1:]:
	    s = socket.socket()
	    s.settimeout(5)
	    s.bind((src, 0))
	    try:
	        s.connect(("192.0.2.1", 2222))
	        held.append(s)
	        print("ok")
	    except OSError:
	        print("refused")
	for s in held:
	    s.close()
	EOF2
}

@test "-m connlimit counts open connections by host, network and destination as iptables-legacy's; the second from a host is reset" {
	socat_bg "" TCP-LISTEN:2222,reuseaddr,fork SYSTEM:'sleep 5'
	wait_port "" tcp 2222
	alongside iptables-legacy INPUT \
		"-p tcp --dport 2222 --syn -m connlimit --connlimit-above 2" \
		"-p tcp --dport 2222 --syn -m connlimit --connlimit-upto 3 --connlimit-mask 24" \
		"-p tcp --dport 2222 --syn -m connlimit --connlimit-above 1 --connlimit-daddr" \
		"-p tcp --dport 2222 --syn -m connlimit ! --connlimit-above 3"
	run hold_conns 192.0.2.2 192.0.2.2 192.0.2.2 192.0.2.7
	assert_output $'ok\nok\nok\nok'
	run same_counts iptables-legacy INPUT
	echo "$output"
	assert_success
	# the third of 192.0.2.2; three of the /24; past the first to 192.0.2.1; three and one
	assert_equal "$(pkts INPUT 1)" 1
	assert_equal "$(pkts INPUT 2)" 3
	assert_equal "$(pkts INPUT 3)" 3
	assert_equal "$(pkts INPUT 4)" 4
	diff <(listing | grep connlimit | sed 's/ -4 / /') <(iptables-legacy -S INPUT | grep connlimit)
	# the fate: a host's second open connection is reset; once its first is
	# closed (FIN: no longer counted), it may open another
	legacy_clean
	fw "-F INPUT" "-A INPUT -p tcp --syn --dport 2222 -m connlimit --connlimit-above 1 -j REJECT --reject-with tcp-reset"
	run hold_conns 192.0.2.2 192.0.2.2 192.0.2.7
	assert_output $'ok\nrefused\nok'
	sleep 0.5
	run hold_conns 192.0.2.2
	assert_output ok
	assert_equal "$(pkts INPUT 1)" 1
}
