//! Feed-forward compressor after Giannoulis, Massberg and Reiss, "Digital
//! Dynamic Range Compressor Design — A Tutorial and Analysis" (JAES 2012).
//!
//! Signal path per sample: key |x| (stereo: max(|l|, |r|)) -> level in dB ->
//! static gain computer (threshold, ratio, quadratic soft knee of width W) ->
//! detector on the gain reduction -> gain = makeup - reduction -> linear gain.
//!
//! The detector is the paper's smooth *branching* peak detector, run in the
//! log domain on the gain computer's output: a one-pole filter whose
//! coefficient is the attack one while the wanted reduction rises and the
//! release one while it falls, so attack and release are independent of each
//! other (attack time does not depend on the release setting, and a release
//! does not restart an attack). The paper's "decoupled" form puts an
//! instant-attack release stage in front of the attack stage, which makes
//! the attack envelope depend on release; we did not use it. Working on the
//! reduction in dB makes the envelopes exponential in dB (the time to 63% of
//! a level step is the set time constant) and keeps the knee exact.
//!
//! Costs: one fast log and one fast exp per sample ([`super::fastmath`]).
//! Blocks run in chunks of `CHUNK` samples in three passes (levels and
//! static curve, detector, gains) so that only the detector recursion is
//! serial and the other two vectorize; a chunk that stays below the knee with
//! nothing left to release gets one constant gain. The mono tracks of a
//! track group run the same passes a lane per track, so the detector's
//! recursion, too, works on eight tracks at once.
//!
//! Threshold, ratio and knee are smoothed and the derived coefficients
//! refreshed once per chunk while they move; makeup and the on/off switch
//! are smoothed per sample (they scale the output directly). Attack and
//! release only change the detector's slopes and apply at once. Switched
//! off, the whole gain (reduction and makeup) glides to 0 dB over
//! [`ON_RAMP_MS`]; once there, processing is skipped.

use super::fastmath;
use super::fma::MulAdd;
use super::lanes::{Lanes, LANES};
use crate::engine::smoothing::{Smoothed, DEFAULT_RAMP_MS};
use crate::params::{CompField, Param, Spec};

/// Switching on or off takes this long.
pub const ON_RAMP_MS: f32 = 10.0;
/// Samples processed together; the knee coefficients are refreshed once per
/// chunk while they move.
const CHUNK: usize = 32;
/// Key levels are clipped here, so that a wild sample cannot leave hundreds
/// of dB of reduction to release.
const MAX_LEVEL_DB: f32 = 60.0;
/// Detector levels (dB of reduction) below this are zeroed at the end of a
/// block: keeps the decay from running into subnormals.
const FLOOR_DB: f32 = 1e-6;

/// A compressor for one mono or one linked stereo signal.
#[derive(Debug, Clone)]
pub struct Compressor {
    sample_rate: f32,

    threshold: Smoothed,
    /// 1 - 1/ratio: dB of reduction per dB over the threshold.
    slope: Smoothed,
    knee: Smoothed,
    makeup: Smoothed,
    on: Smoothed,

    // Gain computer coefficients, refreshed from the smoothers.
    knee_start: f32,
    knee_width: f32,
    quad: f32,
    slope_now: f32,

    attack_coef: f32,
    release_coef: f32,

    /// Detector output: dB of gain reduction, >= 0.
    reduction: f32,
    gain_reduction_db: f32,
}

fn default_of(field: CompField) -> f32 {
    Spec::of(Param::Comp(field)).default
}

fn coef(ms: f32, sample_rate: f32) -> f32 {
    (-1.0 / (ms as f64 * 0.001 * sample_rate as f64)).exp() as f32
}

/// The paper's static curve with its quadratic knee, as dB of reduction
/// (>= 0) for a level `over_knee_start` = level - threshold + W/2 dB above
/// the start of the knee: zero below the knee, `slope * o^2 / (2W)` inside
/// it, and the straight line `slope * (level - threshold)` above it.
#[inline]
fn reduction_db(over_knee_start: f32, width: f32, quad: f32, slope: f32) -> f32 {
    let in_knee = over_knee_start.max(0.0).min(width);
    in_knee * in_knee * quad + slope * (over_knee_start - width).max(0.0)
}

