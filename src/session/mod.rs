//! A session: the folder that says what is mixed (tracks and their sources,
//! buses and their effects, the mix state), read from its `session.yaml`.
//!
//! Loading is all or nothing: every problem found is reported with its
//! file, line and column, and a file with any problem yields no session, so
//! a bad edit can never half-apply to a running console.

mod default;
mod entries;
mod file;
mod mix;
mod strips;
mod topology;

pub use default::{create_default, DEFAULT_SESSION};

use crate::engine::dsp::pan::PanLaw;
use crate::params::{BusEffect, Layout, Owner, Param, ParamId, Registry, Spec};
use crate::yaml::{self, Errors, Located, Origin};
use file::{Scalar, SessionFile};
use std::path::{Path, PathBuf};

/// The name of the session file inside a session folder.
pub const FILE_NAME: &str = "session.yaml";

/// Sample rates a session may ask for.
pub const SAMPLE_RATES: [u32; 4] = [44_100, 48_000, 88_200, 96_000];

/// A loaded, checked session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// The session folder (absolute).
    pub dir: PathBuf,
    /// Its `session.yaml` (absolute).
    pub file: PathBuf,
    pub sample_rate: u32,
    pub tempo: f32,
    pub pan_law: PanLaw,
    pub tracks: Vec<TrackDef>,
    pub buses: Vec<BusDef>,
    /// Parameter values in the units of their [`Spec`], in file order: the
    /// tracks' `sends` first, then the `mix` section. Each parameter appears
    /// at most once.
    pub mix: Vec<(ParamId, f32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrackDef {
    pub name: String,
    /// What surfaces with coloured strips (X-Touch) show it in.
    pub colour: Colour,
    /// 1 (mono) or 2 (stereo).
    pub channels: u8,
    pub source: Source,
}

/// Strip colours, as surfaces with coloured scribble strips show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Colour {
    /// A dark strip.
    Off,
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    #[default]
    White,
}

impl Colour {
    pub const NAMES: [&'static str; 8] = [
        "off", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
    ];
    pub const ALL: [Colour; 8] = [
        Colour::Off,
        Colour::Red,
        Colour::Green,
        Colour::Yellow,
        Colour::Blue,
        Colour::Magenta,
        Colour::Cyan,
        Colour::White,
    ];

    pub fn from_name(name: &str) -> Option<Colour> {
        Self::NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
            .map(|i| Self::ALL[i])
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Where a track's signal comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// 1-based interface input channels, one per track channel.
    Input(Vec<u16>),
    /// An audio file (absolute path), for playback and offline render.
    File(PathBuf),
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BusDef {
    pub name: String,
    pub kind: BusKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BusKind {
    /// A mix sent to interface outputs (monitor mixes); `output` holds
    /// 1-based interface outputs and may be empty.
    Aux { output: Vec<u16> },
    /// An effect return summed into the master.
    Fx { effect: BusEffect },
}

impl Session {
    /// Load a session from its folder or its `session.yaml`.
    pub fn load(path: &Path) -> Result<Session, Errors> {
        let (dir, file) = if path.is_dir() {
            (path.to_path_buf(), path.join(FILE_NAME))
        } else {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (parent.to_path_buf(), path.to_path_buf())
        };
        let absolute = |p: &Path| {
            std::path::absolute(p)
                .map_err(|e| Located::whole(p, format!("cannot resolve the path: {e}")))
        };
        let (dir, abs_file) = (absolute(&dir)?, absolute(&file)?);
        let (f, src) = yaml::read::<SessionFile>(&file)?;
        build(f, &src, dir, abs_file)
    }

    /// The session's shape, as the address space sees it.
    pub fn layout(&self) -> Layout {
        Layout {
            tracks: self.tracks.len(),
            buses: self.buses.iter().map(BusDef::effect).collect(),
        }
    }

    /// Every parameter value the session sets: its tempo, then its `mix`.
    pub fn values(&self) -> Vec<(ParamId, f32)> {
        let mut v = vec![(ParamId::new(Owner::Transport, Param::Tempo), self.tempo)];
        v.extend(self.mix.iter().copied());
        v
    }

    /// The audio files the tracks play, in track order, with the width of
    /// the track that plays each (1 or 2 channels).
    pub fn files(&self) -> Vec<(&Path, u8)> {
        self.tracks
            .iter()
            .filter_map(|t| match &t.source {
                Source::File(p) => Some((p.as_path(), t.channels)),
                _ => None,
            })
            .collect()
    }

    /// The address space of this session.
    pub fn registry(&self) -> Registry {
        Registry::new(self.layout())
    }
}

impl BusDef {
    /// The effect this bus runs ([`BusEffect::None`] for aux buses).
    pub fn effect(&self) -> BusEffect {
        match self.kind {
            BusKind::Aux { .. } => BusEffect::None,
            BusKind::Fx { effect } => effect,
        }
    }
}

fn build(f: SessionFile, src: &Origin, dir: PathBuf, file: PathBuf) -> Result<Session, Errors> {
    let mut errors = Vec::new();
    let sample_rate = match f.sample_rate {
        None => 48_000,
        Some(r) => match SAMPLE_RATES.iter().find(|s| i64::from(**s) == r) {
            Some(s) => *s,
            None => {
                let allowed: Vec<String> = SAMPLE_RATES.iter().map(u32::to_string).collect();
                errors.push(src.at(
                    &["sample_rate"],
                    format!(
                        "sample_rate {r} is not supported; allowed: {}",
                        allowed.join(", ")
                    ),
                ));
                48_000
            }
        },
    };
    let tempo_spec = Spec::of(Param::Tempo);
    let tempo = match f.tempo {
        None => tempo_spec.default,
        Some(t) if t.is_finite() && tempo_spec.contains(t as f32) => t as f32,
        Some(t) => {
            errors.push(src.at(
                &["tempo"],
                format!(
                    "tempo {t} is out of range; allowed: {}",
                    tempo_spec.describe()
                ),
            ));
            tempo_spec.default
        }
    };
    let pan_law = match &f.pan_law {
        None => PanLaw::default(),
        Some(v) => {
            let text = match v {
                Scalar::Text(s) => s.clone(),
                other => other.to_string(),
            };
            text.parse::<PanLaw>().unwrap_or_else(|e| {
                errors.push(src.at(&["pan_law"], e));
                PanLaw::default()
            })
        }
    };
    let buses = strips::buses(&f.buses, src, &mut errors);
    let tracks = strips::tracks(&f.tracks, src, &dir, &mut errors);
    let layout = Layout {
        tracks: tracks.len(),
        buses: buses.iter().map(BusDef::effect).collect(),
    };
    let mix = entries::collect(&f, &Registry::new(layout), &buses, src, &mut errors);
    errors.sort_by_key(|e| (e.line, e.column));
    Errors::check(errors)?;
    Ok(Session {
        dir,
        file,
        sample_rate,
        tempo,
        pan_law,
        tracks,
        buses,
        mix,
    })
}
