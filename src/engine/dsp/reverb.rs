//! A stereo algorithmic reverb for effect buses: a 16-line feedback delay
//! network (Jot's design).
//!
//! Why this shape: an FDN with an orthogonal (here Hadamard) feedback matrix
//! is lossless, so the decay is set by one gain per line, and choosing
//! g = 10^(-3·len / (RT60·fs)) makes every mode decay at exactly the asked
//! RT60 whatever the line lengths. Size can then scale the lengths freely.
//! A one-pole low-pass in each line, designed per line so the decay time at a
//! reference frequency is a fraction of the low-frequency one, makes highs die
//! first as in a real room. Lengths are distinct primes so the echo patterns of
//! the lines never line up; allpass diffusers smear the input before it enters
//! the loop, and the two outputs tap the lines with orthogonal sign patterns,
//! so a mono source comes out wide.
//!
//! Size changes glide every line length to its new value along an S-curve
//! at a limited speed: a slight pitch bend that starts and ends smoothly,
//! instead of a jump in the read position (a click) or a sudden change of
//! read speed (a kink). A size that arrives during a glide waits for it to
//! end, so the lengths always move from rest to rest and a stream of
//! automation is followed in successive glides. Decay and damping ramp
//! their coefficients sample by sample.

use super::delay::{Crossfade, StereoLine};
use crate::engine::smoothing::{Smoothed, DEFAULT_RAMP_MS};
use crate::params::{Param, ReverbField, Spec};
use crate::units::{db_to_gain, Millis};
use std::f32::consts::{LOG2_10, PI};

const LINES: usize = 16;
/// The shortest and longest line at full size.
const SHORTEST_MS: f32 = 30.0;
const LONGEST_MS: f32 = 100.0;
/// Line lengths at size 0, as a fraction of those at full size.
const SMALLEST_SCALE: f32 = 0.15;
/// Longest predelay the line holds.
const MAX_PREDELAY_MS: f32 = 250.0;
const PREDELAY_FADE_MS: f32 = 30.0;
/// Input diffusers per channel (after Dattorro's plate), lengths in ms.
const DIFFUSER_MS: [[f32; 4]; 2] = [[4.771, 3.595, 12.735, 9.307], [5.087, 3.311, 11.927, 9.913]];
const DIFFUSER_GAIN: [f32; 4] = [0.75, 0.75, 0.625, 0.625];
/// Damping sets the decay time at this frequency relative to the low end...
const DAMPING_REF_HZ: f32 = 4000.0;
/// ...from 1 (damping 0) down to 1 - this (damping 1).
const DAMPING_DEPTH: f32 = 0.8;
/// The loop low-pass never gets a cutoff below this.
const LOWEST_DAMPING_HZ: f32 = 50.0;
/// A size glide moves a line by at most this many samples per sample (a
/// pitch bend of under two semitones) and lasts at least GLIDE_MIN_MS. The
/// S-curve's top speed is 1.5 times its mean, so a glide over d samples
/// takes 1.5·d / GLIDE_SPEED.
const GLIDE_SPEED: f32 = 0.1;
const GLIDE_MIN_MS: f32 = 50.0;
const DECAY_RAMP_MS: f32 = 50.0;
/// Coefficients are recomputed this often while something moves, and ramped
/// linearly in between.
const COEF_INTERVAL: usize = 32;
/// Level under which the tail counts as gone.
const TAIL_FLOOR_DB: f32 = -120.0;
/// Scale of the input and output taps: with these, noise through the
/// default settings comes out about 9 dB below the input (more for long
/// decays and small sizes, as in real rooms).
const TAP_GAIN: f32 = 0.25;
/// Samples predelayed and diffused at a time, before the network runs
/// through them.
const PASS: usize = 64;
/// Hadamard rows used as sign patterns for the input and output taps.
const IN_ROWS: [usize; 2] = [5, 10];
const OUT_ROWS: [usize; 2] = [3, 12];

/// One sample of every line: the lines are kept interleaved, because every
/// sample writes all of them at the same position (one aligned store of a
/// cache line) while each reads at its own length.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct Frame([f32; LINES]);

/// Row `row` of the 16 x 16 Sylvester Hadamard matrix, scaled.
fn hadamard_row(row: usize, scale: f32) -> [f32; LINES] {
    std::array::from_fn(|i| {
        if (i & row).count_ones().is_multiple_of(2) {
            scale
        } else {
            -scale
        }
    })
}