/// `slope / (2W)`, the knee's quadratic coefficient (0 for a hard knee).
fn quad_of(slope: f32, width: f32) -> f32 {
    if width > 0.0 {
        slope / (2.0 * width)
    } else {
        0.0
    }
}

impl Compressor {
    /// A compressor with the registry's default settings.
    pub fn new(sample_rate: f32) -> Self {
        let sample_rate = if sample_rate.is_finite() && sample_rate > 0.0 {
            sample_rate
        } else {
            48_000.0
        };
        let smoothed = |v: f32| Smoothed::new(v, DEFAULT_RAMP_MS, sample_rate);
        let mut comp = Compressor {
            sample_rate,
            threshold: smoothed(default_of(CompField::Threshold)),
            slope: smoothed(1.0 - 1.0 / default_of(CompField::Ratio)),
            knee: smoothed(default_of(CompField::Knee)),
            makeup: smoothed(default_of(CompField::Makeup)),
            on: Smoothed::new(default_of(CompField::On), ON_RAMP_MS, sample_rate),
            knee_start: 0.0,
            knee_width: 0.0,
            quad: 0.0,
            slope_now: 0.0,
            attack_coef: coef(default_of(CompField::Attack), sample_rate),
            release_coef: coef(default_of(CompField::Release), sample_rate),
            reduction: 0.0,
            gain_reduction_db: 0.0,
        };
        comp.refresh();
        comp
    }

    /// Set one parameter, in the units of its [`Spec`]. NaN is ignored and
    /// everything else is clamped into range.
    pub fn set(&mut self, field: CompField, value: f32) {
        let Some(v) = Spec::of(Param::Comp(field)).clamp(value) else {
            return;
        };
        match field {
            CompField::Threshold => self.threshold.set(v),
            CompField::Ratio => self.slope.set(1.0 - 1.0 / v),
            CompField::Attack => self.attack_coef = coef(v, self.sample_rate),
            CompField::Release => self.release_coef = coef(v, self.sample_rate),
            CompField::Knee => self.knee.set(v),
            CompField::Makeup => self.makeup.set(v),
            CompField::On => self.on.set(v),
        }
    }

    fn refresh(&mut self) {
        let width = self.knee.current();
        self.knee_width = width;
        self.knee_start = self.threshold.current() - 0.5 * width;
        self.slope_now = self.slope.current();
        self.quad = quad_of(self.slope_now, width);
    }

    /// The static curve of the current settings in dB (threshold, ratio and
    /// knee; no makeup, no time behaviour), whether or not the stage is on.
    pub fn static_gain_db(&self, input_db: f32) -> f32 {
        let width = self.knee.target();
        let slope = self.slope.target();
        let over = input_db - self.threshold.target() + 0.5 * width;
        -reduction_db(over, width, quad_of(slope, width), slope)
    }

    /// The largest compression (dB, >= 0, makeup not counted) applied during
    /// the last block.
    pub fn gain_reduction_db(&self) -> f32 {
        self.gain_reduction_db
    }

    /// Forget the signal and finish every parameter glide.
    pub fn reset(&mut self) {
        for s in [
            &mut self.threshold,
            &mut self.slope,
            &mut self.knee,
            &mut self.makeup,
            &mut self.on,
        ] {
            let t = s.target();
            s.reset(t);
        }
        self.refresh();
        self.reduction = 0.0;
        self.gain_reduction_db = 0.0;
    }

    fn idle(&self) -> bool {
        self.on.current() == 0.0 && !self.on.is_smoothing()
    }

    fn before_chunk(&mut self, n: usize) {
        if self.threshold.is_smoothing() || self.slope.is_smoothing() || self.knee.is_smoothing() {
            self.threshold.skip(n);
            self.slope.skip(n);
            self.knee.skip(n);
            self.refresh();
        }
    }

