package io.ihsm.sdk.internal;

/** The approved flag of the last response this thread received, for {@code ServiceIndicator}. */
public final class LastResponse {
  private static final ThreadLocal<Boolean> APPROVED = ThreadLocal.withInitial(() -> false);

  private LastResponse() {}

  public static boolean approved() {
    return APPROVED.get();
  }

  static void set(boolean approved) {
    APPROVED.set(approved);
  }
}
