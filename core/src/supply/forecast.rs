//! When a medicine runs out, and whether there is enough until a date.
//!
//! For a scheduled medicine the forecast walks its doses as the day engine plans them (every
//! phase, taper step, cycle, spacing rule and zone policy): the stock runs out at the first
//! dose it no longer covers. Doses still open now (due, late, snoozed) are counted as to be
//! taken. For a medicine taken only as needed it extrapolates the use of the last two weeks
//! and says it is an estimate.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ledger::TakenDose;
use super::stock::planned_draw;
use super::{Stock, SupplySettings};
use crate::dose::{DoseStatus, ScheduledDose};
use crate::medicine::MedicineInfo;
use crate::schedule::Quantity;
use crate::supply::PrescriptionWarning;
use crate::time::Timestamp;

/// How far back use is averaged for a medicine taken as needed.
const RECENT_USE: Duration = Duration::from_secs(14 * 86_400);
/// The least history an as-needed estimate is made from.
const LEAST_HISTORY: Duration = Duration::from_secs(2 * 86_400);

/// What a forecast rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ForecastBasis {
    /// The schedule's own doses: exact.
    Schedule,
    /// The use of the last days, for a medicine taken as needed: an estimate.
    RecentUse,
    /// As needed, but too little use yet to say.
    NotEnoughUse,
    /// A scheduled dose's amount cannot be put in the stock's unit: give the dose an amount
    /// in that unit (or the medicine its strength).
    AmountUnknown,
    /// No schedule and no as-needed use: nothing draws from the stock.
    NoUse,
    /// Nothing is recorded yet: receive or count some stock first.
    NoStock,
}

/// When a medicine runs out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Forecast {
    /// The stock now.
    pub stock: Stock,
    /// What the forecast rests on.
    pub basis: ForecastBasis,
    /// When the stock no longer covers a dose: the first dose it cannot cover (schedule), or
    /// the estimated instant (recent use); `None` if it lasts past `looked_until`.
    pub run_out_at: Option<Timestamp>,
    /// How far ahead the forecast looked.
    pub looked_until: Timestamp,
    /// Whether `run_out_at` is an estimate.
    pub estimate: bool,
    /// Scheduled doses the stock still covers (within `looked_until`).
    pub doses_covered: u32,
    /// For recent use: how much a day, in the stock's unit.
    pub daily_use: Option<f64>,
    /// From when to remind about a refill (`run_out_at` minus the lead time).
    pub refill_from: Option<Timestamp>,
    /// Why the prescription may not cover a refill in time.
    pub prescription_warning: Option<PrescriptionWarning>,
}

/// Whether there is enough until a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SupplyNeed {
    /// The medicine.
    pub medicine_id: i64,
    /// The unit of the amounts.
    pub unit: String,
    /// How much the doses until then take (an estimate for as-needed use).
    pub needed: f64,
    /// How much is on hand now.
    pub on_hand: f64,
    /// How much is missing (0 when there is enough).
    pub shortfall: f64,
    /// Whether `needed` is an estimate (as-needed use, or doses of unknown amount left out).
    pub estimate: bool,
}

/// The draws of the doses still to take, in time order: `(due, draw)`; a draw of `None` has
/// an amount that cannot be put in the stock's unit.
fn upcoming<'a>(
    doses: &'a [&'a ScheduledDose],
    settings: &'a SupplySettings,
    info: &'a MedicineInfo,
) -> impl Iterator<Item = (Timestamp, Option<f64>)> + 'a {
    doses
        .iter()
        .filter(|d| {
            matches!(
                d.status,
                DoseStatus::Upcoming | DoseStatus::Due | DoseStatus::Late | DoseStatus::Snoozed
            )
        })
        .filter_map(move |d| {
            let due = d.due_at?;
            Some((due, planned_draw(d.dose.as_ref(), settings, info)))
        })
}

