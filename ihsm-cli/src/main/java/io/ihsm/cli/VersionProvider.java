package io.ihsm.cli;

import picocli.CommandLine;

/** `ihsm --version`: the version of this build, from the jar manifest when packaged. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = IhsmCommand.class.getPackage().getImplementationVersion();
    return new String[] {"ihsm " + (v != null ? v : "(development build)")};
  }
}
