package io.ihsm.pkcs11.wire;

import io.ihsm.pkcs11.Ck;
import io.ihsm.pkcs11.CkException;
import java.util.List;

/** A CK_ATTRIBUTE array with values, as a caller gave it. */
public record Template(List<Attribute> attributes) {
  public static final Template EMPTY = new Template(List.of());

  /** One attribute: its type and value (null when the caller's pointer was NULL). */
  public record Attribute(long type, byte[] value) {}

  public boolean has(long type) {
    return attributes.stream().anyMatch(a -> a.type() == type);
  }

  public byte[] value(long type) {
    byte[] found = null;
    for (Attribute a : attributes) {
      if (a.type() == type) {
        if (found != null) {
          throw new CkException(
              Ck.CKR_TEMPLATE_INCONSISTENT,
              "attribute 0x" + Long.toHexString(type) + " given twice");
        }
        found = a.value() == null ? new byte[0] : a.value();
      }
    }
    return found;
  }

  public Boolean bool(long type) {
    byte[] v = value(type);
    return v == null ? null : Native.toBool(v);
  }

  public boolean bool(long type, boolean otherwise) {
    Boolean b = bool(type);
    return b == null ? otherwise : b;
  }

  public Long ulong(long type) {
    byte[] v = value(type);
    return v == null ? null : Native.toUlong(v);
  }
}
