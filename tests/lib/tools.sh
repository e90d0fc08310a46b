# Installs the tools the tests need into .cache/tools (git-ignored) on first use, re-uses
# them afterwards, and exports their paths. Source it, then call the ensure_* functions:
#   ensure_kotlin             -> KOTLINC, KOTLIN_LIB
#   ensure_jvm_jars           -> JNA_JAR, JUNIT_CONSOLE_JAR, JNA_JVM_OPTS
#   ensure_tree_sitter_swift  -> TREE_SITTER_NODE_MODULES
#   ensure_android_jars       -> ANDROID_ALL_JAR, UNIFIEDPUSH_JAR, ZXING_JAR (into .cache/maven)
# Needs npm, node, java, apt-get, dpkg, curl and python3; installs nothing system-wide. Each tool is built
# in DIR.tmp and renamed to DIR once verified, so an interrupted install is redone next time.
# Every step checks its status (|| return), so failures stop the install even where the
# caller has disabled errexit (e.g. `ensure_kotlin || exit 1`).

TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/tools"

_tools_say() { printf 'tools: %s\n' "$*" >&2; }

# Prints the single regular file named NAME (a glob) under DIR, or fails.
_tools_find_one() {
  local found
  found=$(find "$1" -type f -name "$2")
  if [[ -z $found || $found == *$'\n'* ]]; then
    _tools_say "expected one file named $2 under $1, found: ${found:-none}"
    return 1
  fi
  printf '%s\n' "$found"
}

# kotlinc from the npm package kotlin-compiler (package/bin/kotlinc, package/lib/*.jar).
ensure_kotlin() {
  local version=2.4.20
  local dir="$TOOLS_DIR/kotlin-$version"
  if [[ ! -d $dir ]]; then
    _tools_say "installing kotlinc $version (npm pack kotlin-compiler)"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" || return
    (cd "$dir.tmp" && npm pack --silent "kotlin-compiler@$version" >/dev/null \
      && tar xzf "kotlin-compiler-$version.tgz" && rm "kotlin-compiler-$version.tgz") || return
    local banner
    banner=$("$dir.tmp/package/bin/kotlinc" -version 2>&1)
    [[ $banner == *"kotlinc-jvm $version"* ]] || { _tools_say "kotlinc broken: $banner"; return 1; }
    mv "$dir.tmp" "$dir" || return
  fi
  export KOTLINC="$dir/package/bin/kotlinc"
  export KOTLIN_LIB="$dir/package/lib"
}

