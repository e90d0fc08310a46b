//! The knowledge base's rule tables: CPIC recommendations as facts (the action of each was
//! reviewed by reading it, `tools/reviewed_actions.tsv`, never parsed from its words at run
//! time), guidelines without lookup keys, CYP inhibitors, high-priority drug-drug
//! interactions, therapeutic-duplicate groups, and where each table comes from.

use std::collections::HashMap;

use super::vocabulary::Vocabulary;
use super::{Strength, Tables, malformed, rows};
use crate::error::{Error, Result};

/// What a recommendation asks of the prescriber.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Choose another medicine.
    Avoid,
    /// Prefer another medicine; this one may still be used (often at another dose).
    Alternative,
    /// Use a different dose.
    AdjustDose,
    /// Use it with extra monitoring or caution.
    Monitor,
    /// Use as usual.
    Standard,
    /// No recommendation can be made for this result.
    None,
}

impl Action {
    fn parse(text: &str) -> Option<Action> {
        Some(match text {
            "avoid" => Action::Avoid,
            "alternative" => Action::Alternative,
            "adjust_dose" => Action::AdjustDose,
            "monitor" => Action::Monitor,
            "standard" => Action::Standard,
            "none" => Action::None,
            _ => return None,
        })
    }
}

/// A condition that goes with a recommendation's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caveat {
    /// Usual use, but medicines that slow the enzyme should be avoided.
    AvoidInhibitors,
    /// May be continued if already taken without problems.
    IfPreviouslyTolerated,
    /// Usual use, with something the patient should be told.
    InformPatient,
    /// Another condition, in the recommendation itself.
    Other,
}

impl Caveat {
    fn parse(text: &str) -> Option<Option<Caveat>> {
        Some(match text {
            "" => None,
            "avoid_inhibitors" => Some(Caveat::AvoidInhibitors),
            "if_previously_tolerated" => Some(Caveat::IfPreviouslyTolerated),
            "inform_patient" => Some(Caveat::InformPatient),
            "other" => Some(Caveat::Other),
            _ => return None,
        })
    }
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
    /// What it asks (reviewed).
    pub action: Action,
    /// A condition that goes with it.
    pub caveat: Option<Caveat>,
    /// CPIC data version.
    pub version: String,
}

/// Kinds of guideline without lookup keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuidelineKind {
    /// The dose comes from a dosing algorithm that takes the results (warfarin).
    Algorithm,
    /// The guideline has no recommendations Regimen can look up.
    NoKeys,
}

/// A drug whose CPIC guideline has no lookup keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Guideline {
    /// The drug.
    pub drug: String,
    /// The genes the guideline uses.
    pub genes: Vec<String>,
    /// Which kind.
    pub kind: GuidelineKind,
    /// CPIC data version.
    pub version: String,
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

/// A group of drugs two of which taken together are a problem (two NSAIDs, an ACE inhibitor
/// with an ARB), with the known good combinations inside it.
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateGroup {
    /// Its id (`nsaid`).
    pub id: String,
    /// The class tags of its members.
    pub classes: Vec<String>,
    /// How urgent two of them together are.
    pub high: bool,
    /// What the group is, in plain words (`anti-inflammatory pain relievers (NSAIDs)`).
    pub description: String,
    /// Pairs that are fine together: drug names or class tags.
    pub allowed: Vec<(String, String)>,
}

/// Where one table's facts come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSource {
    /// The table.
    pub table: String,
    /// Its source.
    pub source: String,
    /// The source's version or date.
    pub version: String,
    /// The licence of its facts.
    pub licence: String,
}

/// The rule tables, indexed.
#[derive(Debug)]
pub(crate) struct Rules {
    pub gene_rules: Vec<GeneRule>,
    rules_of: HashMap<String, std::ops::Range<usize>>,
    pub guidelines: Vec<Guideline>,
    inhibitors: Vec<Inhibitor>,
    inhibitors_of: HashMap<String, Vec<usize>>,
    pub interactions: Vec<Interaction>,
    pub duplicate_groups: Vec<DuplicateGroup>,
    /// The duplicate groups (indexes, ascending) each class tag is in.
    groups_of_class: HashMap<String, Vec<usize>>,
    pub sources: Vec<TableSource>,
}

