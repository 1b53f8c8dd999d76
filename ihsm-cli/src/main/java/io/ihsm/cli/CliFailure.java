package io.ihsm.cli;

/** A command that cannot do what was asked; its message is the one line the user sees. */
final class CliFailure extends RuntimeException {
  CliFailure(String message) {
    super(message);
  }
}
