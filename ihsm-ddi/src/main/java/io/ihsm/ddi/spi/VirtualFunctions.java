package io.ihsm.ddi.spi;

/**
 * The firmware tells the device which partitions exist; the device opens or closes the matching
 * ports (the daemon creates one owner-only socket per partition).
 */
public interface VirtualFunctions {
  void enable(int partitionId);

  void disable(int partitionId);
}
