/**
 * Reports: the {@link dev.synscope.report.Report} model built once from the run's events,
 * counters and findings, and the writers that serialise it (JSON, HTML, JSON Lines, TSV, SARIF,
 * JUnit). Writers compute nothing. May import {@code detect}, {@code flow}, {@code decode}, the
 * {@code capture} input summaries and {@code hostcounters}; never {@code cli} or {@code engine}.
 */
package dev.synscope.report;
