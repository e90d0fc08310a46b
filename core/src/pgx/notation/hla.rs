//! HLA results, read as IPD-IMGT/HLA names and the status words labs use, and turned into
//! CPIC's allele status for each allele of interest (HLA-A `*31:01`; HLA-B `*15:02`, `*57:01`,
//! `*58:01`).
//!
//! What is read:
//! - names with 1 to 4 fields, with or without `HLA-B` or the locus letter (`B*57:01`,
//!   `*57:01:01:02`), and the older names without colons (`*5701`, `*570101`, `*57010102`);
//!   a serological name (`B57`) is one field; expression suffixes (`N`, `L`, `S`, `Q`, and
//!   `G`/`P` groups) are not read;
//! - a status in words after the allele: positive, present, detected, carrier, pos; negative,
//!   absent, not detected, non-carrier, neg. An allele without a status was found (present);
//! - a genotype: two alleles joined by `/`, `,` or GL String `+`;
//! - several statements separated by `;`.
//!
//! What each says of an allele of interest W:
//! - a genotype decides every W: positive if either allele is W at two fields or more,
//!   negative if both are other alleles at that resolution; a one-field allele of W's group
//!   leaves W Indeterminate (`*57` may be `*57:01` or `*57:03`);
//! - a status about W decides W; a negative status about W's group (`*57 negative`) makes W
//!   negative, a positive one leaves it Indeterminate; a status about another allele says
//!   nothing about W (the second copy is not known).
//!
//! Statements that contradict each other are not read.

use super::NotRead;

/// The HLA alleles CPIC keys recommendations by, for an HLA gene.
pub(crate) fn alleles_of_interest(gene: &str) -> Option<&'static [&'static str]> {
    match gene {
        "HLA-A" => Some(&["*31:01"]),
        "HLA-B" => Some(&["*15:02", "*57:01", "*58:01"]),
        _ => None,
    }
}

/// What a result says of one allele of interest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Positive,
    Negative,
    /// Said something, but not enough to decide (low resolution).
    Indeterminate,
}

/// One HLA allele as read: its fields (`[57, 1]` for `*57:01`), one to four.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Name {
    fields: Vec<u32>,
}

impl Name {
    /// Whether this allele is `wanted` (two fields), `Some(false)` if it is not, `None` if
    /// its resolution cannot tell.
    fn is(&self, wanted: &Name) -> Option<bool> {
        if self.fields[0] != wanted.fields[0] {
            return Some(false);
        }
        if self.fields.len() < 2 {
            return None;
        }
        Some(self.fields[1] == wanted.fields[1])
    }
}

/// One statement of a result.
enum Statement {
    /// Two alleles: the whole genotype.
    Genotype(Name, Name),
    /// One allele found (`true`) or not found (`false`).
    Status(Name, bool),
}

/// The status of each allele of interest of `gene` that `text` decides or leaves
/// Indeterminate; alleles it says nothing of are left out.
pub(crate) fn read(gene: &str, text: &str) -> Result<Vec<(&'static str, Status)>, NotRead> {
    let of_interest = alleles_of_interest(gene).unwrap_or(&[]);
    let statements = text
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| statement(gene, s))
        .collect::<Result<Vec<_>, _>>()?;
    if statements.is_empty() {
        return Err(NotRead::new(text, "no HLA allele is named"));
    }
    let mut out = Vec::new();
    for wanted_text in of_interest {
        let wanted =
            parse_name(wanted_text).ok_or_else(|| NotRead::new(wanted_text, "internal"))?;
        let mut found: Option<Status> = None;
        for said in &statements {
            let status = match said {
                Statement::Genotype(a, b) => match (a.is(&wanted), b.is(&wanted)) {
                    (Some(true), _) | (_, Some(true)) => Some(Status::Positive),
                    (Some(false), Some(false)) => Some(Status::Negative),
                    _ => Some(Status::Indeterminate),
                },
                Statement::Status(name, present) => match (name.is(&wanted), present) {
                    (Some(true), true) => Some(Status::Positive),
                    (Some(true), false) => Some(Status::Negative),
                    // `*57 negative`: no allele of the group, so not W either.
                    (None, false) => Some(Status::Negative),
                    (None, true) => Some(Status::Indeterminate),
                    (Some(false), _) => None,
                },
            };
            found = match (found, status) {
                (None, s) | (s, None) => s,
                (Some(a), Some(b)) if a == b => Some(a),
                (Some(Status::Indeterminate), Some(decided))
                | (Some(decided), Some(Status::Indeterminate)) => Some(decided),
                (Some(_), Some(_)) => {
                    return Err(NotRead::new(
                        text,
                        "the result says both positive and negative for one allele",
                    ));
                }
            };
        }
        if let Some(status) = found {
            out.push((*wanted_text, status));
        }
    }
    Ok(out)
}

