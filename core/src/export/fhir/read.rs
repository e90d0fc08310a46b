//! A Regimen export read back: the Bundle is parsed as it streams, one entry at a time, each
//! entry read into records at once (so a ten-year log never sits in memory as one JSON tree),
//! then the references between resources are resolved. Every refusal names the FHIR element
//! (`MedicationAdministration.status`) and says which entry (`entry[1234]`) or record it was.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::de::{
    DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;

use super::medicines::{RequestIn, StatementIn, read_medication, read_request, read_statement};
use super::{EXPORT_SYSTEM, Portable, PortablePgx, diary, genomics, log, patient, supply};
use crate::diary::{DiaryEntry, NewDiaryEntry};
use crate::dose::{DoseEvent, NewDoseEvent};
use crate::error::{Error, Result};
use crate::interop::fhir::json::{no_modifiers, object, string};
use crate::medicine::MedicineInfo;
use crate::schedule::{ScheduleVersion, SpacingRule};
use crate::supply::{NewSupplyEvent, SupplyEvent};
use crate::time::Timestamp;

/// Largest export read: ten years of 20 medicines twice a day (137,500 dose events) is about
/// 92 MiB.
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024 * 1024;
/// Most entries one export may hold.
pub const MAX_ENTRIES: usize = 1_000_000;

/// Whether `text` is a Regimen export: a JSON Bundle with Regimen's identifier, for telling
/// formats apart (reading it is what checks the rest). The export writes the identifier first,
/// so that is quick; a file whose members were reordered (pretty-printed by another tool) is
/// parsed through, its entries skipped unread.
pub fn looks_like_export(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if !text.starts_with('{') || text.len() > MAX_BUNDLE_BYTES {
        return false;
    }
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    if head.contains("\"Bundle\"") && head.contains(EXPORT_SYSTEM) {
        return true;
    }
    let mut reader = Reader {
        header_only: true,
        ..Reader::default()
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = BundleSeed {
        reader: &mut reader,
    }
    .deserialize(&mut deserializer);
    parsed.is_ok()
        && reader.resource_type.as_deref() == Some("Bundle")
        && reader.namespace.is_some()
}

/// Reads a Regimen export (see the module docs of `export::fhir`), checking each record as
/// the store would (`now` bounds how far ahead a dose may be dated). Nothing is stored here.
pub fn read_bundle(text: &str, now: Timestamp) -> Result<Portable> {
    if text.len() > MAX_BUNDLE_BYTES {
        return Err(Error::invalid("bundle", "larger than 256 MiB"));
    }
    let mut reader = Reader::default();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = BundleSeed {
        reader: &mut reader,
    }
    .deserialize(&mut deserializer)
    .and_then(|()| deserializer.end());
    if let Some(refusal) = reader.refusal.take() {
        return Err(refusal);
    }
    parsed.map_err(|_| Error::invalid("json", "not valid JSON"))?;
    reader.finish(now)
}

/// What the entries said so far.
#[derive(Default)]
struct Reader {
    /// Why reading stopped, when an entry was refused.
    refusal: Option<Error>,
    /// Only the Bundle's own members are read; the entries are skipped.
    header_only: bool,
    resource_type: Option<String>,
    bundle_type: Option<String>,
    namespace: Option<String>,
    patient: Option<patient::PatientIn>,
    full_urls: HashSet<String>,
    /// Each `Medication`'s fullUrl, by the index its references are kept as.
    medication_index: HashMap<String, usize>,
    medications: Vec<Option<MedicineInfo>>,
    statements: Vec<(String, StatementIn)>,
    requests: Vec<RequestIn>,
    /// Administrations: fullUrl, `Medication`, the event corrected, the event.
    doses: Vec<(String, usize, Option<String>, DoseEvent)>,
    dispenses: Vec<(usize, SupplyEvent)>,
    pgx: Vec<PortablePgx>,
    /// Diary entries with the `focus` of the medicine each names.
    diary: Vec<(DiaryEntry, Option<String>)>,
}

/// Says which entry an error came from.
fn at_entry(error: Error, index: usize) -> Error {
    match error {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field,
            reason: format!("entry[{index}]: {reason}"),
        },
        other => other,
    }
}

/// Says which record an error came from (by kind and row id: no health data).
fn at_record(error: Error, kind: &str, id: i64) -> Error {
    match error {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field,
            reason: format!("{kind} {id}: {reason}"),
        },
        other => other,
    }
}

