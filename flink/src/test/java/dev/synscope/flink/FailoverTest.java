package dev.synscope.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fault tolerance: the job fails mid-capture, after a checkpoint, and Flink restores every
 * operator from it (the source's position, each key's connections and timers, the broadcast
 * moments, each detector with the events it holds); the findings are still exactly those of
 * {@code synscope analyze}.
 */
class FailoverTest {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

  /** Fails once, at a segment past {@code at}, after a checkpoint has completed; slow until then. */
  static final class FailOnce implements MapFunction<PacketRecord, PacketRecord>, CheckpointListener {
    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicLong SEEN = new AtomicLong();
    private final long at;

    FailOnce(long at) {
      this.at = at;
    }

    @Override
    public PacketRecord map(PacketRecord p) throws Exception {
      long n = SEEN.incrementAndGet();
      if (!FAILED.get() && !CHECKPOINTED.get()) {
        Thread.sleep(1); // give the first checkpoint time to complete mid-capture
      }
      if (n >= at && CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure at record " + n);
      }
      return p;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      CHECKPOINTED.set(true);
    }
  }

  @ParameterizedTest(name = "{0} at parallelism {1}")
  @CsvSource({"synflood-cookies-ts.pcap, 2", "mixed.pcap, 4", "timewait-server.pcap, 1"})
  void findingsSurviveAFailureAndARestoreFromACheckpoint(String sample, int parallelism) throws Exception {
    Path capture = FindingsJobTest.SAMPLES.resolve(sample);
    Assumptions.assumeTrue(Files.exists(capture), "sample missing");
    List<String> expected = FindingsJobTest.cliFindings(capture);
    FailOnce.CHECKPOINTED.set(false);
    FailOnce.FAILED.set(false);
    FailOnce.SEEN.set(0);

    Configuration config = new Configuration();
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
    // Checkpoints and restores without Kryo: a state or record type that needs it fails the job.
    config.set(org.apache.flink.configuration.PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(parallelism);
    env.enableCheckpointing(50);
    List<FindingRecord> records = new ArrayList<>();
    long at = Math.max(200, FindingsJobTest.frames(capture) / 2);
    try (CloseableIterator<FindingRecord> it = FindingsJob.findings(env, JobOptions.of(List.of(capture.toString())),
        // Chained to the source (same parallelism): a rebalance here would reorder each key's packets.
        s -> s.map(new FailOnce(at)).name("fail once")).executeAndCollect()) {
      it.forEachRemaining(records::add);
    }
    assertTrue(FailOnce.FAILED.get(), "the failure was injected");
    records.sort(FindingRecord::compare);
    List<String> actual = new ArrayList<>();
    for (FindingRecord r : records) {
      actual.add(r.json);
    }
    assertEquals(expected, actual, sample);
    assertTrue(!expected.isEmpty());
  }
}
