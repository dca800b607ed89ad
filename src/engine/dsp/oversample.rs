//! 4x oversampling by two cascaded 2x stages, for nonlinear processors
//! whose harmonics would otherwise fold back into the audio band.
//!
//! Every filter is a linear-phase FIR low-pass (Kaiser-windowed sinc, cut
//! at a quarter of its high rate) run as two polyphase branches, so no
//! multiply is spent on the zeros stuffed in going up or on the samples
//! dropped going down:
//! - **outer stage** (base rate <-> 2x), a half-band of 67 taps: half its
//!   taps are zero and the centre one is 1/2, so one branch is a short
//!   convolution and the other a pure delay. It passes 0.2083 of its high
//!   rate (20 kHz at 48 kHz) and stops from 0.2917 (28 kHz), so what a
//!   nonlinearity makes between 28 and 48 kHz at 96 kHz is removed before
//!   it could fold into the audio band.
//! - **inner stage** (2x <-> 4x): it passes the same audio band and stops
//!   from 0.396 of its high rate (76 kHz at 192 kHz); what lies between 20
//!   and 76 kHz there is left for the outer stage. Down, a half-band of 23
//!   taps; up, a filter of 24 taps, whose delay is half a sample longer.
//!
//! That half sample is the point of the even length: a processor in
//! between that delays by half a 4x sample, as first-order antiderivative
//! antialiasing does, then makes the round trip a whole number of base-rate
//! samples ([`Oversampler::LATENCY`], with one 4x sample of padding), so a
//! dry signal can be delayed to match it exactly. Stopbands are below
//! -85 dB and passbands flat within 0.001 dB (tests below).
//!
//! Blocks are processed a chunk of at most [`CHUNK`] base samples at a time,
//! each filter keeping the tail of its input; every output sample is the
//! same sum in the same order whatever the chunking, so results do not
//! depend on the block size.

use super::fma::MulAdd;
use super::kaiser::{kaiser, sinc};
use super::lanes::Lanes;

/// The oversampling factor.
pub const FACTOR: usize = 4;
/// The most base-rate samples [`Oversampler::up`] takes at once.
pub const CHUNK: usize = 128;

const OUTER_TAPS: usize = 67;
const OUTER_BETA: f64 = 8.6;
const INNER_DOWN_TAPS: usize = 23;
const INNER_DOWN_BETA: f64 = 9.5;
const INNER_UP_TAPS: usize = 24;
const INNER_UP_BETA: f64 = 10.0;
/// 4x samples added after the processor, so that the round trip is whole.
const PAD: usize = 1;

/// The windowed-sinc low-pass at a quarter of the rate, `len` taps.
fn quarter_band(len: usize, beta: f64) -> Vec<f64> {
    let centre = (len - 1) as f64 / 2.0;
    (0..len)
        .map(|i| {
            let t = i as f64 - centre;
            let h = 0.5 * sinc(t / 2.0) * kaiser(t / (centre + 1.0), beta);
            // Exact zeros where the half-band has them.
            if t != 0.0 && t.fract() == 0.0 && (t as i64) % 2 == 0 {
                0.0
            } else {
                h
            }
        })
        .collect()
}

/// The taps of polyphase branch `phase` of `h` (every other tap), scaled
/// so the branch passes DC at unity.
fn branch(h: &[f64], phase: usize) -> Box<[f32]> {
    let taps: Vec<f64> = h.iter().skip(phase).step_by(2).copied().collect();
    let sum: f64 = taps.iter().sum();
    taps.iter().map(|t| (t / sum) as f32).collect()
}

/// One polyphase branch: a convolution, or (the centre of a half-band) a
/// pure delay, in low-rate samples.
enum Branch {
    Taps(Box<[f32]>),
    Delay(usize),
}

impl Branch {
    /// The branches of a half-band of `len` (= 4m - 1) taps: the even taps
    /// convolve, the odd ones are all zero but the centre, a delay of m - 1
    /// inputs going up and of m going down (the odd samples come later).
    fn halfband(len: usize, beta: f64, down: bool) -> [Branch; 2] {
        debug_assert!(len % 4 == 3);
        let h = quarter_band(len, beta);
        [
            Branch::Taps(branch(&h, 0)),
            Branch::Delay(len / 4 + usize::from(down)),
        ]
    }

    /// The two branches of an even-length filter, for interpolation.
    fn even_length(len: usize, beta: f64) -> [Branch; 2] {
        debug_assert!(len.is_multiple_of(2));
        let h = quarter_band(len, beta);
        [Branch::Taps(branch(&h, 0)), Branch::Taps(branch(&h, 1))]
    }

