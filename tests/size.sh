#!/usr/bin/env bash
# The shipped library's size: builds the release cdylib as phones ship it (its network calls go
# through the app's HTTP client, zones from the system's database: no HTTP, TLS or zone data of
# its own), prints it next to the budget and fails if it is over. Also prints, for information,
# the desktop build (features `native-http` and `bundled-zones`, as the CLI has them), which
# fails only past a guard against growth.
# Figures and their history: docs/benchmarks.md ("Library size"). Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TARGET=${CARGO_TARGET_DIR:-target}
[[ $TARGET == /* ]] || TARGET="$PWD/$TARGET"
mib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; }
status=0
check() { # name, cargo flags, limit MiB, what the limit is
  local name=$1 flags=$2 limit=$3 kind=$4 bytes
  # As the library ships (README, "Building the shipped library"): a cdylib alone, so that
  # link-time optimisation runs over all of it.
  # shellcheck disable=SC2086
  cargo rustc --locked -q --release -p regimen-ffi --crate-type cdylib $flags
  bytes=$(stat -c %s "$TARGET/release/libregimen_ffi.so")
  printf 'library %-34s %s MiB (%s %s MiB)\n' "$name:" "$(mib "$bytes")" "$kind" "$limit"
  if awk -v b="$bytes" -v m="$limit" 'BEGIN { exit !(b > m * 1048576) }'; then
    echo "FAILED: the $name library is over its $kind"
    status=1
  fi
}
check "as phones ship it" "" 4.0 budget
check "desktop (Rust HTTP client, zone copy)" "--features native-http,bundled-zones" 6.5 guard
exit $status
