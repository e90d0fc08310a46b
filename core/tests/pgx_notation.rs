//! The normaliser against real-world notations: `core/tests/data/pgx_notations.tsv` was
//! written from CPIC's tables and the nomenclatures of PharmVar and IPD-IMGT/HLA, without
//! reading the code (see its header), and each row is either read to the phenotype CPIC's
//! tables give or refused naming the part that failed. A property test then mutates valid
//! diplotypes: every mutation is read to the same phenotype or refused, never read as
//! another.

use proptest::prelude::*;
use regimen_core::pgx::{AlleleTable, INDETERMINATE, PgxReading, ReadingStatus};

struct Row {
    gene_field: String,
    result_field: String,
    expected_gene: String,
    outcome: String,
    expected: String,
    line: usize,
}

fn rows() -> Vec<Row> {
    let text = include_str!("data/pgx_notations.tsv");
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|(index, line)| {
            let f: Vec<&str> = line.split('\t').collect();
            assert!(f.len() >= 5, "line {} of the notation table", index + 1);
            Row {
                gene_field: f[0].to_owned(),
                result_field: f[1].to_owned(),
                expected_gene: f[2].to_owned(),
                outcome: f[3].to_owned(),
                expected: f[4].to_owned(),
                line: index + 1,
            }
        })
        .collect()
}

/// The two alleles of a diplotype, in either order.
fn pair(diplotype: &str) -> Vec<String> {
    let mut alleles: Vec<String> = diplotype.split('/').map(|a| a.trim().to_owned()).collect();
    alleles.sort();
    alleles
}

/// Checks one row; `Err` says how the reading differs.
fn check(table: &AlleleTable, row: &Row) -> Result<(), String> {
    let reading: PgxReading = table.interpret(&row.gene_field, &row.result_field, &[]);
    let shown = format!("{reading:?}");
    let gene_ok = || {
        if reading.gene.as_deref() == Some(row.expected_gene.as_str()) {
            Ok(())
        } else {
            Err(format!("gene: {shown}"))
        }
    };
    match row.outcome.as_str() {
        "phenotype" => {
            gene_ok()?;
            let parts: Vec<&str> = row.expected.split(" | ").collect();
            let (phenotype, score, diplotype) = match parts.as_slice() {
                [p, s, d] => (*p, Some(*s), *d),
                [p, d] => (*p, None, *d),
                _ => return Err("bad expected column".into()),
            };
            if reading.status != ReadingStatus::Interpreted || reading.calls.len() != 1 {
                return Err(format!("not read: {shown}"));
            }
            let call = &reading.calls[0];
            if call.phenotype != phenotype {
                return Err(format!(
                    "phenotype {} instead of {phenotype}",
                    call.phenotype
                ));
            }
            if score.is_some() && call.activity_score.as_deref() != score {
                return Err(format!(
                    "score {:?} instead of {score:?}",
                    call.activity_score
                ));
            }
            let read = reading.read_as.clone().unwrap_or_default();
            if pair(&read) != pair(diplotype) {
                return Err(format!("read as {read} instead of {diplotype}"));
            }
            Ok(())
        }
        "indeterminate" => {
            gene_ok()?;
            if reading.status != ReadingStatus::Interpreted {
                return Err(format!("not read: {shown}"));
            }
            let undecided = reading.calls.iter().any(|c| c.phenotype == INDETERMINATE);
            let decided_hla = reading.calls.iter().any(|c| {
                c.hla_allele
                    .as_deref()
                    .is_some_and(|a| row.expected.contains(a))
                    && c.phenotype != INDETERMINATE
            });
            if !undecided || decided_hla {
                return Err(format!("decided: {shown}"));
            }
            Ok(())
        }
        "refuse" => {
            if reading.status != ReadingStatus::NotUnderstood || !reading.calls.is_empty() {
                return Err(format!("read: {shown}"));
            }
            let part = reading.not_understood.map(|n| n.part).unwrap_or_default();
            // The part named may be the whole failing piece or the token inside it.
            let (a, b) = (part.to_lowercase(), row.expected.to_lowercase());
            if a.is_empty() || !(a.contains(&b) || b.contains(&a)) {
                return Err(format!("named {part:?} instead of {:?}", row.expected));
            }
            Ok(())
        }
        "hla" => {
            gene_ok()?;
            for statement in row.expected.split("; ") {
                let (allele, status) = statement
                    .split_once(' ')
                    .ok_or_else(|| "bad hla column".to_owned())?;
                let call = reading
                    .calls
                    .iter()
                    .find(|c| c.hla_allele.as_deref() == Some(allele));
                match (status, call) {
                    ("unknown", None) => {}
                    ("unknown", Some(c)) => return Err(format!("{allele} said {}", c.phenotype)),
                    (status, Some(c)) if c.phenotype == format!("{allele} {status}") => {}
                    (status, other) => {
                        return Err(format!("{allele} {status} expected, got {other:?}"));
                    }
                }
            }
            Ok(())
        }
        other => Err(format!("unknown outcome {other}")),
    }
}

