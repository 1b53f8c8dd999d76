package io.ihsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the PKCS#11 bridge protocol as the C module (or anything that
 * connects in its place) sends it: every call number with fuzzed arguments, and raw byte streams.
 * Every frame gets exactly one well-formed answer beginning with a CK_RV, and nothing escapes the
 * bridge. Seeds and crash inputs: {@code src/test/resources/io/ihsm/pkcs11/BridgeFuzzTestInputs/}.
 */
class BridgeFuzzTest {
  static final Cryptoki NO_DEVICE =
      new Cryptoki(
          List.of(),
          () -> {
            throw new CkException(Ck.CKR_DEVICE_REMOVED, "no device in this test");
          },
          10);

  /** The replies to a stream: each a u32 length and a body of at least its 8-byte CK_RV. */
  static int replies(byte[] stream) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Bridge.serve(NO_DEVICE, new ByteArrayInputStream(stream), out);
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(out.toByteArray()));
    int n = 0;
    while (in.available() > 0) {
      int length = in.readInt();
      assertThat(length).isBetween(8, Bridge.MAX_FRAME);
      assertThat(in.readNBytes(length)).hasSize(length);
      n++;
    }
    return n;
  }

  @FuzzTest(maxDuration = "10s")
  void everyCallWithFuzzedArguments(FuzzedDataProvider data) throws Exception {
    Function f = data.pickValue(Function.values());
    byte[] args = data.consumeRemainingAsBytes();
    byte[] frame =
        ByteBuffer.allocate(8 + args.length)
            .putInt(4 + args.length)
            .putInt(f.code())
            .put(args)
            .array();
    assertThat(replies(frame)).as("one answer for one call").isEqualTo(1);
  }

  @FuzzTest(maxDuration = "10s")
  void rawStreams(byte[] stream) throws Exception {
    replies(stream);
  }

  /**
   * A connection to the bridge service as anything on the user's socket could open it: the first
   * frames decide its configuration (fuzzed settings reach the setup), then calls follow.
   */
  @FuzzTest(maxDuration = "10s")
  void serviceConnections(byte[] stream) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Bridge.serve(
        settings -> {
          if (settings.size() > Bridge.MAX_SETTINGS) {
            throw new AssertionError("more settings than the bound let through");
          }
          if (settings.containsKey("fail")) {
            throw new IllegalArgumentException("a configuration that does not work");
          }
          return new Bridge.Application(NO_DEVICE, null);
        },
        null,
        new ByteArrayInputStream(stream),
        out);
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(out.toByteArray()));
    while (in.available() > 0) {
      int length = in.readInt();
      assertThat(length).isBetween(8, Bridge.MAX_FRAME);
      assertThat(in.readNBytes(length)).hasSize(length);
    }
  }
}
