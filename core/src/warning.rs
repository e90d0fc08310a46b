//! Warnings: what the patient's medicines and genes mean together, computed on the phone
//! from the knowledge base. Nothing is sent anywhere.
//!
//! Kinds of warning:
//! - **drug-gene**: a CPIC recommendation for the patient's result that is not "use as
//!   usual", with phenoconversion: a strong CYP2D6, CYP2C19 or CYP2C9 inhibitor among the
//!   medicines (or stopped within its washout) changes the result acted on, and the warning
//!   shows both; a drug never phenoconverts itself;
//! - **unknown result**: a medicine whose recommendations depend on a gene with no result,
//!   or an Indeterminate one: said plainly rather than nothing;
//! - **duplicate**: two medicines with the same active ingredient (a brand and its
//!   generic), or from the same chemical class (the same 5-character ATC group).
//!
//! Several populations can apply to one result (clopidogrel's recommendation depends on why it
//! is taken): the most cautious applies, and every one is cited. The words are Regimen's own.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::knowledge::{Action, GeneRule, KnowledgeBase, Strength};
use crate::medicine::Medicine;
use crate::pgx::{AlleleTable, PgxResult, PhenotypeCall};
use crate::time::Timestamp;

/// How urgent a warning is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Act before the next dose.
    High,
    /// Talk to a doctor or pharmacist soon.
    Moderate,
    /// Worth knowing.
    Low,
}

/// What a warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// A medicine and a gene result.
    DrugGene,
    /// A medicine whose gene result is missing or Indeterminate.
    UnknownResult,
    /// Two medicines with the same ingredient or of the same class.
    Duplicate,
    /// Two medicines that interact dangerously.
    DrugDrug,
}

/// Where a warning's facts come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Evidence {
    /// The source (`CPIC`, `ATC`).
    pub source: String,
    /// The guideline or classification (`CYP2C19 and clopidogrel`).
    pub guideline: String,
    /// Its version.
    pub version: String,
    /// The strength of the recommendation (`Strong`, `Moderate`), if any.
    pub level: Option<String>,
    /// The population it is for (`general`, an indication).
    pub population: Option<String>,
}

/// One warning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Warning {
    /// Stable id (`drug-gene/clopidogrel/CYP2C19`), to remember what the patient has seen.
    pub id: String,
    /// What it is about.
    pub kind: WarningKind,
    /// How urgent.
    pub severity: Severity,
    /// A short title.
    pub title: String,
    /// Plain explanation.
    pub explanation: String,
    /// What to do.
    pub what_to_do: String,
    /// The medicines involved, by id.
    pub medicine_ids: Vec<i64>,
    /// The genes involved.
    pub genes: Vec<String>,
    /// The genetic phenotype(s), as tested.
    pub genetic_phenotype: Option<String>,
    /// The phenotype acted on after phenoconversion, when it differs.
    pub adjusted_phenotype: Option<String>,
    /// The medicine that causes the phenoconversion, if any.
    pub inhibitor_medicine_id: Option<i64>,
    /// Where the facts come from.
    pub evidence: Vec<Evidence>,
}

const TALK_FIRST: &str =
    "Do not stop or change it on your own. Talk to your doctor or pharmacist before the next dose.";

fn severity_of(action: Action, classification: &str) -> Option<Severity> {
    match action {
        Action::Avoid => Some(Severity::High),
        Action::Alternative if classification == "Strong" => Some(Severity::High),
        Action::Alternative | Action::AdjustDose => Some(Severity::Moderate),
        Action::Monitor => Some(Severity::Low),
        Action::Standard | Action::None => None,
    }
}

fn advice(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Avoid => ("another medicine is usually the better choice", TALK_FIRST),
        Action::Alternative => ("another medicine may work better for you", TALK_FIRST),
        Action::AdjustDose => (
            "a different dose may be needed",
            "Ask your doctor or pharmacist whether your dose is right for this result.",
        ),
        _ => (
            "extra care or monitoring is advised",
            "Tell your doctor or pharmacist about this result at your next visit.",
        ),
    }
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// The strongest inhibitor of `gene` among `medicines` other than `target` (active, or
/// stopped within its washout), with its medicine id.
fn inhibitor_of(
    kb: &KnowledgeBase,
    gene: &str,
    target_drug: &str,
    medicines: &[(i64, &Medicine, &str)],
    now: Timestamp,
) -> Option<(Strength, i64)> {
    medicines
        .iter()
        .filter(|(_, _, drug)| *drug != target_drug)
        .filter_map(|(id, medicine, drug)| {
            let inhibitor = kb.inhibition(drug, gene)?;
            let in_effect = medicine.archived_at.is_none_or(|stopped| {
                now < stopped.plus(Duration::from_secs(
                    u64::from(inhibitor.washout_days) * 86_400,
                ))
            });
            in_effect.then_some((inhibitor.strength, *id))
        })
        .max_by_key(|(strength, id)| (*strength, std::cmp::Reverse(*id)))
}

