#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Compiled chains (compile.c, "DOC: Compiled chains"): runs of rules that
# differ only in one address, or in the destination port, are looked up in
# interval tables. In the
# kernel, with real packets: the first rule that matches still decides and
# is the only one counted, edits recompile, a rule of another kind splits a
# run and keeps its place, and /proc/minifw/stats says what was compiled.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# Packets counted by all rules of CHAIN together
chain_pkts() { awk -v c="$1" '$1 == c && $2 != "policy" { n += $3 } END { print n + 0 }' "$STATS"; }

# A block list for INPUT: 203.0.113.1-254 and 198.51.100.0-255 but .5 as
# /32 DROP rules (509), then the peer's three addresses.
blocklist() {
	local i
	for i in $(seq 1 254); do echo "-A INPUT -s 203.0.113.$i/32 -j DROP"; done
	for i in $(seq 0 255); do
		[ "$i" -eq 5 ] || echo "-A INPUT -s 198.51.100.$i/32 -j DROP"
	done
	echo "-A INPUT -s 192.0.2.7/32 -j DROP"
	echo "-A INPUT -s 192.0.2.0/24 -j ACCEPT"
	echo "-A INPUT -s 198.51.100.5/32 -j DROP"
}

@test "a block list in one run: the first matching rule decides and alone counts" {
	blocklist >"$BATS_TEST_TMPDIR/rules"
	fw "$(cat "$BATS_TEST_TMPDIR/rules")"
	run grep '^# compiled' "$STATS"
	assert_output "# compiled INPUT: 1 run, 512 of 512 rules"
	# 192.0.2.2: rule 511 (/24 ACCEPT)
	ip netns exec peer ping -c3 -i0.2 -q 192.0.2.1 >/dev/null
	assert_equal "$(pkts INPUT 511)" 3
	assert_equal "$(bytes INPUT 511)" 252
	# 192.0.2.7: rule 510, before the /24 that also holds it
	peer_noreply -I 192.0.2.7 192.0.2.1
	assert_equal "$(pkts INPUT 510)" 1
	assert_equal "$(bytes INPUT 510)" 84
	# 198.51.100.5: the last rule
	peer_noreply -I 198.51.100.5 192.0.2.1
	assert_equal "$(pkts INPUT 512)" 1
	# no other rule saw anything
	assert_equal "$(chain_pkts INPUT)" 5
	# the listing is what was written
	diff <(grep '^-A' "$RULES") "$BATS_TEST_TMPDIR/rules"
}

@test "edits recompile: -I puts a rule first, -D takes it out, -R of another kind splits the run" {
	fw "$(blocklist)"
	fw "-I INPUT 1 -s 192.0.2.0/25 -j ACCEPT"
	run grep '^# compiled' "$STATS"
	assert_output "# compiled INPUT: 1 run, 513 of 513 rules"
	peer_ping -I 192.0.2.7 192.0.2.1
	assert_equal "$(pkts INPUT 1)" 1
	assert_equal "$(pkts INPUT 511)" 0
	fw "-D INPUT 1"
	peer_noreply -I 192.0.2.7 192.0.2.1
	assert_equal "$(pkts INPUT 510)" 1
	# rule 300 becomes a TCP rule: two runs around it; it decides for TCP
	# from 192.0.2.2 before rule 511 can, and ICMP from 192.0.2.7 still
	# meets rule 510 in the second run
	fw "-R INPUT 300 -p tcp -j ACCEPT"
	run grep '^# compiled' "$STATS"
	assert_output "# compiled INPUT: 2 runs, 511 of 512 rules"
	tcp_server "" 8080
	NS=peer tcp_ok 192.0.2.1 8080
	assert [ "$(pkts INPUT 300)" -ge 3 ]
	assert_equal "$(pkts INPUT 511)" 0
	peer_noreply -I 192.0.2.7 192.0.2.1
	assert_equal "$(pkts INPUT 510)" 2
	fw "-F INPUT"
	run grep -c '^# compiled' "$STATS"
	assert_output 0
}

@test "a run of destination ports: overlapping ranges, the first rule decides, as in iptables-legacy" {
	local i lo
	{
		echo "*filter"
		echo ":INPUT ACCEPT [0:0]"
		echo ":FORWARD ACCEPT [0:0]"
		echo ":OUTPUT ACCEPT [0:0]"
		for i in $(seq 0 99); do
			lo=$((7000 + i * 3))
			case $((i % 3)) in
			0) echo "-A INPUT -p tcp -m tcp --dport $lo:$((lo + 4)) -j DROP" ;;
			1) echo "-A INPUT -p tcp -m tcp --dport $lo -j REJECT --reject-with tcp-reset" ;;
			2) echo "-A INPUT -p tcp -m tcp --dport $((lo - 20)):$lo -j ACCEPT" ;;
			esac
		done
		echo "COMMIT"
	} >"$BATS_TEST_TMPDIR/doc"
	fw "$(cat "$BATS_TEST_TMPDIR/doc")"
	run grep '^# compiled' "$STATS"
	assert_output "# compiled INPUT: 1 run, 100 of 100 rules"
	fw "-F"
	PROBES=()
	for i in 6979 6990 7000 7001 7003 7004 7005 7100 7101 7102 7150 7296 7297 7298 7299 7300 8000; do
		PROBES+=("tcp:192.0.2.2:$i")
	done
	PROBES+=(udp:192.0.2.2:7000 icmp:192.0.2.2)
	oracle "$BATS_TEST_TMPDIR/doc"
}

