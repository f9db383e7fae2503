package dev.synscope.flink;

import java.util.Comparator;

/**
 * One finding of the job, final: the report's finding object as one JSON line, with what puts it
 * in the report's order (severity, most severe first; first seen; detector; target). A Flink
 * POJO.
 */
public class FindingRecord {
  /** The detector's index in {@code Detectors.all()}. */
  public int detectorIndex;
  /** The finding's index among its detector's findings. */
  public int findingIndex;
  public String detector;
  /** {@code Severity.ordinal()}: higher is more severe. */
  public int severity;
  public long firstSeenNanos;
  public String target;
  /** The finding as the JSON report writes it, on one line. */
  public String json;
  /** As {@code --format jsonl} writes it (ECS names), when the job writes to Kafka; else null. */
  public String ecs;

  private static final Comparator<FindingRecord> REPORT_ORDER =
      Comparator.comparingInt((FindingRecord r) -> r.severity).reversed()
          .thenComparingLong(r -> r.firstSeenNanos)
          .thenComparing(r -> r.detector)
          .thenComparing(r -> r.target)
          .thenComparingInt(r -> r.detectorIndex)
          .thenComparingInt(r -> r.findingIndex);

  public FindingRecord() {}

  /** A record that carries only its place among its detector's findings. */
  public FindingRecord(int detectorIndex, int findingIndex, String json) {
    this.detectorIndex = detectorIndex;
    this.findingIndex = findingIndex;
    this.json = json;
  }

  public FindingRecord(
      int detectorIndex, int findingIndex, String detector, int severity, long firstSeenNanos, String target,
      String json) {
    this.detectorIndex = detectorIndex;
    this.findingIndex = findingIndex;
    this.detector = detector;
    this.severity = severity;
    this.firstSeenNanos = firstSeenNanos;
    this.target = target;
    this.json = json;
  }

  /** The report's order ({@code ReportBuilder}). */
  public static int compare(FindingRecord a, FindingRecord b) {
    return REPORT_ORDER.compare(a, b);
  }
}
