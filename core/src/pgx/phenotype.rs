//! The phenotype engine: gene + diplotype -> phenotype, activity score and lookup key, by
//! CPIC's rules, from the allele functions in `core/knowledge/allele_functions.tsv`
//! (generated from CPIC's tables by `tools/pgx_facts.py`).
//!
//! The rules, per kind of gene:
//! - **Activity score** (CYP2D6, CYP2C9, DPYD): the sum of the two alleles' activity values
//!   (a duplication such as `*1x2` is an allele of its own; `≥` carries through). CYP2D6: 0
//!   poor, 0.25-1.0 intermediate, 1.25-2.25 normal, from 2.5 ultrarapid. CYP2C9 and DPYD: 0-0.5
//!   poor, 1-1.5 intermediate, 2 normal. The lookup key is the score.
//! - **Function pair** (CYP2C19, CYP2B6, CYP3A4, CYP3A5, TPMT, NUDT15, SLCO1B1, UGT1A1, NAT2,
//!   ABCG2, VKORC1): CPIC's table from the two allele functions. The lookup key is the
//!   phenotype.
//! - **Any allele decides** (RYR1, CACNA1S: one malignant-hyperthermia-associated allele means
//!   susceptibility; CFTR: one ivacaftor-responsive allele means responsive).
//! - **One allele** (MT-RNR1, mitochondrial).
//! - **Allele status** (HLA-A, HLA-B): for each allele CPIC keys recommendations by (HLA-A
//!   *31:01; HLA-B *15:02, *57:01, *58:01), positive if either allele is it, else negative.
//!   These genes give one call per allele of interest ([`AlleleTable::calls`]).
//!
//! An allele of unknown or uncertain function, or one the table does not know, makes the
//! result Indeterminate unless the other allele decides, as CPIC does.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The allele function table compiled into the library.
pub(crate) const BUILTIN: &str = include_str!("../../knowledge/allele_functions.tsv");

/// Phenotype name for results the rules cannot decide.
pub const INDETERMINATE: &str = "Indeterminate";

/// What a gene's diplotype means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhenotypeCall {
    /// The gene (`CYP2D6`).
    pub gene: String,
    // Exported doc comments never write a slash before a star: Kotlin and Swift would read
    // it as the start of a nested comment in the generated bindings.
    /// The diplotype as given (two alleles joined by a slash), or the allele for a one-allele
    /// gene.
    pub diplotype: String,
    /// CPIC's phenotype (`Intermediate Metabolizer`, `Poor Function`, `Indeterminate`).
    pub phenotype: String,
    /// For activity-score genes: the score as CPIC writes it (`1.0`, `≥4.0`); `None` when
    /// the gene has no score or the result is Indeterminate.
    pub activity_score: Option<String>,
    /// The key CPIC recommendations are looked up by: the score, or the phenotype.
    pub lookup_key: String,
}

/// One allele's known function.
#[derive(Clone, Debug)]
struct Allele {
    /// Lower-case function (`no function`, `ivacaftor responsive`).
    function: String,
    /// As written in the table (for one-allele genes).
    function_text: String,
    /// Activity value, for activity-score genes.
    activity: Option<Activity>,
}

/// An activity value or score, in quarters, with CPIC's `≥` for open-ended duplications.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Activity {
    quarters: i64,
    at_least: bool,
}

impl Activity {
    fn parse(text: &str) -> Option<Activity> {
        let (at_least, number) = match text.strip_prefix('≥') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let value: f64 = number.trim().parse().ok()?;
        Some(Activity {
            quarters: (value * 4.0).round() as i64,
            at_least,
        })
    }

    fn plus(self, other: Activity) -> Activity {
        Activity {
            quarters: self.quarters + other.quarters,
            at_least: self.at_least || other.at_least,
        }
    }

    /// As CPIC writes it: one decimal, two when needed (`1.0`, `0.25`, `≥4.0`).
    fn text(self) -> String {
        let value = self.quarters as f64 / 4.0;
        let number = if self.quarters % 2 == 0 {
            format!("{value:.1}")
        } else {
            format!("{value:.2}")
        };
        if self.at_least {
            format!("≥{number}")
        } else {
            number
        }
    }
}

