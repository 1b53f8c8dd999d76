package io.ihsm.sdk.internal;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.BodyDecoder;
import io.ihsm.sdk.IhsmException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
    Frames.Response response = await(op, transport.send(rev, op.code(), sessionId, request.toBytes()));
    Status status = response.header().status();
    if (status != Status.SUCCESS) {
      throw new IhsmException(status, op + " refused by the device: " + status.description());
    }
    try {
      return decoder.read(response.body());
    } catch (DdiException e) {
      throw new IhsmException(Status.MALFORMED_BODY, op + " answer does not decode: " + e.getMessage());
    }
  }

  private Frames.Response await(Opcode op, CompletableFuture<Frames.Response> f) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new IhsmException(Status.TIMEOUT, op + ": no answer from the " + transport.describe()
          + " within " + timeout.toMillis() + " ms");
    } catch (ExecutionException | CompletionException e) {
      if (e.getCause() instanceof IhsmException ie) {
        throw new IhsmException(ie.status(), ie.getMessage(), ie);
      }
      throw new IhsmException(Status.CONNECTION_LOST, op + ": " + e.getCause(), e.getCause());
    } catch (CancellationException e) {
      throw new IhsmException(Status.CONNECTION_LOST, op + " was cancelled");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(false);
      throw new IhsmException(Status.TIMEOUT, op + " was interrupted");
    }
  }

  @Override
  public void close() {
    transport.close();
  }
}
