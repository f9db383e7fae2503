#!/usr/bin/env python3
"""Fixed-delay packet relay for namespaces without sch_netem.

Binds an NFQUEUE (nfnetlink_queue, stdlib netlink only) and issues each queued
packet's NF_ACCEPT verdict DELAY ms after it was queued, in arrival order.
Use with iptables rules like
    iptables -A OUTPUT -o IF -j NFQUEUE --queue-num N --queue-bypass
    iptables -A INPUT  -i IF -j NFQUEUE --queue-num N --queue-bypass
inside the namespace whose traffic should be delayed.  Runs until --max-seconds
or SIGTERM; with --queue-bypass the kernel accepts packets without delay once
this program is gone.
"""
import argparse
import collections
import os
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_CFG_CMD_UNBIND = 2
NFQNL_COPY_META = 1
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NF_ACCEPT = 1


def nla(atype, data):
    ln = 4 + len(data)
    return struct.pack("=HH", ln, atype) + data + b"\0" * ((4 - ln % 4) % 4)


def msg(mtype, flags, seq, family, res_id, attrs):
    body = struct.pack("=BBH", family, 0, socket.htons(res_id)) + attrs
    return struct.pack("=IHHII", 16 + len(body), mtype, flags, seq, 0) + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--queue", type=int, default=0)
    ap.add_argument("--delay-ms", type=float, default=10.0)
    ap.add_argument("--max-seconds", type=float, default=120.0)
    a = ap.parse_args()
    delay = a.delay_ms / 1000.0
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    signal.signal(signal.SIGINT, lambda *_: stop.__setitem__(0, True))

    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((0, 0))
    cfg = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_CONFIG
    seq = 1
    # bind the queue (AF_UNSPEC family in the cmd is fine on modern kernels)
    s.send(msg(cfg, NLM_F_REQUEST | NLM_F_ACK, seq, socket.AF_UNSPEC, a.queue,
               nla(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, 0))))
    seq += 1
    s.send(msg(cfg, NLM_F_REQUEST | NLM_F_ACK, seq, socket.AF_UNSPEC, a.queue,
               nla(NFQA_CFG_PARAMS, struct.pack("!IB", 0xFFFF, NFQNL_COPY_META))))
    vtype = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT
    pending = collections.deque()  # (release_time, packet_id)
    deadline = time.monotonic() + a.max_seconds
    count = 0
    sys.stderr.write("netdelay: queue %d delay %.1f ms ready\n" % (a.queue, a.delay_ms))
    sys.stderr.flush()
    while not stop[0] and time.monotonic() < deadline:
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, pid = pending.popleft()
            seq += 1
            s.send(msg(vtype, NLM_F_REQUEST, seq, socket.AF_UNSPEC, a.queue,
                       nla(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, pid))))
        timeout = 0.2 if not pending else max(0.0, pending[0][0] - time.monotonic())
        r, _, _ = select.select([s], [], [], timeout)
        if not r:
            continue
        try:
            data = s.recv(1 << 16)
        except OSError as e:  # ENOBUFS: kernel dropped messages; keep going
            sys.stderr.write("netdelay: recv %s\n" % e)
            continue
        t = time.monotonic()
        off = 0
        while off + 16 <= len(data):
            ln, mtype, flags, mseq, mpid = struct.unpack_from("=IHHII", data, off)
            if ln < 16:
                break
            if mtype == NLMSG_ERROR:
                err = struct.unpack_from("=i", data, off + 16)[0]
                if err != 0:
                    sys.stderr.write("netdelay: netlink error %d\n" % err)
                    sys.exit(1)
            elif mtype == ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET):
                p = off + 20
                end = off + ln
                while p + 4 <= end:
                    alen, atype = struct.unpack_from("=HH", data, p)
                    if alen < 4:
                        break
                    if (atype & 0x7FFF) == NFQA_PACKET_HDR:
                        pid = struct.unpack_from("!I", data, p + 4)[0]
                        pending.append((t + delay, pid))
                        count += 1
                    p += (alen + 3) & ~3
            off += (ln + 3) & ~3
    # flush what is still held, then unbind
    for _, pid in pending:
        seq += 1
        s.send(msg(vtype, NLM_F_REQUEST, seq, socket.AF_UNSPEC, a.queue,
                   nla(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, pid))))
    s.send(msg(cfg, NLM_F_REQUEST, seq + 1, socket.AF_UNSPEC, a.queue,
               nla(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_UNBIND, 0, 0))))
    sys.stderr.write("netdelay: %d packets delayed\n" % count)


if __name__ == "__main__":
    main()
