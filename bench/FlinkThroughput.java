import dev.synscope.flink.FindingRecord;
import dev.synscope.flink.FindingsJob;
import dev.synscope.flink.JobOptions;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Times the Flink job on one capture, as {@code java -jar synscope-flink.jar} runs it (a local
 * environment in this JVM), ROUNDS times in one JVM (the first includes the mini-cluster's start).
 *
 * <pre>
 * java -Xmx18g -cp flink/target/synscope-flink.jar bench/FlinkThroughput.java bench/out/big.pcap 2 [ROUNDS]
 * </pre>
 */
public class FlinkThroughput {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: FlinkThroughput CAPTURE PARALLELISM [ROUNDS]");
      System.exit(2);
    }
    int parallelism = Integer.parseInt(args[1]);
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      List<FindingRecord> findings = new ArrayList<>();
      try (var it = FindingsJob.findings(env, JobOptions.of(List.of(args[0]))).executeAndCollect()) {
        it.forEachRemaining(findings::add);
      }
      System.out.printf("parallelism %d, round %d: %d findings, %.2f s%n",
          parallelism, r, findings.size(), (System.nanoTime() - start) / 1e9);
    }
    System.exit(0);
  }
}
