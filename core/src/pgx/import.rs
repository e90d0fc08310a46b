//! Reading PGx results as patients and labs hand them over. The format is detected:
//! - a PharmCAT report, JSON (`*.report.json`) or TSV (`*.report.tsv`): each gene's source
//!   diplotype, with the report's date and PharmCAT's version as the lab;
//! - a lab's list: JSON (`[{"gene": "CYP2D6", "diplotype": "*1/*4"}]`, or an object with a
//!   `results` array and optional `test_date` and `lab`), or CSV/TSV lines `gene,diplotype`
//!   (PharmCAT's outside-call files have this shape).
//!
//! - FHIR Genomics Reporting: genotype Observations (LOINC 84413-4) with the gene studied as
//!   a component (LOINC 48018-6), alone, in a Bundle, or contained in a DiagnosticReport.
//!
//! Genes without a call (`Unknown/Unknown`) are left out. Errors name the line or field,
//! never its content.

use serde_json::Value;

use super::results::{MAX_RESULTS_PER_ADD, NewPgxResult, PgxSource};
use crate::error::{Error, Result};
use crate::schedule::LocalDate;

/// Largest file read.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// Results read from a file, and the format it was read as.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The results, in file order.
    pub results: Vec<NewPgxResult>,
    /// What the file was read as.
    pub format: &'static str,
}

/// Reads results from `text`, detecting its format.
pub fn parse(text: &str) -> Result<Parsed> {
    if text.len() > MAX_BYTES {
        return Err(Error::invalid("file", "larger than 16 MiB"));
    }
    // Only line ends come off the end: a TSV's last row may end in an empty cell.
    let trimmed = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .trim_end_matches(['\n', '\r']);
    if trimmed.is_empty() {
        return Err(Error::invalid("file", "is empty"));
    }
    let parsed = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let json: Value =
            serde_json::from_str(trimmed).map_err(|_| Error::invalid("file", "not valid JSON"))?;
        if json.get("pharmcatVersion").is_some() {
            Parsed {
                results: pharmcat_json(&json)?,
                format: "PharmCAT report (JSON)",
            }
        } else if json.get("resourceType").is_some() {
            Parsed {
                results: fhir(&json)?,
                format: "FHIR Genomics Reporting",
            }
        } else {
            Parsed {
                results: list_json(&json)?,
                format: "list of genes and diplotypes (JSON)",
            }
        }
    } else if trimmed.starts_with("PharmCAT") {
        Parsed {
            results: pharmcat_tsv(trimmed)?,
            format: "PharmCAT report (TSV)",
        }
    } else {
        Parsed {
            results: list_lines(trimmed)?,
            format: "list of genes and diplotypes (CSV/TSV)",
        }
    };
    if parsed.results.is_empty() {
        return Err(Error::invalid("file", "holds no gene result"));
    }
    Ok(parsed)
}

/// Adds a result, refusing a file with more results than one import may store: a file of a
/// million rows ends here, after at most 500 results, not after a million allocations.
fn keep(out: &mut Vec<NewPgxResult>, result: NewPgxResult) -> Result<()> {
    if out.len() == MAX_RESULTS_PER_ADD {
        return Err(too_many());
    }
    out.push(result);
    Ok(())
}

fn too_many() -> Error {
    Error::invalid(
        "file",
        format!("holds more than {MAX_RESULTS_PER_ADD} gene results"),
    )
}

/// Whether a diplotype is a call rather than PharmCAT's "no call".
fn is_call(diplotype: &str) -> bool {
    let d = diplotype.trim();
    !d.is_empty()
        && d.split('/')
            .all(|allele| !allele.trim().eq_ignore_ascii_case("unknown"))
}

fn pharmcat_json(report: &Value) -> Result<Vec<NewPgxResult>> {
    let lab = report["pharmcatVersion"]
        .as_str()
        .map(|v| format!("PharmCAT {v}"));
    let test_date = report["timestamp"]
        .as_str()
        .and_then(|t| t.get(..10))
        .and_then(|d| d.parse::<LocalDate>().ok());
    let genes = report["genes"]
        .as_object()
        .ok_or_else(|| Error::invalid("genes", "a PharmCAT report needs a genes object"))?;
    let mut out = Vec::new();
    for (gene, call) in genes {
        // PharmCAT lists every diplotype that fits the data: all are kept.
        let labels: Vec<&str> = call["sourceDiplotypes"]
            .as_array()
            .map(|all| all.iter().filter_map(|d| d["label"].as_str()).collect())
            .unwrap_or_default();
        let Some((first, others)) = labels.split_first() else {
            continue;
        };
        if is_call(first) {
            keep(
                &mut out,
                NewPgxResult {
                    gene: gene.clone(),
                    diplotype: (*first).to_owned(),
                    source: PgxSource::PharmCat,
                    test_date,
                    lab: lab.clone(),
                    other_diplotypes: others.iter().map(|o| (*o).to_owned()).collect(),
                },
            )?;
        }
    }
    Ok(out)
}

