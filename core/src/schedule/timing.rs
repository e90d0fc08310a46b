//! FHIR R4 `Timing`, as a prescription states it: when and how often. The fields and their
//! meanings follow <http://hl7.org/fhir/R4/datatypes.html#Timing>; names are snake_case here and
//! camelCase in FHIR JSON (see `fhir.rs`). [`Timing::validate`] enforces FHIR's invariants
//! tim-1 to tim-10 and names the offending field.

use serde::{Deserialize, Serialize};

use super::clock::{ClockTime, LocalDateTime};
use crate::error::{Error, Result};

/// FHIR `UnitsOfTime`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "lowercase")]
pub enum UnitOfTime {
    /// Second (`s`).
    S,
    /// Minute (`min`).
    Min,
    /// Hour (`h`).
    H,
    /// Day (`d`).
    D,
    /// Week (`wk`).
    Wk,
    /// Month (`mo`).
    Mo,
    /// Year (`a`).
    A,
}

impl UnitOfTime {
    /// The FHIR / UCUM code.
    pub fn code(self) -> &'static str {
        match self {
            UnitOfTime::S => "s",
            UnitOfTime::Min => "min",
            UnitOfTime::H => "h",
            UnitOfTime::D => "d",
            UnitOfTime::Wk => "wk",
            UnitOfTime::Mo => "mo",
            UnitOfTime::A => "a",
        }
    }

    /// The unit of a FHIR / UCUM code.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "s" => UnitOfTime::S,
            "min" => UnitOfTime::Min,
            "h" => UnitOfTime::H,
            "d" => UnitOfTime::D,
            "wk" => UnitOfTime::Wk,
            "mo" => UnitOfTime::Mo,
            "a" => UnitOfTime::A,
            _ => return None,
        })
    }

    /// Length in seconds for units of fixed length (s, min, h, d, wk); `None` for months and
    /// years, which are calendar steps.
    pub fn fixed_seconds(self) -> Option<u64> {
        match self {
            UnitOfTime::S => Some(1),
            UnitOfTime::Min => Some(60),
            UnitOfTime::H => Some(3_600),
            UnitOfTime::D => Some(86_400),
            UnitOfTime::Wk => Some(604_800),
            UnitOfTime::Mo | UnitOfTime::A => None,
        }
    }
}

/// FHIR `DaysOfWeek`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "lowercase")]
pub enum DayOfWeek {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl DayOfWeek {
    /// The FHIR code (`mon`, as serde writes it too).
    pub fn code(self) -> &'static str {
        match self {
            DayOfWeek::Mon => "mon",
            DayOfWeek::Tue => "tue",
            DayOfWeek::Wed => "wed",
            DayOfWeek::Thu => "thu",
            DayOfWeek::Fri => "fri",
            DayOfWeek::Sat => "sat",
            DayOfWeek::Sun => "sun",
        }
    }

    /// The same day as chrono counts it.
    pub fn to_chrono(self) -> chrono::Weekday {
        match self {
            DayOfWeek::Mon => chrono::Weekday::Mon,
            DayOfWeek::Tue => chrono::Weekday::Tue,
            DayOfWeek::Wed => chrono::Weekday::Wed,
            DayOfWeek::Thu => chrono::Weekday::Thu,
            DayOfWeek::Fri => chrono::Weekday::Fri,
            DayOfWeek::Sat => chrono::Weekday::Sat,
            DayOfWeek::Sun => chrono::Weekday::Sun,
        }
    }
}

