//! FHIR R4 JSON for schedules: [`Timing`] and `Dosage` in and out.
//!
//! Import is strict about what Regimen reads and quiet about what it does not: a member of the
//! wrong type, an unknown code or a broken invariant (tim-1 to tim-10) is an
//! [`Error::InvalidInput`] naming the FHIR path (`repeat.periodUnit`), with the dosage's
//! position in the reason; unknown members and foreign extensions are ignored; a
//! `modifierExtension` (which may change the meaning) is refused. Messages never quote the
//! input.
//!
//! The rules chosen where FHIR leaves room:
//! - **dateTimes** (`event`, `boundsPeriod`) become wall-clock times in the schedule's zone. A
//!   date alone is local midnight, except `boundsPeriod.end`, which is inclusive in FHIR and so
//!   covers the whole day (23:59:59). A dateTime without an offset is read as wall-clock time.
//!   Export writes a date alone for midnight (23:59:59 for an end) and otherwise the dateTime
//!   with the offset the zone has at the instant Regimen plans for it (see `zone.rs`).
//! - **`Timing.code`** is read from a coding in the GTSAbbreviation system, a coding without a
//!   system, or the text, when the code is one of FHIR's (`BID`, `Q4H`, ...). An unknown code
//!   in that system is refused; a code from another system is ignored (the `repeat` says when).
//! - **Dosages** with `asNeeded[x]` become the schedule's [`AsNeeded`] rules, not a phase, so a
//!   medicine taken as needed never nags. Their timing may only say how often ("every 4 to 6
//!   h"), read as the least interval between doses (`period / frequency`, the lower bound);
//!   their dose is not kept (Regimen's rules have none). Every other dosage is one [`Phase`],
//!   ordered by `sequence` (a taper); two scheduled dosages with the same sequence (taken
//!   together) are refused, and dosages without one follow in list order. `maxDosePerPeriod`
//!   is read on the as-needed dosage only.
//! - **Regimen's extensions** (cycle, window, after-last-taken) travel as `extension`s on the
//!   Dosage under [`EXTENSION_BASE`], so Regimen -> FHIR -> Regimen is lossless except for the
//!   zone policy, which import sets to [`ZonePolicy::Local`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, Timelike};
use chrono_tz::Tz;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::clock::{ClockTime, LocalDateTime};
use super::timing::{Bounds, Timing, TimingCode, TimingRepeat, UnitOfTime};
use super::zone::Frame;
use super::{AsNeeded, Cycle, MaxDose, Phase, Quantity, Schedule, Window, ZonePolicy};
use crate::error::{Error, Result};
use crate::medicine::{MAX_INSTRUCTIONS_CHARS, MAX_NAME_CHARS};
use crate::validate::optional_text;

/// UCUM, the code system of units in `Duration` and `Quantity`.
pub const UCUM: &str = "http://unitsofmeasure.org";
/// The code system of `Timing.code` (`BID`, `TID`, ...).
pub const GTS_ABBREVIATION: &str = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation";
/// The code system of RxNorm concept ids.
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
/// Where Regimen's own extensions live: `cycle`, `window`, `after-last-taken`.
pub const EXTENSION_BASE: &str = "https://regimen.invalid/fhir/StructureDefinition/";

/// Longest as-needed reason, in characters.
const MAX_REASON_CHARS: usize = 200;

/// A medicine and its schedule read from a FHIR `MedicationRequest` or `Dosage`.
#[derive(Clone, Debug, PartialEq)]
pub struct FhirPrescription {
    /// `medicationCodeableConcept.text`, else the first coding's display.
    pub medication_name: Option<String>,
    /// The RxNorm concept id among the medication's codings.
    pub rxnorm: Option<String>,
    /// The schedule: one phase per scheduled dosage, as-needed rules from an as-needed one.
    pub schedule: Schedule,
    /// The first non-empty `text` or `patientInstruction`, in list order.
    pub instructions: Option<String>,
}

/// What one FHIR `Dosage` becomes in Regimen.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // a short-lived return value
pub enum ImportedDosage {
    /// A scheduled dosage: one phase of the schedule.
    Phase(Phase),
    /// A dosage taken as needed: the schedule's as-needed rules.
    AsNeeded(AsNeeded),
}

// ---------------------------------------------------------------------------------------------
// Timing

