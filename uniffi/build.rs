//! Link options for the shipped library.
//!
//! Static tables full of pointers (time-zone data, serde and uniffi vtables) need one dynamic
//! relocation per pointer: 24 bytes each in a classic `.rela.dyn`, about a ninth of the
//! library. Packed relative relocations (RELR: `-z pack-relative-relocs`) store them as a
//! bitmap instead. Linux (glibc 2.36) and Android (API 28; the NDK's lld packs for API 23+ with
//! `--pack-dyn-relocs=android`) read them. The flag is given for Linux targets (GNU ld and lld
//! both understand it); Android builds are left to the NDK's defaults, as no NDK is here to
//! check a flag against.
//!
//! The binding generator reads the API from a static per exported item (`UNIFFI_META_*`,
//! 93 KiB and as many dynamic symbols). uniffi exports them, so they stay in every library,
//! although the app never reads them: its bindings are generated from the debug library.
//! Release libraries linked by lld (Android's NDK; rustc's own rust-lld, the default for
//! x86_64 Linux) get a second version script, `metadata-symbols.map`, that makes those
//! symbols local by name; the linker then drops them as unreferenced. lld gives a name listed
//! as local precedence over the same name listed as global by rustc's script (it warns, and the
//! warning is not shown). GNU ld refuses two version scripts, so other Linux targets, which
//! link with it by default, keep the metadata. `--undefined-version` lets a name the list
//! still holds after its item was removed pass; tests/run keeps the list equal to the debug
//! library's, and tests/size.sh checks that the release library has none of them left.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=metadata-symbols.map");
    let target = std::env::var("TARGET").unwrap_or_default();
    let linked_by_lld = os == "android" || target == "x86_64-unknown-linux-gnu";
    let release = std::env::var("PROFILE").is_ok_and(|profile| profile == "release");
    if linked_by_lld && release {
        let map = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
            .join("metadata-symbols.map");
        println!(
            "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
            map.display()
        );
        println!("cargo:rustc-cdylib-link-arg=-Wl,--undefined-version");
    }
}
