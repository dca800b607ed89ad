//! A session as the engine sees it.

use super::{BusKind, Session};
use crate::engine::{BusRole, Topology, TrackShape};

impl Session {
    /// The engine topology of this session, with track `i` reading the
    /// 0-based engine inputs `inputs(i)` (left, right).
    pub fn topology(&self, inputs: impl Fn(usize) -> [Option<usize>; 2]) -> Topology {
        let tracks = self
            .tracks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let stereo = t.channels == 2;
                let [l, r] = inputs(i);
                TrackShape {
                    stereo,
                    inputs: [l, if stereo { r } else { None }],
                }
            })
            .collect();
        let buses = self
            .buses
            .iter()
            .map(|b| match b.kind {
                BusKind::Aux { .. } => BusRole::Aux,
                BusKind::Fx { effect } => BusRole::Fx(effect),
            })
            .collect();
        Topology {
            sample_rate: self.sample_rate as f32,
            pan_law: self.pan_law,
            tracks,
            buses,
            compensate_latency: false,
            monitor: None,
        }
    }
}