/// How a gene's phenotype is found.
enum Rule {
    /// Sum of activity values, with the gene's thresholds.
    ActivityScore(fn(Activity) -> &'static str),
    /// CPIC's table of function pairs (either order); anything else is Indeterminate.
    FunctionPair(&'static [(&'static str, &'static str, &'static str)]),
    /// One allele with `function` decides `phenotype`; otherwise `fallback` (the genes only
    /// list the alleles that matter, so a reference or unlisted allele does not).
    AnyAllele {
        function: &'static str,
        phenotype: &'static str,
        fallback: &'static str,
    },
    /// One allele (mitochondrial): its function, as CPIC words the phenotype.
    SingleAllele,
}

fn cyp2d6(score: Activity) -> &'static str {
    match score.quarters {
        0 => "Poor Metabolizer",
        1..=4 => "Intermediate Metabolizer",
        5..=9 => "Normal Metabolizer",
        _ => "Ultrarapid Metabolizer",
    }
}

fn cyp2c9_dpyd(score: Activity) -> &'static str {
    match score.quarters {
        0..=2 => "Poor Metabolizer",
        3..=6 => "Intermediate Metabolizer",
        _ => "Normal Metabolizer",
    }
}

const NORMAL: &str = "normal function";
const DECREASED: &str = "decreased function";
const NO: &str = "no function";
const INCREASED: &str = "increased function";
const UNCERTAIN: &str = "uncertain function";
const UNKNOWN: &str = "unknown function";

const CYP2C19: &[(&str, &str, &str)] = &[
    (INCREASED, INCREASED, "Ultrarapid Metabolizer"),
    (NORMAL, INCREASED, "Rapid Metabolizer"),
    (NORMAL, NORMAL, "Normal Metabolizer"),
    (NORMAL, DECREASED, "Likely Intermediate Metabolizer"),
    (INCREASED, DECREASED, "Likely Intermediate Metabolizer"),
    (DECREASED, DECREASED, "Likely Intermediate Metabolizer"),
    (NORMAL, NO, "Intermediate Metabolizer"),
    (INCREASED, NO, "Intermediate Metabolizer"),
    (DECREASED, NO, "Likely Poor Metabolizer"),
    (NO, NO, "Poor Metabolizer"),
];

const CYP2B6: &[(&str, &str, &str)] = &[
    (INCREASED, INCREASED, "Ultrarapid Metabolizer"),
    (NORMAL, INCREASED, "Rapid Metabolizer"),
    (NORMAL, NORMAL, "Normal Metabolizer"),
    (NORMAL, DECREASED, "Intermediate Metabolizer"),
    (NORMAL, NO, "Intermediate Metabolizer"),
    (INCREASED, DECREASED, "Intermediate Metabolizer"),
    (INCREASED, NO, "Intermediate Metabolizer"),
    (DECREASED, DECREASED, "Poor Metabolizer"),
    (DECREASED, NO, "Poor Metabolizer"),
    (NO, NO, "Poor Metabolizer"),
];

const CYP3A4: &[(&str, &str, &str)] = &[
    (NORMAL, NORMAL, "Normal Metabolizer"),
    (NORMAL, DECREASED, "Intermediate Metabolizer"),
    (NORMAL, NO, "Intermediate Metabolizer"),
    (DECREASED, DECREASED, "Poor Metabolizer"),
    (DECREASED, NO, "Poor Metabolizer"),
    (NO, NO, "Poor Metabolizer"),
];

const CYP3A5: &[(&str, &str, &str)] = &[
    (NORMAL, NORMAL, "Normal Metabolizer"),
    (NORMAL, NO, "Intermediate Metabolizer"),
    (NORMAL, UNKNOWN, "Possible Intermediate Metabolizer"),
    (NO, NO, "Poor Metabolizer"),
];

