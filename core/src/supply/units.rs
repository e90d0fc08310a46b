//! Amounts in the unit a medicine is counted in. A dose "500 mg" of a medicine of strength
//! "500 mg" (per tablet) is one tablet; "10 units" of "100 units/mL" is 0.1 mL; "2 tablets" of
//! a stock counted in tablets is two. Anything else cannot be put in the stock's unit and is
//! said to be unknown, never guessed.

use crate::medicine::MedicineInfo;
use crate::schedule::Quantity;

/// Units written as symbols of measure rather than countable things (a tablet, a puff).
const MEASURES: &[&str] = &[
    "mg", "g", "kg", "mcg", "ug", "µg", "ng", "ml", "l", "dl", "cl", "iu", "unit", "meq", "mmol",
    "mol", "%",
];

/// A unit as compared: lower case, a UCUM annotation's braces dropped, a plural `s` dropped
/// from a word ("Tablets" and "{tablet}" are "tablet"; "mL" is "ml").
pub(crate) fn normal(unit: &str) -> String {
    let unit = unit.trim();
    let unit = unit
        .strip_prefix('{')
        .and_then(|u| u.strip_suffix('}'))
        .unwrap_or(unit)
        .to_lowercase();
    match unit.strip_suffix("es") {
        Some(stem) if stem.ends_with("ch") || stem.ends_with("sh") => stem.to_owned(),
        _ => match unit.strip_suffix('s') {
            Some(stem) if stem.chars().count() >= 3 && stem.chars().all(char::is_alphabetic) => {
                stem.to_owned()
            }
            _ => unit,
        },
    }
}

/// Whether a stock in `unit` is counted in things (tablets, puffs, patches), where a dose
/// with no amount is one of them.
pub(crate) fn countable(unit: &str) -> bool {
    let unit = normal(unit);
    unit.chars().all(|c| c.is_alphabetic() || c == ' ') && !MEASURES.contains(&unit.as_str())
}

/// A medicine's strength read as "`amount` `unit` per `per` of `per_unit`" ("500 mg" is 500 mg
/// per one of whatever it comes in; "100 units/mL" is 100 units per 1 mL; "5 mg/5 mL" is 5 mg
/// per 5 mL).
struct Strength {
    amount: f64,
    unit: String,
    per: f64,
    per_unit: Option<String>,
}

fn strength(info: &MedicineInfo) -> Option<Strength> {
    let text = info.strength.as_deref()?.replace(',', ".");
    let (top, bottom) = match text.split_once('/') {
        Some((top, bottom)) => (top, Some(bottom)),
        None => (text.as_str(), None),
    };
    let (amount, unit) = amount_and_unit(top)?;
    let (per, per_unit) = match bottom {
        None => (1.0, None),
        Some(bottom) => match amount_and_unit(bottom) {
            Some((per, unit)) => (per, Some(unit)),
            // "100 units/mL": a bare unit is one of it.
            None => (1.0, Some(normal(bottom))),
        },
    };
    (amount > 0.0 && per > 0.0).then_some(Strength {
        amount,
        unit,
        per,
        per_unit,
    })
}

/// "500 mg" -> (500, "mg"); exactly a number and one unit word.
fn amount_and_unit(text: &str) -> Option<(f64, String)> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let amount: f64 = text[..split].trim().parse().ok()?;
    let unit = text[split..].trim();
    (!unit.is_empty() && !unit.contains(char::is_whitespace) && amount.is_finite())
        .then(|| (amount, normal(unit)))
}

/// `amount` in `unit` (the stock's), through the medicine's strength when needed; `None` when
/// it cannot be said.
pub(crate) fn in_unit(amount: &Quantity, unit: &str, info: &MedicineInfo) -> Option<f64> {
    let (from, to) = (normal(&amount.unit), normal(unit));
    if from == to {
        return Some(amount.value);
    }
    let strength = strength(info)?;
    // What one counted thing (or one `per_unit`) holds, in the strength's unit.
    let per_thing = strength.amount / strength.per;
    let thing = strength.per_unit.clone();
    let stock_is_the_thing = match &thing {
        Some(per_unit) => *per_unit == to,
        None => countable(&to),
    };
    if from == strength.unit && stock_is_the_thing {
        // A dose in mg of a stock in tablets (or in mL of a solution).
        return Some(amount.value / per_thing);
    }
    let dose_is_the_thing = match &thing {
        Some(per_unit) => *per_unit == from,
        None => countable(&from),
    };
    if to == strength.unit && dose_is_the_thing {
        // A dose in tablets of a stock counted in mg.
        return Some(amount.value * per_thing);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_strength(strength: &str) -> MedicineInfo {
        MedicineInfo {
            name: "M".into(),
            strength: Some(strength.into()),
            ..MedicineInfo::default()
        }
    }

    fn q(value: f64, unit: &str) -> Quantity {
        Quantity {
            value,
            unit: unit.into(),
        }
    }

    #[test]
    fn doses_are_put_in_the_stocks_unit_through_the_strength() {
        let tablets = with_strength("500 mg");
        assert_eq!(in_unit(&q(2.0, "tablets"), "tablet", &tablets), Some(2.0));
        assert_eq!(in_unit(&q(2.0, "{tablet}"), "Tablets", &tablets), Some(2.0));
        assert_eq!(in_unit(&q(1000.0, "mg"), "tablet", &tablets), Some(2.0));
        assert_eq!(in_unit(&q(1.0, "tablet"), "mg", &tablets), Some(500.0));
        let insulin = with_strength("100 units/mL");
        assert_eq!(in_unit(&q(10.0, "units"), "mL", &insulin), Some(0.1));
        let syrup = with_strength("5 mg/5 mL");
        assert_eq!(in_unit(&q(10.0, "mg"), "ml", &syrup), Some(10.0));
        let patches = with_strength("25 mcg/h");
        assert_eq!(in_unit(&q(1.0, "patch"), "patches", &patches), Some(1.0));
    }

    #[test]
    fn what_cannot_be_converted_is_unknown() {
        assert_eq!(
            in_unit(&q(500.0, "mg"), "tablet", &MedicineInfo::default()),
            None
        );
        assert_eq!(
            in_unit(&q(5.0, "ml"), "tablet", &with_strength("500 mg")),
            None
        );
        assert_eq!(
            in_unit(&q(2.0, "puffs"), "mg", &with_strength("100 mcg")),
            None
        );
        assert_eq!(
            in_unit(&q(1.0, "mg"), "tablet", &with_strength("about 5 mg")),
            None
        );
    }

    #[test]
    fn counted_things_are_told_from_measures() {
        assert!(countable("tablets"));
        assert!(countable("{puff}"));
        assert!(!countable("mL"));
        assert!(!countable("mg"));
        assert!(!countable("IU"));
    }
}
