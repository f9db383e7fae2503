package dev.synscope.detect;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The episodes (or windows) a detector will report, in the order they began, up to a cap
 * ({@code max_episodes}, default {@value #DEFAULT_CAP}): a flood that starts and stops all day
 * must not fill the heap with findings, nor make every later event slower. Past the cap an
 * episode still runs (its target's state follows it, so it ends where it would have) but is not
 * kept; it is counted, and the report's {@code stats.state} and a warning say how many.
 */
final class EpisodeLog<E> implements java.io.Serializable {
  static final int DEFAULT_CAP = 1_000;
  /** Episodes per target kept for attributing ended connections to them (the newest). */
  static final int RECENT_PER_TARGET = 8;

  private final String name;
  private final int cap;
  private final List<E> kept = new ArrayList<>();
  private long refused;

  EpisodeLog(String name, int cap) {
    if (cap < 1) {
      throw new IllegalArgumentException(name.replace(".episodes", ".max_episodes") + ": must be at least 1");
    }
    this.name = name;
    this.cap = cap;
  }

  /** Keeps {@code episode} if there is room; false (and counted) if not. */
  boolean add(E episode) {
    if (kept.size() < cap) {
      kept.add(episode);
      return true;
    }
    refused++;
    return false;
  }

  List<E> kept() {
    return Collections.unmodifiableList(kept);
  }

  StateTableStats stats() {
    return StateTableStats.refusing(name, cap, kept.size(), refused);
  }

  /** Adds to a target's list of its newest episodes, dropping its oldest past {@link #RECENT_PER_TARGET}. */
  static <E> void addRecent(List<E> recent, E episode) {
    if (recent.size() == RECENT_PER_TARGET) {
      recent.remove(0);
    }
    recent.add(episode);
  }
}
