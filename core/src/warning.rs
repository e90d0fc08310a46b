//! Warnings: what the patient's medicines and genes mean together, computed on the phone
//! from the knowledge base. A pure function of its inputs; nothing is sent anywhere.
//!
//! Every medicine is first recognised (`knowledge::vocabulary`): its ingredients, each
//! component of a combination product. A medicine that is not recognised is never silently
//! passed over: it gets a "not checked" warning saying why, and the name it may have meant.
//!
//! Kinds of warning:
//! - **drug-gene**: a CPIC recommendation for the patient's result that is not "use as
//!   usual" (the action of each recommendation was reviewed by reading it), with
//!   phenoconversion: an inhibitor of the enzyme among the other medicines (or stopped within
//!   its washout) changes the result acted on, and the warning shows both. A result that can
//!   be read more than one way is checked for every reading and the most cautious applies,
//!   saying so. Warfarin, whose guideline is a dosing algorithm, says when the results change
//!   the dose;
//! - **unknown result**: a medicine whose recommendations depend on a gene with no result, an
//!   Indeterminate one, one that could not be read, or a result the knowledge base has no
//!   recommendation for: said plainly rather than nothing;
//! - **duplicate**: two medicines with the same ingredient (a brand and its generic, a
//!   combination product and one of its components), or two members of a curated group that
//!   should not be combined (two NSAIDs, an ACE inhibitor with an ARB), known good
//!   combinations excepted (aspirin with a P2Y12 inhibitor after a stent);
//! - **drug-drug**: a pair on the ONC high-priority interaction list;
//! - **not checked**: a medicine Regimen does not recognise.
//!
//! Several populations can apply to one result (clopidogrel's recommendation depends on why it
//! is taken): the most cautious applies, and every one is cited. The words are Regimen's own;
//! ids name medicines by their database ids, never by drug name.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::knowledge::{
    Action, Caveat, GeneRule, GuidelineKind, Inhibitor, KnowledgeBase, Recognition, Strength,
};
use crate::medicine::Medicine;
use crate::pgx::{INDETERMINATE, PgxResult, PhenotypeCall, ReadingStatus};
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
    /// A medicine whose gene result is missing, Indeterminate, unreadable, or not covered.
    UnknownResult,
    /// Two medicines with the same ingredient or from a group not to be combined.
    Duplicate,
    /// Two medicines that interact dangerously.
    DrugDrug,
    /// A medicine Regimen does not recognise, so could not check.
    NotChecked,
}

/// Where a warning's facts come from.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Evidence {
    /// The source (`CPIC`, `Regimen's duplicate groups`).
    pub source: String,
    /// The guideline or list (`CYP2C19 and clopidogrel`).
    pub guideline: String,
    /// Its version.
    pub version: String,
    /// The strength of the recommendation (`Strong`, `Moderate`), if any.
    pub level: Option<String>,
    /// The population it is for (`general`, an indication).
    pub population: Option<String>,
}

crate::redact::redacted_display!(Evidence);

/// One warning.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Warning {
    /// Stable id (`drug-gene/12/0`), to remember what the patient has seen; it names
    /// medicines by their ids only.
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

crate::redact::redacted_display!(Warning, kind, severity, medicine_ids);

const TALK_FIRST: &str =
    "Do not stop or change it on your own. Talk to your doctor or pharmacist before the next dose.";

fn severity_of(action: Action, classification: &str) -> Option<Severity> {
    let optional = classification.eq_ignore_ascii_case("optional");
    match action {
        Action::Avoid => Some(Severity::High),
        Action::Alternative if classification == "Strong" => Some(Severity::High),
        Action::Alternative => Some(Severity::Moderate),
        Action::AdjustDose if optional => Some(Severity::Low),
        Action::AdjustDose => Some(Severity::Moderate),
        Action::Monitor => Some(Severity::Low),
        Action::Standard | Action::None => None,
    }
}

