//! The Bundle written: the Patient, each medicine's resources, stock received, the dose log,
//! then the PGx reports and results, then the diary. Entries are serialised one at a time into the output, so
//! ten years of doses never sit in memory as one JSON tree.

use std::collections::BTreeMap;

use serde_json::Value;

use super::ext::instant_json;
use super::ids::{Kind, Names};
use super::medicines::{MedicineOut, medication, request, statement};
use super::{EXPORT_SYSTEM, Portable, diary, genomics, log, patient, supply};
use crate::schedule::{ScheduleVersion, SpacingRule};
use crate::supply::{SupplyEvent, SupplyKind};
use crate::time::Timestamp;

/// The output, one entry after another.
struct Entries {
    out: Vec<u8>,
    first: bool,
}

impl Entries {
    fn push(&mut self, full_url: &str, resource: &Value) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.extend_from_slice(b"{\"fullUrl\":\"");
        self.out.extend_from_slice(full_url.as_bytes());
        self.out.extend_from_slice(b"\",\"resource\":");
        // Writing a `Value` into a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut self.out, resource);
        self.out.push(b'}');
    }
}

/// A JSON string literal.
fn quoted(text: &str) -> String {
    Value::from(text).to_string()
}

/// Writes `records` as a FHIR R4 Bundle of type `collection`, stamped `timestamp`.
pub fn write_bundle(records: &Portable, timestamp: Timestamp) -> String {
    let names = Names::new(&records.namespace);
    let mut entries = Entries {
        out: Vec::with_capacity(4096 + records.doses.len() * 640),
        first: true,
    };
    entries.out.extend_from_slice(
        format!(
            "{{\"resourceType\":\"Bundle\",\"identifier\":{{\"system\":{},\"value\":{}}},\
             \"type\":\"collection\",\"timestamp\":{},\"entry\":[",
            quoted(EXPORT_SYSTEM),
            quoted(&records.namespace),
            instant_json(timestamp)
        )
        .as_bytes(),
    );

    entries.push(
        &names.urn(Kind::Patient, 0),
        &patient::patient(&names, records.settings.as_ref(), &records.zones),
    );

    let mut versions: BTreeMap<i64, Vec<&ScheduleVersion>> = BTreeMap::new();
    for version in &records.versions {
        versions
            .entry(version.medicine_id)
            .or_default()
            .push(version);
    }
    let mut spacing: BTreeMap<i64, Vec<&SpacingRule>> = BTreeMap::new();
    for rule in &records.spacing {
        spacing
            .entry(rule.second_medicine_id)
            .or_default()
            .push(rule);
    }
    let mut stock: BTreeMap<i64, Vec<&SupplyEvent>> = BTreeMap::new();
    for event in records
        .supply_events
        .iter()
        .filter(|e| e.kind != SupplyKind::Received)
    {
        stock.entry(event.medicine_id).or_default().push(event);
    }
    for medicine in &records.medicines {
        let own = versions.get(&medicine.id).map(Vec::as_slice).unwrap_or(&[]);
        entries.push(
            &names.urn(Kind::Medication, medicine.id),
            &medication(&names, medicine),
        );
        let out = MedicineOut {
            medicine,
            versions: own,
            spacing: spacing.get(&medicine.id).map(Vec::as_slice).unwrap_or(&[]),
            supply: records.supply_settings.get(&medicine.id),
            stock: stock.get(&medicine.id).map(Vec::as_slice).unwrap_or(&[]),
        };
        entries.push(
            &names.urn(Kind::Medicine, medicine.id),
            &statement(&names, &out),
        );
        for (index, version) in own.iter().enumerate() {
            let prior = index.checked_sub(1).map(|i| own[i]);
            let latest = index + 1 == own.len();
            entries.push(
                &names.urn(Kind::ScheduleVersion, version.id),
                &request(&names, medicine, version, prior, latest),
            );
        }
    }

    for event in records
        .supply_events
        .iter()
        .filter(|e| e.kind == SupplyKind::Received)
    {
        let unit = records
            .supply_settings
            .get(&event.medicine_id)
            .map(|s| s.unit.as_str());
        entries.push(
            &names.urn(Kind::SupplyEvent, event.id),
            &supply::dispense(&names, event, unit),
        );
    }

    for event in &records.doses {
        let corrects = event
            .corrects
            .is_some_and(|id| records.doses.binary_search_by_key(&id, |e| e.id).is_ok());
        entries.push(
            &names.urn(Kind::DoseEvent, event.id),
            &log::administration(&names, event, corrects),
        );
    }

    for group in genomics::reports(&records.pgx) {
        entries.push(
            &names.urn(Kind::PgxReport, group[0].id),
            &genomics::report(&names, &group),
        );
        for pgx in group {
            entries.push(
                &names.urn(Kind::PgxResult, pgx.id),
                &genomics::observation(&names, pgx),
            );
        }
    }

    for entry in &records.diary {
        entries.push(
            &names.urn(Kind::DiaryEntry, entry.id),
            &diary::observation(&names, entry),
        );
    }

    entries.out.extend_from_slice(b"]}");
    // Every piece written is UTF-8 (JSON from serde, ASCII literals).
    String::from_utf8(entries.out).unwrap_or_default()
}
