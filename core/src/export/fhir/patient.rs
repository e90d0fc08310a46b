//! The export's one `Patient`, whom every resource is about. It holds nothing that identifies
//! anyone (no name, birth date, gender or address): only what plans the patient's doses, in
//! Regimen's extensions: the settings (their day's anchors, the late and missed thresholds,
//! how reminders behave) and the zones the phone was in, from when.

use serde_json::{Map, Value};

use super::ext::{Parts, complex, instant, instant_json, one, ours, record_of, record_parts, text};
use super::ids::{Kind, Names};
use crate::error::{Error, Result};
use crate::interop::fhir::json::element;
use crate::schedule::parse_zone;
use crate::settings::Settings;
use crate::time::Timestamp;

/// The Patient, with the settings and zones when the export carries them.
pub(super) fn patient(
    names: &Names,
    settings: Option<&Settings>,
    zones: &[(Timestamp, String)],
) -> Value {
    let mut extensions = Vec::new();
    if let Some(settings) = settings {
        let record = serde_json::to_value(settings).unwrap_or(Value::Null);
        extensions.push(element([
            (
                "url",
                format!("{}settings", crate::interop::fhir::EXTENSION_BASE).into(),
            ),
            ("extension", record_parts(&record).into()),
        ]));
    }
    for (since, zone) in zones {
        extensions.push(complex(
            "device-zone",
            &[
                ("since", "valueDateTime", instant_json(*since)),
                ("zone", "valueCode", zone.as_str().into()),
            ],
        ));
    }
    element([
        ("resourceType", "Patient".into()),
        ("id", names.uuid(Kind::Patient, 0).into()),
        ("extension", extensions.into()),
    ])
}

/// What the Patient of an export says.
pub(super) struct PatientIn {
    /// The settings, if the export carries them.
    pub(super) settings: Option<Settings>,
    /// The phone's zones: from when, which.
    pub(super) zones: Vec<(Timestamp, String)>,
}

/// The Patient of an export read back.
pub(super) fn read_patient(map: &Map<String, Value>) -> Result<PatientIn> {
    let field = "Patient.extension";
    let exts = ours(map, field)?;
    let settings = one(&exts, "settings", "Patient.extension.settings")?
        .map(|ext| {
            let record = record_of(ext, "Patient.extension.settings", 4)?;
            let settings: Settings = serde_json::from_value(record).map_err(|_| {
                Error::invalid(
                    "Patient.extension.settings",
                    "not settings this version of Regimen reads",
                )
            })?;
            settings.validate()?;
            Ok::<_, Error>(settings)
        })
        .transpose()?;
    let mut zones = Vec::new();
    for (name, ext) in &exts {
        if *name != "device-zone" {
            continue;
        }
        let field = "Patient.extension.device-zone";
        let parts = Parts::of(ext, field)?;
        let zone = text(parts.need("zone", "valueCode")?, field)?;
        parse_zone(&zone)?;
        zones.push((instant(parts.need("since", "valueDateTime")?, field)?, zone));
    }
    Ok(PatientIn { settings, zones })
}
