package dev.synscope.flow;

/** What the wire proves about one endpoint (Zeek's TCP endpoint states). */
public enum EndpointState {
  INACTIVE,
  SYN_SENT,
  SYN_ACK_SENT,
  PARTIAL,
  ESTABLISHED,
  CLOSED,
  RESET
}
