//! The supply calls: stock, forecasts, "enough until", and the refill reminders the plan
//! takes. Each gathers the supply log, the doses taken (from the kept ledger) and the doses
//! the day engine plans, and hands them to the pure functions of `supply`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use rusqlite::Connection;

use super::Records;
use crate::dose::{ScheduledDose, plan_doses_of};
use crate::error::{Error, Result};
use crate::medicine::{self, Medicine};
use crate::reminder;
use crate::share::compose::SupplyFact;
use crate::share::message::SharedSupplyStatus;
use crate::snapshot::{Snapshot, in_force};
use crate::store::seal::Sealer;
use crate::supply::prescription::of_medicine;
use crate::supply::{
    FORECAST_DAYS, Forecast, RefillsDue, Stock, StockKey, SupplyEvent, SupplyNeed, SupplySettings,
    forecast, need_until, refills_due, stock,
};
use crate::time::Timestamp;

/// What every tracked medicine's forecast rests on besides the planning snapshot and its own
/// logs: the supply settings, the prescriptions (newest change, count) and the pharmacy (its
/// delivery time adds to the lead time). A change here makes every forecast again.
pub(crate) type SupplyFingerprint = [i64; 5];

/// The forecasts behind the last plan's refill reminders, kept while nothing they rest on
/// changed: a plan is made again after every alarm and every logged dose, most often with
/// nothing new for most medicines. Both logs are append-only, so the medicines whose forecast
/// may have changed are those with a dose or supply event past the last ids seen.
pub(crate) struct RefillMemo {
    key: (i64, SupplyFingerprint),
    /// The newest dose and supply events the kept forecasts saw.
    last_dose_event: i64,
    last_supply_event: i64,
    computed_at: Timestamp,
    /// The next instant a dose counted as to take becomes missed (or an hour on).
    valid_until: Timestamp,
    /// The latest horizon end the forecasts look far enough for.
    covers: Timestamp,
    /// Per tracked medicine: its forecast and when its stock last changed.
    inputs: BTreeMap<i64, (Forecast, Option<Timestamp>)>,
}

/// See [`SupplyFingerprint`].
fn supply_fingerprint(conn: &Connection) -> Result<SupplyFingerprint> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT coalesce(max(updated_at), 0) FROM supply_setting),
                (SELECT count(*) FROM supply_setting),
                (SELECT coalesce(max(updated_at), 0) FROM prescription),
                (SELECT count(*) FROM prescription),
                (SELECT coalesce(max(updated_at), 0) FROM pharmacy)",
        )?
        .query_row([], |r| {
            Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])
        })?)
}

/// The newest dose and supply event ids.
fn newest_events(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT coalesce(max(id), 0) FROM dose_event),
                (SELECT coalesce(max(id), 0) FROM supply_event)",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The medicines with a dose event past `dose` or a supply event past `supply` (both logs
/// are append-only: a range of row ids, read through the primary key; `DISTINCT` here would
/// make SQLite scan a whole index instead).
fn touched_since(conn: &Connection, dose: i64, supply: i64) -> Result<BTreeSet<i64>> {
    let mut out = BTreeSet::new();
    for (sql, after) in [
        ("SELECT medicine_id FROM dose_event WHERE id > ?1", dose),
        ("SELECT medicine_id FROM supply_event WHERE id > ?1", supply),
    ] {
        let mut statement = conn.prepare_cached(sql)?;
        let mut rows = statement.query([after])?;
        while let Some(row) = rows.next()? {
            out.insert(row.get(0)?);
        }
    }
    Ok(out)
}

/// The first window of days a forecast looks at (doubled until the run-out is found).
const FIRST_WINDOW_DAYS: u64 = 16;

/// A tracked medicine while its forecast is made.
struct Pending {
    medicine: Medicine,
    settings: SupplySettings,
    events: Vec<SupplyEvent>,
    stock: Stock,
    until: Timestamp,
    scheduled: bool,
    as_needed_dose: Option<crate::schedule::Quantity>,
    taken: Vec<crate::supply::TakenDose>,
    forecast: Option<Forecast>,
}

/// One tracked medicine's forecast with what it was made from.
struct Tracked {
    forecast: Forecast,
    settings: SupplySettings,
    medicine: Medicine,
    events: Vec<SupplyEvent>,
}

