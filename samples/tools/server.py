#!/usr/bin/env python3
"""Small TCP server for the recording lab. Bounded by --max-seconds and --max-conns.

Modes:
  echo      accept; read one request line; send --response-bytes; then
            --close client-first: wait for the client's FIN, then close (client holds TIME_WAIT)
            --close server-first: close right after the response (server holds TIME_WAIT)
            --close never: read until EOF and never close (the socket leaks in CLOSE_WAIT)
  noaccept  listen(backlog) and never call accept() (accept-queue overflow)
Prints a JSON summary on stdout at exit (SIGTERM or time limit).
"""
import argparse
import json
import signal
import socket
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--backlog", type=int, default=128)
    ap.add_argument("--mode", choices=["echo", "noaccept"], default="echo")
    ap.add_argument("--close", choices=["client-first", "server-first", "never"], default="client-first")
    ap.add_argument("--response-bytes", type=int, default=200)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    ap.add_argument("--max-conns", type=int, default=10000)
    ap.add_argument("--ready-file", default=None)
    a = ap.parse_args()

    fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.addr, a.port))
    ls.listen(a.backlog)
    stats = {"tool": "server", "listen": "%s:%d" % (("[%s]" % a.addr) if fam == socket.AF_INET6 else a.addr, a.port),
             "backlog": a.backlog, "mode": a.mode, "close": a.close, "accepted": 0,
             "completed": 0, "errors": {}}
    lock = threading.Lock()
    leaked = []
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if a.ready_file:
        open(a.ready_file, "w").write("ready\n")
    deadline = time.monotonic() + a.max_seconds
    payload = (b"R" * (a.response_bytes - 1) + b"\n") if a.response_bytes > 0 else b""

    def err(e):
        name = getattr(e, "errno", None)
        import errno as E
        key = E.errorcode.get(name, type(e).__name__) if name else type(e).__name__
        with lock:
            stats["errors"][key] = stats["errors"].get(key, 0) + 1

    def handle(c):
        try:
            c.settimeout(15)
            buf = b""
            while b"\n" not in buf:
                d = c.recv(4096)
                if not d:
                    break
                buf += d
            if payload:
                c.sendall(payload)
            if a.close in ("client-first", "never"):
                while c.recv(4096):
                    pass
            if a.close == "never":
                with lock:
                    stats["completed"] += 1
                    leaked.append(c)  # read EOF, never closed: CLOSE_WAIT until the process exits
                return
            c.close()
            with lock:
                stats["completed"] += 1
        except Exception as e:  # noqa
            err(e)
            c.close()

    if a.mode == "noaccept":
        while not stop.is_set() and time.monotonic() < deadline:
            stop.wait(0.2)
    else:
        ls.settimeout(0.2)
        threads = []
        while not stop.is_set() and time.monotonic() < deadline and stats["accepted"] < a.max_conns:
            try:
                c, _ = ls.accept()
            except socket.timeout:
                continue
            stats["accepted"] += 1
            t = threading.Thread(target=handle, args=(c,), daemon=True)
            t.start()
            threads.append(t)
            threads = [x for x in threads if x.is_alive()]
        end = time.monotonic() + 5
        for t in threads:
            t.join(max(0.0, end - time.monotonic()))
    ls.close()
    print(json.dumps(stats))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
