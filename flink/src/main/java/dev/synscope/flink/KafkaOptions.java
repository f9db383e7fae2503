package dev.synscope.flink;

import java.io.Serializable;

/**
 * Kafka topics the job also writes: {@code PREFIX.findings} (each final finding) and {@code
 * PREFIX.connections} (each connection as it leaves the flow tracker), one JSON object a record
 * with the Elastic Common Schema names of {@code synscope analyze --format jsonl}.
 */
public record KafkaOptions(String bootstrapServers, String topicPrefix) implements Serializable {
  public static final String DEFAULT_PREFIX = "synscope";

  public String findingsTopic() {
    return topicPrefix + ".findings";
  }

  public String connectionsTopic() {
    return topicPrefix + ".connections";
  }
}
