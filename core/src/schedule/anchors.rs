//! The patient's own day: when they wake, eat and sleep, on weekdays and at weekends. FHIR's
//! `when` codes (WAKE, CM, ACM, HS, ...) have no clock time; Regimen reads them through these
//! anchors.
//!
//! The rule, per code (`offset` is minutes, after the moment unless the code says before):
//! - WAKE, PHS, MORN.early: waking. MORN: breakfast. MORN.late: halfway breakfast to lunch.
//! - NOON: lunch. AFT: halfway lunch to dinner. AFT.early: lunch + 90 min. AFT.late: dinner - 90 min.
//! - EVE: dinner. EVE.early: dinner - 60 min. EVE.late: halfway dinner to sleep. NIGHT: sleep.
//! - C, CM, CD, CV: at the meal(s) (no offset allowed, FHIR tim-9).
//! - AC, ACM, ACD, ACV: before the meal(s), by `offset` or 30 min.
//! - PC, PCM, PCD, PCV: after the meal(s), by `offset` or 30 min.
//! - HS: before sleep, by `offset` or 0.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::clock::ClockTime;
use super::timing::EventTiming;
use crate::error::{Error, Result};

/// Minutes before (AC*) or after (PC*) a meal when a prescription gives no offset.
pub const DEFAULT_MEAL_OFFSET_MINUTES: u32 = 30;

/// The moments of one kind of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DayAnchors {
    /// Waking up.
    pub wake: ClockTime,
    /// Breakfast.
    pub breakfast: ClockTime,
    /// Lunch.
    pub lunch: ClockTime,
    /// Dinner.
    pub dinner: ClockTime,
    /// Going to sleep.
    pub sleep: ClockTime,
}

impl Default for DayAnchors {
    fn default() -> Self {
        let at = |h, m| ClockTime::new(h, m, 0).unwrap_or(ClockTime::MIDNIGHT);
        DayAnchors {
            wake: at(7, 0),
            breakfast: at(7, 30),
            lunch: at(12, 30),
            dinner: at(18, 30),
            sleep: at(22, 30),
        }
    }
}

impl DayAnchors {
    /// Checks the moments come in the order of a day: wake, breakfast, lunch, dinner, sleep
    /// (sleep may pass midnight).
    pub fn validate(&self, field: &'static str) -> Result<()> {
        let ordered = self.wake <= self.breakfast
            && self.breakfast < self.lunch
            && self.lunch < self.dinner
            && (self.dinner < self.sleep || self.sleep < self.wake);
        if !ordered {
            return Err(Error::invalid(
                field,
                "expected wake <= breakfast < lunch < dinner < sleep",
            ));
        }
        Ok(())
    }

    /// Minutes from waking to sleeping (sleep may pass midnight).
    pub fn waking_seconds(&self) -> u32 {
        (self.sleep.seconds() + 86_400 - self.wake.seconds()) % 86_400
    }

    /// The clock times a `when` code stands for on such a day, with `offset` minutes.
    pub fn resolve(&self, when: EventTiming, offset: Option<u32>) -> Vec<ClockTime> {
        use EventTiming::*;
        let shift = |t: ClockTime, minutes: i64| {
            ClockTime::from_seconds(i64::from(t.seconds()) + minutes * 60)
        };
        let halfway = |a: ClockTime, b: ClockTime| {
            ClockTime::from_seconds((i64::from(a.seconds()) + i64::from(b.seconds())) / 2)
        };
        let after = i64::from(offset.unwrap_or(0));
        let meal_gap = i64::from(offset.unwrap_or(DEFAULT_MEAL_OFFSET_MINUTES));
        let meals = [self.breakfast, self.lunch, self.dinner];
        match when {
            Wake | Phs | MornEarly => vec![shift(self.wake, after)],
            Morn => vec![shift(self.breakfast, after)],
            MornLate => vec![shift(halfway(self.breakfast, self.lunch), after)],
            Noon => vec![shift(self.lunch, after)],
            Aft => vec![shift(halfway(self.lunch, self.dinner), after)],
            AftEarly => vec![shift(self.lunch, 90 + after)],
            AftLate => vec![shift(self.dinner, -90 + after)],
            Eve => vec![shift(self.dinner, after)],
            EveEarly => vec![shift(self.dinner, -60 + after)],
            EveLate => vec![shift(halfway(self.dinner, self.sleep), after)],
            Night => vec![shift(self.sleep, after)],
            Hs => vec![shift(self.sleep, -after)],
            C => meals.to_vec(),
            Cm => vec![self.breakfast],
            Cd => vec![self.lunch],
            Cv => vec![self.dinner],
            Ac => meals.iter().map(|&m| shift(m, -meal_gap)).collect(),
            Acm => vec![shift(self.breakfast, -meal_gap)],
            Acd => vec![shift(self.lunch, -meal_gap)],
            Acv => vec![shift(self.dinner, -meal_gap)],
            Pc => meals.iter().map(|&m| shift(m, meal_gap)).collect(),
            Pcm => vec![shift(self.breakfast, meal_gap)],
            Pcd => vec![shift(self.lunch, meal_gap)],
            Pcv => vec![shift(self.dinner, meal_gap)],
        }
    }
}

