//! `regimen`: a terminal companion over Regimen's public API, for developers and demos.
//! It calls the same `Regimen` object the apps call; nothing here reaches into core's storage.

mod backup;
mod day;
mod demo;
mod diary;
mod dose;
mod drug;
mod export;
mod files;
mod import;
mod kb;
mod keyfile;
mod med;
mod output;
mod pgx;
mod pharmacy;
mod report;
mod schedule_args;
mod session;
mod settings;
mod share;
mod supply;
mod warnings;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use clap::{Parser, Subcommand};
use regimen_core::Zone;
use regimen_ffi::{Regimen, RegimenConfig, RegimenError, Timestamp};

use keyfile::{KEY_ENV, KeyFile};
use session::Session;

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
    /// Run as if it were this instant (RFC 3339) [default: the clock].
    #[arg(long, global = true, value_name = "INSTANT")]
    now: Option<String>,
    /// Run as if the phone were in this IANA zone [default: this machine's zone].
    #[arg(long, global = true, value_name = "ZONE")]
    tz: Option<String>,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run, so the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Fill an empty database with a sample patient, then show what they see today.
    Demo,
    /// Today's doses and where each stands.
    Today {
        /// Another day (YYYY-MM-DD).
        #[arg(long)]
        date: Option<String>,
    },
    /// The notifications the phone should have pending.
    Plan {
        /// How far ahead: 5d, 12h.
        #[arg(long, default_value = "2d")]
        horizon: String,
        /// At most this many notifications (iOS keeps 64).
        #[arg(long, default_value_t = 64)]
        budget: u32,
    },
    /// Adherence over the last days.
    Adherence {
        /// How many days back from today.
        #[arg(long, default_value_t = 30)]
        days: u32,
    },
    /// Tell Regimen the phone is now in another zone; shows which reminders move.
    Zone {
        /// IANA zone, like America/New_York.
        zone: String,
    },
    /// Add, list, show, edit, schedule, archive and restore medicines; import and export FHIR.
    #[command(subcommand)]
    Med(med::MedCommand),
    /// Take, skip or snooze doses; log and read the dose log.
    #[command(subcommand)]
    Dose(dose::DoseCommand),
    /// Show or change the patient's settings.
    Settings(settings::SettingsArgs),
    /// Import and show pharmacogenomic results; see how a result is read.
    #[command(subcommand)]
    Pgx(pgx::PgxCommand),
    /// Search the drug list (generic names, brands, other spellings).
    #[command(subcommand)]
    Drug(drug::DrugCommand),
    /// What the medicines and gene results mean together, most severe first.
    Warnings,
    /// Build, sign, verify, install and fetch knowledge-base bundles.
    #[command(subcommand)]
    Kb(kb::KbCommand),
    /// Share with a caregiver over Web Push, or follow a patient: offer, answer, accept,
    /// revoke, send, receive, status.
    #[command(subcommand)]
    Share(share::ShareCommand),
    /// Stock on hand, when it runs out, and whether there is enough until a date.
    #[command(subcommand)]
    Supply(supply::SupplyCommand),
    /// Prescriptions in from FHIR, refill requests out to the pharmacy.
    #[command(subcommand)]
    Pharmacy(pharmacy::PharmacyCommand),
    /// The symptom and side-effect diary: add, list, delete entries.
    #[command(subcommand)]
    Diary(diary::DiaryCommand),
    /// The report for the doctor: medicines, adherence, PGx and warnings, diary, as HTML.
    Report(report::ReportArgs),
    /// Write the patient's data out for other programs (CSV, a FHIR Bundle of everything).
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Fill a new, empty database from a file Regimen wrote (a FHIR export or a backup), told
    /// by its content.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Back everything up to one encrypted file, restore one into a new database, or say what
    /// a backup file is.
    #[command(subcommand)]
    Backup(backup::BackupCommand),
    /// Delete the database, its journals and its key for good (caregivers are told first when
    /// they can be reached).
    DeleteEverything {
        /// Really delete everything.
        #[arg(long)]
        yes: bool,
    },
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

/// Core's errors (from the bundle tools, which call core directly) as the API maps them.
impl From<regimen_core::Error> for Failure {
    fn from(error: regimen_core::Error) -> Self {
        Failure::Regimen(RegimenError::from(error))
    }
}

/// What commands return.
pub type Outcome = Result<(), Failure>;

/// Runs one of the API's async calls on a runtime of its own: the CLI is otherwise
/// synchronous.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Cli(format!("cannot start the network runtime: {error}")))?;
    Ok(runtime.block_on(future))
}

