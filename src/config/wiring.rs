//! A session's inputs and outputs on this machine.
//!
//! The session carries default wiring (each track's `source: {input: ...}`,
//! each aux bus's `output:`) so that it runs anywhere as written; the config
//! describes the machine, so its `routing` wins, name by name. Names the
//! config uses are checked here, against the session, because only here are
//! both known.

use super::{Config, MASTER, MASTER_OUTPUTS, MAX_CHANNEL};
use crate::session::{BusKind, Session, Source};
use crate::yaml::{Errors, Located};
use std::path::Path;

/// Interface channels of every track and every output pair of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Wiring {
    /// For each session track, in order: its 1-based interface inputs, one
    /// per track channel; empty when the track plays a file or has no input
    /// on this machine.
    pub tracks: Vec<Vec<u16>>,
    /// The engine's output pairs in engine order: the master first, then
    /// each aux bus in session order, then the monitor section's (speaker
    /// sets, sub, phones).
    pub outputs: Vec<OutputPair>,
    /// The monitor section as the engine runs it (its talkback reads an
    /// interface input), if the config has one.
    pub monitor: Option<crate::engine::monitor::MonitorShape>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutputPair {
    /// [`MASTER`] or the aux bus's name.
    pub name: String,
    /// 1-based interface outputs: a pair, one (it carries the left side) or none.
    pub channels: Vec<u16>,
}

impl Wiring {
    /// Engine output channel (master L, R, then each aux bus's L, R) → the
    /// 0-based interface output it plays on, if any.
    pub fn output_map(&self) -> Vec<Option<usize>> {
        self.outputs
            .iter()
            .flat_map(|p| [0, 1].map(|side| p.channels.get(side).map(|c| usize::from(*c) - 1)))
            .collect()
    }

    /// The number of interface inputs the engine reads: the highest one
    /// used (by a track or the talkback).
    pub fn inputs_used(&self) -> usize {
        let talkback = self.monitor.as_ref().and_then(|m| m.talkback);
        self.tracks
            .iter()
            .flatten()
            .map(|c| usize::from(*c))
            .chain(talkback.map(|engine_input| engine_input + 1))
            .max()
            .unwrap_or(0)
    }
}

/// Who chose an output pair's channels, to point at the right file.
#[derive(Clone, Copy, PartialEq)]
enum Chosen {
    Config,
    Session,
    Default,
}

