//! The knowledge base: the facts warnings are made from, and which base is in use.
//!
//! - the drug vocabulary (`vocabulary.rs`): ingredients with RxNorm and ATC codes and class
//!   tags, every other name that resolves to them (INN spellings, salts, brands, combination
//!   products), RxNorm codes at ingredient, clinical drug and branded drug level, and how a
//!   medicine as the patient or a prescription names it is recognised, or not;
//! - drug search (`search.rs`) for an "add a medicine" screen;
//! - CPIC's drug-gene recommendations as facts, and the other tables (`rules.rs`): CYP
//!   inhibitors, high-priority drug-drug interactions, therapeutic-duplicate groups,
//!   guidelines without lookup keys (warfarin), and each table's source;
//! - the allele facts of the phenotype engine ([`AlleleTable`]);
//! - signed bundles that replace the built-in base (`bundle.rs`) and the base in use
//!   (`in_use.rs`).
//!
//! The built-in base is compiled into the library from `core/knowledge/*.tsv`, which
//! `tools/kb_facts.py` generates from CPIC's tables, the reviewed actions and the drug
//! vocabulary; the patient-facing words are Regimen's own (`warning.rs`).

mod bundle;
mod in_use;
mod rules;
mod search;
mod vocabulary;

use serde::{Deserialize, Serialize};

pub use bundle::{
    Bundle, Installed, MAX_BYTES as MAX_BUNDLE_BYTES, generate_signing_key, public_key_of, sign,
    verify, verify_and_load,
};
pub use in_use::{KnowledgeInUse, KnowledgeInfo, Loaded};
pub use rules::{
    Action, Caveat, DuplicateGroup, GeneRule, Guideline, GuidelineKind, Inhibitor, Interaction,
    TableSource,
};
pub use search::{DrugMatch, DrugMatchKind, DrugProduct};
pub use vocabulary::{Drug, Recognition};

use crate::error::{Error, Result};
use crate::pgx::AlleleTable;
pub use crate::pgx::Strength;

/// Where the built-in facts come from, in short.
pub const SOURCE: &str = "CPIC";

/// The version of the built-in base; an update must be newer.
pub const BUILTIN_VERSION: u64 = 1;

/// The tables a knowledge base is made of, as text in the formats of `core/knowledge/`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tables {
    /// Allele functions (the phenotype engine's facts).
    pub allele_functions: String,
    /// Other names of alleles.
    pub allele_aliases: String,
    /// Ingredients.
    pub drugs: String,
    /// Synonyms, salts and brands of ingredients.
    pub drug_names: String,
    /// RxNorm concepts.
    pub drug_codes: String,
    /// Drug-gene recommendations.
    pub drug_gene_rules: String,
    /// Guidelines without lookup keys.
    pub guidelines: String,
    /// CYP inhibitors.
    pub inhibitors: String,
    /// High-priority drug-drug interactions.
    pub interactions: String,
    /// Therapeutic-duplicate groups.
    pub duplicate_groups: String,
    /// Where each table's facts come from.
    pub sources: String,
}

impl Tables {
    /// The tables compiled into the library.
    pub fn builtin() -> Tables {
        use crate::compiled_tables::compiled_table as table;
        Tables {
            allele_functions: table!("allele_functions.tsv"),
            allele_aliases: table!("allele_aliases.tsv"),
            drugs: table!("drugs.tsv"),
            drug_names: table!("drug_names.tsv"),
            drug_codes: table!("drug_codes.tsv"),
            drug_gene_rules: table!("drug_gene_rules.tsv"),
            guidelines: table!("guidelines.tsv"),
            inhibitors: table!("inhibitors.tsv"),
            interactions: table!("interactions.tsv"),
            duplicate_groups: table!("duplicate_groups.tsv"),
            sources: table!("sources.tsv"),
        }
    }
}

/// Every fact warnings are made from, indexed.
pub struct KnowledgeBase {
    /// The drug vocabulary.
    pub(crate) vocabulary: vocabulary::Vocabulary,
    /// The search index over the vocabulary, built on first search.
    search: std::sync::OnceLock<search::Index>,
    /// Recommendations, guidelines, inhibitors, interactions, duplicate groups and sources.
    pub(crate) rules: rules::Rules,
    /// The allele facts.
    pub alleles: AlleleTable,
}

impl std::fmt::Debug for KnowledgeBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeBase")
            .field("drugs", &self.vocabulary.drugs.len())
            .field("rules", &self.rules.gene_rules.len())
            .finish_non_exhaustive()
    }
}

/// The data rows of a table, split into fields: comment lines and the header left out.
fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
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

    /// A base from its tables (built in, or from a verified bundle). Every drug the other
    /// tables name must be an ingredient of the vocabulary.
    pub fn from_tables(tables: &Tables) -> Result<KnowledgeBase> {
        let vocabulary = vocabulary::Vocabulary::parse(tables)?;
        let rules = rules::Rules::parse(tables, &vocabulary)?;
        Ok(KnowledgeBase {
            vocabulary,
            search: std::sync::OnceLock::new(),
            rules,
            alleles: AlleleTable::parse(&tables.allele_functions, &tables.allele_aliases)?,
        })
    }

    /// The ingredient with this generic name (lower case).
    pub fn drug_named(&self, name: &str) -> Option<&Drug> {
        self.vocabulary.ingredient(name)
    }

    /// What a medicine is, as far as the base can tell: its ingredients, or why it is not
    /// recognised.
    pub fn recognise(&self, medicine: &crate::medicine::MedicineInfo) -> Recognition {
        self.vocabulary.recognise(medicine)
    }

    /// The recommendations for `drug` (its generic name).
    pub fn rules_for(&self, drug: &str) -> &[GeneRule] {
        self.rules.rules_for(drug)
    }

    /// The guideline without lookup keys for `drug`, if it has one (warfarin).
    pub fn guideline_for(&self, drug: &str) -> Option<&Guideline> {
        self.rules.guidelines.iter().find(|g| g.drug == drug)
    }

    /// How `drug` inhibits the enzyme of `gene`, if it does.
    pub fn inhibition(&self, drug: &str, gene: &str) -> Option<&Inhibitor> {
        self.rules.inhibition(drug, gene)
    }

    /// Every enzyme `drug` inhibits, one row per gene (the first, if the tables gave two).
    pub fn inhibitions(&self, drug: &str) -> impl Iterator<Item = &Inhibitor> {
        self.rules.inhibitions(drug)
    }

    /// The high-priority drug-drug interaction groups.
    pub fn interactions(&self) -> &[Interaction] {
        &self.rules.interactions
    }

    /// The therapeutic-duplicate groups.
    pub fn duplicate_groups(&self) -> &[DuplicateGroup] {
        &self.rules.duplicate_groups
    }

    /// The duplicate groups a class tag is in, as indexes into [`Self::duplicate_groups`]
    /// (ascending).
    pub fn duplicate_groups_of_class(&self, class: &str) -> &[usize] {
        self.rules.groups_of_class(class)
    }

    /// Where each table's facts come from.
    pub fn sources(&self) -> &[TableSource] {
        &self.rules.sources
    }

    /// Drugs whose names start like, or nearly like, `query` (see `search.rs`), best first,
    /// at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<DrugMatch> {
        self.search
            .get_or_init(|| search::Index::build(&self.vocabulary))
            .search(&self.vocabulary, query, limit)
    }

    /// Every drug name the recommendations, guidelines, inhibitor, interaction and duplicate
    /// tables use (all resolve to an ingredient; for the test that checks it).
    pub fn names_used(&self) -> Vec<&str> {
        self.rules.names_used()
    }
}
