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
    // Slots below FlowId.INLINE are fields, the rest an array: set each, then read all back.
    int slots = FlowId.INLINE + 5;
    List<ConnectionAttribute<Integer>> keys = new ArrayList<>();
    for (int i = 0; i < slots; i++) {
      keys.add(ConnectionAttribute.sharingSlot("slot-" + i, i));
    }
    FlowId a = id(1004);
    FlowId b = id(1005);
    for (int i = 0; i < slots; i++) {
      a.set(keys.get(i), 100 + i);
      b.set(keys.get(slots - 1 - i), 200 + i);
    }
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
    FlowId a = id(1003);
    a.set(FIRST, 1L);
    ConnectionAttribute<Integer> late = ConnectionAttribute.create("late");
    a.set(late, 3);
    assertEquals(3, a.get(late));
    assertEquals(1L, a.get(FIRST));
  }
}
