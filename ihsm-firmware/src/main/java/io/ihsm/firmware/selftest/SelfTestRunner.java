package io.ihsm.firmware.selftest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the self-tests: all of them at power-on and on demand, one at a time round robin for the
 * periodic re-runs. A test that throws, or returns false, has failed; the caller puts the module in
 * ERROR with the returned reason. Thread-safe.
 */
public final class SelfTestRunner {
  /**
   * What the status reports: tests passed in the last complete round, how many there are, when one
   * last ran.
   */
  public record Summary(int passed, int total, long lastRunNanos) {}

  /** One test's latest run: passed or not, and when (ms since the epoch; 0 when it has not run). */
  public record Result(String name, boolean passed, long lastRunMillis) {}

  private final List<SelfTest> tests;
  private int next;
  private int passedThisRound;
  private int passedLastRound;
  private long lastRunNanos;
  private final Map<String, Result> results = new LinkedHashMap<>();

  public SelfTestRunner(List<SelfTest> tests) {
    this.tests = List.copyOf(tests);
  }

  public synchronized Optional<String> runAll() {
    for (SelfTest t : tests) {
      Optional<String> failed = run(t);
      if (failed.isPresent()) {
        passedLastRound = 0;
        return failed;
      }
    }
    passedLastRound = tests.size();
    passedThisRound = 0;
    next = 0;
    return Optional.empty();
  }

  /** The next test in turn (the periodic re-run). */
  public synchronized Optional<String> runNext() {
    if (tests.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> failed = run(tests.get(next));
    if (failed.isPresent()) {
      passedLastRound = 0;
      return failed;
    }
    passedThisRound++;
    next = (next + 1) % tests.size();
    if (next == 0) {
      passedLastRound = passedThisRound;
      passedThisRound = 0;
    }
    return Optional.empty();
  }

  public synchronized Summary summary() {
    return new Summary(passedLastRound, tests.size(), lastRunNanos);
  }

  /** Every test, in run order, with its latest result. */
  public synchronized List<Result> results() {
    return tests.stream()
        .map(t -> results.getOrDefault(t.name(), new Result(t.name(), false, 0)))
        .toList();
  }

  public List<String> names() {
    return tests.stream().map(SelfTest::name).toList();
  }

  private Optional<String> run(SelfTest t) {
    lastRunNanos = System.nanoTime();
    boolean passed;
    try {
      passed = t.run();
    } catch (Exception | LinkageError e) {
      passed = false;
    }
    results.put(t.name(), new Result(t.name(), passed, System.currentTimeMillis()));
    return passed ? Optional.empty() : Optional.of("self-test failed: " + t.name());
  }
}
