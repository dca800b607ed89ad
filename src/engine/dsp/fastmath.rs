//! Fast `log2`/`exp2` and the dB conversions built on them, for the dynamics
//! processors, which need one level-to-dB and one dB-to-gain conversion per
//! sample. `f32::log10`/`powf` cost tens of nanoseconds each (and `floor` is a
//! libm call on baseline x86_64); these are a handful of multiply-adds
//! (fused where the build targets FMA, see [`super::fma`]), have no branches
//! and no tables.
//!
//! Both split the float into exponent and mantissa with bit operations and
//! approximate the mantissa part with a minimax polynomial (Remez exchange,
//! computed in 40-digit arithmetic):
//! - `log2(1 + t)`, t in [0, 1): degree 6, max abs error 1.85e-6
//!   (1.1e-5 dB);
//! - `2^t`, t in [0, 1): degree 5, max relative error 7.5e-8 (6.5e-7 dB).
//!
//! With f32 evaluation the bounds that hold (and that the tests check against
//! f64 `std` over the range the dynamics use) are:
//! - [`gain_to_db`]: within 5e-5 dB for |x| from 1e-9 to 1e3 (-180..+60 dB);
//! - [`db_to_gain`]: within 2e-6 relative (2e-5 dB) for -180..+60 dB.
//!
//! Nothing here returns NaN or infinity: zero maps to about -764 dB (log2 =
//! -127), NaN and infinity to about +770 dB, and [`exp2`] saturates at
//! 2^-126 and 2^126, so a stray value cannot poison a detector's state.

use super::fma::MulAdd;

/// log2(1 + t) on [0, 1), constant term first.
const LOG2_POLY: [f32; 7] = [
    1.845_682_5e-6,
    1.442_495_3,
    -0.717_791_1,
    0.456_521_64,
    -0.276_540_7,
    0.121_002_21,
    -0.025_691_079,
];

/// 2^t on [0, 1), constant term first.
const EXP2_POLY: [f32; 6] = [
    0.999_999_93,
    0.693_153_1,
    0.240_153_62,
    0.055_826_318,
    0.008_989_34,
    0.001_877_576_7,
];

/// dB per octave of amplitude: 20 * log10(2).
const DB_PER_LOG2: f32 = 6.020_6;
/// Octaves per dB: log2(10) / 20.
const LOG2_PER_DB: f32 = 0.166_096_4;

/// The polynomial with coefficients `p` (constant term first) at `t`, one
/// multiply-add per degree.
#[inline(always)]
fn horner<const N: usize>(p: &[f32; N], t: f32) -> f32 {
    let mut acc = p[N - 1];
    for &c in p[..N - 1].iter().rev() {
        acc = acc.madd(t, c);
    }
    acc
}

/// log2(|x|). Zero and subnormals give about -127.
#[inline]
pub fn log2(x: f32) -> f32 {
    let bits = x.to_bits() & 0x7fff_ffff;
    let exponent = (bits >> 23) as i32 - 127;
    let t = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000) - 1.0;
    exponent as f32 + horner(&LOG2_POLY, t)
}

/// 2^y, saturating at 2^-126 and 2^126 (NaN gives 2^-126).
#[inline]
pub fn exp2(y: f32) -> f32 {
    // Not `clamp`, which passes NaN through: `max` maps NaN to the bound.
    #[allow(clippy::manual_clamp)]
    let y = y.max(-126.0).min(126.0);
    // Adding 1.5 * 2^23 rounds to an integer held in the low mantissa bits;
    // rounding y - 0.5 gives floor(y) (or y - 1 at exact integers, where
    // t = 1 is still inside the polynomial's interval). Unlike `as i32`,
    // this needs no saturation handling, so it vectorizes.
    const ROUND: f32 = 12_582_912.0;
    let shifted = (y - 0.5) + ROUND;
    let floor = shifted - ROUND;
    let t = y - floor;
    let exponent = shifted
        .to_bits()
        .wrapping_sub(ROUND.to_bits())
        .wrapping_add(127)
        << 23;
    horner(&EXP2_POLY, t) * f32::from_bits(exponent)
}