/// FHIR `EventTiming`: moments of the patient's day. They have no clock time in FHIR; Regimen
/// reads them through the patient's [`super::anchors::DayAnchors`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum EventTiming {
    /// `MORN`: morning.
    #[serde(rename = "MORN")]
    Morn,
    /// `MORN.early`: early morning.
    #[serde(rename = "MORN.early")]
    MornEarly,
    /// `MORN.late`: late morning.
    #[serde(rename = "MORN.late")]
    MornLate,
    /// `NOON`: noon.
    #[serde(rename = "NOON")]
    Noon,
    /// `AFT`: afternoon.
    #[serde(rename = "AFT")]
    Aft,
    /// `AFT.early`: early afternoon.
    #[serde(rename = "AFT.early")]
    AftEarly,
    /// `AFT.late`: late afternoon.
    #[serde(rename = "AFT.late")]
    AftLate,
    /// `EVE`: evening.
    #[serde(rename = "EVE")]
    Eve,
    /// `EVE.early`: early evening.
    #[serde(rename = "EVE.early")]
    EveEarly,
    /// `EVE.late`: late evening.
    #[serde(rename = "EVE.late")]
    EveLate,
    /// `NIGHT`: night.
    #[serde(rename = "NIGHT")]
    Night,
    /// `PHS`: after sleep.
    #[serde(rename = "PHS")]
    Phs,
    /// `HS`: before sleep.
    #[serde(rename = "HS")]
    Hs,
    /// `WAKE`: on waking.
    #[serde(rename = "WAKE")]
    Wake,
    /// `C`: at a meal (every meal).
    #[serde(rename = "C")]
    C,
    /// `CM`: at breakfast.
    #[serde(rename = "CM")]
    Cm,
    /// `CD`: at lunch.
    #[serde(rename = "CD")]
    Cd,
    /// `CV`: at dinner.
    #[serde(rename = "CV")]
    Cv,
    /// `AC`: before a meal (every meal).
    #[serde(rename = "AC")]
    Ac,
    /// `ACM`: before breakfast.
    #[serde(rename = "ACM")]
    Acm,
    /// `ACD`: before lunch.
    #[serde(rename = "ACD")]
    Acd,
    /// `ACV`: before dinner.
    #[serde(rename = "ACV")]
    Acv,
    /// `PC`: after a meal (every meal).
    #[serde(rename = "PC")]
    Pc,
    /// `PCM`: after breakfast.
    #[serde(rename = "PCM")]
    Pcm,
    /// `PCD`: after lunch.
    #[serde(rename = "PCD")]
    Pcd,
    /// `PCV`: after dinner.
    #[serde(rename = "PCV")]
    Pcv,
}

impl EventTiming {
    /// The FHIR code (`MORN.early`, `ACM`, ...).
    pub fn code(self) -> &'static str {
        use EventTiming::*;
        match self {
            Morn => "MORN",
            MornEarly => "MORN.early",
            MornLate => "MORN.late",
            Noon => "NOON",
            Aft => "AFT",
            AftEarly => "AFT.early",
            AftLate => "AFT.late",
            Eve => "EVE",
            EveEarly => "EVE.early",
            EveLate => "EVE.late",
            Night => "NIGHT",
            Phs => "PHS",
            Hs => "HS",
            Wake => "WAKE",
            C => "C",
            Cm => "CM",
            Cd => "CD",
            Cv => "CV",
            Ac => "AC",
            Acm => "ACM",
            Acd => "ACD",
            Acv => "ACV",
            Pc => "PC",
            Pcm => "PCM",
            Pcd => "PCD",
            Pcv => "PCV",
        }
    }

    /// Whether the code means "at the meal itself", which FHIR forbids an offset for (tim-9).
    pub fn is_at_meal(self) -> bool {
        matches!(
            self,
            EventTiming::C | EventTiming::Cm | EventTiming::Cd | EventTiming::Cv
        )
    }
}

/// FHIR's common abbreviations (`TimingAbbreviation`), each shorthand for a `repeat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "UPPERCASE")]
pub enum TimingCode {
    /// Twice a day.
    Bid,
    /// Three times a day.
    Tid,
    /// Four times a day.
    Qid,
    /// Every morning.
    Am,
    /// Every afternoon.
    Pm,
    /// Daily.
    Qd,
    /// Every other day.
    Qod,
    /// Every hour.
    Q1h,
    /// Every 2 hours.
    Q2h,
    /// Every 3 hours.
    Q3h,
    /// Every 4 hours.
    Q4h,
    /// Every 6 hours.
    Q6h,
    /// Every 8 hours.
    Q8h,
    /// At bedtime.
    Bed,
    /// Weekly.
    Wk,
    /// Monthly.
    Mo,
}

