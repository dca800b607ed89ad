//! The filter stage of a channel strip: the high-pass filter and the 4-band
//! parametric EQ, run as one cascade of five biquads.
//!
//! The high-pass filter is 12 dB/octave: one Butterworth section (Q = 1/sqrt 2).
//! That is the common console low cut, and it keeps the strip at five
//! sections.
//!
//! Why one processor rather than five: the sections are run in one loop over
//! the samples, each sample passing through every active section before the
//! next sample starts. Each section's recursion is a short chain of
//! dependent multiply-adds, and with the sections interleaved the CPU works
//! on all five chains at once instead of waiting on one at a time. Sections
//! that pass the signal unchanged (off, or a peak or shelf resting at 0 dB)
//! are left out of the loop altogether. The two channels of a stereo pair go
//! through the loop together, packed in one SIMD register (SSE2, which every
//! x86_64 CPU has), so a pair costs little more than one channel. The mono
//! chains of a track group go through the same loop side by side, a vector
//! lane per track (`lanes.rs`). The arithmetic is `f64` (see
//! [`super::biquad`] for why).
//!
//! Smoothing: frequency and Q glide in the log domain, gain in dB, each over
//! 20 ms. While any of them moves, the section's coefficients are designed
//! afresh every 16 samples from the glided values, and step linearly
//! towards each new design on every sample in between, so that no
//! coefficient ever jumps. (The stable region of a biquad's (a1, a2) is a
//! triangle, which is convex: every point on the way is stable too.) At
//! rest nothing is recomputed.
//!
//! Switching on and off: a peak or shelf is switched off by gliding its gain
//! to 0 dB, where it is exactly flat, and back on by gliding to the set gain
//! — the same path as any gain move, with no new filter starting up. A pass
//! filter (the high-pass, or a band set to low/high pass) has no flat
//! setting, so it cross-fades its output with its input over 10 ms:
//! `y = x + w (h - x)`, where `h` is the section's own output and the wet
//! share `w` moves linearly. From one sample to the next `y` then changes by
//! `(1 - w) dx + w dh + dw (h - x)`: a blend of the steps of the dry and the
//! filtered signal, plus a term no larger than `|h - x|` over the fade
//! length. The switch is never steeper than the steeper of the two steady
//! signals by more than that small term, which is what "click-free" asks.
//! Before fading in, the section runs unheard until the transient of
//! starting from rest has died away by 40 dB (at most 100 ms; 13 ms for
//! an 80 Hz high-pass), so that what fades in is the filter's settled
//! response and not a low-frequency thump. A type change fades to dry the
//! same way, swaps the shape, warms up and fades back in.

use super::biquad::{tdf2_step, BiquadState, Coeffs};
use super::fma::MulAdd;
use crate::engine::smoothing::Smoothed;
use crate::params::{EqField, EqType, Param, Spec, EQ_BANDS};
use pair::Pair;
use std::ops::{Add, Mul, Neg, Sub};

/// The high-pass filter and the EQ bands.
const SECTIONS: usize = 1 + EQ_BANDS;
const CHANNELS: usize = 2;
/// Samples between coefficient updates while a parameter moves.
const UPDATE: usize = 16;
const SMOOTH_MS: f32 = 20.0;
const FADE_MS: f32 = 10.0;
const WARM_UP_MAX_MS: f32 = 100.0;
const HPF_Q: f32 = std::f32::consts::FRAC_1_SQRT_2;

/// One biquad of the cascade with its targets, glides and cross-fade.
struct Section {
    /// The shape now running, and the one asked for.
    kind: EqType,
    target_kind: EqType,
    on: bool,
    /// The gain asked for; the glide heads for it while on, for 0 dB while off.
    gain_set: f32,
    log2_freq: Smoothed,
    gain_db: Smoothed,
    log2_q: Smoothed,
    /// The coefficients in use. While the glides move they step linearly,
    /// sample by sample, from where the last update period left them to
    /// `end`, designed from the glided values at the end of this period.
    coeffs: Coeffs,
    end: Coeffs,
    /// Per-sample increment of each coefficient (all zero at rest).
    step: Coeffs,
    ramping: bool,
    state: [BiquadState; CHANNELS],
    /// Samples into the cross-fade: below 0 the section warms up unheard,
    /// 0 is dry, the fade length is fully wet.
    fade_pos: i32,
    /// -1, 0 or +1: the fade's direction during the current update period.
    fade_dir: i32,
    /// The wet share of the output, 0..=1, and its per-sample increment.
    wet: f64,
    wet_step: f64,
}

const ZERO: Coeffs = Coeffs {
    b0: 0.0,
    b1: 0.0,
    b2: 0.0,
    a1: 0.0,
    a2: 0.0,
};

/// Whether a shape has a gain, and so is exactly flat at 0 dB.
fn has_gain(kind: EqType) -> bool {
    matches!(kind, EqType::Peak | EqType::LowShelf | EqType::HighShelf)
}

impl Section {
    fn new(
        kind: EqType,
        on: bool,
        freq: f32,
        gain_db: f32,
        q: f32,
        fade_len: i32,
        fs: f32,
    ) -> Self {
        let mut s = Section {
            kind,
            target_kind: kind,
            on,
            gain_set: gain_db,
            log2_freq: Smoothed::new(freq.log2(), SMOOTH_MS, fs),
            gain_db: Smoothed::new(if on { gain_db } else { 0.0 }, SMOOTH_MS, fs),
            log2_q: Smoothed::new(q.log2(), SMOOTH_MS, fs),
            coeffs: Coeffs::IDENTITY,
            end: Coeffs::IDENTITY,
            step: ZERO,
            ramping: false,
            state: [BiquadState::default(); CHANNELS],
            fade_pos: 0,
            fade_dir: 0,
            wet: 0.0,
            wet_step: 0.0,
        };
        s.reset(fade_len, fs);
        s
    }

    fn set_on(&mut self, on: bool) {
        self.on = on;
        self.gain_db.set(if on { self.gain_set } else { 0.0 });
    }

    fn set_gain(&mut self, db: f32) {
        self.gain_set = db;
        if self.on {
            self.gain_db.set(db);
        }
    }

    fn smoothing(&self) -> bool {
        self.log2_freq.is_smoothing() || self.gain_db.is_smoothing() || self.log2_q.is_smoothing()
    }

