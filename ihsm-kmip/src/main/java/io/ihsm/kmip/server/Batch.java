package io.ihsm.kmip.server;

import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.ProtocolVersion;
import io.ihsm.kmip.protocol.ResultReason;
import io.ihsm.kmip.protocol.Struct;
import io.ihsm.kmip.protocol.Tag;
import java.util.Optional;

/**
 * What the items of one request share: the partition, the protocol version, and the ID Placeholder
 * (the object the previous item made or named, used by an item that names none).
 */
final class Batch {
  final KmipPartition partition;
  final ProtocolVersion version;
  private String placeholder;

  Batch(KmipPartition partition, ProtocolVersion version) {
    this.partition = partition;
    this.version = version;
  }

  /** The object a payload names, or the ID Placeholder when it names none. */
  String uid(Struct payload) throws KmipException {
    Optional<String> named = payload.optionalText(Tag.UNIQUE_IDENTIFIER, "Unique Identifier");
    if (named.isPresent()) {
      placeholder = named.get();
      return named.get();
    }
    if (placeholder == null) {
      throw new KmipException(
          ResultReason.MISSING_DATA, "the request names no object and no earlier item did");
    }
    return placeholder;
  }

  void made(String uid) {
    placeholder = uid;
  }
}
