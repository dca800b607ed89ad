//! The command line: one verb per job, each in its own file.

mod ask;
mod check;
mod learn;
mod meter;
mod note;
mod render;
mod revision;
mod run;
mod scene;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mixbridge",
    version,
    about = "A headless mixing console for Linux rack machines"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon in the foreground (the default with no verb).
    Run(run::Args),
    /// List audio hosts and devices.
    Devices,
    /// Render a session offline to a WAV file and print its loudness report.
    Render(render::Args),
    /// Print the loudness report of audio files, with delivery-target checks.
    Meter(meter::Args),
    /// Validate config, session and mappings; exit non-zero with every problem listed.
    Check(check::Args),
    /// Move a control on a MIDI device; print the mapping line that binds it.
    Learn(learn::Args),
    /// Save, recall, list and delete scenes of the running daemon.
    Scene(scene::Args),
    /// Save, list, show, recall, diff, delete and A/B revisions of the mix.
    Revision(revision::Args),
    /// Add, list and tick off review notes of the session.
    Note(note::Args),
}

/// Parse the command line and run the verb.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Run(run::Args::default()));
    if !matches!(command, Command::Run(_)) {
        // The daemon sets up its own logging from its config.
        crate::service::init_logging(log::LevelFilter::Info);
    }
    let result = match command {
        Command::Run(a) => run::run(a),
        Command::Devices => {
            print!("{}", crate::audio::describe_devices());
            print!("{}", crate::midi::ports::describe());
            Ok(ExitCode::SUCCESS)
        }
        Command::Render(a) => render::run(a),
        Command::Meter(a) => meter::run(a),
        Command::Check(a) => check::run(a),
        Command::Learn(a) => learn::run(a),
        Command::Scene(a) => scene::run(a),
        Command::Revision(a) => revision::run(a),
        Command::Note(a) => note::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mixbridge: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The form of a printed report.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportForm {
    Text,
    Json,
}
