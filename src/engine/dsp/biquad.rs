//! Second-order IIR sections after Robert Bristow-Johnson's Audio-EQ-Cookbook.
//!
//! Every EQ band and the high-pass filter of a strip is one of these. The
//! cookbook designs each shape as an analog prototype mapped by the bilinear
//! transform, prewarped so the corner (or centre) frequency lands exactly
//! where it was asked for at any sample rate.
//!
//! Coefficients and state are `f64`, although the audio is `f32`. At low
//! corner frequencies the poles crowd towards z = 1 and the response hangs on
//! the small differences between coefficients near 2 and 1: rounded to
//! `f32`, a 20 Hz band at 96 kHz is off by up to 1.5 dB, a 100 Hz shelf by
//! 0.15 dB. In `f64` the error is below 1e-6 dB, and on a 64-bit CPU it
//! costs no more: a recursion runs one sample after the other, as scalar
//! arithmetic (the same speed in `f64` as in `f32`) or with a stereo pair
//! in one 128-bit register (which holds two `f64`s).
//!
//! The state runs in transposed direct form II: two state variables, and the
//! best-behaved of the direct forms when coefficients change while signal is
//! flowing.

use super::fma::MulAdd;
use crate::params::EqType;
use std::ops::{Mul, Neg};

/// The lowest corner frequency designed, as a fraction of the sample rate
/// (0.44 Hz at 44.1 kHz); it keeps the poles well clear of z = 1.
const MIN_FREQ_RATIO: f64 = 1e-5;
/// The highest corner frequency designed, as a fraction of the sample rate.
const MAX_FREQ_RATIO: f64 = 0.49;
const MIN_Q: f64 = 0.01;
const MAX_Q: f64 = 100.0;
/// Band gains are limited to this many dB either way.
const MAX_GAIN_DB: f64 = 30.0;
/// State magnitudes below this (about -300 dB) are inaudible and are set to
/// exact zero by [`BiquadState::settle`], long before they turn subnormal.
const SETTLE_BELOW: f64 = 1e-15;

/// Biquad coefficients with `a0` normalised to 1:
/// `H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coeffs {
    pub b0: f64,
    pub b1: f64,
    pub b2: f64,
    pub a1: f64,
    pub a2: f64,
}

impl Coeffs {
    /// Passes the signal through unchanged.
    pub const IDENTITY: Coeffs = Coeffs {
        b0: 1.0,
        b1: 0.0,
        b2: 0.0,
        a1: 0.0,
        a2: 0.0,
    };

    /// Design one cookbook section. `freq_hz` is the centre (peak), midpoint
    /// (shelves) or corner (low/high pass) frequency; shelves take the
    /// cookbook's Q form (Q = 1/sqrt 2 is the steepest shelf without
    /// overshoot); `gain_db` applies to peak and shelves only.
    ///
    /// Out-of-range values are clamped (frequency to 1e-5 fs ..= 0.49 fs, Q
    /// to 0.01 ..= 100, gain to +-30 dB); a non-finite value or a sample rate
    /// that is not positive gives [`Coeffs::IDENTITY`]. The result is always
    /// stable.
    pub fn design(kind: EqType, freq_hz: f32, q: f32, gain_db: f32, sample_rate: f32) -> Coeffs {
        let fs = sample_rate as f64;
        if !(freq_hz.is_finite()
            && q.is_finite()
            && gain_db.is_finite()
            && fs.is_finite()
            && fs > 0.0)
        {
            return Coeffs::IDENTITY;
        }
        let f0 = (freq_hz as f64).clamp(MIN_FREQ_RATIO * fs, MAX_FREQ_RATIO * fs);
        let q = (q as f64).clamp(MIN_Q, MAX_Q);
        // A = 10^(gain/40), as a power of two (cheaper than powf).
        let a = ((gain_db as f64).clamp(-MAX_GAIN_DB, MAX_GAIN_DB)
            * (std::f64::consts::LOG2_10 / 40.0))
            .exp2();
        let w0 = std::f64::consts::TAU * f0 / fs;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / (2.0 * q);
        let two_sqrt_a_alpha = 2.0 * a.sqrt() * alpha;

        // (b0, b1, b2, a0, a1, a2), straight from the cookbook.
        let (b0, b1, b2, a0, a1, a2) = match kind {
            EqType::Peak => (
                1.0 + alpha * a,
                -2.0 * cos,
                1.0 - alpha * a,
                1.0 + alpha / a,
                -2.0 * cos,
                1.0 - alpha / a,
            ),
            EqType::LowShelf => (
                a * ((a + 1.0) - (a - 1.0) * cos + two_sqrt_a_alpha),
                2.0 * a * ((a - 1.0) - (a + 1.0) * cos),
                a * ((a + 1.0) - (a - 1.0) * cos - two_sqrt_a_alpha),
                (a + 1.0) + (a - 1.0) * cos + two_sqrt_a_alpha,
                -2.0 * ((a - 1.0) + (a + 1.0) * cos),
                (a + 1.0) + (a - 1.0) * cos - two_sqrt_a_alpha,
            ),
            EqType::HighShelf => (
                a * ((a + 1.0) + (a - 1.0) * cos + two_sqrt_a_alpha),
                -2.0 * a * ((a - 1.0) + (a + 1.0) * cos),
                a * ((a + 1.0) + (a - 1.0) * cos - two_sqrt_a_alpha),
                (a + 1.0) - (a - 1.0) * cos + two_sqrt_a_alpha,
                2.0 * ((a - 1.0) - (a + 1.0) * cos),
                (a + 1.0) - (a - 1.0) * cos - two_sqrt_a_alpha,
            ),
            EqType::LowPass => {
                let b = (1.0 - cos) / 2.0;
                (b, 2.0 * b, b, 1.0 + alpha, -2.0 * cos, 1.0 - alpha)
            }
            EqType::HighPass => {
                let b = (1.0 + cos) / 2.0;
                (b, -2.0 * b, b, 1.0 + alpha, -2.0 * cos, 1.0 - alpha)
            }
        };
        Coeffs {
            b0: b0 / a0,
            b1: b1 / a0,
            b2: b2 / a0,
            a1: a1 / a0,
            a2: a2 / a0,
        }
    }

