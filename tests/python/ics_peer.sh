#!/usr/bin/env bash
# Runs tests/python/ics_peer.py in <repo>/.cache/venv-ics (git-ignored), created on first use
# with pinned packages from PyPI; later runs do not touch the network.
# Exits 3 if the environment cannot be set up (see venv.sh).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=venv.sh
source "$here/venv.sh"
# Every package pinned, the readers' dependencies included, so a run next year installs the
# same: icalendar parses the file (and builds time zones from its VTIMEZONEs),
# recurring-ical-events expands RRULE, RDATE and EXDATE (through python-dateutil).
pins="icalendar==7.3.0 recurring-ical-events==3.8.2 python-dateutil==2.9.0.post0 six==1.17.0 \
tzdata==2026.6 x-wr-timezone==2.0.1 click==8.5.1 typing_extensions==4.16.0"

pinned_venv ics "$pins" 'import icalendar, recurring_ical_events'

exec "$venv/bin/python" "$here/ics_peer.py" "$@"
