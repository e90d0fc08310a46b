//! FHIR `Dosage` and `MedicationRequest` in and out: phases, as-needed rules and the
//! medication's name and RxNorm code.

use crate::Zone;
use serde_json::{Map, Value};

use super::datatypes::{
    Concept, concept, dose_quantity, duration, duration_json, period_json, quantity_json, rxnorm,
    time_json,
};
use super::extensions::{extension, read_extensions};
use super::json::{
    boolean, element, member, members, no_modifiers, object, required, string, uint,
};
use super::timing::{fhir_field, timing_from_fhir, timing_to_fhir};
use super::{FhirPrescription, ImportedDosage, MAX_REASON_CHARS, RXNORM};
use crate::error::{Error, Result};
use crate::medicine::{MAX_INSTRUCTIONS_CHARS, MAX_NAME_CHARS};
use crate::schedule::{
    AsNeeded, Bounds, LocalDateTime, MaxDose, Phase, Quantity, Schedule, TimingRepeat, UnitOfTime,
    ZonePolicy,
};
use crate::validate::optional_text;

/// Reads one FHIR `Dosage`: a scheduled one becomes a [`Phase`] (timing, first
/// `doseAndRate.doseQuantity`, Regimen's extensions); one with `asNeeded[x]` becomes
/// [`AsNeeded`] rules (reason, least interval from its timing, `maxDosePerPeriod`, and the
/// first `doseQuantity` as the amount one dose counts as).
pub fn dosage_to_phase(dosage: &Value, zone: Zone) -> Result<ImportedDosage> {
    read_dosage(dosage, zone, Rules::New)
}

/// Which rules a schedule read from FHIR is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rules {
    /// Those of new input ([`Schedule::validate`]): what the patient or an outside file adds.
    New,
    /// Those a stored schedule keeps to be planned (`Schedule::validate_plannable`): a
    /// schedule Regimen wrote out itself, which an earlier version may have stored under
    /// looser rules, comes back as it was.
    Stored,
}

fn read_dosage(dosage: &Value, zone: Zone, rules: Rules) -> Result<ImportedDosage> {
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
        let (min_interval_minutes, course) = match map.get("timing") {
            Some(timing) => as_needed_timing(timing, zone)?,
            None => (None, None),
        };
        let rules = AsNeeded {
            reason: optional_text("asNeededCodeableConcept", reason, MAX_REASON_CHARS, false)?,
            min_interval_minutes,
            max_per_period: member(map, "maxDosePerPeriod", max_dose)?,
            dose: first_dose(map)?,
            ends: None,
        };
        return Ok(ImportedDosage::AsNeeded(rules, course));
    }
    let Some(timing) = map.get("timing") else {
        // Only words ("take as directed"): nothing to schedule, but the words are kept.
        return Ok(ImportedDosage::Words);
    };
    let mut phase = Phase {
        timing: timing_from_fhir(timing, zone)?,
        dose: first_dose(map)?,
        ..Phase::default()
    };
    read_extensions(map, &mut phase)?;
    match rules {
        Rules::New => phase.validate(),
        Rules::Stored => phase.validate_plannable(),
    }
    .map_err(fhir_field)?;
    Ok(ImportedDosage::Phase(phase))
}

/// Reads a FHIR R4 `MedicationRequest`: the medication's name and RxNorm code, the
/// instructions, and a schedule in `zone` from its `dosageInstruction`s. The schedule starts at
/// the first phase's `boundsPeriod.start` if it has one, else at `start`.
pub fn schedule_from_medication_request(
    json: &Value,
    zone: Zone,
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
    let mut prescription = from_dosages(&dosages, zone, start, Rules::New)?;
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
    zone: Zone,
    start: LocalDateTime,
) -> Result<FhirPrescription> {
    if object(json, "dosage")?.contains_key("resourceType") {
        return Err(Error::invalid(
            "resourceType",
            "a Dosage has none; read resources with schedule_from_medication_request",
        ));
    }
    from_dosages(&[json], zone, start, Rules::New)
}

/// Reads `Dosage`s Regimen wrote for a stored schedule ([`schedule_to_dosages`], in a
/// Regimen export) as [`schedule_from_dosage`] does, but held to the rules a stored schedule
/// keeps rather than those of new input, so a schedule an earlier version stored comes back
/// as it was. The schedule starts at `start`, its first bound notwithstanding; `None` when
/// the dosages schedule nothing.
pub fn stored_schedule_from_dosages(
    dosages: &[&Value],
    zone: Zone,
    start: LocalDateTime,
) -> Result<Option<Schedule>> {
    let Some(mut schedule) = from_dosages(dosages, zone, start, Rules::Stored)?.schedule else {
        return Ok(None);
    };
    schedule.start = start;
    schedule.validate_plannable().map_err(fhir_field)?;
    Ok(Some(schedule))
}