/// Reads a FHIR R4 `Timing`, with dateTimes converted to wall-clock times in `zone`, and checks
/// FHIR's invariants.
pub fn timing_from_fhir(json: &Value, zone: Tz) -> Result<Timing> {
    let map = object(json, "timing")?;
    no_modifiers(map, "modifierExtension")?;
    let timing = Timing {
        event: members(map, "event", |v, f| date_time(v, f, zone, DayEdge::Start))?,
        repeat: member(map, "repeat", |v, _| repeat_from_fhir(v, zone))?,
        code: member(map, "code", timing_code)?.flatten(),
    };
    timing.validate().map_err(fhir_field)?;
    Ok(timing)
}

/// Writes a [`Timing`] as FHIR R4 JSON, with wall-clock times in `zone` given their offset.
pub fn timing_to_fhir(timing: &Timing, zone: Tz) -> Value {
    let event: Vec<Value> = timing
        .event
        .iter()
        .map(|&e| date_time_json(e, zone, DayEdge::Start))
        .collect();
    compact(json!({
        "event": event,
        "repeat": timing.repeat.as_ref().map(|r| repeat_to_fhir(r, zone)),
        "code": timing.code.map(|c| coding_json(GTS_ABBREVIATION, c.code())),
    }))
}

fn repeat_from_fhir(json: &Value, zone: Tz) -> Result<TimingRepeat> {
    let map = object(json, "repeat")?;
    no_modifiers(map, "repeat.modifierExtension")?;
    if map.is_empty() {
        return Err(Error::invalid("repeat", "must not be empty (ele-1)"));
    }
    if map.contains_key("boundsRange") {
        return Err(Error::invalid(
            "repeat.boundsRange",
            "not supported; use boundsDuration or boundsPeriod",
        ));
    }
    let duration = member(map, "repeat.boundsDuration", duration)?
        .map(|(value, unit)| Bounds::Duration { value, unit });
    let period = member(map, "repeat.boundsPeriod", |v, f| period(v, f, zone))?;
    if duration.is_some() && period.is_some() {
        return Err(Error::invalid(
            "repeat.bounds[x]",
            "give boundsDuration or boundsPeriod, not both",
        ));
    }
    Ok(TimingRepeat {
        bounds: duration.or(period),
        count: member(map, "repeat.count", uint)?,
        count_max: member(map, "repeat.countMax", uint)?,
        duration: member(map, "repeat.duration", decimal)?,
        duration_max: member(map, "repeat.durationMax", decimal)?,
        duration_unit: member(map, "repeat.durationUnit", code)?,
        frequency: member(map, "repeat.frequency", uint)?,
        frequency_max: member(map, "repeat.frequencyMax", uint)?,
        period: member(map, "repeat.period", decimal)?,
        period_max: member(map, "repeat.periodMax", decimal)?,
        period_unit: member(map, "repeat.periodUnit", code)?,
        day_of_week: members(map, "repeat.dayOfWeek", code)?,
        time_of_day: members(map, "repeat.timeOfDay", time)?,
        when: members(map, "repeat.when", code)?,
        offset: member(map, "repeat.offset", uint)?,
    })
}

fn repeat_to_fhir(r: &TimingRepeat, zone: Tz) -> Value {
    let (duration, period) = match &r.bounds {
        Some(Bounds::Duration { value, unit }) => (Some(duration_json(*value, *unit)), None),
        Some(Bounds::Period { start, end }) => (None, Some(period_json(*start, *end, zone))),
        None => (None, None),
    };
    let time_of_day: Vec<Value> = r.time_of_day.iter().map(|&t| time_json(t)).collect();
    // The enums serialize as their FHIR codes.
    compact(json!({
        "boundsDuration": duration,
        "boundsPeriod": period,
        "count": r.count,
        "countMax": r.count_max,
        "duration": r.duration.map(number),
        "durationMax": r.duration_max.map(number),
        "durationUnit": r.duration_unit,
        "frequency": r.frequency,
        "frequencyMax": r.frequency_max,
        "period": r.period.map(number),
        "periodMax": r.period_max.map(number),
        "periodUnit": r.period_unit,
        "dayOfWeek": r.day_of_week,
        "timeOfDay": time_of_day,
        "when": r.when,
        "offset": r.offset,
    }))
}

