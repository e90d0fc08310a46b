//! Inputs past every size and depth bound: a 50 MB file, JSON nested 100,000 deep, a
//! million CSV rows. Each call must end in a typed input error (no stack overflow, no
//! memory in proportion to a hostile file) and leave the database as it was.

use regimen_core::knowledge::verify;
use regimen_core::share::ece;
use regimen_core::share::message::Message;
use regimen_ffi::{RegimenError, parse_fhir_timing};

use crate::{MARKER, Phone, pair, signed, typed};

/// 50 MB of JSON: an array of 25 million zeros (a naive parse takes 800 MB).
fn fifty_megabytes() -> String {
    let mut text = String::with_capacity(50_000_002);
    text.push('[');
    text.push_str(&"0,".repeat(25_000_000));
    text.push_str("0]");
    text
}

/// JSON nested `depth` levels deep, arrays and objects in turn, the marker at the bottom.
fn nested(depth: usize) -> String {
    let mut text = String::new();
    for level in 0..depth {
        text.push_str(if level % 2 == 0 { "[" } else { "{\"a\":" });
    }
    text.push_str(&format!("\"{MARKER}\""));
    for level in (0..depth).rev() {
        text.push(if level % 2 == 0 { ']' } else { '}' });
    }
    text
}

/// `rows` rows of a lab's CSV list, each a real call.
fn csv_rows(rows: usize) -> String {
    let mut text = String::from("gene,diplotype\n");
    text.push_str(&"CYP2D6,*1/*4\n".repeat(rows));
    text
}

fn assert_input_error<T: std::fmt::Debug>(what: &str, outcome: Result<T, RegimenError>) {
    match outcome {
        Err(err) => {
            assert!(
                matches!(err, RegimenError::InvalidInput { .. }),
                "{what}: {err}"
            );
            typed(&err).unwrap_or_else(|e| panic!("{what}: {e}"));
        }
        Ok(value) => panic!("{what}: expected a refusal, got {value:?}"),
    }
}

/// Every FHIR and PGx import refuses each hostile file and leaves the database as it was.
#[test]
fn fifty_megabytes_deep_nesting_and_a_million_rows_are_refused_by_every_import() {
    let phone = Phone::new("bounds");
    let inputs = [
        ("50 MB", fifty_megabytes()),
        ("100,000 deep", nested(100_000)),
        ("a million CSV rows", csv_rows(1_000_000)),
        ("129 deep", nested(129)),
    ];
    for (what, input) in &inputs {
        let before = phone.fingerprint();
        let r = &phone.regimen;
        assert_input_error(&format!("import_pgx, {what}"), r.import_pgx(input.clone()));
        assert_input_error(
            &format!("import_fhir, {what}"),
            r.import_fhir(input.clone(), None),
        );
        assert_input_error(
            &format!("import_orders, {what}"),
            r.import_orders(input.clone()),
        );
        assert_input_error(
            &format!("import_dispense, {what}"),
            r.import_dispense(input.clone()),
        );
        assert_input_error(
            &format!("parse_fhir_timing, {what}"),
            parse_fhir_timing(input.clone(), "UTC".into()),
        );
        assert_input_error(
            &format!("import_fhir_bundle, {what}"),
            r.import_fhir_bundle(input.clone()),
        );
        assert!(phone.fingerprint() == before, "{what} changed the database");
    }
}

/// 501 real results is one more than an import may store: refused, nothing stored.
#[test]
fn a_lab_list_one_over_the_limit_is_refused_whole() {
    let phone = Phone::new("limit");
    let before = phone.fingerprint();
    let err = phone.regimen.import_pgx(csv_rows(501)).unwrap_err();
    assert!(err.to_string().contains("more than 500"), "{err}");
    assert!(phone.fingerprint() == before);
    assert_eq!(
        phone
            .regimen
            .import_pgx(csv_rows(500))
            .unwrap()
            .results
            .len(),
        500
    );
}

/// Pairing payloads, push bodies and knowledge bundles past their bounds.
#[test]
fn oversized_and_deep_share_payloads_push_bodies_and_bundles_are_refused() {
    let pair = pair();
    for (what, input) in [
        ("50 MB", fifty_megabytes()),
        ("100,000 deep", nested(100_000)),
    ] {
        let before = (pair.patient.fingerprint(), pair.caregiver.fingerprint());
        assert_input_error(
            &format!("answer_offer, {what}"),
            pair.caregiver.regimen.answer_offer(
                input.clone(),
                "https://push.example.org/x".into(),
                "Ben".into(),
                None,
            ),
        );
        assert_input_error(
            &format!("accept_answer, {what}"),
            pair.patient.regimen.accept_answer(input.clone()),
        );
        assert_input_error(
            &format!("receive, {what}"),
            pair.caregiver.regimen.receive(input.clone().into_bytes()),
        );
        assert!(
            (pair.patient.fingerprint(), pair.caregiver.fingerprint()) == before,
            "{what} changed a database"
        );
        assert!(Message::decode(input.as_bytes()).is_err(), "{what}");
    }
    // As deep as fits in one push, encrypted to the caregiver so it reaches the reader.
    let deep = nested(900);
    let body = ece::encrypt(deep.as_bytes(), &pair.p256dh, &pair.auth).unwrap();
    let before = pair.caregiver.fingerprint();
    assert_input_error("receive, deep", pair.caregiver.regimen.receive(body));
    assert!(pair.caregiver.fingerprint() == before);

    // A bundle signed by a trusted key over a hostile payload reaches the payload reader.
    let pkcs8 =
        ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    let key = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let trusted = vec![regimen_core::knowledge::public_key_of(pkcs8.as_ref()).unwrap()];
    for (what, payload) in [
        ("50 MB", fifty_megabytes()),
        ("100,000 deep", nested(100_000)),
    ] {
        let err = verify(&signed(&key, payload.as_bytes()), &trusted).unwrap_err();
        assert!(
            matches!(err, regimen_core::Error::KnowledgeBase(_)),
            "bundle, {what}: {err}"
        );
    }
    let err = verify(&signed(&key, nested(5_000).as_bytes()), &trusted).unwrap_err();
    assert!(!err.to_string().contains(MARKER), "{err}");
}
