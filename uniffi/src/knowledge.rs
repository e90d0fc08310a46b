//! `Regimen` calls for the knowledge base in use (which base, installing an update) and the
//! drug search. Which base is in use is core's `KnowledgeInUse`; this only exposes it.

use std::sync::Arc;

use regimen_core::knowledge::{DrugMatch, KnowledgeInfo, Loaded};

use crate::error::{Result, invalid};
use crate::regimen::Regimen;

/// Longest drug search query, in characters.
const MAX_QUERY_CHARS: usize = 100;
/// Most results a drug search returns.
const MAX_RESULTS: u32 = 50;

impl Regimen {
    /// The base in use: a stored update that still verifies, else the built-in one.
    pub(crate) fn loaded(&self) -> Result<Arc<Loaded>> {
        Ok(self.knowledge.get(&self.store)?)
    }

    /// Verifies and installs `bytes`, keeping the server's `etag` for the next update check,
    /// and switches to the new base.
    pub(crate) fn install_with_etag(
        &self,
        bytes: &[u8],
        etag: Option<&str>,
    ) -> Result<KnowledgeInfo> {
        Ok(self
            .knowledge
            .install(&self.store, bytes, etag, self.now()?)?)
    }
}

#[uniffi::export]
impl Regimen {
    /// Which knowledge base warnings come from.
    pub fn knowledge_info(&self) -> Result<KnowledgeInfo> {
        Ok(self.loaded()?.info.clone())
    }

    /// Installs a signed knowledge-base bundle: verified against `RegimenConfig`'s trusted
    /// keys before anything is stored, refused if it is not newer than the base in use, then
    /// swapped in at once. A refused bundle leaves the base in use as it was.
    pub fn install_knowledge_bundle(&self, bytes: Vec<u8>) -> Result<KnowledgeInfo> {
        self.install_with_etag(&bytes, None)
    }

    /// Drugs whose name (generic, brand, INN spelling or salt) starts like `query`, or like
    /// it but for one typing slip, best first, at most `limit` (1 to 50): for an "add a
    /// medicine" screen. Case and accents do not matter. Each result's `id` can be given as
    /// `MedicineInfo.drug_id`. Searches the base in use, on the phone.
    pub fn search_drugs(&self, query: String, limit: u32) -> Result<Vec<DrugMatch>> {
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(invalid("query", "must be at most 100 characters"));
        }
        if limit == 0 || limit > MAX_RESULTS {
            return Err(invalid("limit", "must be 1 to 50"));
        }
        Ok(self.loaded()?.base.search(&query, limit as usize))
    }
}
