//! `regimen today | plan | adherence | zone`: the views a patient checks.

use std::time::Duration;

use chrono::NaiveDate;
use regimen_ffi::{LocalDate, NotificationKind};
use serde_json::json;

use crate::output::{choice_name, counted, dose_line, print_json, short_title};
use crate::session::Session;
use crate::{Failure, Outcome};

/// `2d`, `12h`, `90m` as a duration.
fn parse_horizon(text: &str) -> Result<Duration, Failure> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let value: u64 = number.parse().map_err(|_| {
        Failure::Cli("--horizon: expected a number and a unit: 2d, 12h, 90m".into())
    })?;
    let seconds = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        _ => return Err(Failure::Cli("--horizon: the unit is d, h or m".into())),
    };
    Ok(Duration::from_secs(value * seconds))
}

pub fn today(session: &Session, date: Option<&str>) -> Outcome {
    let date = match date {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Failure::Cli("--date: expected YYYY-MM-DD".into()))?,
        None => session.today(),
    };
    let doses = session.regimen.day(LocalDate(date))?;
    let problems = session.regimen.schedule_problems()?;
    if session.json {
        print_json(&json!({
            "date": date.to_string(),
            "zone": session.zone.name(),
            "doses": doses,
            "schedule_problems": problems,
        }));
        return Ok(());
    }
    print_day(session, date, &doses)?;
    print_schedule_problems(session, &problems)
}

/// Tells the patient which medicines are left out of reminders, and what to do.
pub fn print_schedule_problems(
    session: &Session,
    problems: &[regimen_ffi::ScheduleProblem],
) -> Outcome {
    if problems.is_empty() {
        return Ok(());
    }
    let medicines = session.regimen.medicines(true)?;
    for problem in problems {
        let name = medicines
            .iter()
            .find(|m| m.id == problem.medicine_id)
            .map_or("a medicine", |m| m.info.name.as_str());
        println!(
            "  ! #{} {name}: no reminders, {}. Give it a new schedule (`regimen med schedule {}`) or archive it.",
            problem.medicine_id, problem.reason, problem.medicine_id
        );
    }
    Ok(())
}

/// A day's doses as lines, with a one-line tally.
pub fn print_day(
    session: &Session,
    date: NaiveDate,
    doses: &[regimen_ffi::ScheduledDose],
) -> Outcome {
    let medicines = session.regimen.medicines(true)?;
    println!("{} ({})", date.format("%A %-d %B %Y"), session.zone.name());
    if doses.is_empty() {
        println!("  Nothing scheduled or logged.");
        return Ok(());
    }
    for dose in doses {
        println!("  {}", dose_line(session, dose, &medicines));
    }
    let count = |wanted: &[regimen_ffi::DoseStatus]| {
        doses.iter().filter(|d| wanted.contains(&d.status)).count()
    };
    use regimen_ffi::DoseStatus::*;
    println!(
        "  {} taken, {} skipped, {} missed, {} still to come",
        count(&[Taken, TakenLate]),
        count(&[Skipped]),
        count(&[Missed]),
        count(&[Upcoming, Due, Late, Snoozed])
    );
    Ok(())
}

pub fn plan(session: &Session, horizon: &str, budget: u32) -> Outcome {
    let plan = session
        .regimen
        .plan_notifications(parse_horizon(horizon)?, budget)?;
    if session.json {
        print_json(&plan);
        return Ok(());
    }
    println!(
        "{} to have pending; plan again by {}",
        counted(plan.notifications.len(), "notification"),
        session.local(plan.refresh_at).format("%a %H:%M")
    );
    for n in &plan.notifications {
        let kind = match n.kind {
            NotificationKind::HeadsUp => "heads-up",
            NotificationKind::Dose => "dose",
            NotificationKind::FollowUp => "follow-up",
            NotificationKind::CaregiverAlert => "caregiver",
            NotificationKind::CaregiverSilence => "silence",
            NotificationKind::Refill => "refill",
        };
        println!(
            "  {}  {kind:<9}  {}: {}",
            session.local(n.fire_at).format("%a %H:%M"),
            n.title,
            n.body
        );
    }
    print_schedule_problems(session, &plan.schedule_problems)
}

pub fn adherence(session: &Session, days: u32) -> Outcome {
    if days == 0 || days > 3660 {
        return Err(Failure::Cli("--days: 1 to 3660".into()));
    }
    let today = session.today();
    let first = today - chrono::Duration::days(i64::from(days) - 1);
    let (from, _) = session.day_bounds(first);
    let (_, to) = session.day_bounds(today);
    let report = session.regimen.adherence(from, to)?;
    if session.json {
        print_json(&report);
        return Ok(());
    }
    let medicines = session.regimen.medicines(true)?;
    println!("Adherence, {first} to {today}");
    let rows = std::iter::once(("All medicines".to_string(), &report.overall)).chain(
        report.medicines.iter().map(|a| {
            let name = medicines
                .iter()
                .find(|m| Some(m.id) == a.medicine_id)
                .map_or("?".into(), short_title);
            (name, a)
        }),
    );
    for (name, a) in rows {
        println!(
            "  {name:<24} {:>5.1}% of days covered · {} on time, {} late, {} skipped, {} missed · streak {} (best {})",
            a.proportion_of_days_covered * 100.0,
            a.taken_on_time,
            a.taken_late,
            a.skipped,
            a.missed,
            a.current_streak_days,
            a.longest_streak_days
        );
    }
    Ok(())
}

pub fn zone(session: &Session, zone: &str) -> Outcome {
    let report = session
        .regimen
        .change_device_zone(zone.to_owned(), Duration::from_secs(2 * 86_400))?;
    if session.json {
        print_json(&report);
        return Ok(());
    }
    if !report.changed {
        println!("Already in {}; nothing moves.", report.zone);
        return Ok(());
    }
    let medicines = session.regimen.medicines(true)?;
    let name = |id: i64| {
        medicines
            .iter()
            .find(|m| m.id == id)
            .map_or("?".into(), short_title)
    };
    let new_zone: regimen_core::Zone = report
        .zone
        .parse()
        .map_err(|_| Failure::Cli("unknown zone".into()))?;
    let here = |t: regimen_ffi::Timestamp| {
        t.to_datetime()
            .with_timezone(&new_zone)
            .format("%a %H:%M")
            .to_string()
    };
    println!(
        "Now in {} (was {}).",
        report.zone,
        report.previous_zone.as_deref().unwrap_or("unknown")
    );
    for moved in &report.moved {
        println!(
            "  {:<24} moves to {} here: keeps its wall-clock time",
            name(moved.medicine_id),
            here(moved.after)
        );
    }
    for kept in &report.kept {
        println!(
            "  {:<24} stays at the same instant, {} here ({} time)",
            name(kept.medicine_id),
            here(kept.at),
            choice_name(&kept.policy)
        );
    }
    for id in &report.can_shift_gradually {
        println!(
            "  {:<24} can move to local time gradually, 2 hours a day: regimen med shift {id} --hours 2",
            name(*id)
        );
    }
    Ok(())
}
