package dev.synscope.flow;

/**
 * Who talks to whom in one connection, with a Zeek-style uid; made once per connection and
 * shared by all its events.
 */
public record FlowId(String uid, IpAddress origHost, int origPort, IpAddress respHost, int respPort) {

  /** The responder as a listener target: "10.0.0.1:80" or "[fd00::1]:80". */
  public String respEndpoint() {
    return respHost.withPort(respPort);
  }

  public String origEndpoint() {
    return origHost.withPort(origPort);
  }

  public boolean isSelfConnection() {
    return origPort == respPort && origHost.equals(respHost);
  }

  @Override
  public String toString() {
    return origEndpoint() + " -> " + respEndpoint();
  }
}
