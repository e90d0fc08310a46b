//! Spacing rules between two medicines ("levothyroxine at least 4 h apart from calcium").
//! The planner keeps the first medicine's doses where they are and moves a dose of the
//! second that falls within the gap to just after it, and says so on the dose.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::medicine;
use crate::store::Store;
use crate::time::Timestamp;

/// Keep `second` at least `min_gap_minutes` away from `first`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SpacingRule {
    /// Id of the rule.
    pub id: i64,
    /// The medicine whose doses stay put.
    pub first_medicine_id: i64,
    /// The medicine whose doses move.
    pub second_medicine_id: i64,
    /// The least gap, in minutes.
    pub min_gap_minutes: u32,
    /// When the rule was added.
    pub created_at: Timestamp,
}

/// Why a dose is not at its scheduled time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DoseMove {
    /// Where the schedule put it.
    pub scheduled_for: Timestamp,
    /// The medicine it keeps its distance from.
    pub because_of_medicine_id: i64,
    /// The gap kept, in minutes.
    pub min_gap_minutes: u32,
}

/// Every rule, oldest first.
pub(crate) fn rules(conn: &Connection) -> Result<Vec<SpacingRule>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, first_medicine_id, second_medicine_id, min_gap_minutes, created_at
         FROM spacing_rule ORDER BY id",
    )?;
    let rows = statement.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    rows.map(|row| {
        let (id, first_medicine_id, second_medicine_id, min_gap_minutes, created) = row?;
        Ok(SpacingRule {
            id,
            first_medicine_id,
            second_medicine_id,
            min_gap_minutes,
            created_at: Timestamp::from_millis(created)?,
        })
    })
    .collect()
}

/// Inserts `rule` inside `tx` as another database stored it (its id kept): a Regimen export
/// read into an empty database.
pub(crate) fn insert_rule_as_stored(tx: &Connection, rule: &SpacingRule) -> Result<()> {
    if rule.first_medicine_id == rule.second_medicine_id {
        return Err(Error::invalid(
            "second_medicine_id",
            "must differ from the first",
        ));
    }
    if !(1..=1440).contains(&rule.min_gap_minutes) {
        return Err(Error::invalid("min_gap_minutes", "must be 1 to 1440"));
    }
    tx.execute(
        "INSERT INTO spacing_rule (id, first_medicine_id, second_medicine_id, min_gap_minutes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            rule.id,
            rule.first_medicine_id,
            rule.second_medicine_id,
            rule.min_gap_minutes,
            rule.created_at.as_millis()
        ],
    )?;
    Ok(())
}

/// Where a dose of the rule's second medicine due `at` must move to keep its distance from
/// the first medicine's doses `firsts`: just after the latest one it is too close to.
pub(crate) fn moved_time(
    rule: &SpacingRule,
    at: Timestamp,
    firsts: &[Timestamp],
) -> Option<Timestamp> {
    let gap = std::time::Duration::from_secs(u64::from(rule.min_gap_minutes) * 60);
    firsts
        .iter()
        .filter(|first| at.minus(gap) < **first && **first < at.plus(gap))
        .max()
        .map(|first| first.plus(gap))
}

impl Store {
    /// Adds a rule keeping `second` at least `min_gap_minutes` after or before `first`.
    pub fn add_spacing_rule(
        &self,
        first_medicine_id: i64,
        second_medicine_id: i64,
        min_gap_minutes: u32,
        now: Timestamp,
    ) -> Result<SpacingRule> {
        if first_medicine_id == second_medicine_id {
            return Err(Error::invalid(
                "second_medicine_id",
                "must differ from the first",
            ));
        }
        if !(1..=1440).contains(&min_gap_minutes) {
            return Err(Error::invalid("min_gap_minutes", "must be 1 to 1440"));
        }
        self.write(|tx, sealer| {
            medicine::get(tx, sealer, first_medicine_id)?;
            medicine::get(tx, sealer, second_medicine_id)?;
            let exists: bool = tx.query_row(
                "SELECT count(*) > 0 FROM spacing_rule
                 WHERE (first_medicine_id = ?1 AND second_medicine_id = ?2)
                    OR (first_medicine_id = ?2 AND second_medicine_id = ?1)",
                params![first_medicine_id, second_medicine_id],
                |r| r.get(0),
            )?;
            if exists {
                return Err(Error::Conflict("these two medicines already have a spacing rule".into()));
            }
            tx.execute(
                "INSERT INTO spacing_rule (first_medicine_id, second_medicine_id, min_gap_minutes, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![first_medicine_id, second_medicine_id, min_gap_minutes, now.as_millis()],
            )?;
            Ok(SpacingRule {
                id: tx.last_insert_rowid(),
                first_medicine_id,
                second_medicine_id,
                min_gap_minutes,
                created_at: now,
            })
        })
    }

    /// Every spacing rule.
    pub fn spacing_rules(&self) -> Result<Vec<SpacingRule>> {
        self.read(|conn, _| rules(conn))
    }

    /// Removes a spacing rule.
    pub fn remove_spacing_rule(&self, id: i64) -> Result<()> {
        self.write(
            |tx, _| match tx.execute("DELETE FROM spacing_rule WHERE id = ?1", [id])? {
                0 => Err(Error::NotFound {
                    what: "spacing rule",
                    id,
                }),
                _ => Ok(()),
            },
        )
    }
}
