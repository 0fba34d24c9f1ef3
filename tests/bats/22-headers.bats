#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Matches on the IP and TCP headers and the packet's metadata (-m length,
# -m ttl, -m hl, -m pkttype, -m dscp, -m tos, -m ecn, -m tcpmss, -m mark,
# -m addrtype, -m mac, -m owner), -m statistic, -m quota, -m recent,
# -m hashlimit, -m string, -m sctp, -m dccp, -m physdev, -m nfacct and -j
# MARK, on
# real packets; iptables-legacy as the oracle where the same rules can go
# through it.

load helpers

setup() { common_setup; }

teardown() {
	# -m physdev's bridge and its hosts
	ip netns del mfwb1 2>/dev/null || true
	ip netns del mfwb2 2>/dev/null || true
	ip link del mfwbr0 2>/dev/null || true
	rmmod br_netfilter 2>/dev/null || true
	legacy_clean
	# -m nfacct's objects, once no rule holds them
	local o
	for o in mfw_all mfw_q mfw_q2; do
		nfacct del $o 2>/dev/null || true
	done
	ip6tables-legacy -F 2>/dev/null || true
	rmmod ip6table_filter 2>/dev/null || true
	common_teardown
}

@test "length, ttl, pkttype, dscp, mark and MARK (in a user chain) as iptables: fates, counters, listing" {
	PROBES=()
	for src in 192.0.2.2 192.0.2.7; do
		PROBES+=("icmp:$src" "icmp:$src@ttl=5" "icmp:$src@pad=100" "icmp:$src@ttl=200,pad=30"
			"udp:$src:5000" "tcp:$src:22" "tcp:$src:23" "tcp:$src:24@pad=1"
			"icmp:$src@tos=0xb8" "icmp:$src@tos=0xb9,pad=3" "udp:$src:5001@tos=0x88"
			"tcp:$src:22@tos=0x03" "tcp:$src:25@tos=0x20")
	done
	cat >"$BATS_TEST_TMPDIR/doc" <<-'EOF'
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	:marks - [0:0]
	-A INPUT -m ttl --ttl-lt 10 -j DROP
	-A INPUT -p icmp -m dscp --dscp 0x2e -m length --length 0:90 -j DROP
	-A INPUT -m dscp --dscp-class AF41
	-A INPUT -p tcp -m dscp ! --dscp 0x00 -j REJECT --reject-with tcp-reset
	-A INPUT -p icmp -m length --length 100:200 -j REJECT --reject-with icmp-host-prohibited
	-A INPUT -m ttl --ttl-gt 128 -m length ! --length :50 -j DROP
	-A INPUT -j marks
	-A INPUT -m mark --mark 0x4000/0x4000 -j DROP
	-A INPUT -m pkttype ! --pkt-type unicast -j DROP
	-A INPUT -m ttl ! --ttl-eq 64 -j ACCEPT
	-A marks -p udp -j MARK --set-xmark 0x4000/0xffffffff
	-A marks -p tcp -m tcp --dport 23 -j MARK --set-xmark 0x4001/0x4001
	-A marks -s 192.0.2.7/32 -p tcp -m tcp --dport 24 -j MARK --set-xmark 0x2/0x0
	-A marks -m mark --mark 0x4001 -j ACCEPT
	-A marks -m mark ! --mark 0x0 -j DROP
	COMMIT
	EOF
	oracle "$BATS_TEST_TMPDIR/doc"
	# the dscp rules saw what they should (EF pings, AF41, TCP with a DSCP)
	assert_line --regexp '^  INPUT 2 +4 '
	assert_line --regexp '^  INPUT 3 +2 '
	assert_line --regexp '^  INPUT 4 +2 '
}

@test "tos, ecn, tcpmss, statistic and quota as iptables: fates, counters, listing" {
	PROBES=()
	for src in 192.0.2.2 192.0.2.7; do
		PROBES+=("icmp:$src" "icmp:$src@tos=0x10" "icmp:$src@tos=0xd0,pad=20" "icmp:$src@tos=0x02"
			"tcp:$src:22@flags=SEC" "tcp:$src:22@flags=SE,tos=3" "tcp:$src:22@tos=3"
			"tcp:$src:23@mss=1200" "tcp:$src:23@mss=536" "tcp:$src:24@mss=1460" "tcp:$src:25"
			"udp:$src:5000@tos=1" "udp:$src:5000@tos=2")
		for k in 1 2 3 4 5 6 7; do
			PROBES+=("udp:$src:7000@pad=$k" "icmp:$src@pad=$((k * 10))")
		done
	done
	cat >"$BATS_TEST_TMPDIR/doc" <<-'EOF'
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	-A INPUT -p icmp -m tos --tos 0x10/0x3f -j DROP
	-A INPUT -p icmp -m tos ! --tos 0x00/0x03 -j REJECT --reject-with icmp-net-prohibited
	-A INPUT -p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr -j REJECT --reject-with tcp-reset
	-A INPUT -p tcp -m ecn ! --ecn-tcp-cwr --ecn-ip-ect 3 -j DROP
	-A INPUT -p udp -m ecn --ecn-ip-ect 1 -j REJECT --reject-with icmp-port-unreachable
	-A INPUT -p tcp -m tcpmss --mss 1000:1400 -j DROP
	-A INPUT -p tcp -m tcpmss ! --mss 536
	-A INPUT -p tcp -m tcpmss --mss 1460 -j REJECT --reject-with tcp-reset
	-A INPUT -p udp -m udp --dport 7000 -m statistic --mode nth --every 3 --packet 1 -j DROP
	-A INPUT -p udp -m udp --dport 7000 -m statistic --mode random ! --probability 1.00000000000
	-A INPUT -p udp -m udp --dport 7000 -m statistic --mode random --probability 1.00000000000 -j REJECT --reject-with icmp-host-prohibited
	-A INPUT -p icmp -m quota --quota 500 -j ACCEPT
	-A INPUT -p icmp -m quota ! --quota 100 -j DROP
	COMMIT
	EOF
	oracle "$BATS_TEST_TMPDIR/doc"
	# each saw what it should: TOS, ECN flags and codepoint, MSS (and
	# none), every third of 14 UDP packets from the second, pings while
	# 500 bytes last (28 + 38 + ... + 88 = 406; the 98-byte one finds 94),
	# then the second quota's 100 bytes taken by that one: the rest dropped
	assert_line --regexp '^  INPUT 1 +4 '
	assert_line --regexp '^  INPUT 3 +2 '
	assert_line --regexp '^  INPUT 4 +4 '
	assert_line --regexp '^  INPUT 6 +2 '
	assert_line --regexp '^  INPUT 7 +4 '
	assert_line --regexp '^  INPUT 9 +5 '
	assert_line --regexp '^  INPUT 10 +0 '
	assert_line --regexp '^  INPUT 11 +9 '
	assert_line --regexp '^  INPUT 12 +7 406$'
	assert_line --regexp '^  INPUT 13 +8 504$'
}

