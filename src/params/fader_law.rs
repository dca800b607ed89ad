//! The console fader law shared by every normalized `fader` value.
//!
//! Four linear-in-dB segments, as X32-family consoles and their apps use:
//! 0.0 = -inf, 0.0625 = -60 dB, 0.25 = -30 dB, 0.5 = -10 dB, 0.75 = 0 dB,
//! 1.0 = +10 dB. The bottom segment runs from -90 dB just above 0 up to
//! -60 dB at 0.0625 (480 dB per unit of travel, the protocol's `480f - 90`),
//! and 0 itself is silence. Levels below -90 dB sit at 0 on the fader.

use crate::units::{Decibels, FaderPos, SILENCE_DB};

/// (position, dB) breakpoints, ascending; the first segment starts at
/// (0, [`BOTTOM_DB`]).
const POINTS: [(f32, f32); 5] = [
    (0.0625, -60.0),
    (0.25, -30.0),
    (0.5, -10.0),
    (0.75, 0.0),
    (1.0, 10.0),
];

/// The level just above 0 on the fader.
const BOTTOM_DB: f32 = -90.0;
/// Slope of the bottom segment, dB per unit of travel.
const BOTTOM_SLOPE: f32 = (POINTS[0].1 - BOTTOM_DB) / POINTS[0].0;

/// Fader position to level.
pub fn to_db(pos: FaderPos) -> Decibels {
    let p = pos.0.clamp(0.0, 1.0);
    if p <= 0.0 {
        return Decibels(SILENCE_DB);
    }
    if p < POINTS[0].0 {
        return Decibels(BOTTOM_DB + p * BOTTOM_SLOPE);
    }
    for w in POINTS.windows(2) {
        let ((p0, d0), (p1, d1)) = (w[0], w[1]);
        if p <= p1 {
            return Decibels(d0 + (p - p0) / (p1 - p0) * (d1 - d0));
        }
    }
    Decibels(POINTS[4].1)
}

/// Level to fader position (the inverse of [`to_db`]).
pub fn from_db(db: Decibels) -> FaderPos {
    let d = db.0;
    if d.is_nan() || d <= BOTTOM_DB {
        return FaderPos(0.0);
    }
    if d < POINTS[0].1 {
        return FaderPos((d - BOTTOM_DB) / BOTTOM_SLOPE);
    }
    for w in POINTS.windows(2) {
        let ((p0, d0), (p1, d1)) = (w[0], w[1]);
        if d <= d1 {
            return FaderPos(p0 + (d - d0) / (d1 - d0) * (p1 - p0));
        }
    }
    FaderPos(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakpoints_are_exact() {
        for (p, d) in POINTS {
            assert!((to_db(FaderPos(p)).0 - d).abs() < 1e-4, "{p}");
            assert!((from_db(Decibels(d)).0 - p).abs() < 1e-6, "{d}");
        }
        assert_eq!(to_db(FaderPos(0.0)).0, SILENCE_DB);
        assert_eq!(from_db(Decibels(f32::NEG_INFINITY)).0, 0.0);
    }

    /// The protocol's published law (from 0.5: 40f - 30; from 0.25:
    /// 80f - 50; from 0.0625: 160f - 70; above 0: 480f - 90; 0: -inf) and
    /// positions the console's own `/node` text was read at (0.522972 is
    /// -9.1 dB, 0.357771 is -21.4 dB, 0.642229 is -4.3 dB).
    #[test]
    fn matches_the_published_x32_law() {
        let published = |f: f32| match f {
            f if f >= 0.5 => 40.0 * f - 30.0,
            f if f >= 0.25 => 80.0 * f - 50.0,
            f if f >= 0.0625 => 160.0 * f - 70.0,
            f => 480.0 * f - 90.0,
        };
        for i in 1..=1024 {
            let f = i as f32 / 1024.0;
            let d = to_db(FaderPos(f)).0;
            assert!((d - published(f)).abs() < 1e-3, "{f}: {d}");
            assert!((from_db(Decibels(d)).0 - f).abs() < 1e-5, "{f}");
        }
        for (f, text) in [(0.522972, -9.1), (0.357771, -21.4), (0.642229, -4.3)] {
            assert!((to_db(FaderPos(f)).0 - text).abs() < 0.05, "{f}");
        }
        assert!((to_db(FaderPos(1e-6)).0 - -90.0).abs() < 1e-3);
        assert_eq!(from_db(Decibels(-100.0)).0, 0.0);
    }

    #[test]
    fn round_trip_is_monotonic() {
        let mut last = f32::NEG_INFINITY;
        for i in 1..=1000 {
            let p = i as f32 / 1000.0;
            let d = to_db(FaderPos(p)).0;
            assert!(d > last);
            last = d;
            assert!((from_db(Decibels(d)).0 - p).abs() < 1e-5);
        }
    }
}
