package io.ihsm.ddi;

/**
 * Every status a response can carry, with its stable wire number. Numbers never change meaning; new
 * statuses take new numbers. Ranges: 0x00xx success, 0x01xx frame and protocol, 0x02xx device
 * state, 0x03xx sessions, 0x0Fxx device-internal, 0xF0xx host-side conditions that the SDK reports
 * with the same type (never sent by a device).
 */
public enum Status {
  SUCCESS(0x0000, "success"),

  MALFORMED_FRAME(0x0101, "the frame header is malformed"),
  FRAME_TOO_LARGE(0x0102, "the frame exceeds the maximum frame size"),
  TRUNCATED_FRAME(0x0103, "the frame is shorter than its header"),
  MALFORMED_BODY(0x0104, "the request body does not decode for its opcode"),
  UNKNOWN_OPCODE(0x0105, "the opcode is not known to this device"),
  UNSUPPORTED_API_REVISION(0x0106, "the API revision is not supported by this device"),
  MISSING_API_REVISION(0x0107, "the request carries no API revision"),
  API_REVISION_MISMATCH(
      0x0108, "the request's API revision differs from the one agreed for its session"),
  SESSION_NOT_ALLOWED(0x0109, "this opcode takes no session id"),
  SESSION_REQUIRED(0x010A, "this opcode needs a session id"),
  REVISION_NOT_ALLOWED(0x010B, "GetApiRev must carry no API revision"),
  WRONG_PORT(0x010C, "this opcode is not served on this port"),
  INVALID_PARAMETER(0x010D, "a request field has a value outside what the opcode accepts"),

  DEVICE_NOT_OPERATIONAL(0x0201, "the device is not operational"),
  DEVICE_BUSY(0x0202, "the device is busy; retry later"),
  SELF_TEST_FAILED(
      0x0203, "a self-test failed; the device is in ERROR until restarted with passing tests"),
  AUDIT_LOG_FULL(
      0x0204,
      "the audit log holds all it can until the Crypto Officer exports it; nothing was done"),

  INVALID_SESSION(0x0301, "no such session on this port (not sent by current firmware)"),
  TOO_MANY_SESSIONS(0x0302, "the partition has reached its session limit"),
  PERMISSION_DENIED(0x0303, "the session's role may not do this"),
  NEEDS_RENEGOTIATION(
      0x0304,
      "no such session for this client (closed, expired, or from before a reset); open a new one"),

  AUTHENTICATION_FAILED(0x0401, "wrong credential id or PIN"),
  CREDENTIAL_LOCKED(
      0x0402, "the credential is locked after too many failures; the Crypto Officer can unlock it"),
  PIN_THROTTLED(0x0403, "too many recent failures; wait before trying again"),
  CREDENTIAL_REPLAYED(0x0404, "the credential blob was sealed to an old nonce (replayed or stale)"),
  CREDENTIAL_MALFORMED(0x0405, "the credential blob does not open"),
  CRYPTO_OFFICER_EXISTS(0x0406, "the device already has a Crypto Officer"),
  NO_CRYPTO_OFFICER(0x0407, "the device has no Crypto Officer yet; initialise it first"),

  PARTITION_NOT_FOUND(0x0501, "no such partition"),
  PARTITION_EXISTS(0x0502, "a partition with this name exists"),
  PARTITION_LIMIT(0x0503, "the device has no room for another partition"),
  ALREADY_PROVISIONED(0x0504, "the partition is already provisioned"),
  NOT_PROVISIONED(0x0505, "the partition is not provisioned"),
  NEEDS_REESTABLISH(0x0506, "the partition lost its volatile state; re-establish it from its blob"),

  MASKED_BLOB_INVALID(0x0601, "the masked blob is malformed or was tampered with"),
  MASKED_BLOB_FOREIGN(0x0602, "the masked blob belongs to another partition or device"),
  MASKED_BLOB_STALE(0x0603, "the masked blob is an old generation"),