fn advice(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Avoid => ("another medicine is usually the better choice", TALK_FIRST),
        Action::Alternative => (
            "another medicine may work better or be safer for you; if this one is kept, the dose may need to change",
            TALK_FIRST,
        ),
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

/// What a caveat adds to a warning's explanation, in Regimen's words.
fn caveat_text(caveat: Option<Caveat>) -> Option<&'static str> {
    match caveat? {
        Caveat::IfPreviouslyTolerated => Some(
            " If you have already taken it for some months without problems, continuing may be fine: ask your doctor.",
        ),
        Caveat::InformPatient => Some(
            " Some people stop this medicine because of a harmless side effect this result makes more likely; ask your doctor what to expect.",
        ),
        Caveat::AvoidInhibitors | Caveat::Other => None,
    }
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A medicine as the engine sees it: recognised ingredients, or why not.
struct Seen<'a> {
    medicine: &'a Medicine,
    /// Sorted ingredient names; empty when not recognised.
    ingredients: Vec<String>,
    /// The enzymes its ingredients inhibit (each inhibitor's `drug` is the ingredient).
    inhibitions: Vec<&'a Inhibitor>,
    not_recognised: Option<String>,
}

impl Seen<'_> {
    fn id(&self) -> i64 {
        self.medicine.id
    }

    fn active(&self) -> bool {
        self.medicine.is_active()
    }

    /// "Plavix (clopidogrel)", or just "clopidogrel" when that is its name.
    fn called(&self, ingredient: &str) -> String {
        let name = &self.medicine.info.name;
        if name.eq_ignore_ascii_case(ingredient) {
            capitalised(ingredient)
        } else {
            format!("{name} ({ingredient})")
        }
    }
}

/// Every warning for `medicines` (active ones, and archived ones still inside an inhibitor's
/// washout) given the patient's `results` in force, most severe first.
pub fn check<'a>(
    kb: &'a KnowledgeBase,
    medicines: &'a [Medicine],
    results: &[PgxResult],
    now: Timestamp,
) -> Vec<Warning> {
    let seen: Vec<Seen> = medicines
        .iter()
        .map(|m| match kb.recognise(&m.info) {
            Recognition::Recognised { ingredients, .. } => Seen {
                medicine: m,
                inhibitions: ingredients
                    .iter()
                    .flat_map(|ingredient| kb.inhibitions(ingredient))
                    .collect(),
                ingredients,
                not_recognised: None,
            },
            Recognition::NotRecognised { reason } => Seen {
                medicine: m,
                ingredients: Vec::new(),
                inhibitions: Vec::new(),
                not_recognised: Some(reason),
            },
        })
        .collect();
    let genes = GeneResults::new(results);
    let mut warnings = Vec::new();
    for medicine in seen.iter().filter(|s| s.active()) {
        if let Some(reason) = &medicine.not_recognised {
            warnings.push(not_checked(kb, medicine, reason));
        }
        for (position, ingredient) in medicine.ingredients.iter().enumerate() {
            let context = Context {
                kb,
                genes: &genes,
                medicines: &seen,
                now,
            };
            warnings.extend(drug_gene(&context, medicine, position, ingredient));
        }
    }
    warnings.extend(duplicates(kb, &seen));
    warnings.extend(interactions(kb, &seen));
    crate::order::sort_by(&mut warnings, |a, b| {
        (a.severity, &a.id).cmp(&(b.severity, &b.id))
    });
    warnings
}

/// A medicine Regimen could not recognise.
fn not_checked(kb: &KnowledgeBase, medicine: &Seen, reason: &str) -> Warning {
    let suggestion = kb
        .search(&medicine.medicine.info.name, 1)
        .into_iter()
        .next()
        .map(|m| format!(" Did you mean {}?", m.name))
        .unwrap_or_default();
    Warning {
        id: format!("not-checked/{}", medicine.id()),
        kind: WarningKind::NotChecked,
        severity: Severity::Low,
        title: format!("{}: not checked", medicine.medicine.info.name),
        explanation: format!(
            "Regimen could not check this medicine against your genes and your other medicines: {reason}.{suggestion}"
        ),
        what_to_do: "Pick the medicine from the search, or add its RxNorm code, so Regimen can check it. Until then, ask your pharmacist about it.".to_owned(),
        medicine_ids: vec![medicine.id()],
        genes: Vec::new(),
        genetic_phenotype: None,
        adjusted_phenotype: None,
        inhibitor_medicine_id: None,
        evidence: Vec::new(),
    }
}

