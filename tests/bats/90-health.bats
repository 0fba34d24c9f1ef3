#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Runs last: after everything above, the kernel log has no oops or warning.

load helpers

@test "no oops, WARN, BUG or sanitizer report in the kernel log" {
	# Not the bare words "lockdep" and "kmemleak": a debug kernel (make
	# test-debug) prints them in its boot banners. Every lockdep report
	# starts with "WARNING:", kmemleak's dmesg line says "suspected memory
	# leaks" (make test-debug also reads /sys/kernel/debug/kmemleak).
	run bash -c "dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|KASAN|UBSAN|suspected memory leak|RCU stall|Call Trace'"
	assert_failure 1
	assert_output ""
}

@test "the module unloads cleanly at the end" {
	fw_unload
	fw_load
	fw_unload
	[ ! -d /sys/module/minifw ]
}
