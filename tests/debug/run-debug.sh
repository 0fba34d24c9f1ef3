#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make test-debug`: the bats suite on a debug kernel (KASAN, lockdep,
# DEBUG_ATOMIC_SLEEP, kmemleak, UBSAN), from a fresh Debian 12 machine (root).
#   1. install the test dependencies (tests/install-deps.sh) and build the
#      debug kernel from Debian's linux-source-6.1 (tests/debug/build-kernel.sh,
#      installs its own build dependencies; cached, ~25 min the first time)
#   2. build minifw.ko against it, and the .deb (60-packaging installs it)
#   3. boot it in QEMU (tests/vm/run-vm.sh) and run the bats suite
#      (tests/debug/in-vm-debug.sh), then a kmemleak scan
#   4. fail on any kernel report in the console log (KASAN, lockdep, RCU,
#      UBSAN, atomic sleep, WARNING, BUG, Oops), each shown with the test
#      that was running, and on any kmemleak report from minifw
# Ends with "N passed, N failed" and the duration; exits non-zero on failure.
# Usage: tests/debug/run-debug.sh [bats files or directories...]
#   (default: tests/bats). VM_TIMEOUT (default 7200 s) and VM_MEM (default
#   3072 MiB) are passed on to run-vm.sh: KASAN makes the VM several times
#   slower than with Debian's kernels and needs 1/8 of RAM as shadow.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

started=$SECONDS
passed=0
failed=0
failures=()
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL: $1"; }
elapsed() { local s=$((SECONDS - $1)); printf '%d min %02d s' $((s / 60)) $((s % 60)); }
finish() {
	echo
	for f in "${failures[@]}"; do echo "failed: $f"; done
	echo "test-debug took $(elapsed "$started")"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

if ! tests/install-deps.sh; then
	fail "tests/install-deps.sh"
	finish
fi

mkdir -p build
t=$SECONDS
if ! kver=$(tests/debug/build-kernel.sh 2>build/debug-kernel.log | tail -n 1) || [ -z "$kver" ]; then
	tail -n 30 build/debug-kernel.log
	fail "build the debug kernel (see build/debug-kernel.log)"
	finish
fi
pass "debug kernel $kver ($(elapsed "$t"))"
kdir=$PWD/build/debug-kernel/linux-source-6.1
moddir=$PWD/build/debug-kernel/root/lib/modules/$kver

log=build/build-$kver.log
if make --no-print-directory "build/$kver/minifw.ko" KDIR="$kdir" >"$log" 2>&1 &&
	! grep -E 'warning:|error:' "$log"; then
	pass "build minifw.ko for $kver"
else
	tail -n 30 "$log"
	fail "build minifw.ko for $kver (see $log)"
	finish
fi

# tests/bats/60-packaging.bats installs the .deb built on the host, as in
# make test (tests/run-all.sh)
if make --no-print-directory deb >build/deb.log 2>&1; then
	pass "make deb ($(cd build/deb && ls ./*.deb))"
else
	tail -n 30 build/deb.log
	fail "make deb (see build/deb.log)"
	finish
fi

[ $# -gt 0 ] || set -- tests/bats
tap=build/bats-$kver.tap
console=build/vm/console-$kver.log
echo "=== bats suite in QEMU, debug kernel $kver: $*"
t=$SECONDS
# The bzImage, not the vmlinux: a KASAN kernel entered through PVH dies
# before its console is up. no5lvl: with QEMU's "-cpu max" (LA57) this
# KASAN kernel reports a wild-memory-access in handle_edge_irq at 0.003 s
# of boot, which taints the kernel and turns lockdep off for the whole run;
# with 4-level paging the boot is clean.
VM_KERNEL_IMAGE=$kdir/arch/x86/boot/bzImage VM_MODULES_DIR=$moddir \
	VM_APPEND="no5lvl${VM_APPEND:+ $VM_APPEND}" \
	VM_TIMEOUT=${VM_TIMEOUT:-7200} VM_MEM=${VM_MEM:-3072} \
	tests/vm/run-vm.sh "$kver" tests/debug/in-vm-debug.sh "$@" 2>&1 | tee "$tap"
rc=${PIPESTATUS[0]}
echo "=== the VM ran for $(elapsed "$t")"
ok=$(grep -cE '^ok [0-9]+' "$tap")
skipped=$(grep -cE '^ok [0-9]+.*# skip' "$tap")
notok=$(grep -cE '^not ok [0-9]+' "$tap")
passed=$((passed + ok - skipped))
failed=$((failed + notok + skipped))
[ "$notok" -eq 0 ] || failures+=("bats on $kver: $notok failed")
[ "$skipped" -eq 0 ] || failures+=("bats on $kver: $skipped skipped (a skip is a failure)")
if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
	fail "bats on $kver: the VM run exited $rc (see $console)"
elif [ "$ok" -eq 0 ]; then
	fail "bats on $kver: no test ran"
fi

# Kernel reports. Each is printed from its first line to the end of its
# trace (or 80 lines), followed by the test it happened in: the first
# "tap:" line that in-vm-debug.sh logged after it.
reports='BUG:|WARNING:|UBSAN:|Oops|general protection|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|kmemleak: .*(disabled|pool empty)'
splats=build/debug-splats-$kver.txt
awk -v re="$reports" '
	function done_report() { pbuf = pbuf cur; cur = ""; n = 0 }
	function flush(where) {
		if (n > 0) done_report()
		if (pbuf != "") printf "%s    (during: %s)\n\n", pbuf, where
		pbuf = ""
	}
	/ vm: running:/ { flush("boot"); next }
	/ tap: / { line = $0; sub(/.* tap: /, "", line); flush(line); next }
	n > 0 { cur = cur $0 "\n"; if (/---\[ end trace/ || --n == 0) done_report(); next }
	$0 ~ re { cur = $0 "\n"; n = 80; nrep++ }
	END { flush("no test result followed: after the suite, or the VM died") }
' "$console" >"$splats" 2>/dev/null
nsplat=$(grep -c '^    (during: ' "$splats")
if [ "$nsplat" -eq 0 ]; then
	pass "no KASAN/lockdep/RCU/UBSAN/atomic-sleep/WARNING/BUG report in $console"
else
	cat "$splats"
	fail "kernel reports in $console: $nsplat group(s), see $splats"
fi

# kmemleak: a report from minifw names it in its backtrace; once minifw is
# unloaded its frames print as bare module-area addresses (0xffffffffc...).
if grep -q '^# kmemleak-begin' "$tap" && grep -q '^# kmemleak-end' "$tap"; then
	leaks=$(sed -n '/^# kmemleak-begin/,/^# kmemleak-end/p' "$tap" | sed -n 's/^# kmemleak: //p')
	nleak=$(grep -c '^unreferenced object' <<<"$leaks")
	if grep -qE 'minifw|\] 0xffffffff[a-f][0-9a-f]{7}$' <<<"$leaks"; then
		echo "$leaks"
		fail "kmemleak: leaks from minifw (of $nleak unreferenced objects)"
	else
		[ "$nleak" -eq 0 ] || { echo "kmemleak, not minifw's:"; echo "$leaks"; }
		pass "kmemleak: nothing from minifw ($nleak unreferenced objects in all)"
	fi
else
	fail "kmemleak did not run or is disabled (no report in $tap)"
fi
finish
