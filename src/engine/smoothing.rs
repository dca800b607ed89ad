//! Parameter smoothing: every continuous parameter reaches the signal through
//! one of these, so that no control move produces a step.
//!
//! A linear ramp over a fixed time: predictable (a fader move from -inf to
//! +10 dB takes exactly the ramp time), cheap (one add per sample), and it
//! settles exactly on the target, so a finished ramp costs nothing.

/// Default ramp for gains, pans and send levels.
pub const DEFAULT_RAMP_MS: f32 = 20.0;

/// A value that glides linearly to its target over a fixed number of samples.
#[derive(Debug, Clone, Copy)]
pub struct Smoothed {
    current: f32,
    target: f32,
    step: f32,
    remaining: u32,
    ramp: u32,
}

impl Smoothed {
    /// A smoother at rest on `value`, ramping over `ramp_ms` at `sample_rate`.
    pub fn new(value: f32, ramp_ms: f32, sample_rate: f32) -> Self {
        let ramp = (ramp_ms * 0.001 * sample_rate).round().max(1.0) as u32;
        Smoothed {
            current: value,
            target: value,
            step: 0.0,
            remaining: 0,
            ramp,
        }
    }

    /// Start a ramp from wherever the value is now to `target`.
    #[inline]
    pub fn set(&mut self, target: f32) {
        if !target.is_finite() || target == self.target {
            return;
        }
        self.target = target;
        self.remaining = self.ramp;
        self.step = (target - self.current) / self.ramp as f32;
    }

    /// Jump to `value` with no ramp (for building a fresh strip).
    pub fn reset(&mut self, value: f32) {
        self.current = value;
        self.target = value;
        self.remaining = 0;
        self.step = 0.0;
    }

    /// The next sample's value.
    #[inline]
    pub fn step(&mut self) -> f32 {
        if self.remaining > 0 {
            self.remaining -= 1;
            self.current = if self.remaining == 0 {
                self.target
            } else {
                self.current + self.step
            };
        }
        self.current
    }

    /// Advance by `n` samples at once and return the value reached.
    #[inline]
    pub fn skip(&mut self, n: usize) -> f32 {
        if self.remaining > 0 {
            if n as u32 >= self.remaining {
                self.remaining = 0;
                self.current = self.target;
            } else {
                self.remaining -= n as u32;
                self.current += self.step * n as f32;
            }
        }
        self.current
    }

    /// The next `out.len()` values into `out`: a plain fill while at rest.
    #[inline]
    pub fn fill(&mut self, out: &mut [f32]) {
        if self.remaining == 0 {
            out.fill(self.current);
        } else {
            out.iter_mut().for_each(|o| *o = self.step());
        }
    }

    /// Samples left in the ramp (0 at rest).
    #[inline]
    pub fn remaining(&self) -> usize {
        self.remaining as usize
    }

    #[inline]
    pub fn is_smoothing(&self) -> bool {
        self.remaining > 0
    }

    #[inline]
    pub fn current(&self) -> f32 {
        self.current
    }

    #[inline]
    pub fn target(&self) -> f32 {
        self.target
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_linearly_and_lands_exactly() {
        let mut s = Smoothed::new(0.0, 1.0, 1000.0); // one-sample ramp
        s.set(1.0);
        assert_eq!(s.step(), 1.0);
        let mut s = Smoothed::new(0.0, 10.0, 1000.0); // ten samples
        s.set(1.0);
        let v: Vec<f32> = (0..12).map(|_| s.step()).collect();
        assert!((v[0] - 0.1).abs() < 1e-6 && (v[4] - 0.5).abs() < 1e-6);
        assert_eq!(v[9], 1.0);
        assert_eq!(v[11], 1.0);
        assert!(!s.is_smoothing());
    }

    #[test]
    fn retarget_mid_ramp_continues_from_current() {
        let mut s = Smoothed::new(0.0, 10.0, 1000.0);
        s.set(1.0);
        s.skip(5);
        s.set(0.0);
        let a = s.step();
        assert!(a < 0.5 && a > 0.4, "{a}");
        assert_eq!(s.skip(100), 0.0);
    }

    #[test]
    fn fill_is_the_same_as_stepping() {
        let mut a = Smoothed::new(0.0, 10.0, 1000.0);
        let mut b = a;
        a.set(1.0);
        b.set(1.0);
        let mut filled = [0.0; 14];
        a.fill(&mut filled[..4]);
        assert_eq!(a.remaining(), 6);
        a.fill(&mut filled[4..]);
        let stepped: Vec<f32> = (0..14).map(|_| b.step()).collect();
        assert_eq!(filled.to_vec(), stepped);
    }

    #[test]
    fn ignores_non_finite() {
        let mut s = Smoothed::new(0.5, 10.0, 1000.0);
        s.set(f32::NAN);
        s.set(f32::INFINITY);
        assert_eq!(s.step(), 0.5);
    }
}