/// TPMT and NUDT15 share CPIC's table.
const THIOPURINE: &[(&str, &str, &str)] = &[
    (NORMAL, NORMAL, "Normal Metabolizer"),
    (NORMAL, DECREASED, "Intermediate Metabolizer"),
    (NORMAL, NO, "Intermediate Metabolizer"),
    (NO, UNCERTAIN, "Possible Intermediate Metabolizer"),
    (NO, UNKNOWN, "Possible Intermediate Metabolizer"),
    (DECREASED, UNCERTAIN, "Possible Intermediate Metabolizer"),
    (DECREASED, UNKNOWN, "Possible Intermediate Metabolizer"),
    (DECREASED, DECREASED, "Poor Metabolizer"),
    (DECREASED, NO, "Poor Metabolizer"),
    (NO, NO, "Poor Metabolizer"),
];

const SLCO1B1: &[(&str, &str, &str)] = &[
    (INCREASED, INCREASED, "Increased Function"),
    (NORMAL, INCREASED, "Normal Function"),
    (NORMAL, NORMAL, "Normal Function"),
    (NORMAL, DECREASED, "Decreased Function"),
    (NORMAL, NO, "Decreased Function"),
    (INCREASED, DECREASED, "Decreased Function"),
    (INCREASED, NO, "Decreased Function"),
    (DECREASED, UNCERTAIN, "Possible Decreased Function"),
    (DECREASED, UNKNOWN, "Possible Decreased Function"),
    (NO, UNCERTAIN, "Possible Decreased Function"),
    (NO, UNKNOWN, "Possible Decreased Function"),
    (DECREASED, DECREASED, "Poor Function"),
    (DECREASED, NO, "Poor Function"),
    (NO, NO, "Poor Function"),
];

const UGT1A1: &[(&str, &str, &str)] = &[
    (NORMAL, NORMAL, "Normal Metabolizer"),
    (NORMAL, INCREASED, "Normal Metabolizer"),
    (INCREASED, INCREASED, "Normal Metabolizer"),
    (NORMAL, DECREASED, "Intermediate Metabolizer"),
    (INCREASED, DECREASED, "Intermediate Metabolizer"),
    (DECREASED, DECREASED, "Poor Metabolizer"),
];

const NAT2: &[(&str, &str, &str)] = &[
    (INCREASED, INCREASED, "Rapid Metabolizer"),
    (INCREASED, DECREASED, "Intermediate Metabolizer"),
    (DECREASED, DECREASED, "Poor Metabolizer"),
];

const ABCG2: &[(&str, &str, &str)] = &[
    (NORMAL, NORMAL, "Normal Function"),
    (NORMAL, DECREASED, "Decreased Function"),
    (DECREASED, DECREASED, "Poor Function"),
];

const VKORC1: &[(&str, &str, &str)] = &[
    (
        "normal coumarin sensitivity",
        "normal coumarin sensitivity",
        "-1639 GG",
    ),
    (
        "normal coumarin sensitivity",
        "higher coumarin sensitivity",
        "-1639 AG",
    ),
    (
        "higher coumarin sensitivity",
        "higher coumarin sensitivity",
        "-1639 AA",
    ),
];

fn rule(gene: &str) -> Option<Rule> {
    Some(match gene {
        "CYP2D6" => Rule::ActivityScore(cyp2d6),
        "CYP2C9" | "DPYD" => Rule::ActivityScore(cyp2c9_dpyd),
        "CYP2C19" => Rule::FunctionPair(CYP2C19),
        "CYP2B6" => Rule::FunctionPair(CYP2B6),
        "CYP3A4" => Rule::FunctionPair(CYP3A4),
        "CYP3A5" => Rule::FunctionPair(CYP3A5),
        "TPMT" | "NUDT15" => Rule::FunctionPair(THIOPURINE),
        "SLCO1B1" => Rule::FunctionPair(SLCO1B1),
        "UGT1A1" => Rule::FunctionPair(UGT1A1),
        "NAT2" => Rule::FunctionPair(NAT2),
        "ABCG2" => Rule::FunctionPair(ABCG2),
        "VKORC1" => Rule::FunctionPair(VKORC1),
        "RYR1" | "CACNA1S" => Rule::AnyAllele {
            function: "malignant hyperthermia associated",
            phenotype: "Malignant Hyperthermia Susceptibility",
            fallback: "Uncertain Susceptibility",
        },
        "CFTR" => Rule::AnyAllele {
            function: "ivacaftor responsive",
            phenotype: "ivacaftor responsive in CF patients",
            fallback: "ivacaftor non-responsive in CF patients",
        },
        "MT-RNR1" => Rule::SingleAllele,
        _ => return None,
    })
}

