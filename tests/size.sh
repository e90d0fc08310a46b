#!/usr/bin/env bash
# The shipped library's size: builds the release cdylib as phones ship it (its network calls go
# through the app's HTTP client, zones come from the system's database: no HTTP, TLS or zone
# data of its own), prints it next to its budget, and fails over it: the budget is the guard
# (docs/benchmarks.md, "Library size"). Also prints, for information, a desktop build with the
# bundled zone database (feature `bundled-zones`), with a guard of its own just above today's
# figure. (Feature `native-http` adds nothing to a cdylib: `native_http()` is reachable only
# from Rust callers such as the CLI.) Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TARGET=${CARGO_TARGET_DIR:-target}
[[ $TARGET == /* ]] || TARGET="$PWD/$TARGET"
mib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; }
status=0
check() { # name, cargo flags, guard MiB, budget MiB (or "none")
  local name=$1 flags=$2 guard=$3 budget=$4 bytes note=""
  # As the library ships (README, "Building the shipped library"): a cdylib alone, so that
  # link-time optimisation runs over all of it.
  # shellcheck disable=SC2086
  cargo rustc --locked -q --release -p regimen-ffi --crate-type cdylib $flags
  bytes=$(stat -c %s "$TARGET/release/libregimen_ffi.so")
  if [[ $budget != none ]]; then
    note=", budget $budget MiB"
    if awk -v b="$bytes" -v m="$budget" 'BEGIN { exit !(b > m * 1048576) }'; then
      note+=", over budget"
    fi
  fi
  printf 'library %-36s %s MiB (guard %s MiB%s)\n' "$name:" "$(mib "$bytes")" "$guard" "$note"
  # The binding generator's metadata is dropped (uniffi/build.rs); the checksums the bindings
  # call at load time stay.
  local symbols
  symbols=$(nm -D --defined-only "$TARGET/release/libregimen_ffi.so")
  if grep -q 'UNIFFI_META_' <<<"$symbols" || ! grep -q 'uniffi_regimen_ffi_checksum_' <<<"$symbols"; then
    echo "FAILED: the $name library keeps the binding metadata, or lost its checksums"
    status=1
  fi
  if awk -v b="$bytes" -v g="$guard" 'BEGIN { exit !(b > g * 1048576) }'; then
    echo "FAILED: the $name library grew past its guard"
    status=1
  fi
}
check "as phones ship it" "" 4.0 4.0
check "with the zone copy (desktops)" "--features bundled-zones" 4.2 none
exit $status
