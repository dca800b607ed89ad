//! `mixbridge note add|list|done`: review notes of the running daemon's
//! session, asked over its OSC port on this machine, as a tablet's
//! `/note/...` would (the daemon keeps `notes.yaml`).

use super::ask::{counted, has, number, string, text, Daemon, Verb};
use super::revision::one_line;
use crate::revisions::words;
use rosc::OscType;
use std::process::ExitCode;

pub type Args = Verb<What>;

#[derive(clap::Subcommand)]
pub enum What {
    /// Add a note (any text) at a position on the timeline.
    Add {
        text: String,
        /// Seconds, BAR|BEAT[|TICK] or [H:]MM:SS; default: where the
        /// transport is.
        #[arg(long, value_name = "POSITION")]
        at: Option<String>,
        /// Who asks; default: the name config.yaml gives this machine's
        /// OSC client, else its address.
        #[arg(long)]
        author: Option<String>,
    },
    /// List the notes in number order (`[x]` is done).
    List {
        /// Only the notes not done yet.
        #[arg(long)]
        open: bool,
    },
    /// Mark a note done (or, with --undo, not done).
    Done {
        id: u32,
        #[arg(long)]
        undo: bool,
    },
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let daemon = Daemon::of(args.config.as_deref())?;
    match args.what {
        What::Add {
            text: t,
            at,
            author,
        } => {
            let mut args = vec![string(&t), string(at.as_deref().unwrap_or(""))];
            args.extend(author.as_deref().map(string));
            let got = daemon.ask("/note/add", args, "/note", |got| has(got, "/note/added"))?;
            for m in &got {
                println!(
                    "note {} at {} by {}",
                    number(m, 0),
                    words::time(number(m, 1)),
                    text(m, 2)
                );
            }
        }
        What::List { open } => {
            let got = daemon.ask("/note/list", vec![], "/note", |got| {
                counted(got, "/note/count", &["/note"])
            })?;
            for m in got.iter().filter(|m| m.addr == "/note") {
                let done = number(m, 4) > 0.5;
                if open && done {
                    continue;
                }
                println!(
                    "{:>3} [{}] {:>8}  {}  {}: {}",
                    number(m, 0),
                    if done { 'x' } else { ' ' },
                    words::time(number(m, 1)),
                    text(m, 3),
                    one_line(text(m, 2)),
                    one_line(text(m, 5))
                );
            }
        }
        What::Done { id, undo } => {
            let args = vec![OscType::Long(id.into()), OscType::Int((!undo).into())];
            daemon.ask("/note/done", args, "/note", |got| has(got, "/note/done"))?;
            println!("note {id}: {}", if undo { "open" } else { "done" });
        }
    }
    Ok(ExitCode::SUCCESS)
}
