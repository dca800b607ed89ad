//! An automation lane: a parameter's value over the session timeline, as
//! breakpoints joined by straight lines (continuous parameters) or held
//! until the next breakpoint (switches and choices).
//!
//! Times are seconds from the start of the timeline, so a lane means the
//! same at every sample rate. The same evaluation serves the engine's
//! playback, the control side's feedback and the thinning of recorded
//! passes, so all three agree on what a lane says.

/// One breakpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Seconds from the start of the timeline.
    pub time: f64,
    /// In the units of the parameter's `Spec`.
    pub value: f32,
}

impl Point {
    pub const fn new(time: f64, value: f32) -> Point {
        Point { time, value }
    }
}

/// How values between breakpoints are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Straight lines between breakpoints.
    Linear,
    /// Each value holds until the next breakpoint.
    Step,
}

/// Breakpoints in time order, at distinct times.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    shape: Shape,
    points: Box<[Point]>,
}

impl Lane {
    /// A lane through `points`: times rounded to the microsecond, sorted;
    /// of points at the same time the last one given wins; points with a time or value that is NaN,
    /// or a negative or infinite time, are dropped.
    pub fn new(shape: Shape, mut points: Vec<Point>) -> Lane {
        points.retain(|p| p.time.is_finite() && p.time >= 0.0 && !p.value.is_nan());
        // Times are kept to the microsecond, as lane files write them, so
        // a lane reads back exactly as it was saved.
        for p in &mut points {
            p.time = (p.time * 1e6).round() / 1e6;
        }
        points.sort_by(|a, b| a.time.total_cmp(&b.time));
        // Keep the last of each run of equal times (the sort is stable).
        let mut kept: Vec<Point> = Vec::with_capacity(points.len());
        for p in points {
            match kept.last_mut() {
                Some(last) if last.time == p.time => *last = p,
                _ => kept.push(p),
            }
        }
        Lane {
            shape,
            points: kept.into_boxed_slice(),
        }
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    pub fn points(&self) -> &[Point] {
        &self.points
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The value at `time`: the first value before the first breakpoint, the
    /// last after the last; `None` for an empty lane.
    pub fn value_at(&self, time: f64) -> Option<f32> {
        let mut cursor = 0;
        self.value_near(time, &mut cursor)
    }

    /// [`Lane::value_at`], starting the search from `cursor` (the index of
    /// the breakpoint at or before the last time asked), which it updates:
    /// playback moves forward, so a search costs O(1) there and O(log n)
    /// after a jump.
    pub fn value_near(&self, time: f64, cursor: &mut usize) -> Option<f32> {
        let p = &self.points;
        let first = p.first()?;
        if time <= first.time {
            *cursor = 0;
            return Some(first.value);
        }
        let mut i = (*cursor).min(p.len() - 1);
        if p[i].time > time {
            i = p.partition_point(|q| q.time <= time) - 1;
        } else {
            // A few steps forward, then a search if still short.
            let mut steps = 0;
            while i + 1 < p.len() && p[i + 1].time <= time {
                i += 1;
                steps += 1;
                if steps == 8 {
                    i += p[i..].partition_point(|q| q.time <= time) - 1;
                    break;
                }
            }
        }
        *cursor = i;
        let a = p[i];
        let Some(b) = p.get(i + 1) else {
            return Some(a.value);
        };
        Some(match self.shape {
            Shape::Step => a.value,
            Shape::Linear => interpolate(a, *b, time),
        })
    }

    /// The breakpoints from `start` to `end` replaced by `with` (which must
    /// lie within that span); the lane runs as before up to the span and
    /// resumes [`EDGE`] seconds after it, so the rest of it is unchanged.
    pub fn splice(&self, start: f64, end: f64, with: &[Point]) -> Lane {
        let mut points: Vec<Point> = Vec::with_capacity(self.points.len() + with.len() + 2);
        let with: Vec<Point> = with
            .iter()
            .copied()
            .filter(|p| p.time >= start && p.time <= end)
            .collect();
        // Where the old lane hands over: at the start, or just before it
        // if the pass has a breakpoint right there.
        let before = if with.first().is_some_and(|p| p.time <= start) {
            start - EDGE
        } else {
            start
        };
        points.extend(self.points.iter().filter(|p| p.time < before));
        if self.points.first().is_some_and(|p| p.time < before) {
            if let Some(v) = self.value_at(before) {
                points.push(Point::new(before, v));
            }
        }
        points.extend(&with);
        let after = end + EDGE;
        if self.points.last().is_some_and(|p| p.time > after) {
            if let Some(v) = self.value_at(after) {
                points.push(Point::new(after, v));
            }
        }
        points.extend(self.points.iter().filter(|p| p.time > after));
        Lane::new(self.shape, points)
    }
}

/// How far from a spliced pass the old lane hands over and takes over
/// again, in seconds.
pub const EDGE: f64 = 0.001;

/// The value on the straight line from `a` to `b` at `time`.
fn interpolate(a: Point, b: Point, time: f64) -> f32 {
    let span = b.time - a.time;
    if span <= 0.0 || !a.value.is_finite() || !b.value.is_finite() {
        // Silence (-inf dB) holds until the next breakpoint.
        return if time >= b.time { b.value } else { a.value };
    }
    let x = ((time - a.time) / span).clamp(0.0, 1.0) as f32;
    a.value + (b.value - a.value) * x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane(points: &[(f64, f32)]) -> Lane {
        Lane::new(
            Shape::Linear,
            points.iter().map(|&(t, v)| Point::new(t, v)).collect(),
        )
    }

    #[test]
    fn interpolates_and_holds_at_the_ends() {
        let l = lane(&[(1.0, 0.0), (2.0, 10.0)]);
        assert_eq!(l.value_at(0.0), Some(0.0));
        assert_eq!(l.value_at(1.5), Some(5.0));
        assert_eq!(l.value_at(9.0), Some(10.0));
        assert_eq!(lane(&[]).value_at(1.0), None);
    }

    #[test]
    fn steps_hold_until_the_next_breakpoint() {
        let l = Lane::new(
            Shape::Step,
            vec![Point::new(0.0, 0.0), Point::new(1.0, 1.0)],
        );
        assert_eq!(l.value_at(0.999), Some(0.0));
        assert_eq!(l.value_at(1.0), Some(1.0));
    }

    #[test]
    fn sorts_and_keeps_the_last_of_equal_times() {
        let l = lane(&[(2.0, 1.0), (1.0, 5.0), (2.0000001, 3.0), (f64::NAN, 0.0)]);
        assert_eq!(l.points(), &[Point::new(1.0, 5.0), Point::new(2.0, 3.0)]);
    }

    #[test]
    fn the_cursor_gives_what_a_fresh_search_gives() {
        let l = lane(
            &(0..200)
                .map(|i| (i as f64 * 0.1, (i % 7) as f32))
                .collect::<Vec<_>>(),
        );
        let mut cursor = 0;
        for t in [0.05, 0.3, 3.33, 3.34, 19.0, 1.0, 25.0, 0.0, 7.77] {
            assert_eq!(l.value_near(t, &mut cursor), l.value_at(t), "at {t}");
        }
    }

    #[test]
    fn silence_holds_instead_of_poisoning_the_line() {
        let l = lane(&[(0.0, f32::NEG_INFINITY), (1.0, 0.0)]);
        assert_eq!(l.value_at(0.5), Some(f32::NEG_INFINITY));
        assert_eq!(l.value_at(1.0), Some(0.0));
    }

    #[test]
    fn a_splice_replaces_its_span_and_keeps_the_rest() {
        let l = lane(&[(0.0, 0.0), (10.0, 10.0)]);
        let s = l.splice(2.0, 4.0, &[Point::new(2.0, -5.0), Point::new(4.0, -5.0)]);
        assert_eq!(s.value_at(1.0), Some(1.0));
        assert_eq!(s.value_at(3.0), Some(-5.0));
        assert!((s.value_at(8.0).unwrap() - 8.0).abs() < 1e-4);
    }
}
