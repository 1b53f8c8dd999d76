package io.ihsm.firmware.vault;

import io.ihsm.ddi.message.PartitionLimits;

/**
 * What the device keeps about a partition across restarts (the "virtual function" configuration):
 * never its secrets, which are volatile and come back from the partition blob.
 *
 * @param uid random at creation; blobs are bound to it, so a recreated partition with the same id
 *     cannot take an old partition's blobs
 * @param generation of the current partition blob; older blobs are stale
 */
record PartitionRecord(
    int id, String name, byte[] uid, PartitionLimits limits, boolean provisioned, int generation) {
  PartitionRecord provisioned(int newGeneration) {
    return new PartitionRecord(id, name, uid, limits, true, newGeneration);
  }
}
