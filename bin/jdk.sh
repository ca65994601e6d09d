# Sourced by ./fleetshell, ./run-tests and .ci/run: finds a JDK >= 25 and exports JAVA_HOME.
# Order: JAVA_HOME if it is one; else the newest JDK >= 25 among the usual install places; else an
# error naming what to install.

FLEETSHELL_MIN_JAVA=25

# Prints the feature version (e.g. 25) of the JDK at $1, or nothing.
jdk_feature_version() {
  local home="$1" version=""
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)"/\1/p' "$home/release")
  fi
  if [ -z "$version" ]; then
    version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
  fi
  version=${version#1.}
  echo "${version%%[.+-]*}"
}

select_jdk() {
  local candidate version best="" best_version=0
  if [ -n "${JAVA_HOME:-}" ]; then
    version=$(jdk_feature_version "$JAVA_HOME")
    if [ -n "$version" ] && [ "$version" -ge "$FLEETSHELL_MIN_JAVA" ]; then
      export JAVA_HOME
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
                   "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$candidate" ] || continue
    version=$(jdk_feature_version "$candidate")
    [ -n "$version" ] || continue
    if [ "$version" -ge "$FLEETSHELL_MIN_JAVA" ] && [ "$version" -gt "$best_version" ]; then
      best="$candidate"
      best_version="$version"
    fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    version=$(jdk_feature_version "$candidate")
    if [ -n "$version" ] && [ "$version" -ge "$FLEETSHELL_MIN_JAVA" ]; then
      best="$candidate"
    fi
  fi
  if [ -z "$best" ]; then
    echo "fleetshell needs a JDK $FLEETSHELL_MIN_JAVA or newer and found none" \
         "(JAVA_HOME=${JAVA_HOME:-unset}; looked in /usr/lib/jvm, /opt/java, ~/.sdkman, ~/.jdks)." >&2
    echo "Install one, e.g. Eclipse Temurin 25 (https://adoptium.net) or your distribution's openjdk-25-jdk," \
         "then run again or set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
}