    /// How many past inputs the branch reads.
    fn reach(&self) -> usize {
        match self {
            Branch::Taps(t) => t.len() - 1,
            Branch::Delay(d) => *d,
        }
    }

    /// The branch over the inputs of `tail`, `out.len()` new ones.
    #[inline]
    fn run(&self, tail: &Tail, out: &mut [f32]) {
        let n = out.len();
        match self {
            Branch::Delay(d) => out.copy_from_slice(tail.past(*d, n)),
            Branch::Taps(taps) => convolve(taps, tail, out),
        }
    }
}

/// `out[k] = Σ_j taps[j] · x[k - j]` for the `out.len()` samples last
/// appended to `tail`. Sixteen outputs at a time are summed in registers
/// over every tap, so each tap costs two loads and two multiply-adds per
/// sixteen outputs; then eight, then the rest one at a time, each output
/// summed in the same order, so the result does not depend on how a block
/// was split.
#[inline]
fn convolve(taps: &[f32], tail: &Tail, out: &mut [f32]) {
    const W: usize = 8;
    let n = out.len();
    let t = taps.len();
    // Sample k - j of the stream is x[k + t - 1 - j]; the taps are summed
    // from the oldest sample to the newest.
    let x = &tail.buf[tail.keep + 1 - t..tail.keep + n];
    let lanes = |w: &[f32]| Lanes::<f32>(w.try_into().expect("eight samples"));
    let mut k = 0;
    while k + 2 * W <= n {
        let (mut a, mut b) = (Lanes::splat(0.0f32), Lanes::splat(0.0f32));
        for (w, &c) in x[k..k + t - 1 + 2 * W]
            .windows(2 * W)
            .zip(taps.iter().rev())
        {
            let c = Lanes::splat(c);
            a = lanes(&w[..W]).madd(c, a);
            b = lanes(&w[W..]).madd(c, b);
        }
        out[k..k + W].copy_from_slice(&a.0);
        out[k + W..k + 2 * W].copy_from_slice(&b.0);
        k += 2 * W;
    }
    if k + W <= n {
        let mut a = Lanes::splat(0.0f32);
        for (w, &c) in x[k..k + t - 1 + W].windows(W).zip(taps.iter().rev()) {
            a = lanes(w).madd(Lanes::splat(c), a);
        }
        out[k..k + W].copy_from_slice(&a.0);
        k += W;
    }
    for (k, o) in out.iter_mut().enumerate().skip(k) {
        *o = x[k..k + t]
            .iter()
            .zip(taps.iter().rev())
            .fold(0.0f32, |acc, (&v, &c)| v.madd(c, acc));
    }
}

/// The recent input of one stream, with room for a chunk: the last `keep`
/// samples, then the new ones. Also the delay line of a dry path.
pub(super) struct Tail {
    buf: Box<[f32]>,
    keep: usize,
}

impl Tail {
    pub(super) fn new(keep: usize, chunk: usize) -> Self {
        Tail {
            buf: vec![0.0; keep + chunk].into_boxed_slice(),
            keep,
        }
    }

    /// Append `x`: sample `k` of it is then at `keep + k`.
    #[inline]
    pub(super) fn append(&mut self, x: &[f32]) {
        self.buf[self.keep..self.keep + x.len()].copy_from_slice(x);
    }

    /// The `n` samples that came `delay` (at most `keep`) before the `n`
    /// appended last.
    #[inline]
    pub(super) fn past(&self, delay: usize, n: usize) -> &[f32] {
        &self.buf[self.keep - delay..self.keep - delay + n]
    }

    /// Keep the last `keep` samples after `n` were appended.
    #[inline]
    pub(super) fn retire(&mut self, n: usize) {
        self.buf.copy_within(n..n + self.keep, 0);
    }

    pub(super) fn clear(&mut self) {
        self.buf.fill(0.0);
    }
}

/// 2x interpolation of one channel.
struct Up {
    branches: [Branch; 2],
    tail: Tail,
    scratch: [Box<[f32]>; 2],
}

impl Up {
    fn new(branches: [Branch; 2], chunk: usize) -> Self {
        let reach = branches.iter().map(Branch::reach).max().unwrap_or(0);
        Up {
            branches,
            tail: Tail::new(reach, chunk),
            scratch: [0, 1].map(|_| vec![0.0; chunk].into_boxed_slice()),
        }
    }

