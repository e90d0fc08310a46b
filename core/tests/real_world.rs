//! Real-world input that used to be read wrong, silently: labs' HLA and star-allele
//! notations, brands, combination products, tablet-level codes, inhibitors under brand names,
//! negated recommendations, duplicates, warfarin, G6PD, older results and ambiguous calls.
//! Each case goes the way a patient's data does: imported or typed into a store, then
//! checked.

mod common;

use common::{at, store};
use regimen_core::knowledge::KnowledgeBase;
use regimen_core::medicine::MedicineInfo;
use regimen_core::pgx::{AlleleTable, NewPgxResult, PgxSource, ReadingStatus, import};
use regimen_core::warning::{Severity, Warning, WarningKind, check};
use regimen_core::{Records, Timestamp};

fn now() -> Timestamp {
    at("2026-06-01T12:00:00Z")
}

/// A store holding `results` (a lab file's text) and `medicines` (names, or name=RxNorm).
fn patient(results: &str, medicines: &[&str]) -> (Records, tempfile::TempDir) {
    let (store, dir) = store();
    let table = AlleleTable::builtin().unwrap();
    if !results.is_empty() {
        let parsed = import::parse(results).unwrap();
        store
            .add_pgx_results(&parsed.results, &table, now())
            .unwrap();
    }
    for medicine in medicines {
        let (name, rxnorm) = match medicine.split_once('=') {
            Some((name, code)) => (name, Some(code.to_owned())),
            None => (*medicine, None),
        };
        let info = MedicineInfo {
            name: name.into(),
            rxnorm,
            ..MedicineInfo::default()
        };
        store.add_medicine(&info, now()).unwrap();
    }
    (store, dir)
}

fn warnings_of(store: &Records) -> Vec<Warning> {
    let kb = KnowledgeBase::builtin().unwrap();
    let results = store.pgx_results(&kb.alleles, false).unwrap();
    check(&kb, &store.medicines(true).unwrap(), &results, now())
}

fn of_kind(all: &[Warning], kind: WarningKind) -> Vec<&Warning> {
    all.iter().filter(|w| w.kind == kind).collect()
}

#[test]
fn a_labs_hla_b_5701_positive_in_any_notation_warns_against_abacavir() {
    for file in [
        "gene,result\nHLA-B,*57:01 positive\n",
        "gene,result\nHLA-B*57:01,positive\n",
        "HLA-B,*5701,positive\n",
        "HLA-B\t*57:01:01 POSITIVE\n",
        r#"[{"gene": "HLA-B", "diplotype": "*57:01", "status": "detected"}]"#,
    ] {
        let (store, _dir) = patient(file, &["Abacavir"]);
        let all = warnings_of(&store);
        let found = of_kind(&all, WarningKind::DrugGene);
        assert_eq!(found.len(), 1, "{file}: {all:?}");
        assert_eq!(found[0].severity, Severity::High, "{file}");
    }
    // Negative stays negative, even when the status is in its own column.
    let (store, _dir) = patient("HLA-B,*57:01,negative\n", &["Abacavir"]);
    assert!(of_kind(&warnings_of(&store), WarningKind::DrugGene).is_empty());
}

#[test]
fn hla_a_3101_with_a_space_and_carbamazepine() {
    let (store, _dir) = patient("gene,result\n,HLA-A *31:01 positive\n", &["Tegretol"]);
    let all = warnings_of(&store);
    assert!(
        of_kind(&all, WarningKind::DrugGene)
            .iter()
            .any(|w| w.genes.contains(&"HLA-A".to_owned())),
        "{all:?}"
    );
}

#[test]
fn gene_prefixes_and_copy_numbers_give_the_right_phenotype() {
    let table = AlleleTable::builtin().unwrap();
    let phenotype =
        |gene: &str, text: &str| table.interpret(gene, text, &[]).calls[0].phenotype.clone();
    assert_eq!(phenotype("TPMT", "*3A/TPMT*3A"), "Poor Metabolizer");
    assert_eq!(phenotype("", "CYP2C19*2/*17"), "Intermediate Metabolizer");
    assert_eq!(phenotype("CYP2D6", "*1x3/*1"), "Ultrarapid Metabolizer");
    // The thiopurine dose cut is kept.
    let (store, _dir) = patient("TPMT,*3A/TPMT*3A\nNUDT15,*1/*1\n", &["Azathioprine"]);
    let all = warnings_of(&store);
    assert!(!of_kind(&all, WarningKind::DrugGene).is_empty(), "{all:?}");
}

#[test]
fn negated_and_usual_recommendations_give_no_warning() {
    // "There is no need to avoid" atazanavir for a UGT1A1 normal metabolizer; tamoxifen for
    // a CYP2D6 normal metabolizer is used as usual.
    let (store, _dir) = patient("UGT1A1,*1/*1\nCYP2D6,*1/*1\n", &["Atazanavir", "Tamoxifen"]);
    let all = warnings_of(&store);
    assert!(of_kind(&all, WarningKind::DrugGene).is_empty(), "{all:?}");
    // A poor metabolizer of UGT1A1 is told about atazanavir.
    let (store, _dir) = patient("UGT1A1,*28/*28\n", &["Reyataz"]);
    assert!(!of_kind(&warnings_of(&store), WarningKind::DrugGene).is_empty());
}

