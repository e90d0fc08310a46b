//! A medicine as three kinds of resource: its `Medication` (what it is: name, RxNorm and ATC
//! codes, strength, form, route), its `MedicationStatement` (the patient's record of it:
//! active or archived, notes, instructions, spacing rules, how its stock is counted) and one
//! `MedicationRequest` per schedule version (intent `plan`, the schedule as `Dosage`s with
//! Regimen's extensions as `schedule_to_dosages` writes them, and what FHIR Timing cannot
//! say in Regimen's `schedule` extension: from when the version applies, the schedule's start,
//! zone, zone policy and gradual shift).

use serde::Serialize;
use serde_json::{Map, Value};

use super::ext::{
    Parts, complex, instant, instant_json, one, one_member, ours, simple, text, whole,
};
use super::ids::{Kind, Names, reference_of, row_id, urn_in};
use super::supply::{read_stock, stock_extension};
use crate::Zone;
use crate::error::{Error, Result};
use crate::interop::fhir::datatypes::{DayEdge, concept, date_time, date_time_json};
use crate::interop::fhir::json::{element, list, members, object, parse_code, string};
use crate::interop::fhir::{RXNORM, schedule_to_dosages, stored_schedule_from_dosages};
use crate::medicine::{DoseForm, Medicine, MedicineInfo, Route};
use crate::schedule::{
    GradualShift, LocalDate, ScheduleVersion, SpacingRule, ZonePolicy, parse_zone,
};
use crate::supply::{SupplyEvent, SupplySettings};
use crate::time::Timestamp;

/// The code system of WHO ATC codes.
pub(super) const ATC: &str = "http://www.whocc.no/atc";

/// A serde enum's code (its FHIR or Regimen name).
fn code_of<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// What the `MedicationStatement` of a medicine is written from.
pub(super) struct MedicineOut<'a> {
    /// The medicine.
    pub(super) medicine: &'a Medicine,
    /// Its schedule versions, oldest first.
    pub(super) versions: &'a [&'a ScheduleVersion],
    /// The spacing rules that move its doses (it is the rule's second medicine).
    pub(super) spacing: &'a [&'a SpacingRule],
    /// How its stock is counted, when exported and tracked.
    pub(super) supply: Option<&'a SupplySettings>,
    /// Its counts and losses, when exported.
    pub(super) stock: &'a [&'a SupplyEvent],
}

/// A medicine's `Medication`.
pub(super) fn medication(names: &Names, medicine: &Medicine) -> Value {
    let info = &medicine.info;
    let mut coding = Vec::new();
    if let Some(code) = &info.rxnorm {
        coding.push(element([
            ("system", RXNORM.into()),
            ("code", code.as_str().into()),
        ]));
    }
    if let Some(code) = &info.atc {
        coding.push(element([
            ("system", ATC.into()),
            ("code", code.as_str().into()),
        ]));
    }
    let extensions: Vec<Value> = [
        info.strength
            .as_deref()
            .map(|s| simple("strength", "valueString", s.into())),
        info.form
            .map(|f| simple("dose-form", "valueCode", code_of(&f))),
        info.route
            .map(|r| simple("route", "valueCode", code_of(&r))),
        info.drug_id
            .as_deref()
            .map(|d| simple("drug-id", "valueString", d.into())),
    ]
    .into_iter()
    .flatten()
    .collect();
    element([
        ("resourceType", "Medication".into()),
        ("id", names.uuid(Kind::Medication, medicine.id).into()),
        ("extension", extensions.into()),
        (
            "code",
            element([
                ("text", info.name.as_str().into()),
                ("coding", coding.into()),
            ]),
        ),
    ])
}

