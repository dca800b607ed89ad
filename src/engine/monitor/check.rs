//! Playback-system checks: what a mix sounds like on a phone, a laptop,
//! earbuds, in a car, on a TV or a small radio, heard on the control room's
//! speakers.
//!
//! Each check is a fixed chain: a mono sum where the device is mono (or a
//! narrower stereo image where its speakers sit close together), a few
//! second-order sections (band limits and resonances, each an RBJ
//! Audio-EQ-Cookbook design, see [`super::super::dsp::biquad`]), and a level
//! that brings the chain's gain at 1 kHz back to 0 dB, so that switching a
//! check on changes the balance and not the level the mix is heard at.
//! No saturation: a device's distortion depends on the level it is played
//! at, which a monitor cannot know, and it would mask the mix's own.
//!
//! "BW2" is a Butterworth second-order section (Q = 0.7071), "BW4" two
//! sections with Q = 0.5412 and 1.3066 (a fourth-order Butterworth,
//! 24 dB/octave); a peak or shelf is given as gain, frequency and Q. The
//! curves, with where each figure comes from (the figures are collected in
//! `shared/reference/effects-and-monitoring.md`):
//!
//! | check | image | stages | source |
//! |---|---|---|---|
//! | `phone` | mono | HPF BW4 400 Hz; peak +4 dB 3 kHz Q 1.4; LPF BW2 8 kHz | the usual phone-speaker model: a high-pass near 300–500 Hz, a presence peak, a roll-off above about 8 kHz (the corner is the middle of that range; the peak's size is an assumption) |
//! | `laptop` | stereo, width 0.5 | HPF BW4 350 Hz; peak +3 dB 700 Hz Q 1.4; LPF BW2 7 kHz | public REW measurements of two laptops fall steeply below 300–400 Hz and roll off from about 7 kHz; the driver's resonance just above the cut-off and the narrow image (speakers a hand's width apart) are assumptions |
//! | `earbuds` | stereo | HPF BW2 100 Hz; peak +3 dB 2.7 kHz Q 1.5; LPF BW2 11.3 kHz | Apple EarPods on a coupler, relative to 1 kHz: -4.6 dB at 100 Hz, -10 at 60, -20.7 at 30 (the BW2 at 100 Hz gives -3.0, -9.4, -20.9); +15 dB near 2.7 kHz, of which the coupler's ear-canal gain is taken as about +12 dB (assumption); -10 dB at 15.4 kHz (the cookbook's BW2 at 11.3 kHz gives that at 48 kHz, its corner prewarped) |
//! | `car` | stereo | low shelf +10 dB 50 Hz Q 0.7071; HPF BW2 30 Hz; high shelf -3 dB 6 kHz Q 0.7071 | cabin gain of about +12 dB/octave below 70–90 Hz (the shelf's slope, capped at +10 dB); the door woofers' low limit and the treble lost to seats and off-axis tweeters are assumptions |
//! | `tv` | stereo | HPF BW4 150 Hz; peak +3 dB 300 Hz Q 1.4; LPF BW2 10 kHz | assumptions for a flat panel's small downward-firing drivers: no published measurement is cited |
//! | `small-radio` | mono | HPF BW4 180 Hz; peak +4 dB 1 kHz Q 1.0; LPF BW4 4.5 kHz | the low limit and the boxy midrange of a 7–10 cm driver in a small cabinet are assumptions; the top is the audio band of AM broadcasting on a 9 kHz channel raster (ITU Region 1): 4.5 kHz |
//!
//! Switching from one check to another never clicks: the new chain runs
//! unheard for [`WARM_UP_MS`] (its start-up transient dies away), then the
//! two cross-fade over [`FADE_MS`].

use super::super::dsp::biquad::{tdf2_step, BiquadState, Coeffs};
use super::super::strip::Stereo;
use super::super::topology::MAX_BLOCK;
use crate::params::{Check, EqType};

/// How long a new chain runs unheard before it is faded in: the slowest
/// section (the car's 30 Hz high-pass) has decayed by more than 40 dB.
pub const WARM_UP_MS: f32 = 60.0;
/// The cross-fade from one chain to the next.
pub const FADE_MS: f32 = 20.0;

