//! Checks for doses taken as needed (PRN): the least interval between doses of a medicine,
//! and the most that may be taken in a period, summed over every medicine with the same
//! ingredient (a brand and its generic, or two products of one substance).
//!
//! The dose is logged either way (the log records what happened); the check says what rule
//! it broke and the earliest time the dose would have been allowed.
//!
//! Amounts are compared in the ceiling's unit: a logged amount in that unit counts as is; an
//! amount in units of the product ("2 tablets") counts through the medicine's strength when
//! that is written in the ceiling's unit ("500 mg"); a dose logged without an amount counts
//! as the as-needed dose, else the schedule's first dose. An amount that is unknown or cannot
//! be put in the ceiling's unit is never guessed: the check then says the maximum could not be
//! checked ([`AsNeededRule::Unchecked`]). Medicines share an ingredient when they have the
//! same RxNorm id, else the same ATC code, else the same name.
//!
//! The least interval is inclusive: with four hours between doses, a dose exactly four hours
//! after the last is on time.

use std::time::Duration;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{DoseAction, NewDoseEvent};
use crate::error::Result;
use crate::medicine::{self, Medicine};
use crate::schedule::{AsNeeded, Quantity, Schedule};
use crate::snapshot::Snapshot;
use crate::snapshot::in_force;
use crate::store::seal::Sealer;
use crate::time::Timestamp;

/// Which rule an as-needed dose broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum AsNeededRule {
    /// Taken sooner after the previous dose than the least interval.
    TooSoon,
    /// More than the most allowed in the period.
    OverMaximum,
    /// The most allowed in the period could not be checked: the amount of this dose or of
    /// one in the period is unknown, or in a unit that cannot be compared with the ceiling.
    Unchecked,
}

/// A warning about an as-needed dose.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AsNeededWarning {
    /// The rule broken (the later-clearing one when both are).
    pub rule: AsNeededRule,
    /// The earliest the dose would have been allowed.
    pub earliest_allowed_at: Timestamp,
    /// Plain words for the patient (no medicine names).
    pub message: String,
    /// For `OverMaximum`: the amount in the period with this dose, in the ceiling's unit.
    pub taken_in_period: Option<Quantity>,
    /// For `OverMaximum`: the ceiling.
    pub max_per_period: Option<Quantity>,
}

/// The key under which medicines share an ingredient.
fn ingredient_key(medicine: &Medicine) -> String {
    let info = &medicine.info;
    info.rxnorm
        .as_ref()
        .map(|code| format!("rxnorm:{code}"))
        .or_else(|| info.atc.as_ref().map(|code| format!("atc:{code}")))
        .unwrap_or_else(|| format!("name:{}", info.name.to_lowercase()))
}

/// `amount` in `unit`, if it can be expressed so (see the module docs).
fn in_unit(amount: &Quantity, unit: &str, medicine: &Medicine) -> Option<f64> {
    if amount.unit.eq_ignore_ascii_case(unit) {
        return Some(amount.value);
    }
    let strength = medicine.info.strength.as_deref()?;
    let mut words = strength.split_whitespace();
    let per_unit: f64 = words.next()?.replace(',', ".").parse().ok()?;
    let strength_unit = words.next()?;
    (words.next().is_none() && strength_unit.eq_ignore_ascii_case(unit))
        .then_some(amount.value * per_unit)
}

/// The amount a taken dose counts as, before conversion: as logged, else the schedule's
/// as-needed dose, else its first phase's dose; `None` when nothing says.
fn amount_of<'a>(
    event_amount: Option<&'a Quantity>,
    schedule: Option<&'a Schedule>,
) -> Option<&'a Quantity> {
    event_amount.or_else(|| {
        let schedule = schedule?;
        schedule
            .as_needed
            .as_ref()
            .and_then(|rules| rules.dose.as_ref())
            .or_else(|| schedule.phases.first().and_then(|p| p.dose.as_ref()))
    })
}

/// A taken dose of a medicine sharing the ingredient.
struct Intake {
    at: Timestamp,
    medicine_id: i64,
    amount: Option<Quantity>,
}

