package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.testing.SegmentScript;
import java.lang.reflect.RecordComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rows are reused: a row that held an eventful connection must give the next connection exactly
 * what a fresh row gives, so that a column added later and forgotten in the row's reset fails
 * here.
 */
class ConnectionRowsTest {
  /** Scripts that leave every kind of fact behind: RSTs, FINs, data, retransmissions, long histories. */
  private static final String[] EVENTFUL = {
    "S h A D d F f A", "S@0 S@1000 h@1010 A@1020 D D D d R", "S s H h A a D d F r", "h A D D= d d= D= D=", "S r", "S S! S!",
    "S h A D d D d D d D d F f A"
  };

  @ParameterizedTest
  @ValueSource(strings = {"S h A", "S", "S h A F f A", "D d", "S r", "h A"})
  void aReusedRowGivesWhatAFreshRowGives(String probe) throws Exception {
    FlowHarness used = new FlowHarness();
    for (int k = 0; k < EVENTFUL.length; k++) {
      used.feed(SegmentScript.between("198.18.0." + (k + 1), 4000 + k, "198.18.1.1", 80).segments(EVENTFUL[k]));
    }
    used.table.drain(); // every row is free now, with its old values in it
    used.events.clear();
    used.feed(SegmentScript.between("198.18.2.1", 5000, "198.18.1.1", 80).segments(probe));
    used.table.drain();

    FlowHarness fresh = new FlowHarness();
    fresh.feed(SegmentScript.between("198.18.2.1", 5000, "198.18.1.1", 80).segments(probe));
    fresh.table.drain();

    ConnectionSummary expected = fresh.only();
    ConnectionSummary actual = used.only();
    for (RecordComponent rc : ConnectionSummary.class.getRecordComponents()) {
      if (rc.getName().equals("id")) continue; // the uid counts connections per table
      assertEquals(rc.getAccessor().invoke(expected), rc.getAccessor().invoke(actual), probe + ": " + rc.getName());
    }
    assertEquals(fresh.events.size(), used.events.size(), "events of " + probe);
  }

  @Test
  void historiesLongerThanTheInlineLettersAreKeptWhole() {
    // Seven letters fit in the row; from the eighth on they are kept aside.
    assertEquals("ShADdFf", FlowHarness.run("S h A D d F f A").only().history());
    assertEquals("ShADdTtFf", FlowHarness.run("S h A D d D= d= F f A").only().history());
    assertEquals("ShADdTtFfRr", FlowHarness.run("S h A D d D= d= F f R r").only().history());
  }

  @Test
  void packedSynOptionsComeBackAsTheyWereSent() {
    ConnectionSummary s = FlowHarness.run("S h A").only();
    SynInfo syn = s.orig().syn();
    SynInfo synAck = s.resp().syn();
    FlowHarness direct = new FlowHarness();
    var segments = SegmentScript.ipv4().segments("S h A");
    var first = segments.get(0);
    direct.feed(segments);
    assertEquals(first.mss, syn.mss());
    assertEquals(first.windowScale, syn.windowScale());
    assertEquals(first.ttl, syn.ttl());
    assertEquals(first.window, syn.window());
    assertEquals(first.hasTimestamps, syn.hasTimestamps());
    assertEquals(first.tsVal, syn.tsVal());
    assertEquals(first.sackPermitted, syn.sackPermitted());
    assertEquals(first.tfoCookieLength, syn.tfoCookieLength());
    assertEquals(first.optionCount, syn.optionCount());
    assertEquals(first.seq, syn.seq());
    assertTrue(synAck.flags() != 0);
  }
}
