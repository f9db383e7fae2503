package dev.synscope.engine;

import dev.synscope.detect.Detector;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.EventSink;
import java.util.List;

/** Hands every connection event to the report's aggregates and to each detector, in order. */
final class EventDispatcher implements EventSink {
  private final EventSink report;
  private final Detector[] detectors;

  EventDispatcher(EventSink report, List<Detector> detectors) {
    this.report = report;
    this.detectors = detectors.toArray(new Detector[0]);
  }

  @Override
  public void accept(ConnectionEvent event) {
    report.accept(event);
    for (Detector d : detectors) {
      d.onEvent(event);
    }
  }
}
