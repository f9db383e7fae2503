package dev.synscope.flow;

/** Flow-table counters for the report: nothing leaves the table without being counted. */
public record FlowStats(
    long created, long expired, long evicted, long portReuses, long endOfInput, long peakFlows, int maxFlows) {}