impl Reader {
    /// Interns a `Medication` reference.
    fn medication(&mut self, urn: &str) -> usize {
        if let Some(&index) = self.medication_index.get(urn) {
            return index;
        }
        self.medications.push(None);
        self.medication_index
            .insert(urn.to_owned(), self.medications.len() - 1);
        self.medications.len() - 1
    }

    fn entry(&mut self, index: usize, entry: &Value) -> Result<()> {
        if index >= MAX_ENTRIES {
            return Err(Error::invalid(
                "Bundle.entry",
                "an export holds at most 1000000 entries",
            ));
        }
        self.read_entry(entry).map_err(|e| at_entry(e, index))
    }

    fn read_entry(&mut self, entry: &Value) -> Result<()> {
        let entry = object(entry, "Bundle.entry")?;
        let full_url = entry
            .get("fullUrl")
            .ok_or_else(|| Error::invalid("Bundle.entry.fullUrl", "is required"))
            .and_then(|v| string(v, "Bundle.entry.fullUrl"))?;
        if !full_url.starts_with("urn:uuid:") {
            return Err(Error::invalid(
                "Bundle.entry.fullUrl",
                "a Regimen export names entries by urn:uuid:",
            ));
        }
        if !self.full_urls.insert(full_url.to_owned()) {
            return Err(Error::invalid(
                "Bundle.entry.fullUrl",
                "two entries have the same fullUrl",
            ));
        }
        let resource = entry
            .get("resource")
            .ok_or_else(|| Error::invalid("Bundle.entry.resource", "is required"))
            .and_then(|v| object(v, "Bundle.entry.resource"))?;
        no_modifiers(resource, "Bundle.entry.resource.modifierExtension")?;
        let kind = resource
            .get("resourceType")
            .ok_or_else(|| Error::invalid("Bundle.entry.resource.resourceType", "is required"))
            .and_then(|v| string(v, "Bundle.entry.resource.resourceType"))?;
        match kind {
            "Patient" => {
                if self.patient.is_some() {
                    return Err(Error::invalid("Patient", "an export is about one Patient"));
                }
                self.patient = Some(patient::read_patient(resource)?);
            }
            "Medication" => {
                let medication = read_medication(resource)?;
                let index = self.medication(full_url);
                self.medications[index] = Some(medication);
            }
            "MedicationStatement" => {
                let statement = read_statement(resource)?;
                self.statements.push((full_url.to_owned(), statement));
            }
            "MedicationRequest" => self.requests.push(read_request(resource)?),
            "MedicationAdministration" => {
                let (medication, corrects, event) = log::read_administration(resource)?;
                let medication = self.medication(&medication);
                self.doses
                    .push((full_url.to_owned(), medication, corrects, event));
            }
            "MedicationDispense" => {
                let (medication, event) = supply::read_dispense(resource)?;
                let medication = self.medication(&medication);
                self.dispenses.push((medication, event));
            }
            "Observation" if genomics::is_genotype(resource) => {
                self.pgx.push(genomics::read_observation(resource)?);
            }
            // A report only groups results, which are read from their Observations.
            "DiagnosticReport" => {}
            "Observation" if diary::is_diary_entry(resource) => {
                self.diary.push(diary::read_observation(resource)?);
            }
            "Observation" => {
                return Err(Error::invalid(
                    "Observation.code",
                    "not an Observation a Regimen export holds (a genotype, LOINC 84413-4, \
                     or a diary entry, LOINC 75325-1)",
                ));
            }
            _ => {
                return Err(Error::invalid(
                    "Bundle.entry.resource.resourceType",
                    "not a resource a Regimen export holds",
                ));
            }
        }
        Ok(())
    }

