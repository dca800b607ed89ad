//! The polyphase interpolation behind every true-peak reading: four
//! branches of a low-pass FIR on the 4x grid, run a block at a time, giving
//! for each input sample the largest |value| of the points interpolated for
//! it.
//!
//! Why a block at a time: run one sample at a time, a branch is a dot
//! product over a window that slides by one (a load per tap and a reduction
//! per sample). Over a block, each tap instead scales a run of consecutive
//! inputs into a run of consecutive outputs, so sixteen outputs of all four
//! branches share each load and the sums stay in registers. The limiter,
//! which runs two of these per channel, took about 40% less time for it.

use super::fma::MulAdd;

/// Inputs worked on per pass; longer blocks are cut into passes.
pub const CHUNK: usize = 64;
/// Outputs computed together (two AVX registers per branch).
const GROUP: usize = 16;
/// Branches of the 4x grid.
pub const BRANCHES: usize = 4;

/// A streaming 4-branch interpolator with `K` taps per branch. No
/// allocation after `new`.
#[derive(Debug, Clone)]
pub struct PeakInterpolator<const K: usize> {
    /// `taps[p][j]`: branch `p`'s coefficient for the j-th oldest input of
    /// its window (the newest is `j = K - 1`).
    taps: [[f32; K]; BRANCHES],
    /// The last `K - 1` inputs, then room for a pass.
    window: Box<[f32]>,
}

impl<const K: usize> PeakInterpolator<K> {
    /// An interpolator with the given branch coefficients (oldest input first).
    pub fn new(taps: [[f32; K]; BRANCHES]) -> Self {
        PeakInterpolator {
            taps,
            window: vec![0.0; K - 1 + CHUNK].into_boxed_slice(),
        }
    }

    /// Forget the past inputs.
    pub fn reset(&mut self) {
        self.window.fill(0.0);
    }

    /// For each input in `x`, the largest |value| of its interpolated points
    /// into `peaks` (which must be at least as long). Inputs must be finite.
    pub fn peaks(&mut self, x: &[f32], peaks: &mut [f32]) {
        for (x, peaks) in x.chunks(CHUNK).zip(peaks.chunks_mut(CHUNK)) {
            let n = x.len();
            self.window[K - 1..K - 1 + n].copy_from_slice(x);
            // Whole groups over the pass; the last one may read past the new
            // inputs into old ones, and what it computes there is dropped.
            let mut out = [0.0f32; GROUP];
            for (g, peaks) in peaks[..n].chunks_mut(GROUP).enumerate() {
                self.group(g * GROUP, &mut out);
                peaks.copy_from_slice(&out[..peaks.len()]);
            }
            self.window.copy_within(n..n + K - 1, 0);
        }
    }

    /// The peaks of the `GROUP` outputs whose windows start at `start`.
    #[inline(always)]
    fn group(&self, start: usize, out: &mut [f32; GROUP]) {
        let mut acc = [[0.0f32; GROUP]; BRANCHES];
        for k in 0..K {
            let xs: &[f32; GROUP] = self.window[start + k..start + k + GROUP]
                .try_into()
                .expect("the window holds K - 1 + CHUNK inputs");
            for (acc, taps) in acc.iter_mut().zip(&self.taps) {
                let c = taps[k];
                for i in 0..GROUP {
                    acc[i] = c.madd(xs[i], acc[i]);
                }
            }
        }
        for (i, o) in out.iter_mut().enumerate() {
            let [a, b, c, d] = acc.map(|a| a[i].abs());
            *o = a.max(b).max(c.max(d));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same filter one sample at a time, directly from the definition.
    fn reference<const K: usize>(taps: &[[f32; K]; BRANCHES], x: &[f32]) -> Vec<f32> {
        (0..x.len())
            .map(|n| {
                taps.iter()
                    .map(|t| {
                        let y: f64 = (0..K)
                            .map(|j| {
                                let age = K - 1 - j;
                                let v = if n >= age { x[n - age] } else { 0.0 };
                                t[j] as f64 * v as f64
                            })
                            .sum();
                        y.abs() as f32
                    })
                    .fold(0.0, f32::max)
            })
            .collect()
    }

    #[test]
    fn matches_the_direct_form_for_any_block_sizes() {
        let mut seed = 3u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
        };
        let taps: [[f32; 12]; BRANCHES] = std::array::from_fn(|_| std::array::from_fn(|_| next()));
        let x: Vec<f32> = (0..1000).map(|_| next()).collect();
        let want = reference(&taps, &x);
        let mut interp = PeakInterpolator::new(taps);
        let mut got = vec![0.0; x.len()];
        let mut at = 0;
        for size in [1, 5, 16, 17, 64, 65, 200].iter().cycle() {
            if at == x.len() {
                break;
            }
            let end = (at + size).min(x.len());
            interp.peaks(&x[at..end], &mut got[at..end]);
            at = end;
        }
        for (n, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() <= 1e-5 * (1.0 + w), "{n}: {g} vs {w}");
        }
    }
}
