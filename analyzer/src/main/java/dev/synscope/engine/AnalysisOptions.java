package dev.synscope.engine;

import dev.synscope.flow.FlowConfig;
import dev.synscope.report.ReportLimits;

/**
 * How one analysis runs.
 *
 * @param keepConnections include one record per connection in the report (memory grows with them)
 * @param generatedAt the report's generation time, injected so tests and golden files are stable
 * @param reportLimits caps of the report's own tables
 */
public record AnalysisOptions(
    FlowConfig flows, boolean keepConnections, String toolVersion, String generatedAt, ReportLimits reportLimits) {
  public AnalysisOptions(FlowConfig flows, boolean keepConnections, String toolVersion, String generatedAt) {
    this(flows, keepConnections, toolVersion, generatedAt, ReportLimits.DEFAULT);
  }
}
