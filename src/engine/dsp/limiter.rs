//! Master true-peak limiter: whatever goes in, the output's true peak (as a
//! BS.1770 meter measures it) stays at or under the ceiling.
//!
//! How (a look-ahead "hold the minimum, then average" gain computer):
//! 1. Each channel feeds two interpolators on the 4x grid, at every sample
//!    rate (a 2x meter's points are a subset of that grid): the shared
//!    [`TruePeak`] detector (32 taps per branch, flat to 0.43 fs, close to
//!    the ideal reconstruction) and `short_peak`, the 12-tap-per-branch
//!    design of BS.1770-4 Annex 2 that common meters (libebur128) use. Short
//!    interpolators stray from the ideal on broadband material and can read a
//!    peak up to about 0.4 dB higher; the ceiling has to hold on those meters
//!    too, so the limiter steers by the larger reading. Each reading covers
//!    the interval between two input samples, [`TruePeak::delay_samples`]
//!    behind the input (the short one is delayed to match).
//! 2. The gain that interval needs is `limit / peak` (or 1), where `limit` is
//!    the ceiling less [`MARGIN_DB`].
//! 3. A sliding minimum holds the smallest needed gain over `hold` samples;
//!    a one-pole release lets the held gain back up; two cascaded moving
//!    averages of `ramp / 2` samples each turn every step down into an
//!    S-shaped ramp `ramp` samples long.
//! 4. The audio is delayed by `latency` samples. Since every weight of the
//!    averages is positive and they sum to one, the gain is at most the
//!    needed gain wherever the whole averaging window lies inside the hold
//!    window; `latency` and `hold` are chosen so that this covers, for every
//!    detected interval, the interval itself and the detector's half-length
//!    (16 samples) either side. The gain is therefore down when the peak
//!    arrives and does not move across the span a meter's interpolator reads
//!    (32 taps here, 12 or 24 in libebur128), so the meter sees the peak
//!    scaled by that gain.
//!
//! Why a margin: other meters use other filters. libebur128 switches to a
//! 2x, 24-tap-per-branch interpolator at 96 kHz, whose passband ripple
//! (+0.1 dB near 0.42 fs) neither detector models: with no margin, the
//! output read up to 0.08 dB over the ceiling on it there (and at most
//! 0.00 dB over at 44.1, 48 and 88.2 kHz). [`MARGIN_DB`] covers that; the
//! tests hold the output to the ceiling + 0.05 dB on libebur128's meter at
//! all four rates for hot noise, impulses, bursts, square waves and the EBU
//! inter-sample-peak sine. A sample-peak clamp at the ceiling runs last,
//! only as a backstop.
//!
//! The delay is the same whether the limiter is on or off, so switching it
//! does not shift the mix in time; on/off crossfades the gain over
//! [`ON_RAMP_MS`]. The ceiling is smoothed (it scales the output); the
//! release time only changes a slope and applies at once. Inputs that are
//! not finite are replaced by silence: this is the last stage before the
//! converter.

use super::peak_interpolator::{PeakInterpolator, BRANCHES, CHUNK};
use super::true_peak::TruePeak;
use crate::engine::smoothing::{Smoothed, DEFAULT_RAMP_MS};
use crate::params::{LimiterField, Param, Spec};

/// Length of the gain ramp into a peak.
pub const ATTACK_MS: f32 = 2.0;
/// Headroom kept under the ceiling for meters with other filters (see the
/// module doc).
pub const MARGIN_DB: f32 = 0.1;
/// Switching on or off takes this long.
pub const ON_RAMP_MS: f32 = 10.0;
const DETECT_FACTOR: usize = 4;

/// Minimum of the last `window` values, amortized O(1) per sample (a
/// monotonic queue in a fixed ring).
#[derive(Debug, Clone)]
struct SlidingMin {
    values: Vec<f32>,
    times: Vec<u32>,
    head: usize,
    len: usize,
    now: u32,
}

impl SlidingMin {
    fn new(window: usize) -> Self {
        SlidingMin {
            values: vec![1.0; window],
            times: vec![0; window],
            head: 0,
            len: 0,
            now: 0,
        }
    }

    fn reset(&mut self) {
        self.head = 0;
        self.len = 0;
    }

    #[inline]
    fn push(&mut self, v: f32) -> f32 {
        let cap = self.values.len();
        let wrap = |i: usize| if i >= cap { i - cap } else { i };
        self.now = self.now.wrapping_add(1);
        if self.len > 0 && self.now.wrapping_sub(self.times[self.head]) as usize >= cap {
            self.head = wrap(self.head + 1);
            self.len -= 1;
        }
        while self.len > 0 && self.values[wrap(self.head + self.len - 1)] >= v {
            self.len -= 1;
        }
        let slot = wrap(self.head + self.len);
        self.values[slot] = v;
        self.times[slot] = self.now;
        self.len += 1;
        self.values[self.head]
    }
}

