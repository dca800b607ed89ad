//! A track's tap into the cue (AFL/PFL): what the monitor plays instead of
//! the programme while tracks are soloed in those modes.
//!
//! PFL taps after the pan, before mute and fader (a muted track can be
//! checked before it is opened); AFL taps after the fader, which is what
//! the track adds to the master. Each tap glides in and out over the mute
//! time, so a solo or a change of solo mode never clicks; the master and
//! the buses are not touched (solo in place is the track's own business).

use super::block::{gain, mix, silent};
use super::smoothing::Smoothed;
use super::strip::{Stereo, MUTE_RAMP_MS};
use crate::params::SoloMode;

/// The solo state every track's mix step needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Solo {
    /// Any track is soloed.
    pub any: bool,
    pub mode: SoloMode,
}

impl Solo {
    /// Whether solo in place silences the tracks that are not soloed.
    pub fn in_place(self) -> bool {
        self.any && self.mode == SoloMode::Sip
    }

    /// Whether the monitor plays the cue.
    pub fn cueing(self) -> bool {
        self.any && self.mode != SoloMode::Sip
    }
}

pub(crate) struct CueTap {
    pfl: Smoothed,
    afl: Smoothed,
}

impl CueTap {
    pub fn new(sample_rate: f32) -> CueTap {
        CueTap {
            pfl: Smoothed::new(0.0, MUTE_RAMP_MS, sample_rate),
            afl: Smoothed::new(0.0, MUTE_RAMP_MS, sample_rate),
        }
    }

    /// Aim both taps for a track that is (or is not) soloed.
    pub fn aim(&mut self, soloed: bool, mode: SoloMode) {
        self.pfl.set(if soloed && mode == SoloMode::Pfl {
            1.0
        } else {
            0.0
        });
        self.afl.set(if soloed && mode == SoloMode::Afl {
            1.0
        } else {
            0.0
        });
    }

    /// Whether neither tap moves.
    pub fn resting(&self) -> bool {
        !self.pfl.is_smoothing() && !self.afl.is_smoothing()
    }

    /// The resting taps' gains: (PFL, AFL).
    pub fn levels(&self) -> (f32, f32) {
        (self.pfl.current(), self.afl.current())
    }

    /// Add the panned signal before mute and fader.
    pub fn pre(&mut self, cue: &mut Stereo, l: &[f32], r: &[f32], ramp: &mut [f32]) {
        Self::tap(&mut self.pfl, cue, l, r, ramp);
    }

    /// Add the signal after the fader.
    pub fn post(&mut self, cue: &mut Stereo, l: &[f32], r: &[f32], ramp: &mut [f32]) {
        Self::tap(&mut self.afl, cue, l, r, ramp);
    }

    fn tap(s: &mut Smoothed, cue: &mut Stereo, l: &[f32], r: &[f32], ramp: &mut [f32]) {
        let n = l.len();
        if silent(s) {
            return;
        }
        let g = gain(s, &mut ramp[..n]);
        mix(&mut cue.l[..n], l, g);
        mix(&mut cue.r[..n], r, g);
    }
}
