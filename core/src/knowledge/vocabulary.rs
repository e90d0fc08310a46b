//! The drug vocabulary, and how a medicine is recognised.
//!
//! A medicine is recognised from the first of these that speaks:
//! 1. the drug id it was added with from a search (`in:`, `rx:` or `name:` ids, see
//!    `search.rs`);
//! 2. its RxNorm code: an ingredient, a clinical or branded drug, a pack (every component);
//! 3. its 7-character ATC code, when one ingredient has it;
//! 4. its name, read as a whole: a generic name, an INN spelling, a salt, a brand or a
//!    combination product; or as an RxNorm-style product name (`clopidogrel 75 MG Oral
//!    Tablet`, `acetaminophen 300 MG / codeine phosphate 30 MG Oral Tablet [Tylenol with
//!    Codeine]`); or as components joined by `/`, `+`, `and` or `with`; strengths, dose forms
//!    and release words around a name are read and set aside.
//!
//! A name with anything left that is not a strength or a form (`Tylenol Cold & Flu`) is not
//! recognised: it may hold other ingredients, and Regimen never checks part of a medicine as
//! if it were the whole. A misspelled name is not recognised either; the search offers the
//! names it is close to.

use std::collections::{BTreeSet, HashMap};

use super::{Tables, malformed, rows};
use crate::error::Result;
use crate::medicine::MedicineInfo;

/// An active ingredient.
#[derive(Clone, Debug, PartialEq)]
pub struct Drug {
    /// Generic name, lower case (`clopidogrel`).
    pub name: String,
    /// RxNorm ingredient id.
    pub rxnorm: Option<String>,
    /// ATC codes.
    pub atc: Vec<String>,
    /// Class tags (`nsaid`, `ssri`).
    pub classes: Vec<String>,
}

/// An RxNorm concept: what a code on a prescription stands for.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Product {
    pub rxcui: String,
    /// RxNorm's term type (`SCD`, `SBD`, `IN`).
    pub tty: String,
    /// RxNorm's name of it.
    pub name: String,
    /// Indexes of its ingredients.
    pub ingredients: Vec<usize>,
}

/// Another name of one or more ingredients.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OtherName {
    /// As written (a brand keeps its capitals).
    pub name: String,
    pub ingredients: Vec<usize>,
    pub brand: bool,
}

/// What the base makes of a medicine.
#[derive(Clone, Debug, PartialEq)]
pub enum Recognition {
    /// Its ingredients (one, or each component of a combination product), and how they were
    /// found.
    Recognised {
        /// The ingredients' generic names, lower case.
        ingredients: Vec<String>,
        /// How (`RxNorm code`, `brand name`, ...), for the patient and for tests.
        by: &'static str,
    },
    /// Not recognised, and why, in words for the patient.
    NotRecognised {
        /// Why.
        reason: String,
    },
}

/// The vocabulary, indexed.
#[derive(Debug)]
pub(crate) struct Vocabulary {
    pub drugs: Vec<Drug>,
    pub products: Vec<Product>,
    pub names: Vec<OtherName>,
    by_ingredient: HashMap<String, usize>,
    by_rxcui: HashMap<String, Vec<usize>>,
    by_atc: HashMap<String, Vec<usize>>,
    /// Normalised name to the ingredients it stands for.
    by_name: HashMap<String, Vec<usize>>,
}

/// Lower case, accents taken off, punctuation other than `/ + - .` as spaces, single
/// spaces: the form names are compared in.
pub(crate) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        for lower in c.to_lowercase() {
            match unaccent(lower) {
                Some(plain) => out.push_str(plain),
                None if lower.is_alphanumeric() || matches!(lower, '/' | '+' | '-' | '.' | '%') => {
                    out.push(lower);
                }
                None => out.push(' '),
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The unaccented letters of the accented ones names use (Latin-1 and Latin Extended-A).
fn unaccent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ĝ' | 'ġ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ř' | 'ŗ' => "r",
        'ś' | 'š' | 'ş' | 'ŝ' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        // Trademark signs say nothing of what a medicine is.
        '®' | '™' | '©' => "",
        _ => return None,
    })
}