/// The patient's anchors: weekdays, and weekends if they differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Anchors {
    /// Monday to Friday (and weekends when `weekend` is absent).
    pub weekday: DayAnchors,
    /// Saturday and Sunday, if different.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub weekend: Option<DayAnchors>,
}

impl Anchors {
    /// The anchors in force on `date`.
    pub fn on(&self, date: NaiveDate) -> &DayAnchors {
        match (date.weekday(), &self.weekend) {
            (Weekday::Sat | Weekday::Sun, Some(weekend)) => weekend,
            _ => &self.weekday,
        }
    }

    /// Checks both kinds of day.
    pub fn validate(&self) -> Result<()> {
        self.weekday.validate("anchors.weekday")?;
        if let Some(weekend) = &self.weekend {
            weekend.validate("anchors.weekend")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> ClockTime {
        text.parse().unwrap()
    }

    #[test]
    fn before_breakfast_defaults_to_thirty_minutes_and_honours_an_offset() {
        let day = DayAnchors::default();
        assert_eq!(day.resolve(EventTiming::Acm, None), [t("07:00")]);
        assert_eq!(day.resolve(EventTiming::Acm, Some(60)), [t("06:30")]);
        assert_eq!(day.resolve(EventTiming::Pcv, Some(15)), [t("18:45")]);
    }

    #[test]
    fn at_every_meal_gives_three_times_and_hs_is_before_sleep() {
        let day = DayAnchors::default();
        assert_eq!(
            day.resolve(EventTiming::C, None),
            [t("07:30"), t("12:30"), t("18:30")]
        );
        assert_eq!(day.resolve(EventTiming::Hs, Some(30)), [t("22:00")]);
        assert_eq!(day.resolve(EventTiming::Wake, Some(10)), [t("07:10")]);
    }

    #[test]
    fn weekend_anchors_apply_on_saturday_and_sunday_only() {
        let weekend = DayAnchors {
            wake: t("09:00"),
            breakfast: t("09:30"),
            ..DayAnchors::default()
        };
        let anchors = Anchors {
            weekend: Some(weekend),
            ..Anchors::default()
        };
        let saturday = NaiveDate::from_ymd_opt(2025, 6, 7).unwrap();
        let monday = NaiveDate::from_ymd_opt(2025, 6, 9).unwrap();
        assert_eq!(
            anchors.on(saturday).resolve(EventTiming::Wake, None),
            [t("09:00")]
        );
        assert_eq!(
            anchors.on(monday).resolve(EventTiming::Wake, None),
            [t("07:00")]
        );
    }

    #[test]
    fn anchors_out_of_order_are_refused() {
        let bad = DayAnchors {
            lunch: t("06:00"),
            ..DayAnchors::default()
        };
        assert!(bad.validate("anchors.weekday").is_err());
        let night_owl = DayAnchors {
            wake: t("11:00"),
            breakfast: t("11:30"),
            lunch: t("15:00"),
            dinner: t("21:00"),
            sleep: t("03:00"),
        };
        assert!(night_owl.validate("anchors.weekday").is_ok());
        assert_eq!(night_owl.waking_seconds(), 16 * 3600);
    }
}
