package io.ihsm.kmip.protocol;

import io.ihsm.kmip.ttlv.Ttlv;
import java.util.List;
import java.util.Set;

/** A KMIP protocol version; the server speaks 1.0 to 1.4 and answers in the request's version. */
public record ProtocolVersion(int major, int minor) {
  /** Newest first, as Discover Versions lists them. */
  public static final List<ProtocolVersion> SUPPORTED =
      List.of(
          new ProtocolVersion(1, 4),
          new ProtocolVersion(1, 3),
          new ProtocolVersion(1, 2),
          new ProtocolVersion(1, 1),
          new ProtocolVersion(1, 0));

  private static final Set<Integer> FIELDS =
      Set.of(Tag.PROTOCOL_VERSION_MAJOR, Tag.PROTOCOL_VERSION_MINOR);

  public boolean supported() {
    return SUPPORTED.contains(this);
  }

  public Ttlv toTtlv() {
    return Ttlv.structure(
        Tag.PROTOCOL_VERSION,
        Ttlv.integer(Tag.PROTOCOL_VERSION_MAJOR, major),
        Ttlv.integer(Tag.PROTOCOL_VERSION_MINOR, minor));
  }

  static ProtocolVersion read(Struct s) throws KmipException {
    s.only(FIELDS);
    return new ProtocolVersion(
        s.integer(Tag.PROTOCOL_VERSION_MAJOR, "Protocol Version Major"),
        s.integer(Tag.PROTOCOL_VERSION_MINOR, "Protocol Version Minor"));
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
