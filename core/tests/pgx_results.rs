//! PGx results: importing PharmCAT reports and labs' lists, storing them sealed, reading
//! them back with phenotypes that agree with PharmCAT's own.

mod common;

use std::path::PathBuf;

use common::{at, store};
use regimen_core::Error;
use regimen_core::pgx::{AlleleTable, NewPgxResult, PgxSource, ReadingStatus, import};

fn example(name: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/pgx/pharmcat_examples")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("missing {}", path.display())
        }
        Err(_) => {
            eprintln!("SKIPPED: no PharmCAT example at {}", path.display());
            None
        }
    }
}

#[test]
fn a_pharmcat_json_report_gives_pharmcats_own_phenotypes_for_every_gene_regimen_knows() {
    let Some(text) = example("pharmcat.example.report.json") else {
        return;
    };
    let parsed = import::parse(&text).unwrap();
    assert_eq!(parsed.format, "PharmCAT report (JSON)");
    let table = AlleleTable::builtin().unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut compared = 0;
    for result in &parsed.results {
        assert_eq!(result.source, PgxSource::PharmCat);
        assert_eq!(
            result.test_date.map(|d| d.to_string()).as_deref(),
            Some("2025-11-14")
        );
        let reading = table.interpret(&result.gene, &result.diplotype, &result.other_diplotypes);
        if reading.status == ReadingStatus::NoRules {
            continue;
        }
        assert_eq!(
            reading.status,
            ReadingStatus::Interpreted,
            "{}",
            result.gene
        );
        let mut ours: Vec<String> = reading.calls.into_iter().map(|c| c.phenotype).collect();
        ours.sort();
        let mut theirs: Vec<String> =
            report["genes"][&result.gene]["sourceDiplotypes"][0]["phenotypes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_owned())
                .filter(|p| p != "n/a")
                .collect();
        theirs.sort();
        if !theirs.is_empty() {
            assert_eq!(ours, theirs, "{}", result.gene);
            compared += 1;
        }
    }
    assert!(compared >= 18, "compared {compared} genes");
    let cyp2d6 = parsed.results.iter().find(|r| r.gene == "CYP2D6").unwrap();
    assert_eq!(cyp2d6.diplotype, "*1/*3");
    let mt = table.interpret("MT-RNR1", "1555A>G", &[]).calls;
    assert_eq!(
        mt[0].phenotype,
        "increased risk of aminoglycoside-induced hearing loss"
    );
}

#[test]
fn a_pharmcat_tsv_report_and_an_outside_call_list_are_read_and_no_calls_left_out() {
    let (Some(tsv), Some(outside)) = (
        example("pharmcat.example2.report.tsv"),
        example("pharmcat.example.outsideCall.tsv"),
    ) else {
        return;
    };
    let parsed = import::parse(&tsv).unwrap();
    assert_eq!(parsed.format, "PharmCAT report (TSV)");
    let genes: Vec<&str> = parsed.results.iter().map(|r| r.gene.as_str()).collect();
    assert!(genes.contains(&"CYP2C19"));
    assert!(
        !genes.contains(&"CYP2D6"),
        "CYP2D6 has no call in this report"
    );
    let table = AlleleTable::builtin().unwrap();
    let cyp2c19 = parsed.results.iter().find(|r| r.gene == "CYP2C19").unwrap();
    assert_eq!(
        table.interpret("CYP2C19", &cyp2c19.diplotype, &[]).calls[0].phenotype,
        "Poor Metabolizer"
    );

    let list = import::parse(&outside).unwrap();
    let pairs: Vec<(&str, &str)> = list
        .results
        .iter()
        .map(|r| (r.gene.as_str(), r.diplotype.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("CYP2D6", "*1/*3"),
            ("HLA-B", "*15:02/*57:01"),
            ("MT-RNR1", "1555A>G")
        ]
    );
}

#[test]
fn a_lab_json_list_and_csv_lines_are_read() {
    let json = r#"{"test_date": "2025-03-01", "lab": "Example Lab", "results": [
        {"gene": "CYP2C19", "diplotype": "*1/*2"}, {"gene": "TPMT", "diplotype": "*1/*3A"}]}"#;
    let parsed = import::parse(json).unwrap();
    assert_eq!(parsed.results.len(), 2);
    assert_eq!(parsed.results[1].lab.as_deref(), Some("Example Lab"));
    let csv = "gene,diplotype\nSLCO1B1,*5/*15\n# a comment\nDPYD,c.1905+1G>A (*2A)/Reference\n";
    let parsed = import::parse(csv).unwrap();
    assert_eq!(parsed.results.len(), 2);
    assert_eq!(parsed.results[1].diplotype, "c.1905+1G>A (*2A)/Reference");
}

