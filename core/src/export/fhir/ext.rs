//! Regimen's own extensions on the resources of an export (under
//! [`crate::interop::fhir::EXTENSION_BASE`]), instants as FHIR writes them, and a record carried
//! whole as nested extensions (the settings).
//!
//! A simple extension is `{"url": BASE + name, "valueX": ...}`; a complex one has parts, each
//! `{"url": part, "valueX": ...}` or parts of its own. Readers take Regimen's extensions of a
//! resource by name and ignore foreign ones.

use chrono::{DateTime, SecondsFormat};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::interop::fhir::EXTENSION_BASE;
use crate::interop::fhir::json::{element, list, number, object};
use crate::time::Timestamp;

/// An instant as a FHIR `dateTime` in UTC, to the millisecond when it has a fraction.
pub(super) fn instant_json(at: Timestamp) -> Value {
    let format = if at.as_millis().rem_euclid(1000) == 0 {
        SecondsFormat::Secs
    } else {
        SecondsFormat::Millis
    };
    at.to_datetime().to_rfc3339_opts(format, true).into()
}

/// A FHIR `dateTime` or `instant` with a time and an offset, as an instant.
pub(super) fn instant(value: &Value, field: &'static str) -> Result<Timestamp> {
    let text = value
        .as_str()
        .ok_or_else(|| Error::invalid(field, "must be a dateTime string"))?;
    let parsed = DateTime::parse_from_rfc3339(text).map_err(|_| {
        Error::invalid(
            field,
            "expected a dateTime with a time and an offset (2026-01-01T08:00:00Z)",
        )
    })?;
    Timestamp::from_millis(parsed.timestamp_millis())
        .map_err(|_| Error::invalid(field, "must lie between the years 1900 and 2200"))
}

/// A simple extension of Regimen's: `{"url": ..., key: value}`.
pub(super) fn simple(name: &str, key: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert("url".into(), format!("{EXTENSION_BASE}{name}").into());
    map.insert(key.into(), value);
    Value::Object(map)
}

/// A complex extension of Regimen's from its parts (see [`parts`]).
pub(super) fn complex(name: &str, parts_of: &[(&str, &str, Value)]) -> Value {
    element([
        ("url", format!("{EXTENSION_BASE}{name}").into()),
        ("extension", parts(parts_of)),
    ])
}

/// `[{name: value}]`: a list of one element with one member (a note's text, a performer's name).
pub(super) fn one_member(name: &'static str, value: Value) -> Value {
    Value::from(vec![element([(name, value)])])
}

/// The parts of a complex extension, from `(part, key, value)`: `{"url": part, key: value}`
/// each (`key` `extension` for a part with parts of its own); a part whose value is null is
/// left out.
pub(super) fn parts(parts: &[(&str, &str, Value)]) -> Value {
    parts
        .iter()
        .filter(|(_, _, value)| !value.is_null())
        .map(|(part, key, value)| {
            let mut map = Map::new();
            map.insert("url".into(), (*part).into());
            map.insert((*key).into(), value.clone());
            Value::Object(map)
        })
        .collect()
}

/// Regimen's extensions of a resource or element, by name, in order; foreign ones left out.
pub(super) fn ours<'a>(
    map: &'a Map<String, Value>,
    field: &'static str,
) -> Result<Vec<(&'a str, &'a Map<String, Value>)>> {
    let mut out = Vec::new();
    for ext in list(map, "extension", field, object)? {
        let url = ext
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid(field, "an extension needs its url"))?;
        if let Some(name) = url.strip_prefix(EXTENSION_BASE) {
            out.push((name, ext));
        }
    }
    Ok(out)
}

/// The one extension `name` of Regimen's, if there; two are refused.
pub(super) fn one<'a>(
    exts: &[(&'a str, &'a Map<String, Value>)],
    name: &str,
    field: &'static str,
) -> Result<Option<&'a Map<String, Value>>> {
    let mut found = exts.iter().filter(|(n, _)| *n == name).map(|(_, e)| *e);
    let first = found.next();
    if found.next().is_some() {
        return Err(Error::invalid(field, "appears twice"));
    }
    Ok(first)
}

/// The value `key` of a simple extension or part.
pub(super) fn value<'a>(
    ext: &'a Map<String, Value>,
    key: &str,
    field: &'static str,
) -> Result<&'a Value> {
    ext.get(key)
        .ok_or_else(|| Error::invalid(field, format!("needs {key}")))
}

