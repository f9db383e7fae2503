package dev.synscope.engine;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.RawFrame;
import dev.synscope.decode.FrameDecoder;
import dev.synscope.decode.Segment;
import dev.synscope.detect.Detector;
import dev.synscope.detect.Finding;
import dev.synscope.flow.FlowTable;
import dev.synscope.report.Report;
import dev.synscope.report.ReportBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The one pass: source -> decode -> flow table -> events -> detectors -> findings -> report.
 * The loop reuses one frame and one segment, so reading and tracking allocate nothing per packet.
 */
public final class Analyzer {
  private final AnalysisOptions options;
  private final List<Detector> detectors;

  public Analyzer(AnalysisOptions options, List<Detector> detectors) {
    this.options = options;
    this.detectors = List.copyOf(detectors);
  }

  /** Reads the source to its end (or until {@code stop} says so) and builds the report. */
  public Report run(CaptureSource source, BooleanSupplier stop, List<String> runWarnings) throws IOException {
    ReportBuilder builder = new ReportBuilder(options.keepConnections());
    FlowTable table = new FlowTable(options.flows(), new EventDispatcher(builder, detectors));
    FrameDecoder decoder = new FrameDecoder();
    RawFrame frame = new RawFrame();
    Segment segment = new Segment();
    while (!stop.getAsBoolean() && source.next(frame)) {
      if (decoder.decode(frame.data, frame.offset, frame.capturedLength, frame.originalLength, frame.linkType, segment)) {
        segment.timestampNanos = frame.timestampNanos;
        segment.frameNumber = frame.frameNumber;
        segment.inputIndex = frame.inputIndex;
        table.onSegment(segment);
      }
    }
    for (Detector d : detectors) {
      d.onEndOfInput(table.packetTimeNanos());
    }
    table.drain();
    List<Finding> findings = new ArrayList<>();
    for (Detector d : detectors) {
      findings.addAll(d.findings());
    }
    return builder.build(
        options.toolVersion(), options.generatedAt(), source.inputs(), decoder.counters(), table.stats(),
        findings, runWarnings);
  }
}