/// Allele functions by gene and allele name.
pub struct AlleleTable {
    alleles: HashMap<String, HashMap<String, Allele>>,
}

impl AlleleTable {
    /// The table compiled into the library.
    pub fn builtin() -> Result<AlleleTable> {
        AlleleTable::parse(BUILTIN)
    }

    /// Parses a table in the format of `core/knowledge/allele_functions.tsv`.
    pub fn parse(text: &str) -> Result<AlleleTable> {
        let mut alleles: HashMap<String, HashMap<String, Allele>> = HashMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let fields: Vec<&str> = line.split('\t').collect();
            let [gene, allele, function, activity, _version] = fields[..] else {
                return Err(Error::invalid(
                    "allele_functions",
                    "each row needs five columns",
                ));
            };
            let activity = match activity {
                "" | "n/a" => None,
                text => Some(Activity::parse(text).ok_or_else(|| {
                    Error::invalid("allele_functions", "an activity value is not a number")
                })?),
            };
            alleles.entry(gene.to_owned()).or_default().insert(
                allele.to_owned(),
                Allele {
                    function: function.to_lowercase(),
                    function_text: function.to_owned(),
                    activity,
                },
            );
        }
        Ok(AlleleTable { alleles })
    }

    /// The phenotype a patient acts as while taking an inhibitor of `call`'s enzyme
    /// (phenoconversion): a strong inhibitor leaves no activity (Poor Metabolizer); a moderate
    /// one halves an activity score (CYP2D6, CYP2C9) or moves a CYP2C19 phenotype one step
    /// down. `None` when nothing changes (a weak inhibitor, another gene, an Indeterminate
    /// result, or a result already at the bottom).
    pub fn phenoconvert(
        &self,
        call: &PhenotypeCall,
        strength: crate::knowledge::Strength,
    ) -> Option<PhenotypeCall> {
        use crate::knowledge::Strength;
        if strength == Strength::Weak || call.phenotype == INDETERMINATE {
            return None;
        }
        let converted = match (call.gene.as_str(), rule(&call.gene)?) {
            (_, Rule::ActivityScore(thresholds)) => {
                let score = Activity::parse(call.activity_score.as_deref()?)?;
                let adjusted = match strength {
                    Strength::Strong => Activity {
                        quarters: 0,
                        at_least: false,
                    },
                    _ => Activity {
                        quarters: score.quarters / 2,
                        at_least: score.at_least,
                    },
                };
                let text = adjusted.text();
                PhenotypeCall {
                    phenotype: thresholds(adjusted).to_owned(),
                    activity_score: Some(text.clone()),
                    lookup_key: text,
                    ..call.clone()
                }
            }
            ("CYP2C19", _) => {
                let phenotype = match (strength, call.phenotype.as_str()) {
                    (Strength::Strong, _) => "Poor Metabolizer",
                    (_, "Normal Metabolizer" | "Rapid Metabolizer" | "Ultrarapid Metabolizer") => {
                        "Intermediate Metabolizer"
                    }
                    (_, "Intermediate Metabolizer" | "Likely Intermediate Metabolizer") => {
                        "Poor Metabolizer"
                    }
                    _ => return None,
                };
                PhenotypeCall {
                    phenotype: phenotype.to_owned(),
                    lookup_key: phenotype.to_owned(),
                    ..call.clone()
                }
            }
            _ => return None,
        };
        (converted.lookup_key != call.lookup_key).then_some(converted)
    }

    /// Whether the engine can interpret results for `gene`.
    pub fn knows_gene(&self, gene: &str) -> bool {
        rule(gene).is_some() || hla_alleles_of_interest(gene).is_some()
    }

    /// The genes the engine has rules and allele functions for, sorted.
    pub fn genes(&self) -> Vec<&str> {
        let mut genes: Vec<&str> = self
            .alleles
            .keys()
            .map(String::as_str)
            .filter(|gene| rule(gene).is_some())
            .collect();
        genes.sort_unstable();
        genes
    }

    /// Every call for `diplotype` of `gene`: one for most genes, one per allele of interest
    /// for HLA-A and HLA-B (`*57:01 positive`, ...).
    pub fn calls(&self, gene: &str, diplotype: &str) -> Result<Vec<PhenotypeCall>> {
        let gene = gene.trim();
        let Some(of_interest) = hla_alleles_of_interest(gene) else {
            return Ok(vec![self.phenotype(gene, diplotype)?]);
        };
        let alleles: Vec<&str> = diplotype.split('/').map(str::trim).collect();
        let well_formed = matches!(alleles.len(), 1 | 2)
            && alleles.iter().all(|a| a.starts_with('*') && a.len() > 1);
        if !well_formed {
            return Err(Error::invalid(
                "diplotype",
                "expected HLA alleles like *57:01/*15:02",
            ));
        }
        Ok(of_interest
            .iter()
            .map(|wanted| {
                // "*57:01:01" is *57:01 at a finer resolution.
                let carried = alleles
                    .iter()
                    .any(|a| *a == *wanted || a.starts_with(&format!("{wanted}:")));
                let status = format!("{wanted} {}", if carried { "positive" } else { "negative" });
                PhenotypeCall {
                    gene: gene.to_owned(),
                    diplotype: diplotype.trim().to_owned(),
                    phenotype: status.clone(),
                    activity_score: None,
                    lookup_key: status,
                }
            })
            .collect())
    }

    /// The phenotype of `diplotype` (`*1/*4`; one allele for MT-RNR1) of `gene`.
    pub fn phenotype(&self, gene: &str, diplotype: &str) -> Result<PhenotypeCall> {
        let gene = gene.trim();
        let rule = rule(gene)
            .ok_or_else(|| Error::invalid("gene", "not a gene Regimen has phenotype rules for"))?;
        let table = self.alleles.get(gene);
        let lookup = |name: &str| table.and_then(|t| t.get(name.trim()));
        let scored = matches!(rule, Rule::ActivityScore(_));
        let call = |phenotype: &str, score: Option<Activity>| {
            let activity_score = score.map(Activity::text);
            PhenotypeCall {
                gene: gene.to_owned(),
                diplotype: diplotype.trim().to_owned(),
                phenotype: phenotype.to_owned(),
                // CPIC keys an undecided score as "n/a", an undecided phenotype by its name.
                lookup_key: match (&activity_score, phenotype) {
                    (_, INDETERMINATE) if scored => "n/a".to_owned(),
                    (Some(score), _) => score.clone(),
                    (None, phenotype) => phenotype.to_owned(),
                },
                activity_score,
            }
        };
        if let Rule::SingleAllele = rule {
            // Mitochondrial variants are written with or without their "m." prefix.
            let name = diplotype.trim();
            let allele = lookup(name).or_else(|| lookup(&format!("m.{name}")));
            return Ok(match allele {
                Some(allele) => call(&lowercase_first(&allele.function_text), None),
                None => call(INDETERMINATE, None),
            });
        }
        let (first, second) = diplotype
            .split_once('/')
            .filter(|(a, b)| !a.trim().is_empty() && !b.trim().is_empty() && !b.contains('/'))
            .ok_or_else(|| {
                Error::invalid(
                    "diplotype",
                    "expected two alleles separated by '/', like *1/*4",
                )
            })?;
        let (a, b) = (lookup(first), lookup(second));
        Ok(match rule {
            Rule::ActivityScore(thresholds) => {
                match (a.and_then(|a| a.activity), b.and_then(|b| b.activity)) {
                    (Some(x), Some(y)) => {
                        let score = x.plus(y);
                        call(thresholds(score), Some(score))
                    }
                    _ => call(INDETERMINATE, None),
                }
            }
            Rule::FunctionPair(pairs) => {
                let (fa, fb) = (
                    a.map_or(UNKNOWN, |a| &a.function),
                    b.map_or(UNKNOWN, |b| &b.function),
                );
                let found = pairs
                    .iter()
                    .find(|(x, y, _)| (*x == fa && *y == fb) || (*x == fb && *y == fa))
                    .map_or(INDETERMINATE, |(_, _, phenotype)| phenotype);
                call(found, None)
            }
            Rule::AnyAllele {
                function,
                phenotype,
                fallback,
            } => {
                let decides =
                    |allele: Option<&Allele>| allele.is_some_and(|a| a.function == function);
                call(
                    if decides(a) || decides(b) {
                        phenotype
                    } else {
                        fallback
                    },
                    None,
                )
            }
            Rule::SingleAllele => call(INDETERMINATE, None),
        })
    }
}

