package dev.synscope.detect;

import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.SynInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects a bounded sample of connections as evidence. A detector names a connection when it
 * decides (often mid-handshake); the full record (history, state, packet numbers) is filled in
 * when the connection leaves the flow table, which happens before findings are asked for.
 */
public final class EvidenceBook implements java.io.Serializable {
  private final int capacity;
  private final EvidenceIndex index;
  private final Map<FlowId, String> wanted = new LinkedHashMap<>();
  private final Map<FlowId, Evidence> filled = new LinkedHashMap<>();

  /** @param index where the book registers the connections it waits for */
  public EvidenceBook(int capacity, EvidenceIndex index) {
    this.capacity = capacity;
    this.index = index;
  }

  /** Asks for this connection as evidence, with a note; ignored once the book is full. */
  public void want(FlowId id, String note) {
    if (wanted.size() < capacity && !wanted.containsKey(id)) {
      wanted.put(id, note);
      index.register(id, this);
    }
  }

  public boolean isFull() {
    return wanted.size() >= capacity;
  }

  /** Called by the index with the record of a connection this book asked for. */
  void fill(ConnectionEvent.Removed removed) {
    ConnectionSummary s = removed.connection();
    String note = wanted.get(s.id());
    if (note != null) {
      filled.put(s.id(), of(s, note));
    }
  }

  /** The evidence gathered, in the order it was asked for. */
  public List<Evidence> evidence() {
    List<Evidence> out = new ArrayList<>();
    for (FlowId id : wanted.keySet()) {
      Evidence e = filled.get(id);
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  /** Evidence for one connection: its 4-tuple, history, key times and packet numbers. */
  public static Evidence of(ConnectionSummary s, String note) {
    Map<String, Long> ts = new LinkedHashMap<>();
    List<InputFrame> packets = new ArrayList<>();
    SynInfo syn = s.orig().syn();
    if (syn != null) {
      ts.put("syn", syn.timestampNanos());
      packets.add(new InputFrame(syn.input(), syn.frameNumber()));
    }
    SynInfo synAck = s.resp().syn();
    if (synAck != null) {
      ts.put("synack", synAck.timestampNanos());
      packets.add(new InputFrame(synAck.input(), synAck.frameNumber()));
    }
    if (s.ackNanos() >= 0) {
      ts.put("ack", s.ackNanos());
      packets.add(new InputFrame(s.ackInput(), s.ackFrame()));
    }
    if (s.orig().firstRst() != null) {
      ts.put("orig_rst", s.orig().firstRst().timestampNanos());
      packets.add(new InputFrame(s.orig().firstRst().input(), s.orig().firstRst().frameNumber()));
    }
    if (s.resp().firstRst() != null) {
      ts.put("resp_rst", s.resp().firstRst().timestampNanos());
      packets.add(new InputFrame(s.resp().firstRst().input(), s.resp().firstRst().frameNumber()));
    }
    if (s.orig().firstFinNanos() >= 0) ts.put("orig_fin", s.orig().firstFinNanos());
    if (s.resp().firstFinNanos() >= 0) ts.put("resp_fin", s.resp().firstFinNanos());
    ts.put("last", s.lastNanos());
    // Packet numbers restart in each input: those in the connection's first input are listed as
    // before, any in later inputs (a capture split into files) with their input.
    List<Long> frames = new ArrayList<>();
    List<InputFrame> later = new ArrayList<>();
    for (InputFrame p : packets) {
      if (p.input() == s.startInput()) {
        frames.add(p.frame());
      } else {
        later.add(p);
      }
    }
    frames.sort(Long::compare);
    later.sort(Comparator.comparingInt(InputFrame::input).thenComparingLong(InputFrame::frame));
    return new Evidence(
        s.id().uid(), s.id().origEndpoint(), s.id().respEndpoint(), s.history(), s.connState(), ts, s.startInput(),
        List.copyOf(frames), List.copyOf(later), note);
  }
}