impl TimingCode {
    /// The code as FHIR writes it.
    pub fn code(self) -> &'static str {
        match self {
            TimingCode::Bid => "BID",
            TimingCode::Tid => "TID",
            TimingCode::Qid => "QID",
            TimingCode::Am => "AM",
            TimingCode::Pm => "PM",
            TimingCode::Qd => "QD",
            TimingCode::Qod => "QOD",
            TimingCode::Q1h => "Q1H",
            TimingCode::Q2h => "Q2H",
            TimingCode::Q3h => "Q3H",
            TimingCode::Q4h => "Q4H",
            TimingCode::Q6h => "Q6H",
            TimingCode::Q8h => "Q8H",
            TimingCode::Bed => "BED",
            TimingCode::Wk => "WK",
            TimingCode::Mo => "MO",
        }
    }

    /// The `repeat` a code stands for, used when a Timing has a code and no `repeat`.
    pub fn to_repeat(self) -> TimingRepeat {
        let every = |frequency: u32, period: f64, unit: UnitOfTime| TimingRepeat {
            frequency: Some(frequency),
            period: Some(period),
            period_unit: Some(unit),
            ..TimingRepeat::default()
        };
        match self {
            TimingCode::Bid => every(2, 1.0, UnitOfTime::D),
            TimingCode::Tid => every(3, 1.0, UnitOfTime::D),
            TimingCode::Qid => every(4, 1.0, UnitOfTime::D),
            TimingCode::Qd => every(1, 1.0, UnitOfTime::D),
            TimingCode::Qod => every(1, 2.0, UnitOfTime::D),
            TimingCode::Q1h => every(1, 1.0, UnitOfTime::H),
            TimingCode::Q2h => every(1, 2.0, UnitOfTime::H),
            TimingCode::Q3h => every(1, 3.0, UnitOfTime::H),
            TimingCode::Q4h => every(1, 4.0, UnitOfTime::H),
            TimingCode::Q6h => every(1, 6.0, UnitOfTime::H),
            TimingCode::Q8h => every(1, 8.0, UnitOfTime::H),
            TimingCode::Wk => every(1, 1.0, UnitOfTime::Wk),
            TimingCode::Mo => every(1, 1.0, UnitOfTime::Mo),
            TimingCode::Am => TimingRepeat {
                when: vec![EventTiming::Morn],
                ..every(1, 1.0, UnitOfTime::D)
            },
            TimingCode::Pm => TimingRepeat {
                when: vec![EventTiming::Aft],
                ..every(1, 1.0, UnitOfTime::D)
            },
            TimingCode::Bed => TimingRepeat {
                when: vec![EventTiming::Hs],
                ..every(1, 1.0, UnitOfTime::D)
            },
        }
    }
}

/// FHIR `Timing.repeat.bounds[x]`: how long the whole schedule runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Bounds {
    /// `boundsDuration`: for this long from the start ("for 10 days").
    Duration {
        /// How many units.
        value: f64,
        /// The unit.
        unit: UnitOfTime,
    },
    /// `boundsPeriod`: between two wall-clock moments in the schedule's zone; `end` inclusive.
    Period {
        /// First moment (or the schedule's start if absent).
        start: Option<LocalDateTime>,
        /// Last moment (open-ended if absent).
        end: Option<LocalDateTime>,
    },
}

