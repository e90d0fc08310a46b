//! PGx results as HL7 Genomics Reporting (STU3) genotype `Observation`s, grouped into
//! `DiagnosticReport`s (Genetic analysis report) by lab and test date.
//!
//! A genotype Observation: category laboratory and genetics (v2-0074 `GE`), code LOINC 84413-4
//! "Genotype display name", the result as the source gave it in `valueCodeableConcept.text`,
//! the gene in a component LOINC 48018-6 "Gene studied [ID]" coded in HGNC, the test date as
//! `effectiveDateTime`, the lab as the performer's display. That is what Regimen's own PGx
//! importer reads (`pgx::import`). Regimen's extensions carry where the result came from, when
//! it was recorded, the other diplotypes a report gave as possible, and whether the gene was
//! left empty (the result names it).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::PortablePgx;
use super::ext::{instant, instant_json, one, one_member, ours, simple, text, value};
use super::ids::{Kind, Names, row_id};
use crate::error::{Error, Result};
use crate::interop::fhir::datatypes::{concept, concept_json};
use crate::interop::fhir::json::{boolean, element, list, object, parse_code, string};
use crate::pgx::{NewPgxResult, PgxSource};
use crate::schedule::LocalDate;

/// LOINC.
pub(super) const LOINC: &str = "http://loinc.org";
/// HGNC gene ids, as the Genomics Reporting guide codes the gene studied.
pub(super) const HGNC: &str = "http://www.genenames.org/geneId";
/// The genotype profile of HL7 Genomics Reporting.
pub(super) const GENOTYPE_PROFILE: &str =
    "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genotype";
/// The report profile of HL7 Genomics Reporting.
pub(super) const REPORT_PROFILE: &str =
    "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomics-report";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// HL7 v2 table 0074 (diagnostic service sections): `GE`, genetics.
const V2_0074: &str = "http://terminology.hl7.org/CodeSystem/v2-0074";

/// The HGNC ids of the genes Regimen reads (CPIC's gene table, cpicpgx/cpic-data; DPYD's id
/// from HGNC, which that table's first release gives wrongly as its NCBI id).
const HGNC_IDS: &[(&str, &str)] = &[
    ("ABCG2", "HGNC:74"),
    ("CACNA1S", "HGNC:1397"),
    ("CFTR", "HGNC:1884"),
    ("CYP2B6", "HGNC:2615"),
    ("CYP2C19", "HGNC:2621"),
    ("CYP2C9", "HGNC:2623"),
    ("CYP2D6", "HGNC:2625"),
    ("CYP3A4", "HGNC:2637"),
    ("CYP3A5", "HGNC:2638"),
    ("CYP4F2", "HGNC:2645"),
    ("DPYD", "HGNC:3012"),
    ("G6PD", "HGNC:4057"),
    ("HLA-A", "HGNC:4931"),
    ("HLA-B", "HGNC:4932"),
    ("IFNL3", "HGNC:18365"),
    ("MT-RNR1", "HGNC:7470"),
    ("NAT2", "HGNC:7646"),
    ("NUDT15", "HGNC:23063"),
    ("RYR1", "HGNC:10483"),
    ("SLCO1B1", "HGNC:10959"),
    ("TPMT", "HGNC:12014"),
    ("UGT1A1", "HGNC:12530"),
    ("VKORC1", "HGNC:23663"),
];

/// The HGNC id of a gene symbol, if Regimen knows it.
pub(super) fn hgnc_id(gene: &str) -> Option<&'static str> {
    HGNC_IDS
        .iter()
        .find(|(symbol, _)| symbol.eq_ignore_ascii_case(gene))
        .map(|(_, id)| *id)
}

/// A serde enum's code.
fn code_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The gene an Observation names: the one recorded, else the one Regimen read in the result.
fn gene_of(pgx: &PortablePgx) -> Option<&str> {
    Some(pgx.result.gene.as_str())
        .filter(|g| !g.is_empty())
        .or(pgx.read_gene.as_deref())
}

