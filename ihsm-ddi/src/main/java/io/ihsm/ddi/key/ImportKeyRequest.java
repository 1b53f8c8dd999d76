package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.Bytes;

/**
 * ImportKey (bring your own key) and ImportPublicKey requests: the new key's attributes and either
 * the RSA-AES wrapped material (ImportKey; see docs/ddi.md "Import") or a SubjectPublicKeyInfo
 * (ImportPublicKey).
 *
 * <pre>attributes, bytes material (≤ 8192)</pre>
 */
public record ImportKeyRequest(KeyAttributes attributes, byte[] material) implements Body {
  public ImportKeyRequest {
    material = material.clone();
  }

  @Override
  public byte[] material() {
    return material.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    attributes.writeTo(w);
    w.bytes(material, Bytes.MAX_BLOB);
  }

  public static ImportKeyRequest read(BodyReader r) throws DdiException {
    ImportKeyRequest i =
        new ImportKeyRequest(KeyAttributes.readField(r), r.bytes("material", Bytes.MAX_BLOB));
    r.end();
    return i;
  }
}
