#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Input abuse: thousands of malformed writes (random bytes, truncated and
# mutated rules, out-of-range numbers, stray "!", odd whitespace), generated
# from a fixed seed by abuse_writes.py in one process. Every refused write
# leaves the listing byte-for-byte unchanged; the kernel log names lines but
# does not flood; a large valid batch loads afterwards. The tests share one
# loaded module, in order. No network: nothing but writes happens here, so
# no counter moves and listings compare byte for byte.

load helpers

abuse() { python3 "$BATS_TEST_DIRNAME/abuse_writes.py" "$@"; }
# Change it to explore other inputs; a failure prints the case to replay.
SEED=20250601

setup_file() {
	fw_unload
	fw_load
	ipset -exist create mfw_abuse hash:ip timeout 0
	abuse base
}

teardown_file() {
	fw_unload || true
	ipset destroy mfw_abuse
	unload_ipset
}

@test "1,500+ malformed writes are refused and change nothing; the log names lines, rate-limited" {
	dmesg_mark
	run abuse abuse "$SEED" 2400
	echo "$output"
	assert_success
	local refused seconds logged bound
	refused=$(sed -nE 's/^refused ([0-9]+) .*/\1/p' <<<"$output")
	seconds=$(sed -nE 's/.* seconds ([0-9]+)\.[0-9]$/\1/p' <<<"$output")
	[ "$refused" -ge 1500 ]
	# Each refusal logs "minifw: line N: reason" through
	# pr_info_ratelimited(): at most 10 lines per 5 s (the kernel's
	# default burst and interval), whatever the number of refusals.
	run dmesg_new
	assert_output --regexp 'minifw: line [0-9]+: '
	logged=$(grep -c 'minifw: line [0-9]*: ' <<<"$output")
	bound=$((10 * (seconds / 5 + 2)))
	echo "refused $refused in ${seconds}s, logged $logged (bound $bound)"
	[ "$logged" -le "$bound" ]
	[ "$logged" -lt "$refused" ]
}

@test "a 1 MiB line and NUL bytes are refused cleanly" {
	run abuse special
	echo "$output"
	assert_success
	assert_output "special cases 15"
}

@test "a valid 20,000-line batch loads after the abuse" {
	run abuse batch 20000
	echo "$output"
	assert_success
	# the batch's rules are /32s; the base ruleset's are not
	run grep -c '^-A INPUT -s 198\.51\.100\.[0-9]*/32 ' "$RULES"
	assert_output 20000
}
