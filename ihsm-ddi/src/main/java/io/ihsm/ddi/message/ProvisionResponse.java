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
    w.bytes(partitionBlob, Bytes.MAX_BLOB).bytes(backupKeyBlob, Bytes.MAX_BLOB);
  }

  public static ProvisionResponse read(BodyReader r) throws DdiException {
    ProvisionResponse p =
        new ProvisionResponse(
            r.bytes("partitionBlob", Bytes.MAX_BLOB), r.bytes("backupKeyBlob", Bytes.MAX_BLOB));
    r.end();
    return p;
  }
}