@test "-m statistic --mode random --probability 0.5 drops about half" {
	fw "-A INPUT -p udp --dport 7000 -m statistic --mode random --probability 0.5 -j DROP" \
		"-A INPUT -p udp --dport 7000"
	ip netns exec peer python3 -c '
from scapy.config import conf
from scapy.layers.inet import IP, UDP
from scapy.sendrecv import send
conf.verb = 0
send([IP(src="192.0.2.2", dst="192.0.2.1", id=k) / UDP(sport=40000, dport=7000) for k in range(200)],
     iface="mfwp", inter=0.002)'
	both() { echo $(( $(pkts INPUT 1) + $(pkts INPUT 2) )); }
	eventually 200 both
	# binomial(200, 1/2): 100 +- 7; outside 50-150 is 7 standard deviations
	dropped=$(pkts INPUT 1)
	echo "dropped $dropped of 200"
	[ "$dropped" -ge 50 ] && [ "$dropped" -le 150 ]
}

@test "ICMP code ranges (3/0:1) and type 255 as iptables-legacy counts them" {
	alongside iptables-legacy INPUT "-p icmp --icmp-type 3/0:1" "-p icmp ! --icmp-type 3/1:2" \
		"-p icmp --icmp-type 255/255" "-p icmp --icmp-type 255" "-p icmp --icmp-type 3/2"
	ip netns exec peer python3 -c '
from scapy.config import conf
from scapy.layers.inet import ICMP, IP
from scapy.sendrecv import send
conf.verb = 0
send([IP(src="192.0.2.2", dst="192.0.2.1") / ICMP(type=t, code=c, id=k) / (b"\0" * 28)
      for k, (t, c) in enumerate([(3, 0), (3, 1), (3, 2), (3, 3), (8, 0), (11, 1)])],
     iface="mfwp", inter=0.05)'
	eventually 6 pkts INPUT 4
	run same_counts iptables-legacy INPUT
	echo "$output"
	assert_success
	assert_equal "$(pkts INPUT 1)" 2
	assert_equal "$(pkts INPUT 2)" 4
	assert_equal "$(pkts INPUT 3)" 6
	assert_equal "$(pkts INPUT 5)" 1
}

@test "-m esp and -m ah on IPv4 ESP and AH packets, counted as by iptables-legacy" {
	alongside iptables-legacy INPUT "-p esp -m esp --espspi 256:511" "-p esp -m esp ! --espspi 256" \
		"-p esp -m esp" "-p esp -m esp ! --espspi :" "-p ah -m ah --ahspi 256:511" \
		"-p ah -m ah ! --ahspi 256"
	ip netns exec peer python3 -c '
import struct
from scapy.config import conf
from scapy.layers.inet import IP
from scapy.packet import Raw
from scapy.sendrecv import send
conf.verb = 0
send([IP(src="192.0.2.2", dst="192.0.2.1", proto=50) / Raw(struct.pack("!II", spi, 1) + b"x" * 16)
      for spi in (1, 256, 300, 511, 512, 4294967295)] +
     [IP(src="192.0.2.2", dst="192.0.2.1", proto=51) / Raw(struct.pack("!BBHII", 59, 4, 0, spi, 1) + bytes(12))
      for spi in (1, 256)], iface="mfwp", inter=0.05)'
	eventually 6 pkts INPUT 3
	eventually 1 pkts INPUT 6
	run same_counts iptables-legacy INPUT
	echo "$output"
	assert_success
	assert_equal "$(pkts INPUT 1)" 3
	assert_equal "$(pkts INPUT 2)" 5
	assert_equal "$(pkts INPUT 4)" 0
	assert_equal "$(pkts INPUT 5)" 1
	assert_equal "$(pkts INPUT 6)" 1
}

# A SYN to port 22 from the peer (address $1, default 192.0.2.2): refused
# with a reset, or dropped, so it is one packet in INPUT.
syn22() {
	ip netns exec peer socat -T1 - "TCP:192.0.2.1:22,bind=${1:-192.0.2.2},connect-timeout=1" \
		</dev/null >/dev/null 2>&1 || true
}

# A recent list's lines with the jiffies out: they differ between two lists
recent_lines() { sed -E 's/[0-9]{4,}/J/g' "$1" | sort; }

@test "-m recent: --set, --update, --rcheck, --mask, --rdest and their lists, as iptables-legacy's xt_recent" {
	alongside iptables-legacy INPUT "-p tcp --dport 22 --syn -m recent --set --name SSH" \
		"-p tcp --dport 22 --syn -m recent --update --seconds 60 --hitcount 3 --name SSH" \
		"-p tcp --dport 22 --syn -m recent --rcheck --hitcount 5 --name SSH" \
		"-p tcp --syn -m recent ! --rcheck --name SSH" \
		"-p tcp --syn -m recent --rcheck --rdest --name SSH" \
		"-p tcp --syn -m recent --set --name NET --mask 255.255.255.0" \
		"-p tcp --syn -m recent --rcheck --seconds 30 --hitcount 2 --name NET --mask 255.255.255.0"
	syn22
	syn22
	syn22 192.0.2.7
	syn22
	syn22
	eventually 5 pkts INPUT 1
	run same_counts iptables-legacy INPUT
	echo "$output"
	assert_success
	# the third and later from 192.0.2.2; the fifth; none; the /24 from the second on
	assert_equal "$(pkts INPUT 2)" 2
	assert_equal "$(pkts INPUT 3)" 1
	assert_equal "$(pkts INPUT 4)" 0
	assert_equal "$(pkts INPUT 5)" 0
	assert_equal "$(pkts INPUT 7)" 4
	# the same lists: addresses, TTLs and times seen
	diff <(recent_lines /proc/minifw/recent/SSH) <(recent_lines /proc/net/xt_recent/SSH)
	diff <(recent_lines /proc/minifw/recent/NET) <(recent_lines /proc/net/xt_recent/NET)
	grep -q '^src=192.0.2.0 ttl: 64 ' /proc/minifw/recent/NET
	assert_equal "$(grep -c . /proc/minifw/recent/SSH)" 2
}

