//! Thinning a recorded pass: the fewest breakpoints whose lane stays within
//! a tolerance of every recorded value.
//!
//! The tolerance is a fraction of the control's travel (its normalized
//! position), so it means the same for a fader in dB, a frequency on a log
//! taper and a pan. It is turned into the parameter's own units at each
//! point, and the breakpoints are then chosen by the "swinging door": from
//! an anchor, the line to each later point must pass within the tolerance
//! of every point in between; the last point for which it does becomes the
//! next anchor. That is one pass over the points.

use crate::engine::automation::{Lane, Point, Shape};
use crate::params::Spec;

/// The default tolerance: 0.2 % of the travel (about 0.1 dB around 0 dB on
/// the fader law; a 7-bit MIDI fader step is 0.8 %).
pub const TOLERANCE: f32 = 0.002;

/// The breakpoints to keep of `points` (in time order) for a parameter of
/// `spec` whose lane has `shape`.
pub fn thin(points: &[Point], shape: Shape, spec: &Spec, tolerance: f32) -> Vec<Point> {
    match shape {
        Shape::Step => changes_only(points),
        Shape::Linear => {
            let kept = linear(points, spec, tolerance);
            repair(points, kept, spec, tolerance)
        }
    }
}

/// The swinging door over each finite run.
fn linear(points: &[Point], spec: &Spec, tolerance: f32) -> Vec<Point> {
    // Non-finite values (silence in dB) are kept as they are and break the
    // line; each finite run is thinned on its own.
    let mut kept = Vec::new();
    let mut run_start = 0;
    for (i, p) in points.iter().enumerate() {
        if !p.value.is_finite() {
            kept.extend(swinging_door(&points[run_start..i], spec, tolerance));
            if kept.last().is_none_or(|k: &Point| k.value != p.value) {
                kept.push(*p);
            }
            run_start = i + 1;
        }
    }
    kept.extend(swinging_door(&points[run_start..], spec, tolerance));
    kept
}

/// The door works in the parameter's units with the tolerance converted at
/// each point, which near a bend of the taper (the fader law's segments)
/// can be slightly too generous: put back the worst recorded point until
/// every one is within the tolerance of travel.
fn repair(points: &[Point], mut kept: Vec<Point>, spec: &Spec, tolerance: f32) -> Vec<Point> {
    for _ in 0..points.len() {
        let lane = Lane::new(Shape::Linear, kept.clone());
        let worst = points
            .iter()
            .filter(|p| p.value.is_finite())
            .filter_map(|p| {
                let v = lane.value_at(p.time)?;
                Some((
                    (spec.to_normalized(v) - spec.to_normalized(p.value)).abs(),
                    *p,
                ))
            })
            .filter(|(d, _)| *d > tolerance)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((_, p)) = worst else { break };
        let at = kept.partition_point(|k| k.time < p.time);
        kept.insert(at, p);
    }
    kept
}

/// Each value change, and the last point.
fn changes_only(points: &[Point]) -> Vec<Point> {
    let mut kept: Vec<Point> = Vec::new();
    for p in points {
        if kept.last().is_none_or(|k| k.value != p.value) {
            kept.push(*p);
        }
    }
    if let (Some(last), Some(k)) = (points.last(), kept.last()) {
        if k.time != last.time {
            kept.push(*last);
        }
    }
    kept
}

/// The tolerance at `v` in the parameter's units: `tolerance` of travel
/// divided by how fast the travel moves with the value there.
fn tolerance_at(spec: &Spec, v: f32, tolerance: f32) -> f64 {
    let span = (spec.max - spec.min).abs().max(1e-6);
    let h = (span * 1e-3).max(1e-6);
    let lo = (v - h).max(spec.min);
    let hi = (v + h).min(spec.max);
    let slope = if hi > lo {
        ((spec.to_normalized(hi) - spec.to_normalized(lo)) / (hi - lo)).abs()
    } else {
        0.0
    };
    let plain = if slope > 1e-9 {
        tolerance / slope
    } else {
        tolerance * span
    };
    f64::from(plain)
}

fn swinging_door(points: &[Point], spec: &Spec, tolerance: f32) -> Vec<Point> {
    let Some(&first) = points.first() else {
        return Vec::new();
    };
    let mut kept = vec![first];
    let mut anchor = first;
    let mut low = f64::NEG_INFINITY;
    let mut high = f64::INFINITY;
    let mut candidate: Option<Point> = None;
    let mut i = 1;
    while i < points.len() {
        let p = points[i];
        let dt = p.time - anchor.time;
        if dt <= 0.0 {
            i += 1;
            continue;
        }
        let dv = f64::from(p.value - anchor.value);
        let slope = dv / dt;
        if slope >= low && slope <= high {
            candidate = Some(p);
        } else if let Some(c) = candidate.take() {
            // No line from the anchor reaches this point: the last point
            // that could be reached becomes the anchor, and this one is
            // looked at again from there.
            kept.push(c);
            anchor = c;
            low = f64::NEG_INFINITY;
            high = f64::INFINITY;
            continue;
        } else {
            kept.push(p);
            anchor = p;
            low = f64::NEG_INFINITY;
            high = f64::INFINITY;
            i += 1;
            continue;
        }
        let tol = tolerance_at(spec, p.value, tolerance);
        low = low.max((dv - tol) / dt);
        high = high.min((dv + tol) / dt);
        i += 1;
    }
    if let Some(c) = candidate {
        if kept.last().is_none_or(|k| k.time != c.time) {
            kept.push(c);
        }
    }
    kept
}

