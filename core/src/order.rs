//! Sorting with one copy of the sort's machine code for the whole library.
//!
//! The standard library's `sort_by` is generic: every element type and every closure gets its
//! own copy of the whole algorithm (4 to 17 KiB each), and the library had about 480 of them
//! (docs/benchmarks.md, "Library size"). These functions sort a permutation of indices through
//! [`permutation`], the one place that calls the standard sort, and then move the elements
//! into place; what is generic per call is only the comparison and the moving, a few hundred
//! bytes. The price is an indirect call per comparison; input already in order (the common
//! case on the hot paths: a day's doses, the adherence rows, the plan's candidates) returns
//! after one pass. Only the search index's sorts, tens of thousands of keys once per process,
//! keep the standard sort.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` by `compare`, stably: equal items keep their order.
pub(crate) fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    if items
        .windows(2)
        .all(|pair| compare(&pair[0], &pair[1]) != Ordering::Greater)
    {
        return;
    }
    let order = permutation(items.len(), &|a, b| compare(&items[a], &items[b]));
    apply(items, order);
}

/// Sorts `items` by the key `key` gives each, stably.
pub(crate) fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in their natural order, stably.
pub(crate) fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// Sorts `items` by a key computed once per item (for keys that cost an allocation), stably.
pub(crate) fn sort_by_cached_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    let keys: Vec<K> = items.iter().map(key).collect();
    let order = permutation(items.len(), &|a, b| keys[a].cmp(&keys[b]));
    apply(items, order);
}

/// `items` as a map, without the sort `collect` runs first (it compiles the sort again for
/// each key type); a later duplicate key's value wins, as with `collect`.
pub(crate) fn map<K: Ord, V>(items: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(items);
    map
}

/// `items` as a set, without the sort `collect` runs first.
pub(crate) fn set<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    set.extend(items);
    set
}

/// The indices `0..len` in the order `compare` (which compares the items at two indices)
/// puts them, ties in index order.
#[inline(never)]
fn permutation(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Rearranges `items` so that place `i` holds what was at `order[i]`: each cycle of the
/// permutation is followed once with swaps, and a place is marked done by pointing it at
/// itself.
fn apply<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut place = start;
        loop {
            let source = order[place];
            order[place] = place;
            if source == start {
                break;
            }
            items.swap(place, source);
            place = source;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The standard library's stable sort is the oracle: same order, ties included (the
        /// second field tells equal keys apart).
        #[test]
        fn sorts_as_the_standard_stable_sort_does(
            items in prop::collection::vec((0u8..6, any::<u16>()), 0..200)
        ) {
            let mut expected = items.clone();
            expected.sort_by_key(|item| item.0);
            let mut got = items.clone();
            sort_by_key(&mut got, |item| item.0);
            prop_assert_eq!(&got, &expected);

            let mut cached = items.clone();
            sort_by_cached_key(&mut cached, |item| item.0.to_string());
            prop_assert_eq!(&cached, &expected);

            // Already in order: the one-pass check must not reorder equal keys.
            let mut again = expected.clone();
            sort_by_key(&mut again, |item| item.0);
            prop_assert_eq!(&again, &expected);

            let mut descending = items.clone();
            sort_by(&mut descending, |a, b| b.cmp(a));
            let mut expected = items;
            expected.sort_by(|a, b| b.cmp(a));
            prop_assert_eq!(descending, expected);
        }
    }

    #[test]
    fn maps_and_sets_hold_what_collect_would() {
        let pairs = [(3, "c"), (1, "a"), (3, "z"), (2, "b")];
        assert_eq!(map(pairs), pairs.into_iter().collect::<BTreeMap<_, _>>());
        assert_eq!(
            set([5, 1, 5, 3]),
            [5, 1, 5, 3].into_iter().collect::<BTreeSet<_>>()
        );
    }

    #[test]
    fn empty_single_and_owned_items_sort() {
        let mut none: Vec<String> = Vec::new();
        sort(&mut none);
        assert!(none.is_empty());
        let mut one = vec!["b".to_owned()];
        sort(&mut one);
        assert_eq!(one, ["b"]);
        let mut words: Vec<String> = ["pear", "apple", "fig", "apple"].map(String::from).into();
        sort(&mut words);
        assert_eq!(words, ["apple", "apple", "fig", "pear"]);
    }
}
