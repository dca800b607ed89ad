//! K-weighting (ITU-R BS.1770-4): a high shelf that models the head, then a
//! high-pass that models the ear's insensitivity to low frequencies.
//!
//! The standard gives the two biquads only at 48 kHz. Each is the bilinear
//! transform (pre-warped at its corner) of an analogue prototype, so other
//! rates are designed from those prototypes. The prototype parameters are the
//! ones libebur128 published; at 48 kHz they give back the standard's
//! coefficients to within rounding. The filter runs in `f64`: the high-pass
//! poles sit within 0.3 % of the unit circle at 96 kHz.

use std::f64::consts::PI;

/// The rate at which BS.1770 defines the filter.
const REFERENCE_RATE: f64 = 48_000.0;

/// Analogue high shelf: (Vh·s² + Vb·(w0/Q)·s + w0²) / (s² + (w0/Q)·s + w0²),
/// with Vh the high-frequency gain and Vb = Vh^MID_EXPONENT.
const SHELF_HZ: f64 = 1681.974450955533;
const SHELF_GAIN_DB: f64 = 3.999843853973347;
const SHELF_Q: f64 = 0.7071752369554196;
const SHELF_MID_EXPONENT: f64 = 0.4996667741545416;

/// Analogue high-pass: g·s² / (s² + (w0/Q)·s + w0²).
const HIGH_PASS_HZ: f64 = 38.13547087602444;
const HIGH_PASS_Q: f64 = 0.5003270373238773;

/// One second-order section, normalised so that a0 = 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Biquad {
    pub b: [f64; 3],
    /// a1, a2.
    pub a: [f64; 2],
}

/// Bilinear-transform denominator terms for a corner at `hz`: (K, a0).
fn warp(hz: f64, q: f64, sample_rate: f64) -> (f64, f64) {
    let k = (PI * hz / sample_rate).tan();
    (k, 1.0 + k / q + k * k)
}

