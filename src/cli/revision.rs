//! `mixbridge revision save|list|show|recall|undo|diff|delete|ab`: the
//! revisions of the running daemon's session, asked over its OSC port on
//! this machine (the daemon owns the mix: a revision is captured and
//! recalled there, never behind its back). What the daemon answers is in
//! `control::desk`'s review module.

use super::ask::{counted, has, number, string, text, Daemon, Verb};
use crate::revisions::diff;
use rosc::OscType;
use std::process::ExitCode;
use std::time::Duration;

pub type Args = Verb<What>;

#[derive(clap::Subcommand)]
pub enum What {
    /// Save the whole mix (values, lanes, markers, loop, names, scenes,
    /// recall-safes) as revisions/NAME.yaml in the session.
    Save {
        name: String,
        /// What this version is: what was asked for, what changed.
        #[arg(long, default_value = "")]
        note: String,
        /// Replace a revision of that name.
        #[arg(long)]
        force: bool,
    },
    /// List the revisions, oldest first, with when each was saved and its
    /// note; files that cannot be read are listed with their errors.
    List,
    /// When a revision was saved, its note and what it holds.
    Show { name: String },
    /// Bring a revision back into the live mix (one undo step).
    Recall { name: String },
    /// Put back the mix as it was before the last revision recall.
    Undo,
    /// What changed from revision FROM to revision TO (or the mix now), in
    /// a mixer's words.
    Diff {
        from: String,
        to: Option<String>,
        /// One JSON document with every change and its numbers.
        #[arg(long)]
        json: bool,
    },
    /// Delete a revision's file.
    Delete { name: String },
    /// Play two revisions on the monitor (bounced first), A to begin with;
    /// `--select A|B` switches, `--off` goes back to the mix.
    Ab {
        /// The two revisions (not with --select or --off).
        #[arg(num_args = 2, value_names = ["A", "B"], required_unless_present_any = ["select", "off"])]
        pair: Vec<String>,
        /// Play A or B of the pair playing now.
        #[arg(long, value_name = "A|B", conflicts_with_all = ["pair", "off"])]
        select: Option<String>,
        /// End the A/B: the monitor plays what it played before.
        #[arg(long, conflicts_with = "pair")]
        off: bool,
    },
}

