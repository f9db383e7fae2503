package dev.synscope.detect;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A detector's per-target state (per listener, host or address pair) with a cap: when a new
 * target finds it full, the least recently used of the {@value #SEARCH} oldest targets that is
 * not {@code busy} (in an open episode) leaves; only when all of those are busy does a busy one
 * go, counted apart because its verdict may have changed. A scan of millions of addresses thus
 * costs a bounded table of the recent ones, and a flood's target stays while others come and go.
 *
 * <p>A lookup is one hash lookup and a counter write (no list to reorder, as an access-ordered
 * map would on every event); eviction looks at the oldest entries only, like the CLOCK
 * approximation of LRU. Iteration is in the order the detector first met its targets (of those
 * present), as findings list them.
 */
public final class BoundedTable<K, V> {
  /** Oldest entries examined for one that may go. */
  static final int SEARCH = 64;

  /** An entry and when it was last used (a count of lookups). */
  private static final class Slot<V> {
    final V value;
    long lastUse;

    Slot(V value, long lastUse) {
      this.value = value;
      this.lastUse = lastUse;
    }
  }

  private final String name;
  private final int cap;
  private final Predicate<V> busy;
  /** Insertion order: the eldest is the first met of those present. */
  private final LinkedHashMap<K, Slot<V>> map = new LinkedHashMap<>();
  private long clock;
  private long peak;
  private long evicted;
  private long evictedBusy;

  /**
   * @param name the table's name in the report ({@code stats.state.<name>})
   * @param busy entries that should stay while others can go
   */
  public BoundedTable(String name, int cap, Predicate<V> busy) {
    if (cap < 1) {
      throw new IllegalArgumentException(name + ": a cap below 1");
    }
    this.name = name;
    this.cap = cap;
    this.busy = busy;
  }

  /** The entry of {@code key}, or null; marks it used. */
  public V get(K key) {
    Slot<V> s = map.get(key);
    if (s == null) {
      return null;
    }
    s.lastUse = ++clock;
    return s.value;
  }

  /** Adds an entry for a new key, making room first if the table is full. */
  public void put(K key, V value) {
    if (map.size() >= cap && !map.containsKey(key)) {
      evictOne();
    }
    map.put(key, new Slot<>(value, ++clock));
    peak = Math.max(peak, map.size());
  }

  /** Entries evicted so far: a consumer that caches an entry checks this has not moved. */
  public long evictions() {
    return evicted;
  }

  public int size() {
    return map.size();
  }

  /** The entries, in the order their keys were first put (of those still present). */
  public List<V> values() {
    List<V> out = new ArrayList<>(map.size());
    for (Slot<V> s : map.values()) {
      out.add(s.value);
    }
    return out;
  }

  private void evictOne() {
    Iterator<Map.Entry<K, Slot<V>>> it = map.entrySet().iterator();
    Map.Entry<K, Slot<V>> victim = null;
    Map.Entry<K, Slot<V>> eldest = null;
    for (int n = 0; n < SEARCH && it.hasNext(); n++) {
      Map.Entry<K, Slot<V>> e = it.next();
      if (eldest == null) {
        eldest = e;
      }
      if (!busy.test(e.getValue().value) && (victim == null || e.getValue().lastUse < victim.getValue().lastUse)) {
        victim = e;
      }
    }
    if (victim == null) {
      victim = eldest; // all busy: the first met goes, and that is counted
      evictedBusy++;
    }
    evicted++;
    map.remove(victim.getKey());
  }

  public StateTableStats stats() {
    return new StateTableStats(name, cap, peak, evicted, evictedBusy);
  }
}
