//! The measurements a diary entry may carry: a closed set, each with its units and the range a
//! reading at home can plausibly have. A value is kept in the unit it was entered in (a meter
//! that shows mg/dL stays mg/dL); conversions to the other unit are explicit, with the factors
//! below.
//!
//! Ranges, in the canonical unit (wide enough for every reading a patient can survive and
//! write down, narrow enough to catch a typo or a swapped unit):
//! - blood pressure: systolic 50–300 mmHg, diastolic 20–200 mmHg, systolic above diastolic;
//! - heart rate: 20–300 beats per minute;
//! - glucose: 0.5–60 mmol/L (9–1081 mg/dL);
//! - weight: 0.5–500 kg (1.1–1102 lb);
//! - temperature: 25–45 °C (77–113 °F).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// mg/dL in one mmol/L of glucose: its molar mass, 180.16 g/mol, is 18.016 mg per 0.1 L.
pub const GLUCOSE_MG_DL_PER_MMOL_L: f64 = 18.016;
/// Kilograms in one international avoirdupois pound (exact by definition).
pub const KG_PER_LB: f64 = 0.453_592_37;

/// Systolic blood pressure range, mmHg.
const SYSTOLIC_MMHG: (u32, u32) = (50, 300);
/// Diastolic blood pressure range, mmHg.
const DIASTOLIC_MMHG: (u32, u32) = (20, 200);
/// Heart rate range, beats per minute.
const HEART_RATE: (u32, u32) = (20, 300);
/// Glucose range, mmol/L.
const GLUCOSE_MMOL_L: (f64, f64) = (0.5, 60.0);
/// Weight range, kg.
const WEIGHT_KG: (f64, f64) = (0.5, 500.0);
/// Temperature range, °C.
const TEMPERATURE_C: (f64, f64) = (25.0, 45.0);

/// A unit of blood glucose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum GlucoseUnit {
    /// Millimoles per litre (most of the world).
    MmolPerL,
    /// Milligrams per decilitre (the United States, some other countries).
    MgPerDl,
}

/// A unit of body weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum WeightUnit {
    /// Kilograms.
    Kg,
    /// Pounds.
    Lb,
}

/// A unit of body temperature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum TemperatureUnit {
    /// Degrees Celsius.
    Celsius,
    /// Degrees Fahrenheit.
    Fahrenheit,
}

/// What is measured, without the value: for reading a measurement from text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MeasurementKind {
    /// Blood pressure.
    BloodPressure,
    /// Heart rate.
    HeartRate,
    /// Blood glucose.
    Glucose,
    /// Body weight.
    Weight,
    /// Body temperature.
    Temperature,
}

impl MeasurementKind {
    /// The field name errors about this kind carry.
    pub fn field(self) -> &'static str {
        match self {
            MeasurementKind::BloodPressure => "blood_pressure",
            MeasurementKind::HeartRate => "heart_rate",
            MeasurementKind::Glucose => "glucose",
            MeasurementKind::Weight => "weight",
            MeasurementKind::Temperature => "temperature",
        }
    }
}

/// One measurement, in the unit it was taken in.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Measurement {
    /// Blood pressure in mmHg.
    BloodPressure {
        /// Systolic (the upper number).
        systolic_mmhg: u32,
        /// Diastolic (the lower number).
        diastolic_mmhg: u32,
    },
    /// Heart rate in beats per minute.
    HeartRate {
        /// Beats per minute.
        per_minute: u32,
    },
    /// Blood glucose.
    Glucose {
        /// The reading.
        value: f64,
        /// Its unit.
        unit: GlucoseUnit,
    },
    /// Body weight.
    Weight {
        /// The reading.
        value: f64,
        /// Its unit.
        unit: WeightUnit,
    },
    /// Body temperature.
    Temperature {
        /// The reading.
        value: f64,
        /// Its unit.
        unit: TemperatureUnit,
    },
}

impl Measurement {
    /// What this measures.
    pub fn kind(&self) -> MeasurementKind {
        match self {
            Measurement::BloodPressure { .. } => MeasurementKind::BloodPressure,
            Measurement::HeartRate { .. } => MeasurementKind::HeartRate,
            Measurement::Glucose { .. } => MeasurementKind::Glucose,
            Measurement::Weight { .. } => MeasurementKind::Weight,
            Measurement::Temperature { .. } => MeasurementKind::Temperature,
        }
    }

