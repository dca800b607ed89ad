//! `mixbridge scene list|save|recall|delete|undo`: scenes of the running
//! daemon, asked over its OSC port on this machine (the daemon owns the
//! mix, so scenes are saved and recalled there, never behind its back).

use super::ask::{counted, has, string, text, Daemon, Verb};
use rosc::OscType;
use std::process::ExitCode;

pub type Args = Verb<What>;

#[derive(clap::Subcommand)]
pub enum What {
    /// List the scenes, oldest first, with when each was saved.
    List,
    /// Save the mix as a scene (replacing one of that name).
    Save { name: String },
    /// Recall a scene, optionally crossfading over some seconds.
    Recall {
        name: String,
        #[arg(long, default_value_t = 0.0)]
        fade: f32,
    },
    /// Delete a scene.
    Delete { name: String },
    /// Undo the last recall.
    Undo,
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let daemon = Daemon::of(args.config.as_deref())?;
    let (addr, args, done) = match &args.what {
        What::List => ("/scene/list", vec![], "/scene/count"),
        What::Save { name } => ("/scene/save", vec![string(name)], "/scene/saved"),
        What::Recall { name, fade } => (
            "/scene/recall",
            vec![string(name), OscType::Float(*fade)],
            "/scene/recalled",
        ),
        What::Delete { name } => ("/scene/delete", vec![string(name)], "/scene/deleted"),
        What::Undo => ("/scene/undo", vec![], "/scene/undone"),
    };
    let list = done == "/scene/count";
    let got = daemon.ask(addr, args, "/scene", |got| {
        if list {
            counted(got, done, &["/scene"])
        } else {
            has(got, done)
        }
    })?;
    for m in got.iter().filter(|m| m.addr == "/scene") {
        println!("{}  {}", text(m, 1), text(m, 0));
    }
    Ok(ExitCode::SUCCESS)
}
