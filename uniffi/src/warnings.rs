//! `Regimen` calls for warnings: everything computed on the phone from the built-in
//! knowledge base; nothing leaves the device.

use std::sync::OnceLock;

use regimen_core::knowledge::KnowledgeBase;
use regimen_core::medicine::{Medicine, MedicineInfo};
use regimen_core::warning::{Warning, check};

use crate::error::Result;
use crate::pgx::allele_table;
use crate::regimen::Regimen;

/// The knowledge base, parsed on first use.
fn knowledge(cell: &OnceLock<KnowledgeBase>) -> Result<&KnowledgeBase> {
    if let Some(kb) = cell.get() {
        return Ok(kb);
    }
    let kb = KnowledgeBase::builtin()?;
    Ok(cell.get_or_init(|| kb))
}

#[uniffi::export]
impl Regimen {
    /// Warnings for the patient's medicines and PGx results, most severe first.
    pub fn warnings(&self) -> Result<Vec<Warning>> {
        let medicines = self.store.medicines(true)?;
        self.warnings_for(&medicines)
    }

    /// The warnings a medicine would bring if it were added now (its own and the ones it
    /// causes with the medicines already taken), without storing it.
    pub fn preview_warnings(&self, candidate: MedicineInfo) -> Result<Vec<Warning>> {
        let candidate = candidate.validated()?;
        let mut medicines = self.store.medicines(true)?;
        let now = self.now()?;
        // Ids of stored medicines are positive; the candidate is 0.
        medicines.push(Medicine {
            id: 0,
            info: candidate,
            revision: 1,
            created_at: now,
            updated_at: now,
            archived_at: None,
        });
        Ok(self
            .warnings_for(&medicines)?
            .into_iter()
            .filter(|w| w.medicine_ids.contains(&0))
            .collect())
    }
}

impl Regimen {
    fn warnings_for(&self, medicines: &[Medicine]) -> Result<Vec<Warning>> {
        let table = allele_table(&self.alleles)?;
        let results = self.store.pgx_results(table, false)?;
        Ok(check(
            knowledge(&self.knowledge)?,
            table,
            medicines,
            &results,
            self.now()?,
        ))
    }
}
