/**
 * Reports: the {@link dev.synscope.report.Report} model built once from the run's events,
 * counters and findings, and the writers that serialise it. Depends on {@code detect}, {@code
 * flow}, {@code decode} and the capture summaries.
 */
package dev.synscope.report;
