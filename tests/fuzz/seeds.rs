//! The seed inputs: the real PharmCAT examples from the shared reference data, and the FHIR,
//! pharmacy and share shapes the other tests use, with the planted markers where health data
//! would be.

use std::path::PathBuf;

use regimen_core::knowledge::{Bundle, Tables};
use serde_json::{Value, json};

use crate::engine::{MARKER, MARKER_GENOTYPE};

/// The PharmCAT examples (see `../shared/reference/pgx/README.md`), if present.
fn pharmcat_examples() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/pgx/pharmcat_examples");
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the PharmCAT examples are missing at {}",
        path.display()
    );
    None
}

/// A PharmCAT JSON report cut to what the importer reads (the full one is 1.6 MB: too slow
/// to mutate thousands of times), keeping its real genes and diplotype labels.
fn pruned_report(report: &Value) -> Vec<u8> {
    let genes: serde_json::Map<String, Value> = report["genes"]
        .as_object()
        .into_iter()
        .flat_map(|sources| sources.values())
        .filter_map(Value::as_object)
        .flat_map(|genes| genes.iter())
        .map(|(gene, call)| {
            let labels: Vec<Value> = call["sourceDiplotypes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| json!({ "label": d["label"] }))
                .collect();
            (gene.clone(), json!({ "sourceDiplotypes": labels }))
        })
        .collect();
    serde_json::to_vec(&json!({
        "title": report["title"],
        "timestamp": report["timestamp"],
        "pharmcatVersion": report["pharmcatVersion"],
        "genes": genes,
    }))
    .unwrap()
}

/// PGx files: PharmCAT reports (TSV, pruned JSON), outside calls, lab lists, FHIR Genomics.
pub fn pgx() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    if let Some(dir) = pharmcat_examples() {
        for name in [
            "pharmcat.example.report.tsv",
            "pharmcat.example2.report.tsv",
            "pharmcat.example.outsideCall.tsv",
        ] {
            seeds.push(std::fs::read(dir.join(name)).unwrap());
        }
        for name in [
            "pharmcat.example.report.json",
            "pharmcat.example2.report.json",
        ] {
            let report: Value =
                serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap();
            let pruned = pruned_report(&report);
            // A report whose genes nest by source is read; make sure the cut kept them.
            seeds.push(pruned);
        }
    }
    seeds.push(
        format!(
            "gene,diplotype\nCYP2D6,*1/*4\nCYP2C19,\"*2/*17\"\n{MARKER},{MARKER_GENOTYPE}\nHLA-B,*57:01,positive\nDPYD,c.1905+1G>A,heterozygous\n"
        )
        .into_bytes(),
    );
    seeds.push(format!("CYP2C9\t*1/*3\nSLCO1B1\t{MARKER_GENOTYPE}\n").into_bytes());
    seeds.push(
        json!([
            { "gene": "CYP2D6", "diplotype": "*1/*1xN" },
            { "gene": "HLA-A", "diplotype": "*31:01", "status": "negative" },
            { "gene": MARKER, "diplotype": MARKER_GENOTYPE },
        ])
        .to_string()
        .into_bytes(),
    );
    seeds.push(
        json!({ "lab": "Example Lab", "test_date": "2025-06-01", "results": [
            { "gene": "TPMT", "diplotype": "*1/*3A" },
            { "gene": "UGT1A1", "diplotype": MARKER_GENOTYPE },
        ]})
        .to_string()
        .into_bytes(),
    );
    let observation = |gene: &str, genotype: &str| {
        json!({
            "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "84413-4" }] },
            "valueCodeableConcept": { "text": genotype },
            "component": [{
                "code": { "coding": [{ "system": "http://loinc.org", "code": "48018-6" }] },
                "valueCodeableConcept": { "coding": [{ "system": "http://www.genenames.org/geneId",
                    "code": "HGNC:2625", "display": gene }] }
            }],
            "effectiveDateTime": "2025-03-01", "performer": [{ "display": "Example Genomics Lab" }]
        })
    };
    seeds.push(
        json!({ "resourceType": "Bundle", "type": "collection", "entry": [
            { "resource": observation("CYP2C19", "*1/*2") },
            { "resource": observation(MARKER, MARKER_GENOTYPE) },
        ]})
        .to_string()
        .into_bytes(),
    );
    seeds.push(
        json!({ "resourceType": "DiagnosticReport", "contained": [observation("CYP2D6", "CYP2D6 *1/*4")] })
            .to_string()
            .into_bytes(),
    );
    seeds
}

