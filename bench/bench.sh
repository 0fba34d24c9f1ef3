#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: minifw against iptables-legacy, ipset and nftables, ns per
# packet at PREROUTING for N source-CIDR drop rules, in one QEMU VM booting
# Debian's 6.1 kernel (see bench/bench.py for what is measured and how).
#   1. builds minifw.ko for that kernel
#   2. generates the rules for every N on the host (bench/bench.py gen)
#   3. boots the VM and runs bench/bench.py run in it
#   4. writes OUT/results.md and OUT/results.png (gnuplot) and prints the
#      table of goals and ns/packet
# Environment (or make variables: make bench BENCH_N=1,1000):
#   BENCH_N        comma-separated rule counts (default 1,1000,10000,100000)
#   BENCH_ACL      comma-separated sizes of the access lists (bench/classbench.py;
#                  default 1000,10000,100000; quick: 1000; "" for none)
#   BENCH_RUNS     rounds, the median is over them (default 5, at least 3)
#   BENCH_SECONDS  guest seconds per measured run (default 0.5)
#   BENCH_CLOCK    icount (default): the guest clock counts instructions
#                  (QEMU -icount, one vCPU), deterministic and immune to
#                  the host's load; wall: elapsed time, two vCPUs
#   BENCH_QUICK=1  N=1,1000, 3 rounds of 0.2 s, results to build/bench/
#                  instead of bench/ (what is committed stays as it is)
#   BENCH_OUT      where results.md and results.png go (default bench)
#   BENCH_TIMEOUT  seconds before the VM is killed (default 21600)
# The VM's raw output is kept in build/bench/raw.log.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=${BENCH_QUICK:-0}
if [ "$quick" = 1 ]; then
	ns=${BENCH_N:-1,1000}
	acl=${BENCH_ACL-1000}
	runs=${BENCH_RUNS:-3}
	seconds=${BENCH_SECONDS:-0.2}
	out=${BENCH_OUT:-build/bench}
else
	ns=${BENCH_N:-1,1000,10000,100000}
	acl=${BENCH_ACL-1000,10000,100000}
	runs=${BENCH_RUNS:-5}
	seconds=${BENCH_SECONDS:-0.5}
	out=${BENCH_OUT:-bench}
fi
clock=${BENCH_CLOCK:-icount}
case $clock in
icount) qemu_args="-icount shift=0,sleep=off -smp 1" ;;
wall) qemu_args="" ;;
*) echo "bench.sh: BENCH_CLOCK must be icount or wall" >&2; exit 2 ;;
esac
[[ $ns =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "bench.sh: BENCH_N must be like 1,1000" >&2; exit 2; }
[[ $acl =~ ^([0-9]+(,[0-9]+)*)?$ ]] || { echo "bench.sh: BENCH_ACL must be like 1000,10000" >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "bench.sh: gnuplot not found (tests/install-deps.sh)" >&2; exit 1; }

kver=$(tests/kernels.sh 6.1)
work=build/bench
mkdir -p "$work" "$out"

echo "bench: building minifw.ko for $kver"
make --no-print-directory "build/$kver/minifw.ko" >"$work/build.log" 2>&1 ||
	{ tail -n 20 "$work/build.log"; exit 1; }

echo "bench: generating the rules (N=0,$ns; access lists ${acl:-none}) in $work/rules"
rm -rf "$work/rules"
# shellcheck disable=SC2046  # one argument per N
python3 bench/bench.py gen "$work/rules" 0 $(tr , ' ' <<<"$ns") --acl-n "$acl"

echo "bench: running in QEMU ($clock clock, N=$ns, $runs rounds); output in $work/raw.log"
rc=0
VM_QEMU_ARGS=$qemu_args VM_MEM=${VM_MEM:-2048} VM_TIMEOUT=${BENCH_TIMEOUT:-21600} \
	tests/vm/run-vm.sh "$kver" python3 bench/bench.py run --n "$ns" --runs "$runs" \
	--seconds "$seconds" --dir "$work/rules" --ko "build/$kver/minifw.ko" --clock "$clock" \
	--acl-n "$acl" \
	>"$work/raw.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	tail -n 30 "$work/raw.log"
	echo "bench: the VM run failed (exit $rc; console: build/vm/console-$kver.log)" >&2
	exit 1
fi

python3 bench/bench.py report "$work/raw.log" "$out/results.md" "$work/results.dat"
gnuplot -e "dat='$work/results.dat'; png='$out/results.png'; clock='$clock'; kver='$kver'" \
	bench/plot.gp
echo "bench: wrote $out/results.md and $out/results.png"
