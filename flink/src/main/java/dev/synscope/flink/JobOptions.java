package dev.synscope.flink;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the findings job analyses and how: the captures (files or directories, any file system
 * Flink reads), the watermarks' bounded out-of-orderness, and the detectors with their
 * parameters as {@code synscope analyze --detectors/--param} take them, and the Kafka topics
 * the findings and connections also go to (null: none).
 */
public record JobOptions(
    List<String> captures, Duration outOfOrderness, List<String> detectors, Map<String, String> params,
    KafkaOptions kafka)
    implements Serializable {
  public JobOptions {
    captures = List.copyOf(captures);
    detectors = List.copyOf(detectors);
    params = Map.copyOf(params);
  }

  /** No Kafka topics: the findings only through the file sink. */
  public JobOptions(List<String> captures, Duration outOfOrderness, List<String> detectors, Map<String, String> params) {
    this(captures, outOfOrderness, detectors, params, null);
  }

  /** The same job, writing to Kafka too. */
  public JobOptions withKafka(KafkaOptions kafka) {
    return new JobOptions(captures, outOfOrderness, detectors, params, kafka);
  }

  /** Every detector with its defaults, packets in order. */
  public static JobOptions of(List<String> captures) {
    return new JobOptions(captures, Duration.ZERO, List.of(), Map.of());
  }
}
