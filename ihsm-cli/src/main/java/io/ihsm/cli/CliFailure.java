package io.ihsm.cli;

/** A command that cannot do what was asked; its message is the one line the user sees. */
final class CliFailure extends RuntimeException {
  CliFailure(String message) {
    super(message);
  }

  /**
   * A command line that is wrong in a way only running the command finds out: exit code 2, like a
   * parse error.
   */
  static final class Usage extends RuntimeException {
    Usage(String message) {
      super(message);
    }
  }
}