    /// Resolves the references and checks each record as the store would.
    fn finish(self, now: Timestamp) -> Result<Portable> {
        if self.resource_type.as_deref() != Some("Bundle") {
            return Err(Error::invalid("resourceType", "expected a Bundle"));
        }
        let namespace = self.namespace.ok_or_else(|| {
            Error::invalid(
                "Bundle.identifier",
                format!("not a Regimen export (no identifier in {EXPORT_SYSTEM})"),
            )
        })?;
        if self.bundle_type.as_deref() != Some("collection") {
            return Err(Error::invalid(
                "Bundle.type",
                "a Regimen export is a collection",
            ));
        }
        let patient::PatientIn {
            settings,
            mut zones,
        } = self
            .patient
            .ok_or_else(|| Error::invalid("Patient", "an export holds its Patient"))?;

        // Medicines: each statement with the Medication it names.
        let mut medicine_of_medication: HashMap<usize, i64> = HashMap::new();
        let mut medicine_of_statement: HashMap<String, i64> = HashMap::new();
        let mut medicines = Vec::new();
        let mut spacing = Vec::new();
        let mut supply_settings = BTreeMap::new();
        let mut supply_events = Vec::new();
        let mut medications = self.medications;
        for (full_url, statement) in self.statements {
            let StatementIn {
                medication,
                mut medicine,
                spacing: rules,
                supply,
                stock,
            } = statement;
            let id = medicine.id;
            let read = (|| {
                let index = self
                    .medication_index
                    .get(&medication)
                    .copied()
                    .filter(|i| medications[*i].is_some())
                    .ok_or_else(|| {
                        Error::invalid(
                            "MedicationStatement.medicationReference",
                            "names no Medication of the Bundle",
                        )
                    })?;
                if medicine_of_medication.insert(index, id).is_some() {
                    return Err(Error::invalid(
                        "MedicationStatement.medicationReference",
                        "two statements name the same Medication",
                    ));
                }
                let facts = medications[index].take().unwrap_or_default();
                medicine.info = MedicineInfo {
                    instructions: medicine.info.instructions.take(),
                    notes: medicine.info.notes.take(),
                    ..facts
                }
                .validated()?;
                Ok::<_, Error>(())
            })();
            read.map_err(|e| at_record(e, "medicine", id))?;
            if medicine_of_statement.insert(full_url, id).is_some() {
                return Err(at_record(
                    Error::invalid("Bundle.entry.fullUrl", "two entries have the same fullUrl"),
                    "medicine",
                    id,
                ));
            }
            spacing.extend(rules.into_iter().map(|rule| (id, rule)));
            if let Some(settings) = supply {
                supply_settings.insert(
                    id,
                    settings
                        .validated()
                        .map_err(|e| at_record(e, "medicine", id))?,
                );
            }
            supply_events.extend(stock.into_iter().map(|event| SupplyEvent {
                medicine_id: id,
                ..event
            }));
            medicines.push(medicine);
        }
        crate::order::sort_by_key(&mut medicines, |m| m.id);
        unique(
            medicines.iter().map(|m| m.id),
            "MedicationStatement.identifier",
            "medicine",
        )?;
        if medications.iter().any(Option::is_some) {
            return Err(Error::invalid(
                "Medication",
                "a Medication no MedicationStatement is about",
            ));
        }
        let medicine_of = |index: usize, field: &'static str, kind: &str, id: i64| {
            medicine_of_medication.get(&index).copied().ok_or_else(|| {
                at_record(
                    Error::invalid(field, "names no medicine of the Bundle"),
                    kind,
                    id,
                )
            })
        };
        let medication_index = &self.medication_index;
        let by_urn = |urn: &str| medication_index.get(urn).copied();

        // Schedule versions.
        let mut versions: Vec<ScheduleVersion> = Vec::with_capacity(self.requests.len());
        for RequestIn {
            medication,
            version,
        } in self.requests
        {
            let field = "MedicationRequest.medicationReference";
            let index = by_urn(&medication).ok_or_else(|| {
                at_record(
                    Error::invalid(field, "names no Medication of the Bundle"),
                    "schedule version",
                    version.id,
                )
            })?;
            let medicine_id = medicine_of(index, field, "schedule version", version.id)?;
            versions.push(ScheduleVersion {
                medicine_id,
                ..version
            });
        }
        crate::order::sort_by_key(&mut versions, |v| v.id);
        unique(
            versions.iter().map(|v| v.id),
            "MedicationRequest.identifier",
            "schedule version",
        )?;
        unique_by(
            versions
                .iter()
                .map(|v| (v.medicine_id, v.valid_from.as_millis())),
            "MedicationRequest.extension.schedule",
            "two versions of one medicine apply from the same instant",
        )?;

