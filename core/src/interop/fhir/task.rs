//! A refill request as a FHIR R4 `Task` (intent `order`, code `fulfill`, focus and basedOn the
//! prescription), the pharmacy's answers to it, and the `OperationOutcome` of a refusal.

use serde_json::{Map, Value};

use super::datatypes::quantity_json;
use super::json::{element, member, members, object, string};
use crate::error::{Error, Result};
use crate::schedule::Quantity;
use crate::time::Timestamp;

/// The code system of `Task.code`.
pub const TASK_CODES: &str = "http://hl7.org/fhir/CodeSystem/task-code";
/// The identifier system of a refill request's client id (a URN).
pub const URN_SYSTEM: &str = "urn:ietf:rfc:3986";
/// Longest text kept from a pharmacy (a reason, a business status), in characters.
const MAX_PHARMACY_TEXT: usize = 300;

/// What a refill `Task` asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct RefillTask<'a> {
    /// The request's own identifier value (`urn:uuid:...`).
    pub client_id: &'a str,
    /// The prescription's logical id at the pharmacy, if known.
    pub prescription_id: Option<&'a str>,
    /// The prescription's business identifier (`system|value`), when there is no id.
    pub prescription_identifier: Option<&'a str>,
    /// Whom it is for (`Patient/p1`).
    pub patient: Option<&'a str>,
    /// How much is asked for.
    pub quantity: Option<&'a Quantity>,
    /// `pickup` or `delivery`.
    pub fulfilment: &'a str,
    /// When the patient asked.
    pub authored_on: Timestamp,
}

/// A reference to the prescription: by id, else by identifier.
fn prescription_reference(task: &RefillTask<'_>) -> Result<Value> {
    if let Some(id) = task.prescription_id {
        return Ok(element([(
            "reference",
            format!("MedicationRequest/{id}").into(),
        )]));
    }
    if let Some(identifier) = task.prescription_identifier {
        let (system, value) = identifier.split_once('|').unwrap_or(("", identifier));
        let identifier = element([
            ("system", (!system.is_empty()).then_some(system).into()),
            ("value", value.into()),
        ]);
        return Ok(element([
            ("type", "MedicationRequest".into()),
            ("identifier", identifier),
        ]));
    }
    Err(Error::invalid(
        "prescription_id",
        "the prescription has no FHIR id or identifier to refill by",
    ))
}

/// The `Task` a refill request sends: only this prescription's data.
pub fn refill_task(task: &RefillTask<'_>) -> Result<Value> {
    let prescription = prescription_reference(task)?;
    let mut input = Vec::new();
    if let Some(quantity) = task.quantity {
        input.push(element([
            ("type", element([("text", "quantity".into())])),
            ("valueQuantity", quantity_json(quantity)),
        ]));
    }
    input.push(element([
        ("type", element([("text", "fulfilment".into())])),
        ("valueString", task.fulfilment.into()),
    ]));
    let identifier = element([
        ("system", URN_SYSTEM.into()),
        ("value", task.client_id.into()),
    ]);
    let coding = element([("system", TASK_CODES.into()), ("code", "fulfill".into())]);
    let patient = task.patient.map(|p| element([("reference", p.into())]));
    Ok(element([
        ("resourceType", "Task".into()),
        ("identifier", Value::from(vec![identifier])),
        ("basedOn", Value::from(vec![prescription.clone()])),
        ("status", "requested".into()),
        ("intent", "order".into()),
        (
            "code",
            element([
                ("coding", Value::from(vec![coding])),
                ("text", "Refill".into()),
            ]),
        ),
        ("focus", prescription),
        ("for", patient.into()),
        ("authoredOn", task.authored_on.to_string().into()),
        ("input", input.into()),
    ]))
}

/// Where a refill request stands at the pharmacy (`Task.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Asked, not yet seen.
    Requested,
    /// Seen, not yet decided.
    Received,
    /// Will be filled.
    Accepted,
    /// Being filled.
    InProgress,
    /// Ready for pickup, or out for delivery (see the business status).
    Ready,
    /// Paused by the pharmacy.
    OnHold,
    /// Handed over.
    Completed,
    /// Refused by the pharmacy (see the reason).
    Rejected,
    /// Withdrawn.
    Cancelled,
    /// Could not be filled.
    Failed,
}

