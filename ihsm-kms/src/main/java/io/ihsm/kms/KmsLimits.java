package io.ihsm.kms;

/**
 * What the plugin accepts, as the API server enforces it (k8s.io/kms/apis/v2/api.proto): key ids
 * under 1 kB, annotations under 32 kB, an encrypted DEK under 1 kB. A request beyond them is
 * refused before the device sees it.
 */
final class KmsLimits {
  static final int MAX_KEY_ID_BYTES = 1024;
  static final int MAX_ANNOTATIONS_BYTES = 32 * 1024;
  static final int MAX_CIPHERTEXT_BYTES = 1024;

  /** The largest DEK whose envelope stays under 1 kB whatever the uid (a DEK is 32 bytes). */
  static final int MAX_PLAINTEXT_BYTES =
      MAX_CIPHERTEXT_BYTES
          - 2
          - Envelope.MAX_UID_BYTES
          - Envelope.IV_BYTES
          - Envelope.TAG_BYTES
          - 1;

  /** The largest gRPC message the server reads: the request limits above, with room for framing. */
  static final int MAX_MESSAGE_BYTES = 64 * 1024;

  /** Calls in flight on one connection; the API server runs a handful. */
  static final int MAX_CALLS_PER_CONNECTION = 64;

  private KmsLimits() {}
}
