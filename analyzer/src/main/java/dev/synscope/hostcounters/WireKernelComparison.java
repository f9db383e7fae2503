package dev.synscope.hostcounters;

import dev.synscope.detect.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Sets the wire's findings beside the kernel's counters and says, per topic, whether they agree:
 * accept-queue overflows and {@code TcpExtListenOverflows}; SYN cookies and {@code
 * TcpExtSyncookiesSent}; SYN floods and SYN-queue overflow ({@code TcpExtSyncookiesSent} +
 * {@code TcpExtTCPReqQFullDrop}); TIME_WAIT pileups and the TIME_WAIT socket count. Findings about
 * another host's addresses cannot be confirmed here and are said to be so.
 */
public final class WireKernelComparison {
  static final String AGREE = "agree";
  static final String DISAGREE = "disagree";
  static final String NOT_COMPARABLE = "not-comparable";
  /** The time-wait-pileup detector's default min_peak: a kernel count above it unexplained is news. */
  static final long TIME_WAIT_NOTABLE = 1000;

  private WireKernelComparison() {}

  /**
   * @param isLocal whether a target is an address of this host; null when unknown (all are taken
   *     as local)
   */
  public static List<HostCounters.Comparison> compare(
      List<Finding> findings, HostCounters counters, Predicate<String> isLocal) {
    List<HostCounters.Comparison> out = new ArrayList<>();
    out.add(acceptQueue(split("accept-queue-overflow", findings, isLocal), counters));
    out.add(synFlood(split("syn-flood", findings, isLocal), counters));
    out.add(synCookies(split("syn-cookies", findings, isLocal), counters));
    out.add(timeWait(split("time-wait-pileup", findings, isLocal), counters));
    return out;
  }

  /** One detector's findings, about this host and about others. */
  record Split(String detector, List<Finding> local, List<Finding> other) {
    List<String> targets() {
      return local.stream().map(Finding::target).distinct().toList();
    }

    String targetText() {
      return firstThree(targets());
    }

    String otherText() {
      return firstThree(other.stream().map(Finding::target).distinct().toList());
    }

    /** "a, b, c", or "a, b, c and 2 more". */
    private static String firstThree(List<String> t) {
      return t.size() <= 3 ? String.join(", ", t) : String.join(", ", t.subList(0, 3)) + " and " + (t.size() - 3) + " more";
    }

    long sum(String... metrics) {
      long n = 0;
      for (Finding f : local) {
        for (String m : metrics) {
          n += number(f, m);
        }
      }
      return n;
    }

    long max(String metric) {
      long n = 0;
      for (Finding f : local) {
        n = Math.max(n, number(f, metric));
      }
      return n;
    }
  }

  static Split split(String detector, List<Finding> findings, Predicate<String> isLocal) {
    List<Finding> local = new ArrayList<>();
    List<Finding> other = new ArrayList<>();
    for (Finding f : findings) {
      if (f.detector().equals(detector)) {
        if (isLocal == null || isLocal.test(f.target())) {
          local.add(f);
        } else {
          other.add(f);
        }
      }
    }
    return new Split(detector, local, other);
  }

  private static long number(Finding f, String metric) {
    Object v = f.metrics() == null ? null : f.metrics().get(metric);
    return v instanceof Number n ? n.longValue() : 0;
  }

  private static HostCounters.Comparison result(
      Split s, String counter, String verdict, Long wireValue, long kernelValue, String statement) {
    return new HostCounters.Comparison(
        s.detector(), counter, verdict, s.local().size(), s.targets(), s.local().isEmpty() ? null : wireValue,
        kernelValue, statement);
  }

  private static HostCounters.Comparison missing(Split s, String counter) {
    return result(s, counter, NOT_COMPARABLE, null, -1, "This kernel has no " + counter + " counter.");
  }

  private static String otherHost(Split s, String what) {
    return "The " + s.detector() + " finding(s) concern " + s.otherText() + ", which is not an address of this host:"
        + " " + what;
  }

