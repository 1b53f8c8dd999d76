package io.ihsm.sdk.internal;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.message.Body;
import java.time.Duration;

/** Carries request frames to one device port and brings back the matching responses. */
public interface Transport extends AutoCloseable {
  /**
   * Sends one request (the transport assigns its request id) and waits for its response. Calls from
   * several threads run concurrently.
   *
   * @throws IllegalArgumentException when the body is over a protocol bound (nothing was sent)
   * @throws io.ihsm.sdk.IhsmException for transport failures, and with {@code TIMEOUT} when no
   *     answer came within {@code timeout}
   */
  Frames.Response call(
      ApiRevision revision, int opcode, int sessionId, Body body, Duration timeout);

  /** A short description for messages, e.g. "daemon socket /run/ihsm/management.sock". */
  String describe();

  @Override
  void close();
}
