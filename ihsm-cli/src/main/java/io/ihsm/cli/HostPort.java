package io.ihsm.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A HOST:PORT option value (an IPv6 host in brackets), for the servers the CLI runs. */
final class HostPort {
  private HostPort() {}

  /** The address; a value that is not one exits 2, naming {@code option}. */
  static InetSocketAddress parse(String text, String option) {
    int colon = text.lastIndexOf(':');
    String host = colon > 0 ? text.substring(0, colon) : "";
    String port = colon > 0 ? text.substring(colon + 1) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (!port.matches("\\d{1,5}")
        || Integer.parseInt(port) > 65535
        || !host.matches("[0-9A-Za-z.:-]{1,253}")) {
      throw new CliFailure.Usage(option + " takes HOST:PORT, e.g. 127.0.0.1:9464: " + text);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
    } catch (IOException e) {
      throw new CliFailure.Usage(option + ": no such host: " + host);
    }
  }
}