/// Words that say how much or in what form, never what: set aside when reading a name.
const FORM_WORDS: &[&str] = &[
    "tablet",
    "tablets",
    "tab",
    "tabs",
    "capsule",
    "capsules",
    "cap",
    "caps",
    "oral",
    "film",
    "coated",
    "chewable",
    "dispersible",
    "effervescent",
    "orally",
    "disintegrating",
    "solution",
    "suspension",
    "syrup",
    "liquid",
    "elixir",
    "drops",
    "injection",
    "injectable",
    "prefilled",
    "syringe",
    "pen",
    "vial",
    "ampoule",
    "inhaler",
    "inhalation",
    "powder",
    "aerosol",
    "metered",
    "dose",
    "spray",
    "nasal",
    "patch",
    "transdermal",
    "cream",
    "ointment",
    "gel",
    "topical",
    "suppository",
    "rectal",
    "vaginal",
    "ophthalmic",
    "otic",
    "extended",
    "release",
    "delayed",
    "modified",
    "prolonged",
    "sustained",
    "controlled",
    "immediate",
    "er",
    "xr",
    "xl",
    "sr",
    "cr",
    "dr",
    "la",
    "cd",
    "ir",
    "od",
    "hr",
    "mg",
    "mcg",
    "µg",
    "ug",
    "g",
    "ml",
    "l",
    "unt",
    "unit",
    "units",
    "iu",
    "meq",
    "mmol",
    "%",
    "actuat",
    "actuation",
    "puff",
    "puffs",
    "strength",
    "extra",
    "maximum",
    "regular",
    "junior",
    "adult",
    "adults",
    "children",
    "childrens",
    "pediatric",
    "paediatric",
    "generic",
    "brand",
    "pack",
    "day",
    "daily",
    "each",
    "per",
];

/// Whether `word` says only how much or in what form (`75`, `75mg`, `0.5`, `tablet`).
fn is_noise(word: &str) -> bool {
    let bare = word.trim_matches(|c: char| matches!(c, '.' | ',' | '(' | ')' | '-'));
    if bare.is_empty() || FORM_WORDS.contains(&bare) {
        return true;
    }
    // A number, or a number glued to a unit ("500mg", "5mg/ml", "10%").
    let digits_end = bare
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(bare.len());
    if digits_end == 0 {
        return false;
    }
    let unit = &bare[digits_end..];
    unit.is_empty()
        || unit.split('/').all(|u| {
            u.is_empty() || FORM_WORDS.contains(&u) || u.chars().all(|c| c.is_ascii_digit())
        })
}

impl Vocabulary {
    pub fn parse(tables: &Tables) -> Result<Vocabulary> {
        let mut drugs = Vec::new();
        let mut by_ingredient = HashMap::new();
        for fields in rows(&tables.drugs) {
            let [name, rxnorm, atc, classes] = fields[..] else {
                return Err(malformed("drugs"));
            };
            let name = name.trim().to_lowercase();
            if name.is_empty() || by_ingredient.insert(name.clone(), drugs.len()).is_some() {
                return Err(malformed("drugs"));
            }
            let split = |text: &str| {
                text.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            };
            drugs.push(Drug {
                name,
                rxnorm: (!rxnorm.trim().is_empty()).then(|| rxnorm.trim().to_owned()),
                atc: split(atc),
                classes: split(classes),
            });
        }
        let ingredients_of = |text: &str, table: &str| -> Result<Vec<usize>> {
            let found = text
                .split(';')
                .map(|n| {
                    by_ingredient
                        .get(n.trim())
                        .copied()
                        .ok_or_else(|| malformed(table))
                })
                .collect::<Result<Vec<usize>>>()?;
            if found.is_empty() {
                return Err(malformed(table));
            }
            Ok(found)
        };
        let mut names = Vec::new();
        for fields in rows(&tables.drug_names) {
            let [name, ingredients, kind] = fields[..] else {
                return Err(malformed("drug_names"));
            };
            names.push(OtherName {
                name: name.trim().to_owned(),
                ingredients: ingredients_of(ingredients, "drug_names")?,
                brand: match kind {
                    "brand" => true,
                    "synonym" => false,
                    _ => return Err(malformed("drug_names")),
                },
            });
        }
        let mut products = Vec::new();
        for fields in rows(&tables.drug_codes) {
            let [rxcui, tty, name, ingredients] = fields[..] else {
                return Err(malformed("drug_codes"));
            };
            products.push(Product {
                rxcui: rxcui.trim().to_owned(),
                tty: tty.trim().to_owned(),
                name: name.trim().to_owned(),
                ingredients: ingredients_of(ingredients, "drug_codes")?,
            });
        }
        let mut vocabulary = Vocabulary {
            drugs,
            products,
            names,
            by_ingredient,
            by_rxcui: HashMap::new(),
            by_atc: HashMap::new(),
            by_name: HashMap::new(),
        };
        vocabulary.index();
        Ok(vocabulary)
    }