    /// What the gain pass of a chunk needs of this lane.
    fn lane(&self) -> Lane {
        Lane {
            start: self.knee_start,
            width: self.knee_width,
            quad: self.quad,
            slope: self.slope_now,
            attack: self.attack_coef,
            release: self.release_coef,
            reduction: self.reduction,
        }
    }

    /// Whether the on/off switch or the makeup glides.
    fn ramping(&self) -> bool {
        self.on.is_smoothing() || self.makeup.is_smoothing()
    }

    /// Fill lane `l` of `on` and `makeup` with the next values of the two
    /// smoothers (the current ones if neither glides).
    fn ramps<const L: usize>(&mut self, l: usize, on: &mut [[f32; L]], makeup: &mut [[f32; L]]) {
        let moving = self.ramping();
        for (o, m) in on.iter_mut().zip(makeup.iter_mut()) {
            (o[l], m[l]) = if moving {
                (self.on.step(), self.makeup.step())
            } else {
                (self.on.current(), self.makeup.current())
            };
        }
    }

    fn finish_block(&mut self, max_reduction: f32) {
        self.gain_reduction_db = max_reduction;
        if self.idle() || self.reduction < FLOOR_DB {
            self.reduction = 0.0;
        }
    }

    /// Apply the compressor to channels in place, keyed on the loudest.
    fn process_channels<const CH: usize>(&mut self, mut chans: [&mut [f32]; CH]) {
        if self.idle() {
            self.finish_block(0.0);
            return;
        }
        let n = chans.iter().map(|c| c.len()).min().unwrap_or(0);
        let mut max_reduction = [0.0f32];
        let (mut keys, mut gains) = ([[0.0f32; 1]; CHUNK], [[0.0f32; 1]; CHUNK]);
        for start in (0..n).step_by(CHUNK) {
            let m = CHUNK.min(n - start);
            for (i, k) in keys[..m].iter_mut().enumerate() {
                // |x|, or max(|l|, |r|).
                k[0] = chans[1..]
                    .iter()
                    .fold(chans[0][start + i].abs(), |a, c| a.max(c[start + i].abs()));
            }
            chunk_gains(
                &mut [Some(&mut *self)],
                &keys[..m],
                &mut gains[..m],
                &mut max_reduction,
            );
            for c in chans.iter_mut() {
                for (s, g) in c[start..start + m].iter_mut().zip(&gains) {
                    *s *= g[0];
                }
            }
        }
        self.finish_block(max_reduction[0]);
    }

    pub fn process_mono(&mut self, x: &mut [f32]) {
        self.process_channels([x]);
    }

    /// Linked stereo: one key, max(|l|, |r|), one gain for both channels.
    pub fn process_stereo(&mut self, l: &mut [f32], r: &mut [f32]) {
        self.process_channels([l, r]);
    }
}

/// One lane's gain computer and detector for a chunk.
#[derive(Clone, Copy)]
struct Lane {
    start: f32,
    width: f32,
    quad: f32,
    slope: f32,
    attack: f32,
    release: f32,
    reduction: f32,
}

impl Lane {
    /// No reduction ever (for unused lanes).
    const NONE: Lane = Lane {
        start: f32::MAX,
        width: 0.0,
        quad: 0.0,
        slope: 0.0,
        attack: 0.0,
        release: 0.0,
        reduction: 0.0,
    };
}