/// `Timing.code`: a GTSAbbreviation code, or `None` for a code from another system.
fn timing_code(json: &Value, field: &'static str) -> Result<Option<TimingCode>> {
    let concept = concept(json, field)?;
    for coding in &concept.coding {
        let ours = coding.system.is_none_or(|s| s == GTS_ABBREVIATION);
        match coding.code.filter(|_| ours).map(parse_code::<TimingCode>) {
            Some(Some(code)) => return Ok(Some(code)),
            Some(None) if coding.system.is_some() => {
                return Err(Error::invalid(
                    field,
                    "not a GTSAbbreviation code Regimen knows",
                ));
            }
            _ => {}
        }
    }
    Ok(concept
        .text
        .and_then(|t| parse_code(&t.trim().to_ascii_uppercase())))
}

/// Timing validation names Regimen's fields; import reports FHIR's.
fn fhir_field(error: Error) -> Error {
    match error {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field: fhir_name(field),
            reason,
        },
        other => other,
    }
}

fn fhir_name(field: &'static str) -> &'static str {
    match field {
        "repeat.duration_unit" => "repeat.durationUnit",
        "repeat.duration_max" => "repeat.durationMax",
        "repeat.period_unit" => "repeat.periodUnit",
        "repeat.period_max" => "repeat.periodMax",
        "repeat.frequency_max" => "repeat.frequencyMax",
        "repeat.count_max" => "repeat.countMax",
        "repeat.time_of_day" => "repeat.timeOfDay",
        "repeat.bounds" => "repeat.bounds[x]",
        "dose" => "doseAndRate.doseQuantity",
        "cycle" => "extension.cycle",
        "window" => "extension.window",
        "as_needed.max_per_period.amount" => "maxDosePerPeriod.numerator",
        "as_needed.max_per_period.period_hours" => "maxDosePerPeriod.denominator",
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// Dosage and MedicationRequest

/// Reads one FHIR `Dosage`: a scheduled one becomes a [`Phase`] (timing, first
/// `doseAndRate.doseQuantity`, Regimen's extensions); one with `asNeeded[x]` becomes
/// [`AsNeeded`] rules (reason, least interval from its timing, `maxDosePerPeriod`).
pub fn dosage_to_phase(dosage: &Value, zone: Tz) -> Result<ImportedDosage> {
    let map = object(dosage, "dosage")?;
    no_modifiers(map, "modifierExtension")?;
    let flag = member(map, "asNeededBoolean", boolean)?;
    let reason = member(map, "asNeededCodeableConcept", concept)?;
    if flag.is_some() && reason.is_some() {
        return Err(Error::invalid(
            "asNeeded[x]",
            "give asNeededBoolean or asNeededCodeableConcept, not both",
        ));
    }
    if flag == Some(true) || reason.is_some() {
        let reason = reason.as_ref().and_then(Concept::label);
        let rules = AsNeeded {
            reason: optional_text("asNeededCodeableConcept", reason, MAX_REASON_CHARS, false)?,
            min_interval_minutes: member(map, "timing", |v, _| least_interval(v, zone))?,
            max_per_period: member(map, "maxDosePerPeriod", max_dose)?,
        };
        return Ok(ImportedDosage::AsNeeded(rules));
    }
    let Some(timing) = map.get("timing") else {
        return Err(Error::invalid(
            "timing",
            "a scheduled dosage needs a timing",
        ));
    };
    let mut phase = Phase {
        timing: timing_from_fhir(timing, zone)?,
        dose: first_dose(map)?,
        ..Phase::default()
    };
    read_extensions(map, &mut phase)?;
    phase.validate().map_err(fhir_field)?;
    Ok(ImportedDosage::Phase(phase))
}

/// Reads a FHIR R4 `MedicationRequest`: the medication's name and RxNorm code, the
/// instructions, and a schedule in `zone` from its `dosageInstruction`s. The schedule starts at
/// the first phase's `boundsPeriod.start` if it has one, else at `start`.
pub fn schedule_from_medication_request(
    json: &Value,
    zone: Tz,
    start: LocalDateTime,
) -> Result<FhirPrescription> {
    let map = object(json, "resourceType")?;
    if map.get("resourceType").and_then(Value::as_str) != Some("MedicationRequest") {
        return Err(Error::invalid("resourceType", "expected MedicationRequest"));
    }
    no_modifiers(map, "modifierExtension")?;
    if member(map, "doNotPerform", boolean)? == Some(true) {
        return Err(Error::invalid(
            "doNotPerform",
            "a request not to take a medicine is not a schedule",
        ));
    }
    let dosages = members(map, "dosageInstruction", |v, _| Ok(v))?;
    let mut prescription = from_dosages(&dosages, zone, start)?;
    if let Some(medication) = member(map, "medicationCodeableConcept", concept)? {
        let field = "medicationCodeableConcept";
        prescription.medication_name =
            optional_text(field, medication.label(), MAX_NAME_CHARS, false)?;
        prescription.rxnorm = medication.code_in(RXNORM).map(rxnorm).transpose()?;
    }
    Ok(prescription)
}

/// Reads a bare FHIR R4 `Dosage` (no `resourceType`) as a one-dosage prescription with no
/// medication name; otherwise as [`schedule_from_medication_request`].
pub fn schedule_from_dosage(
    json: &Value,
    zone: Tz,
    start: LocalDateTime,
) -> Result<FhirPrescription> {
    if object(json, "dosage")?.contains_key("resourceType") {
        return Err(Error::invalid(
            "resourceType",
            "a Dosage has none; read resources with schedule_from_medication_request",
        ));
    }
    from_dosages(&[json], zone, start)
}

/// Writes a schedule's phases as FHIR R4 `Dosage`s (sequence 1, 2, ...; Regimen's extensions
/// as `extension`s), then its as-needed rules as one more Dosage without a sequence.
pub fn schedule_to_dosages(schedule: &Schedule, zone: Tz) -> Value {
    let mut dosages: Vec<Value> = (1..)
        .zip(&schedule.phases)
        .map(|(sequence, phase)| phase_to_dosage(phase, sequence, zone))
        .collect();
    dosages.extend(schedule.as_needed.as_ref().map(as_needed_to_dosage));
    Value::Array(dosages)
}

fn from_dosages(dosages: &[&Value], zone: Tz, start: LocalDateTime) -> Result<FhirPrescription> {
    if dosages.is_empty() {
        return Err(Error::invalid(
            "dosageInstruction",
            "needs at least one dosage",
        ));
    }
    let mut phases = Vec::new();
    let mut as_needed = None;
    let mut instructions = None;
    for (index, dosage) in dosages.iter().enumerate() {
        let mut read = || -> Result<()> {
            let map = object(dosage, "dosage")?;
            let sequence = member(map, "sequence", uint)?;
            match dosage_to_phase(dosage, zone)? {
                ImportedDosage::Phase(phase) => phases.push((sequence, phase)),
                ImportedDosage::AsNeeded(rules) => {
                    if as_needed.replace(rules).is_some() {
                        return Err(Error::invalid(
                            "asNeeded[x]",
                            "at most one as-needed dosage",
                        ));
                    }
                }
            }
            for name in ["text", "patientInstruction"] {
                if instructions.is_none() {
                    let text = member(map, name, string)?;
                    instructions = optional_text(name, text, MAX_INSTRUCTIONS_CHARS, true)?;
                }
            }
            Ok(())
        };
        read().map_err(|e| in_dosage(e, index))?;
    }
    phases.sort_by_key(|(sequence, _)| (sequence.is_none(), *sequence));
    if phases
        .windows(2)
        .any(|w| w[0].0.is_some() && w[0].0 == w[1].0)
    {
        return Err(Error::invalid(
            "sequence",
            "two scheduled dosages share a sequence (taken together); give them separate schedules",
        ));
    }
    let phases: Vec<Phase> = phases.into_iter().map(|(_, phase)| phase).collect();
    let first_bound = phases.first().and_then(|p| match &p.timing.repeat {
        Some(TimingRepeat {
            bounds: Some(Bounds::Period { start, .. }),
            ..
        }) => *start,
        _ => None,
    });
    let schedule = Schedule {
        start: first_bound.unwrap_or(start),
        zone: zone.name().to_owned(),
        policy: ZonePolicy::Local,
        phases,
        as_needed,
        shift: None,
    };
    schedule.validate().map_err(fhir_field)?;
    Ok(FhirPrescription {
        medication_name: None,
        rxnorm: None,
        schedule,
        instructions,
    })
}

/// Says which dosage an error came from.
fn in_dosage(error: Error, index: usize) -> Error {
    match error {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field,
            reason: format!("dosageInstruction[{index}]: {reason}"),
        },
        other => other,
    }
}

fn first_dose(dosage: &Map<String, Value>) -> Result<Option<Quantity>> {
    let Some(first) = members(dosage, "doseAndRate", object)?.into_iter().next() else {
        return Ok(None);
    };
    if first.contains_key("doseRange") {
        return Err(Error::invalid(
            "doseAndRate.doseRange",
            "not supported; give a doseQuantity",
        ));
    }
    member(first, "doseAndRate.doseQuantity", dose_quantity)
}

/// An as-needed dosage's timing: only how often, read as the least minutes between doses.
fn least_interval(json: &Value, zone: Tz) -> Result<u32> {
    let timing = timing_from_fhir(json, zone)?;
    let repeat = timing.effective_repeat().unwrap_or_default();
    let how_often = TimingRepeat {
        frequency: repeat.frequency,
        frequency_max: repeat.frequency_max,
        period: repeat.period,
        period_max: repeat.period_max,
        period_unit: repeat.period_unit,
        ..TimingRepeat::default()
    };
    let seconds = repeat.period_unit.and_then(UnitOfTime::fixed_seconds);
    match (repeat.period, seconds) {
        (Some(period), Some(seconds)) if timing.event.is_empty() && how_often == repeat => {
            let per_dose = period * seconds as f64 / f64::from(repeat.frequency.unwrap_or(1));
            Ok((per_dose / 60.0).ceil().min(f64::from(u32::MAX)) as u32)
        }
        _ => Err(Error::invalid(
            "timing",
            "an as-needed dosage's timing may only say how often (frequency and a period in \
             s, min, h, d or wk)",
        )),
    }
}

fn max_dose(json: &Value, field: &'static str) -> Result<MaxDose> {
    let map = object(json, field)?;
    let amount = required(map, "maxDosePerPeriod.numerator", dose_quantity)?;
    let (value, unit) = required(map, "maxDosePerPeriod.denominator", duration)?;
    let hours = unit.fixed_seconds().map(|s| value * s as f64 / 3600.0);
    match hours {
        Some(h) if h >= 1.0 && h.fract() == 0.0 && h <= f64::from(u32::MAX) => Ok(MaxDose {
            amount,
            period_hours: h as u32,
        }),
        _ => Err(Error::invalid(
            "maxDosePerPeriod.denominator",
            "must be a whole number of hours (in h, d or wk)",
        )),
    }
}

fn phase_to_dosage(phase: &Phase, sequence: u32, zone: Tz) -> Value {
    let cycle = phase.cycle.map(|c| {
        extension(
            "cycle",
            json!({ "extension": [
                { "url": "daysOn", "valueInteger": c.days_on },
                { "url": "daysOff", "valueInteger": c.days_off },
            ]}),
        )
    });
    let window = phase.window.map(|w| {
        extension(
            "window",
            json!({ "extension": [
                { "url": "start", "valueTime": time_json(w.start) },
                { "url": "end", "valueTime": time_json(w.end) },
            ]}),
        )
    });
    let after = phase
        .after_last_taken
        .then(|| extension("after-last-taken", json!({ "valueBoolean": true })));
    let extensions: Vec<Value> = [cycle, window, after].into_iter().flatten().collect();
    compact(json!({
        "sequence": sequence,
        "timing": timing_to_fhir(&phase.timing, zone),
        "doseAndRate": phase.dose.as_ref().map(|d| json!([{ "doseQuantity": quantity_json(d) }])),
        "extension": extensions,
    }))
}

fn as_needed_to_dosage(rules: &AsNeeded) -> Value {
    let timing = rules.min_interval_minutes.map(|minutes| {
        let (period, unit) = match minutes % 60 {
            0 => (minutes / 60, UnitOfTime::H),
            _ => (minutes, UnitOfTime::Min),
        };
        json!({ "repeat": { "frequency": 1, "period": period, "periodUnit": unit } })
    });
    let max = rules.max_per_period.as_ref().map(|max| {
        let (value, unit) = match max.period_hours % 24 {
            0 => (max.period_hours / 24, UnitOfTime::D),
            _ => (max.period_hours, UnitOfTime::H),
        };
        json!({
            "numerator": quantity_json(&max.amount),
            "denominator": duration_json(value.into(), unit),
        })
    });
    compact(json!({
        "asNeededBoolean": rules.reason.is_none().then_some(true),
        "asNeededCodeableConcept": rules.reason.as_ref().map(|text| json!({ "text": text })),
        "timing": timing,
        "maxDosePerPeriod": max,
    }))
}

// ---------------------------------------------------------------------------------------------
// Regimen's extensions

fn extension(name: &str, mut body: Value) -> Value {
    if let Value::Object(map) = &mut body {
        map.insert("url".into(), format!("{EXTENSION_BASE}{name}").into());
    }
    body
}

/// Reads Regimen's extensions on a Dosage into `phase`; others are ignored.
fn read_extensions(dosage: &Map<String, Value>, phase: &mut Phase) -> Result<()> {
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
fn part<'a>(
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

// ---------------------------------------------------------------------------------------------
// FHIR datatypes: Quantity, Duration, Period, CodeableConcept, dateTime, time

/// The members of a FHIR `Quantity` Regimen reads (a `comparator` is refused).
struct FhirQuantity<'a> {
    value: f64,
    unit: Option<&'a str>,
    system: Option<&'a str>,
    code: Option<&'a str>,
}

fn quantity<'a>(json: &'a Value, field: &'static str) -> Result<FhirQuantity<'a>> {
    let map = object(json, field)?;
    if map.contains_key("comparator") {
        return Err(Error::invalid(
            field,
            "a comparator (<, >) is not supported",
        ));
    }
    Ok(FhirQuantity {
        value: map
            .get("value")
            .and_then(Value::as_f64)
            .ok_or_else(|| Error::invalid(field, "needs a numeric value"))?,
        unit: text_member(map, "unit", field)?,
        system: text_member(map, "system", field)?,
        code: text_member(map, "code", field)?,
    })
}

/// A dose: `unit`, else `code`, as Regimen's unit.
fn dose_quantity(json: &Value, field: &'static str) -> Result<Quantity> {
    let q = quantity(json, field)?;
    let dose = Quantity {
        value: q.value,
        unit: q.unit.or(q.code).unwrap_or_default().trim().to_owned(),
    };
    dose.validate(field)?;
    Ok(dose)
}

fn quantity_json(q: &Quantity) -> Value {
    json!({ "value": number(q.value), "unit": q.unit })
}

/// A FHIR `Duration`: a UCUM unit of time (`code`, else `unit`) and a value of at least zero.
fn duration(json: &Value, field: &'static str) -> Result<(f64, UnitOfTime)> {
    let q = quantity(json, field)?;
    if q.system.is_some_and(|s| s != UCUM) {
        return Err(Error::invalid(field, "the unit system must be UCUM"));
    }
    let unit = q.code.or(q.unit).and_then(UnitOfTime::from_code);
    match unit {
        Some(unit) if q.value >= 0.0 => Ok((q.value, unit)),
        Some(_) => Err(Error::invalid(field, "must not be negative")),
        None => Err(Error::invalid(
            field,
            "needs a unit of time: s, min, h, d, wk, mo or a",
        )),
    }
}

fn duration_json(value: f64, unit: UnitOfTime) -> Value {
    json!({ "value": number(value), "unit": unit.code(), "system": UCUM, "code": unit.code() })
}

/// A FHIR `Period` as bounds; its `end` is inclusive, so a date alone covers that day.
fn period(json: &Value, field: &'static str, zone: Tz) -> Result<Bounds> {
    let map = object(json, field)?;
    let start = text_member(map, "start", field)?;
    let end = text_member(map, "end", field)?;
    let read = |text: Option<&str>, edge| {
        text.map(|t| date_time(&Value::from(t), field, zone, edge))
            .transpose()
    };
    Ok(Bounds::Period {
        start: read(start, DayEdge::Start)?,
        end: read(end, DayEdge::End)?,
    })
}

fn period_json(start: Option<LocalDateTime>, end: Option<LocalDateTime>, zone: Tz) -> Value {
    compact(json!({
        "start": start.map(|s| date_time_json(s, zone, DayEdge::Start)),
        "end": end.map(|e| date_time_json(e, zone, DayEdge::End)),
    }))
}

/// The members of a FHIR `CodeableConcept` Regimen reads.
struct Concept<'a> {
    text: Option<&'a str>,
    coding: Vec<Coding<'a>>,
}

struct Coding<'a> {
    system: Option<&'a str>,
    code: Option<&'a str>,
    display: Option<&'a str>,
}