/// Writes a schedule's phases as FHIR R4 `Dosage`s (sequence 1, 2, ...; Regimen's extensions
/// as `extension`s), then its as-needed rules as one more Dosage without a sequence.
pub fn schedule_to_dosages(schedule: &Schedule, zone: Zone) -> Value {
    let mut dosages: Vec<Value> = (1..)
        .zip(&schedule.phases)
        .map(|(sequence, phase)| phase_to_dosage(phase, sequence, zone))
        .collect();
    dosages.extend(
        schedule
            .as_needed
            .as_ref()
            .map(|rules| as_needed_to_dosage(rules, zone)),
    );
    Value::Array(dosages)
}

pub(super) fn from_dosages(
    dosages: &[&Value],
    zone: Zone,
    start: LocalDateTime,
    rules: Rules,
) -> Result<FhirPrescription> {
    let mut phases = Vec::new();
    let mut as_needed = None;
    let mut as_needed_words = None;
    // Words of dosages that say when only in words.
    let mut other_words: Vec<String> = Vec::new();
    for (index, dosage) in dosages.iter().enumerate() {
        let mut read = || -> Result<()> {
            let map = object(dosage, "dosage")?;
            let sequence = member(map, "sequence", uint)?;
            // The words for the patient, else the prescriber's text.
            let mut words = None;
            for name in ["patientInstruction", "text"] {
                if words.is_none() {
                    let text = member(map, name, string)?;
                    words = optional_text(name, text, MAX_INSTRUCTIONS_CHARS, true)?;
                }
            }
            match read_dosage(dosage, zone, rules)? {
                ImportedDosage::Phase(phase) => phases.push((sequence, phase, words)),
                ImportedDosage::AsNeeded(rules, bounds) => {
                    if as_needed.replace((rules, bounds)).is_some() {
                        return Err(Error::invalid(
                            "asNeeded[x]",
                            "at most one as-needed dosage",
                        ));
                    }
                    as_needed_words = words;
                }
                ImportedDosage::Words => other_words.extend(words),
            }
            Ok(())
        };
        read().map_err(|e| in_dosage(e, index))?;
    }
    crate::order::sort_by_key(&mut phases, |(sequence, _, _)| {
        (sequence.is_none(), *sequence)
    });
    if phases
        .windows(2)
        .any(|w| w[0].0.is_some() && w[0].0 == w[1].0)
    {
        return Err(Error::invalid(
            "sequence",
            "two scheduled dosages share a sequence (taken together); give them separate schedules",
        ));
    }
    // Each phase's words in the order they apply, so a taper's instructions never say only
    // what its first step says.
    let mut steps: Vec<String> = Vec::new();
    for words in phases
        .iter()
        .filter_map(|(_, _, words)| words.clone())
        .chain(other_words)
        .chain(as_needed_words)
    {
        if steps.last() != Some(&words) {
            steps.push(words);
        }
    }
    let instructions = match steps.len() {
        0 => None,
        _ => optional_text(
            "text",
            Some(steps.join("; ").as_str()),
            MAX_INSTRUCTIONS_CHARS,
            true,
        )?,
    };
    let phases: Vec<Phase> = phases.into_iter().map(|(_, phase, _)| phase).collect();
    let first_bound = phases.first().and_then(|p| match &p.timing.repeat {
        Some(TimingRepeat {
            bounds: Some(Bounds::Period { start, .. }),
            ..
        }) => *start,
        _ => None,
    });
    let start = first_bound.unwrap_or(start);
    let as_needed = match as_needed {
        Some((mut rules, course)) => {
            rules.ends = course
                .map(|bounds| course_end(&bounds, start))
                .transpose()?;
            Some(rules)
        }
        None => None,
    };
    let schedule = if phases.is_empty() && as_needed.is_none() {
        None
    } else {
        let schedule = Schedule {
            start,
            zone: zone.name().to_owned(),
            policy: ZonePolicy::Local,
            phases,
            as_needed,
            shift: None,
        };
        match rules {
            Rules::New => schedule.validate(),
            Rules::Stored => schedule.validate_plannable(),
        }
        .map_err(fhir_field)?;
        Some(schedule)
    };
    Ok(FhirPrescription {
        medication_name: None,
        rxnorm: None,
        schedule,
        dispense: None,
        id: None,
        identifier: None,
        subject: None,
        instructions,
    })
}

/// The end of an as-needed course of `bounds` starting at `start`.
fn course_end(bounds: &Bounds, start: LocalDateTime) -> Result<LocalDateTime> {
    let end = match bounds {
        Bounds::Period { end: Some(end), .. } => Some(end.0),
        Bounds::Period { end: None, .. } => None,
        Bounds::Duration { value, unit } => unit.fixed_seconds().and_then(|seconds| {
            let seconds = value * seconds as f64;
            (0.0..1e12)
                .contains(&seconds)
                .then(|| {
                    start
                        .0
                        .checked_add_signed(chrono::Duration::seconds(seconds as i64))
                })
                .flatten()
        }),
    };
    end.and_then(LocalDateTime::checked).ok_or_else(|| {
        Error::invalid(
            "timing.repeat.bounds[x]",
            "an as-needed course needs an end: a duration in s, min, h, d or wk, or a period with an end",
        )
    })
}