    /// The measurement if it is plausible, or an `InvalidInput` naming its kind and range.
    pub fn validated(&self) -> Result<Measurement> {
        let field = self.kind().field();
        let within = |value: f64, (low, high): (f64, f64), unit: &str| {
            if value.is_finite() && value >= low && value <= high {
                Ok(())
            } else {
                Err(Error::invalid(
                    field,
                    format!("must be from {low} to {high} {unit}"),
                ))
            }
        };
        match *self {
            Measurement::BloodPressure {
                systolic_mmhg,
                diastolic_mmhg,
            } => {
                let in_range = |v: u32, (low, high): (u32, u32)| v >= low && v <= high;
                if !in_range(systolic_mmhg, SYSTOLIC_MMHG) {
                    return Err(Error::invalid(
                        "blood_pressure.systolic",
                        "must be from 50 to 300 mmHg",
                    ));
                }
                if !in_range(diastolic_mmhg, DIASTOLIC_MMHG) {
                    return Err(Error::invalid(
                        "blood_pressure.diastolic",
                        "must be from 20 to 200 mmHg",
                    ));
                }
                if systolic_mmhg <= diastolic_mmhg {
                    return Err(Error::invalid(
                        field,
                        "the systolic (upper) number must be above the diastolic (lower) one",
                    ));
                }
            }
            Measurement::HeartRate { per_minute } => {
                if !(HEART_RATE.0..=HEART_RATE.1).contains(&per_minute) {
                    return Err(Error::invalid(field, "must be from 20 to 300 per minute"));
                }
            }
            Measurement::Glucose { value, unit } => match unit {
                GlucoseUnit::MmolPerL => within(value, GLUCOSE_MMOL_L, "mmol/L")?,
                GlucoseUnit::MgPerDl => within(
                    value,
                    (
                        round_to(GLUCOSE_MMOL_L.0 * GLUCOSE_MG_DL_PER_MMOL_L, 0),
                        round_to(GLUCOSE_MMOL_L.1 * GLUCOSE_MG_DL_PER_MMOL_L, 0),
                    ),
                    "mg/dL",
                )?,
            },
            Measurement::Weight { value, unit } => match unit {
                WeightUnit::Kg => within(value, WEIGHT_KG, "kg")?,
                WeightUnit::Lb => within(
                    value,
                    (
                        round_to(WEIGHT_KG.0 / KG_PER_LB, 1),
                        round_to(WEIGHT_KG.1 / KG_PER_LB, 0),
                    ),
                    "lb",
                )?,
            },
            Measurement::Temperature { value, unit } => match unit {
                TemperatureUnit::Celsius => within(value, TEMPERATURE_C, "°C")?,
                TemperatureUnit::Fahrenheit => within(
                    value,
                    (
                        celsius_to_fahrenheit(TEMPERATURE_C.0),
                        celsius_to_fahrenheit(TEMPERATURE_C.1),
                    ),
                    "°F",
                )?,
            },
        }
        Ok(*self)
    }

    /// Glucose in mmol/L, whichever unit it was taken in; `None` for other kinds.
    pub fn glucose_mmol_per_l(&self) -> Option<f64> {
        match *self {
            Measurement::Glucose { value, unit } => Some(match unit {
                GlucoseUnit::MmolPerL => value,
                GlucoseUnit::MgPerDl => value / GLUCOSE_MG_DL_PER_MMOL_L,
            }),
            _ => None,
        }
    }

    /// Glucose in mg/dL; `None` for other kinds.
    pub fn glucose_mg_per_dl(&self) -> Option<f64> {
        match *self {
            Measurement::Glucose { value, unit } => Some(match unit {
                GlucoseUnit::MmolPerL => value * GLUCOSE_MG_DL_PER_MMOL_L,
                GlucoseUnit::MgPerDl => value,
            }),
            _ => None,
        }
    }

    /// Weight in kilograms; `None` for other kinds.
    pub fn weight_kg(&self) -> Option<f64> {
        match *self {
            Measurement::Weight { value, unit } => Some(match unit {
                WeightUnit::Kg => value,
                WeightUnit::Lb => value * KG_PER_LB,
            }),
            _ => None,
        }
    }

    /// Temperature in °C; `None` for other kinds.
    pub fn temperature_celsius(&self) -> Option<f64> {
        match *self {
            Measurement::Temperature { value, unit } => Some(match unit {
                TemperatureUnit::Celsius => value,
                TemperatureUnit::Fahrenheit => (value - 32.0) * 5.0 / 9.0,
            }),
            _ => None,
        }
    }

    /// The reading as a person writes it, in its own unit, then in the other one where there
    /// is one: `120/80 mmHg`, `100 mg/dL (5.6 mmol/L)`, `154 lb (69.9 kg)`, `37.2 °C (99.0 °F)`.
    pub fn describe(&self) -> String {
        match *self {
            Measurement::BloodPressure {
                systolic_mmhg,
                diastolic_mmhg,
            } => format!("{systolic_mmhg}/{diastolic_mmhg} mmHg"),
            Measurement::HeartRate { per_minute } => format!("{per_minute} /min"),
            Measurement::Glucose { value, unit } => {
                let mmol = self.glucose_mmol_per_l().unwrap_or(value);
                let mg = self.glucose_mg_per_dl().unwrap_or(value);
                match unit {
                    GlucoseUnit::MmolPerL => {
                        format!("{} mmol/L ({} mg/dL)", number(value), round_to(mg, 0))
                    }
                    GlucoseUnit::MgPerDl => format!("{} mg/dL ({:.1} mmol/L)", number(value), mmol),
                }
            }
            Measurement::Weight { value, unit } => {
                let kg = self.weight_kg().unwrap_or(value);
                match unit {
                    WeightUnit::Kg => format!("{} kg ({:.1} lb)", number(value), kg / KG_PER_LB),
                    WeightUnit::Lb => format!("{} lb ({kg:.1} kg)", number(value)),
                }
            }
            Measurement::Temperature { value, unit } => {
                let celsius = self.temperature_celsius().unwrap_or(value);
                match unit {
                    TemperatureUnit::Celsius => format!(
                        "{} °C ({:.1} °F)",
                        number(value),
                        celsius_to_fahrenheit(celsius)
                    ),
                    TemperatureUnit::Fahrenheit => {
                        format!("{} °F ({celsius:.1} °C)", number(value))
                    }
                }
            }
        }
    }

