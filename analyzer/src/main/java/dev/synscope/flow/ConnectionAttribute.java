package dev.synscope.flow;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A key for state a consumer keeps per connection between its events, stored on the
 * connection's {@link FlowId}: reading it is an array index, not a hash lookup, and it is freed
 * with the connection (Zeek keeps such state in the connection record).
 *
 * <p>Every key takes a slot in the id of each connection that holds any attribute, for the life
 * of the JVM. A consumer that may exist twice on one event stream (a detector listed twice, a test
 * feeding two instances) either creates its keys per instance, or uses a static key whose value
 * names its owner, as the report's timeline does.
 */
public final class ConnectionAttribute<T> {
  private static final AtomicInteger COUNT = new AtomicInteger();

  final int index;
  private final String name;

  private ConnectionAttribute(String name) {
    this.name = name;
    this.index = COUNT.getAndIncrement();
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
