# SPDX-License-Identifier: GPL-2.0
# minifw: the user's entry point. Kbuild says what the module is made of.
#
#   make                build minifw.ko for KDIR (W=1, warnings are errors)
#   make test           install test dependencies, build for both Debian
#                       kernels, run unit tests, boot each kernel in QEMU
#                       and run the bats suite there
#   make unit           user-space unit tests of rules.c
#   make fuzz           fuzz rules.c's write path (FUZZ_SECONDS=60)
#   make bench-unit     instructions per packet of the matcher against the
#                       number of rules (valgrind's callgrind, user space;
#                       BENCH_UNIT_N="1 1000 10000 100000")
#   make check          W=1 and sparse (C=2) for both kernels, cppcheck,
#                       checkpatch
#   make cppcheck       cppcheck over the user-space build
#   make checkpatch     the kernel's checkpatch.pl --strict over the sources
#   make demo           boot a VM and show minifw at work
#   make test-debug     build a KASAN/lockdep/kmemleak/UBSAN 6.1 kernel (cached,
#                       ~25 min the first time), run the bats suite on it
#   make install        install the built minifw.ko into
#                       /lib/modules/$(KVER)/updates and run depmod
#   make uninstall      remove it again
#   make dkms-src       copy the sources DKMS builds from (dkms.conf) to
#                       /usr/src/minifw-$(VERSION)
#   make deb            build the minifw-dkms Debian package in build/deb/
#   make version        print the version (MODULE_VERSION in minifw.c)
#   make check-version  dkms.conf and debian/changelog agree with minifw.c
#   make bench          minifw against iptables, ipset and nftables in QEMU
#                       (slow, not part of make test): bench/results.md and
#                       bench/results.png; BENCH_QUICK=1 or BENCH_N=1,1000
#                       for less (see bench/bench.sh)

# The running kernel's build tree, else the newest installed one; with
# KVER= given, that release's build tree.
# (Each computed once, not at every use.)
ifndef KDIR
ifdef KVER
KDIR := /lib/modules/$(KVER)/build
else
KDIR := $(or $(wildcard /lib/modules/$(shell uname -r)/build),$(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1))
endif
endif
# The release KDIR builds for, where `make install` puts the module.
ifndef KVER
KVER := $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
endif
KBUILD_FLAGS := W=1 KCFLAGS=-Werror

