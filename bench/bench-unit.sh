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
# Prints a table; exits 1 if a compiled lookup is over the budget, or if
# the packets were not dropped as they must be.
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
exit $bad
