//! `regimen kb ...`: knowledge-base bundles. `keygen`, `build`, `sign` and `verify` need no
//! database (they are for whoever publishes updates; `build` without a key writes the
//! unsigned payload so it can be reviewed and signed on a machine that keeps the key
//! offline); `install`, `update` and `info` work on the patient's database, trusting the
//! public keys in `REGIMEN_KB_KEYS` (comma-separated hex).

use std::path::{Path, PathBuf};

use clap::Subcommand;
use regimen_core::knowledge::{Bundle, Tables, generate_signing_key, public_key_of, sign, verify};

use crate::output::print_json;
use crate::session::Session;
use crate::{Failure, Outcome, block_on};

/// The environment variable holding the trusted public keys.
pub const KEYS_ENV: &str = "REGIMEN_KB_KEYS";

#[derive(Subcommand)]
pub enum KbCommand {
    /// Make a signing key: writes it (hex, readable by you only) and prints its public key.
    Keygen {
        /// Where to write the signing key.
        #[arg(long)]
        out: PathBuf,
    },
    /// Build a bundle from the project's knowledge tables: signed with `--key`, else the
    /// unsigned payload (JSON) for `kb sign`.
    Build {
        /// The folder with allele_functions.tsv, drugs.tsv, drug_gene_rules.tsv,
        /// inhibitors.tsv and interactions.tsv.
        #[arg(long, default_value = "core/knowledge")]
        from: PathBuf,
        /// The bundle's version (must be newer than what phones have).
        #[arg(long)]
        bundle_version: u64,
        /// Where its facts come from.
        #[arg(long)]
        source: String,
        /// The signing key file (from `kb keygen`); without it the payload is written unsigned.
        #[arg(long)]
        key: Option<PathBuf>,
        /// Where to write the bundle.
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign an unsigned payload written by `kb build` without a key.
    Sign {
        /// The unsigned payload.
        file: PathBuf,
        /// The signing key file (from `kb keygen`).
        #[arg(long)]
        key: PathBuf,
        /// Where to write the signed bundle.
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a bundle against a public key and show what it holds.
    Verify {
        /// The bundle.
        file: PathBuf,
        /// The trusted public key (hex).
        #[arg(long)]
        trust: String,
    },
    /// Install a bundle into the database (trusting the keys in REGIMEN_KB_KEYS).
    Install {
        /// The bundle.
        file: PathBuf,
    },
    /// Fetch a newer bundle from an HTTPS URL and install it (trusting REGIMEN_KB_KEYS).
    Update {
        /// Where the publisher serves the bundle (the same URL for every user).
        url: String,
    },
    /// Show which knowledge base is in use.
    Info,
}

/// The trusted keys from the environment.
pub fn trusted_keys() -> Vec<String> {
    std::env::var(KEYS_ENV)
        .map(|keys| {
            keys.split(',')
                .map(|k| k.trim().to_owned())
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    crate::files::read_bytes(path, regimen_core::knowledge::MAX_BUNDLE_BYTES)
}

fn read_text(path: &Path) -> Result<String, Failure> {
    crate::files::read_text(path, regimen_core::knowledge::MAX_BUNDLE_BYTES)
}

fn write(path: &Path, bytes: &[u8], private: bool) -> Outcome {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    use std::io::Write;
    options
        .open(path)
        .and_then(|mut file| file.write_all(bytes))
        .map_err(|error| Failure::Cli(format!("cannot write {}: {error}", path.display())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    (text.len() % 2 == 0 && text.is_ascii())
        .then(|| {
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
                .collect()
        })
        .flatten()
}

/// Signs `bundle` with the key in `key_file` and writes it to `out`.
fn sign_to(bundle: &Bundle, key_file: &Path, out: &Path) -> Outcome {
    let key = unhex(&read_text(key_file)?)
        .ok_or_else(|| Failure::Cli("the key file does not hold hex".into()))?;
    let signed = sign(bundle, &key)?;
    write(out, &signed, false)?;
    println!(
        "Bundle version {} written to {} ({} bytes).",
        bundle.version,
        out.display(),
        signed.len()
    );
    Ok(())
}

/// The commands that need no database.
pub fn run_offline(command: &KbCommand, json: bool) -> Option<Outcome> {
    Some(match command {
        KbCommand::Keygen { out } => (|| {
            let key = generate_signing_key()?;
            write(out, format!("{}\n", hex(&key)).as_bytes(), true)?;
            let public = public_key_of(&key)?;
            if json {
                print_json(&serde_json::json!({ "public_key": public }));
            } else {
                println!(
                    "Signing key written to {}. Public key (for apps to trust):\n{public}",
                    out.display()
                );
            }
            Ok(())
        })(),
        KbCommand::Build {
            from,
            bundle_version: version,
            source,
            key,
            out,
        } => (|| {
            let table = |name: &str| read_text(&from.join(format!("{name}.tsv")));
            let bundle = Bundle {
                version: *version,
                created: chrono::Utc::now().date_naive().to_string(),
                source: source.clone(),
                tables: Tables {
                    allele_functions: table("allele_functions")?,
                    allele_aliases: table("allele_aliases")?,
                    drugs: table("drugs")?,
                    drug_names: table("drug_names")?,
                    drug_codes: table("drug_codes")?,
                    drug_gene_rules: table("drug_gene_rules")?,
                    guidelines: table("guidelines")?,
                    inhibitors: table("inhibitors")?,
                    interactions: table("interactions")?,
                    duplicate_groups: table("duplicate_groups")?,
                    sources: table("sources")?,
                },
            };
            match key {
                Some(key) => sign_to(&bundle, key, out),
                None => {
                    let payload = serde_json::to_vec_pretty(&bundle)
                        .map_err(|_| Failure::Cli("could not write the payload".into()))?;
                    write(out, &payload, false)?;
                    println!(
                        "Unsigned bundle version {version} written to {}; sign it with `regimen kb sign`.",
                        out.display()
                    );
                    Ok(())
                }
            }
        })(),
        KbCommand::Sign { file, key, out } => (|| {
            let bundle: Bundle = serde_json::from_slice(&read(file)?).map_err(|_| {
                Failure::Cli(format!(
                    "{} is not an unsigned bundle from `regimen kb build`",
                    file.display()
                ))
            })?;
            sign_to(&bundle, key, out)
        })(),
        KbCommand::Verify { file, trust } => (|| {
            let bundle = verify(&read(file)?, std::slice::from_ref(trust))?;
            if json {
                print_json(
                    &serde_json::json!({ "version": bundle.version, "created": bundle.created, "source": bundle.source }),
                );
            } else {
                println!(
                    "Valid bundle: version {}, built {}, {}.",
                    bundle.version, bundle.created, bundle.source
                );
            }
            Ok(())
        })(),
        KbCommand::Install { .. } | KbCommand::Update { .. } | KbCommand::Info => return None,
    })
}

/// The commands that work on the database.
pub fn run(session: &Session, command: &KbCommand) -> Outcome {
    let (info, installed) = match command {
        KbCommand::Install { file } => (
            session.regimen.install_knowledge_bundle(read(file)?)?,
            Some(true),
        ),
        KbCommand::Update { url } => {
            let update = block_on(
                session
                    .regimen
                    .update_knowledge(url.to_owned(), regimen_ffi::native_http()),
            )??;
            (update.info, Some(update.installed))
        }
        _ => (session.regimen.knowledge_info()?, None),
    };
    if session.json {
        let mut json = serde_json::json!({ "version": info.version, "source": info.source, "updated": info.updated });
        if let Some(installed) = installed {
            json["installed"] = installed.into();
        }
        print_json(&json);
    } else {
        if installed == Some(false) {
            println!("No newer knowledge base on the server.");
        }
        println!("Knowledge base version {}: {}.", info.version, info.source);
    }
    Ok(())
}
