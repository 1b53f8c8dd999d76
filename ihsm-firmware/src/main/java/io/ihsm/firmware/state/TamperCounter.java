package io.ihsm.firmware.state;

import io.ihsm.ddi.spi.NonVolatileStore;
import java.nio.ByteBuffer;

/** The persistent count of tamper events over the device's life; zeroization never resets it. */
public final class TamperCounter {
  static final String RECORD = "tamper-count";

  private final NonVolatileStore nv;

  public TamperCounter(NonVolatileStore nv) {
    this.nv = nv;
  }

  public synchronized int count() {
    return nv.readCounter(RECORD);
  }

  public synchronized void increment() {
    nv.write(RECORD, ByteBuffer.allocate(4).putInt(count() + 1).array());
  }
}