fn pharmcat_tsv(text: &str) -> Result<Vec<NewPgxResult>> {
    let mut lines = text.lines();
    let lab = lines.next().map(|title| title.trim().to_owned());
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r')
        .split('\t')
        .collect();
    let column = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(gene_at), Some(diplotype_at)) = (column("Gene"), column("Source Diplotype")) else {
        return Err(Error::invalid(
            "file",
            "a PharmCAT TSV needs Gene and Source Diplotype columns",
        ));
    };
    let mut out = Vec::new();
    // Line numbers count from the file's first line (the title), as an editor shows them.
    for (index, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        // PharmCAT writes every column on every row: a row with fewer was cut short (a
        // truncated download), and its last cell may be cut too (`*38/*3` for `*38/*38`).
        if fields.len() != header.len() {
            return Err(Error::InvalidInput {
                field: "file",
                reason: format!(
                    "line {} has {} of the {} columns: the file looks cut short or damaged",
                    index + 3,
                    fields.len(),
                    header.len()
                ),
            });
        }
        let (gene, diplotype) = (fields[gene_at], fields[diplotype_at]);
        // The diplotype is the two haplotype columns joined: a mismatch is a damaged row.
        if let (Some(first), Some(second)) = (column("Haplotype 1"), column("Haplotype 2")) {
            let (first, second) = (fields[first].trim(), fields[second].trim());
            let joined = |a: &str, b: &str| format!("{a}/{b}");
            if is_call(diplotype)
                && !first.is_empty()
                && !second.is_empty()
                && diplotype.trim() != joined(first, second)
                && diplotype.trim() != joined(second, first)
            {
                return Err(Error::InvalidInput {
                    field: "file",
                    reason: format!(
                        "line {}: the diplotype does not match its two haplotype columns",
                        index + 3
                    ),
                });
            }
        }
        if is_call(diplotype) {
            keep(
                &mut out,
                NewPgxResult {
                    gene: gene.trim().to_owned(),
                    diplotype: diplotype.trim().to_owned(),
                    source: PgxSource::PharmCat,
                    test_date: None,
                    lab: lab.clone(),
                    other_diplotypes: Vec::new(),
                },
            )?;
        }
    }
    Ok(out)
}

fn list_json(json: &Value) -> Result<Vec<NewPgxResult>> {
    let (items, test_date, lab) = match json {
        Value::Array(items) => (items, None, None),
        Value::Object(map) => {
            let items = map
                .get("results")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    Error::invalid("results", "expected an array of {gene, diplotype}")
                })?;
            let date =
                match map.get("test_date").and_then(Value::as_str) {
                    Some(text) => Some(text.parse::<LocalDate>().map_err(|_| {
                        Error::invalid("test_date", "expected a date like 2025-06-01")
                    })?),
                    None => None,
                };
            (
                items,
                date,
                map.get("lab").and_then(Value::as_str).map(str::to_owned),
            )
        }
        _ => return Err(Error::invalid("file", "expected a list of results")),
    };
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| item["diplotype"].as_str().is_none_or(is_call))
        .take(MAX_RESULTS_PER_ADD + 1)
        .map(|(index, item)| {
            let text = |key: &str| {
                item[key]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| Error::InvalidInput {
                        field: "results",
                        reason: format!("item {index} needs a text {key}"),
                    })
            };
            // An HLA screen may give its status in a field of its own.
            let mut diplotype = text("diplotype")?;
            if let Some(status) = item["status"].as_str() {
                diplotype = format!("{diplotype} {status}");
            }
            Ok(NewPgxResult {
                gene: text("gene")?,
                diplotype,
                source: PgxSource::LabList,
                test_date,
                lab: lab.clone(),
                other_diplotypes: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>>>()
        .and_then(|results| {
            if results.len() > MAX_RESULTS_PER_ADD {
                return Err(too_many());
            }
            Ok(results)
        })
}

fn list_lines(text: &str) -> Result<Vec<NewPgxResult>> {
    let mut out = Vec::new();
    // Tab-separated if the first row has a tab, else comma-separated (with CSV quoting:
    // DPYD's HapB3 and many G6PD names hold commas).
    let tabs = text.lines().next().is_some_and(|l| l.contains('\t'));
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let columns = if tabs {
            line.split('\t').map(|c| c.trim().to_owned()).collect()
        } else {
            csv_fields(line).ok_or_else(|| Error::InvalidInput {
                field: "file",
                reason: format!("line {} has an unclosed quote", number + 1),
            })?
        };
        let [gene, result, extra @ ..] = columns.as_slice() else {
            return Err(Error::InvalidInput {
                field: "file",
                reason: format!("line {} is not gene,diplotype", number + 1),
            });
        };
        if number == 0 && gene.eq_ignore_ascii_case("gene") {
            continue; // a header
        }
        // Outside-call files may carry more columns (phenotype, activity score), which the
        // engine works out itself. A status or zygosity column is part of the result: an
        // HLA screen's "negative" must never be left behind.
        let mut result = result.clone();
        for column in extra.iter().filter(|c| is_status_or_zygosity(c)) {
            result = format!("{result} {column}");
        }
        if is_call(&result) {
            keep(
                &mut out,
                NewPgxResult {
                    gene: gene.clone(),
                    diplotype: result,
                    source: PgxSource::LabList,
                    test_date: None,
                    lab: None,
                    other_diplotypes: Vec::new(),
                },
            )?;
        }
    }
    Ok(out)
}

/// The fields of one CSV row (RFC 4180 quoting), trimmed; `None` for an unclosed quote.
fn csv_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field).trim().to_owned()),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field.trim().to_owned());
    Some(fields)
}

