//! Importing prescriptions and dispenses from FHIR: each order of a Bundle becomes a medicine
//! (with its schedule, when the order has a structured one) and a prescription; an order seen
//! before (same id or identifier) updates its prescription instead of adding a medicine. A
//! completed dispense adds stock once.

use crate::Zone;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Records;
use crate::error::{Error, Result};
use crate::interop::fhir::{
    FhirPrescription, TaskStatus, dispense_from_fhir, orders_from_fhir, outcome_reason, task_state,
};
use crate::medicine::{self, Medicine, MedicineInfo};
use crate::schedule::{Frame, LocalDateTime, insert_version, parse_zone};
use crate::store::seal::Sealer;
use crate::supply::pharmacy::{self, OrderDetails, PharmacyRequestKind, RefillOrder, RefillState};
use crate::supply::prescription::{self, FhirPrescriptionRef, NewPrescription, Prescription};
use crate::supply::units::in_unit;
use crate::supply::{
    DEFAULT_LEAD_DAYS, NewSupplyEvent, SupplyEvent, SupplyKind, SupplySettings, SupplySource,
};
use crate::time::Timestamp;

/// One order taken in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ImportedOrder {
    /// Its position among the Bundle's entries (0 for a lone MedicationRequest).
    pub entry: u32,
    /// The medicine it is for (new, or the one its earlier import added).
    pub medicine: Medicine,
    /// Its prescription as stored.
    pub prescription: Prescription,
    /// Whether it came with a schedule; without one (only words), ask the patient for the
    /// times.
    pub scheduled: bool,
    /// Whether it was seen before and only its prescription changed.
    pub updated: bool,
}

/// One order that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RefusedOrder {
    /// Its position among the Bundle's entries.
    pub entry: u32,
    /// The FHIR element at fault.
    pub field: String,
    /// What was not understood.
    pub reason: String,
}

/// What a Bundle import did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OrdersImport {
    /// The orders taken in.
    pub imported: Vec<ImportedOrder>,
    /// The orders refused, each with its reason.
    pub refused: Vec<RefusedOrder>,
}

/// Every prescription with its medicine, for matching.
fn all_prescriptions(conn: &Connection, sealer: &Sealer) -> Result<Vec<Prescription>> {
    let mut out = Vec::new();
    for medicine in medicine::list(conn, sealer, true)? {
        out.extend(prescription::of_medicine(conn, sealer, medicine.id)?);
    }
    Ok(out)
}

/// The stored prescription `order` is a later copy of: same id, else same identifier.
fn seen_before<'a>(order: &FhirPrescription, all: &'a [Prescription]) -> Option<&'a Prescription> {
    let same = |p: &&Prescription,
                pick: fn(&FhirPrescriptionRef) -> &Option<String>,
                ours: &Option<String>| {
        ours.is_some() && p.details.fhir.as_ref().is_some_and(|f| pick(f) == ours)
    };
    all.iter()
        .find(|p| same(p, |f| &f.id, &order.id))
        .or_else(|| {
            all.iter()
                .find(|p| same(p, |f| &f.identifier, &order.identifier))
        })
}

impl Records {
    /// Takes in a FHIR R4 Bundle of `MedicationRequest`s (or one), its dateTimes in `zone`.
    /// Every order that can be read is stored; the others are listed with their reason.
    pub fn import_orders(&self, json: &Value, zone: Zone, now: Timestamp) -> Result<OrdersImport> {
        let start = LocalDateTime(Frame::Zone(zone).local(now));
        let entries = orders_from_fhir(json, zone, start)?;
        self.write(|tx, sealer| {
            let mut known = all_prescriptions(tx, sealer)?;
            let mut out = OrdersImport::default();
            for (entry, order) in entries {
                let entry = u32::try_from(entry).unwrap_or(u32::MAX);
                let order = match order {
                    Ok(order) => order,
                    Err(error) => {
                        out.refused.push(refused(entry, error));
                        continue;
                    }
                };
                match take_in(tx, sealer, &order, zone, &known, now) {
                    Ok(imported) => {
                        known.retain(|p| p.id != imported.prescription.id);
                        known.push(imported.prescription.clone());
                        out.imported.push(ImportedOrder { entry, ..imported });
                    }
                    Err(error @ Error::InvalidInput { .. }) => {
                        out.refused.push(refused(entry, error))
                    }
                    Err(other) => return Err(other),
                }
            }
            Ok(out)
        })
    }

