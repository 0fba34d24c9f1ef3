#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Packaging and operations: make install/uninstall, modprobe with options
# from the command line and from /etc/modprobe.d, modinfo, DKMS, the .deb,
# the example rules files and systemd unit, the manual page.
#
# Everything here installs into the VM's tmpfs overlay root only, which is
# thrown away at power-off. The .deb is built on the host by `make deb`
# (tests/run-all.sh does it before booting the VMs).
#
# Under TCG a module build by DKMS costs minutes and so does every depmod
# (it reads all of the kernel's modules over 9p; tests/in-vm.sh hides the
# hardware drivers, a fifth of them is left), so DKMS builds once, on
# 6.12, from the minifw-dkms .deb (whose postinst runs DKMS); on 6.1
# `dkms add` registers the copy `make dkms-src` puts in
# /usr/src/minifw-VERSION, the files the package holds, and the build is
# the host's (make test builds minifw.ko for both kernels with the same
# Kbuild, W=1). The tests that only need the module installed use the one
# tests/in-vm.sh installed, and the file ends by restoring that state from
# a copy of the module index instead of running depmod again.

load helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
KVER=$(uname -r)
VERSION=$(sed -n 's/^MODULE_VERSION("\(.*\)");$/\1/p' "$REPO/minifw.c")
DEB=$REPO/build/deb/minifw-dkms_${VERSION}_all.deb
UNIT=$REPO/examples/minifw.service
UPDATES=/lib/modules/$KVER/updates

# tests/in-vm.sh installed the module built for this kernel in updates/
# and ran depmod: keep that module index, to give the files after this one
# the same system back.
setup_file() {
	net_up
	[ -f "$UPDATES/minifw.ko" ]
	mkdir -p "$BATS_FILE_TMPDIR/index"
	cp -a /lib/modules/"$KVER"/modules.* "$BATS_FILE_TMPDIR/index/"
}

teardown_file() {
	net_down
	pkg_clean
	cp "$MINIFW_KO" "$UPDATES/minifw.ko"
	cp -a "$BATS_FILE_TMPDIR"/index/modules.* /lib/modules/"$KVER"/
}

setup() {
	stop_servers
	fw_unload
}

teardown() {
	stop_servers
	fw_unload || true
	rm -f /etc/modprobe.d/minifw.conf
}

# What the DKMS test on 6.1 or a failed test leaves: the package, DKMS
# state, sources, configuration, module files. By hand, not with
# `dkms remove` (its depmod costs minutes): teardown_file puts the module
# index back.
pkg_clean() {
	fw_unload || true
	if dpkg-query -W -f='${Status}' minifw-dkms 2>/dev/null | grep -q installed; then
		dpkg --purge minifw-dkms >/dev/null || true
	fi
	rm -rf /var/lib/dkms/minifw "/usr/src/minifw-$VERSION" /etc/minifw /etc/modprobe.d/minifw.conf
	rm -f "$UPDATES/minifw.ko" "$UPDATES"/dkms/minifw.ko*
}

# A copy of the tree's Makefile with the module built for this kernel, as
# after `make`: `make install` installs, it does not build.
make_tree() {
	local d=$BATS_TEST_TMPDIR/tree
	mkdir -p "$d"
	cp "$REPO/Makefile" "$REPO/Kbuild" "$REPO/minifw.c" "$d/"
	cp "$MINIFW_KO" "$d/minifw.ko"
	echo "$d"
}

# modprobe minifw with ARGS, then check that blocked_ips=192.0.2.7 drops a
# ping from it and lets another source through.
probe_and_block() {
	modprobe minifw "$@"
	assert_equal "$(cat /sys/module/minifw/parameters/blocked_ips)" 192.0.2.7
	peer_noreply -I 192.0.2.7 192.0.2.1
	peer_ping -I 192.0.2.2 192.0.2.1
	assert_equal "$(pkts PREROUTING 1)" 1
}

