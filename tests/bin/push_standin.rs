//! `regimen-push-standin`: the loopback Web Push service stand-in as a program, so two
//! databases on one laptop can play patient and caregiver end to end:
//!
//! ```text
//! regimen-push-standin --dir /tmp/pushed [--port 8030]
//! ```
//!
//! Any `http://127.0.0.1:PORT/push/NAME` is an endpoint (its subscription is made on the first
//! push, with that push's VAPID key); each accepted body is written to `DIR/NNNNN-NAME.bin`
//! (numbered in arrival order), ready for `regimen share receive`. Stop it with Ctrl-C.

use std::path::PathBuf;

use regimen_tests::push_service::PushService;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut port = 0u16;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--dir", Some(value)) => dir = Some(PathBuf::from(value)),
            ("--port", Some(value)) => match value.parse() {
                Ok(value) => port = value,
                Err(_) => return usage("--port takes a number"),
            },
            _ => return usage("unknown argument"),
        }
    }
    let Some(dir) = dir else {
        return usage("--dir is required");
    };
    if let Err(error) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {error}", dir.display());
        return std::process::ExitCode::FAILURE;
    }
    let service = match PushService::start_on(port, Some(dir.clone())) {
        Ok(service) => service,
        Err(error) => {
            eprintln!("cannot listen on 127.0.0.1:{port}: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!(
        "Push service stand-in at {0}; endpoints are {0}/push/NAME; bodies go to {1}",
        service.origin(),
        dir.display()
    );
    loop {
        std::thread::park();
    }
}

fn usage(problem: &str) -> std::process::ExitCode {
    eprintln!("{problem}\nusage: regimen-push-standin --dir DIR [--port PORT]");
    std::process::ExitCode::from(2)
}
