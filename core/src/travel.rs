//! When the phone's time zone changes: record it and say which upcoming reminders move and
//! why. Policy `local` doses keep their wall-clock time, so their instants move; `home` and
//! `elapsed` doses keep their instants, so their wall-clock time here changes (a `home`
//! schedule can then shift gradually, see `schedule::GradualShift`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::Zone;
use rusqlite::Connection;

use crate::dose::day::planned;
use crate::dose::last_taken;
use crate::error::Result;
use crate::schedule::{Frame, ZonePolicy, parse_zone, record_zone};
use crate::snapshot::Snapshot;
use crate::snapshot::in_force;
use crate::store::seal::Sealer;
use crate::time::Timestamp;

/// Longest look-ahead of a zone-change report.
pub const MAX_LOOKAHEAD: Duration = Duration::from_secs(14 * 86_400);

/// An upcoming dose whose instant moves with the new zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MovedDose {
    /// The medicine.
    pub medicine_id: i64,
    /// When it was due before the change.
    pub before: Timestamp,
    /// When it is due now.
    pub after: Timestamp,
}

/// An upcoming dose that keeps its instant, so its wall-clock time here changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct KeptDose {
    /// The medicine.
    pub medicine_id: i64,
    /// When it is due (unchanged).
    pub at: Timestamp,
    /// Why it keeps its instant: `home` (stays on its home zone's time) or `elapsed` (exact
    /// intervals in real time).
    pub policy: ZonePolicy,
}

/// What a zone change does to the coming reminders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ZoneChangeReport {
    /// Whether the zone differed from the one recorded (if not, nothing was written).
    pub changed: bool,
    /// The zone in force before, if any was recorded.
    pub previous_zone: Option<String>,
    /// The zone now.
    pub zone: String,
    /// Policy `local` doses: same wall-clock time, new instant.
    pub moved: Vec<MovedDose>,
    /// Policy `home` and `elapsed` doses whose wall-clock time here differs from home.
    pub kept: Vec<KeptDose>,
    /// Medicines with policy `home` that could shift gradually to the new zone's clock.
    pub can_shift_gradually: Vec<i64>,
}

/// Records inside `tx` that the phone is now in `tz` at `now` and reports how the doses due
/// until `until` are affected. `snapshot` reads the planning snapshot as `tx` sees it (before
/// the change, then after it).
pub(crate) fn change(
    tx: &Connection,
    sealer: &Sealer,
    snapshot: &dyn Fn() -> Result<std::sync::Arc<Snapshot>>,
    tz: Zone,
    now: Timestamp,
    until: Timestamp,
) -> Result<ZoneChangeReport> {
    let old = snapshot()?;
    let previous = old.zones.as_ref().map(|t| t.zone_at(now));
    let before = planned(
        &old,
        &last_taken(tx, &old, now, until)?,
        now,
        until,
        &mut Vec::new(),
    );
    let changed = record_zone(tx, sealer, tz, now)?;
    let mut report = ZoneChangeReport {
        changed,
        previous_zone: previous.map(|z| z.name().to_owned()),
        zone: tz.name().to_owned(),
        moved: Vec::new(),
        kept: Vec::new(),
        can_shift_gradually: Vec::new(),
    };
    if !changed {
        return Ok(report);
    }
    let new = snapshot()?;
    let after = planned(
        &new,
        &last_taken(tx, &new, now, until)?,
        now,
        until,
        &mut Vec::new(),
    );
    let policies: BTreeMap<i64, (ZonePolicy, String)> = crate::order::map(
        in_force(&new, now, until)
            .into_iter()
            .map(|f| (f.medicine_id, (f.schedule.policy, f.schedule.zone.clone()))),
    );
    let mut by_medicine: BTreeMap<i64, (Vec<Timestamp>, Vec<Timestamp>)> = BTreeMap::new();
    for p in &before {
        by_medicine
            .entry(p.medicine_id)
            .or_default()
            .0
            .push(p.due_at);
    }
    for p in &after {
        by_medicine
            .entry(p.medicine_id)
            .or_default()
            .1
            .push(p.due_at);
    }
    for (medicine_id, (old, new)) in by_medicine {
        let Some((policy, home)) = policies.get(&medicine_id) else {
            continue;
        };
        let away_from_home = parse_zone(home)? != tz;
        if *policy == ZonePolicy::Local {
            // The same wall-clock slot, read in the old zone and in the new one.
            let old_frame = Frame::Zone(previous.unwrap_or(tz));
            let new_frame = Frame::Zone(tz);
            for before in &old {
                let slot = old_frame.local(*before);
                if let Some(after) = new.iter().find(|a| new_frame.local(**a) == slot)
                    && after != before
                {
                    report.moved.push(MovedDose {
                        medicine_id,
                        before: *before,
                        after: *after,
                    });
                }
            }
        } else if *policy == ZonePolicy::Elapsed || away_from_home {
            report.kept.extend(new.iter().map(|at| KeptDose {
                medicine_id,
                at: *at,
                policy: *policy,
            }));
        }
        if *policy == ZonePolicy::Home && away_from_home {
            report.can_shift_gradually.push(medicine_id);
        }
    }
    Ok(report)
}
