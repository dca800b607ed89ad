//! Messages between the control side and the audio thread.

use super::automation::{LaneCommand, Playback};
use super::graph::Graph;
use super::media::Media;
use super::monitor::Reference;
use super::transport::TransportCommand;
use crate::params::ParamId;

/// Capacity of the command queue. When it is full the control side keeps the
/// latest value of each parameter and sends it on the next flush: no value is
/// lost, intermediate values may be. Transport and lane commands that do not
/// fit wait in order and are all sent.
pub const COMMAND_CAPACITY: usize = 4096;

/// Capacity of the queue that returns replaced objects (graphs, media,
/// playback, reference) to the control side. The control side keeps at most this many
/// swaps in flight.
pub const RETURN_CAPACITY: usize = 4;

/// The most commands the audio thread applies in one callback, so that a
/// flood of changes cannot stretch a callback; the rest wait for the next.
pub const COMMANDS_PER_CALLBACK: usize = 1024;

pub enum Command {
    /// A parameter value in the units of its [`crate::params::Spec`].
    Set {
        id: ParamId,
        value: f32,
    },
    /// Replace a whole object; the old one is sent back.
    Swap(Swap),
    /// Restart integrated loudness, loudness range and true-peak maximum.
    ResetLoudness,
    Transport(TransportCommand),
    Lane(LaneCommand),
}

/// Objects built on the control side and swapped in whole; the replaced one
/// travels back in the same form to be freed there.
pub enum Swap {
    /// A new topology.
    Graph(Box<Graph>),
    /// New file sources.
    Media(Box<Media>),
    /// New automation lanes.
    Playback(Box<Playback>),
    /// A new reference track for the monitor (or its new loudness match).
    Reference(Box<Reference>),
}
