//! `mixbridge meter FILE...`

use super::ReportForm;
use crate::report::meter_files;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// WAV files to measure.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Check against one delivery target only.
    #[arg(long)]
    target: Option<String>,
    /// Report form.
    #[arg(long, value_enum, default_value = "text")]
    report: ReportForm,
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let out = meter_files(
        &args.files,
        args.target.as_deref(),
        args.report == ReportForm::Json,
    )?;
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
