//! Medicines: what the patient takes. The details (name, strength, form, route, codes,
//! instructions, notes) are sealed as one value per row; ids, revisions and instants are clear.
//! Medicines are archived, never deleted, so the dose log always points at a real row.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::seal::{Sealer, Slot};
use crate::time::Timestamp;
use crate::validate::{optional_text, required_text};

/// Longest medicine name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest strength text ("500 mg", "100 units/mL"), in characters.
pub const MAX_STRENGTH_CHARS: usize = 100;
/// Longest instructions, in characters.
pub const MAX_INSTRUCTIONS_CHARS: usize = 1_000;
/// Longest notes, in characters.
pub const MAX_NOTES_CHARS: usize = 4_000;

/// The physical form of a medicine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum DoseForm {
    /// Tablet, including film-coated and extended-release.
    Tablet,
    /// Capsule.
    Capsule,
    /// Liquid taken by mouth (solution, suspension, syrup).
    OralLiquid,
    /// Injection (pen, syringe, vial).
    Injection,
    /// Inhaler (metered-dose or dry powder).
    Inhaler,
    /// Skin patch.
    Patch,
    /// Cream, ointment or gel.
    Cream,
    /// Drops for the eye, ear or nose.
    Drops,
    /// Nasal or oral spray.
    Spray,
    /// Suppository.
    Suppository,
    /// Powder or granules.
    Powder,
    /// Anything else.
    Other,
}

/// How a medicine enters the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Swallowed.
    Oral,
    /// Under the tongue.
    Sublingual,
    /// Breathed in.
    Inhaled,
    /// Into the nose.
    Nasal,
    /// Into the eye.
    Eye,
    /// Into the ear.
    Ear,
    /// On the skin, acting locally.
    Topical,
    /// Through the skin into the blood (patches).
    Transdermal,
    /// Under the skin.
    Subcutaneous,
    /// Into a muscle.
    Intramuscular,
    /// Into a vein.
    Intravenous,
    /// Rectal.
    Rectal,
    /// Vaginal.
    Vaginal,
    /// Anything else.
    Other,
}

/// What the patient says about a medicine: everything here is sealed at rest.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MedicineInfo {
    /// The name the patient knows it by: brand or generic ("Metformin", "Glucophage").
    pub name: String,
    /// Strength per unit as printed on the pack ("500 mg").
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub strength: Option<String>,
    /// Physical form.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub form: Option<DoseForm>,
    /// Route of administration.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub route: Option<Route>,
    /// RxNorm concept id (RxCUI), digits only ("6809").
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub rxnorm: Option<String>,
    /// WHO ATC code at any level, usually the 7-character substance code ("A10BA02").
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub atc: Option<String>,
    /// How to take it ("with food").
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub instructions: Option<String>,
    /// The patient's own notes.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub notes: Option<String>,
    /// The drug chosen in `search_drugs`, by its id (`in:clopidogrel`, `rx:309362`): what
    /// warnings check it as, before its codes and name.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    #[serde(default)]
    pub drug_id: Option<String>,
}

crate::redact::redacted_display!(MedicineInfo);

impl MedicineInfo {
    /// The info with text trimmed, blank optional fields removed and codes normalised; or the
    /// first rule it breaks.
    pub fn validated(&self) -> Result<MedicineInfo> {
        Ok(MedicineInfo {
            name: required_text("name", &self.name, MAX_NAME_CHARS, false)?,
            strength: optional_text(
                "strength",
                self.strength.as_deref(),
                MAX_STRENGTH_CHARS,
                false,
            )?,
            form: self.form,
            route: self.route,
            rxnorm: self
                .rxnorm
                .as_deref()
                .map(validate_rxnorm)
                .transpose()?
                .flatten(),
            atc: self.atc.as_deref().map(validate_atc).transpose()?.flatten(),
            instructions: optional_text(
                "instructions",
                self.instructions.as_deref(),
                MAX_INSTRUCTIONS_CHARS,
                true,
            )?,
            notes: optional_text("notes", self.notes.as_deref(), MAX_NOTES_CHARS, true)?,
            drug_id: optional_text("drug_id", self.drug_id.as_deref(), 300, false)?,
        })
    }
}

/// An RxCUI is a positive integer of at most 8 digits. Blank is "unknown".
fn validate_rxnorm(code: &str) -> Result<Option<String>> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let digits_only = code.bytes().all(|b| b.is_ascii_digit());
    if !digits_only || code.len() > 8 || code.starts_with('0') {
        return Err(Error::invalid(
            "rxnorm",
            "an RxNorm concept id is 1 to 8 digits, not starting with 0",
        ));
    }
    Ok(Some(code.to_owned()))
}

