//! The one normaliser in front of every importer and of the phenotype engine: a lab's gene
//! column and result column, as they arrive, read into CPIC's spelling, or refused naming the
//! part that could not be read. Nothing is guessed: a result is either read by the rules
//! below or reported as not understood.
//!
//! The gene may be in its own column, in front of the result (`CYP2D6*1/*4`,
//! `HLA-B *57:01 positive`), or in front of each allele; in any case, and they must agree.
//! HLA genes are read by `notation/hla.rs`. For the others:
//! - two alleles are joined by `/` or `|` (phased); a gene prefix on either allele is
//!   dropped; case and spaces do not matter (`cyp2c19*2/*17`, `* 1 / * 4`);
//! - an allele is a name of CPIC's allele table, or an alias from `allele_aliases.tsv` (an HGVS
//!   name without CPIC's legacy alias, a legacy star name such as DPYD `*2A`, an rsID, the
//!   VKORC1 promoter name, a UGT1A1 repeat count);
//! - a PharmVar sub-allele (`*4.001`) is its core allele;
//! - a CYP2D6 duplication `xN` with N written (`*1x3`, `*1×3`, `*1X3`) is the table's own
//!   `x3` if listed, else its `x≥3` for three or more copies; with N not written (`*1xN`)
//!   every listed copy number is a possible reading, and an unlisted one makes the result
//!   Indeterminate;
//! - `homozygous` with one allele is that allele twice; `heterozygous` with one variant is
//!   the variant with `Reference`, for genes whose table has a `Reference` allele (DPYD,
//!   RYR1, CACNA1S); one variant of such a gene with no zygosity could be either, so both are
//!   possible readings;
//! - an rsID with two bases (`rs3918290 C/T`) is read on the GRCh38 plus strand, or on the
//!   other strand when that cannot be mistaken for it (a C/G or A/T variant is only read when
//!   heterozygous); `-1639 AA` is the VKORC1 promoter genotype;
//! - MT-RNR1 is one allele; G6PD one (one X chromosome) or two.
//!
//! Refused, with the part named: unknown alleles or genes, three alleles, a missing allele, a
//! single allele where two are needed (a cut-off row), free text, `or` between results.

pub(crate) mod hla;

use super::alleles::{AlleleTable, fold};
use super::phenotype::{has_rules, one_allele_gene};

/// What could not be read: the part, and why (in words for the patient). The part may be a
/// piece of a genotype: it belongs in the stored reading shown to the patient, never in an
/// error message or a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NotRead {
    pub token: String,
    pub reason: &'static str,
}

impl NotRead {
    pub fn new(token: &str, reason: &'static str) -> Self {
        NotRead {
            token: token.trim().to_owned(),
            reason,
        }
    }
}

