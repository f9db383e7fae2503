package dev.synscope.detect;

import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * Simultaneous open: both ends sent a bare SYN on one 4-tuple and the SYNs crossed (info).
 *
 * <p>Signal, thresholds, false positives and host checks: docs/detectors.md, section "simultaneous-open".
 */
public final class SimultaneousOpenDetector implements Detector {
  public static final String ID = "simultaneous-open";

  /** The first 1000 are reported one by one; the summary counts them all. */
  private final List<KeptSummary> seen = new ArrayList<>();

  @Override
  public String id() {
    return ID;
  }

  private static final Set<Class<? extends ConnectionEvent>> EVENTS = Set.of(
      ConnectionEvent.Removed.class);

  @Override
  public Set<Class<? extends ConnectionEvent>> events() {
    return EVENTS;
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    if (event instanceof ConnectionEvent.Removed r && r.connection().simultaneousOpen() && !r.connection().selfConnect()) {
      if (seen.size() < 1000) {
        seen.add(new KeptSummary(r.connection()));
      }
    }
  }

  @Override
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>();
    for (KeptSummary kept : seen) {
      ConnectionSummary s = kept.get();
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("handshake_completed", s.handshakeCompleted());
      metrics.put("orig_isn", s.orig().isn());
      metrics.put("resp_isn", s.resp().isn());
      String target = s.id().origEndpoint() + "<->" + s.id().respEndpoint();
      out.add(new Finding(
          ID, Severity.INFO, target, s.startNanos(), s.lastNanos(),
          "Both ends sent a SYN on " + target + " and the SYNs crossed (simultaneous open"
              + (s.handshakeCompleted() ? ", completed)" : ", not completed)"),
          metrics, List.of(EvidenceBook.of(s, "SYNs from both ends")),
          "Each side sent a SYN before receiving the other's, so each answered with a SYN-ACK carrying its own ISN"
              + " and both reached ESTABLISHED without any listen(). This is legal TCP (RFC 9293 section 3.5), used by"
              + " NAT hole punching and peer-to-peer dialers. A server that answers a SYN with a bare SYN (a split"
              + " handshake) looks the same on the wire; if neither side should be dialling, look for a middlebox."));
    }
    return out;
  }
}
