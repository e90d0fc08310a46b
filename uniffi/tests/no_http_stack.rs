//! The library phones ship (regimen-ffi with its default features) carries no HTTP or TLS
//! stack: its network calls go through the app's `HttpClient`. This reads the dependency
//! graph cargo resolves for that build and fails if an HTTP, TLS or async-runtime crate is in
//! it, so one added by accident (directly or through another crate's features) is seen.

use std::process::Command;

const HTTP_STACK: &[&str] = &[
    "reqwest",
    "hyper",
    "hyper-util",
    "h2",
    "http",
    "rustls",
    "webpki-roots",
    "webpki-root-certs",
    "tokio",
    "async-compat",
    "ureq",
    "url",
];

#[test]
fn the_shipped_library_has_no_http_or_tls_crate() {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "-p",
            "regimen-ffi",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "cargo tree failed");
    let tree = String::from_utf8(output.stdout).expect("cargo tree prints UTF-8");
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(
        crates.contains(&"regimen-core"),
        "the tree was read: {crates:?}"
    );
    let found: Vec<&&str> = HTTP_STACK
        .iter()
        .filter(|name| crates.contains(name))
        .collect();
    assert!(found.is_empty(), "the phone library pulls in {found:?}");
}
