#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""minifw's benchmark: ns per packet at PREROUTING for minifw,
iptables-legacy (linear rules in the raw table), ipset hash:net behind one
iptables rule and an nftables interval set, with N source-CIDR drop rules.

  bench.py gen DIR N...       write the rule files for each N to DIR
                              (host side: generating 100,000 CIDRs is slow
                              under emulation)
  bench.py run [options]      measure, inside a VM, as root; prints RUN,
                              LOAD, MEM, CHECK and TABLE lines (below)
  bench.py cleanup            remove everything `run` may have left
  bench.py report LOG OUT.md OUT.dat
                              from run's output: the ratio table (stdout),
                              bench/results.md and the data for gnuplot

Packets. pktgen in "xmit_mode netif_receive" injects UDP packets (64
bytes) into the receive path of veth mfwb0 (dst_mac is its own MAC, so
they are PACKET_HOST): netif_receive_skb() -> ip_rcv() -> PREROUTING, where
all four contenders hook (minifw at -399, iptables' raw table and the nft
chain at -300). A packet from MATCH_SRC lies in the last rule's prefix and
in no other; one from NOMATCH_SRC in none. The destination is 127.0.0.2:
a packet that passes the firewall is dropped right after PREROUTING by the
routing decision (a loopback destination arriving on a non-loopback device
is a martian), so nothing changes the skb and pktgen can reuse it
(burst), and no reply is sent. That also makes pktgen's "errors" an
independent check: netif_receive_skb() returns NET_RX_DROP for a packet
the routing dropped (counted as an error) and -EPERM for one a netfilter
hook dropped (not counted). So a matching run must end with 0 errors and a
non-matching one with errors == packets sent.

Rules. The N CIDRs (N-1 random ones, then LAST_RULE) are generated from a
fixed seed, prefix lengths mixed /16 to /32, non-overlapping, in
10.0.0.0/8 outside 10.255.0.0/16, which holds the packets' sources: a
100,000-CIDR set cannot fit in the documentation ranges. The traffic never
leaves the VM.

Access lists (--acl-n). Lists of N rules from bench/classbench.py (the
lists bench-unit counts; TCP made UDP, which pktgen sends) in minifw's
PREROUTING, iptables' raw PREROUTING and an nft verdict map over source .
destination . protocol . port, each measured with ACL_FLOWS flows of
packets of rules spread over the list (write_acl_rules()); contenders
"minifw-acl", "iptables-acl", "nft-acl", and "none-acl" (the stack alone)
at n=0, where the others have a drop-all rule.

