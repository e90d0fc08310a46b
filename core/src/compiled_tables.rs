//! The knowledge tables compiled into the library (`core/knowledge/*.tsv`), stored deflated by
//! the build script and inflated when a table is asked for: as text they were a sixth of the
//! library, and a phone app ships the library once per ABI.

/// The text of the compiled table `$file` (a literal such as `"drugs.tsv"`).
macro_rules! compiled_table {
    ($file:literal) => {
        $crate::compiled_tables::inflate(
            $file,
            include_bytes!(concat!(env!("OUT_DIR"), "/", $file, ".deflate")),
        )
    };
}

pub(crate) use compiled_table;

/// Inflates `packed`, the compiled form of the table `name`. The input is the build's own
/// output (and a test inflates every table), so a failure can only be a broken build: it
/// panics, naming the table.
pub(crate) fn inflate(name: &str, packed: &[u8]) -> String {
    let bytes = miniz_oxide::inflate::decompress_to_vec(packed)
        .unwrap_or_else(|_| panic!("the compiled table {name} does not inflate"));
    String::from_utf8(bytes).unwrap_or_else(|_| panic!("the compiled table {name} is not UTF-8"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_compiled_table_inflates_to_its_source_text() {
        macro_rules! same {
            ($($file:literal),*) => {$(
                assert_eq!(
                    compiled_table!($file),
                    include_str!(concat!("../knowledge/", $file)),
                    $file
                );
            )*};
        }
        same!(
            "allele_aliases.tsv",
            "allele_functions.tsv",
            "drug_codes.tsv",
            "drug_gene_rules.tsv",
            "drug_names.tsv",
            "drugs.tsv",
            "duplicate_groups.tsv",
            "guidelines.tsv",
            "inhibitors.tsv",
            "interactions.tsv",
            "sources.tsv"
        );
    }
}