#[test]
fn unreadable_files_are_refused_without_quoting_them() {
    for (text, field) in [
        ("", "file"),
        ("{not json", "file"),
        ("CYP2D6 *1 *4", "file"),
        (r#"{"resourceType":"Observation"}"#, "file"),
    ] {
        match import::parse(text) {
            Err(Error::InvalidInput { field: f, reason }) => {
                assert_eq!(f, field);
                assert!(!reason.contains("CYP2D6"), "{reason}");
            }
            other => panic!("expected invalid input for {text:?}, got {other:?}"),
        }
    }
}

#[test]
fn results_are_sealed_the_newest_per_gene_is_in_force_and_history_stays() {
    let (store, dir) = store();
    let table = AlleleTable::builtin().unwrap();
    let result = |gene: &str, diplotype: &str| NewPgxResult {
        gene: gene.into(),
        diplotype: diplotype.into(),
        source: PgxSource::Manual,
        test_date: None,
        lab: None,
        other_diplotypes: Vec::new(),
    };
    store
        .add_pgx_results(
            &[result("CYP2D6", "*1/*4"), result("hla-b", "*57:01/*44:02")],
            &table,
            at("2025-01-01T00:00:00Z"),
        )
        .unwrap();
    store
        .add_pgx_results(
            &[result("CYP2D6", "*1/*1")],
            &table,
            at("2025-02-01T00:00:00Z"),
        )
        .unwrap();

    let current = store.pgx_results(&table, false).unwrap();
    let summary: Vec<(&str, &str)> = current
        .iter()
        .map(|r| {
            (
                r.result.gene.as_str(),
                r.reading.calls[0].phenotype.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("CYP2D6", "Normal Metabolizer"),
            ("HLA-B", "*15:02 negative")
        ]
    );
    assert_eq!(current[1].reading.calls[1].phenotype, "*57:01 positive");
    assert_eq!(store.pgx_results(&table, true).unwrap().len(), 3);

    let bad = store.add_pgx_results(
        &[result("CYP2D6", "*4/*4"), result("CYP2C19", "   ")],
        &table,
        at("2025-03-01T00:00:00Z"),
    );
    assert!(matches!(
        bad,
        Err(Error::InvalidInput {
            field: "diplotype",
            ..
        })
    ));
    assert_eq!(
        store.pgx_results(&table, true).unwrap().len(),
        3,
        "nothing of a refused batch is stored"
    );

    drop(store);
    for suffix in ["", "-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(format!("test.db{suffix}"))) {
            for secret in ["CYP2D6", "*57:01", "HLA-B"] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{secret} in clear"
                );
            }
        }
    }
}

fn genotype_observation(gene: &str, genotype: &str) -> serde_json::Value {
    serde_json::json!({
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "84413-4", "display": "Genotype display name"}]},
        "valueCodeableConcept": {"text": genotype},
        "component": [{
            "code": {"coding": [{"system": "http://loinc.org", "code": "48018-6", "display": "Gene studied [ID]"}]},
            "valueCodeableConcept": {"coding": [{"system": "http://www.genenames.org/geneId", "code": "HGNC:2621", "display": gene}]}
        }],
        "effectiveDateTime": "2025-03-01",
        "performer": [{"display": "Example Genomics Lab"}]
    })
}

