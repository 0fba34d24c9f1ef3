#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# `make bench`'s measuring script (bench/bench.py) with tiny N and few
# packets, so that it cannot rot: every contender at every N gives its
# numbers, every packet that should be dropped was, by the contender's own
# count, and the report and the plot are made from the output. Nothing is
# asserted on time. The script sets up its own veth (mfwb0) and pktgen; it
# and the teardown remove everything it loaded.

load helpers

BENCH=$BATS_TEST_DIRNAME/../../bench/bench.py
COUNT=256    # packets per run: a multiple of pktgen's burst (32)
ROUNDS=2     # a median, and a second load of every contender after the first's unload

# no test network: the bench injects its packets with pktgen
setup_file() { :; }
teardown_file() { :; }

setup() {
	stop_servers
	fw_unload
}

teardown() {
	python3 "$BENCH" cleanup
	common_teardown
}

# field NAME LINE: the value of NAME=... in a key=value line
field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\2/p" <<<"$2"; }

@test "bench.py run: a complete table for N=1,10, 10 in a user chain and 1 and 10 port rules, drops counted by each contender, all removed after" {
	out=$BATS_TEST_TMPDIR/raw.log
	python3 "$BENCH" run --n 1,10 --ports-n 10 --acl-n '' --runs "$ROUNDS" --count "$COUNT" --mem max \
		--dir "$BATS_TEST_TMPDIR/rules" --ko "$MINIFW_KO" >"$out" 2>&1 || {
		cat "$out"
		false
	}
	grep -v '^RUN' "$out"

	# every contender, N and kind has its median of ROUNDS runs, all > 0
	expected="none 0 nomatch
minifw 0 match
iptables 0 match
nft 0 match"
	for c in minifw-ports iptables-ports; do
		for n in 1 10; do
			expected+="
$c $n match
$c $n nomatch"
		done
	done
	expected+="
minifw-chain 10 match
minifw-chain 10 nomatch"
	for n in 1 10; do
		expected+="
none $n nomatch"
		for c in minifw iptables ipset nft; do
			expected+="
$c $n match
$c $n nomatch"
		done
	done
	run awk '$1 == "TABLE" { print }' "$out"
	assert_equal "$(sed -E 's/TABLE contender=([^ ]*) n=([^ ]*) kind=([^ ]*) .*/\1 \2 \3/' <<<"$output" | sort)" \
		"$(sort <<<"$expected")"
	while read -r line; do
		runs=$(field runs "$line")
		[ "$(tr , '\n' <<<"$runs" | wc -l)" -eq "$ROUNDS" ]
		for v in $(tr , ' ' <<<"$runs") "$(field median_ns "$line")"; do
			awk -v v="$v" 'BEGIN { exit !(v > 0) }' || { echo "not > 0: $line"; false; }
		done
	done <<<"$output"

	# each run sent its packets; pktgen's errors (NET_RX_DROP, returned for
	# the packets routing dropped after PREROUTING, not for those a hook
	# dropped) are 0 when the source matches, all when none does
	run grep -c '^RUN ' "$out"
	assert_output "$(((4 + 2 * 9 + 2 + 2 * 2 * 2) * ROUNDS * 2))"   # measured + warm-up runs
	while read -r line; do
		[ "$(field sent "$line")" -eq "$COUNT" ] || { echo "$line"; false; }
		[ "$(field usec "$line")" -gt 0 ] || { echo "$line"; false; }
		if [ "$(field kind "$line")" = match ]; then
			[ "$(field errors "$line")" -eq 0 ] || { echo "$line"; false; }
		else
			[ "$(field errors "$line")" -eq "$COUNT" ] || { echo "$line"; false; }
		fi
	done < <(grep '^RUN ' "$out")

	# the contender's own counter of its drop rule (minifw's stats,
	# iptables' rule counter, nft's counter) saw exactly the matching
	# packets of each load: one warm-up and one measured run
	run grep -c '^CHECK ' "$out"
	assert_output "$(((3 + 2 * 4 + 1 + 2 * 2) * ROUNDS))"
	while read -r line; do
		[ "$(field dropped "$line")" -eq $((2 * COUNT)) ] || { echo "$line"; false; }
	done < <(grep '^CHECK ' "$out")
	run grep -c '^LOAD ' "$out"
	assert_output "$(((3 + 2 * 4 + 1 + 2 * 2) * ROUNDS))"
	run awk '$1 == "MEM" { print $2, $3 }' "$out"    # at the largest N only
	assert_output "contender=minifw n=10
contender=iptables n=10
contender=ipset n=10
contender=nft n=10"

	# nothing left behind
	[ ! -d /sys/module/minifw ]
	[ ! -d /sys/module/pktgen ]
	[ ! -d /sys/module/iptable_raw ]
	[ ! -d /sys/module/ip_set ]
	run ip link show mfwb0
	assert_failure
	run nft list tables
	refute_output --partial minifw_bench

	# and the host side's report and plot come out of it
	run python3 "$BENCH" report "$out" "$BATS_TEST_TMPDIR/results.md" "$BATS_TEST_TMPDIR/results.dat"
	assert_success
	assert_output --regexp '\| G0: minifw drop-all / iptables \(raw\) drop-all \| [0-9.]+ \|'
	assert_output --regexp '\| G2: minifw / nft, N=10, nomatch \| [0-9.]+ \|'
	assert_output --regexp '\| minifw: N=10 rules in a user chain PREROUTING calls / in PREROUTING, nomatch \| [0-9.]+ \|'
	assert_output --regexp '\| 10 \| nomatch( \| [0-9]+){5} \|'
	assert_output --regexp '\| port rules: minifw / iptables, cost of a rule, N=10 port rules \| -?[0-9.]+ \|'
	assert_output --regexp '\| port rules: minifw N=10 / minifw N=1 \(one rule\), nomatch \| [0-9.]+ \|'
	assert_output --regexp '\| 1 to 10 \| per rule \| - \| -?[0-9.]+ \| -?[0-9.]+ \|'
	loads=$(((3 + 2 * 4 + 1 + 2 * 2) * ROUNDS))
	grep -q "counter of its drop rule equals the matching packets sent in $loads of $loads loads" \
		"$BATS_TEST_TMPDIR/results.md"
	grep -q "pktgen's errors: 0 of $(((4 + 2 * 9 + 2 + 2 * 2 * 2) * ROUNDS * 2)) runs" "$BATS_TEST_TMPDIR/results.md"
	run gnuplot -e "dat='$BATS_TEST_TMPDIR/results.dat'; png='$BATS_TEST_TMPDIR/r.png'; clock='wall'; kver='$(uname -r)'" \
		"$BATS_TEST_DIRNAME/../../bench/plot.gp"
	assert_success
	run od -An -c -N4 "$BATS_TEST_TMPDIR/r.png"
	assert_output --regexp 'P +N +G'
}

