//! FHIR `Timing` in and out, with FHIR's invariants (tim-1 to tim-10) checked on the way in.

use crate::Zone;
use serde_json::Value;

use super::GTS_ABBREVIATION;
use super::datatypes::{
    DayEdge, concept, concept_json, date_time, date_time_json, duration, duration_json, period,
    period_json, time, time_json,
};
use super::json::{
    code, decimal, element, member, members, no_modifiers, number, object, parse_code, uint,
};
use crate::error::{Error, Result};
use crate::schedule::{Bounds, Timing, TimingCode, TimingRepeat, UnitOfTime};

/// Reads a FHIR R4 `Timing`, with dateTimes converted to wall-clock times in `zone`, and checks
/// FHIR's invariants.
pub fn timing_from_fhir(json: &Value, zone: Zone) -> Result<Timing> {
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
pub fn timing_to_fhir(timing: &Timing, zone: Zone) -> Value {
    let event: Value = timing
        .event
        .iter()
        .map(|&e| date_time_json(e, zone, DayEdge::Start))
        .collect();
    element([
        ("event", event),
        (
            "repeat",
            timing
                .repeat
                .as_ref()
                .map(|r| repeat_to_fhir(r, zone))
                .into(),
        ),
        (
            "code",
            timing
                .code
                .map(|c| concept_json(GTS_ABBREVIATION, c.code(), None))
                .into(),
        ),
    ])
}

pub(super) fn repeat_from_fhir(json: &Value, zone: Zone) -> Result<TimingRepeat> {
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

pub(super) fn repeat_to_fhir(r: &TimingRepeat, zone: Zone) -> Value {
    let (duration, period) = match &r.bounds {
        Some(Bounds::Duration { value, unit }) => (Some(duration_json(*value, *unit)), None),
        Some(Bounds::Period { start, end }) => (None, Some(period_json(*start, *end, zone))),
        None => (None, None),
    };
    let time_of_day: Value = r.time_of_day.iter().map(|&t| time_json(t)).collect();
    let day_of_week: Value = r.day_of_week.iter().map(|&d| d.code()).collect();
    let when: Value = r.when.iter().map(|w| w.code()).collect();
    element([
        ("boundsDuration", duration.into()),
        ("boundsPeriod", period.into()),
        ("count", r.count.into()),
        ("countMax", r.count_max.into()),
        ("duration", r.duration.map(number).into()),
        ("durationMax", r.duration_max.map(number).into()),
        ("durationUnit", r.duration_unit.map(UnitOfTime::code).into()),
        ("frequency", r.frequency.into()),
        ("frequencyMax", r.frequency_max.into()),
        ("period", r.period.map(number).into()),
        ("periodMax", r.period_max.map(number).into()),
        ("periodUnit", r.period_unit.map(UnitOfTime::code).into()),
        ("dayOfWeek", day_of_week),
        ("timeOfDay", time_of_day),
        ("when", when),
        ("offset", r.offset.into()),
    ])
}

/// `Timing.code`: a GTSAbbreviation code, or `None` for a code from another system.
pub(super) fn timing_code(json: &Value, field: &'static str) -> Result<Option<TimingCode>> {
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
pub(super) fn fhir_field(error: Error) -> Error {
    match error {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field: fhir_name(field),
            reason,
        },
        other => other,
    }
}

pub(super) fn fhir_name(field: &'static str) -> &'static str {
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
