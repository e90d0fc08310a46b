//! The knowledge base: drugs (RxNorm, ATC, brand names), CPIC's drug-gene recommendations as
//! facts (genes, lookup key, population, classification, action), and CYP inhibitors with
//! their strength and washout. The built-in base is compiled into the library from
//! `core/knowledge/*.tsv`, which `tools/kb_facts.py` generates from CPIC's tables; the
//! patient-facing words are Regimen's own (`warning.rs`).

mod bundle;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use bundle::{
    Bundle, Installed, MAX_BYTES as MAX_BUNDLE_BYTES, generate_signing_key, public_key_of, sign,
    verify,
};

use crate::error::{Error, Result};
use crate::medicine::MedicineInfo;

const DRUGS: &str = include_str!("../../knowledge/drugs.tsv");
const RULES: &str = include_str!("../../knowledge/drug_gene_rules.tsv");
const INHIBITORS: &str = include_str!("../../knowledge/inhibitors.tsv");
const INTERACTIONS: &str = include_str!("../../knowledge/interactions.tsv");

/// Where the built-in facts come from.
pub const SOURCE: &str = "CPIC";

/// The version of the built-in base; an update must be newer.
pub const BUILTIN_VERSION: u64 = 1;

/// The tables a knowledge base is made of, as text in the formats of `core/knowledge/`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tables {
    /// Allele functions (the phenotype engine's facts).
    pub allele_functions: String,
    /// Drugs.
    pub drugs: String,
    /// Drug-gene recommendations.
    pub drug_gene_rules: String,
    /// CYP inhibitors.
    pub inhibitors: String,
    /// High-priority drug-drug interactions.
    pub interactions: String,
}

impl Tables {
    /// The tables compiled into the library.
    pub fn builtin() -> Tables {
        Tables {
            allele_functions: crate::pgx::phenotype::BUILTIN.to_owned(),
            drugs: DRUGS.to_owned(),
            drug_gene_rules: RULES.to_owned(),
            inhibitors: INHIBITORS.to_owned(),
            interactions: INTERACTIONS.to_owned(),
        }
    }
}

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

/// A high-priority drug-drug interaction group (ONC list, Phansalkar et al., JAMIA 2012): any
/// object drug with any precipitant drug.
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    /// The group's number in the list.
    pub group: u32,
    /// The object drugs' class, when the list names one.
    pub object_class: Option<String>,
    /// The object drugs, lower case.
    pub object_drugs: Vec<String>,
    /// The precipitant drugs' class, when the list names one.
    pub precipitant_class: Option<String>,
    /// The precipitant drugs, lower case.
    pub precipitant_drugs: Vec<String>,
}

