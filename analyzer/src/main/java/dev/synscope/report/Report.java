package dev.synscope.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.synscope.detect.InputFrame;
import dev.synscope.hostcounters.HostCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The result of one analysis, ready to serialise: every writer renders this and computes nothing.
 * Field names follow the JSON report (snake_case) and are documented in docs/report.md.
 */
@JsonPropertyOrder({
  "schema_version", "tool", "generated_at", "inputs", "capture", "stats", "summary", "warnings", "findings",
  "host_counters", "listeners", "handshake_histogram", "timeline", "hosts", "hosts_not_listed", "connections"
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Report(
    int schemaVersion,
    Tool tool,
    String generatedAt,
    List<Input> inputs,
    Stats stats,
    Summary summary,
    List<String> warnings,
    List<ReportFinding> findings,
    List<ConnectionRecord> connections,
    Listeners listeners,
    HandshakeHistogram handshakeHistogram,
    Timeline timeline,
    Capture capture,
    HostCounters hostCounters,
    List<HostSockets> hosts,
    HostsNotListed hostsNotListed) {

  public static final int SCHEMA_VERSION = 1;

  /** A report without the socket-state census. */
  public Report(
      int schemaVersion,
      Tool tool,
      String generatedAt,
      List<Input> inputs,
      Stats stats,
      Summary summary,
      List<String> warnings,
      List<ReportFinding> findings,
      List<ConnectionRecord> connections,
      Listeners listeners,
      HandshakeHistogram handshakeHistogram,
      Timeline timeline,
      Capture capture,
      HostCounters hostCounters) {
    this(schemaVersion, tool, generatedAt, inputs, stats, summary, warnings, findings, connections, listeners,
        handshakeHistogram, timeline, capture, hostCounters, null, null);
  }

  /** A report of a capture file: no live capture or host counters sections (issue 6). */
  public Report(
      int schemaVersion,
      Tool tool,
      String generatedAt,
      List<Input> inputs,
      Stats stats,
      Summary summary,
      List<String> warnings,
      List<ReportFinding> findings,
      List<ConnectionRecord> connections,
      Listeners listeners,
      HandshakeHistogram handshakeHistogram,
      Timeline timeline) {
    this(schemaVersion, tool, generatedAt, inputs, stats, summary, warnings, findings, connections, listeners,
        handshakeHistogram, timeline, null, null);
  }

  /** This report with the live capture's sections (either may be null) and more warnings. */
  /** How many findings of each severity, most severe first, severities without any left out. */
  public java.util.Map<String, Long> findingsBySeverity() {
    java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
    dev.synscope.detect.Severity[] all = dev.synscope.detect.Severity.values();
    for (int i = all.length - 1; i >= 0; i--) {
      String label = all[i].label();
      long n = findings().stream().filter(f -> label.equals(f.severity())).count();
      if (n > 0) {
        out.put(label, n);
      }
    }
    return out;
  }

  public Report withLive(Capture capture, HostCounters hostCounters, List<String> moreWarnings) {
    List<String> w = new ArrayList<>(warnings);
    w.addAll(moreWarnings);
    return new Report(schemaVersion, tool, generatedAt, inputs, stats, summary, List.copyOf(w), findings, connections,
        listeners, handshakeHistogram, timeline, capture, hostCounters, hosts, hostsNotListed);
  }

  /**
   * The live capture ({@code synscope live}): libpcap's counters, as tcpdump prints them at exit,
   * and synscope's own hand-off losses. Any drop means findings may be incomplete.
   *
   * @param stoppedBy duration, count, signal, or error (the capture failed: see warnings)
   * @param received packets that passed the filter ({@code ps_recv})
   * @param droppedByKernel dropped because the capture buffer was full ({@code ps_drop})
   * @param droppedByInterface dropped by the interface or its driver ({@code ps_ifdrop})
   * @param handoffDropped captured but dropped because the analysis fell behind
   */
  @JsonPropertyOrder({
    "interface", "filter", "snaplen", "started_at", "ended_at", "stopped_by", "received", "dropped_by_kernel",
    "dropped_by_interface", "handoff_dropped"
  })
  public record Capture(
      @JsonProperty("interface") String device,
      String filter,
      int snaplen,
      String startedAt,
      String endedAt,
      String stoppedBy,
      long received,
      long droppedByKernel,
      long droppedByInterface,
      long handoffDropped) {}

  /** A report without the aggregates the HTML report draws (listeners, histogram, timeline). */
  public Report(
      int schemaVersion,
      Tool tool,
      String generatedAt,
      List<Input> inputs,
      Stats stats,
      Summary summary,
      List<String> warnings,
      List<ReportFinding> findings,
      List<ConnectionRecord> connections) {
    this(schemaVersion, tool, generatedAt, inputs, stats, summary, warnings, findings, connections, null, null, null);
  }

  public record Tool(String name, String version) {}

  @JsonPropertyOrder({"path", "format", "link_types", "packets", "bytes", "first_ts", "last_ts", "warnings"})
  public record Input(
      String path,
      String format,
      Map<String, Long> linkTypes,
      long packets,
      long bytes,
      String firstTs,
      String lastTs,
      List<String> warnings) {}

  @JsonPropertyOrder({
    "packets", "tcp_packets", "non_tcp_packets", "tcp_flags", "skipped", "unsupported_link_types", "anomalies",
    "flows", "port_reuses", "state"
  })
  public record Stats(
      long packets,
      long tcpPackets,
      long nonTcpPackets,
      TcpFlagCounts tcpFlags,
      Map<String, Long> skipped,
      Map<String, Long> unsupportedLinkTypes,
      Map<String, Long> anomalies,
      Flows flows,
      long portReuses,
      Map<String, Object> state) {}

  /**
   * The flow table as a bounded store ({@code stats.state.flows}): its capacity, the most it held,
   * what it evicted, and the spans it spent full, on emergency timeouts.
   */
  @JsonPropertyOrder({"cap", "peak", "evicted", "emergencies"})
  public record FlowState(long cap, long peak, long evicted, List<Emergency> emergencies) {}

  /** One span of the flow table's emergency mode; {@code open}: still full at the end of input. */
  @JsonPropertyOrder({"start", "end", "open", "evicted", "expired_early"})
  public record Emergency(String start, String end, boolean open, long evicted, long expiredEarly) {}

  /**
   * A bounded table of a detector or of the report ({@code stats.state.<owner>.<table>}): its cap,
   * the most it held, what it evicted, and how many of those were in an open episode (their
   * verdict may differ); {@code refused}, for a table that keeps its first entries instead of
   * evicting, counts what it did not keep.
   */
  @JsonPropertyOrder({"cap", "peak", "evicted", "evicted_in_episode", "refused"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TableState(long cap, long peak, long evicted, long evictedInEpisode, Long refused) {}

  /** Segments by control flag: syn = SYN without ACK, synack = SYN with ACK; rst and fin any. */
  @JsonPropertyOrder({"syn", "synack", "rst", "fin"})
  public record TcpFlagCounts(long syn, long synack, long rst, long fin) {}

  @JsonPropertyOrder({"created", "expired", "evicted", "end_of_input", "peak", "max_flows"})
  public record Flows(long created, long expired, long evicted, long endOfInput, long peak, int maxFlows) {}

  @JsonPropertyOrder({
    "connections", "handshakes_completed", "rejected", "states", "handshake_rtt_ms",
    "syn_retransmissions", "synack_retransmissions", "self_connections", "simultaneous_opens",
    "answered_unseen", "one_direction"
  })
  public record Summary(
      long connections,
      long handshakesCompleted,
      long rejected,
      Map<String, Long> states,
      HandshakeRtt handshakeRttMs,
      long synRetransmissions,
      long synackRetransmissions,
      long selfConnections,
      long simultaneousOpens,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long answeredUnseen,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long oneDirection) {
    public Summary(
        long connections, long handshakesCompleted, long rejected, Map<String, Long> states, HandshakeRtt handshakeRttMs,
        long synRetransmissions, long synackRetransmissions, long selfConnections, long simultaneousOpens) {
      this(connections, handshakesCompleted, rejected, states, handshakeRttMs, synRetransmissions,
          synackRetransmissions, selfConnections, simultaneousOpens, null, null);
    }
  }

  @JsonPropertyOrder({"syn_to_synack", "synack_to_ack"})
  public record HandshakeRtt(Percentiles synToSynack, Percentiles synackToAck) {}

  /** Milliseconds; null values when there were no samples. */
  @JsonPropertyOrder({"samples", "p50", "p90", "p99", "max"})
  public record Percentiles(long samples, Double p50, Double p90, Double p99, Double max) {}

  @JsonPropertyOrder({
    "detector", "severity", "target", "first_seen", "last_seen", "summary", "metrics", "evidence", "explanation"
  })
  public record ReportFinding(
      String detector,
      String severity,
      String target,
      String firstSeen,
      String lastSeen,
      String summary,
      Map<String, Object> metrics,
      List<ReportEvidence> evidence,
      String explanation) {}

  @JsonPropertyOrder({
    "uid", "orig", "resp", "history", "conn_state", "timestamps", "input", "frames", "frames_in_later_inputs", "note"
  })
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ReportEvidence(
      String uid,
      String orig,
      String resp,
      String history,
      String connState,
      Map<String, String> timestamps,
      int input,
      List<Long> frames,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<InputFrame> framesInLaterInputs,
      String note) {

    /** The packet numbers for a reader: "1, 2, 5", then "; input 1: 7, 9" for later inputs. */
    public String framesText() {
      StringBuilder sb = new StringBuilder(firstInputFramesText(Integer.MAX_VALUE));
      String later = laterFramesText();
      if (!later.isEmpty()) {
        sb.append(sb.isEmpty() ? "" : "; ").append(later);
      }
      return sb.toString();
    }

    /**
     * The packet numbers in the connection's first input, "1, 2, 5", at most {@code max} of them
     * and then ", …"; "" when none.
     */
    public String firstInputFramesText(int max) {
      StringBuilder sb = new StringBuilder();
      int n = 0;
      for (Long f : frames == null ? List.<Long>of() : frames) {
        if (n++ == max) {
          sb.append(", …");
          break;
        }
        sb.append(n == 1 ? "" : ", ").append(f);
      }
      return sb.toString();
    }

    /** The packets in later inputs, as "input 1: 7, 9; input 2: 3", or "" when none. */
    public String laterFramesText() {
      StringBuilder sb = new StringBuilder();
      int current = -1;
      for (InputFrame p : framesInLaterInputs == null ? List.<InputFrame>of() : framesInLaterInputs) {
        if (p.input() != current) {
          current = p.input();
          sb.append(sb.isEmpty() ? "" : "; ").append("input ").append(current).append(": ");
        } else {
          sb.append(", ");
        }
        sb.append(p.frame());
      }
      return sb.toString();
    }
  }

  @JsonPropertyOrder({
    "uid", "ts", "orig_h", "orig_p", "resp_h", "resp_p", "duration", "conn_state", "history",
    "orig_pkts", "resp_pkts", "orig_bytes", "resp_bytes", "syn_retransmits", "synack_retransmits", "rtt"
  })
  public record ConnectionRecord(
      String uid,
      String ts,
      String origH,
      int origP,
      String respH,
      int respP,
      double duration,
      String connState,
      String history,
      long origPkts,
      long respPkts,
      long origBytes,
      long respBytes,
      int synRetransmits,
      int synackRetransmits,
      Rtt rtt) {}

  /** Handshake half-RTTs of one connection in milliseconds, null where not measured. */
  @JsonPropertyOrder({"syn_to_synack", "synack_to_ack"})
  public record Rtt(Double synToSynack, Double synackToAck) {}

  /**
   * The busiest listeners (resp ip:port of connections whose SYN was seen), bounded: at most
   * {@code tracked} listeners are counted; connections to further ones are only counted in
   * {@code untracked_connections}.
   */
  @JsonPropertyOrder({"tracked", "untracked_connections", "by_attempts", "by_failures"})
  public record Listeners(int tracked, long untrackedConnections, List<Listener> byAttempts, List<Listener> byFailures) {}

  /**
   * One listener's handshakes: failed = attempts that never completed (rejected, unanswered, reset
   * or abandoned before the 3rd ACK).
   */
  @JsonPropertyOrder({"listener", "attempts", "established", "failed", "rejected", "unanswered", "syn_retransmissions"})
  public record Listener(
      String listener, long attempts, long established, long failed, long rejected, long unanswered,
      long synRetransmissions) {}

  /**
   * Handshake half-RTT counts per bucket: bucket i holds samples in (upper_bounds_ms[i-1],
   * upper_bounds_ms[i]]; the last bucket (one more than the bounds) holds the samples above the last
   * bound.
   */
  @JsonPropertyOrder({"upper_bounds_ms", "syn_to_synack", "synack_to_ack"})
  public record HandshakeHistogram(
      @JsonSerialize(using = InlineArraySerializer.class) double[] upperBoundsMs,
      @JsonSerialize(using = InlineArraySerializer.class) long[] synToSynack,
      @JsonSerialize(using = InlineArraySerializer.class) long[] synackToAck) {}

  /**
   * Counts per time bucket, from {@code start} in steps of {@code bucket_seconds} (1 s, doubled
   * as often as needed to keep at most {@value TimelineBuilder#MAX_BUCKETS} buckets). syn counts
   * SYNs including retransmissions, synack SYN-ACKs including retransmissions, handshakes
   * completed handshakes, rejected RST answers to a SYN, resets other first RSTs per endpoint;
   * half_open is the peak number of connections whose SYN was unanswered or whose handshake was
   * incomplete; time_wait the estimated TIME_WAIT sockets of the busiest hosts.
   */
  @JsonPropertyOrder({
    "start", "bucket_seconds", "buckets", "syn", "synack", "handshakes", "rejected", "resets", "half_open",
    "time_wait_seconds", "time_wait", "time_wait_other_hosts"
  })
  public record Timeline(
      String start,
      long bucketSeconds,
      int buckets,
      @JsonSerialize(using = InlineArraySerializer.class) long[] syn,
      @JsonSerialize(using = InlineArraySerializer.class) long[] synack,
      @JsonSerialize(using = InlineArraySerializer.class) long[] handshakes,
      @JsonSerialize(using = InlineArraySerializer.class) long[] rejected,
      @JsonSerialize(using = InlineArraySerializer.class) long[] resets,
      @JsonSerialize(using = InlineArraySerializer.class) long[] halfOpen,
      long timeWaitSeconds,
      List<HostSeries> timeWait,
      int timeWaitOtherHosts) {}

  /** One host's series (estimated TIME_WAIT sockets it holds at the end of each bucket). */
  @JsonPropertyOrder({"host", "peak", "counts"})
  public record HostSeries(String host, long peak, @JsonSerialize(using = InlineArraySerializer.class) long[] counts) {}

  /** One host's sockets by kernel TCP state, as the wire shows them (the socket-state census). */
  @JsonPropertyOrder({"host", "socket_states"})
  public record HostSockets(String host, SocketStates socketStates) {}

  /**
   * The census of one host: {@code at_end} every state at the capture's last packet, {@code
   * estimated_at_end} the part of those the wire does not prove, {@code peak} the moment it held
   * the most sockets, {@code max} each state's own highest count, {@code series} a sample at the
   * end of each bucket (states that never had a socket are left out).
   */
  @JsonPropertyOrder({"sockets_at_end", "at_end", "estimated_at_end", "peak", "max", "series"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SocketStates(
      long socketsAtEnd,
      Map<String, Long> atEnd,
      Map<String, Long> estimatedAtEnd,
      SocketPeak peak,
      Map<String, Long> max,
      SocketSeries series) {}

  @JsonPropertyOrder({"sockets", "at", "states", "estimated"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SocketPeak(long sockets, String at, Map<String, Long> states, Map<String, Long> estimated) {}

  @JsonPropertyOrder({"start", "bucket_seconds", "buckets", "counts"})
  public record SocketSeries(
      String start,
      long bucketSeconds,
      int buckets,
      @JsonSerialize(contentUsing = InlineArraySerializer.class) Map<String, long[]> counts) {}

  /**
   * The hosts the census does not list: {@code more_hosts} tracked but past the busiest listed,
   * {@code hosts_past_cap} past {@code report.max_census_hosts} (counted up to 10 000), {@code
   * at_end} their sockets at the end, summed.
   */
  @JsonPropertyOrder({"more_hosts", "hosts_past_cap", "at_end"})
  public record HostsNotListed(int moreHosts, int hostsPastCap, Map<String, Long> atEnd) {}
}
