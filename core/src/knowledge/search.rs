//! Drug search for an "add a medicine" screen: generic names, INN spellings, salts and brands,
//! found by the start of the name or of any of its words, without regard to case or accents,
//! and with one typing slip forgiven (a letter missing, extra, wrong, or two swapped).
//!
//! The index is built once per base: every name normalised (see `vocabulary::normalise`),
//! sorted for prefix look-ups, and for slips the symmetric-deletion neighbourhood of each word
//! (every word with one letter taken out), kept as sorted 64-bit hashes: a query matches a
//! word when some one-letter deletion of one equals the other, or one of them whole. Hash
//! collisions only add candidates, which are checked by an edit distance.

use serde::{Deserialize, Serialize};

use super::vocabulary::{Vocabulary, normalise};

/// What kind of name a search result is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum DrugMatchKind {
    /// A generic (ingredient) name.
    Ingredient,
    /// A brand; with several ingredients, a combination product.
    Brand,
    /// Another name of an ingredient: an INN spelling, a salt.
    OtherName,
}

/// A product of a search result: an RxNorm clinical or branded drug.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DrugProduct {
    /// Its RxNorm code (RxCUI).
    pub rxnorm: String,
    /// RxNorm's name of it (`clopidogrel 75 MG Oral Tablet`).
    pub name: String,
}

crate::redact::redacted_display!(DrugProduct);

/// One search result.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DrugMatch {
    /// Pass it as `MedicineInfo.drug_id` to add the medicine as this drug.
    pub id: String,
    /// The name found (`Plavix`, `clopidogrel`).
    pub name: String,
    /// What kind of name it is.
    pub kind: DrugMatchKind,
    /// Its active ingredients, generic names.
    pub ingredients: Vec<String>,
    /// The ingredient's RxNorm code, for a single-ingredient drug.
    pub rxnorm: Option<String>,
    /// Its ATC codes, for a single-ingredient drug.
    pub atc: Vec<String>,
    /// Products with these ingredients (for a brand, that brand's) that Regimen knows, with
    /// their strengths and forms in RxNorm's words; at most 30.
    pub products: Vec<DrugProduct>,
}

crate::redact::redacted_display!(DrugMatch, kind);

/// A searchable name.
#[derive(Debug)]
struct Entry {
    shown: String,
    key: String,
    kind: DrugMatchKind,
    ingredients: Vec<usize>,
}

/// The search index of one vocabulary.
#[derive(Debug)]
pub(crate) struct Index {
    entries: Vec<Entry>,
    /// Whole keys, sorted, with their entry.
    keys: Vec<(String, u32)>,
    /// Each word of each key, sorted, with its entry.
    words: Vec<(String, u32)>,
    /// Hashes of every word and of its one-letter deletions, sorted, with the word's index in
    /// `words`.
    deletions: Vec<(u64, u32)>,
    /// Clinical and branded drugs and packs by their sorted ingredients.
    products_of: std::collections::HashMap<Vec<usize>, Vec<u32>>,
}

/// FNV-1a, 64 bits: cheap and good enough to spread words; collisions are checked.
fn hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// `word` and every string with one of its letters taken out.
fn with_deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    std::iter::once(word.to_owned()).chain(chars.clone().into_iter().map(move |(at, c)| {
        let mut shorter = String::with_capacity(word.len());
        shorter.push_str(&word[..at]);
        shorter.push_str(&word[at + c.len_utf8()..]);
        shorter
    }))
}

/// Whether `a` and `b` are at most one edit apart (insertion, deletion, substitution, or two
/// adjacent letters swapped).
fn one_slip_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (x, y) = (&a[start..], &b[start..]);
    match x.len().abs_diff(y.len()) {
        0 if x.is_empty() => true,
        0 => x[1..] == y[1..] || (x.len() >= 2 && x[0] == y[1] && x[1] == y[0] && x[2..] == y[2..]),
        1 if x.len() > y.len() => x[1..] == *y,
        1 => y[1..] == *x,
        _ => false,
    }
}

/// Ingredient indexes, sorted and without repeats.
fn sorted(ingredients: &[usize]) -> Vec<usize> {
    let mut out = ingredients.to_vec();
    crate::order::sort(&mut out);
    out.dedup();
    out
}

/// Shortest word forgiven a slip (shorter words match too much).
const MIN_SLIP_WORD: usize = 4;