# The one version number is MODULE_VERSION in minifw.c; dkms.conf and
# debian/changelog repeat it (their formats need it literally) and
# `make check-version` checks that they agree.
VERSION := $(shell sed -n 's/^MODULE_VERSION("\(.*\)");$$/\1/p' minifw.c)
# The rule engine: rules.c and what it builds with, also built in user
# space for the unit tests, the fuzzer and bench-unit (Kbuild lists the same
# files for the module, and takes every file in ext/ as this does).
RULES_SRC := rules.c syntax.c services.c ext.c ruleset.c graph.c counter.c compile.c walk.c writer.c ifname.c \
	$(sort $(wildcard ext/*.c))
RULES_HDR := $(filter-out include/minifw_kernel.h,$(wildcard include/*.h))
# The module's kernel-only files: the hooks, the proc files, the ipset glue.
KERNEL_SRC := minifw.c proc.c ipset.c
# What DKMS builds from: Kbuild and the sources, no Makefile needed.
DKMS_FILES := Kbuild dkms.conf $(KERNEL_SRC) $(RULES_SRC)

# -Wno-unused-parameter: as in the kernel's W=1 builds, a callback need not
# use every argument its ops table passes (an extension's .print, .match).
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wno-unused-parameter -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude

.PHONY: all module install uninstall dkms-src deb version check-version clean unit test check demo fuzz \
	checkpatch test-debug bench

all: module

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers-$(KVER) or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_FLAGS) modules

# Out-of-tree builds for one kernel, in build/KVER/ (a tree of symlinks), so
# that several kernels can be built side by side. Against the installed
# /lib/modules/KVER/build, unless KDIR= is given on the command line (a
# kernel that is not installed, e.g. make test-debug's).
build/%/minifw.ko: FORCE
	@mkdir -p build/$*/ext
	@for f in Kbuild $(KERNEL_SRC) include $(filter-out ext/%,$(RULES_SRC)); do \
		ln -sfn ../../$$f build/$*/$$f; done
	@rm -f build/$*/ext/*.c
	@for f in $(filter ext/%,$(RULES_SRC)); do ln -sfn ../../../$$f build/$*/$$f; done
	$(MAKE) -C $(if $(filter command line,$(origin KDIR)),$(KDIR),/lib/modules/$*/build) M=$(CURDIR)/build/$* $(KBUILD_FLAGS) $(EXTRA) modules

FORCE:

# Installs what `make` built and builds nothing itself, as the kernel's own
# modules_install: `make && sudo make install` leaves no root-owned files in
# the tree. A minifw.ko built for another release than KVER is refused
# (`make KVER=...` builds for that release). depmod is left to whoever
# packages a DESTDIR.
install:
	@test -n "$(KVER)" || { echo "cannot tell the kernel release of $(KDIR): set KVER=" >&2; exit 1; }
	@test -f minifw.ko || { echo "no minifw.ko: run make first" >&2; exit 1; }
	@v=$$(modinfo -F vermagic minifw.ko) && [ "$${v%% *}" = "$(KVER)" ] || \
		{ echo "minifw.ko is built for $${v%% *}, not $(KVER): run make KVER=$(KVER)" >&2; exit 1; }
	install -D -m 0644 minifw.ko $(DESTDIR)/lib/modules/$(KVER)/updates/minifw.ko
	$(if $(DESTDIR),,depmod -a $(KVER))

uninstall:
	@test -n "$(KVER)" || { echo "cannot tell the kernel release of $(KDIR): set KVER=" >&2; exit 1; }
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/minifw.ko
	$(if $(DESTDIR),,depmod -a $(KVER))

# The DKMS source tree, as `dkms add` wants it and the .deb ships it. Then:
# dkms install minifw/$(VERSION)
dkms-src: check-version
	install -d $(DESTDIR)/usr/src/minifw-$(VERSION)/include $(DESTDIR)/usr/src/minifw-$(VERSION)/ext
	install -m 0644 $(filter-out ext/%,$(DKMS_FILES)) $(DESTDIR)/usr/src/minifw-$(VERSION)/
	install -m 0644 $(filter ext/%,$(DKMS_FILES)) $(DESTDIR)/usr/src/minifw-$(VERSION)/ext/
	install -m 0644 include/*.h $(DESTDIR)/usr/src/minifw-$(VERSION)/include/

version:
	@echo $(VERSION)

check-version:
	@test -n "$(VERSION)" || { echo "no MODULE_VERSION in minifw.c" >&2; exit 1; }
	@v=$$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf); [ "$$v" = "$(VERSION)" ] || \
		{ echo "dkms.conf: PACKAGE_VERSION is \"$$v\", minifw.c says $(VERSION)" >&2; exit 1; }
	@v=$$(sed -n '1s/^minifw (\([^)]*\)).*/\1/p' debian/changelog); [ "$$v" = "$(VERSION)" ] || \
		{ echo "debian/changelog: version is \"$$v\", minifw.c says $(VERSION)" >&2; exit 1; }

# The minifw-dkms package, built from a copy of the tracked files in
# build/deb/minifw-VERSION/, so that the .deb, .buildinfo and .changes land
# in build/deb/ (dpkg-buildpackage writes to the parent directory) and no
# build output of the tree gets in.
deb: check-version
	rm -rf build/deb
	mkdir -p build/deb/minifw-$(VERSION)
	{ git ls-files -z --cached --others --exclude-standard 2>/dev/null || \
		find . \( -path ./build -o -path ./.git \) -prune -o -type f -print0; } | \
		tar --null -T - --ignore-failed-read -cf - | tar -xf - -C build/deb/minifw-$(VERSION)
	cd build/deb/minifw-$(VERSION) && dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

# Built with gcc and with clang: their sanitizers catch different things
# (clang's flags arithmetic on a NULL pointer, for one).
build/unit/test_rules-%: $(RULES_SRC) $(RULES_HDR) tests/unit/hook_pkt.h tests/unit/test_rules.c
	@mkdir -p build/unit
	$* $(UNIT_CFLAGS) -o $@ $(RULES_SRC) tests/unit/test_rules.c

unit: build/unit/test_rules-gcc build/unit/test_rules-clang
	build/unit/test_rules-gcc
	build/unit/test_rules-clang

# libFuzzer with ASan and UBSan over rules.c's write path (clang, from
# Debian's clang and libclang-rt-dev). New finds land in build/fuzz/corpus;
# a crash leaves its input in build/fuzz/ and fails.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude

build/fuzz/fuzz_rules: $(RULES_SRC) $(RULES_HDR) tests/unit/hook_pkt.h tests/fuzz/fuzz_rules.c
	@mkdir -p build/fuzz
	clang $(FUZZ_CFLAGS) -o $@ $(RULES_SRC) tests/fuzz/fuzz_rules.c

# The matcher's cost in instructions, as the kernel would build it (-O2,
# no sanitizers); see bench/bench-unit.sh.
.PHONY: bench-unit
BENCH_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude

build/bench/bench_unit: $(RULES_SRC) $(RULES_HDR) bench/bench_unit.c
	@mkdir -p build/bench
	gcc $(BENCH_CFLAGS) -o $@ $(RULES_SRC) bench/bench_unit.c

bench-unit: build/bench/bench_unit
	bench/bench-unit.sh $(BENCH_UNIT_N)

fuzz: build/fuzz/fuzz_rules
	@mkdir -p build/fuzz/corpus
	build/fuzz/fuzz_rules -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		-artifact_prefix=build/fuzz/ -print_final_stats=1 build/fuzz/corpus tests/fuzz/seeds

# cppcheck over the user-space build of the rule engine and its tests. Not
# its "style" class: what it says there is mostly about declaring variables
# at the top of a function and about bool ^ bool for negation, both the
# kernel's own idioms.
.PHONY: cppcheck
cppcheck:
	cppcheck --quiet --enable=warning,performance,portability --std=c11 \
		--error-exitcode=1 --suppress=missingIncludeSystem -Iinclude -U__KERNEL__ \
		$(RULES_SRC) tests/unit/test_rules.c tests/fuzz/fuzz_rules.c

# The kernel's own style checker, from Debian's linux-source-6.1 (only the
# script and the two word lists it reads beside itself are extracted, once).
LINUX_SOURCE_TAR ?= /usr/src/linux-source-6.1.tar.xz
CHECKPATCH := build/checkpatch/checkpatch.pl
CHECKPATCH_FLAGS := --no-tree -f --strict --show-types --color=never
# Message types ignored for good, each for a reason:
#   LONG_LINE_STRING  a log or error message is never split, so that it can
#                     be grepped for (Documentation/process/coding-style.rst,
#                     "Breaking long lines and strings").
CHECKPATCH_IGNORE := LONG_LINE_STRING
# include/minifw_user.h is not kernel code: it stands in for the kernel's
# headers when rules.c is built in user space, so it must do what checkpatch
# tells kernel code not to do: typedef u8 & co. from <stdint.h>
# (NEW_TYPEDEFS, PREFER_KERNEL_TYPES), define __printf and __always_inline
# with __attribute__ (PREFER_DEFINED_ATTRIBUTE_MACRO, COMPLEX_MACRO), copy
# min_t()/max_t()/per_cpu_ptr() (MACRO_ARG_REUSE) and generate kstrto*()
# functions from a macro (MACRO_WITH_FLOW_CONTROL, and SPACING on its "type
# *res" parameter); INITIALISED_STATIC is a false positive on a one-line
# static inline function.
CHECKPATCH_IGNORE_USER := NEW_TYPEDEFS,PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO,COMPLEX_MACRO,MACRO_ARG_REUSE,MACRO_WITH_FLOW_CONTROL,SPACING,INITIALISED_STATIC

$(CHECKPATCH):
	@test -r $(LINUX_SOURCE_TAR) || { echo "$(LINUX_SOURCE_TAR) not found: apt-get install linux-source-6.1" >&2; exit 1; }
	@mkdir -p build/checkpatch
	tar -xJf $(LINUX_SOURCE_TAR) -C build/checkpatch --strip-components=2 \
		$(addprefix $(notdir $(basename $(basename $(LINUX_SOURCE_TAR))))/scripts/,checkpatch.pl spelling.txt const_structs.checkpatch)
	@touch $@

# --strict seeds a cache of the tree's CamelCase names in the current
# directory; it is removed again.
checkpatch: $(CHECKPATCH)
	@status=0; \
	perl $(CHECKPATCH) $(CHECKPATCH_FLAGS) --ignore $(CHECKPATCH_IGNORE) \
		$(KERNEL_SRC) $(RULES_SRC) $(filter-out include/minifw_user.h,$(wildcard include/*.h)) || status=1; \
	perl $(CHECKPATCH) $(CHECKPATCH_FLAGS) --ignore $(CHECKPATCH_IGNORE),$(CHECKPATCH_IGNORE_USER) \
		include/minifw_user.h || status=1; \
	rm -f .checkpatch-camelcase.*; \
	exit $$status

test:
	tests/run-all.sh

check:
	tests/run-all.sh --check-only

demo:
	examples/demo.sh

test-debug:
	tests/debug/run-debug.sh

bench:
	bench/bench.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf build
