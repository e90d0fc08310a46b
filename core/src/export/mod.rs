//! The patient's data out, in formats other programs and people read, and back in: CSV of the
//! dose log and of adherence per day; the schedules as an iCalendar file; the report for the
//! doctor (HTML); a FHIR R4 Bundle of everything the patient chooses, which an empty database
//! can be filled from. Pure writers and readers over plain inputs; `Records` gathers them and
//! stores what is read.

pub mod csv;
pub mod fhir;
mod ical;
pub mod ics;
pub mod report;
mod rrule;
