//! Unit newtypes for the quantities a mixing console passes around.
//!
//! A bare `f32` could be decibels, a linear gain, a fader position or a pan;
//! mixing them up is the classic console bug (a fader law applied twice, a dB
//! value multiplied into a signal). Every public API that takes or returns one
//! of these quantities uses the newtype, and conversions live here only.

/// Levels at or below this are treated as silence ("-inf" on the fader).
pub const SILENCE_DB: f32 = -144.0;

/// A level in decibels (relative to full scale or unity gain).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Decibels(pub f32);

/// A linear amplitude factor (1.0 = unity).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Gain(pub f32);

/// A normalized fader position, 0..=1, on the console fader law.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct FaderPos(pub f32);

/// A pan or balance position, -1 (left) ..= +1 (right).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Pan(pub f32);

/// A frequency in hertz.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Hz(pub f32);

/// A duration in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Millis(pub f32);

impl Decibels {
    pub const SILENCE: Decibels = Decibels(SILENCE_DB);
    pub const UNITY: Decibels = Decibels(0.0);

    /// Linear gain; at or below [`SILENCE_DB`] this is exactly zero.
    #[inline]
    pub fn to_gain(self) -> Gain {
        if self.0 <= SILENCE_DB {
            Gain(0.0)
        } else {
            Gain(db_to_gain(self.0))
        }
    }
}

impl Gain {
    pub const UNITY: Gain = Gain(1.0);

    /// Level in dB; zero (or negative) gain maps to [`SILENCE_DB`].
    #[inline]
    pub fn to_db(self) -> Decibels {
        Decibels(gain_to_db(self.0))
    }
}

impl Millis {
    /// The duration as a (fractional) number of samples at `sample_rate`.
    #[inline]
    pub fn to_samples(self, sample_rate: f32) -> f32 {
        self.0 * 0.001 * sample_rate
    }
}

/// dB to linear amplitude, without the silence floor.
#[inline]
pub fn db_to_gain(db: f32) -> f32 {
    // 10^(db/20) = 2^(db * log2(10)/20)
    (db * (std::f32::consts::LOG2_10 / 20.0)).exp2()
}

/// Linear amplitude to dB, floored at [`SILENCE_DB`].
#[inline]
pub fn gain_to_db(gain: f32) -> f32 {
    if gain <= 0.0 {
        SILENCE_DB
    } else {
        (20.0 * gain.log10()).max(SILENCE_DB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_gain_round_trip() {
        for db in [-120.0f32, -60.0, -6.0206, 0.0, 6.0206, 10.0] {
            let back = Decibels(db).to_gain().to_db().0;
            assert!((back - db).abs() < 1e-3, "{db} -> {back}");
        }
        assert!((Decibels(-6.0206).to_gain().0 - 0.5).abs() < 1e-4);
    }

    #[test]
    fn silence_is_exact_zero() {
        assert_eq!(Decibels(-144.0).to_gain().0, 0.0);
        assert_eq!(Decibels(f32::NEG_INFINITY).to_gain().0, 0.0);
        assert_eq!(Gain(0.0).to_db().0, SILENCE_DB);
    }
}
