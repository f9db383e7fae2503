package dev.synscope.flink;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job's first stage: captures -> decode -> keyBy(canonical 4-tuple) -> the keyed flow
 * tracker -> connections as they leave it. Watermarks come from packet time with a bounded
 * out-of-orderness; the end of the input ends every connection still held.
 */
public final class ConnectionJob {
  private ConnectionJob() {}

  public static DataStream<ConnectionRecord> connections(
      StreamExecutionEnvironment env, List<String> captures, Duration outOfOrderness) {
    FileSource<PacketRecord> source = FileSource
        .forRecordStreamFormat(new CaptureFormat(), captures.stream().map(Path::new).toArray(Path[]::new))
        .build();
    WatermarkStrategy<PacketRecord> watermarks = WatermarkStrategy.<PacketRecord>forBoundedOutOfOrderness(outOfOrderness)
        .withTimestampAssigner((p, previous) -> p.segment.timestampNanos / 1_000_000L);
    return env.fromSource(source, watermarks, "captures")
        .keyBy(p -> p.key)
        .process(new FlowFunction())
        .name("flow tracker");
  }
}