/// Moving average over a fixed number of samples.
#[derive(Debug, Clone)]
struct MovingAverage {
    ring: Vec<f32>,
    pos: usize,
    sum: f64,
    scale: f64,
}

impl MovingAverage {
    fn new(len: usize) -> Self {
        let mut avg = MovingAverage {
            ring: vec![1.0; len],
            pos: 0,
            sum: 0.0,
            scale: 1.0 / len as f64,
        };
        avg.reset();
        avg
    }

    /// As after a long run of unity gain.
    fn reset(&mut self) {
        self.ring.fill(1.0);
        self.pos = 0;
        self.sum = self.ring.len() as f64;
    }

    #[inline]
    fn push(&mut self, v: f32) -> f32 {
        self.sum += (v - self.ring[self.pos]) as f64;
        self.ring[self.pos] = v;
        self.pos += 1;
        if self.pos == self.ring.len() {
            self.pos = 0;
        }
        (self.sum * self.scale) as f32
    }
}

/// The short interpolator that BS.1770-4 Annex 2 sketches and libebur128
/// implements: a 48-tap Hann-windowed sinc at 4x, 12 taps per branch. It
/// strays from the ideal reconstruction on broadband material (up to about
/// 0.4 dB either way), so meters built on it can read a peak higher than
/// [`TruePeak`] does; the limiter steers by the larger of the two readings.
fn short_peak() -> PeakInterpolator<SHORT_TAPS> {
    let len = 4 * SHORT_TAPS;
    let mut taps = [[0.0f32; SHORT_TAPS]; BRANCHES];
    for (p, branch) in taps.iter_mut().enumerate() {
        // Oldest input first: coefficient i of the prototype multiplies
        // the input j samples old, j = i / 4.
        for (j, tap) in branch.iter_mut().rev().enumerate() {
            let i = 4 * j + p;
            let hann = 0.5 * (1.0 - (2.0 * std::f64::consts::PI * i as f64 / len as f64).cos());
            let t = std::f64::consts::PI * (i as f64 - (len / 2) as f64) / 4.0;
            let sinc = if t == 0.0 { 1.0 } else { t.sin() / t };
            *tap = (hann * sinc) as f32;
        }
    }
    PeakInterpolator::new(taps)
}

const SHORT_TAPS: usize = 12;
/// Samples between an input and the interval the short reading covers.
const SHORT_DELAY: usize = SHORT_TAPS / 2;

/// A fixed delay line.
#[derive(Debug, Clone)]
struct Delay {
    ring: Vec<f32>,
    pos: usize,
}

impl Delay {
    fn new(len: usize) -> Self {
        Delay {
            ring: vec![0.0; len.max(1)],
            pos: 0,
        }
    }

    fn clear(&mut self) {
        self.ring.fill(0.0);
        self.pos = 0;
    }

    #[inline]
    fn push(&mut self, x: f32) -> f32 {
        let out = std::mem::replace(&mut self.ring[self.pos], x);
        self.pos += 1;
        if self.pos == self.ring.len() {
            self.pos = 0;
        }
        out
    }
}

/// The master limiter, linked stereo.
#[derive(Clone)]
pub struct Limiter {
    sample_rate: f32,
    detect: [TruePeak; 2],
    short: [PeakInterpolator<SHORT_TAPS>; 2],
    /// One pass of the input (non-finite samples silenced) and what the
    /// detectors read of it, per channel.
    input: [[f32; CHUNK]; 2],
    long_peaks: [[f32; CHUNK]; 2],
    short_peaks: [[f32; CHUNK]; 2],
    /// Brings the short interpolator's readings in line with the long one's.
    align: Delay,
    hold: SlidingMin,
    ramp: [MovingAverage; 2],
    delay: [Delay; 2],
    latency: usize,

    ceiling: Smoothed,
    on: Smoothed,
    margin: f32,
    release_coef: f32,

    envelope: f32,
    gain_reduction_db: f32,
}

fn default_of(field: LimiterField) -> f32 {
    Spec::of(Param::Limiter(field)).default
}

fn release_coef(ms: f32, sample_rate: f32) -> f32 {
    (-1.0 / (ms as f64 * 0.001 * sample_rate as f64)).exp() as f32
}

