//! The notification plan: grouping, follow-ups, privacy, budget, stable ids, determinism.

mod common;

use std::time::Duration;

use common::{at, scheduled, store};
use regimen_core::dose::{DoseAction, NewDoseEvent};
use regimen_core::reminder::{NotificationKind, NotificationPlan};
use regimen_core::settings::{PrivacyLevel, Settings};

const DAY: Duration = Duration::from_secs(86_400);

fn plan(
    store: &regimen_core::Records,
    now: &str,
    horizon: Duration,
    budget: u32,
) -> NotificationPlan {
    store.plan_notifications(at(now), horizon, budget).unwrap()
}

fn kinds_and_times(plan: &NotificationPlan) -> Vec<(NotificationKind, String)> {
    plan.notifications
        .iter()
        .map(|n| (n.kind, n.fire_at.to_string()))
        .collect()
}

#[test]
fn doses_due_together_are_one_notification_with_four_follow_ups() {
    let (store, _dir) = store();
    let a = scheduled(&store, "Metformin", "Europe/Berlin", &["08:00"]);
    let b = scheduled(&store, "Lisinopril", "Europe/Berlin", &["08:00"]);
    let p = plan(
        &store,
        "2025-06-01T05:00:00Z",
        Duration::from_secs(3 * 3600),
        64,
    );
    assert_eq!(
        kinds_and_times(&p),
        [
            (NotificationKind::Dose, "2025-06-01T06:00:00Z".into()),
            (NotificationKind::FollowUp, "2025-06-01T06:10:00Z".into()),
            (NotificationKind::FollowUp, "2025-06-01T06:20:00Z".into()),
            (NotificationKind::FollowUp, "2025-06-01T06:30:00Z".into()),
            (NotificationKind::FollowUp, "2025-06-01T06:40:00Z".into()),
        ]
    );
    assert_eq!(p.notifications[0].medicine_ids, [a, b]);
}

#[test]
fn the_default_text_shows_the_local_time_and_no_medicine_name() {
    let (store, _dir) = store();
    scheduled(&store, "Metformin", "Europe/Berlin", &["08:00"]);
    scheduled(&store, "Lisinopril", "Europe/Berlin", &["08:00"]);
    store
        .record_device_zone("Europe/Berlin", at("2025-01-01T00:00:00Z"))
        .unwrap();
    let p = plan(
        &store,
        "2025-06-01T05:00:00Z",
        Duration::from_secs(3600 + 60),
        64,
    );
    let dose = &p.notifications[0];
    assert_eq!(dose.body, "Time for your 8:00 medicines");
    for n in &p.notifications {
        assert!(!n.title.contains("Metformin") && !n.body.contains("Metformin"));
    }

    let mut settings = Settings::default();
    settings.reminders.privacy = PrivacyLevel::Full;
    store.update_settings(&settings).unwrap();
    let full = plan(
        &store,
        "2025-06-01T05:00:00Z",
        Duration::from_secs(3600 + 60),
        64,
    );
    assert_eq!(full.notifications[0].body, "Time for Lisinopril, Metformin");

    settings.reminders.privacy = PrivacyLevel::Hidden;
    store.update_settings(&settings).unwrap();
    let hidden = plan(
        &store,
        "2025-06-01T05:00:00Z",
        Duration::from_secs(3600 + 60),
        64,
    );
    assert_eq!(hidden.notifications[0].body, "You have a reminder");
}

#[test]
fn follow_ups_stop_once_the_dose_is_logged_and_a_heads_up_comes_first_when_asked() {
    let (store, _dir) = store();
    let a = scheduled(&store, "A", "UTC", &["08:00"]);
    let mut settings = Settings::default();
    settings.reminders.heads_up_minutes = Some(15);
    store.update_settings(&settings).unwrap();
    let before = plan(
        &store,
        "2025-06-01T07:00:00Z",
        Duration::from_secs(3 * 3600),
        64,
    );
    assert_eq!(before.notifications[0].kind, NotificationKind::HeadsUp);
    assert_eq!(before.notifications[0].fire_at, at("2025-06-01T07:45:00Z"));

    store
        .log_dose(
            &NewDoseEvent {
                medicine_id: a,
                action: DoseAction::Taken,
                actual_at: at("2025-06-01T08:03:00Z"),
                scheduled_at: Some(at("2025-06-01T08:00:00Z")),
                snooze_until: None,
                note: None,
                amount: None,
                corrects: None,
            },
            at("2025-06-01T08:03:00Z"),
        )
        .unwrap();
    let after = plan(
        &store,
        "2025-06-01T08:05:00Z",
        Duration::from_secs(3 * 3600),
        64,
    );
    assert!(
        after.notifications.is_empty(),
        "{:?}",
        kinds_and_times(&after)
    );
}