#[test]
fn brands_combinations_and_tablet_codes_are_checked() {
    let results = "CYP2D6,*1/*1x2\nCYP2C19,*2/*2\nHLA-B,*57:01 positive\n";
    let (store, _dir) = patient(
        results,
        &["Triumeq", "Tylenol with Codeine", "My heart pill=309362"],
    );
    let all = warnings_of(&store);
    let genes: Vec<&str> = of_kind(&all, WarningKind::DrugGene)
        .iter()
        .flat_map(|w| w.genes.iter().map(String::as_str))
        .collect();
    for gene in ["HLA-B", "CYP2D6", "CYP2C19"] {
        assert!(genes.contains(&gene), "{gene}: {all:?}");
    }
    assert!(of_kind(&all, WarningKind::NotChecked).is_empty(), "{all:?}");
}

#[test]
fn inhibitors_under_brand_names_phenoconvert_and_cyp2c9_can_too() {
    let (store, _dir) = patient(
        "CYP2D6,*1/*1\nCYP2C19,*1/*1\n",
        &["Codeine", "Paxil", "Clopidogrel", "Diflucan"],
    );
    let all = warnings_of(&store);
    let converted: Vec<&Warning> = of_kind(&all, WarningKind::DrugGene)
        .into_iter()
        .filter(|w| w.adjusted_phenotype.is_some())
        .collect();
    assert_eq!(converted.len(), 2, "{all:?}");
    let (store, _dir) = patient("CYP2C9,*1/*1\n", &["Celecoxib", "Prozac"]);
    let no_inhibitor = of_kind(&warnings_of(&store), WarningKind::DrugGene).len();
    let (store, _dir) = patient("CYP2C9,*1/*1\n", &["Celecoxib", "Amiodarone"]);
    let all = warnings_of(&store);
    let celecoxib = of_kind(&all, WarningKind::DrugGene);
    assert_eq!(no_inhibitor, 0);
    assert_eq!(
        celecoxib.len(),
        1,
        "amiodarone halves CYP2C9 activity: {all:?}"
    );
    assert_eq!(
        celecoxib[0].adjusted_phenotype.as_deref(),
        Some("CYP2C9 Intermediate Metabolizer")
    );
}

#[test]
fn every_moderate_or_strong_inhibitor_of_the_reference_table_is_a_drug_of_the_base() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/pgx/cyp_inhibitors_compiled.tsv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "missing {}",
            path.display()
        );
        eprintln!("SKIPPED: no {}", path.display());
        return;
    };
    let kb = KnowledgeBase::builtin().unwrap();
    let mut checked = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (gene, drug, strength) = (f[0], f[1].to_lowercase(), f[2]);
        if strength == "weak" || drug.contains("contraceptive") {
            continue;
        }
        let medicine = MedicineInfo {
            name: drug.clone(),
            ..MedicineInfo::default()
        };
        let recognised = kb.recognise(&medicine);
        let regimen_core::knowledge::Recognition::Recognised { ingredients, .. } = recognised
        else {
            panic!("{drug} is not recognised");
        };
        assert!(
            ingredients.iter().any(|i| kb.inhibition(i, gene).is_some()),
            "{drug} does not inhibit {gene} in the base"
        );
        checked += 1;
    }
    assert!(checked >= 29, "{checked} inhibitors");
}

#[test]
fn a_misspelled_name_is_not_checked_and_says_what_it_may_mean() {
    let (store, _dir) = patient("", &["Codein"]);
    let all = warnings_of(&store);
    let not_checked = of_kind(&all, WarningKind::NotChecked);
    assert_eq!(not_checked.len(), 1);
    assert!(
        not_checked[0].explanation.contains("codeine"),
        "{}",
        not_checked[0].explanation
    );
    // A known name with unknown words after it is not checked as if it were the whole.
    let (store, _dir) = patient("", &["Tylenol Cold Multi-Symptom"]);
    assert_eq!(
        of_kind(&warnings_of(&store), WarningKind::NotChecked).len(),
        1
    );
}

#[test]
fn duplicates_follow_the_curated_groups() {
    let duplicate = |names: &[&str]| {
        let (store, _dir) = patient("", names);
        of_kind(&warnings_of(&store), WarningKind::Duplicate)
            .into_iter()
            .map(|w| w.severity)
            .collect::<Vec<_>>()
    };
    assert!(
        duplicate(&["Aspirin", "Clopidogrel"]).is_empty(),
        "dual antiplatelet therapy"
    );
    assert!(
        duplicate(&["Albuterol", "Fluticasone"]).is_empty(),
        "reliever and controller"
    );
    assert_eq!(duplicate(&["Ibuprofen", "Naproxen"]), [Severity::Moderate]);
    assert_eq!(
        duplicate(&["Tylenol with Codeine", "Acetaminophen"]),
        [Severity::High]
    );
    assert_eq!(duplicate(&["Lisinopril", "Losartan"]), [Severity::High]);
    assert_eq!(duplicate(&["Sertraline", "Paxil"]).len(), 1);
}