/// The facts warnings are made from.
#[derive(Clone, Debug)]
pub struct KnowledgeBase {
    /// Drugs.
    pub drugs: Vec<Drug>,
    /// Drug-gene recommendations, grouped by drug.
    pub rules: Vec<GeneRule>,
    /// CYP inhibitors.
    pub inhibitors: Vec<Inhibitor>,
    /// High-priority drug-drug interactions.
    pub interactions: Vec<Interaction>,
    /// Indexes into `drugs` by RxNorm id, ATC code and lower-case generic or brand name.
    by_rxnorm: HashMap<String, usize>,
    by_atc: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    /// The range of `rules` of each drug.
    rules_of: HashMap<String, std::ops::Range<usize>>,
    /// Indexes into `inhibitors` by the inhibiting drug.
    inhibitors_of: HashMap<String, Vec<usize>>,
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
        KnowledgeBase::from_tables(&Tables::builtin())
    }

    /// A base from its tables (built in, or from a verified bundle).
    pub fn from_tables(tables: &Tables) -> Result<KnowledgeBase> {
        let drugs = rows(&tables.drugs)
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
        let rules = rows(&tables.drug_gene_rules)
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
        let inhibitors = rows(&tables.inhibitors)
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
        let list = |text: &str| {
            text.split(';')
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let class = |text: &str| (!text.is_empty()).then(|| text.to_owned());
        let interactions = rows(&tables.interactions)
            .map(|f| match f[..] {
                [
                    group,
                    object_class,
                    object_drugs,
                    precipitant_class,
                    precipitant_drugs,
                ] => Ok(Interaction {
                    group: group.parse().map_err(|_| malformed("interactions"))?,
                    object_class: class(object_class),
                    object_drugs: list(object_drugs),
                    precipitant_class: class(precipitant_class),
                    precipitant_drugs: list(precipitant_drugs),
                }),
                _ => Err(malformed("interactions")),
            })
            .collect::<Result<_>>()?;
        Ok(KnowledgeBase::indexed(
            drugs,
            rules,
            inhibitors,
            interactions,
        ))
    }

    /// A base with its look-up indexes built.
    fn indexed(
        drugs: Vec<Drug>,
        mut rules: Vec<GeneRule>,
        inhibitors: Vec<Inhibitor>,
        interactions: Vec<Interaction>,
    ) -> KnowledgeBase {
        let (mut by_rxnorm, mut by_atc, mut by_name) =
            (HashMap::new(), HashMap::new(), HashMap::new());
        for (index, drug) in drugs.iter().enumerate() {
            if let Some(rxnorm) = &drug.rxnorm {
                by_rxnorm.entry(rxnorm.clone()).or_insert(index);
            }
            for code in drug.atc.iter().filter(|c| c.len() == 7) {
                by_atc.entry(code.clone()).or_insert(index);
            }
            for name in std::iter::once(&drug.name).chain(&drug.brands) {
                by_name.entry(name.to_lowercase()).or_insert(index);
            }
        }
        rules.sort_by(|a, b| a.drug.cmp(&b.drug));
        let mut rules_of: HashMap<String, std::ops::Range<usize>> = HashMap::new();
        for (index, rule) in rules.iter().enumerate() {
            rules_of
                .entry(rule.drug.clone())
                .or_insert(index..index)
                .end = index + 1;
        }
        let mut inhibitors_of: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, inhibitor) in inhibitors.iter().enumerate() {
            inhibitors_of
                .entry(inhibitor.drug.clone())
                .or_default()
                .push(index);
        }
        KnowledgeBase {
            drugs,
            rules,
            inhibitors,
            interactions,
            inhibitors_of,
            by_rxnorm,
            by_atc,
            by_name,
            rules_of,
        }
    }

    /// How `drug` inhibits the enzyme of `gene`, if it does.
    pub fn inhibition(&self, drug: &str, gene: &str) -> Option<&Inhibitor> {
        self.inhibitors_of
            .get(drug)?
            .iter()
            .map(|&index| &self.inhibitors[index])
            .find(|inhibitor| inhibitor.gene == gene)
    }

    /// The drug with this generic name.
    pub fn drug_named(&self, name: &str) -> Option<&Drug> {
        self.by_name
            .get(name)
            .map(|&index| &self.drugs[index])
            .filter(|d| d.name == name)
    }

    /// The recommendations for `drug` (its generic name).
    pub fn rules_for(&self, drug: &str) -> &[GeneRule] {
        self.rules_of
            .get(drug)
            .map_or(&[], |range| &self.rules[range.clone()])
    }

    /// The drug a medicine is: by RxNorm id, then ATC code, then generic or brand name
    /// (case-insensitive, as the first word of the medicine's name or all of it).
    pub fn drug_for(&self, medicine: &MedicineInfo) -> Option<&Drug> {
        let by_code = medicine
            .rxnorm
            .as_ref()
            .and_then(|code| self.by_rxnorm.get(code))
            .or_else(|| medicine.atc.as_ref().and_then(|code| self.by_atc.get(code)));
        let by_name = || {
            let name = medicine.name.to_lowercase();
            let first_word = name
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
            self.by_name
                .get(&name)
                .or_else(|| self.by_name.get(&first_word))
        };
        by_code.or_else(by_name).map(|&index| &self.drugs[index])
    }
}
