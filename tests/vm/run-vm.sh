#!/bin/bash
# run-vm.sh - run one command as root inside a throwaway QEMU VM that boots
#             one of the host's installed Debian kernels.
#
# Usage:
#   tests/vm/run-vm.sh KVER CMD [ARGS...]
#
#   KVER   a kernel installed on the host: /boot/vmlinuz-KVER and
#          /lib/modules/KVER must exist (e.g. 6.1.0-56-amd64).
#   CMD    run as root in the guest, in the directory run-vm.sh was started
#          from (same absolute path), with stdin from /dev/null.
#
#   Examples:
#     tests/vm/run-vm.sh 6.1.0-56-amd64 bash -c 'uname -r; exit 3'; echo $?
#     tests/vm/run-vm.sh 6.12.117+deb12-amd64 bats --tap tests/vm/foo.bats
#
# Environment:
#   VM_TIMEOUT  seconds before QEMU is killed (default 900, 0 = never) -> 124
#   VM_APPEND   extra kernel command line, e.g. "oops=panic panic_on_warn=1"
#   VM_TMPFS_TMP=1  give the guest an empty tmpfs on /tmp (default: the
#               guest sees the host's /tmp, copy-on-write, see below)
#   VM_KEEP=1   keep the per-run directory build/vm/run.*/ for debugging
#   VM_PVH=0    boot the compressed bzImage instead of the cached vmlinux
#   VM_MEM      guest RAM in MiB (default 1536)
#   VM_QEMU_ARGS  extra QEMU options, split at blanks, after the others
#               (a later -smp wins), e.g. bench/bench.sh's "-icount
#               shift=0,sleep=off -smp 1": a guest clock that counts
#               instructions (QEMU 7.2 hangs bringing up a second CPU so)
#   VM_KERNEL_IMAGE, VM_MODULES_DIR  boot a kernel that is not installed on
#               the host, e.g. the debug kernel of tests/debug/build-kernel.sh:
#               its bzImage or (PVH) vmlinux, and its modules_install output
#               .../lib/modules/KVER, which the guest then sees at
#               /lib/modules/KVER (a bind mount; writes stay in the guest).
#               KVER must be that kernel's release (uname -r).
#
# Output and exit status:
#   * stdout of run-vm.sh carries only the guest command's stdout+stderr,
#     streamed live (guest serial port ttyS1 -> QEMU stdio).
#   * The kernel console (ttyS0) goes to build/vm/console-KVER.log,
#     overwritten on every run. Look there for oopses/WARNs; run-vm.sh also
#     prints a note on stderr when it spots one.
#   * Exit status = the guest command's exit status (reported by the guest
#     on a third serial port ttyS2 -> build/vm/run.*/status).
#     124 = timeout (VM_TIMEOUT), 125 = the VM ended without reporting a
#     status (panic, crash, boot failure) - the console tail is printed.
#     run-vm.sh's own messages go to stderr.
#
# How it works (the "recipe"):
#   1. Host: build (and cache) a tiny initramfs build/vm/initramfs-KVER.cpio.gz
#      containing only a static busybox, the virtio/9p/overlay modules of
#      KVER (decompressed) and a busybox /init script ("stage 1").
#      Also cache the uncompressed kernel build/vm/vmlinux-KVER (see
#      "Kernel image" below: saves 1-3 s per boot).
#   2. Host: write build/vm/run.XXXXXX/guest.sh ("stage 2": the command,
#      its working directory and how to report back) and boot QEMU with
#      `vm_script=<that path>` on the kernel command line. The kernel hands
#      unknown key=value parameters to /init as environment variables.
#   3. Guest stage 1 (/init in the initramfs): insmod the modules, mount the
#      host's / read-only over virtio-9p, put an overlayfs with a tmpfs upper
#      layer on top (so the guest can write anywhere; the writes live in
#      guest RAM and vanish at power-off, the host is never modified), move
#      /dev /proc /sys into it, mount /dev/pts /dev/shm /run, create /dev/fd,
#      bring up lo, and switch_root to `bash guest.sh`.
#   4. Guest stage 2 (guest.sh, PID 1, running the host's own userland):
#      cd to the working directory, run the command with a clean environment
#      and its output on ttyS1, write its exit status to ttyS2, power off.
#   Because the guest root *is* the host root, every tool installed on the
#   host (bats, ip, ping, modprobe + /lib/modules/KVER, ...) and every file
#   of the repo is available in the guest without copying anything.
#
# Pitfalls worth knowing:
#   * The 9p root is mounted with cache=loose and overlayfs assumes its lower
#     layer does not change: files changed on the host *while* the VM runs
#     may not be seen by the guest. Everything written before start is.
#   * Files the guest writes are lost at power-off; to get results out, print
#     them to stdout.
#   * The host's /run is hidden behind a fresh tmpfs in the guest (host
#     sockets/netns there would only confuse things); /tmp is the host's
#     /tmp (copy-on-write) unless VM_TMPFS_TMP=1, so that commands can be
#     run from - and on files in - host temp directories.
#   * Exit statuses 124/125 from the command itself are indistinguishable
#     from timeout/crash; the stderr message tells them apart.
#   * Two concurrent runs with the same KVER share the console log file.

