#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the debug kernel for `make test-debug` (KASAN, lockdep, atomic-sleep
# checks, kmemleak, UBSAN) from Debian's linux-source-6.1, reproducibly:
#
#   x86_64_defconfig + kernel/configs/kvm_guest.config
#     + tests/debug/debug-kernel.config   (scripts/kconfig/merge_config.sh)
#   make bzImage modules; make modules_install INSTALL_MOD_PATH=...
#
# Usage: tests/debug/build-kernel.sh
#   Prints, as its last line of stdout, the kernel release it built.
#
# Output, all under build/debug-kernel/ (DEBUG_KERNEL_DIR overrides):
#   linux-source-6.1/           the tree; KDIR for out-of-tree modules
#   linux-source-6.1/vmlinux    with symbols, for reading traces
#   linux-source-6.1/arch/x86/boot/bzImage   what make test-debug boots
#   root/lib/modules/KVER/      modules_install output (incl. modules.dep)
#   kver                        the kernel release
#   stamp                       hash of the inputs of the last good build
#
# Cache: when the stamp matches (same source package version, fragment and
# this script) and the outputs exist, nothing is rebuilt. Otherwise `make`
# runs again in the same tree, which only rebuilds what changed.
#
# Environment: DEBUG_KERNEL_JOBS (default: number of CPUs + 1). The build runs
# under `nice -n 19`: it takes ~25 min on 2 cores and must not starve others.
set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${DEBUG_KERNEL_DIR:-$repo/build/debug-kernel}
fragment=$here/debug-kernel.config
tarball=/usr/src/linux-source-6.1.tar.xz
src=$out/linux-source-6.1
jobs=${DEBUG_KERNEL_JOBS:-$(($(nproc) + 1))}

log() { echo "$prog: $*" >&2; }
die() { log "error: $*"; exit 1; }

# --- build dependencies (Debian packages) ------------------------------------
pkgs=(linux-source-6.1 build-essential bc bison flex libssl-dev libelf-dev
	rsync cpio xz-utils kmod)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	[[ $(id -u) == 0 ]] || die "missing packages: ${missing[*]} (run as root to install them)"
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

# --- cache check ---------------------------------------------------------------
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
stamp=$( { echo "$srcver"; cat "$fragment" "$0"; } | sha256sum | cut -d' ' -f1)
if [[ -f $out/stamp && $(cat "$out/stamp") == "$stamp" && -s $out/kver &&
	-s $src/vmlinux && -s $src/arch/x86/boot/bzImage &&
	-s $out/root/lib/modules/$(cat "$out/kver")/modules.dep ]]; then
	log "up to date: $(cat "$out/kver") in $out"
	cat "$out/kver"
	exit 0
fi

# --- source ------------------------------------------------------------------
mkdir -p "$out"
if [[ ! -f $src/.source-version || $(cat "$src/.source-version") != "$srcver" ]]; then
	log "extracting $tarball ($srcver)"
	rm -rf "$src"
	tar -C "$out" -xaf "$tarball"
	echo "$srcver" >"$src/.source-version"
fi

# --- configure ---------------------------------------------------------------
mk() { nice -n 19 make -C "$src" "$@"; }
mk -s x86_64_defconfig
(cd "$src" && ./scripts/kconfig/merge_config.sh -m .config \
	kernel/configs/kvm_guest.config "$fragment" >/dev/null)
mk -s olddefconfig
# merge_config.sh only warns when Kconfig overrides a requested value: check
# every line of the fragment against the result, and fail on any difference.
bad=0
while IFS= read -r line; do
	[[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
	opt=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
	got=$(grep -E "^$opt=|^# $opt is not set" "$src/.config" || true)
	if [[ $want == n ]]; then
		[[ -z $got || $got == "# $opt is not set" ]] && continue
	else
		[[ $got == "$opt=$want" ]] && continue
	fi
	log "config: wanted $opt=$want, got '${got:-<absent>}'"
	bad=1
done <"$fragment"
((bad == 0)) || die "the config fragment does not apply as written: $fragment"

# --- build -------------------------------------------------------------------
log "building with -j$jobs (nice 19) in $src"
start=$SECONDS
mk -j"$jobs" bzImage modules
# Only now, after the build has synced the config, does it include
# CONFIG_LOCALVERSION.
kver=$(cat "$src/include/config/kernel.release")
rm -rf "$out/root"
mk -s INSTALL_MOD_PATH="$out/root" modules_install
log "built $kver in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
echo "$kver" >"$out/kver"
echo "$stamp" >"$out/stamp"
echo "$kver"
