//! The refill round trip through the public API against a real FHIR server library playing
//! the pharmacy on loopback: HAPI FHIR 8 with its R4 instance validator checks every Task
//! Regimen sends, and the prescriptions Regimen imports are the Bundle HAPI itself builds. The
//! pharmacy is made to be down, to refuse, and to lose an answer after storing the request: a
//! request is sent once, a refusal is shown with the pharmacy's reason, nothing is ordered
//! twice. `fhir.resources` (Python) parses the Task too.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use regimen_ffi::{
    Fulfilment, Pharmacy, RefillState, Regimen, RegimenConfig, TaskStatus, Timestamp,
};
use regimen_tests::pharmacy_peer::{self, Pharmacy as Peer};
use regimen_tests::{MemoryKeyStore, block_on};
use serde_json::json;

/// A patient's phone, its clock pinned near the real one (the pharmacy stamps Tasks with it).
struct Phone {
    regimen: Arc<Regimen>,
    start: Timestamp,
}

impl Phone {
    fn new(dir: &tempfile::TempDir) -> Phone {
        let now = Timestamp::from_system_time(SystemTime::now()).unwrap();
        let path = dir.path().join("patient.db").to_string_lossy().into_owned();
        let regimen = Regimen::open_at(
            path,
            RegimenConfig::default(),
            Arc::new(MemoryKeyStore::default()),
            now,
        )
        .unwrap();
        Phone {
            regimen,
            start: now,
        }
    }

    /// Moves the phone's clock to `minutes` after the start.
    fn at(&self, minutes: u64) {
        self.regimen
            .set_now(Some(self.start.plus(Duration::from_secs(minutes * 60))))
            .unwrap();
    }
}