impl Index {
    pub fn build(vocabulary: &Vocabulary) -> Index {
        let mut entries: Vec<Entry> = vocabulary
            .drugs
            .iter()
            .enumerate()
            .map(|(index, drug)| Entry {
                shown: drug.name.clone(),
                key: normalise(&drug.name),
                kind: DrugMatchKind::Ingredient,
                ingredients: vec![index],
            })
            .collect();
        entries.extend(vocabulary.names.iter().map(|other| Entry {
            shown: other.name.clone(),
            key: normalise(&other.name),
            kind: if other.brand {
                DrugMatchKind::Brand
            } else {
                DrugMatchKind::OtherName
            },
            ingredients: other.ingredients.clone(),
        }));
        let mut keys: Vec<(String, u32)> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key.clone(), i as u32))
            .collect();
        keys.sort();
        let mut words: Vec<(String, u32)> = entries
            .iter()
            .enumerate()
            .flat_map(|(i, e)| {
                e.key
                    .split([' ', '-', '/'])
                    .filter(|w| w.chars().count() >= 2)
                    .map(move |w| (w.to_owned(), i as u32))
                    .collect::<Vec<_>>()
            })
            .collect();
        words.sort();
        words.dedup();
        let mut deletions: Vec<(u64, u32)> = Vec::new();
        for (index, (word, _)) in words.iter().enumerate() {
            if word.chars().count() < MIN_SLIP_WORD {
                continue;
            }
            // Each distinct word once: its entries are its neighbours in `words`.
            if index > 0 && words[index - 1].0 == *word {
                continue;
            }
            deletions.extend(with_deletions(word).map(|d| (hash(&d), index as u32)));
        }
        deletions.sort_unstable();
        deletions.dedup();
        let mut products_of: std::collections::HashMap<Vec<usize>, Vec<u32>> =
            std::collections::HashMap::new();
        for (index, product) in vocabulary.products.iter().enumerate() {
            if matches!(product.tty.as_str(), "SCD" | "SBD" | "GPCK" | "BPCK") {
                products_of
                    .entry(sorted(&product.ingredients))
                    .or_default()
                    .push(index as u32);
            }
        }
        Index {
            entries,
            keys,
            words,
            deletions,
            products_of,
        }
    }

    /// Entries whose sorted `list` key starts with `prefix`.
    fn starting<'a>(
        list: &'a [(String, u32)],
        prefix: &str,
    ) -> impl Iterator<Item = &'a (String, u32)> {
        let from = list.partition_point(|(k, _)| k.as_str() < prefix);
        list[from..]
            .iter()
            .take_while(move |(k, _)| k.starts_with(prefix))
    }

    pub fn search(&self, vocabulary: &Vocabulary, query: &str, limit: usize) -> Vec<DrugMatch> {
        let query = normalise(query);
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        // (rank, entry): 0 the whole name, 1 the start of the name, 2 the start of a word,
        // 3 one slip from a word.
        let mut found: Vec<(u8, u32)> = Vec::new();
        for (key, entry) in Self::starting(&self.keys, &query) {
            found.push((u8::from(*key != query), *entry));
        }
        if !query.contains(' ') {
            for (_, entry) in Self::starting(&self.words, &query) {
                found.push((2, *entry));
            }
            if query.chars().count() >= MIN_SLIP_WORD {
                for deletion in with_deletions(&query) {
                    let h = hash(&deletion);
                    let from = self.deletions.partition_point(|(d, _)| *d < h);
                    for (_, word) in self.deletions[from..].iter().take_while(|(d, _)| *d == h) {
                        let index = *word as usize;
                        let text = &self.words[index].0;
                        if !one_slip_apart(text, &query) {
                            continue;
                        }
                        // Every entry with this word.
                        for (_, entry) in self.words[index..].iter().take_while(|(w, _)| w == text)
                        {
                            found.push((3, *entry));
                        }
                    }
                }
            }
        }
        crate::order::sort_by_key(&mut found, |(rank, entry)| {
            let e = &self.entries[*entry as usize];
            (*rank, e.kind, e.key.len(), e.key.clone())
        });
        let mut seen = std::collections::HashSet::new();
        found
            .into_iter()
            .filter(|(_, entry)| seen.insert(*entry))
            .take(limit)
            .map(|(_, entry)| self.matched(vocabulary, &self.entries[entry as usize]))
            .collect()
    }

    fn matched(&self, vocabulary: &Vocabulary, entry: &Entry) -> DrugMatch {
        let ingredients = sorted(&entry.ingredients);
        let single = match ingredients.as_slice() {
            [one] => Some(&vocabulary.drugs[*one]),
            _ => None,
        };
        let brand_tag = format!("[{}]", entry.shown.to_lowercase());
        let products = self
            .products_of
            .get(&ingredients)
            .map(|all| all.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|&p| &vocabulary.products[p as usize])
            .filter(|p| match entry.kind {
                DrugMatchKind::Brand => p.name.to_lowercase().ends_with(&brand_tag),
                _ => !p.name.contains('['),
            })
            .take(30)
            .map(|p| DrugProduct {
                rxnorm: p.rxcui.clone(),
                name: p.name.clone(),
            })
            .collect();
        DrugMatch {
            id: match (entry.kind, single) {
                (DrugMatchKind::Ingredient, Some(drug)) => format!("in:{}", drug.name),
                _ => format!("name:{}", entry.key),
            },
            name: entry.shown.clone(),
            kind: entry.kind,
            ingredients: ingredients
                .iter()
                .map(|&i| vocabulary.drugs[i].name.clone())
                .collect(),
            rxnorm: single.and_then(|d| d.rxnorm.clone()),
            atc: single.map(|d| d.atc.clone()).unwrap_or_default(),
            products,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_slip_is_forgiven_and_two_are_not() {
        assert!(one_slip_apart("codeine", "codein"));
        assert!(one_slip_apart("codeine", "codiene"));
        assert!(one_slip_apart("codeine", "coeine"));
        assert!(one_slip_apart("codeine", "codeune"));
        assert!(!one_slip_apart("codeine", "cdeien"));
        assert!(!one_slip_apart("codeine", "morphine"));
    }
}
