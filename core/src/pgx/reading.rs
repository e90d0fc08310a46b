//! What a result means: the normaliser's reading (`notation.rs`, `hla.rs`) turned into phenotype
//! calls by the engine (`phenotype.rs`), or what was not understood.

use serde::{Deserialize, Serialize};

use super::alleles::AlleleTable;
use super::notation::hla::Status;
use super::notation::{self, NotRead, Read};
use super::phenotype::{INDETERMINATE, PhenotypeCall};

/// How far Regimen understood a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ReadingStatus {
    /// Read fully; its calls say what it means (possibly Indeterminate, with the reason).
    Interpreted,
    /// A gene Regimen recognises but has no phenotype rules for: kept, not interpreted.
    NoRules,
    /// Not understood: `not_understood` says which part and why. It is never turned into a
    /// phenotype; warnings treat the gene as having a result that could not be interpreted.
    NotUnderstood,
}

/// The part of a result Regimen could not read, to show the patient (it may be part of a
/// genotype: it is kept with the result, never put in an error message or a log).
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NotUnderstood {
    /// The part as written (`*999`, `CYP2D66`, `or`).
    pub part: String,
    /// Why it could not be read.
    pub reason: String,
}

crate::redact::redacted_display!(NotUnderstood);

/// A result as Regimen reads it.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PgxReading {
    /// The gene as Regimen spells it (`CYP2D6`), when one could be read.
    pub gene: Option<String>,
    /// How far it was understood.
    pub status: ReadingStatus,
    /// The result in CPIC's spelling (two alleles joined by a slash, or `*57:01 positive`),
    /// when understood.
    pub read_as: Option<String>,
    /// What was not understood, when something was.
    pub not_understood: Option<NotUnderstood>,
    /// What it means: one call for most genes, one per allele of interest the result speaks
    /// of for HLA-A and HLA-B.
    pub calls: Vec<PhenotypeCall>,
}

crate::redact::redacted_display!(PgxReading, status);

impl PgxReading {
    fn not_understood(gene: Option<String>, not_read: NotRead) -> PgxReading {
        PgxReading {
            gene,
            status: ReadingStatus::NotUnderstood,
            read_as: None,
            not_understood: Some(NotUnderstood {
                part: not_read.token,
                reason: not_read.reason.to_owned(),
            }),
            calls: Vec::new(),
        }
    }
}

/// Sort key for the two alleles of a diplotype: `Reference` first, star alleles by number,
/// then the rest by name.
fn allele_order(name: &str) -> (u8, u64, String) {
    if name.eq_ignore_ascii_case("reference") || name.contains("reference") {
        return (0, 0, name.to_owned());
    }
    if let Some(star) = name.strip_prefix('*') {
        let digits: String = star.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(number) = digits.parse::<u64>() {
            return (1, number, star[digits.len()..].to_owned());
        }
    }
    (2, 0, name.to_owned())
}

/// `a/b` in a stable order.
fn diplotype(a: &str, b: &str) -> String {
    if allele_order(b) < allele_order(a) {
        format!("{b}/{a}")
    } else {
        format!("{a}/{b}")
    }
}

impl AlleleTable {
    /// Reads a result as it arrives (the gene in `gene_field`, in front of `result`, or
    /// both) and works out what it means. `alternatives` are other diplotypes the same
    /// report gives as possible for the gene (PharmCAT lists every call that fits): all are
    /// kept, and if their meanings differ the call is Indeterminate with every possibility,
    /// so a warning can act on the most cautious. Never fails: what cannot be read is said in
    /// the reading.
    pub fn interpret(&self, gene_field: &str, result: &str, alternatives: &[String]) -> PgxReading {
        let (gene, read) = notation::read(self, gene_field, result);
        let (gene, mut read) = match (gene, read) {
            (Some(gene), Ok(read)) => (gene, read),
            (gene, Err(not_read)) => return PgxReading::not_understood(gene, not_read),
            (None, Ok(_)) => {
                return PgxReading::not_understood(None, NotRead::new(result, "no gene is named"));
            }
        };
        for other in alternatives {
            match (notation::read(self, &gene, other), &mut read) {
                (
                    (
                        _,
                        Ok(Read::Alleles {
                            readings,
                            shown,
                            incomplete,
                        }),
                    ),
                    Read::Alleles {
                        readings: all,
                        shown: all_shown,
                        incomplete: all_incomplete,
                    },
                ) => {
                    all.extend(readings);
                    *all_shown = format!("{all_shown} or {shown}");
                    *all_incomplete = all_incomplete.or(incomplete);
                }
                ((_, Err(not_read)), _) => return PgxReading::not_understood(Some(gene), not_read),
                _ => {
                    return PgxReading::not_understood(
                        Some(gene),
                        NotRead::new(other, "the other possible results cannot be combined"),
                    );
                }
            }
        }
        match read {
            Read::NoRules => PgxReading {
                gene: Some(gene),
                status: ReadingStatus::NoRules,
                read_as: None,
                not_understood: None,
                calls: Vec::new(),
            },
            Read::Hla(statuses) => {
                let calls: Vec<PhenotypeCall> = statuses
                    .iter()
                    .map(|(allele, status)| hla_call(&gene, allele, *status))
                    .collect();
                let read_as = calls
                    .iter()
                    .map(|c| c.diplotype.clone())
                    .collect::<Vec<_>>()
                    .join("; ");
                PgxReading {
                    gene: Some(gene),
                    status: ReadingStatus::Interpreted,
                    read_as: (!read_as.is_empty()).then_some(read_as),
                    not_understood: None,
                    calls,
                }
            }
            Read::Alleles {
                mut readings,
                shown,
                incomplete,
            } => {
                readings.dedup();
                let each: Vec<PhenotypeCall> = readings
                    .iter()
                    .map(|(a, b)| {
                        let mut call = self.call(&gene, a, b.as_deref());
                        if let Some(b) = b {
                            call.diplotype = diplotype(a, b);
                        }
                        call
                    })
                    .collect();
                let shown = match readings.as_slice() {
                    [(a, Some(b))] => diplotype(a, b),
                    _ => shown,
                };
                let call = match incomplete {
                    Some(why) => self.undecided(&gene, &shown, why, &each),
                    None => self.merge(&gene, &shown, each),
                };
                PgxReading {
                    gene: Some(gene),
                    status: ReadingStatus::Interpreted,
                    read_as: Some(shown),
                    not_understood: None,
                    calls: vec![call],
                }
            }
        }
    }
}

