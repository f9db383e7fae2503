package dev.synscope.flow;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The connection-attribute slots of one analysis (one flow table): each key that the
 * analysis's consumers use gets the next slot on first use, and the table a column for it. A
 * run with every detector uses seven, however many analyses the process has run before.
 */
final class ConnectionAttributes {
  private final Map<ConnectionAttribute<?>, Integer> slots = new IdentityHashMap<>();

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
}
