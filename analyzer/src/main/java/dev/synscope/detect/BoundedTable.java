package dev.synscope.detect;

import java.io.Serializable;
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
public final class BoundedTable<K, V extends BoundedTable.Entry> implements Serializable {
  /** Oldest entries examined for one that may go. */
  static final int SEARCH = 64;

  /**
   * What a table's values extend: when the entry was last used (a count of the table's lookups),
   * kept in the value itself so that a lookup touches no second object.
   */
  public abstract static class Entry implements Serializable {
    long lastUse;
  }

  /** Which entries should stay: Serializable, as the table is, so a lambda given for it is too. */
  @FunctionalInterface
  public interface Busy<V> extends Predicate<V>, Serializable {}

  private final String name;
  private final int cap;
  private final Busy<V> busy;
  /** Insertion order: the eldest is the first met of those present. */
  private final LinkedHashMap<K, V> map = new LinkedHashMap<>();
  private long clock;
  private long peak;
  private long evicted;
  private long evictedBusy;

  /**
   * @param name the table's name in the report ({@code stats.state.<name>})
   * @param busy entries that should stay while others can go
   */
  public BoundedTable(String name, int cap, Busy<V> busy) {
    if (cap < 1) {
      throw new IllegalArgumentException(name + ": a cap below 1");
    }
    this.name = name;
    this.cap = cap;
    this.busy = busy;
  }

  /** The entry of {@code key}, or null; marks it used. */
  public V get(K key) {
    V v = map.get(key);
    if (v != null) {
      v.lastUse = ++clock;
    }
    return v;
  }

  /** Adds an entry for a new key, making room first if the table is full. */
  public void put(K key, V value) {
    if (map.size() >= cap && !map.containsKey(key)) {
      evictOne();
    }
    value.lastUse = ++clock;
    map.put(key, value);
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
    return new ArrayList<>(map.values());
  }

  private void evictOne() {
    Iterator<Map.Entry<K, V>> it = map.entrySet().iterator();
    Map.Entry<K, V> victim = null;
    Map.Entry<K, V> eldest = null;
    for (int n = 0; n < SEARCH && it.hasNext(); n++) {
      Map.Entry<K, V> e = it.next();
      if (eldest == null) {
        eldest = e;
      }
      if (!busy.test(e.getValue()) && (victim == null || e.getValue().lastUse < victim.getValue().lastUse)) {
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
