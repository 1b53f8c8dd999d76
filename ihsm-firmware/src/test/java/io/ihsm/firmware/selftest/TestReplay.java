package io.ihsm.firmware.selftest;

/**
 * The known-answer tests' replaying source, for tests that feed vectors' seeds to key generation.
 */
public final class TestReplay extends java.security.SecureRandom {
  private final PostQuantumKats.Replay replay;

  public TestReplay(byte[] data) {
    this.replay = new PostQuantumKats.Replay(data);
  }

  @Override
  public void nextBytes(byte[] bytes) {
    replay.nextBytes(bytes);
  }
}
