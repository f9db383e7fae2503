package dev.synscope.detect;

/**
 * What a bounded table of analysis state went through: the report's {@code
 * stats.state.<name>}.
 *
 * @param cap entries it may hold (from the memory budget or {@code --param})
 * @param peak most entries held at once
 * @param evicted entries pushed out to make room
 * @param evictedBusy of those, entries in an open episode (their verdicts may have changed)
 */
public record StateTableStats(String name, long cap, long peak, long evicted, long evictedBusy) {}