  static HostCounters.Comparison acceptQueue(Split s, HostCounters c) {
    String counter = "TcpExtListenOverflows";
    long k = c.delta(counter);
    if (k < 0) {
      return missing(s, counter);
    }
    long drops = Math.max(0, c.delta("TcpExtListenDrops"));
    long wire = s.sum("abort_resets", "synack_retransmissions_after_ack");
    if (!s.local().isEmpty()) {
      if (k > 0) {
        return result(s, counter, AGREE, wire, k, "Both show accept-queue overflows: the wire saw " + wire
            + " overflow event(s) at " + s.targetText() + " (resets or SYN-ACK retransmissions right after the 3rd"
            + " ACK); the kernel counted " + k + " (TcpExtListenOverflows, which also counts SYNs dropped while an"
            + " accept queue was full; TcpExtListenDrops +" + drops + ").");
      }
      return result(s, counter, DISAGREE, wire, k, "The capture shows accept-queue overflows at " + s.targetText()
          + " but this host's TcpExtListenOverflows did not rise: the capture probably comes from another host or"
          + " network namespace (synscope reads /proc/net of its own), or a device in between (load balancer, SYN"
          + " proxy) answered for the listener.");
    }
    if (!s.other().isEmpty()) {
      return result(s, counter, NOT_COMPARABLE, null, k, otherHost(s, "this kernel's counters cannot confirm them"
          + " (TcpExtListenOverflows +" + k + " here)."));
    }
    if (k > 0) {
      return result(s, counter, DISAGREE, null, k, "The kernel counted " + k + " listen overflow(s)"
          + " (TcpExtListenOverflows; TcpExtListenDrops +" + drops + ") but the wire shows no accept-queue overflow:"
          + " with tcp_abort_on_overflow=0 the kernel drops the 3rd ACK silently and only SYN-ACK retransmissions"
          + " show it, which may stay below the detector's thresholds; SYNs dropped on a full accept queue show only"
          + " as SYN retransmissions; or the listener's traffic is outside this capture (interface, filter).");
    }
    return result(s, counter, AGREE, null, 0, "Neither the wire nor the kernel shows an accept-queue overflow.");
  }

  static HostCounters.Comparison synCookies(Split s, HostCounters c) {
    String counter = "TcpExtSyncookiesSent";
    long k = c.delta(counter);
    if (k < 0) {
      return missing(s, counter);
    }
    long recv = Math.max(0, c.delta("TcpExtSyncookiesRecv"));
    long failed = Math.max(0, c.delta("TcpExtSyncookiesFailed"));
    long wire = s.sum("judged_cookies", "decodable_cookies");
    String kernelDetail = "TcpExtSyncookiesSent +" + k + ", TcpExtSyncookiesRecv +" + recv
        + " (valid cookie ACKs), TcpExtSyncookiesFailed +" + failed;
    if (!s.local().isEmpty()) {
      if (k > 0) {
        return result(s, counter, AGREE, wire, k, "Both show SYN cookies: the wire judged " + wire
            + " SYN-ACK(s) from " + s.targetText() + " to be cookies; the kernel sent " + k + " (" + kernelDetail + ").");
      }
      return result(s, counter, DISAGREE, wire, k, "The capture shows SYN-cookie windows at " + s.targetText()
          + " but this host's TcpExtSyncookiesSent did not rise: the capture comes from another host or network"
          + " namespace, or a SYN proxy (netfilter SYNPROXY, a load balancer) sent the cookies; the wire's cookie"
          + " tests can also misjudge a few SYN-ACKs.");
    }
    if (!s.other().isEmpty()) {
      return result(s, counter, NOT_COMPARABLE, null, k, otherHost(s, "this kernel's counters cannot confirm them ("
          + kernelDetail + " here)."));
    }
    if (k > 0) {
      return result(s, counter, DISAGREE, null, k, "The kernel sent " + k + " SYN cookie(s) (" + kernelDetail
          + ") but the wire shows no cookie window: too few SYN-ACKs to judge (the detector's min_t5 and"
          + " min_strong thresholds), cookies sent to clients outside this capture (interface, filter), or a"
          + " capture that ended within seconds of them (the never-retransmitted test needs 3.5 s).");
    }
    return result(s, counter, AGREE, null, 0, "Neither the wire nor the kernel shows SYN cookies.");
  }