#[test]
fn fhir_genotype_observations_in_a_bundle_are_read() {
    let bundle = serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": genotype_observation("CYP2C19", "CYP2C19 *1/*2")},
            {"resource": genotype_observation("HLA-B", "*57:01/*08:01")},
            {"resource": {"resourceType": "Patient", "id": "p1"}}
        ]
    });
    let parsed = import::parse(&bundle.to_string()).unwrap();
    assert_eq!(parsed.format, "FHIR Genomics Reporting");
    // The genotype is kept as written; the normaliser reads the gene named in it.
    let table = AlleleTable::builtin().unwrap();
    let read: Vec<(&str, Option<String>)> = parsed
        .results
        .iter()
        .map(|r| {
            let reading = table.interpret(&r.gene, &r.diplotype, &[]);
            (r.gene.as_str(), reading.read_as)
        })
        .collect();
    assert_eq!(
        read,
        [
            ("CYP2C19", Some("*1/*2".to_owned())),
            (
                "HLA-B",
                Some("*15:02 negative; *57:01 positive; *58:01 negative".to_owned())
            )
        ]
    );
    assert_eq!(parsed.results[0].source, PgxSource::Fhir);
    assert_eq!(
        parsed.results[0]
            .test_date
            .map(|d| d.to_string())
            .as_deref(),
        Some("2025-03-01")
    );
    assert_eq!(
        parsed.results[0].lab.as_deref(),
        Some("Example Genomics Lab")
    );

    let mut no_gene = genotype_observation("CYP2D6", "*1/*4");
    no_gene["component"] = serde_json::json!([]);
    assert!(matches!(
        import::parse(&no_gene.to_string()),
        Err(Error::InvalidInput {
            field: "component",
            ..
        })
    ));
}

#[test]
fn a_pharmcat_tsv_cut_anywhere_is_refused_or_gives_only_results_of_the_whole_file() {
    let Some(text) = example("pharmcat.example2.report.tsv") else {
        return;
    };
    let whole = import::parse(&text).unwrap().results;
    let mut refused = 0;
    // Every cut inside the rows (after the header), as a truncated download leaves it.
    let rows_start = text.match_indices('\n').nth(1).unwrap().0 + 1;
    for cut in rows_start..text.len() {
        if !text.is_char_boundary(cut) {
            continue;
        }
        match import::parse(&text[..cut]) {
            Err(_) => refused += 1,
            Ok(partial) => {
                for result in &partial.results {
                    assert!(
                        whole.contains(result),
                        "cut at {cut}: {} {} is not in the report",
                        result.gene,
                        result.diplotype
                    );
                }
            }
        }
    }
    assert!(
        refused > text.len() / 2,
        "most cuts fall mid-row: {refused}"
    );
}

/// Found by fuzzing (issue 14): a lab list of a million rows was read into a million results
/// before the store refused more than 500. It is now refused at the 501st, in every format.
#[test]
fn a_file_of_a_million_rows_is_refused_after_500_results() {
    let rows = |n: usize| format!("gene,diplotype\n{}", "CYP2D6,*1/*4\n".repeat(n));
    for text in [rows(1_000_000), rows(501)] {
        match import::parse(&text) {
            Err(Error::InvalidInput { field, reason }) => {
                assert_eq!(field, "file");
                assert!(reason.contains("more than 500"), "{reason}");
            }
            other => panic!(
                "expected a refusal, got {:?}",
                other.map(|p| p.results.len())
            ),
        }
    }
    assert_eq!(import::parse(&rows(500)).unwrap().results.len(), 500);
    let item = r#"{"gene":"CYP2D6","diplotype":"*1/*4"},"#;
    let list = format!("[{}{}]", item.repeat(600), &item[..item.len() - 1]);
    assert!(matches!(
        import::parse(&list),
        Err(Error::InvalidInput { field: "file", .. })
    ));
}