    /// `x` at twice the rate into `out` (`2 * x.len()` samples).
    fn run(&mut self, x: &[f32], out: &mut [f32]) {
        let n = x.len();
        self.tail.append(x);
        for (b, s) in self.branches.iter().zip(&mut self.scratch) {
            b.run(&self.tail, &mut s[..n]);
        }
        for (k, pair) in out[..2 * n].chunks_exact_mut(2).enumerate() {
            pair[0] = self.scratch[0][k];
            pair[1] = self.scratch[1][k];
        }
        self.tail.retire(n);
    }

    fn clear(&mut self) {
        self.tail.clear();
    }
}

/// 2x decimation of one channel by a half-band (the odd branch a delay).
struct Down {
    branches: [Branch; 2],
    tails: [Tail; 2],
    scratch: Box<[f32]>,
}

impl Down {
    fn new(branches: [Branch; 2], chunk: usize) -> Self {
        let tails = [0, 1].map(|p| Tail::new(branches[p].reach(), chunk));
        Down {
            branches,
            tails,
            scratch: vec![0.0; chunk].into_boxed_slice(),
        }
    }

    /// `v` at half the rate into `out` (`v.len() / 2` samples): the mean
    /// of the two branches, each of unit gain.
    fn run(&mut self, v: &[f32], out: &mut [f32]) {
        let n = out.len();
        let (even, odd) = self.tails.split_at_mut(1);
        for (k, pair) in v[..2 * n].chunks_exact(2).enumerate() {
            even[0].buf[even[0].keep + k] = pair[0];
            odd[0].buf[odd[0].keep + k] = pair[1];
        }
        self.branches[0].run(&self.tails[0], out);
        self.branches[1].run(&self.tails[1], &mut self.scratch[..n]);
        for (o, &d) in out.iter_mut().zip(&self.scratch[..n]) {
            *o = d.madd(0.5, *o * 0.5);
        }
        for t in &mut self.tails {
            t.retire(n);
        }
    }

    fn clear(&mut self) {
        for t in &mut self.tails {
            t.clear();
        }
    }
}

/// 4x up- and down-sampling of one channel; see the module documentation.
pub struct Oversampler {
    outer_up: Up,
    inner_up: Up,
    inner_down: Down,
    outer_down: Down,
    pad: Tail,
    mid: Box<[f32]>,
}

impl Default for Oversampler {
    fn default() -> Self {
        Self::new()
    }
}

impl Oversampler {
    /// The round trip's delay in base-rate samples, for a processor in
    /// between that delays by half a 4x sample.
    pub const LATENCY: usize = {
        // Twice the 4x samples: each filter delays by (taps - 1) / 2 at its
        // high rate; the outer ones run at 2x.
        let twice =
            2 * 2 * (OUTER_TAPS - 1) + (INNER_UP_TAPS - 1) + (INNER_DOWN_TAPS - 1) + 1 + 2 * PAD;
        assert!(twice.is_multiple_of(2 * FACTOR));
        twice / (2 * FACTOR)
    };

    pub fn new() -> Self {
        Oversampler {
            outer_up: Up::new(Branch::halfband(OUTER_TAPS, OUTER_BETA, false), CHUNK),
            inner_up: Up::new(Branch::even_length(INNER_UP_TAPS, INNER_UP_BETA), 2 * CHUNK),
            inner_down: Down::new(
                Branch::halfband(INNER_DOWN_TAPS, INNER_DOWN_BETA, true),
                2 * CHUNK,
            ),
            outer_down: Down::new(Branch::halfband(OUTER_TAPS, OUTER_BETA, true), CHUNK),
            pad: Tail::new(PAD, FACTOR * CHUNK),
            mid: vec![0.0; 2 * CHUNK].into_boxed_slice(),
        }
    }

    /// `x` (at most [`CHUNK`] samples) at 4x into `high` (`4 * x.len()`).
    pub fn up(&mut self, x: &[f32], high: &mut [f32]) {
        let n = x.len();
        self.outer_up.run(x, &mut self.mid[..2 * n]);
        self.inner_up.run(&self.mid[..2 * n], &mut high[..4 * n]);
    }

    /// `high` (`4 * out.len()` samples at 4x) back to the base rate.
    pub fn down(&mut self, high: &[f32], out: &mut [f32]) {
        let n = out.len();
        self.pad.append(&high[..4 * n]);
        self.inner_down
            .run(&self.pad.buf[..4 * n], &mut self.mid[..2 * n]);
        self.pad.retire(4 * n);
        self.outer_down.run(&self.mid[..2 * n], out);
    }

