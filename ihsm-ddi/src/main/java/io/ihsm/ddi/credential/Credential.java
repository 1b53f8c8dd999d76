package io.ihsm.ddi.credential;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An identity and its PIN: the Crypto Officer's or a partition's application credential. The PIN is
 * held as bytes that {@link #toString()} never shows and {@link #destroy()} wipes; it leaves the
 * host only sealed to the device ({@link CredentialSealer}).
 */
public final class Credential implements AutoCloseable {
  public static final int ID_BYTES = 16;
  public static final int MIN_PIN_BYTES = 4;
  public static final int MAX_PIN_BYTES = 64;

  private final byte[] id;
  private final byte[] pin;

  private Credential(byte[] id, byte[] pin) {
    this.id = id;
    this.pin = pin;
  }

  /**
   * @param id exactly {@value #ID_BYTES} bytes
   * @param pin {@value #MIN_PIN_BYTES} to {@value #MAX_PIN_BYTES} bytes of UTF-8
   */
  public static Credential of(byte[] id, String pin) {
    byte[] p = pin.getBytes(StandardCharsets.UTF_8);
    if (id.length != ID_BYTES) {
      throw new IllegalArgumentException(
          "a credential id is " + ID_BYTES + " bytes, got " + id.length);
    }
    if (p.length < MIN_PIN_BYTES || p.length > MAX_PIN_BYTES) {
      Arrays.fill(p, (byte) 0);
      throw new IllegalArgumentException(
          "a PIN is "
              + MIN_PIN_BYTES
              + " to "
              + MAX_PIN_BYTES
              + " bytes of UTF-8, got "
              + p.length);
    }
    return new Credential(id.clone(), p);
  }

  public byte[] id() {
    return id.clone();
  }

  /** The plaintext that is sealed: id, then u8 PIN length, then the PIN. The caller wipes it. */
  byte[] encode() {
    byte[] out = new byte[ID_BYTES + 1 + pin.length];
    System.arraycopy(id, 0, out, 0, ID_BYTES);
    out[ID_BYTES] = (byte) pin.length;
    System.arraycopy(pin, 0, out, ID_BYTES + 1, pin.length);
    return out;
  }

  /** Wipes the PIN. */
  public void destroy() {
    Arrays.fill(pin, (byte) 0);
  }

  @Override
  public void close() {
    destroy();
  }

  @Override
  public String toString() {
    return "Credential[id=" + HexFormat.of().formatHex(id) + ", pin=<hidden>]";
  }
}
