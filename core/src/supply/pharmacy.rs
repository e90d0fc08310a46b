//! The e-pharmacy, over FHIR R4 and only when the patient asks: the pharmacy's base URL, refill
//! requests sent as `Task`s through an outbox, and their status followed until the dispense
//! adds the stock.
//!
//! Nothing here does I/O. [`Store::prepare_pharmacy_requests`] says which HTTP requests are
//! due; the app (or the FFI crate's `send_refills`) makes them and hands each answer to
//! [`crate::Records::record_pharmacy_response`]. A request is created with a client
//! identifier and sent as a conditional create (`If-None-Exist`), so a retry after a lost
//! answer never makes a second order. A failure to reach the pharmacy is retried with backoff;
//! a refusal (4xx) keeps the request as failed with the pharmacy's reason.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::interop::fhir::{RefillTask, TaskStatus, URN_SYSTEM, refill_task};
use crate::medicine;
use crate::retry::backoff;
use crate::schedule::Quantity;
use crate::store::Store;
use crate::store::seal::{Sealer, Slot};
use crate::time::Timestamp;
use crate::validate::optional_text;

/// Longest pharmacy name, in characters.
const MAX_PHARMACY_NAME: usize = 200;
/// Longest base URL, in bytes.
const MAX_URL: usize = 500;
/// Most requests one call prepares.
pub const MAX_PHARMACY_BATCH: usize = 100;

/// How the patient gets a refill.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    /// Picked up at the pharmacy.
    #[default]
    Pickup,
    /// Delivered.
    Delivery,
}

impl Fulfilment {
    fn code(self) -> &'static str {
        match self {
            Fulfilment::Pickup => "pickup",
            Fulfilment::Delivery => "delivery",
        }
    }
}

/// The patient's pharmacy.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Pharmacy {
    /// Its FHIR R4 base URL (`https://pharmacy.example/fhir`; `http` only on loopback).
    pub base_url: String,
    /// Its name, for the patient.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub name: Option<String>,
    /// The patient at the pharmacy (`Patient/123`), if it has told one.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub patient: Option<String>,
    /// Days a delivery takes (added to the refill reminder's lead time).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub delivery_days: Option<u32>,
    /// Pickup or delivery, unless a request says otherwise.
    #[serde(default)]
    pub fulfilment: Fulfilment,
}

crate::redact::redacted_display!(Pharmacy, fulfilment);

impl Pharmacy {
    fn validated(&self) -> Result<Pharmacy> {
        let url = self.base_url.trim().trim_end_matches('/');
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|host| {
                url.strip_prefix(host)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
            });
        if !(url.starts_with("https://") || loopback)
            || url.len() > MAX_URL
            || url.contains(['?', '#', ' '])
            || url.chars().any(char::is_control)
        {
            return Err(Error::invalid(
                "base_url",
                "must be an https URL (http only on this device's loopback), without a query",
            ));
        }
        if let Some(patient) = &self.patient
            && (patient.len() > 200
                || !patient.contains('/')
                || patient.chars().any(char::is_control))
        {
            return Err(Error::invalid(
                "patient",
                "must be a reference like Patient/123",
            ));
        }
        if self.delivery_days.is_some_and(|days| days > 30) {
            return Err(Error::invalid("delivery_days", "must be at most 30"));
        }
        Ok(Pharmacy {
            base_url: url.to_owned(),
            name: optional_text("name", self.name.as_deref(), MAX_PHARMACY_NAME, false)?,
            ..self.clone()
        })
    }
}

/// Where a refill request stands in Regimen's outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum RefillState {
    /// Waiting to reach the pharmacy.
    Queued,
    /// The pharmacy has it; its status is followed.
    Sent,
    /// The pharmacy refused it, or it could not be filled (see `reason`).
    Failed,
    /// Filled (the dispense added the stock) or finished.
    Done,
}

impl RefillState {
    fn as_sql(self) -> &'static str {
        match self {
            RefillState::Queued => "queued",
            RefillState::Sent => "sent",
            RefillState::Failed => "failed",
            RefillState::Done => "done",
        }
    }

    fn from_sql(text: &str) -> Result<Self> {
        Ok(match text {
            "queued" => RefillState::Queued,
            "sent" => RefillState::Sent,
            "failed" => RefillState::Failed,
            "done" => RefillState::Done,
            _ => return Err(Error::Damaged("a refill order has an unknown state".into())),
        })
    }
}

