//! `regimen backup` and `regimen delete-everything`: the whole database as one encrypted file,
//! back into a new database, and everything removed.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Subcommand;
use regimen_ffi::{Regimen, RegimenConfig, backup_info};
use serde_json::json;

use crate::keyfile::KeyFile;
use crate::output::{counted, print_json};
use crate::session::Session;
use crate::{Failure, Outcome, block_on, kb};

/// The environment variable that gives the backup passphrase (instead of standard input).
pub const PASSPHRASE_ENV: &str = "REGIMEN_BACKUP_PASSPHRASE";

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Write everything in the database to one encrypted file. The passphrase comes from
    /// REGIMEN_BACKUP_PASSPHRASE, --passphrase-file, or the first line of standard input.
    Create {
        /// The backup file to write (it must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Read the passphrase from the first line of this file.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
    /// Restore a backup into a new database at --db (nothing may be there yet), with a new key.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Read the passphrase from the first line of this file.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
    /// What a backup file says about itself (no passphrase needed).
    Info {
        /// The backup file.
        file: PathBuf,
    },
}

/// Whether `command` runs without opening the database (a restore makes it; info needs none).
pub fn runs_without_database(command: &BackupCommand) -> bool {
    !matches!(command, BackupCommand::Create { .. })
}

/// Runs `backup restore` and `backup info`, which must not open (and so create) `db`.
pub fn run_without_database(command: &BackupCommand, db: &Path, json: bool) -> Outcome {
    match command {
        BackupCommand::Info { file } => {
            let info = backup_info(read(file)?)?;
            if json {
                print_json(&info);
            } else {
                println!(
                    "A Regimen backup, format {}, written by {} at {}, database schema {}.",
                    info.format,
                    info.written_by,
                    info.created_at.to_datetime().to_rfc3339(),
                    info.schema
                );
                if !info.restorable {
                    println!("This version cannot restore it: update Regimen first.");
                }
            }
            Ok(())
        }
        BackupCommand::Restore {
            file,
            passphrase_file,
        } => {
            let bytes = read(file)?;
            let passphrase = passphrase(passphrase_file.as_deref())?;
            let config = RegimenConfig {
                knowledge_keys: kb::trusted_keys(),
                ..RegimenConfig::default()
            };
            let regimen = Regimen::restore_backup(
                db.to_string_lossy().into_owned(),
                config,
                Arc::new(KeyFile::beside(db)),
                bytes,
                passphrase,
            )?;
            let medicines = regimen.medicines(true)?.len();
            if json {
                print_json(&json!({ "restored": db, "medicines": medicines }));
            } else {
                println!(
                    "Restored the backup into {} ({}).",
                    db.display(),
                    counted(medicines, "medicine")
                );
            }
            Ok(())
        }
        BackupCommand::Create { .. } => {
            Err(Failure::Cli("backup create needs the database".into()))
        }
    }
}

/// Runs `backup create`.
pub fn run(session: &Session, command: &BackupCommand) -> Outcome {
    let BackupCommand::Create {
        out,
        passphrase_file,
    } = command
    else {
        return Err(Failure::Cli(
            "this backup command does not open the database".into(),
        ));
    };
    if out.exists() {
        return Err(Failure::Cli(format!(
            "{} exists already; choose a new file",
            out.display()
        )));
    }
    let passphrase = passphrase(passphrase_file.as_deref())?;
    let bytes = session.regimen.export_backup(passphrase)?;
    write_new(out, &bytes)?;
    if session.json {
        print_json(&json!({ "backup": out, "bytes": bytes.len() }));
    } else {
        println!(
            "Wrote the backup to {} ({} KiB). Keep the passphrase: without it nobody can open it.",
            out.display(),
            bytes.len().div_ceil(1024)
        );
    }
    Ok(())
}

/// `regimen delete-everything --yes`: tells caregivers goodbye when it can, then removes the
/// database, its journals and its key file.
pub fn delete_everything(session: &Session, yes: bool) -> Outcome {
    if !yes {
        return Err(Failure::Cli(
            "this deletes every medicine, dose and result for good; run again with --yes".into(),
        ));
    }
    let regimen = &session.regimen;
    let goodbyes = if regimen.shares()?.is_empty() {
        None
    } else {
        // Offline is not a reason to keep the data: the shares end either way.
        block_on(regimen.say_goodbye_to_caregivers(regimen_ffi::native_http()))?.ok()
    };
    let report = regimen.delete_everything()?;
    if session.json {
        print_json(&json!({
            "files_removed": report.files_removed,
            "shares_revoked": report.shares_revoked,
            "caregivers_told": goodbyes.as_ref().map(|g| g.delivered),
            "database_id": report.database_id,
        }));
    } else {
        println!(
            "Deleted everything: {} and the key. Cancel the notifications whose id starts with \
             {}/.",
            counted(report.files_removed as usize, "file"),
            report.database_id
        );
        if let Some(goodbyes) = goodbyes {
            println!("Caregivers told: {}.", goodbyes.delivered);
        }
    }
    Ok(())
}

/// The passphrase: from the environment, a file, or standard input (asked for on a terminal).
fn passphrase(file: Option<&Path>) -> Result<String, Failure> {
    if let Ok(passphrase) = std::env::var(PASSPHRASE_ENV) {
        return Ok(passphrase);
    }
    let line = match file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|error| {
                Failure::Cli(format!("cannot read {}: {}", path.display(), error.kind()))
            })?
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
        None => {
            if std::io::stdin().is_terminal() {
                eprint!("Backup passphrase: ");
                let _ = std::io::stderr().flush();
            }
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|error| {
                    Failure::Cli(format!("cannot read the passphrase: {}", error.kind()))
                })?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    Ok(line)
}

/// The bytes of `file`, at most 1 GiB (a ten-year history is a few tens of MiB).
fn read(file: &Path) -> Result<Vec<u8>, Failure> {
    crate::files::read_bytes(file, 1 << 30)
}

/// Writes `bytes` to a new file `path`, readable by its owner only.
fn write_new(path: &Path, bytes: &[u8]) -> Outcome {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .map_err(|error| Failure::Cli(format!("cannot write {}: {}", path.display(), error.kind())))
}
