package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.synscope.decode.IpAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionAttributeTest {
  private static final ConnectionAttribute<Long> FIRST = ConnectionAttribute.create("first");
  private static final ConnectionAttribute<String> SECOND = ConnectionAttribute.create("second");

  private static FlowId id(int port) {
    return new FlowId(port, IpAddress.parse("198.18.0.1"), port, IpAddress.parse("198.18.0.2"), 80);
  }

  private static FlowId id(int port, ConnectionAttributes analysis) {
    IpAddress resp = IpAddress.parse("198.18.0.2");
    return new FlowId(port, IpAddress.parse("198.18.0.1"), port, new HostPort(resp, 80), analysis);
  }

  @Test
  void valuesBelongToOneConnectionAndOneKey() {
    FlowId a = id(1000);
    FlowId b = id(1001);
    assertNull(a.get(FIRST));
    a.set(FIRST, 7L);
    b.set(SECOND, "x");
    assertEquals(7L, a.get(FIRST));
    assertNull(a.get(SECOND));
    assertNull(b.get(FIRST));
    assertEquals("x", b.get(SECOND));
  }

  @Test
  void settingNullRemovesTheValue() {
    FlowId a = id(1002);
    a.set(SECOND, null);
    assertNull(a.get(SECOND));
    a.set(SECOND, "y");
    a.set(SECOND, null);
    assertNull(a.get(SECOND));
  }

  @Test
  void everySlotHoldsItsOwnValue() {
    // Slots below 8 are fields, the rest an array: set each, then read all back.
    ConnectionAttributes analysis = new ConnectionAttributes();
    int slots = 8 + 5;
    List<ConnectionAttribute<Integer>> keys = new ArrayList<>();
    for (int i = 0; i < slots; i++) {
      keys.add(ConnectionAttribute.create("slot-" + i));
    }
    FlowId a = id(1004, analysis);
    FlowId b = id(1005, analysis);
    for (int i = 0; i < slots; i++) {
      a.set(keys.get(i), 100 + i);
      b.set(keys.get(slots - 1 - i), 200 + i);
    }
    assertEquals(slots, analysis.size());
    for (int i = 0; i < slots; i++) {
      assertEquals(100 + i, a.get(keys.get(i)), "slot " + i);
      assertEquals(200 + slots - 1 - i, b.get(keys.get(i)), "slot " + i);
    }
    for (int i = 0; i < slots; i += 2) {
      a.set(keys.get(i), null);
    }
    for (int i = 0; i < slots; i++) {
      assertEquals(i % 2 == 0 ? null : (Integer) (100 + i), a.get(keys.get(i)), "slot " + i);
    }
  }

  @Test
  void keysCreatedAfterTheFirstValueStillFit() {
    ConnectionAttributes analysis = new ConnectionAttributes();
    FlowId a = id(1003, analysis);
    a.set(FIRST, 1L);
    for (int i = 0; i < 8; i++) {
      a.set(ConnectionAttribute.create("filler-" + i), i); // the late key lands in the array
    }
    ConnectionAttribute<Integer> late = ConnectionAttribute.create("late");
    a.set(late, 3);
    assertEquals(3, a.get(late));
    assertEquals(1L, a.get(FIRST));
  }

  @Test
  void slotsBelongToOneAnalysisNotToTheProcess() {
    // Four analyses in one process, each with a fresh set of seven detector keys (as
    // Detectors.create makes them): each analysis numbers only its own keys, from 0.
    for (int run = 0; run < 4; run++) {
      ConnectionAttributes analysis = new ConnectionAttributes();
      FlowId a = id(2000 + run, analysis);
      for (int k = 0; k < 7; k++) {
        ConnectionAttribute<Integer> key = ConnectionAttribute.create("detector-key-" + k);
        a.set(key, k);
        assertEquals(k, a.get(key));
      }
      assertEquals(7, analysis.size(), "analysis " + run);
    }
  }

  @Test
  void aKeySharedByTwoAnalysesKeepsTheirValuesApart() {
    ConnectionAttributes one = new ConnectionAttributes();
    ConnectionAttributes two = new ConnectionAttributes();
    FlowId a = id(3000, one);
    FlowId b = id(3000, two);
    ConnectionAttribute<String> onlyInOne = ConnectionAttribute.create("only-in-one");
    a.set(onlyInOne, "one");
    a.set(FIRST, 1L);
    b.set(FIRST, 2L); // slot 0 of the second analysis, slot 1 of the first
    assertEquals(1L, a.get(FIRST));
    assertEquals(2L, b.get(FIRST));
    assertEquals("one", a.get(onlyInOne));
    assertNull(b.get(onlyInOne));
    assertEquals(2, one.size());
    assertEquals(2, two.size());
  }
}