/// The HLA alleles CPIC keys recommendations by, for an HLA gene.
fn hla_alleles_of_interest(gene: &str) -> Option<&'static [&'static str]> {
    match gene {
        "HLA-A" => Some(&["*31:01"]),
        "HLA-B" => Some(&["*15:02", "*57:01", "*58:01"]),
        _ => None,
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(gene: &str, diplotype: &str) -> PhenotypeCall {
        AlleleTable::builtin()
            .unwrap()
            .phenotype(gene, diplotype)
            .unwrap()
    }

    #[test]
    fn cyp2d6_scores_duplications_and_keeps_the_at_least_sign() {
        assert_eq!(
            call("CYP2D6", "*1/*4").phenotype,
            "Intermediate Metabolizer"
        );
        assert_eq!(call("CYP2D6", "*1/*4").lookup_key, "1.0");
        let up = call("CYP2D6", "*1/*1x2");
        assert_eq!(
            (up.phenotype.as_str(), up.lookup_key.as_str()),
            ("Ultrarapid Metabolizer", "3.0")
        );
        assert_eq!(call("CYP2D6", "*1/*1x≥3").lookup_key, "≥4.0");
        assert_eq!(call("CYP2D6", "*4/*4").phenotype, "Poor Metabolizer");
    }

    #[test]
    fn cyp2c19_pairs_follow_cpic_including_likely_phenotypes() {
        assert_eq!(call("CYP2C19", "*2/*2").phenotype, "Poor Metabolizer");
        assert_eq!(call("CYP2C19", "*1/*17").phenotype, "Rapid Metabolizer");
        assert_eq!(
            call("CYP2C19", "*1/*2").lookup_key,
            "Intermediate Metabolizer"
        );
    }

    #[test]
    fn an_unknown_allele_is_indeterminate_unless_the_other_decides() {
        assert_eq!(call("CYP2C19", "*1/*999").phenotype, INDETERMINATE);
        assert_eq!(call("CYP2D6", "*1/*999").lookup_key, "n/a");
    }

    #[test]
    fn hla_b_gives_a_status_for_each_allele_of_interest() {
        let table = AlleleTable::builtin().unwrap();
        let calls = table.calls("HLA-B", "*15:02/*57:01:01").unwrap();
        let keys: Vec<&str> = calls.iter().map(|c| c.lookup_key.as_str()).collect();
        assert_eq!(
            keys,
            ["*15:02 positive", "*57:01 positive", "*58:01 negative"]
        );
        assert_eq!(
            table.calls("HLA-A", "*02:01/*03:01").unwrap()[0].phenotype,
            "*31:01 negative"
        );
        assert!(table.calls("HLA-B", "57:01").is_err());
        assert_eq!(table.calls("CYP2D6", "*1/*4").unwrap().len(), 1);
    }

    #[test]
    fn bad_input_is_refused_with_the_field_named() {
        let table = AlleleTable::builtin().unwrap();
        assert!(matches!(
            table.phenotype("ABC1", "*1/*1"),
            Err(Error::InvalidInput { field: "gene", .. })
        ));
        assert!(matches!(
            table.phenotype("CYP2D6", "*1"),
            Err(Error::InvalidInput {
                field: "diplotype",
                ..
            })
        ));
        assert!(matches!(
            table.phenotype("CYP2D6", "*1/*2/*3"),
            Err(Error::InvalidInput {
                field: "diplotype",
                ..
            })
        ));
    }
}
