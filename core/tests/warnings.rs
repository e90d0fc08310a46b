//! Warnings from medicines and gene results: the drug-gene pairs CPIC is clearest about,
//! phenoconversion, unknown results and duplicates.

mod common;

use common::at;
use regimen_core::Timestamp;
use regimen_core::knowledge::KnowledgeBase;
use regimen_core::medicine::{Medicine, MedicineInfo};
use regimen_core::pgx::results::in_force;
use regimen_core::pgx::{AlleleTable, NewPgxResult, PgxResult, PgxSource};
use regimen_core::warning::{Severity, Warning, WarningKind, check};

fn now() -> Timestamp {
    at("2025-06-01T12:00:00Z")
}

fn medicine(id: i64, name: &str, rxnorm: Option<&str>) -> Medicine {
    Medicine {
        id,
        info: MedicineInfo {
            name: name.into(),
            rxnorm: rxnorm.map(str::to_owned),
            ..MedicineInfo::default()
        },
        revision: 1,
        created_at: at("2025-01-01T00:00:00Z"),
        updated_at: at("2025-01-01T00:00:00Z"),
        archived_at: None,
    }
}

fn results(pairs: &[(&str, &str)]) -> Vec<PgxResult> {
    let table = AlleleTable::builtin().unwrap();
    let stored = pairs
        .iter()
        .enumerate()
        .map(|(i, (gene, diplotype))| {
            let result = NewPgxResult {
                gene: (*gene).into(),
                diplotype: (*diplotype).into(),
                source: PgxSource::Manual,
                test_date: None,
                lab: None,
                other_diplotypes: Vec::new(),
            };
            (i as i64 + 1, result, now())
        })
        .collect();
    in_force(stored, &table, false)
}

fn warnings(medicines: &[Medicine], genes: &[(&str, &str)]) -> Vec<Warning> {
    let kb = KnowledgeBase::builtin().unwrap();
    check(&kb, medicines, &results(genes), now())
}

fn drug_gene(all: &[Warning]) -> Vec<&Warning> {
    all.iter()
        .filter(|w| w.kind == WarningKind::DrugGene)
        .collect()
}

#[test]
fn clopidogrel_with_a_cyp2c19_poor_metabolizer_is_a_high_warning_citing_cpic() {
    let all = warnings(&[medicine(1, "Plavix", None)], &[("CYP2C19", "*2/*2")]);
    let w = drug_gene(&all)[0];
    assert_eq!(w.severity, Severity::High);
    assert_eq!(w.medicine_ids, [1]);
    assert_eq!(w.genes, ["CYP2C19"]);
    assert_eq!(
        w.genetic_phenotype.as_deref(),
        Some("CYP2C19 Poor Metabolizer")
    );
    assert!(
        w.evidence
            .iter()
            .all(|e| e.source == "CPIC" && !e.version.is_empty())
    );
    assert!(w.what_to_do.contains("Talk to your doctor"));
}

#[test]
fn the_issues_drug_gene_pairs_each_warn() {
    /// A medicine (name, RxNorm id) and the patient's results.
    type Case<'a> = (&'a str, Option<&'a str>, &'a [(&'a str, &'a str)]);
    let cases: &[Case<'_>] = &[
        ("Codeine", Some("2670"), &[("CYP2D6", "*1/*1x2")]),
        ("Abacavir", None, &[("HLA-B", "*57:01/*08:01")]),
        (
            "Azathioprine",
            None,
            &[("TPMT", "*3A/*3A"), ("NUDT15", "*1/*1")],
        ),
        (
            "Azathioprine",
            None,
            &[("TPMT", "*1/*1"), ("NUDT15", "*3/*3")],
        ),
        ("Simvastatin", None, &[("SLCO1B1", "*5/*5")]),
        ("Fluorouracil", None, &[("DPYD", "c.61C>T/c.557A>G")]),
        ("Capecitabine", None, &[("DPYD", "c.61C>T/c.557A>G")]),
    ];
    for (name, rxnorm, genes) in cases {
        let all = warnings(&[medicine(1, name, *rxnorm)], genes);
        let found = drug_gene(&all);
        assert!(
            !found.is_empty(),
            "{name} with {genes:?} gave no drug-gene warning: {all:?}"
        );
        assert!(found[0].severity <= Severity::Moderate, "{name}");
        assert!(
            !found[0].explanation.contains("CPIC recommends"),
            "our own words"
        );
    }
    // A normal result gives no drug-gene warning.
    assert!(
        drug_gene(&warnings(
            &[medicine(1, "Codeine", None)],
            &[("CYP2D6", "*1/*1")]
        ))
        .is_empty()
    );
}

