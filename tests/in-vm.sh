#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (see tests/vm/run-vm.sh): installs the module
# built for this kernel so modprobe finds it, then runs the bats suite and
# prints TAP. Usage: tests/in-vm.sh [bats files...]
set -euo pipefail
cd "$(dirname "$0")/.."
kver=$(uname -r)
ko=build/$kver/minifw.ko
[ -f "$ko" ] || { echo "not ok 1 - no $ko: build it first"; exit 1; }
# The root is a tmpfs overlay of the host: this install vanishes at poweroff.
mkdir -p "/lib/modules/$kver/updates"
cp "$ko" "/lib/modules/$kver/updates/"
depmod -a "$kver"
if [ $# -eq 0 ]; then
	set -- tests/bats
fi
exec bats --tap "$@"
