package io.ihsm.ddi.domain;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A security domain's backup (DOMAIN_BACKUP answer): the domain (id, policy) and its custodians in
 * clear, every epoch's secret sealed with AES-256-GCM under a fresh backup key (the nonce, then the
 * ciphertext with its tag; the associated data is {@link #header()}), and that key split into
 * Shamir shares over GF(2^8), one sealed to each custodian (HPKE, info = {@code ihsm domain backup
 * share v1}, a zero byte and the SHA-384 of {@link #sealedPart()}; associated data the share's x as
 * a u8).
 *
 * <pre>
 * bytes domainId (16), DomainPolicy policy, BackupRequest custodians, bytes nonce (12),
 * bytes sealedDomain (≤ 1024), u32 count (N), N × SealedShare
 * </pre>
 */
public record DomainBackup(
    byte[] domainId,
    DomainPolicy policy,
    BackupRequest custodians,
    byte[] nonce,
    byte[] sealedDomain,
    List<SealedShare> shares)
    implements Body {
  public static final int NONCE_BYTES = 12;
  public static final int MAX_SEALED_DOMAIN = 1024;
  public static final byte[] SHARE_INFO =
      "ihsm domain backup share v1\0".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] RELEASE_INFO =
      "ihsm domain restore share v1\0".getBytes(StandardCharsets.US_ASCII);

  public DomainBackup {
    domainId = domainId.clone();
    nonce = nonce.clone();
    sealedDomain = sealedDomain.clone();
    shares = List.copyOf(shares);
  }

  @Override
  public byte[] domainId() {
    return domainId.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] sealedDomain() {
    return sealedDomain.clone();
  }

  /** What the backup's AES-GCM authenticates: the domain id, its policy and its custodians. */
  public byte[] header() {
    BodyWriter w = new BodyWriter().bytes(domainId, DomainStatus.ID_BYTES);
    policy.writeTo(w);
    custodians.writeTo(w);
    return w.toByteArray();
  }

  /** The header, nonce and sealed domain: what every share is bound to. */
  public byte[] sealedPart() {
    BodyWriter w = new BodyWriter();
    byte[] h = header();
    w.bytes(h, h.length).bytes(nonce, NONCE_BYTES).bytes(sealedDomain, MAX_SEALED_DOMAIN);
    return w.toByteArray();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(domainId, DomainStatus.ID_BYTES);
    policy.writeTo(w);
    custodians.writeTo(w);
    w.bytes(nonce, NONCE_BYTES).bytes(sealedDomain, MAX_SEALED_DOMAIN).u32(shares.size());
    shares.forEach(s -> s.writeTo(w));
  }

  public static DomainBackup read(BodyReader r) throws DdiException {
    DomainBackup b = readField(r);
    r.end();
    return b;
  }

  static DomainBackup readField(BodyReader r) throws DdiException {
    byte[] id =
        JoinRequest.exactly(r.bytes("domainId", DomainStatus.ID_BYTES), DomainStatus.ID_BYTES);
    DomainPolicy policy = DomainPolicy.readField(r);
    BackupRequest custodians = BackupRequest.readField(r);
    byte[] nonce = JoinRequest.exactly(r.bytes("nonce", NONCE_BYTES), NONCE_BYTES);
    byte[] sealed = r.bytes("sealedDomain", MAX_SEALED_DOMAIN);
    int n = r.u32("shareCount");
    if (n != custodians.custodianKeys().size()) {
      throw new DdiException(Status.MALFORMED_BODY, "one share per custodian");
    }
    List<SealedShare> shares = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      shares.add(SealedShare.readField(r));
    }
    return new DomainBackup(id, policy, custodians, nonce, sealed, shares);
  }
}
