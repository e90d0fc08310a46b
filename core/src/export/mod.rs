//! The patient's data out, in formats other programs and people read: CSV of the dose log and
//! of adherence per day, the schedules as an iCalendar file, and the report for the doctor
//! (HTML). Pure writers over plain inputs; `Records` gathers them.

pub mod csv;
mod ical;
pub mod ics;
pub mod report;
mod rrule;
