//! The processing graph of one topology: every strip with its buffers,
//! built (and allocated) on the control side and handed to the audio thread
//! whole. A topology change builds a new graph and swaps it in; the old one
//! travels back to the control side to be freed there.

use super::block::add;
use super::bus::Bus;
use super::cue::Solo;
use super::dsp::lanes::{Lanes, LANES};
use super::master::Master;
use super::meters::Meters;
use super::monitor::Monitor;
use super::strip::{Scratch, Stereo};
use super::topology::{BusRole, Topology, MAX_BLOCK};
use super::track::Track;
use super::track_group;
use crate::params::{Owner, Param, ParamId, SoloMode};
use std::sync::Arc;

pub struct Graph {
    topology: Topology,
    tracks: Vec<Track>,
    buses: Vec<Bus>,
    bus_io: Vec<Stereo>,
    master: Master,
    master_io: Stereo,
    monitor: Option<Box<Monitor>>,
    /// The soloed tracks' sum in AFL/PFL, for the monitor.
    cue_io: Stereo,
    scratch: Scratch,
    /// The signal of one track group, a lane per track.
    frames: Box<[Lanes<f32>]>,
    meters: Arc<Meters>,
}

impl Graph {
    /// Build a graph at default parameter values.
    pub fn new(topology: Topology) -> Self {
        let sr = topology.sample_rate;
        let tracks = topology
            .tracks
            .iter()
            .map(|shape| {
                Track::new(
                    shape.clone(),
                    &topology.buses,
                    topology.pan_law,
                    sr,
                    topology.compensate_latency,
                )
            })
            .collect();
        let buses = topology
            .buses
            .iter()
            .map(|role| Bus::new(*role, topology.pan_law, sr))
            .collect();
        let bus_io = topology.buses.iter().map(|_| Stereo::new()).collect();
        let meters = Arc::new(Meters::new(topology.tracks.len(), topology.buses.len()));
        Graph {
            tracks,
            buses,
            bus_io,
            master: Master::new(sr),
            master_io: Stereo::new(),
            monitor: topology
                .monitor
                .as_ref()
                .map(|m| Box::new(Monitor::new(m, &topology.buses, sr))),
            cue_io: Stereo::new(),
            scratch: Scratch::new(),
            frames: vec![Lanes::splat(0.0); MAX_BLOCK].into_boxed_slice(),
            meters,
            topology,
        }
    }

    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    pub fn meters(&self) -> &Arc<Meters> {
        &self.meters
    }

    /// Latency of the master output relative to the inputs, in samples.
    pub fn latency(&self) -> usize {
        let tracks = if self.topology.compensate_latency {
            self.tracks.iter().map(Track::compensated_latency).max()
        } else {
            None
        };
        self.master.latency() + tracks.unwrap_or(0)
    }

    /// Apply a parameter value (already validated by the control side; values
    /// for parameters this graph does not have are ignored).
    pub fn set(&mut self, id: ParamId, value: f32) {
        if !value.is_finite() && id.param != Param::Gain {
            return;
        }
        match id.owner {
            Owner::Track(i) => {
                if let Some(t) = self.tracks.get_mut(i as usize) {
                    t.set(id.param, value);
                }
            }
            Owner::Bus(i) => {
                if let Some(b) = self.buses.get_mut(i as usize) {
                    b.set(id.param, value);
                }
            }
            Owner::Master => self.master.set(id.param, value),
            Owner::Transport => {
                if id.param == Param::Tempo {
                    self.tracks.iter_mut().for_each(|t| t.set_tempo(value));
                    self.buses.iter_mut().for_each(|b| b.set_tempo(value));
                }
            }
            Owner::Monitor => {
                if let (Some(m), Param::Monitor(f)) = (&mut self.monitor, id.param) {
                    m.set(f, value);
                }
            }
        }
    }

    /// Run silence through a freshly built graph until every smoother has
    /// reached its value, so it starts on its settings rather than ramping
    /// towards them; then clear what the meters saw.
    pub(crate) fn settle(&mut self) {
        const SETTLE_S: f32 = 0.1;
        if let Some(m) = &mut self.monitor {
            m.settle();
        }
        let mut left = (SETTLE_S * self.topology.sample_rate) as usize;
        while left > 0 {
            let n = left.min(MAX_BLOCK);
            self.process_block(&[], &mut [], 0, n);
            left -= n;
        }
        self.reset_loudness();
        self.meters.take();
    }