Output lines (key=value, one record a line):
  RUN contender= n= kind=match|nomatch probe=0|1 count= sent= usec= errors= ns=
  LOAD contender= n= round= seconds= cpu=   (wall and CPU time)
  MEM contender= n= kernel_kb= slab_kb= percpu_kb= vmalloc_kb= memfree_kb=
      modules_kb= freed_kb= readings=       (KiB: what the load took, what
                                             loading the modules took, what
                                             removing it all gave back; how
                                             many readings it took to settle)
  RUN ... verdict=accept|drop               (access lists: the flow's, by the
                                             list's first match)
  CHECK contender= n= round= dropped= expected= [accepted= accepted_expected=]
                                            (the contender's own counter of
                                             its drop rule, and the matching
                                             packets sent while it was loaded)
  TABLE contender= n= kind= median_ns= runs=
n=0 is the drop-all rule; contender "none" is the stack without firewall.
probe=1 marks probe and warm-up runs, which the medians leave out.
"""

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

MATCH_SRC = "10.255.128.1"
LAST_RULE = "10.255.128.0/24"
NOMATCH_SRC = "10.255.0.1"
DST = "127.0.0.2"
DEV, PEER = "mfwb0", "mfwb1"
SET = "minifw_bench"            # ipset name and nft table name
SEED = 20240501
CONTENDERS = ["minifw", "iptables", "ipset", "nft"]
PGDIR = "/proc/net/pktgen"
BURST = 32
XTABLES_LIBDIR = "/usr/lib/x86_64-linux-gnu/xtables"

# Share of each prefix length among the random CIDRs, for large N: as many
# addresses in each of /16 to /23 (so few /16s), many /24s, a spread of
# /25 to /31 and /32s for the rest. About 63% of 10.0.0.0/8 at N=100,000.
FRACTIONS = {plen: 8e-5 * 2 ** (plen - 16) for plen in range(16, 24)}
FRACTIONS[24] = 0.2
FRACTIONS.update({plen: 0.05 for plen in range(25, 32)})


START = time.monotonic()


def log(msg):
    print(f"# [{time.monotonic() - START:7.1f}s] {msg}", flush=True)


def emit(tag, **kv):
    print(tag + " " + " ".join(f"{k}={v}" for k, v in kv.items()), flush=True)


# ---------------------------------------------------------------------------
# Rule generation
# ---------------------------------------------------------------------------

def ip_str(a):
    return f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}"


def prefix_lengths(m, rng):
    """Prefix lengths of the m random CIDRs: every length /16 to /32 once
    m is large enough, in the FRACTIONS mix."""
    if m < 32:
        return [16 + rng.randrange(17) for _ in range(m)]
    lens = []
    for plen, frac in FRACTIONS.items():
        lens += [plen] * max(1, round(m * frac))
    lens += [32] * (m - len(lens))
    return lens


def gen_cidrs(n):
    """N CIDRs for the rules, LAST_RULE last; deterministic for each N."""
    rng = random.Random(SEED * 1000003 + n)
    allocated = set()    # (network, plen) taken
    below = set()        # (network, plen) with something taken inside
    out = []
    for plen in sorted(prefix_lengths(n - 1, rng)):
        blocks = 255 << (plen - 16)      # aligned blocks below 10.255.0.0
        while True:
            net = (10 << 24) + (rng.randrange(blocks) << (32 - plen))
            if (net, plen) in below:
                continue
            if any((net & (0xffffffff << (32 - p)) & 0xffffffff, p) in allocated
                   for p in range(16, plen + 1)):
                continue
            break
        allocated.add((net, plen))
        for p in range(16, plen):
            below.add((net & (0xffffffff << (32 - p)) & 0xffffffff, p))
        out.append(f"{ip_str(net)}/{plen}")
    rng.shuffle(out)
    out.append(LAST_RULE)
    return out


def rule_files(d, n):
    return {c: os.path.join(d, f"{c}-{n}.rules") for c in CONTENDERS}


# The restore documents of minifw and iptables-legacy: minifw's filter table
# has PREROUTING, iptables' raw table is where its PREROUTING comes first.
RESTORE_HEADS = {"minifw": "*filter\n:PREROUTING ACCEPT [0:0]\n",
                 "iptables": "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"}


def write_restores(files, rules):
    """The same PREROUTING rules as a restore document for minifw and iptables."""
    for c, head in RESTORE_HEADS.items():
        with open(files[c], "w") as f:
            f.write(head)
            f.writelines(rules)
            f.write("COMMIT\n")


def write_rules(d, n):
    """The four contenders' load documents for N rules (n=0: drop-all)."""
    os.makedirs(d, exist_ok=True)
    files = rule_files(d, n)
    cidrs = gen_cidrs(n) if n else []
    write_restores(files, [f"-A PREROUTING -s {c} -j DROP\n" for c in cidrs] if n
                   else ["-A PREROUTING -j DROP\n"])
    if n:
        # the same rules in a user chain that PREROUTING calls (ChainBlocklist)
        with open(chain_rule_file(d, n), "w") as f:
            f.write(f"*filter\n:PREROUTING ACCEPT [0:0]\n:{BLOCKLIST} - [0:0]\n"
                    f"-A PREROUTING -j {BLOCKLIST}\n")
            f.writelines(f"-A {BLOCKLIST} -s {c} -j DROP\n" for c in cidrs)
            f.write("COMMIT\n")
    with open(files["ipset"], "w") as f:
        f.write(f"create {SET} hash:net family inet hashsize 65536 maxelem 262144\n")
        f.writelines(f"add {SET} {c}\n" for c in cidrs)
    with open(files["nft"], "w") as f:
        f.write(f"table ip {SET} {{\n")
        if n:
            f.write("\tset s {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = {\n")
            f.write(",\n".join("\t\t\t" + c for c in cidrs))
            f.write("\n\t\t}\n\t}\n")
        f.write("\tchain pre {\n\t\ttype filter hook prerouting priority -300; policy accept;\n")
        f.write("\t\tip saddr @s counter drop\n" if n else "\t\tcounter drop\n")
        f.write("\t}\n}\n")
    return files


BLOCKLIST = "blocklist"            # the user chain of minifw-chain


def chain_rule_file(d, n):
    return os.path.join(d, f"minifw-chain-{n}.rules")


PORTS = ["minifw", "iptables"]     # contenders of the port rules
PORT = 9                           # the packets' UDP ports (pktgen)


def port_rule_files(d, n):
    return {c: os.path.join(d, f"{c}-ports-{n}.rules") for c in PORTS}


def write_port_rules(d, n):
    """N rules no classifier can index, for minifw and iptables: UDP port
    rules, each its own port and so each its own rest, the last also with
    the source prefix of the matching packets and their port. minifw walks
    them one by one as iptables does."""
    os.makedirs(d, exist_ok=True)
    files = port_rule_files(d, n)
    rules = [f"-A PREROUTING -p udp -m udp --dport {1000 + i} -j DROP\n" for i in range(n - 1)]
    rules.append(f"-A PREROUTING -s {LAST_RULE} -p udp -m udp --dport {PORT} -j DROP\n")
    write_restores(files, rules)
    return files


ACL = ["minifw", "iptables", "nft"]   # contenders of the access lists
ACL_SEED = 2005                    # bench/classbench.py's default
ACL_FLOWS = 8                      # flows a list is measured with


def classbench():
    """bench/classbench.py, the access lists' generator, as a module."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import classbench as cb        # pylint: disable=import-outside-toplevel
    return cb


def acl_files(d, n):
    files = {c: os.path.join(d, f"{c}-acl-{n}.rules") for c in ACL}
    files["flows"] = os.path.join(d, f"acl-{n}.flows")
    return files


def acl_verdict(cb, rules, proto, src, dst, dport):
    """The first-match verdict of the list for a packet: ACCEPT or DROP."""
    for r in rules:
        (sa, sl), (da, dl) = r["src"], r["dst"]
        m = (0xffffffff << (32 - sl)) & 0xffffffff if sl else 0
        n = (0xffffffff << (32 - dl)) & 0xffffffff if dl else 0
        if (src & m) != sa or (dst & n) != da or r["proto"] not in ("any", proto):
            continue
        if r["dport"] and not r["dport"][0] <= dport <= r["dport"][1]:
            continue
        return r["target"]
    return "DROP"                  # the list's last rule


def nft_acl_elements(cb, rules):
    """The rules as elements of an nft verdict map over source . destination .
    protocol . port, in order, but for those an earlier one overlaps: the
    map's intervals may not overlap (pipapo refuses them), so the first rule
    of overlapping ones is kept, as first-match would."""
    kept, by_src = [], {}

    def prefixes(a, plen):
        return [(a & ((0xffffffff << (32 - k)) & 0xffffffff if k else 0), k)
                for k in range(plen + 1)]

    def overlap(x, y):
        def pfx(p, q):
            k = min(p[1], q[1])
            m = (0xffffffff << (32 - k)) & 0xffffffff if k else 0
            return (p[0] & m) == (q[0] & m)
        lo1, hi1 = x["dport"] or (0, 65535)
        lo2, hi2 = y["dport"] or (0, 65535)
        return (pfx(x["dst"], y["dst"]) and lo1 <= hi2 and lo2 <= hi1 and
                (x["proto"] == y["proto"] or "any" in (x["proto"], y["proto"])))

    # kept rules indexed under their source prefix and each prefix holding it
    for r in rules:
        a, plen = r["src"]
        near = [j for p in prefixes(a, plen) for j in by_src.get(("at", p), [])]
        near += by_src.get(("in", (a, plen)), [])
        if any(overlap(r, kept[j]) for j in near):
            continue
        kept.append(r)
        by_src.setdefault(("at", (a, plen)), []).append(len(kept) - 1)
        for p in prefixes(a, plen)[:-1]:
            by_src.setdefault(("in", p), []).append(len(kept) - 1)
    out = []
    for r in kept:
        (sa, sl), (da, dl) = r["src"], r["dst"]
        lo, hi = r["dport"] or (0, 65535)
        proto = {"udp": "udp", "icmp": "icmp", "any": "0-255"}[r["proto"]]
        port = f"{lo}" if lo == hi else f"{lo}-{hi}"
        out.append(f"{cb.ip_str(sa)}/{sl} . {cb.ip_str(da)}/{dl} . {proto} . {port} : "
                   f"{r['target'].lower()}")
    return out


def write_acl_rules(d, n):
    """An access list of N rules from bench/classbench.py (seed ACL_SEED; the
    same list as bench-unit's), its TCP rules made UDP, for pktgen sends
    UDP, and every rule DROP, so that every packet ends in PREROUTING and
    what the stack would do after it with an accepted one (route it; to
    nowhere, here) is in no number; which rule takes a packet, and so the
    work of finding it, stays that of the list. For minifw and iptables as
    a restore document, for nft as a
    verdict map (nft_acl_elements()); n=0: a drop-all rule. And its flows:
    ACL_FLOWS - 1 packets of rules spread evenly over the list (as
    classbench.py packets are built) and one from addresses no rule names,
    with the verdict the list gives each."""
    cb = classbench()
    os.makedirs(d, exist_ok=True)
    files = acl_files(d, n)
    # n=0: the flows of a list of 1,000 (a drop-all rule looks at none of their fields)
    rules = cb.rules(n or 1000, ACL_SEED)
    for r in rules:
        if r["proto"] == "tcp":
            r["proto"] = "udp"
        r["target"] = "DROP"
    if n:
        lines = [cb.rule_text(r, "PREROUTING") + "\n" for r in rules]
        write_restores(files, lines + ["-A PREROUTING -j DROP\n"])
        elems = nft_acl_elements(cb, rules) + ["0.0.0.0/0 . 0.0.0.0/0 . 0-255 . 0-65535 : drop"]
        with open(files["nft"], "w") as f:
            f.write(f"table ip {SET} {{\n\tmap acl {{\n\t\ttype ipv4_addr . ipv4_addr . "
                    "inet_proto . inet_service : verdict\n\t\tflags interval\n"
                    "\t\telements = {\n")
            f.write(",\n".join("\t\t\t" + e for e in elems))
            f.write("\n\t\t}\n\t}\n\tchain pre {\n\t\ttype filter hook prerouting "
                    "priority -300; policy accept;\n\t\tip saddr . ip daddr . meta l4proto "
                    ". th dport vmap @acl\n\t}\n}\n")
    else:
        write_restores(files, ["-A PREROUTING -j DROP\n"])
        with open(files["nft"], "w") as f:
            f.write(f"table ip {SET} {{\n\tchain pre {{\n\t\ttype filter hook prerouting "
                    "priority -300; policy accept;\n\t\tcounter drop\n\t}\n}\n")
    rng = random.Random(ACL_SEED)
    flows = []
    for k in range(ACL_FLOWS - 1):
        i = k * len(rules) // (ACL_FLOWS - 1)
        while rules[i]["proto"] == "icmp":     # pktgen sends UDP
            i += 1
        pkt = cb.packet_in(rng, rules[i]).split()
        flows.append((pkt[1], pkt[2], int(pkt[3]), int(pkt[4])))
    flows.append((cb.ip_str(cb.NOMATCH_NET | 1), cb.ip_str(cb.NOMATCH_NET | 2), 4000, 9))
    with open(files["flows"], "w") as f:
        for src, dst, sport, dport in flows:
            v = "DROP" if not n else acl_verdict(cb, rules, "udp", ip_int(src), ip_int(dst),
                                                dport)
            f.write(f"{src} {dst} {sport} {dport} {v.lower()}\n")
    return files


def ip_int(a):
    w = [int(x) for x in a.split(".")]
    return w[0] << 24 | w[1] << 16 | w[2] << 8 | w[3]


# ---------------------------------------------------------------------------
# In the VM: helpers
# ---------------------------------------------------------------------------

def sh(*cmd, stdin=None, check=True, quiet=False):
    """Run a command; its output, stripped. stdin: a file name."""
    f = open(stdin, "rb") if stdin else subprocess.DEVNULL
    try:
        r = subprocess.run(cmd, stdin=f, capture_output=True, text=True)
    finally:
        if stdin:
            f.close()
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    if not quiet and r.returncode != 0:
        log(f"({' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()})")
    return r.stdout.strip()


def timed(*cmd, stdin=None):
    """Run a command: its wall time and its CPU time (user + system, of
    the process and its children), in seconds."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    sh(*cmd, stdin=stdin)
    wall = time.monotonic() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime


def warm(*paths):
    """Read files into the page cache, so that a timed command does not
    wait for the 9p root (under -icount, a wait lets the guest clock jump
    to its next timer)."""
    for p in paths:
        if os.path.isdir(p):
            warm(*(os.path.join(p, f) for f in os.listdir(p)))
        elif os.path.isfile(p):
            with open(p, "rb") as f:
                while f.read(1 << 20):
                    pass


LIBS = {}     # program -> its files and libraries, found once


def warm_cmds(*names):
    """Warm programs and the shared libraries they load."""
    for name in names:
        if name not in LIBS:
            path = os.path.realpath(shutil.which(name))
            LIBS[name] = [path] + re.findall(r"(/\S+) \(0x",
                                             sh("ldd", path, check=False, quiet=True))
        warm(*LIBS[name])


def loaded(mod):
    return os.path.isdir(f"/sys/module/{mod}")


def rmmod(*mods):
    """Remove those of the modules that are loaded, users first."""
    mods = [m for m in mods if os.path.exists(f"/sys/module/{m}/initstate")]
    if mods:
        sh("rmmod", *mods, check=False)


def meminfo():
    """/proc/meminfo without page cache, dentries, inodes, and the empty
    slabs each slab cache keeps (which otherwise hide a free from one
    contender and serve the next one's allocations)."""
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")
    for cache in os.listdir("/sys/kernel/slab"):
        try:
            with open(f"/sys/kernel/slab/{cache}/shrink", "w") as f:
                f.write("1\n")
        except OSError:
            pass
    m = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            m[k] = int(v.split()[0])
    # Free pages waiting on the per-CPU lists are not in MemFree: after a
    # process that used a lot exits (iptables-legacy-restore of 100,000
    # rules), they hold tens of MiB.
    with open("/proc/zoneinfo") as f:
        m["PcpFree"] = sum(int(line.split()[1]) for line in f
                           if line.split()[:1] == ["count:"]) * os.sysconf("SC_PAGE_SIZE") // 1024
    return m


def meminfo_settled():
    """meminfo() once the kernel's memory stops moving: what an earlier
    contender freed late (nft destroys its tables in a work item after an
    RCU grace period, for one) must not count for the next."""
    prev = meminfo()
    for i in range(20):
        time.sleep(0.5)
        cur = meminfo()
        if abs(kernel_kb(cur) - kernel_kb(prev)) < 256:
            break
        prev = cur
    cur["readings"] = i + 2
    return cur


def kernel_kb(m):
    """Memory in use that is neither page cache nor user space: the
    kernel's own, however allocated (slab, vmalloc, per-CPU, or pages
    straight from the page allocator, which no other line shows)."""
    return (m["MemTotal"] - m["MemFree"] - m["PcpFree"] - m["Buffers"] - m["Cached"]
            - m["AnonPages"])


def pg_write(path, cmd):
    """One pktgen command; pktgen says how it went in the file's Result."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, cmd.encode())
    finally:
        os.close(fd)
    if path.endswith(("pgctrl",)):
        return
    with open(path) as f:
        res = [line for line in f if line.startswith("Result:")]
    if not res or "OK" not in res[0]:
        raise RuntimeError(f"pktgen {path} '{cmd}': {res}")


# ---------------------------------------------------------------------------
# In the VM: the test device and pktgen
# ---------------------------------------------------------------------------

def net_up():
    net_down()
    sh("ip", "link", "add", DEV, "type", "veth", "peer", "name", PEER)
    for d in (DEV, PEER):
        # no IPv6 chatter through the hooks, no martian logging
        sh("sysctl", "-qw", f"net.ipv6.conf.{d}.disable_ipv6=1",
           f"net.ipv4.conf.{d}.log_martians=0", f"net.ipv4.conf.{d}.rp_filter=0")
        sh("ip", "link", "set", d, "up")   # pktgen needs the carrier: both up


def net_down():
    sh("ip", "link", "del", DEV, check=False, quiet=True)


def pktgen_up():
    sh("modprobe", "pktgen")
    thread = f"{PGDIR}/kpktgend_0"
    pg_write(thread, "rem_device_all")
    pg_write(thread, f"add_device {DEV}")
    with open(f"/sys/class/net/{DEV}/address") as f:
        mac = f.read().strip()
    dev = f"{PGDIR}/{DEV}"
    for cmd in ("clone_skb 0", "xmit_mode netif_receive", f"burst {BURST}",
                "pkt_size 64", "delay 0", f"dst {DST}", f"dst_mac {mac}",
                f"udp_src_min {PORT}", f"udp_src_max {PORT}", f"udp_dst_min {PORT}",
                f"udp_dst_max {PORT}"):
        pg_write(dev, cmd)


def pktgen_down():
    if os.path.exists(f"{PGDIR}/kpktgend_0"):
        pg_write(f"{PGDIR}/kpktgend_0", "rem_device_all")
    rmmod("pktgen")


RESULT = re.compile(r"Result: OK: (\d+)\(c\d+\+d\d+\) usec, (\d+) \(")


def pktgen_run(src, count, flow=None):
    """count packets from src; flow: (dst, sport, dport), else DST and PORT"""
    dev = f"{PGDIR}/{DEV}"
    dst, sport, dport = flow or (DST, PORT, PORT)
    for cmd in (f"src_min {src}", f"src_max {src}", f"dst_min {dst}", f"dst_max {dst}",
                f"udp_src_min {sport}", f"udp_src_max {sport}", f"udp_dst_min {dport}",
                f"udp_dst_max {dport}", f"count {count}"):
        pg_write(dev, cmd)
    # "start" returns when the run is over, except when the pktgen thread
    # did not get to start it within 125 ms (a busy host): then the run
    # happens later. Its result line appears when it ends; until then the
    # file shows the "count" command's.
    pg_write(f"{PGDIR}/pgctrl", "start\n")
    deadline = time.monotonic() + 3600
    while True:
        with open(dev) as f:
            text = f.read()
        m = RESULT.search(text)
        e = re.search(r"errors: (\d+)", text)
        if m and e:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"pktgen gave no result: {text}")
        time.sleep(0.05)
    usec, sent = int(m.group(1)), int(m.group(2))
    return {"count": count, "sent": sent, "usec": usec, "errors": int(e.group(1)),
            "ns": round(usec * 1000 / sent, 1) if sent else 0}


# ---------------------------------------------------------------------------
# In the VM: the contenders
# ---------------------------------------------------------------------------

def ipt_rule_pkts(num):
    out = sh("iptables-legacy", "-w", "-t", "raw", "-n", "-v", "-x", "-L", "PREROUTING", str(num))
    return int(out.split()[0])


class Minifw:
    name = "minifw"

    def __init__(self, ko):
        self.ko = ko

    def prepare(self):
        sh("insmod", self.ko)

    def load(self, files, n):
        warm_cmds("sh", "cat")
        warm(files["minifw"])
        return timed("sh", "-c", 'cat "$1" > /proc/minifw/rules', "sh", files["minifw"])

    def dropped(self, n):
        num = str(max(n, 1))
        found = None
        with open("/proc/minifw/stats") as f:
            for line in f:
                w = line.split()
                if line.startswith("# compiled PREROUTING"):
                    log(line[2:].strip())      # how many rules the classifier took
                elif w[:2] == ["PREROUTING", num]:
                    found = int(w[2])
        if found is None:
            raise RuntimeError(f"minifw has no PREROUTING rule {num}")
        return found

    def counted(self):
        """packets counted by PREROUTING's DROP rules, and by its ACCEPT rules"""
        n = {"DROP": 0, "ACCEPT": 0}
        with open("/proc/minifw/stats") as f:
            for w in (line.split() for line in f):
                if w[:1] == ["PREROUTING"] and w[1] != "policy" and w[-2] == "-j":
                    n[w[-1]] += int(w[2])
        return n["DROP"], n["ACCEPT"]

    def unload(self):
        rmmod("minifw")


class Iptables:
    name = "iptables"

    def prepare(self):
        sh("modprobe", "iptable_raw")

    def load(self, files, n):
        warm_cmds("iptables-legacy-restore")
        warm(XTABLES_LIBDIR, files["iptables"])
        return timed("iptables-legacy-restore", "-w", stdin=files["iptables"])

    def dropped(self, n):
        return ipt_rule_pkts(max(n, 1))

    def counted(self):
        out = sh("iptables-legacy", "-w", "-t", "raw", "-n", "-v", "-x", "-L", "PREROUTING")
        n = {"DROP": 0, "ACCEPT": 0}
        for w in (line.split() for line in out.splitlines()[2:] if line.strip()):
            n[w[2]] += int(w[0])
        return n["DROP"], n["ACCEPT"]

    def unload(self):
        if loaded("iptable_raw"):
            sh("iptables-legacy", "-w", "-t", "raw", "-F", check=False)
        rmmod("iptable_raw")


class Ipset:
    name = "ipset"

    def prepare(self):
        sh("modprobe", "-a", "iptable_raw", "ip_set_hash_net", "xt_set")

    def load(self, files, n):
        warm_cmds("ipset", "iptables-legacy")
        warm(XTABLES_LIBDIR, files["ipset"])
        t = timed("ipset", "restore", stdin=files["ipset"])
        u = timed("iptables-legacy", "-w", "-t", "raw", "-A", "PREROUTING",
                  "-m", "set", "--match-set", SET, "src", "-j", "DROP")
        return t[0] + u[0], t[1] + u[1]

    def dropped(self, n):
        return ipt_rule_pkts(1)

    def unload(self):
        if loaded("iptable_raw"):
            sh("iptables-legacy", "-w", "-t", "raw", "-F", check=False)
        rmmod("iptable_raw")
        if loaded("ip_set"):
            sh("ipset", "destroy", SET, check=False, quiet=True)
        rmmod("xt_set", "ip_set_hash_net", "ip_set")


class Nft:
    name = "nft"

    def prepare(self):
        sh("modprobe", "nf_tables")

    def load(self, files, n):
        warm_cmds("nft")
        warm(files["nft"])
        return timed("nft", "-f", files["nft"])

    def dropped(self, n):
        out = sh("nft", "list", "chain", "ip", SET, "pre")
        m = re.search(r"counter packets (\d+)", out)
        return int(m.group(1))

    def unload(self):
        if loaded("nf_tables"):
            sh("nft", "delete", "table", "ip", SET, check=False, quiet=True)


class Ports:
    """A contender (minifw or iptables) loaded with the port rules
    (write_port_rules), under its own name: minifw-ports, iptables-ports."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name + "-ports"

    def __getattr__(self, attr):
        return getattr(self.inner, attr)


class ChainBlocklist(Minifw):
    """minifw with the N address rules in a user chain "blocklist" that
    PREROUTING's one rule calls (-j blocklist), as block lists are kept:
    measured at the largest N, as "minifw-chain"."""
    name = "minifw-chain"

    def load(self, files, n):
        return super().load({"minifw": files["minifw-chain"]}, n)

    def dropped(self, n):
        with open("/proc/minifw/stats") as f:
            for line in f:
                w = line.split()
                if line.startswith(f"# compiled {BLOCKLIST}"):
                    log(line[2:].strip())
                elif w[:2] == [BLOCKLIST, str(n)]:
                    return int(w[2])
        raise RuntimeError(f"minifw has no {BLOCKLIST} rule {n}")


def cleanup(ko=None):
    pktgen_down()
    for c in (Minifw(ko), Iptables(), Ipset(), Nft()):
        c.unload()
    net_down()


# ---------------------------------------------------------------------------
# In the VM: measuring
# ---------------------------------------------------------------------------

class NoFirewall:
    """The stack alone: the baseline, measured with the others."""
    name = "none"

    def prepare(self):
        pass

    def load(self, files, n):
        return 0.0, 0.0

    def unload(self):
        pass


class Bench:
    """Rounds: in each, every contender in turn is loaded, warmed up (the
    emulator translates code on its first run), measured once per kind
    and removed, so that a slow drift of the shared host spreads over all
    contenders instead of favouring one."""

    def __init__(self, a):
        self.a = a
        self.counts = {}       # (contender, n, kind) -> packets per run
        self.results = {}      # (contender, n, kind) -> [ns, ...]

    def probe(self, name, n, kind):
        """The count for a run of about --seconds (calibrate()); the probe
        runs also warm up. Returns the matching packets sent."""
        sent = 0

        def send(count, probe):
            nonlocal sent
            r = pktgen_run(src_of(kind), count)
            self.emit_run(name, n, kind, r, probe)
            sent += r["sent"]
            return r

        self.calibrate((name, n, kind), send)
        return sent if kind == "match" else 0

    def one(self, name, n, kind, count, probe):
        r = pktgen_run(src_of(kind), count)
        self.emit_run(name, n, kind, r, probe)
        if not probe:
            self.results.setdefault((name, n, kind), []).append(r["ns"])
        return r["sent"] if kind == "match" else 0

    @staticmethod
    def emit_run(name, n, kind, r, probe):
        emit("RUN", contender=name, n=n, kind=kind, probe=probe, **r)

    def turn(self, c, n, files, rnd):
        """One contender's turn in round rnd: load, warm up, one run of
        each kind, check its counter, remove."""
        kinds = ["nomatch"] if c.name == "none" else (["match"] if n == 0 else
                                                        ["match", "nomatch"])
        # memory: in the first round, at every N or only the largest
        # (not for "none", nor for the port rules: memory is the address rules')
        mem = rnd == 0 and c.name in CONTENDERS and (self.a.mem == "all" or n == max(self.a.n))
        if mem:
            m0 = meminfo_settled()
        c.prepare()
        if mem:
            m1 = meminfo_settled()
        try:
            secs, cpu = c.load(files, n)
            if mem:
                m2 = meminfo_settled()  # after what the update frees after a grace period
            if c.name != "none":
                emit("LOAD", contender=c.name, n=n, round=rnd, seconds=round(secs, 3),
                     cpu=round(cpu, 3))
            matched = 0
            for kind in kinds:
                if rnd == 0:
                    matched += self.probe(c.name, n, kind)
                else:
                    warm = self.a.count or max(2 * BURST,
                                               self.counts[(c.name, n, kind)] // 10 // BURST * BURST)
                    matched += self.one(c.name, n, kind, warm, probe=1)
            for kind in kinds:
                matched += self.one(c.name, n, kind, self.counts[(c.name, n, kind)], probe=0)
            if c.name != "none":
                emit("CHECK", contender=c.name, n=n, round=rnd, dropped=c.dropped(n),
                     expected=matched)
        finally:
            c.unload()
        if mem:
            m3 = meminfo_settled()
            emit("MEM", contender=c.name, n=n,
                 kernel_kb=kernel_kb(m2) - kernel_kb(m1),
                 slab_kb=m2["Slab"] - m1["Slab"], percpu_kb=m2["Percpu"] - m1["Percpu"],
                 vmalloc_kb=m2["VmallocUsed"] - m1["VmallocUsed"],
                 memfree_kb=m1["MemFree"] - m2["MemFree"],
                 modules_kb=kernel_kb(m1) - kernel_kb(m0),
                 freed_kb=kernel_kb(m2) - kernel_kb(m3),
                 readings=",".join(str(m["readings"]) for m in (m0, m1, m2, m3)))

    def calibrate(self, key, send):
        """The packets a run of about --seconds takes, found by runs of
        growing size (probe runs, which also warm up); send(count) runs."""
        a = self.a
        if a.count:
            self.counts[key] = a.count
            send(a.count, 1)
            return
        c = 4 * BURST
        while True:
            r = send(c, 1)
            if r["usec"] >= a.seconds * 1e5 or c >= a.max_count:
                break
            c = min(a.max_count, c * 8)
        per = max(r["usec"], 1) * 1000 / r["sent"]
        c = int(a.seconds * 1e9 / per) // BURST * BURST
        self.counts[key] = max(2 * BURST, min(a.max_count, c))

    def acl_turn(self, c, n, files, flows, rnd):
        """One contender's turn with an access list: load it, then each flow
        in turn calibrated or warmed up and measured once; check that the
        packets of the flows the list drops were counted by DROP rules and
        the others by ACCEPT rules (minifw, iptables: each packet matches
        one rule, the last if no other). pktgen's errors tell nothing here:
        routing drops a packet to a destination it has no route for
        without an error."""
        name = c.name + "-acl"
        sent = {"drop": 0, "accept": 0}
        c.prepare()
        try:
            secs, cpu = c.load(files, n)
            if c.name != "none":
                emit("LOAD", contender=name, n=n, round=rnd, seconds=round(secs, 3),
                     cpu=round(cpu, 3))
            for k, (src, dst, sport, dport, verdict) in enumerate(flows):
                key = (name, n, f"flow{k}")

                def send(count, probe, src=src, flow=(dst, sport, dport), key=key,
                         verdict=verdict):
                    r = pktgen_run(src, count, flow)
                    emit("RUN", contender=name, n=n, kind=key[2], probe=probe,
                         verdict=verdict, **r)
                    sent[verdict] += r["sent"]
                    return r

                if key not in self.counts:
                    self.calibrate(key, send)
                else:
                    send(self.a.count or
                         max(2 * BURST, self.counts[key] // 10 // BURST * BURST), 1)
                r = send(self.counts[key], 0)
                self.results.setdefault(key, []).append(r["ns"])
            if c.name in ("minifw", "iptables"):
                dropped, accepted = c.counted()
                emit("CHECK", contender=name, n=n, round=rnd, dropped=dropped,
                     expected=sent["drop"], accepted=accepted,
                     accepted_expected=sent["accept"])
        finally:
            c.unload()

    def acl(self, contenders):
        """The access lists (write_acl_rules()) at N=0 (a drop-all rule, and
        the stack alone) and each --acl-n, with their flows."""
        a = self.a
        chosen = [contenders[c] for c in ACL if c in a.contenders.split(",")]
        for n in [0] + a.acl_n:
            files = acl_files(a.dir, n)
            if not all(os.path.exists(f) for f in files.values()):
                log(f"generating the access list of N={n}")
                files = write_acl_rules(a.dir, n)
            with open(files["flows"]) as f:
                flows = [(w[0], w[1], int(w[2]), int(w[3]), w[4])
                         for w in (line.split() for line in f)]
            # nft's map of 100,000 concatenated intervals takes over ten minutes to
            # load under emulation, each round: up to --acl-nft-max only
            group = ([NoFirewall()] if n == 0 else []) + [
                c for c in chosen if c.name != "nft" or n <= a.acl_nft_max]
            for rnd in range(a.runs):
                for c in group:
                    log(f"access list N={n} round {rnd + 1}/{a.runs}: {c.name}")
                    self.acl_turn(c, n, files, flows, rnd)

    def blocklists(self, contenders, chosen):
        """The block lists at every --n, in a user chain, and the port rules."""
        a = self.a
        for n in [0] + a.n:
            files = rule_files(a.dir, n)
            if not all(os.path.exists(f) for f in files.values()):
                log(f"generating rules for N={n}")
                files = write_rules(a.dir, n)
            # no drop-all for ipset: it would be iptables' again
            group = [c for c in chosen if n or c.name != "ipset"]
            for rnd in range(a.runs):
                for c in group:
                    log(f"N={n} round {rnd + 1}/{a.runs}: {c.name}")
                    self.turn(c, n, files, rnd)
        # the largest block list again, in a user chain PREROUTING calls
        n = max(a.n)
        if "minifw" in a.contenders.split(",") and n > 0:
            files = {"minifw-chain": chain_rule_file(a.dir, n)}
            if not os.path.exists(files["minifw-chain"]):
                write_rules(a.dir, n)
            for rnd in range(a.runs):
                log(f"N={n} in a user chain, round {rnd + 1}/{a.runs}")
                self.turn(ChainBlocklist(a.ko), n, files, rnd)
        # the port rules at N=1 and at --ports-n: the slope is one rule's cost
        for n in ([1, a.ports_n] if a.ports_n > 1 else []):
            files = port_rule_files(a.dir, n)
            if not all(os.path.exists(f) for f in files.values()):
                log(f"generating port rules for N={n}")
                files = write_port_rules(a.dir, n)
            group = [Ports(contenders[c]) for c in PORTS if c in a.contenders.split(",")]
            for rnd in range(a.runs):
                for c in group:
                    log(f"port rules N={n} round {rnd + 1}/{a.runs}: {c.name}")
                    self.turn(c, n, files, rnd)

    def run(self):
        a = self.a
        contenders = {"minifw": Minifw(a.ko), "iptables": Iptables(), "ipset": Ipset(),
                      "nft": Nft()}
        chosen = [NoFirewall()] + [contenders[c] for c in a.contenders.split(",")]
        emit("INFO", kernel=os.uname().release, date=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
             cpus=os.cpu_count(), clock=a.clock, runs=a.runs, seconds=a.seconds, max_count=a.max_count,
             count=a.count or 0, burst=BURST, ns=",".join(map(str, a.n)))
        cleanup(a.ko)
        net_up()
        pktgen_up()
        try:
            # the block lists (--n '': none, only the access lists)
            if a.n:
                self.blocklists(contenders, chosen)
            # the access lists: the stack alone once, then each contender
            if a.acl_n:
                self.acl(contenders)
        finally:
            cleanup(a.ko)
        for (name, n, kind), runs in self.results.items():
            emit("TABLE", contender=name, n=n, kind=kind, median_ns=statistics.median(runs),
                 runs=",".join(map(str, runs)))


def src_of(kind):
    return MATCH_SRC if kind == "match" else NOMATCH_SRC


# ---------------------------------------------------------------------------
# On the host: the report
# ---------------------------------------------------------------------------

def parse_log(path):
    recs = []
    with open(path, errors="replace") as f:
        for line in f:
            w = line.split()
            if w and w[0] in ("INFO", "RUN", "LOAD", "MEM", "CHECK", "TABLE"):
                recs.append((w[0], dict(x.split("=", 1) for x in w[1:])))
    return recs


def report(logfile, md, dat):
    recs = parse_log(logfile)
    info = next((r for k, r in recs if k == "INFO"), {})
    med, runs = {}, {}
    for k, r in recs:
        if k == "TABLE":
            key = (r["contender"], int(r["n"]), r["kind"])
            med[key] = float(r["median_ns"])
            runs[key] = r["runs"]
    if not med:
        sys.exit("bench.py report: no TABLE lines in " + logfile)
    loads = {}
    for k, r in recs:
        if k == "LOAD":
            loads.setdefault((r["contender"], int(r["n"])), []).append(float(r["seconds"]))
    load = {key: statistics.median(v) for key, v in loads.items()}
    load_cpu = {}
    for k, r in recs:
        if k == "LOAD":
            load_cpu.setdefault((r["contender"], int(r["n"])), []).append(float(r.get("cpu", 0)))
    load_cpu = {key: statistics.median(v) for key, v in load_cpu.items()}
    mems = {(r["contender"], int(r["n"])): r for k, r in recs if k == "MEM"}
    checks = [r for k, r in recs if k == "CHECK"]
    ns = sorted({n for (c, n, _) in med if n > 0 and c in CONTENDERS})
    nmax = max(ns) if ns else 0
    cols = ["none"] + CONTENDERS

    def g(c, n, kind):
        return med.get((c, n, kind))

    def ratio(x, y):
        """x/y, to 3 decimals below 10 (goals like 1.03 are decided on it)"""
        if not x or not y:
            return "n/a"
        return f"{x / y:.3f}" if x / y < 10 else f"{x / y:.1f}"

    lines = []
    out = lines.append
    icount = info.get("clock") == "icount"
    out("# minifw benchmark results\n")
    out(f"- date: {time.strftime('%Y-%m-%d')} (made by `make bench`)")
    out(f"- kernel: {info.get('kernel', '?')} in QEMU TCG (software emulation, "
        f"{info.get('cpus', '?')} vCPU{'s' if info.get('cpus') != '1' else ''}"
        + (", `-icount shift=0,sleep=off`" if icount else "")
        + "), booted by `tests/vm/run-vm.sh`")
    out(f"- minifw: {minifw_version()}")
    out(f"- host: {host_cpu()}, {qemu_version()}")
    out(f"- method: pktgen `xmit_mode netif_receive`, burst {info.get('burst')}, 64-byte UDP "
        f"packets injected into a veth's receive path; median ns/packet of "
        f"{info.get('runs')} rounds, each contender loaded afresh and measured once per "
        f"round, a run lasting about {info.get('seconds')} s of guest time (at most "
        f"{info.get('max_count')} packets); details at the end")
    out("")
    if icount:
        out("**The clock counts instructions.** The VM ran with QEMU's `-icount "
            "shift=0,sleep=off`: the guest's clock advances by 1 ns per guest "
            "instruction executed (and jumps to the next timer when the guest is idle). "
            "So every \"ns\" below is a count of guest instructions: pktgen's ns/packet "
            "is the instructions the kernel executes per packet, the same from boot to "
            "boot (runs agree to within 0.01%, but for ipset's, whose hash seed "
            "changes with every load, within a few %) and untouched by the load of the host, which "
            "emulated time on a shared machine is not. It is not time on real hardware: "
            "cache misses, memory latency, branch mispredictions and instruction-level "
            "parallelism are not modelled, an instruction that misses every cache costs "
            "what an add costs. A linear walk of a large ruleset, which streams through "
            "megabytes, and a hash or tree lookup, which takes a few cache misses, would "
            "both be slower on a real CPU than these counts suggest, by different factors. "
            "Ratios of instruction counts are the measure here. Every ratio is of totals: "
            "the stack's own instructions per packet (column `none`, no firewall at all) "
            "are inside both numbers.\n")
    else:
        out("**These are emulated-CPU numbers.** Under TCG every guest instruction is "
            "translated, and the host's cores may be shared with other work, so absolute "
            "ns/packet say nothing about real hardware; only ratios measured in the same "
            "boot mean something, and even they carry the emulator's distortions (memory "
            "access costs far more, relative to arithmetic, than on a real CPU) and the "
            "host's noise. Every ratio is of totals: the stack's own cost per packet "
            "(column `none`, no firewall at all) is inside both numbers.\n")

    out("## Goals\n")
    out("| goal | measured | target | |")
    out("|---|---|---|---|")

    def goal(name, val, target, ok):
        mark = "n/a" if val == "n/a" else ("met" if ok(float(val)) else "**not met**")
        out(f"| {name} | {val} | {target} | {mark} |")

    mf0 = g("minifw", 0, "match")
    goal("G0: minifw drop-all / iptables (raw) drop-all", ratio(mf0, g("iptables", 0, "match")),
         "<= 1.03", lambda v: v <= 1.03)
    goal("G0: minifw drop-all / nft drop-all", ratio(mf0, g("nft", 0, "match")),
         "<= 1.03", lambda v: v <= 1.03)
    goal(f"G1: minifw N={nmax} matching the last rule / minifw drop-all",
         ratio(g("minifw", nmax, "match"), mf0), "<= 1.10", lambda v: v <= 1.10)
    for other in ("ipset", "nft"):
        for kind in ("match", "nomatch"):
            goal(f"G2: minifw / {other}, N={nmax}, {kind}",
                 ratio(g("minifw", nmax, kind), g(other, nmax, kind)), "<= 1.00",
                 lambda v: v <= 1.00)
    for n, target in ((1000, 4.5), (10000, 40)):
        for kind in ("match", "nomatch"):
            goal(f"G3: iptables / minifw (speed-up), N={n}, {kind}",
                 ratio(g("iptables", n, kind), g("minifw", n, kind)), f">= {target}",
                 lambda v, t=target: v >= t)
    # Under -icount the guest clock jumps ahead whenever the guest idles (to
    # its next timer: an RCU grace period, a file read over 9p), by seconds
    # that have nothing to do with the work: one boot saw the same 100,000-rule
    # load take 1.8 s and 4.4 s. There the cpu time is the goal and the wall
    # time only reported; on the wall clock it is the other way round.
    wall_ratio = ratio(load.get(("minifw", nmax)), load.get(("iptables", nmax)))
    cpu_ratio = ratio(load_cpu.get(("minifw", nmax)), load_cpu.get(("iptables", nmax)))
    for what, val, is_goal in (("wall time", wall_ratio, not icount),
                               ("cpu time", cpu_ratio, icount)):
        name = f"load of N={nmax}: minifw / iptables-legacy-restore ({what})"
        if is_goal:
            goal(name, val, "< 1.00", lambda v: v < 1.00)
        else:
            out(f"| {name} | {val} | report | {'idle jumps of the guest clock' if icount else ''} |")
    # the block list in a user chain: what the call costs
    for kind in ("match", "nomatch"):
        val = ratio(g("minifw-chain", nmax, kind), g("minifw", nmax, kind))
        if val != "n/a":
            out(f"| minifw: N={nmax} rules in a user chain PREROUTING calls / in PREROUTING, "
                f"{kind} | {val} | report | the call, its return and their counters |")
    # the port rules: what one rule that does not match costs, from N=1 to pn
    pn = max((n for (c, n, _) in med if c == "minifw-ports"), default=0)
    none0 = g("none", 0, "nomatch")

    def per_rule(c):
        lo, hi = g(c + "-ports", 1, "nomatch"), g(c + "-ports", pn, "nomatch")
        return (hi - lo) / (pn - 1) if lo and hi and pn > 1 else None

    if pn:
        goal(f"port rules: minifw / iptables, cost of a rule, N={pn} port rules",
             ratio(per_rule("minifw"), per_rule("iptables")), "<= 1.00", lambda v: v <= 1.00)
        for kind in ("match", "nomatch"):
            goal(f"port rules: minifw N={pn} / minifw N=1 (one rule), {kind}",
                 ratio(g("minifw-ports", pn, kind), g("minifw-ports", 1, kind)), "<= 1.20",
                 lambda v: v <= 1.20)
    m = mems.get(("minifw", nmax))
    if m and nmax >= 1000:
        out(f"| memory: minifw bytes per rule at N={nmax} (kernel memory delta / N) | "
            f"{int(m['kernel_kb']) * 1024 / nmax:.0f} | report | |")
    # the access lists: each contender's mean over the flows
    acl_ns = sorted({n for (c, n, _) in med if c == "minifw-acl" and n > 0})

    def acl(c, n):
        v = [x for (cc, nn, kind), x in med.items() if cc == c + "-acl" and nn == n]
        return statistics.mean(v) if v else None

    for n in acl_ns:
        goal(f"G4: access list N={n}: minifw / minifw drop-all (same flows)",
             ratio(acl("minifw", n), acl("minifw", 0)), "<= 1.50", lambda v: v <= 1.50)
        goal(f"G4: access list N={n}: minifw / nft verdict map",
             ratio(acl("minifw", n), acl("nft", n)), "< 1.00", lambda v: v < 1.00)
        if n == 10000:
            # The stack's cost is in both totals and bounds their ratio (iptables
            # over its own drop-all): no firewall could be 100 times iptables
            # there. The goal is on each firewall's own cost, its total less its
            # drop-all's (the same flows dropped by one rule); the totals' ratio
            # is reported beside it.
            own = [acl(c, n) - acl(c, 0) if acl(c, n) and acl(c, 0) else None
                   for c in ("iptables", "minifw")]
            goal(f"G4: access list N={n}: iptables / minifw (speed-up), each less its "
                 f"drop-all (the firewall's own cost)", ratio(own[0], own[1]), ">= 100",
                 lambda v: v >= 100)
            out(f"| G4: access list N={n}: iptables / minifw (speed-up), totals (the "
                f"stack's cost in both bounds this at "
                f"{ratio(acl('iptables', n), acl('iptables', 0))}) | "
                f"{ratio(acl('iptables', n), acl('minifw', n))} | report | |")
    if acl_ns:
        n = max(acl_ns)
        goal(f"load of the access list N={n}: minifw / iptables-legacy-restore (cpu time)",
             ratio(load_cpu.get(("minifw-acl", n)), load_cpu.get(("iptables-acl", n))),
             "< 1.00", lambda v: v < 1.00)
    out("")

    out("## ns per packet (median)\n")
    out("`match`: source in the last rule's prefix (and only there); `nomatch`: in no "
        "rule's prefix. N=0 is a single drop-all rule (minifw `-A PREROUTING -j DROP`, "
        "iptables `-t raw -A PREROUTING -j DROP`, nft `counter drop`; none for ipset, "
        "which would be iptables' rule again). `none`: no firewall loaded, measured in "
        "the same rounds.\n")
    out("| N | kind | " + " | ".join(cols) + " |")
    out("|---|---|" + "---|" * len(cols))
    for n in [0] + ns:
        for kind in (["match"] if n == 0 else ["match", "nomatch"]):
            cells = []
            for c in cols:
                v = g(c, n, "nomatch" if c == "none" else kind)
                cells.append(f"{v:.0f}" if v else "-")
            out(f"| {n if n else 'drop-all'} | {kind} | " + " | ".join(cells) + " |")
    if len(ns) > 1:
        for kind in ("match", "nomatch"):
            cells = []
            for c in cols:
                lo, hi = g(c, ns[0], "nomatch" if c == "none" else kind), \
                    g(c, nmax, "nomatch" if c == "none" else kind)
                cells.append(f"{(hi - lo) / (nmax - ns[0]):.2f}" if lo and hi else "-")
            out(f"| per added rule, N={ns[0]} to {nmax} | {kind} | " + " | ".join(cells) + " |")
    out("")

    if pn:
        out("## Port rules\n")
        out(f"{pn} UDP port rules, `-p udp -m udp --dport P -j DROP` with each its own port "
            f"(so no two rules are alike but for an address: no address run), the last one "
            f"also `-s {LAST_RULE}` and the packets' port {PORT}: in minifw's PREROUTING, "
            "where they are one port run (the last rule, with its address, walked after it), "
            "and in iptables' raw PREROUTING, walked rule by rule; and N=1, the last rule "
            "alone. `match`: the packets match the last "
            "rule; `nomatch`: none (they pass all the rules). `per rule`: (nomatch at N - "
            "nomatch at 1) / (N - 1), what one rule that does not match costs.\n")
        out("| N | kind | none | minifw | iptables |")
        out("|---|---|---|---|---|")
        for n in (1, pn):
            for kind in ("match", "nomatch"):
                cells = [f"{none0:.0f}" if none0 else "-"]
                for c in PORTS:
                    v = g(c + "-ports", n, kind)
                    cells.append(f"{v:.0f}" if v else "-")
                out(f"| {n} | {kind} | " + " | ".join(cells) + " |")
        cells = ["-"] + [f"{per_rule(c):.2f}" if per_rule(c) is not None else "-" for c in PORTS]
        out(f"| 1 to {pn} | per rule | " + " | ".join(cells) + " |")
        out("")

    if acl_ns:
        out("## Access lists\n")
        out(f"Lists of N rules from `bench/classbench.py` (seed {ACL_SEED}, the lists "
            "`make bench-unit` counts): addresses, protocols and port ranges mixed as in "
            "ClassBench's acl1 seed, then a last `-j DROP`; their TCP rules made UDP, since "
            "pktgen sends UDP, and every rule made DROP, so that every packet ends in "
            "PREROUTING (an accepted one would go on to routing, which costs more than the "
            "lookups here; which rule takes a packet, and so the work of finding it, is "
            "still the list's). minifw: PREROUTING (one classified segment); "
            "iptables-legacy: raw PREROUTING, walked; nft: a verdict map over `ip saddr . "
            "ip daddr . meta l4proto . th dport` (flags interval, nft's best form for such "
            "a list), which cannot hold overlapping elements: it keeps the first of "
            "overlapping rules, and the last rule as a catch-all element (and is measured "
            "up to 10,000 rules: a map of 100,000 takes over ten minutes to load under "
            "emulation, every round). "
            f"Each list is measured with {ACL_FLOWS} flows: packets of rules spread evenly "
            "over the list (an earlier rule may take them first) and one from addresses "
            "no rule names (the last rule's); a flow's packets are alike, so each run is "
            "one flow. The ns/packet below is the mean over the flows of each flow's "
            "median over the rounds; N=0 is a drop-all rule of each, with the same flows, "
            "and `none` the stack alone with them.\n")
        out("| N | none | minifw | iptables | nft | minifw / minifw drop-all | "
            "iptables / minifw | nft / minifw |")
        out("|---|---|---|---|---|---|---|---|")
        none_acl = acl("none", 0)
        for n in [0] + acl_ns:
            vals = [acl(c, n) for c in ACL]
            cells = [f"{v:.0f}" if v else "-" for v in vals]
            out(f"| {n if n else 'drop-all'} | {none_acl:.0f} | " + " | ".join(cells) + " | "
                f"{ratio(vals[0], acl('minifw', 0))} | {ratio(vals[1], vals[0])} | "
                f"{ratio(vals[2], vals[0])} |" if none_acl else "")
        out("")

    out("## Load time and memory\n")
    out("Load: the median over the rounds of one restore in the VM, the tool's "
        "program and libraries and the rules file already in the page cache: minifw "
        "`cat FILE > /proc/minifw/rules` (one `*filter` ... `COMMIT` document), "
        "`iptables-legacy-restore`, `ipset restore` plus the one `iptables-legacy` rule, "
        "`nft -f`. `wall` is the guest clock"
        + (" (instructions, plus the jumps of an idle guest to its next timer, which "
           "can be minutes away: a wait for an RCU grace period, or for a file not yet "
           "read from the host, which is what the rare outliers among the rounds "
           "are)" if icount else "")
        + "; `cpu` the user and system time of the processes, as the guest kernel "
        "accounts it (a tick-sampled measure; work done in kernel threads and "
        "workqueues, which nft's commit partly is, is not in it). Starting a process "
        "is included.\n")
    out("Memory (first round): /proc/meminfo before and after the load, each reading "
        "taken after `sync; echo 3 > /proc/sys/vm/drop_caches` and `echo 1` to every "
        "`/sys/kernel/slab/*/shrink` (so that slab caches give back their empty slabs), "
        "and once two readings "
        "half a second apart agree within 256 KiB (so that what an update or an earlier "
        "contender frees after an RCU grace period is gone), with the contender's "
        "modules already loaded before the first. `kernel` is MemTotal - MemFree - "
        "(free pages on the per-CPU lists, the `count:`s of /proc/zoneinfo, which "
        "MemFree leaves out and which hold tens of MiB after a big process exits) - "
        "Buffers - Cached - AnonPages, the memory neither free, page cache nor user space: "
        "the fullest measure of what the kernel holds, however it was allocated "
        "(kvmalloc'd arrays larger than 8 KiB come from the page allocator and show in "
        "neither Slab nor VmallocUsed, which are listed for the breakdown; Percpu "
        "counts whole per-CPU chunks as they are populated). It moves by some hundred "
        "KiB on its own, so only the large N mean much. Bytes per rule = kernel delta / "
        "N. `freed`: what the kernel gave back when the contender was removed after its "
        "runs (rules flushed or set destroyed, its modules unloaded), the same measure "
        "taken the other way round.\n")
    out("| contender | N | load wall s | load cpu s | kernel KiB | Slab KiB | Percpu KiB | "
        "VmallocUsed KiB | bytes/rule | freed KiB |")
    out("|---|---|---|---|---|---|---|---|---|---|")
    for n in ns:
        for c in CONTENDERS:
            m = mems.get((c, n))
            if not m:
                continue
            bpr = f"{int(m['kernel_kb']) * 1024 / n:.0f}" if n >= 1000 else "-"
            out(f"| {c} | {n} | {load.get((c, n), 0):.2f} | {load_cpu.get((c, n), 0):.2f} | "
                f"{m['kernel_kb']} | {m['slab_kb']} | {m['percpu_kb']} | {m['vmalloc_kb']} | "
                f"{bpr} | {m.get('freed_kb', '-')} |")
    out("")

    out("## Checks\n")
    bad_runs = [r for k, r in recs if k == "RUN" and not run_ok(r)]
    bad_checks = [r for r in checks if r["dropped"] != r["expected"] or r["expected"] == "0"
                  or r.get("accepted", "0") != r.get("accepted_expected", "0")]
    out(f"- pktgen's errors: {len(bad_runs)} of "
        f"{sum(1 for k, _ in recs if k == 'RUN')} runs (probes included) disagree with "
        "what they should be (0 for a matching run: every packet stopped by a netfilter "
        "hook; the packets sent for any other: every one passed the firewall and was "
        "dropped by routing).")
    out(f"- the contender's own counter of its drop rule equals the matching packets "
        f"sent in {len(checks) - len(bad_checks)} of {len(checks)} loads"
        + ("" if not bad_checks else ": MISMATCH in " + ", ".join(
            f"{r['contender']} N={r['n']} round {r['round']} ({r['dropped']} vs "
            f"{r['expected']})" for r in bad_checks)) + ".")
    out("")

    out("## Raw runs (ns/packet, in round order)\n")
    out("| contender | N | kind | runs | median |")
    out("|---|---|---|---|---|")
    order = (cols + ["minifw-chain"] + [c + "-ports" for c in PORTS] +
             [c + "-acl" for c in ["none"] + ACL])

    def key(c, n, *kind):
        """the contenders by N, then the port rules, then the access lists"""
        return (c not in cols, n, order.index(c)) + kind

    for (c, n, kind), v in sorted(med.items(), key=lambda kv: key(*kv[0])):
        out(f"| {c} | {n} | {kind} | {runs[(c, n, kind)].replace(',', ', ')} | {v:.0f} |")
    out("")
    out("Load times, all rounds (s):\n")
    for (c, n), v in sorted(loads.items(), key=lambda kv: key(*kv[0])):
        out(f"- {c} N={n}: {', '.join(f'{x:.2f}' for x in v)}")
    out("")
    out("## How the numbers were made\n")
    out(METHOD)
    with open(md, "w") as f:
        f.write("\n".join(lines) + "\n")

    with open(dat, "w") as f:
        f.write("# N " + " ".join(f"{c}_{k}" for c in CONTENDERS for k in ("match", "nomatch"))
                + " none\n")
        for n in ns:
            f.write(str(n) + " " + " ".join(
                str(g(c, n, k) or "NaN") for c in CONTENDERS for k in ("match", "nomatch"))
                + f" {g('none', n, 'nomatch') or 'NaN'}\n")
    # the terminal's table: the goals and ns/packet
    text = "\n".join(lines)
    print(text[text.index("## Goals"):text.index("## Load time")])


def run_ok(r):
    if r["contender"].endswith("-acl"):
        # dropped by the firewall, or by routing (no route: no error either)
        return r["errors"] == "0"
    if r["contender"] == "none" or r["kind"] == "nomatch":
        return r["errors"] == r["sent"]
    return r["errors"] == "0"


def minifw_version():
    """The tree's commit and MODULE_VERSION, as far as they can be told."""
    here = os.path.dirname(os.path.abspath(__file__))
    srcs = ["--", "../*.c", "../ext", "../include", "../Kbuild"]
    try:
        commit = subprocess.run(["git", "-C", here, "log", "-1", "--format=%h"] + srcs,
                                capture_output=True, text=True).stdout.strip()
        if commit and subprocess.run(["git", "-C", here, "diff", "--quiet", "HEAD"] + srcs,
                                     capture_output=True).returncode:
            commit += " with uncommitted changes"
    except OSError:
        commit = ""
    try:
        with open(os.path.join(here, "..", "minifw.c")) as f:
            m = re.search(r'^MODULE_VERSION\("(.*)"\);', f.read(), re.M)
        version = m.group(1) if m else "?"
    except OSError:
        version = "?"
    return f"version {version}" + (f", sources of commit {commit}" if commit else "")


def qemu_version():
    try:
        out = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                             text=True).stdout
        return out.splitlines()[0].replace("QEMU emulator version", "QEMU")
    except (OSError, IndexError):
        return "QEMU ?"


def host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip() + f", {os.cpu_count()} cores"
    except OSError:
        pass
    return "?"


METHOD = f"""\
- `make bench` (bench/bench.sh) builds minifw.ko for the 6.1 kernel, generates
  the rules on the host (`bench/bench.py gen`), boots one VM and runs
  `bench/bench.py run` in it; this file, `bench/results.png` and the table come
  from its output (`bench/bench.py report`). By default the VM has one vCPU and
  QEMU's `-icount shift=0,sleep=off` (`BENCH_CLOCK=icount`): with two vCPUs
  QEMU 7.2 hangs at boot in that mode, and pktgen uses one CPU anyway.
  `BENCH_CLOCK=wall` measures elapsed time with two vCPUs instead, at the
  mercy of whatever else the host runs.
- Rules: N source-CIDR drop rules, generated from a fixed seed, prefix lengths
  mixed /16 to /32 (every length present from N=1,000 on: a few /16s, more of
  each longer prefix, about 20% /24s, 43% /32s), non-overlapping, inside
  10.0.0.0/8. A benchmark of 100,000 CIDRs cannot fit in the documentation
  ranges the tests use; these private addresses never leave the VM (packets are
  injected into a veth's receive path and dropped in it). The last rule is
  {LAST_RULE}; the matching packets come from {MATCH_SRC}, which no other rule
  covers, the non-matching ones from {NOMATCH_SRC}, which none covers.
- Contenders, all at PREROUTING: minifw (`-A PREROUTING -s CIDR -j DROP`, its
  hook at priority -399); iptables-legacy, the same rules in the raw table
  (-300); ipset `hash:net` (hashsize 65536) behind one
  `-t raw -A PREROUTING -m set --match-set S src -j DROP`; nftables, a table
  `ip` with an interval set and `ip saddr @s counter drop` in a chain at
  `hook prerouting priority -300`. Every contender counts its drops (minifw and
  iptables always do; nft's rule has `counter` for that), and the counter is
  checked against the packets sent. Only one contender is loaded at a time;
  each is loaded and removed while pktgen is idle.
- Rules that cannot be indexed (`--ports-n`, default 1,000, and 1): minifw
  and iptables-legacy each loaded with the same UDP port rules, measured in
  rounds of their own after the rest, as "minifw-ports" and "iptables-ports".
- A block list in a user chain: minifw with the largest N's address rules in
  a chain `blocklist` that PREROUTING's only rule calls (`-j blocklist`), in
  rounds of their own, as "minifw-chain".
- Packets: pktgen `xmit_mode netif_receive` (no GRO, no driver), burst 32 (the
  same skb fed to netif_receive_skb() 32 times), destination {DST}: a packet
  that passes the firewall is dropped by the routing decision right after
  PREROUTING (a martian destination), with no reply and the skb unchanged.
  pktgen's errors count those (NET_RX_DROP) but not a netfilter drop (-EPERM),
  which checks every run independently of the contenders' counters.
- Rounds: in each round every contender in turn (and `none`, nothing loaded) is
  loaded, warmed up with a short run of each kind (not counted: the emulator
  translates code the first time it runs, and caches warm up), measured once per
  kind and removed; the median is over the rounds. On the wall clock, a drift of
  the shared host's speed so spreads over all contenders rather than favouring
  whichever ran first. The load time is measured in every round, the memory in
  the first.
- ns/packet = pktgen's elapsed time (guest clock) / packets sent. The packets
  per run are chosen in the first round by probe runs (not counted) so that a
  run takes about the requested guest time, which keeps the 100,000-rule linear
  runs short.
- The quirk of tests/in-vm.sh (TCG leaving a stale int3 after text_poke_bp when
  netfilter hooks register while packets flow) cannot hit here: hooks change only
  while pktgen is idle and nothing else sends.
"""


# ---------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("dir")
    g.add_argument("n", nargs="+", type=int)
    g.add_argument("--acl-n", default="", help="also the access lists of these sizes")
    r = sub.add_parser("run")
    r.add_argument("--n", default="1,1000,10000,100000",
                   help="comma-separated numbers of rules")
    r.add_argument("--runs", type=int, default=5)
    r.add_argument("--seconds", type=float, default=2.0, help="target length of a run")
    r.add_argument("--max-count", type=int, default=2_000_000)
    r.add_argument("--count", type=int, default=0,
                   help=f"fixed packets per run, a multiple of {BURST}; no probing, and each "
                   "warm-up run sends as many")
    r.add_argument("--dir", default="/tmp/minifw-bench", help="rule files (made if missing)")
    r.add_argument("--contenders", default=",".join(CONTENDERS))
    r.add_argument("--ports-n", type=int, default=1000,
                   help="N of the port rules minifw and iptables both walk, also run "
                        "at N=1 (0: none)")
    r.add_argument("--acl-n", default="1000,10000,100000",
                   help="comma-separated sizes of the access lists (bench/classbench.py) "
                        "minifw, iptables and nft are measured with ('': none)")
    r.add_argument("--acl-nft-max", type=int, default=10000,
                   help="the largest access list nft is measured with (its load of a "
                        "100,000-element map takes over ten minutes under emulation)")
    r.add_argument("--mem", default="all", choices=["all", "max"],
                   help="measure the memory at every N or only at the largest (faster)")
    r.add_argument("--ko", default=f"build/{os.uname().release}/minifw.ko")
    r.add_argument("--clock", default="wall", choices=["wall", "icount"],
                   help="what the VM's clock is (for the report): QEMU -icount or not")
    c = sub.add_parser("cleanup")
    c.add_argument("--ko", default=None)
    rep = sub.add_parser("report")
    rep.add_argument("log")
    rep.add_argument("md")
    rep.add_argument("dat")
    a = p.parse_args()

    if a.cmd == "gen":
        for n in a.n:
            write_rules(a.dir, n)
        for n in [0] + [int(x) for x in a.acl_n.split(",") if x]:
            write_acl_rules(a.dir, n)
    elif a.cmd == "run":
        a.n = [int(x) for x in a.n.split(",") if x]
        a.acl_n = [int(x) for x in a.acl_n.split(",") if x]
        if a.runs < 1 or any(n < 1 for n in a.n):
            sys.exit("bench.py: --runs and every --n must be at least 1")
        if a.count % BURST:
            sys.exit(f"bench.py: --count must be a multiple of {BURST}")
        Bench(a).run()
    elif a.cmd == "cleanup":
        cleanup(a.ko)
    else:
        report(a.log, a.md, a.dat)


if __name__ == "__main__":
    main()
