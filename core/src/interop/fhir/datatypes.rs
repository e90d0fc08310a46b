//! The FHIR datatypes schedules use: Quantity, Duration, Period, CodeableConcept, dateTime
//! and time.

use crate::Zone;
use chrono::{
    DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Timelike,
};
use serde_json::Value;

use super::UCUM;
use super::json::{element, list, number, object, string, text_member};
use crate::error::{Error, Result};
use crate::schedule::{Bounds, ClockTime, Frame, LocalDateTime, Quantity, UnitOfTime};

/// The members of a FHIR `Quantity` Regimen reads (a `comparator` is refused).
pub(crate) struct FhirQuantity<'a> {
    pub(crate) value: f64,
    pub(crate) unit: Option<&'a str>,
    pub(crate) system: Option<&'a str>,
    pub(crate) code: Option<&'a str>,
}

pub(crate) fn quantity<'a>(json: &'a Value, field: &'static str) -> Result<FhirQuantity<'a>> {
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
pub(crate) fn dose_quantity(json: &Value, field: &'static str) -> Result<Quantity> {
    let q = quantity(json, field)?;
    let dose = Quantity {
        value: q.value,
        unit: q.unit.or(q.code).unwrap_or_default().trim().to_owned(),
    };
    dose.validate(field)?;
    Ok(dose)
}

pub(crate) fn quantity_json(q: &Quantity) -> Value {
    element([("value", number(q.value)), ("unit", q.unit.as_str().into())])
}

/// A FHIR `Duration`: a UCUM unit of time (`code`, else `unit`) and a value of at least zero.
pub(crate) fn duration(json: &Value, field: &'static str) -> Result<(f64, UnitOfTime)> {
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

pub(crate) fn duration_json(value: f64, unit: UnitOfTime) -> Value {
    element([
        ("value", number(value)),
        ("unit", unit.code().into()),
        ("system", UCUM.into()),
        ("code", unit.code().into()),
    ])
}

/// A FHIR `Period` as bounds; its `end` is inclusive, so a date alone covers that day.
pub(crate) fn period(json: &Value, field: &'static str, zone: Zone) -> Result<Bounds> {
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

pub(crate) fn period_json(
    start: Option<LocalDateTime>,
    end: Option<LocalDateTime>,
    zone: Zone,
) -> Value {
    element([
        (
            "start",
            start
                .map(|s| date_time_json(s, zone, DayEdge::Start))
                .into(),
        ),
        (
            "end",
            end.map(|e| date_time_json(e, zone, DayEdge::End)).into(),
        ),
    ])
}

/// The members of a FHIR `CodeableConcept` Regimen reads.
pub(crate) struct Concept<'a> {
    pub(crate) text: Option<&'a str>,
    pub(crate) coding: Vec<Coding<'a>>,
}

pub(crate) struct Coding<'a> {
    pub(crate) system: Option<&'a str>,
    pub(crate) code: Option<&'a str>,
    pub(crate) display: Option<&'a str>,
}

impl<'a> Concept<'a> {
    /// What a person would call it: the text, else the first coding's display.
    pub(crate) fn label(&self) -> Option<&'a str> {
        let blank = |s: &&str| s.trim().is_empty();
        self.text.filter(|t| !blank(t)).or_else(|| {
            self.coding
                .iter()
                .find_map(|c| c.display.filter(|d| !blank(d)))
        })
    }

    /// The code of the first coding in `system`.
    pub(crate) fn code_in(&self, system: &str) -> Option<&'a str> {
        self.coding
            .iter()
            .find(|c| c.system == Some(system))
            .and_then(|c| c.code)
    }
}

pub(crate) fn concept<'a>(json: &'a Value, field: &'static str) -> Result<Concept<'a>> {
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

/// A `CodeableConcept` of one coding: `code` in `system`, with its `display` if given.
pub(crate) fn concept_json(system: &str, code: &str, display: Option<&str>) -> Value {
    let coding = element([
        ("system", system.into()),
        ("code", code.into()),
        ("display", display.into()),
    ]);
    element([("coding", Value::from(vec![coding]))])
}

pub(crate) fn rxnorm(code: &str) -> Result<String> {
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
pub(crate) enum DayEdge {
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
pub(crate) fn date_time(
    json: &Value,
    field: &'static str,
    zone: Zone,
    edge: DayEdge,
) -> Result<LocalDateTime> {
    let text = string(json, field)?.trim();
    let local = if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        date.and_time(edge.time())
    } else if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        wall_clock_of(instant, zone)
    } else if let Ok(wall) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        wall
    } else {
        return Err(Error::invalid(
            field,
            "expected a date (2025-06-01) or a dateTime with an offset (2025-06-01T08:00:00+02:00)",
        ));
    };
    LocalDateTime::checked(local.with_nanosecond(0).unwrap_or(local))
        .ok_or_else(|| Error::invalid(field, "must lie between the years 1900 and 2199"))
}

/// A wall-clock time in `zone` as a FHIR `dateTime`: the date alone for the day's `edge`,
/// else the wall clock with the offset that makes it the instant Regimen plans for it. That
/// is the zone's offset, except in a spring-forward gap, which `zone.rs` reads with the offset
/// before the gap: Europe/Berlin 02:30 on 2025-03-30 is written `02:30:00+01:00`, the instant
/// it fires (01:30 UTC), and reads back as 02:30.
pub(crate) fn date_time_json(local: LocalDateTime, zone: Zone, edge: DayEdge) -> Value {
    if local.0.time() == edge.time() {
        return local.date().to_string().into();
    }
    let instant = Frame::Zone(zone).resolve(local.0).to_datetime();
    let offset = (local.0 - instant.naive_utc()).num_seconds();
    let text = i32::try_from(offset)
        .ok()
        .and_then(FixedOffset::east_opt)
        .and_then(|offset| offset.from_local_datetime(&local.0).single())
        .unwrap_or_else(|| instant.fixed_offset())
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    text.into()
}

/// The wall clock in `zone` a dateTime with an offset stands for: its own wall clock when
/// Regimen reads that wall clock in `zone` as the same instant (a time in a spring-forward gap
/// written with the offset before it, as [`date_time_json`] does), else the instant's wall
/// clock in `zone`.
fn wall_clock_of(instant: DateTime<FixedOffset>, zone: Zone) -> NaiveDateTime {
    let written = instant.naive_local();
    if Frame::Zone(zone).resolve(written).as_millis() == instant.timestamp_millis() {
        written
    } else {
        instant.with_timezone(&zone).naive_local()
    }
}

/// A FHIR `time` (`08:00:00`; `08:00` is accepted too).
pub(crate) fn time(json: &Value, field: &'static str) -> Result<ClockTime> {
    let text = string(json, field)?.trim();
    NaiveTime::parse_from_str(text, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .map(ClockTime::from_naive)
        .map_err(|_| Error::invalid(field, "expected a time of day like 08:00:00"))
}

pub(crate) fn time_json(time: ClockTime) -> Value {
    let s = time.seconds();
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60).into()
}
