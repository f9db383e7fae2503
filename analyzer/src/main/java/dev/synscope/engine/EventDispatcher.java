package dev.synscope.engine;

import dev.synscope.detect.Detector;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.EventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Hands every connection event to the report's aggregates and to each detector that asked for
 * its type ({@link Detector#events()}), in the detectors' order.
 */
final class EventDispatcher implements EventSink {
  private final EventSink report;
  private final Detector[] detectors;
  /** Per event type, the detectors that take it. */
  private final ClassValue<Detector[]> routes = new ClassValue<>() {
    @Override
    protected Detector[] computeValue(Class<?> type) {
      List<Detector> out = new ArrayList<>();
      for (Detector d : detectors) {
        Set<Class<? extends ConnectionEvent>> wanted = d.events();
        if (wanted == null || wanted.contains(type)) {
          out.add(d);
        }
      }
      return out.toArray(new Detector[0]);
    }
  };

  EventDispatcher(EventSink report, List<Detector> detectors) {
    this.report = report;
    this.detectors = detectors.toArray(new Detector[0]);
  }

  @Override
  public void accept(ConnectionEvent event) {
    report.accept(event);
    for (Detector d : routes.get(event.getClass())) {
      d.onEvent(event);
    }
    if (event instanceof ConnectionEvent.Removed removed) {
      removed.id().releaseAttributes(); // every consumer has seen the connection leave
    }
  }
}
