package dev.synscope.flow;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A key for state a consumer keeps per connection between its events, stored on the
 * connection's {@link FlowId}: reading it is a field read (an array index for keys past the
 * first {@value FlowId#INLINE}), not a hash lookup, and it is freed with the connection (Zeek
 * keeps such state in the connection record).
 *
 * <p>Every key takes a slot in the id of each connection, for the life of the JVM (a run with
 * every detector creates seven; ids hold {@value FlowId#INLINE} in fields). A consumer that may
 * exist twice on one event stream (a detector listed twice, a test feeding two instances) either
 * creates its keys per instance, or uses a static key whose value names its owner, as the
 * report's timeline does.
 */
public final class ConnectionAttribute<T> {
  private static final AtomicInteger COUNT = new AtomicInteger();

  final int index;
  private final String name;

  private ConnectionAttribute(String name) {
    this(name, COUNT.getAndIncrement());
  }

  private ConnectionAttribute(String name, int index) {
    this.name = name;
    this.index = index;
  }

  /**
   * A key that shares slot {@code index} with whichever key has it: only for tests of the id's
   * storage, which must reach both its field slots and its array whatever keys exist already.
   */
  static <T> ConnectionAttribute<T> sharingSlot(String name, int index) {
    return new ConnectionAttribute<>(name, index);
  }

  public static <T> ConnectionAttribute<T> create(String name) {
    return new ConnectionAttribute<>(name);
  }

  static int count() {
    return COUNT.get();
  }

  @Override
  public String toString() {
    return name;
  }
}
