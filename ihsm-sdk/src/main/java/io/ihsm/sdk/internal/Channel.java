package io.ihsm.sdk.internal;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.credential.CredentialSealer;
import io.ihsm.ddi.message.BatchRequest;
import io.ihsm.ddi.message.BatchResponse;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.BodyDecoder;
import io.ihsm.ddi.message.CredentialChannel;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.spi.Port;
import io.ihsm.sdk.IhsmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Typed calls over a transport at one agreed API revision, each bounded by a timeout. */
public final class Channel implements AutoCloseable {
  private final Transport transport;
  private final Duration timeout;
  private volatile ApiRevision revision = ApiRevision.NONE;

  public Channel(Transport transport, Duration timeout) {
    this.transport = transport;
    this.timeout = timeout;
  }

  public ApiRevision revision() {
    return revision;
  }

  public void agree(ApiRevision agreed) {
    this.revision = agreed;
  }

  public String describe() {
    return transport.describe();
  }

  /** Sends a request and decodes the successful response, or throws with the device's status. */
  public <T> T call(Opcode op, int sessionId, Body request, BodyDecoder<T> decoder) {
    ApiRevision rev = op == Opcode.GET_API_REV ? ApiRevision.NONE : revision;
    LastResponse.set(false);
    Frames.Response response;
    try {
      response = transport.call(rev, op.code(), sessionId, request, timeout);
    } catch (IllegalArgumentException e) {
      // A field over its protocol bound: refused before sending, as the device would refuse it.
      throw new IhsmException(Status.INVALID_PARAMETER, op + ": " + e.getMessage());
    } catch (IhsmException e) {
      // Rethrown for the caller's stack; a timeout names the request, a lost daemon speaks for
      // itself.
      throw new IhsmException(
          e.status(),
          e.status() == Status.TIMEOUT ? op + ": " + e.getMessage() : e.getMessage(),
          e);
    }
    return answer(op, response, decoder);
  }

  /** A successful response decoded, or the device's refusal as an exception. */
  public static <T> T answer(Opcode op, Frames.Response response, BodyDecoder<T> decoder) {
    Status status = response.header().status();
    if (status != Status.SUCCESS) {
      String reason = response.reason();
      throw new IhsmException(
          status,
          op + " refused by the device: " + (reason.isEmpty() ? status.description() : reason));
    }
    try {
      T answer = decoder.read(response.body());
      LastResponse.set(response.header().approved());
      return answer;
    } catch (DdiException e) {
      throw new IhsmException(
          Status.MALFORMED_BODY, op + " answer does not decode: " + e.getMessage());
    }
  }

  /** One request of a batch. */
  public record BatchCall(Opcode op, int sessionId, Body body) {}

  /**
   * Sends these requests in one BATCH request and answers each one's response, in order (decode
   * them with {@link #answer}). Throws only when the batch as a whole is refused or lost.
   */
  public List<Frames.Response> batch(List<BatchCall> calls) {
    ApiRevision rev = revision;
    List<byte[]> frames = new ArrayList<>(calls.size());
    for (int i = 0; i < calls.size(); i++) {
      BatchCall c = calls.get(i);
      try {
        frames.add(
            Frames.encodeRequest(
                new RequestHeader(rev, c.op().code(), c.sessionId(), i + 1), c.body()::writeTo));
      } catch (IllegalArgumentException e) {
        throw new IhsmException(
            Status.INVALID_PARAMETER, "request " + i + " of the batch: " + e.getMessage());
      }
    }
    BatchRequest request;
    try {
      request = BatchRequest.of(frames);
    } catch (IllegalArgumentException e) {
      throw new IhsmException(Status.INVALID_PARAMETER, "BATCH: " + e.getMessage());
    }
    List<byte[]> answers = call(Opcode.BATCH, 0, request, BatchResponse::read).frames();
    if (answers.size() != calls.size()) {
      throw new IhsmException(
          Status.MALFORMED_BODY,
          "BATCH answered " + answers.size() + " of " + calls.size() + " requests");
    }
    List<Frames.Response> out = new ArrayList<>(answers.size());
    for (int i = 0; i < answers.size(); i++) {
      Frames.Response r;
      try {
        r = Frames.decodeResponse(answers.get(i));
      } catch (DdiException e) {
        throw new IhsmException(
            Status.MALFORMED_BODY, "BATCH answer " + i + " does not decode: " + e.getMessage());
      }
      if (r.header().requestId() != i + 1) {
        throw new IhsmException(
            Status.MALFORMED_BODY,
            "BATCH answer " + i + " is for request " + r.header().requestId());
      }
      out.add(r);
    }
    return out;
  }

  /**
   * A request carrying a credential sealed to this port's current nonce. Another client on the same
   * port may spend the nonce between our fetch and our request; then we fetch a fresh one and try
   * once more.
   */
  public <T> T callSealed(
      Opcode op,
      int sessionId,
      Port port,
      Credential credential,
      Function<SealedCredential, Body> body,
      BodyDecoder<T> decoder) {
    for (int attempt = 1; ; attempt++) {
      CredentialChannel ch =
          call(Opcode.GET_CREDENTIAL_CHANNEL, 0, Empty.INSTANCE, CredentialChannel::read);
      SealedCredential sealed = CredentialSealer.seal(ch, op, port, credential);
      try {
        return call(op, sessionId, body.apply(sealed), decoder);
      } catch (IhsmException e) {
        // Replayed: another client used the nonce first. Malformed: the device reset between
        // giving the channel and opening the seal, so its channel key is new. Both: seal anew.
        boolean stale =
            e.status() == Status.CREDENTIAL_REPLAYED || e.status() == Status.CREDENTIAL_MALFORMED;
        if (!stale || attempt == 2) {
          throw e;
        }
      }
    }
  }

  @Override
  public void close() {
    transport.close();
  }
}
