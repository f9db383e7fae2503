/**
 * Connections: the flow table (canonical key, per-phase idle timeouts, bounded capacity with
 * counted evictions), the Zeek-compatible TCP state machine, and the immutable events and
 * summaries it emits. Depends on {@code decode} only.
 */
package dev.synscope.flow;
