#!/usr/bin/env bash
# Python reference for the Rust criterion benchmark schedule/expand_year_50x4:
# times python-dateutil's rrule expanding a year of 50 medicines x 4 doses/day.
# The first run creates <repo>/.cache/venv-bench (git-ignored) with pinned
# packages; later runs reuse it without touching the network.
# Usage: core/benches/rrule_reference.sh [--runs N] [--json]   (PYTHON=... to pick the interpreter)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(cd "$here/../.." && pwd)/.cache/venv-bench"
pins="python-dateutil==2.9.0.post0 six==1.16.0"

if [[ "$(cat "$venv/.pins" 2>/dev/null)" != "$pins" ]]; then
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv"
    # shellcheck disable=SC2086  # $pins is a list of requirements
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input $pins >&2
    echo "$pins" >"$venv/.pins"
fi

exec "$venv/bin/python" "$here/rrule_reference.py" "$@"