    fn design(&self, fs: f32) -> Coeffs {
        let (f, q) = (
            self.log2_freq.current().exp2(),
            self.log2_q.current().exp2(),
        );
        Coeffs::design(self.kind, f, q, self.gain_db.current(), fs)
    }

    /// Whether the section should be heard: a shape with a gain is switched
    /// off by gliding to 0 dB, where it is flat, and so stays wet; a pass
    /// filter is switched off by fading to dry.
    fn wants_wet(&self) -> bool {
        self.kind == self.target_kind && (self.on || has_gain(self.kind))
    }

    /// Land the glides and the shape on their targets, with no ramp.
    fn land(&mut self, fs: f32) {
        for s in [&mut self.log2_freq, &mut self.gain_db, &mut self.log2_q] {
            s.reset(s.target());
        }
        self.kind = self.target_kind;
        self.coeffs = self.design(fs);
        self.end = self.coeffs;
        self.step = ZERO;
        self.ramping = false;
    }

    /// Land every glide and fade on its target and forget the signal.
    fn reset(&mut self, fade_len: i32, fs: f32) {
        self.land(fs);
        self.fade_pos = if self.wants_wet() { fade_len } else { 0 };
        self.fade_dir = 0;
        self.wet = self.fade_pos as f64 / fade_len as f64;
        self.wet_step = 0.0;
        self.state = [BiquadState::default(); CHANNELS];
    }

    /// Samples to run a section unheard before fading it in, so that the
    /// transient of a filter starting from rest has died away (by 40 dB)
    /// first: 4.6 time constants of its slowest pole, at most 100 ms.
    fn warm_up(&self, fs: f32) -> i32 {
        let Coeffs { a1, a2, .. } = self.coeffs;
        let disc = a1 * a1 - 4.0 * a2;
        let radius = if disc < 0.0 {
            a2.sqrt()
        } else {
            (a1.abs() + disc.sqrt()) / 2.0
        };
        let tau = -1.0 / radius.min(1.0 - 1e-12).ln();
        let samples = (4.6 * tau).min(WARM_UP_MAX_MS as f64 * 0.001 * fs as f64);
        (samples / UPDATE as f64).ceil() as i32 * UPDATE as i32
    }

    /// Start of an update period: take up new targets, advance the glides by
    /// one period and set the coefficient ramp towards them. Returns whether
    /// anything will change during the period.
    fn begin_period(&mut self, fade_len: i32, fs: f32) -> bool {
        if self.fade_pos <= 0 && (self.kind != self.target_kind || self.smoothing()) {
            // Dry: nothing of this section is heard, so its shape and
            // parameters jump straight to their targets. A warm-up under
            // way starts again with the new filter.
            self.land(fs);
            if self.fade_pos < 0 {
                self.fade_pos = 0;
                self.fade_dir = 0;
                self.state = [BiquadState::default(); CHANNELS];
            }
        }
        if self.wants_wet() {
            if self.fade_pos == 0 && self.fade_dir <= 0 {
                // At rest and dry: warm up from silence first.
                self.fade_pos = -self.warm_up(fs);
            }
            self.fade_dir = i32::from(self.fade_pos < fade_len);
        } else {
            if self.fade_pos < 0 {
                self.fade_pos = 0;
                self.state = [BiquadState::default(); CHANNELS];
            }
            self.fade_dir = -i32::from(self.fade_pos > 0);
        }
        self.wet_step = if self.fade_pos < 0 {
            0.0
        } else {
            self.fade_dir as f64 / fade_len as f64
        };
        self.ramping = self.smoothing();
        if self.ramping {
            for s in [&mut self.log2_freq, &mut self.gain_db, &mut self.log2_q] {
                s.skip(UPDATE);
            }
            self.end = self.design(fs);
            let per = 1.0 / UPDATE as f64;
            let (c, e) = (&self.coeffs, &self.end);
            self.step = Coeffs {
                b0: (e.b0 - c.b0) * per,
                b1: (e.b1 - c.b1) * per,
                b2: (e.b2 - c.b2) * per,
                a1: (e.a1 - c.a1) * per,
                a2: (e.a2 - c.a2) * per,
            };
        } else {
            self.step = ZERO;
        }
        self.ramping || self.fade_dir != 0
    }

    /// Move the fade on by `n` processed samples.
    fn advance(&mut self, n: usize, fade_len: i32) {
        self.fade_pos = (self.fade_pos + self.fade_dir * n as i32).min(fade_len);
    }

    /// End of an update period: land the ramps exactly where they were
    /// headed, whatever rounding the per-sample steps gathered.
    fn end_period(&mut self, fade_len: i32) {
        self.coeffs = self.end;
        self.wet = self.fade_pos.max(0) as f64 / fade_len as f64;
        if self.fade_pos == 0 && self.fade_dir < 0 {
            // Just gone dry: the output no longer depends on this state, and
            // the next fade-in must warm up from silence.
            self.state = [BiquadState::default(); CHANNELS];
        }
    }

    /// Whether the section must run: it is heard or warming up, and does not
    /// pass the signal through unchanged.
    fn active(&self) -> bool {
        (self.fade_pos > 0 || self.fade_dir != 0)
            && (self.ramping
                || !self.coeffs.is_identity()
                || !self.state.iter().all(BiquadState::is_zero))
    }

    /// Whether the section's coefficients or wet share move during this period.
    fn dynamic(&self) -> bool {
        self.ramping || self.fade_dir != 0
    }
}

/// The high-pass filter and 4-band EQ of one strip, for one or two channels.
pub struct FilterChain {
    /// The high-pass filter first, then the EQ bands in order.
    sections: [Section; SECTIONS],
    sample_rate: f32,
    /// Cross-fade length in samples, a whole number of update periods.
    fade_len: i32,
    /// Samples left in the current update period.
    until_update: usize,
    /// Whether an update is due or under way (something may be moving).
    moving: bool,
}

