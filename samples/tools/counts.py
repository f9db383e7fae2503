#!/usr/bin/env python3
"""Cross-check counts for a capture, read with tshark (optional tool; record uses it when present).

Prints JSON. Definitions (per TCP segment seen in the capture):
  syn              SYN without ACK, distinct (4-tuple, ISN)
  syn_rtx          further SYNs with the same 4-tuple and ISN (retransmissions)
  synack           SYN+ACK, distinct (4-tuple, ISN)
  synack_rtx       further SYN+ACKs with the same 4-tuple and ISN
  handshakes       SYN senders whose next ACK-only/data segment acknowledges ISN_s+1 of the SYN-ACK
                   they received (4-tuple counted once; a simultaneous open counts once per side)
  rst / rst_ack    RST without / with the ACK flag
  fin              segments with FIN
  first_fin_by     per connection (unordered 4-tuple), the address whose FIN came first
  sources          distinct source addresses of SYNs
"""
import collections
import json
import subprocess
import sys


def main():
    f = sys.argv[1]
    fields = ["frame.time_epoch", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst",
              "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.len"]
    cmd = ["tshark", "-n", "-r", f, "-Y", "tcp", "-T", "fields"]
    for x in fields:
        cmd += ["-e", x]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    syn, synack = set(), {}
    syn_rtx = synack_rtx = rst = rst_ack = fin = pkts = 0
    synack_seen = set()
    hs = set()
    first_fin = {}
    sources = set()
    for line in out.splitlines():
        t, s4, s6, sp, d4, d6, dp, fl, seq, ack, ln = line.split("\t")
        s, d = s4 or s6, d4 or d6
        fl, seq, ack = int(fl, 16), int(seq), int(ack or 0)
        pkts += 1
        c = (s, int(sp), d, int(dp))
        r = (d, int(dp), s, int(sp))
        if fl & 0x02 and not fl & 0x10:
            if (c, seq) in syn:
                syn_rtx += 1
            syn.add((c, seq))
            sources.add(s)
        elif fl & 0x02 and fl & 0x10:
            if (c, seq) in synack_seen:
                synack_rtx += 1
            synack_seen.add((c, seq))
            synack[r] = seq  # keyed by the SYN sender's view of the 4-tuple
        elif fl & 0x04:
            if fl & 0x10:
                rst_ack += 1
            else:
                rst += 1
        elif fl & 0x10 and c in synack and ack == (synack[c] + 1) % 2**32:
            hs.add(c)
        if fl & 0x01:
            fin += 1
            first_fin.setdefault(tuple(sorted([c, r])), s)
    print(json.dumps({"file": f.split("/")[-1], "tcp_packets": pkts, "syn": len(syn), "syn_rtx": syn_rtx,
                      "synack": len(synack_seen), "synack_rtx": synack_rtx, "handshakes": len(hs),
                      "rst": rst, "rst_ack": rst_ack, "fin": fin,
                      "first_fin_by": dict(collections.Counter(first_fin.values())),
                      "syn_sources": len(sources)}))


if __name__ == "__main__":
    main()
