package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.synscope.decode.IpAddress;
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
  void nullRemovesAndNeverAllocatesForNothing() {
    FlowId a = id(1002);
    a.set(SECOND, null);
    assertNull(a.get(SECOND));
    a.set(SECOND, "y");
    a.set(SECOND, null);
    assertNull(a.get(SECOND));
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
