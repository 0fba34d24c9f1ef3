#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints, for each kernel series given (default: 6.1 6.12, Debian 12's two
# kernels), the newest installed Debian kernel release that has both
# /boot/vmlinuz-RELEASE and headers (/lib/modules/RELEASE/build). Exits 1 if
# a series has none.
set -euo pipefail
[ $# -gt 0 ] || set -- 6.1 6.12
status=0
for series in "$@"; do
	best=$(find /boot -maxdepth 1 -name "vmlinuz-$series.*-amd64" -printf '%f\n' 2>/dev/null |
		sed 's/^vmlinuz-//' | sort -V |
		while read -r v; do [ -d "/lib/modules/$v/build" ] && echo "$v"; done | tail -n 1)
	if [ -n "$best" ]; then
		echo "$best"
	else
		echo "kernels.sh: no Debian $series kernel with headers installed" >&2
		status=1
	fi
done
exit "$status"
