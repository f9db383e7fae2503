package dev.synscope.capture;

import java.util.List;
import java.util.Map;

/**
 * What one input contributed: its format, link types with frame counts, record count, bytes and
 * time span, and every warning (truncation, corrupt blocks skipped) so nothing is lost silently.
 */
public record InputSummary(
    String path,
    String format,
    Map<String, Long> linkTypes,
    long packets,
    long bytes,
    long firstTimestampNanos,
    long lastTimestampNanos,
    List<String> warnings) {}
