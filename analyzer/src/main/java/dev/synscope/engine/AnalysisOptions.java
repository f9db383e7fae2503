package dev.synscope.engine;

import dev.synscope.flow.FlowConfig;
import dev.synscope.report.ReportLimits;

/**
 * How one analysis runs.
 *
 * @param keepConnections include one record per connection in the report (memory grows with them)
 * @param generatedAt the report's generation time, injected so tests and golden files are stable
 * @param reportLimits caps of the report's own tables
 * @param threads 1: one thread does everything; 2 or more: the flow stage (read, decode, flow
 *     table) runs on a thread of its own ahead of the event stage (detectors, report), which
 *     sees the very same events in the same order, so the report is the same
 */
public record AnalysisOptions(
    FlowConfig flows, boolean keepConnections, String toolVersion, String generatedAt, ReportLimits reportLimits,
    int threads) {
  public AnalysisOptions(FlowConfig flows, boolean keepConnections, String toolVersion, String generatedAt) {
    this(flows, keepConnections, toolVersion, generatedAt, ReportLimits.DEFAULT);
  }

  public AnalysisOptions(
      FlowConfig flows, boolean keepConnections, String toolVersion, String generatedAt, ReportLimits reportLimits) {
    this(flows, keepConnections, toolVersion, generatedAt, reportLimits, 1);
  }
}
