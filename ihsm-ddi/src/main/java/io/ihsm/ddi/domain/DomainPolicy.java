package io.ihsm.ddi.domain;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.Certificates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Who may join a security domain: devices whose DICE chain ends at {@code root} (the manufacturer
 * root, DER), whose firmware's SVN is at least {@code minSvn} and whose firmware digest (SHA-384 of
 * the image manifest) is one of {@code firmwareDigests}, and whose DeviceID certificate's SHA-256
 * is not among {@code revokedDevices}; how many members it is meant to have at most, which divides
 * each partition's PIN failure limit among them; and, optionally, how many of the {@code approvers}
 * (Crypto Officers' P-384 keys) must sign a join before a member admits it.
 *
 * <pre>
 * bytes root (≤ 8192), u32 minSvn, u32 count (≤ 16), then count × bytes digest (48),
 * u32 maxMembers (≤ 256), u32 revokedCount (≤ 64), then revokedCount × bytes deviceIdHash (32),
 * u32 approvalsRequired, u32 approverCount (≤ 16), then approverCount × bytes approverKey (SPKI,
 * ≤ 160)
 * </pre>
 *
 * In a DOMAIN_CREATE request the root is empty (the creating device's own root is pinned), a zero
 * minSvn means the creator's SVN, no digests means the creator's firmware and a zero maxMembers
 * means {@value #DEFAULT_MAX_MEMBERS}.
 */
public record DomainPolicy(
    byte[] root,
    int minSvn,
    List<byte[]> firmwareDigests,
    int maxMembers,
    List<byte[]> revokedDevices,
    int approvalsRequired,
    List<byte[]> approvers)
    implements Body {
  public static final int DIGEST_BYTES = 48;
  public static final int MAX_DIGESTS = 16;
  public static final int MAX_MEMBERS = 256;
  public static final int DEFAULT_MAX_MEMBERS = 3;
  public static final int MAX_REVOKED = 64;
  public static final int DEVICE_HASH_BYTES = 32;
  public static final int MAX_APPROVERS = 16;
  public static final int MAX_APPROVER_KEY = 160;

  /** The creating device's own root, SVN and firmware: what DOMAIN_CREATE fills in. */
  public static final DomainPolicy CREATOR_DEFAULTS =
      new DomainPolicy(new byte[0], 0, List.of(), 0);

  /** A policy whose member count DOMAIN_CREATE fills in. */
  public DomainPolicy(byte[] root, int minSvn, List<byte[]> firmwareDigests) {
    this(root, minSvn, firmwareDigests, 0);
  }

  /** A policy that revokes no device. */
  public DomainPolicy(byte[] root, int minSvn, List<byte[]> firmwareDigests, int maxMembers) {
    this(root, minSvn, firmwareDigests, maxMembers, List.of());
  }

  /** A policy whose joins need no approvals. */
  public DomainPolicy(
      byte[] root,
      int minSvn,
      List<byte[]> firmwareDigests,
      int maxMembers,
      List<byte[]> revokedDevices) {
    this(root, minSvn, firmwareDigests, maxMembers, revokedDevices, 0, List.of());
  }

  /** The same policy, revoking one more device (SHA-256 of its DeviceID certificate). */
  public DomainPolicy revoking(byte[] deviceIdHash) {
    List<byte[]> more = new ArrayList<>(revokedDevices);
    if (more.stream().noneMatch(h -> Arrays.equals(h, deviceIdHash))) {
      more.add(deviceIdHash);
    }
    return new DomainPolicy(
        root, minSvn, firmwareDigests, maxMembers, more, approvalsRequired, approvers);
  }

  /** Whether the device whose DeviceID certificate has this SHA-256 is revoked. */
  public boolean revokes(byte[] deviceIdHash) {
    return revokedDevices.stream().anyMatch(h -> Arrays.equals(h, deviceIdHash));
  }

  public DomainPolicy {
    if (maxMembers < 0 || maxMembers > MAX_MEMBERS) {
      throw new IllegalArgumentException("a domain has 1 to " + MAX_MEMBERS + " members");
    }
    revokedDevices = revokedDevices.stream().map(byte[]::clone).toList();
    if (revokedDevices.size() > MAX_REVOKED
        || revokedDevices.stream().anyMatch(h -> h.length != DEVICE_HASH_BYTES)) {
      throw new IllegalArgumentException(
          "at most " + MAX_REVOKED + " revoked devices of " + DEVICE_HASH_BYTES + " bytes each");
    }
    approvers = approvers.stream().map(byte[]::clone).toList();
    if (approvers.size() > MAX_APPROVERS
        || approvers.stream().anyMatch(k -> k.length == 0 || k.length > MAX_APPROVER_KEY)
        || approvalsRequired < 0
        || approvalsRequired > approvers.size()) {
      throw new IllegalArgumentException(
          "at most "
              + MAX_APPROVERS
              + " approver keys, and approvals required from 0 to their number");
    }
    root = root.clone();
    firmwareDigests = firmwareDigests.stream().map(byte[]::clone).toList();
    if (minSvn < 0) {
      throw new IllegalArgumentException("the minimum SVN is not negative");
    }
    if (firmwareDigests.size() > MAX_DIGESTS
        || firmwareDigests.stream().anyMatch(d -> d.length != DIGEST_BYTES)) {
      throw new IllegalArgumentException(
          "at most " + MAX_DIGESTS + " firmware digests of " + DIGEST_BYTES + " bytes each");
    }
  }

  @Override
  public byte[] root() {
    return root.clone();
  }

  @Override
  public List<byte[]> firmwareDigests() {
    return firmwareDigests.stream().map(byte[]::clone).toList();
  }

  @Override
  public List<byte[]> revokedDevices() {
    return revokedDevices.stream().map(byte[]::clone).toList();
  }

  @Override
  public List<byte[]> approvers() {
    return approvers.stream().map(byte[]::clone).toList();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(root, Certificates.MAX_CERTIFICATE).u32(minSvn).u32(firmwareDigests.size());
    firmwareDigests.forEach(d -> w.bytes(d, DIGEST_BYTES));
    w.u32(maxMembers).u32(revokedDevices.size());
    revokedDevices.forEach(h -> w.bytes(h, DEVICE_HASH_BYTES));
    w.u32(approvalsRequired).u32(approvers.size());
    approvers.forEach(k -> w.bytes(k, MAX_APPROVER_KEY));
  }

  public static DomainPolicy read(BodyReader r) throws DdiException {
    DomainPolicy p = readField(r);
    r.end();
    return p;
  }

  public static DomainPolicy readField(BodyReader r) throws DdiException {
    byte[] root = r.bytes("root", Certificates.MAX_CERTIFICATE);
    int minSvn = r.u32("minSvn");
    int n = r.u32("digestCount");
    if (minSvn < 0 || n < 0 || n > MAX_DIGESTS) {
      throw new DdiException(
          Status.MALFORMED_BODY, "minSvn below 2^31 and at most " + MAX_DIGESTS + " digests");
    }
    List<byte[]> digests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] d = r.bytes("digest", DIGEST_BYTES);
      if (d.length != DIGEST_BYTES) {
        throw new DdiException(Status.MALFORMED_BODY, "a firmware digest is 48 bytes");
      }
      digests.add(d);
    }
    int maxMembers = r.u32("maxMembers");
    if (maxMembers < 0 || maxMembers > MAX_MEMBERS) {
      throw new DdiException(Status.MALFORMED_BODY, "maxMembers is at most " + MAX_MEMBERS);
    }
    int m = r.u32("revokedCount");
    if (m < 0 || m > MAX_REVOKED) {
      throw new DdiException(Status.MALFORMED_BODY, "at most " + MAX_REVOKED + " revoked devices");
    }
    List<byte[]> revoked = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      byte[] h = r.bytes("deviceIdHash", DEVICE_HASH_BYTES);
      if (h.length != DEVICE_HASH_BYTES) {
        throw new DdiException(Status.MALFORMED_BODY, "a revoked device's hash is 32 bytes");
      }
      revoked.add(h);
    }
    int required = r.u32("approvalsRequired");
    int a = r.u32("approverCount");
    if (a < 0 || a > MAX_APPROVERS || required < 0 || required > a) {
      throw new DdiException(
          Status.MALFORMED_BODY, "at most 16 approvers, and approvals required up to their number");
    }
    List<byte[]> approvers = new ArrayList<>();
    for (int i = 0; i < a; i++) {
      byte[] k = r.bytes("approverKey", MAX_APPROVER_KEY);
      if (k.length == 0) {
        throw new DdiException(Status.MALFORMED_BODY, "an approver key is not empty");
      }
      approvers.add(k);
    }
    return new DomainPolicy(root, minSvn, digests, maxMembers, revoked, required, approvers);
  }
}