#[test]
fn an_unanswered_dose_keeps_its_remaining_follow_ups_and_a_snooze_moves_the_reminder() {
    let (store, _dir) = store();
    let a = scheduled(&store, "A", "UTC", &["08:00"]);
    let p = plan(
        &store,
        "2025-06-01T08:15:00Z",
        Duration::from_secs(3600),
        64,
    );
    assert_eq!(
        kinds_and_times(&p),
        [
            (NotificationKind::FollowUp, "2025-06-01T08:20:00Z".into()),
            (NotificationKind::FollowUp, "2025-06-01T08:30:00Z".into()),
            (NotificationKind::FollowUp, "2025-06-01T08:40:00Z".into()),
        ]
    );
    store
        .log_dose(
            &NewDoseEvent {
                medicine_id: a,
                action: DoseAction::Snoozed,
                actual_at: at("2025-06-01T08:15:00Z"),
                scheduled_at: Some(at("2025-06-01T08:00:00Z")),
                snooze_until: Some(at("2025-06-01T08:45:00Z")),
                note: None,
                amount: None,
                corrects: None,
            },
            at("2025-06-01T08:15:00Z"),
        )
        .unwrap();
    let snoozed = plan(
        &store,
        "2025-06-01T08:16:00Z",
        Duration::from_secs(3600),
        64,
    );
    assert_eq!(snoozed.notifications[0].kind, NotificationKind::Dose);
    assert_eq!(snoozed.notifications[0].fire_at, at("2025-06-01T08:45:00Z"));
    assert_eq!(snoozed.notifications[0].due_at, at("2025-06-01T08:00:00Z"));
}

#[test]
fn a_snooze_ending_with_another_doses_follow_up_is_one_notification_naming_the_due_time() {
    let (store, _dir) = store();
    let a = scheduled(&store, "A", "UTC", &["08:00"]);
    let b = scheduled(&store, "B", "UTC", &["08:00"]);
    // B is snoozed for ten minutes at 08:00; A stays unanswered, its first follow-up at 08:10.
    store
        .log_dose(
            &NewDoseEvent {
                medicine_id: b,
                action: DoseAction::Snoozed,
                actual_at: at("2025-06-01T08:00:00Z"),
                scheduled_at: Some(at("2025-06-01T08:00:00Z")),
                snooze_until: Some(at("2025-06-01T08:10:00Z")),
                note: None,
                amount: None,
                corrects: None,
            },
            at("2025-06-01T08:00:00Z"),
        )
        .unwrap();
    let p = plan(
        &store,
        "2025-06-01T08:01:00Z",
        Duration::from_secs(3600),
        64,
    );
    let at_ten: Vec<_> = p
        .notifications
        .iter()
        .filter(|n| n.fire_at == at("2025-06-01T08:10:00Z"))
        .collect();
    assert_eq!(at_ten.len(), 1, "one notification at 08:10, not two");
    assert_eq!(at_ten[0].kind, NotificationKind::Dose);
    assert_eq!(at_ten[0].medicine_ids, [a, b]);
    assert_eq!(at_ten[0].body, "Time for your 8:00 medicines");
    // Planned again a minute later, the same notification keeps its id.
    let again = plan(
        &store,
        "2025-06-01T08:02:00Z",
        Duration::from_secs(3600),
        64,
    );
    assert!(again.notifications.iter().any(|n| n.id == at_ten[0].id));
}

#[test]
fn a_small_budget_keeps_every_medicines_next_dose_and_says_when_to_refresh() {
    let (store, _dir) = store();
    let hourly: Vec<String> = (6..22).map(|h| format!("{h:02}:30")).collect();
    let hourly: Vec<&str> = hourly.iter().map(String::as_str).collect();
    let frequent = scheduled(&store, "Frequent", "UTC", &hourly);
    let evening = scheduled(&store, "Evening", "UTC", &["23:00"]);
    let p = plan(&store, "2025-06-01T06:00:00Z", DAY, 6);
    assert_eq!(p.notifications.len(), 6);
    let evening_dose = p
        .notifications
        .iter()
        .find(|n| n.medicine_ids == [evening])
        .expect("the evening medicine's next dose is kept");
    assert_eq!(evening_dose.fire_at, at("2025-06-01T23:00:00Z"));
    assert!(p.notifications.iter().any(|n| n.medicine_ids == [frequent]));
    // Kept: 06:30 and its four follow-ups (to 07:10), and 23:00. Left out first: 07:30.
    assert_eq!(p.refresh_at, at("2025-06-01T07:30:00Z"));
    assert!(
        p.notifications
            .windows(2)
            .all(|w| w[0].fire_at <= w[1].fire_at)
    );
}

