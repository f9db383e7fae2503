package dev.synscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyedStreamTest {
  @Test
  void itemsComeInOrderAcrossChunksWithTheirKeys() {
    KeyedStream s = new KeyedStream(() -> {});
    Thread producer = new Thread(() -> {
      for (int i = 0; i < 3 * KeyedStream.CHUNK + 7; i++) {
        s.add(i / 3, i, "item" + i);
      }
      s.publish(Long.MAX_VALUE, true);
    });
    producer.start();
    List<Object> seen = new ArrayList<>();
    long lastMajor = Long.MIN_VALUE;
    while (true) {
      s.refill(true);
      if (s.ended()) {
        break;
      }
      while (s.hasItem()) {
        assertTrue(s.major() >= lastMajor);
        lastMajor = s.major();
        assertEquals(seen.size(), s.minor());
        seen.add(s.next());
      }
    }
    assertEquals(3 * KeyedStream.CHUNK + 7, seen.size());
    assertEquals("item" + (3 * KeyedStream.CHUNK + 6), seen.get(seen.size() - 1));
  }

  /**
   * A chunk with no item, only a later watermark, ends a wait: the merge must look at the other
   * streams again (it once waited on for an item here while the producer waited for the merge).
   */
  @Test
  void aWaitEndsAtAChunkThatCarriesOnlyAWatermark() {
    KeyedStream s = new KeyedStream(() -> {});
    assertEquals(Long.MIN_VALUE, s.watermark(), "nothing sent yet");
    s.publish(40, false); // a round ended with nothing to say
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertFalse(s.refill(true)));
    assertFalse(s.hasItem());
    assertEquals(40, s.watermark());
    assertFalse(s.refill(false), "nothing more sent");
    s.add(41, 0, "x");
    s.publish(44, true);
    assertTrue(s.refill(false));
    assertEquals(41, s.major());
    assertEquals("x", s.next());
    assertTrue(s.refill(false));
    assertTrue(s.ended());
  }
}
