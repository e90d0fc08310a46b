//! The report for the doctor: one self-contained HTML page that any browser shows and prints
//! to PDF. No script, no link, no image or font from anywhere: the styles are inline and the
//! charts are SVG drawn here. Every text that comes from the patient's data is escaped.
//!
//! Sections, each starting on a new printed page: the medicines with their schedules and
//! instructions; adherence over the period (a table, and per medicine a chart of each day's
//! doses taken on time, late, skipped, missed and still open); the PGx results in force with
//! their phenotypes and the warnings in force with their evidence; the diary. The header and
//! the last line say the period, the zone, when it was made and by which version of Regimen.
//!
//! "Taken" is the share of settled doses (taken, skipped or missed) that were taken, on time
//! or late; a dose still open does not count yet, as in the adherence report.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::NaiveDate;

use crate::diary::DiaryEntry;
use crate::dose::{DoseStatus, ScheduledDose};
use crate::medicine::Medicine;
use crate::pgx::PgxResult;
use crate::schedule::{Frame, ZoneTimeline};
use crate::time::Timestamp;
use crate::warning::{Severity, Warning};

/// Longest period a report covers, in days.
pub const MAX_REPORT_DAYS: i64 = 366;

/// One medicine as the report lists it.
#[derive(Clone, Debug)]
pub struct ReportMedicine {
    /// The medicine.
    pub medicine: Medicine,
    /// Its schedule at the end of the period, in words; `None` when it has none.
    pub schedule: Option<String>,
}

/// Everything the report shows, gathered by the caller.
pub struct ReportInput<'a> {
    /// The first and last local day of the period (both included).
    pub days: (NaiveDate, NaiveDate),
    /// Where the patient was over time, for local dates and times.
    pub zones: &'a ZoneTimeline,
    /// When the report is made.
    pub generated_at: Timestamp,
    /// The version of Regimen that makes it.
    pub version: &'a str,
    /// The medicines, in the order to list them.
    pub medicines: &'a [ReportMedicine],
    /// Every medicine's name by id (archived ones too: warnings and old doses name them).
    pub names: &'a BTreeMap<i64, String>,
    /// The doses due in the period, as they stand at `generated_at`.
    pub doses: &'a [ScheduledDose],
    /// The PGx results in force.
    pub pgx: &'a [PgxResult],
    /// The warnings in force.
    pub warnings: &'a [Warning],
    /// The diary entries of the period, oldest first.
    pub diary: &'a [DiaryEntry],
}

/// Colours of the chart, one per status, and their names in the legend.
const ON_TIME: (&str, &str) = ("#2e7d32", "on time");
const LATE: (&str, &str) = ("#f9a825", "late");
const SKIPPED: (&str, &str) = ("#5c6bc0", "skipped");
const MISSED: (&str, &str) = ("#c62828", "missed");
const OPEN: (&str, &str) = ("#bdbdbd", "open");