# UDP from the peer: "SRC:SPORT>DPORT*COUNT ..." (100-byte packets), in this order
udp_burst() {
	ip netns exec peer python3 - "$@" <<-'EOF'
	import sys
	from scapy.config import conf
	from scapy.layers.inet import IP, UDP
	from scapy.sendrecv import send
	conf.verb = 0
	pkts = []
	for spec in sys.argv[1:]:
	    flow, count = spec.split("*")
	    src, ports = flow.split(":")
	    sport, dport = ports.split(">")
	    pkts += [IP(src=src, dst="192.0.2.1") / UDP(sport=int(sport), dport=int(dport)) / (b"x" * 72)
	             for _ in range(int(count))]
	send(pkts, iface="mfwp", inter=0.01)
	EOF
}

@test "-m hashlimit: per source, per port, masks, above, bytes and rate-match, as iptables-legacy's xt_hashlimit" {
	alongside iptables-legacy INPUT \
		"-p udp -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 3 --hashlimit-mode srcip --hashlimit-name src" \
		"-p udp -m hashlimit --hashlimit-above 1/hour --hashlimit-burst 4 --hashlimit-mode dstport --hashlimit-name port" \
		"-p udp -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 2 --hashlimit-mode srcip --hashlimit-srcmask 24 --hashlimit-name net" \
		"-p udp -m hashlimit --hashlimit-upto 1kb/s --hashlimit-burst 2kb --hashlimit-name bytes" \
		"-p udp -m hashlimit --hashlimit-above 2/min --hashlimit-burst 1 --hashlimit-mode srcip,srcport --hashlimit-name rm --hashlimit-rate-match" \
		"-p udp -m hashlimit ! --hashlimit-upto 1/min --hashlimit-burst 5 --hashlimit-mode srcip,dstport --hashlimit-name inv" \
		"-p udp"
	udp_burst 192.0.2.2:1000\>53*8 192.0.2.3:1000\>53*4 192.0.2.7:2000\>54*6 192.0.2.8:1000\>53*4 \
		192.0.2.2:1001\>54*3
	eventually 25 pkts INPUT 7
	run same_counts iptables-legacy INPUT
	echo "$output"
	assert_success
	# 3 a source; past 4 a port; 2 for the /24; past 3 a flow; past 5 a source and port
	assert_equal "$(pkts INPUT 1)" 12
	assert_equal "$(pkts INPUT 2)" 17
	assert_equal "$(pkts INPUT 3)" 2
	assert_equal "$(pkts INPUT 5)" 10
	assert_equal "$(pkts INPUT 6)" 4
	# listed as iptables-legacy lists them
	diff <(listing | grep hashlimit | sed 's/ -4 / /') <(iptables-legacy -S INPUT | grep hashlimit)
}

@test "-m hashlimit: a table full (--hashlimit-htable-max) drops a new flow's packets, and says so" {
	dmesg_mark
	fw "-A INPUT -p udp -m hashlimit --hashlimit-upto 1/min --hashlimit-mode srcip --hashlimit-htable-size 2 --hashlimit-htable-max 2 --hashlimit-name small" \
		"-A INPUT -p udp"
	udp_burst 192.0.2.2:1000\>53*2 192.0.2.3:1000\>53*2 192.0.2.7:1000\>53*2 192.0.2.2:1000\>53*1
	eventually 5 pkts INPUT 2
	sleep 0.3
	assert_equal "$(pkts INPUT 2)" 5
	dmesg_new | grep -q 'minifw: hashlimit small: max count of 2 reached'
	# the table goes with its last rule
	fw "-F INPUT"
}

# An HTTP request for $1 from the peer to port 80: prints the answer
http_get() {
	printf 'GET %s HTTP/1.0\r\n\r\n' "$1" | ip netns exec peer socat -t3 -T3 - TCP:192.0.2.1:80 || true
}

@test "-m string: words, hex, --icase, --from/--to and ! in HTTP requests, as iptables-legacy's xt_string; /admin dropped" {
	# answers once it has the request's first bytes
	socat_bg "" -t10 TCP-LISTEN:80,reuseaddr,fork SYSTEM:'head -c 4 >/dev/null; echo hi'
	wait_port "" tcp 80
	alongside iptables-legacy INPUT \
		"-p tcp --dport 80 -m string --string GET --algo bm" \
		"-p tcp --dport 80 -m string --string /admin --algo kmp" \
		"-p tcp --dport 80 -m string --string ADMIN --algo bm --icase" \
		"-p tcp --dport 80 -m string ! --string /admin --algo bm" \
		"-p tcp --dport 80 -m string --hex-string |0d0a0d0a| --algo bm" \
		"-p tcp --dport 80 -m string --string GET --algo bm --from 52 --to 55" \
		"-p tcp --dport 80 -m string --string GET --algo kmp --from 53"
	for path in /index /admin /Admin; do
		assert_equal "$(http_get "$path")" hi
	done
	run same_counts iptables-legacy INPUT
	echo "$output"
	assert_success
	# each request is one segment, its data after 20 + 32 bytes of headers
	assert_equal "$(pkts INPUT 1)" 3
	assert_equal "$(pkts INPUT 2)" 1
	assert_equal "$(pkts INPUT 3)" 2
	assert_equal "$(pkts INPUT 5)" 3
	assert_equal "$(pkts INPUT 6)" 3
	assert_equal "$(pkts INPUT 7)" 0
	diff <(listing | grep -- '-m string' | sed 's/ -4 / /') <(iptables-legacy -S INPUT | grep -- '-m string')
	# the fate: a request with the word is dropped, the others pass
	fw "-I INPUT -p tcp --dport 80 -m string --string /admin --algo bm -j DROP"
	assert_equal "$(http_get /index)" hi
	assert_equal "$(http_get /admin)" ""
	[ "$(pkts INPUT 1)" -ge 1 ]
}