impl<'a> Concept<'a> {
    /// What a person would call it: the text, else the first coding's display.
    fn label(&self) -> Option<&'a str> {
        let blank = |s: &&str| s.trim().is_empty();
        self.text.filter(|t| !blank(t)).or_else(|| {
            self.coding
                .iter()
                .find_map(|c| c.display.filter(|d| !blank(d)))
        })
    }

    /// The code of the first coding in `system`.
    fn code_in(&self, system: &str) -> Option<&'a str> {
        self.coding
            .iter()
            .find(|c| c.system == Some(system))
            .and_then(|c| c.code)
    }
}

fn concept<'a>(json: &'a Value, field: &'static str) -> Result<Concept<'a>> {
    let map = object(json, field)?;
    let coding = |c: &'a Value, field| {
        let c = object(c, field)?;
        Ok(Coding {
            system: text_member(c, "system", field)?,
            code: text_member(c, "code", field)?,
            display: text_member(c, "display", field)?,
        })
    };
    Ok(Concept {
        text: text_member(map, "text", field)?,
        coding: list(map, "coding", field, coding)?,
    })
}

fn coding_json(system: &str, code: &str) -> Value {
    json!({ "coding": [{ "system": system, "code": code }] })
}

fn rxnorm(code: &str) -> Result<String> {
    let code = code.trim();
    if code.is_empty()
        || code.len() > 8
        || code.starts_with('0')
        || !code.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Error::invalid(
            "medicationCodeableConcept",
            "an RxNorm code is 1 to 8 digits, not starting with 0",
        ));
    }
    Ok(code.to_owned())
}

