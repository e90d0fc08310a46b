//! The phenotype engine: a gene's alleles, in CPIC's spelling (see `notation.rs` for how a
//! lab's text is read into them), to the phenotype, activity score and the key CPIC
//! recommendations are looked up by, by CPIC's rules.
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
//! - **G6PD** (X-linked, CPIC's G6PD guideline 2022, table 1): by WHO class. One allele (one X
//!   chromosome): class IV normal, II-III deficient, I deficient with CNSHA. Two alleles: both
//!   IV normal; IV with a deficient one variable; two of II-III, or I with II-III, deficient;
//!   two of I deficient with CNSHA. An allele of uncertain function is Indeterminate.
//! - **Allele status** (HLA-A, HLA-B): see `hla.rs`.
//!
//! An allele of unknown or uncertain function makes the result Indeterminate unless CPIC's
//! rule lets the other allele decide. When a result allows more than one reading (a CYP2D6
//! `xN` whose copy number is not stated, a report listing two possible diplotypes), each is
//! worked out: if they agree, that is the answer; if not, the call is Indeterminate and keeps
//! every possibility, so warnings can act on the most cautious one.

use serde::{Deserialize, Serialize};

use super::alleles::{Activity, Allele, AlleleTable};

/// Phenotype name for results the rules cannot decide.
pub const INDETERMINATE: &str = "Indeterminate";

/// What a gene's result means.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhenotypeCall {
    /// The gene (`CYP2D6`).
    pub gene: String,
    // Exported doc comments never write a slash before a star: Kotlin and Swift would read
    // it as the start of a nested comment in the generated bindings.
    /// The result in CPIC's spelling: two alleles joined by a slash, one allele for a
    /// one-allele gene, or the HLA allele's status.
    pub diplotype: String,
    /// CPIC's phenotype (`Intermediate Metabolizer`, `Poor Function`, `Indeterminate`).
    pub phenotype: String,
    /// For activity-score genes: the score as CPIC writes it (`1.0`, `≥4.0`); `None` when
    /// the gene has no score or the result is Indeterminate.
    pub activity_score: Option<String>,
    /// The key CPIC recommendations are looked up by: the score, or the phenotype.
    pub lookup_key: String,
    /// For HLA: the allele of interest this call is about (`*57:01`).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    #[serde(default)]
    pub hla_allele: Option<String>,
    /// Why the result is Indeterminate, in words for the patient.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    #[serde(default)]
    pub reason: Option<String>,
    /// When the result allows several readings that disagree: each of them.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    #[serde(default)]
    pub possible: Vec<PossibleCall>,
}

crate::redact::redacted_display!(PhenotypeCall);

/// One possible reading of a result that allows several.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PossibleCall {
    /// The diplotype of this reading, in CPIC's spelling.
    pub diplotype: String,
    /// Its phenotype.
    pub phenotype: String,
    /// Its activity score, for activity-score genes.
    pub activity_score: Option<String>,
    /// Its lookup key.
    pub lookup_key: String,
}

crate::redact::redacted_display!(PossibleCall);

/// How strongly a drug inhibits an enzyme (for phenoconversion).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Weak: not enough to change a phenotype.
    Weak,
    /// Moderate: halves an activity score; one step down for function-pair genes.
    Moderate,
    /// Strong: the enzyme acts as if absent.
    Strong,
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
    /// X-linked, by WHO class.
    G6pd,
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
        "G6PD" => Rule::G6pd,
        _ => return None,
    })
}

/// Whether the engine has phenotype rules for `gene` (HLA genes are read by `hla.rs`).
pub(crate) fn has_rules(gene: &str) -> bool {
    rule(gene).is_some()
}

/// Whether `gene` is read as one allele: mitochondrial, or X-linked with one X chromosome
/// (then it may also come as two).
pub(crate) fn one_allele_gene(gene: &str) -> bool {
    matches!(gene, "MT-RNR1" | "G6PD")
}

/// One reading's call.
fn reading(
    gene: &str,
    diplotype: String,
    phenotype: &str,
    score: Option<Activity>,
    reason: Option<String>,
) -> PhenotypeCall {
    let scored = matches!(rule(gene), Some(Rule::ActivityScore(_)));
    let activity_score = score.map(Activity::text);
    PhenotypeCall {
        gene: gene.to_owned(),
        diplotype,
        phenotype: phenotype.to_owned(),
        // CPIC keys an undecided score as "n/a", an undecided phenotype by its name.
        lookup_key: match (&activity_score, phenotype) {
            (_, INDETERMINATE) if scored => "n/a".to_owned(),
            (Some(score), _) => score.clone(),
            (None, phenotype) => phenotype.to_owned(),
        },
        activity_score: if phenotype == INDETERMINATE {
            None
        } else {
            activity_score
        },
        hla_allele: None,
        reason: if phenotype == INDETERMINATE {
            reason
        } else {
            None
        },
        possible: Vec::new(),
    }
}