@test "-m sctp (ports, chunk types and flags), -m dccp (types, options), multiport over SCTP, DCCP and UDP-Lite, as iptables-legacy" {
	alongside iptables-legacy INPUT "-p sctp -m sctp --dport 80" "-p sctp -m sctp ! --sport 5000:5001" \
		"-p sctp -m sctp --chunk-types any DATA:E" "-p sctp -m sctp --chunk-types all DATA,SACK" \
		"-p sctp -m sctp --chunk-types only INIT" "-p sctp -m sctp ! --chunk-types any ABORT:T" \
		"-p sctp -m multiport --dports 80,443" "-p dccp -m dccp --dccp-types REQUEST,DATA" \
		"-p dccp -m dccp --dccp-option 32" "-p dccp -m dccp ! --dccp-option 32 --dport 80" \
		"-p dccp -m multiport --sports 6000" "-p udplite -m multiport --dports 53"
	ip netns exec peer python3 -c '
from scapy.config import conf
from scapy.layers.inet import IP
from scapy.packet import Raw
from scapy.sendrecv import send
conf.verb = 0
sctp = lambda ports, chunks: IP(src="192.0.2.2", dst="192.0.2.1", proto=132) / Raw(bytes.fromhex(ports + "00000000" "00000000" + chunks))
dccp = lambda h: IP(src="192.0.2.2", dst="192.0.2.1", proto=33) / Raw(bytes.fromhex(h))
send([sctp("13880050", "00030010" + "00" * 12),			# DATA B E, to 80
      sctp("177001bb", "01000014" + "00" * 16),			# INIT, to 443
      sctp("13890050", "00020010" + "00" * 12 + "03000010" + "00" * 12),	# DATA B, SACK
      sctp("1b580051", "06010004"),				# ABORT T, to 81
      sctp("1b580050", "06000004"),				# ABORT, to 80
      # REQUEST (X), service, options 1 and 32 (length 3)
      dccp("13880050" "06000000" "01000000" "00000000" "00000000" "01200302"),
      dccp("13880051" "04000000" "05000000" "00000000"),		# DATA (X), to 81
      # ACK (X) from 6000, ack bits, option 32 and padding
      dccp("17700050" "07000000" "07000000" "00000000" "0000000000000000" "20030100"),
      IP(src="192.0.2.2", dst="192.0.2.1", proto=136) / Raw(bytes.fromhex("000500350008" "0000"))],
     iface="mfwp", inter=0.05)'
	eventually 3 pkts INPUT 1
	eventually 1 pkts INPUT 12
	run same_counts iptables-legacy INPUT
	echo "$output"
	assert_success
	assert_equal "$(pkts INPUT 3)" 1
	assert_equal "$(pkts INPUT 4)" 1
	assert_equal "$(pkts INPUT 5)" 1
	assert_equal "$(pkts INPUT 8)" 2
	assert_equal "$(pkts INPUT 9)" 2
	diff <(listing | grep -E -- '-p (sctp|dccp|udplite)' | sed 's/ -4 / /') \
		<(iptables-legacy -S INPUT | grep -E -- '-p (sctp|dccp|udplite)')
}

# Two hosts, mfwb1 (203.0.113.1) and mfwb2 (203.0.113.2), on the bridge
# mfwbr0 by its ports mfwb1p and mfwb2p, its IPv4 through the IP hooks.
bridge_up() {
	modprobe br_netfilter
	sysctl -qw net.bridge.bridge-nf-call-iptables=1
	ip link add mfwbr0 type bridge
	ip link set mfwbr0 up
	local n
	for n in 1 2; do
		ip netns add mfwb$n
		ip link add mfwb${n}p type veth peer name eth0 netns mfwb$n
		ip link set mfwb${n}p master mfwbr0 up
		ip -n mfwb$n addr add 203.0.113.$n/24 dev eth0
		ip -n mfwb$n link set eth0 up
		ip -n mfwb$n link set lo up
	done
}

@test "-m physdev: the bridge ports of bridged packets, counted as by iptables-legacy; a port's pings dropped" {
	bridge_up
	alongside iptables-legacy FORWARD "-m physdev --physdev-in mfwb1p" \
		"-m physdev --physdev-out mfwb2p --physdev-is-bridged" \
		"-m physdev --physdev-in mfwb+ ! --physdev-out mfwb1p --physdev-is-bridged" \
		"-m physdev ! --physdev-is-bridged" "-p icmp -m physdev --physdev-is-in --physdev-is-out"
	ip netns exec mfwb1 ping -c 3 -i 0.2 -W 2 203.0.113.2
	run same_counts iptables-legacy FORWARD
	echo "$output"
	assert_success
	# the requests in by mfwb1p, out by mfwb2p; the replies back
	assert_equal "$(pkts FORWARD 1)" 3
	assert_equal "$(pkts FORWARD 2)" 3
	assert_equal "$(pkts FORWARD 3)" 3
	assert_equal "$(pkts FORWARD 4)" 0
	assert_equal "$(pkts FORWARD 5)" 6
	diff <(listing | grep physdev | sed 's/ -4 / /') <(iptables-legacy -S FORWARD | grep physdev)
	legacy_clean
	fw "-F FORWARD" "-A FORWARD -p icmp --icmp-type echo-request -m physdev --physdev-in mfwb1p --physdev-is-bridged -j DROP"
	run ip netns exec mfwb1 ping -c 1 -W 1 203.0.113.2
	assert_failure
	ip netns exec mfwb2 ping -c 1 -W 2 203.0.113.1
	assert_equal "$(pkts FORWARD 1)" 1
}

