//! `mixbridge render SESSION -o OUT.wav`

use super::ReportForm;
use crate::audio_file::{write_wav, SampleFormat};
use crate::render::{render, DEFAULT_TAIL_S};
use crate::report::{select_targets, LoudnessReport};
use crate::session::Session;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// The session folder (or its session.yaml).
    session: PathBuf,
    /// The WAV file to write.
    #[arg(short, long)]
    output: PathBuf,
    /// Sample format of the output.
    #[arg(long, value_enum, default_value = "24")]
    format: SampleFormat,
    /// Seconds rendered past the end of the longest source, for tails.
    #[arg(long, default_value_t = DEFAULT_TAIL_S)]
    tail: f32,
    /// Check the result against one delivery target only.
    #[arg(long)]
    target: Option<String>,
    /// Report form.
    #[arg(long, value_enum, default_value = "text")]
    report: ReportForm,
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let targets = select_targets(args.target.as_deref())?;
    let session = Session::load(&args.session)?;
    let started = Instant::now();
    let audio = render(&session, args.tail)?;
    let elapsed = started.elapsed().as_secs_f64();
    write_wav(&args.output, &audio, args.format)?;
    let report = LoudnessReport::from_audio(&audio)?;
    let seconds = audio.frames() as f64 / audio.sample_rate as f64;
    log::info!(
        "rendered {:.1} s of audio in {:.2} s ({:.0}x real time) to {}",
        seconds,
        elapsed,
        seconds / elapsed.max(1e-9),
        args.output.display()
    );
    match args.report {
        ReportForm::Text => print!("{}", report.render_text(&targets)),
        ReportForm::Json => println!("{}", report.render_json(&targets)),
    }
    Ok(ExitCode::SUCCESS)
}
