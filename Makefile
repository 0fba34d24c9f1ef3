# SPDX-License-Identifier: GPL-2.0
# minifw: the user's entry point. Kbuild says what the module is made of.
#
#   make                build minifw.ko for KDIR (W=1, warnings are errors)
#   make test           install test dependencies, build for both Debian
#                       kernels, run unit tests, boot each kernel in QEMU
#                       and run the bats suite there
#   make unit           user-space unit tests of rules.c
#   make check          sparse (C=2) for every test kernel
#   make demo           boot a VM and show minifw at work
#   make install        install into /lib/modules/$(KVER)/updates + depmod
#   make uninstall      remove it again

# The running kernel's build tree, else the newest installed one.
KDIR ?= $(or $(wildcard /lib/modules/$(shell uname -r)/build),$(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1))
# The release KDIR builds for, where `make install` puts the module.
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
KBUILD_FLAGS := W=1 KCFLAGS=-Werror

CC ?= cc
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude

.PHONY: all module install uninstall clean unit test check demo

all: module

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers-$(KVER) or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_FLAGS) modules

# Out-of-tree builds for one kernel, in build/KVER/ (a tree of symlinks), so
# that several kernels can be built side by side.
build/%/minifw.ko: FORCE
	@mkdir -p build/$*
	@for f in Kbuild minifw.c rules.c proc.c include; do ln -sfn ../../$$f build/$*/$$f; done
	$(MAKE) -C /lib/modules/$*/build M=$(CURDIR)/build/$* $(KBUILD_FLAGS) $(EXTRA) modules

FORCE:

install: module
	@test -n "$(KVER)" || { echo "cannot tell the kernel release of $(KDIR): set KVER=" >&2; exit 1; }
	install -D -m 0644 minifw.ko $(DESTDIR)/lib/modules/$(KVER)/updates/minifw.ko
	depmod -a $(KVER)

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/minifw.ko
	depmod -a $(KVER)

build/unit/test_rules: rules.c include/minifw.h include/minifw_user.h tests/unit/test_rules.c
	@mkdir -p build/unit
	$(CC) $(UNIT_CFLAGS) -o $@ rules.c tests/unit/test_rules.c

unit: build/unit/test_rules
	build/unit/test_rules

test:
	tests/run-all.sh

check:
	tests/run-all.sh --check-only

demo:
	tests/demo.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf build
