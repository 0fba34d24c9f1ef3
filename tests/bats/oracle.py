#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""iptables-legacy as the oracle: the same filter-table rules loaded once
into minifw and once into iptables-legacy, the same probe packets sent to
each, and every probe's fate and every counter compared. Runs in the test
VM, as root, in netns "peer" (ip netns exec peer oracle.py ...): probes
go from there to 192.0.2.1 over mfwp; the firewalls are driven in the
root namespace (nsenter -t 1 -n).

  oracle.py DOC [--then EDITS]... PROBE...

  DOC     an iptables-restore document (the *filter table), loaded into
          each firewall in turn
  EDITS   a file of commands ("-E a b", "-I c 1 -p tcp", one a line),
          applied after the probes were sent, each as one write to
          /proc/minifw/rules and as one iptables-legacy command; the
          probes are then sent again
  PROBE   icmp:SRC (an echo request), tcp:SRC:PORT (a SYN), or
          udp:SRC:PORT, from SRC, an address of netns "peer"; with
          @ttl=N, @tos=N and/or @pad=N after it (comma-separated after
          one @): the IP TTL (default 64), the TOS byte (default 0) and N
          bytes more of payload; for tcp also @flags=F (scapy's letters,
          default S) and @mss=N (an MSS option)

minifw must be loaded, without rules, and iptables-legacy's filter table
empty. Each firewall's rounds start with conntrack's table flushed, if
connection tracking runs. A probe's fate is what came back within the timeout: "reply" (an
echo reply), "rst", "synack", "unreach/CODE" (an ICMP destination
unreachable), or "none" (dropped). Compared after every round: the fates,
the packets and bytes of every rule of every chain and of the built-in
chains' policies, and the listings (minifw's against iptables-save's,
counters left out). One known difference is allowed for: iptables-legacy
zeroes the policies' counters at every command, minifw does not, so after
edits a policy's counters are compared as minifw's growth in the round. Prints minifw's view and one "DIFF" line for each
disagreement; exits 1 on any.
"""

import os
import re
import shlex
import subprocess
import sys

# scapy's layers, not scapy.all: half the import time under emulation
from scapy.config import conf
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.sendrecv import sr

DST = "192.0.2.1"
ROOT = ["nsenter", "-t", "1", "-n"]
TIMEOUT = 2

conf.verb = 0


def probe_packets(probes):
    pkts = []
    for k, spec in enumerate(probes):
        spec, _, mods = spec.partition("@")
        opts = dict(m.split("=") for m in mods.split(",") if m)
        kind, src, *port = spec.split(":")
        ip = IP(src=src, dst=DST, id=1000 + k, ttl=int(opts.pop("ttl", 64)),
                tos=int(opts.pop("tos", "0"), 0))
        pad = b"p" * int(opts.pop("pad", 0))
        flags = opts.pop("flags", "S")
        tcpopts = [("MSS", int(opts.pop("mss")))] if "mss" in opts else []
        if opts:
            raise SystemExit("bad probe option in %r" % spec)
        if kind == "icmp":
            pkts.append(ip / ICMP(id=k, seq=1) / pad)
        elif kind == "tcp":
            pkts.append(ip / TCP(sport=40000 + k, dport=int(port[0]), flags=flags, seq=k,
                                 options=tcpopts) / pad)
        elif kind == "udp":
            pkts.append(ip / UDP(sport=40000 + k, dport=int(port[0])) / (b"probe" + pad))
        else:
            raise SystemExit("bad probe %r" % spec)
    return pkts


def fate(answer):
    if answer is None:
        return "none"
    if answer.haslayer(TCP):
        flags = answer[TCP].flags
        return "rst" if flags & 0x04 else "synack" if flags & 0x12 == 0x12 else str(flags)
    if answer.haslayer(ICMP):
        icmp = answer[ICMP]
        if icmp.type == 0:
            return "reply"
        if icmp.type == 3:
            return "unreach/%d" % icmp.code
        return "icmp/%d/%d" % (icmp.type, icmp.code)
    return answer.summary()


def send(pkts):
    """Every probe at once; the fate of each, in order."""
    answered, _ = sr(pkts, iface="mfwp", timeout=TIMEOUT, inter=0.01)
    # sr() answers copies of the packets it sent: match them by content
    by_bytes = {bytes(s): a for s, a in answered}
    return [fate(by_bytes.get(bytes(p))) for p in pkts]


def root(cmd, data=None):
    return subprocess.run(ROOT + cmd, input=data, text=True, check=True,
                          capture_output=True).stdout


def minifw_write(text):
    with open("/proc/minifw/rules", "w") as f:
        f.write(text)


# minifw's filter table has these too; iptables' has not
NOT_IN_FILTER = ("PREROUTING", "POSTROUTING")


def minifw_counters():
    """"CHAIN N" / "CHAIN policy" -> (packets, bytes); built-in policies only."""
    res = {}
    for line in open("/proc/minifw/stats"):
        f = line.rstrip("\n").split(" ", 4)
        if line.startswith("#") or f[0] in NOT_IN_FILTER:
            continue
        if f[1] == "policy" and f[4] == "RETURN":
            continue        # a user chain's end: iptables-save has no counter for it
        res["%s %s" % (f[0], f[1])] = (int(f[2]), int(f[3]))
    return res


def iptables_counters(save):
    res, n = {}, {}
    for line in save.splitlines():
        m = re.match(r"^:(\S+) (ACCEPT|DROP) \[(\d+):(\d+)\]$", line)
        if m:
            res["%s policy" % m.group(1)] = (int(m.group(3)), int(m.group(4)))
            continue
        m = re.match(r"^\[(\d+):(\d+)\] -A (\S+)( |$)", line)
        if m:
            chain = m.group(3)
            n[chain] = n.get(chain, 0) + 1
            res["%s %d" % (chain, n[chain])] = (int(m.group(1)), int(m.group(2)))
    return res


def listing(text):
    """A filter-table document without comments and counters (and with
    one space after --nfacct-name, where iptables-save prints two)."""
    out = []
    for line in text.splitlines():
        if line.startswith("#") or line.startswith("*"):
            continue
        line = line.replace(" --nfacct-name  ", " --nfacct-name ")
        line = re.sub(r"^\[\d+:\d+\] ", "", line)
        out.append(re.sub(r" \[\d+:\d+\]$", "", line))
    return out


class Minifw:
    name = "minifw"

    def load(self, doc):
        minifw_write(doc)

    def edit(self, line):
        minifw_write(line + "\n")

    def counters(self):
        return minifw_counters()

    def listing(self):
        return [l for l in listing(open("/proc/minifw/rules").read())
                if l not in (":%s ACCEPT" % c for c in NOT_IN_FILTER)]

    def clear(self):
        minifw_write("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                     ":OUTPUT ACCEPT [0:0]\nCOMMIT\n")


class Iptables:
    name = "iptables"

    def load(self, doc):
        root(["iptables-legacy-restore"], doc)

    def edit(self, line):
        root(["iptables-legacy"] + shlex.split(line))

    def counters(self):
        return iptables_counters(root(["iptables-legacy-save", "-c", "-t", "filter"]))

    def listing(self):
        return listing(root(["iptables-legacy-save", "-t", "filter"]))

    def clear(self):
        root(["iptables-legacy-restore"], "*filter\n:INPUT ACCEPT [0:0]\n"
             ":FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n")


def run(fw, doc, edits, pkts):
    """Rounds of fates and counters, one before the edits and one after each."""
    rounds = []
    fw.load(doc)
    # each firewall meets the probes with no connection known: not the
    # one the other's round left (an echo request would be ESTABLISHED).
    # Only if connection tracking runs: conntrack(8) would load it.
    if os.path.isdir("/sys/module/nf_conntrack"):
        subprocess.run(ROOT + ["conntrack", "-F"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
    for k in range(len(edits) + 1):
        if k:
            for line in edits[k - 1]:
                fw.edit(line)
        rounds.append((send(pkts), fw.counters(), fw.listing()))
    fw.clear()
    return rounds


def main(argv):
    doc = open(argv[0]).read()
    edits, probes, i = [], [], 1
    while i < len(argv):
        if argv[i] == "--then":
            edits.append([l for l in open(argv[i + 1]).read().splitlines() if l.strip()])
            i += 2
        else:
            probes.append(argv[i])
            i += 1
    pkts = probe_packets(probes)
    mine = run(Minifw(), doc, edits, pkts)
    theirs = run(Iptables(), doc, edits, pkts)
    bad = ncounters = 0
    for k, ((mf, mc, ml), (tf, tc, tl)) in enumerate(zip(mine, theirs)):
        print("round %d%s" % (k, " (after edits %d)" % k if k else ""))
        for spec, a, b in zip(probes, mf, tf):
            print("  %-24s %s" % (spec, a))
            if a != b:
                bad += 1
                print("DIFF round %d, %s: minifw %s, iptables %s" % (k, spec, a, b))
        for key in sorted(set(mc) | set(tc)):
            ncounters += 1
            a, b = mc.get(key), tc.get(key)
            if k and key.endswith(" policy") and a:
                # iptables-legacy 1.8.9 zeroes the built-in chains' policy
                # counters at every command; minifw keeps them: compare
                # the packets of this round
                a = tuple(x - y for x, y in zip(a, mine[k - 1][1][key]))
            print("  %-24s %s" % (key, "%d %d" % a if a else "-"))
            if a != b:
                bad += 1
                print("DIFF round %d, counters of %s: minifw %s, iptables %s" % (k, key, a, b))
        if ml != tl:
            bad += 1
            print("DIFF round %d, listings:\n  minifw   %s\n  iptables %s" %
                  (k, "\n           ".join(ml), "\n           ".join(tl)))
    print("%d rounds, %d probes, %d counters compared, %d disagreements" %
          (len(mine), len(mine) * len(probes), ncounters, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