/// Linear gains for up to [`CHUNK`] keys on `L` lanes, one compressor each
/// (`None`: the lane's gains are garbage); raises `max_reduction` to each
/// lane's largest weighted reduction. Three passes, so that only the
/// detector recursion is serial, and it runs all lanes at once: the level
/// and static curve of every sample, then the detector, then the gains.
#[inline(always)]
fn chunk_gains<const L: usize>(
    comps: &mut [Option<&mut Compressor>; L],
    keys: &[[f32; L]],
    gains: &mut [[f32; L]],
    max_reduction: &mut [f32; L],
) {
    let n = keys.len();
    let lanes: [Lane; L] = std::array::from_fn(|l| match &mut comps[l] {
        Some(c) => {
            c.before_chunk(n);
            c.lane()
        }
        None => Lane::NONE,
    });
    for (g, key) in gains.iter_mut().zip(keys) {
        for l in 0..L {
            let Lane {
                start,
                width,
                quad,
                slope,
                ..
            } = lanes[l];
            let level = fastmath::gain_to_db(key[l]).min(MAX_LEVEL_DB);
            // A NaN or infinite sample passes through but does not steer the
            // gain (marked negative: a real reduction never is).
            g[l] = if key[l].is_finite() {
                reduction_db(level - start, width, quad, slope)
            } else {
                -1.0
            };
        }
    }
    let moving = comps.iter().flatten().any(|c| c.ramping());
    let current = |f: fn(&Compressor) -> f32| -> [f32; L] {
        std::array::from_fn(|l| comps[l].as_ref().map_or(0.0, |c| f(c)))
    };
    let (on, makeup) = (current(|c| c.on.current()), current(|c| c.makeup.current()));
    let resting = lanes.iter().all(|l| l.reduction == 0.0);
    if !moving && resting && gains.iter().all(|g| g.iter().all(|&g| g <= 0.0)) {
        // Below the knee with nothing to release: one constant gain per
        // lane (what the passes below would compute, sooner).
        gains.fill(std::array::from_fn(|l| {
            fastmath::db_to_gain(on[l] * makeup[l])
        }));
        return;
    }
    let mut r: [f32; L] = lanes.map(|l| l.reduction);
    let mut max_r = [0.0f32; L];
    for g in gains.iter_mut() {
        for l in 0..L {
            let wanted = if g[l] < 0.0 { r[l] } else { g[l] };
            let coef = if wanted > r[l] {
                lanes[l].attack
            } else {
                lanes[l].release
            };
            r[l] = coef.madd(r[l] - wanted, wanted);
            max_r[l] = max_r[l].max(r[l]);
            g[l] = r[l];
        }
    }
    for (l, c) in comps.iter_mut().enumerate() {
        if let Some(c) = c {
            c.reduction = r[l];
        }
    }
    if moving {
        let (mut on, mut makeup) = ([[0.0f32; L]; CHUNK], [[0.0f32; L]; CHUNK]);
        let (on, makeup) = (&mut on[..n], &mut makeup[..n]);
        for (l, c) in comps.iter_mut().enumerate() {
            if let Some(c) = c {
                c.ramps(l, on, makeup);
            }
        }
        gain_pass::<L, true>(gains, |i| (on[i], makeup[i]), max_reduction);
    } else {
        // At rest the weighted maximum is `on` times the largest reduction
        // (`on` >= 0), so the gain pass need not carry a maximum from sample
        // to sample, which would keep it from vectorising across samples.
        for l in 0..L {
            max_reduction[l] = max_reduction[l].max(on[l] * max_r[l]);
        }
        gain_pass::<L, false>(gains, |_| (on, makeup), max_reduction);
    }
}

/// The last pass: detector output (dB of reduction) to linear gain, with
/// the on/off share and makeup of each sample from `ramp`; with `MAX`,
/// raises `max_reduction` to each lane's largest weighted reduction.
#[inline(always)]
fn gain_pass<const L: usize, const MAX: bool>(
    gains: &mut [[f32; L]],
    ramp: impl Fn(usize) -> ([f32; L], [f32; L]),
    max_reduction: &mut [f32; L],
) {
    for (i, g) in gains.iter_mut().enumerate() {
        let (on, makeup) = ramp(i);
        for l in 0..L {
            let reduction = on[l] * g[l];
            if MAX {
                max_reduction[l] = max_reduction[l].max(reduction);
            }
            g[l] = fastmath::db_to_gain(on[l] * makeup[l] - reduction);
        }
    }
}