impl Records {
    /// The forecasts of the tracked, active medicines (all, or only `only`), looking ahead
    /// until `until(settings)`, inside one read.
    fn tracked(
        &self,
        conn: &Connection,
        sealer: &Sealer,
        snapshot: &Snapshot,
        now: Timestamp,
        only: Option<&BTreeSet<i64>>,
        until: &dyn Fn(&SupplySettings) -> Timestamp,
    ) -> Result<Vec<Tracked>> {
        Ok(self
            .tracked_until_change(conn, sealer, snapshot, now, only, until)?
            .0)
    }

    /// [`Records::tracked`], and the next instant a dose it counted as still to take becomes
    /// missed (from then on the forecasts may differ).
    fn tracked_until_change(
        &self,
        conn: &Connection,
        sealer: &Sealer,
        snapshot: &Snapshot,
        now: Timestamp,
        only: Option<&BTreeSet<i64>>,
        until: &dyn Fn(&SupplySettings) -> Timestamp,
    ) -> Result<(Vec<Tracked>, Timestamp)> {
        let all = crate::supply::storage_settings(conn, sealer)?;
        let ids: BTreeSet<i64> = crate::order::set(all.keys().copied());
        let mut ledger = self.supply_ledger();
        ledger.catch_up(conn, sealer, &ids)?;
        let wanted: BTreeMap<i64, SupplySettings> = crate::order::map(
            all.into_iter()
                .filter(|(id, _)| only.is_none_or(|only| only.contains(id))),
        );
        if wanted.is_empty() {
            return Ok((Vec::new(), Timestamp::MAX));
        }
        let medicines: BTreeMap<i64, Medicine> = crate::order::map(
            medicine::list(conn, sealer, false)?
                .into_iter()
                .filter(|m| wanted.contains_key(&m.id))
                .map(|m| (m.id, m)),
        );
        let in_force_now: BTreeMap<i64, &crate::schedule::Schedule> = crate::order::map(
            in_force(snapshot, now, now.plus(Duration::from_millis(1)))
                .into_iter()
                .map(|v| (v.medicine_id, v.schedule)),
        );
        // A delivery takes days: the refill reminder comes that much earlier.
        let delivery_days = crate::supply::pharmacy::pharmacy(conn, sealer)?
            .filter(|p| p.fulfilment == crate::supply::Fulfilment::Delivery)
            .and_then(|p| p.delivery_days)
            .unwrap_or(0);
        // Each medicine's stock now (kept between calls while nothing it rests on changed).
        let mut pending = Vec::new();
        for (id, mut settings) in wanted {
            settings.lead_days = settings.lead_days.saturating_add(delivery_days);
            let Some(medicine) = medicines.get(&id) else {
                continue;
            };
            let events = crate::supply::storage_events(conn, sealer, id)?;
            let since = events.first().map_or(Timestamp::MAX, |e| e.at);
            let key = StockKey {
                newest_dose_event: ledger.newest_of(id),
                last_event: events.last().map(|e| e.id),
                generation: snapshot.generation(),
                settings: settings.clone(),
            };
            let schedule = in_force_now.get(&id);
            let scheduled = schedule.is_some_and(|s| !s.phases.is_empty());
            let as_needed_dose = schedule
                .and_then(|s| s.as_needed.as_ref())
                .and_then(|rules| rules.dose.clone());
            let taken = if scheduled {
                Vec::new()
            } else {
                ledger.taken(id, since)
            };
            let stock = match ledger.remembered(id, &key, now) {
                Some(stock) => stock,
                None => {
                    let taken = if scheduled {
                        ledger.taken(id, since)
                    } else {
                        taken.clone()
                    };
                    let stock = stock(
                        snapshot,
                        &medicine.info,
                        id,
                        &settings,
                        &events,
                        &taken,
                        now,
                    );
                    let latest = taken
                        .iter()
                        .map(|d| d.actual_at)
                        .chain(events.iter().map(|e| e.at))
                        .max()
                        .unwrap_or(Timestamp::MIN);
                    ledger.remember(id, key, latest, stock.clone());
                    stock
                }
            };
            pending.push(Pending {
                medicine: medicine.clone(),
                until: until(&settings),
                settings,
                events,
                stock,
                scheduled,
                as_needed_dose,
                taken,
                forecast: None,
            });
        }
        drop(ledger);
        // The doses ahead, in windows that double until each stock's run-out is found: most
        // run out within weeks, and a year of doses for every medicine is costly to plan.
        let lookback = reminder::lookback(&snapshot.settings);
        let until_all = pending.iter().map(|p| p.until).max().unwrap_or(now);
        let mut window = Duration::from_secs(FIRST_WINDOW_DAYS * 86_400);
        let missed_after =
            Duration::from_secs(u64::from(snapshot.settings.thresholds.missed_after_minutes) * 60);
        let mut next_change = Timestamp::MAX;
        loop {
            let end = now.plus(window).min(until_all);
            let open: BTreeSet<i64> = crate::order::set(
                pending
                    .iter()
                    .filter(|p| p.forecast.is_none() && p.scheduled)
                    .map(|p| p.medicine.id),
            );
            let doses = if open.is_empty() {
                Vec::new()
            } else {
                plan_doses_of(
                    conn,
                    snapshot,
                    (now.minus(lookback), end),
                    now,
                    &mut Vec::new(),
                    &|id| open.contains(&id),
                )?
            };
            let mut by_medicine: BTreeMap<i64, Vec<&ScheduledDose>> = BTreeMap::new();
            for dose in &doses {
                by_medicine.entry(dose.medicine_id).or_default().push(dose);
                if let Some(due) = dose.due_at
                    && !dose.status.is_settled()
                    && due.plus(missed_after) > now
                {
                    next_change = next_change.min(due.plus(missed_after));
                }
            }
            for p in pending.iter_mut().filter(|p| p.forecast.is_none()) {
                let looked_until = p.until.min(end);
                let own = by_medicine.remove(&p.medicine.id).unwrap_or_default();
                let made = forecast(
                    p.stock.clone(),
                    &p.settings,
                    &p.medicine.info,
                    &own,
                    p.scheduled,
                    p.as_needed_dose.as_ref(),
                    &p.taken,
                    looked_until,
                );
                if made.run_out_at.is_some() || looked_until >= p.until || !p.scheduled {
                    p.forecast = Some(made);
                }
            }
            if end >= until_all || pending.iter().all(|p| p.forecast.is_some()) {
                break;
            }
            window *= 2;
        }
        let mut out = Vec::new();
        for p in pending {
            let Some(mut forecast) = p.forecast else {
                continue;
            };
            forecast.prescription_warning = of_medicine(conn, sealer, p.medicine.id)?
                .first()
                .and_then(|rx| rx.details.warning(now, forecast.run_out_at));
            out.push(Tracked {
                forecast,
                settings: p.settings,
                medicine: p.medicine,
                events: p.events,
            });
        }
        Ok((out, next_change))
    }