/// The average daily use over the recent past, from the doses `taken` (as-needed medicines).
fn daily_use(
    taken: &[TakenDose],
    as_needed_dose: Option<&Quantity>,
    settings: &SupplySettings,
    info: &MedicineInfo,
    since: Timestamp,
    now: Timestamp,
) -> Option<f64> {
    let from = now.minus(RECENT_USE).max(since);
    let span = now.as_millis() - from.as_millis();
    if span < LEAST_HISTORY.as_millis() as i64 {
        return None;
    }
    let mut total = 0.0;
    for dose in taken
        .iter()
        .filter(|d| d.actual_at > from && d.actual_at <= now)
    {
        let amount = dose.amount.as_ref().or(as_needed_dose);
        total += planned_draw(amount, settings, info)?;
    }
    (total > 0.0).then(|| total / (span as f64 / 86_400_000.0))
}

/// The forecast for one medicine from its `stock` now, the doses its schedule plans in
/// `[now, looked_until)` (with the open ones before), and, for as-needed use, the doses
/// `taken` recently.
#[allow(clippy::too_many_arguments)] // one pure computation over everything it rests on
pub(crate) fn forecast(
    stock: Stock,
    settings: &SupplySettings,
    info: &MedicineInfo,
    doses: &[&ScheduledDose],
    scheduled: bool,
    as_needed_dose: Option<&Quantity>,
    taken: &[TakenDose],
    looked_until: Timestamp,
) -> Forecast {
    let now = stock.as_of;
    let mut out = Forecast {
        basis: ForecastBasis::Schedule,
        run_out_at: None,
        looked_until,
        estimate: false,
        doses_covered: 0,
        daily_use: None,
        refill_from: None,
        prescription_warning: None,
        stock,
    };
    if out.stock.counted_from.is_none() {
        out.basis = ForecastBasis::NoStock;
    } else if scheduled {
        let mut left = out.stock.on_hand;
        for (due, draw) in upcoming(doses, settings, info) {
            let Some(draw) = draw else {
                out.basis = ForecastBasis::AmountUnknown;
                return out;
            };
            // A little slack: 0.1 + 0.2 tablets left cover a dose of 0.3.
            if left + 1e-9 < draw {
                out.run_out_at = Some(due);
                break;
            }
            left -= draw;
            out.doses_covered += 1;
        }
    } else {
        let since = out.stock.counted_from.unwrap_or(now);
        match daily_use(taken, as_needed_dose, settings, info, since, now) {
            None if taken.is_empty() && as_needed_dose.is_none() => {
                out.basis = ForecastBasis::NoUse
            }
            None => out.basis = ForecastBasis::NotEnoughUse,
            Some(rate) => {
                out.basis = ForecastBasis::RecentUse;
                out.estimate = true;
                out.daily_use = Some(rate);
                let days = out.stock.on_hand / rate;
                let millis = (days * 86_400_000.0)
                    .min((looked_until.as_millis() - now.as_millis()) as f64 + 1.0);
                let at =
                    Timestamp::from_millis(now.as_millis() + millis as i64).unwrap_or(looked_until);
                out.run_out_at = (at < looked_until).then_some(at);
            }
        }
    }
    out.refill_from = out
        .run_out_at
        .map(|at| at.minus(Duration::from_secs(u64::from(settings.lead_days) * 86_400)));
    out
}

/// How much the doses of `[now, until)` take against what is on hand.
pub(crate) fn need_until(
    forecast: &Forecast,
    settings: &SupplySettings,
    info: &MedicineInfo,
    doses: &[&ScheduledDose],
    until: Timestamp,
) -> SupplyNeed {
    let now = forecast.stock.as_of;
    let mut needed = 0.0;
    let mut estimate = forecast.estimate;
    match forecast.basis {
        ForecastBasis::RecentUse => {
            let days = (until.as_millis() - now.as_millis()) as f64 / 86_400_000.0;
            needed = forecast.daily_use.unwrap_or(0.0) * days.max(0.0);
        }
        _ => {
            for (due, draw) in upcoming(doses, settings, info) {
                if due >= until {
                    break;
                }
                match draw {
                    Some(draw) => needed += draw,
                    None => estimate = true,
                }
            }
        }
    }
    SupplyNeed {
        medicine_id: forecast.stock.medicine_id,
        unit: forecast.stock.unit.clone(),
        needed,
        on_hand: forecast.stock.on_hand,
        shortfall: (needed - forecast.stock.on_hand).max(0.0),
        estimate,
    }
}