fn denominator(k: f64, q: f64, a0: f64) -> [f64; 2] {
    [2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
}

/// The head-model shelf at `sample_rate`.
pub fn shelf(sample_rate: f64) -> Biquad {
    let (k, a0) = warp(SHELF_HZ, SHELF_Q, sample_rate);
    let vh = 10f64.powf(SHELF_GAIN_DB / 20.0);
    let vb = vh.powf(SHELF_MID_EXPONENT);
    Biquad {
        b: [
            (vh + vb * k / SHELF_Q + k * k) / a0,
            2.0 * (k * k - vh) / a0,
            (vh - vb * k / SHELF_Q + k * k) / a0,
        ],
        a: denominator(k, SHELF_Q, a0),
    }
}

/// The low-frequency high-pass at `sample_rate`.
pub fn high_pass(sample_rate: f64) -> Biquad {
    let (k, a0) = warp(HIGH_PASS_HZ, HIGH_PASS_Q, sample_rate);
    // BS.1770 writes the 48 kHz numerator as 1, -2, 1, which is a passband
    // gain of about +0.04 dB. The prototype carries that gain, so every rate
    // reads the same loudness as 48 kHz.
    let (_, reference_a0) = warp(HIGH_PASS_HZ, HIGH_PASS_Q, REFERENCE_RATE);
    let g = reference_a0 / a0;
    Biquad {
        b: [g, -2.0 * g, g],
        a: denominator(k, HIGH_PASS_Q, a0),
    }
}

/// State of one section, transposed direct form II.
#[derive(Debug, Clone, Copy, Default)]
struct Section {
    s1: f64,
    s2: f64,
}

impl Section {
    #[inline]
    fn tick(&mut self, c: &Biquad, x: f64) -> f64 {
        let y = c.b[0] * x + self.s1;
        self.s1 = c.b[1] * x - c.a[0] * y + self.s2;
        self.s2 = c.b[2] * x - c.a[1] * y;
        y
    }

    /// Snap a decayed state to exact zero so silence never runs subnormal.
    fn settle(&mut self) {
        const TINY: f64 = 1e-30;
        if self.s1.abs() < TINY && self.s2.abs() < TINY {
            *self = Section::default();
        }
    }
}

/// The K-weighting filter for one channel.
#[derive(Debug, Clone)]
pub struct KWeighting {
    shelf: Biquad,
    high_pass: Biquad,
    s: Section,
    h: Section,
}

impl KWeighting {
    pub fn new(sample_rate: f64) -> Self {
        KWeighting {
            shelf: shelf(sample_rate),
            high_pass: high_pass(sample_rate),
            s: Section::default(),
            h: Section::default(),
        }
    }

    #[inline]
    pub fn tick(&mut self, x: f64) -> f64 {
        let y = self.s.tick(&self.shelf, x);
        self.h.tick(&self.high_pass, y)
    }

    /// Call between blocks: flushes a decayed tail to zero.
    pub fn settle(&mut self) {
        self.s.settle();
        self.h.settle();
    }

    pub fn reset(&mut self) {
        self.s = Section::default();
        self.h = Section::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Magnitude of a section at `hz`, in dB, evaluated on the unit circle.
    fn response_db(c: &Biquad, hz: f64, sample_rate: f64) -> f64 {
        let w = 2.0 * PI * hz / sample_rate;
        let (c1, s1, c2, s2) = (w.cos(), w.sin(), (2.0 * w).cos(), (2.0 * w).sin());
        let nr = c.b[0] + c.b[1] * c1 + c.b[2] * c2;
        let ni = -(c.b[1] * s1 + c.b[2] * s2);
        let dr = 1.0 + c.a[0] * c1 + c.a[1] * c2;
        let di = -(c.a[0] * s1 + c.a[1] * s2);
        10.0 * ((nr * nr + ni * ni) / (dr * dr + di * di)).log10()
    }

    fn k_db(hz: f64, sample_rate: f64) -> f64 {
        response_db(&shelf(sample_rate), hz, sample_rate)
            + response_db(&high_pass(sample_rate), hz, sample_rate)
    }

    #[test]
    fn reproduces_the_bs1770_coefficients_at_48k() {
        // ITU-R BS.1770-4 Tables 1 and 2.
        let s = shelf(48_000.0);
        let want_b = [1.53512485958697, -2.69169618940638, 1.19839281085285];
        let want_a = [-1.69065929318241, 0.73248077421585];
        for (got, want) in s.b.iter().chain(&s.a).zip(want_b.iter().chain(&want_a)) {
            assert!((got - want).abs() < 1e-6, "shelf {got} vs {want}");
        }
        let h = high_pass(48_000.0);
        let want_b = [1.0, -2.0, 1.0];
        let want_a = [-1.99004745483398, 0.99007225036621];
        for (got, want) in h.b.iter().chain(&h.a).zip(want_b.iter().chain(&want_a)) {
            assert!((got - want).abs() < 1e-6, "high-pass {got} vs {want}");
        }
    }

    #[test]
    fn gain_at_1k_is_the_0_691_offset_at_every_rate() {
        // The -0.691 in the loudness formula cancels the filter's gain at
        // 997 Hz, so that a 0 dBFS sine on one channel reads -3.01 LUFS.
        for sr in [44_100.0, 48_000.0, 88_200.0, 96_000.0] {
            let g = k_db(997.0, sr);
            assert!((g - 0.691).abs() < 0.005, "{sr}: {g}");
        }
    }

    #[test]
    fn other_rates_follow_the_48k_curve() {
        // Bilinear warping bends the top octave at 44.1 kHz, so the
        // comparison stops at 10 kHz; below that they agree within 0.02 dB.
        for sr in [44_100.0, 88_200.0, 96_000.0] {
            for hz in [20.0, 40.0, 100.0, 500.0, 2_000.0, 5_000.0, 10_000.0] {
                let d = k_db(hz, sr) - k_db(hz, 48_000.0);
                assert!(d.abs() < 0.02, "{sr} Hz rate, {hz} Hz: {d} dB");
            }
        }
    }

    #[test]
    fn silence_settles_to_exact_zero() {
        let mut k = KWeighting::new(96_000.0);
        k.tick(1.0);
        for _ in 0..200 {
            for _ in 0..1024 {
                k.tick(0.0);
            }
            k.settle();
        }
        assert_eq!(k.tick(0.0), 0.0);
    }
}