pub(super) fn resolve(config: &Config, session: &Session) -> Result<Wiring, Errors> {
    let mut errors = Vec::new();
    let at_config = |section: &str, name: &str, message: String| match &config.origin {
        Some(o) => o.at_key(&["routing", section, name], message),
        None => Located::whole(
            config.file.as_deref().unwrap_or(Path::new("config")),
            message,
        ),
    };
    let in_session = |message: String| Located::whole(&session.file, message);
    let listed = |names: Vec<&str>| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };

    for name in config.routing.inputs.keys() {
        if !session.tracks.iter().any(|t| &t.name == name) {
            errors.push(at_config(
                "inputs",
                name,
                format!(
                    "routing input `{name}` is not a track of {}; allowed: {}",
                    session.file.display(),
                    listed(session.tracks.iter().map(|t| t.name.as_str()).collect())
                ),
            ));
        }
    }
    let mut tracks = Vec::with_capacity(session.tracks.len());
    for t in &session.tracks {
        let chans = match (config.routing.inputs.get(&t.name), &t.source) {
            (Some(c), _) => {
                if !c.is_empty() && c.len() != usize::from(t.channels) {
                    let like = if t.channels == 1 {
                        "one input like 3"
                    } else {
                        "two inputs like [5, 6]"
                    };
                    errors.push(at_config(
                        "inputs",
                        &t.name,
                        format!(
                            "track `{}` has {} channel(s) but routing gives it {} input(s); allowed: {like}, or [] for none",
                            t.name, t.channels, c.len()
                        ),
                    ));
                }
                c.clone()
            }
            (None, Source::Input(c)) => {
                if let Some(bad) = c.iter().find(|c| **c > MAX_CHANNEL) {
                    errors.push(in_session(format!(
                        "track `{}` reads input {bad}; allowed: inputs 1 to {MAX_CHANNEL}",
                        t.name
                    )));
                }
                c.clone()
            }
            (None, Source::File(_) | Source::None) => Vec::new(),
        };
        tracks.push(chans);
    }

    let aux: Vec<&str> = session
        .buses
        .iter()
        .filter(|b| matches!(b.kind, BusKind::Aux { .. }))
        .map(|b| b.name.as_str())
        .collect();
    for name in config.routing.outputs.keys() {
        if name == MASTER {
            continue;
        }
        match session.buses.iter().find(|b| &b.name == name) {
            Some(b) if matches!(b.kind, BusKind::Aux { .. }) => {}
            found => {
                let what = if found.is_some() {
                    "an fx bus, which returns into the master"
                } else {
                    "not a bus of the session"
                };
                errors.push(at_config(
                    "outputs",
                    name,
                    format!(
                        "routing output `{name}` is {what}; allowed: `{MASTER}` or an aux bus: {}",
                        if aux.is_empty() {
                            "(the session has none)".to_string()
                        } else {
                            listed(aux.clone())
                        }
                    ),
                ));
            }
        }
    }
    let mut outputs = Vec::with_capacity(1 + aux.len());
    let mut chosen = Vec::with_capacity(1 + aux.len());
    let master = config.routing.outputs.get(MASTER);
    chosen.push(if master.is_some() {
        Chosen::Config
    } else {
        Chosen::Default
    });
    // With a monitor section the room listens through it: the master has
    // outputs only where the config gives it some.
    let master_default = if config.monitor.is_some() {
        Vec::new()
    } else {
        MASTER_OUTPUTS.to_vec()
    };
    outputs.push(OutputPair {
        name: MASTER.to_string(),
        channels: master.cloned().unwrap_or(master_default),
    });
    for b in &session.buses {
        if let BusKind::Aux { output } = &b.kind {
            let from_config = config.routing.outputs.get(&b.name);
            chosen.push(if from_config.is_some() {
                Chosen::Config
            } else {
                Chosen::Session
            });
            let channels = from_config.unwrap_or(output).clone();
            if let Some(bad) = channels.iter().find(|c| **c > MAX_CHANNEL) {
                errors.push(in_session(format!(
                    "bus `{}` plays on output {bad}; allowed: outputs 1 to {MAX_CHANNEL}",
                    b.name
                )));
            }
            outputs.push(OutputPair {
                name: b.name.clone(),
                channels,
            });
        }
    }

    for (i, pair) in outputs.iter().enumerate() {
        let clash = outputs[..i].iter().zip(&chosen).find_map(|(other, who)| {
            pair.channels
                .iter()
                .find(|c| other.channels.contains(c))
                .map(|c| (other, *who, *c))
        });
        let Some((other, other_who, c)) = clash else {
            continue;
        };
        let by = |who: Chosen| match who {
            Chosen::Config => "in config.yaml",
            Chosen::Session => "in the session",
            Chosen::Default => "by default",
        };
        let message = format!(
            "`{}` ({}) and `{}` ({}) both use output {c}; allowed: outputs no other bus or the {MASTER} uses (set them under `routing: outputs:` in config.yaml)",
            pair.name,
            by(chosen[i]),
            other.name,
            by(other_who)
        );
        errors.push(if chosen[i] == Chosen::Config {
            at_config("outputs", &pair.name, message)
        } else if other_who == Chosen::Config {
            at_config("outputs", &other.name, message)
        } else {
            in_session(message)
        });
    }

    if let Some(m) = &config.monitor {
        let file = config.file.as_deref().unwrap_or(Path::new("config"));
        let (pairs, clashes) = super::monitor::wire(m, &outputs, config.origin.as_ref(), file);
        outputs.extend(pairs);
        errors.extend(clashes);
    }

    errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    Errors::check(errors)?;
    Ok(Wiring {
        tracks,
        outputs,
        monitor: config.monitor.as_ref().map(super::MonitorConfig::shape),
    })
}
