//! `mixbridge check`: validate a session and list every problem.

use crate::session::Session;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The session folder (or its session.yaml).
    session: PathBuf,
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match Session::load(&args.session) {
        Ok(s) => {
            println!(
                "{}: ok ({} tracks, {} buses, {} mix values)",
                s.file.display(),
                s.tracks.len(),
                s.buses.len(),
                s.mix.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprintln!("{errors}");
            Ok(ExitCode::FAILURE)
        }
    }
}
