"""A FHIR R4 (4.0.1) peer built from the Python library fhir.resources 6.4.0 (pydantic 1.x
models generated from the R4 StructureDefinitions), for Regimen's FHIR interop tests: a second,
independent opinion on whether the JSON that Regimen writes is R4.

  fhir_peer.py [--lenient] FILE...   parses each file (one JSON resource per file)
  fhir_peer.py [--lenient] [-]       parses JSON documents from stdin, one per line
                                     (blank lines skipped)

Each input is parsed with the fhir.resources class named by its resourceType (a Bundle's
entries and contained resources by their own classes, as fhir.resources does). One JSON line
per input, in order:
  {"resourceType": "Task", "ok": true, "error": null, "file": "a.json"}   ("line": N from stdin)
"resourceType" is null when the input has none (or is not JSON). Exit 0 if every input
parsed, 1 otherwise, 2 on wrong usage. (fhir_peer.sh exits 3 when its virtual environment
cannot be set up.)

What fhir.resources checks: element names (unknown ones are errors), cardinality (required
elements, lists vs single values), choice types (value[x]: exactly one where required), the
regular expressions of id, code, uri and the like, resource types of nested resources.
What it does not: code values against bindings (Task.status "bogus" passes), invariants
(FHIRPath constraints), profiles. And pydantic 1.x coerces JSON types (5 -> "5", "30" -> 30,
"true" -> True, 5 -> a 1970 dateTime) and takes a dateTime with a time but no zone, and null,
[] or {} for an element. So unless --lenient is given, this peer also checks, walking the raw
JSON beside the models, that every primitive has R4's JSON type, that date, dateTime, instant
and time match R4's regular expressions, and that no element is null or empty; such a failure
reads "not R4 JSON (fhir.resources takes it): PATH: ...".
"""

import decimal
import json
import re
import signal
import sys

import fhir.resources
from fhir.resources import fhirtypes, get_fhir_model_class
from fhir.resources.resource import Resource
from pydantic import ValidationError

STRICT = True  # --lenient: fhir.resources' verdict alone

assert fhir.resources.__fhir_version__ == "4.0.1", fhir.resources.__fhir_version__


# FHIR R4's regular expressions for the date and time primitives (datatypes.html); Python's
# datetime parsing that fhir.resources uses is looser (it takes a time without a zone, or 5).
_YEAR = r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
_ZONE = r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_CLOCK = r"([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?"
_DAY = r"(0[1-9]|[1-2][0-9]|3[0-1])"
_MONTH = r"(0[1-9]|1[0-2])"
_FORMATS = {
    "Date": _YEAR + rf"(-{_MONTH}(-{_DAY})?)?",
    "DateTime": _YEAR + rf"(-{_MONTH}(-{_DAY}(T{_CLOCK}{_ZONE})?)?)?",
    "Instant": _YEAR + rf"-{_MONTH}-{_DAY}T{_CLOCK}{_ZONE}",
    "Time": _CLOCK,
}


def strict_json_problems(model_class, data, path):
    """What pydantic 1.x lets through but R4's JSON format forbids, as a list of messages.

    pydantic 1.x coerces: "status": 5 becomes "5", "valueInteger": "30" becomes 30,
    "valueBoolean": "true" becomes True, "authoredOn": 5 becomes a datetime in 1970, and it takes
    "2026-12-02T10:00:00" (a time without a zone) and null, [] or {} for an element. FHIR JSON
    has strings for string-like and date primitives, numbers for integer and decimal, true/false
    for boolean, and no empty elements. Walks the raw JSON alongside the model's fields.
    """
    problems = []
    if not isinstance(data, dict):
        return problems
    by_alias = {field.alias: field for field in model_class.__fields__.values()}
    for key, value in data.items():
        field = by_alias.get(key)
        if field is None:
            continue
        inner = field.type_
        if value is None or value == [] or value == {}:
            # FHIR JSON leaves an empty element out rather than sending it (json.html).
            problems.append(f"{path}.{key}: {json.dumps(value)} (FHIR JSON leaves it out)")
            continue
        many = isinstance(value, list)
        for index, item in enumerate(value if many else [value]):
            where = f"{path}.{key}" + (f"[{index}]" if many else "")
            if isinstance(inner, type) and issubclass(inner, _COMPLEX):
                nested = _model_for(inner, item)
                if nested is not None:
                    problems += strict_json_problems(nested, item, where)
            elif isinstance(inner, type) and issubclass(inner, _PRIMITIVES):
                problem = _primitive_problem(inner, item)
                if problem:
                    problems.append(f"{where}: {problem}")
    return problems