/// Every warning for `medicines` (active ones, and archived ones still inside an inhibitor's
/// washout) given the patient's `results`, most severe first.
pub fn check(
    kb: &KnowledgeBase,
    table: &AlleleTable,
    medicines: &[Medicine],
    results: &[PgxResult],
    now: Timestamp,
) -> Vec<Warning> {
    let mapped: Vec<(i64, &Medicine, &str)> = medicines
        .iter()
        .filter_map(|m| kb.drug_for(&m.info).map(|d| (m.id, m, d.name.as_str())))
        .collect();
    let mut warnings = Vec::new();
    for &(id, _, drug) in mapped.iter().filter(|(_, m, _)| m.is_active()) {
        warnings.extend(drug_gene(kb, table, results, id, drug, &mapped, now));
    }
    warnings.extend(duplicates(kb, &mapped));
    warnings.extend(interactions(kb, medicines));
    warnings.sort_by(|a, b| (a.severity, &a.id).cmp(&(b.severity, &b.id)));
    warnings
}

/// The patient's key for `gene` as CPIC writes it in lookup keys: the activity score or
/// phenotype, `*57:01 positive` style for HLA, `No Result` without a result.
fn key_for<'a>(
    results: &'a [PgxResult],
    gene: &str,
    wanted_hla: Option<&str>,
) -> Option<&'a PhenotypeCall> {
    results
        .iter()
        .filter(|r| r.result.gene == gene)
        .flat_map(|r| r.calls.iter())
        .find(|c| wanted_hla.is_none_or(|allele| c.lookup_key.starts_with(allele)))
}

/// For an HLA gene, the allele `rules` are about (`*57:01`), as they spell it.
fn hla_allele_for<'a>(rules: &'a [GeneRule], gene: &str) -> Option<&'a str> {
    if !gene.starts_with("HLA-") {
        return None;
    }
    rules
        .iter()
        .flat_map(|r| r.key.split("; "))
        .filter_map(|part| part.strip_prefix(gene)?.strip_prefix('='))
        .find(|k| k.starts_with('*'))
        .and_then(|k| k.split_whitespace().next())
}

/// The patient's lookup key for `drug` from the genetic results alone (no phenoconversion),
/// and the drug's recommendations for it (one per population). `None` when the knowledge base
/// has no recommendation for the drug.
pub fn recommendations<'a>(
    kb: &'a KnowledgeBase,
    drug: &str,
    results: &[PgxResult],
) -> Option<(String, Vec<&'a GeneRule>)> {
    let rules = kb.rules_for(drug);
    let genes = &rules.first()?.genes;
    let key = genes
        .iter()
        .map(
            |gene| match key_for(results, gene, hla_allele_for(rules, gene)) {
                Some(call) => format!("{gene}={}", call.lookup_key),
                None => format!("{gene}=No Result"),
            },
        )
        .collect::<Vec<_>>()
        .join("; ");
    let matching = rules.iter().filter(|r| r.key == key).collect();
    Some((key, matching))
}