/// A result as a genotype `Observation`.
pub(super) fn observation(names: &Names, pgx: &PortablePgx) -> Value {
    let result = &pgx.result;
    let gene = gene_of(pgx).map(|gene| {
        let coded = match hgnc_id(gene) {
            Some(id) => concept_json(HGNC, id, Some(gene)),
            None => element([("text", gene.into())]),
        };
        vec![element([
            (
                "code",
                concept_json(LOINC, "48018-6", Some("Gene studied [ID]")),
            ),
            ("valueCodeableConcept", coded),
        ])]
    });
    let mut extensions = vec![
        simple("pgx-source", "valueCode", code_of(&result.source)),
        simple("recorded", "valueDateTime", instant_json(pgx.recorded_at)),
    ];
    extensions.extend(
        result
            .other_diplotypes
            .iter()
            .map(|d| simple("other-diplotype", "valueString", d.as_str().into())),
    );
    if result.gene.is_empty() {
        extensions.push(simple("gene-recorded", "valueBoolean", false.into()));
    }
    element([
        ("resourceType", "Observation".into()),
        ("id", names.uuid(Kind::PgxResult, pgx.id).into()),
        (
            "meta",
            element([("profile", vec![GENOTYPE_PROFILE].into())]),
        ),
        ("extension", extensions.into()),
        (
            "identifier",
            super::ids::identifier(Kind::PgxResult, pgx.id),
        ),
        ("status", "final".into()),
        (
            "category",
            Value::from(vec![
                concept_json(OBSERVATION_CATEGORY, "laboratory", None),
                concept_json(V2_0074, "GE", None),
            ]),
        ),
        (
            "code",
            concept_json(LOINC, "84413-4", Some("Genotype display name")),
        ),
        ("subject", names.reference(Kind::Patient, 0)),
        (
            "effectiveDateTime",
            result.test_date.map(|d| d.to_string()).into(),
        ),
        (
            "performer",
            result
                .lab
                .as_deref()
                .map(|lab| one_member("display", lab.into()))
                .into(),
        ),
        (
            "valueCodeableConcept",
            element([("text", result.diplotype.as_str().into())]),
        ),
        ("component", gene.into()),
    ])
}

/// The results grouped into reports: by lab and test date, in the order of each group's
/// first result.
pub(super) fn reports(results: &[PortablePgx]) -> Vec<Vec<&PortablePgx>> {
    let mut groups: BTreeMap<(Option<&str>, Option<LocalDate>), usize> = BTreeMap::new();
    let mut out: Vec<Vec<&PortablePgx>> = Vec::new();
    for pgx in results {
        let key = (pgx.result.lab.as_deref(), pgx.result.test_date);
        match groups.get(&key) {
            Some(&index) => out[index].push(pgx),
            None => {
                groups.insert(key, out.len());
                out.push(vec![pgx]);
            }
        }
    }
    out
}

/// A group of results as a `DiagnosticReport`, named by its first result.
pub(super) fn report(names: &Names, group: &[&PortablePgx]) -> Value {
    let first = group[0];
    let results: Vec<Value> = group
        .iter()
        .map(|pgx| names.reference(Kind::PgxResult, pgx.id))
        .collect();
    element([
        ("resourceType", "DiagnosticReport".into()),
        ("id", names.uuid(Kind::PgxReport, first.id).into()),
        ("meta", element([("profile", vec![REPORT_PROFILE].into())])),
        ("status", "final".into()),
        ("category", vec![concept_json(V2_0074, "GE", None)].into()),
        (
            "code",
            concept_json(LOINC, "51969-4", Some("Genetic analysis report")),
        ),
        ("subject", names.reference(Kind::Patient, 0)),
        (
            "effectiveDateTime",
            first.result.test_date.map(|d| d.to_string()).into(),
        ),
        (
            "performer",
            first
                .result
                .lab
                .as_deref()
                .map(|lab| one_member("display", lab.into()))
                .into(),
        ),
        ("result", results.into()),
    ])
}

