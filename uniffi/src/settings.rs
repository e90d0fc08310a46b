//! `Regimen` calls for the patient's settings.

use regimen_core::settings::Settings;

use crate::error::Result;
use crate::regimen::Regimen;

#[uniffi::export]
impl Regimen {
    /// The patient's settings (defaults until changed).
    pub fn settings(&self) -> Result<Settings> {
        Ok(self.store.settings()?)
    }

    /// Replaces the patient's settings.
    pub fn update_settings(&self, settings: Settings) -> Result<Settings> {
        Ok(self.store.update_settings(&settings)?)
    }
}
