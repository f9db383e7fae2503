package dev.synscope.capture;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.pcap4j.core.PcapAddress;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/** The interfaces libpcap can capture on ({@code tcpdump -D}). */
public final class Interfaces {
  private Interfaces() {}

  /**
   * One capture device.
   *
   * @param addresses its IPv4 and IPv6 addresses, IPv6 in the short form (RFC 5952: "::1")
   */
  public record Device(
      String name,
      String description,
      List<String> addresses,
      boolean loopback,
      boolean up,
      boolean running) {
    /** tcpdump -D style: "lo [Up, Running, Loopback] 127.0.0.1 ::1". */
    @Override
    public String toString() {
      List<String> flags = new ArrayList<>();
      if (up) {
        flags.add("Up");
      }
      if (running) {
        flags.add("Running");
      }
      if (loopback) {
        flags.add("Loopback");
      }
      StringBuilder sb = new StringBuilder(name);
      if (description != null && !description.isBlank()) {
        sb.append(" (").append(description).append(')');
      }
      if (!flags.isEmpty()) {
        sb.append(" [").append(String.join(", ", flags)).append(']');
      }
      for (String a : addresses) {
        sb.append(' ').append(a);
      }
      return sb.toString();
    }
  }

  /**
   * Every device libpcap finds, in its order.
   *
   * @throws InputException when libpcap is missing or cannot list devices
   */
  public static List<Device> list() throws InputException {
    String problem = LibpcapFileSource.libpcapProblem();
    if (problem != null) {
      throw new InputException("interfaces", problem, null);
    }
    List<PcapNetworkInterface> found;
    try {
      found = Pcaps.findAllDevs();
    } catch (PcapNativeException e) {
      throw new InputException("interfaces", "libpcap cannot list them: " + LibpcapFileSource.libpcapMessage(e), e);
    }
    List<Device> out = new ArrayList<>();
    for (PcapNetworkInterface nif : found) {
      List<String> addresses = new ArrayList<>();
      for (PcapAddress a : nif.getAddresses()) {
        InetAddress address = a.getAddress();
        if (address != null) {
          addresses.add(format(address));
        }
      }
      out.add(new Device(
          nif.getName(),
          nif.getDescription(),
          List.copyOf(addresses),
          nif.isLoopBack(),
          nif.isUp(),
          nif.isRunning()));
    }
    return List.copyOf(out);
  }

  /** Dotted IPv4; IPv6 with the longest run of zero groups shortened to "::" (RFC 5952). */
  static String format(InetAddress address) {
    byte[] b = address.getAddress();
    if (b.length != 16) {
      return address.getHostAddress();
    }
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b);
    return new dev.synscope.decode.IpAddress(6, bb.getLong(), bb.getLong()).toString();
  }

  /** The device names, for messages that list the valid choices. */
  static List<String> names() throws InputException {
    return list().stream().map(Device::name).toList();
  }
}
