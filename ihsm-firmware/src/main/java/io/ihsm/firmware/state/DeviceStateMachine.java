package io.ihsm.firmware.state;

import io.ihsm.ddi.message.DeviceState;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The module's state, changed only along the documented transitions. ERROR is left only by a power
 * cycle (a new instance), so a failed module never serves cryptographic output again.
 */
public final class DeviceStateMachine {
  /**
   * A tamper is honoured in every state, ERROR included; re-initialization goes through ZEROIZED.
   */
  private static final Map<DeviceState, Set<DeviceState>> ALLOWED =
      Map.of(
          DeviceState.POWER_ON,
              EnumSet.of(DeviceState.SELF_TEST, DeviceState.ERROR, DeviceState.TAMPERED),
          DeviceState.SELF_TEST,
              EnumSet.of(
                  DeviceState.OPERATIONAL,
                  DeviceState.ERROR,
                  DeviceState.TAMPERED,
                  DeviceState.ZEROIZED),
          DeviceState.OPERATIONAL,
              EnumSet.of(DeviceState.ERROR, DeviceState.TAMPERED, DeviceState.ZEROIZED),
          DeviceState.ERROR, EnumSet.of(DeviceState.TAMPERED),
          DeviceState.TAMPERED, EnumSet.of(DeviceState.ZEROIZED),
          DeviceState.ZEROIZED, EnumSet.of(DeviceState.SELF_TEST, DeviceState.TAMPERED));

  private DeviceState state = DeviceState.POWER_ON;
  private String reason = "";
  private Consumer<String> onChange = change -> {};

  /** Told of every state change, as "FROM -> TO: reason" (the audit log listens). */
  public synchronized void onChange(Consumer<String> listener) {
    this.onChange = listener;
  }

  public synchronized DeviceState state() {
    return state;
  }

  /** Why the module is in ERROR, TAMPERED or ZEROIZED; empty otherwise. */
  public synchronized String reason() {
    return reason;
  }

  public synchronized boolean isOperational() {
    return state == DeviceState.OPERATIONAL;
  }

  public synchronized void moveTo(DeviceState next, String why) {
    if (!ALLOWED.get(state).contains(next)) {
      throw new IllegalStateException("illegal state change " + state + " -> " + next);
    }
    DeviceState from = state;
    state = next;
    reason =
        switch (next) {
          case ERROR, TAMPERED, ZEROIZED -> why;
          default -> "";
        };
    onChange.accept(from + " -> " + next + (reason.isEmpty() ? "" : ": " + reason));
  }

  /** Enters ERROR from any state that allows it; already in ERROR keeps the first reason. */
  public synchronized void fail(String why) {
    if (state != DeviceState.ERROR && ALLOWED.get(state).contains(DeviceState.ERROR)) {
      moveTo(DeviceState.ERROR, why);
    }
  }
}
