package dev.synscope.flink;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * What reading the captures warned of (a truncated last record, corrupt blocks skipped, a file
 * without packets), as the CLI's report lists them: gathered from each file's end into a job
 * accumulator, so the client that ran the job prints them. Nothing the user gave is skipped
 * without a word.
 */
final class Warnings extends RichFlatMapFunction<PacketRecord, String> {
  static final String ACCUMULATOR = "synscope.warnings";
  private transient ListAccumulator<String> warnings;

  @Override
  public void open(OpenContext context) {
    warnings = new ListAccumulator<>();
    getRuntimeContext().addAccumulator(ACCUMULATOR, warnings);
  }

  @Override
  public void flatMap(PacketRecord end, Collector<String> out) {
    if (end.warnings != null) {
      for (String w : end.warnings) {
        warnings.add(w);
      }
    }
  }

  /** The warnings of a finished job, sorted (files end in any order). */
  static List<String> of(JobExecutionResult result) {
    List<String> all = result == null ? null : result.getAccumulatorResult(ACCUMULATOR);
    List<String> out = all == null ? new ArrayList<>() : new ArrayList<>(all);
    out.sort(null);
    return out;
  }
}
