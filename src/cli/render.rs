//! `mixbridge render SESSION -o OUT.wav [--revision NAME] [--check NAME]`
//!
//! A render is the master: the session's mix as its files hold it, or with
//! `--revision NAME` a saved revision of it (its values and lanes; the
//! live mix is not touched, a running daemon not asked). `--check NAME`
//! asks for a preview instead: the master through the monitor's
//! playback-system check of that name (the same chain,
//! `engine::monitor::check`), for listening elsewhere.

use super::ReportForm;
use crate::audio_file::{write_wav, SampleFormat};
use crate::engine::monitor::check::preview;
use crate::params::Check;
use crate::render::{render_reporting, render_revision, DEFAULT_TAIL_S};
use crate::report::{select_targets, LoudnessReport};
use crate::revisions::Revisions;
use crate::session::Session;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// A render that has run this long gets a progress bar (on a terminal).
const BAR_AFTER: Duration = Duration::from_secs(1);

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
    /// Write a preview of the master on a playback system instead: phone,
    /// laptop, earbuds, car, tv or small-radio.
    #[arg(long, value_name = "NAME")]
    check: Option<String>,
    /// Render this revision of the session (revisions/NAME.yaml) instead
    /// of its mix as session.yaml and the automation folder hold it.
    #[arg(long, value_name = "NAME")]
    revision: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let targets = select_targets(args.target.as_deref())?;
    let check = match args.check.as_deref() {
        None => None,
        Some(name) => Some(
            Check::from_name(name)
                .filter(|c| *c != Check::Off)
                .ok_or_else(|| {
                    format!(
                        "--check {name}: no such playback system; allowed: {}",
                        Check::NAMES[1..].join(", ")
                    )
                })?,
        ),
    };
    let session = Session::load(&args.session)?;
    let revision = args
        .revision
        .as_deref()
        .map(|name| Revisions::new(&session.dir).get(name))
        .transpose()?;
    let started = Instant::now();
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    let mut shown = false;
    let mut progress = |done: usize, total: usize| {
        if !shown && started.elapsed() >= BAR_AFTER {
            shown = true;
            // Hidden anyway when stderr is not a terminal.
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("rendering {wide_bar} {percent:>3}% {eta} left")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
        }
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let audio = match &revision {
        Some(r) => render_revision(&session, r, args.tail, &mut progress),
        None => render_reporting(&session, args.tail, &mut progress),
    };
    bar.finish_and_clear();
    let mut audio = audio?;
    if let Some(check) = check {
        let rate = audio.sample_rate as f32;
        if let [l, r] = &mut audio.channels[..] {
            preview(check, rate, l, r);
        }
        log::info!("check: a preview of the master on `{}`", check.name());
    }
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
