//! The refill round trip as the outbox sees it, answers given by hand: what is sent (only that
//! prescription, a conditional create), what each answer does (sent, retried, refused with the
//! pharmacy's reason, followed to the dispense that adds the stock). The same flow against a
//! real FHIR server is in the end-to-end tests.

mod common;

use common::{at, store};
use regimen_core::Records;
use regimen_core::interop::fhir::TaskStatus;
use regimen_core::supply::{Fulfilment, Pharmacy, PharmacyRequestKind, RefillState};
use serde_json::{Value, json};

fn with_order(store: &Records) -> i64 {
    let bundle = json!({ "resourceType": "Bundle", "type": "collection", "entry": [{ "resource": {
        "resourceType": "MedicationRequest", "id": "rx1", "status": "active", "intent": "order",
        "subject": { "reference": "Patient/p1" },
        "medicationCodeableConcept": { "text": "Metformin 500 mg tablets" },
        "dosageInstruction": [{ "timing": { "repeat": { "frequency": 2, "period": 1, "periodUnit": "d" } },
            "doseAndRate": [{ "doseQuantity": { "value": 1, "unit": "tablet" } }] }],
        "dispenseRequest": { "numberOfRepeatsAllowed": 2, "quantity": { "value": 60, "unit": "tablet" } }
    } }] });
    let import = store
        .import_orders(&bundle, regimen_core::Zone::UTC, at("2026-03-01T09:00:00Z"))
        .unwrap();
    store
        .set_pharmacy(
            &Pharmacy {
                base_url: "http://127.0.0.1:8080/fhir/".into(),
                name: Some("Corner Pharmacy".into()),
                patient: None,
                delivery_days: None,
                fulfilment: Fulfilment::Pickup,
            },
            at("2026-03-01T09:00:00Z"),
        )
        .unwrap();
    import.imported[0].medicine.id
}

fn task(status: &str, output: Option<&str>) -> String {
    let mut task = json!({ "resourceType": "Task", "id": "t1", "status": status, "intent": "order",
        "businessStatus": { "text": "ready for pickup" } });
    if let Some(dispense) = output {
        task["output"] = json!([{ "type": { "text": "dispense" }, "valueReference": { "reference": dispense } }]);
    }
    task.to_string()
}

#[test]
fn a_refill_is_sent_once_followed_and_its_dispense_adds_the_stock() {
    let (store, _dir) = store();
    let medicine = with_order(&store);
    let now = at("2026-03-10T09:00:00Z");
    let order = store.request_refill(medicine, None, None, now).unwrap();
    assert_eq!(order.state, RefillState::Queued);
    assert_eq!(order.quantity.as_ref().map(|q| q.value), Some(60.0));

    let requests = store.prepare_pharmacy_requests(now).unwrap();
    assert_eq!(requests.len(), 1);
    let create = &requests[0];
    assert_eq!(create.kind, PharmacyRequestKind::CreateTask);
    assert_eq!(
        (create.method.as_str(), create.url.as_str()),
        ("POST", "http://127.0.0.1:8080/fhir/Task")
    );
    let header = |name: &str| {
        create
            .headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| h.value.clone())
            .unwrap()
    };
    let body: Value = serde_json::from_str(create.body.as_deref().unwrap()).unwrap();
    let client_id = body["identifier"][0]["value"].as_str().unwrap();
    assert!(client_id.starts_with("urn:uuid:"), "{client_id}");
    assert_eq!(
        header("If-None-Exist"),
        format!("identifier=urn:ietf:rfc:3986|{client_id}")
    );
    assert_eq!(body["focus"]["reference"], "MedicationRequest/rx1");
    assert_eq!(body["for"]["reference"], "Patient/p1");
    assert_eq!(body["intent"], "order");
    assert_eq!(body["code"]["coding"][0]["code"], "fulfill");
    // Only that prescription's data: no medicine name, no other medicine.
    assert!(!create.body.as_deref().unwrap().contains("Metformin"));

    // No answer: tried again later, with the same Task.
    let retried = store
        .record_pharmacy_response(order.id, PharmacyRequestKind::CreateTask, None, "", now)
        .unwrap();
    assert_eq!((retried.state, retried.attempts), (RefillState::Queued, 1));
    assert!(
        store.prepare_pharmacy_requests(now).unwrap().is_empty(),
        "backing off"
    );
    let later = at("2026-03-10T10:00:00Z");
    let again = store.prepare_pharmacy_requests(later).unwrap();
    assert_eq!(again[0].body, create.body);

    // Accepted: the Task's status is followed.
    let sent = store
        .record_pharmacy_response(
            order.id,
            PharmacyRequestKind::CreateTask,
            Some(201),
            &task("requested", None),
            later,
        )
        .unwrap();
    assert_eq!(
        (sent.state, sent.status),
        (RefillState::Sent, Some(TaskStatus::Requested))
    );
    let follow = store.prepare_pharmacy_requests(later).unwrap();
    assert_eq!(follow[0].kind, PharmacyRequestKind::ReadTask);
    assert_eq!(follow[0].url, "http://127.0.0.1:8080/fhir/Task/t1");
    let ready = store
        .record_pharmacy_response(
            order.id,
            PharmacyRequestKind::ReadTask,
            Some(200),
            &task("ready", None),
            later,
        )
        .unwrap();
    assert_eq!(ready.status, Some(TaskStatus::Ready));
    assert_eq!(ready.business_status.as_deref(), Some("ready for pickup"));

    // Completed with a dispense: read it, add its stock, count the repeat.
    store
        .record_pharmacy_response(
            order.id,
            PharmacyRequestKind::ReadTask,
            Some(200),
            &task("completed", Some("MedicationDispense/d1")),
            later,
        )
        .unwrap();
    let fetch = store.prepare_pharmacy_requests(later).unwrap();
    assert_eq!(fetch[0].kind, PharmacyRequestKind::ReadDispense);
    assert_eq!(
        fetch[0].url,
        "http://127.0.0.1:8080/fhir/MedicationDispense/d1"
    );
    let dispense = json!({ "resourceType": "MedicationDispense", "id": "d1", "status": "completed",
        "authorizingPrescription": [{ "reference": "MedicationRequest/rx1" }],
        "quantity": { "value": 60, "unit": "tablet" }, "whenHandedOver": "2026-03-10T09:30:00Z" });
    let done = store
        .record_pharmacy_response(
            order.id,
            PharmacyRequestKind::ReadDispense,
            Some(200),
            &dispense.to_string(),
            later,
        )
        .unwrap();
    assert_eq!(done.state, RefillState::Done);
    assert_eq!(store.stock(medicine, later).unwrap().on_hand, 60.0);
    assert_eq!(
        store.prescriptions(medicine).unwrap()[0]
            .details
            .repeats_used,
        1
    );
    assert!(store.prepare_pharmacy_requests(later).unwrap().is_empty());
}

