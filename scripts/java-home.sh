# Sourced (POSIX sh) by ./ihsm and ./mvnw: make JAVA_HOME point at a JDK 25 or newer.
# Order: JAVA_HOME when it is 25+, then the newest /usr/lib/jvm/*25* (or later) JDK.
# IHSM_JVM_DIR replaces /usr/lib/jvm (for machines that keep JDKs elsewhere).
# Prints what is missing and returns 1 when there is none.

ihsm_java_major() {
  # The JDK's `release` file says JAVA_VERSION="25.0.3"; no JVM start needed.
  [ -f "$1/release" ] && [ -x "$1/bin/java" ] || return 1
  sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1
}

ihsm_find_java() {
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(ihsm_java_major "$JAVA_HOME" || true)
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      return 0
    fi
  fi
  jvm_dir=${IHSM_JVM_DIR:-/usr/lib/jvm}
  for candidate in "$jvm_dir"/*25* "$jvm_dir"/*26* "$jvm_dir"/*27*; do
    [ -d "$candidate" ] || continue
    major=$(ihsm_java_major "$candidate" || true)
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      JAVA_HOME=$candidate
    fi
  done
  major=$( [ -n "${JAVA_HOME:-}" ] && ihsm_java_major "$JAVA_HOME" || true)
  if [ -z "$major" ] || [ "$major" -lt 25 ]; then
    echo "ihsm: Java 25 or newer is required, and none was found." >&2
    echo "ihsm: looked at JAVA_HOME (${JAVA_HOME:-unset}) and $jvm_dir/*25*." >&2
    echo "ihsm: install a JDK 25 (for example Temurin 25) and set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME
  PATH="$JAVA_HOME/bin:$PATH"
  export PATH
}

ihsm_find_java
