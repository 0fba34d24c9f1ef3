#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted, malformed IPv4 packets through minifw and iptables, for
tests/bats/80-packets.bats: a differential test of the two matchers. Runs
in the test VM, as root.

  packets.py run    load the rules into minifw (loaded, without rules) and
                    into iptables-legacy's raw table (replacing it), send
                    every packet from netns "peer" over veth mfwp to mfw0
                    and compare the counters

Each packet VARIANT is sent twice, with two source addresses: 198.51.100.K
(only minifw has rules for it) and 198.51.100.128+K (only iptables has).
Both get the same RULES, counting only (no -j), in PREROUTING: minifw's
hook (priority -399) and iptables' raw table (-300), with nothing between
them (no conntrack, no defrag: fragments arrive as they were sent). Two
copies because a packet minifw drops never reaches iptables. Neither
firewall drops anything, except that both drop a packet whose transport
header a TCP/UDP/ICMP match cannot read ("hotdrop"); the last rule,
"-s SRC" again, counts the packets that were not dropped.

For every variant and rule, minifw's packets and bytes must equal
iptables'. Packets that ip_rcv() drops before any hook (bad header) count
0 in both: that is still a comparison, and the kernel's own counters
(InHdrErrors, InTruncatedPkts) must have grown by exactly the number of
such copies sent (plus those with a bad IP option, which are counted
there after PREROUTING). Every other packet must reach both hooks (rule 1
counts it), and no non-first fragment may match a port rule in minifw.
Prints one line per variant (an x for each rule that counted it), and a
"DIFF ..." line for every disagreement; exits 1 on any.
"""

import ctypes
import os
import socket
import subprocess
import sys
import time

RULES = [
    "",                                         # 1: every packet from SRC
    "-p tcp",
    "-p tcp -m multiport --dports 80,443",
    "-p udp",
    "-p udp -m multiport --sports 5353",
    "-p icmp",
    "-p tcp -m tcp",
    "-p tcp --dport 80",
    "-p tcp ! --dport 80",
    "-p tcp --syn",
    "-p udp --dport 53",
    "-p udp ! --dport 53",
    "-p icmp --icmp-type echo-request",
    "-p icmp --icmp-type any",
    "",                                         # 15: not dropped on the way
]
# rules that read the transport header, which a non-first fragment lacks
L4_RULES = [3, 5, 7, 8, 9, 10, 11, 12, 13, 14]

# Where minifw disagrees with iptables today. Each is printed as "KNOWN
# DIFF" on every run and must still be there exactly (minifw's and
# iptables' packet counts): once minifw is fixed, the run fails until the
# entry is removed. Nothing else may differ. (None now: -m multiport, as
# xt_multiport, needs only the four bytes of the ports.)
KNOWN = {}

DST = "192.0.2.1"
PRE, OPT, OK = "pre", "opt", "ok"
MARK = 120          # the last packet (198.51.100.120, .248): all else came


def src(k, ipt):
    return "198.51.100.%d" % (k + (128 if ipt else 0))


def rules_for(n, ipt):
    """The rules for one of the copies, with the mark's rule last."""
    out = ["-A PREROUTING -s %s/32 %s" % (src(k, ipt), r) for k in range(1, n + 1)
           for r in RULES]
    out.append("-A PREROUTING -s %s/32" % src(MARK, ipt))
    return [l.rstrip() for l in out]


