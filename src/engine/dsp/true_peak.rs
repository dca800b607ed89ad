//! Inter-sample (true) peak detection by polyphase oversampling, after
//! ITU-R BS.1770-4 Annex 2: 4x at 44.1/48 kHz, 2x at 88.2/96 kHz and above.
//!
//! Shared by the loudness meter (which reports dBTP) and the master limiter
//! (which must keep its output under a dBTP ceiling): both must see the same
//! peaks, so there is one detector.

use super::kaiser::{kaiser, sinc};
use super::peak_interpolator::{PeakInterpolator, BRANCHES};

/// Taps per polyphase branch.
const TAPS: usize = 32;
/// The largest oversampling factor used.
const MAX_FACTOR: usize = BRANCHES;

/// A streaming true-peak detector for one channel. No allocation after `new`.
#[derive(Clone)]
pub struct TruePeak {
    interp: PeakInterpolator<TAPS>,
    factor: usize,
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
        // Unused branches stay zero.
        let mut taps_by_age = [[0.0f32; TAPS]; MAX_FACTOR];
        // Windowed-sinc low-pass at the original Nyquist, on the oversampled grid.
        for (p, branch) in taps_by_age.iter_mut().enumerate().take(factor) {
            let mut taps = [0.0f64; TAPS];
            for (k, tap) in taps.iter_mut().enumerate() {
                let i = k * factor + p;
                let t = (i as f64 - centre) / factor as f64;
                *tap = sinc(t) * kaiser((i as f64 - centre) / centre, beta);
            }
            // Each branch passes DC at exactly unity.
            let sum: f64 = taps.iter().sum();
            // Tap k multiplies the input k samples old; the interpolator
            // wants the oldest first.
            for (k, tap) in taps.iter().enumerate() {
                branch[TAPS - 1 - k] = (tap / sum) as f32;
            }
        }
        TruePeak {
            interp: PeakInterpolator::new(taps_by_age),
            factor,
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

    /// For each (finite) sample of `x`, the largest absolute value of the
    /// points interpolated for its step, into `peaks`.
    pub fn peaks(&mut self, x: &[f32], peaks: &mut [f32]) {
        self.interp.peaks(x, peaks);
    }

    /// Feed one sample; returns the largest absolute value of the points
    /// interpolated for this step. A block through [`TruePeak::peaks`] costs
    /// far less per sample.
    pub fn push(&mut self, x: f32) -> f32 {
        let mut peak = [0.0];
        self.interp.peaks(&[x], &mut peak);
        peak[0]
    }

    pub fn reset(&mut self) {
        self.interp.reset();
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
