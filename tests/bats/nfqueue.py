#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A user-space NFQUEUE reader over raw netlink (nfnetlink_queue's
protocol, as libnetfilter_queue speaks it; Debian packages no Python
binding of it): bind a queue, decide each packet, print what it saw.

  nfqueue.py QUEUE accept|drop COUNT [TIMEOUT]

Binds QUEUE, prints "bound" once it is (stdout, flushed), then gives each
packet the verdict until COUNT packets were seen or TIMEOUT seconds (10)
passed, and prints one line per packet: "packet ID hook HOOK len LEN".
"""

import os
import select
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_PACKET = 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR, NFQA_PAYLOAD = 1, 2, 10
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NF_DROP, NF_ACCEPT = 0, 1


def attr(kind, data):
    length = 4 + len(data)
    return struct.pack("=HH", length, kind) + data + b"\0" * (-length % 4)


def message(msg_type, queue, attrs, flags=NLM_F_REQUEST, seq=0):
    # nfgenmsg: family AF_UNSPEC, version 0, the queue (big endian)
    body = struct.pack("!BBH", socket.AF_UNSPEC, 0, queue) + b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type,
                       flags, seq, 0) + body


def attrs_of(data):
    out, pos = {}, 0
    while pos + 4 <= len(data):
        length, kind = struct.unpack_from("=HH", data, pos)
        if length < 4:
            break
        out[kind & 0x7fff] = data[pos + 4:pos + length]
        pos += (length + 3) & ~3
    return out


def messages(buf):
    pos = 0
    while pos + 16 <= len(buf):
        length, msg_type, _flags, _seq, _pid = struct.unpack_from("=IHHII", buf, pos)
        if length < 16:
            break
        yield msg_type, buf[pos + 16:pos + length]
        pos += (length + 3) & ~3


def expect_ack(sock):
    for msg_type, body in messages(sock.recv(65536)):
        if msg_type == NLMSG_ERROR:
            err = struct.unpack_from("=i", body)[0]
            if err:
                raise SystemExit("nfqueue: config refused: %s" % os.strerror(-err))
            return
    raise SystemExit("nfqueue: no answer to the config")


def main():
    queue, verdict, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
    decide = NF_ACCEPT if verdict == "accept" else NF_DROP
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    sock.send(message(NFQNL_MSG_CONFIG, queue,
                      [attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, 0))],
                      NLM_F_REQUEST | NLM_F_ACK, 1))
    expect_ack(sock)
    sock.send(message(NFQNL_MSG_CONFIG, queue,
                      [attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0xffff, NFQNL_COPY_PACKET))],
                      NLM_F_REQUEST | NLM_F_ACK, 2))
    expect_ack(sock)
    print("bound", flush=True)
    seen, end = 0, time.monotonic() + timeout
    while seen < count:
        left = end - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            break
        for msg_type, body in messages(sock.recv(65536)):
            if msg_type != (NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET):
                continue
            found = attrs_of(body[4:])
            packet_id, _proto, hook = struct.unpack_from("!IHB", found[NFQA_PACKET_HDR])
            print("packet %d hook %d len %d" % (packet_id, hook,
                                                len(found.get(NFQA_PAYLOAD, b""))), flush=True)
            sock.send(message(NFQNL_MSG_VERDICT, queue,
                              [attr(NFQA_VERDICT_HDR, struct.pack("!II", decide, packet_id))]))
            seen += 1
    print("seen %d" % seen, flush=True)


if __name__ == "__main__":
    main()
