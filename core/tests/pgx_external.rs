//! The external checks of the knowledge base's recommendations, against oracles written
//! without it:
//! - each PharmCAT example report, imported, must give for every recommendation PharmCAT
//!   made (`pharmcat_example_expected_recommendations.tsv`) PharmCAT's lookup key and
//!   classification, and the action of the hand-reviewed oracle
//!   (`core/tests/data/expected_actions.tsv`, written by reading each recommendation,
//!   independently of `tools/reviewed_actions.tsv` that the knowledge base is generated from);
//! - every row of that oracle (the two examples and every recommendation of 28 of the most
//!   prescribed CPIC drugs) must be in the base with the oracle's action.
//!
//! Both print the agreement per drug.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use regimen_core::Timestamp;
use regimen_core::knowledge::{Action, KnowledgeBase};
use regimen_core::pgx::results::in_force;
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

fn key_set(key: &str) -> BTreeSet<String> {
    key.split(';')
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// A population as the base spells it: PharmCAT leaves CPIC's "general" blank.
fn population(text: &str) -> String {
    match text.trim() {
        "" => "general".to_owned(),
        other => other.to_owned(),
    }
}

/// The name the base keeps a drug's recommendations under: CPIC's name, or the ingredient
/// of a combination it names ("sulfamethoxazole / trimethoprim") that has them.
fn base_name(kb: &KnowledgeBase, drug: &str) -> String {
    if !kb.rules_for(drug).is_empty() || kb.guideline_for(drug).is_some() {
        return drug.to_owned();
    }
    let medicine = regimen_core::medicine::MedicineInfo {
        name: drug.to_owned(),
        ..Default::default()
    };
    match kb.recognise(&medicine) {
        regimen_core::knowledge::Recognition::Recognised { ingredients, .. } => ingredients
            .into_iter()
            .find(|i| !kb.rules_for(i).is_empty())
            .unwrap_or_else(|| drug.to_owned()),
        _ => drug.to_owned(),
    }
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Avoid => "avoid",
        Action::Alternative => "alternative",
        Action::AdjustDose => "adjust_dose",
        Action::Monitor => "monitor",
        Action::Standard => "standard",
        Action::None => "none",
    }
}

/// One row of the hand-reviewed oracle.
struct Expected {
    drug: String,
    key: BTreeSet<String>,
    population: String,
    action: String,
    from_pharmcat: bool,
}

fn oracle() -> Vec<Expected> {
    include_str!("data/expected_actions.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Expected {
                drug: f[0].to_owned(),
                key: key_set(f[1]),
                population: population(f[2]),
                action: f[4].to_owned(),
                from_pharmcat: f.get(5).is_some_and(|note| note.starts_with("[PharmCAT")),
            }
        })
        .collect()
}

/// Per drug: (agreeing, compared).
type Tally = BTreeMap<String, (usize, usize)>;

fn print(title: &str, tally: &Tally, problems: &[String]) {
    println!("{title}");
    for (drug, (agree, total)) in tally {
        println!("  {drug:<28} {agree:>3} / {total:<3}");
    }
    let (agree, total) = tally.values().fold((0, 0), |(a, t), (x, y)| (a + x, t + y));
    println!("  all {agree} / {total}");
    for problem in problems {
        println!("  ! {problem}");
    }
}

