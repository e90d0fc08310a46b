//! Pharmacogenomics: a patient's genetic results and what they mean for medicines.
//!
//! This part is the phenotype engine ([`phenotype`]): from a gene and a diplotype to the
//! phenotype and the key CPIC recommendations are looked up by, by CPIC's rules.

pub mod phenotype;

pub use phenotype::{AlleleTable, PhenotypeCall};
