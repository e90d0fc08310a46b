#!/usr/bin/env bash
# Runs tests/python/fhir_peer.py in <repo>/.cache/venv-fhir (git-ignored), created on first use
# with pinned packages from PyPI; later runs do not touch the network.
# Exits 3 if the environment cannot be set up (so a test can tell that from a peer's "no").
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(cd "$here/../.." && pwd)/.cache/venv-fhir"
# Every package pinned, fhir.resources' dependencies included, so a run next year installs the
# same. fhir.resources 6.4.0 is the last release whose top-level models are FHIR R4 (4.0.1):
# 6.5.0 moved the top level to R4B (4.3.0) and 7.x+ to R5. It needs pydantic 1.x.
pins="fhir.resources==6.4.0 pydantic==1.10.27 email-validator==2.4.0 dnspython==2.9.2 \
idna==3.20 typing_extensions==4.16.0"

# Tests run in parallel: one sets the environment up while the others wait.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [[ "$(cat "$venv/.pins" 2>/dev/null)" != "$pins" ]]; then
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv" >&2 || exit 3
    # shellcheck disable=SC2086  # $pins is a list of requirements
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input $pins >&2 || exit 3
    "$venv/bin/python" -c 'import fhir.resources as r; assert r.__fhir_version__ == "4.0.1"' >&2 || exit 3
    echo "$pins" >"$venv/.pins"
fi
flock -u 9

exec "$venv/bin/python" "$here/fhir_peer.py" "$@"