/// The most sections of one chain.
pub const MAX_STAGES: usize = 6;

const BW2: f32 = std::f32::consts::FRAC_1_SQRT_2;
/// The two sections of a fourth-order Butterworth filter.
const BW4: [f32; 2] = [0.541_196_1, 1.306_563];

/// One second-order section of a check, as the table in the module docs
/// gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    pub kind: EqType,
    pub freq_hz: f32,
    pub q: f32,
    /// Peaks and shelves only.
    pub gain_db: f32,
}

/// A check's curve: its stereo image and its sections.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// The device has one speaker: both sides play (L + R) / 2.
    pub mono: bool,
    /// The side signal's share (1 = as mixed).
    pub width: f32,
    pub stages: &'static [Stage],
}

const fn pass(kind: EqType, freq_hz: f32, q: f32) -> Stage {
    Stage {
        kind,
        freq_hz,
        q,
        gain_db: 0.0,
    }
}
const fn bell(kind: EqType, freq_hz: f32, gain_db: f32, q: f32) -> Stage {
    Stage {
        kind,
        freq_hz,
        q,
        gain_db,
    }
}
use EqType::{HighPass as Hp, HighShelf as Hs, LowPass as Lp, LowShelf as Ls, Peak as Pk};

const PHONE: [Stage; 4] = [
    pass(Hp, 400.0, BW4[0]),
    pass(Hp, 400.0, BW4[1]),
    bell(Pk, 3000.0, 4.0, 1.4),
    pass(Lp, 8000.0, BW2),
];
const LAPTOP: [Stage; 4] = [
    pass(Hp, 350.0, BW4[0]),
    pass(Hp, 350.0, BW4[1]),
    bell(Pk, 700.0, 3.0, 1.4),
    pass(Lp, 7000.0, BW2),
];
const EARBUDS: [Stage; 3] = [
    pass(Hp, 100.0, BW2),
    bell(Pk, 2700.0, 3.0, 1.5),
    pass(Lp, 11_300.0, BW2),
];
const CAR: [Stage; 3] = [
    bell(Ls, 50.0, 10.0, BW2),
    pass(Hp, 30.0, BW2),
    bell(Hs, 6000.0, -3.0, BW2),
];
const TV: [Stage; 4] = [
    pass(Hp, 150.0, BW4[0]),
    pass(Hp, 150.0, BW4[1]),
    bell(Pk, 300.0, 3.0, 1.4),
    pass(Lp, 10_000.0, BW2),
];
const SMALL_RADIO: [Stage; 5] = [
    pass(Hp, 180.0, BW4[0]),
    pass(Hp, 180.0, BW4[1]),
    bell(Pk, 1000.0, 4.0, 1.0),
    pass(Lp, 4500.0, BW4[0]),
    pass(Lp, 4500.0, BW4[1]),
];

/// The curve of a check (see the table in the module docs).
pub fn curve(check: Check) -> Curve {
    let (mono, width, stages): (bool, f32, &'static [Stage]) = match check {
        Check::Off => (false, 1.0, &[]),
        Check::Phone => (true, 1.0, &PHONE),
        Check::Laptop => (false, 0.5, &LAPTOP),
        Check::Earbuds => (false, 1.0, &EARBUDS),
        Check::Car => (false, 1.0, &CAR),
        Check::Tv => (false, 1.0, &TV),
        Check::SmallRadio => (true, 1.0, &SMALL_RADIO),
    };
    Curve {
        mono,
        width,
        stages,
    }
}

/// The frequency at which every check passes at 0 dB.
pub const REFERENCE_HZ: f32 = 1000.0;

/// One check's chain at one sample rate, with its filter state.
#[derive(Clone)]
pub struct Chain {
    check: Check,
    mono: bool,
    width: f32,
    coeffs: [Coeffs; MAX_STAGES],
    stages: usize,
    state: [[BiquadState; 2]; MAX_STAGES],
    /// Brings the sections' gain at [`REFERENCE_HZ`] to 0 dB.
    level: f32,
}

