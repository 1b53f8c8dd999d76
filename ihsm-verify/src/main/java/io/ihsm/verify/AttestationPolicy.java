package io.ihsm.verify;

import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a verifier trusts and requires: the manufacturer root, and optionally the nonce it sent, a
 * minimum firmware SVN and the firmware digests it allows (any, when none are given). Immutable;
 * made with {@link #trusting(X509Certificate)} and the {@code with...} methods.
 */
public final class AttestationPolicy {
  private final X509Certificate root;
  private final byte[] nonce;
  private final OptionalLong minSvn;
  private final Set<String> allowedDigests;

  private AttestationPolicy(
      X509Certificate root, byte[] nonce, OptionalLong minSvn, Set<String> allowedDigests) {
    this.root = root;
    this.nonce = nonce;
    this.minSvn = minSvn;
    this.allowedDigests = allowedDigests;
  }

  /** A policy that trusts this manufacturer root and requires nothing else. */
  public static AttestationPolicy trusting(X509Certificate root) {
    return new AttestationPolicy(root, null, OptionalLong.empty(), Set.of());
  }

  public AttestationPolicy withNonce(byte[] expected) {
    return new AttestationPolicy(root, expected.clone(), minSvn, allowedDigests);
  }

  public AttestationPolicy withMinSvn(long svn) {
    if (svn < 0) {
      throw new IllegalArgumentException("an SVN is not negative, got " + svn);
    }
    return new AttestationPolicy(root, nonce, OptionalLong.of(svn), allowedDigests);
  }

  /**
   * @param digests SHA-384 manifest digests, hex (96 digits each)
   */
  public AttestationPolicy withAllowedDigests(Set<String> digests) {
    for (String d : digests) {
      if (d.length() != 96 || !d.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        throw new IllegalArgumentException(
            "a firmware digest is 96 hex digits (SHA-384), got '" + d + "'");
      }
    }
    return new AttestationPolicy(
        root,
        nonce,
        minSvn,
        Set.copyOf(digests.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList()));
  }

  X509Certificate root() {
    return root;
  }

  Optional<byte[]> nonce() {
    return Optional.ofNullable(nonce).map(byte[]::clone);
  }

  OptionalLong minSvn() {
    return minSvn;
  }

  boolean allows(byte[] digest) {
    return allowedDigests.isEmpty() || allowedDigests.contains(HexFormat.of().formatHex(digest));
  }
}
