#!/usr/bin/env bash
# Runs Regimen's year expansion (criterion, schedule/expand_year_50x4) and the same expansion
# in python-dateutil (rrule_reference.py) one after the other, and prints both medians and
# their ratio. Usage: bash core/benches/compare_rrule.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."

rust_line=$(cargo bench -q -p regimen-core --bench schedule -- expand_year 2>/dev/null | grep -A1 'expand_year_50x4' | grep 'time:')
python_json=$(bash "$here/rrule_reference.sh" --json)

python3 - "$rust_line" "$python_json" <<'PY'
import json, re, sys
rust_line, python_json = sys.argv[1], json.loads(sys.argv[2])
value, unit = re.findall(r"\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", rust_line)[0]
scale = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
rust_ms = float(value) * scale
print(f"regimen (criterion median): {rust_ms:.2f} ms")
print(f"python-dateutil rrule (median of {python_json['runs']}): {python_json['median_ms']:.1f} ms")
print(f"ratio: {python_json['median_ms'] / rust_ms:.0f}x")
PY
