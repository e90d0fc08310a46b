//! The patient's data out, in formats other programs read: CSV of the dose log and of
//! adherence per day, and the schedules as an iCalendar file. Pure writers over plain inputs;
//! `Records` gathers them.

pub mod csv;
mod ical;
pub mod ics;
mod rrule;
