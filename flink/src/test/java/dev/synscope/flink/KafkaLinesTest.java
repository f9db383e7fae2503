package dev.synscope.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.cli.Version;
import dev.synscope.detect.Detectors;
import dev.synscope.engine.AnalysisOptions;
import dev.synscope.engine.Analyzer;
import dev.synscope.flow.FlowConfig;
import dev.synscope.report.JsonLinesWriter;
import dev.synscope.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the job sends to Kafka: each finding and each connection as the line {@code synscope
 * analyze --format jsonl} writes for it (ECS names), equal line for line; and the job's graph
 * with the two topics' sinks. No broker runs here: the records are collected before the sink.
 */
class KafkaLinesTest {
  private static final KafkaOptions KAFKA = new KafkaOptions("localhost:9", "test");

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

  @ParameterizedTest(name = "{0} at parallelism {1}")
  @CsvSource({"mixed.pcap, 2", "synflood-cookies-ts.pcap, 4", "timewait-server.pcap, 1", "normal-ipv6.pcap, 2"})
  void linesAreTheClisJsonLines(String sample, int parallelism) throws Exception {
    Path capture = FindingsJobTest.SAMPLES.resolve(sample);
    Assumptions.assumeTrue(Files.exists(capture), "sample missing");
    Report cli;
    try (CaptureSource source = FileCaptureSource.open(List.of(capture.toString()), System.in)) {
      cli = new Analyzer(new AnalysisOptions(FlowConfig.defaults(), true, Version.get(), "t"),
          Detectors.create(List.of(), Map.of())).run(source, () -> false, List.of());
    }
    List<String> cliConnections = new ArrayList<>();
    for (Report.ConnectionRecord c : cli.connections()) {
      cliConnections.add(JsonLinesWriter.connectionLine(c, Version.get()));
    }
    List<String> cliFindings = new ArrayList<>();
    for (Report.ReportFinding f : cli.findings()) {
      cliFindings.add(JsonLinesWriter.findingLine(f, Version.get()));
    }

    JobOptions options = new JobOptions(List.of(capture.toString()), Duration.ZERO, List.of(), Map.of()).withKafka(KAFKA);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    List<String> connections = new ArrayList<>();
    try (CloseableIterator<ConnectionRecord> it =
        FindingsJob.flow(FindingsJob.captures(env, options), options).getSideOutput(FlowFunction.CONNECTIONS)
            .executeAndCollect()) {
      it.forEachRemaining(c -> connections.add(c.ecs));
    }
    env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    List<FindingRecord> findings = new ArrayList<>();
    try (CloseableIterator<FindingRecord> it =
        FindingsJob.findings(env, options, UnaryOperator.identity()).executeAndCollect()) {
      it.forEachRemaining(findings::add);
    }
    findings.sort(FindingRecord::compare);

    assertTrue(!cliConnections.isEmpty());
    cliConnections.sort(null);
    connections.sort(null);
    assertEquals(cliConnections, connections, "connection lines");
    assertEquals(cliFindings, findings.stream().map(f -> f.ecs).toList(), "finding lines");
  }

  @Test
  void theJobWritesBothTopics() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    FindingsJob.findings(env, JobOptions.of(List.of(FindingsJobTest.SAMPLES.resolve("mixed.pcap").toString()))
        .withKafka(KAFKA));
    List<String> names = env.getStreamGraph().getStreamNodes().stream().map(StreamNode::getOperatorName).toList();
    assertTrue(names.stream().anyMatch(n -> n.contains("kafka: test.findings")), names.toString());
    assertTrue(names.stream().anyMatch(n -> n.contains("kafka: test.connections")), names.toString());
  }
}
