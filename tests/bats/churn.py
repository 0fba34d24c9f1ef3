#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writers and readers of /proc/minifw running alongside traffic, for
tests/bats/75-concurrency.bats. Runs in the test VM, as root.

  churn.py writer ID READY STOP RULE TOTAL
      until the file STOP exists: insert rules of its own into PREROUTING
      and INPUT, then delete them again (each a one-write transaction).
      Every write must succeed.
  churn.py reader READY STOP RULE TOTAL
      until STOP exists: read /proc/minifw/rules and /proc/minifw/stats
      whole; each listing must be complete and hold RULE (in listing form,
      without "-A PREROUTING") exactly once, and RULE's packet counter must
      never go backwards nor pass TOTAL.
Both create READY after their first round. A round is "inside" the traffic
when RULE's counter was above 0 before it and below TOTAL after it. Each
prints "writer ID rounds N inside M" or "reader reads N inside M" and exits
0, or prints what went wrong and exits 1.
"""

import os
import sys

RULES = "/proc/minifw/rules"
STATS = "/proc/minifw/stats"


def write(data):
    fd = os.open(RULES, os.O_WRONLY)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def count(rule):
    """RULE's packet counter in /proc/minifw/stats, or None."""
    with open(STATS) as f:
        stats = f.read().splitlines()
    mine = [l.split(" ", 4) for l in stats
            if l.startswith("PREROUTING ") and l.endswith(" " + rule)]
    if len(mine) != 1 or len(mine[0]) != 5 or mine[0][4] != rule:
        print("rule %r not once in the stats:\n%s" % (rule, "\n".join(stats)))
        return None
    return int(mine[0][2])


def writer(wid, ready, stop, rule, total):
    # The writer's own rules: 203.0.113.ID never matches the test traffic.
    src = "203.0.113.%d/32" % (10 + wid)
    add = ("-I PREROUTING 1 -s %s -p udp --dport 9999 -j DROP\n"
           "-A PREROUTING -s %s -m comment --comment w%d\n"
           "-I INPUT 1 -s %s -p tcp -m multiport --dports 80,443 -j REJECT\n"
           % (src, src, wid, src)).encode()
    delete = ("-D PREROUTING -s %s -p udp --dport 9999 -j DROP\n"
              "-D PREROUTING -s %s -m comment --comment w%d\n"
              "-D INPUT -s %s -p tcp -m multiport --dports 80,443 -j REJECT\n"
              % (src, src, wid, src)).encode()
    rounds = inside = 0
    while True:
        before = count(rule)
        for data in (add, delete):
            try:
                write(data)
            except OSError as e:
                with open("/proc/minifw/error") as f:
                    print("writer %d round %d: %s: %s" % (wid, rounds, e, f.read().strip()))
                return 1
        after = count(rule)
        if before is None or after is None:
            return 1
        inside += before > 0 and after < total
        rounds += 1
        if rounds == 1:
            open(ready, "w").close()
        if os.path.exists(stop):
            break
    print("writer %d rounds %d inside %d" % (wid, rounds, inside))
    return 0


def reader(ready, stop, rule, total):
    reads = inside = 0
    last = 0
    while True:
        with open(RULES) as f:
            text = f.read()
        lines = text.splitlines()
        if not text.startswith("# minifw ruleset") or lines[-1] != "COMMIT" or \
                lines.count("-A PREROUTING " + rule) != 1:
            print("reader: bad listing:\n" + text)
            return 1
        pkts = count(rule)
        if pkts is None:
            return 1
        if not last <= pkts <= total:
            print("reader: the counter went from %d to %d (total %d)" % (last, pkts, total))
            return 1
        inside += 0 < pkts < total
        last = pkts
        reads += 1
        if reads == 1:
            open(ready, "w").close()
        if os.path.exists(stop):
            break
    print("reader reads %d inside %d" % (reads, inside))
    return 0


def main():
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "writer":
        return writer(int(a[1]), a[2], a[3], a[4], int(a[5]))
    if len(a) == 5 and a[0] == "reader":
        return reader(a[1], a[2], a[3], int(a[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