# The packets accounting object $1 counted ("nfacct get" prints "{ pkts = N, ...").
nfacct_pkts() { nfacct get "$1" | sed -E 's/.*pkts = 0*([0-9]+),.*/\1/'; }

@test "-m nfacct counts in nfacct(8)'s objects and matches past a quota, as iptables-legacy's; a held object stays" {
	nfacct add mfw_all
	nfacct add mfw_q packet 3
	nfacct add mfw_q2 packet 3
	fw "-A INPUT -p icmp -m nfacct --nfacct-name mfw_all" "-A INPUT -p icmp -m nfacct --nfacct-name mfw_q"
	peer_ping -c 5 -i 0.2 192.0.2.1
	assert_equal "$(nfacct_pkts mfw_all)" 5
	# over the quota of 3 from the fourth packet, as xt_nfacct: counted as iptables-legacy's
	assert_equal "$(pkts INPUT 2)" 2
	iptables-legacy -A INPUT -p icmp -m nfacct --nfacct-name mfw_q2
	peer_ping -c 5 -i 0.2 192.0.2.1
	assert_equal "$(iptables-legacy -L INPUT -v -x -n | awk '/nfacct/ { print $1 }')" 2
	# held by the rule: nfacct cannot delete it; and a missing one is refused
	run nfacct del mfw_q
	assert_failure
	fw_refused 'line 1: -m nfacct: no accounting object "mfw_none" (make it: nfacct add mfw_none)' \
		"-A INPUT -m nfacct --nfacct-name mfw_none"
	fw "-F INPUT"
	# let go once the old ruleset is freed
	for i in $(seq 50); do
		nfacct del mfw_q 2>/dev/null && break
		sleep 0.1
	done
	run nfacct get mfw_q
	assert_failure
}

@test "-m recent bans the third ssh attempt within 60 s; /proc/minifw/recent/NAME takes +ADDR, -ADDR and /" {
	tcp_server "" 22
	fw "-A INPUT -p tcp --dport 22 --syn -m recent --set --name ssh" \
		"-A INPUT -p tcp --dport 22 --syn -m recent --update --seconds 60 --hitcount 3 --name ssh -j DROP"
	NS=peer tcp_ok 192.0.2.1 22
	NS=peer tcp_ok 192.0.2.1 22
	NS=peer tcp_blocked 192.0.2.1 22
	[ "$(pkts INPUT 2)" -ge 1 ]
	grep -q '^src=192.0.2.2 ttl: 64 ' /proc/minifw/recent/ssh
	# unbanned by hand, and the ban comes back
	echo -192.0.2.2 >/proc/minifw/recent/ssh
	NS=peer tcp_ok 192.0.2.1 22
	echo +192.0.2.2 >/proc/minifw/recent/ssh
	NS=peer tcp_blocked 192.0.2.1 22
	# a bad line or an address the list has not: refused whole, said in the log
	dmesg_mark
	# (one write: bash's printf writes a line at a time)
	run ! bash -c 'printf "/\n-192.0.2.99\n" | dd of=/proc/minifw/recent/ssh status=none'
	run ! bash -c 'echo "+192.0.2.300" >/proc/minifw/recent/ssh'
	dmesg_new | grep -q 'recent/ssh: line 2: the list has no such address'
	dmesg_new | grep -q 'recent/ssh: line 1: "+192.0.2.300" is not "+ADDR", "-ADDR" or "/"'
	grep -q '^src=192.0.2.2 ' /proc/minifw/recent/ssh
	# lines apply in order: added, then removed
	printf '+192.0.2.50\n-192.0.2.50\n' | dd of=/proc/minifw/recent/ssh status=none
	run ! grep -q '^src=192.0.2.50 ' /proc/minifw/recent/ssh
	echo +2001:db8::1 >/proc/minifw/recent/ssh
	grep -qx 'src=2001:0db8:0000:0000:0000:0000:0000:0001 ttl: 0 last_seen: [0-9]* oldest_pkt: 1 [0-9]*' \
		/proc/minifw/recent/ssh
	echo / >/proc/minifw/recent/ssh
	assert_equal "$(cat /proc/minifw/recent/ssh)" ""
	NS=peer tcp_ok 192.0.2.1 22
	# the list lives while a rule names it
	fw "-D INPUT 1"
	[ -e /proc/minifw/recent/ssh ]
	fw "-F INPUT"
	[ ! -e /proc/minifw/recent/ssh ]
}

@test "-m owner: the sending socket's user, group, supplementary groups, counted as by iptables-legacy" {
	alongside iptables-legacy OUTPUT "-m owner --uid-owner 0" "-m owner --uid-owner 1000-1999" \
		"-m owner ! --uid-owner 0" "-m owner --gid-owner 100" \
		"-m owner --gid-owner 200 --suppl-groups" "-m owner --socket-exists" \
		"-m owner ! --socket-exists" "-p udp -m owner --uid-owner 1000 --gid-owner 1000" \
		"-p icmp -m owner --socket-exists ! --uid-owner 0"
	setpriv --reuid=1000 --regid=1000 --clear-groups bash -c 'echo a >/dev/udp/192.0.2.2/9'
	setpriv --reuid=1001 --regid=100 --groups=200 bash -c 'echo b >/dev/udp/192.0.2.2/9'
	bash -c 'echo c >/dev/udp/192.0.2.2/9'
	# the kernel's own replies: a port unreachable, a reset
	ip netns exec peer bash -c 'echo d >/dev/udp/192.0.2.1/9'
	ip netns exec peer bash -c 'echo >/dev/tcp/192.0.2.1/9' 2>/dev/null || true
	eventually 2 pkts OUTPUT 2
	run same_counts iptables-legacy OUTPUT
	echo "$output"
	assert_success
	assert_equal "$(pkts OUTPUT 4)" 1
	assert_equal "$(pkts OUTPUT 5)" 1
	assert_equal "$(pkts OUTPUT 8)" 1
	[ "$(pkts OUTPUT 1)" -ge 1 ]
	[ "$(pkts OUTPUT 6)" -ge 5 ]
}

