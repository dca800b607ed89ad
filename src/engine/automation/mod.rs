//! Automation playback on the audio thread: each lane read at the transport
//! position, at least every [`STEP`] frames, and set on its parameter, whose
//! smoother takes it from there.
//!
//! The control side decides which lanes are read (its modes, touches and
//! write passes) and tells the engine with [`LaneCommand`]s; the lanes
//! themselves arrive built, in a [`Playback`] that is swapped in whole.

mod lane;

pub use lane::{Lane, Point, Shape, EDGE};

use super::graph::Graph;
use super::smoothing::DEFAULT_RAMP_MS;
use crate::params::{ParamId, Spec};
use std::sync::Arc;

/// Frames between two readings of the lanes while the transport plays.
pub const STEP: usize = 128;

/// How far ahead of the position continuous lanes are read, in seconds:
/// a parameter retargeted every [`STEP`] frames trails its target by its
/// ramp time, so reading that much ahead puts the sound on the lane.
pub const LOOK_AHEAD: f64 = DEFAULT_RAMP_MS as f64 / 1000.0;

/// A lane as the engine starts reading it.
#[derive(Debug, Clone)]
pub struct LaneSetup {
    pub id: ParamId,
    pub lane: Arc<Lane>,
    /// Whether the engine plays it (otherwise the parameter is left to the
    /// control side's values).
    pub reading: bool,
    /// Added to the lane's values (trim), in the parameter's unit.
    pub offset: f32,
}

/// A change to one lane of the current [`Playback`], by its index there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LaneCommand {
    /// Stop reading the lane: the control side sets the parameter.
    Release { index: u32 },
    /// Read the lane again, gliding from `from` (the parameter's value now)
    /// to the lane over `glide` seconds of the timeline.
    Read { index: u32, from: f32, glide: f32 },
    /// Add `offset` to the lane's values (trim).
    Offset { index: u32, offset: f32 },
}

/// Every lane of a session, with what the engine does with each.
pub struct Playback {
    lanes: Vec<PlayLane>,
}

struct PlayLane {
    id: ParamId,
    lane: Arc<Lane>,
    spec: Spec,
    reading: bool,
    offset: f32,
    glide_from: f32,
    /// Seconds the glide lasts (0: none).
    glide: f64,
    /// When it started on the timeline (NaN until the lane is next read).
    glide_start: f64,
    cursor: usize,
    /// The value last set (NaN: none yet).
    last: f32,
}

impl Playback {
    pub fn new(lanes: Vec<LaneSetup>) -> Playback {
        Playback {
            lanes: lanes
                .into_iter()
                .map(|s| PlayLane {
                    spec: Spec::of(s.id.param),
                    id: s.id,
                    lane: s.lane,
                    reading: s.reading,
                    offset: s.offset,
                    glide_from: 0.0,
                    glide: 0.0,
                    glide_start: f64::NAN,
                    cursor: 0,
                    last: f32::NAN,
                })
                .collect(),
        }
    }

    pub fn none() -> Playback {
        Playback::new(Vec::new())
    }

    /// Whether any lane is being read.
    pub fn reading(&self) -> bool {
        self.lanes.iter().any(|l| l.reading)
    }

    pub(crate) fn apply(&mut self, command: LaneCommand) {
        let index = match command {
            LaneCommand::Release { index }
            | LaneCommand::Read { index, .. }
            | LaneCommand::Offset { index, .. } => index,
        };
        let Some(l) = self.lanes.get_mut(index as usize) else {
            return;
        };
        match command {
            LaneCommand::Release { .. } => l.reading = false,
            LaneCommand::Read { from, glide, .. } => {
                l.reading = true;
                l.last = f32::NAN;
                l.glide_from = from;
                l.glide = if from.is_finite() && glide > 0.0 {
                    f64::from(glide)
                } else {
                    0.0
                };
                l.glide_start = f64::NAN;
            }
            LaneCommand::Offset { offset, .. } => {
                if offset.is_finite() {
                    l.offset = offset;
                }
            }
        }
    }

    /// Set every read lane's value at `time` (seconds) on `graph`.
    pub(crate) fn run(&mut self, graph: &mut Graph, time: f64) {
        for l in self.lanes.iter_mut().filter(|l| l.reading) {
            let at = match l.lane.shape() {
                Shape::Linear => time + LOOK_AHEAD,
                Shape::Step => time,
            };
            let Some(mut v) = l.lane.value_near(at, &mut l.cursor) else {
                continue;
            };
            if l.lane.shape() == Shape::Linear {
                v += l.offset;
            }
            if l.glide > 0.0 {
                if l.glide_start.is_nan() {
                    l.glide_start = time;
                }
                // A jump back (a loop, a locate) ends the glide.
                let done = ((time - l.glide_start) / l.glide).clamp(0.0, 1.0) as f32;
                if done >= 1.0 || time < l.glide_start {
                    l.glide = 0.0;
                } else if v.is_finite() {
                    v = l.glide_from + (v - l.glide_from) * done;
                }
            }
            let Some(v) = l.spec.clamp(v) else { continue };
            if v != l.last {
                l.last = v;
                graph.set(l.id, v);
            }
        }
    }
}
