package io.ihsm.kmip.server;

import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.ResultReason;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;

/**
 * One partition as KMIP clients mapped to it see it: its keys (through the SDK) and the KMIP
 * records beside them. Changes are made one at a time; operations on keys run concurrently.
 */
final class KmipPartition {
  final PartitionClient client;
  final KmipObjects objects;

  /** Held by operations that make, rename or re-record objects. */
  final Object changes = new Object();

  KmipPartition(PartitionClient client, KmipObjects objects) {
    this.client = client;
    this.objects = objects;
  }

  /**
   * @throws KmipException ITEM_NOT_FOUND when no object has this id
   */
  KmipObject object(String uid) throws KmipException {
    return objects
        .find(uid)
        .orElseThrow(
            () -> new KmipException(ResultReason.ITEM_NOT_FOUND, "no object has the id " + uid));
  }

  /** The key version behind an object, as the host key store has it now. */
  StoredKey key(KmipObject o) throws KmipException {
    try {
      return client.key(o.key());
    } catch (IhsmException e) {
      throw new KmipException(
          ResultReason.ITEM_NOT_FOUND, "the key of object " + o.uid() + " is gone");
    }
  }
}
