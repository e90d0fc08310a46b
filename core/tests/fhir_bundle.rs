//! Reading a Regimen FHIR export back: what is refused (a Bundle that is not Regimen's, an
//! entry that cannot be read, a reference to nothing, a database that is not empty), that the
//! refusal names the FHIR element and the entry but no health data, and that nothing is
//! stored by a refused import.

mod common;

use common::{at, named, scheduled, store};
use regimen_core::Error;
use regimen_core::dose::{DoseAction, NewDoseEvent};
use regimen_core::export::fhir::{FhirExportOptions, looks_like_export};
use regimen_core::pgx::AlleleTable;
use regimen_core::{Records, Timestamp};
use serde_json::{Value, json};

fn now() -> Timestamp {
    at("2025-03-01T12:00:00Z")
}

/// A patient with two medicines (one named "Warfarin"), four doses (one corrected) and a
/// note, exported as JSON.
fn exported() -> (Records, tempfile::TempDir, Value) {
    let (store, dir) = store();
    let warfarin = scheduled(&store, "Warfarin", "Europe/Berlin", &["08:00"]);
    scheduled(&store, "Metformin", "Europe/Berlin", &["08:00", "20:00"]);
    let events: Vec<NewDoseEvent> = (0..4u64)
        .map(|day| {
            let due = at("2025-02-01T07:00:00Z").plus(std::time::Duration::from_secs(day * 86_400));
            NewDoseEvent {
                medicine_id: warfarin,
                action: DoseAction::Taken,
                actual_at: due,
                scheduled_at: Some(due),
                snooze_until: None,
                note: Some("Bleeding gums".into()),
                amount: None,
                corrects: None,
            }
        })
        .collect();
    let logged = store.log_doses(&events, now()).unwrap();
    store
        .log_dose(
            &NewDoseEvent {
                action: DoseAction::Skipped,
                corrects: Some(logged[0].id),
                ..events[0].clone()
            },
            now(),
        )
        .unwrap();
    let table = AlleleTable::builtin().unwrap();
    let text = store
        .export_fhir_bundle(&FhirExportOptions::default(), &table, now())
        .unwrap();
    (store, dir, serde_json::from_str(&text).unwrap())
}

/// The index of the first entry whose resource is a `kind`.
fn first(bundle: &Value, kind: &str) -> usize {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["resource"]["resourceType"] == kind)
        .unwrap()
}

/// Imports `bundle` into a new database: the refusal's field and reason, after checking that
/// nothing was stored and that they name no health data.
fn refused(bundle: &Value) -> (&'static str, String) {
    let (fresh, _dir) = store();
    let error = fresh
        .import_fhir_bundle(&bundle.to_string(), now())
        .unwrap_err();
    assert!(fresh.medicines(true).unwrap().is_empty(), "nothing stored");
    let text = error.to_string();
    for secret in ["Warfarin", "Metformin", "Bleeding", "gums"] {
        assert!(!text.contains(secret), "{text}");
    }
    match error {
        Error::InvalidInput { field, reason } => (field, reason),
        other => panic!("expected invalid input, got {other}"),
    }
}

#[test]
fn an_export_reads_back_whole_and_is_told_from_other_json() {
    let (source, _dir, bundle) = exported();
    let text = bundle.to_string();
    assert!(looks_like_export(&text));
    assert!(!looks_like_export(
        &json!({ "resourceType": "Bundle", "type": "collection", "entry": [] }).to_string()
    ));
    let (fresh, _fresh_dir) = store();
    let report = fresh.import_fhir_bundle(&text, now()).unwrap();
    assert_eq!((report.medicines, report.dose_events), (2, 5));
    assert_eq!(
        fresh
            .dose_events(Timestamp::MIN, Timestamp::MAX, None)
            .unwrap(),
        source
            .dose_events(Timestamp::MIN, Timestamp::MAX, None)
            .unwrap()
    );
}

#[test]
fn a_bundle_that_is_not_a_regimen_export_is_refused() {
    let (_, _dir, mut bundle) = exported();
    bundle["identifier"]["system"] = "urn:ietf:rfc:3986".into();
    assert_eq!(refused(&bundle).0, "Bundle.identifier");

    let (_, _dir, mut bundle) = exported();
    bundle["type"] = "transaction".into();
    assert_eq!(refused(&bundle).0, "Bundle.type");

    let (fresh, _fresh_dir) = store();
    let error = fresh.import_fhir_bundle("{ not json", now()).unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { field: "json", .. }),
        "{error}"
    );
}

#[test]
fn an_entry_that_cannot_be_read_names_its_element_and_position() {
    let (_, _dir, mut bundle) = exported();
    let index = first(&bundle, "MedicationAdministration");
    bundle["entry"][index]["resource"]["status"] = "stopped".into();
    let (field, reason) = refused(&bundle);
    assert_eq!(field, "MedicationAdministration.status");
    assert!(reason.starts_with(&format!("entry[{index}]: ")), "{reason}");

    let (_, _dir, mut bundle) = exported();
    let index = first(&bundle, "MedicationRequest");
    bundle["entry"][index]["resource"]["dosageInstruction"][0]["timing"]["repeat"]["periodUnit"] =
        "fortnight".into();
    let (field, reason) = refused(&bundle);
    assert_eq!(field, "repeat.periodUnit");
    assert!(reason.starts_with(&format!("entry[{index}]: ")), "{reason}");

    let (_, _dir, mut bundle) = exported();
    let index = first(&bundle, "MedicationStatement");
    bundle["entry"][index]["resource"]["modifierExtension"] =
        json!([{ "url": "http://example.org/x", "valueBoolean": true }]);
    assert_eq!(
        refused(&bundle).0,
        "Bundle.entry.resource.modifierExtension"
    );

    let (_, _dir, mut bundle) = exported();
    bundle["entry"].as_array_mut().unwrap().push(
        json!({ "fullUrl": "urn:uuid:00000000-0000-8000-8000-000000000000",
            "resource": { "resourceType": "Condition" } }),
    );
    assert_eq!(refused(&bundle).0, "Bundle.entry.resource.resourceType");
}

