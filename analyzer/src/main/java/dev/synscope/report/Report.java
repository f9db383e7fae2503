package dev.synscope.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The result of one analysis, ready to serialise: every writer renders this and computes nothing.
 * Field names follow the JSON report (snake_case) and are documented in README.md.
 */
@JsonPropertyOrder({
  "schema_version", "tool", "generated_at", "inputs", "stats", "summary", "warnings", "findings", "connections"
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
    List<ConnectionRecord> connections) {

  public static final int SCHEMA_VERSION = 1;

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
    "flows", "port_reuses"
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
      long portReuses) {}

  /** Segments by control flag: syn = SYN without ACK, synack = SYN with ACK; rst and fin any. */
  @JsonPropertyOrder({"syn", "synack", "rst", "fin"})
  public record TcpFlagCounts(long syn, long synack, long rst, long fin) {}

  @JsonPropertyOrder({"created", "expired", "evicted", "end_of_input", "peak", "max_flows"})
  public record Flows(long created, long expired, long evicted, long endOfInput, long peak, int maxFlows) {}

  @JsonPropertyOrder({
    "connections", "handshakes_completed", "rejected", "states", "handshake_rtt_ms",
    "syn_retransmissions", "synack_retransmissions", "self_connections", "simultaneous_opens"
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
      long simultaneousOpens) {}

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

  @JsonPropertyOrder({"uid", "orig", "resp", "history", "conn_state", "timestamps", "input", "frames", "note"})
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
      String note) {}

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
}
