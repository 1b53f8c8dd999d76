package io.ihsm.ddi.attest;

/**
 * The claim keys of ihsm attestation reports: the payload of a report's COSE_Sign1 is a CBOR map
 * from these integers to the values docs/attestation.md gives. Keys 1-9 are in every report; 10-19
 * only in key reports; 20-29 only in device reports. Numbers are stable; new claims get new
 * numbers.
 */
public final class Claims {
  private Claims() {}

  /** Text: {@link #KEY_REPORT} or {@link #DEVICE_REPORT}. */
  public static final long TYPE = 1;

  /** Bytes, 0-{@value #MAX_NONCE}: the caller's nonce, as given. */
  public static final long NONCE = 2;

  /** Unsigned: the device's attestation counter, one higher for every report the device signs. */
  public static final long COUNTER = 3;

  /**
   * Bytes (48): SHA-384 of the running firmware's manifest, as in the Alias certificate's TcbInfo.
   */
  public static final long FIRMWARE_DIGEST = 4;

  /** Unsigned: the running firmware's security version number. */
  public static final long FIRMWARE_SVN = 5;

  /** Boolean: whether the module refuses non-approved services. */
  public static final long APPROVED_MODE = 6;

  /** Text: the device's serial number, as in its certificates' subjects. */
  public static final long SERIAL_NUMBER = 7;

  /** Unsigned: the partition's id on this device. */
  public static final long PARTITION_ID = 10;

  /** Bytes (16): the partition's uid, as in its identity certificate's OU (hex). */
  public static final long PARTITION_UID = 11;

  /** Bytes (16): the id of the partition's application credential. */
  public static final long APPLICATION_ID = 12;

  /** Text: the key's kind, as the CLI names it ("ec-p384", "aes-256", ...). */
  public static final long KEY_KIND = 13;

  /** Unsigned: the key's size in bits (EC field size, RSA modulus, symmetric key length). */
  public static final long KEY_BITS = 14;

  /** Text: "sign", "encrypt", "wrap" or "derive". */
  public static final long KEY_USAGE = 15;

  /** Text: "generated", "derived" or "imported". */
  public static final long KEY_ORIGIN = 16;

  /** Boolean: whether the key may leave the device wrapped by another key. */
  public static final long KEY_EXTRACTABLE = 17;

  /** Boolean: true for a session key, false for an app key. */
  public static final long SESSION_KEY = 18;

  /** Map: the key's public part as a COSE_Key; absent for secret keys. */
  public static final long PUBLIC_KEY = 19;

  /** Text: the module's state ("OPERATIONAL", ...). */
  public static final long STATE = 20;

  /** Text: the running firmware's version. */
  public static final long FIRMWARE_VERSION = 21;

  /** Array [passed, total]: the self-tests that passed in their latest run, of all of them. */
  public static final long SELF_TESTS = 22;

  /** Unsigned: how many tamper events the device has recorded in its life. */
  public static final long TAMPER_COUNT = 23;

  /** Array [sequence, hash (48 bytes)]: the audit log's newest entry. */
  public static final long AUDIT_HEAD = 24;

  /** Unsigned: the key's version under its label, from 1. */
  public static final long KEY_VERSION = 25;

  /** Bytes (16): the key version's stable id, chosen by the device when it made the version. */
  public static final long KEY_ID = 26;

  /** Text: the key's lifecycle state at the report's time ("active", "deactivated", …). */
  public static final long KEY_STATE = 27;

  public static final String KEY_REPORT = "ihsm key attestation 1";
  public static final String DEVICE_REPORT = "ihsm device attestation 1";

  /**
   * The "format" field of the compliance report (JSON), which is signed like a report but is not
   * CBOR.
   */
  public static final String COMPLIANCE_REPORT = "ihsm compliance report 1";

  public static final int MAX_NONCE = 128;
}