/// The patient's calls per gene (for HLA, per allele of interest), from the results in force.
struct GeneResults<'a> {
    calls: HashMap<(&'a str, Option<&'a str>), &'a PhenotypeCall>,
    /// Genes with a result in force that could not be read.
    unreadable: BTreeSet<&'a str>,
}

impl<'a> GeneResults<'a> {
    fn new(results: &'a [PgxResult]) -> Self {
        let mut calls = HashMap::new();
        let mut unreadable = BTreeSet::new();
        for result in results.iter().filter(|r| r.in_force) {
            let Some(gene) = result.reading.gene.as_deref() else {
                continue;
            };
            if result.reading.status == ReadingStatus::NotUnderstood {
                unreadable.insert(gene);
            }
            for call in &result.reading.calls {
                calls
                    .entry((gene, call.hla_allele.as_deref()))
                    .or_insert(call);
            }
        }
        GeneResults { calls, unreadable }
    }

    fn call(&self, gene: &str, hla_allele: Option<&str>) -> Option<&'a PhenotypeCall> {
        self.calls.get(&(gene, hla_allele)).copied()
    }
}

/// What drug-gene checking needs besides the medicine.
struct Context<'a> {
    kb: &'a KnowledgeBase,
    genes: &'a GeneResults<'a>,
    medicines: &'a [Seen<'a>],
    now: Timestamp,
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

/// The strongest inhibitor of `gene` among the other medicines (active, or stopped within
/// its washout), with its medicine id and ingredient.
fn inhibitor_of<'a>(
    context: &Context<'a>,
    gene: &str,
    target: i64,
    target_ingredient: &str,
) -> Option<(Strength, i64, &'a str)> {
    context
        .medicines
        .iter()
        .filter(|m| m.id() != target)
        .flat_map(|m| m.inhibitions.iter().map(move |&inhibitor| (m, inhibitor)))
        .filter(|(_, inhibitor)| inhibitor.gene == gene && inhibitor.drug != target_ingredient)
        .filter_map(|(m, inhibitor)| {
            let in_effect = m.medicine.archived_at.is_none_or(|stopped| {
                context.now
                    < stopped.plus(Duration::from_secs(
                        u64::from(inhibitor.washout_days) * 86_400,
                    ))
            });
            in_effect.then_some((inhibitor.strength, m.id(), inhibitor.drug.as_str()))
        })
        .max_by_key(|(strength, id, _)| (*strength, std::cmp::Reverse(*id)))
}

/// One gene's part in a drug's lookup key: the readings it allows, and what to say.
struct GenePart {
    gene: String,
    /// The lookup keys it allows (one unless the result allows several readings).
    keys: Vec<String>,
    /// As tested ("CYP2D6 Normal Metabolizer").
    genetic: Option<String>,
    /// After phenoconversion, when it differs.
    adjusted: Option<String>,
    inhibitor: Option<(i64, String)>,
    /// Why this gene's part is not known, if it is not.
    unknown: Option<&'static str>,
    /// The possibilities, when the result allows several.
    ambiguous: Option<String>,
}

