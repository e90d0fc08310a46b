//! The external check: importing each PharmCAT example report must give, for every CPIC drug
//! and population the knowledge base covers, PharmCAT's lookup key and CPIC classification,
//! and an action that matches the recommendation's meaning
//! (`pharmcat_example_expected_recommendations.tsv`). Prints the agreement.

use std::collections::BTreeSet;
use std::path::PathBuf;

use regimen_core::Timestamp;
use regimen_core::knowledge::{Action, KnowledgeBase};
use regimen_core::pgx::{AlleleTable, PgxResult, import};
use regimen_core::warning::recommendations;

fn folder() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/pgx/pharmcat_examples");
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("the PharmCAT examples are missing at {}", path.display());
    }
    eprintln!("SKIPPED: no PharmCAT examples at {}", path.display());
    None
}

/// What a recommendation asks, coarsely: choose another drug, change the dose, or use it as
/// usual (monitoring included). Regimen's actions are finer; they must fall in the same class.
#[derive(Debug, PartialEq)]
enum Meaning {
    OtherDrug,
    OtherDose,
    AsUsual,
}

fn class_of(action: Action) -> Meaning {
    match action {
        Action::Avoid | Action::Alternative => Meaning::OtherDrug,
        Action::AdjustDose => Meaning::OtherDose,
        Action::Monitor | Action::Standard | Action::None => Meaning::AsUsual,
    }
}

/// Reads CPIC's sentence the plain way a reviewer would summarise it.
fn meaning(text: &str) -> Meaning {
    let t = text.to_lowercase();
    // The first sentence (a decimal point is not a sentence end).
    let first = t
        .replace('"', "")
        .split('<')
        .next()
        .unwrap_or_default()
        .split(". ")
        .next()
        .unwrap_or_default()
        .to_owned();
    let any = |words: &[&str]| words.iter().any(|w| first.contains(w));
    if any(&[
        "not recommended",
        "avoid",
        "do not use",
        "contraindicated",
        "alternative",
        "select a non-",
        "use a non-",
        "consider a non-",
        "not predominantly metabolized",
        "consider hormonal therapy",
    ]) {
        Meaning::OtherDrug
    } else if any(&[
        "reduc", "increase", "lower", "higher", "titrat", "% of", "decrease",
    ]) {
        Meaning::OtherDose
    } else {
        Meaning::AsUsual
    }
}

fn key_set(key: &str) -> BTreeSet<String> {
    key.split(';')
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

#[test]
fn pharmcat_examples_give_pharmcats_keys_classifications_and_actions() {
    let Some(folder) = folder() else { return };
    let kb = KnowledgeBase::builtin().unwrap();
    let table = AlleleTable::builtin().unwrap();
    let expected =
        std::fs::read_to_string(folder.join("pharmcat_example_expected_recommendations.tsv"))
            .unwrap();
    let (mut covered, mut keys, mut classes, mut actions) = (0, 0, 0, 0);
    let mut reports: std::collections::HashMap<String, Vec<PgxResult>> =
        std::collections::HashMap::new();
    let mut problems = Vec::new();
    for line in expected.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (example, drug, population, key, classification, text) =
            (f[0], f[2], f[4].trim(), f[8], f[9], f[10]);
        let results = reports.entry(example.to_owned()).or_insert_with(|| {
            let report =
                std::fs::read_to_string(folder.join(format!("{example}.report.json"))).unwrap();
            import::parse(&report)
                .unwrap()
                .results
                .into_iter()
                .enumerate()
                .map(|(i, result)| {
                    PgxResult::interpret(
                        i as i64,
                        result,
                        Timestamp::from_millis(0).unwrap(),
                        &table,
                    )
                })
                .collect::<Vec<_>>()
        });
        let Some((our_key, rules)) = recommendations(&kb, drug, results) else {
            continue;
        };
        if key_set(key)
            .iter()
            .any(|part| !table.knows_gene(part.split('=').next().unwrap_or_default()))
        {
            continue; // a gene Regimen has no rules for (G6PD)
        }
        covered += 1;
        if key_set(&our_key) != key_set(key) {
            problems.push(format!("{example} {drug}: key {our_key} vs {key}"));
            continue;
        }
        keys += 1;
        let Some(rule) = rules.iter().find(|r| r.population.trim() == population) else {
            problems.push(format!(
                "{example} {drug}: no rule for population {population}"
            ));
            continue;
        };
        if rule.classification.eq_ignore_ascii_case(classification) {
            classes += 1;
        } else {
            problems.push(format!(
                "{example} {drug}: classification {} vs {classification}",
                rule.classification
            ));
        }
        let theirs = meaning(text);
        let ours = rule.action;
        if class_of(ours) == theirs {
            actions += 1;
        } else {
            problems.push(format!(
                "{example} {drug} ({population}): action {ours:?} vs {theirs:?}"
            ));
        }
    }
    println!("covered {covered}: lookup key {keys}, classification {classes}, action {actions}");
    for problem in &problems {
        println!("  {problem}");
    }
    assert!(covered >= 100, "covered only {covered} recommendations");
    assert_eq!(keys, covered, "lookup keys");
    assert_eq!(classes, covered, "classifications");
    assert_eq!(actions, covered, "actions");
}