/// Which moment of its day a date without a time stands for.
#[derive(Clone, Copy)]
enum DayEdge {
    /// Midnight: events and period starts.
    Start,
    /// 23:59:59: period ends, which are inclusive.
    End,
}

impl DayEdge {
    fn time(self) -> NaiveTime {
        match self {
            DayEdge::Start => NaiveTime::MIN,
            DayEdge::End => NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
        }
    }
}

/// A FHIR `date` or `dateTime` as a wall-clock time in `zone`.
fn date_time(json: &Value, field: &'static str, zone: Tz, edge: DayEdge) -> Result<LocalDateTime> {
    let text = string(json, field)?.trim();
    let local = if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        date.and_time(edge.time())
    } else if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        instant.with_timezone(&zone).naive_local()
    } else if let Ok(wall) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        wall
    } else {
        return Err(Error::invalid(
            field,
            "expected a date (2025-06-01) or a dateTime with an offset (2025-06-01T08:00:00+02:00)",
        ));
    };
    LocalDateTime::checked(local.with_nanosecond(0).unwrap_or(local)).ok_or_else(|| {
        Error::invalid(field, "must lie between the years 1900 and 2199")
    })
}

fn date_time_json(local: LocalDateTime, zone: Tz, edge: DayEdge) -> Value {
    if local.0.time() == edge.time() {
        return local.date().to_string().into();
    }
    let frame = Frame::Zone(zone);
    let instant = frame.resolve(local.0);
    let with_offset = instant
        .to_datetime()
        .with_timezone(&frame.offset_at(instant));
    with_offset
        .to_rfc3339_opts(SecondsFormat::Secs, true)
        .into()
}