impl Limiter {
    /// A limiter with the registry's default settings (on, -1 dBTP).
    pub fn new(sample_rate: f32) -> Self {
        let sample_rate = if sample_rate.is_finite() && sample_rate > 0.0 {
            sample_rate
        } else {
            48_000.0
        };
        let detect = TruePeak::with_factor(DETECT_FACTOR);
        let half = ((ATTACK_MS * 0.001 * sample_rate * 0.5).round() as usize).max(1);
        let ramp = 2 * half - 1;
        // The detected interval lies `detect_delay` samples behind the input;
        // hold the gain flat over `guard` samples either side of it.
        let detect_delay = detect.delay_samples() as usize;
        let guard = detect_delay;
        let align = Delay::new(detect_delay - SHORT_DELAY);
        let latency = ramp - 1 + detect_delay + guard;
        let hold = ramp + 2 * guard + 1;
        let delay = Delay::new(latency);
        let mut limiter = Limiter {
            sample_rate,
            detect: [detect.clone(), detect],
            short: [short_peak(), short_peak()],
            input: [[0.0; CHUNK]; 2],
            long_peaks: [[0.0; CHUNK]; 2],
            short_peaks: [[0.0; CHUNK]; 2],
            align,
            hold: SlidingMin::new(hold),
            ramp: [MovingAverage::new(half), MovingAverage::new(half)],
            delay: [delay.clone(), delay],
            latency,
            ceiling: Smoothed::new(
                crate::units::db_to_gain(default_of(LimiterField::Ceiling)),
                DEFAULT_RAMP_MS,
                sample_rate,
            ),
            on: Smoothed::new(default_of(LimiterField::On), ON_RAMP_MS, sample_rate),
            margin: crate::units::db_to_gain(-MARGIN_DB),
            release_coef: release_coef(default_of(LimiterField::Release), sample_rate),
            envelope: 1.0,
            gain_reduction_db: 0.0,
        };
        limiter.reset();
        limiter
    }

    /// Set one parameter, in the units of its [`Spec`]. NaN is ignored and
    /// everything else is clamped into range.
    pub fn set(&mut self, field: LimiterField, value: f32) {
        let Some(v) = Spec::of(Param::Limiter(field)).clamp(value) else {
            return;
        };
        match field {
            LimiterField::Ceiling => self.ceiling.set(crate::units::db_to_gain(v)),
            LimiterField::Release => self.release_coef = release_coef(v, self.sample_rate),
            LimiterField::On => self.on.set(v),
        }
    }

    /// The look-ahead delay, in samples, on or off.
    pub fn latency_samples(&self) -> usize {
        self.latency
    }

    /// The largest gain reduction (dB, >= 0) applied during the last block.
    pub fn gain_reduction_db(&self) -> f32 {
        self.gain_reduction_db
    }

    /// Silence the look-ahead and detector and finish every glide.
    pub fn reset(&mut self) {
        for d in &mut self.detect {
            d.reset();
        }
        for d in &mut self.short {
            d.reset();
        }
        self.align.clear();
        self.hold.reset();
        for r in &mut self.ramp {
            r.reset();
        }
        for d in &mut self.delay {
            d.clear();
        }
        let (c, on) = (self.ceiling.target(), self.on.target());
        self.ceiling.reset(c);
        self.on.reset(on);
        self.envelope = 1.0;
        self.gain_reduction_db = 0.0;
    }

    pub fn process_stereo(&mut self, l: &mut [f32], r: &mut [f32]) {
        let mut min_gain = 1.0f32;
        for (l, r) in l.chunks_mut(CHUNK).zip(r.chunks_mut(CHUNK)) {
            let n = l.len().min(r.len());
            for (c, x) in [&*l, &*r].into_iter().enumerate() {
                let input = &mut self.input[c][..n];
                for (i, &x) in input.iter_mut().zip(x) {
                    *i = if x.is_finite() { x } else { 0.0 };
                }
                self.detect[c].peaks(input, &mut self.long_peaks[c][..n]);
                self.short[c].peaks(input, &mut self.short_peaks[c][..n]);
            }
            for (i, (a, b)) in l.iter_mut().zip(r.iter_mut()).enumerate() {
                let (xl, xr) = (self.input[0][i], self.input[1][i]);
                let short = self
                    .align
                    .push(self.short_peaks[0][i].max(self.short_peaks[1][i]));
                let peak = self.long_peaks[0][i].max(self.long_peaks[1][i]).max(short);
                let ceiling = self.ceiling.step();
                let limit = ceiling * self.margin;
                let needed = if peak > limit { limit / peak } else { 1.0 };
                let held = self.hold.push(needed);
                self.envelope = if held < self.envelope {
                    held
                } else {
                    held - (held - self.envelope) * self.release_coef
                };
                let half_way = self.ramp[0].push(self.envelope);
                let gain = self.ramp[1].push(half_way).min(1.0);
                let on = self.on.step();
                let gain = 1.0 + on * (gain - 1.0);
                min_gain = min_gain.min(gain);
                let mut yl = self.delay[0].push(xl) * gain;
                let mut yr = self.delay[1].push(xr) * gain;
                if on >= 1.0 {
                    yl = yl.clamp(-ceiling, ceiling);
                    yr = yr.clamp(-ceiling, ceiling);
                }
                *a = yl;
                *b = yr;
            }
        }
        self.gain_reduction_db = (-20.0 * min_gain.max(1e-9).log10()).max(0.0);
    }
}
