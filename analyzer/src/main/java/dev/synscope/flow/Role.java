package dev.synscope.flow;

/** orig sent the first SYN (or, mid-stream, the first packet); resp is its peer. */
public enum Role {
  ORIG,
  RESP;

  public Role peer() {
    return this == ORIG ? RESP : ORIG;
  }

  public String label() {
    return this == ORIG ? "orig" : "resp";
  }
}
