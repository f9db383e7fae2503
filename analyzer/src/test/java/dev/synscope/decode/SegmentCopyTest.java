package dev.synscope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/** A segment handed to a flow shard is a copy: every field of the decoder's segment, a field added later too. */
class SegmentCopyTest {
  @Test
  void copyFromCopiesEveryField() throws Exception {
    Segment original = new Segment();
    int k = 1;
    int fields = 0;
    for (Field f : Segment.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      fields++;
      Class<?> t = f.getType();
      if (t == long.class) {
        f.setLong(original, 1000L + k++);
      } else if (t == int.class) {
        f.setInt(original, 100 + k++);
      } else if (t == boolean.class) {
        f.setBoolean(original, true);
      } else {
        throw new AssertionError("a field copyFrom may not know how to copy: " + f);
      }
    }
    assertTrue(fields >= 25, "fields: " + fields);
    Segment copy = new Segment();
    copy.copyFrom(original);
    for (Field f : Segment.class.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        Object expected = f.get(original);
        assertNotEquals(f.get(new Segment()), expected, f.getName() + " set to a value a new segment lacks");
        assertEquals(expected, f.get(copy), f.getName());
      }
    }
  }
}
