package dev.synscope.flink;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job's flow stage alone: captures -> decode -> keyBy(canonical 4-tuple) -> the keyed flow
 * tracker -> connections as they leave it.
 */
public final class ConnectionJob {
  private ConnectionJob() {}

  public static DataStream<ConnectionRecord> connections(
      StreamExecutionEnvironment env, List<String> captures, Duration outOfOrderness) {
    JobOptions options = new JobOptions(captures, outOfOrderness, List.of("none"), Map.of());
    return FindingsJob.flow(FindingsJob.captures(env, options), options).getSideOutput(FlowFunction.CONNECTIONS);
  }
}