fn list(text: &str, separator: char) -> Vec<String> {
    text.split(separator)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Rules {
    pub fn parse(tables: &Tables, vocabulary: &Vocabulary) -> Result<Rules> {
        let mut gene_rules = rows(&tables.drug_gene_rules)
            .map(|f| match f[..] {
                [
                    drug,
                    genes,
                    key,
                    population,
                    classification,
                    action,
                    caveat,
                    version,
                ] => Ok(GeneRule {
                    drug: drug.to_lowercase(),
                    genes: list(genes, ','),
                    key: key.to_owned(),
                    population: population.to_owned(),
                    classification: classification.to_owned(),
                    action: Action::parse(action).ok_or_else(|| malformed("drug_gene_rules"))?,
                    caveat: Caveat::parse(caveat).ok_or_else(|| malformed("drug_gene_rules"))?,
                    version: version.to_owned(),
                }),
                _ => Err(malformed("drug_gene_rules")),
            })
            .collect::<Result<Vec<_>>>()?;
        crate::order::sort_by(&mut gene_rules, |a, b| a.drug.cmp(&b.drug));
        let mut rules_of: HashMap<String, std::ops::Range<usize>> = HashMap::new();
        for (index, rule) in gene_rules.iter().enumerate() {
            rules_of
                .entry(rule.drug.clone())
                .or_insert(index..index)
                .end = index + 1;
        }
        let guidelines = rows(&tables.guidelines)
            .map(|f| match f[..] {
                [drug, genes, kind, version] => Ok(Guideline {
                    drug: drug.to_lowercase(),
                    genes: list(genes, ','),
                    kind: match kind {
                        "algorithm" => GuidelineKind::Algorithm,
                        "no_keys" => GuidelineKind::NoKeys,
                        _ => return Err(malformed("guidelines")),
                    },
                    version: version.to_owned(),
                }),
                _ => Err(malformed("guidelines")),
            })
            .collect::<Result<Vec<_>>>()?;
        let inhibitors = rows(&tables.inhibitors)
            .map(|f| match f[..] {
                [gene, drug, strength, washout] => Ok(Inhibitor {
                    gene: gene.to_owned(),
                    drug: drug.to_lowercase(),
                    strength: match strength {
                        "strong" => Strength::Strong,
                        "moderate" => Strength::Moderate,
                        "weak" => Strength::Weak,
                        _ => return Err(malformed("inhibitors")),
                    },
                    washout_days: washout.parse().map_err(|_| malformed("inhibitors"))?,
                }),
                _ => Err(malformed("inhibitors")),
            })
            .collect::<Result<Vec<_>>>()?;
        // One row per drug and gene: the first, if the table gives two.
        let mut inhibitors_of: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, inhibitor) in inhibitors.iter().enumerate() {
            let of_drug = inhibitors_of.entry(inhibitor.drug.clone()).or_default();
            if !of_drug
                .iter()
                .any(|&other| inhibitors[other].gene == inhibitor.gene)
            {
                of_drug.push(index);
            }
        }
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
                    object_drugs: list(object_drugs, ';'),
                    precipitant_class: class(precipitant_class),
                    precipitant_drugs: list(precipitant_drugs, ';'),
                }),
                _ => Err(malformed("interactions")),
            })
            .collect::<Result<Vec<_>>>()?;
        let duplicate_groups = rows(&tables.duplicate_groups)
            .map(|f| match f[..] {
                [id, classes, severity, description, allowed] => Ok(DuplicateGroup {
                    id: id.to_owned(),
                    classes: list(classes, ','),
                    high: match severity {
                        "high" => true,
                        "moderate" => false,
                        _ => return Err(malformed("duplicate_groups")),
                    },
                    description: description.to_owned(),
                    allowed: list(allowed, ';')
                        .iter()
                        .map(|pair| {
                            pair.split_once('+')
                                .map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()))
                                .ok_or_else(|| malformed("duplicate_groups"))
                        })
                        .collect::<Result<_>>()?,
                }),
                _ => Err(malformed("duplicate_groups")),
            })
            .collect::<Result<Vec<_>>>()?;
        let mut groups_of_class: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, group) in duplicate_groups.iter().enumerate() {
            for class in &group.classes {
                let groups = groups_of_class.entry(class.clone()).or_default();
                if groups.last() != Some(&index) {
                    groups.push(index);
                }
            }
        }
        let sources = rows(&tables.sources)
            .map(|f| match f[..] {
                [table, source, version, licence] => Ok(TableSource {
                    table: table.to_owned(),
                    source: source.to_owned(),
                    version: version.to_owned(),
                    licence: licence.to_owned(),
                }),
                _ => Err(malformed("sources")),
            })
            .collect::<Result<Vec<_>>>()?;
        let rules = Rules {
            gene_rules,
            rules_of,
            guidelines,
            inhibitors,
            inhibitors_of,
            interactions,
            duplicate_groups,
            groups_of_class,
            sources,
        };
        if rules
            .names_used()
            .iter()
            .any(|name| vocabulary.ingredient(name).is_none())
        {
            return Err(Error::invalid(
                "knowledge_base",
                "a rule names a drug the vocabulary does not have",
            ));
        }
        let classes = vocabulary.classes();
        if rules
            .duplicate_groups
            .iter()
            .flat_map(|g| &g.classes)
            .any(|c| !classes.contains(c.as_str()))
        {
            return Err(Error::invalid(
                "knowledge_base",
                "a duplicate group names a class no drug has",
            ));
        }
        Ok(rules)
    }

    pub fn rules_for(&self, drug: &str) -> &[GeneRule] {
        self.rules_of
            .get(drug)
            .map_or(&[], |range| &self.gene_rules[range.clone()])
    }

    pub fn groups_of_class(&self, class: &str) -> &[usize] {
        self.groups_of_class.get(class).map_or(&[], Vec::as_slice)
    }

    pub fn inhibition(&self, drug: &str, gene: &str) -> Option<&Inhibitor> {
        self.inhibitions(drug)
            .find(|inhibitor| inhibitor.gene == gene)
    }

    pub fn inhibitions(&self, drug: &str) -> impl Iterator<Item = &Inhibitor> {
        self.inhibitors_of
            .get(drug)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&index| &self.inhibitors[index])
    }

    pub fn names_used(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .gene_rules
            .iter()
            .map(|r| r.drug.as_str())
            .chain(self.guidelines.iter().map(|g| g.drug.as_str()))
            .chain(self.inhibitors.iter().map(|i| i.drug.as_str()))
            .chain(
                self.interactions
                    .iter()
                    .flat_map(|i| i.object_drugs.iter().chain(&i.precipitant_drugs))
                    .map(String::as_str),
            )
            .collect();
        crate::order::sort(&mut names);
        names.dedup();
        names
    }
}