#[test]
fn every_real_world_notation_is_read_right_or_refused() {
    let table = AlleleTable::builtin().unwrap();
    let rows = rows();
    assert!(rows.len() >= 80, "at least 80 notations");
    let mut failures = Vec::new();
    let mut by_outcome: std::collections::BTreeMap<&str, usize> = Default::default();
    for row in &rows {
        *by_outcome.entry(row.outcome.as_str()).or_default() += 1;
        if let Err(why) = check(&table, row) {
            failures.push(format!(
                "line {}: [{}] [{}]: {why}",
                row.line, row.gene_field, row.result_field
            ));
        }
    }
    println!("{} notations: {by_outcome:?}", rows.len());
    assert!(
        failures.is_empty(),
        "{} of {}:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// Valid diplotypes of genes with different rules, and their gene.
const VALID: &[(&str, &str)] = &[
    ("CYP2D6", "*1/*4"),
    ("CYP2D6", "*1/*1x2"),
    ("CYP2D6", "*10/*41"),
    ("CYP2C19", "*2/*17"),
    ("CYP2C19", "*1/*2"),
    ("CYP2C9", "*1/*3"),
    ("TPMT", "*3A/*3C"),
    ("TPMT", "*1/*3A"),
    ("NUDT15", "*1/*3"),
    ("SLCO1B1", "*1/*5"),
    ("UGT1A1", "*1/*28"),
    ("CYP3A5", "*3/*3"),
    ("DPYD", "Reference/c.1905+1G>A (*2A)"),
    ("CYP2B6", "*6/*6"),
];

/// One mutation of a diplotype: a character dropped, doubled, swapped with its neighbour,
/// replaced, or the case of everything changed, or spaces added.
fn mutate(text: &str, kind: u8, at: usize, with: char) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = at % chars.len().max(1);
    let mut out = chars.clone();
    match kind % 6 {
        0 => {
            out.remove(at);
        }
        1 => out.insert(at, chars[at]),
        2 if at + 1 < chars.len() => out.swap(at, at + 1),
        3 => out[at] = with,
        4 => return text.to_lowercase(),
        _ => out.insert(at, ' '),
    }
    out.into_iter().collect()
}

/// Lower case without spaces, and three or more copies written as CPIC does (`x3` is
/// `x≥3`): how the mutation property compares spellings.
fn compact(text: &str) -> String {
    let plain: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    match plain.split_once('x') {
        Some((base, copies))
            if copies.len() == 1 && ('3'..='9').contains(&copies.chars().next().unwrap_or('0')) =>
        {
            format!("{base}x≥3")
        }
        _ => plain,
    }
}

/// The built-in table, parsed once for every case.
fn table() -> &'static AlleleTable {
    static TABLE: std::sync::OnceLock<AlleleTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| AlleleTable::builtin().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Any mutation of a valid diplotype is read to the same phenotype, or refused, or
    /// reads as a different diplotype that CPIC's tables give its own phenotype for (a
    /// dropped digit can turn *41 into *4, a real allele); it is never read as the
    /// original diplotype with another phenotype.
    #[test]
    fn a_mutated_diplotype_is_read_the_same_refused_or_read_as_what_it_now_says(
        index in 0..VALID.len(),
        kind in 0u8..6,
        at in 0usize..40,
        with in prop::sample::select(vec!['*', '/', '1', '2', '3', 'x', 'A', ' ', '|', '.', 'a', '9']),
    ) {
        let table = table();
        let (gene, valid) = VALID[index];
        let original = table.interpret(gene, valid, &[]);
        let mutated_text = mutate(valid, kind, at, with);
        let mutated = table.interpret(gene, &mutated_text, &[]);
        match mutated.status {
            ReadingStatus::NotUnderstood => prop_assert!(mutated.calls.is_empty()),
            _ => {
                let same_reading = mutated.read_as == original.read_as;
                if same_reading {
                    prop_assert_eq!(
                        &mutated.calls[0].phenotype,
                        &original.calls[0].phenotype,
                        "{} read as {:?}", mutated_text, mutated.read_as
                    );
                } else {
                    // Read as other alleles: only when the mutated text spells exactly those
                    // alleles (a dropped digit can turn *41 into *4, a real allele), in
                    // either order; never a reading the text does not say.
                    let read = mutated.read_as.clone().unwrap_or_default();
                    let mut alleles: Vec<String> = read.split('/').map(compact).collect();
                    let mut written: Vec<String> = mutated_text.split(['/', '|']).map(compact).collect();
                    alleles.sort();
                    written.sort();
                    prop_assert_eq!(alleles, written, "{} read as {}", mutated_text, read);
                }
            }
        }
    }
}

/// Letters whose capital is ASCII but that are not themselves ASCII (the long s, the dotless
/// i, the "ff" ligature) do not spell a gene: such a result is refused, never read as a
/// shorter or shifted result, and never a panic.
#[test]
fn look_alike_letters_do_not_spell_a_gene() {
    let table = AlleleTable::builtin().unwrap();
    for (gene_field, result) in [
        ("CACNA1\u{17F}", "Uncertain Susceptibility"),
        ("", "CACNA1\u{17F} Uncertain Susceptibility"),
        ("\u{17F}LCO1B1", "*1/*5"),
        ("", "\u{17F}LCO1B1*1/*5"),
        ("", "\u{17F}LCO1B1 *1/*1"),
        ("\u{131}FNL3", "rs12979860 CC"),
        ("CYP2D6", "CYP2D6\u{17F}*1/*4"),
        ("SLCO1B1", "*1/\u{17F}LCO1B1*5"),
        ("SLCO1B1", "*1/SLCO1B1\u{17F}*5"),
    ] {
        let reading = table.interpret(gene_field, result, &[]);
        assert_eq!(
            reading.status,
            ReadingStatus::NotUnderstood,
            "{gene_field:?} {result:?}: {reading:?}"
        );
    }
}
