package dev.synscope.detect;

import dev.synscope.decode.IpAddress;

/**
 * A map from address to value for lookups on every event: open addressing with the key's bits
 * stored inline (three longs a slot), so a probe reads one array and never the key object, and
 * no node is allocated per entry. Linear probing, deletion by backward shift. No iteration
 * order: callers that need one keep it themselves.
 */
final class AddressMap<V> extends BoundedTable.Entry {
  /** Per slot: hi, lo, and (version + 1) << 32 | hash; 0 in the last marks an empty slot. */
  private long[] keys;
  private Object[] values;
  private int mask;
  private int size;

  AddressMap() {
    allocate(16);
  }

  private void allocate(int capacity) {
    keys = new long[capacity * 3];
    values = new Object[capacity];
    mask = capacity - 1;
  }

  private static long meta(IpAddress a, int hash) {
    return ((long) (a.version() + 1) << 32) | (hash & 0xffffffffL);
  }

  /** The slot holding {@code a}, or the empty slot where it would go. */
  private int slot(IpAddress a, long meta, int hash) {
    int i = hash & mask;
    while (true) {
      long m = keys[3 * i + 2];
      if (m == 0 || (m == meta && keys[3 * i] == a.hi() && keys[3 * i + 1] == a.lo())) {
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  private static int spread(IpAddress a) {
    int h = a.hashCode();
    return h ^ (h >>> 16);
  }

  @SuppressWarnings("unchecked")
  V get(IpAddress a) {
    int hash = spread(a);
    return (V) values[slot(a, meta(a, hash), hash)];
  }

  /** Maps {@code a} to {@code value} (not null), replacing any previous value. */
  void put(IpAddress a, V value) {
    if (value == null) {
      throw new IllegalArgumentException("null value");
    }
    int hash = spread(a);
    long meta = meta(a, hash);
    int i = slot(a, meta, hash);
    if (values[i] == null) {
      if (2 * (size + 1) > values.length) {
        grow();
        i = slot(a, meta, hash);
      }
      keys[3 * i] = a.hi();
      keys[3 * i + 1] = a.lo();
      keys[3 * i + 2] = meta;
      size++;
    }
    values[i] = value;
  }

  /** Removes {@code a}; returns its value or null. */
  @SuppressWarnings("unchecked")
  V remove(IpAddress a) {
    int hash = spread(a);
    int i = slot(a, meta(a, hash), hash);
    V old = (V) values[i];
    if (old == null) {
      return null;
    }
    // Backward shift: move later entries of the probe run into the hole so lookups need no tombstones.
    int hole = i;
    for (int j = (i + 1) & mask; keys[3 * j + 2] != 0; j = (j + 1) & mask) {
      int home = (int) keys[3 * j + 2] & mask;
      // j's entry may fill the hole unless its home lies cyclically in (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        System.arraycopy(keys, 3 * j, keys, 3 * hole, 3);
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[3 * hole + 2] = 0;
    values[hole] = null;
    size--;
    return old;
  }

  int size() {
    return size;
  }

  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    allocate(values.length * 2);
    for (int j = 0; j < oldValues.length; j++) {
      if (oldValues[j] != null) {
        long meta = oldKeys[3 * j + 2];
        int i = (int) meta & mask;
        while (keys[3 * i + 2] != 0) i = (i + 1) & mask;
        System.arraycopy(oldKeys, 3 * j, keys, 3 * i, 3);
        values[i] = oldValues[j];
      }
    }
  }
}
