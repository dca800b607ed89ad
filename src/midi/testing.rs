//! The one rig the surface protocols' tests drive: a mix, a surface and a
//! clock, with input, changes from elsewhere and time passing, each
//! returning what the surface sent as `(unit, bytes)`.

use super::{Input, Surface};
use crate::control::model::{Change, Key, Mix, Origin};
use crate::params::{BusEffect, Layout};
use std::time::{Duration, Instant};

pub struct Rig<S: Surface> {
    pub mix: Mix,
    pub surface: S,
    pub now: Instant,
    /// Actions the surface handed over, in order.
    pub actions: Vec<super::Action>,
}

/// A mix of `tracks` tracks and two buses, named "Track 1", ...
pub fn mix(tracks: usize) -> Mix {
    Mix::from_layout(Layout {
        tracks,
        buses: vec![BusEffect::Reverb, BusEffect::Delay],
    })
}

impl<S: Surface> Rig<S> {
    pub fn new(mix: Mix, make: impl FnOnce(&Mix) -> S) -> Self {
        let surface = make(&mix);
        Rig {
            mix,
            surface,
            now: Instant::now(),
            actions: Vec::new(),
        }
    }

    /// Every unit connects; what it is sent.
    pub fn connect(&mut self) -> Vec<(usize, Vec<u8>)> {
        for u in 0..self.surface.units() {
            self.surface.connected(&self.mix, u, self.now);
        }
        self.settle()
    }

    /// One message from the device, 1 ms after the last event.
    pub fn input(&mut self, unit: usize, bytes: &[u8]) -> Vec<(usize, Vec<u8>)> {
        self.now += Duration::from_millis(1);
        let input = self.surface.receive(&mut self.mix, unit, bytes, self.now);
        self.commit(input);
        self.poll()
    }

    /// A change made elsewhere (OSC, a reload), 1 ms after the last event.
    pub fn elsewhere(&mut self, path: &str, value: f32) -> Vec<(usize, Vec<u8>)> {
        self.now += Duration::from_millis(1);
        if let Some((id, _)) = self.mix.set_path(path, value).unwrap() {
            let c = Change {
                key: Key::Param(id),
                origin: Origin::Session,
            };
            self.surface.changed(&self.mix, &[c]);
        }
        self.poll()
    }

    /// Let time pass (feedback paced out, touches timing out).
    pub fn wait(&mut self, ms: u64) -> Vec<(usize, Vec<u8>)> {
        let mut out = Vec::new();
        let end = self.now + Duration::from_millis(ms);
        while self.now < end {
            self.now = (self.now + Duration::from_millis(5)).min(end);
            out.extend(self.poll());
        }
        out
    }

    /// Wait long enough for everything owed to be sent (feedback is paced
    /// at 20 ms), and no longer: touches by activity last 500 ms.
    pub fn settle(&mut self) -> Vec<(usize, Vec<u8>)> {
        self.wait(30)
    }

    fn commit(&mut self, input: Input) {
        self.surface.changed(&self.mix, &input.changes);
        self.actions.extend(input.actions);
    }

    fn poll(&mut self) -> Vec<(usize, Vec<u8>)> {
        let input = self.surface.poll(&mut self.mix, self.now);
        self.commit(input);
        self.surface
            .take_outbox()
            .into_iter()
            .map(|o| (o.unit, o.bytes))
            .collect()
    }
}