/// The call for one HLA allele of interest.
fn hla_call(gene: &str, allele: &str, status: Status) -> PhenotypeCall {
    let (phenotype, reason) = match status {
        Status::Positive => (format!("{allele} positive"), None),
        Status::Negative => (format!("{allele} negative"), None),
        Status::Indeterminate => (
            INDETERMINATE.to_owned(),
            Some(format!(
                "the typing is not detailed enough to tell whether {allele} is present"
            )),
        ),
    };
    PhenotypeCall {
        gene: gene.to_owned(),
        diplotype: match status {
            Status::Indeterminate => format!("{allele} not decided"),
            _ => phenotype.clone(),
        },
        lookup_key: phenotype.clone(),
        phenotype,
        activity_score: None,
        hla_allele: Some(allele.to_owned()),
        reason,
        possible: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> AlleleTable {
        AlleleTable::builtin().unwrap()
    }

    #[test]
    fn gene_prefixes_anywhere_read_the_same() {
        let table = table();
        for (gene, text) in [
            ("", "CYP2C19*2/*17"),
            ("CYP2C19", "*2/CYP2C19*17"),
            ("cyp2c19", "*17 / *2"),
            ("", "cyp2c19 *2|*17"),
        ] {
            let reading = table.interpret(gene, text, &[]);
            assert_eq!(reading.status, ReadingStatus::Interpreted, "{gene} {text}");
            assert_eq!(
                reading.calls[0].phenotype, "Intermediate Metabolizer",
                "{text}"
            );
            assert_eq!(reading.read_as.as_deref(), Some("*2/*17"));
        }
    }

    #[test]
    fn what_cannot_be_read_is_named_and_never_becomes_a_phenotype() {
        let table = table();
        for (gene, text, part) in [
            ("CYP2D6", "*1/*999", "*999"),
            ("CYP2D66", "*1/*4", "CYP2D66"),
            ("CYP2D6", "*3", "*3"),
            ("CYP2C19", "*1/*2 or *1/*3", "or"),
            ("CYP2C19", "CYP2D6*1/*4", "CYP2D6"),
        ] {
            let reading = table.interpret(gene, text, &[]);
            assert_eq!(reading.status, ReadingStatus::NotUnderstood, "{text}");
            assert!(reading.calls.is_empty());
            assert_eq!(reading.not_understood.unwrap().part, part, "{text}");
        }
    }

    #[test]
    fn hla_status_words_in_either_column() {
        let table = table();
        let positive = |gene: &str, text: &str| {
            let reading = table.interpret(gene, text, &[]);
            reading
                .calls
                .iter()
                .find(|c| c.hla_allele.as_deref() == Some("*57:01"))
                .map(|c| c.phenotype.clone())
        };
        assert_eq!(
            positive("HLA-B", "*57:01 positive").as_deref(),
            Some("*57:01 positive")
        );
        assert_eq!(
            positive("HLA-B*57:01", "positive").as_deref(),
            Some("*57:01 positive")
        );
        assert_eq!(
            positive("", "HLA-B *5701 positive").as_deref(),
            Some("*57:01 positive")
        );
        assert_eq!(
            positive("HLA-B", "*57:01 negative").as_deref(),
            Some("*57:01 negative")
        );
        // A *57:01 screen says nothing of *58:01.
        let screen = table.interpret("HLA-B", "*57:01 negative", &[]);
        assert_eq!(screen.calls.len(), 1);
    }

    #[test]
    fn several_possible_diplotypes_are_all_kept() {
        let table = table();
        let reading = table.interpret("CYP2D6", "*1/*4", &["*1/*1".to_owned()]);
        let call = &reading.calls[0];
        assert_eq!(call.phenotype, INDETERMINATE);
        assert_eq!(call.possible.len(), 2);
    }
}