def variants():
    """(name, kind, builder(src) -> IP packet bytes). Kinds: PRE, dropped
    by ip_rcv() before any hook, as a header error or truncated; OPT,
    counted as a header error after PREROUTING (bad IP option); OK."""
    from scapy.layers.inet import IP, TCP, UDP, ICMP, IPOption_NOP, IPOption_RR

    def ip(s, **kw):
        return IP(src=s, dst=DST, **kw)

    def raw(p):
        return bytes(p)

    def patch(b, off, val):
        b = bytearray(b)
        b[off:off + len(val)] = val
        return bytes(b)

    udp53 = lambda: UDP(sport=5353, dport=53) / b"query"
    syn80 = lambda: TCP(sport=40000, dport=80, flags="S")
    v = [
        # ip_rcv() refuses these before any hook
        ("IPv4 header cut at 16 bytes", PRE, lambda s: raw(ip(s) / udp53())[:16]),
        ("IHL 4", PRE, lambda s: raw(ip(s, ihl=4) / udp53())),
        ("IHL 0", PRE, lambda s: raw(ip(s, ihl=0) / udp53())),
        ("version 6 in an IPv4 frame", PRE, lambda s: raw(ip(s, version=6) / udp53())),
        ("total length 12, less than the header", PRE, lambda s: raw(ip(s, len=12) / udp53())),
        ("total length 19 with IHL 6", PRE,
         lambda s: raw(ip(s, len=19, options=[IPOption_NOP()] * 4) / udp53())),
        ("total length past the frame", PRE, lambda s: raw(ip(s, len=200) / udp53())),
        ("IHL 6 in a 20-byte frame", PRE, lambda s: raw(ip(s, ihl=6, len=20))),
        ("bad header checksum", PRE, lambda s: raw(ip(s, chksum=0x1234) / udp53())),
        # these reach PREROUTING
        ("UDP to port 53", OK, lambda s: raw(ip(s) / udp53())),
        ("TCP SYN to port 80", OK, lambda s: raw(ip(s) / syn80())),
        ("TCP Xmas to port 80", OK,
         lambda s: raw(ip(s) / TCP(sport=40000, dport=80, flags="FSRPAUEC"))),
        ("ICMP echo request", OK, lambda s: raw(ip(s) / ICMP())),
        ("protocol 253", OK, lambda s: raw(ip(s, proto=253) / (b"x" * 8))),
        ("UDP length field 0", OK,
         lambda s: raw(ip(s) / UDP(sport=5353, dport=53, len=0) / b"data")),
        ("UDP length field 4", OK,
         lambda s: raw(ip(s) / UDP(sport=5353, dport=53, len=4))),
        ("UDP without header", OK, lambda s: raw(ip(s, proto=17))),
        ("UDP header cut at 4 bytes", OK, lambda s: raw(ip(s, proto=17) / raw(udp53())[:4])),
        ("UDP header cut by total length", OK,
         lambda s: raw(ip(s, len=24) / udp53())),
        ("TCP data offset 15, past the packet", OK,
         lambda s: raw(ip(s) / TCP(sport=40000, dport=80, flags="S", dataofs=15))),
        ("TCP data offset 0", OK,
         lambda s: raw(ip(s) / TCP(sport=40000, dport=80, flags="S", dataofs=0))),
        ("TCP header cut at 12 bytes", OK, lambda s: raw(ip(s, proto=6) / raw(syn80())[:12])),
        ("TCP header cut at 14 bytes (flags in)", OK,
         lambda s: raw(ip(s, proto=6) / raw(syn80())[:14])),
        ("TCP without header", OK, lambda s: raw(ip(s, proto=6))),
        ("ICMP header cut at 2 bytes", OK, lambda s: raw(ip(s, proto=1) / raw(ICMP())[:2])),
        ("ICMP without header", OK, lambda s: raw(ip(s, proto=1))),
        ("IP options: 4 NOPs, UDP to 53", OK,
         lambda s: raw(ip(s, options=[IPOption_NOP()] * 4) / udp53())),
        ("IP options: record route, TCP SYN to 80", OK,
         lambda s: raw(ip(s, options=[IPOption_RR(length=11, routers=["0.0.0.0", "0.0.0.0"])])
                       / syn80())),
        ("IP options: 40 bytes (IHL 15), UDP to 53", OK,
         lambda s: raw(ip(s, options=[IPOption_NOP()] * 40) / udp53())),
        ("IP options: IHL 15, no TCP header after", OK,
         lambda s: raw(ip(s, proto=6, options=[IPOption_NOP()] * 40))),
        ("IP options: bad option length, UDP to 53", OPT,
         lambda s: raw(ip(s, options=b"\x44\x02\x05\x00") / udp53())),
        ("first fragment, UDP to 53", OK,
         lambda s: raw(ip(s, flags="MF", frag=0) / UDP(sport=5353, dport=53, len=100)
                       / (b"q" * 16))),
        ("first fragment, TCP header cut at 8 bytes", OK,
         lambda s: raw(ip(s, proto=6, flags="MF", frag=0) / raw(syn80())[:8])),
        ("fragment at 8 bytes, UDP-port-53 look-alike", OK,
         lambda s: raw(ip(s, proto=17, flags="MF", frag=1) / raw(udp53())[:8])),
        ("last fragment at 1480 bytes, UDP", OK,
         lambda s: raw(ip(s, proto=17, frag=185) / raw(udp53()))),
        ("TCP fragment at 8 bytes (overwrites flags)", OK,
         lambda s: raw(ip(s, proto=6, flags="MF", frag=1) / raw(syn80()))),
        ("TCP fragment at 16 bytes, port-80 look-alike", OK,
         lambda s: raw(ip(s, proto=6, flags="MF", frag=2) / raw(syn80()))),
        ("ICMP fragment at 24 bytes, echo look-alike", OK,
         lambda s: raw(ip(s, proto=1, frag=3) / raw(ICMP()))),
        ("DF and MF, UDP to 53", OK,
         lambda s: raw(ip(s, flags="DF+MF") / UDP(sport=5353, dport=53, len=100)
                       / (b"q" * 16))),
    ]
    return v


libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


def ip_stat(path, prefix, name):
    lines = [l.split() for l in open(path) if l.startswith(prefix)]
    return dict(zip(lines[0][1:], (int(x) for x in lines[1][1:])))[name]


