package io.ihsm.verify;

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

  public String digestHex() {
    return HexFormat.of().formatHex(digest);
  }
}
