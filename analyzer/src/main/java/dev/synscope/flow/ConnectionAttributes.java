package dev.synscope.flow;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The connection attributes of one analysis: each key its consumers use gets the next slot on
 * first use, and every slot a column of values by flow-table row. The values belong to the event
 * consumers, not to the flow table: they are read and written only where events are handled, so
 * the table may run on another thread, ahead of its consumers (a connection's row may already
 * hold the next connection in the table while its Removed event is still on its way). Each row
 * remembers the serial of the connection its values belong to; a value of an earlier connection
 * is never seen by a later one.
 *
 * <p>When the consumers run as groups on several threads ({@link ConsumerGroup}), each group has
 * columns of its own (the slots are shared): a group reads and writes only its own, so no two
 * threads touch one array, and a key used by consumers in two groups holds two values.
 *
 * <p>It serialises with the ids made outside a table (their values are on the ids): the slot map
 * only. The columns hold the values of a table's rows, whose ids do not serialise ({@link
 * FlowId}), so a copy starts with none.
 */
final class ConnectionAttributes implements Serializable {
  private final Map<ConnectionAttribute<?>, Integer> slots = new IdentityHashMap<>();
  /** Group 0's columns (the only ones with one event thread). */
  private transient Columns first = new Columns();
  /** Other groups' columns, each made and used by its group's thread only. */
  private transient Columns[] others = new Columns[ConsumerGroup.MAX_GROUPS];

  private synchronized void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject(); // under the lock slotOf takes
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    first = new Columns();
    others = new Columns[ConsumerGroup.MAX_GROUPS];
  }

  /** The slot of {@code key}, given on its first use here (rare: once per key and analysis). */
  synchronized int slotOf(ConnectionAttribute<?> key) {
    Integer slot = slots.get(key);
    if (slot == null) {
      slot = slots.size();
      slots.put(key, slot);
    }
    return slot;
  }

  /** Slots given so far. */
  synchronized int size() {
    return slots.size();
  }

  Object get(int row, long serial, int slot) {
    return columns().get(row, serial, slot);
  }

  void set(int row, long serial, int slot, Object value) {
    columns().set(row, serial, slot, value);
  }

  /** Drops the values of the connection {@code serial} in {@code row} (it has left, and every consumer has been told). */
  void release(int row, long serial) {
    columns().release(row, serial);
  }

  /** The calling thread's group's columns. */
  private Columns columns() {
    int g = ConsumerGroup.current();
    if (g == 0) {
      return first;
    }
    Columns c = others[g];
    if (c == null) {
      c = new Columns();
      others[g] = c;
    }
    return c;
  }

  private static final class Columns {
    private Object[][] columns = new Object[0][];
    /** Per row, the serial of the connection whose values the row holds (0: none). */
    private long[] serials = new long[0];

    Object get(int row, long serial, int slot) {
      if (row >= serials.length || serials[row] != serial || slot >= columns.length) {
        return null;
      }
      Object[] column = columns[slot];
      return column == null ? null : column[row];
    }

    void set(int row, long serial, int slot, Object value) {
      if (row >= serials.length || serials[row] != serial) {
        if (value == null) {
          return;
        }
        if (row >= serials.length) {
          grow(row + 1);
        }
        clear(row);
        serials[row] = serial;
      }
      if (slot >= columns.length) {
        if (value == null) {
          return;
        }
        columns = Arrays.copyOf(columns, slot + 1);
      }
      Object[] column = columns[slot];
      if (column == null) {
        if (value == null) {
          return;
        }
        column = new Object[serials.length];
        columns[slot] = column;
      }
      column[row] = value;
    }

    void release(int row, long serial) {
      if (row < serials.length && serials[row] == serial) {
        clear(row);
        serials[row] = 0;
      }
    }

    private void clear(int row) {
      for (Object[] column : columns) {
        if (column != null) {
          column[row] = null;
        }
      }
    }

    private void grow(int min) {
      int n = Math.max(min, Math.max(16, serials.length * 2));
      serials = Arrays.copyOf(serials, n);
      for (int k = 0; k < columns.length; k++) {
        if (columns[k] != null) {
          columns[k] = Arrays.copyOf(columns[k], n);
        }
      }
    }
  }
}
