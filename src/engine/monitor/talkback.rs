//! Talkback: the engineer's microphone (an interface input) into the
//! chosen aux buses while the talkback is held, each bus's share gliding in
//! and out (the monitor is dimmed meanwhile, by [`super::Monitor`]).
//!
//! The microphone joins a bus's input sum, so it reaches the performer
//! through that bus's EQ, compressor and fader like the rest of the mix.

use super::super::block::{gain, mix, silent};
use super::super::smoothing::{Smoothed, DEFAULT_RAMP_MS};
use super::super::strip::{level, Stereo};
use super::super::topology::BusRole;

pub(crate) struct Talkback {
    /// The 0-based engine input of the microphone.
    input: usize,
    held: bool,
    level: f32,
    /// Per bus: whether it gets the talkback (aux buses only).
    to: Box<[bool]>,
    /// Per bus: its share of the microphone; `None` for effect buses.
    gains: Box<[Option<Smoothed>]>,
}

impl Talkback {
    pub fn new(input: usize, buses: &[BusRole], sample_rate: f32) -> Talkback {
        Talkback {
            input,
            held: false,
            level: 1.0,
            to: buses.iter().map(|r| *r == BusRole::Aux).collect(),
            gains: buses
                .iter()
                .map(|r| {
                    (*r == BusRole::Aux).then(|| Smoothed::new(0.0, DEFAULT_RAMP_MS, sample_rate))
                })
                .collect(),
        }
    }

    pub fn held(&self) -> bool {
        self.held
    }

    pub fn set_held(&mut self, on: bool) {
        self.held = on;
        self.aim();
    }

    pub fn set_level(&mut self, db: f32) {
        self.level = level(db);
        self.aim();
    }

    pub fn set_bus(&mut self, bus: usize, on: bool) {
        if let Some(t) = self.to.get_mut(bus) {
            *t = on;
            self.aim();
        }
    }

    fn aim(&mut self) {
        for (g, to) in self.gains.iter_mut().zip(self.to.iter()) {
            if let Some(g) = g {
                g.set(if self.held && *to { self.level } else { 0.0 });
            }
        }
    }

    pub fn settle(&mut self) {
        for g in self.gains.iter_mut().flatten() {
            g.reset(g.target());
        }
    }

    /// Add the microphone into the buses' inputs.
    pub fn process(&mut self, inputs: &[&[f32]], buses: &mut [Stereo], n: usize, ramp: &mut [f32]) {
        let mic = inputs.get(self.input).and_then(|x| x.get(..n));
        for (g, bus) in self.gains.iter_mut().zip(buses.iter_mut()) {
            let Some(g) = g else { continue };
            let Some(mic) = mic.filter(|_| !silent(g)) else {
                g.skip(n);
                continue;
            };
            let g = gain(g, &mut ramp[..n]);
            mix(&mut bus.l[..n], mic, g);
            mix(&mut bus.r[..n], mic, g);
        }
    }
}
