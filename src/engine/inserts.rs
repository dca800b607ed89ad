//! The insert effects of a strip: drive, pitch and modulation.
//!
//! Where they sit (see the signal-flow diagram in the README):
//! - **drive, then pitch**, after the compressor and before the pan, on the
//!   strip's own signal: a mono track stays mono through them, so they cost
//!   one channel, and its pan places the result;
//! - **modulation** after the pan, on the stereo signal: chorus, flanger and
//!   phaser spread across the two sides and auto-pan needs both.
//!
//! Each effect is off by default. An effect that is off, once its fade-out
//! has finished, is not called at all, so inserts that are off cost one
//! branch per block each.
//!
//! Pitch is on tracks only. Drive and pitch have fixed latencies (0.8 ms
//! and 26 ms at 48 kHz), which live are the track's own while they are on.
//! A graph built with [`super::Topology::compensate_latency`] (offline
//! render) delays every track by both whether they are on or not, so tracks
//! stay aligned, and the render trims the delay off like the limiter's
//! look-ahead. A bus's drive is never compensated: an effect return 0.8 ms
//! late is below what a reverb or delay return is heard to be.

use super::dsp::drive::{self, Drive};
use super::dsp::modulation::Modulation;
use super::dsp::pitch::Pitch;
use crate::params::Param;

pub(crate) struct Inserts {
    drive: Drive,
    pitch: Option<Pitch>,
    modulation: Modulation,
}

impl Inserts {
    /// A track's inserts; `compensate` keeps the drive's and the pitch
    /// stage's latencies on even while they are off.
    pub fn track(sample_rate: f32, compensate: bool) -> Self {
        Inserts {
            drive: Drive::new(sample_rate, compensate),
            pitch: Some(Pitch::new(sample_rate, compensate)),
            modulation: Modulation::new(sample_rate),
        }
    }

    /// A bus's inserts: drive and modulation.
    pub fn bus(sample_rate: f32) -> Self {
        Inserts {
            drive: Drive::new(sample_rate, false),
            pitch: None,
            modulation: Modulation::new(sample_rate),
        }
    }

    /// Apply an insert parameter; false if `param` is not one.
    pub fn set(&mut self, param: Param, v: f32) -> bool {
        match param {
            Param::Drive(f) => self.drive.set(f, v),
            Param::Mod(f) => self.modulation.set(f, v),
            Param::Pitch(f) => {
                if let Some(p) = &mut self.pitch {
                    p.set(f, v);
                }
            }
            _ => return false,
        }
        true
    }

    pub fn set_tempo(&mut self, bpm: f32) {
        self.modulation.set_tempo(bpm);
    }

    /// The latency the inserts keep while compensating: drive and pitch,
    /// in samples (on a bus, which is not compensated, 0).
    pub fn compensated_latency(&self) -> usize {
        self.pitch
            .as_ref()
            .map_or(0, |p| p.latency_samples() + drive::LATENCY)
    }

    /// Drive and pitch on a mono signal.
    pub fn before_pan_mono(&mut self, x: &mut [f32]) {
        if self.drive.is_active() {
            self.drive.process_mono(x);
        }
        if let Some(p) = self.pitch.as_mut().filter(|p| p.is_active()) {
            p.process_mono(x);
        }
    }

    /// Drive and pitch on a stereo signal.
    pub fn before_pan_stereo(&mut self, l: &mut [f32], r: &mut [f32]) {
        if self.drive.is_active() {
            self.drive.process_stereo(l, r);
        }
        if let Some(p) = self.pitch.as_mut().filter(|p| p.is_active()) {
            p.process_stereo(l, r);
        }
    }

    /// Whether the modulation runs this block (a mono track then leaves its
    /// one-pass mix for the general one).
    pub fn modulating(&self) -> bool {
        self.modulation.is_active()
    }

    /// Modulation on the panned stereo signal.
    pub fn after_pan(&mut self, l: &mut [f32], r: &mut [f32]) {
        if self.modulation.is_active() {
            self.modulation.process_stereo(l, r);
        }
    }
}
