package io.ihsm.firmware;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.credential.CredentialSealer;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.BodyDecoder;
import io.ihsm.ddi.message.CredentialChannel;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.FirmwareInstance;
import io.ihsm.ddi.spi.Port;

/**
 * Talks DDI to a firmware instance on one port, the way the SDK will: typed calls, sealed
 * credentials.
 */
final class FirmwareClient {
  final FirmwareInstance fw;
  final Port port;

  /** This client's transport binding: its sessions are found for it alone. */
  final ClientBinding client;

  private int nextId = 1;

  FirmwareClient(FirmwareInstance fw, Port port) {
    this(fw, port, ClientBinding.random());
  }

  FirmwareClient(FirmwareInstance fw, Port port, ClientBinding client) {
    this.fw = fw;
    this.port = port;
    this.client = client;
  }

  /** A device answer: its status, on success the decoded body, and the approved-service flag. */
  record Answer<T>(Status status, T body, boolean approved) {}

  <T> Answer<T> call(Opcode op, int session, Body body, BodyDecoder<T> decoder) {
    ApiRevision rev = op == Opcode.GET_API_REV ? ApiRevision.NONE : ApiRevision.V1_0;
    Frames.Response r =
        Requests.answer(fw.process(port, client, Requests.frame(rev, op, session, nextId++, body)));
    if (r.header().status() != Status.SUCCESS) {
      return new Answer<>(r.header().status(), null, r.header().approved());
    }
    try {
      return new Answer<>(Status.SUCCESS, decoder.read(r.body()), r.header().approved());
    } catch (DdiException e) {
      throw new AssertionError("answer to " + op + " does not decode: " + e.getMessage());
    }
  }

  /** Just the status of one request (a successful body is not decoded). */
  Status status(Opcode op, int session, Body body) {
    return call(op, session, body, r -> null).status();
  }

  <T> T ok(Opcode op, int session, Body body, BodyDecoder<T> decoder) {
    Answer<T> a = call(op, session, body, decoder);
    if (a.status() != Status.SUCCESS) {
      throw new AssertionError(op + " refused: " + a.status());
    }
    return a.body();
  }

  SealedCredential seal(Opcode op, Credential c) {
    CredentialChannel ch =
        ok(Opcode.GET_CREDENTIAL_CHANNEL, 0, Empty.INSTANCE, CredentialChannel::read);
    return CredentialSealer.seal(ch, op, port, c);
  }
}