# A TCP connection from the peer namespace with source address $1 to port
# $2 of this host; succeeds if the server answered (see tcp_ok for -t).
peer_tcp_from() {
	answered ip netns exec peer socat -t10 -T10 - TCP:192.0.2.1:"$2",bind="$1",connect-timeout=5 </dev/null
}

# The commands of one Exec*= setting of the unit, one a line.
unit_cmds() { sed -n "s/^$1=//p" "$UNIT"; }

# Run the unit's KEY= commands in order, as systemd does (UMask=0077, no
# shell around them, the first failure stops); the VM's PID 1 is not
# systemd. The unit's commands use no $, %, \ or prefix characters, so
# bash word splitting and quote removal are exactly systemd's.
run_unit() {
	local cmd
	while IFS= read -r cmd; do
		(umask 077 && eval "$cmd") </dev/null || return 1
	done < <(unit_cmds "$1")
}

@test "version: minifw.c, dkms.conf, debian/changelog and the Makefile agree; check-version notices a difference" {
	[ -n "$VERSION" ]
	run make -s -C "$REPO" check-version
	assert_success
	assert_output ""
	run grep -c "^PACKAGE_VERSION=\"$VERSION\"$" "$REPO/dkms.conf"
	assert_output 1
	run dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version
	assert_output "$VERSION"
	local d=$BATS_TEST_TMPDIR/v
	mkdir -p "$d/debian"
	cp "$REPO/Makefile" "$REPO/minifw.c" "$REPO/dkms.conf" "$d/"
	cp "$REPO/debian/changelog" "$d/debian/"
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="9.9.9"/' "$d/dkms.conf"
	run make -s -C "$d" check-version
	assert_failure
	assert_line "dkms.conf: PACKAGE_VERSION is \"9.9.9\", minifw.c says $VERSION"
}

@test "options in /etc/modprobe.d apply: examples/modprobe.d/minifw.conf" {
	cp "$REPO/examples/modprobe.d/minifw.conf" /etc/modprobe.d/minifw.conf
	local want
	want=$(sed -n 's/^options minifw blocked_ips=//p' /etc/modprobe.d/minifw.conf)
	assert_equal "$want" "192.0.2.7,198.51.100.0/24"
	modprobe minifw
	assert_equal "$(cat /sys/module/minifw/parameters/blocked_ips)" "$want"
	run grep -- '^-A' "$RULES"
	assert_output "-A PREROUTING -s 192.0.2.7/32 -j DROP
-A PREROUTING -s 198.51.100.0/24 -j DROP"
	peer_noreply -I 192.0.2.7 192.0.2.1
	peer_noreply -I 198.51.100.5 192.0.2.1
	peer_ping -I 192.0.2.2 192.0.2.1
	assert_equal "$(pkts PREROUTING 1)" 1
	assert_equal "$(pkts PREROUTING 2)" 1
}

@test "examples/*.rules: each loads whole and lists back unchanged" {
	local f n
	for f in "$REPO"/examples/*.rules; do
		fw_load
		cat "$f" >"$RULES"
		# every -A line is a rule, every :CHAIN line a policy
		n=$(grep -c '^-A ' "$f")
		assert_equal "$(grep -c '^-A ' "$RULES")" "$n"
		while read -r c p; do
			grep -q "^:$c $p " "$RULES" || fail "$f: policy of $c is not $p"
		done < <(sed -nE 's/^:([A-Z]+) ([A-Z]+) .*/\1 \2/p' "$f")
		# the listing is canonical: loaded again, it lists the same
		listing >"$BATS_TEST_TMPDIR/listed"
		cat "$BATS_TEST_TMPDIR/listed" >"$RULES"
		diff "$BATS_TEST_TMPDIR/listed" <(listing)
		fw_unload
	done
}

