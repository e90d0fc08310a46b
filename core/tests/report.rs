//! The report for the doctor, as a page: every text from the patient's data escaped, nothing
//! loaded from anywhere, stopped medicines marked, and a period that makes no sense refused.

mod common;

use common::{at, daily_schedule, named, store};
use regimen_core::diary::NewDiaryEntry;
use regimen_core::schedule::LocalDate;
use regimen_core::{Error, ReportExtras};

const EXTRAS: ReportExtras<'static> = ReportExtras {
    pgx: &[],
    warnings: &[],
    version: "test",
};

fn day(text: &str) -> LocalDate {
    LocalDate(text.parse().unwrap())
}

#[test]
fn every_text_from_the_patients_data_is_escaped_and_the_page_loads_nothing() {
    let (records, _dir) = store();
    let now = at("2026-03-01T00:00:00Z");
    records.record_device_zone("Europe/Berlin", now).unwrap();
    let hostile = "<script>alert('x')</script> & <img src=https://example.org/x.png>";
    let medicine = records.add_medicine(&named(hostile), now).unwrap();
    records
        .set_schedule(
            medicine.id,
            Some(&daily_schedule(
                "2026-03-01T08:00",
                "Europe/Berlin",
                &["08:00"],
            )),
            now,
            now,
        )
        .unwrap();
    let stopped = records.add_medicine(&named("Amoxicillin"), now).unwrap();
    records
        .archive_medicine(stopped.id, at("2026-03-03T10:00:00Z"))
        .unwrap();
    records
        .add_diary_entry(
            &NewDiaryEntry {
                at: at("2026-03-02T18:00:00Z"),
                text: Some("</td></tr></table><a href=\"javascript:x\">".into()),
                medicine_id: Some(medicine.id),
                severity: Some(1),
                measurements: Vec::new(),
            },
            at("2026-03-02T18:00:00Z"),
        )
        .unwrap();
    let html = records
        .doctor_report_html(
            (day("2026-03-01"), day("2026-03-07")),
            at("2026-03-08T12:00:00Z"),
            &EXTRAS,
        )
        .unwrap();
    // The markup itself (escaped text holds no `<`): no tag that runs or loads anything.
    let tags: Vec<String> = html
        .split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or("").to_lowercase())
        .collect();
    for tag in &tags {
        let name = tag.split_whitespace().next().unwrap_or("");
        assert!(
            !["script", "img", "a", "link", "iframe", "object", "embed"].contains(&name),
            "<{tag}>"
        );
        for attribute in ["src=", "href=", "http", "url(", "on"] {
            let found = if attribute == "on" {
                tag.split_whitespace().skip(1).any(|a| a.starts_with("on"))
            } else {
                tag.contains(attribute)
            };
            assert!(!found, "<{tag}>");
        }
    }
    assert!(
        !html.to_lowercase().contains("url("),
        "no style loads anything"
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;img"));
    assert!(html.contains("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;"));
    assert_eq!(html.matches("<section").count(), 4, "four sections");
    assert!(
        html.contains("stopped 3 March 2026"),
        "the stopped medicine is marked"
    );
    // Its 08:00 doses of 1 to 7 March were all missed: 0 of 7 taken.
    assert!(html.contains("<strong>0%</strong>"));
}

#[test]
fn a_backwards_or_too_long_period_is_refused_naming_the_last_day() {
    let (records, _dir) = store();
    let now = at("2026-03-08T12:00:00Z");
    for (first, last) in [("2026-03-07", "2026-03-01"), ("2025-01-01", "2026-01-02")] {
        let error = records
            .doctor_report_html((day(first), day(last)), now, &EXTRAS)
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidInput { field: "to", .. }),
            "{first}..{last}: {error}"
        );
    }
    // A year and a day is the most (2024 has 366 days).
    records
        .doctor_report_html((day("2024-01-01"), day("2024-12-31")), now, &EXTRAS)
        .unwrap();
}
