//! The transport on the control side: what play, stop, locate, loop and
//! markers mean, the session's markers and loop range (kept in the
//! session folder), and how positions are written for people (seconds,
//! bars and beats, SMPTE timecode).
//!
//! The position itself lives on the audio thread (`engine::transport`),
//! advanced by the audio clock; this module only sends it commands.

mod position;
mod store;

pub use position::{bars_beats, parse_position, smpte, BarsBeats};
pub use store::{Marker, StoredTransport, TransportFile};

use crate::engine::transport::{ClockReading, TransportCommand};
use std::path::Path;

/// How far rewind and fast forward move, in seconds.
pub const SHUTTLE_S: f64 = 5.0;

/// The latest time a file keeps, in seconds (about 31 years).
pub const MAX_FILE_TIME: f64 = 1e9;
/// What a time in a file may be, for error messages.
pub const FILE_TIME_ALLOWED: &str = "seconds from 0 to 1000000000";

/// A time on the timeline as the session's files keep it (lanes, markers,
/// the loop, notes): seconds from 0 to [`MAX_FILE_TIME`], to the
/// microsecond, which is how they are written (`{:.6}`); `None` for
/// anything else. Rounding on reading too makes a file that loads write
/// back exactly as it loaded (two times a tenth of a microsecond apart are
/// one time, not two that no longer increase once written).
pub fn file_time(seconds: f64) -> Option<f64> {
    (seconds.is_finite() && (0.0..=MAX_FILE_TIME).contains(&seconds))
        .then(|| (seconds * 1e6).round() / 1e6)
}

/// A request for the transport, from any surface.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Play,
    Stop,
    /// Toggle (None) or set writing of automation.
    Record(Option<bool>),
    Rewind,
    FastForward,
    Locate(f64),
    /// Toggle (None) or set looping over the loop range.
    Looping(Option<bool>),
    /// Set the loop range (seconds) and loop.
    LoopRange(f64, f64),
    AddMarker(Option<String>),
    NextMarker,
    PreviousMarker,
    /// Locate to a marker by name or 1-based number.
    GotoMarker(String),
    DeleteMarker(String),
    /// Give a marker (by name or number) a new name.
    RenameMarker(String, String),
    /// Answer the markers.
    ListMarkers,
}

/// The transport's state on the control side.
pub struct Transport {
    file: TransportFile,
    sample_rate: f64,
}

/// What a request asks of the engine and the rest of the daemon.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    pub commands: Vec<TransportCommand>,
    /// Set automation writing on or off.
    pub record: Option<bool>,
    /// Said back to whoever asked (an error, or what was done).
    pub error: Option<String>,
    /// The markers or loop changed (and were saved).
    pub changed: bool,
}

impl Transport {
    /// The transport of the session in `session_dir` (its markers and loop).
    pub fn load(session_dir: &Path, sample_rate: u32) -> Result<Transport, crate::yaml::Errors> {
        Ok(Transport {
            file: TransportFile::load(session_dir)?,
            sample_rate: f64::from(sample_rate.max(1)),
        })
    }

    pub fn markers(&self) -> &[Marker] {
        &self.file.markers
    }

    pub fn loop_range(&self) -> Option<(f64, f64)> {
        self.file.loop_range
    }

    pub fn looping(&self) -> bool {
        self.file.looping && self.file.loop_range.is_some()
    }

    /// Replace the markers and the loop (a revision recalled), saved at
    /// once: the command that loops the engine as they now say, and
    /// whether they were saved.
    pub fn replace(
        &mut self,
        markers: Vec<Marker>,
        loop_range: Option<(f64, f64)>,
        looping: bool,
    ) -> (TransportCommand, std::io::Result<()>) {
        self.file.markers = markers;
        self.file.loop_range = loop_range;
        self.file.looping = looping;
        (self.loop_command(), self.file.save())
    }

    /// The engine runs at `rate` (a new engine, or the server imposed it).
    pub fn set_sample_rate(&mut self, rate: u32) {
        self.sample_rate = f64::from(rate.max(1));
    }

