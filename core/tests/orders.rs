//! Prescriptions from FHIR as e-prescription services and portals send them: a Bundle of
//! orders of every shape real ones take, each read whole or refused with its reason, never
//! the Bundle as a whole; a dispense adding stock once.

mod common;

use common::{at, store};
use regimen_core::supply::SupplyKind;
use serde_json::{Value, json};

const UCUM: &str = "http://unitsofmeasure.org";
const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";

fn bundle() -> Value {
    json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            { "fullUrl": "urn:uuid:pat", "resource": { "resourceType": "Patient", "id": "p1" } },
            { "resource": {
                "resourceType": "MedicationRequest", "id": "rx-metformin", "status": "active",
                "intent": "order", "subject": { "reference": "Patient/p1" },
                "identifier": [{ "system": "urn:oid:2.16.840.1.113883.3.1", "value": "RX1001" }],
                "medicationCodeableConcept": { "coding": [{ "system": RXNORM, "code": "861007",
                    "display": "metformin hydrochloride 500 MG Oral Tablet" }] },
                "dosageInstruction": [{ "text": "1 tablet twice a day with meals",
                    "timing": { "repeat": { "frequency": 2, "period": 1, "periodUnit": "d",
                        "timeOfDay": ["08:00:00", "20:00:00"] } },
                    "doseAndRate": [{ "doseQuantity": { "value": 1, "unit": "tablet" } }] }],
                "dispenseRequest": {
                    "numberOfRepeatsAllowed": 3,
                    "quantity": { "value": 60, "unit": "tablet" },
                    "expectedSupplyDuration": { "value": 30, "unit": "days", "system": UCUM, "code": "d" },
                    "validityPeriod": { "start": "2026-03-01", "end": "2026-09-01" }
                }
            } },
            { "resource": {
                "resourceType": "MedicationRequest", "id": "rx-levo", "status": "active",
                "intent": "order",
                "medicationCodeableConcept": { "text": "Levothyroxine 50 mcg" },
                "dosageInstruction": [{ "text": "Take as directed" }],
                "dispenseRequest": { "quantity": { "value": 90, "unit": "tablets" } }
            } },
            { "resource": {
                "resourceType": "MedicationRequest", "id": "rx-no-dosage", "status": "active",
                "intent": "order",
                "medicationCodeableConcept": { "text": "Atorvastatin 20 mg" }
            } },
            { "resource": {
                "resourceType": "MedicationRequest", "id": "rx-ibu", "status": "active",
                "intent": "order",
                "medicationReference": { "reference": "urn:uuid:med-ibu" },
                "dosageInstruction": [{ "text": "1 tablet every 6 hours as needed for pain, for 5 days",
                    "asNeededCodeableConcept": { "text": "pain" },
                    "timing": { "repeat": { "frequency": 1, "period": 6, "periodUnit": "h",
                        "boundsDuration": { "value": 5, "unit": "days", "system": UCUM, "code": "d" } } },
                    "doseAndRate": [{ "doseQuantity": { "value": 1, "unit": "tablet" } }] }]
            } },
            { "fullUrl": "urn:uuid:med-ibu", "resource": { "resourceType": "Medication",
                "code": { "coding": [{ "system": RXNORM, "code": "197806",
                    "display": "ibuprofen 400 MG Oral Tablet" }] } } },
            { "resource": {
                "resourceType": "MedicationRequest", "id": "rx-stopped", "status": "stopped",
                "intent": "order", "medicationCodeableConcept": { "text": "Amoxicillin" }
            } },
            { "resource": {
                "resourceType": "MedicationRequest", "id": "rx-bad", "status": "active",
                "intent": "order", "medicationCodeableConcept": { "text": "Warfarin" },
                "dosageInstruction": [{ "timing": { "repeat": { "frequency": 1, "period": 1,
                    "periodUnit": "fortnight" } } }]
            } },
            { "resource": {
                "resourceType": "MedicationRequest", "id": "rx-proposal", "status": "active",
                "intent": "proposal", "medicationCodeableConcept": { "text": "Aspirin" }
            } }
        ]
    })
}

