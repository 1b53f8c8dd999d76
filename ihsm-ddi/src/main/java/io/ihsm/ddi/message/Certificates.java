package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * X.509 certificates in DER, root first: u32 count (1..{@value #MAX_COUNT}), then each as bytes (≤
 * {@value #MAX_CERTIFICATE}).
 */
public record Certificates(List<byte[]> certificates) implements Body {
  public static final int MAX_COUNT = 8;
  public static final int MAX_CERTIFICATE = 8192;

  public Certificates {
    certificates = certificates.stream().map(byte[]::clone).toList();
  }

  @Override
  public List<byte[]> certificates() {
    return certificates.stream().map(byte[]::clone).toList();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(certificates.size());
    certificates.forEach(c -> w.bytes(c, MAX_CERTIFICATE));
  }

  public static Certificates read(BodyReader r) throws DdiException {
    int n = r.u32("count");
    if (n < 1 || n > MAX_COUNT) {
      throw new DdiException(
          Status.MALFORMED_BODY, "field 'count': 1 to " + MAX_COUNT + " certificates");
    }
    List<byte[]> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(r.bytes("certificate", MAX_CERTIFICATE));
    }
    r.end();
    return new Certificates(list);
  }
}
