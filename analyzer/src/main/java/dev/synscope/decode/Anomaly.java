package dev.synscope.decode;

/**
 * Everything the decoder can find wrong with a frame, each counted by name in the report
 * (Suricata's habit: malformed input is a counted event, never an exception).
 */
public enum Anomaly {
  TRUNCATED_LINK_HEADER("truncated_link_header"),
  TRUNCATED_IPV4_HEADER("truncated_ipv4_header"),
  BAD_IPV4_IHL("bad_ipv4_ihl"),
  IPV4_TOTAL_LENGTH_SHORT("ipv4_total_length_shorter_than_header"),
  TRUNCATED_IPV6_HEADER("truncated_ipv6_header"),
  TRUNCATED_IPV6_EXTENSION("truncated_ipv6_extension_header"),
  BAD_IP_VERSION("bad_ip_version"),
  TRUNCATED_TCP_HEADER("truncated_tcp_header"),
  BAD_TCP_DATA_OFFSET("bad_tcp_data_offset"),
  TCP_HEADER_BEYOND_IP_LENGTH("tcp_header_beyond_ip_length"),
  TCP_OPTIONS_CUT_BY_SNAPLEN("tcp_options_cut_by_snaplen"),
  TCP_OPTION_BAD_LENGTH("tcp_option_bad_length"),
  TCP_OPTION_OVERRUN("tcp_option_overrun");

  private final String label;

  Anomaly(String label) {
    this.label = label;
  }

  /** The name in reports: snake_case, stable. */
  public String label() {
    return label;
  }
}
