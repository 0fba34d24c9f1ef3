#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Load/unload cycles of minifw and a leak check, for
tests/bats/75-concurrency.bats. Runs in the test VM, as root, with minifw
not loaded. One process, no fork per step:
the module is loaded and removed with finit_module(2) / delete_module(2).

  cycles.py KO RULES CYCLES RULE_TOLERANCE OTHER_TOLERANCE PERCPU_TOLERANCE_KB

One cycle: load KO with blocked_ips; write RULES rules (counters,
extensions) in one write; replace, delete, insert and zero some; read
both listings; replace everything with a restore block of RULES rules;
add -m recent rules (two lists, one made again larger) and write and read
a list; leave a rules file open with a partial line, a stats file and a
list open in the middle of a listing; unload with those still open; close
them.

The measure: objects in use in every kmalloc-N slab cache, after shrinking
it (which flushes the per-CPU slabs, whose free objects would otherwise
count as in use), and the Percpu line of /proc/meminfo. Taken after one
warm-up cycle (first-time allocations outside minifw: the baseline), with
the module loaded and its RULES rules in place, and after CYCLES more
cycles. The loaded measure tells which caches hold what every rule
allocates (those that grew by RULES / 2 or more): "rule caches". Each
rule holds an extension (kmalloc-512) and a counter, handed out in blocks
of up to 127 (kmalloc-4k, and 16 bytes a CPU of per-CPU memory): the
loaded measure must show a rule cache and kmalloc-4k grown by a block per
127 rules, or it would not see minifw.

Fails if, after the cycles, a rule cache holds more than RULE_TOLERANCE
objects over the baseline, another kmalloc cache more than OTHER_TOLERANCE
(the rest of the kernel runs too), or Percpu grew by more than
PERCPU_TOLERANCE_KB. Memory that is only freed late (RCU, workqueues) comes
back down: over a tolerance, the measure is retaken, up to 5 times 2 s
apart, before it fails. Prints every cache's numbers.
"""

import ctypes
import os
import sys
import time

RULES = "/proc/minifw/rules"
STATS = "/proc/minifw/stats"
SYS_FINIT_MODULE = 313          # x86_64
SYS_DELETE_MODULE = 176
O_NONBLOCK = os.O_NONBLOCK

libc = ctypes.CDLL(None, use_errno=True)


def syscall(nr, *args):
    if libc.syscall(nr, *args) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "syscall %d: %s" % (nr, os.strerror(e)))


def load(ko, params):
    fd = os.open(ko, os.O_RDONLY)
    try:
        syscall(SYS_FINIT_MODULE, fd, params.encode(), 0)
    finally:
        os.close(fd)


def unload():
    syscall(SYS_DELETE_MODULE, b"minifw", O_NONBLOCK)


def write(data):
    fd = os.open(RULES, os.O_WRONLY)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def rules_text(n, restore):
    # one rule in ten matches the test traffic (ICMP from 192.0.2.2), the
    # others are walked past
    lines = ["-A INPUT -s 192.0.2.%d -p icmp -m comment --comment %s%d"
             % (2 if i % 10 == 0 else 200, "r" if restore else "rule", i)
             for i in range(1, n + 1)]
    if restore:
        lines = ["*filter"] + lines + ["COMMIT"]
    return ("\n".join(lines) + "\n").encode()


def fill(ko, rules, restore):
    # small -m recent lists (8 addresses: kmalloc-4k and -8k objects; a
    # leak of them, 60 objects, would be within the tolerances: this is
    # for unloading with lists alive, their file open, under traffic)
    load(ko, "blocked_ips=192.0.2.99,198.51.100.0/28 recent_list_tot=8")
    write(rules)
    write(b"-R INPUT 1 -p icmp -m limit --limit 10/second\n-D INPUT 2\n"
          b"-I INPUT 1 -p icmp -m comment --comment new\n-Z INPUT\n")
    read(RULES)
    read(STATS)
    write(restore)
    read(RULES)
    # two lists the test traffic fills; one made again for 64 times
    write(b"-I INPUT 1 -p icmp -m recent --set --name c1\n"
          b"-I INPUT 1 -p icmp -m recent --rcheck --name c2\n")
    write(b"-I INPUT 1 -p icmp -m recent --update --hitcount 40 --name c2\n")
    with open("/proc/minifw/recent/c2", "wb", buffering=0) as f:
        f.write(b"+192.0.2.5\n+2001:db8::5\n")
    read("/proc/minifw/recent/c2")


def cycle(ko, rules, restore):
    fill(ko, rules, restore)
    # files still open at unload: a pending partial line, a listing half read
    w = os.open(RULES, os.O_RDWR)
    os.write(w, b"-A INPUT -p tcp --dport")
    s = open(STATS, "rb", buffering=0)
    s.read(100)
    r = open("/proc/minifw/recent/c1", "rb", buffering=0)
    r.read(10)
    unload()
    os.close(w)
    s.close()
    r.close()


def measure():
    caches = sorted(d for d in os.listdir("/sys/kernel/slab")
                    if d.startswith("kmalloc-") and d[8:9].isdigit())
    for c in caches:
        with open("/sys/kernel/slab/%s/shrink" % c, "w") as f:
            f.write("1")
    m = {}
    for c in caches:
        m[c] = int(read("/sys/kernel/slab/%s/objects" % c).split()[0])
    for line in read("/proc/meminfo").decode().splitlines():
        if line.startswith("Percpu:"):
            m["Percpu-kB"] = int(line.split()[1])
    return m


def over(base, after, rule_caches, tol):
    """Names of what grew past its tolerance."""
    rule_tol, other_tol, pcpu_tol = tol
    return [k for k in base if after[k] - base[k] >
            (pcpu_tol if k == "Percpu-kB" else rule_tol if k in rule_caches else other_tol)]


def main():
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    ko, nrules, ncycles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    tol = tuple(int(a) for a in sys.argv[4:7])
    rules, restore = rules_text(nrules, False), rules_text(nrules, True)

    cycle(ko, rules, restore)           # warm-up
    base = measure()
    fill(ko, rules, restore)
    loaded = measure()
    unload()
    rule_caches = [k for k in base if k != "Percpu-kB" and loaded[k] - base[k] >= nrules // 2]
    for _ in range(ncycles):
        cycle(ko, rules, restore)
    after = measure()
    for _ in range(5):
        if not over(base, after, rule_caches, tol):
            break
        time.sleep(2)
        after = measure()

    print("%-12s %9s %9s %9s %7s" % ("", "baseline", "loaded", "after", "growth"))
    for k in base:
        print("%-12s %9d %9d %9d %+7d%s" % (k, base[k], loaded[k], after[k], after[k] - base[k],
                                            "  rule cache" if k in rule_caches else ""))
    # Each rule holds its extension, one object, and a slot of a counter
    # block (see 75-concurrency.bats): the extensions' cache must have grown
    # by about one object a rule, kmalloc-4k by the full blocks. (A sum over
    # all caches is not enough: other caches shrink by dozens meanwhile.)
    blocks = loaded["kmalloc-4k"] - base["kmalloc-4k"]
    print("loaded: %d caches grew by %d or more for %d rules; kmalloc-4k by %d"
          % (len(rule_caches), nrules // 2, nrules, blocks))
    if not rule_caches or blocks < nrules // 127:
        print("FAIL: the measure does not see minifw's objects")
        return 1
    bad = over(base, after, rule_caches, tol)
    if bad:
        print("FAIL: grew past the tolerance: " + " ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
