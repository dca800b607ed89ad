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

pub mod automation;
mod block;
mod bus;
mod command;
mod cue;
pub mod denormal;
pub mod dsp;
mod graph;
mod inserts;
pub mod loudness;
mod master;
pub mod media;
pub mod meters;
pub mod monitor;
pub mod smoothing;
mod strip;
pub mod topology;
mod track;
mod track_group;
pub mod transport;

pub use command::{COMMANDS_PER_CALLBACK, COMMAND_CAPACITY, RETURN_CAPACITY};
pub use graph::Graph;
pub use meters::{LoudnessReading, MeterSnapshot, Meters, StripReading};
pub use topology::{BusRole, Topology, TrackShape, MAX_BLOCK, MAX_INPUTS, SAMPLE_RATES};

use crate::params::{ParamId, Spec};
use automation::{LaneCommand, Playback};
use command::{Command, Swap};
use denormal::FlushDenormals;
use media::Media;
use monitor::Reference;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use transport::{Transport, TransportClock, TransportCommand};

/// The audio-thread half. `process` is real-time safe.
pub struct Engine {
    graph: Box<Graph>,
    media: Box<Media>,
    playback: Box<Playback>,
    reference: Box<Reference>,
    transport: Transport,
    pending_swap: Option<Swap>,
    commands: rtrb::Consumer<Command>,
    returns: rtrb::Producer<Swap>,
}

/// The control-thread half: sends parameter changes and new graphs.
pub struct EngineHandle {
    commands: rtrb::Producer<Command>,
    returns: rtrb::Consumer<Swap>,
    /// Latest values that did not fit in the queue, sent on the next flush.
    overflow: BTreeMap<ParamId, f32>,
    /// Commands that must all arrive, in order, that did not fit.
    overflow_ordered: VecDeque<Command>,
    overflow_swaps: VecDeque<Swap>,
    swaps_in_flight: usize,
    meters: Arc<Meters>,
    clock: Arc<TransportClock>,
    topology: Topology,
    latency: usize,
}