/// A FHIR `time` (`08:00:00`; `08:00` is accepted too).
fn time(json: &Value, field: &'static str) -> Result<ClockTime> {
    let text = string(json, field)?.trim();
    NaiveTime::parse_from_str(text, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .map(ClockTime::from_naive)
        .map_err(|_| Error::invalid(field, "expected a time of day like 08:00:00"))
}

fn time_json(time: ClockTime) -> Value {
    let s = time.seconds();
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60).into()
}

// ---------------------------------------------------------------------------------------------
// JSON primitives. A reader takes the value and the FHIR path to name in errors; `member`
// looks a path's last segment up in an object.

fn key(path: &'static str) -> &'static str {
    path.rsplit('.').next().unwrap_or(path)
}

fn member<'a, T>(
    map: &'a Map<String, Value>,
    path: &'static str,
    read: impl FnOnce(&'a Value, &'static str) -> Result<T>,
) -> Result<Option<T>> {
    map.get(key(path))
        .map(|value| read(value, path))
        .transpose()
}

fn required<'a, T>(
    map: &'a Map<String, Value>,
    path: &'static str,
    read: impl FnOnce(&'a Value, &'static str) -> Result<T>,
) -> Result<T> {
    member(map, path, read)?.ok_or_else(|| Error::invalid(path, "is required"))
}