fn prescriptions() -> serde_json::Value {
    json!({ "resourceType": "Bundle", "type": "collection", "entry": [
        { "fullUrl": "http://doctor.example/fhir/MedicationRequest/rx1",
          "resource": { "resourceType": "MedicationRequest", "id": "rx1", "status": "active",
            "intent": "order", "subject": { "reference": "Patient/p1" },
            "identifier": [{ "system": "urn:oid:1.2.3.4", "value": "RX-1" }],
            "medicationCodeableConcept": { "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                "code": "861007", "display": "metformin hydrochloride 500 MG Oral Tablet" }] },
            "dosageInstruction": [{ "text": "1 tablet twice a day",
                "timing": { "repeat": { "frequency": 2, "period": 1, "periodUnit": "d" } },
                "doseAndRate": [{ "doseQuantity": { "value": 1, "unit": "tablet",
                    "system": "http://unitsofmeasure.org", "code": "{tablet}" } }] }],
            "dispenseRequest": { "numberOfRepeatsAllowed": 3,
                "quantity": { "value": 60, "unit": "tablet", "system": "http://unitsofmeasure.org", "code": "{tablet}" } } } },
        { "fullUrl": "http://doctor.example/fhir/MedicationRequest/rx2",
          "resource": { "resourceType": "MedicationRequest", "id": "rx2", "status": "active",
            "intent": "order", "subject": { "reference": "Patient/p1" },
            "medicationCodeableConcept": { "text": "Levothyroxine 50 microgram tablets" },
            "dosageInstruction": [{ "text": "Take as directed" }] } }
    ] })
}

fn choose(phone: &Phone, base: &str) {
    phone
        .regimen
        .set_pharmacy(Pharmacy {
            base_url: base.into(),
            name: Some("Loopback Pharmacy".into()),
            patient: Some("Patient/p1".into()),
            delivery_days: None,
            fulfilment: Fulfilment::Pickup,
        })
        .unwrap();
}

#[test]
fn a_refill_round_trip_against_a_hapi_fhir_pharmacy() {
    let Some(peer) = Peer::start(0) else { return };
    let dir = tempfile::tempdir().unwrap();
    let phone = Phone::new(&dir);
    // The doctor's prescriptions, as the pharmacy's own FHIR server gives them back.
    peer.control("POST", "prescriptions", &prescriptions().to_string());
    let (status, bundle) = peer.fhir_get("MedicationRequest?patient=Patient/p1");
    assert_eq!(status, 200);
    assert_eq!(bundle["type"], "searchset");
    let import = phone.regimen.import_orders(bundle.to_string()).unwrap();
    assert_eq!(import.imported.len(), 2, "{:?}", import.refused);
    let metformin = import
        .imported
        .iter()
        .find(|o| o.medicine.info.rxnorm.as_deref() == Some("861007"))
        .unwrap();
    assert!(metformin.scheduled);
    let levo = import.imported.iter().find(|o| !o.scheduled).unwrap();
    assert_eq!(
        levo.medicine.info.instructions.as_deref(),
        Some("Take as directed")
    );
    let medicine = metformin.medicine.id;

    choose(&phone, &peer.base);
    let order = phone.regimen.request_refill(medicine, None, None).unwrap();
    let report = block_on(phone.regimen.send_refills(regimen_ffi::native_http())).unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let state = peer.control("GET", "state", "");
    assert_eq!(state["tasks"], 1);
    let task_validations: Vec<_> = state["validations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["type"] == "Task" && v["source"] == "fhir")
        .collect();
    assert_eq!(task_validations.len(), 1);
    assert_eq!(
        task_validations[0]["accepted"], true,
        "{:?}",
        task_validations[0]
    );
    assert!(task_validations[0]["errors"].as_array().unwrap().is_empty());

    // The pharmacist moves it along; each call follows.
    let (_, tasks) = peer.fhir_get("Task?patient=Patient/p1");
    let task_id = tasks["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        tasks["entry"][0]["resource"]["focus"]["reference"],
        "MedicationRequest/rx1"
    );
    peer.control("POST", &format!("task/{task_id}/status?to=accepted"), "");
    block_on(phone.regimen.send_refills(regimen_ffi::native_http())).unwrap();
    let now = phone.regimen.refill_orders(Some(medicine)).unwrap();
    assert_eq!(now[0].status, Some(TaskStatus::Accepted));
    peer.control("POST", &format!("task/{task_id}/status?to=ready"), "");
    block_on(phone.regimen.send_refills(regimen_ffi::native_http())).unwrap();
    let ready = &phone.regimen.refill_orders(Some(medicine)).unwrap()[0];
    assert_eq!(ready.status, Some(TaskStatus::Ready));
    assert_eq!(ready.business_status.as_deref(), Some("ready for pickup"));
    peer.control("POST", &format!("task/{task_id}/status?to=completed"), "");
    let report = block_on(phone.regimen.send_refills(regimen_ffi::native_http())).unwrap();
    assert_eq!(report.done, 1, "{report:?}");
    let done = &phone.regimen.refill_orders(Some(medicine)).unwrap()[0];
    assert_eq!((done.id, done.state), (order.id, RefillState::Done));
    assert_eq!(phone.regimen.stock(medicine).unwrap().on_hand, 60.0);
    assert_eq!(
        phone.regimen.prescriptions(medicine).unwrap()[0]
            .details
            .repeats_used,
        1
    );
    assert_eq!(peer.control("GET", "state", "")["tasks"], 1);
}

#[test]
fn a_pharmacy_that_is_down_then_up_refuses_or_loses_an_answer_gets_each_request_once() {
    let Some(peer) = Peer::start(0) else { return };
    let dir = tempfile::tempdir().unwrap();
    let phone = Phone::new(&dir);
    peer.control("POST", "prescriptions", &prescriptions().to_string());
    let (_, bundle) = peer.fhir_get("MedicationRequest?patient=Patient/p1");
    let import = phone.regimen.import_orders(bundle.to_string()).unwrap();
    let medicine = import.imported[0].medicine.id;
    let port = peer.port;
    let base = peer.base.clone();
    choose(&phone, &base);

    // Down: nothing answers on its port.
    drop(peer);
    phone.regimen.request_refill(medicine, None, None).unwrap();
    let report = block_on(phone.regimen.send_refills(regimen_ffi::native_http())).unwrap();
    assert_eq!(report.retrying, 1, "{report:?}");
    // Up again on the same port, and past the backoff: sent once.
    let Some(peer) = Peer::start(port) else {
        return;
    };
    peer.control("POST", "prescriptions", &prescriptions().to_string());
    phone.at(10);
    let report = block_on(phone.regimen.send_refills(regimen_ffi::native_http())).unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(peer.control("GET", "state", "")["tasks"], 1);

    // A refusal with an OperationOutcome: shown, kept as failed, never sent again.
    peer.control(
        "POST",
        "reject-next?status=400&message=Repeat%20not%20yet%20due",
        "",
    );
    let refused = phone
        .regimen
        .request_refill(medicine, Some(30.0), None)
        .unwrap();
    let report = block_on(phone.regimen.send_refills(regimen_ffi::native_http())).unwrap();
    assert_eq!(report.failed, 1, "{report:?}");
    let shown = phone
        .regimen
        .refill_orders(Some(medicine))
        .unwrap()
        .into_iter()
        .find(|o| o.id == refused.id)
        .unwrap();
    assert_eq!(shown.state, RefillState::Failed);
    assert_eq!(shown.reason.as_deref(), Some("Repeat not yet due"));
    phone.at(60);
    block_on(phone.regimen.send_refills(regimen_ffi::native_http())).unwrap();
    assert_eq!(peer.control("GET", "state", "")["tasks"], 1);

    // An answer lost after the pharmacy stored the request: the retry finds it (conditional
    // create) and no second Task is made.
    peer.control("POST", "drop-answer-next", "");
    let lost = phone.regimen.request_refill(medicine, None, None).unwrap();
    let report = block_on(phone.regimen.send_refills(regimen_ffi::native_http())).unwrap();
    assert_eq!(report.retrying, 1, "{report:?}");
    assert_eq!(peer.control("GET", "state", "")["tasks"], 2);
    phone.at(120);
    let report = block_on(phone.regimen.send_refills(regimen_ffi::native_http())).unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let state = peer.control("GET", "state", "");
    assert_eq!(state["tasks"], 2, "still one Task for the lost answer");
    let creates = state["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/fhir/Task")
        .count();
    assert_eq!(creates, 4, "sent, refused, lost, and the retry");
    let order = phone
        .regimen
        .refill_orders(Some(medicine))
        .unwrap()
        .into_iter()
        .find(|o| o.id == lost.id)
        .unwrap();
    assert_eq!(order.state, RefillState::Sent);
}

#[test]
fn the_task_regimen_sends_parses_in_hapi_and_in_fhir_resources() {
    let dir = tempfile::tempdir().unwrap();
    let phone = Phone::new(&dir);
    phone
        .regimen
        .import_orders(prescriptions().to_string())
        .unwrap();
    let medicine = phone.regimen.medicines(false).unwrap()[1].id;
    choose(&phone, "http://127.0.0.1:9/fhir");
    phone
        .regimen
        .request_refill(medicine, Some(60.0), Some(Fulfilment::Delivery))
        .unwrap();
    let request = phone.regimen.prepare_pharmacy_requests().unwrap().remove(0);
    let task = dir.path().join("task.json");
    std::fs::File::create(&task)
        .unwrap()
        .write_all(request.body.unwrap().as_bytes())
        .unwrap();
    if let Some(results) = pharmacy_peer::hapi_parse(&[&task]) {
        assert_eq!(results.len(), 1);
        assert!(results[0].1.is_empty(), "HAPI: {:?}", results[0].1);
    }
    let python = std::process::Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/python/fhir_peer.sh"))
        .arg(&task)
        .output()
        .unwrap();
    if python.status.code() == Some(3) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the Python FHIR peer could not be set up under CI"
        );
        return;
    }
    assert!(
        python.status.success(),
        "fhir.resources: {}",
        String::from_utf8_lossy(&python.stdout)
    );
}
