#!/usr/bin/env bash
# Runs tests/python/ics_peer.py in <repo>/.cache/venv-ics (git-ignored), created on first use
# with pinned packages from PyPI; later runs do not touch the network.
# Exits 3 if the environment cannot be set up (so a test can tell that from a peer's "no").
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(cd "$here/../.." && pwd)/.cache/venv-ics"
# Every package pinned, the readers' dependencies included, so a run next year installs the
# same: icalendar parses the file (and builds time zones from its VTIMEZONEs),
# recurring-ical-events expands RRULE, RDATE and EXDATE (through python-dateutil).
pins="icalendar==7.3.0 recurring-ical-events==3.8.2 python-dateutil==2.9.0.post0 six==1.17.0 \
tzdata==2026.6 x-wr-timezone==2.0.1 click==8.5.1 typing_extensions==4.16.0"

# Tests run in parallel: one sets the environment up while the others wait.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [[ "$(cat "$venv/.pins" 2>/dev/null)" != "$pins" ]]; then
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv" >&2 || exit 3
    # shellcheck disable=SC2086  # $pins is a list of requirements
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input $pins >&2 || exit 3
    "$venv/bin/python" -c 'import icalendar, recurring_ical_events' >&2 || exit 3
    echo "$pins" >"$venv/.pins"
fi
flock -u 9

exec "$venv/bin/python" "$here/ics_peer.py" "$@"
