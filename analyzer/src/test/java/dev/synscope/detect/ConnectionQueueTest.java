package dev.synscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.decode.IpAddress;
import dev.synscope.flow.FlowId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionQueueTest {
  private static int ports = 1000;

  private static FlowId id() {
    ports++;
    return new FlowId(ports, IpAddress.parse("198.18.0.1"), ports, IpAddress.parse("198.18.0.2"), 80);
  }

  /** A queue holding a, b and c put at times 1, 2 and 3. */
  private static ConnectionQueue queueOf(Object owner, int capacity, FlowId a, FlowId b, FlowId c) {
    ConnectionQueue q = new ConnectionQueue(owner, capacity);
    q.put(a, 1);
    q.put(b, 2);
    q.put(c, 3);
    return q;
  }

  private static List<FlowId> ids(ConnectionQueue q) {
    List<FlowId> out = new ArrayList<>();
    for (ConnectionQueue.Entry e = q.first(); e != null; e = e.next()) out.add(e.id());
    return out;
  }

  @Test
  void keepsInsertionOrderAndUpdatesTimeInPlace() {
    FlowId a = id();
    FlowId b = id();
    FlowId c = id();
    ConnectionQueue q = queueOf(this, 10, a, b, c);
    q.put(a, 9);
    assertEquals(List.of(a, b, c), ids(q));
    assertEquals(9, q.get(a).time());
    assertEquals(3, q.size());
  }

  @Test
  void removesFromAnyPlaceButRemembersTheConnection() {
    Object owner = new Object();
    FlowId a = id();
    FlowId b = id();
    FlowId c = id();
    FlowId never = id();
    ConnectionQueue q = queueOf(owner, 10, a, b, c);
    assertTrue(ConnectionQueue.removeFrom(b, owner));
    assertTrue(ConnectionQueue.removeFrom(b, owner)); // already out: still known
    assertFalse(ConnectionQueue.removeFrom(never, owner));
    assertEquals(List.of(a, c), ids(q));
    assertNull(q.get(b));
    assertFalse(q.contains(b));
    assertTrue(ConnectionQueue.knows(b, owner));
    assertFalse(ConnectionQueue.knows(never, owner));
    ConnectionQueue.removeFrom(a, owner);
    ConnectionQueue.removeFrom(c, owner);
    assertEquals(List.of(), ids(q));
    assertEquals(0, q.size());
    q.put(b, 5); // back at the end, as a new entry
    q.put(a, 6);
    assertEquals(List.of(b, a), ids(q));
  }

  @Test
  void dropsTheOldestBeyondCapacity() {
    Object owner = new Object();
    FlowId a = id();
    FlowId b = id();
    FlowId c = id();
    ConnectionQueue q = queueOf(owner, 2, a, b, c);
    assertEquals(List.of(b, c), ids(q));
    q.put(c, 4); // an update does not evict
    assertEquals(List.of(b, c), ids(q));
    assertFalse(q.contains(a));
    assertTrue(ConnectionQueue.knows(a, owner));
  }

  @Test
  void ownersKeepSeparateEntriesOnOneConnection() {
    Object first = new Object();
    Object second = new Object();
    ConnectionQueue q1 = new ConnectionQueue(first, 10);
    ConnectionQueue q2 = new ConnectionQueue(second, 10);
    ConnectionQueue q3 = new ConnectionQueue(new Object(), 10);
    FlowId a = id();
    q1.put(a, 1);
    q2.put(a, 2);
    q3.put(a, 3);
    assertEquals(1, q1.get(a).time());
    assertEquals(2, q2.get(a).time());
    ConnectionQueue.removeFrom(a, second);
    assertTrue(q1.contains(a));
    assertFalse(q2.contains(a));
    assertTrue(q3.contains(a));
    ConnectionQueue.removeFrom(a, first);
    assertEquals(3, q3.get(a).time());
  }

  @Test
  void aConnectionBelongsToOneQueueOfAnOwner() {
    Object owner = new Object();
    ConnectionQueue q1 = new ConnectionQueue(owner, 10);
    ConnectionQueue q2 = new ConnectionQueue(owner, 10);
    FlowId a = id();
    q1.put(a, 1);
    assertThrows(IllegalStateException.class, () -> q2.put(a, 2));
    assertNull(q2.get(a));
  }
}