def hdr_drops():
    return (ip_stat("/proc/net/snmp", "Ip:", "InHdrErrors") +
            ip_stat("/proc/net/netstat", "IpExt:", "InTruncatedPkts"))


def minifw_counts():
    rows = [l.split(" ", 4) for l in open("/proc/minifw/stats")
            if l.startswith("PREROUTING ") and not l.startswith("PREROUTING policy")]
    return [(int(r[2]), int(r[3])) for r in rows]


def iptables_counts():
    out = subprocess.run(["iptables-legacy-save", "-c", "-t", "raw"], check=True,
                         capture_output=True, text=True).stdout
    res = []
    for l in out.splitlines():
        if l.startswith("[") and " -A PREROUTING " in l:
            p, b = l[1:l.index("]")].split(":")
            res.append((int(p), int(b)))
    return res


def load_rules(n):
    data = ("\n".join(rules_for(n, False)) + "\n").encode()
    fd = os.open("/proc/minifw/rules", os.O_WRONLY)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    doc = "*raw\n" + "\n".join(rules_for(n, True)) + "\nCOMMIT\n"
    subprocess.run(["iptables-legacy-restore"], input=doc, text=True, check=True)


def run():
    from scapy.layers.l2 import Ether
    from scapy.layers.inet import IP, ICMP

    vs = variants()
    load_rules(len(vs))
    mac = open("/sys/class/net/mfw0/address").read().strip()
    eth = bytes(Ether(dst=mac, src="02:00:00:00:00:02", type=0x0800))
    drops0 = hdr_drops()
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    setns("/run/netns/peer")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(("mfwp", 0))
    if libc.setns(home, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns back")
    expect = 0
    for k, (name, kind, build) in enumerate(vs, 1):
        for ipt in (False, True):
            s.send(eth + build(src(k, ipt)))
            expect += kind != OK
    for ipt in (False, True):
        s.send(eth + bytes(IP(src=src(MARK, ipt), dst=DST) / ICMP()))
    # the marks come last on the same queue (one sender, pinned to one
    # CPU by the caller): once both counted, all packets were seen
    nm = len(vs) * len(RULES)
    for _ in range(200):
        m, i = minifw_counts(), iptables_counts()
        if len(m) == nm + 1 and len(i) == nm + 1 and m[-1][0] == 1 and i[-1][0] == 1:
            break
        time.sleep(0.05)
    else:
        print("the last packets never arrived")
        return 1
    drops = hdr_drops() - drops0
    bad = known = 0
    for k, (name, kind, _) in enumerate(vs, 1):
        mk = m[(k - 1) * len(RULES):k * len(RULES)]
        ik = i[(k - 1) * len(RULES):k * len(RULES)]
        hits = "".join("x" if c[0] else "." for c in mk)
        print("%2d %-46s minifw %s iptables %s" %
              (k, name, hits, "".join("x" if c[0] else "." for c in ik)))
        for r, (a, b) in enumerate(zip(mk, ik), 1):
            if (name, r) in KNOWN:
                if (a[0], b[0]) == KNOWN[name, r]:
                    known += 1
                    print("KNOWN DIFF packet %d (%s), rule %d \"%s\": minifw %d packets, "
                          "iptables %d packets" % (k, name, r, ("-s SRC " + RULES[r - 1]).strip(),
                                                   a[0], b[0]))
                else:
                    bad += 1
                    print("CHANGED packet %d (%s), rule %d: minifw %d, iptables %d packets, "
                          "not the known %d and %d: update KNOWN in packets.py" %
                          ((k, name, r, a[0], b[0]) + KNOWN[name, r]))
            elif a != b:
                bad += 1
                print("DIFF packet %d (%s), rule %d \"%s\": minifw %d packets %d bytes, "
                      "iptables %d packets %d bytes" %
                      (k, name, r, ("-s SRC " + RULES[r - 1]).strip(), a[0], a[1], b[0], b[1]))
        if kind == PRE and (mk[0][0] or ik[0][0]):
            bad += 1
            print("UNEXPECTED packet %d (%s): ip_rcv() should have dropped it" % (k, name))
        if kind != PRE and not (mk[0][0] and ik[0][0]):
            bad += 1
            print("UNEXPECTED packet %d (%s): it did not reach both hooks" % (k, name))
        if "fragment at" in name and any(mk[r - 1][0] for r in L4_RULES):
            bad += 1
            print("UNEXPECTED packet %d (%s): a non-first fragment matched a transport-header rule" %
                  (k, name))
    print("header errors and truncated packets counted by the kernel: %d, expected %d" %
          (drops, expect))
    if drops != expect:
        bad += 1
    print("%d variants, %d disagreements, %d known (KNOWN in packets.py)" %
          (len(vs), bad, known))
    if known != len(KNOWN):
        print("FAIL: %d known differences, not %d" % (known, len(KNOWN)))
        return 1
    return 1 if bad else 0


def main():
    if sys.argv[1:] == ["run"]:
        return run()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