/// A result read in CPIC's terms.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Read {
    /// One or more possible readings, each two alleles (or one for one-allele genes), in the
    /// table's spelling; `shown` is the result as CPIC would write it; `incomplete` says why
    /// a reading CPIC does not list is also possible.
    Alleles {
        readings: Vec<(String, Option<String>)>,
        shown: String,
        incomplete: Option<&'static str>,
    },
    /// HLA: the status of each allele of interest the result speaks of.
    Hla(Vec<(&'static str, hla::Status)>),
    /// A gene Regimen recognises but has no rules for.
    NoRules,
}

/// Reads `gene_field` and `result` (either may hold the gene). Returns the gene (when one
/// could be read) with the reading, or what was not understood.
pub(crate) fn read(
    table: &AlleleTable,
    gene_field: &str,
    result: &str,
) -> (Option<String>, Result<Read, NotRead>) {
    let gene_field = clean(gene_field);
    let result = clean(result);
    let (gene, result) = match gene_of(table, &gene_field, &result) {
        Ok(found) => found,
        Err(not_read) => return (None, Err(not_read)),
    };
    let reading = if hla::alleles_of_interest(&gene).is_some() {
        hla::read(&gene, &result).map(Read::Hla)
    } else if !has_rules(&gene) {
        Ok(Read::NoRules)
    } else {
        alleles(table, &gene, &result)
    };
    (Some(gene), reading)
}

/// The same characters for the same meaning: look-alike stars, slashes, dashes, the
/// multiplication sign and `>=`; runs of white space as one space.
fn clean(text: &str) -> String {
    // Most results need nothing changed: printable ASCII, single spaces between words, no
    // ">=". What `clean_any` would return for them is the text itself.
    let plain = text.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        && !text.contains(">=")
        && !text.contains("  ")
        && !text.starts_with(' ')
        && !text.ends_with(' ');
    if plain {
        return text.to_owned();
    }
    clean_any(text)
}

/// [`clean`] for any text.
fn clean_any(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '\u{2217}' | '\u{FF0A}' | '\u{2731}' => '*',
            '\u{FF0F}' | '\u{2215}' | '\u{2044}' => '/',
            '\u{FF5C}' | '\u{2223}' => '|',
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => '-',
            '\u{00D7}' | '\u{2715}' => 'x',
            '\u{2265}' | '\u{2267}' => '≥',
            '\u{FF1A}' => ':',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    mapped
        .replace(">=", "≥")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` without a leading gene symbol, and that symbol, if it starts with one followed by
/// the end, a space or a star (`CYP2D6*1/*4`, `HLA-B *57:01`).
fn strip_gene<'a>(genes: &[String], text: &'a str) -> Option<(String, &'a str)> {
    genes.iter().find_map(|gene| {
        let rest = after_symbol(text, gene)?;
        matches!(rest.chars().next(), None | Some(' ' | '*' | ':' | ','))
            .then(|| (gene.clone(), rest.trim_start_matches([' ', ':', ','])))
    })
}

/// `text` after a leading gene symbol in any ASCII case. Symbols are ASCII, so a letter
/// whose capital is ASCII (the long s of "ſLCO1B1") spells no gene, and the rest is cut where
/// the symbol ends in `text` itself.
fn after_symbol<'a>(text: &'a str, gene: &str) -> Option<&'a str> {
    let symbol = text.get(..gene.len())?;
    symbol
        .eq_ignore_ascii_case(gene)
        .then(|| &text[gene.len()..])
}

/// The gene, from the gene column, the front of the result, or both (which must agree), and
/// the result left to read (for HLA, an allele written in the gene column comes first).
fn gene_of(
    table: &AlleleTable,
    gene_field: &str,
    result: &str,
) -> Result<(String, String), NotRead> {
    let genes = &table.known_genes;
    let from_column = if gene_field.is_empty() {
        None
    } else {
        match strip_gene(genes, gene_field) {
            Some((gene, rest)) => Some((gene, rest.trim().to_owned())),
            None => {
                let first = gene_field.split([' ', '*']).next().unwrap_or(gene_field);
                return Err(NotRead::new(first, "not a gene Regimen knows"));
            }
        }
    };
    let in_text = strip_gene(genes, result);
    match (from_column, in_text) {
        (Some((gene, allele_in_column)), in_text) => {
            let rest = match in_text {
                Some((other, _)) if other != gene => {
                    return Err(NotRead::new(
                        &other,
                        "names another gene than the gene column",
                    ));
                }
                Some((_, rest)) => rest.to_owned(),
                None => result.to_owned(),
            };
            // "HLA-B*57:01" in the gene column and "positive" in the result.
            let rest = if allele_in_column.is_empty() {
                rest
            } else {
                format!("{allele_in_column} {rest}").trim().to_owned()
            };
            Ok((gene, rest))
        }
        (None, Some((gene, rest))) => Ok((gene, rest.to_owned())),
        // "*1/CYP2D6*4": the gene named only on a later allele (every gene named must be it).
        (None, None) => {
            let named: std::collections::BTreeSet<String> = crate::order::set(
                result
                    .split(['/', '|'])
                    .filter_map(|allele| strip_gene(genes, allele.trim()).map(|(gene, _)| gene)),
            );
            match named.len() {
                1 => Ok((
                    named.into_iter().next().unwrap_or_default(),
                    result.to_owned(),
                )),
                0 => Err(NotRead::new(result, "no gene is named")),
                _ => Err(NotRead::new(result, "names more than one gene")),
            }
        }
    }
}

/// Zygosity words and what they say.
#[derive(Clone, Copy, PartialEq)]
enum Zygosity {
    Homozygous,
    Heterozygous,
}

const ZYGOSITY_WORDS: &[(&str, Zygosity)] = &[
    ("homozygous", Zygosity::Homozygous),
    ("homozygote", Zygosity::Homozygous),
    ("hom", Zygosity::Homozygous),
    ("heterozygous", Zygosity::Heterozygous),
    ("heterozygote", Zygosity::Heterozygous),
    ("het", Zygosity::Heterozygous),
];

/// `text` without a zygosity word (in front, behind, or in brackets), and the word's
/// meaning.
fn take_zygosity(text: &str) -> (String, Option<Zygosity>) {
    let words: Vec<&str> = text.split(' ').collect();
    let bare = |w: &str| w.trim_matches(['(', ')', ',']).to_lowercase();
    let found = words.iter().enumerate().find_map(|(i, w)| {
        let w = bare(w);
        ZYGOSITY_WORDS
            .iter()
            .find(|(word, _)| w == *word)
            .map(|(_, z)| (i, *z))
    });
    match found {
        Some((index, zygosity)) if index == 0 || index == words.len() - 1 => {
            let rest: Vec<&str> = words
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != index)
                .map(|(_, w)| *w)
                .collect();
            (rest.join(" "), Some(zygosity))
        }
        _ => (text.to_owned(), None),
    }
}

/// Reads the alleles of a gene with phenotype rules.
fn alleles(table: &AlleleTable, gene: &str, text: &str) -> Result<Read, NotRead> {
    if text.is_empty() {
        return Err(NotRead::new(gene, "no result is given"));
    }
    if text
        .split(' ')
        .any(|w| w.eq_ignore_ascii_case("or") || w.eq_ignore_ascii_case("and"))
    {
        return Err(NotRead::new(
            "or",
            "the result lists more than one possibility",
        ));
    }
    if text.contains(';') {
        return several_variants(table, gene, text);
    }
    if let Some(read) = promoter_genotype(table, gene, text)? {
        return Ok(read);
    }
    let plain = named_alleles(table, gene, text);
    let lower = text.to_lowercase();
    match plain {
        Err(_)
            if lower.starts_with("rs") && lower[2..].starts_with(|c: char| c.is_ascii_digit()) =>
        {
            rsid_genotype(table, gene, text)
        }
        other => other,
    }
}

/// Alleles written by name (with zygosity words where they say enough).
fn named_alleles(table: &AlleleTable, gene: &str, text: &str) -> Result<Read, NotRead> {
    let (text, zygosity) = take_zygosity(text);
    let parts: Vec<&str> = text.split(['/', '|']).map(str::trim).collect();
    let reference = table.canonical(gene, "Reference").map(str::to_owned);
    match (parts.as_slice(), zygosity) {
        ([_, _, _, ..], _) => Err(NotRead::new(&text, "more than two alleles")),
        ([a, b], None) => {
            if a.is_empty() || b.is_empty() {
                return Err(NotRead::new(&text, "an allele is missing"));
            }
            let (a, b) = (allele(table, gene, a)?, allele(table, gene, b)?);
            Ok(pairs(&a, &b))
        }
        ([_, _], Some(_)) => Err(NotRead::new(&text, "a zygosity word with two alleles")),
        ([one], Some(Zygosity::Homozygous)) => {
            let a = allele(table, gene, one)?;
            Ok(pairs(&a, &a))
        }
        ([one], Some(Zygosity::Heterozygous)) => match &reference {
            Some(reference) => {
                let a = allele(table, gene, one)?;
                Ok(pairs(&Candidates::one(reference), &a))
            }
            None => Err(NotRead::new(
                "heterozygous",
                "the other allele is not stated",
            )),
        },
        ([""], None) => Err(NotRead::new(gene, "no result is given")),
        ([one], None) if one_allele_gene(gene) => {
            let a = allele(table, gene, one)?;
            Ok(Read::Alleles {
                readings: a.names.iter().map(|n| (n.clone(), None)).collect(),
                shown: a.names.join(" or "),
                incomplete: a.incomplete,
            })
        }
        ([one], None) => match &reference {
            // One variant and no zygosity: with Reference, or twice.
            Some(reference) => {
                let a = allele(table, gene, one)?;
                if a.names.len() != 1 || a.names[0] == *reference {
                    return Err(NotRead::new(one, "one allele where two are needed"));
                }
                let variant = &a.names[0];
                Ok(Read::Alleles {
                    readings: vec![
                        (reference.clone(), Some(variant.clone())),
                        (variant.clone(), Some(variant.clone())),
                    ],
                    shown: format!("{variant} (zygosity not stated)"),
                    incomplete: None,
                })
            }
            None => Err(NotRead::new(one, "one allele where two are needed")),
        },
        ([], _) => Err(NotRead::new(gene, "no result is given")),
    }
}

/// Several variants listed with `;` (a lab's list of what it found): which copy each lies on
/// is not known, so the result is read as undecided when every variant can be read.
fn several_variants(table: &AlleleTable, gene: &str, text: &str) -> Result<Read, NotRead> {
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (variant, _) = take_zygosity(part);
        allele(table, gene, &variant)?;
    }
    Ok(Read::Alleles {
        readings: Vec::new(),
        shown: text.to_owned(),
        incomplete: Some(
            "several variants are listed and which copy of the gene each is on is not known",
        ),
    })
}

/// The readings of one allele as written: one name, or several for an `xN` duplication.
struct Candidates {
    names: Vec<String>,
    incomplete: Option<&'static str>,
}

impl Candidates {
    fn one(name: &str) -> Self {
        Candidates {
            names: vec![name.to_owned()],
            incomplete: None,
        }
    }
}

/// Every pairing of two alleles' readings.
fn pairs(a: &Candidates, b: &Candidates) -> Read {
    let mut readings = Vec::new();
    for x in &a.names {
        for y in &b.names {
            readings.push((x.clone(), Some(y.clone())));
        }
    }
    let shown = |c: &Candidates| {
        if c.names.len() == 1 {
            c.names[0].clone()
        } else {
            // "*1xN": the common part before the copy number.
            c.names[0].split('x').next().unwrap_or_default().to_owned() + "xN"
        }
    };
    Read::Alleles {
        readings,
        shown: format!("{}/{}", shown(a), shown(b)),
        incomplete: a.incomplete.or(b.incomplete),
    }
}

/// One allele as written, in the table's spelling.
fn allele(table: &AlleleTable, gene: &str, written: &str) -> Result<Candidates, NotRead> {
    let not_read = || NotRead::new(written, "not an allele Regimen knows for this gene");
    let mut name = written.trim();
    // A gene prefix on this allele ("*1/CYP2D6*4").
    if let Some(rest) = after_symbol(name, gene)
        && (rest.starts_with('*') || rest.starts_with(' '))
    {
        name = rest.trim_start();
    } else if name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.contains('*')
        && !name.starts_with(['c', 'C', 'r', 'R'])
    {
        // Another gene's prefix ("CYP2C19*2" under CYP2D6).
        return Err(NotRead::new(
            name.split('*').next().unwrap_or(name),
            "names another gene",
        ));
    }
    // "* 4" is "*4".
    let compact: String = if name.starts_with('*') {
        name.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        name.to_owned()
    };
    if let Some(found) = table.canonical(gene, &compact) {
        return Ok(Candidates::one(found));
    }
    // HGVS names are written without their "c." (or MT-RNR1's "m.") prefix too.
    if compact.starts_with(|c: char| c.is_ascii_digit()) {
        for prefix in ["c.", "m."] {
            if let Some(found) = table.canonical(gene, &format!("{prefix}{compact}")) {
                return Ok(Candidates::one(found));
            }
        }
    }
    if let Some(read) = duplication(table, gene, &compact) {
        return read.ok_or_else(not_read);
    }
    // A PharmVar sub-allele, "*4.001": its core allele.
    if let Some((core, sub)) = compact.split_once('.')
        && core.starts_with('*')
        && sub.len() == 3
        && sub.bytes().all(|b| b.is_ascii_digit())
        && let Some(found) = table.canonical(gene, core)
    {
        return Ok(Candidates::one(found));
    }
    // MT-RNR1 variants are written with or without their "m." prefix, handled by aliases;
    // anything else is not an allele of the table.
    Err(not_read())
}

/// A CYP2D6-style duplication (`*1x2`, `*1x3`, `*1x≥3`, `*1xN`): `None` when `name` is
/// not one, `Some(None)` when it is one the table cannot read.
fn duplication(table: &AlleleTable, gene: &str, name: &str) -> Option<Option<Candidates>> {
    let lower = name.to_lowercase();
    let (base, copies) = lower.split_once('x')?;
    if !base.starts_with('*') || base.len() < 2 {
        return None;
    }
    let base = table.canonical(gene, base)?;
    let listed = table.names_starting(gene, &format!("{base}x"));
    let named = |n: &str| listed.iter().find(|l| **l == n).map(|l| (*l).to_owned());
    let at_least_three = named(&format!("{base}x≥3"));
    let candidates = match copies {
        "n" => {
            let names: Vec<String> = listed.iter().map(|l| (*l).to_owned()).collect();
            if names.is_empty() {
                return Some(None);
            }
            Candidates {
                incomplete: at_least_three.is_none().then_some(
                    "the number of copies is not stated and CPIC lists only some copy numbers of this allele",
                ),
                names,
            }
        }
        text => {
            let (open, digits) = match text.strip_prefix('≥') {
                Some(rest) => (true, rest),
                None => (false, text),
            };
            let count: u32 = digits.parse().ok()?;
            // Up to nine copies are seen in people; more is a typing slip ("x22" for "x2").
            if !(2..=9).contains(&count) {
                return Some(None);
            }
            let exact = (!open).then(|| named(&format!("{base}x{count}"))).flatten();
            match exact.or(if count >= 3 { at_least_three } else { None }) {
                Some(found) => Candidates::one(&found),
                None => return Some(None),
            }
        }
    };
    Some(Some(candidates))
}

/// The two bases of a genotype written `C/T`, `C|T` or `CT`.
fn two_bases(text: &str) -> Option<(char, char)> {
    let letters: Vec<char> = text
        .chars()
        .filter(|c| !matches!(c, '/' | '|' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    match letters.as_slice() {
        [a, b] if "ACGT".contains(*a) && "ACGT".contains(*b) => Some((*a, *b)),
        _ => None,
    }
}

fn complement(base: char) -> char {
    match base {
        'A' => 'T',
        'T' => 'A',
        'C' => 'G',
        _ => 'C',
    }
}

/// `rs3918290 C/T` or `rs3918290 heterozygous`: a single-variant allele by its rsID.
fn rsid_genotype(table: &AlleleTable, gene: &str, text: &str) -> Result<Read, NotRead> {
    let (rsid, rest) = text.split_once(' ').unwrap_or((text, ""));
    let rest = rest.trim();
    let known = table.rsid(gene, rsid);
    if known.is_empty() {
        return Err(NotRead::new(
            rsid,
            "a single variant Regimen cannot read as a full result for this gene",
        ));
    }
    // The reference allele: "Reference", or the rsID's own reference name (VKORC1).
    let reference = table
        .canonical(gene, "Reference")
        .map(str::to_owned)
        .or_else(|| {
            table
                .names_starting(gene, &format!("{} reference", rsid.to_lowercase()))
                .first()
                .map(|n| (*n).to_owned())
        })
        .ok_or_else(|| NotRead::new(rsid, "no reference allele is known for this variant"))?;
    let (variant, copies) = match take_zygosity(rest) {
        (left, Some(zygosity)) if left.is_empty() => match known.as_slice() {
            [one] => (
                one.canonical.clone(),
                if zygosity == Zygosity::Heterozygous {
                    1
                } else {
                    2
                },
            ),
            _ => {
                return Err(NotRead::new(
                    rsid,
                    "this rsID has several variants: the bases are needed",
                ));
            }
        },
        _ => variant_from_bases(&known, rest)?,
    };
    let reading = match copies {
        0 => (reference.clone(), reference),
        1 => (reference, variant),
        _ => (variant.clone(), variant),
    };
    Ok(Read::Alleles {
        shown: format!("{}/{}", reading.0, reading.1),
        readings: vec![(reading.0, Some(reading.1))],
        incomplete: None,
    })
}

/// Which variant of an rsID two bases (`C/T`) show, and in how many copies: read on the
/// plus strand, or on the other strand when that cannot be mistaken for it.
fn variant_from_bases(
    known: &[&super::alleles::Alias],
    written: &str,
) -> Result<(String, usize), NotRead> {
    let unreadable = || NotRead::new(written, "the genotype of this variant cannot be read");
    let (x, y) =
        two_bases(written).ok_or_else(|| NotRead::new(written, "expected two bases, like C/T"))?;
    let mut found: Option<(String, usize)> = None;
    for alias in known {
        let Some((plus_ref, plus_alt)) = &alias.bases else {
            continue;
        };
        let (Some(r), Some(v)) = (single_base(plus_ref), single_base(plus_alt)) else {
            return Err(unreadable());
        };
        let fits = |r: char, v: char| [x, y].iter().all(|b| *b == r || *b == v);
        let count = |alt: char| usize::from(x == alt) + usize::from(y == alt);
        let palindromic = complement(r) == v;
        let this = if fits(r, v) {
            let n = count(v);
            if palindromic && n != 1 {
                return Err(NotRead::new(
                    written,
                    "which DNA strand these bases are on is not stated",
                ));
            }
            Some(n)
        } else if fits(complement(r), complement(v)) {
            Some(count(complement(v)))
        } else {
            None
        };
        if let Some(n) = this {
            // Two reference bases fit every variant of the rsID alike.
            if found.as_ref().is_some_and(|(_, m)| *m != n || n != 0) {
                return Err(unreadable());
            }
            found = Some((alias.canonical.clone(), n));
        }
    }
    found.ok_or_else(|| NotRead::new(written, "these bases are not this variant's"))
}

/// The one base of `text` (`C`), if it is one.
fn single_base(text: &str) -> Option<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if "ACGT".contains(c) => Some(c),
        _ => None,
    }
}

/// `-1639 AA`, `-1639 GA`, `-1639G>A heterozygous`: the VKORC1 promoter genotype, in the
/// gene's orientation.
fn promoter_genotype(table: &AlleleTable, gene: &str, text: &str) -> Result<Option<Read>, NotRead> {
    if gene != "VKORC1" {
        return Ok(None);
    }
    let compact = fold(text).replace("c.", "");
    let Some(rest) = compact.strip_prefix("-1639") else {
        return Ok(None);
    };
    let reference = table
        .names_starting(gene, "rs9923231 reference")
        .first()
        .map(|n| (*n).to_owned());
    let variant = table
        .names_starting(gene, "rs9923231 variant")
        .first()
        .map(|n| (*n).to_owned());
    let (Some(reference), Some(variant)) = (reference, variant) else {
        return Err(NotRead::new(
            text,
            "not an allele Regimen knows for this gene",
        ));
    };
    // The gene's own strand: G is the reference, A the variant.
    let variants = if let Some(zygosity) = rest.strip_prefix("g>a") {
        match zygosity {
            "heterozygous" | "het" | "(het)" | "heterozygote" => 1,
            "homozygous" | "hom" | "(hom)" | "homozygote" => 2,
            _ => {
                return Err(NotRead::new(
                    text,
                    "the genotype of this variant cannot be read",
                ));
            }
        }
    } else {
        match rest.to_uppercase().as_str() {
            "GG" | "G/G" => 0,
            "AG" | "GA" | "G/A" | "A/G" => 1,
            "AA" | "A/A" => 2,
            _ => return Err(NotRead::new(text, "expected the two bases, like -1639 AG")),
        }
    };
    let reading = match variants {
        0 => (reference.clone(), reference),
        1 => (reference, variant),
        _ => (variant.clone(), variant),
    };
    Ok(Some(Read::Alleles {
        shown: format!("{}/{}", reading.0, reading.1),
        readings: vec![(reading.0, Some(reading.1))],
        incomplete: None,
    }))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// Text left as it is by the shortcut is what the full cleaning makes of it.
        #[test]
        fn the_shortcut_cleans_as_the_full_cleaning_does(
            text in "[ -~\t\n\r]{0,30}|[*/ A-Za-z0-9:>=]{0,30}"
        ) {
            prop_assert_eq!(super::clean(&text), super::clean_any(&text));
        }
    }
}
