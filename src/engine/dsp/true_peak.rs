//! Inter-sample (true) peak detection by polyphase oversampling, after
//! ITU-R BS.1770-4 Annex 2: 4x at 44.1/48 kHz, 2x at 88.2/96 kHz and above.
//!
//! Shared by the loudness meter (which reports dBTP) and the master limiter
//! (which must keep its output under a dBTP ceiling): both must see the same
//! peaks, so there is one detector.

use super::kaiser::{kaiser, sinc};

/// Taps per polyphase branch.
const TAPS: usize = 32;
/// The largest oversampling factor used.
const MAX_FACTOR: usize = 4;

/// One value per branch, laid out for a single SIMD register.
#[derive(Clone, Copy)]
#[repr(align(16))]
struct Lanes([f32; MAX_FACTOR]);

impl Lanes {
    #[inline(always)]
    fn mul_add(self, a: Lanes, b: Lanes) -> Lanes {
        let (s, a, b) = (self.0, a.0, b.0);
        Lanes([
            s[0] + a[0] * b[0],
            s[1] + a[1] * b[1],
            s[2] + a[2] * b[2],
            s[3] + a[3] * b[3],
        ])
    }

    /// The largest |value| over the lanes of the sum of four partial sums.
    #[inline(always)]
    fn peak_of_sum(acc: [Lanes; 4]) -> f32 {
        let mut peak = 0.0f32;
        for i in 0..MAX_FACTOR {
            peak = peak.max(((acc[0].0[i] + acc[1].0[i]) + (acc[2].0[i] + acc[3].0[i])).abs());
        }
        peak
    }
}

/// A streaming true-peak detector for one channel. No allocation after `new`.
#[derive(Clone)]
pub struct TruePeak {
    /// `taps[j]`: every branch's coefficient for the j-th oldest input in
    /// the window, one branch per lane; unused branches stay zero.
    taps: [Lanes; TAPS],
    factor: usize,
    /// The last TAPS inputs, stored twice so a contiguous window always
    /// exists, each copied into every lane so that the filter is plain
    /// lane-by-lane multiply-adds.
    history: [Lanes; 2 * TAPS],
    pos: usize,
}

impl TruePeak {
    /// The oversampling factor used at `sample_rate`.
    pub fn factor_for(sample_rate: f32) -> usize {
        if sample_rate < 88_000.0 {
            4
        } else {
            2
        }
    }

    pub fn new(sample_rate: f32) -> Self {
        Self::with_factor(Self::factor_for(sample_rate))
    }

    /// A detector oversampling by `factor` (clamped to 1..=4) at any sample
    /// rate. The taps are defined in input-sample time, so the points of a
    /// 2x detector are exactly the even points of a 4x one: a processor that
    /// must stay under a ceiling whatever meter measures it (the limiter) can
    /// look at the finer grid.
    pub fn with_factor(factor: usize) -> Self {
        let factor = factor.clamp(1, MAX_FACTOR);
        let n = TAPS * factor;
        let beta = 8.0;
        // Centred on a whole input sample, so one branch reproduces the
        // input samples themselves and the grid always contains them.
        let centre = (n / 2) as f64;
        let mut taps_by_age = [Lanes([0.0; MAX_FACTOR]); TAPS];
        // Windowed-sinc low-pass at the original Nyquist, on the oversampled grid.
        for p in 0..factor {
            let mut taps = [0.0f64; TAPS];
            for (k, tap) in taps.iter_mut().enumerate() {
                let i = k * factor + p;
                let t = (i as f64 - centre) / factor as f64;
                *tap = sinc(t) * kaiser((i as f64 - centre) / centre, beta);
            }
            // Each branch passes DC at exactly unity.
            let sum: f64 = taps.iter().sum();
            // Branch k multiplies history[newest - k]; store reversed so the
            // window reads oldest to newest.
            for (k, tap) in taps.iter().enumerate() {
                taps_by_age[TAPS - 1 - k].0[p] = (tap / sum) as f32;
            }
        }
        TruePeak {
            taps: taps_by_age,
            factor,
            history: [Lanes([0.0; MAX_FACTOR]); 2 * TAPS],
            pos: 0,
        }
    }

    /// The oversampling factor in use.
    pub fn factor(&self) -> usize {
        self.factor
    }

