package dev.synscope.capture;

import dev.synscope.decode.LinkTypes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Running totals for one input, turned into an {@link InputSummary} on demand. */
final class InputStats {
  final String path;
  String format = "unknown";
  long packets;
  long bytes;
  long firstTimestampNanos = Long.MIN_VALUE;
  long lastTimestampNanos = Long.MIN_VALUE;
  final List<String> warnings = new ArrayList<>();
  /** Frames per link type, indexed by a small cache to avoid map lookups per packet. */
  private final Map<Integer, long[]> framesByLinkType = new TreeMap<>();
  private int lastLinkType = -1;
  private long[] lastCounter;

  InputStats(String path) {
    this.path = path;
  }

  void count(RawFrame frame) {
    packets++;
    bytes += frame.originalLength;
    if (firstTimestampNanos == Long.MIN_VALUE) {
      firstTimestampNanos = frame.timestampNanos;
    }
    lastTimestampNanos = frame.timestampNanos;
    if (frame.linkType != lastLinkType) {
      lastLinkType = frame.linkType;
      lastCounter = framesByLinkType.computeIfAbsent(frame.linkType, k -> new long[1]);
    }
    lastCounter[0]++;
  }

  /** Declares a link type (from a header) even before any frame uses it. */
  void declareLinkType(int linkType) {
    framesByLinkType.computeIfAbsent(linkType, k -> new long[1]);
  }

  InputSummary summary() {
    Map<String, Long> linkTypes = new LinkedHashMap<>();
    framesByLinkType.forEach((type, n) -> linkTypes.merge(LinkTypes.name(type), n[0], Long::sum));
    return new InputSummary(
        path,
        format,
        linkTypes,
        packets,
        bytes,
        firstTimestampNanos,
        lastTimestampNanos,
        List.copyOf(warnings));
  }
}
