//! The patient's data out, in formats other programs read: CSV of the dose log and of
//! adherence per day. Pure writers over plain inputs; `Records` gathers them.

pub mod csv;