@test "-m pkttype tells a broadcast ping from a unicast one" {
	fw "-A INPUT -p icmp -m pkttype --pkt-type broadcast -j DROP" \
		"-A INPUT -p icmp -m pkttype --pkt-type unicast"
	ip netns exec peer ping -b -c1 -W0.5 -q 192.0.2.255 >/dev/null 2>&1 || true
	peer_ping 192.0.2.1
	assert_equal "$(pkts INPUT 1)" 1
	assert_equal "$(pkts INPUT 2)" 1
}

@test "-j MARK changes the packet's mark for what runs after minifw: iptables-legacy's INPUT reads it" {
	fw "-A PREROUTING -s 192.0.2.7 -j MARK --set-mark 0x7"
	iptables-legacy -A INPUT -m mark --mark 7 -j DROP
	peer_noreply -I 192.0.2.7 192.0.2.1
	peer_ping -I 192.0.2.2 192.0.2.1
	assert_equal "$(pkts PREROUTING 1)" 1
	run iptables-legacy -L INPUT -v -x -n
	assert_line --regexp '^ +1 +84 DROP .* mark match 0x7$'
}

@test "-m addrtype (IPv4): LOCAL, BROADCAST, MULTICAST, UNICAST, limited to a device, counted as by iptables-legacy" {
	alongside iptables-legacy INPUT "-m addrtype --dst-type LOCAL" \
		"-m addrtype --dst-type BROADCAST" "-p icmp -m addrtype --dst-type MULTICAST" \
		"-m addrtype --dst-type LOCAL --limit-iface-in" \
		"-m addrtype ! --dst-type LOCAL --limit-iface-in" \
		"-m addrtype --src-type UNICAST --dst-type LOCAL,BROADCAST" \
		"-m addrtype ! --src-type UNICAST" "-m addrtype --dst-type un"
	alongside iptables-legacy FORWARD "-m addrtype --dst-type UNICAST" \
		"-m addrtype --dst-type UNICAST --limit-iface-out" \
		"-m addrtype --src-type LOCAL,UNICAST --limit-iface-in" "-m addrtype --dst-type LOCAL"
	alongside iptables-legacy OUTPUT "-m addrtype --src-type LOCAL" \
		"-m addrtype --src-type LOCAL --limit-iface-out" "-m addrtype --dst-type UNICAST" \
		"-m addrtype ! --dst-type UNICAST"
	peer_ping 192.0.2.1
	# this host's address on its other link: LOCAL, but not on mfw0
	peer_ping 203.0.113.1
	peer_ping 203.0.113.2
	ip netns exec peer ping -b -c1 -W0.5 -q 192.0.2.255 >/dev/null 2>&1 || true
	ip netns exec peer ping -c1 -W0.5 -q -I mfwp 224.0.0.1 >/dev/null 2>&1 || true
	ping -c1 -W2 -q 192.0.2.2 >/dev/null
	same_counts iptables-legacy INPUT FORWARD OUTPUT
	# the packets were there to count
	assert_equal "$(pkts INPUT 2)" 1
	assert_equal "$(pkts INPUT 3)" 1
	assert_equal "$(pkts FORWARD 1)" 2
	run grep -- '-m addrtype --dst-type LOCAL --limit-iface-in$' "$RULES"
	assert_output "-A INPUT -4 -m addrtype --dst-type LOCAL --limit-iface-in"
}

@test "-m mac: the peer's Ethernet source address; loopback packets have none, as for iptables-legacy" {
	local mac
	mac=$(ip -n peer -br link show mfwp | awk '{ print $3 }')
	alongside iptables-legacy INPUT "-m mac --mac-source $mac" "-m mac ! --mac-source $mac" \
		"-m mac --mac-source 02:00:00:00:00:01"
	alongside iptables-legacy FORWARD "-m mac --mac-source ${mac^^}" "-m mac ! --mac-source $mac"
	peer_ping 192.0.2.1
	peer_ping 203.0.113.2
	ping -c1 -W2 -q 127.0.0.1 >/dev/null
	same_counts iptables-legacy INPUT FORWARD
	[ "$(pkts INPUT 1)" -ge 1 ]
	assert_equal "$(pkts FORWARD 1)" 1
	assert_equal "$(pkts FORWARD 2)" 1
	# the upper-case address listed as iptables-save lists it
	run grep -c -- "-m mac --mac-source $mac" "$RULES"
	assert_output 2
}

# Last in the file, the tests with IPv6: net6_up leaves IPv6 on for the
# tests after it, whose rules without a family would then also count
# Neighbour Discovery (and a test that takes a link down would take its
# IPv6 addresses with it).
@test "-m ttl and -m hl on pings with a low TTL and hop limit; each family's rule ignores the other's packets" {
	net6_up
	# echo requests only: MLD reports have a hop limit of 1 too
	fw "-A INPUT -p icmp --icmp-type echo-request -m ttl --ttl-lt 5 -j DROP" \
		"-A INPUT -p ipv6-icmp --icmpv6-type echo-request -m hl --hl-lt 5 -j DROP"
	peer_noreply -t 4 192.0.2.1
	peer_ping -t 5 192.0.2.1
	peer_noreply -6 -t 1 2001:db8:1::1
	peer_ping -6 -t 5 2001:db8:1::1
	assert_equal "$(pkts INPUT 1)" 1
	assert_equal "$(pkts INPUT 2)" 1
	run grep -- '^-A INPUT' "$RULES"
	assert_output "-A INPUT -p icmp -m icmp --icmp-type 8 -m ttl --ttl-lt 5 -j DROP
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -m hl --hl-lt 5 -j DROP"
}