/// FHIR `Timing`s (shapes from core/tests/fhir_timing.rs).
pub fn timings() -> Vec<Vec<u8>> {
    [
        json!({ "code": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation", "code": "BID" }] } }),
        json!({ "code": { "text": "qid" } }),
        json!({ "repeat": { "frequency": 2, "period": 1, "periodUnit": "d", "timeOfDay": ["08:00:00", "20:00"] } }),
        json!({ "repeat": { "when": ["MORN.early", "HS", "ACM"], "offset": 30 } }),
        json!({ "repeat": { "frequency": 1, "period": 6, "periodMax": 8, "periodUnit": "h",
            "boundsPeriod": { "start": "2025-03-30", "end": "2025-04-30T12:00:00+02:00" } } }),
        json!({ "repeat": { "dayOfWeek": ["mon", "wed", "fri"], "timeOfDay": ["09:00:00"],
            "boundsDuration": { "value": 14, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d" } } }),
        json!({ "repeat": { "count": 10, "countMax": 12, "duration": 30, "durationUnit": "min", "frequency": 3, "period": 1, "periodUnit": "d" } }),
        json!({ "event": ["2025-03-30T02:30:00", "2025-10-26T02:30:00+01:00", "2025-06-01"] }),
        json!({ "repeat": { "boundsRange": { "low": { "value": 1 }, "high": { "value": 3 } }, "frequency": 1, "period": 1, "periodUnit": "wk" } }),
    ]
    .iter()
    .map(|t| t.to_string().into_bytes())
    .collect()
}

/// FHIR `MedicationRequest`s and bare `Dosage`s, with the marker as the medicine.
pub fn medication_requests() -> Vec<Vec<u8>> {
    [
        json!({ "resourceType": "MedicationRequest", "status": "active", "intent": "order",
            "medicationCodeableConcept": { "text": MARKER, "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "861007", "display": MARKER }] },
            "dosageInstruction": [
                { "sequence": 1, "text": "1 tablet twice a day", "timing": { "repeat": { "frequency": 2, "period": 1, "periodUnit": "d", "boundsDuration": { "value": 7, "code": "d", "system": "http://unitsofmeasure.org" } } },
                  "doseAndRate": [{ "doseQuantity": { "value": 1, "unit": "tablet" } }] },
                { "sequence": 2, "timing": { "repeat": { "frequency": 1, "period": 1, "periodUnit": "d", "timeOfDay": ["08:00:00"] } },
                  "doseAndRate": [{ "doseRange": { "low": { "value": 1 }, "high": { "value": 2 } } }] },
                { "asNeededCodeableConcept": { "text": "pain" }, "timing": { "repeat": { "frequency": 1, "period": 4, "periodUnit": "h" } },
                  "maxDosePerPeriod": { "numerator": { "value": 4 }, "denominator": { "value": 1, "unit": "d", "code": "d" } },
                  "doseAndRate": [{ "doseQuantity": { "value": 1, "unit": "tablet" } }] }
            ] }),
        json!({ "resourceType": "MedicationRequest", "status": "active", "intent": "order",
            "medicationCodeableConcept": { "text": MARKER },
            "dosageInstruction": [{ "text": "Take as directed", "patientInstruction": MARKER }] }),
        json!({ "text": "every 8 hours", "timing": { "repeat": { "frequency": 1, "period": 8, "periodUnit": "h" } },
            "extension": [{ "url": "https://regimen.invalid/fhir/StructureDefinition/window", "valueDuration": { "value": 60, "code": "min" } }] }),
        json!({ "asNeededBoolean": true, "timing": { "repeat": { "frequency": 1, "period": 6, "periodUnit": "h" } } }),
    ]
    .iter()
    .map(|t| t.to_string().into_bytes())
    .collect()
}

/// An e-prescription Bundle (the shape of core/tests/orders.rs); `ZQX_MED` is the name.
pub const ORDER_BUNDLE: &str = r#"{"resourceType":"Bundle","type":"searchset","entry":[
 {"fullUrl":"urn:uuid:pat","resource":{"resourceType":"Patient","id":"p1"}},
 {"resource":{"resourceType":"MedicationRequest","id":"rx-metformin","status":"active","intent":"order",
  "subject":{"reference":"Patient/p1"},"identifier":[{"system":"urn:oid:2.16.840.1.113883.3.1","value":"RX1001"}],
  "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"861007","display":"ZQX_MED 500 MG Oral Tablet"}]},
  "dosageInstruction":[{"text":"1 tablet twice a day with meals","timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d","timeOfDay":["08:00:00","20:00:00"]}},
   "doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}],
  "dispenseRequest":{"numberOfRepeatsAllowed":3,"quantity":{"value":60,"unit":"tablet"},
   "expectedSupplyDuration":{"value":30,"unit":"days","system":"http://unitsofmeasure.org","code":"d"},
   "validityPeriod":{"start":"2026-03-01","end":"2026-09-01"}}}},
 {"resource":{"resourceType":"MedicationRequest","id":"rx-levo","status":"active","intent":"order",
  "medicationCodeableConcept":{"text":"ZQX_MED 50 mcg"},"dosageInstruction":[{"text":"Take as directed"}],
  "dispenseRequest":{"quantity":{"value":90,"unit":"tablets"}}}},
 {"resource":{"resourceType":"MedicationRequest","id":"rx-ibu","status":"active","intent":"order",
  "medicationReference":{"reference":"urn:uuid:med-ibu"},
  "dosageInstruction":[{"text":"1 tablet every 6 hours as needed for pain, for 5 days","asNeededCodeableConcept":{"text":"pain"},
   "timing":{"repeat":{"frequency":1,"period":6,"periodUnit":"h","boundsDuration":{"value":5,"unit":"days","system":"http://unitsofmeasure.org","code":"d"}}},
   "doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]}},
 {"fullUrl":"urn:uuid:med-ibu","resource":{"resourceType":"Medication","code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"197806","display":"ZQX_MED 400 MG"}]}}}
]}"#;

/// Order Bundles and a single order.
pub fn order_bundles() -> Vec<Vec<u8>> {
    let bundle = ORDER_BUNDLE.replace("ZQX_MED", MARKER);
    let single: Value =
        serde_json::from_str::<Value>(&bundle).unwrap()["entry"][1]["resource"].clone();
    vec![bundle.into_bytes(), single.to_string().into_bytes()]
}

/// `MedicationDispense`s for the Bundle's metformin order.
pub fn dispenses() -> Vec<Vec<u8>> {
    [
        json!({ "resourceType": "MedicationDispense", "id": "disp-1", "status": "completed",
            "authorizingPrescription": [{ "reference": "MedicationRequest/rx-metformin" }],
            "medicationCodeableConcept": { "text": MARKER },
            "quantity": { "value": 60, "unit": "tablets" },
            "whenHandedOver": "2026-03-02T10:15:00+01:00" }),
        json!({ "resourceType": "MedicationDispense", "identifier": [{ "system": "urn:pharmacy", "value": "D-77" }],
            "status": "completed",
            "authorizingPrescription": [{ "reference": "MedicationRequest/rx-levo" }],
            "medicationCodeableConcept": { "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "861007" }] },
            "quantity": { "value": 30.5, "unit": "tablet", "system": "http://unitsofmeasure.org", "code": "{tbl}" },
            "whenPrepared": "2026-03-01" }),
    ]
    .iter()
    .map(|t| t.to_string().into_bytes())
    .collect()
}

/// A pharmacy's answers: Tasks, a searchset, an OperationOutcome (core/tests/pharmacy.rs).
pub fn tasks() -> Vec<Vec<u8>> {
    let task = json!({ "resourceType": "Task", "id": "t1", "status": "rejected", "intent": "order",
        "businessStatus": { "text": "out of stock" },
        "statusReason": { "coding": [{ "display": MARKER }] },
        "output": [{ "type": { "text": "dispense" }, "valueReference": { "reference": "MedicationDispense/d1" } }] });
    [
        task.clone(),
        json!({ "resourceType": "Bundle", "type": "searchset", "entry": [{ "resource": { "resourceType": "Patient" } }, { "resource": task }] }),
        json!({ "resourceType": "OperationOutcome", "issue": [{ "severity": "error", "code": "processing",
            "diagnostics": MARKER, "details": { "text": "prescription expired" } }] }),
    ]
    .iter()
    .map(|t| t.to_string().into_bytes())
    .collect()
}

/// Bundle payloads: the built-in tables cut short (loading the whole base on every input
/// is too slow), and a newer version of them.
pub fn bundle_payloads(tables: &Tables) -> Vec<Vec<u8>> {
    let cut = |text: &str, lines: usize| -> String {
        text.lines().take(lines).map(|l| format!("{l}\n")).collect()
    };
    [12, 60]
        .iter()
        .map(|&lines| {
            let tables = Tables {
                allele_functions: cut(&tables.allele_functions, lines),
                allele_aliases: cut(&tables.allele_aliases, lines),
                drugs: cut(&tables.drugs, lines),
                drug_names: cut(&tables.drug_names, lines),
                drug_codes: cut(&tables.drug_codes, lines),
                drug_gene_rules: cut(&tables.drug_gene_rules, lines),
                guidelines: cut(&tables.guidelines, lines),
                inhibitors: cut(&tables.inhibitors, lines),
                interactions: cut(&tables.interactions, lines),
                duplicate_groups: cut(&tables.duplicate_groups, lines),
                sources: cut(&tables.sources, lines),
            };
            serde_json::to_vec(&Bundle {
                version: 2,
                created: "2026-11-21".into(),
                source: MARKER.into(),
                tables,
            })
            .unwrap()
        })
        .collect()
}

/// Share messages as the patient's phone writes them, for the share `share`.
pub fn messages(share: &str) -> Vec<Vec<u8>> {
    let message = |seq: i64, body: Value| {
        let mut m = json!({ "v": 1, "id": format!("m{seq}"), "share": share, "seq": seq, "at": 1_772_355_600_000_i64 });
        m.as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        m.to_string().into_bytes()
    };
    vec![
        message(
            1,
            json!({ "type": "shared", "name": "Anna", "scopes": ["medicines", "pgx"] }),
        ),
        message(
            2,
            json!({ "type": "schedule", "from": 0, "to": 86_400_000, "doses": [{ "medicine": 1, "name": MARKER, "at": [480, 1200] }] }),
        ),
        message(
            3,
            json!({ "type": "dose", "medicine": 1, "name": MARKER, "status": "taken_late", "scheduled": 1_772_355_600_000_i64, "actual": 1_772_357_400_000_i64 }),
        ),
        message(
            4,
            json!({ "type": "summary", "day": "2026-03-01", "scheduled": 3, "taken": 2, "late": 1, "skipped": 0, "missed": 0 }),
        ),
        message(
            5,
            json!({ "type": "warning", "warning": "w1", "title": MARKER, "what_to_do": "ask" }),
        ),
        message(
            6,
            json!({ "type": "supply", "medicine": 1, "status": "running_low", "run_out": 1_772_955_600_000_i64 }),
        ),
        message(
            7,
            json!({ "type": "pgx", "phenotypes": [{ "gene": "CYP2D6", "phenotype": MARKER_GENOTYPE }] }),
        ),
        message(
            8,
            json!({ "type": "diary", "entry": 3, "happened": 1_772_355_000_000_i64, "medicine": 1, "name": MARKER, "severity": 4,
                    "measurements": [{ "kind": "blood_pressure", "systolic_mmhg": 150, "diastolic_mmhg": 95 },
                                     { "kind": "glucose", "value": 5.4, "unit": "mmol_per_l" }] }),
        ),
        message(10, json!({ "type": "diary_removed", "entry": 3 })),
        message(9, json!({ "type": "revoked" })),
    ]
}

/// Measurements as patients type them, one of each kind and unit.
pub fn measurements() -> Vec<Vec<u8>> {
    [
        "120/80",
        "135/85 mmHg",
        "72",
        "88/min",
        "64 bpm",
        "5.4mmol/L",
        "97 mg/dL",
        "70kg",
        "154 lb",
        "37.2C",
        "99.1 °F",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}
