package dev.synscope.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.detect.Detectors;
import dev.synscope.engine.AnalysisOptions;
import dev.synscope.engine.Analyzer;
import dev.synscope.flow.FlowConfig;
import dev.synscope.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The keyed flow tracker on a Flink mini-cluster, at parallelism 1, 2 and 4, finds the same
 * connections in the same states as {@code synscope analyze} on every sample capture.
 */
class ConnectionJobTest {
  private static final Path SAMPLES =
      Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize().resolve("samples");

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

  /** The records between operators go through Flink's POJO serialiser, never the Kryo fallback. */
  @org.junit.jupiter.api.Test
  void recordsArePojosNotGenericTypes() {
    for (Class<?> type : List.of(PacketRecord.class, ConnectionRecord.class, EventRecord.class, FindingRecord.class)) {
      org.apache.flink.api.common.typeinfo.TypeInformation<?> info =
          org.apache.flink.api.common.typeinfo.TypeInformation.of(type);
      assertTrue(info instanceof org.apache.flink.api.java.typeutils.PojoTypeInfo, type + ": " + info);
      org.apache.flink.api.java.typeutils.PojoTypeInfo<?> pojo = (org.apache.flink.api.java.typeutils.PojoTypeInfo<?>) info;
      for (int i = 0; i < pojo.getArity(); i++) {
        assertTrue(!(pojo.getTypeAt(i) instanceof org.apache.flink.api.java.typeutils.GenericTypeInfo),
            type.getSimpleName() + "." + pojo.getPojoFieldAt(i).getField().getName() + " would go through Kryo");
      }
    }
  }

  @ParameterizedTest(name = "{0} at parallelism {1}")
  @org.junit.jupiter.params.provider.MethodSource("dev.synscope.flink.FindingsJobTest#samples")
  void connectionsAndStatesAgreeWithTheCli(String sample, int parallelism) throws Exception {
    Path capture = SAMPLES.resolve(sample);
    Assumptions.assumeTrue(Files.exists(capture), "sample missing");
    Report cli;
    try (CaptureSource source = FileCaptureSource.open(List.of(capture.toString()), System.in)) {
      cli = new Analyzer(new AnalysisOptions(FlowConfig.defaults(), false, "test", "t"),
          Detectors.create(List.of(), Map.of())).run(source, () -> false, List.of());
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    List<ConnectionRecord> connections = new ArrayList<>();
    try (CloseableIterator<ConnectionRecord> it =
        ConnectionJob.connections(env, List.of(capture.toString()), Duration.ofSeconds(1)).executeAndCollect()) {
      it.forEachRemaining(connections::add);
    }
    Map<String, Long> states = new TreeMap<>();
    for (ConnectionRecord c : connections) {
      states.merge(c.connState, 1L, Long::sum);
    }
    assertTrue(cli.summary().connections() > 0);
    assertEquals(cli.summary().connections(), connections.size(), "connections");
    assertEquals(new TreeMap<>(cli.summary().states()), states, "connections by state");
  }
}