fn gene_part(
    context: &Context,
    rules: &[GeneRule],
    gene: &str,
    medicine: i64,
    ingredient: &str,
) -> GenePart {
    let hla = hla_allele_for(rules, gene);
    let mut part = GenePart {
        gene: gene.to_owned(),
        keys: vec!["No Result".to_owned()],
        genetic: None,
        adjusted: None,
        inhibitor: None,
        unknown: None,
        ambiguous: None,
    };
    let Some(call) = context.genes.call(gene, hla) else {
        part.unknown = Some(if context.genes.unreadable.contains(gene) {
            "unreadable"
        } else {
            "no result"
        });
        return part;
    };
    part.genetic = Some(format!("{gene} {}", call.phenotype));
    // The readings: for an HLA allele left undecided, both; for a result with several
    // possible diplotypes, each.
    let readings: Vec<PhenotypeCall> =
        if let (Some(allele), true) = (hla, call.phenotype == INDETERMINATE) {
            ["positive", "negative"]
                .iter()
                .map(|status| PhenotypeCall {
                    lookup_key: format!("{allele} {status}"),
                    phenotype: format!("{allele} {status}"),
                    ..call.clone()
                })
                .collect()
        } else if !call.possible.is_empty() {
            call.possible
                .iter()
                .map(|p| PhenotypeCall {
                    diplotype: p.diplotype.clone(),
                    phenotype: p.phenotype.clone(),
                    activity_score: p.activity_score.clone(),
                    lookup_key: p.lookup_key.clone(),
                    possible: Vec::new(),
                    ..call.clone()
                })
                .collect()
        } else {
            vec![call.clone()]
        };
    if readings.len() > 1 {
        part.ambiguous = Some(
            readings
                .iter()
                .map(|r| r.phenotype.clone())
                .collect::<Vec<_>>()
                .join(" or "),
        );
    } else if call.phenotype == INDETERMINATE {
        part.unknown = Some("indeterminate");
    }
    let inhibitor = inhibitor_of(context, gene, medicine, ingredient);
    let mut keys = Vec::new();
    let mut adjusted = Vec::new();
    for reading in &readings {
        let converted = inhibitor
            .and_then(|(strength, _, _)| context.kb.alleles.phenoconvert(reading, strength));
        match converted {
            Some(c) => {
                adjusted.push(c.phenotype.clone());
                keys.push(c.lookup_key);
            }
            None => keys.push(reading.lookup_key.clone()),
        }
    }
    if !adjusted.is_empty() {
        part.adjusted = Some(format!("{gene} {}", adjusted.join(" or ")));
        part.inhibitor = inhibitor.map(|(_, id, name)| (id, name.to_owned()));
    }
    keys.dedup();
    part.keys = keys;
    part
}

/// Every combination of the parts' keys, as CPIC writes a lookup key.
fn combined_keys(parts: &[GenePart]) -> Vec<String> {
    let mut keys = vec![String::new()];
    for part in parts {
        let mut next = Vec::new();
        for prefix in &keys {
            for key in &part.keys {
                let piece = format!("{}={key}", part.gene);
                next.push(if prefix.is_empty() {
                    piece
                } else {
                    format!("{prefix}; {piece}")
                });
            }
        }
        keys = next;
    }
    keys
}

