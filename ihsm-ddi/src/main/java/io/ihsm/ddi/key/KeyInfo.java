package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.Bytes;

/**
 * A loaded key as the host sees it: its handle, attributes, origin, version and lifecycle, public
 * key (SPKI DER, empty for secret keys) and masked blob (empty when the key was loaded from its
 * blob).
 *
 * <pre>
 * u32 handle, attributes, u8 origin, lifecycle, bytes publicKey (≤ 4096: an ML-DSA-87 key is 2614),
 * bytes maskedBlob (≤ 8192)</pre>
 */
public record KeyInfo(
    int handle,
    KeyAttributes attributes,
    KeyOrigin origin,
    KeyLifecycle lifecycle,
    byte[] publicKey,
    byte[] maskedBlob)
    implements Body {
  public static final int MAX_PUBLIC_KEY = 4096;

  public KeyInfo {
    publicKey = publicKey.clone();
    maskedBlob = maskedBlob.clone();
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  @Override
  public byte[] maskedBlob() {
    return maskedBlob.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(handle);
    attributes.writeTo(w);
    w.u8(origin.code());
    lifecycle.writeTo(w);
    w.bytes(publicKey, MAX_PUBLIC_KEY).bytes(maskedBlob, Bytes.MAX_BLOB);
  }

  public static KeyInfo read(BodyReader r) throws DdiException {
    KeyInfo k = readField(r);
    r.end();
    return k;
  }

  /** One key's information, as a field of a longer body. */
  public static KeyInfo readField(BodyReader r) throws DdiException {
    int handle = r.u32("handle");
    KeyAttributes attrs = KeyAttributes.readField(r);
    KeyOrigin origin = KeyOrigin.fromCode(r.u8("origin"));
    if (origin == null) {
      throw new DdiException(Status.MALFORMED_BODY, "field 'origin': unknown");
    }
    KeyLifecycle lifecycle = KeyLifecycle.readField(r);
    byte[] pub = r.bytes("publicKey", MAX_PUBLIC_KEY);
    byte[] blob = r.bytes("maskedBlob", Bytes.MAX_BLOB);
    return new KeyInfo(handle, attrs, origin, lifecycle, pub, blob);
  }
}