fn members<'a, T>(
    map: &'a Map<String, Value>,
    path: &'static str,
    read: impl Fn(&'a Value, &'static str) -> Result<T>,
) -> Result<Vec<T>> {
    list(map, key(path), path, read)
}

/// The array member `name` of a datatype, named by the datatype's path in errors.
fn list<'a, T>(
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
fn text_member<'a>(
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

fn object<'a>(json: &'a Value, field: &'static str) -> Result<&'a Map<String, Value>> {
    json.as_object()
        .ok_or_else(|| Error::invalid(field, "must be a JSON object"))
}

fn string<'a>(json: &'a Value, field: &'static str) -> Result<&'a str> {
    json.as_str()
        .ok_or_else(|| Error::invalid(field, "must be a string"))
}

fn boolean(json: &Value, field: &'static str) -> Result<bool> {
    json.as_bool()
        .ok_or_else(|| Error::invalid(field, "must be true or false"))
}

fn uint(json: &Value, field: &'static str) -> Result<u32> {
    json.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| Error::invalid(field, "must be a whole number from 0 to 4294967295"))
}

fn decimal(json: &Value, field: &'static str) -> Result<f64> {
    json.as_f64()
        .ok_or_else(|| Error::invalid(field, "must be a number"))
}

/// A FHIR code read into one of the schedule's enums (their serde names are FHIR's codes).
fn code<T: DeserializeOwned>(json: &Value, field: &'static str) -> Result<T> {
    parse_code(string(json, field)?)
        .ok_or_else(|| Error::invalid(field, "not a code FHIR defines here"))
}

