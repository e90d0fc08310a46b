//! Knowledge-base updates through the public API: a signed, newer bundle is installed and
//! used; a tampered, untrusted or older one is refused and the base in use stays.

use std::sync::Arc;

use regimen_core::knowledge::{Bundle, Tables, generate_signing_key, public_key_of, sign};
use regimen_ffi::{MedicineInfo, Regimen, RegimenConfig, RegimenError, WarningKind};
use regimen_tests::MemoryKeyStore;

fn bundle(version: u64) -> Bundle {
    let mut tables = Tables::builtin();
    // The update teaches a new brand name for clopidogrel.
    tables.drug_names.push_str("Examplex\tclopidogrel\tbrand\n");
    Bundle {
        version,
        created: "2026-11-21".into(),
        source: "test update".into(),
        tables,
    }
}

#[test]
fn a_newer_signed_bundle_is_used_and_a_bad_or_older_one_leaves_it_in_place() {
    let key = generate_signing_key().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("patient.db").to_string_lossy().into_owned();
    let keys = Arc::new(MemoryKeyStore::default());
    let config = RegimenConfig {
        knowledge_keys: vec![public_key_of(&key).unwrap()],
        ..RegimenConfig::default()
    };
    let regimen = Regimen::open(path.clone(), config.clone(), keys.clone()).unwrap();
    assert_eq!(regimen.knowledge_info().unwrap().version, 1);
    regimen
        .add_medicine(MedicineInfo {
            name: "Examplex".into(),
            ..MedicineInfo::default()
        })
        .unwrap();
    let before = regimen.warnings().unwrap();
    assert_eq!(
        before.iter().map(|w| w.kind).collect::<Vec<_>>(),
        [WarningKind::NotChecked],
        "the built-in base does not know Examplex, and says so"
    );

    let v2 = sign(&bundle(2), &key).unwrap();
    let info = regimen.install_knowledge_bundle(v2.clone()).unwrap();
    assert_eq!((info.version, info.updated), (2, true));
    assert_eq!(
        regimen.warnings().unwrap()[0].kind,
        WarningKind::UnknownResult,
        "Examplex is clopidogrel now"
    );

    let refused = |bytes: Vec<u8>| match regimen.install_knowledge_bundle(bytes) {
        Err(RegimenError::KnowledgeBase { reason }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(refused(v2.clone()).contains("not newer"));
    let mut tampered = sign(&bundle(3), &key).unwrap();
    let last = tampered.len() - 3;
    tampered[last] ^= 1;
    refused(tampered);
    refused(sign(&bundle(4), &generate_signing_key().unwrap()).unwrap());
    refused(v2[..v2.len() / 2].to_vec());
    assert_eq!(regimen.knowledge_info().unwrap().version, 2);
    drop(regimen);

    // Reopened, the stored update is verified again and used.
    let reopened = Regimen::open(path.clone(), config, keys.clone()).unwrap();
    assert_eq!(reopened.knowledge_info().unwrap().version, 2);
    // An app that no longer trusts the key falls back to the built-in base.
    let untrusting = Regimen::open(path, RegimenConfig::default(), keys).unwrap();
    assert_eq!(untrusting.knowledge_info().unwrap().version, 1);
}
