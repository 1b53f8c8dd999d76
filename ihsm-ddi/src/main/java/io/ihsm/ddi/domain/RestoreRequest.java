package io.ihsm.ddi.domain;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;
import java.util.ArrayList;
import java.util.List;

/**
 * DOMAIN_RESTORE request: a backup and the shares custodians released to this device's join key
 * (HPKE, info = {@code ihsm domain restore share v1}, a zero byte, the SHA-384 of the encoded join
 * request, then the SHA-384 of the backup's sealed part; associated data the share's x as a u8).
 *
 * <pre>
 * DomainBackup backup, u32 count (1..16), count × SealedShare
 * </pre>
 */
public record RestoreRequest(DomainBackup backup, List<SealedShare> released) implements Body {
  public RestoreRequest {
    released = List.copyOf(released);
  }

  @Override
  public void writeTo(BodyWriter w) {
    backup.writeTo(w);
    w.u32(released.size());
    released.forEach(s -> s.writeTo(w));
  }

  public static RestoreRequest read(BodyReader r) throws DdiException {
    DomainBackup backup = DomainBackup.readField(r);
    int n = r.u32("count");
    if (n < 1 || n > BackupRequest.MAX_CUSTODIANS) {
      throw new DdiException(Status.MALFORMED_BODY, "1 to 16 released shares");
    }
    List<SealedShare> shares = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      shares.add(SealedShare.readField(r));
    }
    r.end();
    return new RestoreRequest(backup, shares);
  }
}
