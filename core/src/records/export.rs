//! The export calls, each gathered in one read: the dose log and adherence per day as CSV
//! (`export::csv`), the schedules as an iCalendar file (`export::ics`), and the report for the
//! doctor (`export::report`).

use std::collections::BTreeMap;

use super::Records;
use crate::diary;
use crate::dose::day::planned_by_medicine;
use crate::dose::{last_taken, local_day, read_doses};
use crate::error::{Error, Result};
use crate::export::report::{self, MAX_REPORT_DAYS, ReportInput, ReportMedicine};
use crate::export::{csv, ics};
use crate::medicine;
use crate::pgx::PgxResult;
use crate::schedule::{LocalDate, ZoneTimeline};
use crate::snapshot::Snapshot;
use crate::time::Timestamp;
use crate::warning::Warning;

/// Checks an export's period.
fn check_period(from: Timestamp, to: Timestamp) -> Result<()> {
    if to < from {
        return Err(Error::invalid(
            "to",
            "the end of the range is before its start",
        ));
    }
    Ok(())
}

impl Records {
    /// The dose events that happened in `[from, to)` as CSV (RFC 4180), oldest first, with
    /// medicine names and times in the patient's zone at each instant.
    pub fn export_dose_log_csv(&self, from: Timestamp, to: Timestamp) -> Result<String> {
        check_period(from, to)?;
        let events = self.dose_events(from, to, None)?;
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, false)?;
            Ok(csv::dose_log(
                &events,
                &names(conn, sealer)?,
                &zones(&snapshot),
            ))
        })
    }

    /// Adherence per local day and medicine for the doses due in `[from, to)`, as they stand
    /// at `now`, as CSV (RFC 4180).
    pub fn export_adherence_csv(
        &self,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<String> {
        check_period(from, to)?;
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let doses = read_doses(conn, sealer, &snapshot, (from, to), now, &mut Vec::new())?;
            Ok(csv::adherence_days(
                &doses,
                &names(conn, sealer)?,
                &zones(&snapshot),
            ))
        })
    }
}

/// Longest range of a calendar export: ten years of days.
pub const MAX_CALENDAR_DAYS: u64 = 3_660;

impl Records {
    /// The doses Regimen plans in `[from, to)` as an iCalendar file (RFC 5545): one series
    /// per schedule phase, a recurrence rule where one follows the phase and exact instants
    /// where none does (see `export::ics`). Summaries are generic unless `names` is set; then
    /// they name the medicine, its strength and the dose. `now` is the file's `DTSTAMP`.
    pub fn export_ics(
        &self,
        from: Timestamp,
        to: Timestamp,
        names: bool,
        now: Timestamp,
    ) -> Result<String> {
        check_period(from, to)?;
        if to.as_millis() - from.as_millis() > (MAX_CALENDAR_DAYS * 86_400_000) as i64 {
            return Err(Error::invalid(
                "to",
                "a calendar covers at most ten years (3660 days)",
            ));
        }
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let last_taken = last_taken(conn, &snapshot, from, to)?;
            let planned = planned_by_medicine(&snapshot, &last_taken, from, to, &mut Vec::new());
            let medicines = if names {
                medicine::list(conn, sealer, true)?
                    .into_iter()
                    .map(|m| (m.id, m))
                    .collect()
            } else {
                BTreeMap::new()
            };
            let periods = crate::snapshot::in_force(&snapshot, from, to);
            Ok(ics::calendar(&ics::CalendarInput {
                database_id: self.database_id(),
                periods: &periods,
                planned: &planned,
                zones: snapshot.zones.as_ref(),
                anchors: &snapshot.settings.anchors,
                last_taken: &last_taken,
                names: names.then_some(&medicines),
                from,
                to,
                now,
            }))
        })
    }
}

/// Where the phone was over time (UTC before a zone is recorded).
fn zones(snapshot: &Snapshot) -> ZoneTimeline {
    snapshot
        .zones
        .clone()
        .unwrap_or_else(|| ZoneTimeline::fixed(crate::Zone::UTC))
}

/// Every medicine's name (archived ones too: old events name them).
fn names(
    conn: &rusqlite::Connection,
    sealer: &crate::store::seal::Sealer,
) -> Result<BTreeMap<i64, String>> {
    Ok(medicine::list(conn, sealer, true)?
        .into_iter()
        .map(|m| (m.id, m.info.name))
        .collect())
}

/// What the report for the doctor is made from besides the database: the PGx results and the
/// warnings in force (both need the knowledge base, which the caller holds).
pub struct ReportExtras<'a> {
    /// The PGx results in force.
    pub pgx: &'a [PgxResult],
    /// The warnings in force.
    pub warnings: &'a [Warning],
    /// The version of Regimen making the report.
    pub version: &'a str,
}

impl Records {
    /// The report for the doctor over the local days `first..=last` (in the zone the phone is
    /// in at `now`, at most [`MAX_REPORT_DAYS`]), as one self-contained HTML page: the
    /// medicines listed then (active, or stopped during the period) with their schedules, the
    /// adherence of the doses due, as they stand at `now`, the PGx results and warnings given,
    /// and the diary entries of the period.
    pub fn doctor_report_html(
        &self,
        (first, last): (LocalDate, LocalDate),
        now: Timestamp,
        extras: &ReportExtras<'_>,
    ) -> Result<String> {
        if last < first {
            return Err(Error::invalid("to", "the last day is before the first"));
        }
        if (last.0 - first.0).num_days() + 1 > MAX_REPORT_DAYS {
            return Err(Error::invalid(
                "to",
                format!("a report covers at most {MAX_REPORT_DAYS} days"),
            ));
        }
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let zones = zones(&snapshot);
            let zone = zones.zone_at(now);
            let (start, end) = (local_day(zone, first.0).0, local_day(zone, last.0).1);
            let doses = read_doses(conn, sealer, &snapshot, (start, end), now, &mut Vec::new())?;
            let schedules_at = end.min(now);
            let all = medicine::list(conn, sealer, true)?;
            let medicines: Vec<ReportMedicine> = all
                .iter()
                .filter(|m| m.archived_at.is_none_or(|at| at >= start))
                .map(|m| ReportMedicine {
                    medicine: m.clone(),
                    schedule: snapshot
                        .versions
                        .iter()
                        .rfind(|v| v.medicine_id == m.id && v.valid_from <= schedules_at)
                        .and_then(|v| v.schedule.as_ref())
                        .map(crate::schedule::describe),
                })
                .collect();
            let names: BTreeMap<i64, String> =
                crate::order::map(all.into_iter().map(|m| (m.id, m.info.name)));
            let entries = diary::entries_in(conn, sealer, (start, end))?;
            Ok(report::doctor_report(&ReportInput {
                days: (first.0, last.0),
                zones: &zones,
                generated_at: now,
                version: extras.version,
                medicines: &medicines,
                names: &names,
                doses: &doses,
                pgx: extras.pgx,
                warnings: extras.warnings,
                diary: &entries,
            }))
        })
    }
}
