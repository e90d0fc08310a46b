//! The diary calls: add an entry, read a period, delete one (telling the caregivers who were
//! told of it).

use super::Records;
use crate::diary::{self, DiaryEntry, NewDiaryEntry};
use crate::error::{Error, Result};
use crate::share::compose;
use crate::time::Timestamp;

impl Records {
    /// Adds a diary entry (checked: see [`NewDiaryEntry::validated`]) and returns it as stored.
    pub fn add_diary_entry(&self, entry: &NewDiaryEntry, now: Timestamp) -> Result<DiaryEntry> {
        let entry = entry.validated(now)?;
        self.write(|tx, sealer| diary::insert(tx, sealer, &entry, now))
    }

    /// The entries dated in `[from, to)`, oldest first.
    pub fn diary_entries(&self, from: Timestamp, to: Timestamp) -> Result<Vec<DiaryEntry>> {
        if to < from {
            return Err(Error::invalid(
                "to",
                "the end of the range is before its start",
            ));
        }
        self.read(|conn, sealer| diary::entries_in(conn, sealer, (from, to)))
    }

    /// Deletes a diary entry for good: no copy stays in the database's files (see
    /// [`crate::diary`]), and each caregiver who was told of it is told it was removed.
    pub fn delete_diary_entry(&self, id: i64, now: Timestamp) -> Result<()> {
        self.erase(|tx, sealer| {
            let recorded_at = diary::delete(tx, id)?;
            compose::queue_diary_removal(tx, sealer, id, recorded_at, now)
        })
    }
}