    pub fn reset_loudness(&mut self) {
        self.master.reset_loudness();
    }

    /// The monitor's buffer for this pass's reference audio (with the
    /// reference's loudness match, linear), if there is a monitor.
    pub(crate) fn reference_input(&mut self, matched: f32) -> Option<&mut Stereo> {
        Some(self.monitor.as_mut()?.reference_input(matched))
    }

    /// Process up to [`MAX_BLOCK`] frames. `inputs` hold this pass's frames
    /// (from their start); `outputs` follow [`Topology::output_channels`] and
    /// are written from `offset`; missing inputs are silence.
    pub(crate) fn process_block(
        &mut self,
        inputs: &[&[f32]],
        outputs: &mut [&mut [f32]],
        offset: usize,
        frames: usize,
    ) {
        debug_assert!(frames <= MAX_BLOCK);
        let n = frames;
        for io in &mut self.bus_io {
            io.clear(n);
        }
        self.master_io.clear(n);

        // Tracks: inputs; filters and dynamics, mono tracks in groups side
        // by side; then the mix, in track order.
        for t in &mut self.tracks {
            t.input(n, inputs, &mut self.scratch);
        }
        let mut mono = self.tracks.iter_mut().filter(|t| t.in_lanes());
        loop {
            let mut group: [Option<&mut Track>; LANES] = std::array::from_fn(|_| mono.next());
            match group {
                [None, ..] => break,
                // A track alone is cheaper on its own than in a group of one
                // (and gives the same bits either way).
                [Some(ref mut t), None, ..] => t.dynamics(n),
                _ => track_group::process(&mut group, &mut self.frames[..n]),
            }
        }
        for t in self.tracks.iter_mut().filter(|t| !t.in_lanes()) {
            t.dynamics(n);
        }
        let solo = Solo {
            any: self.tracks.iter().any(Track::solo),
            mode: self
                .monitor
                .as_ref()
                .map_or(SoloMode::Sip, |m| m.solo_mode()),
        };
        self.cue_io.clear(n);
        for (i, t) in self.tracks.iter_mut().enumerate() {
            t.mix(
                n,
                solo,
                &mut self.bus_io,
                &mut self.master_io,
                &mut self.cue_io,
                &mut self.scratch,
                self.meters.track(i),
            );
        }
        if let Some(m) = &mut self.monitor {
            m.talkback(inputs, &mut self.bus_io, n, &mut self.scratch);
        }

        let mut aux_out = 2;
        for (i, (bus, io)) in self.buses.iter_mut().zip(&mut self.bus_io).enumerate() {
            bus.process(io, n, &mut self.scratch, self.meters.bus(i));
            match bus.role() {
                BusRole::Fx(_) => {
                    add(&mut self.master_io.l[..n], &io.l[..n]);
                    add(&mut self.master_io.r[..n], &io.r[..n]);
                }
                BusRole::Aux => {
                    for (k, src) in [&io.l, &io.r].into_iter().enumerate() {
                        if let Some(out) = outputs.get_mut(aux_out + k) {
                            if let Some(dst) = out.get_mut(offset..offset + n) {
                                dst.copy_from_slice(&src[..n]);
                            }
                        }
                    }
                    aux_out += 2;
                }
            }
        }

        self.master
            .process(&mut self.master_io, n, &mut self.scratch, &self.meters);
        for (k, src) in [&self.master_io.l, &self.master_io.r]
            .into_iter()
            .enumerate()
        {
            if let Some(dst) = outputs
                .get_mut(k)
                .and_then(|o| o.get_mut(offset..offset + n))
            {
                dst.copy_from_slice(&src[..n]);
            }
        }
        if let Some(m) = &mut self.monitor {
            let first = self.topology.monitor_output();
            m.process(
                &self.master_io,
                &self.cue_io,
                solo.cueing(),
                outputs,
                first,
                offset,
                n,
                &mut self.scratch,
            );
        }
    }
}