/// Build a connected engine and handle for `topology`, with every parameter
/// at `values` (or its default where `values` has none), no file sources, no
/// automation and the transport stopped at the start.
pub fn new(topology: Topology, values: &[(ParamId, f32)]) -> (Engine, EngineHandle) {
    let (cmd_tx, cmd_rx) = rtrb::RingBuffer::new(COMMAND_CAPACITY);
    let (ret_tx, ret_rx) = rtrb::RingBuffer::new(RETURN_CAPACITY);
    let graph = build(topology.clone(), values);
    let clock = Arc::new(TransportClock::default());
    let handle = EngineHandle {
        commands: cmd_tx,
        returns: ret_rx,
        overflow: BTreeMap::new(),
        overflow_ordered: VecDeque::new(),
        overflow_swaps: VecDeque::new(),
        swaps_in_flight: 0,
        meters: graph.meters().clone(),
        clock: clock.clone(),
        latency: graph.latency(),
        topology,
    };
    let engine = Engine {
        graph,
        media: Box::new(Media::none()),
        playback: Box::new(Playback::none()),
        reference: Box::new(Reference::none()),
        transport: Transport::new(clock),
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
    /// outputs are left untouched, missing ones are skipped. File sources
    /// join the inputs from [`Media::first`] on.
    pub fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]], frames: usize) {
        let _ftz = FlushDenormals::new();
        self.apply_commands();
        let sample_rate = f64::from(self.graph.topology().sample_rate);
        let mut offset = 0;
        while offset < frames {
            let playing = self.transport.playing();
            let jumped = self.transport.take_jumped();
            let position = self.transport.position();
            // Automation is read on a grid of STEP frames of the timeline
            // while playing (and once after a locate), so what is heard does
            // not depend on the callback size; a pass never crosses a
            // loop's end.
            let step = if playing && self.playback.reading() {
                automation::STEP - (position % automation::STEP as u64) as usize
            } else {
                MAX_BLOCK
            };
            let n = self.transport.span((frames - offset).min(step));
            if jumped || (playing && position.is_multiple_of(automation::STEP as u64)) {
                let time = position as f64 / sample_rate;
                self.playback.run(&mut self.graph, time);
            }
            let mut window: [&[f32]; MAX_INPUTS] = [&[]; MAX_INPUTS];
            for (w, x) in window.iter_mut().zip(inputs) {
                *w = x.get(offset..offset + n).unwrap_or(&[]);
            }
            let count = inputs.len().min(MAX_INPUTS);
            let count = if self.media.channels().is_empty() {
                count
            } else {
                let end = self.media.first() + self.media.channels().len();
                self.media.fill(&mut window, position, n, playing);
                end.min(MAX_INPUTS)
            };
            // The reference plays where the master's output stands.
            let at = position as i64 - self.graph.latency() as i64;
            if let Some(buf) = self.graph.reference_input(self.reference.gain()) {
                self.reference.fill(buf, at, n, playing);
            }
            self.graph
                .process_block(&window[..count], outputs, offset, n);
            self.transport.advance(n);
            offset += n;
        }
    }

    fn apply_commands(&mut self) {
        if let Some(s) = self.pending_swap.take() {
            self.swap(s);
        }
        for _ in 0..COMMANDS_PER_CALLBACK {
            let Ok(cmd) = self.commands.pop() else { break };
            match cmd {
                Command::Set { id, value } => self.graph.set(id, value),
                Command::Swap(s) => self.swap(s),
                Command::ResetLoudness => self.graph.reset_loudness(),
                Command::Transport(t) => self.transport.apply(t),
                Command::Lane(l) => self.playback.apply(l),
            }
        }
    }

    /// Swap in a new object if the old one can be sent back; otherwise keep
    /// the new one waiting (the handle never has more swaps in flight than
    /// the return queue holds, so this only defers by a callback).
    fn swap(&mut self, new: Swap) {
        if self.returns.slots() == 0 {
            if let Some(older) = self.pending_swap.replace(new) {
                // Unreachable while the handle respects RETURN_CAPACITY; never free here.
                std::mem::forget(older);
            }
            return;
        }
        let old = match new {
            Swap::Graph(g) => Swap::Graph(std::mem::replace(&mut self.graph, g)),
            Swap::Media(m) => Swap::Media(std::mem::replace(&mut self.media, m)),
            Swap::Playback(p) => Swap::Playback(std::mem::replace(&mut self.playback, p)),
            Swap::Reference(mut r) => {
                r.carry(&self.reference);
                Swap::Reference(std::mem::replace(&mut self.reference, r))
            }
        };
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
        if self.backlog() > 0 {
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
        self.send_ordered(Command::ResetLoudness);
    }

    /// Play, stop, locate or loop.
    pub fn transport(&mut self, command: TransportCommand) {
        self.send_ordered(Command::Transport(command));
    }

    /// Read, release or offset one lane of the current playback.
    pub fn lane(&mut self, command: LaneCommand) {
        self.send_ordered(Command::Lane(command));
    }

    /// Replace the file sources.
    pub fn set_media(&mut self, media: Media) {
        self.overflow_swaps.push_back(Swap::Media(Box::new(media)));
        self.flush();
    }

    /// Replace the monitor's reference track (or its loudness match).
    pub fn set_reference(&mut self, reference: Reference) {
        self.overflow_swaps
            .push_back(Swap::Reference(Box::new(reference)));
        self.flush();
    }

    /// Replace the automation lanes.
    pub fn set_playback(&mut self, playback: Playback) {
        self.overflow_swaps
            .push_back(Swap::Playback(Box::new(playback)));
        self.flush();
    }

    /// The transport as the audio thread last left it.
    pub fn clock(&self) -> &Arc<TransportClock> {
        &self.clock
    }

    fn send_ordered(&mut self, command: Command) {
        self.overflow_ordered.push_back(command);
        self.flush();
    }

    /// Replace the topology: a new graph is built here, at `values`, and
    /// swapped in by the audio thread at its next callback.
    pub fn rebuild(&mut self, topology: Topology, values: &[(ParamId, f32)]) {
        let graph = build(topology.clone(), values);
        self.meters = graph.meters().clone();
        self.latency = graph.latency();
        self.topology = topology;
        self.overflow.clear();
        self.overflow_swaps.push_back(Swap::Graph(graph));
        self.flush();
    }

    /// Send what waited for queue space, and free graphs the audio thread
    /// has returned. Call regularly from the control loop.
    pub fn flush(&mut self) {
        let mut released_reference = false;
        while let Ok(old) = self.returns.pop() {
            self.swaps_in_flight -= 1;
            released_reference |= matches!(old, Swap::Reference(_));
            drop(old);
        }
        if released_reference {
            // A reference (an A/B's takes) can be hundreds of megabytes.
            crate::memory::release_free_pages();
        }
        // Swaps first (a new graph before the values meant for it), then
        // ordered commands, then the latest values.
        while self.swaps_in_flight < RETURN_CAPACITY {
            let Some(s) = self.overflow_swaps.pop_front() else {
                break;
            };
            match self.commands.push(Command::Swap(s)) {
                Ok(()) => self.swaps_in_flight += 1,
                Err(rtrb::PushError::Full(Command::Swap(s))) => {
                    self.overflow_swaps.push_front(s);
                    return;
                }
                Err(_) => return,
            }
        }
        if !self.overflow_swaps.is_empty() {
            return;
        }
        while let Some(c) = self.overflow_ordered.pop_front() {
            if let Err(rtrb::PushError::Full(c)) = self.commands.push(c) {
                self.overflow_ordered.push_front(c);
                return;
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
        self.overflow.len() + self.overflow_ordered.len() + self.overflow_swaps.len()
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
