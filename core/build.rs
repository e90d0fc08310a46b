//! Compresses the knowledge tables (`knowledge/*.tsv`) into `OUT_DIR`, so the library carries
//! them deflated (about a quarter of their size) and `compiled_tables` inflates each on first use.

use std::path::Path;

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let dir = Path::new("knowledge");
    println!("cargo:rerun-if-changed=knowledge");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("core/knowledge exists")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "tsv"))
        .collect();
    names.sort();
    for path in names {
        let text = std::fs::read(&path).expect("a readable table");
        let packed = miniz_oxide::deflate::compress_to_vec(&text, 10);
        let name = path.file_name().expect("a file name");
        std::fs::write(
            Path::new(&out).join(name).with_extension("tsv.deflate"),
            packed,
        )
        .expect("OUT_DIR is writable");
    }
}