/// In-place fast Walsh-Hadamard transform, normalized to be orthogonal.
/// The widest butterflies come first, so the first two stages work on
/// whole groups of four.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "avx"), allow(dead_code))]
#[inline(always)]
fn hadamard_scalar(x: &mut [f32; LINES]) {
    for h in [8, 4, 2, 1] {
        for i in (0..LINES).step_by(2 * h) {
            for j in i..i + h {
                let (a, b) = (x[j], x[j + h]);
                x[j] = a + b;
                x[j + h] = a - b;
            }
        }
    }
    for v in x.iter_mut() {
        *v *= 0.25;
    }
}

/// A dot product in four interleaved partial sums (a single running sum
/// would be one long dependency chain).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "avx"), allow(dead_code))]
#[inline(always)]
fn dot_scalar(a: &[f32; LINES], b: &[f32; LINES]) -> f32 {
    let mut acc = [0.0f32; 4];
    for k in (0..LINES).step_by(4) {
        for j in 0..4 {
            acc[j] += a[k + j] * b[k + j];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

#[cfg(all(target_arch = "x86_64", target_feature = "avx"))]
use avx::{dot, hadamard};
#[cfg(not(all(target_arch = "x86_64", target_feature = "avx")))]
use {dot_scalar as dot, hadamard_scalar as hadamard};

/// The Hadamard transform and the output taps in vector registers, where the
/// build enables AVX. The compiler leaves the plain forms scalar inside the
/// reverb's loop (the butterflies alone took about a quarter of its time);
/// these add and subtract in the same order, so they give the same bits
/// (the tests below check it).
#[cfg(all(target_arch = "x86_64", target_feature = "avx"))]
mod avx {
    use super::LINES;
    use std::arch::x86_64::*;

    /// [`super::hadamard_scalar`] in two registers. Each stage inside a
    /// register pairs every lane with its partner `h` lanes away (a
    /// shuffle), then keeps the sum where the lane is the first of its pair
    /// and partner minus lane where it is the second.
    #[inline(always)]
    pub(super) fn hadamard(x: &mut [f32; LINES]) {
        // SAFETY: the build enables AVX (the module's cfg), so every CPU it
        // runs on has these instructions; the two unaligned loads and stores
        // cover exactly the sixteen floats of `x`.
        unsafe {
            let p = x.as_mut_ptr();
            let (lo, hi) = (_mm256_loadu_ps(p), _mm256_loadu_ps(p.add(8)));
            let (lo, hi) = (_mm256_add_ps(lo, hi), _mm256_sub_ps(lo, hi));
            let stages = |v: __m256| {
                let t = _mm256_permute2f128_ps::<0x01>(v, v);
                let v = _mm256_blend_ps::<0b1111_0000>(_mm256_add_ps(v, t), _mm256_sub_ps(t, v));
                let t = _mm256_permute_ps::<0x4e>(v);
                let v = _mm256_blend_ps::<0b1100_1100>(_mm256_add_ps(v, t), _mm256_sub_ps(t, v));
                let t = _mm256_permute_ps::<0xb1>(v);
                let v = _mm256_blend_ps::<0b1010_1010>(_mm256_add_ps(v, t), _mm256_sub_ps(t, v));
                _mm256_mul_ps(v, _mm256_set1_ps(0.25))
            };
            _mm256_storeu_ps(p, stages(lo));
            _mm256_storeu_ps(p.add(8), stages(hi));
        }
    }

    /// [`super::dot_scalar`] with the four partial sums in one register.
    #[inline(always)]
    pub(super) fn dot(a: &[f32; LINES], b: &[f32; LINES]) -> f32 {
        // SAFETY: the build enables AVX (the module's cfg), which includes
        // SSE3; every load reads four floats inside `a` or `b`.
        unsafe {
            let mut acc = _mm_setzero_ps();
            for k in (0..LINES).step_by(4) {
                let p = _mm_mul_ps(_mm_loadu_ps(a[k..].as_ptr()), _mm_loadu_ps(b[k..].as_ptr()));
                acc = _mm_add_ps(acc, p);
            }
            // Lanes 0 and 2 now hold acc[0] + acc[1] and acc[2] + acc[3].
            let pairs = _mm_add_ps(acc, _mm_movehdup_ps(acc));
            _mm_cvtss_f32(_mm_add_ss(pairs, _mm_movehl_ps(pairs, pairs)))
        }
    }
}

/// The larger of two levels (no NaN handling needed, so it maps onto one
/// instruction).
#[inline(always)]
fn max(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else {
        b
    }
}

/// A Schroeder allpass with a fixed delay.
struct Allpass {
    buf: Box<[f32]>,
    pos: usize,
    gain: f32,
}

impl Allpass {
    fn new(len: usize, gain: f32) -> Self {
        Allpass {
            buf: vec![0.0; len.max(1)].into_boxed_slice(),
            pos: 0,
            gain,
        }
    }

    /// Filter a block in place. Within a stretch no longer than the delay,
    /// no sample reads what the stretch itself wrote, so each stretch is
    /// one loop over independent samples (which vectorizes) rather than a
    /// chain of single steps.
    fn process(&mut self, x: &mut [f32]) {
        let g = self.gain;
        let mut at = 0;
        while at < x.len() {
            let m = (x.len() - at).min(self.buf.len() - self.pos);
            let ring = &mut self.buf[self.pos..self.pos + m];
            for (x, d) in x[at..at + m].iter_mut().zip(ring.iter_mut()) {
                let delayed = *d;
                let v = *x + g * delayed;
                *d = v;
                *x = delayed - g * v;
            }
            self.pos += m;
            if self.pos == self.buf.len() {
                self.pos = 0;
            }
            at += m;
        }
    }
}

/// All primes below `limit` (sieve of Eratosthenes).
fn primes_below(limit: usize) -> Box<[u32]> {
    let mut composite = vec![false; limit];
    let mut primes = Vec::new();
    for n in 2..limit {
        if !composite[n] {
            primes.push(n as u32);
            for m in (n * n..limit).step_by(n) {
                composite[m] = true;
            }
        }
    }
    primes.into_boxed_slice()
}

/// Per-sample increments of the loop coefficients over one ramp, and where
/// the ramp ends.
#[derive(Clone, Copy, Default)]
struct Ramp {
    len_step: [f32; LINES],
    gain_step: [f32; LINES],
    pole_step: [f32; LINES],
    len_end: [f32; LINES],
    gain_end: [f32; LINES],
    pole_end: [f32; LINES],
}

/// A stereo reverb; see the module documentation.
pub struct Reverb {
    fs: f32,
    pre_line: StereoLine,
    predelay: Crossfade,
    diffusers: [[Allpass; 4]; 2],
    /// One pass of the input, predelayed and diffused, per channel.
    diffused: [[f32; PASS]; 2],
    /// The lines, interleaved: a ring of a power of two frames.
    lines: Box<[Frame]>,
    newest: usize,
    /// Line lengths at full size, in samples.
    base: [f32; LINES],
    primes: Box<[u32]>,
    /// Current line lengths in samples: whole except while gliding.
    len: [f32; LINES],
    age: [usize; LINES],
    glide_from: [f32; LINES],
    glide_to: [f32; LINES],
    glide_len: u32,
    glide_done: u32,
    glide_min: f32,
    size: f32,
    size_changed: bool,
    decay: Smoothed,
    damping: Smoothed,
    mix: Smoothed,
    damping_cos: f32,
    max_pole: f32,
    /// The loop filter of each line: y = gain·x + pole·y'.
    gain: [f32; LINES],
    pole: [f32; LINES],
    state: [f32; LINES],
    ramp: Ramp,
    taps_in: [[f32; LINES]; 2],
    taps_out: [[f32; LINES]; 2],
    quiet: usize,
    horizon: usize,
    floor: f32,
}

fn default_of(field: ReverbField) -> f32 {
    Spec::of(Param::Reverb(field)).default
}

impl Reverb {
    pub fn new(sample_rate: f32) -> Self {
        let fs = super::usable_rate(sample_rate);
        let base: [f32; LINES] = std::array::from_fn(|i| {
            let ms = SHORTEST_MS * (LONGEST_MS / SHORTEST_MS).powf(i as f32 / (LINES - 1) as f32);
            Millis(ms).to_samples(fs)
        });
        // Room for the next primes above the longest line, with plenty to spare.
        let primes = primes_below((base[LINES - 1] * 1.1) as usize + 1000);
        let diffusers = DIFFUSER_MS.map(|side| {
            let mut stage = 0;
            side.map(|ms| {
                let ap = Allpass::new(
                    Millis(ms).to_samples(fs).round() as usize,
                    DIFFUSER_GAIN[stage],
                );
                stage += 1;
                ap
            })
        });
        let pre_max = Millis(MAX_PREDELAY_MS).to_samples(fs).ceil() as usize;
        let mut reverb = Reverb {
            fs,
            pre_line: StereoLine::new(pre_max),
            predelay: Crossfade::new(0, Millis(PREDELAY_FADE_MS).to_samples(fs).round() as u32),
            diffusers,
            diffused: [[0.0; PASS]; 2],
            lines: Box::new([]),
            newest: 0,
            base,
            primes,
            len: [0.0; LINES],
            age: [0; LINES],
            glide_from: [0.0; LINES],
            glide_to: [0.0; LINES],
            glide_len: 0,
            glide_done: 0,
            glide_min: Millis(GLIDE_MIN_MS).to_samples(fs),
            size: default_of(ReverbField::Size),
            size_changed: false,
            decay: Smoothed::new(default_of(ReverbField::Decay), DECAY_RAMP_MS, fs),
            damping: Smoothed::new(default_of(ReverbField::Damping), DECAY_RAMP_MS, fs),
            mix: Smoothed::new(default_of(ReverbField::Mix), DEFAULT_RAMP_MS, fs),
            damping_cos: (2.0 * PI * DAMPING_REF_HZ / fs).cos(),
            max_pole: (-2.0 * PI * LOWEST_DAMPING_HZ / fs).exp(),
            gain: [0.0; LINES],
            pole: [0.0; LINES],
            state: [0.0; LINES],
            ramp: Ramp::default(),
            taps_in: IN_ROWS.map(|row| hadamard_row(row, TAP_GAIN)),
            taps_out: OUT_ROWS.map(|row| hadamard_row(row, TAP_GAIN)),
            quiet: 0,
            horizon: 0,
            floor: db_to_gain(TAIL_FLOOR_DB),
        };
        let longest = reverb.lengths(1.0)[LINES - 1] as usize;
        let frames = (longest + 2).next_power_of_two();
        reverb.lines = vec![Frame::default(); frames].into_boxed_slice();
        let diffusion = reverb
            .diffusers
            .iter()
            .map(|side| side.iter().map(|ap| ap.buf.len()).sum())
            .max()
            .unwrap_or(0);
        reverb.horizon = pre_max + diffusion + longest;
        reverb.set(ReverbField::Predelay, default_of(ReverbField::Predelay));
        reverb.reset();
        reverb
    }

    /// Set a parameter, in the units of its [`Spec`]; NaN is ignored and
    /// out-of-range values are clamped.
    pub fn set(&mut self, field: ReverbField, value: f32) {
        let Some(v) = Spec::of(Param::Reverb(field)).clamp(value) else {
            return;
        };
        match field {
            ReverbField::Size => {
                if v != self.size {
                    self.size = v;
                    self.size_changed = true;
                }
            }
            ReverbField::Decay => self.decay.set(v),
            ReverbField::Predelay => {
                self.predelay
                    .set_target(Millis(v).to_samples(self.fs).round() as usize);
            }
            ReverbField::Damping => self.damping.set(v),
            ReverbField::Mix => self.mix.set(v),
        }
    }

    /// Whether anything above about -120 dB may still come out of the tail;
    /// while false and the input is silent, a caller may skip this reverb.
    pub fn tail_active(&self) -> bool {
        self.quiet < self.horizon
    }

    /// Clear every buffer and land every parameter on its target.
    pub fn reset(&mut self) {
        self.lines.fill(Frame::default());
        self.pre_line.clear();
        for ap in self.diffusers.iter_mut().flatten() {
            ap.buf.fill(0.0);
        }
        self.state = [0.0; LINES];
        self.predelay.land();
        for s in [&mut self.decay, &mut self.damping, &mut self.mix] {
            s.reset(s.target());
        }
        self.len = self.lengths(self.size).map(|n| n as f32);
        self.age = self.len.map(|n| n as usize);
        self.glide_len = 0;
        self.glide_done = 0;
        self.size_changed = false;
        for i in 0..LINES {
            (self.gain[i], self.pole[i]) =
                self.loop_coefs(self.len[i], self.decay.current(), self.damping.current());
        }
        self.quiet = self.horizon;
    }

    /// Line lengths at `size`: distinct primes, ascending.
    fn lengths(&self, size: f32) -> [u32; LINES] {
        let scale = SMALLEST_SCALE + (1.0 - SMALLEST_SCALE) * size;
        let mut prev = 1;
        self.base.map(|b| {
            let want = ((b * scale).round() as u32).max(prev + 1);
            let i = self
                .primes
                .partition_point(|&p| p < want)
                .min(self.primes.len() - 1);
            prev = self.primes[i];
            prev
        })
    }

    /// The loop filter of a line `len` samples long: unity-DC one-pole times
    /// the RT60 gain, with the pole chosen so the gain at the damping
    /// reference frequency is that of a decay `1 - DAMPING_DEPTH·damping`
    /// times as long. Returns (gain, pole).
    fn loop_coefs(&self, len: f32, t60: f32, damping: f32) -> (f32, f32) {
        let exponent = -3.0 * LOG2_10 * len / (t60 * self.fs);
        let dc = exponent.exp2();
        let shorter = 1.0 / (1.0 - DAMPING_DEPTH * damping) - 1.0;
        // |H(ref)|² = a of the normalized one-pole (1-p)/(1-p·z⁻¹); the
        // smaller root of (1-a)p² - 2(1-a·c)p + (1-a) = 0, written to stay
        // exact as a -> 1.
        let a = (2.0 * exponent * shorter).exp2();
        let c = self.damping_cos;
        let pole = (1.0 - a) / ((1.0 - a * c) + (a * (1.0 - c) * (2.0 - a * (1.0 + c))).sqrt());
        // At extreme settings the pole would reach 1 and freeze the state.
        let pole = pole.min(self.max_pole);
        (dc * (1.0 - pole), pole)
    }

    fn start_glide(&mut self) {
        self.size_changed = false;
        let to = self.lengths(self.size).map(|n| n as f32);
        let widest = (0..LINES)
            .map(|i| (to[i] - self.len[i]).abs())
            .fold(0.0, f32::max);
        self.glide_from = self.len;
        self.glide_to = to;
        self.glide_done = 0;
        self.glide_len = (1.5 * widest / GLIDE_SPEED).max(self.glide_min).ceil() as u32;
        if widest == 0.0 {
            self.glide_len = 0;
        }
    }

    /// Plan the coefficient ramp over the next `m` samples.
    fn plan_ramp(&mut self, m: usize) {
        let t60 = self.decay.skip(m);
        let damping = self.damping.skip(m);
        let inv = 1.0 / m as f32;
        let left = self.glide_len - self.glide_done;
        self.glide_done += (m as u32).min(left);
        let t = self.glide_done as f32 / self.glide_len.max(1) as f32;
        let along = t * t * (3.0 - 2.0 * t);
        for i in 0..LINES {
            let end = match left as usize {
                0 => self.len[i],
                left if left == m => self.glide_to[i],
                _ => self.glide_from[i] + along * (self.glide_to[i] - self.glide_from[i]),
            };
            let (gain, pole) = self.loop_coefs(end, t60, damping);
            let r = &mut self.ramp;
            r.len_step[i] = (end - self.len[i]) * inv;
            r.gain_step[i] = (gain - self.gain[i]) * inv;
            r.pole_step[i] = (pole - self.pole[i]) * inv;
            r.len_end[i] = end;
            r.gain_end[i] = gain;
            r.pole_end[i] = pole;
        }
    }

    fn land_ramp(&mut self) {
        self.len = self.ramp.len_end;
        self.gain = self.ramp.gain_end;
        self.pole = self.ramp.pole_end;
        self.age = self.len.map(|n| n as usize);
    }

    /// Process one block in place. The channels are used up to the shorter length.
    pub fn process_stereo(&mut self, l: &mut [f32], r: &mut [f32]) {
        let n = l.len().min(r.len());
        let mut peak = 0.0f32;
        let mut start = 0;
        while start < n {
            if self.size_changed && self.glide_done == self.glide_len {
                self.start_glide();
            }
            let gliding = self.glide_len - self.glide_done;
            let (l, r) = (&mut l[start..n], &mut r[start..n]);
            if gliding > 0 || self.decay.is_smoothing() || self.damping.is_smoothing() {
                let mut m = l.len().min(COEF_INTERVAL);
                if gliding > 0 {
                    m = m.min(gliding as usize);
                }
                self.plan_ramp(m);
                peak = peak.max(self.run::<true>(&mut l[..m], &mut r[..m]));
                self.land_ramp();
                start += m;
            } else {
                let m = l.len().min(PASS);
                peak = peak.max(self.run::<false>(&mut l[..m], &mut r[..m]));
                start += m;
            }
        }
        if peak > self.floor {
            self.quiet = 0;
        } else {
            self.quiet = self.quiet.saturating_add(n);
        }
    }

    /// Run the network over a stretch of at most [`PASS`] samples; MOVING
    /// ramps lengths and coefficients by the planned steps and reads the
    /// lines with linear interpolation. Returns the peak of the input and of
    /// everything written to the lines.
    #[inline(always)]
    fn run<const MOVING: bool>(&mut self, l: &mut [f32], r: &mut [f32]) -> f32 {
        let mut len = self.len;
        let age = self.age;
        let mut gain = self.gain;
        let mut pole = self.pole;
        let mut state = self.state;
        let ramp = self.ramp;
        let [in_l, in_r] = self.taps_in;
        let [out_l, out_r] = self.taps_out;
        let lines = &mut self.lines[..];
        debug_assert!(lines.len().is_power_of_two(), "made so in `new`");
        let mask = lines.len() - 1;
        let mut newest = self.newest;
        let mut peak = [0.0f32; 4];
        let m = l.len();
        let [into_l, into_r] = &mut self.diffused;
        for (((x_l, x_r), d_l), d_r) in l
            .iter()
            .zip(r.iter())
            .zip(into_l.iter_mut())
            .zip(into_r.iter_mut())
        {
            self.pre_line.push([*x_l, *x_r]);
            [*d_l, *d_r] = self.predelay.read(&self.pre_line);
        }
        for (side, x) in self.diffusers.iter_mut().zip(&mut self.diffused) {
            for ap in side {
                ap.process(&mut x[..m]);
            }
        }
        for (k, (x_l, x_r)) in l.iter_mut().zip(r.iter_mut()).enumerate() {
            let (dry_l, dry_r) = (*x_l, *x_r);
            let (d_l, d_r) = (self.diffused[0][k], self.diffused[1][k]);

            newest = (newest + 1) & mask;
            let mut out = [0.0f32; LINES];
            for (i, o) in out.iter_mut().enumerate() {
                let at = |age: usize| lines[newest.wrapping_sub(age) & mask].0[i];
                *o = if MOVING {
                    let whole = len[i] as usize;
                    let frac = len[i] - whole as f32;
                    let (a, b) = (at(whole), at(whole + 1));
                    a + frac * (b - a)
                } else {
                    at(age[i])
                };
            }
            for i in 0..LINES {
                state[i] = gain[i] * out[i] + pole[i] * state[i];
            }
            if MOVING {
                for i in 0..LINES {
                    len[i] += ramp.len_step[i];
                    gain[i] += ramp.gain_step[i];
                    pole[i] += ramp.pole_step[i];
                }
            }
            let wet_l = dot(&out_l, &state);
            let wet_r = dot(&out_r, &state);
            let mut s = state;
            hadamard(&mut s);
            for i in 0..LINES {
                s[i] += in_l[i] * d_l + in_r[i] * d_r;
            }
            for k in (0..LINES).step_by(4) {
                for j in 0..4 {
                    peak[j] = max(peak[j], s[k + j].abs());
                }
            }
            lines[newest] = Frame(s);
            peak[0] = max(peak[0], dry_l.abs());
            peak[1] = max(peak[1], dry_r.abs());
            let mix = self.mix.step();
            *x_l = dry_l + mix * (wet_l - dry_l);
            *x_r = dry_r + mix * (wet_r - dry_r);
        }
        self.newest = newest;
        self.state = state;
        if MOVING {
            self.len = len;
            self.gain = gain;
            self.pole = pole;
        }
        max(max(peak[0], peak[1]), max(peak[2], peak[3]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_prime(n: u32) -> bool {
        n >= 2
            && (2..n)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    }

    #[test]
    fn lengths_are_distinct_primes_scaled_by_size() {
        for fs in [44_100.0, 96_000.0] {
            let rv = Reverb::new(fs);
            for size in [0.0, 0.5, 1.0] {
                let lens = rv.lengths(size);
                assert!(lens.iter().all(|&n| is_prime(n)), "{lens:?}");
                assert!(lens.windows(2).all(|w| w[0] < w[1]), "{lens:?}");
                let scale = SMALLEST_SCALE + (1.0 - SMALLEST_SCALE) * size;
                let longest_ms = lens[LINES - 1] as f32 * 1000.0 / fs;
                // Rounding up to the next prime moves a length by a few percent at most.
                let ratio = longest_ms / (LONGEST_MS * scale);
                assert!((0.999..1.05).contains(&ratio), "{longest_ms}");
            }
        }
    }

    #[test]
    fn loop_filter_hits_the_decay_at_dc_and_at_the_reference() {
        let fs = 48_000.0;
        let rv = Reverb::new(fs);
        let len = 2000.0;
        for (t60, damping) in [(2.0, 0.0), (2.0, 0.5), (0.3, 1.0), (20.0, 0.7)] {
            let (gain, pole) = rv.loop_coefs(len, t60, damping);
            let dc = gain / (1.0 - pole);
            let want_dc = 10f32.powf(-3.0 * len / (t60 * fs));
            assert!((dc / want_dc - 1.0).abs() < 1e-4, "{dc} vs {want_dc}");
            let w = 2.0 * PI * DAMPING_REF_HZ / fs;
            let at_ref = gain / (1.0 - 2.0 * pole * w.cos() + pole * pole).sqrt();
            let want_ref = 10f32.powf(-3.0 * len / ((1.0 - DAMPING_DEPTH * damping) * t60 * fs));
            assert!(
                (at_ref / want_ref - 1.0).abs() < 1e-3,
                "{t60} {damping}: {at_ref} vs {want_ref}"
            );
        }
    }

    #[test]
    fn a_stream_of_sizes_is_followed_and_lands_on_the_last() {
        let mut rv = Reverb::new(48_000.0);
        rv.set(ReverbField::Size, 0.2);
        rv.reset();
        let from = rv.len;
        let to = rv.lengths(0.8).map(|n| n as f32);
        let (mut l, mut r) = ([0.0f32; 64], [0.0f32; 64]);
        // One second of automation, a new value every block.
        for k in 1..=750 {
            rv.set(ReverbField::Size, 0.2 + 0.6 * k as f32 / 750.0);
            rv.process_stereo(&mut l, &mut r);
        }
        // Glides of at least 50 ms chase the stream, so they lag by about that.
        for i in 0..LINES {
            let moved = (rv.len[i] - from[i]) / (to[i] - from[i]);
            assert!(moved > 0.8 && moved <= 1.0, "line {i}: {moved}");
        }
        for _ in 0..750 {
            rv.process_stereo(&mut l, &mut r);
        }
        assert_eq!(rv.len, to);
        assert_eq!(rv.age, to.map(|n| n as usize));
    }

    #[test]
    fn fast_transform_matches_the_matrix_rows() {
        for row in 0..LINES {
            let mut x = [0.0; LINES];
            x[row] = 1.0;
            hadamard(&mut x);
            assert_eq!(x, hadamard_row(row, 0.25));
        }
    }

    /// Sixteen values of about +-7 from a seeded generator, whose sums and
    /// products all round.
    fn values(seed: &mut u32) -> [f32; LINES] {
        std::array::from_fn(|_| {
            *seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (*seed as i32) as f32 / 3.0e8
        })
    }

    /// The dot product the reverb runs gives the bits of the plain one.
    #[test]
    fn fast_dot_matches_the_plain_one_bit_for_bit() {
        let mut seed = 11;
        for _ in 0..1000 {
            let (a, b) = (values(&mut seed), values(&mut seed));
            assert_eq!(dot(&a, &b).to_bits(), dot_scalar(&a, &b).to_bits());
        }
    }

    /// The transform the reverb runs gives the bits of the plain
    /// butterflies.
    #[test]
    fn fast_transform_matches_the_butterflies_bit_for_bit() {
        let mut seed = 7;
        for _ in 0..1000 {
            let x = values(&mut seed);
            let (mut fast, mut plain) = (x, x);
            hadamard(&mut fast);
            hadamard_scalar(&mut plain);
            assert_eq!(fast.map(f32::to_bits), plain.map(f32::to_bits), "{x:?}");
        }
    }
}
