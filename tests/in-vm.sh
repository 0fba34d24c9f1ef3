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
# depmod reads every module of the kernel: natively 6 s, under emulation
# 2 to 4 minutes (6.12's modules are xz-compressed), and the suite runs it
# four times (here, make install, DKMS's install and purge). The VM has
# only virtio devices: hide the hardware drivers no test can load (sound,
# and drivers/ but for networking, virtio, block and char, and of
# networking the hardware and link-layer drivers) under empty read-only
# tmpfs mounts, which leaves about a fifth of the modules. depmod, modprobe
# and DKMS work as before on what is left.
slim_modules() {
	local base=/lib/modules/$kver/kernel d
	for d in "$base"/sound "$base"/drivers/*/ "$base"/drivers/net/*/; do
		d=${d%/}
		case ${d#"$base"/} in
		drivers/net | drivers/virtio | drivers/block | drivers/char) continue ;;
		drivers/net/bonding | drivers/net/team | drivers/net/ipvlan) continue ;;
		drivers/net/vxlan | drivers/net/wireguard) continue ;;
		esac
		if [ -d "$d" ]; then
			mount -t tmpfs -o ro,size=4k minifw-hidden "$d"
		fi
	done
}
slim_modules
# dpkg runs man-db's trigger (mandb, which reads every manual page) after
# 60-packaging.bats installs and purges the .deb: 15 s each under
# emulation. Off in the VM, by man-db's own switch; man still finds the
# page it installed (minifw.8), from the file system.
rm -f /var/lib/man-db/auto-update
# The root is a tmpfs overlay of the host: this install vanishes at poweroff.
mkdir -p "/lib/modules/$kver/updates"
cp "$ko" "/lib/modules/$kver/updates/"
depmod -a "$kver"
# Keep netfilter's static keys for the five IPv4 and IPv6 hooks switched on with
# empty accept-all nftables chains, so loading and unloading minifw never
# patches kernel text under traffic: with two emulated CPUs, QEMU's TCG
# occasionally lets a CPU run a stale int3 of a finished text_poke_bp()
# ("Oops: int3" in ip_rcv, seen on 6.12 during rmmod under ping -f), an
# emulator race that real CPUs do not have. On real machines there is
# nothing to do: minifw registers hooks like any netfilter module.
for family in ip ip6; do
	nft -f - <<EOF
table $family minifw_test_keepalive {
	chain c_pre { type filter hook prerouting priority 1000; policy accept; }
	chain c_in { type filter hook input priority 1000; policy accept; }
	chain c_fwd { type filter hook forward priority 1000; policy accept; }
	chain c_out { type filter hook output priority 1000; policy accept; }
	chain c_post { type filter hook postrouting priority 1000; policy accept; }
}
EOF
done
# The same for the network timestamp key (netstamp_needed_key, read in
# __netif_receive_skb_core()), which every ping switches on and off through
# SO_TIMESTAMP, from a workqueue while its packets flow ("Oops: int3" in
# __netif_receive_skb_core, seen on 6.12 when ping -f started): one socket
# asking for timestamps for the whole run keeps it on.
python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_TIMESTAMP, 1)
time.sleep(1e6)' </dev/null >/dev/null 2>&1 &

# Every file, but 95-bench.bats (make bench's script) only on the kernel
# make bench boots (bench/bench.sh: the 6.1 series).
if [ $# -eq 0 ]; then
	for f in tests/bats/*.bats; do
		[ "$f" != tests/bats/95-bench.bats ] || [ "$kver" = "$(tests/kernels.sh 6.1)" ] || continue
		set -- "$@" "$f"
	done
fi
status=0
bats --tap --timing "$@" || status=$?
# The keepalive must last the whole run. A test that unloads nf_tables
# (modprobe -r of an nft module removes it too when nothing else uses it:
# tables do not hold it) leaves the tests after it to the emulator's race.
for family in ip ip6; do
	if ! nft list table "$family" minifw_test_keepalive >/dev/null 2>&1; then
		echo "in-vm.sh: the $family minifw_test_keepalive table is gone: a test unloaded nf_tables" >&2
		status=1
	fi
done
exit "$status"