/// A refill request.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RefillOrder {
    /// Its id.
    pub id: i64,
    /// The medicine.
    pub medicine_id: i64,
    /// The prescription refilled.
    pub prescription_id: i64,
    /// Where it stands here.
    pub state: RefillState,
    /// Where it stands at the pharmacy, once the pharmacy has it.
    pub status: Option<TaskStatus>,
    /// The pharmacy's words ("ready for pickup", "out for delivery").
    pub business_status: Option<String>,
    /// Why it failed or was refused, in the pharmacy's words when it gave some.
    pub reason: Option<String>,
    /// How much was asked for.
    pub quantity: Option<Quantity>,
    /// Pickup or delivery.
    pub fulfilment: Fulfilment,
    /// Tries to reach the pharmacy so far.
    pub attempts: u32,
    /// When the next try is due (queued only).
    pub next_attempt_at: Option<Timestamp>,
    /// When it was asked for.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

crate::redact::redacted_display!(RefillOrder, id, medicine_id, state, status, attempts);

/// What a prepared pharmacy request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum PharmacyRequestKind {
    /// Sends the refill request (a conditional create of its Task).
    CreateTask,
    /// Reads where the Task stands.
    ReadTask,
    /// Reads the dispense that filled it.
    ReadDispense,
}

/// One HTTP header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HttpHeader {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// An HTTP request to make to the pharmacy; hand its answer to `record_pharmacy_response`.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PharmacyRequest {
    /// The refill order it is for.
    pub order_id: i64,
    /// What it is for.
    pub kind: PharmacyRequestKind,
    /// `POST` or `GET`.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// Its headers.
    pub headers: Vec<HttpHeader>,
    /// Its body (FHIR JSON), for a `POST`.
    pub body: Option<String>,
}

crate::redact::redacted_display!(PharmacyRequest, order_id, kind, method);

/// The sealed part of a refill order.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct OrderDetails {
    pub quantity: Option<Quantity>,
    pub fulfilment: Fulfilment,
    /// The Task as sent (JSON), so every retry sends the same.
    pub task: String,
    /// The pharmacy's base URL when it was asked for.
    pub base_url: String,
    pub task_id: Option<String>,
    pub status: Option<TaskStatus>,
    pub business_status: Option<String>,
    pub reason: Option<String>,
    pub dispense: Option<String>,
}

fn pharmacy_slot() -> Slot {
    Slot {
        table: "pharmacy",
        column: "details",
        row: 1,
    }
}

fn order_slot(id: i64) -> Slot {
    Slot {
        table: "refill_order",
        column: "details",
        row: id,
    }
}

