package io.ihsm.host;

/**
 * The names of a daemon's sockets in its socket directory: one for management, one per partition.
 */
public final class SocketNames {
  public static final String MANAGEMENT = "management.sock";

  private SocketNames() {}

  public static String partition(int partitionId) {
    return "partition-" + partitionId + ".sock";
  }
}
