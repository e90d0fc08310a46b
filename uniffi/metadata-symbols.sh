#!/usr/bin/env bash
# Writes uniffi/metadata-symbols.map from the debug library: the names of the binding
# generator's metadata statics, which the release library makes local and drops (build.rs).
# Run it after adding, renaming or removing an exported item; tests/run says when. Honours
# CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --locked -q -p regimen-ffi
{
  cat <<'HEADER'
/* The binding generator's metadata, one static per exported item (UNIFFI_META_*): made local
   in the release library, so that the linker drops them (build.rs says why and when). The
   bindings are generated from the debug library, which keeps them. Written by
   metadata-symbols.sh; tests/run checks that it is the debug library's list. */
{
  local:
HEADER
  nm -D --defined-only "$TARGET/debug/libregimen_ffi.so" | awk '$3 ~ /^UNIFFI_META_/ {print "    " $3 ";"}' | sort
  echo "};"
} >uniffi/metadata-symbols.map
echo "uniffi/metadata-symbols.map: $(grep -c 'UNIFFI_META_' uniffi/metadata-symbols.map) names"
