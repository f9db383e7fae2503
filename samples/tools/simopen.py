#!/usr/bin/env python3
"""One side of a TCP simultaneous open: bind LOCAL:LPORT, wait until the absolute wall-clock
time --at, then connect() to PEER:PPORT (no listener anywhere). Run the mirror image in the
other namespace with the same --at; a delay on the path lets the two SYNs cross. After the
connection exists, send one line, read the peer's line, close. Prints a JSON summary.
"""
import argparse
import errno as E
import json
import socket
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--local", required=True)
    ap.add_argument("--lport", type=int, required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--pport", type=int, required=True)
    ap.add_argument("--at", type=float, required=True, help="time.time() at which to connect")
    ap.add_argument("--timeout", type=float, default=8.0)
    ap.add_argument("--name", default="side")
    a = ap.parse_args()
    st = {"tool": "simopen", "name": a.name, "local": "%s:%d" % (a.local, a.lport),
          "peer": "%s:%d" % (a.peer, a.pport), "attempted": 1, "succeeded": 0, "failed": {}}
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_SYNCNT, 2)
    s.bind((a.local, a.lport))
    d = a.at - time.time()
    if 0 < d < 30:
        time.sleep(d)
    st["connect_called"] = round(time.time(), 6)
    s.settimeout(a.timeout)
    try:
        s.connect((a.peer, a.pport))
        st["succeeded"] = 1
        s.sendall(("hello from %s\n" % a.name).encode())
        st["received"] = s.recv(100).decode(errors="replace").strip()
        time.sleep(0.3)
    except OSError as e:
        k = E.errorcode.get(e.errno, type(e).__name__) if e.errno else "TIMEOUT(app)"
        st["failed"][k] = 1
    s.close()
    print(json.dumps(st))


if __name__ == "__main__":
    main()