#[test]
fn a_reference_to_nothing_and_a_row_twice_are_refused() {
    let (_, _dir, mut bundle) = exported();
    let index = first(&bundle, "MedicationAdministration");
    bundle["entry"][index]["resource"]["medicationReference"]["reference"] =
        "urn:uuid:00000000-0000-8000-8000-000000000000".into();
    let (field, reason) = refused(&bundle);
    assert_eq!(field, "MedicationAdministration.medicationReference");
    assert!(reason.starts_with("dose event 1: "), "{reason}");

    // The correction points at the event it corrects; pointing elsewhere is refused.
    let (_, _dir, mut bundle) = exported();
    let entries = bundle["entry"].as_array_mut().unwrap();
    let correction = entries
        .iter_mut()
        .find(|e| e["resource"]["status"] == "not-done")
        .unwrap();
    let corrects = correction["resource"]["extension"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["url"].as_str().unwrap().ends_with("/corrects"))
        .unwrap();
    corrects["valueReference"]["reference"] =
        "urn:uuid:00000000-0000-8000-8000-000000000001".into();
    assert_eq!(
        refused(&bundle).0,
        "MedicationAdministration.extension.corrects"
    );

    let (_, _dir, mut bundle) = exported();
    let index = first(&bundle, "MedicationAdministration");
    let mut twin = bundle["entry"][index].clone();
    twin["fullUrl"] = "urn:uuid:00000000-0000-8000-8000-000000000002".into();
    bundle["entry"].as_array_mut().unwrap().push(twin);
    assert_eq!(refused(&bundle).0, "MedicationAdministration.identifier");
}

#[test]
fn a_database_that_holds_anything_is_not_merged_into() {
    let (_, _dir, bundle) = exported();
    let (busy, _busy_dir) = store();
    busy.add_medicine(&named("Aspirin"), now()).unwrap();
    let error = busy
        .import_fhir_bundle(&bundle.to_string(), now())
        .unwrap_err();
    assert!(matches!(error, Error::Conflict(_)), "{error}");
    assert_eq!(busy.medicines(true).unwrap().len(), 1);
}

#[test]
fn a_dose_dated_ahead_of_the_clock_is_refused_as_the_log_would() {
    let (_, _dir, bundle) = exported();
    let (fresh, _fresh_dir) = store();
    let error = fresh
        .import_fhir_bundle(&bundle.to_string(), at("2025-01-01T00:00:00Z"))
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { field: "actual_at", ref reason } if reason.starts_with("dose event 1: ")),
        "{error}"
    );
    assert!(fresh.medicines(true).unwrap().is_empty());
}

#[test]
fn a_diary_entry_with_an_implausible_or_half_measurement_is_refused_as_the_diary_would() {
    use regimen_core::diary::NewDiaryEntry;
    use regimen_core::diary::measure::{Measurement, MeasurementKind};

    let (store, _dir, _) = exported();
    let warfarin = store.medicines(true).unwrap()[0].id;
    store
        .add_diary_entry(
            &NewDiaryEntry {
                at: at("2025-02-03T09:00:00Z"),
                text: Some("Bleeding gums again".into()),
                medicine_id: Some(warfarin),
                severity: Some(4),
                measurements: vec![
                    Measurement::parse(MeasurementKind::BloodPressure, "150/95").unwrap(),
                ],
            },
            now(),
        )
        .unwrap();
    let table = AlleleTable::builtin().unwrap();
    let text = store
        .export_fhir_bundle(&FhirExportOptions::default(), &table, now())
        .unwrap();
    let bundle: Value = serde_json::from_str(&text).unwrap();
    let diary = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["resource"]["code"]["coding"][0]["code"] == "75325-1")
        .expect("the diary entry is an Observation coded LOINC 75325-1");
    let entry = &bundle["entry"][diary]["resource"];
    assert_eq!(entry["valueString"], "Bleeding gums again");
    assert_eq!(entry["component"][0]["valueQuantity"]["code"], "mm[Hg]");
    assert_eq!(entry["component"][0]["valueQuantity"]["value"], 150);

    // A systolic pressure no one has.
    let mut implausible = bundle.clone();
    implausible["entry"][diary]["resource"]["component"][0]["valueQuantity"]["value"] = json!(900);
    let (field, reason) = refused(&implausible);
    assert_eq!(field, "blood_pressure.systolic");
    assert!(reason.contains("diary entry"), "{reason}");
    // A diastolic pressure without its systolic.
    let mut half = bundle.clone();
    half["entry"][diary]["resource"]["component"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    assert_eq!(refused(&half).0, "Observation.component");
    // A unit the diary does not take.
    let mut unit = bundle;
    unit["entry"][diary]["resource"]["component"][0]["valueQuantity"]["code"] = json!("kPa");
    assert_eq!(refused(&unit).0, "Observation.component");
}