#[test]
fn ids_are_stable_across_re_plans_and_the_plan_is_the_same_byte_for_byte() {
    let (store, _dir) = store();
    scheduled(&store, "A", "UTC", &["08:00", "20:00"]);
    scheduled(&store, "B", "UTC", &["20:00"]);
    let first = plan(&store, "2025-06-01T06:00:00Z", 2 * DAY, 64);
    let again = plan(&store, "2025-06-01T06:00:00Z", 2 * DAY, 64);
    assert_eq!(
        serde_json::to_vec(&first).unwrap(),
        serde_json::to_vec(&again).unwrap()
    );
    let later = plan(&store, "2025-06-01T09:00:00Z", 2 * DAY, 64);
    for n in &later.notifications {
        if let Some(same) = first
            .notifications
            .iter()
            .find(|f| f.fire_at == n.fire_at && f.kind == n.kind)
        {
            assert_eq!(same.id, n.id);
            assert_eq!(same.platform_id, n.platform_id);
        }
    }
}

#[test]
fn bad_horizon_or_budget_is_invalid_input() {
    let (store, _dir) = store();
    let now = at("2025-06-01T06:00:00Z");
    assert!(store.plan_notifications(now, Duration::ZERO, 64).is_err());
    assert!(store.plan_notifications(now, 40 * DAY, 64).is_err());
    assert!(store.plan_notifications(now, DAY, 0).is_err());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        #[test]
        fn plans_stay_within_budget_and_horizon_sorted_one_per_minute_and_keep_ids(
            medicines in prop::collection::vec(prop::collection::vec((0u32..24, 0u32..4), 1..4), 1..6),
            budget in 1u32..30,
            start_minute in 0u64..1440,
            step_minutes in 1u64..180,
        ) {
            let (store, _dir) = store();
            for (index, times) in medicines.iter().enumerate() {
                let times: Vec<String> = times.iter().map(|(h, q)| format!("{h:02}:{:02}", q * 15)).collect();
                let times: Vec<&str> = times.iter().map(String::as_str).collect();
                scheduled(&store, &format!("M{index}"), "Europe/Berlin", &times);
            }
            let now = at("2025-06-01T00:00:00Z").plus(Duration::from_secs(start_minute * 60));
            let first = store.plan_notifications(now, 2 * DAY, budget).unwrap();
            prop_assert!(first.notifications.len() <= budget as usize);
            prop_assert!(first.notifications.windows(2).all(|w| w[0].fire_at <= w[1].fire_at));
            let ids: std::collections::BTreeSet<&str> = first.notifications.iter().map(|n| n.id.as_str()).collect();
            prop_assert_eq!(ids.len(), first.notifications.len());
            let horizon_end = now.plus(2 * DAY);
            prop_assert!(first.notifications.iter().all(|n| n.fire_at > now && n.fire_at < horizon_end));
            prop_assert!(first.refresh_at > now && first.refresh_at <= horizon_end);
            // Planning again early is only needed when the budget left something out.
            if first.refresh_at < horizon_end {
                prop_assert_eq!(first.notifications.len(), budget as usize);
            }
            // Never two notifications in one minute.
            let minutes: std::collections::BTreeSet<i64> = first.notifications.iter().map(|n| n.fire_at.as_millis() / 60_000).collect();
            prop_assert_eq!(minutes.len(), first.notifications.len());

            let later = now.plus(Duration::from_secs(step_minutes * 60));
            let second = store.plan_notifications(later, 2 * DAY, budget).unwrap();
            for n in &second.notifications {
                if let Some(same) = first.notifications.iter().find(|f| f.fire_at == n.fire_at && f.kind == n.kind && f.due_at == n.due_at && f.medicine_ids == n.medicine_ids) {
                    prop_assert_eq!(&same.id, &n.id);
                }
            }
        }
    }
}
