//! Prescriptions and dispenses as e-prescription services, patient portals and pharmacies send
//! them: a `Bundle` of `MedicationRequest`s (or one), each order's `dispenseRequest`, and a
//! `MedicationDispense` that adds stock.
//!
//! An order is read whole or refused with the reason; in a Bundle each order stands alone, so
//! one that cannot be read never stops the others. An order whose dosage is only words ("take
//! as directed") is read with its codes and words and no schedule.

use std::collections::BTreeMap;

use crate::Zone;
use serde_json::{Map, Value};

use super::FhirPrescription;
use super::datatypes::{DayEdge, concept, date_time, dose_quantity, duration};
use super::dosage::schedule_from_medication_request;
use super::json::{member, members, no_modifiers, object, string, uint};
use super::{DispenseRequest, RXNORM};
use crate::error::{Error, Result};
use crate::schedule::{Frame, LocalDateTime, Quantity, UnitOfTime};
use crate::time::Timestamp;

/// Most orders one Bundle may hold.
pub const MAX_ORDERS: usize = 500;

/// Order statuses that are prescriptions to follow.
const LIVE: &[&str] = &["active"];
/// Intents that are orders (not proposals or plans).
const ORDERS: &[&str] = &[
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
];

/// One order read from a Bundle: its position among the Bundle's entries, and what it became.
pub type BundleEntry = (usize, Result<FhirPrescription>);

/// Reads every `MedicationRequest` of a FHIR R4 `Bundle` (or a single `MedicationRequest`),
/// each on its own, with dateTimes in `zone` and schedules starting at `start` (or their own
/// first bound). A `medicationReference` to a `Medication` in the same Bundle is followed.
pub fn orders_from_fhir(
    json: &Value,
    zone: Zone,
    start: LocalDateTime,
) -> Result<Vec<BundleEntry>> {
    let map = object(json, "resourceType")?;
    match map.get("resourceType").and_then(Value::as_str) {
        Some("MedicationRequest") => Ok(vec![(0, order(json, &BTreeMap::new(), zone, start))]),
        Some("Bundle") => {
            let entries = members(map, "entry", object)?;
            let resources: Vec<(Option<&str>, &Map<String, Value>)> = entries
                .iter()
                .filter_map(|entry| {
                    let resource = entry.get("resource")?.as_object()?;
                    Some((entry.get("fullUrl").and_then(Value::as_str), resource))
                })
                .collect();
            let mut medications: BTreeMap<String, &Value> = BTreeMap::new();
            for (full_url, resource) in &resources {
                if resource.get("resourceType").and_then(Value::as_str) != Some("Medication") {
                    continue;
                }
                let Some(code) = resource.get("code") else {
                    continue;
                };
                if let Some(url) = full_url {
                    medications.insert((*url).to_owned(), code);
                }
                if let Some(id) = resource.get("id").and_then(Value::as_str) {
                    medications.insert(format!("Medication/{id}"), code);
                }
            }
            let mut out = Vec::new();
            for (index, entry) in entries.iter().enumerate() {
                let Some(resource) = entry.get("resource") else {
                    continue;
                };
                if resource.get("resourceType").and_then(Value::as_str) != Some("MedicationRequest")
                {
                    continue;
                }
                if out.len() == MAX_ORDERS {
                    return Err(Error::invalid(
                        "entry",
                        "a Bundle may hold at most 500 orders",
                    ));
                }
                out.push((index, order(resource, &medications, zone, start)));
            }
            if out.is_empty() {
                return Err(Error::invalid(
                    "entry",
                    "the Bundle holds no MedicationRequest",
                ));
            }
            Ok(out)
        }
        _ => Err(Error::invalid(
            "resourceType",
            "expected a Bundle of MedicationRequests or a MedicationRequest",
        )),
    }
}

