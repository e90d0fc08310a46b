//! Round trips and refusals of the FHIR schedule formats.
use serde_json::json;

use super::dosage::phase_to_dosage;
use super::*;
use crate::error::Error;
use crate::schedule::{Cycle, Quantity, Timing, TimingCode, Window};

fn phase_with_extensions() -> Phase {
    Phase {
        timing: Timing {
            code: Some(TimingCode::Q3h),
            ..Timing::default()
        },
        dose: Some(Quantity {
            value: 1.0,
            unit: "tablet".into(),
        }),
        cycle: Some(Cycle {
            days_on: 21,
            days_off: 7,
        }),
        window: Some(Window {
            start: "08:00".parse().unwrap(),
            end: "22:30".parse().unwrap(),
        }),
        after_last_taken: false,
    }
}

#[test]
fn regimen_extensions_round_trip_through_a_dosage() {
    let urls = |dosage: &serde_json::Value| -> Vec<String> {
        dosage["extension"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["url"].as_str().unwrap().to_owned())
            .collect()
    };
    let phase = phase_with_extensions();
    let dosage = phase_to_dosage(&phase, 1, crate::Zone::UTC);
    assert_eq!(
        urls(&dosage),
        [
            "https://regimen.invalid/fhir/StructureDefinition/cycle",
            "https://regimen.invalid/fhir/StructureDefinition/window",
        ]
    );
    assert_eq!(
        dosage["extension"][1]["extension"][1]["valueTime"],
        "22:30:00"
    );
    let back = dosage_to_phase(&dosage, crate::Zone::UTC).unwrap();
    assert_eq!(back, ImportedDosage::Phase(phase));

    // Counting from the last dose taken needs an interval without a window.
    let after_last = Phase {
        window: None,
        after_last_taken: true,
        ..phase_with_extensions()
    };
    let dosage = phase_to_dosage(&after_last, 1, crate::Zone::UTC);
    assert_eq!(
        urls(&dosage),
        [
            "https://regimen.invalid/fhir/StructureDefinition/cycle",
            "https://regimen.invalid/fhir/StructureDefinition/after-last-taken",
        ]
    );
    let back = dosage_to_phase(&dosage, crate::Zone::UTC).unwrap();
    assert_eq!(back, ImportedDosage::Phase(after_last));
}

#[test]
fn a_phase_without_extensions_writes_none_and_foreign_ones_are_ignored() {
    let phase = Phase {
        cycle: None,
        window: None,
        after_last_taken: false,
        ..phase_with_extensions()
    };
    let mut dosage = phase_to_dosage(&phase, 1, crate::Zone::UTC);
    assert!(dosage.get("extension").is_none());
    dosage["extension"] = json!([{ "url": "http://example.org/x", "valueString": "y" }]);
    let back = dosage_to_phase(&dosage, crate::Zone::UTC).unwrap();
    assert_eq!(back, ImportedDosage::Phase(phase));
}

#[test]
fn a_broken_cycle_extension_names_the_extension() {
    let mut dosage = phase_to_dosage(&phase_with_extensions(), 1, crate::Zone::UTC);
    for days_on in [json!(0), json!(u32::MAX), json!(-1), json!("21")] {
        dosage["extension"][0]["extension"][0]["valueInteger"] = days_on;
        let err = dosage_to_phase(&dosage, crate::Zone::UTC).unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    field: "extension.cycle",
                    ..
                }
            ),
            "{err}"
        );
    }
}
