package io.ihsm.firmware.audit;

import io.ihsm.ddi.spi.NonVolatileStore;
import io.ihsm.firmware.crypto.CryptoEngine;
import io.ihsm.firmware.rng.RandomSource;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The tamper-evident audit log, in the card's non-volatile storage, surviving restarts and
 * zeroization. Each entry is one line {@code seq|time|event|detail|hash}, where
 * {@code hash = SHA-384(previous hash || seq|time|event|detail)}; the first entry chains from 48
 * zero bytes, or from the anchor line a rotation leaves. An export ends with the chain head
 * signed by the device's audit key (ECDSA P-384), so an edited, deleted, reordered or hand-appended
 * entry is detected by anyone holding the device's audit public key. Entries never hold secrets:
 * events, ports, statuses, labels. Format: docs/compliance.md.
 */
public final class AuditLog {
  static final String LOG = "audit-log";
  static final String KEY = "audit-key";
  static final String KEY_PUBLIC = "audit-key-public";
  /** The log rotates (oldest entries go, an anchor keeps the chain) before it outgrows this. */
  static final int MAX_BYTES = 512 * 1024;
  public static final String HEAD_LABEL = "ihsm audit head";

  private final NonVolatileStore nv;
  private final CryptoEngine engine;
  private final PrivateKey key;
  private final PublicKey publicKey;
  private final List<String> lines = new ArrayList<>();
  private long nextSeq;
  private byte[] lastHash;
  private byte[] snapshot = new byte[0];

  public AuditLog(NonVolatileStore nv, CryptoEngine engine, RandomSource random) {
    this.nv = nv;
    this.engine = engine;
    try {
      if (nv.read(KEY).isEmpty()) {
        KeyPairGenerator g = engine.keyPairGenerator("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"), random.secureRandom());
        KeyPair kp = g.generateKeyPair();
        nv.write(KEY, kp.getPrivate().getEncoded());
        nv.write(KEY_PUBLIC, kp.getPublic().getEncoded());
      }
      this.key = engine.keyFactory("EC").generatePrivate(new PKCS8EncodedKeySpec(nv.read(KEY).orElseThrow()));
      this.publicKey = engine.keyFactory("EC").generatePublic(new X509EncodedKeySpec(nv.read(KEY_PUBLIC).orElseThrow()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the audit key cannot be made or read", e);
    }
    load();
  }

  /** Appends an event; {@code detail} must hold no secret (it is sanitised, not checked for secrets). */
  public synchronized void record(String event, String detail) {
    String body = nextSeq + "|" + System.currentTimeMillis() + "|" + clean(event) + "|" + clean(detail);
    lastHash = chain(lastHash, body);
    lines.add(body + "|" + HexFormat.of().formatHex(lastHash));
    nextSeq++;
    if (size() > MAX_BYTES) {
      rotate();
    }
    nv.write(LOG, text().getBytes(StandardCharsets.UTF_8));
  }

  /** The log and its signed head, as exported: the lines, then {@code head|seq|hash|signature|publicKey}. */
  public synchronized byte[] export() {
    try {
      String headHash = HexFormat.of().formatHex(lastHash);
      Signature s = engine.signature("SHA384withECDSA");
      s.initSign(key);
      s.update((HEAD_LABEL + "|" + (nextSeq - 1) + "|" + headHash).getBytes(StandardCharsets.UTF_8));
      String head = "head|" + (nextSeq - 1) + "|" + headHash + "|" + HexFormat.of().formatHex(s.sign()) + "|"
          + HexFormat.of().formatHex(publicKey.getEncoded()) + "\n";
      snapshot = (text() + head).getBytes(StandardCharsets.UTF_8);
      return snapshot.clone();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the audit head cannot be signed", e);
    }
  }

  /** The export made last, for reading it in pieces. */
  public synchronized byte[] lastExport() {
    return snapshot.clone();
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  /** The chain head: the last entry's sequence number and hash, for attestation and reports. */
  public synchronized String head() {
    return (nextSeq - 1) + ":" + HexFormat.of().formatHex(lastHash);
  }

  static byte[] chain(byte[] previous, String body) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-384");
      d.update(previous);
      d.update(body.getBytes(StandardCharsets.UTF_8));
      return d.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private void load() {
    lastHash = new byte[48];
    nextSeq = 0;
    nv.read(LOG).ifPresent(b -> {
      for (String line : new String(b, StandardCharsets.UTF_8).split("\n")) {
        if (line.isEmpty()) {
          continue;
        }
        lines.add(line);
        String[] f = line.split("\\|", -1);
        if (f[0].equals("anchor")) {
          nextSeq = Long.parseLong(f[1]) + 1;
        } else {
          nextSeq = Long.parseLong(f[0]) + 1;
        }
        lastHash = HexFormat.of().parseHex(f[f.length - 1]);
      }
    });
  }

  /** Drops the oldest half; an anchor line keeps the sequence number and hash they chained to. */
  private void rotate() {
    int drop = lines.size() / 2;
    String lastDropped = lines.get(drop - 1);
    String[] f = lastDropped.split("\\|", -1);
    String seq = f[0].equals("anchor") ? f[1] : f[0];
    List<String> kept = new ArrayList<>(lines.subList(drop, lines.size()));
    lines.clear();
    lines.add("anchor|" + seq + "|" + f[f.length - 1]);
    lines.addAll(kept);
  }

  private int size() {
    return lines.stream().mapToInt(l -> l.length() + 1).sum();
  }

  private String text() {
    StringBuilder b = new StringBuilder();
    lines.forEach(l -> b.append(l).append('\n'));
    return b.toString();
  }

  private static String clean(String s) {
    String t = s.replace('|', '/').replace('\n', ' ').replace('\r', ' ');
    return t.length() > 256 ? t.substring(0, 256) : t;
  }
}
