//! Unit tests of the export's names, its settings record and what round-trips only under the
//! rules of stored schedules.

use super::ext::{record_of, record_parts};
use super::genomics::hgnc_id;
use super::ids::{Kind, Names};
use crate::schedule::{
    ClockTime, Phase, Schedule, Timing, TimingRepeat, UnitOfTime, Window, ZonePolicy,
    insert_version,
};
use crate::settings::Settings;
use crate::time::Timestamp;
use crate::{OpenOptions, Records};

#[test]
fn names_are_rfc_9562_version_8_uuids_stable_and_distinct() {
    let names = Names::new("0845ac61b402b3f9");
    let uuid = names.uuid(Kind::DoseEvent, 42);
    // 8-4-4-4-12 lowercase hex; version nibble 8; variant bits 10 (8, 9, a or b).
    let groups: Vec<&str> = uuid.split('-').collect();
    assert_eq!(
        groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12]
    );
    assert!(
        uuid.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    assert!(groups[2].starts_with('8'), "{uuid}");
    assert!(groups[3].starts_with(['8', '9', 'a', 'b']), "{uuid}");
    assert_eq!(
        Names::new("0845ac61b402b3f9").uuid(Kind::DoseEvent, 42),
        uuid
    );
    assert_ne!(names.uuid(Kind::DoseEvent, 43), uuid);
    assert_ne!(names.uuid(Kind::SupplyEvent, 42), uuid);
    assert_ne!(
        Names::new("1845ac61b402b3f9").uuid(Kind::DoseEvent, 42),
        uuid
    );
    assert_eq!(names.urn(Kind::DoseEvent, 42), format!("urn:uuid:{uuid}"));
}

#[test]
fn the_settings_travel_whole_as_nested_extensions() {
    let mut settings = Settings::default();
    settings.anchors.weekend = Some(settings.anchors.weekday);
    settings.anchors.weekday.lunch = "12:15:30".parse::<ClockTime>().unwrap();
    settings.reminders.heads_up_minutes = Some(10);
    let record = serde_json::to_value(settings).unwrap();
    let ext = serde_json::json!({ "url": "x", "extension": record_parts(&record) });
    let back = record_of(ext.as_object().unwrap(), "settings", 4).unwrap();
    assert_eq!(serde_json::from_value::<Settings>(back).unwrap(), settings);
    // An unset value is left out, and read back as unset.
    let defaults = serde_json::to_value(Settings::default()).unwrap();
    let parts = serde_json::Value::Array(record_parts(&defaults)).to_string();
    assert!(!parts.contains("heads_up_minutes"), "{parts}");
}

#[test]
fn every_gene_regimen_reads_has_its_hgnc_id() {
    let table = include_str!("../../../knowledge/allele_functions.tsv");
    let mut genes: Vec<&str> = table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("gene\t"))
        .filter_map(|l| l.split('\t').next())
        .collect();
    genes.extend(["HLA-A", "HLA-B"]);
    for gene in genes {
        assert!(hgnc_id(gene).is_some(), "{gene}");
    }
    // Spot checks against the HGNC ids the Genomics Reporting guide's examples use.
    assert_eq!(hgnc_id("CYP2C19"), Some("HGNC:2621"));
    assert_eq!(hgnc_id("HLA-B"), Some("HGNC:4932"));
    assert_eq!(hgnc_id("CYP2C9"), Some("HGNC:2623"));
}

/// A window beside fixed times is refused as new input today but was stored by earlier
/// versions (and is planned as it was): it must survive an export and an import unchanged.
#[test]
fn a_schedule_stored_under_looser_rules_comes_back_as_it_was() {
    let at = |t: &str| Timestamp::parse_rfc3339(t).unwrap();
    let source = Records::open_in_memory(&OpenOptions::default()).unwrap();
    let epoch = at("2025-01-01T00:00:00Z");
    let medicine = source
        .add_medicine(
            &crate::medicine::MedicineInfo {
                name: "Old".into(),
                ..Default::default()
            },
            epoch,
        )
        .unwrap();
    let old = Schedule {
        start: "2025-01-01T08:00".parse().unwrap(),
        zone: "Europe/Berlin".into(),
        policy: ZonePolicy::Local,
        phases: vec![Phase {
            timing: Timing {
                repeat: Some(TimingRepeat {
                    frequency: Some(1),
                    period: Some(1.0),
                    period_unit: Some(UnitOfTime::D),
                    time_of_day: vec!["08:00".parse().unwrap()],
                    ..TimingRepeat::default()
                }),
                ..Timing::default()
            },
            window: Some(Window {
                start: "09:00".parse().unwrap(),
                end: "17:00".parse().unwrap(),
            }),
            ..Phase::default()
        }],
        as_needed: None,
        shift: None,
    };
    assert!(old.validate().is_err());
    source
        .write(|tx, sealer| insert_version(tx, sealer, medicine.id, Some(&old), epoch, epoch))
        .unwrap();
    let table = crate::pgx::AlleleTable::builtin().unwrap();
    let now = at("2025-02-01T00:00:00Z");
    let bundle = source
        .export_fhir_bundle(&super::FhirExportOptions::default(), &table, now)
        .unwrap();
    let copy = Records::open_in_memory(&OpenOptions::default()).unwrap();
    copy.import_fhir_bundle(&bundle, now).unwrap();
    assert_eq!(
        copy.schedule_versions(medicine.id).unwrap(),
        source.schedule_versions(medicine.id).unwrap()
    );
}