@test "bench.py run: access lists, every flow of every contender measured, every packet counted by a rule of the flow's verdict" {
	out=$BATS_TEST_TMPDIR/raw.log
	python3 "$BENCH" run --n '' --acl-n 60 --runs "$ROUNDS" --count "$COUNT" \
		--contenders minifw,iptables,nft --dir "$BATS_TEST_TMPDIR/rules" --ko "$MINIFW_KO" \
		>"$out" 2>&1 || {
		cat "$out"
		false
	}
	grep -v '^RUN' "$out"

	# 8 flows: the stack alone with them, and each contender at N=0 and 60
	expected=""
	for k in 0 1 2 3 4 5 6 7; do
		expected+="none-acl 0 flow$k"$'\n'
		for c in minifw iptables nft; do
			expected+="$c-acl 0 flow$k"$'\n'"$c-acl 60 flow$k"$'\n'
		done
	done
	run awk '$1 == "TABLE" { print }' "$out"
	assert_equal "$(sed -E 's/TABLE contender=([^ ]*) n=([^ ]*) kind=([^ ]*) .*/\1 \2 \3/' <<<"$output" | sort)" \
		"$(sort <<<"${expected%$'\n'}")"
	# the flows' verdicts, by the list's first match: every rule is DROP
	run cut -d' ' -f5 "$BATS_TEST_TMPDIR/rules/acl-60.flows"
	assert_output "$(printf 'drop\n%.0s' 1 2 3 4 5 6 7 8)"

	# the report: no pktgen errors, and minifw's and iptables' rules
	# counted every packet, by rules of the flow's verdict
	run python3 "$BENCH" report "$out" "$BATS_TEST_TMPDIR/results.md" "$BATS_TEST_TMPDIR/results.dat"
	assert_success
	assert_output --regexp '\| G4: access list N=60: minifw / minifw drop-all \(same flows\) \| [0-9.]+ \|'
	assert_output --regexp '\| G4: access list N=60: minifw / nft verdict map \| [0-9.]+ \|'
	runs=$(grep -c '^RUN ' "$out")
	assert_equal "$runs" $(((8 + 3 * 2 * 8) * ROUNDS * 2))
	grep -q "pktgen's errors: 0 of $runs runs" "$BATS_TEST_TMPDIR/results.md"
	loads=$((2 * 2 * ROUNDS))
	grep -q "equals the matching packets sent in $loads of $loads loads" "$BATS_TEST_TMPDIR/results.md"
	grep -q '^| 60 | [0-9]* | [0-9]* | [0-9]* | [0-9]* | ' "$BATS_TEST_TMPDIR/results.md"

	[ ! -d /sys/module/minifw ]
	run nft list tables
	refute_output --partial minifw_bench
}