fn drug_gene(
    context: &Context,
    medicine: &Seen,
    position: usize,
    ingredient: &str,
) -> Vec<Warning> {
    let kb = context.kb;
    if let Some(guideline) = kb.guideline_for(ingredient)
        && guideline.kind == GuidelineKind::Algorithm
    {
        return dosing_algorithm(
            context,
            medicine,
            position,
            ingredient,
            &guideline.genes,
            &guideline.version,
        );
    }
    let rules = kb.rules_for(ingredient);
    let Some(first) = rules.first() else {
        return Vec::new();
    };
    let genes = first.genes.clone();
    let parts: Vec<GenePart> = genes
        .iter()
        .map(|gene| gene_part(context, rules, gene, medicine.id(), ingredient))
        .collect();
    let keys = combined_keys(&parts);
    let matching: Vec<&GeneRule> = rules.iter().filter(|r| keys.contains(&r.key)).collect();
    let gene_list = genes.join(" and ");
    let called = medicine.called(ingredient);
    let mut out = Vec::new();
    let genetic: Vec<String> = parts.iter().filter_map(|p| p.genetic.clone()).collect();
    let adjusted: Vec<String> = parts.iter().filter_map(|p| p.adjusted.clone()).collect();
    let inhibitor = parts.iter().find_map(|p| p.inhibitor.clone());
    let worst = matching
        .iter()
        .filter_map(|r| severity_of(r.action, &r.classification).map(|s| (s, r.action, *r)))
        .min_by_key(|(severity, action, _)| (*severity, *action));
    if let Some((severity, action, rule)) = worst {
        let (meaning, what_to_do) = advice(action);
        let described = genetic.join(", ");
        let mut explanation = format!(
            "Your {gene_list} result ({described}) changes how your body handles {ingredient}: {meaning}."
        );
        let actions: BTreeSet<_> = crate::order::set(matching.iter().map(|r| r.action));
        if actions.len() > 1
            && matching
                .iter()
                .map(|r| &r.population)
                .collect::<BTreeSet<_>>()
                .len()
                > 1
        {
            explanation.push_str(" How much this matters depends on why you take it.");
        }
        for part in parts.iter().filter(|p| p.ambiguous.is_some()) {
            explanation.push_str(&format!(
                " Your {} result could be read more than one way ({}); Regimen goes by the more cautious.",
                part.gene,
                part.ambiguous.as_deref().unwrap_or_default()
            ));
        }
        if let (Some((_, other)), false) = (&inhibitor, adjusted.is_empty()) {
            explanation.push_str(&format!(
                " Your genes alone would not say this: {other} slows this enzyme, so your body acts as {}.",
                adjusted.join(", ")
            ));
        }
        if let Some(text) = caveat_text(rule.caveat) {
            explanation.push_str(text);
        }
        out.push(Warning {
            id: format!("drug-gene/{}/{position}", medicine.id()),
            kind: WarningKind::DrugGene,
            severity,
            title: format!("{called}: your {gene_list} result matters"),
            explanation,
            what_to_do: what_to_do.to_owned(),
            medicine_ids: std::iter::once(medicine.id())
                .chain(inhibitor.as_ref().map(|(id, _)| *id))
                .collect(),
            genes: genes.clone(),
            genetic_phenotype: (!genetic.is_empty()).then(|| genetic.join(", ")),
            adjusted_phenotype: (!adjusted.is_empty()).then(|| adjusted.join(", ")),
            inhibitor_medicine_id: inhibitor.as_ref().map(|(id, _)| *id),
            evidence: matching.iter().map(|r| evidence(r)).collect(),
        });
    }
    let mut unknown: Vec<String> = parts
        .iter()
        .filter_map(|p| {
            p.unknown.map(|why| match why {
                "no result" => format!("no {} result", p.gene),
                "unreadable" => format!("a {} result it could not read", p.gene),
                _ => format!("a {} result that could not be interpreted", p.gene),
            })
        })
        .collect();
    // Every part known, yet no recommendation fits: the base does not cover this result.
    if unknown.is_empty() && matching.is_empty() {
        unknown.push(format!(
            "no recommendation in its knowledge base for your {gene_list} result with this medicine"
        ));
    }
    if !unknown.is_empty() {
        out.push(Warning {
            id: format!("unknown/{}/{position}", medicine.id()),
            kind: WarningKind::UnknownResult,
            severity: Severity::Low,
            title: format!("{called}: part of your genetic picture is unknown"),
            explanation: format!(
                "How well {ingredient} works, or how safe it is, can depend on {gene_list}, and Regimen has {}.",
                unknown.join(" and ")
            ),
            what_to_do: "Ask your doctor whether a genetic test would help with this medicine."
                .to_owned(),
            medicine_ids: vec![medicine.id()],
            genes: parts
                .iter()
                .filter(|p| p.unknown.is_some())
                .map(|p| p.gene.clone())
                .collect(),
            genetic_phenotype: (!genetic.is_empty()).then(|| genetic.join(", ")),
            adjusted_phenotype: None,
            inhibitor_medicine_id: None,
            evidence: vec![Evidence {
                source: crate::knowledge::SOURCE.to_owned(),
                guideline: format!("{} and {ingredient}", genes.join(", ")),
                version: first.version.clone(),
                level: None,
                population: None,
            }],
        });
    }
    out
}

