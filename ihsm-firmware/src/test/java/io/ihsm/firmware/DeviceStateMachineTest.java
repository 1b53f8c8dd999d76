package io.ihsm.firmware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.message.DeviceState;
import io.ihsm.firmware.state.DeviceStateMachine;
import org.junit.jupiter.api.Test;

class DeviceStateMachineTest {
  @Test
  void normalPowerOn() {
    DeviceStateMachine m = new DeviceStateMachine();
    assertThat(m.state()).isEqualTo(DeviceState.POWER_ON);
    m.moveTo(DeviceState.SELF_TEST, "");
    m.moveTo(DeviceState.OPERATIONAL, "");
    assertThat(m.isOperational()).isTrue();
    assertThat(m.reason()).isEmpty();
  }

  @Test
  void operationalCannotBeReachedWithoutSelfTests() {
    DeviceStateMachine m = new DeviceStateMachine();
    assertThatThrownBy(() -> m.moveTo(DeviceState.OPERATIONAL, ""))
        .isInstanceOf(IllegalStateException.class);
    assertThat(m.state()).isEqualTo(DeviceState.POWER_ON);
  }

  @Test
  void errorIsTerminalAndKeepsTheFirstReason() {
    DeviceStateMachine m = new DeviceStateMachine();
    m.moveTo(DeviceState.SELF_TEST, "");
    m.fail("first");
    m.fail("second");
    assertThat(m.state()).isEqualTo(DeviceState.ERROR);
    assertThat(m.reason()).isEqualTo("first");
    for (DeviceState s : DeviceState.values()) {
      if (s != DeviceState.TAMPERED) {
        assertThatThrownBy(() -> m.moveTo(s, "")).isInstanceOf(IllegalStateException.class);
      }
    }
    m.moveTo(DeviceState.TAMPERED, "case-open"); // a tamper is honoured even in ERROR
  }

  @Test
  void tamperLeadsOnlyToZeroization() {
    DeviceStateMachine m = new DeviceStateMachine();
    m.moveTo(DeviceState.SELF_TEST, "");
    m.moveTo(DeviceState.OPERATIONAL, "");
    m.moveTo(DeviceState.TAMPERED, "case-open");
    assertThat(m.reason()).isEqualTo("case-open");
    assertThatThrownBy(() -> m.moveTo(DeviceState.OPERATIONAL, ""))
        .isInstanceOf(IllegalStateException.class);
    m.moveTo(DeviceState.ZEROIZED, "zeroized after tamper");
    m.moveTo(DeviceState.SELF_TEST, "");
    assertThat(m.reason()).isEmpty();
  }
}