        // Spacing rules.
        let mut rules = Vec::with_capacity(spacing.len());
        for (second, (id, apart_from, minutes, added)) in spacing {
            let first = medicine_of_statement
                .get(&apart_from)
                .copied()
                .ok_or_else(|| {
                    at_record(
                        Error::invalid(
                            "MedicationStatement.extension.spacing",
                            "names no medicine of the Bundle",
                        ),
                        "spacing rule",
                        id,
                    )
                })?;
            rules.push(SpacingRule {
                id,
                first_medicine_id: first,
                second_medicine_id: second,
                min_gap_minutes: minutes,
                created_at: added,
            });
        }
        crate::order::sort_by_key(&mut rules, |r| r.id);
        unique(
            rules.iter().map(|r| r.id),
            "MedicationStatement.extension.spacing",
            "spacing rule",
        )?;

        // The dose log.
        let event_of_urn: HashMap<&str, i64> = self
            .doses
            .iter()
            .map(|(full_url, _, _, event)| (full_url.as_str(), event.id))
            .collect();
        let mut doses = Vec::with_capacity(self.doses.len());
        for (_, medication, corrects, event) in &self.doses {
            let id = event.id;
            let medicine_id = medicine_of(
                *medication,
                "MedicationAdministration.medicationReference",
                "dose event",
                id,
            )?;
            let corrects = corrects
                .as_deref()
                .map(|urn| {
                    event_of_urn.get(urn).copied().ok_or_else(|| {
                        at_record(
                            Error::invalid(
                                "MedicationAdministration.extension.corrects",
                                "names no dose event of the Bundle",
                            ),
                            "dose event",
                            id,
                        )
                    })
                })
                .transpose()?;
            let event = DoseEvent {
                medicine_id,
                corrects,
                ..event.clone()
            };
            checked_dose(&event, now).map_err(|e| at_record(e, "dose event", id))?;
            doses.push(event);
        }
        drop(event_of_urn);
        crate::order::sort_by_key(&mut doses, |e| e.id);
        unique(
            doses.iter().map(|e| e.id),
            "MedicationAdministration.identifier",
            "dose event",
        )?;
        let medicine_by_event: HashMap<i64, i64> =
            doses.iter().map(|e| (e.id, e.medicine_id)).collect();
        for event in &doses {
            if let Some(corrected) = event.corrects
                && (corrected >= event.id
                    || medicine_by_event.get(&corrected) != Some(&event.medicine_id))
            {
                return Err(at_record(
                    Error::invalid(
                        "MedicationAdministration.extension.corrects",
                        "a correction follows the event it corrects, of the same medicine",
                    ),
                    "dose event",
                    event.id,
                ));
            }
        }

        // Supply.
        for (medication, event) in self.dispenses {
            let medicine_id = medicine_of(
                medication,
                "MedicationDispense.medicationReference",
                "supply event",
                event.id,
            )?;
            supply_events.push(SupplyEvent {
                medicine_id,
                ..event
            });
        }
        crate::order::sort_by_key(&mut supply_events, |e| e.id);
        unique(
            supply_events.iter().map(|e| e.id),
            "MedicationDispense.identifier",
            "supply event",
        )?;
        for event in &supply_events {
            if !supply_settings.contains_key(&event.medicine_id) {
                return Err(at_record(
                    Error::invalid(
                        "MedicationStatement.extension.supply",
                        "a medicine with a supply log needs its supply unit",
                    ),
                    "supply event",
                    event.id,
                ));
            }
            checked_supply(event, now).map_err(|e| at_record(e, "supply event", event.id))?;
        }
        unique_by(
            supply_events
                .iter()
                .filter_map(|e| e.dispense.as_deref().map(|d| (0, d))),
            "MedicationDispense.extension",
            "two supply events come from the same pharmacy dispense",
        )?;

        // PGx results.
        let mut pgx = self.pgx;
        for result in &mut pgx {
            result.result = result
                .result
                .validated()
                .map_err(|e| at_record(e, "PGx result", result.id))?;
        }
        crate::order::sort_by_key(&mut pgx, |r| r.id);
        unique(
            pgx.iter().map(|r| r.id),
            "Observation.identifier",
            "PGx result",
        )?;

        // The diary.
        let mut diary = Vec::with_capacity(self.diary.len());
        for (entry, focus) in self.diary {
            let id = entry.id;
            let medicine_id = focus
                .map(|urn| {
                    medicine_of_statement.get(&urn).copied().ok_or_else(|| {
                        at_record(
                            Error::invalid("Observation.focus", "names no medicine of the Bundle"),
                            "diary entry",
                            id,
                        )
                    })
                })
                .transpose()?;
            let entry = DiaryEntry {
                medicine_id,
                ..entry
            };
            checked_diary(&entry, now).map_err(|e| at_record(e, "diary entry", id))?;
            diary.push(entry);
        }
        crate::order::sort_by_key(&mut diary, |e| e.id);
        unique(
            diary.iter().map(|e| e.id),
            "Observation.identifier",
            "diary entry",
        )?;

