package dev.synscope.hostcounters;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * Whether a finding's target is an address of this host (of synscope's network namespace): only
 * then can this kernel's counters confirm it. Targets look like {@code 10.0.0.1:80}, {@code
 * [fd00::1]:80} or a bare address.
 */
public final class LocalAddresses {
  private LocalAddresses() {}

  /** The addresses of every interface of this network namespace; null when they cannot be listed. */
  public static Predicate<String> ofThisHost() {
    List<byte[]> local = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          local.add(a.getAddress());
        }
      }
    } catch (SocketException | RuntimeException e) {
      return null;
    }
    return of(local);
  }

  /** A predicate over targets for these addresses (raw 4 or 16 bytes). */
  static Predicate<String> of(List<byte[]> addresses) {
    return target -> {
      byte[] b = literal(hostOf(target));
      if (b == null) {
        return false;
      }
      for (byte[] a : addresses) {
        if (Arrays.equals(a, b)) {
          return true;
        }
      }
      return false;
    };
  }

  /** The host of a target ("10.0.0.1:80" -> "10.0.0.1", "[fd00::1]:80" -> "fd00::1"), or null. */
  static String hostOf(String target) {
    if (target == null || target.contains("<->")) {
      return null;
    }
    if (target.startsWith("[")) {
      int end = target.indexOf(']');
      return end < 0 ? null : target.substring(1, end);
    }
    int colon = target.indexOf(':');
    if (colon >= 0 && colon == target.lastIndexOf(':')) {
      return target.substring(0, colon);
    }
    return target;
  }

  /** The bytes of a numeric address literal; null for anything else (no name is ever resolved). */
  static byte[] literal(String host) {
    if (host == null || host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
      return null;
    }
    if (host.indexOf(':') < 0 && !host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return null; // only dotted-quad IPv4 (InetAddress would resolve anything it cannot parse)
    }
    try {
      return InetAddress.getByName(host).getAddress(); // a literal: parsed, not looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
