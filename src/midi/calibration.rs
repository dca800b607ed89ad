//! A device's own fader scale, as a table.
//!
//! A fader's printed scale is the maker's, not the console's law: the
//! X-Touch's 0 dB mark sits near 12700 of 16383. A calibration table lists
//! device positions and the level printed there; between points the
//! console fader law is interpolated linearly, which is linear in dB within
//! each of the law's segments.

use crate::params::fader_law;
use crate::units::{Decibels, FaderPos};

/// Device position (0..=1 of its travel) ⇄ console fader position.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// (device position, console fader position), both increasing.
    points: Vec<(f32, f32)>,
}

impl Calibration {
    /// From `(raw device value, dB)` points, `raw_max` being the device's
    /// full travel (127 or 16383). Says what is wrong if the table is not
    /// usable: fewer than two points, raw values out of range or not
    /// increasing, levels decreasing.
    pub fn new(points: &[(f32, f32)], raw_max: f32) -> Result<Calibration, String> {
        if points.len() < 2 {
            return Err("a calibration table needs at least two [device value, dB] points".into());
        }
        let mut out = Vec::with_capacity(points.len());
        for (i, &(raw, db)) in points.iter().enumerate() {
            if !(0.0..=raw_max).contains(&raw) {
                return Err(format!(
                    "calibration point {}: device value {raw} is outside 0..{raw_max}",
                    i + 1
                ));
            }
            if db.is_nan() {
                return Err(format!(
                    "calibration point {}: the level is not a number",
                    i + 1
                ));
            }
            let pos = fader_law::from_db(Decibels(db)).0;
            if let Some(&(prev_raw, prev_pos)) = out.last() {
                if raw / raw_max <= prev_raw {
                    return Err(format!(
                        "calibration point {}: device values must increase from point to point",
                        i + 1
                    ));
                }
                if pos < prev_pos {
                    return Err(format!(
                        "calibration point {}: levels must not decrease from point to point",
                        i + 1
                    ));
                }
            }
            out.push((raw / raw_max, pos));
        }
        Ok(Calibration { points: out })
    }

    /// The console fader position shown at a device position (0..=1).
    pub fn to_fader(&self, device: f32) -> FaderPos {
        FaderPos(interpolate(&self.points, device, |p| p))
    }

    /// The device position (0..=1) that shows a console fader position.
    pub fn to_device(&self, fader: FaderPos) -> f32 {
        interpolate(&self.points, fader.0, |(a, b)| (b, a))
    }

    /// The level at a device position.
    pub fn to_db(&self, device: f32) -> Decibels {
        fader_law::to_db(self.to_fader(device))
    }

    /// The device position for a level.
    pub fn from_db(&self, db: Decibels) -> f32 {
        self.to_device(fader_law::from_db(db))
    }
}

/// Piecewise-linear lookup of `x` in `points` seen through `view` as
/// (x, y) pairs, clamped at both ends. Flat runs in x resolve to their start.
fn interpolate(points: &[(f32, f32)], x: f32, view: impl Fn((f32, f32)) -> (f32, f32)) -> f32 {
    let x = if x.is_nan() { 0.0 } else { x };
    let first = view(points[0]);
    if x <= first.0 {
        return first.1;
    }
    for w in points.windows(2) {
        let (x0, y0) = view(w[0]);
        let (x1, y1) = view(w[1]);
        if x <= x1 {
            if x1 <= x0 {
                return y0;
            }
            return y0 + (x - x0) / (x1 - x0) * (y1 - y0);
        }
    }
    view(points[points.len() - 1]).1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xtouch() -> Calibration {
        Calibration::new(
            &[
                (0.0, f32::NEG_INFINITY),
                (4000.0, -40.0),
                (12700.0, 0.0),
                (16383.0, 10.0),
            ],
            16383.0,
        )
        .unwrap()
    }

    #[test]
    fn printed_marks_map_to_their_levels_and_back() {
        let c = xtouch();
        assert_eq!(c.to_db(12700.0 / 16383.0), Decibels(0.0));
        assert!((c.to_db(1.0).0 - 10.0).abs() < 1e-4);
        assert!(c.to_db(0.0).0 <= crate::units::SILENCE_DB);
        for raw in [0.0f32, 2000.0, 4000.0, 9000.0, 12700.0, 15000.0, 16383.0] {
            let d = raw / 16383.0;
            assert!((c.to_device(c.to_fader(d)) - d).abs() < 1e-5, "{raw}");
        }
        assert!((c.from_db(Decibels(-40.0)) * 16383.0 - 4000.0).abs() < 0.5);
    }

    #[test]
    fn bad_tables_say_why() {
        let e = |p: &[(f32, f32)]| Calibration::new(p, 127.0).unwrap_err();
        assert!(e(&[(0.0, 0.0)]).contains("at least two"));
        assert!(e(&[(0.0, -10.0), (200.0, 0.0)]).contains("outside 0..127"));
        assert!(e(&[(10.0, -10.0), (10.0, 0.0)]).contains("must increase"));
        assert!(e(&[(0.0, 0.0), (127.0, -10.0)]).contains("must not decrease"));
        assert!(e(&[(0.0, f32::NAN), (127.0, 0.0)]).contains("not a number"));
    }
}