    /// `[b0, b1, b2, a1, a2]`.
    #[inline]
    pub fn to_array(&self) -> [f64; 5] {
        [self.b0, self.b1, self.b2, self.a1, self.a2]
    }

    /// Whether these coefficients pass every signal unchanged (numerator
    /// equal to denominator), so that a section at rest can be skipped.
    #[inline]
    pub fn is_identity(&self) -> bool {
        self.b0 == 1.0 && self.b1 == self.a1 && self.b2 == self.a2
    }

    /// The magnitude response in dB at `freq_hz`, evaluated from these
    /// coefficients (floored at -300 dB where the response has a zero).
    pub fn magnitude_db(&self, freq_hz: f32, sample_rate: f32) -> f64 {
        let Coeffs { b0, b1, b2, a1, a2 } = *self;
        // |P(e^jw)|^2 for P = p0 + p1 z^-1 + p2 z^-2, in terms of
        // phi = sin^2(w/2), which stays accurate near w = 0 where cos(w) -> 1.
        let phi = (std::f64::consts::PI * freq_hz as f64 / sample_rate as f64)
            .sin()
            .powi(2);
        let power = |p0: f64, p1: f64, p2: f64| {
            (p0 + p1 + p2).powi(2) - 4.0 * (p0 * p1 + 4.0 * p0 * p2 + p1 * p2) * phi
                + 16.0 * p0 * p2 * phi * phi
        };
        let ratio = power(b0, b1, b2).max(0.0) / power(1.0, a1, a2);
        10.0 * ratio.max(1e-30).log10()
    }
}

/// The memory of one biquad on one channel (transposed direct form II).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BiquadState {
    pub(crate) s1: f64,
    pub(crate) s2: f64,
}

/// One step of the transposed direct form II recursion with coefficients
/// `k = [b0, b1, b2, a1, a2]`, on plain `f64` or on several channels packed
/// together (see `filter_chain`), so that every caller runs the same
/// arithmetic.
#[inline(always)]
pub(crate) fn tdf2_step<F>(k: &[F; 5], s1: &mut F, s2: &mut F, x: F) -> F
where
    F: Mul<Output = F> + Neg<Output = F> + MulAdd,
{
    let y = k[0].madd(x, *s1);
    *s1 = (-k[3]).madd(y, k[1].madd(x, *s2));
    *s2 = (-k[4]).madd(y, k[2] * x);
    y
}

impl BiquadState {
    /// Filter one sample.
    #[inline]
    pub fn tick(&mut self, c: &Coeffs, x: f32) -> f32 {
        tdf2_step(&c.to_array(), &mut self.s1, &mut self.s2, x as f64) as f32
    }

    /// Forget all history.
    #[inline]
    pub fn reset(&mut self) {
        *self = BiquadState::default();
    }

    /// Whether the section holds no history at all.
    #[inline]
    pub fn is_zero(&self) -> bool {
        self.s1 == 0.0 && self.s2 == 0.0
    }

