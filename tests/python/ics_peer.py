"""Reads an iCalendar file the way a calendar app would, for Regimen's calendar export tests.

    ics_peer.py FROM TO < calendar.ics

FROM and TO are UTC instants (2025-01-01T00:00:00Z). Prints one JSON object:
- "lines": what breaks RFC 5545 3.1 in the raw text (a line not ended by CRLF, one longer
  than 75 octets), empty when nothing does;
- "series": per UID, the event's SUMMARY, X-REGIMEN-EXPORT, whether it has an RRULE and how
  many EXDATE and RDATE values;
- "instants": per UID, every occurrence that recurring-ical-events expands in [FROM, TO), as
  UTC instants, with the time zones icalendar knows by their TZID;
- "vtimezones": per VTIMEZONE, the tzinfo icalendar builds from the file's own observances
  alone, and the instants (every quarter of an hour of [FROM, TO)) whose local time it gives
  another UTC offset than the zone database does.
"""

import datetime as dt
import json
import sys
import zoneinfo

import icalendar
import recurring_ical_events


def instant(text):
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def utc_text(value):
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def line_problems(raw):
    problems = []
    if not raw.endswith(b"\r\n"):
        problems.append("the file does not end with CRLF")
    for number, line in enumerate(raw.split(b"\r\n")[:-1], start=1):
        if b"\n" in line or b"\r" in line:
            problems.append(f"line {number} has a bare line break")
        if len(line) > 75:
            problems.append(f"line {number} has {len(line)} octets")
    return problems


def expand(calendar, start, end):
    out = {}
    for event in recurring_ical_events.of(calendar).between(start, end):
        value = event["DTSTART"].dt
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise SystemExit(f"an occurrence of {event['UID']} is not an instant: {value!r}")
        out.setdefault(str(event["UID"]), []).append(utc_text(value))
    return {uid: sorted(times) for uid, times in out.items()}


def count_values(event, name):
    values = event.get(name)
    if values is None:
        return 0
    if not isinstance(values, list):
        values = [values]
    return sum(len(v.dts) for v in values)


def main():
    start, end = instant(sys.argv[1]), instant(sys.argv[2])
    raw = sys.stdin.buffer.read()
    calendar = icalendar.Calendar.from_ical(raw)
    series = {}
    for event in calendar.walk("VEVENT"):
        series[str(event["UID"])] = {
            "summary": str(event.get("SUMMARY", "")),
            "export": str(event.get("X-REGIMEN-EXPORT", "")),
            "rrule": "RRULE" in event,
            "exdates": count_values(event, "EXDATE"),
            "rdates": count_values(event, "RDATE"),
        }
    vtimezones = {}
    for component in calendar.walk("VTIMEZONE"):
        name = str(component["TZID"])
        own = component.to_tz(lookup_tzid=False)
        known = zoneinfo.ZoneInfo(name)
        differs = []
        at = start
        while at < end:
            # The local time there (with PEP 495's fold in a repeated hour), read with the
            # file's zone. (Not own.fromutc: dateutil's misplaces the 30-minute fold of
            # Lord Howe by half an hour, though its own transitions are right.)
            local = at.astimezone(known)
            if local.replace(tzinfo=own).utcoffset() != local.utcoffset():
                differs.append(utc_text(at))
            at += dt.timedelta(minutes=15)
        vtimezones[name] = {"kind": type(own).__module__, "differs": differs}
    print(
        json.dumps(
            {
                "lines": line_problems(raw),
                "series": series,
                "instants": expand(calendar, start, end),
                "vtimezones": vtimezones,
            }
        )
    )


if __name__ == "__main__":
    main()
