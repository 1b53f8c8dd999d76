package io.ihsm.ddi.cose;

import io.ihsm.ddi.cbor.Cbor;
import io.ihsm.ddi.cbor.CborException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A COSE_Sign1 message (RFC 9052 section 4.2) signed with ES384, tagged 18. The protected header is
 * exactly {@code {1: -35}} (alg ES384); the unprotected header carries the signer's key id (4), the
 * subject key identifier of the certificate that certifies the signing key. The signature is r ||
 * s, 48 bytes each. The payload is null when it is carried apart (detached).
 */
public record CoseSign1(byte[] protectedHeader, byte[] keyId, byte[] payload, byte[] signature) {
  public static final long TAG = 18;
  public static final long HEADER_ALG = 1;
  public static final long HEADER_KID = 4;
  public static final long ES384 = -35;
  public static final int SIGNATURE_BYTES = 96;

  /** Reports are far smaller; anything larger is refused before it is parsed. */
  public static final int MAX_BYTES = 16384;

  public CoseSign1 {
    protectedHeader = protectedHeader.clone();
    keyId = keyId.clone();
    payload = payload == null ? null : payload.clone();
    signature = signature.clone();
  }

  /** The protected header every ihsm report has: alg ES384. */
  public static byte[] es384Header() {
    return Cbor.encode(Map.of(HEADER_ALG, ES384));
  }

  /**
   * What ES384 signs: the Sig_structure ["Signature1", protected, external_aad (empty), payload].
   */
  public static byte[] toBeSigned(byte[] protectedHeader, byte[] payload) {
    return Cbor.encode(List.of("Signature1", protectedHeader, new byte[0], payload));
  }

  public byte[] toBeSigned(byte[] detachedPayload) {
    return toBeSigned(protectedHeader, payload != null ? payload : detachedPayload);
  }

  public byte[] encode() {
    return Cbor.encode(
        new Cbor.Tagged(
            TAG, Arrays.asList(protectedHeader, Map.of(HEADER_KID, keyId), payload, signature)));
  }

  /** Reads a tagged ES384 COSE_Sign1; anything else is refused with what was wrong. */
  public static CoseSign1 decode(byte[] encoded) {
    if (encoded.length > MAX_BYTES) {
      throw new CborException(
          "a COSE_Sign1 is at most " + MAX_BYTES + " bytes, got " + encoded.length);
    }
    if (!(Cbor.decode(encoded) instanceof Cbor.Tagged tagged)
        || tagged.tag() != TAG
        || !(tagged.value() instanceof List<?> parts)
        || parts.size() != 4) {
      throw new CborException("not a COSE_Sign1 (tag 18, an array of 4)");
    }
    if (!(parts.get(0) instanceof byte[] protectedHeader)
        || !Arrays.equals(protectedHeader, es384Header())) {
      throw new CborException("the protected header is not {1: -35} (ES384)");
    }
    if (!(parts.get(1) instanceof Map<?, ?> unprotected)
        || unprotected.size() != 1
        || !(unprotected.get(HEADER_KID) instanceof byte[] keyId)) {
      throw new CborException("the unprotected header is not {4: key id}");
    }
    Object payload = parts.get(2);
    if (payload != null && !(payload instanceof byte[])) {
      throw new CborException("the payload is neither a byte string nor null");
    }
    if (!(parts.get(3) instanceof byte[] signature) || signature.length != SIGNATURE_BYTES) {
      throw new CborException("the signature is not " + SIGNATURE_BYTES + " bytes (ES384 r || s)");
    }
    return new CoseSign1(protectedHeader, keyId, (byte[]) payload, signature);
  }

  @Override
  public byte[] protectedHeader() {
    return protectedHeader.clone();
  }

  @Override
  public byte[] keyId() {
    return keyId.clone();
  }

  @Override
  public byte[] payload() {
    return payload == null ? null : payload.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }
}
