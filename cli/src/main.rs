//! `regimen`: a terminal companion over Regimen's public API, for developers and demos.
//! It calls the same `Regimen` object the apps call; nothing here reaches into core's storage.

mod demo;
mod dose;
mod keyfile;
mod med;
mod output;
mod when;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use regimen_ffi::{Regimen, RegimenConfig, RegimenError};

use keyfile::{KEY_ENV, KeyFile};

/// Regimen: medicines, reminders and dose log, kept encrypted on this machine.
#[derive(Parser)]
#[command(name = "regimen", version, propagate_version = true)]
struct Cli {
    /// Database file [default: regimen/regimen.db in the user's data directory]. Its key is in
    /// PATH.key (created on first use, readable by you only) unless REGIMEN_KEY holds 64 hex
    /// digits.
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fill an empty database with a sample patient, then show what they see today.
    Demo,
    /// Add, list, show, edit, archive and restore medicines.
    #[command(subcommand)]
    Med(med::MedCommand),
    /// Log doses and read the dose log.
    #[command(subcommand)]
    Dose(dose::DoseCommand),
}

/// A failure of a command, printed as one line.
pub enum Failure {
    /// The library refused or failed.
    Regimen(RegimenError),
    /// The CLI itself could not do what was asked.
    Cli(String),
}

impl From<RegimenError> for Failure {
    fn from(error: RegimenError) -> Self {
        Failure::Regimen(error)
    }
}

/// What commands return.
pub type Outcome = Result<(), Failure>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = run(&cli);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            output::print_failure(&failure, cli.json);
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Outcome {
    let db = match &cli.db {
        Some(path) => path.clone(),
        None => default_database()?,
    };
    match &cli.command {
        Command::Demo => demo::run(&db, cli.json),
        Command::Med(command) => med::run(&*open(&db)?, command, cli.json),
        Command::Dose(command) => dose::run(&*open(&db)?, command, cli.json),
    }
}

/// Opens (or creates) the database at `db` with the CLI's key file.
pub fn open(db: &Path) -> Result<Arc<Regimen>, Failure> {
    let keys = KeyFile::beside(db);
    let key_path = keys.path().to_path_buf();
    Regimen::open(
        db.to_string_lossy().into_owned(),
        RegimenConfig::default(),
        Arc::new(keys),
    )
    .map_err(|error| match error {
        RegimenError::Locked { reason } if std::env::var_os(KEY_ENV).is_none() => {
            Failure::Cli(format!(
                "cannot unlock the database: {reason} (key file: {}, or set {KEY_ENV})",
                key_path.display()
            ))
        }
        other => Failure::Regimen(other),
    })
}

/// `regimen/regimen.db` in the user's data directory, creating the folder (owner-only).
fn default_database() -> Result<PathBuf, Failure> {
    let base = dirs::data_dir().ok_or_else(|| {
        Failure::Cli("no data directory is known for this user; pass --db".into())
    })?;
    let folder = base.join("regimen");
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(&folder)
        .map_err(|error| Failure::Cli(format!("cannot create {}: {error}", folder.display())))?;
    Ok(folder.join("regimen.db"))
}
