#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Malformed writes to /proc/minifw/rules, for tests/bats/70-abuse.bats.

Runs in the test VM, as root, with minifw loaded. One process does all the
writes, so that thousands of them stay quick under emulation.

  abuse_writes.py base                 load the base ruleset (one write)
  abuse_writes.py abuse SEED N         N generated writes, then the first
                                       500 refused again through one open file
  abuse_writes.py special              a 1 MiB line, NUL bytes, bad last lines
  abuse_writes.py batch N              N valid rules in one write

The inputs of "abuse" come from random.Random(SEED) alone, so a failure
reproduces with the same SEED; each failure prints the case's index, kind
and bytes. A generated write may happen to be valid: it is then accepted,
counted as such, and the base ruleset is restored before the next case.
For every refused write: the write fails with EINVAL, the listing is
byte-for-byte what it was, and /proc/minifw/error names a line of the write
("line N: ..."). Prints "refused R accepted A changed C seconds S" last.
"""

import errno
import os
import random
import re
import sys
import time

RULES = "/proc/minifw/rules"
ERROR = "/proc/minifw/error"

# Valid rules; loaded as the base ruleset and mutated into bad ones.
BASE = [
    "-P FORWARD DROP",
    "-A PREROUTING -s 192.0.2.7 -j DROP",
    "-A PREROUTING -i mfw+ -d 198.51.100.0/24 -p udp --dport 5353",
    "-A INPUT -p tcp --dport 22 -j ACCEPT",
    "-A INPUT -s 198.51.100.0/24 -p udp --sport 53 --dport 1024:65535 -j ACCEPT",
    "-A INPUT -p icmp --icmp-type echo-request -m limit --limit 5/second --limit-burst 10 -j ACCEPT",
    "-A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT",
    "-A INPUT -m iprange --src-range 198.51.100.10-198.51.100.20 -j DROP",
    "-A INPUT -p tcp ! --syn --sport 443 -j ACCEPT",
    "-A INPUT -p tcp --tcp-flags SYN,ACK SYN -j LOG --log-prefix \"syn: \" --log-level info",
    "-A INPUT -p tcp -j REJECT --reject-with tcp-reset",
    "-A INPUT -m comment --comment \"a note\" -j DROP",
    "-A INPUT -j REJECT --reject-with icmp-host-prohibited",
    "-A FORWARD -i mfw+ -o eth1 ! -s 203.0.113.0/24 -j DROP",
    "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j ACCEPT",
    "-A OUTPUT -o eth0 -p udp --dport 53 -j ACCEPT",
    "-A OUTPUT -d 10.0.0.0/255.0.0.0 ! -p udp -j DROP",
    "-A OUTPUT -p icmp --icmp-type 3/1",
    "-A POSTROUTING -d 203.0.113.9/32 -o mfw1 -p 47",
    "-A INPUT -p tcp --dport 22 -m recent --update --seconds 60 --hitcount 4 --name ssh -j DROP",
    "-A INPUT -p tcp --syn -m hashlimit --hashlimit-above 10/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-htable-size 64 --hashlimit-name syn -j DROP",
    # the set 70-abuse.bats makes
    "-A INPUT -m set --match-set mfw_abuse src,dst ! --update-counters --packets-gt 3 -j DROP",
    "-A FORWARD -p tcp --syn -j SET --add-set mfw_abuse dst --exist --timeout 60",
]

# Valid commands that change the base: mutated too, applied when still valid.
EDITS = [
    "-I INPUT 2 -p udp -j DROP",
    "-D INPUT 1",
    "-D INPUT -p tcp --dport 22 -j ACCEPT",
    "-R INPUT 1 -p tcp --dport 2222 -j DROP",
    "-Z INPUT 1",
    "-F OUTPUT",
    "-P INPUT DROP",
    "--append OUTPUT --protocol=udp --destination-port=123 --jump=ACCEPT",
    "-A INPUT -ptcp --dport=8080 -j ACCEPT",
    "-A INPUT -p udp -m multiport --sports 1:2,5 ! --dport 7 -j DROP",
]

# What mutations put in place of a token.
TOKENS = [
    "-A", "-I", "-D", "-R", "-F", "-P", "-Z", "-X", "-N", "-L", "-t",
    "INPUT", "input", "PREROUTING", "FILTER", "-s", "-d", "-p", "-i", "-o",
    "-j", "-m", "--dport", "--sport", "--dports", "--syn", "--tcp-flags",
    "--icmp-type", "--comment", "--limit", "--limit-burst", "--log-prefix",
    "--log-level", "--reject-with", "--src-range", "--to-ports", "-f",
    "--set", "--rcheck", "--update", "--hitcount", "--seconds", "--reap", "--name",
    "--mask", "--rdest", "--match-set", "--add-set", "--del-set", "mfw_abuse", "src,dst",
    "dst,,src", "src,src,src,src,src,src,src", "--packets-eq", "--timeout", "--exist",
    "!", "!!", "-", "--", "---", "=", "--dport=", "tcp", "udp", "icmp",
    "all", "ACCEPT", "DROP", "REJECT", "LOG", "RETURN", "MASQUERADE",
    "ALL", "NONE", "SYN,ACK", "SYN,,ACK", "FOO", "1/sec", "5/fortnight",
    "0/second", "\"", "'", "\"\"", "''", "\\", "#", "*filter", "COMMIT",
    ":INPUT", "[0:0]", "192.0.2.1", "192.0.2", "192.0.2.1.5", "::1",
    "0x10", "1e3", "+5", "-5", "022", "8000:", ":80", "80:22", "1,2,,3",
    "a-b", "192.0.2.9-192.0.2.1", "eth0+", "%s%n%x", "\u00e9t\u00e9",
]

# Out-of-range and ill-formed numbers, put in place of a number.
NUMBERS = [
    "65536", "99999", "4294967296", "4294967295", "18446744073709551616",
    "99999999999999999999999999", "-1", "-0", "00", "007", "+1", "1.5",
    "0x50", "1e9", "256", "300", "33", "-33", "", " ", "\u0663",
    "2147483648", "10001", "8", "16", "255/256", "1/", "/1",
]

# Whitespace iptables' shell would never pass, and near-whitespace.
SPACES = [
    "\t", "\r", "\v", "\f", "  ", "\t\t", " \t ", "\u00a0", "\u2003",
    "\u200b", "\x1b", "\x7f", "\x01",
]


def mutate_tokens(rng, line):
    toks = line.split(" ")
    op = rng.randrange(4)
    i = rng.randrange(len(toks))
    if op == 0 and len(toks) > 1:
        del toks[i]
    elif op == 1:
        toks.insert(i, toks[i])
    elif op == 2 and len(toks) > 1:
        j = rng.randrange(len(toks))
        toks[i], toks[j] = toks[j], toks[i]
    else:
        toks[i] = rng.choice(TOKENS)
    return " ".join(toks)


def mutate_number(rng, line):
    nums = list(re.finditer(r"\d+", line))
    if not nums:
        return line + " " + rng.choice(NUMBERS)
    m = rng.choice(nums)
    return line[:m.start()] + rng.choice(NUMBERS) + line[m.end():]


def stray_bang(rng, line):
    toks = line.split(" ")
    i = rng.randrange(len(toks) + 1)
    bang = rng.choice(["!", "!", "! !", "!!", "!" + (toks[i] if i < len(toks) else ""),
                       "\\!", "\"!\""])
    if i < len(toks) and bang.startswith("!") and bang != "!" and len(bang) > 2 \
            and not bang.startswith("! ") and not bang.startswith("!!"):
        toks[i] = bang          # glued to the next token: "!-p"
    else:
        toks.insert(i, bang)
    return " ".join(toks)


def odd_space(rng, line):
    spaces = [m.start() for m in re.finditer(" ", line)]
    ws = rng.choice(SPACES)
    where = rng.randrange(3)
    if where == 0 and spaces:
        i = rng.choice(spaces)
        return line[:i] + ws + line[i + 1:]
    if where == 1:
        return ws + line
    return line + ws


def flip_byte(rng, data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        b[rng.randrange(len(b))] = rng.randrange(1, 256)
    return bytes(b)


def valid_line(rng):
    return rng.choice(BASE + EDITS)


def gen_case(rng):
    """One write: (kind, bytes, lines of valid prefix or None)."""
    kind = rng.choice(["random", "truncate", "tokens", "tokens", "number",
                       "number", "bang", "space", "flip", "prefix"])
    line = valid_line(rng)
    if kind == "random":
        n = rng.randint(1, 300)
        data = bytes(rng.randrange(256) for _ in range(n))
        return kind, data.replace(b"*filter", b"*f") + b"\n", None
    if kind == "truncate":
        return kind, line[:rng.randrange(len(line))].encode() + b"\n", None
    if kind == "tokens":
        for _ in range(rng.randint(1, 3)):
            line = mutate_tokens(rng, line)
    elif kind == "number":
        line = mutate_number(rng, line)
    elif kind == "bang":
        line = stray_bang(rng, line)
    elif kind == "space":
        line = odd_space(rng, line)
    elif kind == "flip":
        data = flip_byte(rng, line.encode())
        return kind, data.replace(b"*filter", b"*f") + b"\n", None
    elif kind == "prefix":
        # valid appends, then a bad line: the whole write is refused and
        # the error names the bad line
        k = rng.randint(1, 5)
        prefix = "".join("-A INPUT -s 203.0.113.%d -j DROP\n" % rng.randint(1, 254)
                         for _ in range(k))
        bad = mutate_tokens(rng, mutate_number(rng, line))
        return kind, (prefix + bad + "\n").encode(), k
    return kind, line.encode() + b"\n", None


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write_fd(fd, data):
    """Returns 0 or the errno of one write() of all of data."""
    try:
        n = os.write(fd, data)
    except OSError as e:
        return e.errno
    if n != len(data):
        raise SystemExit("short write: %d of %d bytes" % (n, len(data)))
    return 0


def write_once(data):
    fd = os.open(RULES, os.O_WRONLY)
    try:
        return write_fd(fd, data)
    finally:
        os.close(fd)


def error_line():
    m = re.match(rb"line (\d+): .", read(ERROR))
    return int(m.group(1)) if m else None


class Checker:
    def __init__(self):
        self.failures = 0

    def fail(self, what, idx, kind, data):
        self.failures += 1
        if self.failures <= 20:
            print("FAIL case %s (%s): %s\n  write: %r" % (idx, kind, what, data[:300]))


def load_base():
    err = write_once(("".join(l + "\n" for l in BASE)).encode())
    if err:
        raise SystemExit("base ruleset refused: %s: %r" % (os.strerror(err), read(ERROR)))


def restore(base):
    err = write_once(base)
    if err or read(RULES) != base:
        raise SystemExit("could not restore the base ruleset: %s" % read(ERROR))


def abuse(seed, count):
    rng = random.Random(seed)
    base = read(RULES)
    chk = Checker()
    refused_cases = []
    accepted = changed = 0
    start = time.monotonic()
    for idx in range(count):
        kind, data, prefix = gen_case(rng)
        err = write_once(data)
        now = read(RULES)
        if err == 0:
            accepted += 1
            if now != base:
                changed += 1
                restore(base)
            continue
        refused_cases.append((idx, kind, data))
        if err != errno.EINVAL:
            chk.fail("errno %d (%s), not EINVAL" % (err, os.strerror(err)), idx, kind, data)
        if now != base:
            chk.fail("refused, but the listing changed", idx, kind, data)
            restore(base)
        n = error_line()
        lines = data.count(b"\n")
        if n is None or not 1 <= n <= lines:
            chk.fail("error %r does not name one of its %d lines" % (read(ERROR), lines),
                     idx, kind, data)
        elif prefix is not None and n != prefix + 1:
            chk.fail("error %r, expected line %d" % (read(ERROR), prefix + 1), idx, kind, data)

    # The first 500 refused writes again, all through ONE open file: each
    # is refused on its own, line numbers run on across writes, and the
    # file still takes a valid line afterwards.
    fd = os.open(RULES, os.O_WRONLY)
    total = 0
    for idx, kind, data in refused_cases[:500]:
        err = write_fd(fd, data)
        lines = data.count(b"\n")
        if err != errno.EINVAL:
            chk.fail("same file: errno %d, not EINVAL" % err, idx, kind, data)
        n = error_line()
        if n is None or not total < n <= total + lines:
            chk.fail("same file: error %r, expected a line in %d-%d" %
                     (read(ERROR), total + 1, total + lines), idx, kind, data)
        total += lines
    if read(RULES) != base:
        chk.fail("same file: the listing changed", "-", "-", b"")
    good = b"-A INPUT -p udp --dport 9 -j DROP\n"
    err = write_fd(fd, good)
    os.close(fd)
    if err or b"-A INPUT -p udp -m udp --dport 9 -j DROP\n" not in read(RULES):
        chk.fail("same file: a valid line after the refusals did not apply (errno %d)" % err,
                 "-", "-", good)
    restore(base)

    # all of it: the bound on the kernel log's lines depends on it
    seconds = time.monotonic() - start
    print("refused %d accepted %d changed %d seconds %.1f" %
          (len(refused_cases), accepted, changed, seconds))
    return chk.failures


def special():
    base = read(RULES)
    chk = Checker()
    cases = [
        # (what, bytes, expected /proc/minifw/error)
        ("1 MiB line", b"a" * 1048576 + b"\n-A INPUT -j DROP\n",
         b"line 1: line longer than 3200 bytes\n"),
        ("1 MiB line of blanks", b" " * 1048576 + b"\n",
         b"line 1: line longer than 3200 bytes\n"),
        ("NUL byte", b"-A INPUT -p tcp\0 -j DROP\n",
         b"line 1: NUL byte in line\n"),
        ("NUL after a valid line", b"-A INPUT -j DROP\n-A INPUT\0 -p udp\n",
         b"line 2: NUL byte in line\n"),
        ("a lone NUL", b"\0\n", b"line 1: NUL byte in line\n"),
        ("NUL then 1 MiB", b"\0" + b"b" * 1048576 + b"\n", b"line 1: NUL byte in line\n"),
    ]
    for what, data, msg in cases:
        err = write_once(data)
        if err != errno.EINVAL:
            chk.fail("errno %d, not EINVAL" % err, what, "special", data)
        if read(RULES) != base:
            chk.fail("the listing changed", what, "special", data)
            restore(base)
        if read(ERROR) != msg:
            chk.fail("error %r, expected %r" % (read(ERROR), msg), what, "special", data)
    # -m recent's list of the base ruleset: bad writes to its file are
    # refused whole (EINVAL), the list unchanged
    lst = "/proc/minifw/recent/ssh"
    fd = os.open(lst, os.O_WRONLY)
    try:
        if write_fd(fd, b"+192.0.2.5\n"):
            chk.fail("a good line refused", "recent", "special", b"")
        before = read(lst)
        bad = [b"+192.0.2.6\n" + b"x" * 1048576, b"+192.0.2.6\n\0", b"+192.0.2.6\n+300.1.1.1\n",
               b"+192.0.2.6\n" * 65, b"+", b"/x", b"*", b"+192.0.2.6 \n", b"-192.0.2.6\n"]
        for data in bad:
            err = write_fd(fd, data)
            if err not in (errno.EINVAL, errno.ENOENT):
                chk.fail("errno %d, not EINVAL or ENOENT" % err, "recent", "special", data)
            if read(lst) != before:
                chk.fail("the list changed", "recent", "special", data)
    finally:
        os.close(fd)
    print("special cases %d" % (len(cases) + len(bad)))
    return chk.failures


def batch(n):
    lines = ["-A INPUT -s 198.51.100.%d -p %s --dport %d -j %s" %
             (i % 256, ("tcp", "udp")[i % 2], i % 65536, ("DROP", "ACCEPT")[i % 3 == 0])
             for i in range(n)]
    err = write_once(("".join(l + "\n" for l in lines)).encode())
    if err:
        print("batch of %d refused: %s: %r" % (n, os.strerror(err), read(ERROR)))
        return 1
    listed = [l for l in read(RULES).decode().splitlines() if l.startswith("-A INPUT ")]
    want = ["-A INPUT -s 198.51.100.%d/32 -p %s -m %s --dport %d -j %s" %
            (i % 256, p, p, i % 65536, ("DROP", "ACCEPT")[i % 3 == 0])
            for i, p in ((i, ("tcp", "udp")[i % 2]) for i in range(n))]
    if listed[-n:] != want:
        diff = next((i for i in range(n) if listed[len(listed) - n + i] != want[i]), None) \
            if len(listed) >= n else None
        print("batch of %d: the listing has %d rules, not the ones written%s" %
              (n, len(listed), "" if diff is None else
               ": rule %d is %r, not %r" % (diff, listed[len(listed) - n + diff], want[diff])))
        return 1
    print("batch %d rules listed" % n)
    return 0


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "base" and len(sys.argv) == 2:
        load_base()
        return 0
    if cmd == "abuse" and len(sys.argv) == 4:
        return 1 if abuse(int(sys.argv[2]), int(sys.argv[3])) else 0
    if cmd == "special" and len(sys.argv) == 2:
        return 1 if special() else 0
    if cmd == "batch" and len(sys.argv) == 3:
        return batch(int(sys.argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