/// The patient's lookup keys for `drug` from the genetic results alone (no other medicines,
/// so no phenoconversion; several when a result allows several readings), and the drug's
/// recommendations for them (one per population). `None` when the knowledge base has no
/// recommendation for the drug.
pub fn recommendations<'a>(
    kb: &'a KnowledgeBase,
    drug: &str,
    results: &[PgxResult],
) -> Option<(Vec<String>, Vec<&'a GeneRule>)> {
    let rules = kb.rules_for(drug);
    let genes = &rules.first()?.genes;
    let gene_results = GeneResults::new(results);
    let context = Context {
        kb,
        genes: &gene_results,
        medicines: &[],
        now: Timestamp::MIN,
    };
    let parts: Vec<GenePart> = genes
        .iter()
        .map(|gene| gene_part(&context, rules, gene, 0, drug))
        .collect();
    let keys = combined_keys(&parts);
    let matching = rules.iter().filter(|r| keys.contains(&r.key)).collect();
    Some((keys, matching))
}

fn evidence(rule: &GeneRule) -> Evidence {
    Evidence {
        source: crate::knowledge::SOURCE.to_owned(),
        guideline: format!("{} and {}", rule.genes.join(", "), rule.drug),
        version: rule.version.clone(),
        level: Some(rule.classification.clone()),
        population: Some(rule.population.clone()),
    }
}

/// A drug whose guideline is a dosing algorithm (warfarin): the results change the dose the
/// doctor works out, so a result other than the usual one is worth acting on, and missing
/// results are said.
fn dosing_algorithm(
    context: &Context,
    medicine: &Seen,
    position: usize,
    ingredient: &str,
    genes: &[String],
    version: &str,
) -> Vec<Warning> {
    let called = medicine.called(ingredient);
    let usual = |gene: &str, phenotype: &str| match gene {
        "CYP2C9" => phenotype == "Normal Metabolizer",
        "VKORC1" => phenotype == "-1639 GG",
        _ => true,
    };
    let mut unusual = Vec::new();
    let mut genetic = Vec::new();
    let mut adjusted = Vec::new();
    let mut missing = Vec::new();
    let mut inhibitor_id = None;
    for gene in genes {
        let has_rules = crate::pgx::phenotype::has_rules(gene);
        let part = gene_part(context, &[], gene, medicine.id(), ingredient);
        match (&part.genetic, part.unknown) {
            (_, Some(_)) if has_rules => missing.push(gene.clone()),
            (Some(tested), _) => {
                genetic.push(tested.clone());
                let acted = part.adjusted.clone().unwrap_or_else(|| tested.clone());
                let phenotype = acted.strip_prefix(gene.as_str()).unwrap_or(&acted).trim();
                if has_rules && !usual(gene, phenotype) {
                    unusual.push(acted.clone());
                }
                if let Some(a) = part.adjusted {
                    adjusted.push(a);
                    inhibitor_id = part.inhibitor.map(|(id, _)| id);
                }
            }
            _ => {}
        }
    }
    let evidence = vec![Evidence {
        source: crate::knowledge::SOURCE.to_owned(),
        guideline: format!("{} and {ingredient} (dosing algorithm)", genes.join(", ")),
        version: version.to_owned(),
        level: None,
        population: None,
    }];
    let mut out = Vec::new();
    if !unusual.is_empty() {
        out.push(Warning {
            id: format!("drug-gene/{}/{position}", medicine.id()),
            kind: WarningKind::DrugGene,
            severity: Severity::Moderate,
            title: format!("{called}: your genes change the dose"),
            explanation: format!(
                "Your results ({}) mean you are likely to need a different {ingredient} dose than most people, often a lower one. Doctors work the dose out with a calculator that takes these results, and check it with blood tests.",
                unusual.join(", ")
            ),
            what_to_do: "Make sure the doctor who adjusts your dose knows these results. Do not change the dose on your own.".to_owned(),
            medicine_ids: std::iter::once(medicine.id()).chain(inhibitor_id).collect(),
            genes: genes.to_vec(),
            genetic_phenotype: (!genetic.is_empty()).then(|| genetic.join(", ")),
            adjusted_phenotype: (!adjusted.is_empty()).then(|| adjusted.join(", ")),
            inhibitor_medicine_id: inhibitor_id,
            evidence: evidence.clone(),
        });
    }
    if !missing.is_empty() {
        out.push(Warning {
            id: format!("unknown/{}/{position}", medicine.id()),
            kind: WarningKind::UnknownResult,
            severity: Severity::Low,
            title: format!("{called}: part of your genetic picture is unknown"),
            explanation: format!(
                "The right {ingredient} dose can depend on {}, and Regimen has no usable result for {}.",
                genes.join(", "),
                missing.join(" or ")
            ),
            what_to_do: "Ask your doctor whether a genetic test would help with this medicine.".to_owned(),
            medicine_ids: vec![medicine.id()],
            genes: missing,
            genetic_phenotype: (!genetic.is_empty()).then(|| genetic.join(", ")),
            adjusted_phenotype: None,
            inhibitor_medicine_id: None,
            evidence,
        });
    }
    out
}

