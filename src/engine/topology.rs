//! The shape of a mix as the engine needs it: how many tracks and buses, what
//! each reads and where each goes. Built by the control side from a session;
//! holds no parameter values (those arrive as commands).

use super::dsp::pan::PanLaw;
use crate::params::BusEffect;

/// Frames processed in one pass; longer blocks are split into passes of this size.
pub const MAX_BLOCK: usize = 512;

/// Input channels the engine reads; channels beyond this are ignored.
pub const MAX_INPUTS: usize = 128;

/// Sample rates the engine is designed and tested for.
pub const SAMPLE_RATES: [u32; 4] = [44_100, 48_000, 88_200, 96_000];

#[derive(Debug, Clone, PartialEq)]
pub struct TrackShape {
    pub stereo: bool,
    /// 0-based engine input channel for each track channel (`None`: silence).
    pub inputs: [Option<usize>; 2],
}

/// What a bus does with its mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusRole {
    /// A monitor mix: it leaves through its own engine output pair.
    Aux,
    /// An effect bus: runs its effect and returns into the master.
    Fx(BusEffect),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    pub sample_rate: f32,
    pub pan_law: PanLaw,
    pub tracks: Vec<TrackShape>,
    pub buses: Vec<BusRole>,
    /// Keep every track delayed by the pitch insert's latency, whether its
    /// pitch is on or not, so tracks stay aligned and the delay can be taken
    /// off the output (offline render). Live, a track's pitch adds its
    /// latency to that track alone, and only while it is on.
    pub compensate_latency: bool,
    /// The control room's monitor section, if the machine has one.
    pub monitor: Option<super::monitor::MonitorShape>,
}

impl Topology {
    /// Engine outputs: master L/R first, then one pair per aux bus in bus
    /// order, then the monitor section's (from [`Topology::monitor_output`]).
    pub fn output_channels(&self) -> usize {
        self.monitor_output() + self.monitor.as_ref().map_or(0, |m| m.output_channels())
    }

    /// The first engine output of the monitor section.
    pub fn monitor_output(&self) -> usize {
        2 + 2 * self.aux_buses().count()
    }

    /// Indices of the aux buses, in the order of their output pairs.
    pub fn aux_buses(&self) -> impl Iterator<Item = usize> + '_ {
        self.buses
            .iter()
            .enumerate()
            .filter(|(_, r)| **r == BusRole::Aux)
            .map(|(i, _)| i)
    }

    /// The address-space layout of this topology.
    pub fn layout(&self) -> crate::params::Layout {
        crate::params::Layout {
            tracks: self.tracks.len(),
            buses: self
                .buses
                .iter()
                .map(|r| match r {
                    BusRole::Aux => BusEffect::None,
                    BusRole::Fx(e) => *e,
                })
                .collect(),
        }
    }
}