/// Status words, longest first so that "not detected" is not read as "detected".
const STATUS_WORDS: &[(&str, bool)] = &[
    ("not detected", false),
    ("non-carrier", false),
    ("noncarrier", false),
    ("not present", false),
    ("negative", false),
    ("absent", false),
    ("neg", false),
    ("positive", true),
    ("detected", true),
    ("present", true),
    ("carrier", true),
    ("pos", true),
];

fn statement(gene: &str, text: &str) -> Result<Statement, NotRead> {
    let lower = text.to_lowercase();
    let mut rest = text;
    let mut status = None;
    for (word, present) in STATUS_WORDS {
        if lower.ends_with(word) {
            let cut = text.len() - word.len();
            let before = &text[..cut];
            // A whole word: "pos" must not be the end of another word.
            if before.is_empty() || before.ends_with([' ', ':', '(', ',']) {
                rest = before.trim_end_matches([' ', ':', '(', ',']).trim();
                status = Some(*present);
                break;
            }
        }
    }
    let rest = rest.trim_end_matches(')').trim();
    let names: Vec<&str> = rest
        .split(['/', ',', '+'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let parsed = names
        .iter()
        .map(|n| {
            name_in(gene, n)
                .ok_or_else(|| NotRead::new(n, "not an HLA allele name Regimen can read"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    match (parsed.as_slice(), status) {
        ([], Some(_)) => Err(NotRead::new(
            text,
            "a status without the allele it is about",
        )),
        ([one], Some(present)) => Ok(Statement::Status(one.clone(), present)),
        ([one], None) => Ok(Statement::Status(one.clone(), true)),
        ([a, b], None) => Ok(Statement::Genotype(a.clone(), b.clone())),
        ([_, _], Some(_)) => Err(NotRead::new(text, "a status for two alleles at once")),
        _ => Err(NotRead::new(text, "more than two HLA alleles")),
    }
}

/// An allele name of `gene` as written in a result: with or without `HLA-B`, the locus
/// letter or the star.
fn name_in(gene: &str, text: &str) -> Option<Name> {
    let locus = gene.strip_prefix("HLA-")?;
    let upper = text.trim().to_uppercase();
    let mut rest = upper.as_str();
    rest = rest.strip_prefix(gene).unwrap_or(rest).trim_start();
    if let Some(after) = rest.strip_prefix(locus) {
        // "B*57:01", or serological "B57".
        if after.starts_with('*') || after.starts_with(|c: char| c.is_ascii_digit()) {
            rest = after;
        }
    }
    let rest = rest.strip_prefix('*').unwrap_or(rest).trim();
    if rest.is_empty() {
        return None;
    }
    parse_name(&format!("*{rest}"))
}

/// `*57:01`, `*57:01:01:02`, `*5701`, `*570101`, `*57`: the fields of an allele name.
fn parse_name(text: &str) -> Option<Name> {
    let body = text.strip_prefix('*')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    let fields: Vec<u32> = if body.contains(':') {
        let parts: Vec<&str> = body.split(':').collect();
        if parts.len() > 4 || !parts.iter().all(|p| digits(p)) {
            return None;
        }
        parts
            .iter()
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?
    } else {
        // Names from before 2010 wrote the fields as pairs of digits.
        if !body.bytes().all(|b| b.is_ascii_digit()) || !matches!(body.len(), 2 | 4 | 6 | 8) {
            return None;
        }
        (0..body.len())
            .step_by(2)
            .map(|i| body[i..i + 2].parse().ok())
            .collect::<Option<_>>()?
    };
    if fields.is_empty() || fields[0] == 0 {
        return None;
    }
    Some(Name { fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(gene: &str, text: &str) -> Vec<(&'static str, Status)> {
        read(gene, text).unwrap()
    }

    #[test]
    fn old_and_new_names_read_the_same() {
        for text in [
            "*57:01 positive",
            "*5701 positive",
            "B*57:01:01:02 positive",
            "HLA-B*570101 pos",
        ] {
            assert_eq!(
                statuses("HLA-B", text),
                [("*57:01", Status::Positive)],
                "{text}"
            );
        }
    }

    #[test]
    fn not_detected_is_negative() {
        assert_eq!(
            statuses("HLA-B", "*57:01 not detected"),
            [("*57:01", Status::Negative)]
        );
    }

    #[test]
    fn a_genotype_decides_every_allele_and_low_resolution_does_not() {
        assert_eq!(
            statuses("HLA-B", "*57:01/*44:03"),
            [
                ("*15:02", Status::Negative),
                ("*57:01", Status::Positive),
                ("*58:01", Status::Negative)
            ]
        );
        assert_eq!(
            statuses("HLA-B", "*57/*44"),
            [
                ("*15:02", Status::Negative),
                ("*57:01", Status::Indeterminate),
                ("*58:01", Status::Negative)
            ]
        );
        assert_eq!(
            statuses("HLA-B", "*57 negative"),
            [("*57:01", Status::Negative)]
        );
        assert!(read("HLA-B", "positive").is_err());
        assert!(read("HLA-B", "*57:01N").is_err());
    }
}
