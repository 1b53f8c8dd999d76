package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.Body;

/**
 * SetKeyState request: moves a loaded app key to {@code state}, now ({@code date} 0) or, for {@link
 * KeyState#DEACTIVATED} of an active key and {@link KeyState#ACTIVE} of a pre-active one, at a
 * later date (milliseconds since the epoch on the device's clock). The transitions the device
 * allows are in docs/key-lifecycle.md.
 *
 * <pre>u32 handle, u8 state, u64 date</pre>
 */
public record KeyStateChange(int handle, KeyState state, long date) implements Body {
  public KeyStateChange {
    if (date < 0) {
      throw new IllegalArgumentException("a date is not negative, got " + date);
    }
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(handle).u8(state.code()).u64(date);
  }

  public static KeyStateChange read(BodyReader r) throws DdiException {
    int handle = r.u32("handle");
    KeyState state = KeyState.fromCode(r.u8("state"));
    long date = r.u64("date");
    r.end();
    if (state == null) {
      throw new DdiException(Status.MALFORMED_BODY, "field 'state': unknown");
    }
    if (date < 0) {
      throw new DdiException(Status.MALFORMED_BODY, "field 'date': beyond the last date");
    }
    return new KeyStateChange(handle, state, date);
  }
}