@test "a destination run in OUTPUT" {
	local i rules=()
	for i in $(seq 0 99); do rules+=("-A OUTPUT -d 198.51.100.$i/32 -j DROP"); done
	rules+=("-A OUTPUT -d 192.0.2.7/32 -j DROP")
	fw "${rules[@]}"
	run grep '^# compiled' "$STATS"
	assert_output "# compiled OUTPUT: 1 run, 101 of 101 rules"
	noreply 198.51.100.5
	noreply 192.0.2.7
	ping -c2 -i0.2 -q 192.0.2.2 >/dev/null
	assert_equal "$(pkts OUTPUT 6)" 1
	assert_equal "$(bytes OUTPUT 6)" 84
	assert_equal "$(pkts OUTPUT 101)" 1
	assert_equal "$(chain_pkts OUTPUT)" 2
}

@test "IPv6: 20,000 prefixes in one run, the peer's address last" {
	# echo requests only (the options the run shares): the peer's
	# neighbour solicitations from 2001:db8:1::7 must pass
	net6_up
	{
		printf -- '-A INPUT -s 2001:db8:ff:%x::/64 -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j DROP\n' \
			$(seq 0 19998)
		echo "-A INPUT -s 2001:db8:1::7/128 -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j DROP"
	} >"$BATS_TEST_TMPDIR/rules"
	dd if="$BATS_TEST_TMPDIR/rules" of="$RULES" bs=16M status=none
	run grep '^# compiled' "$STATS"
	assert_output "# compiled INPUT: 1 run, 20000 of 20000 rules"
	peer_noreply -I 2001:db8:1::7 2001:db8:1::1
	peer_noreply -I 2001:db8:1::7 2001:db8:1::1
	assert_equal "$(pkts INPUT 20000)" 2
	assert_equal "$(bytes INPUT 20000)" 208
	peer_ping 2001:db8:1::1
	assert_equal "$(pkts INPUT 20000)" 2
	assert_equal "$(chain_pkts INPUT)" 2
}

# An access list for INPUT and a user chain it calls, of 400 and 40 rules
# (seeded): addresses, protocols, exact ports and ranges, mostly of hosts
# elsewhere (10.0.0.0/8 as sources, 198.18.0.0/15 as destinations), now
# and then the peer's (192.0.2.2, 192.0.2.7, 198.51.100.5) and this host's
# 192.0.2.1; deciding targets, LOG and rules that only count among them.
acl_doc() {
	python3 - <<'PY'
import random

r = random.Random(16)
PEER = ["192.0.2.2/32", "192.0.2.7/32", "192.0.2.0/24", "192.0.2.0/29", "198.51.100.5/32",
        "198.51.100.0/24", "192.0.2.4/30"]
PORTS = [22, 25, 53, 80, 443, 1521, 3306, 8080]


def decoy(base):
    return "%s.%d.%d.%d/%d" % (base, r.randrange(256), r.randrange(256), r.randrange(256),
                               r.choice([32, 32, 24, 16]))


def rule(chain, tcp_only, pmine):
    mine = r.random() < pmine
    w = ["-A", chain]
    if mine or r.random() < 0.85:
        w += ["-s", r.choice(PEER) if mine else decoy("10")]
    if r.random() < 0.4:
        w += ["-d", r.choice(["192.0.2.1/32", "192.0.2.0/24"]) if mine or r.random() < 0.5
              else "198.18.%d.%d/32" % (r.randrange(256), r.randrange(256))]
    proto = "tcp" if tcp_only else r.choice(["tcp"] * 6 + ["udp"] * 2 + ["icmp", None])
    if proto:
        w += ["-p", proto]
    if proto in ("tcp", "udp") and (mine or r.random() < 0.8):
        w += ["-m", proto]
        if r.random() < 0.6:
            w += ["--dport", str(r.choice(PORTS))]
        else:
            lo = r.choice(PORTS)
            w += ["--dport", "%d:%d" % (lo, lo + r.choice([0, 10, 1000]))]
    t = r.random()
    if t < 0.05:
        w += ["-j", "LOG", "--log-prefix", '"acl "']
    elif t < 0.1:
        pass
    elif chain == "acl" and t < 0.2:
        w += ["-j", "RETURN"]
    elif t < 0.35 and proto == "tcp":
        w += ["-j", "REJECT", "--reject-with", "tcp-reset"]
    elif t < 0.45:
        w += ["-j", "REJECT", "--reject-with", "icmp-port-unreachable"]
    else:
        w += ["-j", r.choice(["ACCEPT", "DROP"])]
    return " ".join(w)


print("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:acl - [0:0]")
for i in range(400):
    print(rule("INPUT", False, 0.04))
    if i == 150:
        print("-A INPUT -p tcp -j acl")
for i in range(40):
    print(rule("acl", True, 0.15))
print("COMMIT")
PY
}

@test "an access list in classified segments: every probe's fate and every counter as in iptables-legacy" {
	local src port
	acl_doc >"$BATS_TEST_TMPDIR/doc"
	fw "$(cat "$BATS_TEST_TMPDIR/doc")"
	run grep '^# compiled' "$STATS"
	assert_output - <<-EOF
	# compiled INPUT: 1 run, 401 of 401 rules (401 classified)
	# compiled acl: 1 run, 40 of 40 rules (40 classified)
	EOF
	fw "-F" "-X"
	PROBES=()
	for src in 192.0.2.2 192.0.2.7 198.51.100.5; do
		for port in 22 25 53 80 443 1521 1600 3306 8080 9000; do
			PROBES+=("tcp:$src:$port")
		done
		PROBES+=("udp:$src:53" "udp:$src:1530" "udp:$src:8080" "icmp:$src")
	done
	oracle "$BATS_TEST_TMPDIR/doc"
}