/// FHIR `Timing.repeat`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TimingRepeat {
    /// How long the schedule runs.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub bounds: Option<Bounds>,
    /// Total number of doses (then it ends).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub count: Option<u32>,
    /// Upper end of a count range ("6 to 8 doses"); the schedule plans `count`.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub count_max: Option<u32>,
    /// How long one administration lasts (an infusion, a patch).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub duration: Option<f64>,
    /// Upper end of the administration's length.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub duration_max: Option<f64>,
    /// Unit of `duration` and `duration_max`.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub duration_unit: Option<UnitOfTime>,
    /// Doses per period.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub frequency: Option<u32>,
    /// Upper end of doses per period ("1 to 2 times a day"); the schedule plans `frequency`.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub frequency_max: Option<u32>,
    /// The period the frequency is counted over ("every 4 hours": period 4, unit h).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub period: Option<f64>,
    /// Upper end of the period ("every 4 to 6 hours"); the schedule plans `period`.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub period_max: Option<f64>,
    /// Unit of `period` and `period_max`.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub period_unit: Option<UnitOfTime>,
    /// Only on these days of the week.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub day_of_week: Vec<DayOfWeek>,
    /// At these wall-clock times.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub time_of_day: Vec<ClockTime>,
    /// At these moments of the patient's day.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub when: Vec<EventTiming>,
    /// Minutes from the `when` moment: after it, or before it for AC* and HS.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub offset: Option<u32>,
}

impl TimingRepeat {
    /// Whether doses come at a fixed interval of real time (every 8 h, every 90 min, every
    /// 1.5 d) rather than at times of the day: a period in seconds, minutes or hours, or a
    /// fractional number of days or weeks, with no `time_of_day` or `when`.
    pub fn is_interval(&self) -> bool {
        if !self.time_of_day.is_empty() || !self.when.is_empty() {
            return false;
        }
        match (self.period_unit, self.period) {
            (Some(UnitOfTime::S | UnitOfTime::Min | UnitOfTime::H), Some(_)) => true,
            (Some(UnitOfTime::D | UnitOfTime::Wk), Some(period)) => period.fract() != 0.0,
            _ => false,
        }
    }
}

/// FHIR `Timing`: specific events, a repeating pattern, and/or a code.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Timing {
    /// One-off moments, wall clock in the schedule's zone.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub event: Vec<LocalDateTime>,
    /// The repeating pattern.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub repeat: Option<TimingRepeat>,
    /// A common abbreviation; stands for `repeat` when that is absent.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub code: Option<TimingCode>,
}

impl Timing {
    /// The repeat that applies: the explicit one, else the code's.
    pub fn effective_repeat(&self) -> Option<TimingRepeat> {
        self.repeat
            .clone()
            .or_else(|| self.code.map(TimingCode::to_repeat))
    }

