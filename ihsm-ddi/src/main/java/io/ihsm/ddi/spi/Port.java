package io.ihsm.ddi.spi;

/**
 * Where a request came in: the management port (the Crypto Officer's) or one partition's port, the
 * emulated virtual function. The device stamps it on each request; a client cannot choose it.
 */
public record Port(int partitionId) {
  public static final Port MANAGEMENT = new Port(0);

  public Port {
    if (partitionId < 0) {
      throw new IllegalArgumentException("partition id must be >= 0, got " + partitionId);
    }
  }

  public static Port partition(int partitionId) {
    if (partitionId == 0) {
      throw new IllegalArgumentException("partition ids start at 1");
    }
    return new Port(partitionId);
  }

  public boolean isManagement() {
    return partitionId == 0;
  }

  @Override
  public String toString() {
    return isManagement() ? "management" : "partition-" + partitionId;
  }
}
