package io.ihsm.pkcs11.wire;

import io.ihsm.pkcs11.Ck;
import io.ihsm.pkcs11.CkException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One call from the C module, read field by field in the order the function's arguments come (see
 * {@code docs/pkcs11.md}, "Bridge protocol"). Every read is bounded by the frame; a short or
 * malformed frame is {@code CKR_ARGUMENTS_BAD}, never an exception out of the bridge.
 */
public final class Request {
  private final ByteBuffer in;

  public Request(byte[] body) {
    this.in = ByteBuffer.wrap(body);
  }

  public int u32() {
    try {
      return in.getInt();
    } catch (BufferUnderflowException e) {
      throw truncated();
    }
  }

  /** A CK_ULONG (or handle) as the C side sent it: 64 bits. */
  public long ulong() {
    try {
      return in.getLong();
    } catch (BufferUnderflowException e) {
      throw truncated();
    }
  }

  public boolean flag() {
    try {
      byte b = in.get();
      if (b != 0 && b != 1) {
        throw new CkException(Ck.CKR_ARGUMENTS_BAD, "a flag byte is " + b);
      }
      return b == 1;
    } catch (BufferUnderflowException e) {
      throw truncated();
    }
  }

  /** A byte array the caller passed; null when its pointer was NULL. */
  public byte[] bytes() {
    int marker;
    try {
      marker = in.get();
    } catch (BufferUnderflowException e) {
      throw truncated();
    }
    if (marker == 2) {
      u32();
      throw new CkException(
          Ck.CKR_DATA_LEN_RANGE, "an input larger than the module takes (1.5 MiB)");
    }
    if (marker != 0 && marker != 1) {
      throw new CkException(Ck.CKR_ARGUMENTS_BAD, "a byte array's flag is " + marker);
    }
    boolean present = marker == 1;
    int n = u32();
    if (!present) {
      if (n != 0) {
        throw new CkException(Ck.CKR_ARGUMENTS_BAD, "a NULL array with a length");
      }
      return null;
    }
    if (n < 0 || n > in.remaining()) {
      throw truncated();
    }
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  /** A byte array that must be there (a NULL pointer with data is the caller's error). */
  public byte[] requiredBytes() {
    byte[] b = bytes();
    if (b == null) {
      throw new CkException(Ck.CKR_ARGUMENTS_BAD, "a required array is NULL");
    }
    return b;
  }

  /** An output buffer: whether the caller gave one, and its size. */
  public OutputBuffer output() {
    boolean present = flag();
    return new OutputBuffer(present, ulong());
  }

  /** A template with values (create, find, generate, set). */
  public Template template() {
    int n = count();
    List<Template.Attribute> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long type = ulong();
      list.add(new Template.Attribute(type, bytes()));
    }
    return new Template(list);
  }

  /** The attributes asked for by C_GetAttributeValue: type, whether a buffer is given, its size. */
  public List<AttributeQuery> query() {
    int n = count();
    List<AttributeQuery> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long type = ulong();
      boolean present = flag();
      list.add(new AttributeQuery(type, present, ulong()));
    }
    return list;
  }

  public MechanismSpec mechanism() {
    return MechanismSpec.read(this);
  }

  private int count() {
    int n = u32();
    if (n < 0 || n > 4096) {
      throw new CkException(Ck.CKR_ARGUMENTS_BAD, "a template of " + n + " attributes");
    }
    return n;
  }

  private static CkException truncated() {
    return new CkException(Ck.CKR_ARGUMENTS_BAD, "a truncated bridge frame");
  }

  /** An output buffer the caller gave (or not) and its capacity. */
  public record OutputBuffer(boolean present, long capacity) {}

  /** One attribute asked for. */
  public record AttributeQuery(long type, boolean present, long capacity) {}
}
