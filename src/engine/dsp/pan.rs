//! Pan laws, balance and stereo width.
//!
//! The pan law is a session setting: how much a mono source drops at centre
//! so that it sounds as loud panned centre as panned hard to one side.

use std::f32::consts::FRAC_PI_2;
use std::str::FromStr;

/// Centre attenuation of a mono source panned into a stereo bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PanLaw {
    /// Equal power, -3 dB at centre.
    #[default]
    EqualPower,
    /// -4.5 dB at centre: the geometric mean of equal power and linear.
    Compromise,
    /// Linear, -6 dB at centre.
    Linear,
}

impl PanLaw {
    pub const NAMES: &'static [&'static str] = &["-3dB", "-4.5dB", "-6dB"];

    pub fn name(self) -> &'static str {
        match self {
            PanLaw::EqualPower => "-3dB",
            PanLaw::Compromise => "-4.5dB",
            PanLaw::Linear => "-6dB",
        }
    }

    /// Left and right gains of a mono source at `pan` (-1..+1).
    #[inline]
    pub fn gains(self, pan: f32) -> (f32, f32) {
        let t = ((pan.clamp(-1.0, 1.0) + 1.0) * 0.5).clamp(0.0, 1.0);
        match self {
            PanLaw::EqualPower => ((t * FRAC_PI_2).cos(), (t * FRAC_PI_2).sin()),
            PanLaw::Linear => (1.0 - t, t),
            PanLaw::Compromise => (
                ((1.0 - t) * (t * FRAC_PI_2).cos()).sqrt(),
                (t * (t * FRAC_PI_2).sin()).sqrt(),
            ),
        }
    }

    /// Left and right gains of a stereo source at balance `pan`: unity at
    /// centre, the far side following this law down to silence at the extreme.
    #[inline]
    pub fn balance(self, pan: f32) -> (f32, f32) {
        let (l, r) = self.gains(pan);
        let (c, _) = self.gains(0.0);
        ((l / c).min(1.0), (r / c).min(1.0))
    }
}

impl FromStr for PanLaw {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        match t.as_str() {
            "-3db" | "-3" | "equal-power" => Ok(PanLaw::EqualPower),
            "-4.5db" | "-4.5" => Ok(PanLaw::Compromise),
            "-6db" | "-6" | "linear" => Ok(PanLaw::Linear),
            _ => Err(format!(
                "`{s}` is not a pan law; allowed: {}",
                Self::NAMES.join(", ")
            )),
        }
    }
}

/// Mid/side width on a stereo pair: 0 = mono, 1 = unchanged, 2 = double side.
#[inline]
pub fn width(l: f32, r: f32, width: f32) -> (f32, f32) {
    let mid = 0.5 * (l + r);
    let side = 0.5 * (l - r) * width;
    (mid + side, mid - side)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(x: f32) -> f32 {
        20.0 * x.log10()
    }

    #[test]
    fn centre_and_extremes() {
        for (law, centre_db) in [
            (PanLaw::EqualPower, -3.01),
            (PanLaw::Compromise, -4.52),
            (PanLaw::Linear, -6.02),
        ] {
            let (l, r) = law.gains(0.0);
            assert!((db(l) - centre_db).abs() < 0.02, "{law:?} {}", db(l));
            assert!((l - r).abs() < 1e-6);
            let (l, r) = law.gains(-1.0);
            assert!(
                (l - 1.0).abs() < 1e-6 && r.abs() < 1e-6,
                "{law:?} hard left {l} {r}"
            );
            let (l, r) = law.gains(1.0);
            assert!(
                l.abs() < 1e-6 && (r - 1.0).abs() < 1e-6,
                "{law:?} hard right {l} {r}"
            );
        }
    }

    #[test]
    fn equal_power_keeps_power_constant() {
        for i in -10..=10 {
            let (l, r) = PanLaw::EqualPower.gains(i as f32 / 10.0);
            assert!((l * l + r * r - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn balance_is_unity_at_centre_and_kills_far_side() {
        for law in [PanLaw::EqualPower, PanLaw::Compromise, PanLaw::Linear] {
            assert_eq!(law.balance(0.0), (1.0, 1.0));
            let (l, r) = law.balance(1.0);
            assert!(l.abs() < 1e-6 && r == 1.0);
        }
    }

    #[test]
    fn width_extremes() {
        assert_eq!(width(1.0, 0.0, 0.0), (0.5, 0.5));
        assert_eq!(width(1.0, 0.0, 1.0), (1.0, 0.0));
        assert_eq!(width(1.0, 0.0, 2.0), (1.5, -0.5));
    }

    #[test]
    fn parses_names() {
        assert_eq!("-4.5dB".parse::<PanLaw>(), Ok(PanLaw::Compromise));
        assert_eq!("-3 dB".parse::<PanLaw>(), Ok(PanLaw::EqualPower));
        assert!("-5dB".parse::<PanLaw>().unwrap_err().contains("-4.5dB"));
    }
}
