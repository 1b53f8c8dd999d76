package io.ihsm.sdk.internal;

import java.util.concurrent.atomic.AtomicInteger;

/** Request ids for one connection: never 0, which the device uses for unreadable headers. */
final class RequestIds {
  private final AtomicInteger next = new AtomicInteger(1);

  int next() {
    int id;
    do {
      id = next.getAndIncrement();
    } while (id == 0);
    return id;
  }
}
