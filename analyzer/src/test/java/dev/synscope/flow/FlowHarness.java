package dev.synscope.flow;

import dev.synscope.decode.Segment;
import dev.synscope.testing.SegmentScript;
import java.util.ArrayList;
import java.util.List;

/** A flow table with a recording sink, fed from {@link SegmentScript}s or hand-made segments. */
final class FlowHarness {
  final List<ConnectionEvent> events = new ArrayList<>();
  final FlowTable table;

  FlowHarness() {
    this(FlowConfig.defaults());
  }

  FlowHarness(FlowConfig config) {
    table = new FlowTable(config, events::add);
  }

  FlowHarness feed(List<Segment> segments) {
    segments.forEach(table::onSegment);
    return this;
  }

  FlowHarness feed(Segment... segments) {
    return feed(List.of(segments));
  }

  /** Runs a whole script against a fresh 4-tuple and drains the table. */
  static FlowHarness run(String script) {
    FlowHarness h = new FlowHarness();
    h.feed(SegmentScript.ipv4().segments(script));
    h.table.drain();
    return h;
  }

  <T extends ConnectionEvent> List<T> events(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  List<ConnectionSummary> removed() {
    return events(ConnectionEvent.Removed.class).stream().map(ConnectionEvent.Removed::connection).toList();
  }

  /** The one connection the run produced (fails when there were several or none). */
  ConnectionSummary only() {
    List<ConnectionSummary> all = removed();
    if (all.size() != 1) {
      throw new AssertionError("expected exactly one connection, got " + all.size() + ": " + all);
    }
    return all.get(0);
  }
}
