package io.ihsm.sdk.fleet;

import io.ihsm.ddi.domain.MaskedBlobs;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.PartitionConnection;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.sdk.store.HostKeyStore.PartitionEntry;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;

/**
 * After a rotation: moves every blob in the fleet store to the domain's current epoch, through this
 * member's device (which must hold both epochs). Each blob is replaced by compare-and-swap, so
 * members re-masking at once, or a key deleted meanwhile, lose nothing; a run stopped anywhere (a
 * crash) is finished by running again, since blobs at the current epoch are skipped.
 */
public final class Remasker {
  /** What a run did: blobs re-masked, and blobs already at the current epoch. */
  public record Result(int epoch, int remasked, int current) {}

  private Remasker() {}

  public static Result run(IhsmClient hsm, HostKeyStore store) {
    if (!store.inFleet()) {
      throw new IllegalStateException("the key store is this home's files, not a fleet's");
    }
    int epoch = hsm.domainStatus().epoch();
    int remasked = 0;
    int current = 0;
    for (String name : store.partitions()) {
      PartitionEntry e = store.partition(name).orElse(null);
      if (e == null) {
        continue; // deleted meanwhile
      }
      int id = hsm.adoptPartition(e.partitionBlob());
      try (PartitionConnection p = hsm.partition(id)) {
        byte[] blob = e.partitionBlob();
        if (epochOf(blob) < epoch) {
          byte[] next = p.remask(blob);
          if (store.replacePartitionBlob(name, blob, next)) {
            remasked++;
          } else {
            // another member moved it first: take the store's
            next = store.partition(name).map(PartitionEntry::partitionBlob).orElse(next);
          }
          blob = next;
        } else {
          current++;
        }
        p.reestablish(blob); // keys re-mask only under a partition at the current epoch
        for (StoredKey k : store.keys(name)) {
          if (epochOf(k.maskedBlob()) >= epoch) {
            current++;
            continue;
          }
          if (store.replaceKeyBlob(name, k.label(), k.maskedBlob(), p.remask(k.maskedBlob()))) {
            remasked++;
          }
        }
      }
    }
    return new Result(epoch, remasked, current);
  }

  /** The epoch a masked blob's header names (0: a device's own, not a domain's). */
  public static int epochOf(byte[] blob) {
    return MaskedBlobs.epochOf(blob);
  }
}