fn parse_code<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(Value::from(code)).ok()
}

/// A decimal as FHIR writes it: whole numbers without a fraction.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9e15 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

/// An object without its null and empty-array members: FHIR JSON leaves absent things out.
fn compact(mut value: Value) -> Value {
    if let Value::Object(map) = &mut value {
        map.retain(|_, v| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)));
    }
    value
}

/// A modifier extension may change what the element means: refuse what cannot be understood.
fn no_modifiers(map: &Map<String, Value>, field: &'static str) -> Result<()> {
    if map.contains_key("modifierExtension") {
        return Err(Error::invalid(
            field,
            "modifier extensions are not understood",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase_with_extensions() -> Phase {
        Phase {
            timing: Timing {
                code: Some(TimingCode::Q3h),
                ..Timing::default()
            },
            dose: Some(Quantity {
                value: 1.0,
                unit: "tablet".into(),
            }),
            cycle: Some(Cycle {
                days_on: 21,
                days_off: 7,
            }),
            window: Some(Window {
                start: "08:00".parse().unwrap(),
                end: "22:30".parse().unwrap(),
            }),
            after_last_taken: true,
        }
    }

    #[test]
    fn regimen_extensions_round_trip_through_a_dosage() {
        let phase = phase_with_extensions();
        let dosage = phase_to_dosage(&phase, 1, chrono_tz::UTC);
        let urls: Vec<&str> = dosage["extension"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["url"].as_str().unwrap())
            .collect();
        assert_eq!(
            urls,
            [
                "https://regimen.invalid/fhir/StructureDefinition/cycle",
                "https://regimen.invalid/fhir/StructureDefinition/window",
                "https://regimen.invalid/fhir/StructureDefinition/after-last-taken",
            ]
        );
        assert_eq!(
            dosage["extension"][1]["extension"][1]["valueTime"],
            "22:30:00"
        );
        let back = dosage_to_phase(&dosage, chrono_tz::UTC).unwrap();
        assert_eq!(back, ImportedDosage::Phase(phase));
    }

    #[test]
    fn a_phase_without_extensions_writes_none_and_foreign_ones_are_ignored() {
        let phase = Phase {
            cycle: None,
            window: None,
            after_last_taken: false,
            ..phase_with_extensions()
        };
        let mut dosage = phase_to_dosage(&phase, 1, chrono_tz::UTC);
        assert!(dosage.get("extension").is_none());
        dosage["extension"] = json!([{ "url": "http://example.org/x", "valueString": "y" }]);
        let back = dosage_to_phase(&dosage, chrono_tz::UTC).unwrap();
        assert_eq!(back, ImportedDosage::Phase(phase));
    }

    #[test]
    fn a_broken_cycle_extension_names_the_extension() {
        let mut dosage = phase_to_dosage(&phase_with_extensions(), 1, chrono_tz::UTC);
        for days_on in [json!(0), json!(u32::MAX), json!(-1), json!("21")] {
            dosage["extension"][0]["extension"][0]["valueInteger"] = days_on;
            let err = dosage_to_phase(&dosage, chrono_tz::UTC).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidInput {
                        field: "extension.cycle",
                        ..
                    }
                ),
                "{err}"
            );
        }
    }
}