/// Level of |x| in dB (20 log10 |x|). Silence gives about -764 dB.
#[inline]
pub fn gain_to_db(x: f32) -> f32 {
    log2(x) * DB_PER_LOG2
}

/// Linear gain of `db` decibels (10^(db/20)), saturating outside +-758 dB.
#[inline]
pub fn db_to_gain(db: f32) -> f32 {
    exp2(db * LOG2_PER_DB)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `step`-th positive float between `lo` and `hi`.
    fn floats(lo: f32, hi: f32, step: u32) -> impl Iterator<Item = f32> {
        (lo.to_bits()..=hi.to_bits())
            .step_by(step as usize)
            .map(f32::from_bits)
    }

    #[test]
    fn gain_to_db_within_5e_5_db_over_180_to_plus_60() {
        let mut worst = 0.0f64;
        // About 1.2 million floats spread over the whole range, every mantissa region.
        for x in floats(1e-9, 1e3, 997) {
            let exact = 20.0 * (x as f64).log10();
            let err = (gain_to_db(x) as f64 - exact).abs();
            worst = worst.max(err);
            assert_eq!(gain_to_db(-x), gain_to_db(x));
        }
        assert!(worst < 5e-5, "worst {worst} dB");
    }

    #[test]
    fn db_to_gain_within_2e_6_relative_over_180_to_plus_60() {
        let mut worst = 0.0f64;
        let n = 2_400_000;
        for i in 0..=n {
            let db = (-180.0 + 240.0 * i as f64 / n as f64) as f32;
            let exact = 10f64.powf(db as f64 / 20.0);
            let err = (db_to_gain(db) as f64 / exact - 1.0).abs();
            worst = worst.max(err);
        }
        assert!(worst < 2e-6, "worst relative {worst}");
    }

    #[test]
    fn log2_and_exp2_match_std_at_octaves_and_between() {
        for k in -40..=40 {
            let x = 2f32.powi(k);
            // The constant term's error plus the rounding of exponent + mantissa part.
            assert!(
                (log2(x) - k as f32).abs() <= 1.9e-6 + 6e-8 * k.abs() as f32,
                "{k}"
            );
            assert!((exp2(k as f32) / x - 1.0).abs() < 2e-7, "{k}");
            let y = k as f32 + 0.37;
            assert!(
                (exp2(y) as f64 / 2f64.powf(y as f64) - 1.0).abs() < 2e-7,
                "{y}"
            );
        }
    }

    #[test]
    fn never_nan_or_infinite() {
        for x in [
            0.0,
            -0.0,
            f32::MIN_POSITIVE / 4.0,
            f32::NAN,
            f32::INFINITY,
            -f32::INFINITY,
            f32::MAX,
        ] {
            assert!(log2(x).is_finite(), "log2({x})");
            assert!(gain_to_db(x).is_finite(), "gain_to_db({x})");
        }
        assert!(gain_to_db(0.0) < -700.0);
        for y in [
            f32::NAN,
            f32::INFINITY,
            -f32::INFINITY,
            1e30,
            -1e30,
            126.5,
            -126.5,
        ] {
            let g = exp2(y);
            assert!(g.is_finite() && g > 0.0, "exp2({y}) = {g}");
        }
        assert_eq!(exp2(-1e30), f32::MIN_POSITIVE);
        assert_eq!(exp2(f32::NAN), f32::MIN_POSITIVE);
    }

    #[test]
    fn monotonic_across_octave_edges() {
        // The polynomial's end errors must not make the curve step backwards
        // where the exponent changes.
        for k in -30..30 {
            let edge = 2f32.powi(k);
            let below = f32::from_bits(edge.to_bits() - 1);
            assert!(log2(below) <= log2(edge), "{k}");
        }
    }
}