        crate::order::sort(&mut zones);
        unique_by(
            zones.iter().map(|(since, _)| (0, since.as_millis())),
            "Patient.extension.device-zone",
            "two zones from the same instant",
        )?;

        Ok(Portable {
            namespace,
            medicines,
            versions,
            spacing: rules,
            zones,
            settings,
            doses,
            supply_settings,
            supply_events,
            pgx,
            diary,
        })
    }
}

/// A diary entry checked as the diary checks one to add.
fn checked_diary(entry: &DiaryEntry, now: Timestamp) -> Result<()> {
    NewDiaryEntry {
        at: entry.at,
        text: entry.text.clone(),
        medicine_id: entry.medicine_id,
        severity: entry.severity,
        measurements: entry.measurements.clone(),
    }
    .validated(now)
    .map(|_| ())
}

/// A dose event checked as the log checks one to append.
fn checked_dose(event: &DoseEvent, now: Timestamp) -> Result<()> {
    NewDoseEvent {
        medicine_id: event.medicine_id,
        action: event.action,
        actual_at: event.actual_at,
        scheduled_at: event.scheduled_at,
        snooze_until: event.snooze_until,
        note: event.note.clone(),
        amount: event.amount.clone(),
        corrects: event.corrects,
    }
    .validated(now)
    .map(|_| ())
}

/// A supply event checked as the supply log checks one to append.
fn checked_supply(event: &SupplyEvent, now: Timestamp) -> Result<()> {
    NewSupplyEvent {
        medicine_id: event.medicine_id,
        kind: event.kind,
        amount: event.amount,
        at: event.at,
        source: event.source,
        note: event.note.clone(),
    }
    .validated(now)
    .map(|_| ())
}

/// Refuses a row id that appears twice among the records of `kind`.
fn unique(ids: impl Iterator<Item = i64>, field: &'static str, kind: &str) -> Result<()> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(at_record(
                Error::invalid(field, "two records have the same id"),
                kind,
                id,
            ));
        }
    }
    Ok(())
}

/// Refuses a key that appears twice, saying `why`.
fn unique_by<K: std::hash::Hash + Eq>(
    keys: impl Iterator<Item = K>,
    field: &'static str,
    why: &str,
) -> Result<()> {
    let mut seen = HashSet::new();
    for key in keys {
        if !seen.insert(key) {
            return Err(Error::invalid(field, why));
        }
    }
    Ok(())
}

/// The Bundle, read as it streams.
struct BundleSeed<'a> {
    reader: &'a mut Reader,
}

impl<'de> DeserializeSeed<'de> for BundleSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for BundleSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a FHIR Bundle")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut entries_seen = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "resourceType" => self.reader.resource_type = Some(map.next_value()?),
                "type" => self.reader.bundle_type = Some(map.next_value()?),
                "identifier" => {
                    let identifier: Value = map.next_value()?;
                    if identifier.get("system").and_then(Value::as_str) == Some(EXPORT_SYSTEM) {
                        self.reader.namespace = identifier
                            .get("value")
                            .and_then(Value::as_str)
                            .filter(|v| !v.is_empty() && v.len() <= 64)
                            .map(str::to_owned);
                    }
                }
                "entry" if self.reader.header_only => {
                    map.next_value::<IgnoredAny>()?;
                }
                "entry" if !entries_seen => {
                    entries_seen = true;
                    map.next_value_seed(EntriesSeed {
                        reader: &mut *self.reader,
                    })?;
                }
                "entry" => {
                    self.reader.refusal = Some(Error::invalid("Bundle.entry", "appears twice"));
                    return Err(A::Error::custom("refused"));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The entries, each read as soon as it is parsed.
struct EntriesSeed<'a> {
    reader: &'a mut Reader,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the Bundle's entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(entry) = seq.next_element::<Value>()? {
            if let Err(refusal) = self.reader.entry(index, &entry) {
                self.reader.refusal = Some(refusal);
                return Err(A::Error::custom("refused"));
            }
            index += 1;
        }
        Ok(())
    }
}
