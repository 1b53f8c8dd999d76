package io.ihsm.verify;

import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * What the Alias certificate's DiceTcbInfo extension (OID 2.23.133.5.4.1) certifies of the
 * firmware.
 */
public record TcbInfo(String vendor, String model, String version, long svn, byte[] digest) {
  public TcbInfo {
    digest = digest.clone();
  }

  @Override
  public byte[] digest() {
    return digest.clone();
  }

  /**
   * Reads the TcbInfo of an Alias certificate (its signature is not checked here).
   *
   * @throws AttestationException when the certificate has none, or one that does not parse
   */
  public static TcbInfo of(X509Certificate alias) throws AttestationException {
    return DeviceChain.tcbInfo(alias);
  }

  public String digestHex() {
    return HexFormat.of().formatHex(digest);
  }
}
