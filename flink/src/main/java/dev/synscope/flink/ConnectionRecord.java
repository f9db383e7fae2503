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

  public ConnectionRecord() {}

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
