#!/usr/bin/env python3
"""Self-connect reproducer: with a narrow ip_local_port_range and no listener, connect()
to 127.0.0.1:PORT (PORT inside the range) until the kernel picks PORT as the ephemeral port
and the socket connects to itself (simultaneous open with itself). Bounded by --attempts and
--max-seconds. Prints a JSON summary.
"""
import argparse
import errno as E
import json
import socket
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--attempts", type=int, default=2000)
    ap.add_argument("--max-seconds", type=float, default=30.0)
    ap.add_argument("--pause", type=float, default=0.0)
    ap.add_argument("--blocked-attempts", type=int, default=6,
                    help="keep PORT bound (not listening) for the first N attempts, so the capture "
                         "shows refused attempts from other ephemeral ports before the self-connect")
    a = ap.parse_args()
    st = {"tool": "selfconnect", "target": "%s:%d" % (a.addr, a.port), "attempted": 0,
          "succeeded": 0, "failed": {}, "self_connect": None}
    deadline = time.monotonic() + a.max_seconds
    blocker = None
    if a.blocked_attempts > 0:
        blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        blocker.bind((a.addr, a.port))
    while st["attempted"] < a.attempts and time.monotonic() < deadline:
        st["attempted"] += 1
        if blocker is not None and st["attempted"] > a.blocked_attempts:
            blocker.close()
            blocker = None
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(3)
        try:
            s.connect((a.addr, a.port))
        except OSError as e:
            k = E.errorcode.get(e.errno, type(e).__name__) if e.errno else "TIMEOUT(app)"
            st["failed"][k] = st["failed"].get(k, 0) + 1
            s.close()
            if a.pause:
                time.sleep(a.pause)
            continue
        st["succeeded"] += 1
        loc, peer = s.getsockname(), s.getpeername()
        msg = b"hello-myself\n"
        s.sendall(msg)
        echo = s.recv(100)
        st["self_connect"] = {"attempt": st["attempted"], "local": "%s:%d" % loc,
                              "remote": "%s:%d" % peer, "is_self": loc == peer,
                              "four_tuple": [loc[0], loc[1], peer[0], peer[1]],
                              "echo_ok": echo == msg}
        time.sleep(0.2)
        s.close()
        break
    if blocker is not None:
        blocker.close()
    st["blocked_attempts"] = a.blocked_attempts
    print(json.dumps(st))


if __name__ == "__main__":
    main()