    /// Reads a measurement of `kind` as a person types it, the unit after the number (spaces
    /// allowed): blood pressure `120/80` (mmHg, `mmHg` may follow), heart rate `72` (`/min`
    /// or `bpm` may follow), glucose `5.4mmol/L` or `97mg/dL`, weight `70kg` or `154lb`,
    /// temperature `37.2C` or `99.1F` (`°` allowed). Units are case-insensitive; a missing or
    /// unknown unit, or a value out of range, is an `InvalidInput` naming the kind.
    pub fn parse(kind: MeasurementKind, text: &str) -> Result<Measurement> {
        let field = kind.field();
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '/'))
            .unwrap_or(text.len());
        let (number_part, unit) = text.split_at(split);
        let unit = unit.trim().trim_start_matches('°').to_ascii_lowercase();
        let value = |part: &str| -> Result<f64> {
            let ok = !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && part.bytes().filter(|b| *b == b'.').count() <= 1;
            ok.then(|| part.parse::<f64>().ok())
                .flatten()
                .ok_or_else(|| Error::invalid(field, "must start with a number, like 5.4"))
        };
        let whole = |part: &str| -> Result<u32> {
            part.parse::<u32>()
                .map_err(|_| Error::invalid(field, "must be a whole number"))
        };
        let unknown = |expected: &str| Error::invalid(field, format!("unit must be {expected}"));
        let measurement = match kind {
            MeasurementKind::BloodPressure => {
                let (systolic, diastolic) = number_part.split_once('/').ok_or_else(|| {
                    Error::invalid(field, "must be systolic/diastolic, like 120/80")
                })?;
                if !matches!(unit.as_str(), "" | "mmhg") {
                    return Err(unknown("mmHg"));
                }
                Measurement::BloodPressure {
                    systolic_mmhg: whole(systolic)?,
                    diastolic_mmhg: whole(diastolic)?,
                }
            }
            MeasurementKind::HeartRate => {
                let (count, unit) = match number_part.split_once('/') {
                    Some((count, "")) if unit == "min" => (count, ""),
                    Some(_) => return Err(unknown("per minute (72, 72/min or 72 bpm)")),
                    None => (number_part, unit.as_str()),
                };
                if !matches!(unit, "" | "bpm" | "/min") {
                    return Err(unknown("per minute (72, 72/min or 72 bpm)"));
                }
                Measurement::HeartRate {
                    per_minute: whole(count)?,
                }
            }
            MeasurementKind::Glucose => {
                // `mmol/L` splits at the first letter: the number part holds no slash.
                let unit = match unit.as_str() {
                    "mmol/l" => GlucoseUnit::MmolPerL,
                    "mg/dl" => GlucoseUnit::MgPerDl,
                    _ => return Err(unknown("mmol/L or mg/dL")),
                };
                Measurement::Glucose {
                    value: value(number_part)?,
                    unit,
                }
            }
            MeasurementKind::Weight => {
                let unit = match unit.as_str() {
                    "kg" => WeightUnit::Kg,
                    "lb" | "lbs" => WeightUnit::Lb,
                    _ => return Err(unknown("kg or lb")),
                };
                Measurement::Weight {
                    value: value(number_part)?,
                    unit,
                }
            }
            MeasurementKind::Temperature => {
                let unit = match unit.as_str() {
                    "c" => TemperatureUnit::Celsius,
                    "f" => TemperatureUnit::Fahrenheit,
                    _ => return Err(unknown("C or F (°C or °F)")),
                };
                Measurement::Temperature {
                    value: value(number_part)?,
                    unit,
                }
            }
        };
        measurement.validated()
    }
}

fn celsius_to_fahrenheit(celsius: f64) -> f64 {
    celsius * 9.0 / 5.0 + 32.0
}

/// `value` rounded to `places` decimals.
fn round_to(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

/// A reading as entered, without a trailing `.0` (`70`, `37.2`).
fn number(value: f64) -> String {
    let rounded = round_to(value, 2);
    format!("{rounded}")
}
