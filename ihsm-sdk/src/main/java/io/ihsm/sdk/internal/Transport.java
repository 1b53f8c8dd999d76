package io.ihsm.sdk.internal;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Frames;
import java.util.concurrent.CompletableFuture;

/** Carries request frames to one device port and brings back the matching responses. */
public interface Transport extends AutoCloseable {
  /**
   * Sends one request; the transport assigns its request id. The future completes with the
   * decoded response, or exceptionally with an {@code IhsmException} for transport failures.
   */
  CompletableFuture<Frames.Response> send(ApiRevision revision, int opcode, int sessionId, byte[] body);

  /** A short description for messages, e.g. "daemon socket /run/ihsm/management.sock". */
  String describe();

  @Override
  void close();
}
