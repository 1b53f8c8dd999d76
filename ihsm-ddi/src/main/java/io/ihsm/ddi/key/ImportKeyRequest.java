package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.Bytes;

/**
 * ImportKey (bring your own key) and ImportPublicKey requests: the new key's attributes and either
 * the RSA-AES wrapped material (ImportKey; see docs/ddi.md "Import") or a SubjectPublicKeyInfo
 * (ImportPublicKey), then when the key becomes active ({@link KeyActivation}: 0, the default, for
 * at once).
 *
 * <pre>attributes, bytes material (≤ 8192), u64 activation (optional; absent means 0)</pre>
 */
public record ImportKeyRequest(KeyAttributes attributes, byte[] material, long activation)
    implements Body {
  public ImportKeyRequest {
    material = material.clone();
    KeyActivation.check(activation);
  }

  public ImportKeyRequest(KeyAttributes attributes, byte[] material) {
    this(attributes, material, KeyActivation.NOW);
  }

  @Override
  public byte[] material() {
    return material.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    attributes.writeTo(w);
    w.bytes(material, Bytes.MAX_BLOB);
    if (activation != KeyActivation.NOW) {
      w.u64(activation);
    }
  }

  public static ImportKeyRequest read(BodyReader r) throws DdiException {
    KeyAttributes attributes = KeyAttributes.readField(r);
    byte[] material = r.bytes("material", Bytes.MAX_BLOB);
    long activation = r.remaining() > 0 ? KeyActivation.read(r) : KeyActivation.NOW;
    r.end();
    return new ImportKeyRequest(attributes, material, activation);
  }
}