set -euo pipefail

prog=${0##*/}
die() { echo "$prog: error: $*" >&2; exit 125; }
usage() {
	sed -n '4,16s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

(($# >= 2)) || usage
kver=$1
shift

# ---------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------
script=$(readlink -f "$0")
script_dir=${script%/*}
repo_root=$(git -C "$script_dir" rev-parse --show-toplevel 2>/dev/null) ||
	repo_root=$(cd "$script_dir/../.." && pwd)
build_dir=$repo_root/build/vm
kernel=${VM_KERNEL_IMAGE:-/boot/vmlinuz-$kver}
moddir=${VM_MODULES_DIR:-/lib/modules/$kver}
initrd=$build_dir/initramfs-$kver.cpio.gz
console_log=$build_dir/console-$kver.log
timeout_s=${VM_TIMEOUT:-900}

if [[ -n ${VM_KERNEL_IMAGE:-} ]]; then
	[[ -r $kernel ]] || die "VM_KERNEL_IMAGE $kernel not found"
elif [[ ! -r $kernel ]]; then
	installed=(/boot/vmlinuz-*)
	die "kernel $kernel not found; installed: ${installed[*]#/boot/vmlinuz-}"
fi
[[ -d $moddir ]] || die "$moddir not found"
[[ $timeout_s =~ ^[0-9]+$ ]] || die "VM_TIMEOUT must be a number of seconds"
mem_mb=${VM_MEM:-1536}
[[ $mem_mb =~ ^[0-9]+$ ]] || die "VM_MEM must be a number of MiB"
for tool in qemu-system-x86_64 cpio gzip timeout; do
	command -v "$tool" >/dev/null || die "'$tool' not found"
done
[[ -x /bin/busybox ]] || die "/bin/busybox not found (apt-get install busybox-static)"
mkdir -p "$build_dir"

# Per-run scratch directory (stage-2 script, status file, initramfs staging).
# The guest sees the host's / (through 9p), so a file written here is
# readable in the guest at the same path. Only the stage-2 script's path goes
# on the kernel command line, which is why the path must not contain blanks
# or commas (commas would also break QEMU's option syntax).
run_dir=$(mktemp -d "$build_dir/run.XXXXXX")
[[ $run_dir =~ ^[A-Za-z0-9_./+-]+$ ]] ||
	{ rm -rf "$run_dir"; die "unsupported characters in path $run_dir"; }
# shellcheck disable=SC2317  # called via trap
cleanup() { [[ ${VM_KEEP:-0} == 1 ]] || rm -rf "$run_dir"; }
trap cleanup EXIT
trap 'echo "$prog: interrupted" >&2; exit 130' INT TERM

# ---------------------------------------------------------------------------
# Stage 1: the initramfs
# ---------------------------------------------------------------------------
# Modules needed to reach the 9p root, in load order (dependencies first).
# Each one may be missing in a given kernel (built in, e.g. virtio in 6.12,
# or merged into another module, e.g. fscache into netfs in 6.12): skipped.
initramfs_modules=(
	virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
	netfs fscache 9pnet 9pnet_virtio 9p overlay
)

# The /init of the initramfs. Runs under busybox sh as PID 1.
# (Quoted heredoc: nothing in here is expanded on the host.)
read -r -d '' stage1_init <<'EOF' || true
#!/bin/busybox sh
# Stage 1 of run-vm.sh: mount the host root (9p) + tmpfs overlay, then
# switch_root into it and run the stage-2 script named by vm_script=.
/bin/busybox --install -s /bin
export PATH=/bin

mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

# Messages go to the kernel log (-> console log, with timestamps).
log() { echo "vm-init: $*" >/dev/kmsg; }
die() {
	log "FATAL: $*"; echo "vm-init: FATAL: $*"
	poweroff -f          # the host then reports "no exit status" (125)
}

log "loading modules:" $(cat /lib/modules/load-order)
for mod in $(cat /lib/modules/load-order); do
	insmod "/lib/modules/$mod.ko" || die "insmod $mod failed"
done

# Driver probing happens during insmod, so the 9p channel normally exists
# now. The loop only waits (briefly) if it does not, it never sleeps
# on the normal path.
mkdir -p /mnt/host /mnt/rw /newroot
tries=0
until mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose \
		hostroot /mnt/host; do
	tries=$((tries + 1))
	[ "$tries" -lt 50 ] || die "cannot mount the host root over 9p"
	sleep 0.1
done
log "host root mounted over 9p"

# Writable layer: tmpfs (RAM) on top of the read-only host root.
mount -t tmpfs -o mode=0755 vm-rw /mnt/rw
mkdir -p /mnt/rw/upper /mnt/rw/work
mount -t overlay -o lowerdir=/mnt/host,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work \
	vm-root /newroot || die "cannot mount the overlay root"
log "root filesystem ready"

for d in dev proc sys; do
	mount --move "/$d" "/newroot/$d" || die "cannot move /$d"
done

# The rest of a normal Linux environment. Done here rather than in stage 2
# because busybox is static: every exec of a dynamically linked host binary
# costs ~60 ms under TCG, a busybox applet almost nothing.
r=/newroot
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts $r/dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $r/dev/shm
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs $r/run
mount -t debugfs debugfs $r/sys/kernel/debug 2>/dev/null
mount -t securityfs securityfs $r/sys/kernel/security 2>/dev/null
# devtmpfs has no /dev/fd & co; bash process substitution and bats need them.
ln -sfn /proc/self/fd $r/dev/fd
ln -sfn /proc/self/fd/0 $r/dev/stdin
ln -sfn /proc/self/fd/1 $r/dev/stdout
ln -sfn /proc/self/fd/2 $r/dev/stderr
hostname vm
ip link set lo up || die "cannot bring up lo"
# ttyS1 carries the command's output: raw mode = no "\n" -> "\r\n"
# translation, no echo of (nonexistent) input.
stty -F $r/dev/ttyS1 raw -echo || die "no /dev/ttyS1"

[ -n "${vm_script:-}" ] || die "no vm_script= on the kernel command line"
[ -f "/newroot$vm_script" ] || die "stage-2 script $vm_script not visible in the guest"
log "switch_root, running $vm_script"
exec switch_root /newroot /bin/bash "$vm_script"
EOF

build_initramfs() {
	local stage m ko tmp
	stage=$run_dir/initramfs   # removed with $run_dir on exit
	mkdir -p "$stage"/{bin,dev,proc,sys,lib/modules}
	cp /bin/busybox "$stage/bin/busybox"
	printf '%s\n' "$stage1_init" >"$stage/init"
	chmod 0755 "$stage/init"

	: >"$stage/lib/modules/load-order"
	for m in "${initramfs_modules[@]}"; do
		ko=$(find "$moddir/kernel" \( -name "$m.ko" -o -name "$m.ko.xz" \
			-o -name "$m.ko.zst" -o -name "$m.ko.gz" \) -print -quit)
		if [[ -z $ko ]]; then
			if grep -q "/$m\.ko" "$moddir/modules.builtin" 2>/dev/null; then
				echo "$prog: initramfs: $m is built into $kver" >&2
			else
				echo "$prog: initramfs: $m does not exist in $kver, skipped" >&2
			fi
			continue
		fi
		# busybox insmod cannot read compressed modules: decompress here.
		case $ko in
		*.xz) xz -dc "$ko" ;;
		*.zst) zstd -qdc "$ko" ;;
		*.gz) gzip -dc "$ko" ;;
		*) cat "$ko" ;;
		esac >"$stage/lib/modules/$m.ko"
		echo "$m" >>"$stage/lib/modules/load-order"
	done

	# newc cpio, all files owned by root; write to a temp file and rename so
	# that a concurrent run never sees a half-written archive.
	tmp=$(mktemp "$initrd.XXXXXX")
	(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --create --format=newc --owner=0:0 --quiet) |
		gzip -1 >"$tmp"
	mv -f "$tmp" "$initrd"
	rm -rf "$stage"
	echo "$prog: built $initrd" >&2
}

# Rebuild when missing, when this script changed, or when the kernel's
# modules were reinstalled.
if [[ ! -s $initrd || $script -nt $initrd || $moddir/modules.dep -nt $initrd ]]; then
	build_initramfs
fi

# ---------------------------------------------------------------------------
# Kernel image: boot the uncompressed vmlinux via PVH when possible
# ---------------------------------------------------------------------------
# /boot/vmlinuz-KVER is a bzImage: a small decompressor plus the real kernel,
# compressed with xz (Debian's 6.1) or zstd (6.12). Under TCG the
# decompression costs 1-3 s on *every* boot. A kernel built with
# CONFIG_PVH=y (Debian's are) has a PVH entry point, and QEMU can then boot
# the uncompressed ELF vmlinux directly. So we extract it once, cache it as
# build/vm/vmlinux-KVER and boot that. VM_PVH=0 boots the bzImage instead.
extract_vmlinux() { # extract_vmlinux BZIMAGE > vmlinux
	local bz=$1 setup_sects offset length start magic
	# x86 boot protocol header, see Documentation/arch/x86/boot.rst:
	# setup_sects at 0x1f1, payload_offset at 0x248, payload_length at 0x24c
	# (the payload offset counts from the end of the real-mode setup code).
	setup_sects=$(od -An -tu1 -j 497 -N1 "$bz" | tr -d ' ')
	offset=$(od -An -tu4 -j 584 -N4 "$bz" | tr -d ' ')
	length=$(od -An -tu4 -j 588 -N4 "$bz" | tr -d ' ')
	start=$(((setup_sects + 1) * 512 + offset))
	magic=$(od -An -tx1 -j "$start" -N4 "$bz" | tr -d ' ')
	# Except for gzip, the kernel build appends the 4-byte uncompressed
	# size to the payload: cut it off, the decompressors reject it.
	payload() { dd if="$bz" iflag=skip_bytes,count_bytes bs=1M \
		skip="$start" count="$1" status=none; }
	case $magic in
	fd377a58) payload $((length - 4)) | xz -dc ;;
	28b52ffd) payload $((length - 4)) | zstd -qdc ;;
	1f8b*) payload "$length" | gzip -dc ;;
	*) echo "$prog: unknown bzImage compression (magic $magic)" >&2; return 1 ;;
	esac
}

boot_image=$kernel
if [[ -n ${VM_KERNEL_IMAGE:-} ]]; then
	: # given by the caller, booted as is (an ELF vmlinux needs CONFIG_PVH=y)
elif [[ ${VM_PVH:-1} == 1 ]] && grep -qx 'CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null; then
	vmlinux=$build_dir/vmlinux-$kver
	if [[ ! -s $vmlinux || $kernel -nt $vmlinux ]]; then
		tmp=$(mktemp "$vmlinux.XXXXXX")
		if extract_vmlinux "$kernel" >"$tmp" &&
			[[ $(od -An -c -N4 "$tmp" | tr -d ' ') == '177ELF' ]]; then
			mv -f "$tmp" "$vmlinux"
			echo "$prog: extracted $vmlinux" >&2
		else
			rm -f "$tmp"
			echo "$prog: warning: cannot extract vmlinux from $kernel, booting the bzImage" >&2
		fi
	fi
	if [[ -s $vmlinux ]]; then boot_image=$vmlinux; fi
fi

# ---------------------------------------------------------------------------
# Stage 2: the per-run guest script
# ---------------------------------------------------------------------------
# Written to $run_dir; the command and cwd are embedded with printf %q.

# If our stdout is a terminal, give the guest command a terminal too (so
# colours, line buffering etc. behave as on the host); otherwise a pipe.
if [[ -t 1 ]]; then
	out_tty=1
	read -r rows cols < <(stty size 2>/dev/null || echo "24 80")
	term=${TERM:-dumb}
else
	out_tty=0 rows=24 cols=80 term=dumb
fi

{
	echo '#!/bin/bash'
	echo "# Stage 2 for: $(printf '%q ' "$@")"
	echo "# Generated by $script; runs as PID 1 in the guest."
	printf 'vm_cwd=%q\n' "$PWD"
	printf 'vm_cmd=(%s)\n' "$(printf '%q ' "$@")"
	printf 'vm_out_tty=%q vm_rows=%q vm_cols=%q vm_term=%q vm_tmpfs_tmp=%q\n' \
		"$out_tty" "$rows" "$cols" "$term" "${VM_TMPFS_TMP:-0}"
	printf 'vm_moddir=%q\n' "$([[ -n ${VM_MODULES_DIR:-} ]] && readlink -f "$moddir")"
	cat <<'EOF'

out=/dev/ttyS1     # command stdout+stderr  -> QEMU stdio -> run-vm.sh stdout
status=/dev/ttyS2  # exit status            -> build/vm/run.*/status
kmsg() { echo "vm: $*" >/dev/kmsg; }   # marker in the console log
kmsg "stage 2 started"

# Stage 1 already mounted /proc /sys /dev /dev/pts /dev/shm /run, brought
# up lo and put $out into raw mode.
if [[ $vm_tmpfs_tmp == 1 ]]; then
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
fi
# A kernel from outside /lib/modules (VM_MODULES_DIR): make its modules
# visible where modprobe and depmod look. The source is inside the overlay,
# so what the guest writes there stays in guest RAM.
if [[ -n $vm_moddir ]]; then
	mkdir -p "/lib/modules/$(uname -r)"
	mount --bind "$vm_moddir" "/lib/modules/$(uname -r)" ||
		kmsg "cannot bind-mount $vm_moddir on /lib/modules/$(uname -r)"
fi
if [[ $vm_out_tty == 1 ]]; then
	stty -F "$out" rows "$vm_rows" cols "$vm_cols"
fi

kmsg "running: ${vm_cmd[*]}"
vm_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM="$vm_term")
if ! cd -- "$vm_cwd" 2>/dev/null; then
	echo "run-vm.sh (guest): cannot cd to $vm_cwd" >"$out"
	rc=125
elif [[ $vm_out_tty == 1 ]]; then
	env -i "${vm_env[@]}" "${vm_cmd[@]}" </dev/null >"$out" 2>&1
	rc=$?
else
	env -i "${vm_env[@]}" "${vm_cmd[@]}" </dev/null 2>&1 | cat >"$out"
	rc=${PIPESTATUS[0]}
fi
kmsg "command exited with status $rc"

# Make sure everything reached QEMU before powering off: stty applies its
# settings with TCSADRAIN, i.e. after the output queue has been sent,
# and closing the status port waits for its data to drain as well.
stty -F "$out" raw
echo "$rc" >"$status"

/bin/busybox poweroff -f
echo o >/proc/sysrq-trigger   # fallback; PID 1 must never exit
while :; do sleep 1; done
EOF
} >"$run_dir/guest.sh"
chmod 0755 "$run_dir/guest.sh"

# ---------------------------------------------------------------------------
# Boot
# ---------------------------------------------------------------------------
# printk.devkmsg=on: the stage-2 markers written to /dev/kmsg are not
# rate-limited. loglevel=7: pr_info and WARN splats land in the console log
# (oopses would be printed at any loglevel). panic=-1: reboot at once on
# panic, which -no-reboot turns into QEMU exiting.
append="console=ttyS0 loglevel=7 printk.devkmsg=on panic=-1 vm_script=$run_dir/guest.sh"
append+=${VM_APPEND:+ $VM_APPEND}

qemu=(
	qemu-system-x86_64
	-machine "q35,accel=tcg" -cpu max -smp 2 -m "$mem_mb"
	-nographic -nodefaults -no-reboot -nic none -monitor none
	-kernel "$boot_image" -initrd "$initrd" -append "$append"
	# The host's / read-only as 9p tag "hostroot". multidevs=remap keeps
	# inode numbers unique across the host's many mounts.
	-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-pci,fsdev=root,mount_tag=hostroot"
	# Serial ports, in order: ttyS0 console, ttyS1 command output,
	# ttyS2 exit status.
	-serial "file:$console_log"
	-serial stdio
	-serial "file:$run_dir/status"
)
# shellcheck disable=SC2206  # split at blanks on purpose
qemu+=(${VM_QEMU_ARGS:-})

# stdin is /dev/null: QEMU then leaves the terminal alone (no raw mode),
# and Ctrl-C still reaches QEMU, which is in our process group
# (--foreground).
rc=0
started=$SECONDS
timeout --foreground --kill-after=10 "$timeout_s" "${qemu[@]}" </dev/null || rc=$?

console_tail() {
	echo "---- last 40 lines of $console_log ----" >&2
	tail -n 40 "$console_log" >&2 2>/dev/null || true
	echo "---- end of console log ----" >&2
}

# timeout(1) exits 124 after SIGTERM worked, 137 if it needed SIGKILL.
if ((rc == 124 || (rc == 137 && timeout_s > 0 && SECONDS - started >= timeout_s))); then
	echo "$prog: TIMEOUT: VM did not finish within ${timeout_s}s (VM_TIMEOUT), QEMU killed" >&2
	console_tail
	exit 124
fi

if grep -qE 'Oops|BUG:|WARNING:|Call Trace:|Kernel panic|general protection' "$console_log" 2>/dev/null; then
	echo "$prog: note: the kernel console log has warnings/oopses: $console_log" >&2
fi

guest_rc=$(tr -dc '0-9' <"$run_dir/status" 2>/dev/null || true)
if [[ -z $guest_rc ]]; then
	echo "$prog: VM ended without reporting an exit status (kernel panic, crash or boot failure; QEMU exit code $rc)" >&2
	console_tail
	exit 125
fi
exit "$guest_rc"
