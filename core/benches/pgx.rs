//! PGx and knowledge benchmarks: read and phenotype every diplotype of CPIC's table (33,342
//! calls, through the normaliser), check 30 medicines, search the drug list. Needs
//! `../shared/reference/pgx` beside the checkout. Run with
//! `cargo bench -p regimen-core --bench pgx`; figures go in docs/benchmarks.md.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use regimen_core::pgx::AlleleTable;

fn phenotype_all(c: &mut Criterion) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/pgx/cpic_diplotype_phenotypes.tsv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: no reference table at {}", path.display());
        return;
    };
    let rows: Vec<(String, String)> = text
        .lines()
        .skip(1)
        .map(|line| {
            let mut f = line.split('\t');
            (
                f.next().unwrap_or_default().to_owned(),
                f.next().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let table = AlleleTable::builtin().unwrap();
    c.bench_function("pgx/read_and_phenotype_all_33342_diplotypes", |b| {
        b.iter(|| {
            for (gene, diplotype) in &rows {
                black_box(table.interpret(gene, diplotype, &[]));
            }
        })
    });
    c.bench_function("pgx/load_allele_table", |b| {
        b.iter(|| black_box(AlleleTable::builtin().unwrap()))
    });
}

/// 30 active medicines (CPIC drugs and others) against the full profile of PharmCAT's first
/// example report.
fn check_30(c: &mut Criterion) {
    use regimen_core::Timestamp;
    use regimen_core::knowledge::KnowledgeBase;
    use regimen_core::medicine::{Medicine, MedicineInfo};
    use regimen_core::pgx::{PgxResult, import};
    use regimen_core::warning::check;

    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/pgx/pharmcat_examples/pharmcat.example.report.json");
    let Ok(report) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: no PharmCAT example at {}", path.display());
        return;
    };
    let table = AlleleTable::builtin().unwrap();
    let now = Timestamp::parse_rfc3339("2025-06-01T00:00:00Z").unwrap();
    let stored = import::parse(&report)
        .unwrap()
        .results
        .into_iter()
        .enumerate()
        .map(|(i, result)| (i as i64, result, now))
        .collect();
    let results: Vec<PgxResult> = regimen_core::pgx::results::in_force(stored, &table, false);
    let names = [
        "clopidogrel",
        "codeine",
        "simvastatin",
        "atorvastatin",
        "warfarin",
        "metformin",
        "lisinopril",
        "amlodipine",
        "omeprazole",
        "sertraline",
        "citalopram",
        "paroxetine",
        "tramadol",
        "ondansetron",
        "allopurinol",
        "abacavir",
        "carbamazepine",
        "phenytoin",
        "azathioprine",
        "tacrolimus",
        "efavirenz",
        "voriconazole",
        "ibuprofen",
        "celecoxib",
        "levothyroxine",
        "metoprolol",
        "amitriptyline",
        "fluorouracil",
        "capecitabine",
        "atomoxetine",
    ];
    let medicines: Vec<Medicine> = names
        .iter()
        .enumerate()
        .map(|(i, name)| Medicine {
            id: i as i64 + 1,
            info: MedicineInfo {
                name: (*name).into(),
                ..MedicineInfo::default()
            },
            revision: 1,
            created_at: now,
            updated_at: now,
            archived_at: None,
        })
        .collect();
    let kb = KnowledgeBase::builtin().unwrap();
    c.bench_function("warning/check_30_medicines_full_profile", |b| {
        b.iter(|| black_box(check(&kb, &medicines, &results, now)))
    });
    c.bench_function("knowledge/load_builtin", |b| {
        b.iter(|| black_box(KnowledgeBase::builtin().unwrap()))
    });
}

/// What a phone does on first use after an update: verify the stored bundle's signature, and
/// load the base and the allele table from its tables (the load is the tables' check).
fn bundle_verify_load(c: &mut Criterion) {
    use regimen_core::knowledge::{
        Bundle, Tables, generate_signing_key, public_key_of, sign, verify_and_load,
    };
    let key = generate_signing_key().unwrap();
    let trusted = [public_key_of(&key).unwrap()];
    let bundle = Bundle {
        version: 2,
        created: "2026-11-21".into(),
        source: "benchmark".into(),
        tables: Tables::builtin(),
    };
    let bytes = sign(&bundle, &key).unwrap();
    c.bench_function("knowledge/verify_and_load_bundle", |b| {
        b.iter(|| black_box(verify_and_load(black_box(&bytes), &trusted).unwrap()))
    });
}

/// Drug search as a patient types: prefixes, brands, a slip, a word inside a name.
fn search(c: &mut Criterion) {
    use regimen_core::knowledge::KnowledgeBase;
    let kb = KnowledgeBase::builtin().unwrap();
    kb.search("warm", 10); // builds the index
    let queries = [
        "clop",
        "Plavix",
        "codein",
        "tylenol",
        "metoprolol succ",
        "Paracétamol",
        "zz",
    ];
    c.bench_function("knowledge/search_drugs_7_queries", |b| {
        b.iter(|| {
            for query in queries {
                black_box(kb.search(black_box(query), 10));
            }
        })
    });
    c.bench_function("knowledge/search_index_build", |b| {
        b.iter(|| {
            let fresh = KnowledgeBase::builtin().unwrap();
            black_box(fresh.search("a", 1))
        })
    });
}

criterion_group!(
    pgx_benches,
    phenotype_all,
    check_30,
    bundle_verify_load,
    search
);
criterion_main!(pgx_benches);