@test "-m addrtype (IPv6): LOCAL, MULTICAST, ANYCAST, UNICAST, UNREACHABLE, limited to a device, counted as by ip6tables-legacy" {
	net6_up
	alongside ip6tables-legacy INPUT "-m addrtype --dst-type LOCAL" \
		"-p ipv6-icmp --icmpv6-type echo-request -m addrtype --dst-type MULTICAST" \
		"-m addrtype --dst-type ANYCAST" \
		"-m addrtype --dst-type LOCAL --limit-iface-in" "-m addrtype --dst-type UNICAST" \
		"-m addrtype --src-type UNICAST --dst-type LOCAL,ANYCAST" \
		"-m addrtype ! --dst-type LOCAL,ANYCAST,UNREACHABLE" "-m addrtype --dst-type UNREACHABLE"
	alongside ip6tables-legacy FORWARD "-m addrtype --dst-type UNICAST --limit-iface-out" \
		"-m addrtype --dst-type LOCAL" "-m addrtype --src-type UNICAST,LOCAL"
	alongside ip6tables-legacy OUTPUT "-m addrtype --src-type LOCAL --limit-iface-out" \
		"-m addrtype --src-type LOCAL" "-m addrtype --dst-type UNREACHABLE" \
		"-m addrtype --dst-type MULTICAST"
	peer_ping -6 2001:db8:1::1
	peer_ping -6 2001:db8:3::1
	peer_ping -6 2001:db8:3::2
	# the subnet-router anycast address of a forwarding host's link
	ip netns exec peer ping -6 -c1 -W0.5 -q 2001:db8:1:: >/dev/null 2>&1 || true
	ip netns exec peer ping -6 -c1 -W0.5 -q -I mfwp ff02::1 >/dev/null 2>&1 || true
	ping -6 -c1 -W2 -q 2001:db8:1::2 >/dev/null
	same_counts ip6tables-legacy INPUT FORWARD OUTPUT
	assert_equal "$(pkts INPUT 2)" 1
	[ "$(pkts INPUT 3)" -ge 1 ]
	[ "$(pkts FORWARD 1)" -ge 2 ]
}

@test "-m time by the VM's clock, counted as by iptables-legacy" {
	local now day mday soon later before after
	now=$(date -u +%s)
	day=$(date -u -d "@$now" +%a)
	mday=$(date -u -d "@$now" +%-d)
	# a window around now and one an hour ahead, as hh:mm:ss of the day (UTC)
	before=$(date -u -d "@$((now - 1800))" +%H:%M:%S)
	after=$(date -u -d "@$((now + 1800))" +%H:%M:%S)
	soon=$(date -u -d "@$((now + 3600))" +%H:%M:%S)
	later=$(date -u -d "@$((now + 5400))" +%H:%M:%S)
	alongside iptables-legacy INPUT "-p icmp -m time --timestart 00:00 --timestop 23:59:59" \
		"-p icmp -m time --timestart $before --timestop $after" \
		"-p icmp -m time --timestart $soon --timestop $later" \
		"-p icmp -m time --weekdays $day" "-p icmp -m time ! --weekdays $day" \
		"-p icmp -m time --monthdays $mday --kerneltz" "-p icmp -m time --datestart 2020" \
		"-p icmp -m time --datestop 2020-01-01"
	peer_ping 192.0.2.1
	peer_ping 192.0.2.1
	same_counts iptables-legacy INPUT
	assert_equal "$(pkts INPUT 1)" 2
	assert_equal "$(pkts INPUT 4)" 2
	assert_equal "$(pkts INPUT 5)" 0
	assert_equal "$(pkts INPUT 8)" 0
}

@test "-m iprange on IPv6, counted as by ip6tables-legacy" {
	net6_up
	alongside ip6tables-legacy INPUT "-m iprange --src-range 2001:db8:1::2" \
		"-m iprange --src-range 2001:db8:1::1-2001:db8:1::ff" \
		"-m iprange ! --src-range 2001:db8:1::3-2001:db8:1::ffff" \
		"-m iprange --src-range 2001:db8:1::3-2001:db8:1::ffff" \
		"-m iprange --src-range 2001:db8:1:0:ffff::-2001:db8:1:1:: --dst-range 2001:db8:1::1" \
		"-m iprange --src-range ::-2001:db8:1::2 --dst-range 2001:db8:1::1-2001:db8:1::1"
	alongside ip6tables-legacy OUTPUT "-m iprange --dst-range 2001:db8:1::2-2001:db8:1::2" \
		"-m iprange ! --dst-range 2001:db8::-2001:db8:ffff::"
	peer_ping -6 2001:db8:1::1
	ping -6 -c1 -W2 -q 2001:db8:1::2 >/dev/null
	same_counts ip6tables-legacy INPUT OUTPUT
	[ "$(pkts INPUT 1)" -ge 2 ]
	assert_equal "$(pkts INPUT 4)" 0
	assert_equal "$(pkts INPUT 5)" 0
}

@test "tos, ecn, tcpmss, statistic and quota on IPv6, counted as by ip6tables-legacy" {
	net6_up
	alongside ip6tables-legacy INPUT "-m tos --tos 0xb8/0xfc" "-m tos ! --tos Normal-Service" \
		"-m ecn --ecn-ip-ect 2" "-p tcp -m ecn --ecn-tcp-ece" \
		"-p tcp -m ecn ! --ecn-tcp-cwr --ecn-ip-ect 0" "-p tcp -m tcpmss --mss 1000:1400" \
		"-p tcp -m tcpmss ! --mss 1440" "-p tcp -m statistic --mode nth --every 3 --packet 0" \
		"-p tcp -m quota --quota 300" "-p tcp -m quota ! --quota 100"
	ip netns exec peer ping -6 -c2 -i0.2 -W2 -Q 0xb8 -q 2001:db8:1::1 >/dev/null
	ip netns exec peer python3 -c '
from scapy.config import conf
from scapy.layers.inet import TCP
from scapy.layers.inet6 import IPv6
from scapy.sendrecv import send
conf.verb = 0
probes = [(0, "S", 1220), (2, "SEC", 1440), (1, "SE", None), (0xb8, "S", 1440), (0, "A", None),
          (3, "SC", 536), (0, "S", 1400), (0, "S", 1401)]
send([IPv6(src="2001:db8:1::2", dst="2001:db8:1::1", tc=tc) /
      TCP(sport=41000 + k, dport=7, flags=f, options=[("MSS", m)] if m else [])
      for k, (tc, f, m) in enumerate(probes)], iface="mfwp", inter=0.05)'
	eventually 7 pkts INPUT 10
	run same_counts ip6tables-legacy INPUT
	echo "$output"
	assert_success
	# the pings and the probe with a traffic class of 0xb8; MSS 1220 and
	# 1400; the 1st, 4th and 7th probe; the probes while 300 bytes last
	# (64 + 64 + 60 + 64; the fifth finds 48), the second quota spent by
	# the first probe
	assert_equal "$(pkts INPUT 1)" 3
	assert_equal "$(pkts INPUT 6)" 2
	assert_equal "$(pkts INPUT 8)" 3
	assert_equal "$(pkts INPUT 9)" 4
}

