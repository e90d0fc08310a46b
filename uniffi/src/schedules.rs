//! `Regimen` calls that give medicines their schedules and keep doses apart (spacing rules).

use regimen_core::medicine::{Medicine, MedicineInfo};
use regimen_core::schedule::{
    Frame, GradualShift, LocalDate, Schedule, ScheduleProblem, ScheduleVersion, SpacingRule,
    parse_zone,
};

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

    /// Moves a medicine kept on its home zone's clock (policy `home`) onto `to_zone`'s clock
    /// (the phone's zone when `None`) gradually, at most `max_hours_per_day` hours a day from
    /// today in the home zone: what [`Regimen::change_device_zone`] offers in
    /// `can_shift_gradually`. Its times, amounts and home zone stay as they are; the new
    /// version starts now.
    pub fn shift_gradually(
        &self,
        medicine_id: i64,
        to_zone: Option<String>,
        max_hours_per_day: u32,
    ) -> Result<ScheduleVersion> {
        let now = self.now()?;
        let mut schedule = self
            .store
            .schedule_at(medicine_id, now)?
            .ok_or_else(|| invalid("medicine_id", "the medicine has no schedule now"))?;
        let to_zone = match to_zone {
            Some(zone) => zone,
            None => self.store.device_zone_at(now)?.ok_or_else(|| {
                invalid(
                    "to_zone",
                    "the phone's zone is not known yet; give the zone",
                )
            })?,
        };
        let home = parse_zone(&schedule.zone)?;
        schedule.shift = Some(GradualShift {
            to_zone,
            starts: LocalDate(Frame::Zone(home).local(now).date()),
            max_hours_per_day,
        });
        Ok(self
            .store
            .set_schedule(medicine_id, Some(&schedule), now, now)?)
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
}
