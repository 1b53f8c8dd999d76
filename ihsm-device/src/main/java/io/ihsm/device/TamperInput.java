package io.ihsm.device;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.message.TamperRequest;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.Port;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The card's watched tamper input: when the file {@code tamper-input} appears in the state
 * directory (holding a sensor name: case-open, voltage or temperature), the card signals a tamper
 * to the firmware, as a sensor wire would. Polled every 100 ms on a daemon virtual thread.
 */
final class TamperInput implements AutoCloseable {
  static final String FILE = "tamper-input";

  private final Thread thread;

  private TamperInput(Thread thread) {
    this.thread = thread;
  }

  static TamperInput watch(Path stateDirectory, Device device) {
    Path input = stateDirectory.resolve(FILE);
    Thread t =
        Thread.ofVirtual()
            .name("ihsm-tamper-input")
            .start(
                () -> {
                  try {
                    while (!Thread.currentThread().isInterrupted()) {
                      if (Files.exists(input)) {
                        String sensor = read(input);
                        Files.deleteIfExists(input);
                        byte[] frame =
                            Frames.encodeRequest(
                                RequestHeader.of(ApiRevision.V1_0, Opcode.TAMPER, 0, 1),
                                new TamperRequest(sensor.isEmpty() ? "case-open" : sensor)
                                    .toBytes());
                        device.process(Port.MANAGEMENT, ClientBinding.random(), frame);
                      }
                      Thread.sleep(100);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } catch (IOException e) {
                    // the input cannot be read: nothing to signal
                  }
                });
    return new TamperInput(t);
  }

  private static String read(Path input) throws IOException {
    try (InputStream in = Files.newInputStream(input)) {
      return new String(in.readNBytes(32), StandardCharsets.US_ASCII).strip();
    }
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
