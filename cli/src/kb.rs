//! `regimen kb ...`: knowledge-base bundles. `keygen`, `build` and `verify` need no database
//! (they are for whoever publishes updates); `install` and `info` work on the patient's
//! database, trusting the public keys in `REGIMEN_KB_KEYS` (comma-separated hex).

use std::path::{Path, PathBuf};

use clap::Subcommand;
use regimen_core::knowledge::{Bundle, Tables, generate_signing_key, public_key_of, sign, verify};

use crate::output::print_json;
use crate::session::Session;
use crate::{Failure, Outcome};

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
    /// Build and sign a bundle from the project's knowledge tables.
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
        /// The signing key file (from `kb keygen`).
        #[arg(long)]
        key: PathBuf,
        /// Where to write the bundle.
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
    std::fs::read(path)
        .map_err(|error| Failure::Cli(format!("cannot read {}: {error}", path.display())))
}

fn read_text(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|error| Failure::Cli(format!("cannot read {}: {error}", path.display())))
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
                    drugs: table("drugs")?,
                    drug_gene_rules: table("drug_gene_rules")?,
                    inhibitors: table("inhibitors")?,
                    interactions: table("interactions")?,
                },
            };
            let key = unhex(&read_text(key)?)
                .ok_or_else(|| Failure::Cli("the key file does not hold hex".into()))?;
            let signed = sign(&bundle, &key)?;
            write(out, &signed, false)?;
            println!(
                "Bundle version {version} written to {} ({} bytes).",
                out.display(),
                signed.len()
            );
            Ok(())
        })(),
        KbCommand::Verify { file, trust } => (|| {
            let bundle = verify(&read(file)?, &[trust.clone()])?;
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
        KbCommand::Install { .. } | KbCommand::Info => return None,
    })
}

/// The commands that work on the database.
pub fn run(session: &Session, command: &KbCommand) -> Outcome {
    let info = match command {
        KbCommand::Install { file } => session.regimen.install_knowledge_bundle(read(file)?)?,
        _ => session.regimen.knowledge_info()?,
    };
    if session.json {
        print_json(
            &serde_json::json!({ "version": info.version, "source": info.source, "updated": info.updated }),
        );
    } else {
        println!("Knowledge base version {}: {}.", info.version, info.source);
    }
    Ok(())
}