/// Whether a column holds words the normaliser reads as part of a result: an HLA status or
/// a zygosity.
fn is_status_or_zygosity(column: &str) -> bool {
    const WORDS: &[&str] = &[
        "positive",
        "negative",
        "present",
        "absent",
        "detected",
        "not detected",
        "carrier",
        "non-carrier",
        "pos",
        "neg",
        "homozygous",
        "heterozygous",
        "hom",
        "het",
    ];
    WORDS.iter().any(|w| column.eq_ignore_ascii_case(w))
}

/// LOINC: genotype display name.
const GENOTYPE: &str = "84413-4";
/// LOINC: gene studied.
const GENE_STUDIED: &str = "48018-6";

/// Whether a FHIR CodeableConcept has a LOINC coding with `code`.
fn has_loinc(concept: &Value, code: &str) -> bool {
    concept["coding"]
        .as_array()
        .is_some_and(|codings| codings.iter().any(|c| c["code"].as_str() == Some(code)))
}

/// A CodeableConcept's words: its text, else its first coding's display, else its code.
fn concept_text(concept: &Value) -> Option<String> {
    concept["text"]
        .as_str()
        .or_else(|| {
            concept["coding"]
                .get(0)
                .and_then(|c| c["display"].as_str().or(c["code"].as_str()))
        })
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Every resource in a FHIR document: itself, a Bundle's entries, contained resources.
fn resources(json: &Value) -> Vec<&Value> {
    let mut out = vec![json];
    if let Some(entries) = json["entry"].as_array() {
        out.extend(entries.iter().map(|e| &e["resource"]));
    }
    if let Some(contained) = json["contained"].as_array() {
        out.extend(contained);
    }
    out
}

fn fhir(json: &Value) -> Result<Vec<NewPgxResult>> {
    let mut out = Vec::new();
    for resource in resources(json) {
        if resource["resourceType"].as_str() != Some("Observation")
            || !has_loinc(&resource["code"], GENOTYPE)
        {
            continue;
        }
        let gene = resource["component"]
            .as_array()
            .and_then(|components| {
                components
                    .iter()
                    .find(|c| has_loinc(&c["code"], GENE_STUDIED))
            })
            .and_then(|c| concept_text(&c["valueCodeableConcept"]))
            .ok_or_else(|| {
                Error::invalid(
                    "component",
                    "a genotype Observation needs its gene studied (LOINC 48018-6)",
                )
            })?;
        let genotype = concept_text(&resource["valueCodeableConcept"])
            .or_else(|| resource["valueString"].as_str().map(str::to_owned))
            .ok_or_else(|| {
                Error::invalid(
                    "valueCodeableConcept",
                    "a genotype Observation needs its genotype",
                )
            })?;
        // "CYP2D6 *1/*4" names the gene again: the normaliser reads it either way.
        let diplotype = genotype;
        if !is_call(&diplotype) {
            continue;
        }
        let date = resource["effectiveDateTime"]
            .as_str()
            .or(resource["issued"].as_str())
            .and_then(|t| t.get(..10))
            .and_then(|d| d.parse::<LocalDate>().ok());
        keep(
            &mut out,
            NewPgxResult {
                gene,
                diplotype,
                source: PgxSource::Fhir,
                other_diplotypes: Vec::new(),
                test_date: date,
                lab: resource["performer"]
                    .get(0)
                    .and_then(|p| p["display"].as_str())
                    .map(str::to_owned),
            },
        )?;
    }
    Ok(out)
}
