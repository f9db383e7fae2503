package dev.synscope.engine;

import dev.synscope.flow.FlowConfig;

/**
 * How one analysis runs.
 *
 * @param keepConnections include one record per connection in the report (memory grows with them)
 * @param generatedAt the report's generation time, injected so tests and golden files are stable
 */
public record AnalysisOptions(FlowConfig flows, boolean keepConnections, String toolVersion, String generatedAt) {}
