#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: build minifw, boot Debian's 6.1 kernel in QEMU and show it at
# work. On the host it prepares and boots the VM; inside (--in-vm) it runs
# the demo itself, between the VM and a "peer" network namespace.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != --in-vm ]; then
	tests/install-deps.sh
	kver=$(tests/kernels.sh 6.1)
	make --no-print-directory "build/$kver/minifw.ko" >/dev/null
	echo "booting Debian's $kver in QEMU (software emulation, about 10 s)..."
	exec tests/vm/run-vm.sh "$kver" examples/demo.sh --in-vm
fi

# --- inside the VM -------------------------------------------------------
kver=$(uname -r)
mkdir -p "/lib/modules/$kver/updates"
cp "build/$kver/minifw.ko" "/lib/modules/$kver/updates/"
depmod -a
dmesg -n 1

ip netns add peer
ip link add mfw0 type veth peer name mfwp
ip link set mfwp netns peer
ip addr add 192.0.2.1/24 dev mfw0
ip link set mfw0 up
ip -n peer addr add 192.0.2.2/24 dev mfwp
ip -n peer addr add 192.0.2.7/24 dev mfwp
ip -n peer link set mfwp up

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$1"; eval "$1" || echo "(exit status $?)"; }

run "modprobe minifw blocked_ips=192.0.2.7,198.51.100.0/24"
run "cat /sys/module/minifw/parameters/blocked_ips"
run "ip netns exec peer ping -c1 -W1 -I 192.0.2.2 192.0.2.1 | grep -E 'transmitted'"
run "ip netns exec peer ping -c1 -W1 -I 192.0.2.7 192.0.2.1 | grep -E 'transmitted'   # blocked"
run "echo '-A INPUT -p icmp -j DROP' > /proc/minifw/rules"
run "ip netns exec peer ping -c1 -W1 -I 192.0.2.2 192.0.2.1 | grep -E 'transmitted'   # now dropped by INPUT"
run "echo '-A INPUT -p tcp --dport 99999' > /proc/minifw/rules   # refused"
run "cat /proc/minifw/error   # also in the kernel log"
run "cat /proc/minifw/rules"
run "cat /proc/minifw/stats"
run "rmmod minifw"
