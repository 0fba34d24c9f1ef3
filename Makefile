# SPDX-License-Identifier: GPL-2.0
# minifw: the user's entry point. Kbuild says what the module is made of.
#
#   make                build minifw.ko for KDIR (W=1, warnings are errors)
#   make test           install test dependencies, build for both Debian
#                       kernels, run unit tests, boot each kernel in QEMU
#                       and run the bats suite there
#   make unit           user-space unit tests of rules.c
#   make fuzz           fuzz rules.c's write path (FUZZ_SECONDS=60)
#   make check          W=1 and sparse (C=2) for both kernels, cppcheck
#   make demo           boot a VM and show minifw at work
#   make test-debug     build a KASAN/lockdep/kmemleak/UBSAN 6.1 kernel (cached,
#                       ~25 min the first time), run the bats suite on it
#   make install        install into /lib/modules/$(KVER)/updates + depmod
#   make uninstall      remove it again

# The running kernel's build tree, else the newest installed one.
KDIR ?= $(or $(wildcard /lib/modules/$(shell uname -r)/build),$(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1))
# The release KDIR builds for, where `make install` puts the module.
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
KBUILD_FLAGS := W=1 KCFLAGS=-Werror

UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude

.PHONY: all module install uninstall clean unit test check demo fuzz test-debug

all: module

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers-$(KVER) or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_FLAGS) modules

# Out-of-tree builds for one kernel, in build/KVER/ (a tree of symlinks), so
# that several kernels can be built side by side. Against the installed
# /lib/modules/KVER/build, unless KDIR= is given on the command line (a
# kernel that is not installed, e.g. make test-debug's).
build/%/minifw.ko: FORCE
	@mkdir -p build/$*
	@for f in Kbuild minifw.c rules.c proc.c include; do ln -sfn ../../$$f build/$*/$$f; done
	$(MAKE) -C $(if $(filter command line,$(origin KDIR)),$(KDIR),/lib/modules/$*/build) M=$(CURDIR)/build/$* $(KBUILD_FLAGS) $(EXTRA) modules

FORCE:

install: module
	@test -n "$(KVER)" || { echo "cannot tell the kernel release of $(KDIR): set KVER=" >&2; exit 1; }
	install -D -m 0644 minifw.ko $(DESTDIR)/lib/modules/$(KVER)/updates/minifw.ko
	depmod -a $(KVER)

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/minifw.ko
	depmod -a $(KVER)

# Built with gcc and with clang: their sanitizers catch different things
# (clang's flags arithmetic on a NULL pointer, for one).
build/unit/test_rules-%: rules.c include/minifw.h include/minifw_user.h tests/unit/test_rules.c
	@mkdir -p build/unit
	$* $(UNIT_CFLAGS) -o $@ rules.c tests/unit/test_rules.c

unit: build/unit/test_rules-gcc build/unit/test_rules-clang
	build/unit/test_rules-gcc
	build/unit/test_rules-clang

# libFuzzer with ASan and UBSan over rules.c's write path (clang, from
# Debian's clang and libclang-rt-dev). New finds land in build/fuzz/corpus;
# a crash leaves its input in build/fuzz/ and fails.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude

build/fuzz/fuzz_rules: rules.c include/minifw.h include/minifw_user.h tests/fuzz/fuzz_rules.c
	@mkdir -p build/fuzz
	clang $(FUZZ_CFLAGS) -o $@ rules.c tests/fuzz/fuzz_rules.c

fuzz: build/fuzz/fuzz_rules
	@mkdir -p build/fuzz/corpus
	build/fuzz/fuzz_rules -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		-artifact_prefix=build/fuzz/ -print_final_stats=1 build/fuzz/corpus tests/fuzz/seeds

test:
	tests/run-all.sh

check:
	tests/run-all.sh --check-only

demo:
	examples/demo.sh

test-debug:
	tests/debug/run-debug.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf build
