//! `mixbridge learn`: listen on the MIDI inputs and print, for each control
//! moved, the mapping line that would bind it.

use crate::midi::learn::Learner;
use crate::name_pattern;
use crossbeam_channel::{bounded, RecvTimeoutError};
use midir::{Ignore, MidiInput};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Listen only on input ports whose name matches (`*`, `?`); default: all.
    #[arg(long)]
    input: Option<String>,
    /// Stop after this many seconds (default: run until interrupted).
    #[arg(long)]
    seconds: Option<u64>,
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let lister = MidiInput::new("mixbridge-learn")?;
    let ports: Vec<_> = lister
        .ports()
        .into_iter()
        .filter_map(|p| lister.port_name(&p).ok().map(|n| (n, p)))
        .filter(|(n, _)| !n.starts_with("mixbridge"))
        .filter(|(n, _)| {
            args.input
                .as_deref()
                .is_none_or(|pat| name_pattern::matches(pat, n))
        })
        .collect();
    if ports.is_empty() {
        eprintln!("no MIDI input ports to listen on (see `mixbridge devices`)");
        return Ok(ExitCode::FAILURE);
    }
    let (tx, rx) = bounded::<Vec<u8>>(4096);
    let mut connections = Vec::new();
    for (name, port) in &ports {
        let mut input = MidiInput::new("mixbridge-learn")?;
        input.ignore(Ignore::ActiveSense);
        let tx = tx.clone();
        match input.connect(
            port,
            "learn",
            move |_, bytes, _| {
                let _ = tx.try_send(bytes.to_vec());
            },
            (),
        ) {
            Ok(c) => {
                eprintln!("listening on \"{name}\"");
                connections.push(c);
            }
            Err(e) => eprintln!("cannot listen on \"{name}\": {e}"),
        }
    }
    eprintln!("move a control; its mapping line is printed when it rests (Ctrl-C to stop)");
    let end = args
        .seconds
        .map(|s| Instant::now() + Duration::from_secs(s));
    let mut learner = Learner::default();
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(bytes) => learner.feed(&bytes, Instant::now()),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        for line in learner.lines(Instant::now()) {
            println!("{line}");
        }
        if end.is_some_and(|e| Instant::now() >= e) {
            break;
        }
    }
    drop(connections);
    Ok(ExitCode::SUCCESS)
}
