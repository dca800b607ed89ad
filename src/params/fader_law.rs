//! The console fader law shared by every normalized `fader` value.
//!
//! Four linear-in-dB segments, as X32-family consoles and their apps use:
//! 0.0 = -inf, 0.0625 = -60 dB, 0.25 = -30 dB, 0.5 = -10 dB, 0.75 = 0 dB,
//! 1.0 = +10 dB. Between 0 and 0.0625 the law continues its first segment's
//! slope down to -90 dB and then snaps to silence at 0.

use crate::units::{Decibels, FaderPos, SILENCE_DB};

/// (position, dB) breakpoints, ascending.
const POINTS: [(f32, f32); 5] = [
    (0.0625, -60.0),
    (0.25, -30.0),
    (0.5, -10.0),
    (0.75, 0.0),
    (1.0, 10.0),
];

/// Slope of the bottom segment (dB per unit of travel), extended below 0.0625.
const BOTTOM_SLOPE: f32 = (-30.0 - -60.0) / (0.25 - 0.0625);

/// Fader position to level.
pub fn to_db(pos: FaderPos) -> Decibels {
    let p = pos.0.clamp(0.0, 1.0);
    if p <= 0.0 {
        return Decibels(SILENCE_DB);
    }
    if p < POINTS[0].0 {
        let db = POINTS[0].1 - (POINTS[0].0 - p) * BOTTOM_SLOPE;
        return Decibels(db.max(SILENCE_DB));
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
    if d.is_nan() || d <= SILENCE_DB {
        return FaderPos(0.0);
    }
    if d < POINTS[0].1 {
        let p = POINTS[0].0 - (POINTS[0].1 - d) / BOTTOM_SLOPE;
        return FaderPos(p.max(0.0));
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