    /// Takes in a completed FHIR R4 `MedicationDispense`: its quantity is added to the stock
    /// of the medicine whose prescription it fills (else whose RxNorm code it names). `None`
    /// when that dispense was added already.
    pub fn import_dispense(
        &self,
        json: &Value,
        zone: Zone,
        now: Timestamp,
    ) -> Result<Option<SupplyEvent>> {
        let dispense = dispense_from_fhir(json, zone)?;
        self.write(|tx, sealer| add_dispense(tx, sealer, &dispense, now))
    }
}

/// Adds a dispense's quantity to its medicine's stock inside `tx`.
pub(crate) fn add_dispense(
    tx: &Connection,
    sealer: &Sealer,
    dispense: &crate::interop::fhir::FhirDispense,
    now: Timestamp,
) -> Result<Option<SupplyEvent>> {
    let prescriptions = all_prescriptions(tx, sealer)?;
    let by_prescription = dispense.prescription_id.as_ref().and_then(|id| {
        prescriptions
            .iter()
            .find(|p| p.details.fhir.as_ref().and_then(|f| f.id.as_ref()) == Some(id))
            .map(|p| p.details.medicine_id)
    });
    let medicines = medicine::list(tx, sealer, false)?;
    let by_code = || {
        let code = dispense.rxnorm.as_ref()?;
        let mut matching = medicines
            .iter()
            .filter(|m| m.info.rxnorm.as_ref() == Some(code));
        let first = matching.next()?;
        matching.next().is_none().then_some(first.id)
    };
    let medicine_id = by_prescription.or_else(by_code).ok_or_else(|| {
        Error::invalid(
            "authorizingPrescription",
            "the dispense fills no prescription here and names no medicine taken",
        )
    })?;
    let medicine = medicine::get(tx, sealer, medicine_id)?;
    let settings = match crate::supply::storage_settings_of(tx, sealer, medicine_id)? {
        Some(settings) => settings,
        None => {
            let settings = SupplySettings {
                unit: dispense.quantity.unit.clone(),
                pack_size: None,
                lead_days: DEFAULT_LEAD_DAYS,
            }
            .validated()?;
            crate::supply::storage_put_settings(tx, sealer, medicine_id, &settings, now)?;
            settings
        }
    };
    let amount = in_unit(&dispense.quantity, &settings.unit, &medicine.info).ok_or_else(|| {
        Error::invalid(
            "quantity",
            "the quantity cannot be put in the unit the stock is counted in",
        )
    })?;
    let event = NewSupplyEvent {
        medicine_id,
        kind: SupplyKind::Received,
        amount,
        at: dispense.handed_over.unwrap_or(now).min(now),
        source: Some(SupplySource::Dispense),
        note: None,
    }
    .validated(now)?;
    crate::supply::storage_append(tx, sealer, &event, Some(&dispense.key), now)
}

fn refused(entry: u32, error: Error) -> RefusedOrder {
    match error {
        Error::InvalidInput { field, reason } => RefusedOrder {
            entry,
            field: field.to_owned(),
            reason,
        },
        other => RefusedOrder {
            entry,
            field: String::new(),
            reason: other.to_string(),
        },
    }
}

