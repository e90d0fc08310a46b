//! `Regimen` calls for warnings: everything computed on the phone from the knowledge base in
//! use; nothing leaves the device.

use regimen_core::medicine::{Medicine, MedicineInfo};
use regimen_core::warning::{Warning, check};

use crate::error::Result;
use crate::regimen::Regimen;

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
        let loaded = self.loaded()?;
        let results = self.store.pgx_results(&loaded.base.alleles, false)?;
        Ok(check(&loaded.base, medicines, &results, self.now()?))
    }
}