@test "-m frag, -m esp, -m ah, -m mh, -m hbh, -m dst and -m ipv6header on IPv6, counted as by ip6tables-legacy" {
	net6_up
	alongside ip6tables-legacy INPUT "-m frag" "-m frag --fragfirst --fragmore" "-m frag --fraglast" \
		"-m frag --fragid 1000:2000" "-m frag ! --fragid 1000:2000 --fragres" \
		"-p udp -m frag --fragmore" "-m frag --fragid 1500 --fraglen 8" "-p esp -m esp --espspi 7" \
		"-m ah --ahspi 256" "-m ah ! --ahlen 16 --ahres" \
		"-p mobility-header -m mh --mh-type bu" "-p mobility-header -m mh ! --mh-type bu" \
		"-m ipv6header --header frag,prot" "-m ipv6header --header auth --soft" \
		"-m ipv6header ! --header prot" \
		"-m hbh" "-m hbh --hbh-len 8 --hbh-opts 5:2,1:0" "-m hbh ! --hbh-len 8 --hbh-opts 5,30:8" \
		"-m hbh --hbh-opts 5,1:0,0" "-m dst --dst-len 8" "-m dst --dst-opts 1:4" \
		"-m dst --dst-opts 0,5:8" "-m dst --dst-opts 0,5,1" "-m dst ! --dst-len 16"
	ip netns exec peer python3 -c '
import struct
from scapy.config import conf
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment
from scapy.packet import Raw
from scapy.sendrecv import send
conf.verb = 0
ip = IPv6(src="2001:db8:1::2", dst="2001:db8:1::1")
udp = struct.pack("!HHHH", 40000, 9, 8 + 24, 0) + b"y" * 8
pkts = [ip / IPv6ExtHdrFragment(id=ident, offset=0, m=1, nh=17) / Raw(udp)
        for ident in (1500, 3000)]
pkts += [ip / IPv6ExtHdrFragment(id=ident, offset=2, m=0, nh=17, res1=r) / Raw(b"z" * 16)
         for ident, r in ((1500, 0), (3000, 0), (3000, 1))]
pkts += [IPv6(src="2001:db8:1::2", dst="2001:db8:1::1", nh=50) /
         Raw(struct.pack("!II", spi, 1) + b"x" * 16) for spi in (7, 8)]
# AH of 24 bytes (length field 4), the second with a reserved bit set
pkts += [IPv6(src="2001:db8:1::2", dst="2001:db8:1::1", nh=51) /
         Raw(struct.pack("!BBHII", 59, 4, res, spi, 1) + bytes(12)) for spi, res in ((256, 0), (300, 1))]
# Mobility Headers of types 5 (binding update) and 6
pkts += [IPv6(src="2001:db8:1::2", dst="2001:db8:1::1", nh=135) /
         Raw(struct.pack("!BBBB", 59, 0, t, 0) + bytes(4)) for t in (5, 6)]
# Hop-by-Hop headers of 8 bytes (a router alert, a PadN) and of 16 (a
# router alert, an experimental option 30 of 8 bytes, which the stack
# skips: padding of more than 7 bytes it would drop); Destination Options headers of 8 bytes:
# a PadN of 4 bytes; a Pad1, then an option that runs past the header end
# (dropped after INPUT, when the stack reads it)
udp = struct.pack("!HHHH", 40000, 9, 8 + 8, 0) + b"u" * 8
opts = [(0, bytes([17, 0, 5, 2, 0, 0, 1, 0])), (0, bytes([17, 1, 5, 2, 0, 0, 30, 8]) + bytes(8)),
        (60, bytes([17, 0, 1, 4, 0, 0, 0, 0])), (60, bytes([17, 0, 0, 5, 8, 0, 0, 0]))]
pkts += [IPv6(src="2001:db8:1::2", dst="2001:db8:1::1", nh=nh) / Raw(h + udp) for nh, h in opts]
send(pkts, iface="mfwp", inter=0.05)'
	eventually 5 pkts INPUT 1
	eventually 1 pkts INPUT 8
	eventually 1 pkts INPUT 12
	eventually 2 pkts INPUT 24
	run same_counts ip6tables-legacy INPUT
	echo "$output"
	assert_success
	# two first fragments, three last ones (one with a reserved bit set)
	assert_equal "$(pkts INPUT 2)" 2
	assert_equal "$(pkts INPUT 3)" 3
	assert_equal "$(pkts INPUT 4)" 2
	assert_equal "$(pkts INPUT 5)" 2
	assert_equal "$(pkts INPUT 8)" 1
	assert_equal "$(pkts INPUT 9)" 1
	assert_equal "$(pkts INPUT 10)" 1
	assert_equal "$(pkts INPUT 11)" 1
	# the five fragments (then UDP); the two AH (then none)
	assert_equal "$(pkts INPUT 13)" 5
	assert_equal "$(pkts INPUT 14)" 2
	# the options headers: options a prefix, one past the end only last
	assert_equal "$(pkts INPUT 16)" 2
	assert_equal "$(pkts INPUT 17)" 1
	assert_equal "$(pkts INPUT 18)" 1
	assert_equal "$(pkts INPUT 19)" 0
	assert_equal "$(pkts INPUT 20)" 2
	assert_equal "$(pkts INPUT 21)" 1
	assert_equal "$(pkts INPUT 22)" 1
	assert_equal "$(pkts INPUT 23)" 0
	assert_equal "$(pkts INPUT 24)" 2
}
