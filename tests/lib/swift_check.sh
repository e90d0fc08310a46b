# Syntax-checks generated Swift bindings without a Swift toolchain. Source it, then call
#   check_swift_bindings DIR
# which parses every DIR/*.swift with tests/swift/check_syntax.mjs (tree-sitter-swift) and
# compiles every DIR/*FFI.h with `gcc -fsyntax-only` (the Clang nullability qualifiers are
# defined away for gcc; -include avoids gcc's "#pragma once in main file" warning), checking
# that some Swift file imports each header's C module.
# All checks always run; returns non-zero if any finds an error.
# Beyond that it is a syntax check only: types and names are not resolved.

# shellcheck source=tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"

SWIFT_CHECK_SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../swift" && pwd)/check_syntax.mjs"

check_swift_bindings() {
  local dir=$1 status=0 failed_headers=0 header module
  local sources=("$dir"/*.swift) headers=("$dir"/*FFI.h)
  if [[ ! -e ${sources[0]} || ! -e ${headers[0]} ]]; then
    printf 'swift: no .swift file or *FFI.h header in %s\n' "$dir" >&2
    return 1
  fi
  ensure_tree_sitter_swift || return

  node "$SWIFT_CHECK_SCRIPT" "${sources[@]}" || status=1
  for header in "${headers[@]}"; do
    gcc -fsyntax-only -fmax-errors=10 -D_Nullable= -D_Nonnull= -x c -include "$header" /dev/null \
      || ((failed_headers += 1))
    # uniffi names a Swift file after its module_name, so two namespaces sharing a module_name
    # overwrite each other's file. Catch that as a C module no Swift file imports (this assumes
    # ffi_module_name == ffi_module_filename, as with uniffi's defaults).
    module=$(basename "$header" .h)
    if ! grep -qx "[[:space:]]*import $module" "${sources[@]}"; then
      printf '%s: no .swift file imports %s (overwritten by another namespace?)\n' "$dir" "$module"
      ((failed_headers += 1))
    fi
  done
  printf 'C headers: %d file(s) checked, %d with errors\n' "${#headers[@]}" "$failed_headers"
  ((failed_headers == 0)) || status=1
  return "$status"
}