#[test]
fn interactions_the_reference_file_misspelled_are_found() {
    let (store, _dir) = patient("", &["Simvastatin", "Vfend"]);
    assert_eq!(
        of_kind(&warnings_of(&store), WarningKind::DrugDrug).len(),
        1
    );
    let (store, _dir) = patient("", &["Reyataz", "Nexium"]);
    assert_eq!(
        of_kind(&warnings_of(&store), WarningKind::DrugDrug).len(),
        1
    );
}

#[test]
fn warfarin_with_cyp2c9_3_3_and_vkorc1_aa_says_the_dose_changes() {
    let (store, _dir) = patient("CYP2C9,*3/*3\nVKORC1,-1639 AA\n", &["Coumadin"]);
    let all = warnings_of(&store);
    let found = of_kind(&all, WarningKind::DrugGene);
    assert_eq!(found.len(), 1, "{all:?}");
    assert!(found[0].explanation.contains("VKORC1"));
    let (store, _dir) = patient("CYP2C9,*1/*1\nVKORC1,-1639 GG\n", &["Warfarin"]);
    assert!(of_kind(&warnings_of(&store), WarningKind::DrugGene).is_empty());
}

#[test]
fn g6pd_results_are_interpreted() {
    let (store, _dir) = patient("G6PD,A- 202A_376G\n", &["Rasburicase"]);
    let all = warnings_of(&store);
    let found = of_kind(&all, WarningKind::DrugGene);
    assert_eq!(found.len(), 1, "{all:?}");
    assert_eq!(found[0].severity, Severity::High);
    assert_eq!(
        found[0].genetic_phenotype.as_deref(),
        Some("G6PD Deficient")
    );
}

#[test]
fn an_older_test_imported_later_does_not_replace_a_newer_one() {
    let (store, _dir) = store();
    let table = AlleleTable::builtin().unwrap();
    let result = |diplotype: &str, date: &str| NewPgxResult {
        gene: "CYP2C19".into(),
        diplotype: diplotype.into(),
        source: PgxSource::LabList,
        test_date: Some(date.parse().unwrap()),
        lab: None,
        other_diplotypes: Vec::new(),
    };
    store
        .add_pgx_results(
            &[result("*2/*2", "2025-05-01")],
            &table,
            at("2026-01-01T00:00:00Z"),
        )
        .unwrap();
    let older = store
        .add_pgx_results(
            &[result("*1/*1", "2019-03-01")],
            &table,
            at("2026-02-01T00:00:00Z"),
        )
        .unwrap();
    assert!(!older[0].in_force, "the older test is kept in history");
    assert_eq!(
        older[0].differs_from,
        [1],
        "and says which result is in force"
    );
    let current = store.pgx_results(&table, false).unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].reading.calls[0].phenotype, "Poor Metabolizer");
    assert_eq!(
        current[0].differs_from,
        [2],
        "the patient is told an older result disagrees"
    );
}

#[test]
fn a_call_with_two_possible_diplotypes_keeps_both_and_warns_for_the_more_cautious() {
    let (store, _dir) = store();
    let kb = KnowledgeBase::builtin().unwrap();
    let ambiguous = NewPgxResult {
        gene: "CYP2C19".into(),
        diplotype: "*1/*1".into(),
        source: PgxSource::PharmCat,
        test_date: None,
        lab: None,
        other_diplotypes: vec!["*2/*2".into()],
    };
    let stored = store
        .add_pgx_results(&[ambiguous], &kb.alleles, now())
        .unwrap();
    assert_eq!(stored[0].reading.status, ReadingStatus::Interpreted);
    assert_eq!(stored[0].reading.calls[0].possible.len(), 2);
    store
        .add_medicine(
            &MedicineInfo {
                name: "Clopidogrel".into(),
                ..MedicineInfo::default()
            },
            now(),
        )
        .unwrap();
    let all = warnings_of(&store);
    let found = of_kind(&all, WarningKind::DrugGene);
    assert_eq!(found.len(), 1, "{all:?}");
    assert_eq!(found[0].severity, Severity::High);
    assert!(
        found[0].explanation.contains("more than one way"),
        "{}",
        found[0].explanation
    );
}

#[test]
fn every_drug_the_rules_name_is_in_the_vocabulary() {
    let kb = KnowledgeBase::builtin().unwrap();
    let names = kb.names_used();
    assert!(names.len() > 200);
    for name in names {
        assert!(kb.drug_named(name).is_some(), "{name}");
    }
    assert!(kb.drug_named("n07bc01}").is_none());
    assert!(kb.drug_named("nsaid").is_none());
}