@test "examples/server.rules at work: ssh only from 192.0.2.0/24, web open, ping answered, the rest dropped" {
	fw_load
	cat "$REPO/examples/server.rules" >"$RULES"
	tcp_server "" 22
	tcp_server "" 80
	tcp_server "" 443
	tcp_server "" 23
	NS=peer tcp_ok 192.0.2.1 22
	NS=peer tcp_ok 192.0.2.1 80
	NS=peer tcp_ok 192.0.2.1 443
	NS=peer tcp_blocked 192.0.2.1 23
	# ssh from another network: dropped; web from there: open
	run ! peer_tcp_from 198.51.100.5 22
	peer_tcp_from 198.51.100.5 80
	peer_ping 192.0.2.1
	# the echo-request rule (INPUT 4) answered the ping
	assert_equal "$(awk '$1 == "INPUT" && / --icmp-type 8 / { print $3 }' "$STATS")" 1
	# UDP is dropped by the policy
	udp_server "" 53
	NS=peer udp_blocked 192.0.2.1 53
}

@test "examples/minifw.service: systemd-analyze verify passes (with the manual page installed)" {
	mkdir -p /usr/local/share/man/man8
	cp "$REPO/docs/minifw.8" /usr/local/share/man/man8/minifw.8
	run systemd-analyze verify "$UNIT"
	rm -f /usr/local/share/man/man8/minifw.8
	assert_success
	assert_output ""
}

@test "examples/minifw.service commands: start loads and restores /etc/minifw/rules, stop saves the live ruleset, reload re-reads (run as systemd would)" {
	# nothing the eval emulation would get wrong
	grep -q '^UMask=0077$' "$UNIT"
	run grep -E '^Exec[A-Za-z]+=([^/]|.*[$%\\])' "$UNIT"
	assert_failure 1

	# no saved ruleset: start loads the module, with no rules
	run_unit ExecStart
	[ -d /sys/module/minifw ]
	assert_equal "$(grep -c '^-A' "$RULES")" 0
	# stop saves it, mode 0600
	run_unit ExecStop
	assert_equal "$(stat -c %a /etc/minifw/rules)" 600
	diff <(listing) <(sed -E 's/ \[[0-9]+:[0-9]+\]$//' /etc/minifw/rules)
	rmmod minifw

	# "boot": the server set restored; a change; "shutdown" saves it
	cp "$REPO/examples/server.rules" /etc/minifw/rules
	run_unit ExecStart
	assert_equal "$(grep -c '^-A INPUT' "$RULES")" "$(grep -c '^-A INPUT' /etc/minifw/rules)"
	fw "-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT"
	listing >"$BATS_TEST_TMPDIR/live"
	run_unit ExecStop
	[ ! -e /etc/minifw/rules.new ]
	diff "$BATS_TEST_TMPDIR/live" <(sed -E 's/ \[[0-9]+:[0-9]+\]$//' /etc/minifw/rules)
	rmmod minifw
	# next "boot" has the change
	run_unit ExecStart
	diff "$BATS_TEST_TMPDIR/live" <(listing)
	tcp_server "" 8080
	NS=peer tcp_ok 192.0.2.1 8080

	# reload re-reads the file
	sed -i '/--dport 8080/d' /etc/minifw/rules
	run_unit ExecReload
	run grep -c -- '--dport 8080' "$RULES"
	assert_output 0

	# a file that does not load fails the start and changes nothing
	echo "-A INPUT --bogus" >/etc/minifw/rules
	listing >"$BATS_TEST_TMPDIR/before"
	run run_unit ExecStart
	assert_failure
	diff "$BATS_TEST_TMPDIR/before" <(listing)

	# with the module gone, stop fails and keeps the saved file
	cp "$REPO/examples/server.rules" /etc/minifw/rules
	rmmod minifw
	run run_unit ExecStop
	assert_failure
	cmp "$REPO/examples/server.rules" /etc/minifw/rules
	[ ! -e /etc/minifw/rules.new ]
	rm -r /etc/minifw
}

