//! `Regimen` calls that read and write FHIR R4: a `MedicationRequest` or `Dosage` in as a
//! scheduled medicine, a schedule out as `Dosage`s, a `Timing` read on its own.

use regimen_core::Zone;
use regimen_core::interop::fhir::{
    FhirPrescription, parse_json, schedule_from_dosage, schedule_from_medication_request,
    schedule_to_dosages, timing_from_fhir,
};
use regimen_core::medicine::{Medicine, MedicineInfo};
use regimen_core::schedule::{Frame, LocalDateTime, Timing, parse_zone};
use regimen_core::supply::SupplyEvent;
use regimen_core::{OrdersImport, Timestamp};

use crate::error::{Result, invalid};
use crate::regimen::Regimen;

#[uniffi::export]
impl Regimen {
    /// Imports a FHIR R4 `MedicationRequest` (or a bare `Dosage`, with `name` given) as a
    /// new medicine with its schedule, read in the phone's zone. An order whose dosage is only
    /// words ("take as directed") adds the medicine with its instructions and no schedule.
    /// Returns the medicine. For prescriptions (refills, a Bundle), use `import_orders`.
    /// JSON over 4 MiB is refused (`InvalidInput` on `json`), as by every FHIR import.
    pub fn import_fhir(&self, json: String, name: Option<String>) -> Result<Medicine> {
        let now = self.now()?;
        let zone = self.zone_now(now)?;
        let start = LocalDateTime(Frame::Zone(zone).local(now));
        let value: serde_json::Value = parse_json(&json)?;
        let prescription: FhirPrescription = if value.get("resourceType").is_some() {
            schedule_from_medication_request(&value, zone, start)?
        } else {
            schedule_from_dosage(&value, zone, start)?
        };
        let name = name
            .or(prescription.medication_name)
            .ok_or_else(|| invalid("name", "the FHIR resource names no medication; give a name"))?;
        let info = MedicineInfo {
            name,
            rxnorm: prescription.rxnorm,
            instructions: prescription.instructions,
            ..MedicineInfo::default()
        };
        Ok(self
            .store
            .add_scheduled_medicine(&info, prescription.schedule.as_ref(), now)?
            .0)
    }

    /// The schedule in force for a medicine as FHIR R4 `Dosage` JSON (an array; Regimen's
    /// extensions as FHIR extensions).
    pub fn export_fhir_dosages(&self, medicine_id: i64) -> Result<String> {
        let now = self.now()?;
        let schedule = self
            .store
            .schedule_at(medicine_id, now)?
            .ok_or_else(|| invalid("medicine_id", "the medicine has no schedule now"))?;
        let zone = parse_zone(&schedule.zone)?;
        Ok(schedule_to_dosages(&schedule, zone).to_string())
    }
}

impl Regimen {
    /// The phone's zone at `now`, or UTC before the app has recorded one.
    fn zone_now(&self, now: Timestamp) -> Result<Zone> {
        match self.store.device_zone_at(now)? {
            Some(name) => Ok(parse_zone(&name)?),
            None => Ok(regimen_core::Zone::UTC),
        }
    }
}

/// Reads a FHIR R4 `Timing` (JSON) with its date-times in `zone`, checking FHIR's invariants.
#[uniffi::export]
pub fn parse_fhir_timing(json: String, zone: String) -> Result<Timing> {
    let value: serde_json::Value = parse_json(&json)?;
    Ok(timing_from_fhir(&value, parse_zone(&zone)?)?)
}

#[uniffi::export]
impl Regimen {
    /// Takes in prescriptions: a FHIR R4 `Bundle` of `MedicationRequest`s (as an
    /// e-prescription service or a patient portal exports them) or one `MedicationRequest`,
    /// read in the phone's zone. Each order becomes a medicine (with its schedule when it has a
    /// structured one; only words leave the times to set) and a prescription for refills; an
    /// order seen before updates its prescription. Orders that cannot be read are listed with
    /// the reason and do not stop the others.
    pub fn import_orders(&self, json: String) -> Result<OrdersImport> {
        let now = self.now()?;
        let zone = self.zone_now(now)?;
        let value: serde_json::Value = parse_json(&json)?;
        Ok(self.store.import_orders(&value, zone, now)?)
    }

    /// Takes in a completed FHIR R4 `MedicationDispense`: its quantity is added to the stock
    /// of the medicine whose prescription it fills. `None` when it was added already.
    pub fn import_dispense(&self, json: String) -> Result<Option<SupplyEvent>> {
        let now = self.now()?;
        let zone = self.zone_now(now)?;
        let value: serde_json::Value = parse_json(&json)?;
        Ok(self.store.import_dispense(&value, zone, now)?)
    }
}
