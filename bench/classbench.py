#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Access lists in the style of ClassBench (Taylor and Turner, "ClassBench:
a packet classification benchmark", INFOCOM 2005), for minifw's
benchmarks: seeded and deterministic, written for minifw.

  classbench.py rules N [--seed S] [--chain C]
        N 5-tuple rules, "-A C ... -j ACCEPT|DROP" (C: FORWARD), then a
        last "-A C -j DROP"; one a line
  classbench.py packets N COUNT [--seed S]
        COUNT packets for the same N rules, "PROTO SRC DST SPORT DPORT"
        one a line: nine in ten built to fall in a rule drawn evenly from
        the list (so hits are spread over all of it; an earlier rule may
        take the packet first, as it would), one in ten from addresses no
        rule names

The mix of fields follows ClassBench's acl1 seed (an access list of a
real router; its distributions are public in ClassBench's parameter
files): mostly TCP with an exact destination port, then port ranges and
wildcards; source and destination prefixes mostly /32 or /24, some /16
and /8 and a few wildcards; addresses clustered in a few hundred /16
"sites" as real lists are (networks shorter than /16 lie outside
10.0.0.0/8, so that 10.255.0.0/16, where the packets that miss come
from, is in no rule but the wildcards). The tables below are a summary of those
distributions, not a copy of the seed.
"""

import argparse
import random
import sys

# protocol: weight, then the port classes (source/destination) and weights
PROTOCOLS = [
    ("tcp", 0.873, [("wc", "em", 0.653), ("wc", "wc", 0.216), ("wc", "ar", 0.131)]),
    ("any", 0.085, [("wc", "wc", 1.0)]),
    ("icmp", 0.031, [("wc", "wc", 1.0)]),
    ("udp", 0.011, [("wc", "em", 0.875), ("wc", "ar", 0.125)]),
]

# exact destination ports (services of the list), weights
EXACT_PORTS = [(1521, 19), (1526, 5), (1221, 4), (1433, 4), (1525, 3), (135, 3), (14753, 3),
               (1712, 2), (1711, 2), (1704, 2), (5555, 2), (6000, 2), (20, 2), (21, 2),
               (1724, 2), (443, 2), (80, 2), (22, 2), (25, 1), (53, 1), (3306, 1), (8080, 1),
               (5432, 1), (389, 1), (636, 1), (110, 1), (143, 1), (993, 1), (995, 1)]

# destination port ranges, weights
RANGES = [((1600, 1649), 8), ((1300, 1349), 7), ((7500, 7599), 5), ((2200, 2210), 5),
          ((1025, 65535), 4), ((1700, 1750), 4), ((5001, 65535), 4), ((32200, 32207), 4),
          ((8000, 8100), 4), ((61700, 61709), 2), ((61500, 61509), 2), ((20000, 20010), 2),
          ((1024, 65535), 2), ((6000, 6063), 2), ((0, 1023), 1)]

# (source length, destination length): weights
PREFIX_PAIRS = [((32, 32), 49), ((24, 32), 11), ((32, 24), 6), ((23, 32), 10), ((31, 32), 3),
                ((30, 32), 2), ((16, 32), 3), ((32, 16), 2), ((24, 24), 4), ((8, 32), 0.5),
                ((0, 32), 1), ((32, 0), 0.5), ((16, 16), 1), ((0, 0), 0.05)]

SITES = 200            # /16s the addresses cluster in, within 10.0.0.0/8
NOMATCH_NET = 0x0aff0000  # 10.255.0.0/16: no rule names it


def pick(rng, items):
    """One of (value, weight) pairs."""
    total = sum(w for _, w in items)
    r = rng.random() * total
    for v, w in items:
        r -= w
        if r < 0:
            return v
    return items[-1][0]


def ip_str(a):
    return f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}"


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        # sites: /16s of 10.0.0.0/8 but 10.255.0.0/16, hosts in the
        # first 16 /24s of each
        self.sites = [(10 << 24) | (x << 16) for x in self.rng.sample(range(255), SITES)]

    def addr(self, plen):
        """A network of length plen in a site (a host for /32)."""
        rng = self.rng
        mask = (0xffffffff << (32 - plen)) & 0xffffffff
        if plen == 0:
            return 0
        if plen < 16:   # a network of its own, out of 10.0.0.0/8
            return (rng.randrange(11, 224) << 24 | rng.randrange(1 << 24)) & mask
        return (rng.choice(self.sites) | rng.randrange(16) << 8 | rng.randrange(256)) & mask

    def rule(self):
        rng = self.rng
        proto, _, classes = pick(rng, [((p, w, c), w) for p, w, c in PROTOCOLS])
        scls, dcls = pick(rng, [((s, d), w) for s, d, w in classes])
        slen, dlen = pick(rng, PREFIX_PAIRS)
        r = {"proto": proto, "src": (self.addr(slen), slen), "dst": (self.addr(dlen), dlen),
             "sport": None, "dport": None}
        assert scls == "wc"
        if dcls == "em":
            p = pick(rng, EXACT_PORTS)
            r["dport"] = (p, p)
        elif dcls == "ar":
            r["dport"] = pick(rng, RANGES)
        r["target"] = "ACCEPT" if rng.random() < 0.6 else "DROP"
        return r


def rule_text(r, chain):
    out = [f"-A {chain}"]
    for opt, (a, plen) in (("-s", r["src"]), ("-d", r["dst"])):
        if plen:
            out.append(f"{opt} {ip_str(a)}/{plen}")
    if r["proto"] != "any":
        out.append(f"-p {r['proto']}")
    if r["dport"]:
        lo, hi = r["dport"]
        out.append(f"-m {r['proto']} --dport " + (f"{lo}" if lo == hi else f"{lo}:{hi}"))
    out.append(f"-j {r['target']}")
    return " ".join(out)


def rules(n, seed):
    g = Gen(seed)
    return [g.rule() for _ in range(n)]


def packet_in(rng, r):
    """A packet that the rule matches."""
    proto = r["proto"] if r["proto"] != "any" else rng.choice(["tcp", "udp"])

    def inside(a, plen):
        return a | (rng.randrange(1 << (32 - plen)) if plen < 32 else 0)

    src, dst = inside(*r["src"]), inside(*r["dst"])
    if proto == "icmp":
        return f"icmp {ip_str(src)} {ip_str(dst)} 0 0"
    lo, hi = r["dport"] or (0, 65535)
    return f"{proto} {ip_str(src)} {ip_str(dst)} {rng.randrange(1024, 65536)} {rng.randint(lo, hi)}"


def packets(n, count, seed):
    rs = rules(n, seed)
    rng = random.Random(seed * 7919 + count)
    out = []
    for k in range(count):
        if k % 10 == 9:
            a = NOMATCH_NET | rng.randrange(1 << 16)
            b = NOMATCH_NET | rng.randrange(1 << 16)
            out.append(f"udp {ip_str(a)} {ip_str(b)} {rng.randrange(1024, 65536)} 9")
        else:
            out.append(packet_in(rng, rs[rng.randrange(n)]))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["rules", "packets"])
    ap.add_argument("n", type=int)
    ap.add_argument("count", type=int, nargs="?")
    ap.add_argument("--seed", type=int, default=2005)
    ap.add_argument("--chain", default="FORWARD")
    a = ap.parse_args(argv)
    if a.n < 1:
        ap.error("N must be at least 1")
    if a.what == "rules":
        lines = [rule_text(r, a.chain) for r in rules(a.n, a.seed)] + [f"-A {a.chain} -j DROP"]
    else:
        if not a.count:
            ap.error("packets needs COUNT")
        lines = packets(a.n, a.count, a.seed)
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