impl FilterChain {
    /// A chain with every parameter at its registry default: HPF off, EQ
    /// bands on and flat.
    pub fn new(sample_rate: f32) -> Self {
        let fade_len = ((FADE_MS * 0.001 * sample_rate / UPDATE as f32)
            .round()
            .max(1.0) as i32)
            * UPDATE as i32;
        let hpf = Section::new(
            EqType::HighPass,
            Spec::of(Param::HpfOn).default >= 0.5,
            Spec::of(Param::HpfFreq).default,
            0.0,
            HPF_Q,
            fade_len,
            sample_rate,
        );
        let band = |b: usize| {
            let d = |field| {
                Spec::of(Param::Eq {
                    band: b as u8,
                    field,
                })
                .default
            };
            Section::new(
                EqType::from_index(d(EqField::Type)),
                d(EqField::On) >= 0.5,
                d(EqField::Freq),
                d(EqField::Gain),
                d(EqField::Q),
                fade_len,
                sample_rate,
            )
        };
        FilterChain {
            sections: [hpf, band(0), band(1), band(2), band(3)],
            sample_rate,
            fade_len,
            until_update: 0,
            moving: false,
        }
    }

    /// High-pass corner in Hz (clamped to the parameter's range; NaN ignored).
    pub fn set_hpf_freq(&mut self, hz: f32) {
        if let Some(v) = Spec::of(Param::HpfFreq).clamp(hz) {
            self.sections[0].log2_freq.set(v.log2());
            self.moving = true;
        }
    }

    /// Switch the high-pass filter in or out (cross-faded, see the module doc).
    pub fn set_hpf_on(&mut self, on: bool) {
        self.sections[0].set_on(on);
        self.moving = true;
    }

    /// One field of EQ band `band` (0-based), `value` in the units of its
    /// [`Spec`]: the [`EqType`] index, Hz, dB, Q, or 0/1. Values are clamped
    /// to the parameter's range; NaN and bands past the last are ignored.
    pub fn set_eq(&mut self, band: usize, field: EqField, value: f32) {
        if band >= EQ_BANDS {
            return;
        }
        let Some(v) = Spec::of(Param::Eq {
            band: band as u8,
            field,
        })
        .clamp(value) else {
            return;
        };
        let s = &mut self.sections[1 + band];
        match field {
            EqField::Type => s.target_kind = EqType::from_index(v),
            EqField::Freq => s.log2_freq.set(v.log2()),
            EqField::Gain => s.set_gain(v),
            EqField::Q => s.log2_q.set(v.log2()),
            EqField::On => s.set_on(v >= 0.5),
        }
        self.moving = true;
    }

    /// Filter one channel in place (the first channel's state).
    pub fn process_mono(&mut self, x: &mut [f32]) {
        self.process::<1, f64>([x]);
    }

    /// Filter a channel pair in place, both through the same settings. If
    /// the slices differ in length, only the common length is processed.
    pub fn process_stereo(&mut self, l: &mut [f32], r: &mut [f32]) {
        let n = l.len().min(r.len());
        self.process::<2, Pair>([&mut l[..n], &mut r[..n]]);
    }

    /// Forget all signal history and finish every glide and fade at once
    /// (a fresh strip, or a jump in the transport).
    pub fn reset(&mut self) {
        for s in &mut self.sections {
            s.reset(self.fade_len, self.sample_rate);
        }
        self.until_update = 0;
        self.moving = false;
    }

    fn process<const CH: usize, F: Frame<CH>>(&mut self, mut bufs: [&mut [f32]; CH]) {
        let n = bufs.iter().map(|b| b.len()).min().unwrap_or(0);
        let mut pos = 0;
        while pos < n {
            let len = self.begin_stretch(n - pos);
            self.run::<CH, F>(bufs.each_mut().map(|b| &mut b[pos..pos + len]));
            self.end_stretch(len);
            pos += len;
        }
        self.finish_block::<CH>();
    }

    /// Start the next stretch of at most `left` samples: begin an update
    /// period if one is due, and return how long the stretch may be (up to
    /// the end of the period while anything moves). The sections' settings
    /// stay as they are for the whole stretch.
    fn begin_stretch(&mut self, left: usize) -> usize {
        if self.moving && self.until_update == 0 {
            self.moving = false;
            for s in &mut self.sections {
                self.moving |= s.begin_period(self.fade_len, self.sample_rate);
            }
            self.until_update = if self.moving { UPDATE } else { 0 };
        }
        if self.moving {
            self.until_update.min(left)
        } else {
            left
        }
    }

    /// Account for a processed stretch of `len` samples.
    fn end_stretch(&mut self, len: usize) {
        if self.moving {
            self.until_update -= len;
            for s in &mut self.sections {
                s.advance(len, self.fade_len);
                if self.until_update == 0 {
                    s.end_period(self.fade_len);
                }
            }
        }
    }

    /// End of a block: settle the states of the `CH` channels in use (see
    /// [`BiquadState::settle`]; a mono chain's second state stays at rest).
    fn finish_block<const CH: usize>(&mut self) {
        for s in &mut self.sections {
            s.state[..CH].iter_mut().for_each(BiquadState::settle);
        }
    }

    /// The sections that run in this stretch, and whether any of them is
    /// dynamic.
    fn plan(&self) -> Plan {
        let mut plan = Plan {
            active: 0,
            dynamic: false,
        };
        for (k, s) in self.sections.iter().enumerate() {
            if s.active() {
                plan.active |= 1 << k;
                plan.dynamic |= s.dynamic();
            }
        }
        plan
    }

    /// Run the active sections over one stretch, choosing the loop built for
    /// exactly that many sections.
    fn run<const CH: usize, F: Frame<CH>>(&mut self, bufs: [&mut [f32]; CH]) {
        let plan = self.plan();
        let (idx, count, dynamic) = (plan.order(), plan.count(), plan.dynamic);
        macro_rules! dispatch {
            ($($n:literal)*) => {
                match (count, dynamic) {
                    $(
                        ($n, false) => self.cascade::<$n, CH, F, false>(&idx, bufs),
                        ($n, true) => self.cascade::<$n, CH, F, true>(&idx, bufs),
                    )*
                    _ => {}
                }
            };
        }
        dispatch!(1 2 3 4 5);
    }