    /// Checks FHIR's Timing invariants (tim-1 to tim-10; tim-3 was withdrawn) and Regimen's
    /// limits, naming the field at fault (`repeat.offset`, ...).
    pub fn validate(&self) -> Result<()> {
        if self.event.is_empty() && self.repeat.is_none() && self.code.is_none() {
            return Err(Error::invalid(
                "timing",
                "needs a repeat, a code, or at least one event",
            ));
        }
        if self.event.len() > MAX_EVENTS {
            return Err(Error::invalid(
                "event",
                format!("at most {MAX_EVENTS} events"),
            ));
        }
        if !self.event.iter().all(|e| e.in_range()) {
            return Err(Error::invalid(
                "event",
                "must lie between the years 1900 and 2199",
            ));
        }
        let Some(r) = &self.repeat else {
            return Ok(());
        };
        let non_negative = |field: &'static str, value: Option<f64>, rule: &str| match value {
            Some(v) if !(v.is_finite() && v >= 0.0) => Err(Error::invalid(field, rule.to_string())),
            _ => Ok(()),
        };
        // tim-1, tim-7, tim-4
        if r.duration.is_some() && r.duration_unit.is_none() {
            return Err(Error::invalid(
                "repeat.duration_unit",
                "a duration needs a unit (tim-1)",
            ));
        }
        if r.duration_max.is_some() && r.duration.is_none() {
            return Err(Error::invalid(
                "repeat.duration_max",
                "needs a duration (tim-7)",
            ));
        }
        non_negative(
            "repeat.duration",
            r.duration,
            "must not be negative (tim-4)",
        )?;
        non_negative(
            "repeat.duration_max",
            r.duration_max,
            "must not be negative (tim-4)",
        )?;
        // tim-2, tim-6, tim-5
        if r.period.is_some() && r.period_unit.is_none() {
            return Err(Error::invalid(
                "repeat.period_unit",
                "a period needs a unit (tim-2)",
            ));
        }
        if r.period_max.is_some() && r.period.is_none() {
            return Err(Error::invalid(
                "repeat.period_max",
                "needs a period (tim-6)",
            ));
        }
        non_negative("repeat.period", r.period, "must not be negative (tim-5)")?;
        non_negative(
            "repeat.period_max",
            r.period_max,
            "must not be negative (tim-5)",
        )?;
        // tim-8
        if r.count_max.is_some() && r.count.is_none() {
            return Err(Error::invalid("repeat.count_max", "needs a count (tim-8)"));
        }
        // tim-9
        if r.offset.is_some() {
            if r.when.is_empty() {
                return Err(Error::invalid("repeat.offset", "needs a when (tim-9)"));
            }
            if r.when.iter().any(|w| w.is_at_meal()) {
                return Err(Error::invalid(
                    "repeat.offset",
                    "not allowed with C, CM, CD or CV (tim-9)",
                ));
            }
        }
        // tim-10
        if !r.time_of_day.is_empty() && !r.when.is_empty() {
            return Err(Error::invalid(
                "repeat.time_of_day",
                "cannot be combined with when (tim-10)",
            ));
        }
        // Regimen's own limits: enough to plan, not so much that a typo floods the phone.
        if r.period == Some(0.0) {
            return Err(Error::invalid("repeat.period", "must be greater than zero"));
        }
        if let (Some(low), Some(high)) = (r.period, r.period_max)
            && high < low
        {
            return Err(Error::invalid(
                "repeat.period_max",
                "must not be less than period",
            ));
        }
        if let (Some(low), Some(high)) = (r.frequency, r.frequency_max)
            && high < low
        {
            return Err(Error::invalid(
                "repeat.frequency_max",
                "must not be less than frequency",
            ));
        }
        if let (Some(low), Some(high)) = (r.count, r.count_max)
            && high < low
        {
            return Err(Error::invalid(
                "repeat.count_max",
                "must not be less than count",
            ));
        }
        if r.frequency == Some(0) {
            return Err(Error::invalid("repeat.frequency", "must be at least 1"));
        }
        if r.count == Some(0) {
            return Err(Error::invalid("repeat.count", "must be at least 1"));
        }
        if let (Some(period), Some(unit)) = (r.period, r.period_unit) {
            let seconds = unit.fixed_seconds().map(|s| period * s as f64);
            let frequency = f64::from(r.frequency.unwrap_or(1));
            if seconds.is_some_and(|s| s / frequency < 60.0) {
                return Err(Error::invalid(
                    "repeat.period",
                    "doses more often than once a minute cannot be planned",
                ));
            }
        }
        check_limits(r)?;
        if r.offset.is_some_and(|minutes| minutes > 12 * 60) {
            return Err(Error::invalid(
                "repeat.offset",
                "must be at most 720 minutes",
            ));
        }
        if let Some(Bounds::Duration { value, unit }) = &r.bounds {
            if !(value.is_finite() && *value > 0.0) {
                return Err(Error::invalid(
                    "repeat.bounds",
                    "a duration must be greater than zero",
                ));
            }
            if span_seconds(*value, *unit) > MAX_BOUNDS_SECONDS {
                return Err(Error::invalid(
                    "repeat.bounds",
                    "a duration must be at most 100 years",
                ));
            }
        }
        if let Some(Bounds::Period { start, end }) = &r.bounds
            && !start.iter().chain(end).all(|at| at.in_range())
        {
            return Err(Error::invalid(
                "repeat.bounds",
                "must lie between the years 1900 and 2199",
            ));
        }
        if let Some(Bounds::Period {
            start: Some(start),
            end: Some(end),
        }) = &r.bounds
            && end < start
        {
            return Err(Error::invalid(
                "repeat.bounds",
                "the period ends before it starts",
            ));
        }
        let says_when = r.frequency.is_some()
            || r.period.is_some()
            || !r.time_of_day.is_empty()
            || !r.when.is_empty()
            || !r.day_of_week.is_empty();
        if !says_when {
            return Err(Error::invalid(
                "repeat",
                "needs a frequency, a period, days of the week, times of day or when",
            ));
        }
        Ok(())
    }
}

