#!/usr/bin/env bash
# Runs tests/python/fhir_peer.py in <repo>/.cache/venv-fhir (git-ignored), created on first use
# with pinned packages from PyPI; later runs do not touch the network.
# Exits 3 if the environment cannot be set up (see venv.sh).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=venv.sh
source "$here/venv.sh"
# Every package pinned, fhir.resources' dependencies included, so a run next year installs the
# same. fhir.resources 6.4.0 is the last release whose top-level models are FHIR R4 (4.0.1):
# 6.5.0 moved the top level to R4B (4.3.0) and 7.x+ to R5. It needs pydantic 1.x.
pins="fhir.resources==6.4.0 pydantic==1.10.27 email-validator==2.4.0 dnspython==2.9.2 \
idna==3.20 typing_extensions==4.16.0"

pinned_venv fhir "$pins" 'import fhir.resources as r; assert r.__fhir_version__ == "4.0.1"'

exec "$venv/bin/python" "$here/fhir_peer.py" "$@"