const STYLE: &str = "
@page { size: A4; margin: 16mm 15mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 12pt;
  line-height: 1.4; color: #111; margin: 0 auto; max-width: 180mm; padding: 8mm 0; }
h1 { font-size: 22pt; margin: 0 0 4pt; }
h2 { font-size: 17pt; margin: 0 0 10pt; border-bottom: 2px solid #333; padding-bottom: 3pt; }
h3 { font-size: 13.5pt; margin: 14pt 0 4pt; }
p { margin: 4pt 0; }
.meta { font-size: 11.5pt; color: #333; }
section { padding-top: 6mm; }
section + section { break-before: page; page-break-before: always; }
table { border-collapse: collapse; width: 100%; font-size: 11pt; margin: 6pt 0 10pt; }
th, td { border: 1px solid #888; padding: 4pt 6pt; text-align: left; vertical-align: top; }
th { background: #eee; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.keep { white-space: nowrap; }
tbody.entry { break-inside: avoid; page-break-inside: avoid; }
td.words { border-top: none; padding-left: 14pt; }
.chart { break-inside: avoid; page-break-inside: avoid; margin: 4pt 0 12pt; }
.chart svg { width: 100%; height: auto; }
.warning { border: 1px solid #888; border-left: 6px solid #888; padding: 6pt 8pt;
  margin: 8pt 0; break-inside: avoid; page-break-inside: avoid; }
.warning.high { border-left-color: #c62828; }
.warning.moderate { border-left-color: #f9a825; }
.warning.low { border-left-color: #5c6bc0; }
.evidence { font-size: 10.5pt; color: #333; }
.none { color: #555; font-style: italic; }
footer { margin-top: 14pt; border-top: 1px solid #888; padding-top: 4pt; font-size: 10pt; color: #333; }
";

/// Text for HTML, with `&`, `<`, `>`, `"` and `'` escaped.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text with its line breaks kept.
fn esc_lines(text: &str) -> String {
    esc(text).replace("\r\n", "\n").replace('\n', "<br>")
}

/// `12 March 2026`.
fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// `at` on the patient's clock: `Tue 10 Mar 2026, 08:05`.
fn local_time(zones: &ZoneTimeline, at: Timestamp) -> String {
    Frame::Zone(zones.zone_at(at))
        .local(at)
        .format("%a %-d %b %Y, %H:%M")
        .to_string()
}

/// One medicine's scheduled doses on one day.
#[derive(Clone, Copy, Default)]
struct Counts {
    on_time: u32,
    late: u32,
    skipped: u32,
    missed: u32,
    open: u32,
}

impl Counts {
    fn add(&mut self, status: DoseStatus) {
        match status {
            DoseStatus::Taken => self.on_time += 1,
            DoseStatus::TakenLate => self.late += 1,
            DoseStatus::Skipped => self.skipped += 1,
            DoseStatus::Missed => self.missed += 1,
            DoseStatus::Upcoming | DoseStatus::Due | DoseStatus::Late | DoseStatus::Snoozed => {
                self.open += 1
            }
        }
    }

    fn plus(self, other: Counts) -> Counts {
        Counts {
            on_time: self.on_time + other.on_time,
            late: self.late + other.late,
            skipped: self.skipped + other.skipped,
            missed: self.missed + other.missed,
            open: self.open + other.open,
        }
    }

    fn due(self) -> u32 {
        self.settled() + self.open
    }

    fn settled(self) -> u32 {
        self.on_time + self.late + self.skipped + self.missed
    }

    /// "85%" of settled doses taken, or a dash when none is settled.
    fn taken_percent(self) -> String {
        match self.settled() {
            0 => "–".to_owned(),
            settled => format!(
                "{}%",
                ((f64::from(self.on_time + self.late) * 100.0) / f64::from(settled)).round()
            ),
        }
    }
}

/// The report as one HTML document.
pub fn doctor_report(input: &ReportInput<'_>) -> String {
    let names: BTreeMap<i64, &str> =
        crate::order::map(input.names.iter().map(|(id, name)| (*id, name.as_str())));
    let (first, last) = input.days;
    let period = format!("{} to {}", long_date(first), long_date(last));
    let zone = input.zones.zone_at(input.generated_at);
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Medication report, {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&period)
    );
    let _ = write!(
        html,
        "<header>\n<h1>Medication report</h1>\n<p class=\"meta\">Period: <strong>{}</strong> \
         (times in {}). Made on {} from the patient's own records in Regimen.</p>\n</header>\n",
        esc(&period),
        esc(zone.name()),
        esc(&local_time(input.zones, input.generated_at)),
    );
    medicines_section(&mut html, input);
    adherence_section(&mut html, input, &names);
    pgx_section(&mut html, input, &names);
    diary_section(&mut html, input, &names);
    let _ = write!(
        html,
        "<footer>Source: Regimen {}, the patient's own records. Period {} ({}). Generated {}.\
         </footer>\n</body>\n</html>\n",
        esc(input.version),
        esc(&period),
        esc(zone.name()),
        esc(&local_time(input.zones, input.generated_at)),
    );
    html
}

fn medicines_section(html: &mut String, input: &ReportInput<'_>) {
    html.push_str("<section id=\"medicines\">\n<h2>Medicines</h2>\n");
    if input.medicines.is_empty() {
        html.push_str("<p class=\"none\">No medicines are recorded.</p>\n</section>\n");
        return;
    }
    html.push_str(
        "<table>\n<thead><tr><th>Medicine</th><th>Strength, form</th><th>Schedule</th>\
         <th>Instructions</th></tr></thead>\n<tbody>\n",
    );
    for item in input.medicines {
        let info = &item.medicine.info;
        let mut name = format!("<strong>{}</strong>", esc(&info.name));
        if let Some(archived) = item.medicine.archived_at {
            let date = Frame::Zone(input.zones.zone_at(archived))
                .local(archived)
                .date();
            let _ = write!(name, "<br>stopped {}", esc(&long_date(date)));
        }
        let form = [
            info.strength.clone(),
            info.form.map(|f| words_of(&f)),
            info.route.map(|r| words_of(&r)),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        let _ = writeln!(
            html,
            "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&form),
            esc(item.schedule.as_deref().unwrap_or("no schedule")),
            esc_lines(info.instructions.as_deref().unwrap_or("")),
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

/// A snake-case enum value in words (`oral_liquid` -> `oral liquid`).
fn words_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

fn adherence_section(html: &mut String, input: &ReportInput<'_>, names: &BTreeMap<i64, &str>) {
    let (first, last) = input.days;
    let mut by_medicine: BTreeMap<i64, BTreeMap<NaiveDate, Counts>> = BTreeMap::new();
    for dose in input.doses {
        let Some(due) = dose.due_at else { continue };
        let date = Frame::Zone(input.zones.zone_at(due)).local(due).date();
        if date < first || date > last {
            continue;
        }
        by_medicine
            .entry(dose.medicine_id)
            .or_default()
            .entry(date)
            .or_default()
            .add(dose.status);
    }
    html.push_str("<section id=\"adherence\">\n<h2>Adherence</h2>\n");
    if by_medicine.is_empty() {
        html.push_str(
            "<p class=\"none\">No scheduled doses were due in the period.</p>\n</section>\n",
        );
        return;
    }
    html.push_str(
        "<p>Scheduled doses due in the period. <em>Taken</em> is the share of settled doses \
         (taken, skipped or missed) that were taken, on time or late; doses still open are not \
         counted yet.</p>\n<table>\n<thead><tr><th>Medicine</th><th class=\"n\">Due</th>\
         <th class=\"n\">On time</th><th class=\"n\">Late</th><th class=\"n\">Skipped</th>\
         <th class=\"n\">Missed</th><th class=\"n\">Open</th><th class=\"n\">Taken</th></tr>\
         </thead>\n<tbody>\n",
    );
    let mut all = Counts::default();
    let totals: Vec<(i64, Counts)> = by_medicine
        .iter()
        .map(|(id, days)| {
            let total = days.values().fold(Counts::default(), |a, c| a.plus(*c));
            (*id, total)
        })
        .collect();
    for (id, total) in &totals {
        all = all.plus(*total);
        table_row(html, &esc(name_of(names, *id)), *total);
    }
    if totals.len() > 1 {
        table_row(html, "<strong>All medicines</strong>", all);
    }
    html.push_str("</tbody>\n</table>\n");
    for (id, days) in &by_medicine {
        let name = name_of(names, *id);
        let total = days.values().fold(Counts::default(), |a, c| a.plus(*c));
        let _ = writeln!(
            html,
            "<div class=\"chart\">\n<h3>{} — taken {}</h3>",
            esc(name),
            total.taken_percent()
        );
        chart(html, name, first, last, days);
        html.push_str("</div>\n");
    }
    html.push_str("</section>\n");
}

fn name_of<'a>(names: &BTreeMap<i64, &'a str>, id: i64) -> &'a str {
    names
        .get(&id)
        .copied()
        .unwrap_or("(a medicine no longer listed)")
}

fn table_row(html: &mut String, name: &str, c: Counts) {
    let _ = writeln!(
        html,
        "<tr><td>{name}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n\"><strong>{}</strong></td></tr>",
        c.due(),
        c.on_time,
        c.late,
        c.skipped,
        c.missed,
        c.open,
        c.taken_percent()
    );
}

/// A bar per day, stacked by status, with the days along the bottom and a legend.
fn chart(
    html: &mut String,
    name: &str,
    first: NaiveDate,
    last: NaiveDate,
    days: &BTreeMap<NaiveDate, Counts>,
) {
    const WIDTH: f64 = 680.0;
    const LEFT: f64 = 36.0;
    const RIGHT: f64 = 8.0;
    const TOP: f64 = 10.0;
    const PLOT: f64 = 120.0;
    const HEIGHT: f64 = TOP + PLOT + 64.0;
    let count = (last - first).num_days() + 1;
    let slot = (WIDTH - LEFT - RIGHT) / count as f64;
    let most = days.values().map(|c| c.due()).max().unwrap_or(1).max(1);
    let unit = PLOT / f64::from(most);
    let _ = writeln!(
        html,
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" font-family=\"DejaVu Sans, Arial, sans-serif\">\
         <title>Doses of {} per day, {} to {}</title>",
        esc(name),
        first,
        last
    );
    // The axis and its scale: 0 and the most doses due on one day.
    let base = TOP + PLOT;
    let _ = writeln!(
        html,
        "<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#333\" stroke-width=\"1\"/>\
         <line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{}\" y2=\"{TOP}\" stroke=\"#ccc\" stroke-width=\"0.6\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"end\">0</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"end\">{most}</text>",
        WIDTH - RIGHT,
        WIDTH - RIGHT,
        LEFT - 5.0,
        base - 1.0,
        LEFT - 5.0,
        TOP + 4.0,
    );
    let gap = if slot > 6.0 { slot * 0.2 } else { 0.5 };
    let label_every = match count {
        0..=16 => 1,
        17..=45 => 7,
        46..=120 => 14,
        _ => 30,
    };
    for index in 0..count {
        let date = first + chrono::Days::new(index as u64);
        let x = LEFT + slot * index as f64 + gap / 2.0;
        let width = (slot - gap).max(0.5);
        let counts = days.get(&date).copied().unwrap_or_default();
        let mut top = base;
        for (n, (colour, _)) in [
            (counts.on_time, ON_TIME),
            (counts.late, LATE),
            (counts.skipped, SKIPPED),
            (counts.missed, MISSED),
            (counts.open, OPEN),
        ] {
            if n == 0 {
                continue;
            }
            let height = unit * f64::from(n);
            top -= height;
            let _ = write!(
                html,
                "<rect x=\"{x:.2}\" y=\"{top:.2}\" width=\"{width:.2}\" height=\"{height:.2}\" fill=\"{colour}\"/>"
            );
        }
        if index % label_every == 0 {
            let _ = write!(
                html,
                "<text x=\"{:.2}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\">{}</text>",
                x + width / 2.0,
                base + 15.0,
                date.format("%-d %b")
            );
        }
    }
    html.push('\n');
    // The legend, under the days.
    let mut x = LEFT;
    let y = base + 44.0;
    for (colour, label) in [ON_TIME, LATE, SKIPPED, MISSED, OPEN] {
        let _ = write!(
            html,
            "<rect x=\"{x}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"14\">{label}</text>",
            y - 12.0,
            x + 19.0,
            y
        );
        x += 34.0 + 8.5 * label.len() as f64;
    }
    html.push_str("\n</svg>\n");
}

fn pgx_section(html: &mut String, input: &ReportInput<'_>, names: &BTreeMap<i64, &str>) {
    html.push_str("<section id=\"pgx\">\n<h2>Pharmacogenomic results and warnings</h2>\n");
    if input.pgx.is_empty() {
        html.push_str("<p class=\"none\">No pharmacogenomic results are recorded.</p>\n");
    } else {
        html.push_str(
            "<table>\n<thead><tr><th>Gene</th><th>Result</th><th>Phenotype</th>\
             <th>Tested</th><th>Lab or source</th></tr></thead>\n<tbody>\n",
        );
        for result in input.pgx {
            let gene = result
                .reading
                .gene
                .clone()
                .unwrap_or_else(|| result.result.gene.clone());
            let read = result
                .reading
                .read_as
                .clone()
                .unwrap_or_else(|| result.result.diplotype.clone());
            let phenotype = if result.reading.calls.is_empty() {
                match &result.reading.not_understood {
                    Some(_) => "not understood; not used for warnings".to_owned(),
                    None => "no phenotype rules for this gene".to_owned(),
                }
            } else {
                result
                    .reading
                    .calls
                    .iter()
                    .map(|call| {
                        let mut text = call.phenotype.clone();
                        if let Some(allele) = &call.hla_allele {
                            text = format!("{allele}: {text}");
                        }
                        if let Some(score) = &call.activity_score {
                            let _ = write!(text, " (activity score {score})");
                        }
                        text
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let source = result
                .result
                .lab
                .clone()
                .unwrap_or_else(|| words_of(&result.result.source));
            let _ = writeln!(
                html,
                "<tr><td><strong>{}</strong></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&gene),
                esc(&read),
                esc(&phenotype),
                result
                    .result
                    .test_date
                    .map(|d| esc(&long_date(d.0)))
                    .unwrap_or_else(|| "not given".into()),
                esc(&source),
            );
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str("<h3>Warnings in force</h3>\n");
    if input.warnings.is_empty() {
        html.push_str("<p class=\"none\">No warnings for these medicines and results.</p>\n");
    }
    for warning in input.warnings {
        let (class, word) = match warning.severity {
            Severity::High => ("high", "High"),
            Severity::Moderate => ("moderate", "Moderate"),
            Severity::Low => ("low", "Low"),
        };
        let medicines: Vec<&str> = warning
            .medicine_ids
            .iter()
            .map(|id| name_of(names, *id))
            .collect();
        let _ = write!(
            html,
            "<div class=\"warning {class}\">\n<p><strong>{word}: {}</strong></p>\n<p>{}</p>\n\
             <p><strong>What to do:</strong> {}</p>\n<p>Medicines: {}",
            esc(&warning.title),
            esc(&warning.explanation),
            esc(&warning.what_to_do),
            esc(&medicines.join(", ")),
        );
        if !warning.genes.is_empty() {
            let _ = write!(html, ". Genes: {}", esc(&warning.genes.join(", ")));
        }
        if let Some(phenotype) = &warning.genetic_phenotype {
            let _ = write!(html, ". Phenotype: {}", esc(phenotype));
        }
        if let Some(adjusted) = &warning.adjusted_phenotype {
            let _ = write!(html, ", acted on as {}", esc(adjusted));
        }
        html.push_str(".</p>\n");
        for evidence in &warning.evidence {
            let mut text = format!(
                "Evidence: {}, {}, version {}",
                evidence.source, evidence.guideline, evidence.version
            );
            if let Some(level) = &evidence.level {
                let _ = write!(text, "; recommendation {level}");
            }
            if let Some(population) = &evidence.population {
                let _ = write!(text, "; for {population}");
            }
            let _ = writeln!(html, "<p class=\"evidence\">{}.</p>", esc(&text));
        }
        html.push_str("</div>\n");
    }
    html.push_str("</section>\n");
}

fn diary_section(html: &mut String, input: &ReportInput<'_>, names: &BTreeMap<i64, &str>) {
    html.push_str("<section id=\"diary\">\n<h2>Diary</h2>\n");
    if input.diary.is_empty() {
        html.push_str("<p class=\"none\">No diary entries in the period.</p>\n</section>\n");
        return;
    }
    html.push_str(
        "<table>\n<thead><tr><th>When</th><th class=\"n\">Severity</th><th>Measurements</th>\
         <th>Medicine</th></tr></thead>\n",
    );
    // One body per entry: its facts on one row, the patient's words on the full width below.
    for entry in input.diary {
        let measurements: Vec<String> = entry
            .measurements
            .iter()
            .map(|m| esc(&m.describe()))
            .collect();
        let _ = writeln!(
            html,
            "<tbody class=\"entry\"><tr><td class=\"keep\">{}</td><td class=\"n\">{}</td>\
             <td class=\"keep\">{}</td><td>{}</td></tr>",
            esc(&local_time(input.zones, entry.at)),
            entry
                .severity
                .map(|s| format!("{s} of 5"))
                .unwrap_or_default(),
            measurements.join("<br>"),
            esc(entry.medicine_id.map(|id| name_of(names, id)).unwrap_or("")),
        );
        if let Some(text) = &entry.text {
            let _ = writeln!(
                html,
                "<tr><td colspan=\"4\" class=\"words\">{}</td></tr>",
                esc_lines(text)
            );
        }
        html.push_str("</tbody>\n");
    }
    html.push_str("</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            esc("<script>alert(\"x\") & 'y'</script>"),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(esc_lines("a\nb<"), "a<br>b&lt;");
    }
}
