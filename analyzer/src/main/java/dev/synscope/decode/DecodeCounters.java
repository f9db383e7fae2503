package dev.synscope.decode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** What the decoder saw, by outcome: TCP segments, skipped frames by reason, anomalies by name. */
public final class DecodeCounters {
  long frames;
  long tcp;
  long syn;
  long synAck;
  long rst;
  long fin;
  final long[] skips = new long[Skip.values().length];
  final long[] anomalies = new long[Anomaly.values().length];
  private final Map<Integer, long[]> unsupportedLinkTypes = new TreeMap<>();

  void skip(Skip reason) {
    skips[reason.ordinal()]++;
  }

  void anomaly(Anomaly anomaly) {
    anomalies[anomaly.ordinal()]++;
  }

  void unsupportedLinkType(int linkType) {
    skips[Skip.UNSUPPORTED_LINK_TYPE.ordinal()]++;
    unsupportedLinkTypes.computeIfAbsent(linkType, k -> new long[1])[0]++;
  }

  public long frames() {
    return frames;
  }

  public long tcpSegments() {
    return tcp;
  }

  /** Segments with SYN and not ACK (other bits allowed), as tshark's tcp.flags.syn==1 && ack==0. */
  public long synSegments() {
    return syn;
  }

  public long synAckSegments() {
    return synAck;
  }

  public long rstSegments() {
    return rst;
  }

  public long finSegments() {
    return fin;
  }

  public long count(Anomaly anomaly) {
    return anomalies[anomaly.ordinal()];
  }

  public long count(Skip skip) {
    return skips[skip.ordinal()];
  }

  /** Non-zero anomaly counts by report name, in declaration order. */
  public Map<String, Long> anomalyCounts() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Anomaly a : Anomaly.values()) {
      if (anomalies[a.ordinal()] > 0) {
        out.put(a.label(), anomalies[a.ordinal()]);
      }
    }
    return out;
  }

  /** Non-zero skip counts by report name. */
  public Map<String, Long> skipCounts() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Skip s : Skip.values()) {
      if (skips[s.ordinal()] > 0) {
        out.put(s.label(), skips[s.ordinal()]);
      }
    }
    return out;
  }

  /** Frames skipped per link type name that synscope cannot decode. */
  public Map<String, Long> unsupportedLinkTypes() {
    Map<String, Long> out = new LinkedHashMap<>();
    unsupportedLinkTypes.forEach((k, v) -> out.put(LinkTypes.name(k), v[0]));
    return out;
  }
}