/// A medicine's `MedicationStatement`.
pub(super) fn statement(names: &Names, out: &MedicineOut<'_>) -> Value {
    let medicine = out.medicine;
    let mut extensions = vec![complex(
        "medicine",
        &[
            ("revision", "valueInteger", medicine.revision.into()),
            (
                "updated",
                "valueDateTime",
                instant_json(medicine.updated_at),
            ),
            (
                "archived",
                "valueDateTime",
                medicine
                    .archived_at
                    .map(instant_json)
                    .unwrap_or(Value::Null),
            ),
        ],
    )];
    for rule in out.spacing {
        extensions.push(complex(
            "spacing",
            &[
                ("id", "valueInteger", rule.id.into()),
                (
                    "apart-from",
                    "valueReference",
                    names.reference(Kind::Medicine, rule.first_medicine_id),
                ),
                ("minutes", "valueInteger", rule.min_gap_minutes.into()),
                ("added", "valueDateTime", instant_json(rule.created_at)),
            ],
        ));
    }
    if let Some(settings) = out.supply {
        extensions.push(complex(
            "supply",
            &[
                ("unit", "valueString", settings.unit.as_str().into()),
                (
                    "pack-size",
                    "valueDecimal",
                    settings
                        .pack_size
                        .map(crate::interop::fhir::json::number)
                        .unwrap_or(Value::Null),
                ),
                ("lead-days", "valueInteger", settings.lead_days.into()),
            ],
        ));
    }
    extensions.extend(out.stock.iter().map(|event| stock_extension(event)));
    let based_on: Vec<Value> = out
        .versions
        .iter()
        .map(|v| names.reference(Kind::ScheduleVersion, v.id))
        .collect();
    let info = &medicine.info;
    let status = if medicine.is_active() {
        "active"
    } else {
        "stopped"
    };
    element([
        ("resourceType", "MedicationStatement".into()),
        ("id", names.uuid(Kind::Medicine, medicine.id).into()),
        ("extension", extensions.into()),
        (
            "identifier",
            super::ids::identifier(Kind::Medicine, medicine.id),
        ),
        ("basedOn", based_on.into()),
        ("status", status.into()),
        (
            "medicationReference",
            names.reference(Kind::Medication, medicine.id),
        ),
        ("subject", names.reference(Kind::Patient, 0)),
        ("dateAsserted", instant_json(medicine.created_at)),
        (
            "note",
            info.notes
                .as_deref()
                .map(|n| one_member("text", n.into()))
                .into(),
        ),
        (
            "dosage",
            info.instructions
                .as_deref()
                .map(|i| one_member("patientInstruction", i.into()))
                .into(),
        ),
    ])
}

/// A schedule version's `MedicationRequest`; `prior` is the version before it, `latest`
/// whether it is the medicine's newest.
pub(super) fn request(
    names: &Names,
    medicine: &Medicine,
    version: &ScheduleVersion,
    prior: Option<&ScheduleVersion>,
    latest: bool,
) -> Value {
    let status = match (&version.schedule, &version.problem) {
        (None, Some(_)) => "unknown",
        _ if !latest || !medicine.is_active() => "stopped",
        (Some(_), _) => "active",
        (None, None) => "on-hold",
    };
    let mut parts = vec![(
        "valid-from",
        "valueDateTime",
        instant_json(version.valid_from),
    )];
    let mut dosages = Value::Null;
    if let Some(schedule) = &version.schedule {
        let zone = parse_zone(&schedule.zone).unwrap_or(Zone::UTC);
        parts.push((
            "start",
            "valueDateTime",
            date_time_json(schedule.start, zone, DayEdge::Start),
        ));
        parts.push(("zone", "valueCode", schedule.zone.as_str().into()));
        parts.push(("policy", "valueCode", code_of(&schedule.policy)));
        if let Some(shift) = &schedule.shift {
            let shift = super::ext::parts(&[
                ("to-zone", "valueCode", shift.to_zone.as_str().into()),
                ("starts", "valueDate", shift.starts.to_string().into()),
                (
                    "max-hours-per-day",
                    "valueInteger",
                    shift.max_hours_per_day.into(),
                ),
            ]);
            parts.push(("shift", "extension", shift));
        }
        dosages = schedule_to_dosages(schedule, zone);
    }
    element([
        ("resourceType", "MedicationRequest".into()),
        ("id", names.uuid(Kind::ScheduleVersion, version.id).into()),
        ("extension", vec![complex("schedule", &parts)].into()),
        (
            "identifier",
            super::ids::identifier(Kind::ScheduleVersion, version.id),
        ),
        ("status", status.into()),
        ("intent", "plan".into()),
        ("reportedBoolean", true.into()),
        (
            "medicationReference",
            names.reference(Kind::Medication, medicine.id),
        ),
        ("subject", names.reference(Kind::Patient, 0)),
        ("authoredOn", instant_json(version.created_at)),
        (
            "priorPrescription",
            prior
                .map(|p| names.reference(Kind::ScheduleVersion, p.id))
                .into(),
        ),
        ("dosageInstruction", dosages),
    ])
}