# Complex types and resources (two unrelated base classes in fhir.resources 6.x).
_COMPLEX = (fhirtypes.AbstractType, fhirtypes.AbstractBaseType)
# Some fields (Extension.valueBoolean, ...) are plain Python types rather than fhirtypes.
_PRIMITIVES = (fhirtypes.Primitive, bool, int, decimal.Decimal, str)


def _model_for(type_class, item):
    if not isinstance(item, dict):
        return None
    name = type_class.__resource_type__
    if name in ("Resource", "DomainResource") or "resourceType" in item:
        name = item.get("resourceType", name)  # a contained resource or a Bundle entry
    try:
        return get_fhir_model_class(name)
    except (KeyError, LookupError):
        return None


def _primitive_problem(primitive, item):
    if item is None:
        return None
    name = primitive.__name__
    if issubclass(primitive, (fhirtypes.Boolean, bool)):
        return None if isinstance(item, bool) else f"{json.dumps(item)} is not a JSON boolean"
    if issubclass(primitive, (int, decimal.Decimal)):
        ok = isinstance(item, (int, float)) and not isinstance(item, bool)
        return None if ok else f"{json.dumps(item)} is not a JSON number"
    if not isinstance(item, str):
        return f"{json.dumps(item)} is not a JSON string ({name})"
    pattern = _FORMATS.get(name)
    if pattern and not re.fullmatch(pattern, item):
        return f"{json.dumps(item)} is not an R4 {name[0].lower() + name[1:]}"
    return None


def _describe(error):
    parts = []
    for item in error.errors():
        location = ".".join(str(part) for part in item.get("loc", ()))
        parts.append(f"{location}: {item.get('msg')}" if location else str(item.get("msg")))
    return "; ".join(parts) or str(error)


def check(text):
    """Returns (resourceType or None, error or None)."""
    try:
        data = json.loads(text)
    except ValueError as error:
        return None, f"not JSON: {error}"
    if not isinstance(data, dict):
        return None, "not a JSON object"
    resource_type = data.get("resourceType")
    if not isinstance(resource_type, str):
        return None, "no resourceType"
    try:
        model_class = get_fhir_model_class(resource_type)
    except KeyError:
        return resource_type, f"unknown resourceType {resource_type!r} in FHIR R4"
    if not issubclass(model_class, Resource):
        return resource_type, f"{resource_type!r} is a data type, not a resource"
    try:
        model_class.parse_obj(data)
    except ValidationError as error:
        return resource_type, _describe(error)
    except (TypeError, ValueError) as error:
        return resource_type, f"{type(error).__name__}: {error}"
    if STRICT:
        problems = strict_json_problems(model_class, data, resource_type)
        if problems:
            return resource_type, "not R4 JSON (fhir.resources takes it): " + "; ".join(problems)
    return resource_type, None


def main(args):
    global STRICT
    if any(arg in ("-h", "--help") for arg in args):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if args[:1] == ["--lenient"]:
        STRICT = False
        args = args[1:]
    inputs = []  # (label key, label value, text)
    if not args or args == ["-"]:
        for number, line in enumerate(sys.stdin, start=1):
            if line.strip():
                inputs.append(("line", number, line))
    else:
        for name in args:
            try:
                with open(name, encoding="utf-8") as handle:
                    inputs.append(("file", name, handle.read()))
            except OSError as error:
                inputs.append(("file", name, None))
                print(f"fhir_peer: {name}: {error}", file=sys.stderr)
    if not inputs:
        print("fhir_peer: no input", file=sys.stderr)
        return 2
    all_ok = True
    for key, label, text in inputs:
        if text is None:
            resource_type, error = None, "cannot read file"
        else:
            resource_type, error = check(text)
        all_ok = all_ok and error is None
        line = {"resourceType": resource_type, "ok": error is None, "error": error, key: label}
        print(json.dumps(line), flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # a reader that stops early is no error here
    sys.exit(main(sys.argv[1:]))