/// Stores one order inside `tx`: a new medicine with its schedule and prescription, or, for an
/// order seen before, its prescription updated.
fn take_in(
    tx: &Connection,
    sealer: &Sealer,
    order: &FhirPrescription,
    zone: Zone,
    known: &[Prescription],
    now: Timestamp,
) -> Result<ImportedOrder> {
    let dispense = order.dispense.clone().unwrap_or_default();
    let details = |medicine_id: i64, used: u32| -> Result<NewPrescription> {
        NewPrescription {
            medicine_id,
            repeats_allowed: dispense.repeats_allowed,
            repeats_used: used,
            valid_until: dispense
                .valid_until
                .map(|end| Frame::Zone(zone).resolve(end.0)),
            quantity_per_dispense: dispense.quantity.as_ref().map(|q| q.value),
            expected_supply_days: dispense.expected_supply_days,
            fhir: Some(FhirPrescriptionRef {
                id: order.id.clone(),
                identifier: order.identifier.clone(),
                subject: order.subject.clone(),
            }),
        }
        .validated()
    };
    if let Some(before) = seen_before(order, known) {
        let medicine = medicine::get(tx, sealer, before.details.medicine_id)?;
        let updated = prescription::update(
            tx,
            sealer,
            before.id,
            &details(medicine.id, before.details.repeats_used)?,
            now,
        )?;
        return Ok(ImportedOrder {
            entry: 0,
            medicine,
            prescription: updated,
            scheduled: order.schedule.is_some(),
            updated: true,
        });
    }
    let info = MedicineInfo {
        name: order
            .medication_name
            .clone()
            .or_else(|| order.rxnorm.as_ref().map(|code| format!("RxNorm {code}")))
            .unwrap_or_default(),
        rxnorm: order.rxnorm.clone(),
        instructions: order.instructions.clone(),
        ..MedicineInfo::default()
    }
    .validated()?;
    let medicine = medicine::insert(tx, sealer, &info, now)?;
    if let Some(schedule) = &order.schedule {
        let start = Frame::Zone(parse_zone(&schedule.zone)?).resolve(schedule.start.0);
        insert_version(tx, sealer, medicine.id, Some(schedule), start.min(now), now)?;
    }
    if let Some(quantity) = &dispense.quantity
        && crate::supply::storage_settings_of(tx, sealer, medicine.id)?.is_none()
    {
        // Count the stock in the unit the pharmacy dispenses.
        let settings = SupplySettings {
            unit: quantity.unit.clone(),
            pack_size: None,
            lead_days: DEFAULT_LEAD_DAYS,
        }
        .validated()?;
        crate::supply::storage_put_settings(tx, sealer, medicine.id, &settings, now)?;
    }
    let stored = prescription::insert(tx, sealer, &details(medicine.id, 0)?, now)?;
    Ok(ImportedOrder {
        entry: 0,
        medicine,
        prescription: stored,
        scheduled: order.schedule.is_some(),
        updated: false,
    })
}

