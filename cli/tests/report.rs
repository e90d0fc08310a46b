//! `regimen report` read the way a doctor gets it: headless Chromium prints the HTML to PDF and
//! takes a screenshot (`tests/lib/render_report.sh`), pdftotext reads the PDF back, and the
//! text must hold the medicines, the adherence worked out here from the doses this test
//! logged, the phenotype, the warning and the diary entry. The screenshot and the PDF are kept
//! in `.cache/report/` for a person to look at.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::Run;

/// The repository's `.cache/report/`.
fn kept_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../.cache/report")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.cache/report"))
}

/// Logs `medicine`'s dose due at `due` (Berlin, March 2025: +01:00) as `action`, `late_by`
/// minutes after it.
fn log(run: &Run, medicine: &str, day: u32, time: &str, action: &str, late_by: u32) {
    let due = format!("2025-03-{day:02}T{time}:00+01:00");
    let (hour, minute) = time.split_once(':').unwrap();
    let minutes = hour.parse::<u32>().unwrap() * 60 + minute.parse::<u32>().unwrap() + late_by;
    let actual = format!(
        "2025-03-{day:02}T{:02}:{:02}:00+01:00",
        minutes / 60,
        minutes % 60
    );
    run.ok(&[
        "dose",
        "log",
        medicine,
        "--action",
        action,
        "--scheduled",
        &due,
        "--at",
        &actual,
        "--now",
        &actual,
    ]);
}

#[test]
fn the_report_prints_to_pdf_with_the_medicines_adherence_pgx_warnings_and_diary() {
    let run = Run::new();
    let start = "2025-03-01T00:00:00+01:00";
    run.ok(&[
        "med",
        "add",
        "Clopidogrel",
        "--strength",
        "75 mg",
        "--form",
        "tablet",
        "--instructions",
        "With water, <b>not</b> with grapefruit",
        "--times",
        "08:00",
        "--dose",
        "1 tablet",
        "--start",
        "2025-03-01T08:00",
        "--now",
        start,
    ]);
    run.ok(&[
        "med",
        "add",
        "Metformin",
        "--strength",
        "500 mg",
        "--times",
        "08:00,20:00",
        "--start",
        "2025-03-01T08:00",
        "--now",
        start,
    ]);
    run.ok(&[
        "pgx",
        "add",
        "CYP2C19",
        "*2/*2",
        "--date",
        "2024-11-20",
        "--lab",
        "Example Genomics Lab",
        "--now",
        start,
    ]);

    // The week of 3 to 9 March 2025 (no DST change in Berlin).
    // Clopidogrel, 7 doses: taken on time on the 3rd to the 8th, nothing on the 9th (missed).
    // Taken: 6 of 7 settled = 85.7%, shown as 86%.
    for day in 3..=8 {
        log(&run, "Clopidogrel", day, "08:00", "taken", 5);
    }
    // Metformin, 14 doses: 9 on time, 2 late (an hour after), 2 skipped, 1 missed.
    // Taken: 11 of 14 = 78.6%, shown as 79%. All together: 17 of 21 = 81.0%, shown as 81%.
    let mut metformin = Vec::new();
    for day in 3..=9 {
        metformin.push((day, "08:00"));
        metformin.push((day, "20:00"));
    }
    for (index, (day, time)) in metformin.iter().enumerate() {
        match index {
            0..=8 => log(&run, "Metformin", *day, time, "taken", 10),
            9 | 10 => log(&run, "Metformin", *day, time, "taken", 60),
            11 | 12 => log(&run, "Metformin", *day, time, "skipped", 0),
            _ => {} // the 9th at 20:00: missed
        }
    }
    run.ok(&[
        "diary",
        "add",
        "--at",
        "2025-03-05T18:30:00+01:00",
        "--medicine",
        "Clopidogrel",
        "--severity",
        "2",
        "--bp",
        "135/85",
        "--glucose",
        "110mg/dL",
        "Bruising on both arms <i>not italic</i>",
        "--now",
        "2025-03-05T18:30:00+01:00",
    ]);
    let warnings = run.json(&["warnings", "--now", "2025-03-10T12:00:00+01:00"]);
    let warning_title = warnings
        .as_array()
        .and_then(|all| {
            all.iter().find(|w| {
                w["genes"]
                    .as_array()
                    .is_some_and(|g| g.iter().any(|g| g == "CYP2C19"))
            })
        })
        .map(|w| w["title"].as_str().unwrap().to_owned())
        .expect("a CYP2C19 warning for clopidogrel");

    let html_path = run.dir.path().join("report.html");
    run.ok(&[
        "report",
        "--from",
        "2025-03-03",
        "--to",
        "2025-03-09",
        "--out",
        html_path.to_str().unwrap(),
        "--now",
        "2025-03-10T12:00:00+01:00",
    ]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    let lower = html.to_lowercase();
    for forbidden in [
        "<script", "http:", "https:", "src=", "href=", "url(", "@import", "<link",
    ] {
        assert!(
            !lower.contains(forbidden),
            "the page must load nothing: {forbidden}"
        );
    }
    assert!(
        html.contains("&lt;i&gt;not italic&lt;/i&gt;"),
        "diary text is escaped"
    );
    assert!(!html.contains("<b>not</b>"), "instructions are escaped");

    let out = kept_dir();
    let rendered = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/lib/render_report.sh"
        ))
        .arg(&html_path)
        .arg(&out)
        .output()
        .expect("bash runs");
    assert!(
        rendered.status.success(),
        "rendering failed: {}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let text = std::fs::read_to_string(out.join("report.txt")).unwrap();
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 4, "one page per section at least: {pages} pages");
    let line_with = |a: &str, b: &str| text.lines().any(|l| l.contains(a) && l.contains(b));
    // Table cells wrap in the PDF: phrases are looked for in the text with its spacing flattened.
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        line_with("Clopidogrel", "86%"),
        "Clopidogrel taken 86%:\n{text}"
    );
    assert!(
        line_with("Metformin", "79%"),
        "Metformin taken 79%:\n{text}"
    );
    assert!(line_with("All medicines", "81%"), "all taken 81%:\n{text}");
    for shown in [
        "Medication report",
        "3 March 2025 to 9 March 2025",
        "Europe/Berlin",
        "75 mg",
        "<b>not</b>", // the instructions, escaped: the markup shows as written
        "grapefruit",
        "Poor Metabolizer",
        "CYP2C19",
        "Example Genomics Lab",
        "20 November 2024",
        "Bruising on both arms",
        "<i>not italic</i>", // escaped: the markup shows as written
        "135/85 mmHg",
        "110 mg/dL (6.1 mmol/L)", // 110 / 18.016 = 6.1
        "CPIC",
        "Regimen 0.",
    ] {
        assert!(flat.contains(shown), "{shown} in the PDF:\n{text}");
    }
    assert!(
        flat.contains(&warning_title),
        "{warning_title} in the PDF:\n{text}"
    );
    assert!(out.join("report.png").exists(), "the screenshot is kept");
}