impl TaskStatus {
    fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "draft" | "requested" => TaskStatus::Requested,
            "received" => TaskStatus::Received,
            "accepted" => TaskStatus::Accepted,
            "in-progress" => TaskStatus::InProgress,
            "ready" => TaskStatus::Ready,
            "on-hold" => TaskStatus::OnHold,
            "completed" => TaskStatus::Completed,
            "rejected" => TaskStatus::Rejected,
            "cancelled" | "entered-in-error" => TaskStatus::Cancelled,
            "failed" => TaskStatus::Failed,
            _ => return None,
        })
    }

    /// Whether nothing more will happen to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskStatus::Completed
                | TaskStatus::Rejected
                | TaskStatus::Cancelled
                | TaskStatus::Failed
        )
    }
}

/// A pharmacy's `Task`, read for what the patient is shown.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskState {
    /// Its logical id at the pharmacy.
    pub id: String,
    /// Where it stands.
    pub status: TaskStatus,
    /// The pharmacy's words for it ("ready for pickup", "out for delivery").
    pub business_status: Option<String>,
    /// Why, for a refusal or a pause.
    pub reason: Option<String>,
    /// The dispense it produced (`MedicationDispense/<id>`), if any.
    pub dispense: Option<String>,
}

/// Pharmacy text kept for the patient: trimmed, without control characters, at most 300
/// characters.
fn pharmacy_text(text: Option<&str>) -> Option<String> {
    let text: String = text?
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_PHARMACY_TEXT)
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// A CodeableConcept's text, else its first coding's display.
fn concept_text(map: &Map<String, Value>, key: &str) -> Option<String> {
    let concept = map.get(key)?.as_object()?;
    let text = concept.get("text").and_then(Value::as_str).or_else(|| {
        concept
            .get("coding")?
            .as_array()?
            .iter()
            .find_map(|coding| coding.get("display")?.as_str())
    });
    pharmacy_text(text)
}

/// Reads the pharmacy's `Task` (or the first `Task` of a searchset `Bundle`).
pub fn task_state(json: &Value) -> Result<TaskState> {
    let map = object(json, "resourceType")?;
    let task = match map.get("resourceType").and_then(Value::as_str) {
        Some("Task") => map,
        Some("Bundle") => members(map, "entry", object)?
            .into_iter()
            .filter_map(|entry| entry.get("resource")?.as_object())
            .find(|r| r.get("resourceType").and_then(Value::as_str) == Some("Task"))
            .ok_or_else(|| Error::invalid("entry", "the answer holds no Task"))?,
        _ => return Err(Error::invalid("resourceType", "expected a Task")),
    };
    let id = member(task, "id", string)?
        .ok_or_else(|| Error::invalid("id", "the pharmacy's Task has no id"))?;
    let status = member(task, "status", string)?
        .and_then(TaskStatus::from_code)
        .ok_or_else(|| Error::invalid("status", "not a Task status Regimen knows"))?;
    let dispense = members(task, "output", object)?
        .into_iter()
        .filter_map(|output| output.get("valueReference")?.get("reference")?.as_str())
        .find(|reference| reference.starts_with("MedicationDispense/"))
        .map(str::to_owned);
    Ok(TaskState {
        id: id.to_owned(),
        status,
        business_status: concept_text(task, "businessStatus"),
        reason: concept_text(task, "statusReason"),
        dispense,
    })
}

/// What an `OperationOutcome` says went wrong: its first issue's diagnostics, else details.
pub fn outcome_reason(json: &Value) -> Option<String> {
    let map = json.as_object()?;
    if map.get("resourceType").and_then(Value::as_str) != Some("OperationOutcome") {
        return None;
    }
    let issue = map.get("issue")?.as_array()?.first()?.as_object()?;
    issue
        .get("diagnostics")
        .and_then(Value::as_str)
        .and_then(|text| pharmacy_text(Some(text)))
        .or_else(|| concept_text(issue, "details"))
}