@test "the .deb: version, dependency on dkms, the current sources in /usr/src/minifw-VERSION, manual page, examples" {
	[ -f "$DEB" ] || fail "no $DEB: run make deb on the host first"
	assert_equal "$(dpkg-deb -f "$DEB" Package)" minifw-dkms
	assert_equal "$(dpkg-deb -f "$DEB" Version)" "$VERSION"
	assert_equal "$(dpkg-deb -f "$DEB" Architecture)" all
	[[ "$(dpkg-deb -f "$DEB" Depends)" == *dkms* ]]
	local x=$BATS_TEST_TMPDIR/deb s=$BATS_TEST_TMPDIR/src
	dpkg-deb -x "$DEB" "$x"
	make -s -C "$REPO" dkms-src DESTDIR="$s" >/dev/null
	diff -r "$s/usr/src/minifw-$VERSION" "$x/usr/src/minifw-$VERSION" ||
		fail "$DEB does not hold the current sources: run make deb"
	cmp "$REPO/docs/minifw.8" <(zcat "$x/usr/share/man/man8/minifw.8.gz")
	cmp "$REPO/examples/minifw.service" "$x/usr/share/doc/minifw-dkms/examples/minifw.service"
	cmp "$REPO/examples/server.rules" "$x/usr/share/doc/minifw-dkms/examples/server.rules"
	# dh_dkms made the maintainer scripts that run DKMS
	dpkg-deb -I "$DEB" postinst | grep -q '/usr/lib/dkms/common.postinst'
	dpkg-deb -I "$DEB" prerm | grep -q 'dkms remove'
}

@test "make install: into updates/, depmod, modprobe with parameters, modinfo complete; make uninstall removes it" {
	local tree
	tree=$(make_tree)
	# not installed (the module index still names the file: depmod once,
	# by make install, is enough)
	rm "$UPDATES/minifw.ko"
	run modinfo minifw
	assert_failure
	# minifw depends on no module: modprobe loads nothing with it (the
	# REJECT helpers come with the first REJECT rule, 00-load.bats). (27-
	# iptables-save's iptables-legacy run leaves ipt_REJECT holding
	# nf_reject_ipv4.)
	modprobe -rq ipt_REJECT ip6t_REJECT || true
	local m
	for m in nf_reject_ipv4 nf_reject_ipv6; do
		if [ -d /sys/module/$m ]; then rmmod $m; fi
	done

	run make -C "$tree" install
	assert_success
	[ -f "$UPDATES/minifw.ko" ]
	cmp "$MINIFW_KO" "$UPDATES/minifw.ko"
	assert_equal "$(modinfo -n minifw)" "$UPDATES/minifw.ko"

	# modinfo: description, author, license, version, every parameter
	# with a description
	assert_equal "$(modinfo -F license minifw)" GPL
	assert_equal "$(modinfo -F version minifw)" "$VERSION"
	[ -n "$(modinfo -F author minifw)" ]
	[[ "$(modinfo -F description minifw)" == minifw:* ]]
	run modinfo -F parmtype minifw
	assert_line blocked_ips:charp
	assert_line max_rules:uint
	local p
	for p in $(modinfo -F parmtype minifw | cut -d: -f1); do
		modinfo -F parm minifw | grep -qE "^$p:[^(].{20,} \([a-z]+\)$"
	done

	assert_equal "$(modinfo -F depends minifw)" ""
	probe_and_block blocked_ips=192.0.2.7 max_rules=100
	[ ! -d /sys/module/nf_reject_ipv4 ]
	assert_equal "$(cat /sys/module/minifw/parameters/max_rules)" 100
	rmmod minifw

	# a bad parameter fails the load, as the manual page says
	run modprobe minifw blocked_ips=192.0.2.300
	assert_failure 1
	assert_output --partial "Invalid argument"
	[ ! -d /sys/module/minifw ]

	run make -C "$tree" uninstall
	assert_success
	[ ! -e "$UPDATES/minifw.ko" ]
	run modinfo minifw
	assert_failure
	run modprobe minifw
	assert_failure
}

