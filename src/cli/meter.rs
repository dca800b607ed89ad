//! `mixbridge meter FILE...`

use super::ReportForm;
use crate::report::meter_files;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Audio files to measure (WAV, FLAC, AIFF).
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
    print!("{}", out.output);
    if !out.output.is_empty() && !out.output.ends_with('\n') {
        println!();
    }
    for e in &out.failed {
        eprintln!("mixbridge: {e}");
    }
    Ok(if out.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
