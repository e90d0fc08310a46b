//! A patient's and a caregiver's phone on one machine, paired through the push service
//! stand-in: the set-up of the caregiver scenarios.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use regimen_core::share::base64url;
use regimen_ffi::{
    MedicineInfo, MessageKind, Phase, Regimen, RegimenConfig, ShareScope, Timestamp, Timing,
    TimingRepeat, UnitOfTime, ZonePolicy,
};

use crate::MemoryKeyStore;
use crate::push_service::PushService;

/// Two databases on one machine, each reopened at chosen instants near the real clock (the
/// push service checks VAPID tokens against it).
pub struct Phones {
    /// The folder both databases live in.
    pub dir: tempfile::TempDir,
    /// The key store both use (one alias each).
    pub keys: Arc<MemoryKeyStore>,
    /// The first instant of the scenario, whole minutes.
    pub start: Timestamp,
}

impl Default for Phones {
    fn default() -> Self {
        Phones::new()
    }
}

impl Phones {
    /// Two phones starting now.
    pub fn new() -> Phones {
        let now = Timestamp::from_system_time(SystemTime::now()).unwrap();
        // Whole minutes, so dose times line up.
        let start = Timestamp::from_millis(now.as_millis() / 60_000 * 60_000).unwrap();
        Phones {
            dir: tempfile::tempdir().unwrap(),
            keys: Arc::new(MemoryKeyStore::default()),
            start,
        }
    }

    /// `who`'s database with "now" pinned `minutes` after the start.
    pub fn open(&self, who: &str, minutes: u64) -> Arc<Regimen> {
        let config = RegimenConfig {
            key_alias: who.into(),
            push_contact: Some("mailto:sharing@example.org".into()),
            ..RegimenConfig::default()
        };
        let path = self.dir.path().join(format!("{who}.db"));
        let now = self.start.plus(Duration::from_secs(minutes * 60));
        Regimen::open_at(
            path.to_string_lossy().into_owned(),
            config,
            self.keys.clone(),
            now,
        )
        .unwrap()
    }

    /// The instant `minutes` after the start.
    pub fn at(&self, minutes: u64) -> Timestamp {
        self.start.plus(Duration::from_secs(minutes * 60))
    }
}

/// Every 4 hours from the start, in UTC.
pub fn every_four_hours(phones: &Phones) -> regimen_ffi::Schedule {
    let start = phones.start.to_datetime().naive_utc();
    regimen_ffi::Schedule {
        start: regimen_ffi::LocalDateTime(start),
        zone: "UTC".into(),
        policy: ZonePolicy::Local,
        phases: vec![Phase {
            timing: Timing {
                repeat: Some(TimingRepeat {
                    frequency: Some(1),
                    period: Some(4.0),
                    period_unit: Some(UnitOfTime::H),
                    ..TimingRepeat::default()
                }),
                ..Timing::default()
            },
            ..Phase::default()
        }],
        as_needed: None,
        shift: None,
    }
}

/// Pairs a patient (one medicine every 4 hours, first dose at the start) with a caregiver
/// whose push subscription lives on `service`. Returns the medicine's id.
pub fn pair(phones: &Phones, service: &PushService, scopes: Vec<ShareScope>) -> i64 {
    let patient = phones.open("patient", 0);
    let medicine = patient
        .add_scheduled_medicine(
            MedicineInfo {
                name: "Amoxicillin".into(),
                ..MedicineInfo::default()
            },
            Some(every_four_hours(phones)),
        )
        .unwrap();
    let offer = patient.offer_share("Ana".into(), scopes).unwrap();
    let vapid: serde_json::Value = serde_json::from_str(&offer.payload).unwrap();
    let key = base64url::decode(vapid["vapid"].as_str().unwrap(), "vapid").unwrap();
    let endpoint = service.subscribe("ben", &key);
    let caregiver = phones.open("caregiver", 0);
    let answer = caregiver
        .answer_offer(offer.payload, endpoint, "Ben".into(), None)
        .unwrap();
    patient.accept_answer(answer.payload).unwrap();
    medicine.id
}

/// Hands every accepted body to the caregiver; returns the kinds taken in and ignored.
pub fn hand_over(service: &PushService, caregiver: &Regimen) -> (Vec<MessageKind>, usize) {
    let mut kinds = Vec::new();
    let mut ignored = 0;
    for delivered in service.take_delivered() {
        let received = caregiver.receive(delivered.body).unwrap();
        if received.ignored {
            ignored += 1;
        } else {
            kinds.push(received.kind);
        }
    }
    (kinds, ignored)
}
