#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Every class of bad input is refused with an error, names line and reason,
# and changes nothing. Writers need CAP_NET_ADMIN.

load helpers

setup() {
	common_setup
	fw "-A INPUT -p icmp -j ACCEPT" "-A OUTPUT -d 192.0.2.9"
	BEFORE=$(listing)
}
teardown() { common_teardown; }

# refused LINE EXPECTED-LOG: the write fails, nothing changes, the log says why
refused() {
	dmesg_mark
	run ! fw "$1"
	assert_equal "$(listing)" "$BEFORE"
	run dmesg_new
	assert_output --partial "minifw: line 1: $2"
}

@test "unknown option" { refused "-A INPUT --dprot 22 -j DROP" 'unknown option "--dprot"'; }
@test "bad address" { refused "-A INPUT -s 192.0.2.300 -j DROP" '"192.0.2.300" is not an IPv4 address'; }
@test "prefix > 32" { refused "-A INPUT -s 192.0.2.0/33 -j DROP" 'prefix length "33" is not in 0-32'; }
@test "port > 65535" { refused "-A INPUT -p tcp --dport 65536 -j DROP" '--dport: "65536" is not a port (0-65535)'; }
@test "reversed range" { refused "-A INPUT -p udp --sport 100:50 -j DROP" '--sport: "100:50" is a reversed port range'; }
@test "port without -p tcp|udp|sctp|dccp" { refused "-A INPUT --dport 22 -j DROP" "--dport needs -p tcp, -p udp, -p sctp or -p dccp"; }
@test "port with -p icmp" { refused "-A INPUT -p icmp --sport 22" "--sport needs -p tcp, -p udp, -p sctp or -p dccp"; }
@test "unknown target" { refused "-A INPUT -j REJCT" 'unknown target "REJCT"'; }
@test "unknown chain" { refused "-A input -j DROP" 'unknown chain "input"'; }
@test "unknown command" { refused "-Y INPUT" '"-Y" is not a command'; }
@test "tables: unknown, without the chain, not there yet" {
	refused "-t nta -A INPUT -j DROP" 'unknown table "nta" (minifw has filter, raw, mangle and nat)'
	refused "-t raw -A INPUT -j DROP" "the raw table has no chain INPUT (its chains: PREROUTING and OUTPUT)"
	refused "-t nat -A PREROUTING -j DROP" "the nat table is not for filtering"
	refused "-t nat -A POSTROUTING -o eth0 -j ACCEPT" "-t nat: not there yet (minifw has the filter table only)"
}
@test "-t filter, before and after the command" {
	fw "-t filter -A INPUT -p tcp -j DROP" "-A INPUT -p udp -j DROP -t filter"
	run listing
	assert_output --partial $'-A INPUT -p tcp -j DROP\n-A INPUT -p udp -j DROP'
	fw "-F INPUT -t filter"
	run listing
	refute_output --partial "-A INPUT"
}
@test "rule number out of range" {
	refused "-D INPUT 3" "INPUT has 1 rules; there is no rule 3"
	refused "-R OUTPUT 2 -j DROP" "OUTPUT has 1 rules; there is no rule 2"
	refused "-I INPUT 3 -j DROP" "INPUT has 1 rules; there is no rule 3 to insert before"
	refused "-D INPUT 0" '"0" is not a rule number'
}
@test "-D of a rule that does not exist" { refused "-D INPUT -p icmp -j DROP" "-D: no such rule in INPUT"; }
@test "-i in OUTPUT, -o in INPUT" {
	refused "-A OUTPUT -i mfw0 -j DROP" "-i cannot be used in OUTPUT"
	refused "-A INPUT -o mfw0 -j DROP" "-o cannot be used in INPUT"
}
@test "bad policy" { refused "-P INPUT REJECT" '"REJECT" is not a policy (a policy is ACCEPT or DROP)'; }
@test "interface name too long" { refused "-A INPUT -i abcdefghijklmnop" 'interface name "abcdefghijklmnop" is longer than 15'; }
@test "stray !" { refused "-A INPUT -p tcp !" '"!" at the end of the line'; }

@test "over-long line refused, the longest legal line accepted" {
	local line
	printf -v line '%s%*s%s' "-A INPUT -p udp" 3178 "" "-j DROP"
	[ "${#line}" -eq 3200 ]
	fw "$line"
	run grep -c -- '^-A INPUT -p udp -j DROP$' "$RULES"
	assert_output 1
	BEFORE=$(listing)
	refused "${line}x" "line longer than 3200 bytes"
	# one mebibyte in one line
	dmesg_mark
	run ! bash -c "head -c 1048576 /dev/zero | tr '\\0' a > $RULES"
	assert_equal "$(listing)" "$BEFORE"
}

@test "a NUL byte is refused" {
	run ! bash -c "printf -- '-A INPUT -p tcp\0 -j DROP\n' > $RULES"
	assert_equal "$(listing)" "$BEFORE"
}

@test "writers need CAP_NET_ADMIN" {
	# an unprivileged user cannot even open the file (0600 root)
	run ! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo '-F' > $RULES"
	# root without CAP_NET_ADMIN opens it but the write is refused
	run ! capsh --drop=cap_net_admin -- -c "echo '-F' > $RULES"
	assert_output --partial "Operation not permitted"
	# root in a new user namespace has CAP_NET_ADMIN only there
	run ! unshare -Ur sh -c "echo '-F' > $RULES"
	assert_equal "$(listing)" "$BEFORE"
	# and with the capability it works
	fw "-F"
	run grep -c -- '^-A' "$RULES"
	assert_output 0
}
