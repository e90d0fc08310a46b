//! What names each resource of an export: a `urn:uuid:` derived from the export's namespace,
//! the kind of record and its row id (so exporting the same records again, here or from the
//! database they were imported into, names them the same), and Regimen's identifier that
//! carries the row id back. Neither holds health data: a random namespace, a kind and a number
//! go into a hash.

use ring::digest::{SHA256, digest};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::interop::fhir::json::{element, members, object, string};

/// Where Regimen's identifiers live: `.../medicine`, `.../dose-event`, ...
pub(super) const IDENTIFIER_BASE: &str = "https://regimen.invalid/fhir/id/";

/// The kinds of record an export names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// The one Patient.
    Patient,
    /// A medicine's `Medication` (what it is).
    Medication,
    /// A medicine's `MedicationStatement` (the patient's record of taking it).
    Medicine,
    /// A schedule version's `MedicationRequest`.
    ScheduleVersion,
    /// A dose event's `MedicationAdministration`.
    DoseEvent,
    /// A received supply event's `MedicationDispense`.
    SupplyEvent,
    /// A PGx result's genotype `Observation`.
    PgxResult,
    /// A `DiagnosticReport` grouping results, named by its first result.
    PgxReport,
    /// A diary entry's `Observation`.
    DiaryEntry,
}

impl Kind {
    /// The kind's name in hashes and identifier systems.
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Patient => "patient",
            Kind::Medication => "medication",
            Kind::Medicine => "medicine",
            Kind::ScheduleVersion => "schedule-version",
            Kind::DoseEvent => "dose-event",
            Kind::SupplyEvent => "supply-event",
            Kind::PgxResult => "pgx-result",
            Kind::PgxReport => "pgx-report",
            Kind::DiaryEntry => "diary-entry",
        }
    }
}

/// Names resources within one export's namespace.
pub(super) struct Names {
    namespace: String,
}

impl Names {
    /// Names in `namespace` (the database's id, or the one an import kept).
    pub(super) fn new(namespace: &str) -> Self {
        Names {
            namespace: namespace.to_owned(),
        }
    }

    /// The resource's id: a UUID (RFC 9562 version 8, name-based on SHA-256).
    pub(super) fn uuid(&self, kind: Kind, id: i64) -> String {
        let name = format!(
            "regimen-fhir-export\0{}\0{}\0{id}",
            self.namespace,
            kind.name()
        );
        let hash = digest(&SHA256, name.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&hash.as_ref()[..16]);
        // The version (8) and the variant (RFC 9562), as a UUID reader expects.
        bytes[6] = (bytes[6] & 0x0f) | 0x80;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(36);
        for (index, byte) in bytes.iter().enumerate() {
            if matches!(index, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        out
    }

    /// The resource's `fullUrl`, and what references to it say.
    pub(super) fn urn(&self, kind: Kind, id: i64) -> String {
        format!("urn:uuid:{}", self.uuid(kind, id))
    }

    /// A `Reference` to the resource.
    pub(super) fn reference(&self, kind: Kind, id: i64) -> Value {
        element([("reference", self.urn(kind, id).into())])
    }
}

/// Regimen's identifier of a row: its kind's system and the row id.
pub(super) fn identifier(kind: Kind, id: i64) -> Value {
    Value::from(vec![element([
        ("system", format!("{IDENTIFIER_BASE}{}", kind.name()).into()),
        ("value", id.to_string().into()),
    ])])
}

/// The row id in Regimen's identifier of `kind` among a resource's identifiers.
pub(super) fn row_id(resource: &Map<String, Value>, kind: Kind) -> Result<i64> {
    let system = format!("{IDENTIFIER_BASE}{}", kind.name());
    for identifier in members(resource, "identifier", object)? {
        if identifier.get("system").and_then(Value::as_str) == Some(system.as_str()) {
            let value = identifier
                .get("value")
                .ok_or_else(|| Error::invalid("identifier.value", "is required"))
                .and_then(|v| string(v, "identifier.value"))?;
            return match value.parse::<i64>() {
                Ok(id) if id > 0 && value.bytes().all(|b| b.is_ascii_digit()) => Ok(id),
                _ => Err(Error::invalid(
                    "identifier.value",
                    "Regimen's row id is a whole number above zero",
                )),
            };
        }
    }
    Err(Error::invalid(
        "identifier",
        format!(
            "needs Regimen's identifier ({IDENTIFIER_BASE}{})",
            kind.name()
        ),
    ))
}

/// The `reference` of a `Reference` member: a `urn:uuid:` of the same Bundle.
pub(super) fn reference_of<'a>(
    resource: &'a Map<String, Value>,
    name: &str,
    field: &'static str,
) -> Result<&'a str> {
    let reference = resource
        .get(name)
        .ok_or_else(|| Error::invalid(field, "is required"))
        .and_then(|v| object(v, field))?;
    urn_in(reference, field)
}

/// The `urn:uuid:` a `Reference` object points to.
pub(super) fn urn_in<'a>(
    reference: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a str> {
    let text = reference
        .get("reference")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid(field, "needs a reference"))?;
    if !text.starts_with("urn:uuid:") {
        return Err(Error::invalid(
            field,
            "must name a resource of the same Bundle (urn:uuid:)",
        ));
    }
    Ok(text)
}