#[test]
fn every_readable_order_of_a_bundle_is_taken_in_and_the_others_are_refused_with_reasons() {
    let (store, _dir) = store();
    let now = at("2026-03-02T09:00:00Z");
    let import = store
        .import_orders(&bundle(), regimen_core::Zone::UTC, now)
        .unwrap();
    let names: Vec<(u32, &str, bool)> = import
        .imported
        .iter()
        .map(|o| (o.entry, o.medicine.info.name.as_str(), o.scheduled))
        .collect();
    assert_eq!(
        names,
        [
            (1, "metformin hydrochloride 500 MG Oral Tablet", true),
            (2, "Levothyroxine 50 mcg", false),
            (3, "Atorvastatin 20 mg", false),
            (4, "ibuprofen 400 MG Oral Tablet", true),
        ]
    );
    let refused: Vec<(u32, &str)> = import
        .refused
        .iter()
        .map(|r| (r.entry, r.field.as_str()))
        .collect();
    assert_eq!(
        refused,
        [(6, "status"), (7, "repeat.periodUnit"), (8, "intent")]
    );
    assert!(import.refused[1].reason.contains("dosageInstruction[0]"));

    // The structured order: its schedule, its prescription, stock counted in tablets.
    let metformin = &import.imported[0];
    assert_eq!(metformin.medicine.info.rxnorm.as_deref(), Some("861007"));
    let rx = &metformin.prescription.details;
    assert_eq!(rx.repeats_allowed, Some(3));
    assert_eq!(rx.quantity_per_dispense, Some(60.0));
    assert_eq!(rx.expected_supply_days, Some(30));
    assert_eq!(rx.valid_until, Some(at("2026-09-01T23:59:59Z")));
    let fhir = rx.fhir.as_ref().unwrap();
    assert_eq!(fhir.id.as_deref(), Some("rx-metformin"));
    assert_eq!(
        fhir.identifier.as_deref(),
        Some("urn:oid:2.16.840.1.113883.3.1|RX1001")
    );
    assert_eq!(fhir.subject.as_deref(), Some("Patient/p1"));
    assert_eq!(
        store
            .supply_settings(metformin.medicine.id)
            .unwrap()
            .unwrap()
            .unit,
        "tablet"
    );
    assert_eq!(
        store
            .schedule_versions(metformin.medicine.id)
            .unwrap()
            .len(),
        1
    );

    // "Take as directed" keeps its words and has no schedule.
    let levo = &import.imported[1];
    assert_eq!(
        levo.medicine.info.instructions.as_deref(),
        Some("Take as directed")
    );
    assert!(
        store
            .schedule_versions(levo.medicine.id)
            .unwrap()
            .is_empty()
    );

    // The as-needed course of five days ends five days after the import.
    let ibuprofen = &import.imported[3];
    assert_eq!(ibuprofen.medicine.info.rxnorm.as_deref(), Some("197806"));
    let schedule = store
        .schedule_at(ibuprofen.medicine.id, now)
        .unwrap()
        .unwrap();
    let rules = schedule.as_needed.unwrap();
    assert_eq!(rules.min_interval_minutes, Some(360));
    assert_eq!(
        rules.ends.map(|e| e.to_string()).as_deref(),
        Some("2026-03-07T09:00")
    );

    // The same Bundle again adds nothing: the orders are known and only updated.
    let again = store
        .import_orders(&bundle(), regimen_core::Zone::UTC, now)
        .unwrap();
    assert!(again.imported.iter().all(|o| o.updated));
    assert_eq!(store.medicines(true).unwrap().len(), 4);
}

#[test]
fn a_completed_dispense_adds_its_quantity_once_to_the_prescriptions_medicine() {
    let (store, _dir) = store();
    let now = at("2026-03-02T09:00:00Z");
    let import = store
        .import_orders(&bundle(), regimen_core::Zone::UTC, now)
        .unwrap();
    let metformin = import.imported[0].medicine.id;
    let dispense = json!({
        "resourceType": "MedicationDispense", "id": "disp-1", "status": "completed",
        "authorizingPrescription": [{ "reference": "MedicationRequest/rx-metformin" }],
        "medicationCodeableConcept": { "text": "metformin 500 mg" },
        "quantity": { "value": 60, "unit": "tablets" },
        "whenHandedOver": "2026-03-02T10:15:00+01:00"
    });
    let later = at("2026-03-02T12:00:00Z");
    let added = store
        .import_dispense(&dispense, regimen_core::Zone::UTC, later)
        .unwrap()
        .unwrap();
    assert_eq!(added.medicine_id, metformin);
    assert_eq!(added.kind, SupplyKind::Received);
    assert_eq!(added.amount, 60.0);
    assert_eq!(added.at, at("2026-03-02T09:15:00Z"));
    assert_eq!(added.dispense.as_deref(), Some("MedicationDispense/disp-1"));
    assert!(
        store
            .import_dispense(&dispense, regimen_core::Zone::UTC, later)
            .unwrap()
            .is_none()
    );
    assert_eq!(store.stock(metformin, later).unwrap().on_hand, 60.0);
    // 60 tablets at two a day from 2 March 20:00: the prescription (valid to September) and
    // its repeats cover it.
    let forecast = store.forecast(metformin, later).unwrap();
    assert_eq!(
        forecast.run_out_at.map(|t| t.to_string()).as_deref(),
        Some("2026-04-01T20:00:00Z")
    );
    assert_eq!(forecast.prescription_warning, None);
    // A dispense not yet handed over, or for nothing taken here, is refused.
    let pending = json!({ "resourceType": "MedicationDispense", "id": "disp-2",
        "status": "in-progress", "quantity": { "value": 60, "unit": "tablet" } });
    assert!(
        store
            .import_dispense(&pending, regimen_core::Zone::UTC, later)
            .is_err()
    );
    let stranger = json!({ "resourceType": "MedicationDispense", "id": "disp-3",
        "status": "completed", "authorizingPrescription": [{ "reference": "MedicationRequest/other" }],
        "quantity": { "value": 30, "unit": "tablet" } });
    assert!(
        store
            .import_dispense(&stranger, regimen_core::Zone::UTC, later)
            .is_err()
    );
}

/// Found by fuzzing (issue 14): FHIR text was parsed whatever its size (50 MB of `[0,0,…]`
/// takes 800 MB as a JSON value). It is refused over 4 MiB before parsing, and nesting
/// past 128 levels is refused without recursing.
#[test]
fn fhir_json_over_4_mib_or_nested_too_deep_is_refused_before_reading() {
    use regimen_core::Error;
    use regimen_core::interop::fhir::{MAX_JSON_BYTES, parse_json};
    let huge = format!("[{}0]", "0,".repeat(MAX_JSON_BYTES / 2));
    assert!(matches!(
        parse_json(&huge),
        Err(Error::InvalidInput { field: "json", .. })
    ));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        parse_json(&deep),
        Err(Error::InvalidInput { field: "json", .. })
    ));
    let text = bundle().to_string();
    assert_eq!(parse_json(&text).unwrap(), bundle());
}