  static HostCounters.Comparison synFlood(Split s, HostCounters c) {
    String counter = "TcpExtSyncookiesSent+TcpExtTCPReqQFullDrop";
    long cookies = c.delta("TcpExtSyncookiesSent");
    long full = c.delta("TcpExtTCPReqQFullDrop");
    if (cookies < 0 && full < 0) {
      return missing(s, "TcpExtSyncookiesSent or TcpExtTCPReqQFullDrop");
    }
    long k = Math.max(0, cookies) + Math.max(0, full);
    String kernelDetail = Math.max(0, cookies) + " SYN(s) answered with cookies, " + Math.max(0, full)
        + " dropped on a full SYN queue (TcpExtTCPReqQFullDrop)";
    long wire = s.sum("attempts");
    if (!s.local().isEmpty()) {
      if (k > 0) {
        return result(s, counter, AGREE, wire, k, "Both show a SYN flood: the wire saw " + wire + " attempt(s) against "
            + s.targetText() + "; the kernel's SYN queue overflowed: " + kernelDetail + ".");
      }
      return result(s, counter, DISAGREE, wire, k, "The capture shows a SYN flood against " + s.targetText()
          + " but this host's SYN queue never overflowed (no cookies sent, no TcpExtTCPReqQFullDrop): the backlog"
          + " absorbed it (large listen backlog, net.ipv4.tcp_max_syn_backlog), or the capture comes from another"
          + " host or network namespace.");
    }
    if (!s.other().isEmpty()) {
      return result(s, counter, NOT_COMPARABLE, null, k, otherHost(s, "this kernel's counters cannot confirm them ("
          + kernelDetail + " here)."));
    }
    if (k > 0) {
      return result(s, counter, DISAGREE, null, k, "The kernel's SYN queue overflowed (" + kernelDetail
          + ") but the wire shows no SYN flood: a burst below the detector's thresholds (min_rate, min_half_open),"
          + " a small listen backlog filled by ordinary load, or traffic outside this capture (interface, filter).");
    }
    return result(s, counter, AGREE, null, 0, "Neither the wire nor the kernel shows a SYN flood (no SYN-queue overflow).");
  }

  static HostCounters.Comparison timeWait(Split s, HostCounters c) {
    String counter = "time_wait sockets (peak)";
    if (c.sockets() == null) {
      return result(s, counter, NOT_COMPARABLE, null, -1, "Socket states were not read.");
    }
    long k = c.sockets().peak().getOrDefault("time_wait", 0L);
    long overflow = Math.max(0, c.delta("TcpExtTCPTimeWaitOverflow"));
    long wire = s.max("peak_time_wait");
    if (!s.local().isEmpty()) {
      if (2 * k >= wire) {
        return result(s, counter, AGREE, wire, k, "Both show a TIME_WAIT pileup: the wire estimates up to " + wire
            + " TIME_WAIT entries on " + s.targetText() + "; the kernel held up to " + k + " TIME_WAIT sockets (it"
            + " counts every peer and interface, and entries from before the capture; sampled every "
            + c.intervalS() + " s).");
      }
      return result(s, counter, DISAGREE, wire, k, "The wire estimates up to " + wire + " TIME_WAIT entries on "
          + s.targetText() + " but the kernel held at most " + k + " (sampled every " + c.intervalS() + " s):"
          + " net.ipv4.tcp_max_tw_buckets cut them short (TcpExtTCPTimeWaitOverflow +" + overflow + "), the peers"
          + " reused the 4-tuples early, or the capture comes from another host.");
    }
    if (!s.other().isEmpty()) {
      return result(s, counter, NOT_COMPARABLE, null, k, otherHost(s, "the TIME_WAIT entries are held there, not"
          + " here (this kernel held up to " + k + ")."));
    }
    if (k >= TIME_WAIT_NOTABLE) {
      return result(s, counter, DISAGREE, null, k, "This host held up to " + k + " TIME_WAIT sockets but the wire"
          + " shows no pileup: connections outside this capture (other interfaces, the filter), closed before the"
          + " capture started, or below the detector's min_peak.");
    }
    return result(s, counter, AGREE, null, k, "Neither the wire nor the kernel shows a TIME_WAIT pileup (the kernel"
        + " held up to " + k + " TIME_WAIT socket(s)).");
  }
}
