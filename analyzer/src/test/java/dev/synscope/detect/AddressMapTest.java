package dev.synscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.synscope.decode.IpAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AddressMapTest {
  @Test
  void getPutRemove() {
    AddressMap<String> m = new AddressMap<>();
    IpAddress a = IpAddress.parse("10.0.0.1");
    IpAddress six = IpAddress.parse("::a00:1"); // same low bits as a, another version
    assertNull(m.get(a));
    m.put(a, "a");
    m.put(six, "six");
    assertEquals("a", m.get(IpAddress.parse("10.0.0.1")));
    assertEquals("six", m.get(six));
    m.put(a, "a2");
    assertEquals(2, m.size());
    assertEquals("a2", m.remove(a));
    assertNull(m.remove(a));
    assertNull(m.get(a));
    assertEquals("six", m.get(six));
    assertEquals(1, m.size());
  }

  /** Random puts and removes on a few colliding keys behave like a HashMap, through growth and backward shifts. */
  @Test
  void behavesLikeAHashMap() {
    Random r = new Random(7);
    AddressMap<Integer> m = new AddressMap<>();
    Map<IpAddress, Integer> expected = new HashMap<>();
    for (int step = 0; step < 200_000; step++) {
      int n = r.nextInt(3000);
      IpAddress a = r.nextBoolean() ? new IpAddress(4, 0, n) : new IpAddress(6, n, 1);
      if (r.nextInt(3) == 0) {
        assertEquals(expected.remove(a), m.remove(a));
      } else {
        expected.put(a, step);
        m.put(a, step);
      }
      if (step % 1000 == 0) {
        for (Map.Entry<IpAddress, Integer> e : expected.entrySet()) {
          assertEquals(e.getValue(), m.get(e.getKey()));
        }
      }
      assertEquals(expected.size(), m.size());
    }
  }
}
