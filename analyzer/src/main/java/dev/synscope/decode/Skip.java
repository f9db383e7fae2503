package dev.synscope.decode;

/** Frames that are fine but not TCP for us: counted by reason, not anomalies. */
public enum Skip {
  NOT_IP("not_ip"),
  UDP("udp"),
  ICMP("icmp"),
  OTHER_IP_PROTOCOL("other_ip_protocol"),
  IPV4_NON_FIRST_FRAGMENT("ipv4_non_first_fragment"),
  IPV6_NON_FIRST_FRAGMENT("ipv6_non_first_fragment"),
  UNSUPPORTED_LINK_TYPE("unsupported_link_type");

  private final String label;

  Skip(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
