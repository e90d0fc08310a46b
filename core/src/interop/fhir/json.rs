//! JSON primitives. A reader takes the value and the FHIR path to name in errors; `member`
//! looks a path's last segment up in an object.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

pub(crate) fn key(path: &'static str) -> &'static str {
    path.rsplit('.').next().unwrap_or(path)
}

pub(crate) fn member<'a, T>(
    map: &'a Map<String, Value>,
    path: &'static str,
    read: impl FnOnce(&'a Value, &'static str) -> Result<T>,
) -> Result<Option<T>> {
    map.get(key(path))
        .map(|value| read(value, path))
        .transpose()
}

pub(crate) fn required<'a, T>(
    map: &'a Map<String, Value>,
    path: &'static str,
    read: impl FnOnce(&'a Value, &'static str) -> Result<T>,
) -> Result<T> {
    member(map, path, read)?.ok_or_else(|| Error::invalid(path, "is required"))
}

pub(crate) fn members<'a, T>(
    map: &'a Map<String, Value>,
    path: &'static str,
    read: impl Fn(&'a Value, &'static str) -> Result<T>,
) -> Result<Vec<T>> {
    list(map, key(path), path, read)
}

/// The array member `name` of a datatype, named by the datatype's path in errors.
pub(crate) fn list<'a, T>(
    map: &'a Map<String, Value>,
    name: &str,
    field: &'static str,
    read: impl Fn(&'a Value, &'static str) -> Result<T>,
) -> Result<Vec<T>> {
    match map.get(name) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(|value| read(value, field)).collect(),
        Some(_) => Err(Error::invalid(
            field,
            format!("{name} must be a JSON array"),
        )),
    }
}

/// An optional string member of a datatype, named by the datatype's path in errors.
pub(crate) fn text_member<'a>(
    map: &'a Map<String, Value>,
    name: &str,
    field: &'static str,
) -> Result<Option<&'a str>> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(Error::invalid(field, format!("{name} must be a string"))),
    }
}

pub(crate) fn object<'a>(json: &'a Value, field: &'static str) -> Result<&'a Map<String, Value>> {
    json.as_object()
        .ok_or_else(|| Error::invalid(field, "must be a JSON object"))
}

pub(crate) fn string<'a>(json: &'a Value, field: &'static str) -> Result<&'a str> {
    json.as_str()
        .ok_or_else(|| Error::invalid(field, "must be a string"))
}

pub(crate) fn boolean(json: &Value, field: &'static str) -> Result<bool> {
    json.as_bool()
        .ok_or_else(|| Error::invalid(field, "must be true or false"))
}

pub(crate) fn uint(json: &Value, field: &'static str) -> Result<u32> {
    json.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| Error::invalid(field, "must be a whole number from 0 to 4294967295"))
}

pub(crate) fn decimal(json: &Value, field: &'static str) -> Result<f64> {
    json.as_f64()
        .ok_or_else(|| Error::invalid(field, "must be a number"))
}

/// A FHIR code read into one of the schedule's enums (their serde names are FHIR's codes).
pub(crate) fn code<T: DeserializeOwned>(json: &Value, field: &'static str) -> Result<T> {
    parse_code(string(json, field)?)
        .ok_or_else(|| Error::invalid(field, "not a code FHIR defines here"))
}

pub(crate) fn parse_code<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(Value::from(code)).ok()
}

/// A decimal as FHIR writes it: whole numbers without a fraction.
pub(crate) fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9e15 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

/// An element written: an object of `members`, without the null and empty-array ones (FHIR
/// JSON leaves absent things out). Writers build their elements with this rather than with
/// `json!`, which expands every member's insert, conversion and drop at each call site: one
/// function for all of them keeps the library smaller (docs/benchmarks.md, "Library size").
pub(crate) fn element<const N: usize>(members: [(&'static str, Value); N]) -> Value {
    element_of(&mut members.into_iter())
}

/// [`element`] without the array's length, so that its body is compiled once.
fn element_of(members: &mut dyn Iterator<Item = (&'static str, Value)>) -> Value {
    let mut map = Map::new();
    for (name, value) in members {
        if !(value.is_null() || value.as_array().is_some_and(Vec::is_empty)) {
            map.insert(name.to_owned(), value);
        }
    }
    Value::Object(map)
}

/// A modifier extension may change what the element means: refuse what cannot be understood.
pub(crate) fn no_modifiers(map: &Map<String, Value>, field: &'static str) -> Result<()> {
    if map.contains_key("modifierExtension") {
        return Err(Error::invalid(
            field,
            "modifier extensions are not understood",
        ));
    }
    Ok(())
}