/// The parts of a complex extension, by their urls.
pub(super) struct Parts<'a> {
    parts: Vec<(&'a str, &'a Map<String, Value>)>,
    field: &'static str,
}

impl<'a> Parts<'a> {
    /// The parts of `ext`, named `field` in errors.
    pub(super) fn of(ext: &'a Map<String, Value>, field: &'static str) -> Result<Self> {
        let mut parts = Vec::new();
        for part in list(ext, "extension", field, object)? {
            let url = part
                .get("url")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::invalid(field, "each part needs its url"))?;
            parts.push((url, part));
        }
        Ok(Parts { parts, field })
    }

    /// The value `key` of part `url`, if the part is there.
    pub(super) fn get(&self, url: &str, key: &str) -> Result<Option<&'a Value>> {
        match self.parts.iter().find(|(u, _)| *u == url) {
            None => Ok(None),
            Some((_, part)) => part
                .get(key)
                .map(Some)
                .ok_or_else(|| Error::invalid(self.field, format!("part {url} needs {key}"))),
        }
    }

    /// The value `key` of part `url`, which must be there.
    pub(super) fn need(&self, url: &str, key: &str) -> Result<&'a Value> {
        self.get(url, key)?
            .ok_or_else(|| Error::invalid(self.field, format!("needs the part {url}")))
    }

    /// The part `url` itself (for one with parts of its own).
    pub(super) fn part(&self, url: &str) -> Option<&'a Map<String, Value>> {
        self.parts.iter().find(|(u, _)| *u == url).map(|(_, p)| *p)
    }
}

/// A JSON string value, named `field` in errors.
pub(super) fn text(value: &Value, field: &'static str) -> Result<String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::invalid(field, "must be a string"))
}

/// A whole number, named `field` in errors.
pub(super) fn whole(value: &Value, field: &'static str) -> Result<i64> {
    value
        .as_i64()
        .ok_or_else(|| Error::invalid(field, "must be a whole number"))
}

/// A decimal, named `field` in errors.
pub(super) fn decimal(value: &Value, field: &'static str) -> Result<f64> {
    value
        .as_f64()
        .ok_or_else(|| Error::invalid(field, "must be a number"))
}

/// A record (a JSON object of strings, numbers, true/false and objects, as serde writes
/// Regimen's settings) as nested extensions: each member one part, an object a part with
/// parts of its own, a null member left out.
pub(super) fn record_parts(record: &Value) -> Vec<Value> {
    let Value::Object(map) = record else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(key, value)| {
            let (name, value) = match value {
                Value::Object(_) => ("extension", Value::Array(record_parts(value))),
                Value::String(s) => ("valueString", Value::from(s.as_str())),
                Value::Bool(b) => ("valueBoolean", Value::from(*b)),
                Value::Number(n) if n.is_i64() || n.is_u64() => ("valueInteger", value.clone()),
                Value::Number(n) => ("valueDecimal", number(n.as_f64().unwrap_or_default())),
                Value::Null | Value::Array(_) => return None,
            };
            let mut part = Map::new();
            part.insert("url".into(), key.as_str().into());
            part.insert(name.into(), value);
            Some(Value::Object(part))
        })
        .collect()
}

/// The record [`record_parts`] wrote, read back from the parts of `ext` (at most `depth`
/// levels deep).
pub(super) fn record_of(ext: &Map<String, Value>, field: &'static str, depth: u8) -> Result<Value> {
    let mut out = Map::new();
    for part in list(ext, "extension", field, object)? {
        let key = part
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid(field, "each part needs its url"))?;
        let value = if part.contains_key("extension") {
            if depth == 0 {
                return Err(Error::invalid(field, "nested too deep"));
            }
            record_of(part, field, depth - 1)?
        } else if let Some(value) = [
            "valueString",
            "valueBoolean",
            "valueInteger",
            "valueDecimal",
        ]
        .iter()
        .find_map(|key| part.get(*key))
        {
            value.clone()
        } else {
            return Err(Error::invalid(
                field,
                "a part needs a string, boolean, integer or decimal value",
            ));
        };
        out.insert(key.to_owned(), value);
    }
    Ok(Value::Object(out))
}