fn drug_gene(
    kb: &KnowledgeBase,
    table: &AlleleTable,
    results: &[PgxResult],
    medicine_id: i64,
    drug: &str,
    medicines: &[(i64, &Medicine, &str)],
    now: Timestamp,
) -> Vec<Warning> {
    let rules = kb.rules_for(drug);
    let Some(first) = rules.first() else {
        return Vec::new();
    };
    let genes = first.genes.clone();
    // The patient's key for this drug, gene by gene, after phenoconversion.
    let mut parts = Vec::new();
    let mut genetic = Vec::new();
    let mut adjusted = Vec::new();
    let mut inhibitor_id = None;
    let mut unknown = Vec::new();
    for gene in &genes {
        match key_for(results, gene, hla_allele_for(rules, gene)) {
            None => {
                parts.push(format!("{gene}=No Result"));
                unknown.push((gene.clone(), "no result"));
            }
            Some(call) => {
                genetic.push(format!("{gene} {}", call.phenotype));
                let converted = inhibitor_of(kb, gene, drug, medicines, now)
                    .and_then(|(strength, id)| table.phenoconvert(call, strength).map(|c| (c, id)));
                let acted = match converted {
                    Some((c, id)) => {
                        adjusted.push(format!("{gene} {}", c.phenotype));
                        inhibitor_id = Some(id);
                        c.lookup_key
                    }
                    None => call.lookup_key.clone(),
                };
                if call.phenotype == crate::pgx::phenotype::INDETERMINATE {
                    unknown.push((gene.clone(), "indeterminate"));
                }
                parts.push(format!("{gene}={acted}"));
            }
        }
    }
    let key = parts.join("; ");
    let matching: Vec<_> = rules.iter().filter(|r| r.key == key).collect();
    let name = capitalised(drug);
    let gene_list = genes.join(" and ");
    let mut out = Vec::new();
    let worst = matching
        .iter()
        .filter_map(|r| severity_of(r.action, &r.classification).map(|s| (s, r.action, *r)))
        .min_by_key(|(severity, action, _)| (*severity, *action));
    if let Some((severity, action, _)) = worst {
        let (meaning, what_to_do) = advice(action);
        // One gene: "(Poor Metabolizer)"; several: "(TPMT Poor Metabolizer, NUDT15 ...)".
        let described = if genes.len() == 1 {
            genetic
                .iter()
                .map(|g| g.split_once(' ').map_or(g.as_str(), |(_, p)| p))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            genetic.join(", ")
        };
        let mut explanation = format!(
            "Your {gene_list} result ({described}) changes how your body handles {drug}: {meaning}."
        );
        let actions: std::collections::BTreeSet<_> = matching.iter().map(|r| r.action).collect();
        if actions.len() > 1 {
            explanation.push_str(" How much this matters depends on why you take it.");
        }
        if let (Some(id), false) = (inhibitor_id, adjusted.is_empty()) {
            let other = medicines
                .iter()
                .find(|(m, _, _)| *m == id)
                .map_or("another medicine", |(_, _, d)| *d);
            explanation.push_str(&format!(
                " Your genes alone would not say this: {other} slows this enzyme, so your body acts as {}.",
                adjusted.join(", ")
            ));
        }
        out.push(Warning {
            id: format!("drug-gene/{drug}/{}", genes.join("+")),
            kind: WarningKind::DrugGene,
            severity,
            title: format!("{name}: your {gene_list} result matters"),
            explanation,
            what_to_do: what_to_do.to_owned(),
            medicine_ids: std::iter::once(medicine_id).chain(inhibitor_id).collect(),
            genes: genes.clone(),
            genetic_phenotype: (!genetic.is_empty()).then(|| genetic.join(", ")),
            adjusted_phenotype: (!adjusted.is_empty()).then(|| adjusted.join(", ")),
            inhibitor_medicine_id: inhibitor_id,
            evidence: matching
                .iter()
                .map(|r| Evidence {
                    source: crate::knowledge::SOURCE.to_owned(),
                    guideline: format!("{} and {}", r.genes.join(", "), r.drug),
                    version: r.version.clone(),
                    level: Some(r.classification.clone()),
                    population: Some(r.population.clone()),
                })
                .collect(),
        });
    }
    if !unknown.is_empty() {
        let missing: Vec<String> = unknown
            .iter()
            .map(|(gene, why)| {
                if *why == "no result" {
                    format!("no {gene} result")
                } else {
                    format!("a {gene} result that could not be interpreted")
                }
            })
            .collect();
        out.push(Warning {
            id: format!("unknown/{drug}/{}", genes.join("+")),
            kind: WarningKind::UnknownResult,
            severity: Severity::Low,
            title: format!("{name}: part of your genetic picture is unknown"),
            explanation: format!(
                "How well {drug} works, or how safe it is, can depend on {gene_list}, and Regimen has {}.",
                missing.join(" and ")
            ),
            what_to_do: "Ask your doctor whether a genetic test would help with this medicine.".to_owned(),
            medicine_ids: vec![medicine_id],
            genes: unknown.iter().map(|(g, _)| g.clone()).collect(),
            genetic_phenotype: (!genetic.is_empty()).then(|| genetic.join(", ")),
            adjusted_phenotype: None,
            inhibitor_medicine_id: None,
            evidence: vec![Evidence {
                source: crate::knowledge::SOURCE.to_owned(),
                guideline: format!("{} and {drug}", genes.join(", ")),
                version: first.version.clone(),
                level: None,
                population: None,
            }],
        });
    }
    out
}

/// The ingredient a medicine is, by name: its knowledge-base drug, else the first word of its
/// name, lower case (the interaction list names drugs the base does not have).
fn ingredient(kb: &KnowledgeBase, medicine: &Medicine) -> String {
    kb.drug_for(&medicine.info).map_or_else(
        || {
            medicine
                .info
                .name
                .to_lowercase()
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned()
        },
        |drug| drug.name.clone(),
    )
}

