//! The knowledge base: drugs (RxNorm, ATC, brand names), CPIC's drug-gene recommendations as
//! facts (genes, lookup key, population, classification, action), and CYP inhibitors with
//! their strength and washout. The built-in base is compiled into the library from
//! `core/knowledge/*.tsv`, which `tools/kb_facts.py` generates from CPIC's tables; the
//! patient-facing words are Regimen's own (`warning.rs`).

use crate::error::{Error, Result};
use crate::medicine::MedicineInfo;

const DRUGS: &str = include_str!("../knowledge/drugs.tsv");
const RULES: &str = include_str!("../knowledge/drug_gene_rules.tsv");
const INHIBITORS: &str = include_str!("../knowledge/inhibitors.tsv");

/// Where the built-in facts come from.
pub const SOURCE: &str = "CPIC";

/// A drug (an active ingredient).
#[derive(Clone, Debug, PartialEq)]
pub struct Drug {
    /// Generic name, lower case (`clopidogrel`).
    pub name: String,
    /// RxNorm ingredient id.
    pub rxnorm: Option<String>,
    /// ATC codes.
    pub atc: Vec<String>,
    /// Common brand names.
    pub brands: Vec<String>,
}

/// What a recommendation asks of the prescriber.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Choose another medicine.
    Avoid,
    /// Consider another medicine (or a different dose).
    Alternative,
    /// Use a different dose.
    AdjustDose,
    /// Use it with extra monitoring or caution.
    Monitor,
    /// Use as usual.
    Standard,
    /// No recommendation for this result.
    None,
}

/// One CPIC recommendation as facts.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneRule {
    /// The drug's generic name.
    pub drug: String,
    /// The genes the key names, in the key's order.
    pub genes: Vec<String>,
    /// CPIC's lookup key (`CYP2C19=Poor Metabolizer`; genes joined by `; `).
    pub key: String,
    /// The population it applies to (`general`, `adults`, an indication).
    pub population: String,
    /// CPIC's classification (`Strong`, `Moderate`, `Optional`, `No Recommendation`).
    pub classification: String,
    /// What it asks.
    pub action: Action,
    /// CPIC data version.
    pub version: String,
}

/// How strongly a drug inhibits an enzyme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Weak: not enough to change a phenotype.
    Weak,
    /// Moderate: halves an activity score; one step down for function-pair genes.
    Moderate,
    /// Strong: the enzyme acts as if absent.
    Strong,
}

/// A drug that inhibits a CYP enzyme.
#[derive(Clone, Debug, PartialEq)]
pub struct Inhibitor {
    /// The enzyme's gene.
    pub gene: String,
    /// The inhibiting drug's generic name.
    pub drug: String,
    /// How strongly.
    pub strength: Strength,
    /// Days the effect lasts after the last dose.
    pub washout_days: u32,
}

/// The facts warnings are made from.
#[derive(Clone, Debug)]
pub struct KnowledgeBase {
    /// Drugs.
    pub drugs: Vec<Drug>,
    /// Drug-gene recommendations.
    pub rules: Vec<GeneRule>,
    /// CYP inhibitors.
    pub inhibitors: Vec<Inhibitor>,
}

fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split('\t').collect())
}

fn malformed(table: &str) -> Error {
    Error::invalid("knowledge_base", format!("a row of {table} is malformed"))
}

impl KnowledgeBase {
    /// The base compiled into the library.
    pub fn builtin() -> Result<KnowledgeBase> {
        let drugs = rows(DRUGS)
            .map(|f| match f[..] {
                [name, rxnorm, atc, brands] => Ok(Drug {
                    name: name.to_lowercase(),
                    rxnorm: (!rxnorm.is_empty()).then(|| rxnorm.to_owned()),
                    atc: atc
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    brands: brands
                        .split(',')
                        .filter(|b| !b.is_empty())
                        .map(str::to_owned)
                        .collect(),
                }),
                _ => Err(malformed("drugs")),
            })
            .collect::<Result<_>>()?;
        let rules = rows(RULES)
            .map(|f| match f[..] {
                [
                    drug,
                    genes,
                    key,
                    population,
                    classification,
                    action,
                    version,
                ] => Ok(GeneRule {
                    drug: drug.to_lowercase(),
                    genes: genes.split(',').map(str::to_owned).collect(),
                    key: key.to_owned(),
                    population: population.to_owned(),
                    classification: classification.to_owned(),
                    action: match action {
                        "avoid" => Action::Avoid,
                        "alternative" => Action::Alternative,
                        "adjust_dose" => Action::AdjustDose,
                        "monitor" => Action::Monitor,
                        "standard" => Action::Standard,
                        _ => Action::None,
                    },
                    version: version.to_owned(),
                }),
                _ => Err(malformed("drug_gene_rules")),
            })
            .collect::<Result<_>>()?;
        let inhibitors = rows(INHIBITORS)
            .map(|f| match f[..] {
                [gene, drug, strength, washout] => Ok(Inhibitor {
                    gene: gene.to_owned(),
                    drug: drug.to_lowercase(),
                    strength: match strength {
                        "strong" => Strength::Strong,
                        "moderate" => Strength::Moderate,
                        _ => Strength::Weak,
                    },
                    washout_days: washout.parse().map_err(|_| malformed("inhibitors"))?,
                }),
                _ => Err(malformed("inhibitors")),
            })
            .collect::<Result<_>>()?;
        Ok(KnowledgeBase {
            drugs,
            rules,
            inhibitors,
        })
    }

    /// The drug a medicine is: by RxNorm id, then ATC code, then generic or brand name
    /// (case-insensitive, as the first word of the medicine's name or all of it).
    pub fn drug_for(&self, medicine: &MedicineInfo) -> Option<&Drug> {
        if let Some(rxnorm) = &medicine.rxnorm
            && let Some(drug) = self
                .drugs
                .iter()
                .find(|d| d.rxnorm.as_ref() == Some(rxnorm))
        {
            return Some(drug);
        }
        if let Some(atc) = &medicine.atc
            && atc.len() == 7
            && let Some(drug) = self.drugs.iter().find(|d| d.atc.iter().any(|c| c == atc))
        {
            return Some(drug);
        }
        let name = medicine.name.to_lowercase();
        let first_word = name.split_whitespace().next().unwrap_or_default();
        self.drugs.iter().find(|d| {
            std::iter::once(d.name.clone())
                .chain(d.brands.iter().map(|b| b.to_lowercase()))
                .any(|n| n == name || n == first_word)
        })
    }
}