/// Most doses per period (`frequency`, `frequency_max`): once a minute over a day.
pub const MAX_FREQUENCY: u32 = 1_440;
/// Most doses a phase may plan through `count` (and `count_max`).
pub const MAX_COUNT: u32 = 100_000;
/// Most one-off `event`s in one timing.
pub const MAX_EVENTS: usize = 1_000;
/// Most `time_of_day` entries in one timing (every quarter of an hour).
pub const MAX_TIMES_OF_DAY: usize = 96;
/// Longest `period` (and `period_max`): ten years.
const MAX_PERIOD_SECONDS: f64 = 10.0 * 366.0 * 86_400.0;
/// Longest administration (`duration`, `duration_max`): 31 days (a long-acting implant is
/// planned by its period, not its duration).
const MAX_ADMINISTRATION_SECONDS: f64 = 31.0 * 86_400.0;
/// Longest `boundsDuration`: a hundred years.
const MAX_BOUNDS_SECONDS: f64 = 100.0 * 366.0 * 86_400.0;

/// Seconds in `value` of `unit`, counting a month as 31 days and a year as 366 (for limits
/// only: an upper estimate).
fn span_seconds(value: f64, unit: UnitOfTime) -> f64 {
    let seconds = match unit.fixed_seconds() {
        Some(seconds) => seconds as f64,
        None if unit == UnitOfTime::Mo => 31.0 * 86_400.0,
        None => 366.0 * 86_400.0,
    };
    value * seconds
}

