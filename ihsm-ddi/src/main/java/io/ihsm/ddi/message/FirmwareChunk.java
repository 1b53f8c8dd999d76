package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;

/**
 * FirmwareUpdateBegin (offset = total size, bytes = SHA-384 of the image, 48 bytes) and
 * FirmwareUpdateChunk (offset of the piece, bytes = the piece, ≤ {@value #MAX_CHUNK}), and the
 * ExportAuditLog reply (offset = total size of the export, bytes = the piece from the asked
 * offset).
 *
 * <pre>u32 offset, bytes data</pre>
 */
public record FirmwareChunk(int offset, byte[] data) implements Body {
  public static final int MAX_CHUNK = 192 * 1024;

  public FirmwareChunk {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(offset).bytes(data, MAX_CHUNK);
  }

  public static FirmwareChunk read(BodyReader r) throws DdiException {
    FirmwareChunk c = new FirmwareChunk(r.u32("offset"), r.bytes("data", MAX_CHUNK));
    r.end();
    return c;
  }
}