@test "make install refuses a minifw.ko built for another kernel, and a missing one" {
	local tree other
	tree=$(make_tree)
	# a module of another installed kernel stands in for minifw.ko
	for other in /lib/modules/*/kernel/net/ipv4/netfilter/nf_reject_ipv4.ko*; do
		[[ $other == /lib/modules/"$KVER"/* ]] || break
	done
	[[ $other != /lib/modules/"$KVER"/* && -f $other ]]
	case $other in
	*.xz) xz -dc "$other" ;;
	*.zst) zstd -qdc "$other" ;;
	*) cat "$other" ;;
	esac >"$tree/minifw.ko"
	run make -C "$tree" install
	assert_failure
	assert_output --partial "not $KVER: run make KVER=$KVER"
	rm "$tree/minifw.ko"
	run make -C "$tree" install
	assert_failure
	assert_output --partial "no minifw.ko: run make first"
	[ ! -e "$UPDATES/minifw.ko" ]
}

# One DKMS build, see the top of this file. Removal is tested with the
# package (its prerm runs dkms remove).
@test "DKMS: 6.12 builds and installs from the .deb, modprobe loads it, dpkg --purge removes it; 6.1 registers make dkms-src's sources" {
	local mod
	case $KVER in
	6.1.*)
		make -s -C "$REPO" dkms-src >/dev/null
		run dkms add "minifw/$VERSION"
		assert_success
		run --separate-stderr dkms status minifw
		assert_output "minifw/$VERSION: added"
		cmp "$REPO/minifw.c" "/usr/src/minifw-$VERSION/minifw.c"
		cmp "$REPO/dkms.conf" "/usr/src/minifw-$VERSION/dkms.conf"
		return 0
		;;
	esac
	rm -f "$UPDATES/minifw.ko"
	[ -f "$DEB" ] || fail "no $DEB: run make deb on the host first"
	run dpkg -i "$DEB"
	assert_success
	assert_output --partial "Building for $KVER"
	man -w minifw | grep -qx /usr/share/man/man8/minifw.8.gz
	# (dkms prints readelf's warnings about the headers on stderr)
	run --separate-stderr dkms status minifw
	assert_output "minifw/$VERSION, $KVER, x86_64: installed"
	mod=$(modinfo -n minifw)
	[[ $mod == "$UPDATES/dkms/minifw.ko"* ]]
	assert_equal "$(modinfo -F version minifw)" "$VERSION"
	# the kernel's own compression (xz on 6.12, none on 6.1)
	if grep -qx 'CONFIG_MODULE_COMPRESS_XZ=y' "/boot/config-$KVER"; then
		[[ $mod == *.ko.xz ]]
	else
		[[ $mod == *.ko ]]
	fi
	probe_and_block blocked_ips=192.0.2.7
	rmmod minifw

	run dpkg --purge minifw-dkms
	assert_success
	[ ! -e "/usr/src/minifw-$VERSION" ]
	[ ! -e "$mod" ]
	run --separate-stderr dkms status minifw
	assert_output ""
	run modinfo minifw
	assert_failure
}

@test "docs/minifw.8 renders with man -l without a warning, and documents every parameter" {
	run env LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
		man --warnings -E UTF-8 -l -Tutf8 -Z "$REPO/docs/minifw.8"
	assert_success
	run bash -c "LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z '$REPO/docs/minifw.8' 2>&1 >/dev/null"
	assert_output ""
	local text p s
	text=$(MANWIDTH=80 man -l "$REPO/docs/minifw.8" 2>/dev/null | col -b)
	for s in NAME SYNOPSIS DESCRIPTION PARAMETERS "RULE LANGUAGE" STATISTICS "EXIT STATUS" FILES EXAMPLES; do
		grep -qx "$s" <<<"$text" || fail "no section $s"
	done
	for p in $(modinfo -F parmtype "$MINIFW_KO" | cut -d: -f1); do
		grep -qE "^ +$p=" <<<"$text" || fail "parameter $p not documented"
	done
	grep -q 'docs/minifw.8' "$REPO/README.md"
}
