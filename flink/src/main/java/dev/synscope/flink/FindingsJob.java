package dev.synscope.flink;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The whole analysis as a Flink job:
 *
 * <pre>
 * captures -> CaptureFormat -+-> segments -> keyBy(4-tuple) -> FlowFunction -> events -+
 *                            |                                                        keyBy(detector)
 *                            +-> moments (passes, ticks, end) -> broadcast ------> DetectorFunction -> findings
 * </pre>
 */
public final class FindingsJob {
  private FindingsJob() {}

  /**
   * Adds the job to {@code env}; the stream carries every final finding once. With {@link
   * JobOptions#kafka} the findings and the connections also go to Kafka.
   */
  public static DataStream<FindingRecord> findings(StreamExecutionEnvironment env, JobOptions options) {
    Streams job = build(env, options, UnaryOperator.identity());
    if (options.kafka() != null) {
      KafkaSinks.attach(job.findings(), job.connections(), options.kafka());
    }
    return job.findings();
  }

  /** The findings without the Kafka topics, with {@code tap} after the source (tests inject a failure there). */
  static DataStream<FindingRecord> findings(
      StreamExecutionEnvironment env, JobOptions options, UnaryOperator<DataStream<PacketRecord>> tap) {
    return build(env, options, tap).findings();
  }

  /** The job's two outputs: final findings, and connections as they leave the flow tracker. */
  record Streams(DataStream<FindingRecord> findings, DataStream<ConnectionRecord> connections) {}

  static Streams build(StreamExecutionEnvironment env, JobOptions options, UnaryOperator<DataStream<PacketRecord>> tap) {
    DataStream<PacketRecord> captures = tap.apply(captures(env, options));
    SingleOutputStreamOperator<EventRecord> events = flow(captures, options);
    BroadcastStream<PacketRecord> moments = captures
        .filter(p -> !p.isSegment()).name("moments")
        .broadcast(DetectorFunction.MOMENTS);
    DataStream<FindingRecord> findings = events
        .keyBy(e -> e.detector)
        .connect(moments)
        .process(new DetectorFunction(options))
        .name("detectors");
    captures.filter(p -> p.kind == PacketRecord.END).name("ends")
        .flatMap(new Warnings()).name("warnings")
        .sinkTo(new DiscardingSink<>()).name("warnings (an accumulator)");
    return new Streams(findings, events.getSideOutput(FlowFunction.CONNECTIONS));
  }

  /** The captures as records in frame order per file, with packet-time watermarks. */
  static DataStream<PacketRecord> captures(StreamExecutionEnvironment env, JobOptions options) {
    FileSource<PacketRecord> source = FileSource
        .forBulkFileFormat(CaptureFiles.of(options.captures()), options.captures().stream().map(Path::new).toArray(Path[]::new))
        .build();
    Duration outOfOrderness = options.outOfOrderness();
    WatermarkStrategy<PacketRecord> watermarks = WatermarkStrategy.<PacketRecord>forBoundedOutOfOrderness(outOfOrderness)
        .withTimestampAssigner((p, previous) -> p.timestampMillis());
    return env.fromSource(source, watermarks, "captures");
  }

  /** The keyed flow tracker; its side output {@link FlowFunction#CONNECTIONS} holds every connection. */
  static SingleOutputStreamOperator<EventRecord> flow(DataStream<PacketRecord> captures, JobOptions options) {
    return captures
        .filter(PacketRecord::isSegment).name("segments")
        .keyBy(p -> p.key)
        .process(new FlowFunction(options))
        .name("flow tracker");
  }
}
