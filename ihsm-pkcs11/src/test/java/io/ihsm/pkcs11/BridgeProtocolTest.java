package io.ihsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.pkcs11.wire.MechanismSpec;
import io.ihsm.pkcs11.wire.Request;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The bridge protocol: both sides number the same calls, and bad frames get a clear answer, not a
 * crash.
 */
class BridgeProtocolTest {
  static Map<String, Integer> defines(String prefix) throws Exception {
    String h = Files.readString(Path.of("src/main/c/bridge.h"));
    Map<String, Integer> out = new TreeMap<>();
    Matcher m = Pattern.compile("#define " + prefix + "([A-Z0-9_]+) (\\d+)").matcher(h);
    while (m.find()) {
      out.put(m.group(1), Integer.parseInt(m.group(2)));
    }
    return out;
  }

  @Test
  void theCAndJavaSidesNumberTheSameCallsAndParameterKinds() throws Exception {
    Map<String, Integer> java = new TreeMap<>();
    for (Function f : Function.values()) {
      java.put(f.name(), f.code());
    }
    assertThat(defines("IHSM_FN_")).isEqualTo(java);
    assertThat(defines("IHSM_PARAM_"))
        .isEqualTo(
            Map.of(
                "NONE",
                MechanismSpec.NONE,
                "RAW",
                MechanismSpec.RAW,
                "OAEP",
                MechanismSpec.OAEP,
                "GCM",
                MechanismSpec.GCM,
                "ECDH",
                MechanismSpec.ECDH,
                "HKDF",
                MechanismSpec.HKDF,
                "KDF_108",
                MechanismSpec.KDF_108,
                "RSA_AES",
                MechanismSpec.RSA_AES,
                "SIGN_CONTEXT",
                MechanismSpec.SIGN_CONTEXT));
  }