fn main() -> ExitCode {
    // Let a closed pipe (`regimen pgx show | head`) end the program quietly, as other command
    // line tools do; Rust ignores SIGPIPE by default and printing would then panic.
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            output::print_failure(&failure, cli.json);
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Outcome {
    // Publishing bundles needs no database.
    if let Command::Kb(command) = &cli.command
        && let Some(outcome) = kb::run_offline(command, cli.json)
    {
        return outcome;
    }
    let db = match &cli.db {
        Some(path) => path.clone(),
        None => default_database()?,
    };
    if let Command::Backup(command) = &cli.command
        && backup::runs_without_database(command)
    {
        return backup::run_without_database(command, &db, cli.json);
    }
    // A backup makes its database (nothing may be at --db yet), so it is restored unopened.
    if let Command::Import { file } = &cli.command
        && import::is_backup(file)
    {
        let restore = backup::BackupCommand::Restore {
            file: file.clone(),
            passphrase_file: None,
        };
        return backup::run_without_database(&restore, &db, cli.json);
    }
    let session = open(&db, cli)?;
    match &cli.command {
        Command::Demo => demo::run(&session, &db),
        Command::Today { date } => day::today(&session, date.as_deref()),
        Command::Plan { horizon, budget } => day::plan(&session, horizon, *budget),
        Command::Adherence { days } => day::adherence(&session, *days),
        Command::Zone { zone } => day::zone(&session, zone),
        Command::Med(command) => med::run(&session, command),
        Command::Dose(command) => dose::run(&session, command),
        Command::Settings(args) => settings::run(&session, args),
        Command::Pgx(command) => pgx::run(&session, command),
        Command::Drug(command) => drug::run(&session, command),
        Command::Warnings => warnings::run(&session),
        Command::Kb(command) => kb::run(&session, command),
        Command::Share(command) => share::run(&session, command),
        Command::Supply(command) => supply::run(&session, command),
        Command::Pharmacy(command) => pharmacy::run(&session, command),
        Command::Diary(command) => diary::run(&session, command),
        Command::Export(command) => export::run(&session, command),
        Command::Import { file } => import::run(&session, file),
        Command::Backup(command) => backup::run(&session, command),
        Command::DeleteEverything { yes } => backup::delete_everything(&session, *yes),
        Command::Report(args) => report::run(&session, args),
    }
}

/// Opens (or creates) the database at `db` with the CLI's key file, pinned at `--now`, and
/// records the zone the phone is in, as an app does on start.
fn open(db: &Path, cli: &Cli) -> Result<Session, Failure> {
    let now = match &cli.now {
        Some(text) => Timestamp::parse_rfc3339(text).map_err(|_| {
            Failure::Cli(
                "--now: expected an RFC 3339 instant like 2025-03-30T08:00:00+02:00".into(),
            )
        })?,
        None => Timestamp::from_system_time(SystemTime::now())
            .map_err(|e| Failure::Cli(e.to_string()))?,
    };
    let zone_name = match &cli.tz {
        Some(zone) => zone.clone(),
        None => iana_time_zone::get_timezone().unwrap_or_else(|_| "UTC".into()),
    };
    let zone: Zone = zone_name
        .parse()
        .map_err(|_| Failure::Cli("--tz: expected an IANA zone like Europe/Berlin".into()))?;
    let keys = KeyFile::beside(db);
    let key_path = keys.path().to_path_buf();
    let config = RegimenConfig {
        knowledge_keys: kb::trusted_keys(),
        push_contact: std::env::var(share::CONTACT_ENV).ok(),
        ..RegimenConfig::default()
    };
    let regimen = Regimen::open_at(
        db.to_string_lossy().into_owned(),
        config,
        Arc::new(keys),
        now,
    )
    .map_err(|error| match error {
        RegimenError::Locked { reason } if std::env::var_os(KEY_ENV).is_none() => {
            Failure::Cli(format!(
                "cannot unlock the database: {reason} (key file: {}, or set {KEY_ENV})",
                key_path.display()
            ))
        }
        other => Failure::Regimen(other),
    })?;
    let session = Session {
        regimen,
        now,
        zone,
        json: cli.json,
    };
    // Like an app on start (but `zone` reports the change itself). A zone recorded later
    // than --now (replaying the past) is kept.
    if matches!(cli.command, Command::Zone { .. }) {
        return Ok(session);
    }
    match session
        .regimen
        .change_device_zone(zone.name().to_owned(), Duration::from_secs(86_400))
    {
        Ok(_) | Err(RegimenError::Conflict { .. }) => Ok(session),
        Err(other) => Err(Failure::Regimen(other)),
    }
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
