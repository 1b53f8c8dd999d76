package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.cose.CoseSign1;

/**
 * A document and its detached COSE_Sign1 (the compliance report):
 *
 * <pre>bytes document (≤ 131072), bytes signature (COSE_Sign1, payload null, ≤ 16384)</pre>
 */
public record SignedDocument(byte[] document, byte[] signature) implements Body {
  public static final int MAX_DOCUMENT = 128 * 1024;

  public SignedDocument {
    document = document.clone();
    signature = signature.clone();
  }

  @Override
  public byte[] document() {
    return document.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(document, MAX_DOCUMENT).bytes(signature, CoseSign1.MAX_BYTES);
  }

  public static SignedDocument read(BodyReader r) throws DdiException {
    SignedDocument d =
        new SignedDocument(
            r.bytes("document", MAX_DOCUMENT), r.bytes("signature", CoseSign1.MAX_BYTES));
    r.end();
    return d;
  }
}
