//! `mixbridge run` (and `mixbridge` with no verb): the daemon, in the foreground.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Default)]
pub struct Args {
    /// The config file (default: $XDG_CONFIG_HOME/mixbridge/config.yaml, then
    /// /etc/mixbridge/config.yaml, then built-in defaults).
    #[arg(long)]
    config: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    crate::control::daemon::run(args.config.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
