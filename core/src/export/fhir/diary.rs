//! Diary entries as `Observation`s: patient-reported (category `survey`), code LOINC 75325-1
//! "Symptom", the patient's words in `valueString`, the time in `effectiveDateTime`, the linked
//! medicine as `focus` (its `MedicationStatement`), each measurement a component with its LOINC
//! code and a UCUM quantity in the unit it was taken in (blood pressure as two components,
//! systolic and diastolic), the severity and when it was written down in Regimen's extensions.

use serde_json::{Map, Value};

use super::ext::{decimal, instant, instant_json, one, ours, simple, text, value, whole};
use super::genomics::{LOINC, coded_in_loinc};
use super::ids::{Kind, Names, row_id, urn_in};
use crate::diary::DiaryEntry;
use crate::diary::measure::{GlucoseUnit, Measurement, TemperatureUnit, WeightUnit};
use crate::error::{Error, Result};
use crate::interop::fhir::datatypes::{concept, concept_json};
use crate::interop::fhir::json::{element, list, number, object, string};

/// UCUM, the units of every quantity.
const UCUM: &str = "http://unitsofmeasure.org";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// LOINC 75325-1, "Symptom": what a diary entry is.
const SYMPTOM: &str = "75325-1";

/// A component's LOINC code, its display and the UCUM code and unit text of its quantity.
struct Coded {
    loinc: &'static str,
    display: &'static str,
    ucum: &'static str,
    unit: &'static str,
}

const SYSTOLIC: Coded = coded("8480-6", "Systolic blood pressure", "mm[Hg]", "mmHg");
const DIASTOLIC: Coded = coded("8462-4", "Diastolic blood pressure", "mm[Hg]", "mmHg");
const HEART_RATE: Coded = coded("8867-4", "Heart rate", "/min", "beats/minute");
const GLUCOSE_MOLAR: Coded = coded(
    "15074-8",
    "Glucose [Moles/volume] in Blood",
    "mmol/L",
    "mmol/L",
);
const GLUCOSE_MASS: Coded = coded("2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", "mg/dL");
const WEIGHT_KG: Coded = coded("29463-7", "Body weight", "kg", "kg");
const WEIGHT_LB: Coded = coded("29463-7", "Body weight", "[lb_av]", "lb");
const TEMPERATURE_C: Coded = coded("8310-5", "Body temperature", "Cel", "°C");
const TEMPERATURE_F: Coded = coded("8310-5", "Body temperature", "[degF]", "°F");

const fn coded(
    loinc: &'static str,
    display: &'static str,
    ucum: &'static str,
    unit: &'static str,
) -> Coded {
    Coded {
        loinc,
        display,
        ucum,
        unit,
    }
}

/// A component of `coded` with `value`.
fn component(coded: &Coded, value: f64) -> Value {
    let quantity = element([
        ("value", number(value)),
        ("unit", coded.unit.into()),
        ("system", UCUM.into()),
        ("code", coded.ucum.into()),
    ]);
    element([
        (
            "code",
            concept_json(LOINC, coded.loinc, Some(coded.display)),
        ),
        ("valueQuantity", quantity),
    ])
}

/// The components of one measurement.
fn components(measurement: &Measurement) -> Vec<Value> {
    match *measurement {
        Measurement::BloodPressure {
            systolic_mmhg,
            diastolic_mmhg,
        } => vec![
            component(&SYSTOLIC, f64::from(systolic_mmhg)),
            component(&DIASTOLIC, f64::from(diastolic_mmhg)),
        ],
        Measurement::HeartRate { per_minute } => {
            vec![component(&HEART_RATE, f64::from(per_minute))]
        }
        Measurement::Glucose { value, unit } => vec![component(
            match unit {
                GlucoseUnit::MmolPerL => &GLUCOSE_MOLAR,
                GlucoseUnit::MgPerDl => &GLUCOSE_MASS,
            },
            value,
        )],
        Measurement::Weight { value, unit } => vec![component(
            match unit {
                WeightUnit::Kg => &WEIGHT_KG,
                WeightUnit::Lb => &WEIGHT_LB,
            },
            value,
        )],
        Measurement::Temperature { value, unit } => vec![component(
            match unit {
                TemperatureUnit::Celsius => &TEMPERATURE_C,
                TemperatureUnit::Fahrenheit => &TEMPERATURE_F,
            },
            value,
        )],
    }
}

/// A diary entry as an `Observation`.
pub(super) fn observation(names: &Names, entry: &DiaryEntry) -> Value {
    let mut extensions = vec![simple(
        "recorded",
        "valueDateTime",
        instant_json(entry.recorded_at),
    )];
    if let Some(severity) = entry.severity {
        extensions.push(simple("diary-severity", "valueInteger", severity.into()));
    }
    let parts: Vec<Value> = entry.measurements.iter().flat_map(components).collect();
    let mut map = Map::new();
    map.insert("resourceType".into(), "Observation".into());
    map.insert("id".into(), names.uuid(Kind::DiaryEntry, entry.id).into());
    map.insert("extension".into(), extensions.into());
    map.insert(
        "identifier".into(),
        super::ids::identifier(Kind::DiaryEntry, entry.id),
    );
    map.insert("status".into(), "final".into());
    map.insert(
        "category".into(),
        vec![concept_json(OBSERVATION_CATEGORY, "survey", None)].into(),
    );
    map.insert("code".into(), concept_json(LOINC, SYMPTOM, Some("Symptom")));
    map.insert("subject".into(), names.reference(Kind::Patient, 0));
    if let Some(medicine) = entry.medicine_id {
        map.insert(
            "focus".into(),
            vec![names.reference(Kind::Medicine, medicine)].into(),
        );
    }
    map.insert("effectiveDateTime".into(), instant_json(entry.at));
    if let Some(words) = &entry.text {
        map.insert("valueString".into(), words.as_str().into());
    }
    if !parts.is_empty() {
        map.insert("component".into(), parts.into());
    }
    Value::Object(map)
}

