package io.ihsm.firmware.selftest;

/** One power-on self-test. A test that throws, or returns false, has failed. */
public interface SelfTest {
  String name();

  boolean run() throws Exception;
}
