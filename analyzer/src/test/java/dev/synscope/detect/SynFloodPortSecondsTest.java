package dev.synscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.detect.SynFloodDetector.PortSeconds;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The syn-flood host targets' table of the last second each port saw an attempt. */
class SynFloodPortSecondsTest {

  @Test
  void keepsTheLastSecondPerPort() {
    PortSeconds p = new PortSeconds();
    p.put(80, 10);
    p.put(443, 11);
    p.put(80, 12);
    assertEquals(2, p.size());
    assertTrue(p.contains(80));
    assertFalse(p.contains(0));
    assertFalse(p.contains(65535));
    assertEquals(1, p.pruneAndCount(0, 12)); // only port 80 was seen in second 12
    assertEquals(2, p.pruneAndCount(0, 11));
  }

  @Test
  void pruningForgetsOldPortsAndKeepsTheRest() {
    PortSeconds p = new PortSeconds();
    for (int port = 0; port < 1000; port++) {
      p.put(port, port); // grows the table several times
    }
    assertEquals(1000, p.size());
    assertEquals(100, p.pruneAndCount(500, 900));
    assertEquals(500, p.size());
    assertFalse(p.contains(499));
    assertTrue(p.contains(500));
    assertTrue(p.contains(999));
    p.put(0, 2000);
    assertEquals(1, p.pruneAndCount(2000, 2000));
    assertEquals(1, p.size());
  }

  /** Random puts and prunes over the whole port range give what a HashMap gives. */
  @Test
  void behavesLikeAMap() {
    Random rnd = new Random(7);
    PortSeconds p = new PortSeconds();
    Map<Integer, Long> reference = new HashMap<>();
    for (long second = 0; second < 400; second++) {
      int attempts = rnd.nextInt(300);
      for (int i = 0; i < attempts; i++) {
        int port = rnd.nextBoolean() ? rnd.nextInt(65536) : rnd.nextInt(50);
        long at = second - rnd.nextInt(3); // a packet's time may step back a little
        p.put(port, at);
        reference.put(port, at);
      }
      long oldest = second - 4;
      reference.values().removeIf(last -> last < oldest - 60);
      long expected = reference.values().stream().filter(last -> last >= oldest).count();
      assertEquals(expected, p.pruneAndCount(oldest - 60, oldest), "second " + second);
      assertEquals(reference.size(), p.size());
      for (int port : reference.keySet()) {
        assertTrue(p.contains(port));
      }
    }
  }
}