/// An ATC code at one of its five levels: `A`, `A10`, `A10B`, `A10BA`, `A10BA02`. Blank is
/// "unknown"; letters are upper-cased.
fn validate_atc(code: &str) -> Result<Option<String>> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Ok(None);
    }
    const ANATOMICAL_GROUPS: &str = "ABCDGHJLMNPRSV";
    let bytes = code.as_bytes();
    let shape_ok = matches!(bytes.len(), 1 | 3 | 4 | 5 | 7)
        && bytes.iter().enumerate().all(|(i, b)| match i {
            0 => ANATOMICAL_GROUPS.as_bytes().contains(b),
            1 | 2 | 5 | 6 => b.is_ascii_digit(),
            _ => b.is_ascii_uppercase(),
        });
    if !shape_ok {
        return Err(Error::invalid(
            "atc",
            "an ATC code looks like A10BA02 (or one of its shorter levels: A, A10, A10B, A10BA)",
        ));
    }
    Ok(Some(code))
}

/// A stored medicine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Medicine {
    /// Stable id; never reused.
    pub id: i64,
    /// The patient's description of it.
    pub info: MedicineInfo,
    /// Starts at 1 and grows with every edit; pass it back to detect a concurrent edit.
    pub revision: u32,
    /// When it was added.
    pub created_at: Timestamp,
    /// When it was last changed (edited, archived or restored).
    pub updated_at: Timestamp,
    /// When it was archived; `None` while active.
    pub archived_at: Option<Timestamp>,
}

impl Medicine {
    /// Whether the medicine is active (not archived).
    pub fn is_active(&self) -> bool {
        self.archived_at.is_none()
    }
}

fn details_slot(id: i64) -> Slot {
    Slot {
        table: "medicine",
        column: "details",
        row: id,
    }
}

const SELECT_MEDICINE: &str =
    "SELECT id, details, revision, created_at, updated_at, archived_at FROM medicine";

/// The columns of one row, before the details are opened.
struct SealedRow {
    id: i64,
    details: Vec<u8>,
    revision: u32,
    created_at: i64,
    updated_at: i64,
    archived_at: Option<i64>,
}

impl SealedRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(SealedRow {
            id: row.get(0)?,
            details: row.get(1)?,
            revision: row.get(2)?,
            created_at: row.get(3)?,
            updated_at: row.get(4)?,
            archived_at: row.get(5)?,
        })
    }

    fn open(self, sealer: &Sealer) -> Result<Medicine> {
        Ok(Medicine {
            id: self.id,
            info: sealer.open_json(details_slot(self.id), &self.details)?,
            revision: self.revision,
            created_at: Timestamp::from_millis(self.created_at)?,
            updated_at: Timestamp::from_millis(self.updated_at)?,
            archived_at: self.archived_at.map(Timestamp::from_millis).transpose()?,
        })
    }
}

/// Reads one medicine, or `NotFound`.
pub(crate) fn get(conn: &Connection, sealer: &Sealer, id: i64) -> Result<Medicine> {
    conn.query_row(
        &format!("{SELECT_MEDICINE} WHERE id = ?1"),
        [id],
        SealedRow::from_row,
    )
    .optional()?
    .ok_or(Error::NotFound {
        what: "medicine",
        id,
    })?
    .open(sealer)
}

/// Medicines sorted by name (case-insensitive) then id; archived ones only if asked.
pub(crate) fn list(
    conn: &Connection,
    sealer: &Sealer,
    include_archived: bool,
) -> Result<Vec<Medicine>> {
    let filter = if include_archived {
        ""
    } else {
        " WHERE archived_at IS NULL"
    };
    let mut statement = conn.prepare(&format!("{SELECT_MEDICINE}{filter}"))?;
    let rows = statement.query_map([], SealedRow::from_row)?;
    let mut medicines = rows
        .map(|row| row.map_err(Error::from).and_then(|row| row.open(sealer)))
        .collect::<Result<Vec<_>>>()?;
    crate::order::sort_by_cached_key(&mut medicines, |m| (m.info.name.to_lowercase(), m.id));
    Ok(medicines)
}

/// Inserts validated `info` as a new medicine inside `tx`.
pub(crate) fn insert(
    tx: &Connection,
    sealer: &Sealer,
    info: &MedicineInfo,
    now: Timestamp,
) -> Result<Medicine> {
    let id: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM medicine", [], |r| {
        r.get(0)
    })?;
    tx.execute(
        "INSERT INTO medicine (id, details, revision, created_at, updated_at)
         VALUES (?1, ?2, 1, ?3, ?3)",
        params![
            id,
            sealer.seal_json(details_slot(id), info)?,
            now.as_millis()
        ],
    )?;
    get(tx, sealer, id)
}