#[test]
fn a_refusal_keeps_the_request_as_failed_with_the_pharmacys_reason() {
    let (store, _dir) = store();
    let medicine = with_order(&store);
    let now = at("2026-03-10T09:00:00Z");
    let order = store
        .request_refill(medicine, Some(30.0), Some(Fulfilment::Delivery), now)
        .unwrap();
    let outcome = json!({ "resourceType": "OperationOutcome", "issue": [{ "severity": "error",
        "code": "business-rule", "diagnostics": "Prescription needs a new authorisation" }] });
    let failed = store
        .record_pharmacy_response(
            order.id,
            PharmacyRequestKind::CreateTask,
            Some(422),
            &outcome.to_string(),
            now,
        )
        .unwrap();
    assert_eq!(failed.state, RefillState::Failed);
    assert_eq!(
        failed.reason.as_deref(),
        Some("Prescription needs a new authorisation")
    );
    assert!(
        store
            .prepare_pharmacy_requests(at("2026-03-11T09:00:00Z"))
            .unwrap()
            .is_empty()
    );
    // The reason stays out of anything printed.
    assert!(!format!("{failed}").contains("authorisation"));
    // A 503 is no refusal: tried again.
    let second = store.request_refill(medicine, None, None, now).unwrap();
    let retry = store
        .record_pharmacy_response(
            second.id,
            PharmacyRequestKind::CreateTask,
            Some(503),
            "",
            now,
        )
        .unwrap();
    assert_eq!(retry.state, RefillState::Queued);
}

#[test]
fn a_refill_needs_a_pharmacy_and_a_prescription_that_can_be_filled() {
    let (store, _dir) = store();
    let plain = store
        .add_medicine(&common::named("Aspirin"), at("2026-03-01T09:00:00Z"))
        .unwrap();
    assert!(
        store
            .request_refill(plain.id, None, None, at("2026-03-02T09:00:00Z"))
            .is_err()
    );
    let medicine = with_order(&store);
    for bad in [
        "ftp://pharmacy/fhir",
        "http://pharmacy.example/fhir",
        "https://x/fhir?token=1",
        "",
    ] {
        let pharmacy = Pharmacy {
            base_url: bad.into(),
            name: None,
            patient: None,
            delivery_days: None,
            fulfilment: Fulfilment::Pickup,
        };
        assert!(
            store
                .set_pharmacy(&pharmacy, at("2026-03-02T09:00:00Z"))
                .is_err(),
            "{bad}"
        );
    }
    assert!(
        store
            .request_refill(medicine, Some(-1.0), None, at("2026-03-02T09:00:00Z"))
            .is_err()
    );
    assert!(store.refill_orders(None).unwrap().is_empty());
}