    /// How many input samples the interpolated points lag the input.
    pub fn delay_samples(&self) -> f32 {
        (TAPS / 2) as f32
    }

    /// Feed one sample; returns the largest absolute value of the points
    /// interpolated for this step.
    #[inline(always)]
    pub fn push(&mut self, x: f32) -> f32 {
        self.history[self.pos] = Lanes([x; MAX_FACTOR]);
        self.history[self.pos + TAPS] = Lanes([x; MAX_FACTOR]);
        self.pos += 1;
        if self.pos == TAPS {
            self.pos = 0;
        }
        let window = &self.history[self.pos..self.pos + TAPS];
        // All branches side by side in one register; four partial sums
        // (taps j mod 4) keep the add chains short.
        let mut acc = [Lanes([0.0; MAX_FACTOR]); 4];
        // Plain index loops: they vectorize in release and stay quick in
        // debug builds, where iterator adaptors cost a call per element.
        for j in (0..TAPS).step_by(4) {
            for (k, a) in acc.iter_mut().enumerate() {
                *a = a.mul_add(self.taps[j + k], window[j + k]);
            }
        }
        Lanes::peak_of_sum(acc)
    }

    pub fn reset(&mut self) {
        self.history = [Lanes([0.0; MAX_FACTOR]); 2 * TAPS];
        self.pos = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp_of_sine(amp: f32, freq_ratio: f32, phase_deg: f32, sr: f32) -> f32 {
        let mut tp = TruePeak::new(sr);
        let mut peak = 0.0f32;
        for n in 0..(sr as usize / 10) {
            let x = amp
                * (2.0 * std::f32::consts::PI * freq_ratio * n as f32 + phase_deg.to_radians())
                    .sin();
            peak = peak.max(tp.push(x));
        }
        20.0 * peak.log10()
    }

    #[test]
    fn ebu_3341_true_peak_cases() {
        // 3341-15: 0.5 FS at fs/4, 0 deg: -6.0 +0.2/-0.4 dBTP
        let a = tp_of_sine(0.5, 0.25, 0.0, 48_000.0);
        assert!((-6.4..=-5.8).contains(&a), "{a}");
        // 3341-19: 1.41 FS at fs/4, 45 deg: +3.0 +0.2/-0.4 dBTP
        let b = tp_of_sine(1.41, 0.25, 45.0, 48_000.0);
        assert!((2.6..=3.2).contains(&b), "{b}");
        let c = tp_of_sine(1.41, 0.25, 45.0, 96_000.0);
        assert!((2.6..=3.2).contains(&c), "{c}");
    }

    #[test]
    fn does_not_under_read_wideband_noise_against_libebur128() {
        // Hot white noise puts a lot of energy near Nyquist, where a short
        // interpolator rolls off and under-reads. Where both meters use the
        // same grid, this one must read at least as high as libebur128
        // (0.05 dB allowed for its passband ripple).
        for rate in [44_100u32, 48_000, 96_000] {
            let mut state = 12_345u32;
            let x: Vec<f32> = (0..rate)
                .map(|_| {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
                })
                .collect();
            let mut tp = TruePeak::new(rate as f32);
            let ours = x.iter().fold(0.0f32, |m, &s| m.max(tp.push(s)));
            let mut meter = ebur128::EbuR128::new(1, rate, ebur128::Mode::TRUE_PEAK).unwrap();
            meter.add_frames_f32(&x).unwrap();
            let theirs = meter.true_peak(0).unwrap() as f32;
            let under = 20.0 * (theirs / ours).log10();
            assert!(
                under < 0.05,
                "{rate} Hz: libebur128 reads {under} dB higher"
            );
        }
    }

    #[test]
    fn finer_grid_contains_the_coarser_one() {
        // A 2x detector's points are a subset of a 4x detector's, so the 4x
        // reading is never lower, sample by sample.
        let mut two = TruePeak::with_factor(2);
        let mut four = TruePeak::with_factor(4);
        let mut state = 1u32;
        for _ in 0..4096 {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let x = (state >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0;
            assert!(four.push(x) >= two.push(x));
        }
    }

    #[test]
    fn dc_passes_at_unity() {
        let mut tp = TruePeak::new(48_000.0);
        let mut last = 0.0;
        for _ in 0..64 {
            last = tp.push(0.25);
        }
        assert!((last - 0.25).abs() < 1e-6);
    }
}
