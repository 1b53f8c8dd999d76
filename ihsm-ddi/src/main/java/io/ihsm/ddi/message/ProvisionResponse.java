package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/**
 * ProvisionPartition response: the partition blob (its volatile state, masked under the device's
 * sealing key; the host keeps it to re-establish the partition after a reset) and, when the device
 * generated the owner backup key, that key masked under the device's sealing key (else empty).
 */
public record ProvisionResponse(byte[] partitionBlob, byte[] backupKeyBlob) implements Body {
  public ProvisionResponse {
    partitionBlob = partitionBlob.clone();
    backupKeyBlob = backupKeyBlob.clone();
  }

  @Override
  public byte[] partitionBlob() {
    return partitionBlob.clone();
  }

  @Override
  public byte[] backupKeyBlob() {
    return backupKeyBlob.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(partitionBlob, Blob.MAX_BYTES).bytes(backupKeyBlob, Blob.MAX_BYTES);
  }

  public static ProvisionResponse read(BodyReader r) throws DdiException {
    ProvisionResponse p = new ProvisionResponse(r.bytes("partitionBlob", Blob.MAX_BYTES),
        r.bytes("backupKeyBlob", Blob.MAX_BYTES));
    r.end();
    return p;
  }
}
