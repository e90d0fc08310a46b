//! The allele facts the phenotype engine reads: each allele's function and activity value
//! (`core/knowledge/allele_functions.tsv`, from CPIC's tables by `tools/pgx_facts.py`), and
//! the other names labs write alleles under (`core/knowledge/allele_aliases.tsv`: HGVS names
//! without CPIC's legacy alias, legacy star names, rsIDs with their plus-strand bases, the
//! VKORC1 promoter name, UGT1A1 repeat counts).

use std::collections::HashMap;

use crate::error::{Error, Result};

/// An activity value or score, in quarters, with CPIC's `≥` for open-ended duplications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Activity {
    pub quarters: i64,
    pub at_least: bool,
}

impl Activity {
    pub fn parse(text: &str) -> Option<Activity> {
        let (at_least, number) = match text.strip_prefix('≥') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let value: f64 = number.trim().parse().ok()?;
        if !(0.0..=100.0).contains(&value) {
            return None;
        }
        Some(Activity {
            quarters: (value * 4.0).round() as i64,
            at_least,
        })
    }

    pub fn plus(self, other: Activity) -> Activity {
        Activity {
            quarters: self.quarters + other.quarters,
            at_least: self.at_least || other.at_least,
        }
    }

    /// As CPIC writes it: one decimal, two when needed (`1.0`, `0.25`, `≥4.0`).
    pub fn text(self) -> String {
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

/// One allele's known function.
#[derive(Clone, Debug)]
pub(crate) struct Allele {
    /// Lower-case function (`no function`, `ivacaftor responsive`, `iii/deficient`).
    pub function: String,
    /// As written in the table (for one-allele genes).
    pub function_text: String,
    /// Activity value, for activity-score genes.
    pub activity: Option<Activity>,
}

/// What an alias names.
#[derive(Clone, Debug)]
pub(crate) struct Alias {
    /// The allele's name in CPIC's table.
    pub canonical: String,
    /// For an rsID: the GRCh38 plus-strand reference and variant bases.
    pub bases: Option<(String, String)>,
    /// An rsID that only tags a star allele: informational, never read as a result.
    pub tag_only: bool,
}

/// Allele functions by gene and allele name, and the names labs use for them.
pub struct AlleleTable {
    alleles: HashMap<String, HashMap<String, Allele>>,
    /// Lower-cased allele names to the table's spelling, per gene.
    folded: HashMap<String, HashMap<String, String>>,
    /// Lower-cased aliases, per gene (an rsID with several variant bases has several).
    aliases: HashMap<String, HashMap<String, Vec<Alias>>>,
    /// Every gene symbol the normaliser recognises, longest first (see `notation.rs`).
    pub(crate) known_genes: Vec<String>,
}

/// Lower case with spaces removed: how names are compared.
pub(crate) fn fold(name: &str) -> String {
    if name.is_ascii() {
        // Nearly every name: a byte at a time, without the Unicode case tables.
        let mut folded = String::with_capacity(name.len());
        folded.extend(
            name.bytes()
                .map(char::from)
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_lowercase()),
        );
        return folded;
    }
    name.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

impl AlleleTable {
    /// The tables compiled into the library.
    pub fn builtin() -> Result<AlleleTable> {
        use crate::compiled_tables::compiled_table;
        AlleleTable::parse(
            &compiled_table!("allele_functions.tsv"),
            &compiled_table!("allele_aliases.tsv"),
        )
    }

    /// Parses tables in the formats of `core/knowledge/allele_functions.tsv` and
    /// `allele_aliases.tsv`. Every alias must name an allele of the first table.
    pub fn parse(functions: &str, aliases: &str) -> Result<AlleleTable> {
        let mut alleles: HashMap<String, HashMap<String, Allele>> = HashMap::new();
        let mut folded: HashMap<String, HashMap<String, String>> = HashMap::new();
        for line in data_lines(functions) {
            let fields: Vec<&str> = line.split('\t').collect();
            let [gene, allele, function, activity, _version] = fields[..] else {
                return Err(malformed("allele_functions", "each row needs five columns"));
            };
            let activity = match activity {
                "" | "n/a" => None,
                text => Some(Activity::parse(text).ok_or_else(|| {
                    malformed("allele_functions", "an activity value is not a number")
                })?),
            };
            folded
                .entry(gene.to_owned())
                .or_default()
                .insert(fold(allele), allele.to_owned());
            alleles.entry(gene.to_owned()).or_default().insert(
                allele.to_owned(),
                Allele {
                    function: function.to_lowercase(),
                    function_text: function.to_owned(),
                    activity,
                },
            );
        }
        let mut by_gene: HashMap<String, HashMap<String, Vec<Alias>>> = HashMap::new();
        for line in data_lines(aliases) {
            let fields: Vec<&str> = line.split('\t').collect();
            let [gene, alias, canonical, kind, plus_ref, plus_alt, _source] = fields[..] else {
                return Err(malformed("allele_aliases", "each row needs seven columns"));
            };
            if !alleles.get(gene).is_some_and(|a| a.contains_key(canonical)) {
                return Err(malformed(
                    "allele_aliases",
                    "an alias names an allele the function table does not have",
                ));
            }
            let is_rsid = matches!(kind, "rsid" | "rsid_tag");
            let bases = (is_rsid && !plus_ref.is_empty() && !plus_alt.is_empty())
                .then(|| (plus_ref.to_uppercase(), plus_alt.to_uppercase()));
            by_gene
                .entry(gene.to_owned())
                .or_default()
                .entry(fold(alias))
                .or_default()
                .push(Alias {
                    canonical: canonical.to_owned(),
                    bases,
                    tag_only: kind == "rsid_tag",
                });
        }
        let mut table = AlleleTable {
            alleles,
            folded,
            aliases: by_gene,
            known_genes: Vec::new(),
        };
        table.known_genes = known_genes(&table);
        Ok(table)
    }

    /// The allele `name` (the table's spelling) of `gene`.
    pub(crate) fn allele(&self, gene: &str, name: &str) -> Option<&Allele> {
        self.alleles.get(gene)?.get(name)
    }

    /// The table's spelling of `name` for `gene`: itself, the same name in another case or
    /// spacing, or what a name alias stands for (rsIDs are read with their bases, by
    /// [`AlleleTable::rsid`]).
    pub(crate) fn canonical(&self, gene: &str, name: &str) -> Option<&str> {
        let key = fold(name);
        self.folded
            .get(gene)
            .and_then(|names| names.get(&key))
            .map(String::as_str)
            .or_else(|| match self.aliases.get(gene)?.get(&key)?.as_slice() {
                [one] if one.bases.is_none() && !one.tag_only => Some(one.canonical.as_str()),
                _ => None,
            })
    }

    /// The single-variant alleles `rsid` names for `gene`, one per variant base (none for a
    /// tag of a star allele, which is no result by itself).
    pub(crate) fn rsid(&self, gene: &str, rsid: &str) -> Vec<&Alias> {
        self.aliases
            .get(gene)
            .and_then(|names| names.get(&fold(rsid)))
            .map(|all| {
                all.iter()
                    .filter(|a| a.bases.is_some() && !a.tag_only)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every allele name of `gene` that starts with `prefix` (the table's spelling).
    pub(crate) fn names_starting(&self, gene: &str, prefix: &str) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .alleles
            .get(gene)
            .map(|a| {
                a.keys()
                    .map(String::as_str)
                    .filter(|n| n.starts_with(prefix))
                    .collect()
            })
            .unwrap_or_default();
        crate::order::sort(&mut names);
        names
    }

    /// The genes the table lists, sorted.
    pub(crate) fn listed_genes(&self) -> Vec<&str> {
        let mut genes: Vec<&str> = self.alleles.keys().map(String::as_str).collect();
        crate::order::sort(&mut genes);
        genes
    }
}

/// The data rows of a table: comment lines and the header left out.
fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
}

fn malformed(table: &'static str, reason: &str) -> Error {
    Error::invalid(table, reason)
}

/// Genes Regimen recognises but has no phenotype rules for: kept and shown, not
/// interpreted.
const GENES_WITHOUT_RULES: &[&str] = &[
    "CYP4F2", "IFNL3", "COMT", "OPRM1", "CYP1A2", "CYP2A6", "CYP2C8", "CYP2E1", "CYP3A7", "ABCB1",
    "SLC6A4", "HTR2A", "HTR2C", "DRD2", "ANKK1", "ADRA2A", "F2", "F5", "MTHFR", "NQO1", "UGT2B7",
    "UGT2B15", "UGT1A4", "GSTM1", "GSTT1", "POR", "XPC", "ITPA", "HLA-C", "HLA-DRB1", "HLA-DQA1",
    "HLA-DQB1",
];

/// Every gene symbol Regimen recognises, longest first (so `HLA-B` is tried before a
/// shorter symbol that starts the same way).
fn known_genes(table: &AlleleTable) -> Vec<String> {
    let mut genes: Vec<String> = table
        .listed_genes()
        .into_iter()
        .map(str::to_owned)
        .chain(["HLA-A", "HLA-B"].map(str::to_owned))
        .chain(GENES_WITHOUT_RULES.iter().map(|g| (*g).to_owned()))
        .collect();
    crate::order::sort_by_key(&mut genes, |g| std::cmp::Reverse(g.len()));
    genes.dedup();
    genes
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The ASCII path folds as the Unicode one does (vertical tab and form feed included).
        #[test]
        fn ascii_folds_as_unicode_does(name in "[ -~\t\n\x0b\x0c\r]{0,24}") {
            let unicode: String = name
                .chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect();
            prop_assert_eq!(super::fold(&name), unicode);
        }
    }

    #[test]
    fn other_scripts_fold_too() {
        assert_eq!(super::fold("CYP2D6 *1/ *4 Ä"), "cyp2d6*1/*4ä");
    }
}
