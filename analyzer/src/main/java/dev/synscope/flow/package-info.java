/**
 * Connections: the flow table (canonical key of primitives, per-phase idle timeouts, a capacity
 * from the memory budget with emergency mode and counted evictions), the Zeek-compatible TCP state
 * machine, and the immutable events and summaries it emits. A connection is a row of primitive
 * arrays ({@link dev.synscope.flow.ConnectionRows}), not an object; its {@link
 * dev.synscope.flow.FlowId} is a value made for its events. Depends on {@code decode} only.
 */
package dev.synscope.flow;