/// Reads a `Medication` of an export: the medicine's name, codes, strength, form, route and
/// drug id (its instructions and notes are the statement's).
pub(super) fn read_medication(map: &Map<String, Value>) -> Result<MedicineInfo> {
    let field = "Medication.code";
    let code = map
        .get("code")
        .ok_or_else(|| Error::invalid(field, "is required"))
        .and_then(|c| concept(c, field))?;
    let mut info = MedicineInfo {
        name: code
            .text
            .ok_or_else(|| Error::invalid("Medication.code.text", "the name is required"))?
            .to_owned(),
        rxnorm: code.code_in(RXNORM).map(str::to_owned),
        atc: code.code_in(ATC).map(str::to_owned),
        ..MedicineInfo::default()
    };
    let exts = ours(map, "Medication.extension")?;
    let field = "Medication.extension";
    if let Some(ext) = one(&exts, "strength", field)? {
        info.strength = Some(text(super::ext::value(ext, "valueString", field)?, field)?);
    }
    if let Some(ext) = one(&exts, "dose-form", field)? {
        let code = string(super::ext::value(ext, "valueCode", field)?, field)?;
        info.form = Some(
            parse_code::<DoseForm>(code)
                .ok_or_else(|| Error::invalid(field, "not a dose form Regimen knows"))?,
        );
    }
    if let Some(ext) = one(&exts, "route", field)? {
        let code = string(super::ext::value(ext, "valueCode", field)?, field)?;
        info.route = Some(
            parse_code::<Route>(code)
                .ok_or_else(|| Error::invalid(field, "not a route Regimen knows"))?,
        );
    }
    if let Some(ext) = one(&exts, "drug-id", field)? {
        info.drug_id = Some(text(super::ext::value(ext, "valueString", field)?, field)?);
    }
    Ok(info)
}

/// What a `MedicationStatement` of an export says.
pub(super) struct StatementIn {
    /// The `Medication` it is about.
    pub(super) medication: String,
    /// The medicine with its info but for what the `Medication` says.
    pub(super) medicine: Medicine,
    /// Its spacing rules: id, the other medicine's statement, minutes, when added.
    pub(super) spacing: Vec<(i64, String, u32, Timestamp)>,
    /// How its stock is counted.
    pub(super) supply: Option<SupplySettings>,
    /// Its counts and losses (medicine id 0 until resolved).
    pub(super) stock: Vec<SupplyEvent>,
}

/// Reads a `MedicationStatement` of an export.
pub(super) fn read_statement(map: &Map<String, Value>) -> Result<StatementIn> {
    let id = row_id(map, Kind::Medicine)?;
    let medication = reference_of(
        map,
        "medicationReference",
        "MedicationStatement.medicationReference",
    )?;
    let status = map
        .get("status")
        .ok_or_else(|| Error::invalid("MedicationStatement.status", "is required"))
        .and_then(|s| string(s, "MedicationStatement.status"))?;
    let created_at = map
        .get("dateAsserted")
        .ok_or_else(|| Error::invalid("MedicationStatement.dateAsserted", "is required"))
        .and_then(|v| instant(v, "MedicationStatement.dateAsserted"))?;
    let exts = ours(map, "MedicationStatement.extension")?;
    let field = "MedicationStatement.extension.medicine";
    let record =
        one(&exts, "medicine", field)?.ok_or_else(|| Error::invalid(field, "is required"))?;
    let parts = Parts::of(record, field)?;
    let revision = u32::try_from(whole(parts.need("revision", "valueInteger")?, field)?)
        .ok()
        .filter(|r| *r >= 1)
        .ok_or_else(|| Error::invalid(field, "the revision is a whole number from 1"))?;
    let updated_at = instant(parts.need("updated", "valueDateTime")?, field)?;
    let archived_at = parts
        .get("archived", "valueDateTime")?
        .map(|v| instant(v, field))
        .transpose()?;
    match (status, archived_at.is_some()) {
        ("active", false) | ("stopped", true) => {}
        _ => {
            return Err(Error::invalid(
                "MedicationStatement.status",
                "active for a medicine in use, stopped for an archived one",
            ));
        }
    }
    let notes = list(map, "note", "MedicationStatement.note", object)?
        .first()
        .and_then(|n| n.get("text"))
        .map(|t| text(t, "MedicationStatement.note.text"))
        .transpose()?;
    let instructions = list(map, "dosage", "MedicationStatement.dosage", object)?
        .first()
        .and_then(|d| d.get("patientInstruction"))
        .map(|t| text(t, "MedicationStatement.dosage.patientInstruction"))
        .transpose()?;
    let mut spacing = Vec::new();
    let mut stock = Vec::new();
    let mut supply = None;
    for (name, ext) in &exts {
        match *name {
            "spacing" => {
                let field = "MedicationStatement.extension.spacing";
                let parts = Parts::of(ext, field)?;
                let apart_from = object(parts.need("apart-from", "valueReference")?, field)?;
                let minutes = u32::try_from(whole(parts.need("minutes", "valueInteger")?, field)?)
                    .map_err(|_| Error::invalid(field, "minutes must be 1 to 1440"))?;
                spacing.push((
                    whole(parts.need("id", "valueInteger")?, field)?,
                    urn_in(apart_from, field)?.to_owned(),
                    minutes,
                    instant(parts.need("added", "valueDateTime")?, field)?,
                ));
            }
            "supply" => {
                let field = "MedicationStatement.extension.supply";
                if supply.is_some() {
                    return Err(Error::invalid(field, "appears twice"));
                }
                let parts = Parts::of(ext, field)?;
                let lead = whole(parts.need("lead-days", "valueInteger")?, field)?;
                supply = Some(SupplySettings {
                    unit: text(parts.need("unit", "valueString")?, field)?,
                    pack_size: parts
                        .get("pack-size", "valueDecimal")?
                        .map(|v| super::ext::decimal(v, field))
                        .transpose()?,
                    lead_days: u32::try_from(lead)
                        .map_err(|_| Error::invalid(field, "lead days must be 0 to 60"))?,
                });
            }
            "stock" => stock.push(read_stock(ext)?),
            _ => {}
        }
    }
    Ok(StatementIn {
        medication: medication.to_owned(),
        medicine: Medicine {
            id,
            info: MedicineInfo {
                instructions,
                notes,
                ..MedicineInfo::default()
            },
            revision,
            created_at,
            updated_at,
            archived_at,
        },
        spacing,
        supply,
        stock,
    })
}

