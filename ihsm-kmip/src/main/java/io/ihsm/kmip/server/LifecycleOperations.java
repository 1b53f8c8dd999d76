package io.ihsm.kmip.server;

import io.ihsm.ddi.key.KeyState;
import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.ResultReason;
import io.ihsm.kmip.protocol.Struct;
import io.ihsm.kmip.protocol.Tag;
import io.ihsm.kmip.ttlv.Ttlv;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An object's lifecycle: Activate, Revoke and Destroy, each a transition made inside the device.
 */
final class LifecycleOperations {
  private LifecycleOperations() {}

  static void register(Map<Integer, Handler> h) {
    h.put(Operation.ACTIVATE, LifecycleOperations::activate);
    h.put(Operation.REVOKE, LifecycleOperations::revoke);
    h.put(Operation.DESTROY, LifecycleOperations::destroy);
  }

  private static List<Ttlv> activate(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER));
    return moved(batch, batch.uid(payload), KeyState.ACTIVE);
  }

  private static List<Ttlv> revoke(Struct payload, Batch batch) throws KmipException {
    payload.only(
        Set.of(Tag.UNIQUE_IDENTIFIER, Tag.REVOCATION_REASON, Tag.COMPROMISE_OCCURRENCE_DATE));
    String uid = batch.uid(payload);
    Struct reason =
        payload
            .struct(Tag.REVOCATION_REASON, "Revocation Reason")
            .only(Set.of(Tag.REVOCATION_REASON_CODE, Tag.REVOCATION_MESSAGE));
    long code = reason.enumeration(Tag.REVOCATION_REASON_CODE, "Revocation Reason Code");
    reason.optionalText(Tag.REVOCATION_MESSAGE, "Revocation Message");
    if (code < 1 || code > 8) {
      throw new KmipException(ResultReason.INVALID_FIELD, "unknown Revocation Reason Code " + code);
    }
    boolean compromise = code == 2 || code == 3; // Key Compromise, CA Compromise
    return moved(batch, uid, compromise ? KeyState.COMPROMISED : KeyState.DEACTIVATED);
  }

  private static List<Ttlv> destroy(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.UNIQUE_IDENTIFIER));
    return moved(batch, batch.uid(payload), KeyState.DESTROYED);
  }

  /** A transition inside the device; the public half of a pair moves with its private key. */
  private static List<Ttlv> moved(Batch batch, String uid, KeyState to) throws KmipException {
    KmipPartition p = batch.partition;
    synchronized (p.changes) {
      KmipObject o = p.object(uid);
      p.client.setState(o.key(), to, null);
      return List.of(Ttlv.text(Tag.UNIQUE_IDENTIFIER, o.uid()));
    }
  }
}