/// Says which dosage an error came from.
pub(super) fn in_dosage(error: Error, index: usize) -> Error {
    match error {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field,
            reason: format!("dosageInstruction[{index}]: {reason}"),
        },
        other => other,
    }
}

pub(super) fn first_dose(dosage: &Map<String, Value>) -> Result<Option<Quantity>> {
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
/// An as-needed dosage's timing: how often at most (the least interval, `period / frequency`,
/// the lower bound), and how long the course lasts (its bounds).
pub(super) fn as_needed_timing(json: &Value, zone: Zone) -> Result<(Option<u32>, Option<Bounds>)> {
    let timing = timing_from_fhir(json, zone)?;
    let repeat = timing.effective_repeat().unwrap_or_default();
    let how_often = TimingRepeat {
        frequency: repeat.frequency,
        frequency_max: repeat.frequency_max,
        period: repeat.period,
        period_max: repeat.period_max,
        period_unit: repeat.period_unit,
        bounds: repeat.bounds.clone(),
        ..TimingRepeat::default()
    };
    if !timing.event.is_empty() || how_often != repeat {
        return Err(Error::invalid(
            "timing",
            "an as-needed dosage's timing may only say how often (frequency and a period in \
             s, min, h, d or wk) and for how long",
        ));
    }
    let seconds = repeat.period_unit.and_then(UnitOfTime::fixed_seconds);
    let least = match (repeat.period, seconds) {
        (Some(period), Some(seconds)) => {
            let per_dose = period * seconds as f64 / f64::from(repeat.frequency.unwrap_or(1));
            Some((per_dose / 60.0).ceil().min(f64::from(u32::MAX)) as u32)
        }
        (None, _) if repeat.frequency.is_none() => None,
        _ => {
            return Err(Error::invalid(
                "timing",
                "an as-needed dosage's period must be in s, min, h, d or wk",
            ));
        }
    };
    Ok((least, repeat.bounds))
}

pub(super) fn max_dose(json: &Value, field: &'static str) -> Result<MaxDose> {
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

pub(super) fn phase_to_dosage(phase: &Phase, sequence: u32, zone: Zone) -> Value {
    let cycle = phase.cycle.map(|c| {
        let parts = vec![
            element([("url", "daysOn".into()), ("valueInteger", c.days_on.into())]),
            element([
                ("url", "daysOff".into()),
                ("valueInteger", c.days_off.into()),
            ]),
        ];
        extension("cycle", element([("extension", parts.into())]))
    });
    let window = phase.window.map(|w| {
        let parts = vec![
            element([("url", "start".into()), ("valueTime", time_json(w.start))]),
            element([("url", "end".into()), ("valueTime", time_json(w.end))]),
        ];
        extension("window", element([("extension", parts.into())]))
    });
    let after = phase
        .after_last_taken
        .then(|| extension("after-last-taken", element([("valueBoolean", true.into())])));
    let extensions: Vec<Value> = [cycle, window, after].into_iter().flatten().collect();
    element([
        ("sequence", sequence.into()),
        ("timing", timing_to_fhir(&phase.timing, zone)),
        ("doseAndRate", phase.dose.as_ref().map(dose_and_rate).into()),
        ("extension", extensions.into()),
    ])
}

/// `Dosage.doseAndRate`: the one dose, as a `doseQuantity`.
fn dose_and_rate(dose: &Quantity) -> Value {
    Value::from(vec![element([("doseQuantity", quantity_json(dose))])])
}

pub(super) fn as_needed_to_dosage(rules: &AsNeeded, zone: Zone) -> Value {
    let how_often = rules
        .min_interval_minutes
        .map(|minutes| match minutes % 60 {
            0 => (minutes / 60, UnitOfTime::H),
            _ => (minutes, UnitOfTime::Min),
        });
    let course = rules.ends.map(|ends| period_json(None, Some(ends), zone));
    let timing = (how_often.is_some() || course.is_some()).then(|| {
        let repeat = element([
            ("frequency", how_often.map(|_| 1).into()),
            ("period", how_often.map(|(period, _)| period).into()),
            ("periodUnit", how_often.map(|(_, unit)| unit.code()).into()),
            ("boundsPeriod", course.into()),
        ]);
        element([("repeat", repeat)])
    });
    let max = rules.max_per_period.as_ref().map(|max| {
        let (value, unit) = match max.period_hours % 24 {
            0 => (max.period_hours / 24, UnitOfTime::D),
            _ => (max.period_hours, UnitOfTime::H),
        };
        element([
            ("numerator", quantity_json(&max.amount)),
            ("denominator", duration_json(value.into(), unit)),
        ])
    });
    let reason = rules.reason.as_deref();
    element([
        ("asNeededBoolean", reason.is_none().then_some(true).into()),
        (
            "asNeededCodeableConcept",
            reason.map(|text| element([("text", text.into())])).into(),
        ),
        ("timing", timing.into()),
        ("doseAndRate", rules.dose.as_ref().map(dose_and_rate).into()),
        ("maxDosePerPeriod", max.into()),
    ])
}