    fn index(&mut self) {
        for (index, drug) in self.drugs.iter().enumerate() {
            if let Some(code) = &drug.rxnorm {
                self.by_rxcui
                    .entry(code.clone())
                    .or_insert_with(|| vec![index]);
            }
            for code in drug.atc.iter().filter(|c| c.len() == 7) {
                self.by_atc.entry(code.clone()).or_default().push(index);
            }
            self.by_name.insert(normalise(&drug.name), vec![index]);
        }
        for product in &self.products {
            self.by_rxcui
                .entry(product.rxcui.clone())
                .or_insert_with(|| product.ingredients.clone());
        }
        for other in &self.names {
            // A generic name always wins over another name spelled the same.
            self.by_name
                .entry(normalise(&other.name))
                .or_insert_with(|| other.ingredients.clone());
        }
    }

    /// The ingredient with this generic name.
    pub fn ingredient(&self, name: &str) -> Option<&Drug> {
        self.by_ingredient.get(name).map(|&i| &self.drugs[i])
    }

    /// The index of the ingredient with this generic name.
    pub fn ingredient_index(&self, name: &str) -> Option<usize> {
        self.by_ingredient.get(name).copied()
    }

    /// Every class tag some drug has.
    pub fn classes(&self) -> BTreeSet<&str> {
        self.drugs
            .iter()
            .flat_map(|d| d.classes.iter().map(String::as_str))
            .collect()
    }

    /// The ingredients a name stands for, read whole.
    pub fn named(&self, name: &str) -> Option<&[usize]> {
        self.by_name.get(&normalise(name)).map(Vec::as_slice)
    }

    /// The ingredients an RxNorm code stands for.
    pub fn coded(&self, rxcui: &str) -> Option<&[usize]> {
        self.by_rxcui.get(rxcui).map(Vec::as_slice)
    }

    fn found(&self, indexes: &[usize], by: &'static str) -> Recognition {
        let mut ingredients: Vec<String> = indexes
            .iter()
            .map(|&i| self.drugs[i].name.clone())
            .collect();
        crate::order::sort(&mut ingredients);
        ingredients.dedup();
        Recognition::Recognised { ingredients, by }
    }

    /// See the module docs.
    pub fn recognise(&self, medicine: &MedicineInfo) -> Recognition {
        if let Some(found) = medicine.drug_id.as_deref().and_then(|id| self.by_id(id)) {
            return self.found(&found, "the drug chosen in the search");
        }
        if let Some(found) = medicine.rxnorm.as_deref().and_then(|code| self.coded(code)) {
            return self.found(found, "RxNorm code");
        }
        if let Some(code) = medicine.atc.as_deref()
            && let Some([one]) = self.by_atc.get(code).map(Vec::as_slice)
        {
            return self.found(&[*one], "ATC code");
        }
        match self.read_name(&medicine.name) {
            Ok((found, by)) => self.found(&found, by),
            Err(reason) => Recognition::NotRecognised {
                reason: match (&medicine.rxnorm, reason) {
                    (Some(_), reason) => {
                        format!("its RxNorm code is not in Regimen's drug list, and {reason}")
                    }
                    (None, reason) => reason,
                },
            },
        }
    }