# JNA 5.13 (Debian libjna-java + libjna-jni) and the JUnit 5 console launcher (Debian junit5),
# unpacked with dpkg -x instead of installed. The standalone console jar bundles its own
# dependencies (JUnit 4, opentest4j, apiguardian, picocli), so the other junit5 debs are skipped.
# Debian's jna.jar looks for libjnidispatch.system.so only in /usr/lib/jni and
# /usr/lib/<arch>/jni, then, if jna.nosys=false, through System.loadLibrary, i.e. on
# java.library.path (jna.boot.library.path is ignored by Debian's build). Hence JNA_JVM_OPTS.
ensure_jvm_jars() {
  local debs="$TOOLS_DIR/debs" root="$TOOLS_DIR/root"
  if [[ ! -d $root ]]; then
    _tools_say "installing JNA + JUnit 5 console (apt-get download, dpkg -x)"
    local packages=(libjna-java libjna-jni junit5) deb
    rm -rf "$debs" "$root.tmp" && mkdir -p "$debs" || return
    # -o APT::Sandbox::User=root: the _apt user may not write to $debs (a warning otherwise).
    if ! (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "${packages[@]}" 2>/dev/null); then
      _tools_say "apt-get download failed (no package lists?); running apt-get update and retrying"
      apt-get update -qq || return
      (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "${packages[@]}") || return
    fi
    for deb in "$debs"/*.deb; do dpkg -x "$deb" "$root.tmp" || return; done
    _tools_check_jvm_jars "$root.tmp" || return
    mv "$root.tmp" "$root" || return
  fi
  _tools_export_jvm_jars "$root"
}

_tools_export_jvm_jars() {
  local jnidispatch
  JNA_JAR=$(_tools_find_one "$1" 'jna-5.13*.jar') || return
  JUNIT_CONSOLE_JAR=$(_tools_find_one "$1" junit-platform-console-standalone.jar) || return
  jnidispatch=$(_tools_find_one "$1" 'libjnidispatch*.so') || return
  JNA_JVM_OPTS="-Djna.nosys=false -Djava.library.path=$(dirname "$jnidispatch")"
  export JNA_JAR JUNIT_CONSOLE_JAR JNA_JVM_OPTS
}

# Calls getpid() in libc through JNA and starts the JUnit console launcher.
_tools_check_jvm_jars() {
  _tools_export_jvm_jars "$1" || return
  cat >"$1/JnaCheck.java" <<'EOF' || return
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

public class JnaCheck {
    public interface LibC extends Library { int getpid(); }

    public static void main(String[] args) {
        LibC libc = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
        if (libc.getpid() != ProcessHandle.current().pid()) throw new AssertionError("getpid");
    }
}
EOF
  # shellcheck disable=SC2086 # JNA_JVM_OPTS holds several options
  java $JNA_JVM_OPTS -cp "$JNA_JAR" "$1/JnaCheck.java" || return
  java -jar "$JUNIT_CONSOLE_JAR" --help >/dev/null || return
  rm "$1/JnaCheck.java"
}

# tree-sitter + tree-sitter-swift for tests/swift/check_syntax.mjs. --ignore-scripts because
# tree-sitter-swift depends on tree-sitter-cli, whose install script downloads a binary; both
# parsers ship prebuilt linux-x64 addons, so no build step is needed.
ensure_tree_sitter_swift() {
  local dir="$TOOLS_DIR/node"
  if [[ ! -d $dir ]]; then
    _tools_say "installing tree-sitter 0.22.4 + tree-sitter-swift 0.7.1 (npm)"
    rm -rf "$dir.tmp" || return
    npm install --prefix "$dir.tmp" --ignore-scripts --no-audit --no-fund --loglevel=error \
      tree-sitter@0.22.4 tree-sitter-swift@0.7.1 >/dev/null || return
    (cd "$dir.tmp" && node -e '
      const Parser = require("tree-sitter");
      const parser = new Parser();
      parser.setLanguage(require("tree-sitter-swift"));
      if (parser.parse("let x = 1\n").rootNode.hasError) process.exit(1);') || return
    mv "$dir.tmp" "$dir" || return
  fi
  export TREE_SITTER_NODE_MODULES="$dir/node_modules"
}

# Jars from Maven Central for compiling the Android shell and for one test oracle, downloaded
# with curl into .cache/maven (git-ignored; not .cache/tools, which may be shared between
# checkouts) and checked against pinned SHA-256 digests:
#   ensure_android_jars -> ANDROID_ALL_JAR (the Android 14 framework classes, Robolectric's
#                          android-all, a compile classpath only), UNIFIEDPUSH_JAR (classes.jar
#                          of the UnifiedPush connector AAR), ZXING_JAR (a QR decoder for tests)
MAVEN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/maven"
MAVEN_CENTRAL=${MAVEN_CENTRAL:-https://repo1.maven.org/maven2}

# Downloads Maven Central's PATH into .cache/maven unless present, checks its SHA-256, prints
# the local file.
_maven_get() {
  local path=$1 sha256=$2 file="$MAVEN_DIR/$1"
  if [[ ! -f $file ]]; then
    _tools_say "downloading $(basename "$path") from Maven Central"
    mkdir -p "$(dirname "$file")" || return
    curl -fsSL --retry 3 -o "$file.tmp" "$MAVEN_CENTRAL/$path" || { rm -f "$file.tmp"; _tools_say "download failed: $path"; return 1; }
    mv "$file.tmp" "$file" || return
  fi
  if [[ $(sha256sum "$file" | cut -d' ' -f1) != "$sha256" ]]; then
    _tools_say "unexpected SHA-256 for $path; removing it"
    rm -f "$file"
    return 1
  fi
  printf '%s\n' "$file"
}

ensure_android_jars() {
  ANDROID_ALL_JAR=$(_maven_get org/robolectric/android-all/14-robolectric-10818077/android-all-14-robolectric-10818077.jar \
    6be2218c6a53fe3c57bc22ebdc723edcb7270a8a6f187545708aa5c0ed813977) || return
  local aar
  aar=$(_maven_get org/unifiedpush/android/connector/3.1.2/connector-3.1.2.aar \
    34db54024874bd2db86ef0df9709ac9366232db0780e0109781f21f6eabc57e7) || return
  UNIFIEDPUSH_JAR="${aar%.aar}-classes.jar"
  if [[ ! -f $UNIFIEDPUSH_JAR ]]; then
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("classes.jar"))' \
      "$aar" >"$UNIFIEDPUSH_JAR.tmp" && mv "$UNIFIEDPUSH_JAR.tmp" "$UNIFIEDPUSH_JAR" || return
  fi
  ZXING_JAR=$(_maven_get com/google/zxing/core/3.5.3/core-3.5.3.jar \
    8d8064c1636fdaef7189dd9055c7d59950a8940a12f2293956446ec3c109fd82) || return
  export ANDROID_ALL_JAR UNIFIEDPUSH_JAR ZXING_JAR
}