#[test]
fn paroxetine_makes_a_cyp2d6_normal_metabolizer_act_as_poor_for_codeine_but_not_for_itself() {
    let genes = [("CYP2D6", "*1/*1")];
    let both = warnings(
        &[
            medicine(1, "Codeine", None),
            medicine(2, "Paroxetine", None),
        ],
        &genes,
    );
    let codeine: Vec<_> = drug_gene(&both)
        .into_iter()
        .filter(|w| w.medicine_ids[0] == 1)
        .collect();
    assert_eq!(codeine.len(), 1, "{both:?}");
    let w = codeine[0];
    assert_eq!(
        w.genetic_phenotype.as_deref(),
        Some("CYP2D6 Normal Metabolizer")
    );
    assert_eq!(
        w.adjusted_phenotype.as_deref(),
        Some("CYP2D6 Poor Metabolizer")
    );
    assert_eq!(w.inhibitor_medicine_id, Some(2));
    assert!(w.explanation.contains("paroxetine"), "{}", w.explanation);
    assert!(
        drug_gene(&both).iter().all(|w| w.medicine_ids[0] != 2),
        "paroxetine does not phenoconvert itself"
    );
}

#[test]
fn fluoxetine_keeps_acting_for_weeks_after_it_is_stopped() {
    let genes = [("CYP2D6", "*1/*1")];
    let stopped = |days: u64| {
        let mut fluoxetine = medicine(2, "Fluoxetine", None);
        fluoxetine.archived_at = Some(now().minus(std::time::Duration::from_secs(days * 86_400)));
        fluoxetine
    };
    let recent = warnings(&[medicine(1, "Codeine", None), stopped(10)], &genes);
    assert_eq!(drug_gene(&recent).len(), 1);
    let long_ago = warnings(&[medicine(1, "Codeine", None), stopped(40)], &genes);
    assert!(drug_gene(&long_ago).is_empty());
}

#[test]
fn a_moderate_inhibitor_halves_the_cyp2d6_activity_score() {
    use regimen_core::knowledge::Strength;
    let table = AlleleTable::builtin().unwrap();
    let normal = table.interpret("CYP2D6", "*1/*1", &[]).calls.remove(0);
    let halved = table.phenoconvert(&normal, Strength::Moderate).unwrap();
    assert_eq!(
        (halved.lookup_key.as_str(), halved.phenotype.as_str()),
        ("1.0", "Intermediate Metabolizer")
    );
    assert!(table.phenoconvert(&normal, Strength::Weak).is_none());
}

#[test]
fn a_missing_or_indeterminate_result_is_said_plainly() {
    let all = warnings(&[medicine(1, "Clopidogrel", None)], &[]);
    let unknown: Vec<_> = all
        .iter()
        .filter(|w| w.kind == WarningKind::UnknownResult)
        .collect();
    assert_eq!(unknown.len(), 1);
    assert!(
        unknown[0].explanation.contains("no CYP2C19 result"),
        "{}",
        unknown[0].explanation
    );
    let indeterminate = warnings(
        &[medicine(1, "Clopidogrel", None)],
        &[("CYP2C19", "*1/*999")],
    );
    assert!(
        indeterminate
            .iter()
            .any(|w| w.kind == WarningKind::UnknownResult
                && w.explanation.contains("could not read"))
    );
}

#[test]
fn a_brand_and_its_generic_and_two_statins_are_duplicates() {
    let all = warnings(
        &[
            medicine(1, "Plavix", None),
            medicine(2, "Clopidogrel", Some("32968")),
        ],
        &[("CYP2C19", "*1/*1")],
    );
    let same = all
        .iter()
        .find(|w| w.kind == WarningKind::Duplicate)
        .expect("same ingredient");
    assert_eq!(same.severity, Severity::High);
    assert_eq!(same.medicine_ids, [1, 2]);
    let statins = warnings(
        &[
            medicine(1, "Simvastatin", None),
            medicine(2, "Atorvastatin", None),
        ],
        &[],
    );
    let class = statins
        .iter()
        .find(|w| w.kind == WarningKind::Duplicate)
        .expect("same class");
    assert_eq!(class.severity, Severity::Moderate);
}

#[test]
fn warnings_come_most_severe_first() {
    let all = warnings(
        &[
            medicine(1, "Clopidogrel", None),
            medicine(2, "Simvastatin", None),
            medicine(3, "Codeine", None),
        ],
        &[("CYP2C19", "*2/*2"), ("SLCO1B1", "*1/*5")],
    );
    assert!(all.windows(2).all(|w| w[0].severity <= w[1].severity));
    assert_eq!(all[0].severity, Severity::High);
}

#[test]
fn high_priority_interactions_warn_even_for_drugs_outside_cpic() {
    let all = warnings(
        &[
            medicine(1, "Simvastatin", None),
            medicine(2, "Clarithromycin 500 mg", None),
        ],
        &[],
    );
    let w = all
        .iter()
        .find(|w| w.kind == WarningKind::DrugDrug)
        .expect("statin with clarithromycin");
    assert_eq!(w.severity, Severity::High);
    assert_eq!(w.medicine_ids, [1, 2]);
    assert!(
        w.evidence[0].guideline.starts_with("group 25"),
        "{:?}",
        w.evidence
    );
    let maoi = warnings(
        &[
            medicine(1, "Sertraline", None),
            medicine(2, "Phenelzine", None),
        ],
        &[],
    );
    assert!(maoi.iter().any(|w| w.kind == WarningKind::DrugDrug));
    let fine = warnings(
        &[
            medicine(1, "Sertraline", None),
            medicine(2, "Metformin", None),
        ],
        &[],
    );
    assert!(!fine.iter().any(|w| w.kind == WarningKind::DrugDrug));
}