/// The G6PD class of an allele: 4 normal, 2-3 deficient, 1 deficient with CNSHA, `None`
/// uncertain.
fn g6pd_class(allele: &Allele) -> Option<u8> {
    match allele.function.split('/').next()? {
        "iv" => Some(4),
        "iii" => Some(3),
        "ii" => Some(2),
        "i" => Some(1),
        _ => None,
    }
}

fn g6pd(classes: &[Option<u8>]) -> &'static str {
    let deficient = |c: u8| (1..=3).contains(&c);
    match classes {
        [Some(4)] | [Some(4), Some(4)] => "Normal",
        [Some(1)] | [Some(1), Some(1)] => "Deficient with CNSHA",
        [Some(2 | 3)] => "Deficient",
        [Some(4), Some(c)] | [Some(c), Some(4)] if deficient(*c) => "Variable",
        [Some(a), Some(b)] if deficient(*a) && deficient(*b) => "Deficient",
        _ => INDETERMINATE,
    }
}

impl AlleleTable {
    /// The call for `first`/`second` (names in the table's spelling) of `gene`, or for one
    /// allele when `second` is `None` (MT-RNR1; G6PD on one X chromosome).
    pub(crate) fn call(&self, gene: &str, first: &str, second: Option<&str>) -> PhenotypeCall {
        let shown = match second {
            Some(second) => format!("{first}/{second}"),
            None => first.to_owned(),
        };
        let a = self.allele(gene, first);
        let b = second.and_then(|s| self.allele(gene, s));
        let uncertain = |why: &str| Some(format!("{why} (CPIC)"));
        match rule(gene) {
            None => reading(
                gene,
                shown,
                INDETERMINATE,
                None,
                uncertain("no rules for this gene"),
            ),
            Some(Rule::SingleAllele) => match a {
                Some(allele) if second.is_none() => reading(
                    gene,
                    shown,
                    &lowercase_first(&allele.function_text),
                    None,
                    None,
                ),
                _ => reading(
                    gene,
                    shown,
                    INDETERMINATE,
                    None,
                    uncertain("one allele expected"),
                ),
            },
            Some(Rule::G6pd) => {
                let classes: Vec<Option<u8>> = std::iter::once(a)
                    .chain(second.map(|_| b))
                    .map(|allele| allele.and_then(g6pd_class))
                    .collect();
                reading(
                    gene,
                    shown,
                    g6pd(&classes),
                    None,
                    uncertain("an allele of uncertain function"),
                )
            }
            Some(_) if second.is_none() => reading(
                gene,
                shown,
                INDETERMINATE,
                None,
                uncertain("two alleles expected"),
            ),
            Some(Rule::ActivityScore(thresholds)) => {
                match (a.and_then(|a| a.activity), b.and_then(|b| b.activity)) {
                    (Some(x), Some(y)) => {
                        let score = x.plus(y);
                        reading(gene, shown, thresholds(score), Some(score), None)
                    }
                    _ => reading(
                        gene,
                        shown,
                        INDETERMINATE,
                        None,
                        uncertain("an allele whose activity is unknown"),
                    ),
                }
            }
            Some(Rule::FunctionPair(pairs)) => {
                let (fa, fb) = (
                    a.map_or(UNKNOWN, |a| a.function.as_str()),
                    b.map_or(UNKNOWN, |b| b.function.as_str()),
                );
                let found = pairs
                    .iter()
                    .find(|(x, y, _)| (*x == fa && *y == fb) || (*x == fb && *y == fa))
                    .map_or(INDETERMINATE, |(_, _, phenotype)| phenotype);
                reading(
                    gene,
                    shown,
                    found,
                    None,
                    uncertain("an allele of unknown or uncertain function"),
                )
            }
            Some(Rule::AnyAllele {
                function,
                phenotype,
                fallback,
            }) => {
                let decides =
                    |allele: Option<&Allele>| allele.is_some_and(|a| a.function == function);
                let found = if decides(a) || decides(b) {
                    phenotype
                } else {
                    fallback
                };
                reading(gene, shown, found, None, None)
            }
        }
    }

    /// One call from several possible readings of one result, shown as `shown`: their
    /// common answer when they agree (for scores, the lowest as `≥` when they differ only
    /// above it), else Indeterminate with every reading kept.
    pub(crate) fn merge(
        &self,
        gene: &str,
        shown: &str,
        readings: Vec<PhenotypeCall>,
    ) -> PhenotypeCall {
        let mut readings = readings;
        if readings.len() == 1 {
            let mut only = readings.remove(0);
            only.diplotype = shown.to_owned();
            return only;
        }
        let first = &readings[0];
        let same_phenotype = readings.iter().all(|r| r.phenotype == first.phenotype)
            && first.phenotype != INDETERMINATE;
        if same_phenotype {
            let scores: Option<Vec<Activity>> = readings
                .iter()
                .map(|r| r.activity_score.as_deref().and_then(Activity::parse))
                .collect();
            let keys_agree = readings.iter().all(|r| r.lookup_key == first.lookup_key);
            let lowest = scores
                .as_ref()
                .and_then(|s| s.iter().min_by_key(|a| a.quarters).copied());
            match (keys_agree, lowest) {
                (true, _) => {
                    let mut agreed = first.clone();
                    agreed.diplotype = shown.to_owned();
                    return agreed;
                }
                (false, Some(lowest)) => {
                    let bound = Activity {
                        at_least: true,
                        ..lowest
                    };
                    let mut agreed = first.clone();
                    agreed.diplotype = shown.to_owned();
                    agreed.activity_score = Some(bound.text());
                    agreed.lookup_key = bound.text();
                    return agreed;
                }
                (false, None) => {}
            }
        }
        let listed: Vec<String> = readings
            .iter()
            .map(|r| format!("{} ({})", r.diplotype, r.phenotype))
            .collect();
        self.undecided(
            gene,
            shown,
            &format!("the result could be {}", listed.join(" or ")),
            &readings,
        )
    }

