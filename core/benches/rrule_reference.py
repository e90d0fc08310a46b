"""Python reference for the Rust criterion benchmark `schedule/expand_year_50x4`.

Measures python-dateutil's rrule expanding a year of 50 medicines at 4 doses a
day (73,000 occurrences) into sorted UTC instants: medicine i (0..49) is taken
daily at 08:00, 12:00, 16:00 and 20:00 Europe/Berlin wall-clock time, each
shifted by i minutes, from 2025-01-01 through 2025-12-31. One timed run is the
whole expansion: building the rrules, expanding them, converting every local
time to UTC with zoneinfo, and sorting the merged list.

Needs only the standard library and python-dateutil; run it through
rrule_reference.sh, which sets up a pinned virtual environment.
Prints `rrule_expand_year_50x4: median_ms=.. min_ms=.. runs=.. occurrences=..`
and a version line, or one JSON object with --json.
"""

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import dateutil
from dateutil.rrule import DAILY, rrule

ZONE = ZoneInfo("Europe/Berlin")
MEDICINES = 50
DOSE_HOURS = (8, 12, 16, 20)
START = datetime(2025, 1, 1)  # naive local wall-clock time
UNTIL = datetime(2025, 12, 31, 23, 59, 59)
EXPECTED = MEDICINES * len(DOSE_HOURS) * 365  # 73,000


def expand_medicine(i):
    """UTC instants of medicine i's doses, in order."""
    rule = rrule(DAILY, dtstart=START, until=UNTIL, byhour=DOSE_HOURS, byminute=i, bysecond=0)
    return [local.replace(tzinfo=ZONE, fold=0).astimezone(timezone.utc) for local in rule]


def expand_all():
    """All medicines' UTC instants, merged and sorted."""
    instants = []
    for i in range(MEDICINES):
        instants.extend(expand_medicine(i))
    instants.sort()
    return instants


def check(condition, message):
    if not condition:  # not `assert`: must also hold under `python -O`
        sys.exit(f"rrule_reference: check failed: {message}")


def check_results(instants):
    check(len(instants) == EXPECTED, f"expected {EXPECTED} occurrences, got {len(instants)}")
    first = expand_medicine(0)
    utc = lambda *args: datetime(*args, tzinfo=timezone.utc)
    check(first[0] == utc(2025, 1, 1, 7, 0), f"medicine 0 starts at {first[0]}, not 07:00Z")
    july_first_0800 = first[(date(2025, 7, 1) - date(2025, 1, 1)).days * len(DOSE_HOURS)]
    check(july_first_0800 == utc(2025, 7, 1, 6, 0), f"medicine 0 on 2025-07-01 08:00 is {july_first_0800}, not 06:00Z")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs after one warm-up (default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    check_results(expand_all())  # also the warm-up run
    times_ms = []
    for _ in range(args.runs):
        start = time.perf_counter()
        instants = expand_all()
        times_ms.append((time.perf_counter() - start) * 1000)
        check(len(instants) == EXPECTED, f"run produced {len(instants)} occurrences")

    result = {
        "median_ms": round(statistics.median(times_ms), 3),
        "min_ms": round(min(times_ms), 3),
        "runs": args.runs,
        "occurrences": EXPECTED,
        "python": platform.python_version(),
        "dateutil": dateutil.__version__,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"rrule_expand_year_50x4: median_ms={result['median_ms']} min_ms={result['min_ms']}"
            f" runs={result['runs']} occurrences={result['occurrences']}"
        )
        print(f"python={result['python']} dateutil={result['dateutil']}")


if __name__ == "__main__":
    main()
