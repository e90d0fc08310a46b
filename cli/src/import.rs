//! `regimen import FILE`: fills a new, empty database from what Regimen wrote out, telling the
//! format by the file's content: a Regimen FHIR export (`regimen export fhir`), read here, or
//! a backup (`regimen backup create`), which [`is_backup`] tells `main` to restore before any
//! database is opened (a restore makes the database itself).

use std::path::Path;

use regimen_core::export::fhir::{MAX_BUNDLE_BYTES, looks_like_export};

use crate::files::read_bytes;
use crate::output::{counted, print_json};
use crate::session::Session;
use crate::{Failure, Outcome};

/// What `regimen import` can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// A FHIR R4 Bundle written by `regimen export fhir` (or the app's export).
    FhirBundle,
}

/// The format of `bytes`, if one `import` reads.
fn detect(bytes: &[u8]) -> Option<Format> {
    let text = std::str::from_utf8(bytes).ok()?;
    looks_like_export(text).then_some(Format::FhirBundle)
}

/// Whether `path` starts as a Regimen backup does (its first line).
pub fn is_backup(path: &Path) -> bool {
    use std::io::Read;
    let mut start = [0u8; 15];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut start))
        .is_ok_and(|()| regimen_core::backup::starts_as_backup(&start))
}

/// Runs `import FILE`.
pub fn run(session: &Session, path: &Path) -> Outcome {
    let bytes = read_bytes(path, MAX_BUNDLE_BYTES)?;
    match detect(&bytes) {
        Some(Format::FhirBundle) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| Failure::Cli(format!("{} is not UTF-8 text", path.display())))?;
            let report = session.regimen.import_fhir_bundle(text)?;
            if session.json {
                print_json(&report);
            } else {
                let n = |count: u32| count as usize;
                println!(
                    "Imported {}, {}, {}, {}, {} and {}.",
                    counted(n(report.medicines), "medicine"),
                    counted(n(report.schedule_versions), "schedule version"),
                    counted(n(report.dose_events), "dose event"),
                    counted(n(report.supply_events), "supply event"),
                    counted(n(report.pgx_results), "PGx result"),
                    counted(n(report.diary_entries), "diary entry"),
                );
            }
            Ok(())
        }
        None => Err(Failure::Cli(format!(
            "{} is not a file regimen import reads (a Regimen FHIR export, from `regimen \
             export fhir`, or a backup, from `regimen backup create`)",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regimen_export_is_told_from_other_json() {
        let export = r#"{"resourceType":"Bundle","identifier":{"system":"https://regimen.invalid/fhir/export","value":"ab"},"type":"collection","entry":[]}"#;
        assert_eq!(detect(export.as_bytes()), Some(Format::FhirBundle));
        let orders = r#"{"resourceType":"Bundle","type":"collection","entry":[]}"#;
        assert_eq!(detect(orders.as_bytes()), None);
        assert_eq!(detect(b"\xff\xfe not text"), None);
        assert_eq!(detect(b"gene,diplotype\nCYP2D6,*1/*4\n"), None);
    }
}