impl Chain {
    pub fn new(check: Check, sample_rate: f32) -> Chain {
        let mut c = Chain {
            check: Check::Off,
            mono: false,
            width: 1.0,
            coeffs: [Coeffs::IDENTITY; MAX_STAGES],
            stages: 0,
            state: [[BiquadState::default(); 2]; MAX_STAGES],
            level: 1.0,
        };
        c.configure(check, sample_rate);
        c
    }

    /// Become the chain of `check`, from rest. Real-time safe (no allocation).
    pub fn configure(&mut self, check: Check, sample_rate: f32) {
        let c = curve(check);
        debug_assert!(c.stages.len() <= MAX_STAGES);
        self.check = check;
        self.mono = c.mono;
        self.width = c.width;
        self.stages = c.stages.len().min(MAX_STAGES);
        let mut db = 0.0;
        for (k, s) in c.stages.iter().take(MAX_STAGES).enumerate() {
            let coeffs = Coeffs::design(s.kind, s.freq_hz, s.q, s.gain_db, sample_rate);
            db += coeffs.magnitude_db(REFERENCE_HZ, sample_rate);
            self.coeffs[k] = coeffs;
        }
        self.level = 10f64.powf(-db / 20.0) as f32;
        self.state = [[BiquadState::default(); 2]; MAX_STAGES];
    }

    pub fn check(&self) -> Check {
        self.check
    }

    /// Run a stereo block through the chain, in place.
    pub fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        if self.check == Check::Off {
            return;
        }
        if self.mono {
            for (a, b) in l.iter_mut().zip(r.iter()) {
                *a = 0.5 * (*a + *b);
            }
            self.filter_mono(l);
            r.copy_from_slice(l);
            return;
        }
        if self.width != 1.0 {
            let w = self.width;
            for (a, b) in l.iter_mut().zip(r.iter_mut()) {
                let (m, s) = (0.5 * (*a + *b), 0.5 * w * (*a - *b));
                (*a, *b) = (m + s, m - s);
            }
        }
        self.filter_stereo(l, r);
    }

    /// Every section, one sample at a time through all of them (the
    /// sections' recursions overlap in the CPU), then the level.
    fn filter_mono(&mut self, x: &mut [f32]) {
        let n = self.stages;
        let k: [[f64; 5]; MAX_STAGES] = self.coeffs.map(|c| c.to_array());
        for v in x.iter_mut() {
            let mut y = f64::from(*v);
            for (k, st) in k[..n].iter().zip(&mut self.state) {
                let s = &mut st[0];
                y = tdf2_step(k, &mut s.s1, &mut s.s2, y);
            }
            *v = (y * f64::from(self.level)) as f32;
        }
        self.state[..n].iter_mut().for_each(|s| s[0].settle());
    }

    /// [`Chain::filter_mono`] for both sides at once: two independent
    /// recursions side by side.
    fn filter_stereo(&mut self, l: &mut [f32], r: &mut [f32]) {
        let n = self.stages;
        let k: [[f64; 5]; MAX_STAGES] = self.coeffs.map(|c| c.to_array());
        let level = f64::from(self.level);
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            let (mut x, mut y) = (f64::from(*a), f64::from(*b));
            for (k, [sl, sr]) in k[..n].iter().zip(&mut self.state) {
                x = tdf2_step(k, &mut sl.s1, &mut sl.s2, x);
                y = tdf2_step(k, &mut sr.s1, &mut sr.s2, y);
            }
            (*a, *b) = ((x * level) as f32, (y * level) as f32);
        }
        for s in &mut self.state[..n] {
            s.iter_mut().for_each(BiquadState::settle);
        }
    }
}

/// The monitor's check stage: the chain of the check chosen, and the
/// switch from one to the next without a click. The switch counts samples,
/// not blocks, so it sounds the same whatever the block size.
pub(crate) struct CheckStage {
    sample_rate: f32,
    chains: [Chain; 2],
    /// The chain heard (the other one warms up, then fades in).
    heard: usize,
    /// Samples since the switch began, while one is under way.
    switching: Option<usize>,
    warm_up: usize,
    fade: usize,
    /// The check asked for last.
    wanted: Check,
    other: Stereo,
    ramp: Box<[f32]>,
}

