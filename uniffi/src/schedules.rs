//! `Regimen` calls for schedules, settings, the day view, reminder plans, adherence, travel,
//! spacing rules and FHIR import/export. Batch calls: one call returns a whole day, plan or
//! report.

use std::time::Duration;

use chrono_tz::Tz;
use regimen_core::Timestamp;
use regimen_core::dose::{AdherenceReport, ScheduledDose};
use regimen_core::medicine::{Medicine, MedicineInfo};
use regimen_core::reminder::NotificationPlan;
use regimen_core::schedule::fhir::{
    FhirPrescription, schedule_from_dosage, schedule_from_medication_request, schedule_to_dosages,
    timing_from_fhir,
};
use regimen_core::schedule::{
    Frame, LocalDate, LocalDateTime, Schedule, ScheduleProblem, ScheduleVersion, SpacingRule,
    Timing, parse_zone,
};
use regimen_core::settings::Settings;
use regimen_core::travel::ZoneChangeReport;

use crate::error::{Result, invalid};
use crate::regimen::Regimen;

#[uniffi::export]
impl Regimen {
    /// Adds a medicine with its schedule (from now on) in one step: both or neither.
    pub fn add_scheduled_medicine(
        &self,
        info: MedicineInfo,
        schedule: Option<Schedule>,
    ) -> Result<Medicine> {
        Ok(self
            .store
            .add_scheduled_medicine(&info, schedule.as_ref(), self.now()?)?
            .0)
    }

    /// Gives a medicine a new schedule from now on (`None` stops scheduled doses). Earlier
    /// doses keep the schedule that was in force when they were due.
    pub fn set_schedule(
        &self,
        medicine_id: i64,
        schedule: Option<Schedule>,
    ) -> Result<ScheduleVersion> {
        let now = self.now()?;
        Ok(self
            .store
            .set_schedule(medicine_id, schedule.as_ref(), now, now)?)
    }

    /// The medicines whose schedule cannot be planned from now on, and why (stored by an
    /// older version with values today's rules refuse, or damaged). Their doses are left out
    /// of every plan and day view while the others work as usual; show them to the patient,
    /// who can give each a new schedule or archive it. `plan_notifications` carries the same
    /// list.
    pub fn schedule_problems(&self) -> Result<Vec<ScheduleProblem>> {
        Ok(self.store.schedule_problems(self.now()?)?)
    }

    /// Every schedule version of a medicine, oldest first.
    pub fn schedule_versions(&self, medicine_id: i64) -> Result<Vec<ScheduleVersion>> {
        Ok(self.store.schedule_versions(medicine_id)?)
    }

    /// The patient's settings (defaults until changed).
    pub fn settings(&self) -> Result<Settings> {
        Ok(self.store.settings()?)
    }

    /// Replaces the patient's settings.
    pub fn update_settings(&self, settings: Settings) -> Result<Settings> {
        Ok(self.store.update_settings(&settings)?)
    }

    /// Records the phone's IANA zone; call at every start and when the OS reports a change.
    /// Says which doses in the next `lookahead` (at most 14 days) move and which keep their
    /// instant.
    pub fn change_device_zone(
        &self,
        zone: String,
        lookahead: Duration,
    ) -> Result<ZoneChangeReport> {
        Ok(self
            .store
            .change_device_zone(&zone, self.now()?, lookahead)?)
    }

    /// Every dose of one local day in the phone's zone, with where each stands now.
    pub fn day(&self, date: LocalDate) -> Result<Vec<ScheduledDose>> {
        Ok(self.store.day(date.0, self.now()?)?)
    }

    /// Every dose due in `[from, to)`, with where each stands now.
    pub fn doses(&self, from: Timestamp, to: Timestamp) -> Result<Vec<ScheduledDose>> {
        if to <= from {
            return Err(invalid("to", "must be after from"));
        }
        Ok(self.store.doses(from, to, self.now()?)?)
    }

    /// The notifications to have pending for the next `horizon` (at most 31 days), at most
    /// `budget` of them. Diff the stable ids against what is pending; plan again after every
    /// log and at `refresh_at`.
    pub fn plan_notifications(&self, horizon: Duration, budget: u32) -> Result<NotificationPlan> {
        Ok(self
            .store
            .plan_notifications(self.now()?, horizon, budget)?)
    }

    /// Adherence over `[from, to)`.
    pub fn adherence(&self, from: Timestamp, to: Timestamp) -> Result<AdherenceReport> {
        Ok(self.store.adherence(from, to, self.now()?)?)
    }

    /// Keeps `second_medicine_id`'s doses at least `min_gap_minutes` away from
    /// `first_medicine_id`'s, moving the second's.
    pub fn add_spacing_rule(
        &self,
        first_medicine_id: i64,
        second_medicine_id: i64,
        min_gap_minutes: u32,
    ) -> Result<SpacingRule> {
        Ok(self.store.add_spacing_rule(
            first_medicine_id,
            second_medicine_id,
            min_gap_minutes,
            self.now()?,
        )?)
    }

    /// Every spacing rule.
    pub fn spacing_rules(&self) -> Result<Vec<SpacingRule>> {
        Ok(self.store.spacing_rules()?)
    }

    /// Removes a spacing rule.
    pub fn remove_spacing_rule(&self, id: i64) -> Result<()> {
        Ok(self.store.remove_spacing_rule(id)?)
    }

    /// Imports a FHIR R4 `MedicationRequest` (or a bare `Dosage`, with `name` given) as a
    /// new medicine with its schedule, read in the phone's zone. Returns the medicine.
    pub fn import_fhir(&self, json: String, name: Option<String>) -> Result<Medicine> {
        let now = self.now()?;
        let zone = self.zone_now(now)?;
        let start = LocalDateTime(Frame::Zone(zone).local(now));
        let value: serde_json::Value =
            serde_json::from_str(&json).map_err(|_| invalid("json", "not valid JSON"))?;
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
            .add_scheduled_medicine(&info, Some(&prescription.schedule), now)?
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
    fn zone_now(&self, now: Timestamp) -> Result<Tz> {
        match self.store.device_zone_at(now)? {
            Some(name) => Ok(parse_zone(&name)?),
            None => Ok(chrono_tz::UTC),
        }
    }
}

/// Reads a FHIR R4 `Timing` (JSON) with its date-times in `zone`, checking FHIR's invariants.
#[uniffi::export]
pub fn parse_fhir_timing(json: String, zone: String) -> Result<Timing> {
    let value: serde_json::Value =
        serde_json::from_str(&json).map_err(|_| invalid("json", "not valid JSON"))?;
    Ok(timing_from_fhir(&value, parse_zone(&zone)?)?)
}
