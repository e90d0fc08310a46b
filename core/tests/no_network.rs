//! Warnings are computed on the phone: regimen-core, where the checks live, cannot make a
//! network request. It depends on no networking crate and uses no socket API, so no call into
//! it (a check, a preview, an import) can reach the network. Requests are built by the FFI
//! crate's network calls, which say so, and carried by the app's `HttpClient`.

use std::path::Path;

const NETWORKING_CRATES: &[&str] = &[
    "reqwest", "hyper", "tokio", "ureq", "curl", "isahc", "surf", "rustls", "socket2",
];
const SOCKET_APIS: &[&str] = &[
    "std::net",
    "TcpStream",
    "UdpSocket",
    "TcpListener",
    "ToSocketAddrs",
];

#[test]
fn core_depends_on_no_networking_crate() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap();
    for name in NETWORKING_CRATES {
        assert!(
            !dependencies
                .lines()
                .any(|line| line.trim_start().starts_with(name)),
            "regimen-core must not depend on {name}"
        );
    }
}

#[test]
fn core_sources_use_no_socket_api() {
    fn visit(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for api in SOCKET_APIS {
                    if text.contains(api) {
                        found.push(format!("{} uses {api}", path.display()));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    visit(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(found.is_empty(), "{found:?}");
}
