//! PGx benchmarks: phenotype every diplotype of CPIC's table (33,342 calls). Needs
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
    c.bench_function("pgx/phenotype_all_33342_diplotypes", |b| {
        b.iter(|| {
            for (gene, diplotype) in &rows {
                black_box(table.phenotype(gene, diplotype).unwrap());
            }
        })
    });
    c.bench_function("pgx/load_allele_table", |b| {
        b.iter(|| black_box(AlleleTable::builtin().unwrap()))
    });
}

criterion_group!(pgx_benches, phenotype_all);
criterion_main!(pgx_benches);
