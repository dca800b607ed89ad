//! `monitor:` in config.yaml: the control room's speakers, sub, phones and
//! talkback microphone on this machine's interface. The monitor section
//! belongs to the room, not to the song, so it is configured here and not
//! in the session; its controls (`monitor/...`) are in the address space
//! when this section is present.
//!
//! ```yaml
//! monitor:
//!   speakers:                       # 1 to 4 sets; `monitor/speakers` picks one
//!     - { name: Mains, output: [1, 2] }
//!     - { name: Cube, output: 5, trim: -3, delay: 1.2 }   # one speaker: the mono sum
//!   sub: { output: 7, crossover: 80, trim: 0, delay: 0 }  # `crossover: off`: full range
//!   phones: { output: [9, 10], follow_cue: true }
//!   talkback: { input: 8 }
//! ```
//!
//! With a monitor section the master has no outputs of its own unless
//! `routing: outputs: master:` names some (for a recorder, say): the room
//! listens through the monitor.

use super::wiring::OutputPair;
use crate::engine::monitor::{MonitorShape, PhonesShape, SpeakerShape, SubShape};
use crate::yaml::{Located, Origin};

/// Speaker trims, sub trim: dB.
pub const TRIM_DB: std::ops::RangeInclusive<f64> = -24.0..=24.0;
/// Alignment delays: ms.
pub const DELAY_MS: std::ops::RangeInclusive<f64> =
    0.0..=crate::engine::monitor::MAX_DELAY_MS as f64;
/// Sub crossover frequencies: Hz.
pub const CROSSOVER_HZ: std::ops::RangeInclusive<f64> = 20.0..=300.0;

#[derive(Debug, Clone, PartialEq)]
pub struct MonitorConfig {
    /// In `monitor/speakers` order.
    pub speakers: Vec<SpeakerSet>,
    pub sub: Option<SubConfig>,
    pub phones: Option<PhonesConfig>,
    /// The 1-based interface input of the talkback microphone.
    pub talkback: Option<u16>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpeakerSet {
    pub name: String,
    /// 1-based interface outputs: a pair, or one speaker (the mono sum).
    pub outputs: Vec<u16>,
    pub trim_db: f32,
    pub delay_ms: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubConfig {
    pub output: u16,
    pub trim_db: f32,
    pub delay_ms: f32,
    /// `None`: full range (the sub has its own crossover).
    pub crossover_hz: Option<f32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhonesConfig {
    pub outputs: Vec<u16>,
    pub follow_cue: bool,
}

impl MonitorConfig {
    /// The engine's shape of this section; the talkback microphone is
    /// engine input `talkback - 1` (interface inputs are engine inputs).
    pub fn shape(&self) -> MonitorShape {
        MonitorShape {
            speakers: self
                .speakers
                .iter()
                .map(|s| SpeakerShape {
                    mono: s.outputs.len() == 1,
                    trim_db: s.trim_db,
                    delay_ms: s.delay_ms,
                })
                .collect(),
            sub: self.sub.as_ref().map(|s| SubShape {
                trim_db: s.trim_db,
                delay_ms: s.delay_ms,
                crossover_hz: s.crossover_hz,
            }),
            phones: self.phones.as_ref().map(|p| PhonesShape {
                follow_cue: p.follow_cue,
            }),
            talkback: self.talkback.map(|c| usize::from(c) - 1),
        }
    }

    /// The section's engine output pairs, in engine order (see
    /// [`MonitorShape::output_channels`]), each with where the config
    /// names its outputs.
    pub(super) fn pairs(&self) -> Vec<(OutputPair, Vec<String>)> {
        let mut v: Vec<(OutputPair, Vec<String>)> = self
            .speakers
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    OutputPair {
                        name: format!("speaker set `{}`", s.name),
                        channels: s.outputs.clone(),
                    },
                    at(&["monitor", "speakers", &i.to_string(), "output"]),
                )
            })
            .collect();
        if let Some(s) = &self.sub {
            v.push((
                OutputPair {
                    name: "the sub".into(),
                    channels: vec![s.output],
                },
                at(&["monitor", "sub", "output"]),
            ));
        }
        if let Some(p) = &self.phones {
            v.push((
                OutputPair {
                    name: "the phones".into(),
                    channels: p.outputs.clone(),
                },
                at(&["monitor", "phones", "output"]),
            ));
        }
        v
    }
}

fn at(path: &[&str]) -> Vec<String> {
    path.iter().map(|s| s.to_string()).collect()
}

/// The monitor's output pairs after `taken` (the master and aux buses):
/// an output of the monitor that one of those already uses is an error
/// located at the monitor entry.
pub(super) fn wire(
    monitor: &MonitorConfig,
    taken: &[OutputPair],
    origin: Option<&Origin>,
    file: &std::path::Path,
) -> (Vec<OutputPair>, Vec<Located>) {
    let mut errors = Vec::new();
    let mut pairs = Vec::new();
    for (pair, path) in monitor.pairs() {
        let clash = taken.iter().find_map(|other| {
            pair.channels
                .iter()
                .find(|c| other.channels.contains(c))
                .map(|c| (other, *c))
        });
        if let Some((other, c)) = clash {
            let whose = if other.name == super::MASTER {
                format!("the {}", super::MASTER)
            } else {
                format!("bus `{}`", other.name)
            };
            let message = format!(
                "{} and {whose} both use output {c}; allowed: outputs the {} and the aux buses do not use",
                pair.name,
                super::MASTER
            );
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            errors.push(match origin {
                Some(o) => o.at(&path, message),
                None => Located::whole(file, message),
            });
        }
        pairs.push(pair);
    }
    (pairs, errors)
}
