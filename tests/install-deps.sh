#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs, from Debian's archive, everything `make test` needs. Idempotent:
# does nothing when all packages are present. Needs root for apt-get.
set -euo pipefail

pkgs=(
	build-essential libelf-dev kmod sparse      # building the module
	clang libclang-rt-dev cppcheck              # second compiler, make fuzz, checks
	linux-image-amd64 linux-headers-amd64       # Debian's 6.1 kernel
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	qemu-system-x86 busybox-static cpio xz-utils zstd   # the test VM
	bats bats-support bats-assert               # the test suite
	iproute2 iputils-ping socat procps libcap2-bin util-linux nftables tcpdump iptables
	conntrack                                   # -j CONNMARK's events (conntrack -E)
	nfacct                                      # -m nfacct's accounting objects
	python3 python3-scapy                       # abuse writes, crafted packets
	linux-source-6.1                            # checkpatch.pl (make checkpatch)
	dkms dh-dkms debhelper dpkg-dev man-db groff-base systemd   # packaging (make deb, 60-packaging.bats)
	valgrind                                    # make bench-unit
	ipset gnuplot-nox                           # make bench, 95-bench.bats
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