    /// Frames at the engine's rate to seconds.
    pub fn seconds(&self, frames: u64) -> f64 {
        frames as f64 / self.sample_rate
    }

    fn frames(&self, seconds: f64) -> u64 {
        (seconds.max(0.0) * self.sample_rate).round() as u64
    }

    /// The commands that bring a fresh engine to this transport's state
    /// (its loop, the position it was left at).
    pub fn restore(&self, at: ClockReading) -> Vec<TransportCommand> {
        let mut c = vec![self.loop_command(), TransportCommand::Locate(at.position)];
        if at.playing {
            c.push(TransportCommand::Play);
        }
        c
    }

    fn loop_command(&self) -> TransportCommand {
        TransportCommand::Loop(
            self.file
                .loop_range
                .filter(|_| self.looping())
                .map(|(a, b)| (self.frames(a), self.frames(b))),
        )
    }

    /// Carry out a request at transport time `now` (seconds).
    pub fn request(&mut self, request: Request, now: f64, record: bool) -> Outcome {
        let mut out = Outcome::default();
        let locate =
            |s: f64| TransportCommand::Locate((s.max(0.0) * self.sample_rate).round() as u64);
        match request {
            Request::Play => out.commands.push(TransportCommand::Play),
            Request::Stop => out.commands.push(TransportCommand::Stop),
            Request::Record(on) => out.record = Some(on.unwrap_or(!record)),
            Request::Rewind => out.commands.push(locate(now - SHUTTLE_S)),
            Request::FastForward => out.commands.push(locate(now + SHUTTLE_S)),
            Request::Locate(s) if s.is_finite() => out.commands.push(locate(s)),
            Request::Locate(_) => {
                out.error = Some("the position must be a number of seconds".into())
            }
            Request::Looping(on) => {
                let on = on.unwrap_or(!self.looping());
                if on && self.file.loop_range.is_none() {
                    out.error =
                        Some("no loop range: set one with /transport/loop START END".into());
                } else {
                    self.file.looping = on;
                    out.changed = true;
                    out.commands.push(self.loop_command());
                }
            }
            Request::LoopRange(a, b) if a.is_finite() && b.is_finite() && b > a && a >= 0.0 => {
                self.file.loop_range = Some((a, b));
                self.file.looping = true;
                out.changed = true;
                out.commands.push(self.loop_command());
            }
            Request::LoopRange(..) => {
                out.error = Some("the loop needs a start and a later end, in seconds".into())
            }
            Request::AddMarker(name) => {
                let name =
                    name.unwrap_or_else(|| format!("Marker {}", self.file.markers.len() + 1));
                self.file.add_marker(name, now);
                out.changed = true;
            }
            Request::NextMarker => match self.file.markers.iter().find(|m| m.time > now + 0.01) {
                Some(m) => out.commands.push(locate(m.time)),
                None => out.error = Some("no marker after the position".into()),
            },
            Request::PreviousMarker => {
                // Just after a marker, "previous" means the one before it.
                match self.file.markers.iter().rev().find(|m| m.time < now - 0.25) {
                    Some(m) => out.commands.push(locate(m.time)),
                    None => out.commands.push(locate(0.0)),
                }
            }
            Request::GotoMarker(which) => match self.file.find(&which) {
                Some(i) => out.commands.push(locate(self.file.markers[i].time)),
                None => out.error = Some(format!("no marker `{which}`")),
            },
            Request::ListMarkers => {}
            Request::RenameMarker(which, name) => match self.file.find(&which) {
                Some(i) => {
                    self.file.markers[i].name = name;
                    out.changed = true;
                }
                None => out.error = Some(format!("no marker `{which}`")),
            },
            Request::DeleteMarker(which) => match self.file.find(&which) {
                Some(i) => {
                    self.file.markers.remove(i);
                    out.changed = true;
                }
                None => out.error = Some(format!("no marker `{which}`")),
            },
        }
        if out.changed {
            if let Err(e) = self.file.save() {
                log::error!("transport: cannot save markers and loop: {e}");
            }
        }
        out
    }
}
