/**
 * Host counters ({@code synscope live --host-counters}): when synscope runs on the host it
 * watches, the kernel's own TCP counters ({@code /proc/net/netstat}, {@code /proc/net/snmp}, as
 * {@code nstat} names them) and socket-state counts ({@code /proc/net/tcp}, {@code tcp6}) are
 * sampled every interval, reduced to deltas, peaks and a bounded series, and set beside the
 * wire-based findings: where the wire and the kernel agree, and where they do not and why.
 *
 * <p>Reads only {@code /proc/net} of synscope's own network namespace. May import {@code detect}
 * (the findings it compares with), the JDK, and Jackson (annotations and one serializer: the
 * records are the report's {@code host_counters} section). Imported by {@code report} and
 * {@code cli}; knows nothing of packets or capture.
 */
package dev.synscope.hostcounters;
