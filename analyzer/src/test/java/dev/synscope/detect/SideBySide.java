package dev.synscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synscope.flow.ConnectionEvent;
import java.util.List;
import java.util.function.Supplier;

/**
 * Two instances of a detector fed the same events, as with {@code --detectors x,x}: each must
 * find what it finds alone, so per-connection state kept on the FlowId must not be shared.
 */
final class SideBySide implements Detector {
  private final Detector first;
  private final Detector second;

  private SideBySide(Detector first, Detector second) {
    this.first = first;
    this.second = second;
  }

  /** Runs {@code script()} through one instance, then a fresh script through two side by side. */
  static void assertInstancesIndependent(Supplier<DetectorScript> script, Supplier<Detector> detector) {
    List<Finding> alone = script.get().run(detector.get());
    SideBySide both = new SideBySide(detector.get(), detector.get());
    assertEquals(alone, script.get().run(both));
    assertEquals(alone, both.second.findings());
  }

  @Override
  public String id() {
    return first.id();
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    first.onEvent(event);
    second.onEvent(event);
  }

  @Override
  public void onEndOfInput(long lastPacketNanos) {
    first.onEndOfInput(lastPacketNanos);
    second.onEndOfInput(lastPacketNanos);
  }

  @Override
  public List<Finding> findings() {
    return first.findings();
  }
}