/// Pairs of active medicines on the high-priority interaction list.
fn interactions(kb: &KnowledgeBase, medicines: &[Medicine]) -> Vec<Warning> {
    let active: Vec<(&Medicine, String)> = medicines
        .iter()
        .filter(|m| m.is_active())
        .map(|m| (m, ingredient(kb, m)))
        .collect();
    let mut out = Vec::new();
    for interaction in &kb.interactions {
        for (object, object_name) in active
            .iter()
            .filter(|(_, n)| interaction.object_drugs.contains(n))
        {
            for (precipitant, precipitant_name) in active
                .iter()
                .filter(|(m, n)| m.id != object.id && interaction.precipitant_drugs.contains(n))
            {
                let group = interaction.group;
                out.push(Warning {
                    id: format!("drug-drug/{group}/{}+{}", object.id, precipitant.id),
                    kind: WarningKind::DrugDrug,
                    severity: Severity::High,
                    title: format!("{} and {} should not be taken together", object.info.name, precipitant.info.name),
                    explanation: format!(
                        "Taken together, {object_name} and {precipitant_name} can interact in a way that may cause serious harm. This pair is on a list of the most important drug interactions."
                    ),
                    what_to_do: TALK_FIRST.to_owned(),
                    medicine_ids: vec![object.id, precipitant.id],
                    genes: Vec::new(),
                    genetic_phenotype: None,
                    adjusted_phenotype: None,
                    inhibitor_medicine_id: None,
                    evidence: vec![Evidence {
                        source: "ONC high-priority drug-drug interactions".into(),
                        guideline: format!(
                            "group {group}: {} with {}",
                            interaction.object_class.as_deref().unwrap_or(object_name),
                            interaction.precipitant_class.as_deref().unwrap_or(precipitant_name)
                        ),
                        version: "Phansalkar et al., JAMIA 2012".into(),
                        level: None,
                        population: None,
                    }],
                });
            }
        }
    }
    out
}

/// Same ingredient, or the same chemical class, among active medicines.
fn duplicates(kb: &KnowledgeBase, mapped: &[(i64, &Medicine, &str)]) -> Vec<Warning> {
    // Each active medicine with its drug's chemical classes (5-character ATC groups).
    let active: Vec<_> = mapped
        .iter()
        .filter(|(_, m, _)| m.is_active())
        .map(|entry| {
            let classes: Vec<&str> = kb
                .drug_named(entry.2)
                .map(|d| {
                    d.atc
                        .iter()
                        .filter(|c| c.len() == 7)
                        .map(|c| &c[..5])
                        .collect()
                })
                .unwrap_or_default();
            (entry, classes)
        })
        .collect();
    let mut out = Vec::new();
    for (i, ((a_id, a, a_drug), a_classes)) in active.iter().enumerate() {
        for ((b_id, b, b_drug), b_classes) in &active[i + 1..] {
            let same_ingredient = a_drug == b_drug;
            let shared_class = a_classes
                .iter()
                .find(|c| b_classes.contains(c))
                .map(|c| c.to_string());
            if !same_ingredient && shared_class.is_none() {
                continue;
            }
            let (title, explanation, severity) = if same_ingredient {
                (
                    "Two medicines with the same ingredient".to_owned(),
                    format!(
                        "{} and {} both contain {a_drug}. Taking both can mean taking twice as much.",
                        a.info.name, b.info.name
                    ),
                    Severity::High,
                )
            } else {
                (
                    "Two medicines of the same kind".to_owned(),
                    format!(
                        "{} and {} belong to the same group of medicines, which are not usually taken together.",
                        a.info.name, b.info.name
                    ),
                    Severity::Moderate,
                )
            };
            out.push(Warning {
                id: format!("duplicate/{a_id}+{b_id}"),
                kind: WarningKind::Duplicate,
                severity,
                title,
                explanation,
                what_to_do: "Check with your pharmacist before taking both.".to_owned(),
                medicine_ids: vec![*a_id, *b_id],
                genes: Vec::new(),
                genetic_phenotype: None,
                adjusted_phenotype: None,
                inhibitor_medicine_id: None,
                evidence: vec![Evidence {
                    source: if same_ingredient {
                        "RxNorm".into()
                    } else {
                        "ATC".into()
                    },
                    guideline: shared_class.unwrap_or_else(|| a_drug.to_string()),
                    version: "built-in".into(),
                    level: None,
                    population: None,
                }],
            });
        }
    }
    out
}
