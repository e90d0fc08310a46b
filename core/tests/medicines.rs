//! Medicines through the store: add, edit, archive, restore, list, get.

mod common;

use common::{at, named, store};
use regimen_core::Error;
use regimen_core::medicine::{DoseForm, MedicineInfo, Route};

#[test]
fn added_medicine_comes_back_with_every_field_normalised() {
    let (store, _dir) = store();
    let added = store
        .add_medicine(
            &MedicineInfo {
                name: " Metformin ".into(),
                strength: Some("500 mg".into()),
                form: Some(DoseForm::Tablet),
                route: Some(Route::Oral),
                rxnorm: Some("6809".into()),
                atc: Some("a10ba02".into()),
                instructions: Some("With breakfast\nand dinner".into()),
                notes: Some("".into()),
                drug_id: Some(" in:metformin ".into()),
            },
            at("2025-06-01T08:00:00Z"),
        )
        .unwrap();
    assert_eq!(added.info.name, "Metformin");
    assert_eq!(added.info.atc.as_deref(), Some("A10BA02"));
    assert_eq!(added.info.notes, None);
    assert_eq!(added.revision, 1);
    assert!(added.is_active());
    assert_eq!(store.medicine(added.id).unwrap(), added);
}

#[test]
fn list_is_sorted_by_name_and_hides_archived_unless_asked() {
    let (store, _dir) = store();
    let now = at("2025-06-01T08:00:00Z");
    store.add_medicine(&named("zinc"), now).unwrap();
    store.add_medicine(&named("Aspirin"), now).unwrap();
    let metformin = store.add_medicine(&named("Metformin"), now).unwrap();
    store.archive_medicine(metformin.id, now).unwrap();

    let names = |all: bool| -> Vec<String> {
        store
            .medicines(all)
            .unwrap()
            .into_iter()
            .map(|m| m.info.name)
            .collect()
    };
    assert_eq!(names(false), ["Aspirin", "zinc"]);
    assert_eq!(names(true), ["Aspirin", "Metformin", "zinc"]);
}

#[test]
fn edit_bumps_the_revision_and_a_stale_revision_is_a_conflict() {
    let (store, _dir) = store();
    let added = store
        .add_medicine(&named("Warfarin"), at("2025-06-01T08:00:00Z"))
        .unwrap();
    let later = at("2025-06-02T08:00:00Z");
    let mut info = added.info.clone();
    info.strength = Some("5 mg".into());
    let edited = store
        .edit_medicine(added.id, &info, Some(1), later)
        .unwrap();
    assert_eq!(edited.revision, 2);
    assert_eq!(edited.updated_at, later);
    assert_eq!(edited.created_at, added.created_at);

    info.strength = Some("3 mg".into());
    let stale = store
        .edit_medicine(added.id, &info, Some(1), later)
        .unwrap_err();
    assert!(matches!(stale, Error::Conflict(_)), "{stale}");
    assert_eq!(
        store.medicine(added.id).unwrap().info.strength.as_deref(),
        Some("5 mg")
    );
}

#[test]
fn invalid_edit_leaves_the_stored_medicine_unchanged() {
    let (store, _dir) = store();
    let added = store
        .add_medicine(&named("Amlodipine"), at("2025-06-01T08:00:00Z"))
        .unwrap();
    let mut info = added.info.clone();
    info.atc = Some("not-a-code".into());
    let err = store
        .edit_medicine(added.id, &info, None, at("2025-06-02T08:00:00Z"))
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { field: "atc", .. }),
        "{err}"
    );
    assert_eq!(store.medicine(added.id).unwrap(), added);
}

#[test]
fn archive_and_restore_are_idempotent_and_keep_the_details() {
    let (store, _dir) = store();
    let t0 = at("2025-06-01T08:00:00Z");
    let t1 = at("2025-06-10T08:00:00Z");
    let added = store.add_medicine(&named("Amoxicillin"), t0).unwrap();
    let archived = store.archive_medicine(added.id, t1).unwrap();
    assert_eq!(archived.archived_at, Some(t1));
    let again = store
        .archive_medicine(added.id, at("2025-06-11T08:00:00Z"))
        .unwrap();
    assert_eq!(
        again.archived_at,
        Some(t1),
        "archiving twice keeps the first date"
    );
    let restored = store.restore_medicine(added.id, t1).unwrap();
    assert!(restored.is_active());
    assert_eq!(restored.info, added.info);
}

#[test]
fn unknown_ids_are_not_found() {
    let (store, _dir) = store();
    let now = at("2025-06-01T08:00:00Z");
    for result in [
        store.medicine(99),
        store.archive_medicine(99, now),
        store.edit_medicine(99, &named("X"), None, now),
    ] {
        assert!(matches!(
            result,
            Err(Error::NotFound {
                what: "medicine",
                id: 99
            })
        ));
    }
}

#[test]
fn two_medicines_may_share_a_name() {
    // Warfarin comes as 1 mg and 5 mg tablets taken together; both are real entries.
    let (store, _dir) = store();
    let now = at("2025-06-01T08:00:00Z");
    store.add_medicine(&named("Warfarin"), now).unwrap();
    store.add_medicine(&named("Warfarin"), now).unwrap();
    assert_eq!(store.medicines(false).unwrap().len(), 2);
}