/// Whether an Observation is a diary entry (LOINC 75325-1).
pub(super) fn is_diary_entry(map: &Map<String, Value>) -> bool {
    coded_in_loinc(map, SYMPTOM)
}

/// A diary `Observation` read back: the entry (its medicine left out) and the `focus` urn of
/// the medicine's statement, if it names one.
pub(super) fn read_observation(map: &Map<String, Value>) -> Result<(DiaryEntry, Option<String>)> {
    let id = row_id(map, Kind::DiaryEntry)?;
    let at = instant(
        map.get("effectiveDateTime").ok_or_else(|| {
            Error::invalid(
                "Observation.effectiveDateTime",
                "a diary entry needs its time",
            )
        })?,
        "Observation.effectiveDateTime",
    )?;
    let words = map
        .get("valueString")
        .map(|v| text(v, "Observation.valueString"))
        .transpose()?;
    let focus = list(map, "focus", "Observation.focus", object)?;
    let medicine = match focus.as_slice() {
        [] => None,
        [one] => Some(urn_in(one, "Observation.focus")?.to_owned()),
        _ => {
            return Err(Error::invalid(
                "Observation.focus",
                "a diary entry names one medicine at most",
            ));
        }
    };
    let field = "Observation.extension";
    let exts = ours(map, field)?;
    let recorded_at = one(&exts, "recorded", field)?
        .ok_or_else(|| Error::invalid(field, "needs when the entry was written down"))
        .and_then(|ext| instant(value(ext, "valueDateTime", field)?, field))?;
    let severity = one(&exts, "diary-severity", field)?
        .map(|ext| {
            let n = whole(value(ext, "valueInteger", field)?, field)?;
            u8::try_from(n).map_err(|_| Error::invalid(field, "a severity is 1 to 5"))
        })
        .transpose()?;
    let measurements = read_components(map)?;
    Ok((
        DiaryEntry {
            id,
            at,
            recorded_at,
            text: words,
            medicine_id: None,
            severity,
            measurements,
        },
        medicine,
    ))
}

/// The measurements of a diary Observation's components, in order.
fn read_components(map: &Map<String, Value>) -> Result<Vec<Measurement>> {
    let field = "Observation.component";
    let mut out = Vec::new();
    let mut systolic: Option<f64> = None;
    for part in list(map, "component", field, object)? {
        let code = part
            .get("code")
            .ok_or_else(|| Error::invalid(field, "needs a code"))
            .and_then(|c| concept(c, field))?;
        let loinc = code
            .code_in(LOINC)
            .ok_or_else(|| Error::invalid(field, "a measurement is coded in LOINC"))?;
        let quantity = part
            .get("valueQuantity")
            .ok_or_else(|| Error::invalid(field, "a measurement needs its valueQuantity"))
            .and_then(|q| object(q, field))?;
        let amount = decimal(
            quantity
                .get("value")
                .ok_or_else(|| Error::invalid(field, "a quantity needs its value"))?,
            field,
        )?;
        let ucum = quantity
            .get("code")
            .map(|c| string(c, field))
            .transpose()?
            .ok_or_else(|| Error::invalid(field, "a quantity needs its UCUM code"))?;
        if quantity.get("system").and_then(Value::as_str) != Some(UCUM) {
            return Err(Error::invalid(field, "a quantity's units are UCUM's"));
        }
        let whole_number = |v: f64| -> Result<u32> {
            if v.fract() == 0.0 && (0.0..=1000.0).contains(&v) {
                Ok(v as u32)
            } else {
                Err(Error::invalid(field, "this measurement is a whole number"))
            }
        };
        let unknown = || Error::invalid(field, "not a measurement and unit a diary holds");
        let measurement = match (loinc, ucum) {
            ("8480-6", "mm[Hg]") if systolic.is_none() => {
                systolic = Some(amount);
                continue;
            }
            ("8462-4", "mm[Hg]") => {
                let high = systolic.take().ok_or_else(|| {
                    Error::invalid(field, "a diastolic pressure follows its systolic")
                })?;
                Measurement::BloodPressure {
                    systolic_mmhg: whole_number(high)?,
                    diastolic_mmhg: whole_number(amount)?,
                }
            }
            ("8867-4", "/min") => Measurement::HeartRate {
                per_minute: whole_number(amount)?,
            },
            ("15074-8", "mmol/L") => Measurement::Glucose {
                value: amount,
                unit: GlucoseUnit::MmolPerL,
            },
            ("2339-0", "mg/dL") => Measurement::Glucose {
                value: amount,
                unit: GlucoseUnit::MgPerDl,
            },
            ("29463-7", "kg") => Measurement::Weight {
                value: amount,
                unit: WeightUnit::Kg,
            },
            ("29463-7", "[lb_av]") => Measurement::Weight {
                value: amount,
                unit: WeightUnit::Lb,
            },
            ("8310-5", "Cel") => Measurement::Temperature {
                value: amount,
                unit: TemperatureUnit::Celsius,
            },
            ("8310-5", "[degF]") => Measurement::Temperature {
                value: amount,
                unit: TemperatureUnit::Fahrenheit,
            },
            _ => return Err(unknown()),
        };
        out.push(measurement);
    }
    if systolic.is_some() {
        return Err(Error::invalid(
            field,
            "a systolic pressure needs its diastolic",
        ));
    }
    Ok(out)
}