    /// Forget every past sample.
    pub fn clear(&mut self) {
        self.outer_up.clear();
        self.inner_up.clear();
        self.inner_down.clear();
        self.outer_down.clear();
        self.pad.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// |H(f)| in dB of an impulse response, `f` relative to its rate.
    fn response_db(h: &[f64], f: f64) -> f64 {
        let (mut re, mut im) = (0.0, 0.0);
        for (k, &v) in h.iter().enumerate() {
            re += v * (2.0 * PI * f * k as f64).cos();
            im -= v * (2.0 * PI * f * k as f64).sin();
        }
        10.0 * (re * re + im * im).log10()
    }

    /// The lowest and highest response from `from` to `to`.
    fn range_db(h: &[f64], from: f64, to: f64) -> (f64, f64) {
        let (mut lo, mut hi) = (f64::MAX, f64::MIN);
        for k in 0..=500 {
            let db = response_db(h, from + (to - from) * k as f64 / 500.0);
            lo = lo.min(db);
            hi = hi.max(db);
        }
        (lo, hi)
    }

    #[test]
    fn filters_pass_the_audio_band_and_stop_their_images() {
        // Frequencies relative to each filter's high rate.
        for (len, beta, pass, stop) in [
            (OUTER_TAPS, OUTER_BETA, 20.0 / 96.0, 28.0 / 96.0),
            (INNER_DOWN_TAPS, INNER_DOWN_BETA, 20.0 / 192.0, 76.0 / 192.0),
            (INNER_UP_TAPS, INNER_UP_BETA, 20.0 / 192.0, 76.0 / 192.0),
        ] {
            // The taps as the branches use them (each at unit DC gain).
            let h = quarter_band(len, beta);
            let mut used = vec![0.0; len];
            for phase in 0..2 {
                let taps = branch(&h, phase);
                if phase == 1 && len % 2 == 1 {
                    used[len / 2] = 0.5;
                    continue;
                }
                for (k, &t) in taps.iter().enumerate() {
                    used[2 * k + phase] = t as f64 / 2.0;
                }
            }
            let (lo, hi) = range_db(&used, 0.0, pass);
            assert!(
                lo > -0.001 && hi < 0.001,
                "{len} taps: passband {lo}..{hi} dB"
            );
            let (_, top) = range_db(&used, stop, 0.5);
            assert!(top < -85.0, "{len} taps: stopband {top} dB");
        }
    }

    /// Up, the mean of neighbours (half a 4x sample of delay, as ADAA),
    /// then down, a chunk of `chunk` at a time.
    fn round_trip(x: &[f32], chunk: usize) -> Vec<f32> {
        let mut os = Oversampler::new();
        let mut y = vec![0.0f32; x.len()];
        let mut high = vec![0.0f32; FACTOR * CHUNK];
        let mut last = 0.0f32;
        for (xc, yc) in x.chunks(chunk).zip(y.chunks_mut(chunk)) {
            let high = &mut high[..FACTOR * xc.len()];
            os.up(xc, high);
            for v in high.iter_mut() {
                let now = *v;
                *v = 0.5 * (now + last);
                last = now;
            }
            os.down(high, yc);
        }
        y
    }

    /// A sine comes back `LATENCY` samples late, at the same level.
    #[test]
    fn a_round_trip_delays_by_whole_samples() {
        for f in [100.0, 1000.0, 10_000.0] {
            let x: Vec<f32> = (0..4096)
                .map(|i| (2.0 * PI * f * i as f64 / 48_000.0).sin() as f32)
                .collect();
            let y = round_trip(&x, 100);
            let l = Oversampler::LATENCY;
            let err = (1000..x.len())
                .map(|i| (y[i] - x[i - l]).abs())
                .fold(0.0f32, f32::max);
            // The averaging's own roll-off, 1 - cos(pi f / 192 kHz), is
            // 2.7e-3 at 10 kHz.
            let droop = 1.0 - (PI * f / 192_000.0).cos() as f32;
            assert!(err < droop + 1e-4, "{f} Hz, latency {l}: error {err}");
        }
    }

    #[test]
    fn chunking_changes_nothing() {
        let x: Vec<f32> = (0..1000)
            .map(|i| ((i * 7919) % 201) as f32 / 100.0 - 1.0)
            .collect();
        let reference = round_trip(&x, CHUNK);
        for chunk in [1, 3, 64, 100] {
            assert_eq!(round_trip(&x, chunk), reference, "chunk {chunk}");
        }
    }
}
