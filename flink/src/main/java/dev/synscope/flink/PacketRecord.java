package dev.synscope.flink;

import dev.synscope.decode.Segment;

/**
 * One decoded TCP segment with its connection's canonical key. A Flink POJO: public fields and a
 * no-argument constructor here and in the analyzer's {@link Segment}, so Flink's POJO serialiser
 * carries it, never Kryo.
 */
public class PacketRecord {
  /** Both directions of a connection have the same key: the smaller endpoint first. */
  public String key;
  public Segment segment;

  public PacketRecord() {}

  /** A record of a copy of {@code s} (the decoder reuses its segment). */
  static PacketRecord of(Segment s) {
    PacketRecord p = new PacketRecord();
    p.segment = new Segment();
    p.segment.copyFrom(s);
    boolean srcFirst = Long.compareUnsigned(s.srcHi, s.dstHi) < 0
        || (s.srcHi == s.dstHi && (Long.compareUnsigned(s.srcLo, s.dstLo) < 0
            || (s.srcLo == s.dstLo && s.srcPort <= s.dstPort)));
    p.key = srcFirst
        ? s.ipVersion + ":" + s.srcHi + ":" + s.srcLo + ":" + s.srcPort + "-" + s.dstHi + ":" + s.dstLo + ":" + s.dstPort
        : s.ipVersion + ":" + s.dstHi + ":" + s.dstLo + ":" + s.dstPort + "-" + s.srcHi + ":" + s.srcLo + ":" + s.srcPort;
    return p;
  }
}
