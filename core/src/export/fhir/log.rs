//! The dose log as `MedicationAdministration`s: a dose taken is `completed`, one skipped
//! `not-done` with the patient's reason as `statusReason`, a snoozed reminder `on-hold`; when
//! it happened is `effectiveDateTime`, the amount logged `dosage.dose`, the note `note`.
//! Regimen's extensions carry the rest: the scheduled dose it answers (`scheduled-for`), the
//! end of a snooze (`snoozed-until`), the earlier event it corrects (`corrects`, a reference
//! within the Bundle) and when it was logged (`recorded`).

use serde_json::{Map, Value};

use super::ext::{instant, instant_json, one, one_member, ours, simple, text, value};
use super::ids::{Kind, Names, reference_of, row_id, urn_in};
use crate::dose::{DoseAction, DoseEvent};
use crate::error::{Error, Result};
use crate::interop::fhir::datatypes::{dose_quantity, quantity_json};
use crate::interop::fhir::json::{element, list, object, string};

/// A dose event as a `MedicationAdministration`; `corrects` is whether the event it corrects
/// is in the export too (a reference is written only then).
pub(super) fn administration(names: &Names, event: &DoseEvent, corrects: bool) -> Value {
    let mut extensions = Vec::with_capacity(4);
    if let Some(at) = event.scheduled_at {
        extensions.push(simple("scheduled-for", "valueDateTime", instant_json(at)));
    }
    if let Some(until) = event.snooze_until {
        extensions.push(simple(
            "snoozed-until",
            "valueDateTime",
            instant_json(until),
        ));
    }
    if let Some(corrected) = event.corrects.filter(|_| corrects) {
        extensions.push(simple(
            "corrects",
            "valueReference",
            names.reference(Kind::DoseEvent, corrected),
        ));
    }
    extensions.push(simple(
        "recorded",
        "valueDateTime",
        instant_json(event.recorded_at),
    ));
    let (status, reason, note) = match event.action {
        DoseAction::Taken => ("completed", None, event.note.as_ref()),
        DoseAction::Skipped => ("not-done", event.note.as_ref(), None),
        DoseAction::Snoozed => ("on-hold", None, event.note.as_ref()),
    };
    element([
        ("resourceType", "MedicationAdministration".into()),
        ("id", names.uuid(Kind::DoseEvent, event.id).into()),
        ("extension", extensions.into()),
        (
            "identifier",
            super::ids::identifier(Kind::DoseEvent, event.id),
        ),
        ("status", status.into()),
        (
            "statusReason",
            reason.map(|r| one_member("text", r.as_str().into())).into(),
        ),
        (
            "medicationReference",
            names.reference(Kind::Medication, event.medicine_id),
        ),
        ("subject", names.reference(Kind::Patient, 0)),
        ("effectiveDateTime", instant_json(event.actual_at)),
        (
            "note",
            note.map(|n| one_member("text", n.as_str().into())).into(),
        ),
        (
            "dosage",
            event
                .amount
                .as_ref()
                .map(|a| element([("dose", quantity_json(a))]))
                .into(),
        ),
    ])
}

/// A `MedicationAdministration` of an export read back: the `Medication` it is of, the event
/// it corrects (a `urn:uuid:` of the Bundle) and the event (medicine id 0 and `corrects`
/// `None` until resolved).
pub(super) fn read_administration(
    map: &Map<String, Value>,
) -> Result<(String, Option<String>, DoseEvent)> {
    let id = row_id(map, Kind::DoseEvent)?;
    let medication = reference_of(
        map,
        "medicationReference",
        "MedicationAdministration.medicationReference",
    )?;
    let status = map
        .get("status")
        .ok_or_else(|| Error::invalid("MedicationAdministration.status", "is required"))
        .and_then(|s| string(s, "MedicationAdministration.status"))?;
    let action = match status {
        "completed" => DoseAction::Taken,
        "not-done" => DoseAction::Skipped,
        "on-hold" => DoseAction::Snoozed,
        _ => {
            return Err(Error::invalid(
                "MedicationAdministration.status",
                "a dose event is completed (taken), not-done (skipped) or on-hold (snoozed)",
            ));
        }
    };
    let actual_at = map
        .get("effectiveDateTime")
        .ok_or_else(|| Error::invalid("MedicationAdministration.effectiveDateTime", "is required"))
        .and_then(|v| instant(v, "MedicationAdministration.effectiveDateTime"))?;
    let first_text = |name: &str, field: &'static str| -> Result<Option<String>> {
        list(map, name, field, object)?
            .first()
            .and_then(|n| n.get("text"))
            .map(|t| text(t, field))
            .transpose()
    };
    let note = match action {
        DoseAction::Skipped => first_text("statusReason", "MedicationAdministration.statusReason")?,
        _ => first_text("note", "MedicationAdministration.note")?,
    };
    let amount = map
        .get("dosage")
        .map(|d| object(d, "MedicationAdministration.dosage"))
        .transpose()?
        .and_then(|d| d.get("dose"))
        .map(|d| dose_quantity(d, "MedicationAdministration.dosage.dose"))
        .transpose()?;
    let field = "MedicationAdministration.extension";
    let exts = ours(map, field)?;
    let at = |name: &str| -> Result<_> {
        one(&exts, name, field)?
            .map(|ext| instant(value(ext, "valueDateTime", field)?, field))
            .transpose()
    };
    let corrects = one(&exts, "corrects", field)?
        .map(|ext| {
            object(value(ext, "valueReference", field)?, field).and_then(|r| urn_in(r, field))
        })
        .transpose()?
        .map(str::to_owned);
    let event = DoseEvent {
        id,
        medicine_id: 0,
        action,
        actual_at,
        scheduled_at: at("scheduled-for")?,
        snooze_until: at("snoozed-until")?,
        note,
        amount,
        corrects: None,
        recorded_at: at("recorded")?
            .ok_or_else(|| Error::invalid(field, "needs when the event was recorded"))?,
    };
    Ok((medication.to_owned(), corrects, event))
}
