package io.ihsm.verify;

import io.ihsm.ddi.cbor.Cbor;
import io.ihsm.ddi.cbor.CborException;
import io.ihsm.verify.AttestationException.Reason;
import java.util.List;
import java.util.Map;

/**
 * A report's claims map, read with the type each claim must have; claims it does not know are
 * ignored.
 */
final class ClaimSet {
  private final Map<?, ?> claims;

  private ClaimSet(Map<?, ?> claims) {
    this.claims = claims;
  }

  static ClaimSet decode(byte[] payload) throws AttestationException {
    try {
      if (Cbor.decode(payload) instanceof Map<?, ?> map) {
        return new ClaimSet(map);
      }
    } catch (CborException e) {
      throw new AttestationException(
          Reason.MALFORMED_REPORT,
          "the report's claims are not deterministic CBOR: " + e.getMessage());
    }
    throw new AttestationException(
        Reason.MALFORMED_REPORT, "the report's claims are not a CBOR map");
  }

  boolean has(long key) {
    return claims.containsKey(key);
  }

  String text(long key) throws AttestationException {
    return get(key, String.class, "text");
  }

  byte[] bytes(long key) throws AttestationException {
    return get(key, byte[].class, "a byte string");
  }

  boolean bool(long key) throws AttestationException {
    return get(key, Boolean.class, "a boolean");
  }

  long uint(long key) throws AttestationException {
    long v = get(key, Long.class, "an unsigned integer");
    if (v < 0) {
      throw wrong(key, "an unsigned integer");
    }
    return v;
  }

  List<?> array(long key, int size) throws AttestationException {
    List<?> list = get(key, List.class, "an array");
    if (list.size() != size) {
      throw wrong(key, "an array of " + size);
    }
    return list;
  }

  Map<?, ?> map(long key) throws AttestationException {
    return get(key, Map.class, "a map");
  }

  private <T> T get(long key, Class<T> type, String what) throws AttestationException {
    Object v = claims.get(key);
    if (!type.isInstance(v)) {
      throw wrong(key, what);
    }
    return type.cast(v);
  }

  static AttestationException wrong(long key, String what) {
    return new AttestationException(
        Reason.MALFORMED_REPORT, "claim " + key + " is missing or not " + what);
  }
}
