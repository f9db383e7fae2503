/**
 * Detection: the {@link dev.synscope.detect.Detector} interface, the explicit registry, and the
 * findings they return. Detectors consume {@code flow} events only (and the address values of
 * {@code decode}); they never see packets, bytes or mutable connections.
 *
 * <h2>Rules a detector follows</h2>
 *
 * <p>They keep the analysis bounded, and let the same detector run on one thread, on N shards
 * of connections, or as a keyed operator of a stream engine.
 *
 * <ol>
 *   <li><b>State is keyed by a value it declares</b>: a responder ip:port ({@code HostPort}), a
 *       host ({@code IpAddress}), an address pair, or a connection's {@code FlowId} (a value:
 *       analysis and serial). Never by object identity, never by a string built per event.
 *   <li><b>Per-target state lives in a {@link dev.synscope.detect.BoundedTable}</b> whose cap
 *       comes from the memory budget ({@link dev.synscope.detect.DetectorParams#cap}, overridable
 *       with {@code --param ID.max_...}), with a predicate that keeps targets in an open episode
 *       while idle ones go, and is listed by {@link dev.synscope.detect.Detector#stateTables()} so
 *       the report shows its cap, peak and evictions ({@code stats.state}). Anything else that
 *       grows with the input (a queue, a sample of sources) has a cap too, and counts what it
 *       drops.
 *   <li><b>Nothing is kept per connection that the flow table does not bound.</b> A value a
 *       detector needs between a connection's events goes in a {@link
 *       dev.synscope.flow.ConnectionAttribute}: it lives in the table's row and leaves with the
 *       connection. Such a value must not hold per-target state alive (look the target up by its
 *       key instead): the table holds millions of connections, the detector's table a few
 *       thousand targets.
 *   <li><b>Time is packet time, and it flows in two ways</b>: with every event ({@code
 *       timestampNanos}) and through {@link dev.synscope.detect.Detector#onTime}, the engine's
 *       once-a-second watermark, which also comes when no event does (only data, or only other
 *       targets' traffic). Windows close, verdicts wait and episodes end on either, with the same
 *       result; {@link dev.synscope.detect.Detector#onEndOfInput} closes what is still open.
 *   <li><b>Every event is a value</b>, a Removed event's connection summary too: it may be kept,
 *       but keep only what the finding needs (evidence for a few connections, not every one).
 *   <li><b>Findings are computed from the detector's own state</b>, in an order that does not
 *       depend on hash iteration: reports are golden files.
 *   <li><b>State is Serializable</b>: a stream engine checkpoints a detector between events
 *       ({@link dev.synscope.detect.DetectorState}), and the copy must go on alike. A lambda kept
 *       in a field has a Serializable type ({@link dev.synscope.detect.BoundedTable.Busy}), a key
 *       in a static field is {@link dev.synscope.flow.ConnectionAttribute#shared}, a connection
 *       summary is kept as a {@code KeptSummary}, and a map whose order matters is a
 *       LinkedHashMap (a HashMap's order depends on its table's size, which a copy does not keep).
 * </ol>
 */
package dev.synscope.detect;
