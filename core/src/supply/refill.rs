//! Refill reminders: from a forecast's `refill_from` on, one reminder a day at a waking hour
//! (the patient's breakfast time, or lunch or dinner when that has passed) until the patient
//! answers: a refill was requested (quiet until stock comes in), there is enough (quiet until
//! the stock is counted or received again), or later (quiet for the rest of the day).

use chrono::{Days, NaiveDate, NaiveDateTime};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::Forecast;
use crate::error::{Error, Result};
use crate::medicine;
use crate::schedule::{Anchors, ZoneTimeline};
use crate::store::Store;
use crate::time::Timestamp;

/// The patient's answer to a refill reminder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum RefillAnswer {
    /// A refill is on its way: no reminder until stock comes in.
    Requested,
    /// There is enough (not all of it recorded): no reminder until the stock is counted or
    /// received again.
    Enough,
    /// Later: no more reminders today.
    Snoozed,
}

impl RefillAnswer {
    fn as_sql(self) -> &'static str {
        match self {
            RefillAnswer::Requested => "requested",
            RefillAnswer::Enough => "enough",
            RefillAnswer::Snoozed => "snoozed",
        }
    }

    fn from_sql(text: &str) -> Result<Self> {
        Ok(match text {
            "requested" => RefillAnswer::Requested,
            "enough" => RefillAnswer::Enough,
            "snoozed" => RefillAnswer::Snoozed,
            _ => {
                return Err(Error::Damaged(
                    "a refill answer has an unknown value".into(),
                ));
            }
        })
    }
}

/// A refill reminder to plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefillDue {
    /// The medicine running low.
    pub medicine_id: i64,
    /// When it runs out.
    pub run_out_at: Timestamp,
    /// When to remind.
    pub fire_at: Timestamp,
}

/// The newest answer per medicine, with when it was given.
pub(crate) fn answers(conn: &Connection) -> Result<Vec<(i64, RefillAnswer, Timestamp)>> {
    let mut statement = conn.prepare_cached(
        "SELECT medicine_id, answer, at FROM refill_answer
         WHERE id IN (SELECT max(id) FROM refill_answer GROUP BY medicine_id)",
    )?;
    let mut rows = statement.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let answer: String = row.get(1)?;
        out.push((
            row.get(0)?,
            RefillAnswer::from_sql(&answer)?,
            Timestamp::from_millis(row.get(2)?)?,
        ));
    }
    Ok(out)
}

/// The waking moments of a local day a reminder may come at: breakfast, lunch, dinner.
fn waking_moments(anchors: &Anchors, date: NaiveDate) -> [NaiveDateTime; 3] {
    let day = anchors.on(date);
    [day.breakfast, day.lunch, day.dinner].map(|t| date.and_time(t.to_naive()))
}

/// A forecast with the patient's newest answer (and when it was given) and when its stock
/// last changed.
pub(crate) type RefillInput = (
    Forecast,
    Option<(RefillAnswer, Timestamp)>,
    Option<Timestamp>,
);

/// Refill reminders to plan, and the medicines whose reminder is wanted now.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RefillsDue {
    /// The reminders that fire in the plan's window, soonest first.
    pub reminders: Vec<RefillDue>,
    /// Medicines whose refill reminder is wanted at this moment (running low, neither answered
    /// nor put off for today): a refill reminder already on screen for any other one can go.
    pub open: Vec<i64>,
}

/// The refill reminders of `forecasts` that fire in `(now, until)`: one a day from each
/// forecast's `refill_from`, at the first waking moment still ahead, quiet as the patient's
/// `answer` (with when it was given, and when stock last changed) says.
pub(crate) fn refills_due(
    forecasts: &[RefillInput],
    anchors: &Anchors,
    zones: &ZoneTimeline,
    now: Timestamp,
    until: Timestamp,
) -> RefillsDue {
    let mut out = Vec::new();
    let mut open = Vec::new();
    for (forecast, answer, stock_changed_at) in forecasts {
        let (Some(run_out), Some(from)) = (forecast.run_out_at, forecast.refill_from) else {
            continue;
        };
        let quiet_until = match answer {
            // Quiet until stock changed after the answer.
            Some((RefillAnswer::Requested | RefillAnswer::Enough, at))
                if stock_changed_at.is_none_or(|changed| changed <= *at) =>
            {
                continue;
            }
            Some((RefillAnswer::Snoozed, at)) => {
                let zone = zones.zone_at(*at);
                let date = crate::schedule::Frame::Zone(zone).local(*at).date();
                crate::dose::local_day(zone, date).1
            }
            _ => Timestamp::MIN,
        };
        if from <= now && quiet_until <= now {
            open.push(forecast.stock.medicine_id);
        }
        let start = from.max(now).max(quiet_until);
        let frame = crate::schedule::Frame::Zone(zones.zone_at(start));
        let mut date = frame.local(start).date();
        // The first day at its first waking moment still ahead; every later day at breakfast.
        let mut first_day = true;
        loop {
            let moments = waking_moments(anchors, date).map(|local| frame.resolve(local));
            let fire_at = if first_day {
                moments.into_iter().find(|at| *at > start)
            } else {
                Some(moments[0])
            };
            first_day = false;
            if let Some(fire_at) = fire_at {
                if fire_at >= until {
                    break;
                }
                out.push(RefillDue {
                    medicine_id: forecast.stock.medicine_id,
                    run_out_at: run_out,
                    fire_at,
                });
            }
            date = match date.checked_add_days(Days::new(1)) {
                Some(next) => next,
                None => break,
            };
            if frame.resolve(date.and_time(chrono::NaiveTime::MIN)) >= until {
                break;
            }
        }
    }
    crate::order::sort_by_key(&mut out, |r| (r.fire_at, r.medicine_id));
    crate::order::sort(&mut open);
    RefillsDue {
        reminders: out,
        open,
    }
}

impl Store {
    /// Records the patient's answer to a medicine's refill reminder.
    pub fn answer_refill(
        &self,
        medicine_id: i64,
        answer: RefillAnswer,
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx, sealer| {
            medicine::get(tx, sealer, medicine_id)?;
            tx.execute(
                "INSERT INTO refill_answer (medicine_id, answer, at) VALUES (?1, ?2, ?3)",
                params![medicine_id, answer.as_sql(), now.as_millis()],
            )?;
            Ok(())
        })
    }
}
