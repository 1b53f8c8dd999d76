package io.ihsm.ddi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.domain.DomainStatus;
import io.ihsm.ddi.message.ApiRevisionRange;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.GetRandomRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worked byte examples of docs/ddi.md, encoded by the code and found verbatim in the doc, so
 * the published specification and the implementation cannot drift apart.
 */
class WorkedExamplesTest {
  static final String GET_API_REV_REQUEST = "01 00 00 00 00 01 00 00 00 00 00 00 00 01";
  static final String GET_API_REV_RESPONSE = "02 00 00 00 00 00 00 01 01 00 01 00";
  static final String GET_RANDOM_REQUEST = "01 01 00 00 00 10 00 00 00 00 00 00 00 02 00 00 00 10";
  static final String MISSING_REVISION_REQUEST = "01 00 00 00 00 02 00 00 00 00 00 00 00 03";
  static final String MISSING_REVISION_RESPONSE =
      "02 00 01 07 00 00 00 03 00 00 00 25 47 45 54 5f 44 45 56 49 43 45 5f 49 4e 46 4f 20 6e 65 65 64 73 20 61 6e 20 41 50 49 20 72 65 76 69 73 69 6f 6e";
  static final String MISSING_REVISION_REASON = "GET_DEVICE_INFO needs an API revision";
  static final String STATUS_RESPONSE =
      "02 01 00 00 00 00 00 04 02 00 00 00 00 00 00 00 05 30 2e 31 2e 30 00 00 00 01 00 00 00 00 00 00 05 dc"
          + " 00 00 00 11 00 00 00 11 00 00 00 00 00 00 05 78 00 00 00 00 01";

  static final String JOIN_REQUEST_REQUEST =
      "01 01 00 00 00 62 00 00 00 07 00 00 00 06 00 00 00 10 00 01 02 03 04 05 06 07 08 09 0a 0b"
          + " 0c 0d 0e 0f";
  static final String NO_DOMAIN_RESPONSE =
      "02 01 00 00 00 00 00 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

  static String doc;

  @BeforeAll
  static void readDoc() throws IOException {
    doc =
        Files.readString(
            Path.of(System.getProperty("ihsm.project.root", "..")).resolve("docs/ddi.md"));
  }

  @Test
  void getApiRevRequestCarriesNoRevision() {
    byte[] f =
        Frames.encodeRequest(
            RequestHeader.of(ApiRevision.NONE, Opcode.GET_API_REV, 0, 1), Empty.INSTANCE.toBytes());
    assertThat(HexText.of(f)).isEqualTo(GET_API_REV_REQUEST);
    assertThat(doc).contains(GET_API_REV_REQUEST);
  }

  @Test
  void getApiRevResponse() throws DdiException {
    byte[] f =
        Frames.encodeResponse(
            new ResponseHeader(Status.SUCCESS, false, 1),
            new ApiRevisionRange(ApiRevision.V1_0, ApiRevision.V1_0).toBytes());
    assertThat(HexText.of(f)).isEqualTo(GET_API_REV_RESPONSE);
    assertThat(doc).contains(GET_API_REV_RESPONSE);
    assertThat(ApiRevisionRange.read(Frames.decodeResponse(f).body()).max())
        .isEqualTo(ApiRevision.V1_0);
  }

  @Test
  void getRandomRequest() throws DdiException {
    byte[] f =
        Frames.encodeRequest(
            RequestHeader.of(ApiRevision.V1_0, Opcode.GET_RANDOM, 0, 2),
            new GetRandomRequest(16).toBytes());
    assertThat(HexText.of(f)).isEqualTo(GET_RANDOM_REQUEST);
    assertThat(doc).contains(GET_RANDOM_REQUEST);
    assertThat(GetRandomRequest.read(Frames.decodeRequest(f).body()).length()).isEqualTo(16);
  }

  @Test
  void errorResponseForMissingRevision() throws DdiException {
    byte[] req =
        Frames.encodeRequest(
            RequestHeader.of(ApiRevision.NONE, Opcode.GET_DEVICE_INFO, 0, 3), new byte[0]);
    assertThat(HexText.of(req)).isEqualTo(MISSING_REVISION_REQUEST);
    byte[] resp = Frames.errorResponse(Status.MISSING_API_REVISION, 3, MISSING_REVISION_REASON);
    assertThat(HexText.of(resp)).isEqualTo(MISSING_REVISION_RESPONSE);
    assertThat(Frames.decodeResponse(resp).reason()).isEqualTo(MISSING_REVISION_REASON);
    assertThat(doc).contains(MISSING_REVISION_REQUEST).contains(MISSING_REVISION_RESPONSE);
  }

  @Test
  void deviceStatusResponse() throws DdiException {
    byte[] f =
        Frames.encodeResponse(
            new ResponseHeader(Status.SUCCESS, true, 4),
            new DeviceStatus(DeviceState.OPERATIONAL, "", "0.1.0", 1, 1500, 17, 17, 1400, 0, true)
                .toBytes());
    assertThat(HexText.of(f)).isEqualTo(STATUS_RESPONSE);
    assertThat(doc).contains(STATUS_RESPONSE);
    DeviceStatus s = DeviceStatus.read(Frames.decodeResponse(f).body());
    assertThat(s.firmwareVersion()).isEqualTo("0.1.0");
    assertThat(s.uptimeMillis()).isEqualTo(1500);
    assertThat(s.approvedMode()).isTrue();
    assertThat(Frames.decodeResponse(f).header().approved()).isTrue();
  }

  @Test
  void domainJoinRequestAndTheStatusOfADeviceInNoDomain() throws DdiException {
    byte[] id = new byte[16];
    for (int i = 0; i < id.length; i++) {
      id[i] = (byte) i;
    }
    byte[] request =
        Frames.encodeRequest(
            RequestHeader.of(ApiRevision.V1_0, Opcode.DOMAIN_JOIN_REQUEST, 7, 6),
            new Bytes(id).toBytes());
    assertThat(HexText.of(request)).isEqualTo(JOIN_REQUEST_REQUEST);
    assertThat(doc).contains(JOIN_REQUEST_REQUEST);
    byte[] answer =
        Frames.encodeResponse(
            new ResponseHeader(Status.SUCCESS, true, 5), DomainStatus.NONE.toBytes());
    assertThat(HexText.of(answer)).isEqualTo(NO_DOMAIN_RESPONSE);
    assertThat(doc).contains(NO_DOMAIN_RESPONSE);
    assertThat(DomainStatus.read(Frames.decodeResponse(answer).body()).member()).isFalse();
  }

  @Test
  void everyStatusIsDocumentedWithItsNumber() {
    for (Status s : Status.values()) {
      assertThat(doc)
          .as("docs/ddi.md row for %s", s)
          .contains(String.format("| 0x%04X | `%s` |", s.code(), s.name()));
    }
  }

  @Test
  void everyOpcodeIsDocumentedWithItsNumber() {
    for (Opcode o : Opcode.values()) {
      assertThat(doc)
          .as("docs/ddi.md row for %s", o)
          .contains(String.format("| 0x%04X | `%s` |", o.code(), o.name()));
    }
  }

  @Test
  void everyDeviceStateIsDocumentedWithItsNumber() {
    for (DeviceState s : DeviceState.values()) {
      assertThat(doc)
          .as("docs/ddi.md row for %s", s)
          .contains(String.format("| %d | `%s` |", s.code(), s.name()));
    }
  }

  @Test
  void documentedBoundsMatchTheCode() {
    assertThat(doc).contains("MAX_FRAME_BYTES = " + Frames.MAX_FRAME_BYTES);
  }
}
