package io.ihsm.pkcs11.object;

import io.ihsm.ddi.key.KeyKind;
import io.ihsm.pkcs11.Ck;
import io.ihsm.pkcs11.wire.Native;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One PKCS#11 object: its attributes as the caller's memory holds them, and for a key the partition
 * key behind it. A private or secret key object holds no key material, only the label of the key in
 * the partition ({@link #deviceLabel}); a public key object holds the public key. Token objects are
 * kept by {@link ObjectStore}; session objects live in the bridge's memory only.
 */
public final class P11Object {
  private final String recordId;
  private final long ownerSession;
  private final String deviceLabel;
  private final KeyKind kind;
  private final TreeMap<Long, byte[]> attributes;

  public P11Object(
      String recordId,
      long ownerSession,
      String deviceLabel,
      KeyKind kind,
      Map<Long, byte[]> attributes) {
    this.recordId = recordId;
    this.ownerSession = ownerSession;
    this.deviceLabel = deviceLabel;
    this.kind = kind;
    this.attributes = new TreeMap<>(attributes);
  }

  /**
   * The record's name in the store (token objects), or a name unique in this process (session
   * objects).
   */
  public String recordId() {
    return recordId;
  }

  /** The session a session object belongs to; 0 for a token object. */
  public long ownerSession() {
    return ownerSession;
  }

  public boolean isTokenObject() {
    return ownerSession == 0;
  }

  /**
   * The partition key behind a private, secret or public key object; null for certificates and
   * data.
   */
  public String deviceLabel() {
    return deviceLabel;
  }

  public KeyKind kind() {
    return kind;
  }

  public long objectClass() {
    return Native.toUlong(attributes.get(Ck.CKA_CLASS));
  }

  public byte[] get(long type) {
    byte[] v = attributes.get(type);
    return v == null ? null : v.clone();
  }

  public boolean bool(long type) {
    byte[] v = attributes.get(type);
    return v != null && v.length == 1 && v[0] != 0;
  }

  public boolean isPrivate() {
    return bool(Ck.CKA_PRIVATE);
  }

  /**
   * Attributes whose values never leave: the key material a private or secret key object stands
   * for.
   */
  public boolean isSensitive(long type) {
    long c = objectClass();
    boolean secretPart =
        (c == Ck.CKO_PRIVATE_KEY && type >= Ck.CKA_PRIVATE_EXPONENT && type <= Ck.CKA_COEFFICIENT)
            || ((c == Ck.CKO_PRIVATE_KEY || c == Ck.CKO_SECRET_KEY) && type == Ck.CKA_VALUE);
    return secretPart;
  }

  public Map<Long, byte[]> attributes() {
    Map<Long, byte[]> copy = new TreeMap<>();
    attributes.forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  /** A copy with some attributes replaced (for C_SetAttributeValue and C_CopyObject). */
  public P11Object with(String newRecordId, long newOwner, Map<Long, byte[]> changes) {
    Map<Long, byte[]> next = attributes();
    changes.forEach((k, v) -> next.put(k, v.clone()));
    return new P11Object(newRecordId, newOwner, deviceLabel, kind, next);
  }

  /**
   * Whether every attribute of a search template matches (an empty template matches everything).
   */
  public boolean matches(Map<Long, byte[]> template) {
    for (Map.Entry<Long, byte[]> e : template.entrySet()) {
      byte[] mine = attributes.get(e.getKey());
      if (mine == null || !Arrays.equals(mine, e.getValue())) {
        return false;
      }
    }
    return true;
  }
}