/// Regimen's upper limits: every number a timing carries is bounded, so expansion can never
/// overflow or try to plan more doses than a phone can hold.
fn check_limits(r: &TimingRepeat) -> Result<()> {
    for (field, value) in [
        ("repeat.frequency", r.frequency),
        ("repeat.frequency_max", r.frequency_max),
    ] {
        if value.is_some_and(|v| v > MAX_FREQUENCY) {
            return Err(Error::invalid(
                field,
                format!("must be at most {MAX_FREQUENCY}"),
            ));
        }
    }
    for (field, value) in [("repeat.count", r.count), ("repeat.count_max", r.count_max)] {
        if value.is_some_and(|v| v > MAX_COUNT) {
            return Err(Error::invalid(
                field,
                format!("must be at most {MAX_COUNT}"),
            ));
        }
    }
    if let Some(unit) = r.period_unit {
        for (field, value) in [
            ("repeat.period", r.period),
            ("repeat.period_max", r.period_max),
        ] {
            if value.is_some_and(|v| span_seconds(v, unit) > MAX_PERIOD_SECONDS) {
                return Err(Error::invalid(field, "must be at most 10 years"));
            }
        }
    }
    if let Some(unit) = r.duration_unit {
        for (field, value) in [
            ("repeat.duration", r.duration),
            ("repeat.duration_max", r.duration_max),
        ] {
            if value.is_some_and(|v| span_seconds(v, unit) > MAX_ADMINISTRATION_SECONDS) {
                return Err(Error::invalid(field, "must be at most 31 days"));
            }
        }
    }
    if r.time_of_day.len() > MAX_TIMES_OF_DAY {
        return Err(Error::invalid(
            "repeat.time_of_day",
            format!("at most {MAX_TIMES_OF_DAY} times a day"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes written by hand are the names serde reads back.
    #[test]
    fn day_codes_are_the_serde_names() {
        use DayOfWeek::*;
        for day in [Mon, Tue, Wed, Thu, Fri, Sat, Sun] {
            assert_eq!(serde_json::to_value(day).unwrap(), day.code());
        }
    }

    fn field_of(timing: Timing) -> &'static str {
        match timing.validate() {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    fn repeat(r: TimingRepeat) -> Timing {
        Timing {
            repeat: Some(r),
            ..Timing::default()
        }
    }

    #[test]
    fn each_fhir_invariant_names_its_field() {
        let tim1 = TimingRepeat {
            duration: Some(1.0),
            ..Default::default()
        };
        assert_eq!(field_of(repeat(tim1)), "repeat.duration_unit");
        let tim2 = TimingRepeat {
            period: Some(1.0),
            ..Default::default()
        };
        assert_eq!(field_of(repeat(tim2)), "repeat.period_unit");
        let tim4 = TimingRepeat {
            duration: Some(-1.0),
            duration_unit: Some(UnitOfTime::H),
            ..Default::default()
        };
        assert_eq!(field_of(repeat(tim4)), "repeat.duration");
        let tim5 = TimingRepeat {
            period: Some(-2.0),
            period_unit: Some(UnitOfTime::D),
            ..Default::default()
        };
        assert_eq!(field_of(repeat(tim5)), "repeat.period");
        let tim6 = TimingRepeat {
            period_max: Some(6.0),
            ..Default::default()
        };
        assert_eq!(field_of(repeat(tim6)), "repeat.period_max");
        let tim7 = TimingRepeat {
            duration_max: Some(6.0),
            ..Default::default()
        };
        assert_eq!(field_of(repeat(tim7)), "repeat.duration_max");
        let tim8 = TimingRepeat {
            count_max: Some(6),
            ..Default::default()
        };
        assert_eq!(field_of(repeat(tim8)), "repeat.count_max");
        let tim9_alone = TimingRepeat {
            offset: Some(30),
            ..Default::default()
        };
        assert_eq!(field_of(repeat(tim9_alone)), "repeat.offset");
        let tim9_meal = TimingRepeat {
            offset: Some(30),
            when: vec![EventTiming::Cm],
            ..Default::default()
        };
        assert_eq!(field_of(repeat(tim9_meal)), "repeat.offset");
        let tim10 = TimingRepeat {
            time_of_day: vec!["08:00".parse().unwrap()],
            when: vec![EventTiming::Morn],
            ..Default::default()
        };
        assert_eq!(field_of(repeat(tim10)), "repeat.time_of_day");
    }

    #[test]
    fn offset_before_a_meal_is_allowed() {
        let ok = TimingRepeat {
            offset: Some(30),
            when: vec![EventTiming::Acm],
            frequency: Some(1),
            period: Some(1.0),
            period_unit: Some(UnitOfTime::D),
            ..Default::default()
        };
        assert!(repeat(ok).validate().is_ok());
    }

    #[test]
    fn an_empty_timing_is_refused() {
        assert_eq!(field_of(Timing::default()), "timing");
    }

    #[test]
    fn codes_stand_for_their_repeat() {
        let bid = Timing {
            code: Some(TimingCode::Bid),
            ..Timing::default()
        };
        let r = bid.effective_repeat().unwrap();
        assert_eq!(
            (r.frequency, r.period, r.period_unit),
            (Some(2), Some(1.0), Some(UnitOfTime::D))
        );
        let q4h = TimingCode::Q4h.to_repeat();
        assert_eq!(
            (q4h.period, q4h.period_unit),
            (Some(4.0), Some(UnitOfTime::H))
        );
    }
}
