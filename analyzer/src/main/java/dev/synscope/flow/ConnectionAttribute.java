package dev.synscope.flow;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A key for state a consumer keeps per connection between its events, stored on the
 * connection's {@link FlowId}: reading it is an array index, not a hash lookup, and it is freed
 * with the connection (Zeek keeps such state in the connection record). Declare one per kind of
 * state as a static constant.
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
