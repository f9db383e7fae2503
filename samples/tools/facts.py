#!/usr/bin/env python3
"""Assemble samples/<name>.facts.json from the artefacts `record` left in a work directory.

Work directory layout (written by record):
  <ns>.nstat.before.json / <ns>.nstat.after.json   `nstat -asz --json` in namespace <ns>
  <ns>.ss.txt                                       `ss -tanH` at the end of the scenario
  <ns>.listen.txt                                   `ss -tlnH` at the end (Recv-Q = accept queue, Send-Q = backlog)
  <ns>.sysctl.txt                                   `sysctl key ...` lines in force
  prog-*.json                                       one JSON object printed by a lab program
"""
import argparse
import glob
import json
import os
import platform
import re

NAMED = ["TcpExtSyncookiesSent", "TcpExtSyncookiesRecv", "TcpExtSyncookiesFailed",
         "TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtTCPReqQFullDrop",
         "TcpExtTCPReqQFullDoCookies", "TcpActiveOpens", "TcpPassiveOpens", "TcpAttemptFails",
         "TcpEstabResets", "TcpOutRsts", "TcpRetransSegs", "TcpExtTCPTimeWaitOverflow",
         "TcpExtTW", "TcpExtTWRecycled", "TcpExtTCPSynRetrans", "TcpExtTCPAbortOnData",
         "TcpExtTCPAbortOnClose", "TcpExtTCPChallengeACK", "TcpExtPAWSEstab",
         "TcpExtTCPTimeouts", "TcpExtEmbryonicRsts"]

SKIP_CHANGED = re.compile(r"^(Ip|Ip6|Icmp|Icmp6|IcmpMsg|Udp|Udp6|UdpLite|UdpLite6|TcpExtTCPOrigDataSent|"
                          r"TcpExtTCPHPHits|TcpExtTCPPureAcks|TcpExtTCPHPAcks|TcpExtTCPRcvCoalesce|"
                          r"TcpExtTCPAutoCorking|TcpExtTCPDelivered|TcpExtTCPBacklogCoalesce|"
                          r"TcpExtTCPKeepAlive|TcpExtDelayedACK|TcpExtTCPDSACK)")


def load_json(p):
    with open(p) as f:
        return json.load(f)


def nstat_delta(before, after):
    b = before.get("kernel", before)
    aft = after.get("kernel", after)
    out = {}
    for k in NAMED:
        if k in aft:
            out[k] = int(aft[k]) - int(b.get(k, 0))
    for k, v in aft.items():
        d = int(v) - int(b.get(k, 0))
        if d and k not in out and not SKIP_CHANGED.match(k):
            out[k] = d
    # Also keep Tcp in/out segment totals for a sense of scale.
    for k in ("TcpInSegs", "TcpOutSegs", "TcpCurrEstab"):
        if k in aft:
            out[k] = (int(aft[k]) - int(b.get(k, 0))) if k != "TcpCurrEstab" else int(aft[k])
    return out


def ss_states(path):
    states = {}
    for line in open(path):
        parts = line.split()
        if parts:
            states[parts[0]] = states.get(parts[0], 0) + 1
    return states


def listen_lines(path):
    out = []
    for line in open(path):
        p = line.split()
        if len(p) >= 4 and p[0] == "LISTEN":
            out.append({"local": p[3], "accept_queue_len": int(p[1]), "backlog": int(p[2])})
    return out


def sysctls(path):
    d = {}
    for line in open(path):
        if "=" in line:
            k, v = line.split("=", 1)
            d[k.strip()] = " ".join(v.split())
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--capture", default="")
    ap.add_argument("--capture-ns", default="")
    ap.add_argument("--capture-if", default="")
    ap.add_argument("--listener", action="append", default=[],
                    help="ns|addr:port|backlog|what  (declared listeners)")
    ap.add_argument("--note", action="append", default=[])
    ap.add_argument("--rtt-ms", type=float, default=0.0)
    ap.add_argument("--counts", default=None, help="JSON from tools/counts.py for the capture")
    a = ap.parse_args()

    nss = sorted({os.path.basename(p).split(".")[0] for p in glob.glob(os.path.join(a.dir, "*.nstat.after.json"))})
    facts = {"scenario": a.scenario, "kernel": platform.release(),
             "capture": {"file": a.capture, "namespace": a.capture_ns, "interface": a.capture_if,
                         "snaplen": 128, "added_rtt_ms": a.rtt_ms},
             "sysctls": {}, "listeners": [], "nstat": {}, "ss_states": {}, "clients": {},
             "programs": [], "notes": a.note}
    for ns in nss:
        pfx = os.path.join(a.dir, ns)
        facts["nstat"][ns] = nstat_delta(load_json(pfx + ".nstat.before.json"), load_json(pfx + ".nstat.after.json"))
        if os.path.exists(pfx + ".ss.txt"):
            facts["ss_states"][ns] = ss_states(pfx + ".ss.txt")
        if os.path.exists(pfx + ".sysctl.txt"):
            facts["sysctls"][ns] = sysctls(pfx + ".sysctl.txt")
    observed = {}
    for ns in nss:
        p = os.path.join(a.dir, ns + ".listen.txt")
        if os.path.exists(p):
            for l in listen_lines(p):
                observed[(ns, l["local"])] = l
    for spec in a.listener:
        ns, addr, backlog, what = spec.split("|", 3)
        ent = {"namespace": ns, "address": addr, "backlog": int(backlog), "role": what}
        ob = observed.get((ns, addr))
        if ob:
            ent["ss_at_end"] = {"accept_queue_len": ob["accept_queue_len"], "backlog": ob["backlog"]}
        facts["listeners"].append(ent)

    agg = {"attempted": 0, "succeeded": 0, "failed": {}, "io_ok": 0, "io_failed": {}, "by_program": []}
    for p in sorted(glob.glob(os.path.join(a.dir, "prog-*.json"))):
        try:
            objs = [json.loads(l) for l in open(p) if l.strip().startswith("{")]
        except ValueError:
            objs = []
        for o in objs:
            facts["programs"].append(o)
            if o.get("tool") in ("client", "selfconnect", "simopen"):
                agg["attempted"] += o.get("attempted", 0)
                agg["succeeded"] += o.get("succeeded", 0)
                for k, v in o.get("failed", {}).items():
                    agg["failed"][k] = agg["failed"].get(k, 0) + v
                agg["io_ok"] += o.get("io_ok", 0)
                for k, v in o.get("io_failed", {}).items():
                    agg["io_failed"][k] = agg["io_failed"].get(k, 0) + v
                agg["by_program"].append({k: o.get(k) for k in ("tool", "label", "name", "target", "local", "peer", "pattern", "attempted", "succeeded", "failed", "io_ok", "io_failed") if k in o})
            if o.get("tool") == "selfconnect" and o.get("self_connect"):
                facts["self_connect"] = o["self_connect"]
            if o.get("tool") == "synflood":
                facts.setdefault("flood", []).append(o)
    facts["clients"] = agg
    if a.counts and os.path.exists(a.counts):
        facts["capture_counts"] = load_json(a.counts)
    with open(a.out, "w") as f:
        json.dump(facts, f, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()
