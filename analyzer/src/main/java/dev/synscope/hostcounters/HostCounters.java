package dev.synscope.hostcounters;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;
import java.util.Map;

/**
 * The report's {@code host_counters} section: what the kernel of the host synscope ran on counted
 * while it captured, beside what the wire showed.
 *
 * @param source where the counters come from ({@code /proc/net} of synscope's network namespace)
 * @param intervalS seconds between samples
 * @param samples how many samples were taken (the first at the start of the capture, the last
 *     after it ended)
 * @param deltas counter increase from the first to the last sample, nstat names, for the counters
 *     this kernel has
 * @param peakRatesPerS the largest increase per second between two consecutive samples, for the
 *     counters that rose
 * @param sockets TCP socket states at the start, at the end and their peak over the samples
 * @param comparisons where the wire's findings and the kernel's counters agree or disagree
 * @param series a bounded series of the samples (at most {@value HostCounterRecorder#MAX_POINTS}
 *     points; when it fills, neighbouring points merge)
 */
@JsonPropertyOrder({
  "source", "interval_s", "samples", "started_at", "ended_at", "deltas", "peak_rates_per_s", "sockets",
  "comparisons", "series"
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostCounters(
    String source,
    double intervalS,
    int samples,
    String startedAt,
    String endedAt,
    Map<String, Long> deltas,
    Map<String, Double> peakRatesPerS,
    Sockets sockets,
    List<Comparison> comparisons,
    Series series) {

  /** The increase of a counter over the capture, or -1 when this kernel does not have it. */
  public long delta(String counter) {
    return deltas.getOrDefault(counter, -1L);
  }

  public HostCounters withComparisons(List<Comparison> c) {
    return new HostCounters(source, intervalS, samples, startedAt, endedAt, deltas, peakRatesPerS, sockets,
        List.copyOf(c), series);
  }

  /**
   * Socket counts by state ({@code established}, {@code syn_recv}, {@code time_wait}, {@code
   * close_wait}, ...).
   *
   * @param truncated a sample had more sockets than synscope reads per sample
   */
  @JsonPropertyOrder({"start", "end", "peak", "truncated"})
  public record Sockets(Map<String, Long> start, Map<String, Long> end, Map<String, Long> peak, boolean truncated) {}

  /**
   * Sample times in milliseconds since the first sample; per counter its increase since the
   * previous point; per socket state its count at the point (the largest, where points merged).
   */
  @JsonPropertyOrder({"points", "t_ms", "counters", "sockets"})
  public record Series(
      int points,
      @JsonSerialize(using = InlineLongArray.class) long[] tMs,
      @JsonSerialize(contentUsing = InlineLongArray.class) Map<String, long[]> counters,
      @JsonSerialize(contentUsing = InlineLongArray.class) Map<String, long[]> sockets) {}

  /**
   * One agreement statement.
   *
   * @param detector the wire side: a detector id
   * @param kernelCounter the kernel side: nstat counter name(s), or a socket state
   * @param verdict {@code agree} (both show it, or neither does), {@code disagree} (one does) or
   *     {@code not-comparable} (the findings concern another host, or the kernel lacks the counter)
   * @param wireFindings findings of the detector about this host
   * @param wireTargets their targets
   * @param wireValue the wire's number for it (overflow events, cookie SYN-ACKs, attempts,
   *     estimated TIME_WAIT peak), null without findings
   * @param kernelValue the kernel's number (a counter's increase, or a socket-state peak), -1 when
   *     the kernel has no such counter
   * @param statement the comparison in words, with the likely reasons for a disagreement
   */
  @JsonPropertyOrder({
    "detector", "kernel_counter", "verdict", "wire_findings", "wire_targets", "wire_value", "kernel_value",
    "statement"
  })
  public record Comparison(
      String detector,
      String kernelCounter,
      String verdict,
      int wireFindings,
      List<String> wireTargets,
      Long wireValue,
      long kernelValue,
      String statement) {}
}
