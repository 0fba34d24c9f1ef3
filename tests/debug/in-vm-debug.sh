#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the debug-kernel VM (tests/debug/run-debug.sh): the bats suite
# through tests/in-vm.sh, then a kmemleak scan.
#   * Each TAP line also goes to the kernel log as "tap: <line>", so that a
#     splat in the console log can be tied to the test that caused it (the
#     first "tap:" line after the splat is the test that was running).
#   * kmemleak's findings are printed as TAP comments "# kmemleak: ...",
#     between "# kmemleak-begin" and "# kmemleak-end"; "# kmemleak-unavailable"
#     if the detector is off.
# Usage: tests/debug/in-vm-debug.sh [bats files...]   (default: tests/bats)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

leak=/sys/kernel/debug/kmemleak
# Objects allocated before the suite (boot) are not the module's business.
[ -w $leak ] && echo clear >$leak

tests/in-vm.sh "$@" 2>&1 | while IFS= read -r line; do
	printf '%s\n' "$line"
	printf 'tap: %s\n' "$line" >/dev/kmsg
done
rc=${PIPESTATUS[0]}
echo "tap: suite finished (status $rc)" >/dev/kmsg

# Leave nothing of ours loaded: a leak from a module that is still loaded
# could be a reference kmemleak just does not see yet; after rmmod, an
# object minifw allocated and never freed is a leak for sure. (Its
# backtrace then shows bare addresses: run-debug.sh checks those too.)
rmmod minifw 2>/dev/null || true

# kmemleak reports an object only once it is older than 5 s and was not
# referenced during a scan; two scans with a pause are the usual recipe.
if [ -w $leak ] && echo scan >$leak 2>/dev/null; then
	sleep 6
	echo scan >$leak
	echo "# kmemleak-begin"
	sed 's/^/# kmemleak: /' $leak
	echo "# kmemleak-end"
else
	echo "# kmemleak-unavailable"
fi
exit "$rc"
