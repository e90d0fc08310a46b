//! Prescriptions: what a refill needs (repeats allowed and used, validity, the quantity per
//! dispense, the expected supply duration: FHIR `MedicationRequest.dispenseRequest`), and the
//! warning when a medicine will run out after its prescription can no longer be filled.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::medicine;
use crate::schedule::MAX_AMOUNT;
use crate::store::Store;
use crate::store::seal::{Sealer, Slot};
use crate::time::Timestamp;

/// Most repeats a prescription may allow.
pub const MAX_REPEATS: u32 = 100;

/// Where a prescription came from in FHIR, so a refill request can point at it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FhirPrescriptionRef {
    /// The `MedicationRequest`'s logical id at the pharmacy or portal (`rx-123`).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub id: Option<String>,
    /// Its first business identifier, `system|value`.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub identifier: Option<String>,
    /// Its `subject` reference (`Patient/p1`).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub subject: Option<String>,
}

/// A prescription as entered or imported.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewPrescription {
    /// The medicine it is for.
    pub medicine_id: i64,
    /// Refills allowed after the first dispense (`numberOfRepeatsAllowed`); `None` if not said.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub repeats_allowed: Option<u32>,
    /// Refills already used.
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    #[serde(default)]
    pub repeats_used: u32,
    /// Until when it can be filled (`validityPeriod.end`).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub valid_until: Option<Timestamp>,
    /// How much one dispense gives, in the medicine's supply unit.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub quantity_per_dispense: Option<f64>,
    /// How many days one dispense is meant to last.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub expected_supply_days: Option<u32>,
    /// Where it came from in FHIR.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub fhir: Option<FhirPrescriptionRef>,
}

/// A stored prescription.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Prescription {
    /// Its id.
    pub id: i64,
    /// What it says.
    pub details: NewPrescription,
    /// When it was recorded.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

crate::redact::redacted_display!(Prescription, id, created_at);

/// Why a medicine may not be refilled in time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PrescriptionWarning {
    /// Every repeat is used: ask the doctor for a new prescription.
    NoRepeatsLeft,
    /// It can no longer be filled.
    Expired {
        /// Since when.
        at: Timestamp,
    },
    /// It stops being valid before the stock runs out.
    ExpiresBeforeRunOut {
        /// When it stops.
        at: Timestamp,
    },
}

impl NewPrescription {
    pub(crate) fn validated(&self) -> Result<NewPrescription> {
        if let Some(allowed) = self.repeats_allowed
            && allowed > MAX_REPEATS
        {
            return Err(Error::invalid("repeats_allowed", "must be at most 100"));
        }
        if self.repeats_used > MAX_REPEATS {
            return Err(Error::invalid("repeats_used", "must be at most 100"));
        }
        if let Some(quantity) = self.quantity_per_dispense
            && !(quantity.is_finite() && quantity > 0.0 && quantity <= MAX_AMOUNT)
        {
            return Err(Error::invalid(
                "quantity_per_dispense",
                "must be more than zero and at most 1000000",
            ));
        }
        if let Some(days) = self.expected_supply_days
            && !(1..=3660).contains(&days)
        {
            return Err(Error::invalid(
                "expected_supply_days",
                "must be 1 to 3660 days",
            ));
        }
        if let Some(fhir) = &self.fhir {
            for (field, value) in [
                ("fhir.id", &fhir.id),
                ("fhir.identifier", &fhir.identifier),
                ("fhir.subject", &fhir.subject),
            ] {
                if value.as_deref().is_some_and(|v| {
                    v.is_empty() || v.len() > 256 || v.chars().any(char::is_control)
                }) {
                    return Err(Error::invalid(
                        field,
                        "must be 1 to 256 printable characters",
                    ));
                }
            }
        }
        Ok(self.clone())
    }

    /// What stands between this prescription and a refill before `run_out` (the end of what
    /// was looked at when no run-out was found).
    pub fn warning(
        &self,
        now: Timestamp,
        run_out: Option<Timestamp>,
    ) -> Option<PrescriptionWarning> {
        if let Some(until) = self.valid_until {
            if until <= now {
                return Some(PrescriptionWarning::Expired { at: until });
            }
            if run_out.is_some_and(|run_out| until < run_out) {
                return Some(PrescriptionWarning::ExpiresBeforeRunOut { at: until });
            }
        }
        let used_up = self
            .repeats_allowed
            .is_some_and(|allowed| self.repeats_used >= allowed);
        (used_up && run_out.is_some()).then_some(PrescriptionWarning::NoRepeatsLeft)
    }
}

fn slot(id: i64) -> Slot {
    Slot {
        table: "prescription",
        column: "details",
        row: id,
    }
}

/// Every prescription of a medicine, newest first.
pub(crate) fn of_medicine(
    conn: &Connection,
    sealer: &Sealer,
    medicine_id: i64,
) -> Result<Vec<Prescription>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, details, created_at, updated_at FROM prescription
         WHERE medicine_id = ?1 ORDER BY id DESC",
    )?;
    let mut rows = statement.query([medicine_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let sealed: Vec<u8> = row.get(1)?;
        out.push(Prescription {
            id,
            details: sealer.open_json(slot(id), &sealed)?,
            created_at: Timestamp::from_millis(row.get(2)?)?,
            updated_at: Timestamp::from_millis(row.get(3)?)?,
        });
    }
    Ok(out)
}

/// One prescription, or `NotFound`.
pub(crate) fn get(conn: &Connection, sealer: &Sealer, id: i64) -> Result<Prescription> {
    let row: Option<(Vec<u8>, i64, i64)> = conn
        .query_row(
            "SELECT details, created_at, updated_at FROM prescription WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (sealed, created, updated) = row.ok_or(Error::NotFound {
        what: "prescription",
        id,
    })?;
    Ok(Prescription {
        id,
        details: sealer.open_json(slot(id), &sealed)?,
        created_at: Timestamp::from_millis(created)?,
        updated_at: Timestamp::from_millis(updated)?,
    })
}

/// Inserts a checked prescription inside `tx`.
pub(crate) fn insert(
    tx: &Connection,
    sealer: &Sealer,
    prescription: &NewPrescription,
    now: Timestamp,
) -> Result<Prescription> {
    medicine::get(tx, sealer, prescription.medicine_id)?;
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM prescription",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO prescription (id, medicine_id, details, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        params![
            id,
            prescription.medicine_id,
            sealer.seal_json(slot(id), prescription)?,
            now.as_millis()
        ],
    )?;
    get(tx, sealer, id)
}

/// Replaces a prescription's details inside `tx` (its medicine stays).
pub(crate) fn update(
    tx: &Connection,
    sealer: &Sealer,
    id: i64,
    details: &NewPrescription,
    now: Timestamp,
) -> Result<Prescription> {
    tx.execute(
        "UPDATE prescription SET details = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, sealer.seal_json(slot(id), details)?, now.as_millis()],
    )?;
    get(tx, sealer, id)
}

impl Store {
    /// Records a prescription for a medicine.
    pub fn add_prescription(
        &self,
        prescription: &NewPrescription,
        now: Timestamp,
    ) -> Result<Prescription> {
        let prescription = prescription.validated()?;
        self.write(|tx, sealer| insert(tx, sealer, &prescription, now))
    }

    /// A medicine's prescriptions, newest first.
    pub fn prescriptions(&self, medicine_id: i64) -> Result<Vec<Prescription>> {
        self.read(|conn, sealer| {
            medicine::get(conn, sealer, medicine_id)?;
            of_medicine(conn, sealer, medicine_id)
        })
    }
}
