#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writers and readers of /proc/minifw while pktgen injects packets, for
tests/bats/75-concurrency.bats. Runs in the test VM, as root, with pktgen
set up but not started.

  churn.py WRITERS READERS RULE TOTAL

Starts WRITERS writer and READERS reader threads (one process, so one
start-up under emulation; the threads run in the kernel at the same time,
as Python lets go of its lock during system calls). A writer inserts
rules of its own into PREROUTING and INPUT and deletes them again, each
a one-write transaction through its own open of /proc/minifw/rules; every
write must succeed. A reader reads /proc/minifw/rules and
/proc/minifw/stats whole: each listing must be complete and hold RULE (in
listing form, without "-A PREROUTING ") exactly once, and RULE's packet
counter must never go backwards nor pass TOTAL. Once every thread has
done a round, pktgen is started (writing "start" to
/proc/net/pktgen/pgctrl returns when it is done); then the threads stop.

A round is "inside" the injection when RULE's counter was above 0 before
it and below TOTAL after it. Prints "writer N rounds R inside I" and
"reader N reads R inside I" for each thread; exits 1 if any thread failed.
"""

import os
import sys
import threading

RULES = "/proc/minifw/rules"
STATS = "/proc/minifw/stats"


class Failed(Exception):
    pass


def write(data):
    fd = os.open(RULES, os.O_WRONLY)
    try:
        os.write(fd, data)
    except OSError as e:
        with open("/proc/minifw/error") as f:
            raise Failed("%s: %s" % (e, f.read().strip()))
    finally:
        os.close(fd)


def count(rule):
    """RULE's packet counter in /proc/minifw/stats."""
    with open(STATS) as f:
        stats = f.read().splitlines()
    mine = [l.split(" ", 4) for l in stats
            if l.startswith("PREROUTING ") and l.endswith(" " + rule)]
    if len(mine) != 1 or len(mine[0]) != 5 or mine[0][4] != rule:
        raise Failed("rule %r not once in the stats:\n%s" % (rule, "\n".join(stats)))
    return int(mine[0][2])


class Worker(threading.Thread):
    def __init__(self, name, stop, ready, rule, total):
        super().__init__()
        self.name, self.stop, self.ready = name, stop, ready
        self.rule, self.total = rule, total
        self.rounds = self.inside = 0
        self.error = None

    def run(self):
        try:
            while True:
                before = count(self.rule)
                self.round()
                after = count(self.rule)
                if not before <= after <= self.total:
                    raise Failed("the counter went from %d to %d (total %d)" %
                                 (before, after, self.total))
                self.inside += before > 0 and after < self.total
                self.rounds += 1
                if self.rounds == 1:
                    self.ready.release()
                if self.stop.is_set():
                    break
        except Exception as e:      # reported by the main thread
            self.error = e
            if self.rounds == 0:
                self.ready.release()


class Writer(Worker):
    def __init__(self, n, *args):
        super().__init__("writer %d" % n, *args)
        # its own rules: 203.0.113.N never matches the injected packets
        src = "203.0.113.%d/32" % (10 + n)
        self.add = ("-I PREROUTING 1 -s %s -p udp --dport 9999 -j DROP\n"
                    "-A PREROUTING -s %s -m comment --comment w%d\n"
                    "-I INPUT 1 -s %s -p tcp -m multiport --dports 80,443 -j REJECT\n"
                    % (src, src, n, src)).encode()
        self.delete = ("-D PREROUTING -s %s -p udp --dport 9999 -j DROP\n"
                       "-D PREROUTING -s %s -m comment --comment w%d\n"
                       "-D INPUT -s %s -p tcp -m multiport --dports 80,443 -j REJECT\n"
                       % (src, src, n, src)).encode()

    def round(self):
        write(self.add)
        write(self.delete)


class Reader(Worker):
    def __init__(self, n, *args):
        super().__init__("reader %d" % n, *args)

    def round(self):
        with open(RULES) as f:
            text = f.read()
        lines = text.splitlines()
        if not text.startswith("# minifw ruleset") or lines[-1] != "COMMIT" or \
                lines.count("-A PREROUTING " + self.rule) != 1:
            raise Failed("bad listing:\n" + text)


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    nw, nr, rule, total = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    stop, ready = threading.Event(), threading.Semaphore(0)
    threads = [Writer(i, stop, ready, rule, total) for i in range(1, nw + 1)]
    threads += [Reader(i, stop, ready, rule, total) for i in range(1, nr + 1)]
    for t in threads:
        t.start()
    for t in threads:
        ready.acquire()
    try:
        with open("/proc/net/pktgen/pgctrl", "w") as f:
            f.write("start\n")
    finally:
        stop.set()
        for t in threads:
            t.join()
    failed = 0
    for t in threads:
        word = "reads" if isinstance(t, Reader) else "rounds"
        print("%s %s %d inside %d%s" % (t.name, word, t.rounds, t.inside,
                                         ": FAILED: %s" % t.error if t.error else ""))
        failed += t.error is not None
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
