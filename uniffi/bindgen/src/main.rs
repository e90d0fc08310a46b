//! `uniffi-bindgen`: generates the Kotlin and Swift bindings from the built `regimen_ffi`
//! library (library mode). Build it on its own (`cargo build -p uniffi-bindgen`) and call
//! `target/debug/uniffi-bindgen` directly.

fn main() {
    uniffi::uniffi_bindgen_main()
}
