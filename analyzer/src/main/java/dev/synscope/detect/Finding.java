package dev.synscope.detect;

import java.util.List;
import java.util.Map;

/**
 * A detector's verdict on one target and episode, with the numbers and connections behind it and
 * what to check on the host.
 *
 * @param target a listener "10.0.0.1:80" / "[fd00::1]:80", or a bare host address
 * @param metrics the numbers behind the verdict, in a stable order
 * @param evidence a bounded sample of connections
 */
public record Finding(
    String detector,
    Severity severity,
    String target,
    long firstSeenNanos,
    long lastSeenNanos,
    String summary,
    Map<String, Object> metrics,
    List<Evidence> evidence,
    String explanation) implements java.io.Serializable {}