impl CheckStage {
    pub fn new(sample_rate: f32) -> CheckStage {
        let samples = |ms: f32| (ms * 0.001 * sample_rate).round().max(1.0) as usize;
        CheckStage {
            sample_rate,
            chains: [
                Chain::new(Check::Off, sample_rate),
                Chain::new(Check::Off, sample_rate),
            ],
            heard: 0,
            switching: None,
            warm_up: samples(WARM_UP_MS),
            fade: samples(FADE_MS),
            wanted: Check::Off,
            other: Stereo::new(),
            ramp: vec![0.0; MAX_BLOCK].into_boxed_slice(),
        }
    }

    pub fn set(&mut self, check: Check) {
        self.wanted = check;
    }

    /// Jump to the wanted check at once (for a graph being built).
    pub fn settle(&mut self) {
        self.chains[self.heard].configure(self.wanted, self.sample_rate);
        self.switching = None;
    }

    pub fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        let n = l.len();
        if self.switching.is_none() && self.wanted != self.chains[self.heard].check() {
            self.chains[1 - self.heard].configure(self.wanted, self.sample_rate);
            self.switching = Some(0);
        }
        let Some(start) = self.switching else {
            self.chains[self.heard].process(l, r);
            return;
        };
        let next = 1 - self.heard;
        let (ol, or) = (&mut self.other.l[..n], &mut self.other.r[..n]);
        ol.copy_from_slice(l);
        or.copy_from_slice(r);
        self.chains[next].process(ol, or);
        self.chains[self.heard].process(l, r);
        // The next chain's share: nothing while it warms up, then a linear fade.
        let ramp = &mut self.ramp[..n];
        for (i, g) in ramp.iter_mut().enumerate() {
            let t = (start + i).saturating_sub(self.warm_up);
            *g = (t as f32 / self.fade as f32).min(1.0);
        }
        for (x, (y, g)) in l.iter_mut().zip(ol.iter().zip(ramp.iter())) {
            *x += g * (y - *x);
        }
        for (x, (y, g)) in r.iter_mut().zip(or.iter().zip(ramp.iter())) {
            *x += g * (y - *x);
        }
        let done = start + n;
        if done >= self.warm_up + self.fade {
            self.heard = next;
            self.switching = None;
        } else {
            self.switching = Some(done);
        }
    }
}

/// Run whole stereo audio through a check, for a preview file (`render
/// --check`); the same chain as the monitor's, from rest.
pub fn preview(check: Check, sample_rate: f32, l: &mut [f32], r: &mut [f32]) {
    let mut chain = Chain::new(check, sample_rate);
    for (a, b) in l.chunks_mut(MAX_BLOCK).zip(r.chunks_mut(MAX_BLOCK)) {
        chain.process(a, b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chain_fits_and_passes_1_khz_at_0_db() {
        for check in Check::ALL {
            let c = curve(check);
            assert!(c.stages.len() <= MAX_STAGES, "{check:?}");
            let chain = Chain::new(check, 48_000.0);
            let db: f64 = chain.coeffs[..chain.stages]
                .iter()
                .map(|k| k.magnitude_db(REFERENCE_HZ, 48_000.0))
                .sum::<f64>()
                + 20.0 * f64::from(chain.level).log10();
            assert!(db.abs() < 1e-4, "{check:?}: {db} dB at 1 kHz");
        }
    }

    /// The earbuds' high-pass against the published coupler figures it is
    /// fitted to (relative to 1 kHz).
    #[test]
    fn earbuds_follow_the_published_low_end() {
        let hp = Coeffs::design(EqType::HighPass, 100.0, BW2, 0.0, 48_000.0);
        for (f, published) in [(100.0, -4.6), (60.0, -10.0), (30.0, -20.7)] {
            let got = hp.magnitude_db(f, 48_000.0) - hp.magnitude_db(1000.0, 48_000.0);
            assert!(
                (got - published).abs() < 1.7,
                "{f} Hz: {got:.1} dB, published {published}"
            );
        }
        let lp = Coeffs::design(EqType::LowPass, 11_300.0, BW2, 0.0, 48_000.0);
        let top = lp.magnitude_db(15_400.0, 48_000.0) - lp.magnitude_db(1000.0, 48_000.0);
        assert!((top + 10.0).abs() < 0.2, "15.4 kHz: {top:.1} dB");
    }
}