/// Taken doses of `medicine_ids` in `[from, to)`, corrected ones left out, oldest first.
fn intakes(
    conn: &Connection,
    sealer: &Sealer,
    medicine_ids: &[i64],
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Intake>> {
    let mut out = Vec::new();
    for &id in medicine_ids {
        let mut statement = conn.prepare_cached(&format!(
            "{} WHERE medicine_id = ?1 AND actual_at >= ?2 AND actual_at < ?3
               AND id NOT IN (SELECT corrects FROM dose_event WHERE corrects IS NOT NULL)",
            super::SELECT_EVENT
        ))?;
        let mut rows = statement.query(rusqlite::params![id, from.as_millis(), to.as_millis()])?;
        while let Some(row) = rows.next()? {
            let event = super::event_from_row(row, sealer)?;
            if event.action == DoseAction::Taken {
                out.push(Intake {
                    at: event.actual_at,
                    medicine_id: id,
                    amount: event.amount,
                });
            }
        }
    }
    crate::order::sort_by_key(&mut out, |i| i.at);
    Ok(out)
}

/// The as-needed rules in force for a medicine at `at`, with its schedule (none once a
/// course's `ends` has passed).
fn rules_at(snapshot: &Snapshot, medicine_id: i64, at: Timestamp) -> Option<(AsNeeded, Schedule)> {
    in_force(snapshot, at, at.plus(Duration::from_millis(1)))
        .into_iter()
        .find(|f| f.medicine_id == medicine_id)
        .and_then(|f| {
            let rules = f.schedule.as_needed.clone()?;
            if let Some(ends) = rules.ends {
                let zone = crate::schedule::parse_zone(&f.schedule.zone).ok()?;
                if at > crate::schedule::Frame::Zone(zone).resolve(ends.0) {
                    return None;
                }
            }
            Some((rules, f.schedule.clone()))
        })
}

/// Checks a dose about to be logged against its medicine's as-needed rules.
pub(crate) fn check(
    conn: &Connection,
    sealer: &Sealer,
    snapshot: &Snapshot,
    event: &NewDoseEvent,
) -> Result<Option<AsNeededWarning>> {
    if event.action != DoseAction::Taken {
        return Ok(None);
    }
    let Some((rules, schedule)) = rules_at(snapshot, event.medicine_id, event.actual_at) else {
        return Ok(None);
    };
    let at = event.actual_at;
    let mut warnings = Vec::new();

    if let Some(minutes) = rules.min_interval_minutes {
        let interval = Duration::from_secs(u64::from(minutes) * 60);
        // A dose exactly `interval` after the last one is on time.
        let last = intakes(
            conn,
            sealer,
            &[event.medicine_id],
            at.minus(interval).plus(Duration::from_millis(1)),
            at.plus(Duration::from_millis(1)),
        )?
        .pop();
        if let Some(last) = last {
            warnings.push(AsNeededWarning {
                rule: AsNeededRule::TooSoon,
                earliest_allowed_at: last.at.plus(interval),
                message: format!(
                    "This dose came sooner than the {} allowed between doses.",
                    describe_minutes(minutes)
                ),
                taken_in_period: None,
                max_per_period: None,
            });
        }
    }

    if let Some(max) = &rules.max_per_period {
        let period = Duration::from_secs(u64::from(max.period_hours) * 3600);
        let unit = max.amount.unit.as_str();
        let medicines = medicine::list(conn, sealer, true)?;
        let Some(this) = medicines.iter().find(|m| m.id == event.medicine_id) else {
            return Ok(None);
        };
        let key = ingredient_key(this);
        let group: Vec<&Medicine> = medicines
            .iter()
            .filter(|m| ingredient_key(m) == key)
            .collect();
        let ids: Vec<i64> = group.iter().map(|m| m.id).collect();
        // Each dose in the ceiling's unit; `None` when it cannot be said.
        let counted = |medicine_id: i64, amount: Option<&Quantity>| -> Option<f64> {
            let medicine = group
                .iter()
                .find(|m| m.id == medicine_id)
                .copied()
                .unwrap_or(this);
            let schedule = (medicine_id == this.id).then_some(&schedule);
            in_unit(amount_of(amount, schedule)?, unit, medicine)
        };
        let past = intakes(
            conn,
            sealer,
            &ids,
            at.minus(period).plus(Duration::from_millis(1)),
            at.plus(Duration::from_millis(1)),
        )?;
        let this_amount = counted(this.id, event.amount.as_ref());
        let amounts: Vec<Option<f64>> = past
            .iter()
            .map(|i| counted(i.medicine_id, i.amount.as_ref()))
            .collect();
        let unknown = this_amount.is_none() || amounts.iter().any(Option::is_none);
        let total: f64 = amounts.iter().flatten().sum::<f64>() + this_amount.unwrap_or(0.0);
        if total > max.amount.value + 1e-9 {
            // The dose would have fitted once enough earlier intakes left the window.
            let mut remaining = total;
            let mut earliest = at;
            for (intake, amount) in past.iter().zip(&amounts) {
                remaining -= amount.unwrap_or(0.0);
                earliest = intake.at.plus(period);
                if remaining <= max.amount.value + 1e-9 {
                    break;
                }
            }
            warnings.push(AsNeededWarning {
                rule: AsNeededRule::OverMaximum,
                earliest_allowed_at: earliest,
                message: format!(
                    "This takes you over the most allowed in {}.",
                    describe_minutes(max.period_hours * 60)
                ),
                taken_in_period: Some(Quantity {
                    value: total,
                    unit: unit.to_owned(),
                }),
                max_per_period: Some(max.amount.clone()),
            });
        } else if unknown {
            warnings.push(AsNeededWarning {
                rule: AsNeededRule::Unchecked,
                earliest_allowed_at: at,
                message: format!(
                    "The most allowed in {} could not be checked: give how much each dose is.",
                    describe_minutes(max.period_hours * 60)
                ),
                taken_in_period: None,
                max_per_period: Some(max.amount.clone()),
            });
        }
    }
    Ok(warnings.into_iter().max_by_key(|w| w.earliest_allowed_at))
}

/// "4 hours", "90 minutes", "1 day".
fn describe_minutes(minutes: u32) -> String {
    let plural = |n: u32, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if minutes % 1440 == 0 {
        plural(minutes / 1440, "day")
    } else if minutes % 60 == 0 {
        plural(minutes / 60, "hour")
    } else {
        plural(minutes, "minute")
    }
}
