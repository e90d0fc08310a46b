//! The symptom and side-effect diary: measurements with checked units and plausible ranges,
//! conversions worked out by hand, entries sealed at rest, and a delete that leaves nothing
//! behind in the database's files.

mod common;

use std::path::Path;

use common::{FixedKey, at, named, store};
use regimen_core::diary::measure::{
    GlucoseUnit, Measurement, MeasurementKind, TemperatureUnit, WeightUnit,
};
use regimen_core::diary::{MAX_TEXT_CHARS, NewDiaryEntry};
use regimen_core::{Error, OpenOptions, Records};

fn entry(at_text: &str, text: Option<&str>) -> NewDiaryEntry {
    NewDiaryEntry {
        at: at(at_text),
        text: text.map(str::to_owned),
        medicine_id: None,
        severity: None,
        measurements: Vec::new(),
    }
}

fn field_of(error: Error) -> &'static str {
    match error {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other}"),
    }
}

fn parse(kind: MeasurementKind, text: &str) -> Measurement {
    Measurement::parse(kind, text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn refused(kind: MeasurementKind, text: &str) -> &'static str {
    field_of(Measurement::parse(kind, text).expect_err(text))
}

#[test]
fn glucose_is_kept_in_its_unit_and_converted_with_its_molar_mass() {
    // Glucose is 180.16 g/mol, so 1 mmol/L = 180.16 mg/L = 18.016 mg/dL.
    // 100 mg/dL / 18.016 = 5.5506... mmol/L; 5.4 mmol/L * 18.016 = 97.286... mg/dL.
    let mg = parse(MeasurementKind::Glucose, "100 mg/dL");
    assert_eq!(
        mg,
        Measurement::Glucose {
            value: 100.0,
            unit: GlucoseUnit::MgPerDl
        },
        "kept as entered, unit and all"
    );
    assert!((mg.glucose_mmol_per_l().unwrap() - 5.5506).abs() < 1e-4);
    assert_eq!(mg.describe(), "100 mg/dL (5.6 mmol/L)");
    let mmol = parse(MeasurementKind::Glucose, "5.4mmol/L");
    assert!((mmol.glucose_mg_per_dl().unwrap() - 97.2864).abs() < 1e-4);
    assert_eq!(mmol.describe(), "5.4 mmol/L (97 mg/dL)");
    assert_eq!(
        parse(MeasurementKind::Glucose, "5.4 MMOL/l"),
        mmol,
        "units are case-insensitive"
    );
}

#[test]
fn weight_and_temperature_convert_by_their_definitions() {
    // 1 lb = 0.45359237 kg exactly: 154 lb = 68.0388555 (150 lb) + 1.81436948 (4 lb)
    // = 69.85322498 kg.
    let lb = parse(MeasurementKind::Weight, "154lb");
    assert!((lb.weight_kg().unwrap() - 69.853_224_98).abs() < 1e-9);
    assert_eq!(lb.describe(), "154 lb (69.9 kg)");
    // 70 kg / 0.45359237 = 154.32 lb.
    assert_eq!(
        parse(MeasurementKind::Weight, "70 kg").describe(),
        "70 kg (154.3 lb)"
    );
    // (98.6 - 32) * 5 / 9 = 37 °C; 37.2 * 9 / 5 + 32 = 98.96 °F.
    let f = parse(MeasurementKind::Temperature, "98.6°F");
    assert!((f.temperature_celsius().unwrap() - 37.0).abs() < 1e-9);
    assert_eq!(
        parse(MeasurementKind::Temperature, "37.2C").describe(),
        "37.2 °C (99.0 °F)"
    );
    assert_eq!(
        parse(MeasurementKind::BloodPressure, "120/80 mmHg"),
        Measurement::BloodPressure {
            systolic_mmhg: 120,
            diastolic_mmhg: 80
        }
    );
    assert_eq!(
        parse(MeasurementKind::HeartRate, "72/min"),
        Measurement::HeartRate { per_minute: 72 }
    );
    assert_eq!(
        parse(MeasurementKind::HeartRate, "72 bpm"),
        parse(MeasurementKind::HeartRate, "72")
    );
}

#[test]
fn unknown_units_and_implausible_values_are_refused_naming_the_field() {
    use MeasurementKind::*;
    // Unknown or missing units.
    assert_eq!(refused(Glucose, "5.4"), "glucose");
    assert_eq!(refused(Glucose, "5.4 mg"), "glucose");
    assert_eq!(refused(Weight, "70 stone"), "weight");
    assert_eq!(refused(Weight, "70"), "weight");
    assert_eq!(refused(Temperature, "37.2 K"), "temperature");
    assert_eq!(refused(BloodPressure, "120/80 kPa"), "blood_pressure");
    assert_eq!(refused(HeartRate, "72 Hz"), "heart_rate");
    // Out of range, in either unit: 37.2 °C typed as °F is 2.9 °C, a swapped unit.
    assert_eq!(refused(Temperature, "37.2F"), "temperature");
    assert_eq!(refused(Temperature, "46C"), "temperature");
    // 5.4 typed as mg/dL is 0.3 mmol/L: below the 0.5 mmol/L (9 mg/dL) floor.
    assert_eq!(refused(Glucose, "5.4mg/dL"), "glucose");
    assert_eq!(refused(Glucose, "61 mmol/L"), "glucose");
    assert_eq!(refused(Weight, "0.4kg"), "weight");
    assert_eq!(refused(Weight, "1200 lb"), "weight");
    assert_eq!(refused(HeartRate, "19"), "heart_rate");
    assert_eq!(refused(HeartRate, "301"), "heart_rate");
    assert_eq!(refused(BloodPressure, "310/80"), "blood_pressure.systolic");
    assert_eq!(refused(BloodPressure, "120/10"), "blood_pressure.diastolic");
    assert_eq!(refused(BloodPressure, "80/120"), "blood_pressure");
    assert_eq!(refused(BloodPressure, "120"), "blood_pressure");
    assert_eq!(refused(Glucose, "5..4 mmol/L"), "glucose");
    // Values built by an app, not typed: the same checks.
    let nan = Measurement::Weight {
        value: f64::NAN,
        unit: WeightUnit::Kg,
    };
    assert_eq!(field_of(nan.validated().unwrap_err()), "weight");
    let edge = Measurement::Temperature {
        value: 113.0,
        unit: TemperatureUnit::Fahrenheit,
    };
    assert!(edge.validated().is_ok(), "45 °C = 113 °F is the top");
}

#[test]
fn entries_are_checked_before_anything_is_stored() {
    let (store, _dir) = store();
    let now = at("2026-03-10T12:00:00Z");
    let cases: Vec<(NewDiaryEntry, &str)> = vec![
        (entry("2026-03-10T12:06:00Z", Some("headache")), "at"),
        (entry("2026-03-10T11:00:00Z", None), "text"),
        (entry("2026-03-10T11:00:00Z", Some("   ")), "text"),
        (
            entry(
                "2026-03-10T11:00:00Z",
                Some(&"x".repeat(MAX_TEXT_CHARS + 1)),
            ),
            "text",
        ),
        (
            NewDiaryEntry {
                severity: Some(0),
                ..entry("2026-03-10T11:00:00Z", Some("headache"))
            },
            "severity",
        ),
        (
            NewDiaryEntry {
                severity: Some(6),
                ..entry("2026-03-10T11:00:00Z", Some("headache"))
            },
            "severity",
        ),
        (
            NewDiaryEntry {
                medicine_id: Some(99),
                ..entry("2026-03-10T11:00:00Z", Some("headache"))
            },
            "medicine_id",
        ),
        (
            NewDiaryEntry {
                measurements: vec![
                    Measurement::HeartRate { per_minute: 70 },
                    Measurement::HeartRate { per_minute: 72 },
                ],
                ..entry("2026-03-10T11:00:00Z", None)
            },
            "measurements",
        ),
        (
            NewDiaryEntry {
                measurements: vec![Measurement::HeartRate { per_minute: 400 }],
                ..entry("2026-03-10T11:00:00Z", Some("racing heart"))
            },
            "heart_rate",
        ),
    ];
    for (bad, field) in cases {
        let error = store.add_diary_entry(&bad, now).unwrap_err();
        assert_eq!(field_of(error), field);
    }
    let all = store
        .diary_entries(at("2000-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))
        .unwrap();
    assert!(all.is_empty(), "nothing stored: {all:?}");
    // Four minutes ahead (two clocks a little apart) is fine, as is a measurement alone.
    let only_weight = NewDiaryEntry {
        measurements: vec![Measurement::Weight {
            value: 70.0,
            unit: WeightUnit::Kg,
        }],
        ..entry("2026-03-10T12:04:00Z", None)
    };
    store.add_diary_entry(&only_weight, now).unwrap();
}

#[test]
fn entries_read_back_by_period_in_order_with_the_medicine_link() {
    let (store, _dir) = store();
    let now = at("2026-03-10T12:00:00Z");
    let medicine = store.add_medicine(&named("Metformin"), now).unwrap();
    let later = store
        .add_diary_entry(
            &NewDiaryEntry {
                medicine_id: Some(medicine.id),
                severity: Some(4),
                measurements: vec![
                    Measurement::Temperature {
                        value: 38.1,
                        unit: TemperatureUnit::Celsius,
                    },
                    Measurement::BloodPressure {
                        systolic_mmhg: 150,
                        diastolic_mmhg: 95,
                    },
                ],
                ..entry("2026-03-09T20:00:00Z", Some("  nausea\nafter dinner "))
            },
            now,
        )
        .unwrap();
    let earlier = store
        .add_diary_entry(&entry("2026-03-08T07:30:00Z", Some("slept badly")), now)
        .unwrap();
    assert!(later.id < earlier.id, "ids in the order written");
    let read = store
        .diary_entries(at("2026-03-08T00:00:00Z"), at("2026-03-10T00:00:00Z"))
        .unwrap();
    assert_eq!(
        read,
        [earlier.clone(), later.clone()],
        "by the time they happened"
    );
    assert_eq!(
        later.text.as_deref(),
        Some("nausea\nafter dinner"),
        "trimmed"
    );
    assert_eq!(
        later.measurements[0].kind(),
        MeasurementKind::BloodPressure,
        "measurements in the order of their kinds"
    );
    assert_eq!(later.medicine_id, Some(medicine.id));
    // `[from, to)`: an entry at `to` is not in it.
    let before = store
        .diary_entries(at("2026-03-08T00:00:00Z"), at("2026-03-09T20:00:00Z"))
        .unwrap();
    assert_eq!(before, [earlier]);
    assert_eq!(
        field_of(
            store
                .diary_entries(at("2026-03-10T00:00:00Z"), at("2026-03-09T00:00:00Z"))
                .unwrap_err()
        ),
        "to"
    );
    // Printing an entry (an app's log line) shows no health data.
    let printed = format!("{later}");
    assert!(
        !printed.contains("nausea") && !printed.contains("150"),
        "{printed}"
    );
}

/// Every byte of the database and its journals.
fn files_of(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", path.display());
        bytes.extend(std::fs::read(file).unwrap_or_default());
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The sealed value stored for entry `id`, read with plain SQLite.
fn sealed_value(path: &Path, id: i64) -> Vec<u8> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT details FROM diary_entry WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .unwrap()
}

#[test]
fn diary_text_is_never_in_the_files_in_clear_and_a_deleted_entry_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("diary.db");
    let store = Records::open(&path, &OpenOptions::default(), &FixedKey).unwrap();
    let now = at("2026-03-10T12:00:00Z");
    let words = "Rash on both forearms since Tuesday";
    let kept_words = "Ankles swollen in the evening";
    let gone = store
        .add_diary_entry(
            &NewDiaryEntry {
                severity: Some(3),
                measurements: vec![Measurement::Glucose {
                    value: 7.25,
                    unit: GlucoseUnit::MmolPerL,
                }],
                ..entry("2026-03-10T08:00:00Z", Some(words))
            },
            now,
        )
        .unwrap();
    let kept = store
        .add_diary_entry(&entry("2026-03-10T09:00:00Z", Some(kept_words)), now)
        .unwrap();
    let bytes = files_of(&path);
    for clear in [words.as_bytes(), kept_words.as_bytes(), b"7.25", b"Rash"] {
        assert!(
            !contains(&bytes, clear),
            "in clear: {:?}",
            String::from_utf8_lossy(clear)
        );
    }
    let sealed = sealed_value(&path, gone.id);
    assert!(
        contains(&files_of(&path), &sealed),
        "the sealed value is on disk"
    );

    store.delete_diary_entry(gone.id, now).unwrap();
    let left = store
        .diary_entries(at("2026-03-10T00:00:00Z"), at("2026-03-11T00:00:00Z"))
        .unwrap();
    assert_eq!(left, std::slice::from_ref(&kept));
    // Not even the ciphertext survives, in the database or its write-ahead log.
    assert!(
        !contains(&files_of(&path), &sealed),
        "a copy of the deleted entry remains"
    );
    assert!(matches!(
        store.delete_diary_entry(gone.id, now),
        Err(Error::NotFound { .. })
    ));
    // A new entry never gets the deleted one's id.
    let next = store
        .add_diary_entry(&entry("2026-03-10T10:00:00Z", Some("better")), now)
        .unwrap();
    assert!(next.id > kept.id);
    drop(store);
    // Reopened, the rest reads back.
    let store = Records::open(&path, &OpenOptions::default(), &FixedKey).unwrap();
    let all = store
        .diary_entries(at("2026-03-10T00:00:00Z"), at("2026-03-11T00:00:00Z"))
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].text.as_deref(), Some(kept_words));
}
