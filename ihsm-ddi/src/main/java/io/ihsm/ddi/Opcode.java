package io.ihsm.ddi;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every request a device serves, with its stable wire number and the rules the dispatcher applies
 * before any handler runs.
 */
public enum Opcode {
  /** Which API revisions the device speaks. Carries no revision and no session. */
  GET_API_REV(0x0001, SessionRule.NONE, Availability.ALWAYS, PortRule.ANY),
  /** Static device identity: vendor, model, serial, firmware, crypto engine, limits. */
  GET_DEVICE_INFO(0x0002, SessionRule.NONE, Availability.ALWAYS, PortRule.ANY),
  /** Device state and its reason, firmware version and SVN, uptime. */
  GET_DEVICE_STATUS(0x0003, SessionRule.NONE, Availability.ALWAYS, PortRule.ANY),
  /**
   * What the boot ROM measured of the running firmware: version, SVN, digest, signer, source; and
   * the fused SVN.
   */
  GET_FIRMWARE_INFO(0x0004, SessionRule.NONE, Availability.ALWAYS, PortRule.ANY),
  /**
   * Binds the connection it arrives on to a client's secret 128-bit token, so a client's
   * connections share its sessions and nobody else's can use them. Carries no session.
   */
  BIND_CLIENT(0x0005, SessionRule.NONE, Availability.ALWAYS, PortRule.ANY),
  /**
   * How much the module holds now, for monitoring: partitions, sessions open, keys loaded, audit
   * log size. Counts only; on the management port, so a partition learns nothing of the others.
   */
  GET_DEVICE_COUNTERS(0x0006, SessionRule.NONE, Availability.ALWAYS, PortRule.MANAGEMENT),
  /** Random bytes from the module's random bit generator. */
  GET_RANDOM(0x0010, SessionRule.NONE, Availability.OPERATIONAL, PortRule.ANY),
  /** The device's credential-channel public key and this port's current nonce. */
  GET_CREDENTIAL_CHANNEL(0x0020, SessionRule.NONE, Availability.RECOVERY, PortRule.ANY),
  /** Creates the first Crypto Officer; refused once one exists. */
  INIT_CRYPTO_OFFICER(0x0021, SessionRule.NONE, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /**
   * Power-cycles the device, like a reset or live migration: all volatile state is lost (Crypto
   * Officer).
   */
  RESET_DEVICE(0x0022, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Starts a firmware update: total size and SHA-384 of the image to come (Crypto Officer). */
  FIRMWARE_UPDATE_BEGIN(
      0x0023, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** One piece of the image, at its offset. */
  FIRMWARE_UPDATE_CHUNK(
      0x0024, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Verifies the whole image as the boot ROM would, installs it and reboots into it. */
  FIRMWARE_UPDATE_FINISH(
      0x0025, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Raises the fused SVN to the running firmware's SVN: older firmware never boots again. */
  COMMIT_FIRMWARE_SVN(0x0026, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Runs every self-test now; a failure puts the device in ERROR (Crypto Officer). */
  RUN_SELF_TESTS(0x0027, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /**
   * An emulated tamper sensor fires (case-open, voltage, temperature): every secret is zeroized.
   */
  TAMPER(0x0028, SessionRule.NONE, Availability.ALWAYS, PortRule.MANAGEMENT),
  /** The Crypto Officer zeroizes the module: every secret, the sealing secret included. */
  ZEROIZE(0x0029, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /**
   * After tamper or zeroization: the Crypto Officer, with a sealed credential, makes the module
   * new.
   */
  REINITIALIZE(0x002A, SessionRule.NONE, Availability.RECOVERY, PortRule.MANAGEMENT),
  /** The audit log and its signed head, a piece at a time from an offset (Crypto Officer). */
  EXPORT_AUDIT_LOG(0x002B, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** The device's audit public key (SPKI), to verify exported logs with. */
  GET_AUDIT_KEY(0x002C, SessionRule.NONE, Availability.ALWAYS, PortRule.ANY),
  /**
   * Turns approved-only mode on (1, the default) or off (0) (Crypto Officer); kept across restarts.
   */
  SET_APPROVED_MODE(0x002D, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** The factory step: makes the unique device secret, answers the DeviceID public key (SPKI). */
  MANUFACTURE(0x0050, SessionRule.NONE, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /**
   * The factory step's end: the manufacturer's root and the DeviceID certificate it issued, once.
   */
  INSTALL_DEVICE_CERTIFICATES(
      0x0051, SessionRule.NONE, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** The identity chain: manufacturer root, DeviceID, Alias (this firmware's key). */
  GET_CERTIFICATE_CHAIN(0x0052, SessionRule.NONE, Availability.OPERATIONAL, PortRule.ANY),
  /** This partition's identity chain: root, DeviceID, Alias, partition identity. */
  GET_PARTITION_CERTIFICATES(
      0x0053, SessionRule.NONE, Availability.OPERATIONAL, PortRule.PARTITION),
  /**
   * A key attestation report (COSE_Sign1) signed by the partition identity key, for a key and a
   * nonce.
   */
  ATTEST_KEY(0x0054, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** A device attestation report (COSE_Sign1) signed by the Alias key, for a nonce. */
  ATTEST_DEVICE(0x0055, SessionRule.NONE, Availability.OPERATIONAL, PortRule.ANY),
  /** The compliance report (JSON) and its detached COSE_Sign1 by the Alias key (Crypto Officer). */
  GET_COMPLIANCE_REPORT(
      0x0056, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Creates a partition and its port (Crypto Officer). */
  CREATE_PARTITION(0x0030, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Deletes a partition, its port and everything in it (Crypto Officer). */
  DELETE_PARTITION(0x0031, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Lists partitions (Crypto Officer). */
  LIST_PARTITIONS(0x0032, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Unlocks a partition's locked application credential (Crypto Officer). */
  UNLOCK_CREDENTIAL(0x0033, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** The owner's one-time provisioning of a partition; returns the blobs the host keeps. */
  PROVISION_PARTITION(0x0040, SessionRule.NONE, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Restores a partition's volatile state from its blob after a reset. */
  REESTABLISH_PARTITION(0x0041, SessionRule.NONE, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Changes the application PIN; returns the partition's new blob. */
  CHANGE_PIN(0x0042, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /**
   * The partition owner sets a new application PIN, signed with the owner key; unlocks it; returns
   * the new blob.
   */
  OWNER_SET_PIN(0x0043, SessionRule.NONE, Availability.OPERATIONAL, PortRule.PARTITION),
  /**
   * The partition owner re-initialises the partition, signed with the owner key: a new key masking
   * secret and unwrapping key (every key and masked blob of the partition dies), its sessions
   * closed, and an application credential no PIN opens until OWNER_SET_PIN; returns the new blob.
   */
  OWNER_REINIT_PARTITION(0x0044, SessionRule.NONE, Availability.OPERATIONAL, PortRule.PARTITION),
  /**
   * Re-masks a domain partition's blob or one of its key blobs under the domain's current epoch; no
   * session: the output is the same key or partition, masked anew.
   */
  REMASK(0x0045, SessionRule.NONE, Availability.OPERATIONAL, PortRule.PARTITION),
  /**
   * Genesis: the device creates a security domain and becomes its first member (Crypto Officer).
   */
  DOMAIN_CREATE(0x0060, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** The device's security domain: id, epoch and policy, or that it is in none. */
  DOMAIN_STATUS(0x0061, SessionRule.NONE, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /**
   * The joining device's request: its DICE chain and a fresh HPKE key, signed by its Alias key
   * (Crypto Officer of the joining device).
   */
  DOMAIN_JOIN_REQUEST(0x0062, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /**
   * A member checks a join request against the domain's policy and seals the domain secret to the
   * joiner (Crypto Officer of the member).
   */
  DOMAIN_ADMIT(0x0063, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /**
   * The joining device checks the admission and opens the domain secret; answers its proof of
   * possession (Crypto Officer of the joining device).
   */
  DOMAIN_JOIN_COMPLETE(0x0064, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** The member checks the joiner's proof of possession (Crypto Officer of the member). */
  DOMAIN_CONFIRM(0x0065, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /**
   * A member takes on a partition of its domain from the partition's blob, which names it: no
   * session, the blob authenticates itself under the domain's secret.
   */
  ADOPT_PARTITION(0x0066, SessionRule.NONE, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Starts the domain's next epoch on this member (Crypto Officer). */
  DOMAIN_ROTATE(0x0067, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Destroys an old epoch's secret on this member (Crypto Officer). */
  DOMAIN_RETIRE_EPOCH(0x0068, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Revokes a device from the domain: no member admits it again (Crypto Officer). */
  DOMAIN_REVOKE(0x0069, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /** Backs the domain's secrets up for M of N custodians (Crypto Officer). */
  DOMAIN_BACKUP(0x006A, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),
  /**
   * A device in no domain restores one from its backup and the shares custodians released to its
   * pending join request (Crypto Officer).
   */
  DOMAIN_RESTORE(0x006B, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.MANAGEMENT),

  /**
   * Opens a session with a credential: the Crypto Officer's on the management port, the
   * application's on a partition port.
   */
  OPEN_SESSION(0x0101, SessionRule.NONE, Availability.OPERATIONAL, PortRule.ANY),
  /** Ends a session; its session keys vanish. */
  CLOSE_SESSION(0x0102, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.ANY),
  /** Generates a key inside the device; returns its handle, public key and masked blob. */
  GENERATE_KEY(0x0200, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Loads a key from its masked blob. */
  UNMASK_KEY(0x0201, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Unloads a key (its masked blob stays valid). */
  UNLOAD_KEY(0x0202, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /**
   * Makes the next version of a loaded app key inside the device: new material of the same kind,
   * usage and label, active; the version it replaces is deactivated if it was active. Returns both,
   * each with its blob.
   */
  ROTATE_KEY(0x0203, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /**
   * Moves a loaded app key to another lifecycle state (activate, deactivate, compromised,
   * destroyed); returns it masked anew in that state (no blob once destroyed).
   */
  SET_KEY_STATE(0x0204, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Signs (ECDSA, RSA PKCS#1 v1.5 and PSS, HMAC, AES-CMAC). */
  SIGN(0x0210, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Verifies a signature or MAC tag. */
  VERIFY(0x0211, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Encrypts (AES-GCM, AES-CBC, AES-CTR, AES-ECB, AES-XTS, RSA-OAEP). */
  ENCRYPT(0x0212, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Decrypts (AES-GCM, AES-CBC, AES-CTR, AES-ECB, AES-XTS, RSA-OAEP). */
  DECRYPT(0x0213, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** The partition's RSA unwrapping key (SPKI), for bringing your own key. */
  GET_UNWRAPPING_KEY(0x0220, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Imports a key wrapped with RSA-OAEP + AES-KWP under the partition's unwrapping key. */
  IMPORT_KEY(0x0221, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Imports a public key from its SubjectPublicKeyInfo. */
  IMPORT_PUBLIC_KEY(0x0222, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Wraps an extractable key under a wrapping key (AES-KW, AES-KWP). */
  WRAP_KEY(0x0223, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Unwraps a key (AES-KW, AES-KWP) into a new key. */
  UNWRAP_KEY(0x0224, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /** Derives a key: ECDH, HKDF, or SP 800-108 counter-mode KBKDF. */
  DERIVE_KEY(0x0230, SessionRule.REQUIRED, Availability.OPERATIONAL, PortRule.PARTITION),
  /**
   * Many partition requests in one frame, each a whole request frame with its own session, and each
   * answered with its own response frame, in order ({@link io.ihsm.ddi.message.BatchRequest}). Only
   * {@link #BATCHABLE} opcodes.
   */
  BATCH(0x0300, SessionRule.NONE, Availability.OPERATIONAL, PortRule.PARTITION);

  /**
   * What a batch may carry: the operations on loaded keys and loading them. Each answer is at most
   * its request plus a fixed margin, which is what lets a batch be refused before it runs when its
   * answers might not fit in one frame.
   */
  public static final Set<Opcode> BATCHABLE =
      Collections.unmodifiableSet(
          EnumSet.of(SIGN, VERIFY, ENCRYPT, DECRYPT, UNMASK_KEY, UNLOAD_KEY));

  /** Whether the header's session id must be zero or must name a session. */
  public enum SessionRule {
    NONE,
    REQUIRED
  }

  /**
   * States in which the device serves the opcode: always; only OPERATIONAL; or RECOVERY, which is
   * OPERATIONAL, TAMPERED and ZEROIZED (what the Crypto Officer needs to re-initialize), never
   * ERROR.
   */
  public enum Availability {
    ALWAYS,
    OPERATIONAL,
    RECOVERY
  }

  /** Which ports (sockets) serve the opcode. */
  public enum PortRule {
    ANY,
    MANAGEMENT,
    PARTITION
  }

  private final int code;
  private final SessionRule sessionRule;
  private final Availability availability;
  private final PortRule portRule;

  Opcode(int code, SessionRule sessionRule, Availability availability, PortRule portRule) {
    this.code = code;
    this.sessionRule = sessionRule;
    this.availability = availability;
    this.portRule = portRule;
  }

  /** The stable wire number (u16). */
  public int code() {
    return code;
  }

  public SessionRule sessionRule() {
    return sessionRule;
  }

  public Availability availability() {
    return availability;
  }

  public PortRule portRule() {
    return portRule;
  }

  /** The opcode with this wire number, or null when there is none. */
  public static Opcode fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /** Wire number to opcode: read on every request, so an array (as long as the largest code). */
  private static final Opcode[] BY_CODE;

  static {
    int largest = 0;
    for (Opcode o : values()) {
      largest = Math.max(largest, o.code);
    }
    BY_CODE = new Opcode[largest + 1];
    for (Opcode o : values()) {
      BY_CODE[o.code] = o;
    }
  }
}
