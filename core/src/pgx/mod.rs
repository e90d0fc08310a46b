//! Pharmacogenomics: a patient's genetic results and what they mean for medicines.
//!
//! - [`alleles`]: the allele facts (functions, activity values, the names labs use);
//! - `notation` (with `notation/hla.rs`): the one normaliser that reads a lab's gene and result columns into
//!   CPIC's spelling, or says what it could not read;
//! - [`phenotype`]: the engine, from alleles to the phenotype and the key CPIC
//!   recommendations are looked up by, by CPIC's rules;
//! - [`reading`]: the two together, [`AlleleTable::interpret`];
//! - [`results`]: the patient's results, sealed at rest, and which are in force;
//! - [`import`]: reading PharmCAT reports, labs' lists and FHIR Genomics files.

pub mod alleles;
pub mod import;
mod notation;
pub mod phenotype;
pub mod reading;
pub mod results;

pub use alleles::AlleleTable;
pub use phenotype::{INDETERMINATE, PhenotypeCall, PossibleCall, Strength};
pub use reading::{NotUnderstood, PgxReading, ReadingStatus};
pub use results::{NewPgxResult, PgxResult, PgxSource};
