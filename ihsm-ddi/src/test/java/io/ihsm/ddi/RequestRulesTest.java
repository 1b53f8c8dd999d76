package io.ihsm.ddi;

import static io.ihsm.ddi.FramesTest.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.spi.Port;
import org.junit.jupiter.api.Test;

class RequestRulesTest {
  static final Port P1 = Port.partition(1);

  @Test
  void getApiRevMustCarryNoRevision() throws DdiException {
    assertThat(
            RequestRules.check(
                RequestHeader.of(ApiRevision.NONE, Opcode.GET_API_REV, 0, 1), Port.MANAGEMENT))
        .isEqualTo(Opcode.GET_API_REV);
    assertStatus(
        () ->
            RequestRules.check(
                RequestHeader.of(ApiRevision.V1_0, Opcode.GET_API_REV, 0, 1), Port.MANAGEMENT),
        Status.REVISION_NOT_ALLOWED);
  }

  @Test
  void everyOtherRequestNeedsASupportedRevision() {
    assertStatus(
        () ->
            RequestRules.check(
                RequestHeader.of(ApiRevision.NONE, Opcode.GET_DEVICE_STATUS, 0, 1), P1),
        Status.MISSING_API_REVISION);
    assertStatus(
        () ->
            RequestRules.check(
                RequestHeader.of(new ApiRevision(9, 9), Opcode.GET_DEVICE_STATUS, 0, 1), P1),
        Status.UNSUPPORTED_API_REVISION);
  }

  @Test
  void unknownOpcode() {
    assertStatus(
        () -> RequestRules.check(new RequestHeader(ApiRevision.V1_0, 0xBEEF, 0, 1), P1),
        Status.UNKNOWN_OPCODE);
  }

  @Test
  void sessionIdWhereNoneIsAllowed() {
    assertStatus(
        () ->
            RequestRules.check(
                RequestHeader.of(ApiRevision.V1_0, Opcode.GET_DEVICE_INFO, 5, 1), P1),
        Status.SESSION_NOT_ALLOWED);
  }

  @Test
  void sessionRequired() {
    assertStatus(
        () ->
            RequestRules.check(RequestHeader.of(ApiRevision.V1_0, Opcode.CLOSE_SESSION, 0, 1), P1),
        Status.SESSION_REQUIRED);
  }

  @Test
  void partitionOpcodeOnTheManagementPort() {
    assertStatus(
        () ->
            RequestRules.check(
                RequestHeader.of(ApiRevision.V1_0, Opcode.CHANGE_PIN, 5, 1), Port.MANAGEMENT),
        Status.WRONG_PORT);
  }

  @Test
  void managementOpcodeOnAPartitionPort() {
    assertStatus(
        () ->
            RequestRules.check(
                RequestHeader.of(ApiRevision.V1_0, Opcode.CREATE_PARTITION, 5, 1), P1),
        Status.WRONG_PORT);
  }
}
