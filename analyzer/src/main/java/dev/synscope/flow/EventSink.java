package dev.synscope.flow;

/** Receives connection events in packet-time order. */
@FunctionalInterface
public interface EventSink {
  void accept(ConnectionEvent event);
}
