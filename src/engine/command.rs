//! Messages from the control side to the audio thread.

use super::graph::Graph;
use crate::params::ParamId;

/// Capacity of the command queue. When it is full the control side keeps the
/// latest value of each parameter and sends it on the next flush: no value is
/// lost, intermediate values may be.
pub const COMMAND_CAPACITY: usize = 4096;

/// Capacity of the queue that returns replaced graphs to the control side.
/// The control side keeps at most this many swaps in flight.
pub const RETURN_CAPACITY: usize = 4;

/// The most commands the audio thread applies in one callback, so that a
/// flood of changes cannot stretch a callback; the rest wait for the next.
pub const COMMANDS_PER_CALLBACK: usize = 1024;

pub enum Command {
    /// A parameter value in the units of its [`crate::params::Spec`].
    Set { id: ParamId, value: f32 },
    /// Replace the whole graph (new topology); the old one is sent back.
    Swap(Box<Graph>),
    /// Restart integrated loudness, loudness range and true-peak maximum.
    ResetLoudness,
}
