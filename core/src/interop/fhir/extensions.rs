//! Regimen's own `extension`s on a Dosage (cycle, window, after-last-taken), under
//! [`super::EXTENSION_BASE`].

use serde_json::{Map, Value};

use super::EXTENSION_BASE;
use super::datatypes::time;
use super::json::{boolean, list, members, object, required, string, uint};
use crate::error::{Error, Result};
use crate::schedule::{Cycle, Phase, Window};

pub(super) fn extension(name: &str, mut body: Value) -> Value {
    if let Value::Object(map) = &mut body {
        map.insert("url".into(), format!("{EXTENSION_BASE}{name}").into());
    }
    body
}

/// Reads Regimen's extensions on a Dosage into `phase`; others are ignored.
pub(super) fn read_extensions(dosage: &Map<String, Value>, phase: &mut Phase) -> Result<()> {
    for ext in members(dosage, "extension", object)? {
        let url = required(ext, "extension.url", string)?;
        match url.strip_prefix(EXTENSION_BASE) {
            Some("cycle") => {
                // Each part within a year, so their sum cannot overflow before validation.
                let field = "extension.cycle";
                let days = |url| match uint(part(ext, url, "valueInteger", field)?, field)? {
                    days @ 0..=366 => Ok(days),
                    _ => Err(Error::invalid(field, "a cycle is at most 366 days")),
                };
                phase.cycle = Some(Cycle {
                    days_on: days("daysOn")?,
                    days_off: days("daysOff")?,
                });
            }
            Some("window") => {
                let field = "extension.window";
                phase.window = Some(Window {
                    start: time(part(ext, "start", "valueTime", field)?, field)?,
                    end: time(part(ext, "end", "valueTime", field)?, field)?,
                });
            }
            Some("after-last-taken") => {
                phase.after_last_taken =
                    required(ext, "extension.after-last-taken.valueBoolean", boolean)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The `value_key` of the nested extension `url` of `ext`.
pub(super) fn part<'a>(
    ext: &'a Map<String, Value>,
    url: &str,
    value_key: &str,
    field: &'static str,
) -> Result<&'a Value> {
    list(ext, "extension", field, object)?
        .into_iter()
        .find(|e| e.get("url").and_then(Value::as_str) == Some(url))
        .and_then(|e| e.get(value_key))
        .ok_or_else(|| Error::invalid(field, format!("needs {url} with {value_key}")))
}
