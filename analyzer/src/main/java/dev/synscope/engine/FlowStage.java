package dev.synscope.engine;

import dev.synscope.decode.Segment;
import dev.synscope.flow.FlowTable;

/** The flow stage as the read loop sees it: one flow table, or the router in front of its shards. */
interface FlowStage {
  /** Tracks one decoded segment ({@code s.ordinal} set); {@code s} is reused after the call. */
  void onSegment(Segment s);

  /** The latest packet time of the segments given so far (Long.MIN_VALUE before the first). */
  long packetTimeNanos();

  /** Connections held now (for progress displays; read from another thread, it may lag). */
  int size();

  static FlowStage of(FlowTable table) {
    return new FlowStage() {
      @Override
      public void onSegment(Segment s) {
        table.onSegment(s);
      }

      @Override
      public long packetTimeNanos() {
        return table.packetTimeNanos();
      }

      @Override
      public int size() {
        return table.size();
      }
    };
  }
}
