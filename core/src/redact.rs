//! Printing records that hold health data. A record's `Display` is what Kotlin's `toString`
//! and Swift's `description` show (exported with `uniffi::export(Display)`), so an app's
//! `Log.d("$event")` must not print a medicine name, a dose, a note or a genotype: these
//! records print their name, the listed harmless fields (ids, kinds, instants) and `…` for the
//! rest. Patient-facing text is made elsewhere, on purpose (`Quantity::describe`).

/// Implements a redacting `Display` for `$type`: `Name(id=3, action=Taken, …)`, showing only
/// the listed fields (with their `Debug` form).
macro_rules! redacted_display {
    ($type:ty $(, $field:ident)* $(,)?) => {
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(stringify!($type))?;
                f.write_str("(")?;
                $( write!(f, "{}={:?}, ", stringify!($field), self.$field)?; )*
                f.write_str("…)")
            }
        }
    };
}

pub(crate) use redacted_display;

#[cfg(test)]
mod tests {
    struct Sample {
        id: i64,
        secret: String,
    }

    redacted_display!(Sample, id);

    #[test]
    fn only_the_listed_fields_are_printed() {
        let sample = Sample {
            id: 7,
            secret: "abacavir".into(),
        };
        assert_eq!(sample.to_string(), "Sample(id=7, …)");
        assert!(!sample.to_string().contains(&sample.secret));
    }
}
