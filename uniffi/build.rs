//! Link options for the shipped library.
//!
//! Static tables full of pointers (time-zone data, serde and uniffi vtables) need one dynamic
//! relocation per pointer: 24 bytes each in a classic `.rela.dyn`, about a ninth of the
//! library. Packed relative relocations (RELR: `-z pack-relative-relocs`) store them as a
//! bitmap instead. Linux (glibc 2.36) and Android (API 28; the NDK's lld packs for API 23+ with
//! `--pack-dyn-relocs=android`) read them. The flag is given for Linux targets (GNU ld and lld
//! both understand it); Android builds are left to the NDK's defaults, as no NDK is here to
//! check a flag against.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs");
    }
}
