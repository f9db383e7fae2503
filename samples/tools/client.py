#!/usr/bin/env python3
"""Bounded TCP client for the recording lab. Prints a JSON summary on stdout.

Patterns:
  close-first  send a request line, read --response-bytes, close (client sends FIN first)
  wait-eof     send a request line, read until the server closes, then close
  hold         send a request line, wait up to --io-timeout for any reply, then close
  connect      connect only, then close (no data)
Connections are made by --concurrency workers; with --waves W the workers start each
connection together (barrier), W waves separated by --wave-gap seconds, so SYNs go out in
bursts. Every connection is bounded by TCP_SYNCNT / --connect-timeout / --io-timeout; the run
by --count and --max-seconds.
"""
import argparse
import errno as E
import json
import random
import socket
import threading
import time


def ename(e):
    n = getattr(e, "errno", None)
    if n:
        return E.errorcode.get(n, str(n))
    if isinstance(e, (socket.timeout, TimeoutError)):
        return "TIMEOUT(app)"
    return type(e).__name__


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dst", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--bind", default=None, help="local address to bind")
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--pattern", choices=["close-first", "wait-eof", "hold", "connect"],
                    default="close-first")
    ap.add_argument("--request-bytes", type=int, default=64)
    ap.add_argument("--response-bytes", type=int, default=200)
    ap.add_argument("--interval", type=float, default=0.0, help="pause per worker between connections")
    ap.add_argument("--waves", type=int, default=0)
    ap.add_argument("--wave-gap", type=float, default=1.0)
    ap.add_argument("--syncnt", type=int, default=2, help="TCP_SYNCNT (SYN retransmissions)")
    ap.add_argument("--connect-timeout", type=float, default=20.0)
    ap.add_argument("--io-timeout", type=float, default=5.0)
    ap.add_argument("--linger-ms", type=int, default=0, help="sleep before close in hold pattern")
    ap.add_argument("--max-seconds", type=float, default=60.0)
    ap.add_argument("--label", default="client")
    a = ap.parse_args()

    fam = socket.AF_INET6 if ":" in a.dst else socket.AF_INET
    lock = threading.Lock()
    st = {"tool": "client", "label": a.label, "target": "%s:%d" % (("[%s]" % a.dst) if fam == socket.AF_INET6 else a.dst, a.port),
          "pattern": a.pattern, "attempted": 0, "succeeded": 0, "failed": {}, "io_ok": 0,
          "io_failed": {}, "connect_ms_max": 0.0, "connect_ms_sum": 0.0}
    deadline = time.monotonic() + a.max_seconds
    req = b"G" * (a.request_bytes - 1) + b"\n"
    counter = [0]
    rnd = random.Random()

    def take():
        with lock:
            if counter[0] >= a.count or time.monotonic() >= deadline:
                return False
            counter[0] += 1
            st["attempted"] += 1
            return True

    def bump(key, name):
        with lock:
            st[key][name] = st[key].get(name, 0) + 1

    def one():
        s = socket.socket(fam, socket.SOCK_STREAM)
        try:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_SYNCNT, a.syncnt)
            if a.bind:
                s.bind((a.bind, 0))
            s.settimeout(a.connect_timeout)
            t0 = time.monotonic()
            try:
                s.connect((a.dst, a.port))
            except Exception as e:  # noqa
                bump("failed", ename(e))
                return
            ms = (time.monotonic() - t0) * 1000
            with lock:
                st["succeeded"] += 1
                st["connect_ms_sum"] += ms
                st["connect_ms_max"] = max(st["connect_ms_max"], ms)
            if a.pattern == "connect":
                s.close()
                return
            s.settimeout(a.io_timeout)
            try:
                s.sendall(req)
                if a.pattern == "close-first":
                    got = 0
                    while got < a.response_bytes:
                        d = s.recv(65536)
                        if not d:
                            break
                        got += len(d)
                    ok = got >= a.response_bytes
                elif a.pattern == "wait-eof":
                    got = 0
                    while True:
                        d = s.recv(65536)
                        if not d:
                            break
                        got += len(d)
                    ok = got >= a.response_bytes
                else:  # hold
                    d = s.recv(65536)
                    ok = bool(d)
                    if a.linger_ms:
                        time.sleep(a.linger_ms / 1000.0)
                if ok:
                    with lock:
                        st["io_ok"] += 1
                else:
                    bump("io_failed", "SHORT_READ")
            except Exception as e:  # noqa
                bump("io_failed", ename(e))
        finally:
            s.close()

    if a.waves > 0:
        barrier = threading.Barrier(a.concurrency)

        def worker():
            for w in range(a.waves):
                try:
                    barrier.wait(timeout=a.max_seconds)
                except threading.BrokenBarrierError:
                    return
                if take():
                    one()
                if w + 1 < a.waves:
                    time.sleep(max(0.0, a.wave_gap))
        # waves: each worker runs its wave, then waits for the others before the next gap
    else:
        def worker():
            while take():
                one()
                if a.interval:  # jittered, so connection starts do not phase-lock to anything
                    time.sleep(a.interval * rnd.uniform(0.5, 1.5))

    ths = [threading.Thread(target=worker, daemon=True) for _ in range(a.concurrency)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(max(0.0, deadline - time.monotonic() + 30))
    st["connect_ms_avg"] = round(st["connect_ms_sum"] / st["succeeded"], 3) if st["succeeded"] else None
    st["connect_ms_max"] = round(st["connect_ms_max"], 3)
    del st["connect_ms_sum"]
    print(json.dumps(st))


if __name__ == "__main__":
    main()