    /// The fused loop over `N` sections on `CH` channels that share their
    /// settings, with coefficients and state held in locals for the whole
    /// stretch.
    #[inline(always)]
    fn cascade<const N: usize, const CH: usize, F: Frame<CH>, const DYNAMIC: bool>(
        &mut self,
        idx: &[usize; SECTIONS],
        mut bufs: [&mut [f32]; CH],
    ) {
        let sec = &mut self.sections;
        let mut c = Cascade::<N, F> {
            coeffs: std::array::from_fn(|j| sec[idx[j]].coeffs.to_array().map(F::splat)),
            step: std::array::from_fn(|j| sec[idx[j]].step.to_array().map(F::splat)),
            s1: std::array::from_fn(|j| {
                F::gather(std::array::from_fn(|c| sec[idx[j]].state[c].s1))
            }),
            s2: std::array::from_fn(|j| {
                F::gather(std::array::from_fn(|c| sec[idx[j]].state[c].s2))
            }),
            wet: std::array::from_fn(|j| F::splat(sec[idx[j]].wet)),
            wet_step: std::array::from_fn(|j| F::splat(sec[idx[j]].wet_step)),
        };
        let masks = Masks::<N, F>::all(DYNAMIC);
        for i in 0..bufs[0].len() {
            let v = c.tick::<DYNAMIC, false>(F::load(&bufs, i), &masks);
            v.store(&mut bufs, i);
        }
        for j in 0..N {
            let s = &mut sec[idx[j]];
            let (a, b) = (c.s1[j].scatter(), c.s2[j].scatter());
            for ch in 0..CH {
                s.state[ch] = BiquadState {
                    s1: a[ch],
                    s2: b[ch],
                };
            }
            if DYNAMIC {
                let [b0, b1, b2, a1, a2] = c.coeffs[j].map(|c| c.scatter()[0]);
                s.coeffs = Coeffs { b0, b1, b2, a1, a2 };
                s.wet = c.wet[j].scatter()[0];
            }
        }
    }
}

/// Which sections run in a stretch (bit `k` for section `k`), and whether
/// any of them moves. A bit set, so that the plans of many chains combine
/// in a few instructions (see `lanes.rs`).
#[derive(Clone, Copy)]
struct Plan {
    active: u8,
    dynamic: bool,
}

impl Plan {
    fn count(self) -> usize {
        self.active.count_ones() as usize
    }

    /// The running sections in order (the first [`Plan::count`]).
    fn order(self) -> [usize; SECTIONS] {
        let mut idx = [0; SECTIONS];
        let mut bits = self.active;
        for slot in &mut idx {
            if bits == 0 {
                break;
            }
            *slot = bits.trailing_zeros() as usize;
            bits &= bits - 1;
        }
        idx
    }

    /// Whether section `k` runs.
    fn runs(self, k: usize) -> bool {
        self.active >> k & 1 != 0
    }
}

/// The locals of the fused loop over `N` sections, for whatever channels a
/// [`Sample`] holds: a mono or stereo strip, or a lane per track.
struct Cascade<const N: usize, F> {
    coeffs: [[F; 5]; N],
    /// Per-sample increment of the coefficients and of the wet share.
    step: [[F; 5]; N],
    s1: [F; N],
    s2: [F; N],
    wet: [F; N],
    wet_step: [F; N],
}

/// Per channel: whether each section runs (otherwise it passes the signal
/// on untouched), and whether the channel's chain is dynamic (its running
/// sections mix their output with their input by the wet share).
struct Masks<const N: usize, F: Sample> {
    active: [F::Mask; N],
    dynamic: F::Mask,
}

impl<const N: usize, F: Sample> Masks<N, F> {
    fn all(dynamic: bool) -> Self {
        Masks {
            active: [F::Mask::from(true); N],
            dynamic: F::Mask::from(dynamic),
        }
    }
}

impl<const N: usize, F: Sample> Cascade<N, F> {
    /// One sample through every section. With `DYNAMIC` the coefficients
    /// and each section's wet share (its output mixed with its input) step
    /// on every sample. With `MASKED`, [`Masks`] say per channel which
    /// sections run and in which form, so that every channel computes what
    /// its own chain alone would; without, every section runs in the form
    /// `DYNAMIC` says.
    #[inline(always)]
    fn tick<const DYNAMIC: bool, const MASKED: bool>(&mut self, mut v: F, m: &Masks<N, F>) -> F {
        for j in 0..N {
            let h = tdf2_step(&self.coeffs[j], &mut self.s1[j], &mut self.s2[j], v);
            v = if MASKED {
                let mixed = v + self.wet[j] * (h - v);
                F::select(m.active[j], F::select(m.dynamic, mixed, h), v)
            } else if DYNAMIC {
                v + self.wet[j] * (h - v)
            } else {
                h
            };
        }
        if DYNAMIC {
            for j in 0..N {
                for (c, d) in self.coeffs[j].iter_mut().zip(&self.step[j]) {
                    *c = *c + *d;
                }
                self.wet[j] = self.wet[j] + self.wet_step[j];
            }
        }
        v
    }
}

/// What the cascade computes with: one `f64` per channel, packed.
trait Sample:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Neg<Output = Self> + MulAdd
{
    /// One flag per channel.
    type Mask: Copy + From<bool>;
    /// `a` in the channels `m` sets, `b` in the others.
    fn select(m: Self::Mask, a: Self, b: Self) -> Self;
}

impl Sample for f64 {
    type Mask = bool;
    #[inline(always)]
    fn select(m: bool, a: Self, b: Self) -> Self {
        if m {
            a
        } else {
            b
        }
    }
}

impl Sample for Pair {
    type Mask = bool;
    #[inline(always)]
    fn select(m: bool, a: Self, b: Self) -> Self {
        if m {
            a
        } else {
            b
        }
    }
}

/// One sample of every channel as the cascade computes with it: a plain
/// `f64` for one channel, and for two a [`Pair`] that holds both channels
/// in one SIMD register, so that a stereo pair costs about as much as one
/// channel (both channels run the same coefficients).
trait Frame<const CH: usize>: Sample {
    /// The same value in every channel.
    fn splat(v: f64) -> Self;
    fn gather(v: [f64; CH]) -> Self;
    fn scatter(self) -> [f64; CH];
    fn load(bufs: &[&mut [f32]; CH], i: usize) -> Self;
    fn store(self, bufs: &mut [&mut [f32]; CH], i: usize);
}

impl Frame<1> for f64 {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn gather(v: [f64; 1]) -> Self {
        v[0]
    }
    #[inline(always)]
    fn scatter(self) -> [f64; 1] {
        [self]
    }
    #[inline(always)]
    fn load(bufs: &[&mut [f32]; 1], i: usize) -> Self {
        bufs[0][i] as f64
    }
    #[inline(always)]
    fn store(self, bufs: &mut [&mut [f32]; 1], i: usize) {
        bufs[0][i] = self as f32;
    }
}

