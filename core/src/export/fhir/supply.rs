//! The supply log in an export: stock received as a `MedicationDispense` (status
//! `completed`, the quantity in the stock's unit, handed over when it came in; where it came
//! from, when it was recorded and the pharmacy's dispense it was read from in Regimen's
//! extensions), and counts and losses, which FHIR has no resource for, as Regimen's `stock`
//! extension on the medicine's `MedicationStatement`.

use serde_json::{Map, Value};

use super::ext::{
    Parts, complex, decimal, instant, instant_json, one, one_member, ours, text, value, whole,
};
use super::ids::{Kind, Names, reference_of, row_id};
use crate::error::{Error, Result};
use crate::interop::fhir::json::{element, list, number, object, parse_code, string};
use crate::supply::{SupplyEvent, SupplyKind, SupplySource};

/// A serde enum's code.
fn code_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Stock received, as a `MedicationDispense`; `unit` is the stock's.
pub(super) fn dispense(names: &Names, event: &SupplyEvent, unit: Option<&str>) -> Value {
    let extensions: Vec<Value> = [
        event
            .source
            .map(|s| super::ext::simple("supply-source", "valueCode", code_of(&s))),
        Some(super::ext::simple(
            "recorded",
            "valueDateTime",
            instant_json(event.recorded_at),
        )),
        event
            .dispense
            .as_deref()
            .map(|d| super::ext::simple("dispense-key", "valueString", d.into())),
    ]
    .into_iter()
    .flatten()
    .collect();
    element([
        ("resourceType", "MedicationDispense".into()),
        ("id", names.uuid(Kind::SupplyEvent, event.id).into()),
        ("extension", extensions.into()),
        (
            "identifier",
            super::ids::identifier(Kind::SupplyEvent, event.id),
        ),
        ("status", "completed".into()),
        (
            "medicationReference",
            names.reference(Kind::Medication, event.medicine_id),
        ),
        ("subject", names.reference(Kind::Patient, 0)),
        (
            "quantity",
            element([("value", number(event.amount)), ("unit", unit.into())]),
        ),
        ("whenHandedOver", instant_json(event.at)),
        (
            "note",
            event
                .note
                .as_deref()
                .map(|n| one_member("text", n.into()))
                .into(),
        ),
    ])
}

/// A count or a loss, as Regimen's `stock` extension.
pub(super) fn stock_extension(event: &SupplyEvent) -> Value {
    complex(
        "stock",
        &[
            ("id", "valueInteger", event.id.into()),
            ("kind", "valueCode", code_of(&event.kind)),
            ("amount", "valueDecimal", number(event.amount)),
            ("at", "valueDateTime", instant_json(event.at)),
            ("recorded", "valueDateTime", instant_json(event.recorded_at)),
            (
                "note",
                "valueString",
                event
                    .note
                    .as_deref()
                    .map(Value::from)
                    .unwrap_or(Value::Null),
            ),
        ],
    )
}

/// A `stock` extension read back (medicine id 0 until resolved).
pub(super) fn read_stock(ext: &Map<String, Value>) -> Result<SupplyEvent> {
    let field = "MedicationStatement.extension.stock";
    let parts = Parts::of(ext, field)?;
    let kind = parse_code::<SupplyKind>(string(parts.need("kind", "valueCode")?, field)?)
        .filter(|k| *k != SupplyKind::Received)
        .ok_or_else(|| Error::invalid(field, "the kind is counted or lost"))?;
    Ok(SupplyEvent {
        id: whole(parts.need("id", "valueInteger")?, field)?,
        medicine_id: 0,
        kind,
        amount: decimal(parts.need("amount", "valueDecimal")?, field)?,
        at: instant(parts.need("at", "valueDateTime")?, field)?,
        recorded_at: instant(parts.need("recorded", "valueDateTime")?, field)?,
        source: None,
        note: parts
            .get("note", "valueString")?
            .map(|v| text(v, field))
            .transpose()?,
        dispense: None,
    })
}

/// A `MedicationDispense` of an export read back: the `Medication` it is of, and the event
/// (medicine id 0 until resolved).
pub(super) fn read_dispense(map: &Map<String, Value>) -> Result<(String, SupplyEvent)> {
    let id = row_id(map, Kind::SupplyEvent)?;
    let medication = reference_of(
        map,
        "medicationReference",
        "MedicationDispense.medicationReference",
    )?;
    if map.get("status").and_then(Value::as_str) != Some("completed") {
        return Err(Error::invalid(
            "MedicationDispense.status",
            "stock received is a completed dispense",
        ));
    }
    let field = "MedicationDispense.quantity";
    let quantity = map
        .get("quantity")
        .ok_or_else(|| Error::invalid(field, "is required"))
        .and_then(|q| object(q, field))?;
    let amount = decimal(value(quantity, "value", field)?, field)?;
    let at = map
        .get("whenHandedOver")
        .ok_or_else(|| Error::invalid("MedicationDispense.whenHandedOver", "is required"))
        .and_then(|v| instant(v, "MedicationDispense.whenHandedOver"))?;
    let field = "MedicationDispense.extension";
    let exts = ours(map, field)?;
    let source = one(&exts, "supply-source", field)?
        .map(|ext| {
            parse_code::<SupplySource>(string(value(ext, "valueCode", field)?, field)?)
                .ok_or_else(|| Error::invalid(field, "not a supply source Regimen knows"))
        })
        .transpose()?;
    let recorded_at = one(&exts, "recorded", field)?
        .ok_or_else(|| Error::invalid(field, "needs when it was recorded"))
        .and_then(|ext| instant(value(ext, "valueDateTime", field)?, field))?;
    let dispense = one(&exts, "dispense-key", field)?
        .map(|ext| text(value(ext, "valueString", field)?, field))
        .transpose()?;
    let note = list(map, "note", "MedicationDispense.note", object)?
        .first()
        .and_then(|n| n.get("text"))
        .map(|t| text(t, "MedicationDispense.note.text"))
        .transpose()?;
    Ok((
        medication.to_owned(),
        SupplyEvent {
            id,
            medicine_id: 0,
            kind: SupplyKind::Received,
            amount,
            at,
            recorded_at,
            source,
            note,
            dispense,
        },
    ))
}
