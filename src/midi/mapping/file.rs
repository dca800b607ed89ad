//! A generic mapping file as written: serde types only. `load.rs` checks
//! them and builds the [`super::Mapping`] the surface runs.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MappingText {
    pub name: String,
    /// Absent for a generic mapping; the loader dispatches on it.
    #[serde(default)]
    pub protocol: Option<String>,
    /// Strips per bank.
    #[serde(default)]
    pub strips: Option<usize>,
    /// Default MIDI channel of the bindings, 1..=16.
    #[serde(default)]
    pub channel: Option<u8>,
    #[serde(default)]
    pub bindings: Vec<BindingText>,
}

/// One number, or one per strip.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum Numbers {
    One(u16),
    Many(Vec<u16>),
}

impl Numbers {
    pub fn list(&self) -> Vec<u16> {
        match self {
            Numbers::One(n) => vec![*n],
            Numbers::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BindingText {
    pub cc: Option<Numbers>,
    pub cc14: Option<Numbers>,
    pub nrpn: Option<Numbers>,
    /// Pitch bend: the channels, one per strip.
    pub pitchbend: Option<Numbers>,
    pub note: Option<Numbers>,
    pub program: Option<Numbers>,
    pub channel: Option<Numbers>,
    pub target: Option<String>,
    pub action: Option<ActionText>,
    pub mode: Option<String>,
    pub encoder: Option<String>,
    pub step: Option<f32>,
    pub acceleration: Option<f32>,
    pub taper: Option<String>,
    pub calibration: Option<Vec<(f32, f32)>>,
    pub range: Option<(f32, f32)>,
    #[serde(default)]
    pub invert: bool,
    pub takeover: Option<String>,
    pub bits: Option<u8>,
    pub layer: Option<String>,
    pub feedback: Option<bool>,
}

/// `action: play`, `action: { automation: touch }`, `action: { scene: Verse }`,
/// `action: { revision: v2 }`, `action: { ab: [v2, v3] }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum ActionText {
    Name(String),
    Automation { automation: String },
    Scene { scene: String },
    Revision { revision: String },
    Ab { ab: (String, String) },
}