#[test]
fn pharmcat_examples_give_pharmcats_keys_classifications_and_the_oracles_actions() {
    let Some(folder) = folder() else { return };
    let kb = KnowledgeBase::builtin().unwrap();
    let table = AlleleTable::builtin().unwrap();
    let oracle = oracle();
    let expected =
        std::fs::read_to_string(folder.join("pharmcat_example_expected_recommendations.tsv"))
            .unwrap();
    let mut reports: HashMap<String, Vec<PgxResult>> = HashMap::new();
    let mut tally = Tally::new();
    let mut problems = Vec::new();
    let mut rows = 0;
    for line in expected.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (example, drug, population, key, classification) =
            (f[0], f[2], self::population(f[4]), f[8], f[9]);
        rows += 1;
        let results = reports.entry(example.to_owned()).or_insert_with(|| {
            let report =
                std::fs::read_to_string(folder.join(format!("{example}.report.json"))).unwrap();
            let stored = import::parse(&report)
                .unwrap()
                .results
                .into_iter()
                .enumerate()
                .map(|(i, r)| (i as i64 + 1, r, Timestamp::from_millis(0).unwrap()))
                .collect();
            in_force(stored, &table, false)
        });
        let entry = tally.entry(drug.to_owned()).or_default();
        entry.1 += 1;
        // Warfarin's guideline is a dosing algorithm with no lookup key: the base says so.
        if key.is_empty() {
            if kb.guideline_for(drug).is_some() {
                entry.0 += 1;
            } else {
                problems.push(format!(
                    "{example} {drug}: no key and no guideline in the base"
                ));
            }
            continue;
        }
        let Some((our_keys, rules)) = recommendations(&kb, drug, results) else {
            problems.push(format!("{example} {drug}: not in the base"));
            continue;
        };
        if !our_keys.iter().any(|k| key_set(k) == key_set(key)) {
            problems.push(format!("{example} {drug}: key {our_keys:?} vs {key}"));
            continue;
        }
        let Some(rule) = rules.iter().find(|r| {
            self::population(&r.population) == population && key_set(&r.key) == key_set(key)
        }) else {
            problems.push(format!(
                "{example} {drug}: no rule for population {population}"
            ));
            continue;
        };
        if !rule.classification.eq_ignore_ascii_case(classification) {
            problems.push(format!(
                "{example} {drug}: classification {} vs {classification}",
                rule.classification
            ));
            continue;
        }
        let Some(reviewed) = oracle
            .iter()
            .find(|o| o.drug == drug && o.key == key_set(key) && o.population == population)
        else {
            problems.push(format!("{example} {drug}: not in the oracle"));
            continue;
        };
        if action_name(rule.action) != reviewed.action {
            problems.push(format!(
                "{example} {drug} ({population}): action {} vs the oracle's {}",
                action_name(rule.action),
                reviewed.action
            ));
            continue;
        }
        entry.0 += 1;
    }
    print(
        "PharmCAT examples: lookup key, classification and action",
        &tally,
        &problems,
    );
    assert!(rows >= 140, "{rows} recommendations");
    assert!(problems.is_empty(), "{} disagreements", problems.len());
}

#[test]
fn every_reviewed_recommendation_has_the_oracles_action_in_the_base() {
    let kb = KnowledgeBase::builtin().unwrap();
    let mut tally = Tally::new();
    let mut problems = Vec::new();
    let mut newer = 0;
    for expected in oracle() {
        let rules = kb.rules_for(&base_name(&kb, &expected.drug));
        let entry = tally.entry(expected.drug.clone()).or_default();
        if expected.key.is_empty() {
            continue; // warfarin: checked above
        }
        entry.1 += 1;
        let rule = rules.iter().find(|r| {
            key_set(&r.key) == expected.key && population(&r.population) == expected.population
        });
        match rule {
            Some(rule) if action_name(rule.action) == expected.action => entry.0 += 1,
            // The oracle read CPIC v1.30; the base has CPIC's newer data for a few drugs,
            // whose sentences (so actions) may differ. The PharmCAT rows are current.
            Some(rule) if !rule.version.starts_with("v1.30") && !expected.from_pharmcat => {
                entry.1 -= 1;
                newer += 1;
            }
            None if rules.iter().any(|r| !r.version.starts_with("v1.30"))
                && !expected.from_pharmcat =>
            {
                entry.1 -= 1;
                newer += 1;
            }
            Some(rule) => problems.push(format!(
                "{} {:?} {}: {} vs the oracle's {}",
                expected.drug,
                expected.key,
                expected.population,
                action_name(rule.action),
                expected.action
            )),
            None => problems.push(format!(
                "{} {:?} {}: not in the base",
                expected.drug, expected.key, expected.population
            )),
        }
    }
    print(
        "Hand-reviewed oracle: action per recommendation",
        &tally,
        &problems,
    );
    println!("  ({newer} rows of CPIC v1.30 left out: the base has CPIC's newer data for them)");
    let drugs = tally.values().filter(|(_, total)| *total > 0).count();
    assert!(drugs >= 20, "{drugs} drugs");
    assert!(problems.is_empty(), "{} disagreements", problems.len());
}
