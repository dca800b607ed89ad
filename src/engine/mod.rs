//! The mixing engine: tracks, buses and master, processed block by block.
//!
//! This module knows nothing of protocols, file formats or audio backends. It
//! takes parameter changes as typed [`crate::params::ParamId`]s and processes
//! planar `f32` buffers.
//!
//! [`Engine`] lives on the audio thread and [`EngineHandle`] on the control
//! thread; they share only two wait-free queues (commands in, replaced graphs
//! back) and the lock-free [`Meters`]. Everything that allocates — building a
//! graph, freeing an old one — happens on the handle's side.

mod block;
mod bus;
mod command;
pub mod denormal;
pub mod dsp;
mod graph;
pub mod loudness;
mod master;
pub mod meters;
pub mod smoothing;
mod strip;
pub mod topology;
mod track;
mod track_group;

pub use command::{COMMANDS_PER_CALLBACK, COMMAND_CAPACITY, RETURN_CAPACITY};
pub use graph::Graph;
pub use meters::{LoudnessReading, MeterSnapshot, Meters, StripReading};
pub use topology::{BusRole, Topology, TrackShape, MAX_BLOCK, MAX_INPUTS, SAMPLE_RATES};

use crate::params::{ParamId, Spec};
use command::Command;
use denormal::FlushDenormals;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The audio-thread half. `process` is real-time safe.
pub struct Engine {
    graph: Box<Graph>,
    pending_swap: Option<Box<Graph>>,
    commands: rtrb::Consumer<Command>,
    returns: rtrb::Producer<Box<Graph>>,
}

/// The control-thread half: sends parameter changes and new graphs.
pub struct EngineHandle {
    commands: rtrb::Producer<Command>,
    returns: rtrb::Consumer<Box<Graph>>,
    /// Latest values that did not fit in the queue, sent on the next flush.
    overflow: BTreeMap<ParamId, f32>,
    overflow_swap: Option<Box<Graph>>,
    swaps_in_flight: usize,
    meters: Arc<Meters>,
    topology: Topology,
    latency: usize,
}

/// Build a connected engine and handle for `topology`, with every parameter
/// at `values` (or its default where `values` has none).
pub fn new(topology: Topology, values: &[(ParamId, f32)]) -> (Engine, EngineHandle) {
    let (cmd_tx, cmd_rx) = rtrb::RingBuffer::new(COMMAND_CAPACITY);
    let (ret_tx, ret_rx) = rtrb::RingBuffer::new(RETURN_CAPACITY);
    let graph = build(topology.clone(), values);
    let handle = EngineHandle {
        commands: cmd_tx,
        returns: ret_rx,
        overflow: BTreeMap::new(),
        overflow_swap: None,
        swaps_in_flight: 0,
        meters: graph.meters().clone(),
        latency: graph.latency(),
        topology,
    };
    let engine = Engine {
        graph,
        pending_swap: None,
        commands: cmd_rx,
        returns: ret_tx,
    };
    (engine, handle)
}

fn build(topology: Topology, values: &[(ParamId, f32)]) -> Box<Graph> {
    let mut g = Box::new(Graph::new(topology));
    for &(id, v) in values {
        if let Some(v) = Spec::of(id.param).clamp(v) {
            g.set(id, v);
        }
    }
    g.settle();
    g
}

impl Engine {
    /// Process `frames` frames: `inputs[c]` and `outputs[c]` are planar
    /// channels of at least `frames` samples. Outputs are master L/R, then
    /// one pair per aux bus (see [`Topology::output_channels`]); extra
    /// outputs are left untouched, missing ones are skipped.
    pub fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]], frames: usize) {
        let _ftz = FlushDenormals::new();
        self.apply_commands();
        let mut offset = 0;
        while offset < frames {
            let n = (frames - offset).min(MAX_BLOCK);
            self.graph.process_block(inputs, outputs, offset, n);
            offset += n;
        }
    }

    fn apply_commands(&mut self) {
        if let Some(g) = self.pending_swap.take() {
            self.swap(g);
        }
        for _ in 0..COMMANDS_PER_CALLBACK {
            let Ok(cmd) = self.commands.pop() else { break };
            match cmd {
                Command::Set { id, value } => self.graph.set(id, value),
                Command::Swap(g) => self.swap(g),
                Command::ResetLoudness => self.graph.reset_loudness(),
            }
        }
    }

    /// Swap in a new graph if the old one can be sent back; otherwise keep the
    /// new one waiting (the handle never has more swaps in flight than the
    /// return queue holds, so this only defers by a callback).
    fn swap(&mut self, new: Box<Graph>) {
        if self.returns.slots() == 0 {
            if let Some(older) = self.pending_swap.replace(new) {
                // Unreachable while the handle respects RETURN_CAPACITY; never free here.
                std::mem::forget(older);
            }
            return;
        }
        let old = std::mem::replace(&mut self.graph, new);
        if let Err(rtrb::PushError::Full(old)) = self.returns.push(old) {
            std::mem::forget(old);
        }
    }
}

impl EngineHandle {
    /// Set a parameter (in its Spec units; clamped, NaN ignored). Never blocks;
    /// if the queue is full the value waits for [`EngineHandle::flush`].
    pub fn set(&mut self, id: ParamId, value: f32) {
        let Some(value) = Spec::of(id.param).clamp(value) else {
            return;
        };
        if !self.overflow.is_empty() {
            self.overflow.insert(id, value);
            self.flush();
            return;
        }
        if self.commands.push(Command::Set { id, value }).is_err() {
            self.overflow.insert(id, value);
        }
    }

    /// Restart the master's integrated loudness and loudness range.
    pub fn reset_loudness(&mut self) {
        let _ = self.commands.push(Command::ResetLoudness);
    }

    /// Replace the topology: a new graph is built here, at `values`, and
    /// swapped in by the audio thread at its next callback.
    pub fn rebuild(&mut self, topology: Topology, values: &[(ParamId, f32)]) {
        let graph = build(topology.clone(), values);
        self.meters = graph.meters().clone();
        self.latency = graph.latency();
        self.topology = topology;
        self.overflow.clear();
        self.overflow_swap = Some(graph);
        self.flush();
    }

    /// Send what waited for queue space, and free graphs the audio thread
    /// has returned. Call regularly from the control loop.
    pub fn flush(&mut self) {
        while let Ok(old) = self.returns.pop() {
            self.swaps_in_flight -= 1;
            drop(old);
        }
        if self.swaps_in_flight < RETURN_CAPACITY {
            if let Some(g) = self.overflow_swap.take() {
                match self.commands.push(Command::Swap(g)) {
                    Ok(()) => self.swaps_in_flight += 1,
                    Err(rtrb::PushError::Full(Command::Swap(g))) => self.overflow_swap = Some(g),
                    Err(_) => {}
                }
            }
        }
        while let Some((&id, &value)) = self.overflow.iter().next() {
            if self.commands.push(Command::Set { id, value }).is_err() {
                break;
            }
            self.overflow.remove(&id);
        }
    }

    /// Values waiting for queue space.
    pub fn backlog(&self) -> usize {
        self.overflow.len() + usize::from(self.overflow_swap.is_some())
    }

    pub fn meters(&self) -> &Arc<Meters> {
        &self.meters
    }

    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Latency of the master output relative to the inputs, in samples.
    pub fn latency(&self) -> usize {
        self.latency
    }
}
