package io.ihsm.cli;

/** The documented exit codes of `ihsm` (README, "Exit codes"). */
public final class ExitCodes {
  /** The command did what was asked. */
  public static final int OK = 0;

  /** The device refused the request, or a precondition failed (the message says which). */
  public static final int FAILED = 1;

  /** The command line is wrong. */
  public static final int USAGE = 2;

  /** The device cannot be reached: no daemon, a timeout, a lost connection. */
  public static final int UNREACHABLE = 3;

  /** An unexpected internal error (a bug; rerun with --verbose and report it). */
  public static final int INTERNAL = 4;

  private ExitCodes() {}
}