/// The pharmacy, if the patient chose one.
pub(crate) fn pharmacy(conn: &Connection, sealer: &Sealer) -> Result<Option<Pharmacy>> {
    let sealed: Option<Vec<u8>> = conn
        .query_row("SELECT details FROM pharmacy WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    sealed
        .map(|sealed| sealer.open_json(pharmacy_slot(), &sealed))
        .transpose()
}

/// A stored order row.
pub(crate) struct OrderRow {
    pub order: RefillOrder,
    pub details: OrderDetails,
    pub client_id: String,
}

const SELECT_ORDER: &str = "SELECT id, medicine_id, prescription_id, client_id, state, attempts, \
                            next_attempt_at, details, created_at, updated_at FROM refill_order";

fn order_from_row(row: &rusqlite::Row<'_>, sealer: &Sealer) -> Result<OrderRow> {
    let id: i64 = row.get(0)?;
    let state: String = row.get(4)?;
    let sealed: Vec<u8> = row.get(7)?;
    let details: OrderDetails = sealer.open_json(order_slot(id), &sealed)?;
    let state = RefillState::from_sql(&state)?;
    Ok(OrderRow {
        order: RefillOrder {
            id,
            medicine_id: row.get(1)?,
            prescription_id: row.get(2)?,
            state,
            status: details.status,
            business_status: details.business_status.clone(),
            reason: details.reason.clone(),
            quantity: details.quantity.clone(),
            fulfilment: details.fulfilment,
            attempts: row.get(5)?,
            next_attempt_at: (state == RefillState::Queued)
                .then(|| Timestamp::from_millis(row.get(6)?))
                .transpose()?,
            created_at: Timestamp::from_millis(row.get(8)?)?,
            updated_at: Timestamp::from_millis(row.get(9)?)?,
        },
        details,
        client_id: row.get(3)?,
    })
}

/// Every refill order (of one medicine, if given), newest first.
pub(crate) fn orders(
    conn: &Connection,
    sealer: &Sealer,
    medicine_id: Option<i64>,
) -> Result<Vec<OrderRow>> {
    let mut statement = conn.prepare_cached(&format!(
        "{SELECT_ORDER} WHERE ?1 IS NULL OR medicine_id = ?1 ORDER BY id DESC"
    ))?;
    let mut rows = statement.query([medicine_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(order_from_row(row, sealer)?);
    }
    Ok(out)
}

/// One order, or `NotFound`.
pub(crate) fn order(conn: &Connection, sealer: &Sealer, id: i64) -> Result<OrderRow> {
    let mut statement = conn.prepare_cached(&format!("{SELECT_ORDER} WHERE id = ?1"))?;
    let mut rows = statement.query([id])?;
    match rows.next()? {
        Some(row) => order_from_row(row, sealer),
        None => Err(Error::NotFound {
            what: "refill order",
            id,
        }),
    }
}

/// Writes an order's state and details inside `tx`.
pub(crate) fn save(
    tx: &Connection,
    sealer: &Sealer,
    id: i64,
    state: RefillState,
    (attempts, next_attempt_at): (u32, Timestamp),
    details: &OrderDetails,
    now: Timestamp,
) -> Result<()> {
    tx.execute(
        "UPDATE refill_order SET state = ?2, attempts = ?3, next_attempt_at = ?4, details = ?5,
                updated_at = ?6 WHERE id = ?1",
        params![
            id,
            state.as_sql(),
            attempts,
            next_attempt_at.as_millis(),
            sealer.seal_json(order_slot(id), details)?,
            now.as_millis()
        ],
    )?;
    Ok(())
}

/// A new client identifier: a random UUID (version 4) as a URN.
fn client_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| Error::Crypto("the system random generator failed".into()))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

fn header(name: &str, value: &str) -> HttpHeader {
    HttpHeader {
        name: name.into(),
        value: value.into(),
    }
}

impl Store {
    /// Chooses the patient's pharmacy (replacing any earlier one).
    pub fn set_pharmacy(&self, pharmacy: &Pharmacy, now: Timestamp) -> Result<Pharmacy> {
        let pharmacy = pharmacy.validated()?;
        self.write(|tx, sealer| {
            tx.execute(
                "INSERT INTO pharmacy (id, details, updated_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET details = ?1, updated_at = ?2",
                params![
                    sealer.seal_json(pharmacy_slot(), &pharmacy)?,
                    now.as_millis()
                ],
            )?;
            Ok(pharmacy.clone())
        })
    }

    /// The patient's pharmacy, if chosen.
    pub fn pharmacy(&self) -> Result<Option<Pharmacy>> {
        self.read(pharmacy)
    }

    /// Asks the pharmacy for a refill of a medicine's newest prescription: queued now, sent by
    /// the next `send_refills` (or the app's own HTTP through `prepare_pharmacy_requests`).
    /// `quantity` (in the supply unit) defaults to the prescription's quantity per dispense.
    /// Refused when there is no pharmacy, no prescription that came from FHIR, or the
    /// prescription cannot be filled (expired, no repeats left: ask the doctor).
    pub fn request_refill(
        &self,
        medicine_id: i64,
        quantity: Option<f64>,
        fulfilment: Option<Fulfilment>,
        now: Timestamp,
    ) -> Result<RefillOrder> {
        if let Some(quantity) = quantity
            && !(quantity.is_finite() && quantity > 0.0 && quantity <= crate::schedule::MAX_AMOUNT)
        {
            return Err(Error::invalid(
                "quantity",
                "must be more than zero and at most 1000000",
            ));
        }
        self.write(|tx, sealer| {
            medicine::get(tx, sealer, medicine_id)?;
            let pharmacy = pharmacy(tx, sealer)?.ok_or_else(|| {
                Error::invalid("pharmacy", "choose a pharmacy (its FHIR address) first")
            })?;
            let prescription = super::prescription::of_medicine(tx, sealer, medicine_id)?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    Error::invalid("medicine_id", "the medicine has no prescription to refill")
                })?;
            let details = &prescription.details;
            match details.warning(now, None) {
                Some(super::PrescriptionWarning::Expired { .. }) => {
                    return Err(Error::invalid(
                        "prescription",
                        "the prescription has expired: ask the doctor for a new one",
                    ));
                }
                _ if details
                    .repeats_allowed
                    .is_some_and(|a| details.repeats_used >= a) =>
                {
                    return Err(Error::invalid(
                        "prescription",
                        "every repeat is used: ask the doctor for a new prescription",
                    ));
                }
                _ => {}
            }
            let fhir = details.fhir.clone().unwrap_or(super::FhirPrescriptionRef {
                id: None,
                identifier: None,
                subject: None,
            });
            let unit = super::storage_settings_of(tx, sealer, medicine_id)?.map(|s| s.unit);
            let quantity = quantity
                .or(details.quantity_per_dispense)
                .zip(unit)
                .map(|(value, unit)| Quantity { value, unit });
            let fulfilment = fulfilment.unwrap_or(pharmacy.fulfilment);
            let client = client_id()?;
            let task = refill_task(&RefillTask {
                client_id: &client,
                prescription_id: fhir.id.as_deref(),
                prescription_identifier: fhir.identifier.as_deref(),
                patient: pharmacy.patient.as_deref().or(fhir.subject.as_deref()),
                quantity: quantity.as_ref(),
                fulfilment: fulfilment.code(),
                authored_on: now,
            })?;
            let order = OrderDetails {
                quantity,
                fulfilment,
                task: task.to_string(),
                base_url: pharmacy.base_url.clone(),
                ..OrderDetails::default()
            };
            tx.execute(
                "INSERT INTO refill_order (medicine_id, prescription_id, client_id, state,
                     next_attempt_at, details, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'queued', ?4, x'', ?4, ?4)",
                params![medicine_id, prescription.id, client, now.as_millis()],
            )?;
            let id = tx.last_insert_rowid();
            save(tx, sealer, id, RefillState::Queued, (0, now), &order, now)?;
            tx.execute(
                "INSERT INTO refill_answer (medicine_id, answer, at) VALUES (?1, 'requested', ?2)",
                params![medicine_id, now.as_millis()],
            )?;
            Ok(self::order(tx, sealer, id)?.order)
        })
    }

    /// Refill orders (of one medicine, if given), newest first.
    pub fn refill_orders(&self, medicine_id: Option<i64>) -> Result<Vec<RefillOrder>> {
        self.read(|conn, sealer| {
            Ok(orders(conn, sealer, medicine_id)?
                .into_iter()
                .map(|row| row.order)
                .collect())
        })
    }

    /// The pharmacy requests due at `now`: refill requests to send (or send again) and the
    /// status of those the pharmacy has, at most [`MAX_PHARMACY_BATCH`].
    pub fn prepare_pharmacy_requests(&self, now: Timestamp) -> Result<Vec<PharmacyRequest>> {
        self.read(|conn, sealer| {
            let mut out = Vec::new();
            for row in orders(conn, sealer, None)?.into_iter().rev() {
                if out.len() == MAX_PHARMACY_BATCH {
                    break;
                }
                let base = &row.details.base_url;
                let json = [header("Accept", "application/fhir+json")];
                let request = match (row.order.state, &row.details.task_id, &row.details.dispense) {
                    (RefillState::Queued, _, _)
                        if row.order.next_attempt_at.is_none_or(|at| at <= now) =>
                    {
                        let mut headers = json.to_vec();
                        headers.push(header("Content-Type", "application/fhir+json"));
                        headers.push(header("Prefer", "return=representation"));
                        headers.push(header(
                            "If-None-Exist",
                            &format!("identifier={URN_SYSTEM}|{}", row.client_id),
                        ));
                        PharmacyRequest {
                            order_id: row.order.id,
                            kind: PharmacyRequestKind::CreateTask,
                            method: "POST".into(),
                            url: format!("{base}/Task"),
                            headers,
                            body: Some(row.details.task.clone()),
                        }
                    }
                    (RefillState::Sent, Some(_), Some(dispense))
                        if row.order.status == Some(TaskStatus::Completed) =>
                    {
                        PharmacyRequest {
                            order_id: row.order.id,
                            kind: PharmacyRequestKind::ReadDispense,
                            method: "GET".into(),
                            url: format!("{base}/{dispense}"),
                            headers: json.to_vec(),
                            body: None,
                        }
                    }
                    (RefillState::Sent, Some(task_id), _) => PharmacyRequest {
                        order_id: row.order.id,
                        kind: PharmacyRequestKind::ReadTask,
                        method: "GET".into(),
                        url: format!("{base}/Task/{task_id}"),
                        headers: json.to_vec(),
                        body: None,
                    },
                    _ => continue,
                };
                out.push(request);
            }
            Ok(out)
        })
    }
}

/// How long until a retry after `attempts` failures (counting this one).
pub(crate) fn next_attempt(attempts: u32, now: Timestamp) -> Result<Timestamp> {
    Ok(now.plus(backoff(attempts)?))
}
