#!/usr/bin/env bash
# End-to-end check of the stand-in pharmacy with curl on 127.0.0.1: starts `run.sh serve 0`,
# drives the FHIR and control APIs, checks `run.sh parse` on the examples, and prints
# "N passed, N failed". Exit 0 if all passed, 1 if not, 3 if the pharmacy could not be set up.
# Needs curl and python3 (for reading JSON).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
examples="$here/examples"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

check() { # NAME EXPECTED ACTUAL
    if [[ $2 == "$3" ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf 'FAIL %s: expected [%s], got [%s]\n' "$1" "$2" "$3" >&2
    fi
}

# JSON field from a file: jget FILE PYTHON-EXPRESSION-ON-d
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# curl that writes the body to $tmp/body and prints the HTTP status (000: no answer).
req() { curl -s -o "$tmp/body" -w '%{http_code}' "$@"; }

# --- parse mode -----------------------------------------------------------------------------
"$here/run.sh" parse "$examples"/valid-*.json >"$tmp/parse-valid"
rc=$?
[[ $rc -eq 3 ]] && { echo "pharmacy: environment could not be set up" >&2; exit 3; }
check "parse valid exit" 0 "$rc"
check "parse valid lines" 4 "$(wc -l <"$tmp/parse-valid")"
"$here/run.sh" parse "$examples"/invalid-*.json >"$tmp/parse-invalid"
check "parse invalid exit" 1 "$?"
check "parse invalid: every file has errors" "" \
    "$(python3 -c 'import json,sys; [print(l["file"]) for l in map(json.loads, open(sys.argv[1])) if not l["errors"]]' "$tmp/parse-invalid")"

# --- serve ----------------------------------------------------------------------------------
coproc PHARMACY { exec "$here/run.sh" serve 0 2>"$tmp/stderr"; }
pharmacy_pid=$PHARMACY_PID
if ! read -r -t 300 ready url <&"${PHARMACY[0]}" || [[ $ready != READY ]]; then
    wait "$pharmacy_pid"
    rc=$?
    cat "$tmp/stderr" >&2
    [[ $rc -eq 3 ]] && exit 3
    echo "pharmacy did not start" >&2
    exit 1
fi
base="${url%/fhir}"
fhir=(-H 'Content-Type: application/fhir+json')
identifier='urn:ietf:rfc:3986|urn:uuid:6f1c2a4e-8f0b-4a53-9d7e-0c1b2f3a4d5e'

check "prescriptions" 200 "$(req -X POST "$base/control/prescriptions" --data-binary @"$examples/valid-bundle.json")"
check "search by patient" 200 "$(req "$url/MedicationRequest?patient=Patient/p1")"
check "search by patient: searchset of 2" "searchset 2" "$(jget "$tmp/body" 'd["type"], d["total"]' | tr -d "(),'")"

check "create Task" 201 "$(req -X POST "$url/Task" "${fhir[@]}" -H "If-None-Exist: identifier=$identifier" --data-binary @"$examples/valid-task.json")"
task_id="$(jget "$tmp/body" 'd["id"]')"
check "create Task again: the same Task" 200 "$(req -X POST "$url/Task" "${fhir[@]}" -H "If-None-Exist: identifier=$identifier" --data-binary @"$examples/valid-task.json")"
check "create Task again: body" "$task_id" "$(jget "$tmp/body" 'd["id"]')"
check "invalid Task" 422 "$(req -X POST "$url/Task" "${fhir[@]}" --data-binary @"$examples/invalid-task-status.json")"
check "invalid Task: OperationOutcome" OperationOutcome "$(jget "$tmp/body" 'd["resourceType"]')"
req "$base/control/state" >/dev/null
check "one Task, three attempts" "1 3" "$(jget "$tmp/body" 'd["tasks"], d["task_creates_attempted"]' | tr -d '(),')"
check "validation log: last rejected" "False" "$(jget "$tmp/body" 'd["validations"][-1]["accepted"]')"

for status in accepted in-progress ready; do
    check "move to $status" 200 "$(req -X POST "$base/control/task/$task_id/status?to=$status")"
done
check "ready: businessStatus" "ready for pickup" "$(jget "$tmp/body" 'd["businessStatus"]["text"]')"
check "move to completed" 200 "$(req -X POST "$base/control/task/$task_id/status?to=completed")"
check "completed: output" "MedicationDispense/dispense-1" "$(jget "$tmp/body" 'd["output"][0]["valueReference"]["reference"]')"
check "completed: version" 5 "$(jget "$tmp/body" 'd["meta"]["versionId"]')"
req "$base/control/state" >/dev/null
check "every Task the pharmacy wrote validates" "" \
    "$(jget "$tmp/body" '" ".join(e for v in d["validations"] if v["source"] == "control" for e in v["errors"])')"
check "dispense by prescription" 200 "$(req "$url/MedicationDispense?prescription=MedicationRequest/rx1")"
check "dispense: quantity, medication" "30 Amlodipine 5 mg tablet" \
    "$(jget "$tmp/body" '"%s %s" % (d["entry"][0]["resource"]["quantity"]["value"], d["entry"][0]["resource"]["medicationCodeableConcept"]["text"])')"

check "set the clock" 200 "$(req -X POST "$base/control/clock?now=2026-12-05T08:00:00Z")"
check "rejected: reason" "Out of stock 2026-12-05T08:00:00+00:00" \
    "$(curl -s -X POST "$base/control/task/$task_id/status?to=rejected&reason=Out%20of%20stock" >"$tmp/body" \
        && jget "$tmp/body" '"%s %s" % (d["statusReason"]["text"], d["lastModified"])')"

check "arm fail-next" 200 "$(req -X POST "$base/control/fail-next?status=503&count=2")"
check "fail-next 1" 503 "$(req "$url/Task/$task_id")"
check "fail-next 2" 503 "$(req "$url/Task/$task_id")"
check "fail-next over" 200 "$(req "$url/Task/$task_id")"

check "arm reject-next" 200 "$(req -X POST "$base/control/reject-next?status=400&message=Prescription%20expired")"
check "reject-next" 400 "$(req -X POST "$url/Task" "${fhir[@]}" --data-binary @"$examples/valid-task.json")"
check "reject-next: diagnostics" "Prescription expired" "$(jget "$tmp/body" 'd["issue"][0]["diagnostics"]')"

sed 's/6f1c2a4e/7f1c2a4e/' "$examples/valid-task.json" >"$tmp/task2.json"
identifier2='urn:ietf:rfc:3986|urn:uuid:7f1c2a4e-8f0b-4a53-9d7e-0c1b2f3a4d5e'
check "arm drop-answer-next" 200 "$(req -X POST "$base/control/drop-answer-next")"
check "drop-answer-next: no answer" 000 "$(req -X POST "$url/Task" "${fhir[@]}" -H "If-None-Exist: identifier=$identifier2" --data-binary @"$tmp/task2.json")"
check "retry after lost answer: found" 200 "$(req -X POST "$url/Task" "${fhir[@]}" -H "If-None-Exist: identifier=$identifier2" --data-binary @"$tmp/task2.json")"
req "$base/control/state" >/dev/null
check "two Tasks after the lost answer" 2 "$(jget "$tmp/body" 'd["tasks"]')"

# stdin closed: the pharmacy stops by itself
exec {PHARMACY[1]}>&-
wait "$pharmacy_pid"
check "stops when stdin closes" 0 "$?"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