    /// An Indeterminate call for `shown`, saying `why`, with the readings it could be.
    pub(crate) fn undecided(
        &self,
        gene: &str,
        shown: &str,
        why: &str,
        readings: &[PhenotypeCall],
    ) -> PhenotypeCall {
        let mut call = reading(
            gene,
            shown.to_owned(),
            INDETERMINATE,
            None,
            Some(why.to_owned()),
        );
        call.possible = readings
            .iter()
            .map(|r| PossibleCall {
                diplotype: r.diplotype.clone(),
                phenotype: r.phenotype.clone(),
                activity_score: r.activity_score.clone(),
                lookup_key: r.lookup_key.clone(),
            })
            .collect();
        call
    }

    /// The phenotype a patient acts as while taking an inhibitor of `call`'s enzyme
    /// (phenoconversion): a strong inhibitor leaves no activity (Poor Metabolizer); a moderate
    /// one halves an activity score (CYP2D6, CYP2C9) or moves a CYP2C19 phenotype one step
    /// down. `None` when nothing changes (a weak inhibitor, another gene, an Indeterminate
    /// result, or a result already at the bottom).
    pub fn phenoconvert(&self, call: &PhenotypeCall, strength: Strength) -> Option<PhenotypeCall> {
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

    /// The genes the engine has rules and allele functions for, sorted.
    pub fn genes(&self) -> Vec<&str> {
        self.listed_genes()
            .into_iter()
            .filter(|gene| rule(gene).is_some())
            .collect()
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

    fn call(gene: &str, a: &str, b: &str) -> PhenotypeCall {
        AlleleTable::builtin().unwrap().call(gene, a, Some(b))
    }

    #[test]
    fn cyp2d6_scores_duplications_and_keeps_the_at_least_sign() {
        assert_eq!(
            call("CYP2D6", "*1", "*4").phenotype,
            "Intermediate Metabolizer"
        );
        assert_eq!(call("CYP2D6", "*1", "*4").lookup_key, "1.0");
        let up = call("CYP2D6", "*1", "*1x2");
        assert_eq!(
            (up.phenotype.as_str(), up.lookup_key.as_str()),
            ("Ultrarapid Metabolizer", "3.0")
        );
        assert_eq!(call("CYP2D6", "*1", "*1x≥3").lookup_key, "≥4.0");
        assert_eq!(call("CYP2D6", "*4", "*4").phenotype, "Poor Metabolizer");
    }

    #[test]
    fn g6pd_follows_cpics_classes_for_one_and_two_x_chromosomes() {
        let table = AlleleTable::builtin().unwrap();
        let one = |a: &str| table.call("G6PD", a, None).phenotype;
        assert_eq!(one("B (reference)"), "Normal");
        assert_eq!(one("A- 202A_376G"), "Deficient");
        assert_eq!(
            call("G6PD", "B (reference)", "A- 202A_376G").phenotype,
            "Variable"
        );
        assert_eq!(
            call("G6PD", "A- 202A_376G", "A- 202A_376G").phenotype,
            "Deficient"
        );
        assert_eq!(
            call("G6PD", "B (reference)", "B (reference)").phenotype,
            "Normal"
        );
    }

    #[test]
    fn readings_that_agree_merge_and_readings_that_differ_stay_possible() {
        let table = AlleleTable::builtin().unwrap();
        let both_ultra = table.merge(
            "CYP2D6",
            "*1/*1xN",
            vec![call("CYP2D6", "*1", "*1x2"), call("CYP2D6", "*1", "*1x≥3")],
        );
        assert_eq!(both_ultra.phenotype, "Ultrarapid Metabolizer");
        assert_eq!(both_ultra.lookup_key, "≥3.0");
        let differ = table.merge(
            "CYP2D6",
            "*1xN/*4",
            vec![call("CYP2D6", "*1x2", "*4"), call("CYP2D6", "*1x≥3", "*4")],
        );
        assert_eq!(differ.phenotype, INDETERMINATE);
        assert_eq!(differ.possible.len(), 2);
        assert!(differ.reason.unwrap().contains("could be"));
    }
}