impl Frame<2> for Pair {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        Pair::new(v, v)
    }
    #[inline(always)]
    fn gather(v: [f64; 2]) -> Self {
        Pair::new(v[0], v[1])
    }
    #[inline(always)]
    fn scatter(self) -> [f64; 2] {
        self.get()
    }
    #[inline(always)]
    fn load(bufs: &[&mut [f32]; 2], i: usize) -> Self {
        Pair::new(bufs[0][i] as f64, bufs[1][i] as f64)
    }
    #[inline(always)]
    fn store(self, bufs: &mut [&mut [f32]; 2], i: usize) {
        let [l, r] = self.get();
        bufs[0][i] = l as f32;
        bufs[1][i] = r as f32;
    }
}

mod lanes;
pub(crate) use lanes::process_lanes;

#[cfg(target_arch = "x86_64")]
mod pair {
    use crate::engine::dsp::fma::MulAdd;
    use std::arch::x86_64::*;
    use std::ops::{Add, Mul, Neg, Sub};

    /// Two `f64`s in one SSE2 register; each operation works on both at once.
    #[derive(Clone, Copy)]
    pub struct Pair(__m128d);

    // SAFETY (every `unsafe` below): these are SSE2 intrinsics on register
    // values only, and SSE2 is part of the x86_64 baseline, so they are
    // available on every CPU this code can run on.
    impl Pair {
        #[inline(always)]
        pub fn new(a: f64, b: f64) -> Self {
            Pair(unsafe { _mm_set_pd(b, a) })
        }
        #[inline(always)]
        pub fn get(self) -> [f64; 2] {
            unsafe {
                [
                    _mm_cvtsd_f64(self.0),
                    _mm_cvtsd_f64(_mm_unpackhi_pd(self.0, self.0)),
                ]
            }
        }
    }
    impl Add for Pair {
        type Output = Pair;
        #[inline(always)]
        fn add(self, o: Pair) -> Pair {
            Pair(unsafe { _mm_add_pd(self.0, o.0) })
        }
    }
    impl Sub for Pair {
        type Output = Pair;
        #[inline(always)]
        fn sub(self, o: Pair) -> Pair {
            Pair(unsafe { _mm_sub_pd(self.0, o.0) })
        }
    }
    impl Mul for Pair {
        type Output = Pair;
        #[inline(always)]
        fn mul(self, o: Pair) -> Pair {
            Pair(unsafe { _mm_mul_pd(self.0, o.0) })
        }
    }
    impl Neg for Pair {
        type Output = Pair;
        #[inline(always)]
        fn neg(self) -> Pair {
            Pair(unsafe { _mm_xor_pd(self.0, _mm_set1_pd(-0.0)) })
        }
    }
    impl MulAdd for Pair {
        #[inline(always)]
        fn madd(self, b: Pair, c: Pair) -> Pair {
            // FMA, where the build targets it, is enabled for the whole
            // program, so the intrinsic is available wherever this runs.
            #[cfg(target_feature = "fma")]
            {
                Pair(unsafe { _mm_fmadd_pd(self.0, b.0, c.0) })
            }
            #[cfg(not(target_feature = "fma"))]
            {
                self * b + c
            }
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod pair {
    use crate::engine::dsp::fma::MulAdd;
    use std::ops::{Add, Mul, Neg, Sub};

    /// Two `f64`s operated on together (the compiler may pack them).
    #[derive(Clone, Copy)]
    pub struct Pair([f64; 2]);

    impl Pair {
        #[inline(always)]
        pub fn new(a: f64, b: f64) -> Self {
            Pair([a, b])
        }
        #[inline(always)]
        pub fn get(self) -> [f64; 2] {
            self.0
        }
    }
    impl Add for Pair {
        type Output = Pair;
        #[inline(always)]
        fn add(self, o: Pair) -> Pair {
            Pair([self.0[0] + o.0[0], self.0[1] + o.0[1]])
        }
    }
    impl Sub for Pair {
        type Output = Pair;
        #[inline(always)]
        fn sub(self, o: Pair) -> Pair {
            Pair([self.0[0] - o.0[0], self.0[1] - o.0[1]])
        }
    }
    impl Mul for Pair {
        type Output = Pair;
        #[inline(always)]
        fn mul(self, o: Pair) -> Pair {
            Pair([self.0[0] * o.0[0], self.0[1] * o.0[1]])
        }
    }
    impl Neg for Pair {
        type Output = Pair;
        #[inline(always)]
        fn neg(self) -> Pair {
            Pair([-self.0[0], -self.0[1]])
        }
    }
    impl MulAdd for Pair {
        #[inline(always)]
        fn madd(self, b: Pair, c: Pair) -> Pair {
            Pair([
                self.0[0].madd(b.0[0], c.0[0]),
                self.0[1].madd(b.0[1], c.0[1]),
            ])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::TAU;

    const RATES: [f32; 4] = [44_100.0, 48_000.0, 88_200.0, 96_000.0];
    /// -6 dBFS.
    const AMP: f64 = 0.5;

    fn sine(f: f64, fs: f32, start: usize, n: usize) -> Vec<f32> {
        (start..start + n)
            .map(|i| (AMP * (TAU * f * i as f64 / fs as f64).sin()) as f32)
            .collect()
    }

    /// Deterministic white noise in -0.5..0.5.
    pub(super) fn noise(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2_654_435_761).max(1);
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                s as f32 / u32::MAX as f32 - 0.5
            })
            .collect()
    }

    fn run_mono(chain: &mut FilterChain, x: &mut [f32], block: usize) {
        for b in x.chunks_mut(block) {
            chain.process_mono(b);
        }
    }

    /// Amplitude of the `f` component of `y`, which must span whole periods.
    fn amplitude(y: &[f32], f: f64, fs: f32, start: usize) -> f64 {
        let (mut re, mut im) = (0.0, 0.0);
        for (k, &v) in y.iter().enumerate() {
            let ph = TAU * f * (start + k) as f64 / fs as f64;
            re += v as f64 * ph.sin();
            im += v as f64 * ph.cos();
        }
        2.0 * re.hypot(im) / y.len() as f64
    }

    fn max_step(y: &[f32]) -> f64 {
        y.windows(2)
            .map(|w| (w[1] as f64 - w[0] as f64).abs())
            .fold(0.0, f64::max)
    }

    /// The largest sample-to-sample step of a steady sine of frequency `f`
    /// at `gain_db` relative to the test level.
    fn sine_step(f: f64, fs: f32, gain_db: f64) -> f64 {
        AMP * 10f64.powf(gain_db / 20.0) * 2.0 * (std::f64::consts::PI * f / fs as f64).sin()
    }

    /// A chain with every section doing something.
    fn busy_chain(fs: f32) -> (FilterChain, Vec<(EqType, f32, f32, f32)>) {
        let mut c = FilterChain::new(fs);
        c.set_hpf_on(true);
        c.set_hpf_freq(60.0);
        let bands = [
            (EqType::LowShelf, 120.0, 0.707, 4.0),
            (EqType::Peak, 700.0, 1.5, -6.0),
            (EqType::Peak, 3000.0, 3.0, 8.0),
            (EqType::HighShelf, 9000.0, 0.9, -5.0),
        ];
        for (b, &(kind, f, q, g)) in bands.iter().enumerate() {
            c.set_eq(b, EqField::Type, kind as usize as f32);
            c.set_eq(b, EqField::Freq, f);
            c.set_eq(b, EqField::Q, q);
            c.set_eq(b, EqField::Gain, g);
        }
        c.reset();
        let mut sections = vec![(EqType::HighPass, 60.0, HPF_Q, 0.0)];
        sections.extend(bands);
        (c, sections)
    }

    /// A sine through the whole chain comes out at the level the product of
    /// the five sections' magnitude responses predicts, within 0.001 dB.
    #[test]
    fn chain_response_is_the_product_of_the_sections() {
        for fs in RATES {
            let window = (fs / 10.0) as usize; // whole periods of any multiple of 10 Hz
            for f in [
                30.0, 60.0, 100.0, 120.0, 250.0, 700.0, 1000.0, 3000.0, 5000.0, 9000.0, 15_000.0,
                20_000.0,
            ] {
                let (mut chain, sections) = busy_chain(fs);
                let mut y = sine(f, fs, 0, fs as usize);
                run_mono(&mut chain, &mut y, 64);
                let got = 20.0
                    * (amplitude(&y[y.len() - window..], f, fs, y.len() - window) / AMP).log10();
                let want: f64 = sections
                    .iter()
                    .map(|&(k, f0, q, g)| {
                        Coeffs::design(k, f0, q, g, fs).magnitude_db(f as f32, fs)
                    })
                    .sum();
                assert!(
                    (got - want).abs() < 1e-3,
                    "fs={fs} f={f}: {got:.5} vs {want:.5} dB"
                );
            }
        }
    }

    /// The largest output step of a steady -6 dBFS sine at `probe` Hz: in
    /// the 100 ms before `change` is applied, in the 100 ms after it, and
    /// from 300 ms on, when everything has settled.
    fn steps_around(
        fs: f32,
        probe: f64,
        setup: impl Fn(&mut FilterChain),
        change: impl Fn(&mut FilterChain),
    ) -> (f64, f64, f64) {
        let mut c = FilterChain::new(fs);
        setup(&mut c);
        c.reset();
        let tenth = (fs / 10.0) as usize;
        let mut y = sine(probe, fs, 0, 7 * tenth);
        let (before, rest) = y.split_at_mut(2 * tenth);
        run_mono(&mut c, before, 64);
        change(&mut c);
        // An odd block size, so that updates and fades straddle blocks.
        run_mono(&mut c, rest, 37);
        (
            max_step(&y[tenth..2 * tenth + 1]),
            max_step(&y[2 * tenth..3 * tenth + 1]),
            max_step(&y[5 * tenth..]),
        )
    }

    /// Asserts the step during the change stays within 1.25 times the larger
    /// of the steady steps before and after it. (Every case here measures
    /// at most 1.07; a 16-sample fade or unsmoothed gain reaches 1.8-2.1,
    /// and coefficients that jump every 16 samples instead of stepping on
    /// every sample reach 1.55 in the wide sweep.)
    fn assert_no_click(
        what: &str,
        fs: f32,
        probe: f64,
        setup: impl Fn(&mut FilterChain),
        change: impl Fn(&mut FilterChain),
    ) {
        let (before, during, after) = steps_around(fs, probe, setup, change);
        let ratio = during / before.max(after);
        assert!(ratio <= 1.25, "{what} at {fs} Hz, probe {probe} Hz: step {during:.5} vs steady {before:.5}/{after:.5}");
    }

    fn peak_at_1k(gain: f32) -> impl Fn(&mut FilterChain) {
        move |c| {
            c.set_eq(1, EqField::Type, EqType::Peak as usize as f32);
            c.set_eq(1, EqField::Freq, 1000.0);
            c.set_eq(1, EqField::Q, 2.0);
            c.set_eq(1, EqField::Gain, gain);
        }
    }

    #[test]
    fn gain_steps_do_not_click() {
        for fs in RATES {
            for probe in [100.0, 1000.0, 5000.0] {
                assert_no_click("0 -> +12 dB", fs, probe, peak_at_1k(0.0), |c| {
                    c.set_eq(1, EqField::Gain, 12.0)
                });
                assert_no_click("+12 -> -12 dB", fs, probe, peak_at_1k(12.0), |c| {
                    c.set_eq(1, EqField::Gain, -12.0)
                });
            }
        }
    }

    #[test]
    fn switching_sections_on_and_off_does_not_click() {
        for fs in RATES {
            for probe in [100.0, 1000.0, 5000.0] {
                let on = |c: &mut FilterChain| c.set_eq(1, EqField::On, 1.0);
                let off = |c: &mut FilterChain| c.set_eq(1, EqField::On, 0.0);
                let peak_off = |c: &mut FilterChain| {
                    peak_at_1k(12.0)(c);
                    c.set_eq(1, EqField::On, 0.0);
                };
                assert_no_click("band off", fs, probe, peak_at_1k(12.0), off);
                assert_no_click("band on", fs, probe, peak_off, on);
                let hpf = |on: bool| {
                    move |c: &mut FilterChain| {
                        c.set_hpf_freq(200.0);
                        c.set_hpf_on(on);
                    }
                };
                assert_no_click("hpf on", fs, probe, hpf(false), |c| c.set_hpf_on(true));
                assert_no_click("hpf off", fs, probe, hpf(true), |c| c.set_hpf_on(false));
                let low_pass = |on: f32| {
                    move |c: &mut FilterChain| {
                        c.set_eq(2, EqField::Type, EqType::LowPass as usize as f32);
                        c.set_eq(2, EqField::Freq, 700.0);
                        c.set_eq(2, EqField::On, on);
                    }
                };
                let lp_on = |c: &mut FilterChain| c.set_eq(2, EqField::On, 1.0);
                let lp_off = |c: &mut FilterChain| c.set_eq(2, EqField::On, 0.0);
                assert_no_click("low-pass band on", fs, probe, low_pass(0.0), lp_on);
                assert_no_click("low-pass band off", fs, probe, low_pass(1.0), lp_off);
            }
        }
    }

    #[test]
    fn changing_the_filter_type_does_not_click() {
        for fs in RATES {
            for probe in [100.0, 1000.0, 5000.0] {
                for (from, to) in [
                    (EqType::Peak, EqType::LowPass),
                    (EqType::LowShelf, EqType::HighShelf),
                    (EqType::HighPass, EqType::Peak),
                    (EqType::LowPass, EqType::HighPass),
                ] {
                    let setup = move |c: &mut FilterChain| {
                        peak_at_1k(12.0)(c);
                        c.set_eq(1, EqField::Type, from as usize as f32);
                    };
                    let change =
                        move |c: &mut FilterChain| c.set_eq(1, EqField::Type, to as usize as f32);
                    assert_no_click(&format!("{from:?} -> {to:?}"), fs, probe, setup, change);
                }
            }
        }
    }

    /// A +12 dB peak swept from 200 Hz to 5 kHz (and a Q sweep) under a
    /// steady sine. The sweep passes over the probe, so the bound is the
    /// step of the probe sine through the loudest filter on the way.
    #[test]
    fn sweeping_a_band_does_not_click() {
        for fs in RATES {
            for probe in [100.0, 1000.0, 5000.0] {
                let (_, during, _) = steps_around(fs, probe, peak_at_1k(12.0), |c| {
                    c.set_eq(1, EqField::Freq, 200.0)
                });
                let loudest = (0..=200)
                    .map(|i| {
                        let f0 = 1000.0 * 0.2f32.powf(i as f32 / 200.0);
                        Coeffs::design(EqType::Peak, f0, 2.0, 12.0, fs)
                            .magnitude_db(probe as f32, fs)
                    })
                    .fold(f64::MIN, f64::max);
                let bound = 1.25 * sine_step(probe, fs, loudest);
                assert!(
                    during <= bound,
                    "freq sweep at {fs}, probe {probe}: {during} > {bound}"
                );

                let setup = |c: &mut FilterChain| {
                    peak_at_1k(12.0)(c);
                    c.set_eq(1, EqField::Freq, 5000.0);
                };
                let (_, during, _) =
                    steps_around(fs, probe, setup, |c| c.set_eq(1, EqField::Freq, 200.0));
                let loudest = (0..=200)
                    .map(|i| {
                        let f0 = 5000.0 * 0.04f32.powf(i as f32 / 200.0);
                        Coeffs::design(EqType::Peak, f0, 2.0, 12.0, fs)
                            .magnitude_db(probe as f32, fs)
                    })
                    .fold(f64::MIN, f64::max);
                let bound = 1.25 * sine_step(probe, fs, loudest);
                assert!(
                    during <= bound,
                    "wide freq sweep at {fs}, probe {probe}: {during} > {bound}"
                );

                let q_change = |c: &mut FilterChain| c.set_eq(1, EqField::Q, 0.3);
                assert_no_click("Q sweep", fs, probe, peak_at_1k(12.0), q_change);
            }
        }
    }

    /// Each channel of a stereo pair comes out bit for bit as a mono chain
    /// with the same settings and history would put it out.
    #[test]
    fn stereo_processes_each_channel_like_mono() {
        let fs = 48_000.0;
        let (mut stereo, _) = busy_chain(fs);
        let (mut left, _) = busy_chain(fs);
        let (mut right, _) = busy_chain(fs);
        let (mut l, mut r) = (noise(4800, 7), noise(4800, 8));
        let (mut ml, mut mr) = (l.clone(), r.clone());
        let blocks = l
            .chunks_mut(100)
            .zip(r.chunks_mut(100))
            .zip(ml.chunks_mut(100).zip(mr.chunks_mut(100)));
        for (i, ((lb, rb), (mlb, mrb))) in blocks.enumerate() {
            if i == 10 {
                for c in [&mut stereo, &mut left, &mut right] {
                    c.set_eq(2, EqField::Gain, -10.0);
                    c.set_eq(0, EqField::On, 0.0);
                    c.set_eq(3, EqField::Type, EqType::LowPass as usize as f32);
                    c.set_hpf_on(false);
                }
            }
            stereo.process_stereo(lb, rb);
            left.process_mono(mlb);
            right.process_mono(mrb);
        }
        assert_eq!(l, ml);
        assert_eq!(r, mr);
        assert_ne!(l, noise(4800, 7));
    }

    #[test]
    fn reset_clears_the_signal_history() {
        let fs = 48_000.0;
        let (mut used, _) = busy_chain(fs);
        let mut x = noise(2000, 3);
        used.set_eq(1, EqField::Freq, 5000.0);
        run_mono(&mut used, &mut x, 64);
        used.reset();
        let mut silence = vec![0.0f32; 512];
        used.process_mono(&mut silence);
        assert!(silence.iter().all(|&v| v == 0.0));

        let (mut fresh, _) = busy_chain(fs);
        fresh.set_eq(1, EqField::Freq, 5000.0);
        fresh.reset();
        let mut a = vec![0.0f32; 2048];
        a[0] = 1.0;
        let mut b = a.clone();
        used.process_mono(&mut a);
        fresh.process_mono(&mut b);
        assert_eq!(a, b);
    }

    /// The default chain (HPF off, EQ flat), a band returned to 0 dB and a
    /// band switched off pass the signal through bit for bit: identity
    /// sections are skipped.
    #[test]
    fn flat_sections_are_exact_bypasses() {
        let fs = 48_000.0;
        let mut c = FilterChain::new(fs);
        let x = noise(1000, 11);
        let mut y = x.clone();
        c.process_mono(&mut y);
        assert_eq!(y, x);

        c.set_eq(2, EqField::Gain, 6.0);
        let mut y = noise(48_000, 5);
        run_mono(&mut c, &mut y, 64);
        c.set_eq(2, EqField::Gain, 0.0);
        let mut y = noise(48_000, 5);
        run_mono(&mut c, &mut y, 64);
        assert!(c.sections.iter().all(|s| !s.active()));
        let mut y = x.clone();
        c.process_mono(&mut y);
        assert_eq!(y, x);

        c.set_eq(0, EqField::Gain, -9.0);
        c.set_hpf_on(true);
        c.set_eq(1, EqField::Type, EqType::HighPass as usize as f32);
        let mut y = noise(48_000, 5);
        run_mono(&mut c, &mut y, 64);
        assert_ne!(y, noise(48_000, 5));
        c.set_eq(0, EqField::On, 0.0);
        c.set_eq(1, EqField::On, 0.0);
        c.set_hpf_on(false);
        let mut y = noise(48_000, 5);
        run_mono(&mut c, &mut y, 64);
        assert!(c.sections.iter().all(|s| !s.active()));
        let mut y = x.clone();
        c.process_mono(&mut y);
        assert_eq!(y, x);
    }

    /// Switching a pass filter on fades in its settled response: at every
    /// sample the output is the dry sine blended, by the wet share used for
    /// that sample, with the steady filtered sine, to within 1 % of the
    /// level (-40 dB). Without the warm-up, a 20 Hz high-pass under a
    /// 100 Hz sine is 8 % (-22 dB) off.
    #[test]
    fn pass_filters_fade_in_settled() {
        type Setup = fn(&mut FilterChain, f32, bool);
        let hpf: Setup = |c, f, on| {
            c.set_hpf_freq(f);
            c.set_hpf_on(on);
        };
        let band_hp: Setup = |c, f, on| {
            c.set_eq(1, EqField::Type, EqType::HighPass as usize as f32);
            c.set_eq(1, EqField::Q, 2.0);
            c.set_eq(1, EqField::Freq, f);
            c.set_eq(1, EqField::On, on as u8 as f32);
        };
        let band_lp: Setup = |c, f, on| {
            c.set_eq(1, EqField::Type, EqType::LowPass as usize as f32);
            c.set_eq(1, EqField::Freq, f);
            c.set_eq(1, EqField::On, on as u8 as f32);
        };
        for fs in [44_100.0, 96_000.0] {
            for (setup, section, freqs) in [
                (hpf, 0, [10.0, 20.0, 80.0, 400.0]),
                (band_hp, 2, [30.0, 100.0, 300.0, 1000.0]),
                (band_lp, 2, [300.0, 1000.0, 3000.0, 10_000.0]),
            ] {
                for f in freqs {
                    for probe in [100.0, 1000.0] {
                        let n = fs as usize / 2;
                        let x = sine(probe, fs, 0, n);
                        let mut steady = FilterChain::new(fs);
                        setup(&mut steady, f, true);
                        steady.reset();
                        let mut wet_sine = x.clone();
                        steady.process_mono(&mut wet_sine);

                        let mut c = FilterChain::new(fs);
                        setup(&mut c, f, false);
                        c.reset();
                        let mut y = x.clone();
                        let at = n / 4;
                        c.process_mono(&mut y[..at]);
                        setup(&mut c, f, true);
                        let mut worst = 0.0f64;
                        for i in at..n {
                            let w = c.sections[section].wet;
                            c.process_mono(&mut y[i..i + 1]);
                            let ideal = x[i] as f64 + w * (wet_sine[i] as f64 - x[i] as f64);
                            worst = worst.max((y[i] as f64 - ideal).abs());
                        }
                        assert_eq!(c.sections[section].wet, 1.0);
                        assert!(
                            worst < 0.01 * AMP,
                            "fs={fs} section {section} at {f} Hz, probe {probe}: {worst}"
                        );
                    }
                }
            }
        }
    }

    /// The output does not depend, to the bit, on how the signal is cut
    /// into blocks, with glides and fades under way.
    #[test]
    fn block_size_does_not_matter() {
        let fs = 44_100.0;
        let outputs: Vec<Vec<f32>> = [1usize, 7, 64, 1024]
            .iter()
            .map(|&block| {
                let (mut c, _) = busy_chain(fs);
                c.set_eq(1, EqField::Gain, 12.0);
                c.set_eq(0, EqField::Freq, 300.0);
                c.set_eq(3, EqField::On, 0.0);
                c.set_eq(2, EqField::Type, EqType::HighPass as usize as f32);
                c.set_hpf_on(false);
                let mut y = noise(4410, 9);
                run_mono(&mut c, &mut y, block);
                y
            })
            .collect();
        for o in &outputs[1..] {
            assert_eq!(o, &outputs[0]);
        }
    }

    #[test]
    fn extreme_values_never_produce_nan() {
        let bad = [
            0.0f32,
            -1.0,
            1e-30,
            1e30,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ];
        let fields = [
            EqField::Type,
            EqField::Freq,
            EqField::Gain,
            EqField::Q,
            EqField::On,
        ];
        for fs in RATES {
            let (mut c, _) = busy_chain(fs);
            for (i, &v) in bad.iter().enumerate() {
                c.set_hpf_freq(v);
                for band in 0..EQ_BANDS + 2 {
                    for f in fields {
                        c.set_eq(band, f, v);
                    }
                }
                let mut y = noise(3000, i as u32);
                run_mono(&mut c, &mut y, 1 + 97 * i);
                assert!(y.iter().all(|v| v.is_finite()), "fs={fs} value {v}");
            }
        }
    }

    /// A NaN sample poisons at most the block it arrives in.
    #[test]
    fn recovers_from_a_nan_input() {
        let (mut c, _) = busy_chain(48_000.0);
        let mut y = noise(64, 1);
        y[10] = f32::NAN;
        c.process_mono(&mut y);
        let mut y = noise(64, 2);
        c.process_mono(&mut y);
        assert!(y.iter().all(|v| v.is_finite()));
    }
}
