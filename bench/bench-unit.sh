#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench-unit: instructions per packet of minifw_chain_eval() against
# the number of source-CIDR DROP rules, counted by valgrind's callgrind in
# the user-space build of the rule engine (bench/bench_unit.c says what is
# run).
# Counts are deterministic: the same build gives the same numbers on any
# machine, so they can guard against regressions where timings cannot.
#
# Usage: bench/bench-unit.sh [N...]   (default: 1 1000 10000 100000)
#   BENCH_UNIT_WALKED_MAX  largest N also run rule by rule (default 10000)
#   BENCH_UNIT_BUDGET      most instructions a compiled lookup may take at
#                          any N (default 600); more fails: the cost of a
#                          lookup is meant not to grow with N
#   BENCH_UNIT_ACL         sizes of the access lists (bench/classbench.py)
#                          run whole (default 1000 10000 100000)
# Prints two tables; exits 1 if a compiled lookup is over the budget, if
# the packets were not dropped as they must be, if a whole list costs 20%
# more than bench/bench-unit.ceilings says, or if its compiled and walked
# verdicts differ.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -gt 0 ] || set -- 1 1000 10000 100000
walked_max=${BENCH_UNIT_WALKED_MAX:-10000}
budget=${BENCH_UNIT_BUDGET:-600}
bin=build/bench/bench_unit
out=build/bench/callgrind.out
lookups=1000
[ -x "$bin" ] || { echo "bench-unit: $bin not built (make bench-unit builds it)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "bench-unit: valgrind is not installed" >&2; exit 2; }

# instructions per lookup of one function in the last callgrind run
per_lookup() {
	callgrind_annotate --inclusive=yes "$out" 2>/dev/null |
		awk -v f=":$1 " -v n="$lookups" 'index($0, f) { gsub(",", "", $1); printf "%d", $1 / n; exit }'
}

# one run: "match miss" instructions per lookup, or "- -"
measure() {
	local n=$1 mode=$2 said
	said=$(valgrind --tool=callgrind --callgrind-out-file="$out" \
		--toggle-collect='lookups_*' "$bin" "$n" "$mode" 2>/dev/null)
	if [ "$said" != "N=$n $mode: $lookups of $lookups matching packets dropped, 0 of $lookups others" ]; then
		echo "bench-unit: N=$n $mode: wrong verdicts: $said" >&2
		return 1
	fi
	echo "$(per_lookup lookups_match) $(per_lookup lookups_miss)"
}

bad=0
printf 'instructions per packet (callgrind), source-CIDR DROP rules in one chain\n'
printf '%8s  %16s %16s  %16s %16s  %16s %16s\n' N "compiled match" "compiled miss" "walked match" \
	"walked miss" "in a chain match" "in a chain miss"
for n in "$@"; do
	read -r cm cx < <(measure "$n" compiled) || { bad=1; continue; }
	wm=- wx=-
	if [ "$n" -le "$walked_max" ]; then
		read -r wm wx < <(measure "$n" walked) || { bad=1; continue; }
	fi
	read -r jm jx < <(measure "$n" chain) || { bad=1; continue; }
	printf '%8s  %16s %16s  %16s %16s  %16s %16s\n' "$n" "$cm" "$cx" "$wm" "$wx" "$jm" "$jx"
	for v in "$cm" "$cx" "$jm" "$jx"; do
		if [ -z "$v" ] || [ "$v" -gt "$budget" ]; then
			echo "bench-unit: N=$n: a compiled lookup took ${v:-?} instructions, over the budget of $budget" >&2
			bad=1
		fi
	done
done
echo "(match: a packet from the last rule's prefix; miss: one no rule matches;"
echo " in a chain: compiled, the rules in a user chain that PREROUTING calls)"

# Whole rule lists, as published (compiled): access lists in the style of
# ClassBench (bench/classbench.py) and UDP port rules, each its own port,
# against one drop-all rule, with the same packets. The instructions of
# each may not grow by more than 20% over bench/bench-unit.ceilings.
tmp=build/bench/lists
mkdir -p "$tmp"
ceilings=bench/bench-unit.ceilings
# file_measure RULES PACKETS: instructions per packet of one run over them
file_measure() {
	local npk said
	npk=$(wc -l <"$2")
	said=$(valgrind --tool=callgrind --callgrind-out-file="$out" \
		--toggle-collect='lookups_*' "$bin" --file "$1" "$2" compiled 2>/dev/null)
	walked=$("$bin" --file "$1" "$2" walked)
	if [ "${said/compiled/walked}" != "$walked" ]; then
		echo "bench-unit: $1: compiled and walked verdicts differ: $said / $walked" >&2
		return 1
	fi
	callgrind_annotate --inclusive=yes "$out" 2>/dev/null |
		awk -v n="$npk" '!done && index($0, ":lookups_file ") { gsub(",", "", $1); printf "%d", $1 / n; done = 1 }'
}
# ceiling NAME INSTR: within 20% of the recorded figure (none: no check)
ceiling() {
	local c
	c=$(awk -v k="$1" '$1 == k { print $2 }' "$ceilings")
	if [ -n "$c" ] && [ "$2" -gt $((c * 12 / 10)) ]; then
		echo "bench-unit: $1: $2 instructions a packet, over $c + 20%" >&2
		return 1
	fi
}
echo
printf 'instructions per packet (callgrind), whole lists in FORWARD, compiled\n'
printf '%-22s %10s %10s %12s\n' list rules instr "x drop-all"
echo "-A FORWARD -j DROP" >"$tmp/dropall"
python3 bench/classbench.py packets 1000 200 >"$tmp/pk-dropall"
base=$(file_measure "$tmp/dropall" "$tmp/pk-dropall") || exit 1
for n in ${BENCH_UNIT_ACL:-1000 10000 100000}; do
	python3 bench/classbench.py rules "$n" >"$tmp/acl-$n"
	python3 bench/classbench.py packets "$n" 200 >"$tmp/pk-acl-$n"
	v=$(file_measure "$tmp/acl-$n" "$tmp/pk-acl-$n") || { bad=1; continue; }
	printf '%-22s %10s %10s %12s\n' "classbench acl" "$n" "$v" "$(awk -v a="$v" -v b="$base" 'BEGIN { printf "%.1f", a / b }')"
	ceiling "acl-$n" "$v" || bad=1
done
# 1,000 UDP port rules, each its own port; packets to every tenth port
for ((i = 0; i < 1000; i++)); do echo "-A FORWARD -p udp -m udp --dport $((1000 + i)) -j DROP"; done >"$tmp/ports-1000"
for ((i = 0; i < 1000; i += 5)); do echo "udp 192.0.2.$((i % 250 + 1)) 198.51.100.1 4000 $((1000 + i))"; done >"$tmp/pk-ports-1000"
v=$(file_measure "$tmp/ports-1000" "$tmp/pk-ports-1000") || exit 1
printf '%-22s %10s %10s %12s\n' "udp ports" 1000 "$v" "$(awk -v a="$v" -v b="$base" 'BEGIN { printf "%.1f", a / b }')"
ceiling ports-1000 "$v" || bad=1
echo "(x drop-all: against one -A FORWARD -j DROP with the same kind of packets)"
exit $bad