/// Compress lane `l` of `frames` with `comps[l]`, for every compressor
/// there, exactly as [`Compressor::process_mono`] would (lanes without one,
/// or whose compressor is off and idle, pass unchanged).
pub(crate) fn process_lanes(
    comps: &mut [Option<&mut Compressor>; LANES],
    frames: &mut [Lanes<f32>],
) {
    let mut live: [Option<&mut Compressor>; LANES] = Default::default();
    for (slot, c) in live.iter_mut().zip(comps.iter_mut()) {
        match c {
            Some(c) if c.idle() => c.finish_block(0.0),
            Some(c) => *slot = Some(&mut **c),
            None => {}
        }
    }
    if live.iter().all(Option::is_none) {
        return;
    }
    // Gains of unused lanes become exactly 1 (g * 0 + 1; every gain is finite).
    let keep: [f32; LANES] = std::array::from_fn(|l| f32::from(u8::from(live[l].is_some())));
    let unity = keep.map(|k| 1.0 - k);
    let mut max_reduction = [0.0f32; LANES];
    let (mut keys, mut gains) = ([[0.0f32; LANES]; CHUNK], [[0.0f32; LANES]; CHUNK]);
    for chunk in frames.chunks_mut(CHUNK) {
        let m = chunk.len();
        for (k, f) in keys.iter_mut().zip(chunk.iter()) {
            *k = f.0.map(f32::abs);
        }
        chunk_gains(&mut live, &keys[..m], &mut gains[..m], &mut max_reduction);
        for (f, g) in chunk.iter_mut().zip(&gains) {
            for l in 0..LANES {
                f.0[l] *= g[l] * keep[l] + unity[l];
            }
        }
    }
    for (c, max) in live.iter_mut().zip(max_reduction) {
        if let Some(c) = c {
            c.finish_block(max);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dsp::lanes::testing::{self, LaneProcessor};

    impl LaneProcessor for Compressor {
        fn process_mono(&mut self, x: &mut [f32]) {
            Compressor::process_mono(self, x)
        }
        fn gain_reduction_db(&self) -> f32 {
            Compressor::gain_reduction_db(self)
        }
        fn process_lanes(group: &mut [Option<&mut Self>; LANES], frames: &mut [Lanes<f32>]) {
            process_lanes(group, frames)
        }
    }

    /// Every lane comes out bit for bit as its compressor alone would put
    /// it out, with settings, makeup and the switch changing at different
    /// moments, in blocks of every size; idle and missing lanes pass.
    #[test]
    fn lanes_match_single_compressors() {
        let sr = 48_000.0;
        let n = 48_000;
        let absent = 2;
        let input = |l: usize| -> Vec<f32> {
            (0..n)
                .map(|i| {
                    let loud = (i / (500 + 200 * l)).is_multiple_of(2);
                    let a = 10f32.powf(if loud { -3.0 } else { -40.0 } / 20.0);
                    a * ((i as f32 * 0.01 * (l + 1) as f32).sin())
                })
                .collect()
        };
        let inputs: Vec<Vec<f32>> = (0..LANES).map(input).collect();
        let make = |l: usize| {
            let mut c = Compressor::new(sr);
            c.set(CompField::On, (l != 4) as u8 as f32);
            c.set(CompField::Threshold, -30.0 + 2.0 * l as f32);
            c.set(CompField::Ratio, 2.0 + l as f32);
            c.set(CompField::Knee, 3.0 * (l % 3) as f32);
            c.set(CompField::Attack, 1.0 + l as f32);
            c.set(CompField::Release, 50.0 + 20.0 * l as f32);
            c.set(CompField::Makeup, l as f32);
            c.reset();
            c
        };
        testing::assert_lanes_match(&inputs, absent, make, |round, l, c| {
            if round % 5 == 2 && l >= round % 3 && (l - round % 3) % 2 == 0 {
                c.set(CompField::On, (round % 3 != 0) as u8 as f32);
                c.set(CompField::Makeup, (round % 7) as f32);
                c.set(CompField::Threshold, -((round % 40) as f32));
            }
        });
    }

    /// Giannoulis et al.'s soft-knee gain computer, written out branch by
    /// branch, in f64: the output level for input level `x` (W = 0 has no
    /// knee branch).
    fn paper_curve(x: f64, t: f64, r: f64, w: f64) -> f64 {
        if 2.0 * (x - t) < -w {
            x
        } else if w > 0.0 && 2.0 * (x - t).abs() <= w {
            x + (1.0 / r - 1.0) * (x - t + w / 2.0).powi(2) / (2.0 * w)
        } else {
            t + (x - t) / r
        }
    }

    fn level(db: f32, n: usize) -> Vec<f32> {
        let a = 10f32.powf(db / 20.0);
        (0..n).map(|i| if i % 2 == 0 { a } else { -a }).collect()
    }

    fn comp(sr: f32, settings: &[(CompField, f32)]) -> Compressor {
        let mut c = Compressor::new(sr);
        c.set(CompField::On, 1.0);
        for &(f, v) in settings {
            c.set(f, v);
        }
        c.reset();
        c
    }

    /// Applied gain (dB) per sample.
    fn run(c: &mut Compressor, input: &[f32]) -> Vec<f32> {
        let mut x = input.to_vec();
        for chunk in x.chunks_mut(100) {
            c.process_mono(chunk);
        }
        x.iter()
            .zip(input)
            .map(|(y, x)| 20.0 * (y / x).abs().log10())
            .collect()
    }

    const CURVES: [(f32, f32, f32); 7] = [
        (-20.0, 4.0, 0.0),
        (-40.0, 2.0, 0.0),
        (0.0, 100.0, 0.0),
        (-20.0, 4.0, 6.0),
        (-30.0, 10.0, 12.0),
        (-10.0, 1.5, 24.0),
        (-60.0, 100.0, 24.0),
    ];

    fn settings(t: f32, r: f32, w: f32) -> [(CompField, f32); 5] {
        [
            (CompField::Threshold, t),
            (CompField::Ratio, r),
            (CompField::Knee, w),
            (CompField::Attack, 0.05),
            (CompField::Release, 5.0),
        ]
    }

    #[test]
    fn static_curve_matches_the_paper() {
        for (t, r, w) in CURVES {
            let c = comp(48_000.0, &settings(t, r, w));
            let mut levels: Vec<f32> = (0..=400).map(|i| -90.0 + i as f32 * 0.25).collect();
            // Knee edges and middle.
            levels.extend([t - w / 2.0, t, t + w / 2.0]);
            for x in levels {
                let expected = paper_curve(x as f64, t as f64, r as f64, w as f64) - x as f64;
                let got = c.static_gain_db(x) as f64;
                assert!(
                    (got - expected).abs() < 1e-4,
                    "T {t} R {r} W {w} at {x}: {got} vs {expected}"
                );
            }
        }
    }

    #[test]
    fn settled_gain_follows_the_static_curve() {
        // Constant-magnitude input at each level, long enough for the
        // detector to settle; within 2e-4 dB (the fast log/exp bounds).
        for (t, r, w) in CURVES {
            for i in 0..=30 {
                let x = t - 20.0 + i as f32 * 1.5;
                for x in [x, t - w / 2.0, t, t + w / 2.0] {
                    let mut c = comp(48_000.0, &settings(t, r, w));
                    let gains = run(&mut c, &level(x, 4800));
                    let expected = paper_curve(x as f64, t as f64, r as f64, w as f64) - x as f64;
                    let got = *gains.last().unwrap() as f64;
                    assert!(
                        (got - expected).abs() < 2e-4,
                        "T {t} R {r} W {w} at {x}: {got} vs {expected}"
                    );
                    assert!((c.gain_reduction_db() as f64 + expected).abs() < 2e-4);
                }
            }
        }
    }

    /// Samples until the gain (dB) has covered `fraction` of the way from
    /// its first to its final value.
    fn time_to(gains: &[f32], fraction: f32) -> usize {
        let (first, last) = (gains[0], *gains.last().unwrap());
        let mark = first + fraction * (last - first);
        gains
            .iter()
            .position(|&g| if last < first { g <= mark } else { g >= mark })
            .unwrap()
    }

    #[test]
    fn attack_and_release_reach_63_percent_in_their_time_constants() {
        let one_minus_e = 1.0 - (-1.0f32).exp();
        for sr in [44_100.0f32, 96_000.0] {
            for (attack, release) in [(1.0f32, 50.0f32), (10.0, 150.0), (50.0, 500.0)] {
                let mut c = comp(
                    sr,
                    &[
                        (CompField::Threshold, -30.0),
                        (CompField::Ratio, 4.0),
                        (CompField::Knee, 0.0),
                        (CompField::Attack, attack),
                        (CompField::Release, release),
                    ],
                );
                let quiet = (sr * 0.05) as usize;
                let loud = (sr * attack * 0.02) as usize;
                let mut input = level(-60.0, quiet);
                input.extend(level(0.0, loud.max(64)));
                input.extend(level(-60.0, (sr * release * 0.01) as usize));
                let gains = run(&mut c, &input);
                // Up: 0 -> -22.5 dB. Down: back to 0 dB.
                let up = &gains[quiet - 1..quiet + loud];
                assert!(
                    (up.last().unwrap() + 22.5).abs() < 0.01,
                    "{}",
                    up.last().unwrap()
                );
                let t = time_to(up, one_minus_e) as f32 * 1000.0 / sr;
                assert!(
                    (t - attack).abs() <= 0.05 * attack + 1000.0 / sr,
                    "{sr} Hz attack {attack}: {t} ms"
                );
                let down = &gains[quiet + loud - 1..];
                let t = time_to(down, one_minus_e) as f32 * 1000.0 / sr;
                assert!(
                    (t - release).abs() <= 0.05 * release,
                    "{sr} Hz release {release}: {t} ms"
                );
            }
        }
    }

    #[test]
    fn makeup_is_added_and_glides_in() {
        let sr = 48_000.0;
        let mut c = comp(
            sr,
            &[
                (CompField::Threshold, -20.0),
                (CompField::Ratio, 4.0),
                (CompField::Knee, 0.0),
            ],
        );
        let input = level(-40.0, 4800);
        let before = run(&mut c, &input);
        assert!(before.last().unwrap().abs() < 1e-4);
        c.set(CompField::Makeup, 6.0);
        let gains = run(&mut c, &input);
        assert!((gains.last().unwrap() - 6.0).abs() < 1e-4);
        // Over the 20 ms ramp, no more than 6 dB / 960 per sample.
        let ramp = DEFAULT_RAMP_MS * 0.001 * sr;
        let max_step = gains
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max);
        assert!(max_step <= 6.0 / ramp * 1.01, "{max_step}");
        // Above threshold, makeup adds to the static curve.
        let loud = run(&mut c, &level(0.0, 9600));
        assert!(
            (loud.last().unwrap() - (6.0 - 15.0)).abs() < 1e-3,
            "{}",
            loud.last().unwrap()
        );
        assert!(
            (c.gain_reduction_db() - 15.0).abs() < 1e-3,
            "the meter does not count makeup"
        );
    }

    #[test]
    fn switching_off_glides_to_unity_then_passes_bits_through() {
        let sr = 48_000.0;
        let mut c = comp(
            sr,
            &[
                (CompField::Threshold, -20.0),
                (CompField::Ratio, 4.0),
                (CompField::Makeup, 3.0),
            ],
        );
        let input = level(0.0, 9600);
        run(&mut c, &input);
        c.set(CompField::On, 0.0);
        let gains = run(&mut c, &input);
        let ramp = (ON_RAMP_MS * 0.001 * sr) as usize;
        assert!(gains[ramp].abs() < 1e-6);
        let first = gains[0];
        let max_step = gains
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max);
        assert!(
            max_step <= first.abs() / ramp as f32 * 1.05 + 1e-4,
            "{max_step}"
        );
        let mut x = input.clone();
        c.process_mono(&mut x);
        assert_eq!(x, input);
        assert_eq!(c.gain_reduction_db(), 0.0);
        // And back on, gradually.
        c.set(CompField::On, 1.0);
        let gains = run(&mut c, &input);
        assert!(gains.windows(2).all(|w| (w[1] - w[0]).abs() < 0.05));
    }

    #[test]
    fn threshold_moves_are_smoothed() {
        let sr = 48_000.0;
        let mut c = comp(
            sr,
            &[
                (CompField::Threshold, -10.0),
                (CompField::Ratio, 10.0),
                (CompField::Attack, 0.05),
            ],
        );
        let input = level(0.0, 9600);
        run(&mut c, &input);
        c.set(CompField::Threshold, -40.0);
        let gains = run(&mut c, &input);
        // 27 dB more reduction, spread over the 20 ms glide rather than a step.
        let max_step = gains
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max);
        assert!(max_step < 1.0, "{max_step} dB in one sample");
        assert!((gains.last().unwrap() - c.static_gain_db(0.0)).abs() < 1e-3);
    }

    #[test]
    fn stereo_is_linked_on_the_louder_channel() {
        let mut c = comp(48_000.0, &settings(-20.0, 4.0, 0.0));
        let mut l = level(0.0, 4800);
        let mut r = level(-40.0, 4800);
        let r_in = r.clone();
        c.process_stereo(&mut l, &mut r);
        let g = 20.0 * (r[4799] / r_in[4799]).log10();
        assert!((g + 15.0).abs() < 1e-3, "{g}");
    }

    #[test]
    fn silence_settles_to_exact_zero_reduction() {
        let mut c = comp(48_000.0, &settings(-20.0, 4.0, 6.0));
        run(&mut c, &level(0.0, 4800));
        let mut silence = vec![0.0f32; 48_000];
        c.process_mono(&mut silence);
        let mut more = vec![0.0f32; 64];
        c.process_mono(&mut more);
        assert_eq!(c.gain_reduction_db(), 0.0);
        assert!(silence.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn non_finite_samples_do_not_disturb_the_detector() {
        let mut c = comp(48_000.0, &settings(-30.0, 4.0, 0.0));
        let input = level(-10.0, 4800);
        let before = *run(&mut c, &input).last().unwrap();
        let mut bad = vec![f32::NAN, f32::INFINITY, -f32::INFINITY];
        c.process_mono(&mut bad);
        let after = run(&mut c, &input)[0];
        assert!((after - before).abs() < 1e-3, "{before} -> {after}");
    }

    #[test]
    fn extreme_settings_and_inputs_stay_finite() {
        for sr in [44_100.0f32, 96_000.0] {
            for (t, r, w, a, rel, m) in [
                (-60.0f32, 100.0f32, 0.0f32, 0.05f32, 4000.0f32, 24.0f32),
                (0.0, 1.0, 24.0, 200.0, 5.0, 0.0),
                (f32::NAN, f32::INFINITY, -3.0, 0.0, f32::NEG_INFINITY, 1e9),
            ] {
                let mut c = Compressor::new(sr);
                for (f, v) in [
                    (CompField::On, 1.0),
                    (CompField::Threshold, t),
                    (CompField::Ratio, r),
                    (CompField::Knee, w),
                    (CompField::Attack, a),
                    (CompField::Release, rel),
                    (CompField::Makeup, m),
                ] {
                    c.set(f, v);
                }
                let mut x = vec![
                    0.0,
                    1e-40,
                    -1e-40,
                    1e30,
                    -1e30,
                    f32::MAX,
                    f32::MIN_POSITIVE,
                    1.0,
                ];
                x.extend(vec![0.0; 4800]);
                x.extend(level(-10.0, 4800));
                c.process_mono(&mut x);
                assert!(x.iter().all(|v| v.is_finite()), "{t} {r} {w}");
                // The extreme settings still settle on their static curve.
                c.reset();
                let mut l = level(-10.0, (sr * 0.5) as usize);
                let mut rr = l.clone();
                c.process_stereo(&mut l, &mut rr);
                assert!(l.iter().chain(&rr).all(|v| v.is_finite()), "{t} {r} {w}");
                assert!(c.gain_reduction_db().is_finite() && c.gain_reduction_db() >= 0.0);
                let settled = 20.0 * l.last().unwrap().abs().log10();
                let expected = -10.0 + c.static_gain_db(-10.0) + c.makeup.target();
                assert!(
                    (settled - expected).abs() < 0.01,
                    "{t} {r} {w}: {settled} vs {expected}"
                );
                assert!(c.static_gain_db(f32::NAN).is_finite());
            }
        }
    }
}