/// How long `ab A B` waits for both revisions to be bounced.
const BOUNCES_WITHIN: Duration = Duration::from_secs(120);

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let daemon = Daemon::of(args.config.as_deref())?;
    if let What::Ab { pair, .. } = &args.what {
        if !pair.is_empty() {
            return ab(daemon.waiting(BOUNCES_WITHIN), pair);
        }
    }
    let ask = |addr: &str, args: Vec<OscType>, done: &'static str| {
        daemon.ask(addr, args, "/revision", |got| has(got, done))
    };
    match args.what {
        What::Save { name, note, force } => {
            let got = ask(
                "/revision/save",
                vec![string(&name), string(&note), OscType::Int(force.into())],
                "/revision/saved",
            )?;
            for m in &got {
                println!("saved `{}` to {}", text(m, 0), text(m, 1));
            }
        }
        What::List => {
            let got = daemon.ask("/revision/list", vec![], "/revision", |got| {
                counted(got, "/revision/count", &["/revision", "/revision/broken"])
            })?;
            let mut broken = false;
            for m in &got {
                match m.addr.as_str() {
                    "/revision" => {
                        println!("{}  {}  {}", text(m, 1), text(m, 0), one_line(text(m, 2)))
                    }
                    "/revision/broken" => {
                        broken = true;
                        println!("(cannot be read)  {}\n{}", text(m, 0), text(m, 1));
                    }
                    _ => {}
                }
            }
            if broken {
                return Ok(ExitCode::FAILURE);
            }
        }
        What::Show { name } => {
            let got = ask("/revision/show", vec![string(&name)], "/revision/contents")?;
            for m in &got {
                match m.addr.as_str() {
                    "/revision" => {
                        println!("{}, saved {}", text(m, 0), text(m, 1));
                        if !text(m, 2).is_empty() {
                            println!("note: {}", text(m, 2));
                        }
                    }
                    "/revision/contents" => println!(
                        "{} values, {} automation lanes ({} points), {} markers, {} scenes",
                        number(m, 0),
                        number(m, 1),
                        number(m, 2),
                        number(m, 3),
                        number(m, 4)
                    ),
                    _ => {}
                }
            }
        }
        What::Recall { name } => {
            let got = ask(
                "/revision/recall",
                vec![string(&name)],
                "/revision/recalled",
            )?;
            for m in &got {
                let unknown = number(m, 1);
                print!("recalled `{}`", text(m, 0));
                if unknown > 0.0 {
                    print!(" ({unknown} of its paths this session does not have were left out; the daemon's log names them)");
                }
                println!();
            }
        }
        What::Undo => {
            ask("/revision/undo", vec![], "/revision/undone")?;
            println!("the mix is back as it was before the last revision recall");
        }
        What::Diff { from, to, json } => {
            let mut args = vec![string(&from)];
            args.extend(to.as_deref().map(string));
            let got = ask("/revision/diff", args, "/revision/diff/done")?;
            let changes: Vec<_> = got
                .iter()
                .filter(|m| m.addr == "/revision/diff/change")
                .collect();
            let done = got.iter().find(|m| m.addr == "/revision/diff/done");
            let want = done.map_or(f64::NAN, |m| number(m, 2));
            if changes.len() as f64 != want {
                return Err(format!(
                    "the daemon sent {} of {want} changes; try again",
                    changes.len()
                )
                .into());
            }
            if json {
                let values = changes
                    .iter()
                    .map(|m| serde_json::from_str(text(m, 2)))
                    .collect::<Result<Vec<_>, _>>()?;
                let (a, b) = done.map_or(("", ""), |m| (text(m, 0), text(m, 1)));
                println!(
                    "{}",
                    serde_json::to_string_pretty(&diff::document(a, b, values))?
                );
            } else if changes.is_empty() {
                let (a, b) = done.map_or(("", ""), |m| (text(m, 0), text(m, 1)));
                println!("no differences between {a} and {b}");
            } else {
                print!(
                    "{}",
                    diff::lines(changes.iter().map(|m| (text(m, 0), text(m, 1))))
                );
            }
        }
        What::Delete { name } => {
            ask("/revision/delete", vec![string(&name)], "/revision/deleted")?;
            println!("deleted `{name}`");
        }
        What::Ab { select, off, .. } => {
            let (addr, args) = match select {
                Some(side) => ("/revision/ab/select", vec![string(&side)]),
                None if off => ("/revision/ab/off", vec![]),
                None => unreachable!("a pair, --select or --off (clap requires one)"),
            };
            let got = ask(addr, args, "/revision/ab/state")?;
            print_states(&got);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Start an A/B of `pair` and wait until it plays (or fails).
fn ab(daemon: Daemon, pair: &[String]) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args = pair.iter().map(|s| string(s)).collect();
    let got = daemon.ask("/revision/ab", args, "/revision/ab/state", |got| {
        got.iter().any(|m| matches!(text(m, 0), "playing" | "off"))
    })?;
    print_states(&got);
    Ok(if got.iter().any(|m| text(m, 0) == "off") {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `/revision/ab/state` answers: `off [WHY]`, `bouncing A B`, `playing A B
/// SIDE` (each once: a finished bounce tells every client the state again).
fn print_states(got: &[rosc::OscMessage]) {
    let mut last = String::new();
    for m in got {
        let words: Vec<&str> = (0..m.args.len()).map(|i| text(m, i)).collect();
        let line = format!("A/B: {}", words.join(" "));
        if line != last {
            println!("{line}");
        }
        last = line;
    }
}

/// A note on one line: line breaks and other control characters escaped.
pub(super) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
