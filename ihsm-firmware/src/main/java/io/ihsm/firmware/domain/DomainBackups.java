package io.ihsm.firmware.domain;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.domain.BackupRequest;
import io.ihsm.ddi.domain.DomainBackup;
import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.domain.RestoreRequest;
import io.ihsm.ddi.domain.SealedShare;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.rng.RandomSource;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Disaster recovery: the domain's secrets leave the module only sealed under a fresh key that is
 * split M-of-N among custodians (each share sealed to one custodian's key), and come back only into
 * a device that made an attested join request for the domain, meets its policy, and is given M
 * shares that custodians re-sealed to that request's key. Format: docs/fleet.md.
 */
public final class DomainBackups {
  private final SecurityDomain domain;
  private final DomainJoin join;
  private final CryptoEngine engine;
  private final RandomSource random;
  private final Hpke hpke;

  public DomainBackups(
      SecurityDomain domain, DomainJoin join, CryptoEngine engine, RandomSource random) {
    this.domain = domain;
    this.join = join;
    this.engine = engine;
    this.random = random;
    this.hpke = new Hpke(random);
  }

  public DomainBackup backup(BackupRequest request) throws DdiException {
    byte[] id = domain.id();
    byte[] record = domain.encodeRecord();
    byte[] key = random.bytes(32);
    byte[][] shares = null;
    try {
      byte[] nonce = random.bytes(DomainBackup.NONCE_BYTES);
      DomainBackup unsealed =
          new DomainBackup(id, domain.policy(), request, nonce, new byte[0], List.of());
      byte[] sealed = gcm(Cipher.ENCRYPT_MODE, key, nonce, unsealed.header(), record);
      DomainBackup withoutShares =
          new DomainBackup(id, domain.policy(), request, nonce, sealed, List.of());
      byte[] digest = engine.digest("SHA-384").digest(withoutShares.sealedPart());
      List<byte[]> custodians = request.custodianKeys();
      shares = Shamir.split(key, request.threshold(), custodians.size(), random);
      List<SealedShare> sealedShares = new ArrayList<>();
      for (int i = 0; i < custodians.size(); i++) {
        int x = i + 1;
        byte[][] s;
        try {
          s =
              hpke.seal(
                  custodians.get(i),
                  concat(DomainBackup.SHARE_INFO, digest),
                  new byte[] {(byte) x},
                  shares[i]);
        } catch (DdiException notAPoint) {
          throw new DdiException(
              Status.INVALID_PARAMETER, "custodian key " + x + " is not a valid P-384 point");
        }
        sealedShares.add(new SealedShare(x, s[0], s[1]));
      }
      return new DomainBackup(id, domain.policy(), request, nonce, sealed, sealedShares);
    } finally {
      Arrays.fill(record, (byte) 0);
      Arrays.fill(key, (byte) 0);
      if (shares != null) {
        for (byte[] s : shares) {
          Arrays.fill(s, (byte) 0);
        }
      }
    }
  }

  public DomainStatus restore(RestoreRequest request) throws DdiException {
    DomainBackup backup = request.backup();
    if (domain.member()) {
      throw new DdiException(
          Status.DOMAIN_EXISTS, "the device is already a member of a security domain");
    }
    DomainJoin.Pending pending = join.takePending(backup.domainId());
    join.checkSelfAgainst(backup.policy());
    int threshold = backup.custodians().threshold();
    Set<Integer> seen = new HashSet<>();
    List<SealedShare> usable = new ArrayList<>();
    for (SealedShare s : request.released()) {
      if (s.x() <= backup.custodians().custodianKeys().size() && seen.add(s.x())) {
        usable.add(s);
      }
    }
    if (usable.size() < threshold) {
      throw MemberChain.refused(
          "the backup needs " + threshold + " custodians' shares, " + usable.size() + " given");
    }
    byte[] digest = engine.digest("SHA-384").digest(backup.sealedPart());
    byte[] info = concat(DomainBackup.RELEASE_INFO, concat(pending.requestHash(), digest));
    int[] xs = new int[threshold];
    byte[][] ys = new byte[threshold][];
    byte[] key = null;
    byte[] record = null;
    try {
      for (int i = 0; i < threshold; i++) {
        SealedShare s = usable.get(i);
        xs[i] = s.x();
        ys[i] = Hpke.open(pending.key(), s.enc(), info, new byte[] {(byte) s.x()}, s.ciphertext());
        if (ys[i].length != 32) {
          throw MemberChain.refused("a released share is not 32 bytes");
        }
      }
      key = Shamir.combine(xs, ys);
      record =
          gcm(Cipher.DECRYPT_MODE, key, backup.nonce(), backup.header(), backup.sealedDomain());
      domain.restore(record, backup.domainId());
      return domain.status();
    } finally {
      for (byte[] y : ys) {
        if (y != null) {
          Arrays.fill(y, (byte) 0);
        }
      }
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
      if (record != null) {
        Arrays.fill(record, (byte) 0);
      }
    }
  }

  private byte[] gcm(int mode, byte[] key, byte[] nonce, byte[] aad, byte[] input)
      throws DdiException {
    try {
      Cipher c = engine.cipher("AES/GCM/NoPadding");
      c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      c.updateAAD(aad);
      return c.doFinal(input);
    } catch (GeneralSecurityException e) {
      if (mode == Cipher.DECRYPT_MODE) {
        throw MemberChain.refused(
            "the backup does not open with these shares: a share or the backup is wrong");
      }
      throw new IllegalStateException("AES-GCM failed", e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
