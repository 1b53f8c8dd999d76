package io.ihsm.firmware.selftest;

/** The known-answer tests' seeded source, for tests that feed vectors' seeds to key generation. */
public final class TestReplay extends java.security.SecureRandom {
  private static final long serialVersionUID = 1L;
  private final SeededRandom seeded;

  public TestReplay(byte[] data) {
    this.seeded = new SeededRandom(data);
  }

  @Override
  public void nextBytes(byte[] bytes) {
    seeded.nextBytes(bytes);
  }
}
