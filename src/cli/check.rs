//! `mixbridge check`: validate the config, the session and how they wire
//! together, the mappings, the audio files the tracks play (each decoded
//! whole), and the files the console keeps in the session (automation
//! lanes, scenes, markers, revisions, review notes); list every problem and exit non-zero if there
//! is one.

use crate::config::Config;
use crate::control::desk::review_problems;
use crate::notes::Notes;
use crate::revisions::Revisions;
use crate::session::Session;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The session folder (or its session.yaml); default: the config's session.
    session: Option<PathBuf>,
    /// The config file (default: the same search as `run`).
    #[arg(long)]
    config: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut problems = Vec::new();
    let config = match Config::load(args.config.as_deref()) {
        Ok(c) => {
            match &c.file {
                Some(f) => println!("{}: ok", f.display()),
                None => println!("config: none found; built-in defaults"),
            }
            Some(c)
        }
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let first_start = args.session.is_none()
        && config
            .as_ref()
            .is_some_and(|c| !c.session_given && !c.session.exists());
    let session_path = args
        .session
        .or_else(|| config.as_ref().map(|c| c.session.clone()));
    let session = match session_path
        .filter(|_| !first_start)
        .map(|p| Session::load(&p))
    {
        Some(Ok(s)) => {
            println!(
                "{}: ok ({} tracks, {} buses, {} mix values)",
                s.file.display(),
                s.tracks.len(),
                s.buses.len(),
                s.mix.len()
            );
            Some(s)
        }
        Some(Err(e)) => {
            problems.push(e.to_string());
            None
        }
        None => None,
    };
    if let Some(c) = config.as_ref().filter(|_| first_start) {
        println!(
            "session: none yet at {}; `mixbridge run` will create the default one there",
            c.session.display()
        );
    }
    if let Some(s) = &session {
        let files = s.files().len();
        let bad = crate::sources::check(s);
        if files > 0 && bad.is_empty() {
            println!("audio files: ok ({files} files)");
        }
        problems.extend(bad.iter().map(ToString::to_string));
        let (revisions, notes) = (Revisions::new(&s.dir), Notes::load(&s.dir));
        let bad = review_problems(&revisions, &notes);
        if bad.is_empty() {
            println!(
                "revisions and notes: ok ({} revisions, {} notes)",
                revisions.list().len(),
                notes.list().len()
            );
        }
        problems.extend(bad);
    }
    if let (Some(c), Some(s)) = (&config, &session) {
        match c.wiring(s) {
            Ok(_) => println!("wiring: ok"),
            Err(e) => problems.push(e.to_string()),
        }
        let mix = crate::control::model::Mix::from_session(s).with_monitor(c.monitor.is_some());
        match crate::control::surfaces::load(&c.surfaces, c.file.as_deref(), &mix) {
            Ok(opened) if !opened.is_empty() => {
                println!("mappings: ok ({} surfaces)", opened.len())
            }
            Ok(_) => {}
            Err(e) => problems.push(e.to_string()),
        }
        match crate::control::desk::Desk::load(s, &mix, c.automation) {
            Ok(d) => println!(
                "session files: ok ({} automation lanes, {} scenes, {} markers)",
                d.automation.lanes().len(),
                d.scenes.list().len(),
                d.transport.markers().len()
            ),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if problems.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for p in problems {
            eprintln!("{p}");
        }
        Ok(ExitCode::FAILURE)
    }
}
