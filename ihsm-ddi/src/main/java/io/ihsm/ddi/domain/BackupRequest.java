package io.ihsm.ddi.domain;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;
import java.util.ArrayList;
import java.util.List;

/**
 * DOMAIN_BACKUP request: how many custodians a restore needs ({@code threshold}, M) and every
 * custodian's public key (N of them, each an uncompressed P-384 point, the HPKE recipient key).
 *
 * <pre>
 * u32 threshold (1..N), u32 count (N, 1..16), then N × bytes custodianKey (97)
 * </pre>
 */
public record BackupRequest(int threshold, List<byte[]> custodianKeys) implements Body {
  public static final int MAX_CUSTODIANS = 16;

  public BackupRequest {
    custodianKeys = custodianKeys.stream().map(byte[]::clone).toList();
    if (custodianKeys.isEmpty()
        || custodianKeys.size() > MAX_CUSTODIANS
        || threshold < 1
        || threshold > custodianKeys.size()
        || custodianKeys.stream().anyMatch(k -> k.length != JoinRequest.HPKE_KEY_BYTES)) {
      throw new IllegalArgumentException(
          "1 to "
              + MAX_CUSTODIANS
              + " custodian keys of 97 bytes, and a threshold from 1 to their number");
    }
  }

  @Override
  public List<byte[]> custodianKeys() {
    return custodianKeys.stream().map(byte[]::clone).toList();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(threshold).u32(custodianKeys.size());
    custodianKeys.forEach(k -> w.bytes(k, JoinRequest.HPKE_KEY_BYTES));
  }

  public static BackupRequest read(BodyReader r) throws DdiException {
    BackupRequest b = readField(r);
    r.end();
    return b;
  }

  static BackupRequest readField(BodyReader r) throws DdiException {
    int threshold = r.u32("threshold");
    int n = r.u32("count");
    if (n < 1 || n > MAX_CUSTODIANS || threshold < 1 || threshold > n) {
      throw new DdiException(
          Status.MALFORMED_BODY,
          "1 to " + MAX_CUSTODIANS + " custodians, and a threshold from 1 to their number");
    }
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(
          JoinRequest.exactly(
              r.bytes("custodianKey", JoinRequest.HPKE_KEY_BYTES), JoinRequest.HPKE_KEY_BYTES));
    }
    return new BackupRequest(threshold, keys);
  }
}