    /// Set a decayed-away state to exact zero, so that a silent tail neither
    /// turns subnormal nor keeps an idle section from being skipped; and
    /// clear a state poisoned by a NaN or infinite input, so that the filter
    /// recovers instead of putting out NaN for ever. Meant for block ends.
    #[inline]
    pub fn settle(&mut self) {
        let (a, b) = (self.s1.abs(), self.s2.abs());
        if (a < SETTLE_BELOW && b < SETTLE_BELOW) || !(a.is_finite() && b.is_finite()) {
            self.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complex number, just enough to evaluate the analog prototypes.
    #[derive(Clone, Copy)]
    struct C(f64, f64);
    impl C {
        fn add(self, o: C) -> C {
            C(self.0 + o.0, self.1 + o.1)
        }
        fn mul(self, o: C) -> C {
            C(self.0 * o.0 - self.1 * o.1, self.0 * o.1 + self.1 * o.0)
        }
        fn scale(self, k: f64) -> C {
            C(self.0 * k, self.1 * k)
        }
        fn abs(self) -> f64 {
            self.0.hypot(self.1)
        }
    }

    /// The cookbook's analog prototype H(s) (s normalised to the corner
    /// frequency), written independently of the coefficient formulas above,
    /// evaluated at the frequency the bilinear transform maps `f` to:
    /// s = j tan(pi f / fs) / tan(pi f0 / fs).
    fn analytic_db(kind: EqType, f0: f64, q: f64, gain_db: f64, f: f64, fs: f64) -> f64 {
        let pi = std::f64::consts::PI;
        let s = C(0.0, (pi * f / fs).tan() / (pi * f0 / fs).tan());
        let s2 = s.mul(s);
        let one = C(1.0, 0.0);
        let a = 10f64.powf(gain_db / 40.0);
        let quad = |c2: f64, c1: f64, c0: f64| s2.scale(c2).add(s.scale(c1)).add(one.scale(c0));
        let (num, den) = match kind {
            EqType::LowPass => (one, quad(1.0, 1.0 / q, 1.0)),
            EqType::HighPass => (s2, quad(1.0, 1.0 / q, 1.0)),
            EqType::Peak => (quad(1.0, a / q, 1.0), quad(1.0, 1.0 / (a * q), 1.0)),
            EqType::LowShelf => (
                quad(1.0, a.sqrt() / q, a).scale(a),
                quad(a, a.sqrt() / q, 1.0),
            ),
            EqType::HighShelf => (
                quad(a, a.sqrt() / q, 1.0).scale(a),
                quad(1.0, a.sqrt() / q, a),
            ),
        };
        20.0 * (num.abs() / den.abs()).log10()
    }

    /// 20 Hz..20 kHz in 1/12 octave steps.
    fn audio_band() -> impl Iterator<Item = f32> {
        (0..=120)
            .map(|i| 20.0 * 2f32.powf(i as f32 / 12.0))
            .take_while(|&f| f <= 20_000.0)
    }

    /// The designed coefficients reproduce the analytic response to within
    /// 1e-5 dB (the worst case, a 20 Hz band at 96 kHz, is about 2e-7 dB)
    /// wherever it is above -100 dB. Deeper in a stop band, the absolute
    /// rounding error of a response that small swamps any relative measure.
    #[test]
    fn coefficient_response_matches_cookbook_prototype() {
        let mut checked = 0;
        for fs in [44_100.0f32, 48_000.0, 88_200.0, 96_000.0] {
            for kind in EqType::ALL {
                for f0 in [20.0f32, 40.0, 100.0, 200.0, 1000.0, 5000.0, 15_000.0] {
                    for q in [0.1f32, 0.3, 0.707, 2.0, 10.0] {
                        for gain in [-18.0f32, -3.0, 6.0, 18.0] {
                            let c = Coeffs::design(kind, f0, q, gain, fs);
                            for f in audio_band() {
                                let want = analytic_db(
                                    kind,
                                    f0 as f64,
                                    q as f64,
                                    gain as f64,
                                    f as f64,
                                    fs as f64,
                                );
                                if want < -100.0 {
                                    continue;
                                }
                                let got = c.magnitude_db(f, fs);
                                assert!(
                                    (got - want).abs() < 1e-5,
                                    "{kind:?} f0={f0} q={q} g={gain} fs={fs} at {f:.1} Hz: {got:.7} vs {want:.7}"
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 150_000, "{checked}");
    }

    /// `magnitude_db` is the response of the filter itself: the steady-state
    /// amplitude of a sine run through `tick`, measured over whole periods.
    #[test]
    fn ticking_a_sine_gives_the_magnitude_response() {
        let fs = 48_000.0f32;
        let c = Coeffs::design(EqType::Peak, 1000.0, 1.4, 9.0, fs);
        for f in [100.0f64, 700.0, 1000.0, 1500.0, 6000.0] {
            let mut st = BiquadState::default();
            let n = 48_000; // a whole number of periods of every f above
            let (mut re, mut im) = (0.0f64, 0.0f64);
            for i in 0..2 * n {
                let ph = std::f64::consts::TAU * f * i as f64 / fs as f64;
                let y = st.tick(&c, ph.sin() as f32) as f64;
                if i >= n {
                    re += y * ph.sin();
                    im += y * ph.cos();
                }
            }
            let got = 20.0 * (2.0 * re.hypot(im) / n as f64).log10();
            let want = c.magnitude_db(f as f32, fs);
            assert!((got - want).abs() < 0.001, "{f} Hz: {got} vs {want}");
        }
    }

    #[test]
    fn zero_gain_peak_and_shelves_are_identity() {
        for kind in [EqType::Peak, EqType::LowShelf, EqType::HighShelf] {
            for f0 in [20.0, 1000.0, 20_000.0] {
                let c = Coeffs::design(kind, f0, 0.7, 0.0, 44_100.0);
                assert!(c.is_identity(), "{kind:?} {f0}: {c:?}");
            }
        }
        assert!(!Coeffs::design(EqType::Peak, 1000.0, 0.7, 0.1, 44_100.0).is_identity());
        assert!(!Coeffs::design(EqType::LowPass, 1000.0, 0.7, 0.0, 44_100.0).is_identity());
    }

    #[test]
    fn corner_frequencies_land_where_asked() {
        for fs in [44_100.0, 48_000.0, 88_200.0, 96_000.0] {
            let lp = Coeffs::design(
                EqType::LowPass,
                10_000.0,
                std::f32::consts::FRAC_1_SQRT_2,
                0.0,
                fs,
            );
            assert!(
                (lp.magnitude_db(10_000.0, fs) + 3.0103).abs() < 1e-3,
                "{fs}"
            );
            let pk = Coeffs::design(EqType::Peak, 15_000.0, 3.0, -12.0, fs);
            assert!((pk.magnitude_db(15_000.0, fs) + 12.0).abs() < 1e-3, "{fs}");
            let ls = Coeffs::design(EqType::LowShelf, 100.0, 0.707, 10.0, fs);
            assert!((ls.magnitude_db(100.0, fs) - 5.0).abs() < 1e-3, "{fs}");
            assert!((ls.magnitude_db(5.0, fs) - 10.0).abs() < 0.01, "{fs}");
        }
    }

    #[test]
    fn extreme_values_give_finite_stable_coefficients() {
        let fs = 48_000.0;
        let bad = [
            0.0f32,
            -1.0,
            1e-30,
            1e30,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ];
        for kind in EqType::ALL {
            for &v in &bad {
                for c in [
                    Coeffs::design(kind, v, 0.7, 6.0, fs),
                    Coeffs::design(kind, 1000.0, v, 6.0, fs),
                    Coeffs::design(kind, 1000.0, 0.7, v, fs),
                    Coeffs::design(kind, 1000.0, 0.7, 6.0, v),
                ] {
                    let all = [c.b0, c.b1, c.b2, c.a1, c.a2];
                    assert!(all.iter().all(|x| x.is_finite()), "{kind:?} {v}: {c:?}");
                    // Inside the stability triangle of a second-order denominator.
                    assert!(
                        c.a2.abs() < 1.0 && c.a1.abs() < 1.0 + c.a2,
                        "{kind:?} {v}: {c:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn tiny_state_settles_to_exact_zero() {
        let c = Coeffs::design(EqType::LowPass, 20.0, 0.707, 0.0, 48_000.0);
        let mut st = BiquadState::default();
        st.tick(&c, 1.0);
        st.settle();
        assert!(!st.is_zero());
        let mut n = 0;
        while !st.is_zero() {
            st.tick(&c, 0.0);
            st.settle();
            n += 1;
            assert!(
                st.s1.abs() >= f64::MIN_POSITIVE || st.s1 == 0.0,
                "subnormal after {n}"
            );
        }
        st.tick(&c, f32::NAN);
        assert!(st.s1.is_nan());
        st.settle();
        assert!(st.is_zero());
        st.tick(&c, 1.0);
        st.reset();
        assert_eq!(st, BiquadState::default());
    }
}
