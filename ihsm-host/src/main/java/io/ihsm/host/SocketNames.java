package io.ihsm.host;

import java.util.Optional;

/**
 * The names of a daemon's sockets in its socket directory: one for management, one per partition.
 */
public final class SocketNames {
  public static final String MANAGEMENT = "management.sock";

  private SocketNames() {}

  public static String partition(int partitionId) {
    return "partition-" + partitionId + ".sock";
  }

  /** The partition id a socket's file name names, if it is a partition socket's. */
  public static Optional<Integer> partitionId(String fileName) {
    if (!fileName.matches("partition-[1-9][0-9]{0,8}\\.sock")) {
      return Optional.empty();
    }
    return Optional.of(
        Integer.parseInt(fileName.substring("partition-".length(), fileName.length() - 5)));
  }
}