/// The largest distance, in fractions of travel, between `recorded` and the
/// lane through `kept` at the recorded times.
pub fn deviation(recorded: &[Point], kept: &[Point], shape: Shape, spec: &Spec) -> f32 {
    let lane = Lane::new(shape, kept.to_vec());
    recorded
        .iter()
        .filter(|p| p.value.is_finite())
        .filter_map(|p| {
            let v = lane.value_at(p.time)?;
            Some((spec.to_normalized(v) - spec.to_normalized(p.value)).abs())
        })
        .fold(0.0, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Param, SendField};
    use proptest::prelude::*;

    fn ride(n: usize) -> Vec<Point> {
        // A fader ride sampled every 10 ms: slow moves, a hold, a quick dip.
        (0..n)
            .map(|i| {
                let t = i as f64 * 0.01;
                let v = -10.0 + 6.0 * (t * 0.7).sin() as f32
                    - if (3.0..3.3).contains(&t) { 8.0 } else { 0.0 };
                Point::new(t, v)
            })
            .collect()
    }

    #[test]
    fn a_ride_loses_most_points_and_stays_within_tolerance() {
        let spec = Spec::of(Param::Gain);
        let recorded = ride(6000);
        let kept = thin(&recorded, Shape::Linear, &spec, TOLERANCE);
        assert!(
            kept.len() * 10 < recorded.len(),
            "{} of {}",
            kept.len(),
            recorded.len()
        );
        let worst = deviation(&recorded, &kept, Shape::Linear, &spec);
        assert!(worst <= TOLERANCE, "{worst}");
        assert_eq!(kept.first(), recorded.first());
        assert_eq!(kept.last(), recorded.last());
    }

    #[test]
    fn a_straight_line_keeps_its_ends() {
        let spec = Spec::of(Param::Pan);
        let line: Vec<Point> = (0..100)
            .map(|i| Point::new(i as f64, i as f32 / 100.0))
            .collect();
        assert_eq!(
            thin(&line, Shape::Linear, &spec, TOLERANCE),
            vec![line[0], line[99]]
        );
    }

    #[test]
    fn silence_is_kept_where_it_starts_and_ends() {
        let spec = Spec::of(Param::Send {
            bus: 0,
            field: SendField::Level,
        });
        let mut pts = vec![Point::new(0.0, -20.0), Point::new(1.0, -20.0)];
        pts.push(Point::new(1.5, f32::NEG_INFINITY));
        pts.push(Point::new(2.0, f32::NEG_INFINITY));
        pts.push(Point::new(2.5, -6.0));
        let kept = thin(&pts, Shape::Linear, &spec, TOLERANCE);
        assert_eq!(kept.len(), 4);
        assert_eq!(kept[2].value, f32::NEG_INFINITY);
    }

    #[test]
    fn switches_keep_their_changes() {
        let spec = Spec::of(Param::Mute);
        let pts: Vec<Point> = [0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
            .iter()
            .enumerate()
            .map(|(i, &v)| Point::new(i as f64, v))
            .collect();
        let kept = thin(&pts, Shape::Step, &spec, TOLERANCE);
        let times: Vec<f64> = kept.iter().map(|p| p.time).collect();
        assert_eq!(times, vec![0.0, 2.0, 5.0, 6.0]);
    }

    proptest! {
        #[test]
        fn every_recorded_point_stays_within_tolerance(
            steps in proptest::collection::vec((1u32..50, -3.0f32..3.0), 2..300),
        ) {
            let spec = Spec::of(Param::Gain);
            let mut t = 0.0;
            let mut v = -12.0f32;
            let pts: Vec<Point> = steps.iter().map(|&(dt, dv)| {
                t += dt as f64 * 0.001;
                v = (v + dv).clamp(-90.0, 10.0);
                Point::new(t, v)
            }).collect();
            let kept = thin(&pts, Shape::Linear, &spec, TOLERANCE);
            prop_assert!(kept.len() <= pts.len());
            prop_assert!(deviation(&pts, &kept, Shape::Linear, &spec) <= TOLERANCE);
        }
    }
}