impl Records {
    /// Records the pharmacy's answer to a prepared request (`status` `None` when no answer
    /// came: the connection failed or timed out). Returns the order as it now stands.
    ///
    /// - Sending: 200 or 201 with the Task: sent, its status followed. A refusal (400 to 499
    ///   but 408 and 429): failed, with the pharmacy's reason. No answer, 408, 429 or 5xx: tried
    ///   again after a backoff (a conditional create, so never twice).
    /// - Reading the Task: its status, business status and reason; rejected, cancelled or
    ///   failed ends the order as failed; completed reads the dispense next (or ends it).
    /// - Reading the dispense: its quantity added to the stock once, the repeat counted, done.
    pub fn record_pharmacy_response(
        &self,
        order_id: i64,
        kind: PharmacyRequestKind,
        status: Option<u16>,
        body: &str,
        now: Timestamp,
    ) -> Result<RefillOrder> {
        let json: Option<Value> = serde_json::from_str(body).ok();
        self.write(|tx, sealer| {
            let row = pharmacy::order(tx, sealer, order_id)?;
            let mut details = row.details;
            let attempts = row.order.attempts;
            let retry = |details: &OrderDetails| -> Result<()> {
                let attempts = attempts + 1;
                pharmacy::save(
                    tx,
                    sealer,
                    order_id,
                    RefillState::Queued,
                    (attempts, pharmacy::next_attempt(attempts, now)?),
                    details,
                    now,
                )
            };
            let settle = |state: RefillState, details: &OrderDetails| {
                pharmacy::save(tx, sealer, order_id, state, (attempts, now), details, now)
            };
            let success = status.is_some_and(|s| (200..300).contains(&s));
            let refused = status.is_some_and(|s| (400..500).contains(&s) && s != 408 && s != 429);
            match kind {
                PharmacyRequestKind::CreateTask if row.order.state == RefillState::Queued => {
                    match json.as_ref().map(task_state) {
                        Some(Ok(task)) if success => {
                            details.task_id = Some(task.id);
                            details.status = Some(task.status);
                            details.business_status = task.business_status;
                            details.reason = task.reason;
                            details.dispense = task.dispense;
                            settle(RefillState::Sent, &details)?;
                        }
                        _ if refused => {
                            details.reason = json.as_ref().and_then(outcome_reason).or_else(|| {
                                Some(format!("the pharmacy refused the request (HTTP {})", status.unwrap_or(0)))
                            });
                            settle(RefillState::Failed, &details)?;
                        }
                        _ => retry(&details)?,
                    }
                }
                PharmacyRequestKind::ReadTask if row.order.state == RefillState::Sent => {
                    match json.as_ref().map(task_state) {
                        Some(Ok(task)) if success => {
                            details.status = Some(task.status);
                            details.business_status = task.business_status;
                            details.reason = task.reason;
                            details.dispense = task.dispense;
                            let state = match task.status {
                                TaskStatus::Completed if details.dispense.is_some() => RefillState::Sent,
                                TaskStatus::Completed => RefillState::Done,
                                status if status.is_final() => RefillState::Failed,
                                _ => RefillState::Sent,
                            };
                            settle(state, &details)?;
                        }
                        _ if status == Some(404) || status == Some(410) => {
                            details.reason = Some("the pharmacy no longer knows the request".into());
                            settle(RefillState::Failed, &details)?;
                        }
                        // Asked again on the next call.
                        _ => {}
                    }
                }
                PharmacyRequestKind::ReadDispense if row.order.state == RefillState::Sent => {
                    let zone = self.zone_of(tx, sealer, now)?;
                    match json.as_ref().map(|j| dispense_from_fhir(j, zone)) {
                        Some(Ok(dispense)) if success => {
                            add_dispense(tx, sealer, &dispense, now)?;
                            let mut rx = prescription::get(tx, sealer, row.order.prescription_id)?;
                            rx.details.repeats_used = rx.details.repeats_used.saturating_add(1);
                            prescription::update(tx, sealer, rx.id, &rx.details, now)?;
                            settle(RefillState::Done, &details)?;
                        }
                        Some(Err(_)) if success => {
                            details.reason = Some(
                                "the pharmacy's dispense could not be read: record the stock received"
                                    .into(),
                            );
                            settle(RefillState::Done, &details)?;
                        }
                        _ => {}
                    }
                }
                // An answer for a step the order has moved past changes nothing.
                _ => {}
            }
            Ok(pharmacy::order(tx, sealer, order_id)?.order)
        })
    }

    /// The phone's zone at `now` inside a transaction (UTC before one is recorded).
    fn zone_of(&self, conn: &Connection, sealer: &Sealer, now: Timestamp) -> Result<Zone> {
        let snapshot = self.snapshot(conn, sealer, false)?;
        Ok(snapshot
            .zones
            .as_ref()
            .map_or(crate::Zone::UTC, |z| z.zone_at(now)))
    }
}