/// One `MedicationRequest`: its schedule (or none), medication, dispense request and
/// references, refused if it is no live order.
fn order(
    json: &Value,
    medications: &BTreeMap<String, &Value>,
    zone: Zone,
    start: LocalDateTime,
) -> Result<FhirPrescription> {
    let map = object(json, "resourceType")?;
    if let Some(status) = member(map, "status", string)?
        && !LIVE.contains(&status)
    {
        return Err(Error::invalid(
            "status",
            "only an active order is a prescription to follow",
        ));
    }
    if let Some(intent) = member(map, "intent", string)?
        && !ORDERS.contains(&intent)
    {
        return Err(Error::invalid(
            "intent",
            "a proposal or plan is not a prescription",
        ));
    }
    // A medication given by reference to a Medication in the Bundle reads as its code.
    let resolved;
    let json = match member(map, "medicationReference", object)?
        .and_then(|reference| reference.get("reference"))
        .and_then(Value::as_str)
        .and_then(|reference| medications.get(reference))
    {
        Some(code) if !map.contains_key("medicationCodeableConcept") => {
            let mut copy = map.clone();
            copy.insert("medicationCodeableConcept".into(), (*code).clone());
            resolved = Value::Object(copy);
            &resolved
        }
        _ => json,
    };
    let map = object(json, "resourceType")?;
    let mut prescription = schedule_from_medication_request(json, zone, start)?;
    if prescription.medication_name.is_none() && prescription.rxnorm.is_none() {
        return Err(Error::invalid(
            "medication[x]",
            "the order names no medication Regimen can read",
        ));
    }
    prescription.dispense = member(map, "dispenseRequest", |v, _| dispense_request(v, zone))?;
    prescription.id = member(map, "id", string)?.map(str::to_owned);
    prescription.identifier = members(map, "identifier", object)?
        .first()
        .and_then(|identifier| identifier_text(identifier));
    prescription.subject = member(map, "subject", object)?
        .and_then(|subject| subject.get("reference"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(prescription)
}

/// `system|value` of an Identifier (or the value alone).
fn identifier_text(identifier: &Map<String, Value>) -> Option<String> {
    let value = identifier.get("value")?.as_str()?;
    Some(match identifier.get("system").and_then(Value::as_str) {
        Some(system) => format!("{system}|{value}"),
        None => value.to_owned(),
    })
}

fn dispense_request(json: &Value, zone: Zone) -> Result<DispenseRequest> {
    let map = object(json, "dispenseRequest")?;
    no_modifiers(map, "dispenseRequest.modifierExtension")?;
    let days = member(map, "dispenseRequest.expectedSupplyDuration", duration)?
        .map(|(value, unit)| {
            let days = match unit {
                UnitOfTime::D => Some(value),
                UnitOfTime::Wk => Some(value * 7.0),
                UnitOfTime::Mo => Some(value * 30.0),
                UnitOfTime::A => Some(value * 365.0),
                _ => None,
            };
            match days {
                Some(days) if (1.0..=3660.0).contains(&days) => Ok(days.round() as u32),
                _ => Err(Error::invalid(
                    "dispenseRequest.expectedSupplyDuration",
                    "must be 1 day to 10 years, in d, wk, mo or a",
                )),
            }
        })
        .transpose()?;
    let valid_until = member(map, "dispenseRequest.validityPeriod", object)?
        .and_then(|period| period.get("end"))
        .map(|end| {
            date_time(
                end,
                "dispenseRequest.validityPeriod.end",
                zone,
                DayEdge::End,
            )
        })
        .transpose()?;
    Ok(DispenseRequest {
        repeats_allowed: member(map, "dispenseRequest.numberOfRepeatsAllowed", uint)?,
        quantity: member(map, "dispenseRequest.quantity", dose_quantity)?,
        expected_supply_days: days,
        valid_until,
    })
}

/// A `MedicationDispense` read for the stock it adds.
#[derive(Clone, Debug, PartialEq)]
pub struct FhirDispense {
    /// What names it: `MedicationDispense/<id>`, else its first identifier.
    pub key: String,
    /// The prescription it fills: the logical id of `authorizingPrescription`.
    pub prescription_id: Option<String>,
    /// The medication's RxNorm code, if given.
    pub rxnorm: Option<String>,
    /// How much was handed over.
    pub quantity: Quantity,
    /// When (`whenHandedOver`, else `whenPrepared`); `None` if not said.
    pub handed_over: Option<Timestamp>,
}

/// Reads a completed FHIR R4 `MedicationDispense`, with dateTimes without an offset in `zone`.
pub fn dispense_from_fhir(json: &Value, zone: Zone) -> Result<FhirDispense> {
    let map = object(json, "resourceType")?;
    if map.get("resourceType").and_then(Value::as_str) != Some("MedicationDispense") {
        return Err(Error::invalid(
            "resourceType",
            "expected MedicationDispense",
        ));
    }
    no_modifiers(map, "modifierExtension")?;
    if member(map, "status", string)? != Some("completed") {
        return Err(Error::invalid(
            "status",
            "only a completed dispense adds stock",
        ));
    }
    let key = match member(map, "id", string)? {
        Some(id) => format!("MedicationDispense/{id}"),
        None => members(map, "identifier", object)?
            .first()
            .and_then(|identifier| identifier_text(identifier))
            .ok_or_else(|| Error::invalid("id", "a dispense needs an id or an identifier"))?,
    };
    if key.len() > 300 || key.chars().any(char::is_control) {
        return Err(Error::invalid(
            "id",
            "must be at most 300 printable characters",
        ));
    }
    let prescription_id = members(map, "authorizingPrescription", object)?
        .first()
        .and_then(|reference| reference.get("reference"))
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix("MedicationRequest/"))
        .map(str::to_owned);
    let rxnorm = member(map, "medicationCodeableConcept", concept)?
        .and_then(|c| c.code_in(RXNORM).map(str::to_owned));
    let quantity = member(map, "quantity", dose_quantity)?
        .ok_or_else(|| Error::invalid("quantity", "a dispense needs the quantity handed over"))?;
    let when = member(map, "whenHandedOver", |v, f| {
        date_time(v, f, zone, DayEdge::Start)
    })?
    .or(member(map, "whenPrepared", |v, f| {
        date_time(v, f, zone, DayEdge::Start)
    })?);
    Ok(FhirDispense {
        key,
        prescription_id,
        rxnorm,
        quantity,
        handed_over: when.map(|local| Frame::Zone(zone).resolve(local.0)),
    })
}
