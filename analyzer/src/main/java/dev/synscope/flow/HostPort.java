package dev.synscope.flow;

import dev.synscope.decode.IpAddress;
import java.io.Serializable;

/**
 * An address and port, such as a connection's responder (a listener). A cheap map key: its hash
 * is computed once and equality compares four numbers, where the "ip:port" text would cost a
 * string built per connection. The text is made on first use.
 */
public final class HostPort implements Serializable {
  private final IpAddress host;
  private final int port;
  private final int hash;
  /** Made again on first use after deserialisation. */
  private transient String text;

  public HostPort(IpAddress host, int port) {
    this.host = host;
    this.port = port;
    this.hash = host.hashCode() * 31 + port;
  }

  public IpAddress host() {
    return host;
  }

  public int port() {
    return port;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof HostPort other && other.port == port && other.host.equals(host));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** "10.0.0.1:80" or "[fd00::1]:80". */
  @Override
  public String toString() {
    if (text == null) {
      text = host.withPort(port);
    }
    return text;
  }
}