  /** Sends frames to a bridge with no slots and no device, and reads each CK_RV back. */
  static List<Long> answers(byte[]... frames) throws Exception {
    Cryptoki noSlots =
        new Cryptoki(
            List.of(),
            () -> {
              throw new CkException(Ck.CKR_DEVICE_REMOVED, "no device in this test");
            },
            10);
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    for (byte[] f : frames) {
      in.writeBytes(ByteBuffer.allocate(4).putInt(f.length).array());
      in.writeBytes(f);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Bridge.serve(noSlots, new ByteArrayInputStream(in.toByteArray()), out);
    DataInputStream replies = new DataInputStream(new ByteArrayInputStream(out.toByteArray()));
    List<Long> rvs = new ArrayList<>();
    while (replies.available() > 0) {
      byte[] body = replies.readNBytes(replies.readInt());
      rvs.add(ByteBuffer.wrap(body).getLong());
    }
    return rvs;
  }

  static byte[] frame(int function, byte[] args) {
    return ByteBuffer.allocate(4 + args.length).putInt(function).put(args).array();
  }

  @Test
  void truncatedAndMalformedFramesAreArgumentsBad() throws Exception {
    byte[] slotListWithoutArguments = frame(Function.GET_SLOT_LIST.code(), new byte[0]);
    byte[] badFlagByte =
        frame(Function.GET_SLOT_LIST.code(), new byte[] {7, 0, 0, 0, 0, 0, 0, 0, 0});
    byte[] shortCapacity = frame(Function.GET_SLOT_LIST.code(), new byte[] {0, 1, 0, 0});
    assertThat(answers(slotListWithoutArguments, badFlagByte, shortCapacity))
        .containsExactly(Ck.CKR_ARGUMENTS_BAD, Ck.CKR_ARGUMENTS_BAD, Ck.CKR_ARGUMENTS_BAD);
    // Fields are read within the frame's bounds: an oversized count or length is refused, not
    // allocated.
    assertThatThrownBy(() -> new Request(ByteBuffer.allocate(4).putInt(5000).array()).template())
        .isInstanceOfSatisfying(
            CkException.class, e -> assertThat(e.rv()).isEqualTo(Ck.CKR_ARGUMENTS_BAD));
    assertThatThrownBy(
            () -> new Request(ByteBuffer.allocate(5).put((byte) 1).putInt(1 << 30).array()).bytes())
        .isInstanceOfSatisfying(
            CkException.class, e -> assertThat(e.rv()).isEqualTo(Ck.CKR_ARGUMENTS_BAD));
    assertThatThrownBy(
            () -> new Request(ByteBuffer.allocate(5).put((byte) 0).putInt(3).array()).bytes())
        .as("a NULL array with a length")
        .isInstanceOf(CkException.class);
    assertThatThrownBy(
            () -> new Request(ByteBuffer.allocate(5).put((byte) 2).putInt(0).array()).bytes())
        .as("an array the C side did not send, too large")
        .isInstanceOfSatisfying(
            CkException.class, e -> assertThat(e.rv()).isEqualTo(Ck.CKR_DATA_LEN_RANGE));
    assertThatThrownBy(
            () ->
                new Request(ByteBuffer.allocate(12).putLong(0x1087).putInt(99).array()).mechanism())
        .as("an unknown parameter kind")
        .isInstanceOf(CkException.class);
  }

  @Test
  void unknownCallsSlotsAndSessionsGetTheirOwnReturnValues() throws Exception {
    assertThat(
            answers(
                frame(999, new byte[0]),
                frame(Function.GET_SLOT_INFO.code(), ByteBuffer.allocate(8).putLong(7).array()),
                frame(Function.CLOSE_SESSION.code(), ByteBuffer.allocate(8).putLong(42).array()),
                frame(
                    Function.GENERATE_RANDOM.code(),
                    ByteBuffer.allocate(16).putLong(42).putLong(16).array())))
        .containsExactly(
            Ck.CKR_FUNCTION_NOT_SUPPORTED,
            Ck.CKR_SLOT_ID_INVALID,
            Ck.CKR_SESSION_HANDLE_INVALID,
            Ck.CKR_SESSION_HANDLE_INVALID);
  }

  /** INITIALIZE with these settings (name, value pairs), as the C side sends it. */
  static byte[] initialize(String... pairs) {
    ByteArrayOutputStream args = new ByteArrayOutputStream();
    args.writeBytes(ByteBuffer.allocate(4).putInt(pairs.length / 2).array());
    for (String p : pairs) {
      byte[] b = p.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      args.writeBytes(ByteBuffer.allocate(5).put((byte) 1).putInt(b.length).array());
      args.writeBytes(b);
    }
    return frame(Function.INITIALIZE.code(), args.toByteArray());
  }

  @Test
  void aServiceConnectionIsConfiguredByItsInitializeAndRefusesCallsBeforeIt() throws Exception {
    Cryptoki noSlots = new Cryptoki(List.of(), () -> null, 10);
    List<Map<String, String>> seen = new ArrayList<>();
    Bridge.Setup setup =
        settings -> {
          seen.add(settings);
          if (!settings.containsKey("IHSM_SOCKET_DIR")) {
            throw new IllegalArgumentException("no daemon in this test");
          }
          return new Bridge.Application(noSlots, null);
        };
    byte[] slotList =
        frame(Function.GET_SLOT_LIST.code(), new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    byte[] tooMany =
        frame(
            Function.INITIALIZE.code(),
            ByteBuffer.allocate(4).putInt(Bridge.MAX_SETTINGS + 1).array());
    List<Long> rvs =
        serviceAnswers(
            setup,
            slotList,
            tooMany,
            initialize("cwd", "/tmp"),
            initialize("IHSM_SOCKET_DIR", "/run/ihsm", "pid", "42"),
            initialize("IHSM_SOCKET_DIR", "/elsewhere"),
            slotList);
    assertThat(rvs)
        .containsExactly(
            Ck.CKR_CRYPTOKI_NOT_INITIALIZED, // nothing before INITIALIZE
            Ck.CKR_GENERAL_ERROR, // more settings than allowed: refused, not allocated
            Ck.CKR_GENERAL_ERROR, // a configuration without a daemon
            Ck.CKR_OK,
            Ck.CKR_OK, // once configured, a second INITIALIZE changes nothing
            Ck.CKR_OK);
    assertThat(seen)
        .containsExactly(
            Map.of("cwd", "/tmp"), Map.of("IHSM_SOCKET_DIR", "/run/ihsm", "pid", "42"));
    String longValue = "x".repeat(Bridge.MAX_SETTING_BYTES + 1);
    assertThat(serviceAnswers(setup, initialize("IHSM_SOCKET_DIR", longValue)))
        .containsExactly(Ck.CKR_GENERAL_ERROR);
  }

  static List<Long> serviceAnswers(Bridge.Setup setup, byte[]... frames) throws Exception {
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    for (byte[] f : frames) {
      in.writeBytes(ByteBuffer.allocate(4).putInt(f.length).array());
      in.writeBytes(f);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Bridge.serve(setup, null, new ByteArrayInputStream(in.toByteArray()), out);
    DataInputStream replies = new DataInputStream(new ByteArrayInputStream(out.toByteArray()));
    List<Long> rvs = new ArrayList<>();
    while (replies.available() > 0) {
      rvs.add(ByteBuffer.wrap(replies.readNBytes(replies.readInt())).getLong());
    }
    return rvs;
  }

  @Test
  void anOversizedFrameEndsTheConnectionWithoutAnAnswer() throws Exception {
    Cryptoki noSlots = new Cryptoki(List.of(), () -> null, 10);
    byte[] oversized =
        ByteBuffer.allocate(8)
            .putInt(Bridge.MAX_FRAME + 1)
            .putInt(Function.GET_SLOT_LIST.code())
            .array();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Bridge.serve(noSlots, new ByteArrayInputStream(oversized), out);
    assertThat(out.size()).isZero();
  }
}
