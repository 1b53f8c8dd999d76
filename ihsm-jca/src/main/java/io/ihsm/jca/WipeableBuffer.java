package io.ihsm.jca;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** The input an operation buffers until it goes to the HSM; wiped, not just reset, afterwards. */
final class WipeableBuffer extends ByteArrayOutputStream {
  /** Zeroes every byte the buffer held, then empties it. */
  synchronized void wipe() {
    Arrays.fill(buf, (byte) 0);
    reset();
  }
}
