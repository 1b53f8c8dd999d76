package io.ihsm.ddi.domain;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.message.Body;

/**
 * The joining device's proof that it holds the domain secret (DOMAIN_JOIN_COMPLETE answer,
 * DOMAIN_CONFIRM request): the join's transcript hash and an HMAC-SHA384 of it under a key derived
 * from the domain secret.
 *
 * <pre>
 * bytes transcript (48), bytes mac (48)
 * </pre>
 */
public record JoinConfirmation(byte[] transcript, byte[] mac) implements Body {
  public static final int MAC_BYTES = 48;

  public JoinConfirmation {
    transcript = transcript.clone();
    mac = mac.clone();
  }

  @Override
  public byte[] transcript() {
    return transcript.clone();
  }

  @Override
  public byte[] mac() {
    return mac.clone();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.bytes(transcript, Admission.HASH_BYTES).bytes(mac, MAC_BYTES);
  }

  public static JoinConfirmation read(BodyReader r) throws DdiException {
    JoinConfirmation c =
        new JoinConfirmation(
            JoinRequest.exactly(r.bytes("transcript", Admission.HASH_BYTES), Admission.HASH_BYTES),
            JoinRequest.exactly(r.bytes("mac", MAC_BYTES), MAC_BYTES));
    r.end();
    return c;
  }
}
