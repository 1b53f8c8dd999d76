package io.ihsm.ddi;

import java.util.List;

/**
 * A DDI API revision, major.minor, each one byte on the wire. 0.0 means "no revision" and is only
 * valid on GetApiRev.
 */
public record ApiRevision(int major, int minor) implements Comparable<ApiRevision> {
  public static final ApiRevision NONE = new ApiRevision(0, 0);
  public static final ApiRevision V1_0 = new ApiRevision(1, 0);

  /** Revisions this code base speaks, oldest first. */
  public static final List<ApiRevision> SUPPORTED = List.of(V1_0);

  public ApiRevision {
    if (major < 0 || major > 0xFF || minor < 0 || minor > 0xFF) {
      throw new IllegalArgumentException(
          "revision parts must be 0..255, got " + major + "." + minor);
    }
  }

  public boolean isNone() {
    return major == 0 && minor == 0;
  }

  public boolean isSupported() {
    return SUPPORTED.contains(this);
  }

  public static ApiRevision newestSupported() {
    return SUPPORTED.getLast();
  }

  public static ApiRevision oldestSupported() {
    return SUPPORTED.getFirst();
  }

  @Override
  public int compareTo(ApiRevision o) {
    return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
