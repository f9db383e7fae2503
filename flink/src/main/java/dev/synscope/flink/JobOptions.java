package dev.synscope.flink;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the findings job analyses and how: the captures (files or directories, any file system
 * Flink reads), the watermarks' bounded out-of-orderness, and the detectors with their
 * parameters as {@code synscope analyze --detectors/--param} take them.
 */
public record JobOptions(
    List<String> captures, Duration outOfOrderness, List<String> detectors, Map<String, String> params)
    implements Serializable {
  public JobOptions {
    captures = List.copyOf(captures);
    detectors = List.copyOf(detectors);
    params = Map.copyOf(params);
  }

  /** Every detector with its defaults, packets in order. */
  public static JobOptions of(List<String> captures) {
    return new JobOptions(captures, Duration.ZERO, List.of(), Map.of());
  }
}
