package dev.synscope.flink;

import dev.synscope.flow.ConnectionSummary;

/** A connection as it left the flow tracker: a Flink POJO of its summary's key fields. */
public class ConnectionRecord {
  public String uid;
  public String orig;
  public String resp;
  public String connState;
  public String history;
  public long startNanos;
  public long lastNanos;
  /** As {@code --format jsonl} writes it (ECS names), when the job writes to Kafka; else null. */
  public String ecs;

  public ConnectionRecord() {}

  static ConnectionRecord of(ConnectionSummary s, boolean ecsLine) throws java.io.IOException {
    ConnectionRecord r = of(s);
    if (ecsLine) {
      r.ecs = dev.synscope.report.JsonLinesWriter.connectionLine(
          dev.synscope.report.ReportBuilder.connection(s), dev.synscope.cli.Version.get());
    }
    return r;
  }

  static ConnectionRecord of(ConnectionSummary s) {
    ConnectionRecord r = new ConnectionRecord();
    r.uid = s.id().uid();
    r.orig = s.id().origEndpoint();
    r.resp = s.id().respEndpoint();
    r.connState = s.connState();
    r.history = s.history();
    r.startNanos = s.startNanos();
    r.lastNanos = s.lastNanos();
    return r;
  }

  @Override
  public String toString() {
    return uid + " " + orig + " -> " + resp + " " + connState + " " + history;
  }
}
