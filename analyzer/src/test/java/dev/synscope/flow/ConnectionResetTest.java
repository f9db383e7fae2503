package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.synscope.decode.IpAddress;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/**
 * The flow table reuses removed connections: a reset one must be indistinguishable from a new
 * one, field by field, so that a field added later and forgotten in reset() fails here.
 */
class ConnectionResetTest {

  @Test
  void aResetConnectionEqualsANewOne() throws Exception {
    Connection used = new Connection();
    scribble(used);
    scribble(used.orig);
    scribble(used.resp);
    used.historyLength = 0;
    for (int i = 0; i < 20; i++) used.addHistory('S'); // grows the buffer past its first size
    assertNotEquals(fields(new Connection()), fields(used));

    used.reset();

    Connection fresh = new Connection();
    assertEquals(fields(fresh), fields(used));
    assertEquals(fields(fresh.orig), fields(used.orig));
    assertEquals(fields(fresh.resp), fields(used.resp));
    assertEquals("", used.historyString());
  }

  /** Gives every instance field other than final ones and the history buffer a non-default value. */
  private static void scribble(Object o) throws IllegalAccessException {
    for (Field f : o.getClass().getDeclaredFields()) {
      if (skipped(f)) continue;
      f.setAccessible(true);
      Class<?> t = f.getType();
      if (t == long.class) f.setLong(o, 12345L);
      else if (t == int.class) f.setInt(o, 123);
      else if (t == boolean.class) f.setBoolean(o, true);
      else if (t == EndpointState.class) f.set(o, EndpointState.RESET);
      else if (t == Role.class) f.set(o, Role.RESP);
      else if (t == String.class) f.set(o, "C1");
      else if (t == SynInfo.class) f.set(o, new SynInfo(1, 2, 0, 3, 4, 5, 6, 7, 8, 9, true, true, 10, 11, 12, 13, 14));
      else if (t == RstInfo.class) f.set(o, new RstInfo(1, 2, 0, 3, 4, true, 0));
      else if (t == FlowId.class) f.set(o, new FlowId(7, IpAddress.parse("198.18.0.1"), 1, IpAddress.parse("198.18.0.2"), 2));
      else throw new AssertionError("scribble() does not know " + f);
    }
  }

  /** Every instance field (but the history buffer, whose capacity may stay) as name=value. */
  private static String fields(Object o) throws IllegalAccessException {
    StringBuilder out = new StringBuilder();
    for (Field f : o.getClass().getDeclaredFields()) {
      if (skipped(f)) continue;
      f.setAccessible(true);
      out.append(f.getName()).append('=').append(f.get(o)).append('\n');
    }
    return out.toString();
  }

  private static boolean skipped(Field f) {
    int m = f.getModifiers();
    return Modifier.isStatic(m) || Modifier.isFinal(m) || f.getName().equals("history");
  }
}
