//! Pharmacogenomics: a patient's genetic results and what they mean for medicines.
//!
//! - [`phenotype`]: the engine, from a gene and a diplotype to the phenotype and the key CPIC
//!   recommendations are looked up by, by CPIC's rules;
//! - [`results`]: the patient's results, sealed at rest;
//! - [`import`]: reading PharmCAT reports and labs' lists.

pub mod import;
pub mod phenotype;
pub mod results;

pub use phenotype::{AlleleTable, PhenotypeCall};
pub use results::{NewPgxResult, PgxResult, PgxSource};