    /// The ingredients of a search result's id.
    pub fn by_id(&self, id: &str) -> Option<Vec<usize>> {
        let (kind, value) = id.split_once(':')?;
        match kind {
            "in" => self.ingredient_index(value).map(|i| vec![i]),
            "rx" => self.coded(value).map(<[usize]>::to_vec),
            "name" => self.named(value).map(<[usize]>::to_vec),
            _ => None,
        }
    }

    /// Reads a medicine's name (see the module docs): its ingredients and how, or why not.
    fn read_name(&self, name: &str) -> std::result::Result<(Vec<usize>, &'static str), String> {
        let text = normalise(name);
        if let Some(found) = self.by_name.get(&text) {
            return Ok((found.clone(), "name"));
        }
        // An RxNorm product name carries its brand in brackets.
        if let (Some(open), true) = (name.find('['), name.trim_end().ends_with(']')) {
            let brand = &name[open + 1..name.trim_end().len() - 1];
            if let Some(found) = self.named(brand) {
                return Ok((found.to_vec(), "brand name"));
            }
        }
        if let Some(found) = self.name_with_noise(&text) {
            return Ok((found, "name"));
        }
        // Components: "acetaminophen 300 MG / codeine phosphate 30 MG", "abacavir + lamivudine",
        // "amlodipine and benazepril".
        let parts: Vec<&str> = split_components(&text);
        if parts.len() > 1 {
            let mut all = Vec::new();
            for part in &parts {
                match self.name_with_noise(part) {
                    Some(found) => all.extend(found),
                    None => {
                        return Err(
                            "one of the parts of its name is not a medicine Regimen knows".into(),
                        );
                    }
                }
            }
            return Ok((all, "its components"));
        }
        // A known name followed by words Regimen cannot read.
        let words: Vec<&str> = text.split(' ').collect();
        for end in (1..words.len()).rev() {
            if self.by_name.contains_key(&words[..end].join(" ")) {
                return Err(format!(
                    "its name starts like a medicine Regimen knows, but the rest (\"{}\") is not understood, and the product may contain other ingredients",
                    words[end..].join(" ")
                ));
            }
        }
        Err("Regimen does not recognise its name".into())
    }

    /// A name whose words beyond a known name are only strengths and forms ("Metformin 500
    /// mg tablets", "24 HR metoprolol succinate 100 MG Extended Release Oral Tablet").
    fn name_with_noise(&self, text: &str) -> Option<Vec<usize>> {
        let kept: Vec<&str> = text.split(' ').filter(|w| !is_noise(w)).collect();
        if kept.is_empty() {
            return None;
        }
        self.by_name.get(&kept.join(" ")).cloned()
    }
}

/// The components of a combination written out: split at ` / `, `/`, `+`, ` and `,
/// ` with `, `&`.
fn split_components(text: &str) -> Vec<&str> {
    let mut parts = vec![text];
    for separator in [" / ", "/", " + ", "+", " and ", " with ", " & "] {
        parts = parts
            .into_iter()
            .flat_map(|p| p.split(separator))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strengths_and_forms_are_noise_and_names_are_not() {
        for word in ["75", "75mg", "5mg/ml", "0.5", "tablet", "er", "10%", "mg"] {
            assert!(is_noise(word), "{word}");
        }
        for word in ["codeine", "cold", "flu", "pm", "plus"] {
            assert!(!is_noise(word), "{word}");
        }
    }

    #[test]
    fn names_are_compared_without_case_accents_or_marks() {
        assert_eq!(normalise("Paracétamol®  500 MG"), "paracetamol 500 mg");
        assert_eq!(normalise("Tylenol® with Codeine"), "tylenol with codeine");
    }
}