/// What a `MedicationRequest` of an export says.
pub(super) struct RequestIn {
    /// The `Medication` it is for.
    pub(super) medication: String,
    /// The version (medicine id 0 until resolved).
    pub(super) version: ScheduleVersion,
}

/// Reads a `MedicationRequest` of an export: a schedule version.
pub(super) fn read_request(map: &Map<String, Value>) -> Result<RequestIn> {
    let id = row_id(map, Kind::ScheduleVersion)?;
    let medication = reference_of(
        map,
        "medicationReference",
        "MedicationRequest.medicationReference",
    )?;
    let created_at = map
        .get("authoredOn")
        .ok_or_else(|| Error::invalid("MedicationRequest.authoredOn", "is required"))
        .and_then(|v| instant(v, "MedicationRequest.authoredOn"))?;
    let field = "MedicationRequest.extension.schedule";
    let exts = ours(map, "MedicationRequest.extension")?;
    let ext = one(&exts, "schedule", field)?.ok_or_else(|| Error::invalid(field, "is required"))?;
    let parts = Parts::of(ext, field)?;
    let valid_from = instant(parts.need("valid-from", "valueDateTime")?, field)?;
    let dosages = members(map, "dosageInstruction", |v, _| Ok(v))?;
    let schedule = if dosages.is_empty() {
        None
    } else {
        let zone_name = text(parts.need("zone", "valueCode")?, field)?;
        let zone = parse_zone(&zone_name)?;
        let start = date_time(
            parts.need("start", "valueDateTime")?,
            field,
            zone,
            DayEdge::Start,
        )?;
        let policy =
            parse_code::<ZonePolicy>(string(parts.need("policy", "valueCode")?, field)?)
                .ok_or_else(|| Error::invalid(field, "the policy is local, home or elapsed"))?;
        let mut schedule =
            stored_schedule_from_dosages(&dosages, zone, start)?.ok_or_else(|| {
                Error::invalid("MedicationRequest.dosageInstruction", "schedules nothing")
            })?;
        schedule.zone = zone_name;
        schedule.policy = policy;
        schedule.shift = parts.part("shift").map(read_shift).transpose()?;
        schedule.validate_plannable()?;
        Some(schedule)
    };
    Ok(RequestIn {
        medication: medication.to_owned(),
        version: ScheduleVersion {
            id,
            medicine_id: 0,
            valid_from,
            schedule,
            created_at,
            problem: None,
        },
    })
}

/// The `shift` part of the `schedule` extension.
fn read_shift(part: &Map<String, Value>) -> Result<GradualShift> {
    let field = "MedicationRequest.extension.schedule.shift";
    let parts = Parts::of(part, field)?;
    let starts: LocalDate = string(parts.need("starts", "valueDate")?, field)?
        .parse()
        .map_err(|_| Error::invalid(field, "starts is a date like 2026-01-01"))?;
    Ok(GradualShift {
        to_zone: text(parts.need("to-zone", "valueCode")?, field)?,
        starts,
        max_hours_per_day: u32::try_from(whole(
            parts.need("max-hours-per-day", "valueInteger")?,
            field,
        )?)
        .map_err(|_| Error::invalid(field, "max-hours-per-day is 1 to 12"))?,
    })
}