    /// A medicine's stock now.
    pub fn stock(&self, medicine_id: i64, now: Timestamp) -> Result<Stock> {
        Ok(self.forecast(medicine_id, now)?.stock)
    }

    /// When a medicine runs out (looking a year ahead).
    pub fn forecast(&self, medicine_id: i64, now: Timestamp) -> Result<Forecast> {
        self.read(|conn, sealer| {
            medicine::get(conn, sealer, medicine_id)?;
            let snapshot = self.snapshot(conn, sealer, true)?;
            let year = now.plus(Duration::from_secs(u64::from(FORECAST_DAYS) * 86_400));
            self.tracked(
                conn,
                sealer,
                &snapshot,
                now,
                Some(&BTreeSet::from([medicine_id])),
                &|_| year,
            )?
            .pop()
            .map(|t| t.forecast)
            .ok_or_else(|| {
                Error::invalid(
                    "medicine_id",
                    "the medicine's stock is not tracked (or it is archived)",
                )
            })
        })
    }

    /// Every tracked medicine's forecast, soonest run-out first.
    pub fn forecasts(&self, now: Timestamp) -> Result<Vec<Forecast>> {
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let year = now.plus(Duration::from_secs(u64::from(FORECAST_DAYS) * 86_400));
            let mut out: Vec<Forecast> = self
                .tracked(conn, sealer, &snapshot, now, None, &|_| year)?
                .into_iter()
                .map(|t| t.forecast)
                .collect();
            crate::order::sort_by_key(&mut out, |f| {
                (f.run_out_at.unwrap_or(Timestamp::MAX), f.stock.medicine_id)
            });
            Ok(out)
        })
    }

    /// Whether there is enough of every tracked medicine until `until` ("for my trip"): per
    /// medicine, needed, on hand and the shortfall.
    pub fn supply_check(&self, until: Timestamp, now: Timestamp) -> Result<Vec<SupplyNeed>> {
        if until <= now {
            return Err(Error::invalid("until", "must be after now"));
        }
        if until > now.plus(Duration::from_secs(u64::from(FORECAST_DAYS) * 86_400)) {
            return Err(Error::invalid("until", "must be within a year"));
        }
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let lookback = reminder::lookback(&snapshot.settings);
            let tracked = self.tracked(conn, sealer, &snapshot, now, None, &|_| until)?;
            let ids: BTreeSet<i64> = crate::order::set(tracked.iter().map(|t| t.medicine.id));
            let doses = plan_doses_of(
                conn,
                &snapshot,
                (now.minus(lookback), until),
                now,
                &mut Vec::new(),
                &|id| ids.contains(&id),
            )?;
            Ok(tracked
                .iter()
                .map(|t| {
                    let own: Vec<&ScheduledDose> = doses
                        .iter()
                        .filter(|d| d.medicine_id == t.medicine.id)
                        .collect();
                    need_until(&t.forecast, &t.settings, &t.medicine.info, &own, until)
                })
                .collect())
        })
    }

    /// Where each tracked medicine that runs low stands, for the caregiver's supply scope,
    /// inside the caller's transaction: running low, a refill asked for (an open order, or
    /// the patient's "refill requested" since stock last changed), or refused by the pharmacy.
    /// A medicine the patient says there is enough of (since stock last changed) is left out.
    pub(crate) fn supply_facts(
        &self,
        conn: &Connection,
        sealer: &Sealer,
        snapshot: &Snapshot,
        now: Timestamp,
    ) -> Result<Vec<SupplyFact>> {
        use crate::supply::{RefillAnswer, RefillState, SupplyKind};
        let until = |settings: &SupplySettings| {
            now.plus(Duration::from_secs(
                u64::from(settings.lead_days + 2) * 86_400,
            ))
        };
        let tracked = self.tracked(conn, sealer, snapshot, now, None, &until)?;
        if tracked.is_empty() {
            return Ok(Vec::new());
        }
        // Orders come newest first: the first per medicine is its latest.
        let mut latest_order = BTreeMap::new();
        for row in crate::supply::pharmacy::orders(conn, sealer, None)? {
            latest_order
                .entry(row.order.medicine_id)
                .or_insert(row.order);
        }
        let answers: BTreeMap<i64, (RefillAnswer, Timestamp)> = crate::order::map(
            crate::supply::refill_answers(conn)?
                .into_iter()
                .map(|(id, answer, at)| (id, (answer, at))),
        );
        let mut out = Vec::new();
        for t in tracked {
            let forecast = &t.forecast;
            let id = forecast.stock.medicine_id;
            let low = forecast.run_out_at.is_some()
                && forecast.refill_from.is_some_and(|from| from <= now);
            if !low {
                continue;
            }
            let changed = t
                .events
                .iter()
                .filter(|e| e.kind != SupplyKind::Lost)
                .map(|e| e.recorded_at)
                .max();
            // The patient's answer, while it still speaks for the stock as it is.
            let answer = answers
                .get(&id)
                .filter(|(_, at)| changed.is_none_or(|changed| changed <= *at));
            let order = latest_order.get(&id);
            let status = match (order.map(|o| (o.state, o.created_at)), answer) {
                (Some((RefillState::Queued | RefillState::Sent, _)), _) => {
                    SharedSupplyStatus::RefillRequested
                }
                // A refusal stands until the patient answers again after it.
                (Some((RefillState::Failed, asked)), answer)
                    if answer.is_none_or(|(_, at)| *at <= asked) =>
                {
                    SharedSupplyStatus::RefillRefused
                }
                (_, Some((RefillAnswer::Enough, _))) => continue,
                (_, Some((RefillAnswer::Requested, _))) => SharedSupplyStatus::RefillRequested,
                _ => SharedSupplyStatus::RunningLow,
            };
            out.push(SupplyFact {
                medicine_id: id,
                status,
                run_out_at: forecast.run_out_at,
            });
        }
        Ok(out)
    }

    /// The refill reminders to plan in `(now, now + horizon)`, inside the plan's read.
    pub(crate) fn refills_for_plan(
        &self,
        conn: &Connection,
        sealer: &Sealer,
        snapshot: &Snapshot,
        now: Timestamp,
        horizon: Duration,
    ) -> Result<RefillsDue> {
        let end = now.plus(horizon);
        let key = (snapshot.generation(), supply_fingerprint(conn)?);
        let (last_dose_event, last_supply_event) = newest_events(conn)?;
        // Far enough to see a run-out whose reminder falls inside the horizon (and a day more,
        // so the next plans can use the same forecasts).
        let until = |settings: &SupplySettings| {
            end.plus(Duration::from_secs(
                u64::from(settings.lead_days + 2) * 86_400,
            ))
        };
        let with_change = |tracked: Vec<Tracked>| {
            tracked
                .into_iter()
                .map(|t| {
                    let changed = t
                        .events
                        .iter()
                        .filter(|e| e.kind != crate::supply::SupplyKind::Lost)
                        .map(|e| e.recorded_at)
                        .max();
                    (t.forecast.stock.medicine_id, (t.forecast, changed))
                })
                .collect::<BTreeMap<_, _>>()
        };
        let mut memo = self.refill_memo();
        let usable = memo.as_mut().filter(|m| {
            m.key == key && now >= m.computed_at && now < m.valid_until && end <= m.covers
        });
        let inputs: Vec<(Forecast, Option<Timestamp>)> = match usable {
            Some(m) => {
                // Only the medicines with new dose or supply events are worked out again.
                let stale = touched_since(conn, m.last_dose_event, m.last_supply_event)?;
                let stale: BTreeSet<i64> =
                    crate::order::set(stale.into_iter().filter(|id| m.inputs.contains_key(id)));
                if !stale.is_empty() {
                    let (tracked, next_change) = self.tracked_until_change(
                        conn,
                        sealer,
                        snapshot,
                        now,
                        Some(&stale),
                        &until,
                    )?;
                    for id in &stale {
                        m.inputs.remove(id);
                    }
                    m.inputs.extend(with_change(tracked));
                    m.valid_until = m.valid_until.min(next_change);
                }
                m.last_dose_event = last_dose_event;
                m.last_supply_event = last_supply_event;
                m.inputs.values().cloned().collect()
            }
            None => {
                let (tracked, next_change) =
                    self.tracked_until_change(conn, sealer, snapshot, now, None, &until)?;
                let inputs = with_change(tracked);
                let out = inputs.values().cloned().collect();
                *memo = Some(RefillMemo {
                    key,
                    last_dose_event,
                    last_supply_event,
                    computed_at: now,
                    // Recent use drifts with time: an hour at most.
                    valid_until: next_change.min(now.plus(Duration::from_secs(3600))),
                    covers: end.plus(Duration::from_secs(86_400)),
                    inputs,
                });
                out
            }
        };
        drop(memo);
        if inputs.is_empty() {
            return Ok(RefillsDue::default());
        }
        // A refill the pharmacy refused does not keep the reminders quiet.
        let failed: BTreeMap<i64, Timestamp> = crate::order::map(
            crate::supply::pharmacy::orders(conn, sealer, None)?
                .into_iter()
                .filter(|row| row.order.state == crate::supply::RefillState::Failed)
                .map(|row| (row.order.medicine_id, row.order.created_at)),
        );
        let answers: BTreeMap<i64, _> = crate::order::map(
            crate::supply::refill_answers(conn)?
                .into_iter()
                .filter(|(id, answer, at)| {
                    *answer != crate::supply::RefillAnswer::Requested
                        || failed.get(id).is_none_or(|asked| asked < at)
                })
                .map(|(id, answer, at)| (id, (answer, at))),
        );
        let inputs: Vec<_> = inputs
            .into_iter()
            .map(|(forecast, changed)| {
                let answer = answers.get(&forecast.stock.medicine_id).copied();
                (forecast, answer, changed)
            })
            .collect();
        let fixed;
        let zones = match &snapshot.zones {
            Some(zones) => zones,
            None => {
                fixed = crate::schedule::ZoneTimeline::fixed(crate::Zone::UTC);
                &fixed
            }
        };
        Ok(refills_due(
            &inputs,
            &snapshot.settings.anchors,
            zones,
            now,
            end,
        ))
    }
}
