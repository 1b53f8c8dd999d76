package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/**
 * GetFirmwareInfo response: the boot ROM's measurement of the running firmware and the fused SVN.
 *
 * <pre>string version (≤64), u32 svn, string digest (hex SHA-384 of the manifest, ≤96),
 * string signer (≤256), string source (≤1024), u32 fusedSvn</pre>
 */
public record FirmwareInfo(
    String version, int svn, String digest, String signer, String source, int fusedSvn)
    implements Body {
  @Override
  public void writeTo(BodyWriter w) {
    w.string(version, 64)
        .u32(svn)
        .string(digest, 96)
        .string(signer, 256)
        .string(source, 1024)
        .u32(fusedSvn);
  }

  public static FirmwareInfo read(BodyReader r) throws DdiException {
    FirmwareInfo i =
        new FirmwareInfo(
            r.string("version", 64),
            r.u32("svn"),
            r.string("digest", 96),
            r.string("signer", 256),
            r.string("source", 1024),
            r.u32("fusedSvn"));
    r.end();
    return i;
  }
}
