#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make test`: everything, from a fresh Debian 12 machine (as root).
#   1. install the Debian packages it needs (tests/install-deps.sh)
#   2. build the .deb (make deb); then for Debian's 6.1 and 6.12 kernels at
#      once, each in the background: build minifw.ko, W=1, warnings fatal,
#      with sparse (C=2: any sparse warning fails), then boot that kernel
#      in QEMU and run the bats suite inside (tests/bats)
#   3. meanwhile: cppcheck over the user-space build, checkpatch.pl
#      --strict, the user-space unit tests of the rule engine (make unit,
#      gcc and clang builds), the matcher's instruction counts (make
#      bench-unit, small N) and a one-minute fuzz of its write path (make
#      fuzz)
#   4. make demo, as the README has it
# Ends with "N passed, N failed"; exits non-zero on any failure.
# Usage: tests/run-all.sh [--check-only]   (steps 1-2, cppcheck and checkpatch)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

check_only=false
[ "${1:-}" = --check-only ] && check_only=true

passed=0
failed=0
failures=()
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL: $1"; }

if ! tests/install-deps.sh; then
	echo "0 passed, 1 failed"
	exit 1
fi

# Debian's 6.1 and 6.12 kernels, as installed above.
mapfile -t kernels < <(tests/kernels.sh) || true
[ ${#kernels[@]} -eq 2 ] || fail "both Debian kernels (6.1, 6.12) with headers are needed"

mkdir -p build

# the minifw-dkms package, which tests/bats/60-packaging.bats installs in
# the VM: built here, on the host, as users build it (arch all, nothing to
# compile, so the VM's emulated CPU would only make it slower)
if make --no-print-directory deb >build/deb.log 2>&1; then
	pass "make deb ($(cd build/deb && ls *.deb))"
else
	tail -n 30 build/deb.log
	fail "make deb (see build/deb.log)"
fi

# Each kernel in the background: its build (sparse over it, any warning
# fails), then its VM with the bats suite, which starts as soon as its
# module is built: the VMs are what takes long. Both at once, beside the
# checks below: the builds and the checks are mostly single-threaded, and
# the two VMs keep both cores busy (the bats runs are CPU-bound under
# emulation). Each job leaves its build log, the build's result
# (build/build-KVER.ok), its VM's TAP file and exit code, shown when all
# end.
kernel_job() {
	local k=$1 log=build/build-$1.log
	rm -f "build/build-$k.ok" "build/bats-$k.tap" "build/bats-$k.rc"
	make --no-print-directory "build/$k/minifw.ko" EXTRA="C=2" >"$log" 2>&1 &&
		! grep -qE 'warning:|error:' "$log" || return 0
	touch "build/build-$k.ok"
	$check_only && return 0
	VM_TIMEOUT=${VM_TIMEOUT:-3600} tests/vm/run-vm.sh "$k" tests/in-vm.sh >"build/bats-$k.tap" 2>&1
	echo $? >"build/bats-$k.rc"
}

declare -A job=()
for k in "${kernels[@]}"; do
	echo "=== build and sparse for $k, then the bats suite in QEMU (build/bats-$k.tap)"
	kernel_job "$k" &
	job[$k]=$!
done

# cppcheck over the user-space build of the rule engine and its tests
# (make cppcheck)
if make --no-print-directory cppcheck >build/cppcheck.log 2>&1; then
	pass "cppcheck"
else
	cat build/cppcheck.log
	fail "cppcheck (see build/cppcheck.log)"
fi

# the kernel's checkpatch.pl --strict (types ignored: see the Makefile)
if make --no-print-directory checkpatch >build/checkpatch.log 2>&1; then
	pass "checkpatch"
else
	grep -E '^(ERROR|WARNING|CHECK):|^#' build/checkpatch.log | head -n 40
	fail "checkpatch (see build/checkpatch.log)"
fi

if ! $check_only; then
	# unit tests, built with gcc and with clang: one summary line each
	if out=$(make --no-print-directory unit 2>&1); then :; fi
	echo "$out" | tail -n 40
	lines=$(echo "$out" | grep -cE '^unit: [0-9]+ passed, [0-9]+ failed$')
	while read -r p f; do
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$f" -eq 0 ] || failures+=("unit tests: $f failed")
	done < <(echo "$out" | sed -nE 's/^unit: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p')
	[ "$lines" -eq 2 ] || fail "unit tests did not all run (make unit: $lines of 2 builds reported)"

	# the matcher's instructions per packet (callgrind): a compiled lookup
	# over its budget, or a wrong verdict, fails
	if make --no-print-directory bench-unit BENCH_UNIT_N="1 1000 100000" \
		BENCH_UNIT_WALKED_MAX=1000 >build/bench-unit.log 2>&1; then
		pass "bench-unit: $(awk '$1 == 100000 { print $2 }' build/bench-unit.log) instructions per matching packet at 100,000 rules, compiled"
	else
		tail -n 20 build/bench-unit.log
		fail "bench-unit (see build/bench-unit.log)"
	fi

	# a short fuzz of the write path; any finding fails
	if make --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}" >build/fuzz.log 2>&1; then
		pass "fuzz the rule engine for ${FUZZ_SECONDS:-60} s ($(sed -nE 's/^stat::number_of_executed_units: *//p' build/fuzz.log) inputs)"
	else
		tail -n 30 build/fuzz.log
		fail "fuzz found a problem (see build/fuzz.log and build/fuzz/crash-*)"
	fi
fi

# the builds, and on each kernel the bats suite
for k in "${kernels[@]}"; do
	[ -n "${job[$k]:-}" ] && wait "${job[$k]}"
	log=build/build-$k.log
	if [ -f "build/build-$k.ok" ]; then
		pass "build and sparse for $k"
	else
		grep -E 'warning:|error:' "$log" || tail -n 30 "$log"
		fail "build and sparse for $k (see $log)"
		continue
	fi
	$check_only && continue
	tap=build/bats-$k.tap
	rc=$(cat "build/bats-$k.rc" 2>/dev/null || echo "none")
	echo "=== bats suite in QEMU, kernel $k: exit $rc"
	cat "$tap"
	ok=$(grep -cE '^ok [0-9]+' "$tap" | tr -d ' ')
	skipped=$(grep -cE '^ok [0-9]+.*# skip' "$tap" | tr -d ' ')
	notok=$(grep -cE '^not ok [0-9]+' "$tap" | tr -d ' ')
	passed=$((passed + ok - skipped))
	failed=$((failed + notok + skipped))
	[ "$notok" -eq 0 ] || failures+=("bats on $k: $notok failed")
	[ "$skipped" -eq 0 ] || failures+=("bats on $k: $skipped skipped (a skip is a failure)")
	if [ "$rc" != 0 ] && [ "$notok" -eq 0 ]; then
		fail "bats on $k: the VM run exited $rc (see build/vm/console-$k.log)"
	elif [ "$ok" -eq 0 ]; then
		fail "bats on $k: no test ran"
	fi
done

# the README's "make demo" still does what it says
if ! $check_only; then
	if make --no-print-directory demo >build/demo.log 2>&1 &&
		grep -q '^PREROUTING 1 1 84 -s 192.0.2.7/32 -j DROP$' build/demo.log &&
		grep -q '^INPUT 1 1 84 -p icmp -j DROP$' build/demo.log; then
		pass "make demo"
	else
		tail -n 20 build/demo.log
		fail "make demo (see build/demo.log)"
	fi
fi

echo
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