/// Inserts `medicine` inside `tx` as another database stored it (its id, revision and
/// instants kept): a Regimen export read into an empty database.
pub(crate) fn insert_as_stored(
    tx: &Connection,
    sealer: &Sealer,
    medicine: &Medicine,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO medicine (id, details, revision, created_at, updated_at, archived_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        medicine.id,
        sealer.seal_json(details_slot(medicine.id), &medicine.info)?,
        medicine.revision,
        medicine.created_at.as_millis(),
        medicine.updated_at.as_millis(),
        medicine.archived_at.map(Timestamp::as_millis),
    ])?;
    Ok(())
}

impl Store {
    /// Adds a medicine and returns it as stored.
    pub fn add_medicine(&self, info: &MedicineInfo, now: Timestamp) -> Result<Medicine> {
        let info = info.validated()?;
        self.write(|tx, sealer| insert(tx, sealer, &info, now))
    }

    /// Replaces a medicine's info. With `expected_revision`, fails with `Conflict` if someone
    /// else edited it since that revision was read.
    pub fn edit_medicine(
        &self,
        id: i64,
        info: &MedicineInfo,
        expected_revision: Option<u32>,
        now: Timestamp,
    ) -> Result<Medicine> {
        let info = info.validated()?;
        self.write(|tx, sealer| {
            let current = get(tx, sealer, id)?;
            if let Some(expected) = expected_revision
                && expected != current.revision
            {
                return Err(Error::Conflict(format!(
                    "the medicine was changed elsewhere (revision {} is stored, {expected} was \
                     expected); read it again",
                    current.revision
                )));
            }
            tx.execute(
                "UPDATE medicine SET details = ?2, revision = revision + 1, updated_at = ?3
                 WHERE id = ?1",
                params![
                    id,
                    sealer.seal_json(details_slot(id), &info)?,
                    now.as_millis()
                ],
            )?;
            get(tx, sealer, id)
        })
    }

    /// Archives a medicine: it leaves the active list, its history stays. Archiving an archived
    /// medicine changes nothing.
    pub fn archive_medicine(&self, id: i64, now: Timestamp) -> Result<Medicine> {
        self.set_archived(id, Some(now), now)
    }

    /// Brings an archived medicine back to the active list. Restoring an active medicine
    /// changes nothing.
    pub fn restore_medicine(&self, id: i64, now: Timestamp) -> Result<Medicine> {
        self.set_archived(id, None, now)
    }

    fn set_archived(
        &self,
        id: i64,
        archived_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<Medicine> {
        self.write(|tx, sealer| {
            let current = get(tx, sealer, id)?;
            if current.archived_at.is_some() == archived_at.is_some() {
                return Ok(current);
            }
            tx.execute(
                "UPDATE medicine SET archived_at = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, archived_at.map(Timestamp::as_millis), now.as_millis()],
            )?;
            get(tx, sealer, id)
        })
    }

    /// One medicine by id.
    pub fn medicine(&self, id: i64) -> Result<Medicine> {
        self.read(|conn, sealer| get(conn, sealer, id))
    }

    /// All medicines, active only unless `include_archived`, sorted by name (case-insensitive)
    /// then id.
    pub fn medicines(&self, include_archived: bool) -> Result<Vec<Medicine>> {
        self.read(|conn, sealer| list(conn, sealer, include_archived))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str) -> MedicineInfo {
        MedicineInfo {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn atc_codes_of_every_level_are_accepted_and_upper_cased() {
        for (input, stored) in [
            ("a", "A"),
            ("A10", "A10"),
            ("a10b", "A10B"),
            ("A10BA", "A10BA"),
            (" a10ba02 ", "A10BA02"),
        ] {
            assert_eq!(validate_atc(input).unwrap().as_deref(), Some(stored));
        }
    }

    #[test]
    fn malformed_atc_codes_are_refused_with_the_field_named() {
        for bad in [
            "A1", "A10B2", "E10BA02", "A10BA0", "A10BA022", "10BA02A", "A1OBA02",
        ] {
            let err = validate_atc(bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { field: "atc", .. }),
                "{bad}"
            );
        }
    }

    #[test]
    fn rxnorm_ids_are_digits_without_a_leading_zero() {
        assert_eq!(validate_rxnorm("6809").unwrap().as_deref(), Some("6809"));
        assert_eq!(validate_rxnorm("  ").unwrap(), None);
        for bad in ["0123", "12a4", "123456789", "-5"] {
            assert!(validate_rxnorm(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn validation_trims_and_drops_blank_optionals() {
        let raw = MedicineInfo {
            name: "  Metformin ".into(),
            strength: Some(" ".into()),
            atc: Some("a10ba02".into()),
            ..Default::default()
        };
        let clean = raw.validated().unwrap();
        assert_eq!(clean.name, "Metformin");
        assert_eq!(clean.strength, None);
        assert_eq!(clean.atc.as_deref(), Some("A10BA02"));
    }

    #[test]
    fn over_long_name_is_refused() {
        let err = info(&"x".repeat(MAX_NAME_CHARS + 1))
            .validated()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "name", .. }));
    }
}
