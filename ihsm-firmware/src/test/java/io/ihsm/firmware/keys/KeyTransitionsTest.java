package io.ihsm.firmware.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyLifecycle;
import io.ihsm.ddi.key.KeyOrigin;
import io.ihsm.ddi.key.KeyState;
import io.ihsm.ddi.key.KeyStateChange;
import io.ihsm.ddi.key.KeyUsage;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The whole transition table, state by state, and blobs masked before keys had versions. */
class KeyTransitionsTest {
  static final long NOW = 1_800_000_000_000L;
  static final byte[] ID = new byte[KeyLifecycle.ID_BYTES];

  /** What each state may become now (date 0). */
  static final Map<KeyState, Set<KeyState>> ALLOWED =
      Map.of(
          KeyState.PRE_ACTIVE,
              EnumSet.of(
                  KeyState.ACTIVE, KeyState.DEACTIVATED, KeyState.COMPROMISED, KeyState.DESTROYED),
          KeyState.ACTIVE, EnumSet.of(KeyState.DEACTIVATED, KeyState.COMPROMISED),
          KeyState.DEACTIVATED, EnumSet.of(KeyState.COMPROMISED, KeyState.DESTROYED),
          KeyState.COMPROMISED, EnumSet.of(KeyState.DESTROYED),
          KeyState.DESTROYED, EnumSet.noneOf(KeyState.class));

  static KeyLifecycle in(KeyState s) {
    return new KeyLifecycle(4, ID, s, 0, 0);
  }

  @Test
  void everyStateMovesExactlyWhereTheModelSays() throws Exception {
    for (KeyState from : KeyState.values()) {
      for (KeyState to : KeyState.values()) {
        KeyStateChange change = new KeyStateChange(1, to, 0);
        if (ALLOWED.get(from).contains(to)) {
          KeyLifecycle next = KeyTransitions.apply(in(from), change, NOW);
          assertThat(next.state()).as(from + " -> " + to).isEqualTo(to);
          assertThat(next.version()).isEqualTo(4);
          assertThat(next.id()).isEqualTo(ID);
        } else {
          assertThatThrownBy(() -> KeyTransitions.apply(in(from), change, NOW))
              .as(from + " -> " + to)
              .isInstanceOfSatisfying(
                  DdiException.class,
                  e -> {
                    assertThat(e.status()).isEqualTo(Status.INVALID_STATE_TRANSITION);
                    assertThat(e.getMessage()).contains(from.textName()).contains(to.textName());
                  });
        }
      }
    }
  }

  @Test
  void eachStateAllowsOnlyItsUses() {
    assertThat(in(KeyState.PRE_ACTIVE).permits(KeyLifecycle.Use.PROCESS, NOW)).isFalse();
    assertThat(in(KeyState.PRE_ACTIVE).permits(KeyLifecycle.Use.PROTECT, NOW)).isFalse();
    assertThat(in(KeyState.ACTIVE).permits(KeyLifecycle.Use.PROTECT, NOW)).isTrue();
    assertThat(in(KeyState.ACTIVE).permits(KeyLifecycle.Use.PROCESS, NOW)).isTrue();
    for (KeyState retired : EnumSet.of(KeyState.DEACTIVATED, KeyState.COMPROMISED)) {
      assertThat(in(retired).permits(KeyLifecycle.Use.PROTECT, NOW)).as(retired + "").isFalse();
      assertThat(in(retired).permits(KeyLifecycle.Use.PROCESS, NOW)).as(retired + "").isTrue();
    }
    assertThat(in(KeyState.DESTROYED).permits(KeyLifecycle.Use.PROCESS, NOW)).isFalse();
  }

  @Test
  void laterDatesScheduleActivationAndDeactivationOnly() throws Exception {
    KeyLifecycle scheduled =
        KeyTransitions.apply(
            in(KeyState.PRE_ACTIVE), new KeyStateChange(1, KeyState.ACTIVE, NOW + 10), NOW);
    assertThat(scheduled.state()).isEqualTo(KeyState.PRE_ACTIVE);
    assertThat(scheduled.effectiveState(NOW + 9)).isEqualTo(KeyState.PRE_ACTIVE);
    assertThat(scheduled.effectiveState(NOW + 10)).isEqualTo(KeyState.ACTIVE);

    KeyLifecycle retiring =
        KeyTransitions.apply(
            in(KeyState.ACTIVE), new KeyStateChange(1, KeyState.DEACTIVATED, NOW + 10), NOW);
    assertThat(retiring.state()).isEqualTo(KeyState.ACTIVE);
    assertThat(retiring.effectiveState(NOW + 10)).isEqualTo(KeyState.DEACTIVATED);
    assertThat(
            KeyTransitions.apply(retiring, new KeyStateChange(1, KeyState.DESTROYED, 0), NOW + 11)
                .state())
        .as("a date that passed counts: the key is deactivated, so it may be destroyed")
        .isEqualTo(KeyState.DESTROYED);

    assertThatThrownBy(
            () ->
                KeyTransitions.apply(
                    in(KeyState.PRE_ACTIVE),
                    new KeyStateChange(1, KeyState.DEACTIVATED, NOW + 10),
                    NOW))
        .isInstanceOf(DdiException.class);
    assertThatThrownBy(
            () ->
                KeyTransitions.apply(
                    in(KeyState.DEACTIVATED),
                    new KeyStateChange(1, KeyState.DESTROYED, NOW + 10),
                    NOW))
        .isInstanceOf(DdiException.class);
    assertThat(
            KeyTransitions.apply(
                    in(KeyState.PRE_ACTIVE), new KeyStateChange(1, KeyState.ACTIVE, NOW - 5), NOW)
                .state())
        .as("a date already past means now")
        .isEqualTo(KeyState.ACTIVE);
  }

  @Test
  void aBlobMaskedBeforeVersionsDecodesWithoutALifecycleAndOneWithItRoundTrips() throws Exception {
    KeyAttributes attrs = new KeyAttributes(KeyKind.AES_256, KeyUsage.ENCRYPT, false, false, "k");
    KeyService.Metadata legacy =
        new KeyService.Metadata(7, attrs, KeyOrigin.GENERATED, 1, new byte[0], null);
    assertThat(KeyService.Metadata.decode(legacy.encode()).lifecycle()).isNull();

    KeyLifecycle l = new KeyLifecycle(3, ID, KeyState.COMPROMISED, NOW, NOW + 1);
    KeyService.Metadata current =
        new KeyService.Metadata(7, attrs, KeyOrigin.GENERATED, 1, new byte[0], l);
    assertThat(KeyService.Metadata.decode(current.encode()).lifecycle()).isEqualTo(l);

    byte[] cut = current.encode();
    assertThatThrownBy(
            () -> KeyService.Metadata.decode(java.util.Arrays.copyOf(cut, cut.length - 1)))
        .isInstanceOfSatisfying(
            DdiException.class, e -> assertThat(e.status()).isEqualTo(Status.MASKED_BLOB_INVALID));
  }
}