  KEY_NOT_FOUND(0x0701, "no such key for this session"),
  WRONG_KEY_KIND(0x0702, "the key's kind does not fit the algorithm"),
  USAGE_NOT_PERMITTED(0x0703, "the key's usage does not permit this operation"),
  LABEL_EXISTS(0x0704, "a loaded app key already has this label"),
  KEY_TABLE_FULL(0x0705, "the partition's key table is full"),
  BAD_TAG(0x0706, "the authentication tag does not verify"),
  BAD_PADDING(0x0707, "the padding or integrity check failed"),
  INVALID_INPUT_LENGTH(0x0708, "the input length is not valid for the algorithm"),
  INPUT_TOO_LARGE(0x0709, "the input is larger than the key allows"),
  INVALID_PUBLIC_KEY(0x070A, "the public key or point is not valid"),
  CURVE_MISMATCH(0x070B, "the peer key is on another curve"),
  DATA_UNIT_OUT_OF_RANGE(0x070C, "the XTS data unit size is not valid for this input"),
  PAIRWISE_TEST_FAILED(0x070D, "a new key failed its pairwise consistency test and was discarded"),
  NOT_EXTRACTABLE(0x070E, "the key is not extractable"),
  NOT_APPROVED(
      0x0710, "refused in approved-only mode: the algorithm or parameter is not FIPS-approved"),
  INVALID_KEY_MATERIAL(0x070F, "the imported key material does not fit the kind"),
  KEY_STATE_NOT_PERMITTED(
      0x0711, "the key's lifecycle state does not permit this operation (pre-active, retired)"),
  INVALID_STATE_TRANSITION(0x0712, "the key cannot move to that state from the one it is in"),

  FIRMWARE_INVALID(0x0801, "the firmware image does not verify (signature, digest, SVN or format)"),
  FIRMWARE_UPDATE_SEQUENCE(
      0x0802, "the firmware update is out of sequence (no update begun, wrong offset, incomplete)"),

  NOT_MANUFACTURED(0x0901, "the device has no identity yet; manufacture it first"),
  ALREADY_MANUFACTURED(0x0902, "the device already has its identity certificate"),
  CERTIFICATE_INVALID(0x0903, "the certificates do not chain to this device's DeviceID key"),

  DOMAIN_EXISTS(0x0A01, "the device is already a member of a security domain"),
  NOT_IN_DOMAIN(0x0A02, "the device is not a member of a security domain"),
  JOIN_REFUSED(0x0A03, "the join does not meet the security domain's policy"),
  NO_PENDING_JOIN(0x0A04, "no join in progress matches this message"),
  EPOCH_RETIRED(0x0A05, "the blob was masked under a domain epoch this device no longer holds"),

  INTERNAL_ERROR(0x0F01, "internal device error"),

  TRANSPORT_UNAVAILABLE(0xF001, "the device cannot be reached"),
  TIMEOUT(0xF002, "the device did not answer in time"),
  CONNECTION_LOST(0xF003, "the connection to the device was lost"),
  /**
   * Not the device's KEY_NOT_FOUND (a handle it lost, which the SDK recovers from): a label nobody
   * filed.
   */
  LABEL_NOT_FOUND(0xF004, "the partition has no key with this label");

  private final int code;
  private final String description;

  Status(int code, String description) {
    this.code = code;
    this.description = description;
  }

  /** The stable wire number (u16). */
  public int code() {
    return code;
  }

  public String description() {
    return description;
  }

  /** True for statuses the SDK raises itself; a device never sends them. */
  public boolean isHostSide() {
    return code >= 0xF000;
  }

  /** The status with this wire number, or null when there is none. */
  public static Status fromCode(int code) {
    return BY_CODE.get(code);
  }

  /**
   * Every response is decoded through {@link #fromCode}: a lookup, not a scan of a copied array.
   */
  private static final java.util.Map<Integer, Status> BY_CODE =
      java.util.Arrays.stream(values())
          .collect(java.util.stream.Collectors.toUnmodifiableMap(s -> s.code, s -> s));
}
