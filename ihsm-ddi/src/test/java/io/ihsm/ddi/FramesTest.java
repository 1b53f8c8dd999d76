package io.ihsm.ddi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.message.ApiRevisionRange;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.RandomBytes;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FramesTest {
  @Test
  void requestRoundTrip() throws DdiException {
    RequestHeader h =
        RequestHeader.of(ApiRevision.V1_0, Opcode.CLOSE_SESSION, 0xFFFFFFFE, 0x80000001);
    Frames.Request r = Frames.decodeRequest(Frames.encodeRequest(h, new byte[] {1, 2, 3}));
    assertThat(r.header()).isEqualTo(h);
    assertThat(r.body().remaining()).isEqualTo(3);
  }

  @Test
  void responseRoundTripKeepsTheApprovedFlag() throws DdiException {
    byte[] f = Frames.encodeResponse(new ResponseHeader(Status.SUCCESS, true, 7), new byte[0]);
    Frames.Response r = Frames.decodeResponse(f);
    assertThat(r.header().approved()).isTrue();
    assertThat(r.header().requestId()).isEqualTo(7);
  }

  @Test
  void emptyFrameIsTruncated() {
    assertStatus(() -> Frames.decodeRequest(new byte[0]), Status.TRUNCATED_FRAME);
    assertThat(Frames.requestIdOf(new byte[0])).isZero();
  }

  @Test
  void frameShorterThanHeaderIsTruncated() {
    assertStatus(
        () -> Frames.decodeRequest(new byte[RequestHeader.SIZE - 1]), Status.TRUNCATED_FRAME);
  }

  @Test
  void oversizedFrameIsRefusedBeforeDecoding() {
    assertStatus(
        () -> Frames.decodeRequest(new byte[Frames.MAX_FRAME_BYTES + 1]), Status.FRAME_TOO_LARGE);
  }

  @Test
  void wrongKindOrReservedByteIsMalformedButKeepsTheRequestId() {
    byte[] f =
        Frames.encodeRequest(
            RequestHeader.of(ApiRevision.V1_0, Opcode.GET_DEVICE_STATUS, 0, 42), new byte[0]);
    byte[] wrongKind = f.clone();
    wrongKind[0] = 2;
    assertStatus(() -> Frames.decodeRequest(wrongKind), Status.MALFORMED_FRAME);
    assertThat(Frames.requestIdOf(wrongKind)).isEqualTo(42);
    byte[] reserved = f.clone();
    reserved[3] = 1;
    assertStatus(() -> Frames.decodeRequest(reserved), Status.MALFORMED_FRAME);
  }

  @Test
  void unknownStatusOrFlagsInAResponseAreMalformed() {
    byte[] f = Frames.errorResponse(Status.INVALID_SESSION, 1);
    byte[] unknownStatus = f.clone();
    unknownStatus[2] = 0x7F;
    assertStatus(() -> Frames.decodeResponse(unknownStatus), Status.MALFORMED_FRAME);
    byte[] flags = f.clone();
    flags[1] = 0x02;
    assertStatus(() -> Frames.decodeResponse(flags), Status.MALFORMED_FRAME);
    byte[] hostSide = f.clone();
    hostSide[2] = (byte) 0xF0;
    hostSide[3] = 0x02;
    assertStatus(() -> Frames.decodeResponse(hostSide), Status.MALFORMED_FRAME);
  }

  @Test
  void encoderRefusesBodiesOverTheBound() {
    assertThatThrownBy(
            () ->
                Frames.encodeRequest(
                    RequestHeader.of(ApiRevision.V1_0, Opcode.GET_RANDOM, 0, 1),
                    new byte[Frames.MAX_REQUEST_BODY + 1]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBodyWrittenStraightIntoItsFrameIsTheSameFrameAsOneEncodedFirst() throws DdiException {
    byte[] data = new byte[70_000];
    new Random(3).nextBytes(data);
    var op = Operation.of(9, Algorithm.AES_GCM, data).withAad(new byte[] {1, 2});
    RequestHeader h = RequestHeader.of(ApiRevision.V1_0, Opcode.ENCRYPT, 4, 5);
    byte[] direct = Frames.encodeRequest(h, op::writeTo);
    assertThat(direct).isEqualTo(Frames.encodeRequest(h, op.toBytes()));
    BodyWriter grown = new BodyWriter();
    op.writeTo(grown);
    assertThat(op.toBytes()).isEqualTo(grown.toByteArray());
    assertThat(Operation.read(Frames.decodeRequest(direct).body()).data()).isEqualTo(data);

    ResponseHeader rh = new ResponseHeader(Status.SUCCESS, true, 5);
    var answer = new Encrypted(new byte[12], data);
    assertThat(Frames.encodeResponse(rh, answer::writeTo))
        .isEqualTo(Frames.encodeResponse(rh, answer.toBytes()));
  }

  @Test
  void aBodyOverTheFrameBoundOrThatChangesBetweenPassesIsRefusedBeforeAnythingIsSent() {
    RequestHeader h = RequestHeader.of(ApiRevision.V1_0, Opcode.ENCRYPT, 4, 5);
    assertThatThrownBy(
            () ->
                Frames.encodeRequest(
                    h, w -> w.bytes(new byte[Frames.MAX_REQUEST_BODY], Integer.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds the bound of " + Frames.MAX_REQUEST_BODY);
    int[] calls = {0};
    assertThatThrownBy(
            () -> Frames.encodeRequest(h, w -> w.u32(++calls[0]).bytes(new byte[calls[0]], 8)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after counting");
  }

  @Test
  void messagesRoundTrip() throws DdiException {
    DeviceInfo info = new DeviceInfo("v", "m", "IHSM-01", "1.2.3", "JDK", 1024);
    assertThat(DeviceInfo.read(BodyReader.of(info.toBytes()))).isEqualTo(info);
    DeviceStatus status =
        new DeviceStatus(
            DeviceState.ERROR, "self-test failed: X", "1.0", 3, 99, 0, 17, 98, 2, true);
    assertThat(DeviceStatus.read(BodyReader.of(status.toBytes()))).isEqualTo(status);
    assertThat(
            RandomBytes.read(BodyReader.of(new RandomBytes(new byte[] {9, 8}).toBytes())).bytes())
        .containsExactly(9, 8);
  }

  @Test
  void unknownDeviceStateIsMalformed() {
    byte[] b = new DeviceStatus(DeviceState.OPERATIONAL, "", "", 0, 0, 0, 0, 0, 0, false).toBytes();
    b[0] = 9;
    assertStatus(() -> DeviceStatus.read(BodyReader.of(b)), Status.MALFORMED_BODY);
  }

  @Test
  void randomLengthOutsideItsBoundIsMalformed() {
    assertStatus(
        () -> GetRandomRequest.read(BodyReader.of(new BodyWriter().u32(0).toByteArray())),
        Status.MALFORMED_BODY);
    assertStatus(
        () -> GetRandomRequest.read(BodyReader.of(new BodyWriter().u32(1025).toByteArray())),
        Status.MALFORMED_BODY);
  }

  @Test
  void emptyOrInvertedRevisionRangeIsMalformed() {
    assertStatus(
        () -> ApiRevisionRange.read(BodyReader.of(new byte[] {2, 0, 1, 0})), Status.MALFORMED_BODY);
    assertStatus(
        () -> ApiRevisionRange.read(BodyReader.of(new byte[] {0, 0, 0, 0})), Status.MALFORMED_BODY);
  }

  @Test
  void bodyReaderIsStrict() {
    // A length beyond the field's bound is refused before any allocation.
    byte[] longField = new BodyWriter().u32(0x7FFFFFFF).toByteArray();
    assertStatus(() -> BodyReader.of(longField).bytes("label", 64), Status.MALFORMED_BODY);
    // A length within the bound but beyond the body.
    assertStatus(
        () -> BodyReader.of(new BodyWriter().u32(10).toByteArray()).bytes("x", 64),
        Status.MALFORMED_BODY);
    assertStatus(() -> BodyReader.of(new byte[] {2}).bool("flag"), Status.MALFORMED_BODY);
    byte[] badUtf8 = new BodyWriter().bytes(new byte[] {(byte) 0xC3, 0x28}, 8).toByteArray();
    assertStatus(() -> BodyReader.of(badUtf8).string("name", 8), Status.MALFORMED_BODY);
    assertStatus(() -> BodyReader.of(new byte[] {1}).end(), Status.MALFORMED_BODY);
    assertStatus(() -> BodyReader.of(new byte[] {1, 2, 3}).u32("n"), Status.MALFORMED_BODY);
  }

  @Test
  void errorMessagesNameFieldsNotContents() {
    byte[] secretish = new BodyWriter().string("hunter2-secret", 64).toByteArray();
    assertThatThrownBy(() -> BodyReader.of(secretish).string("pin", 4))
        .hasMessageContaining("pin")
        .hasMessageNotContaining("hunter2");
    assertThat(new String(secretish, StandardCharsets.UTF_8)).contains("hunter2");
  }

  static void assertStatus(ThrowingCall call, Status expected) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            DdiException.class, e -> assertThat(e.status()).isEqualTo(expected));
  }

  interface ThrowingCall {
    void run() throws Exception;
  }
}
