package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.testing.SegmentScript;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Removed event's view of a connection reads what its summary holds, and only in time. */
class RemovedConnectionTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "S h A D d F f A", "S@0 S@1000 h@1010 A@1020", "S h h A", "S r", "S h A D d300 r", "S h A F",
      "S s H h A a", "h A D", "D d", "S h A f F A", "S h A F f A S! h A", "S@0 h@1 A@2 R@50", "S S! S!"})
  void everyAccessorOfTheViewMatchesTheSummaryMadeAtThatMoment(String script) {
    List<ConnectionEvent.Removed> kept = new ArrayList<>();
    FlowTable table = new FlowTable(FlowConfig.defaults(), e -> {
      if (e instanceof ConnectionEvent.Removed r) {
        ConnectionView view = r.connection();
        ConnectionSummary summary = r.summary();
        assertTrue(view instanceof RemovedConnection, "the table hands out its view, not a record");
        sameAccessors(ConnectionView.class, view, summary, script);
        sameAccessors(EndpointView.class, view.orig(), summary.orig(), script + " (orig)");
        sameAccessors(EndpointView.class, view.resp(), summary.resp(), script + " (resp)");
        assertEquals(summary.durationNanos(), view.durationNanos());
        kept.add(r);
      }
    });
    SegmentScript.ipv4().segments(script).forEach(table::onSegment);
    table.drain();
    assertFalse(kept.isEmpty());
    for (ConnectionEvent.Removed r : kept) {
      // After the event the connection may be reused: the view refuses, the summary made stays.
      assertThrows(IllegalStateException.class, () -> r.connection().connState());
      assertThrows(IllegalStateException.class, () -> r.connection().orig().packets());
      assertSame(r.summary(), r.summary());
      assertSame(r.summary().id(), r.id(), "the id is a value and stays readable");
    }
  }

  @Test
  void aSummaryNotTakenInTimeCannotBeMadeLater() {
    List<ConnectionEvent.Removed> kept = new ArrayList<>();
    FlowTable table = new FlowTable(FlowConfig.defaults(), e -> {
      if (e instanceof ConnectionEvent.Removed r) {
        kept.add(r);
      }
    });
    SegmentScript.ipv4().segments("S h A F f A").forEach(table::onSegment);
    table.drain();
    assertEquals(1, kept.size());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept.get(0).summary());
    assertTrue(e.getMessage().contains("summary()"), e.getMessage());
  }

  private static void sameAccessors(Class<?> type, Object view, Object summary, String what) {
    int compared = 0;
    for (Method m : type.getMethods()) {
      if (m.getParameterCount() != 0 || m.isDefault() || m.getName().equals("summary")
          || m.getName().equals("orig") || m.getName().equals("resp")) {
        continue;
      }
      try {
        assertEquals(m.invoke(summary), m.invoke(view), what + ": " + m.getName());
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(what + ": " + m.getName(), e);
      }
      compared++;
    }
    assertTrue(compared >= 16, type.getSimpleName() + ": only " + compared + " accessors compared");
  }
}
