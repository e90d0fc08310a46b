//! Web Push interop with the Python libraries on PyPI (`http-ece`, `py-vapid`, `pywebpush`),
//! run through `tests/python/webpush_peer.sh` in a virtual environment it creates under
//! `.cache/`. Both directions: Python reads what Regimen encrypts, Regimen reads what Python
//! encrypts, py-vapid accepts Regimen's VAPID header, and a message pywebpush sends through the
//! loopback push service reaches a Regimen caregiver. Under `CI=true` a peer that cannot be
//! set up fails the test; elsewhere the test says it was skipped and why.

use regimen_core::Timestamp;
use regimen_core::share::base64url;
use regimen_core::share::ece::{ReceiverKeys, decrypt, encrypt};
use regimen_core::share::vapid::VapidKey;
use regimen_tests::python_peer::peer;

#[test]
fn python_reads_regimen_and_regimen_reads_python() {
    let caregiver = ReceiverKeys::generate().unwrap();
    let private = base64url::encode(&caregiver.private_bytes());
    let public = base64url::encode(&caregiver.public_key());
    let auth = base64url::encode(&caregiver.auth());
    let message = "{\"kind\":\"dose_taken\",\"seq\":7,\"note\":\"ünïcode ✓\"}".repeat(20);

    let body = encrypt(
        message.as_bytes(),
        &caregiver.public_key(),
        &caregiver.auth(),
    )
    .unwrap();
    let Some(read) = peer(&["decrypt", &private, &auth], &body) else {
        return;
    };
    assert!(
        read.status.success(),
        "http-ece refused: {}",
        String::from_utf8_lossy(&read.stderr)
    );
    assert_eq!(read.stdout, message.as_bytes());

    let sent = peer(&["encrypt", &public, &auth], message.as_bytes()).unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    assert_eq!(
        decrypt(&sent.stdout, &caregiver).unwrap(),
        message.as_bytes()
    );
    // A message for someone else is refused by Python too.
    let stranger = ReceiverKeys::generate().unwrap();
    let other = encrypt(b"not yours", &stranger.public_key(), &stranger.auth()).unwrap();
    assert!(
        !peer(&["decrypt", &private, &auth], &other)
            .unwrap()
            .status
            .success()
    );
}

#[test]
fn py_vapid_accepts_regimens_header_and_not_a_changed_one() {
    let key = VapidKey::generate().unwrap();
    let now = Timestamp::from_millis(1_795_000_000_000).unwrap();
    let header = key
        .authorization(
            "https://push.example.net/push/abc",
            Some("mailto:care@example.org"),
            now,
        )
        .unwrap();
    let header = header.as_str();
    let Some(verified) = peer(&["vapid-verify", header], b"") else {
        return;
    };
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    // Another key's public half in `k`: the signature no longer matches.
    let other = base64url::encode(VapidKey::generate().unwrap().public_key());
    let (token, _) = header.split_once(",k=").unwrap();
    let forged = format!("{token},k={other}");
    assert!(
        !peer(&["vapid-verify", &forged], b"")
            .unwrap()
            .status
            .success()
    );
}

#[test]
fn a_message_pywebpush_sends_through_the_push_service_reaches_a_regimen_caregiver() {
    use std::sync::Arc;

    use regimen_ffi::{MessageKind, Regimen, RegimenConfig};
    use regimen_tests::MemoryKeyStore;
    use regimen_tests::push_service::PushService;

    let dir = tempfile::tempdir().unwrap();
    let open = |who: &str| {
        let config = RegimenConfig {
            key_alias: who.into(),
            ..RegimenConfig::default()
        };
        let path = dir.path().join(format!("{who}.db"));
        Regimen::open(
            path.to_string_lossy().into_owned(),
            config,
            Arc::new(MemoryKeyStore::default()),
        )
        .unwrap()
    };
    // A Regimen patient's offer names the share; pywebpush plays the sender with its own key.
    let offer = open("patient").offer_share("Ana".into(), vec![]).unwrap();
    let share: serde_json::Value = serde_json::from_str(&offer.payload).unwrap();
    let share = share["share"].as_str().unwrap();
    let sender = VapidKey::generate().unwrap();
    let service = PushService::start().unwrap();
    let endpoint = service.subscribe("ben", sender.public_key());
    let caregiver = open("caregiver");
    let answer = caregiver
        .answer_offer(offer.payload.clone(), endpoint.clone(), "Ben".into(), None)
        .unwrap();
    let answer: serde_json::Value = serde_json::from_str(&answer.payload).unwrap();

    let message = serde_json::json!({
        "v": 1, "id": "sent-by-pywebpush", "share": share, "seq": 1, "at": 1_795_000_000_000_i64,
        "type": "shared", "name": "Ana", "scopes": ["adherence"],
    })
    .to_string();
    let Some(sent) = peer(
        &[
            "pywebpush-send",
            &endpoint,
            answer["p256dh"].as_str().unwrap(),
            answer["auth"].as_str().unwrap(),
            &base64url::encode(sender.pkcs8()),
        ],
        message.as_bytes(),
    ) else {
        return;
    };
    assert!(
        sent.status.success(),
        "pywebpush failed: {}",
        String::from_utf8_lossy(&sent.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&sent.stdout).trim(), "201");
    assert!(service.refused().is_empty(), "{:?}", service.refused());
    let delivered = service.take_delivered();
    assert_eq!(delivered.len(), 1);
    let received = caregiver.receive(delivered[0].body.clone()).unwrap();
    assert_eq!(received.kind, MessageKind::Shared);
    assert!(!received.ignored);
    assert_eq!(received.share.peer_name.as_deref(), Some("Ana"));
}