/// Pairs of active medicines on the high-priority interaction list (combination products by
/// each component).
fn interactions(kb: &KnowledgeBase, seen: &[Seen]) -> Vec<Warning> {
    let active: Vec<&Seen> = seen.iter().filter(|s| s.active()).collect();
    let mut out = Vec::new();
    for interaction in kb.interactions() {
        for object in &active {
            let Some(object_name) = object
                .ingredients
                .iter()
                .find(|i| interaction.object_drugs.contains(i))
            else {
                continue;
            };
            for precipitant in active.iter().filter(|p| p.id() != object.id()) {
                let Some(precipitant_name) = precipitant
                    .ingredients
                    .iter()
                    .find(|i| interaction.precipitant_drugs.contains(i))
                else {
                    continue;
                };
                let group = interaction.group;
                out.push(Warning {
                    id: format!("drug-drug/{group}/{}+{}", object.id(), precipitant.id()),
                    kind: WarningKind::DrugDrug,
                    severity: Severity::High,
                    title: format!(
                        "{} and {} should not be taken together",
                        object.medicine.info.name, precipitant.medicine.info.name
                    ),
                    explanation: format!(
                        "Taken together, {object_name} and {precipitant_name} can interact in a way that may cause serious harm. This pair is on a list of the most important drug interactions."
                    ),
                    what_to_do: TALK_FIRST.to_owned(),
                    medicine_ids: vec![object.id(), precipitant.id()],
                    genes: Vec::new(),
                    genetic_phenotype: None,
                    adjusted_phenotype: None,
                    inhibitor_medicine_id: None,
                    evidence: vec![Evidence {
                        source: "ONC high-priority drug-drug interactions".into(),
                        guideline: format!(
                            "group {group}: {} with {}",
                            interaction.object_class.as_deref().unwrap_or(object_name),
                            interaction
                                .precipitant_class
                                .as_deref()
                                .unwrap_or(precipitant_name)
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

/// Whether `drug` (with its classes) is `name_or_class`.
fn is(kb: &KnowledgeBase, drug: &str, name_or_class: &str) -> bool {
    drug == name_or_class
        || kb
            .drug_named(drug)
            .is_some_and(|d| d.classes.iter().any(|c| c == name_or_class))
}

/// Same ingredient, or two members of a duplicate group, among active medicines.
fn duplicates(kb: &KnowledgeBase, seen: &[Seen]) -> Vec<Warning> {
    let active: Vec<&Seen> = seen.iter().filter(|s| s.active()).collect();
    let groups = kb.duplicate_groups();
    // Each medicine's groups, with the ingredient that makes it a member (worked out once,
    // not once per pair).
    let memberships: Vec<Vec<(usize, &str)>> = active
        .iter()
        .map(|medicine| {
            // Ingredients in order, so that a group keeps the first that makes it a member.
            let mut member: Vec<(usize, &str)> = Vec::new();
            for ingredient in &medicine.ingredients {
                let Some(drug) = kb.drug_named(ingredient) else {
                    continue;
                };
                for class in &drug.classes {
                    for &g in kb.duplicate_groups_of_class(class) {
                        if !member.iter().any(|(h, _)| *h == g) {
                            member.push((g, ingredient.as_str()));
                        }
                    }
                }
            }
            crate::order::sort_by_key(&mut member, |(g, _)| *g);
            member
        })
        .collect();
    let mut out = Vec::new();
    for (i, a) in active.iter().enumerate() {
        for (j, b) in active[i + 1..].iter().enumerate() {
            let shared: Vec<&String> = a
                .ingredients
                .iter()
                .filter(|x| b.ingredients.contains(x))
                .collect();
            if let Some(ingredient) = shared.first() {
                out.push(Warning {
                    id: format!("duplicate/{}+{}", a.id(), b.id()),
                    kind: WarningKind::Duplicate,
                    severity: Severity::High,
                    title: "Two medicines with the same ingredient".to_owned(),
                    explanation: format!(
                        "{} and {} both contain {ingredient}. Taking both can mean taking twice as much.",
                        a.medicine.info.name, b.medicine.info.name
                    ),
                    what_to_do: "Check with your pharmacist before taking both.".to_owned(),
                    medicine_ids: vec![a.id(), b.id()],
                    genes: Vec::new(),
                    genetic_phenotype: None,
                    adjusted_phenotype: None,
                    inhibitor_medicine_id: None,
                    evidence: vec![Evidence {
                        source: "Regimen's drug vocabulary".into(),
                        guideline: format!("same ingredient: {ingredient}"),
                        version: "built-in".into(),
                        level: None,
                        population: None,
                    }],
                });
                continue;
            }
            // The first group both belong to, unless their pair is a known good one.
            let group = memberships[i].iter().find_map(|(g, x)| {
                let (_, y) = memberships[i + 1 + j].iter().find(|(h, _)| h == g)?;
                let group = &groups[*g];
                let allowed = group
                    .allowed
                    .iter()
                    .any(|(p, q)| (is(kb, x, p) && is(kb, y, q)) || (is(kb, x, q) && is(kb, y, p)));
                (!allowed).then_some(group)
            });
            if let Some(group) = group {
                out.push(Warning {
                    id: format!("duplicate/{}+{}", a.id(), b.id()),
                    kind: WarningKind::Duplicate,
                    severity: if group.high {
                        Severity::High
                    } else {
                        Severity::Moderate
                    },
                    title: "Two medicines of a kind not usually taken together".to_owned(),
                    explanation: format!(
                        "{} and {} are both {}. Taking two of them together usually adds side effects more than benefit.",
                        a.medicine.info.name, b.medicine.info.name, group.description
                    ),
                    what_to_do: "Check with your pharmacist or doctor that you are meant to take both.".to_owned(),
                    medicine_ids: vec![a.id(), b.id()],
                    genes: Vec::new(),
                    genetic_phenotype: None,
                    adjusted_phenotype: None,
                    inhibitor_medicine_id: None,
                    evidence: vec![Evidence {
                        source: "Regimen's therapeutic duplicate groups".into(),
                        guideline: group.id.clone(),
                        version: "built-in".into(),
                        level: None,
                        population: None,
                    }],
                });
            }
        }
    }
    out
}
