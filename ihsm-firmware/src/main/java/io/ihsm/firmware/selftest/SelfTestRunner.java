package io.ihsm.firmware.selftest;

import java.util.List;
import java.util.Optional;

/** Runs self-tests in order and reports the first failure; a thrown exception counts as a failure. */
public final class SelfTestRunner {
  private final List<SelfTest> tests;

  public SelfTestRunner(List<SelfTest> tests) {
    this.tests = List.copyOf(tests);
  }

  /** The standard power-on suite of this firmware. */
  public static SelfTestRunner powerOnSuite() {
    return new SelfTestRunner(List.of(new Sha256KnownAnswerTest()));
  }

  /** Empty when every test passed, else the reason naming the failed test. */
  public Optional<String> runAll() {
    for (SelfTest t : tests) {
      boolean passed;
      try {
        passed = t.run();
      } catch (Exception e) {
        passed = false;
      }
      if (!passed) {
        return Optional.of("self-test failed: " + t.name());
      }
    }
    return Optional.empty();
  }

  public List<String> names() {
    return tests.stream().map(SelfTest::name).toList();
  }
}