/// Whether a resource's `code` has the LOINC code `loinc` among its codings.
pub(super) fn coded_in_loinc(map: &Map<String, Value>, loinc: &str) -> bool {
    map.get("code")
        .and_then(|c| c.get("coding"))
        .and_then(Value::as_array)
        .is_some_and(|codings| {
            codings.iter().any(|c| {
                c.get("system").and_then(Value::as_str) == Some(LOINC)
                    && c.get("code").and_then(Value::as_str) == Some(loinc)
            })
        })
}

/// Whether an Observation is a genotype (LOINC 84413-4).
pub(super) fn is_genotype(map: &Map<String, Value>) -> bool {
    coded_in_loinc(map, "84413-4")
}

/// A genotype `Observation` of an export read back.
pub(super) fn read_observation(map: &Map<String, Value>) -> Result<PortablePgx> {
    let id = row_id(map, Kind::PgxResult)?;
    let field = "Observation.valueCodeableConcept";
    let diplotype = map
        .get("valueCodeableConcept")
        .ok_or_else(|| Error::invalid(field, "a genotype needs its result"))
        .and_then(|v| concept(v, field))?
        .text
        .ok_or_else(|| Error::invalid(field, "a genotype needs its result as text"))?
        .to_owned();
    let mut gene = None;
    for component in list(map, "component", "Observation.component", object)? {
        let field = "Observation.component";
        let code = component
            .get("code")
            .ok_or_else(|| Error::invalid(field, "needs a code"))
            .and_then(|c| concept(c, field))?;
        if code.code_in(LOINC) != Some("48018-6") {
            continue;
        }
        let studied = component
            .get("valueCodeableConcept")
            .ok_or_else(|| Error::invalid(field, "the gene studied needs a value"))
            .and_then(|v| concept(v, field))?;
        gene = studied
            .text
            .or_else(|| studied.coding.iter().find_map(|c| c.display))
            .map(str::to_owned);
    }
    let test_date = map
        .get("effectiveDateTime")
        .map(|v| {
            string(v, "Observation.effectiveDateTime")?
                .parse::<LocalDate>()
                .map_err(|_| {
                    Error::invalid(
                        "Observation.effectiveDateTime",
                        "the test date is a date like 2025-03-01",
                    )
                })
        })
        .transpose()?;
    let lab = list(map, "performer", "Observation.performer", object)?
        .first()
        .and_then(|p| p.get("display"))
        .map(|d| text(d, "Observation.performer.display"))
        .transpose()?;
    let field = "Observation.extension";
    let exts = ours(map, field)?;
    let source = one(&exts, "pgx-source", field)?
        .ok_or_else(|| Error::invalid(field, "needs where the result came from"))
        .and_then(|ext| string(value(ext, "valueCode", field)?, field))
        .and_then(|code| {
            parse_code::<PgxSource>(code)
                .ok_or_else(|| Error::invalid(field, "not a result source Regimen knows"))
        })?;
    let recorded_at = one(&exts, "recorded", field)?
        .ok_or_else(|| Error::invalid(field, "needs when the result was recorded"))
        .and_then(|ext| instant(value(ext, "valueDateTime", field)?, field))?;
    let other_diplotypes = exts
        .iter()
        .filter(|(name, _)| *name == "other-diplotype")
        .map(|(_, ext)| text(value(ext, "valueString", field)?, field))
        .collect::<Result<Vec<_>>>()?;
    let gene_recorded = match one(&exts, "gene-recorded", field)? {
        Some(ext) => boolean(value(ext, "valueBoolean", field)?, field)?,
        None => true,
    };
    let gene = match (gene_recorded, gene) {
        (false, _) => String::new(),
        (true, Some(gene)) => gene,
        (true, None) => {
            return Err(Error::invalid(
                "Observation.component",
                "a genotype needs its gene studied (LOINC 48018-6)",
            ));
        }
    };
    Ok(PortablePgx {
        id,
        result: NewPgxResult {
            gene,
            diplotype,
            source,
            test_date,
            lab,
            other_diplotypes,
        },
        recorded_at,
        read_gene: None,
    })
}
