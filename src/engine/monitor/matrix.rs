//! The monitor's listening matrix: mono, side (S solo), left or right only,
//! and the right side's polarity, as one 2×2 matrix whose four
//! coefficients glide, so that no switch clicks.
//!
//! In order: `side` puts (L − R)/2 on both sides (it wins over `mono`),
//! `mono` puts (L + R)/2 on both sides (Ardour's mono: the sum at 1/N);
//! then `left` or `right` alone silences the other speaker (both, or
//! neither, play both: Ardour's per-channel solo); then `polarity`
//! inverts the right side (with `mono` on, that plays S from a pair of
//! speakers, the classic polarity check).

use super::super::smoothing::{Smoothed, DEFAULT_RAMP_MS};

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Switches {
    pub mono: bool,
    pub side: bool,
    pub left: bool,
    pub right: bool,
    pub polarity: bool,
}

impl Switches {
    /// `[l_from_l, l_from_r, r_from_l, r_from_r]`.
    pub fn coefficients(self) -> [f32; 4] {
        let mut m = if self.side {
            [0.5, -0.5, 0.5, -0.5]
        } else if self.mono {
            [0.5, 0.5, 0.5, 0.5]
        } else {
            [1.0, 0.0, 0.0, 1.0]
        };
        if self.left && !self.right {
            m[2] = 0.0;
            m[3] = 0.0;
        }
        if self.right && !self.left {
            m[0] = 0.0;
            m[1] = 0.0;
        }
        if self.polarity {
            m[2] = -m[2];
            m[3] = -m[3];
        }
        m
    }
}

pub(crate) struct Matrix {
    pub switches: Switches,
    k: [Smoothed; 4],
}

impl Matrix {
    pub fn new(sample_rate: f32) -> Matrix {
        let id = Switches::default().coefficients();
        Matrix {
            switches: Switches::default(),
            k: id.map(|v| Smoothed::new(v, DEFAULT_RAMP_MS, sample_rate)),
        }
    }

    /// Aim the coefficients at the switches.
    pub fn update(&mut self) {
        for (s, v) in self.k.iter_mut().zip(self.switches.coefficients()) {
            s.set(v);
        }
    }

    /// Jump to the switches (for a graph being built).
    pub fn settle(&mut self) {
        for (s, v) in self.k.iter_mut().zip(self.switches.coefficients()) {
            s.reset(v);
        }
    }

    pub fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        let moving = self.k.iter().any(Smoothed::is_smoothing);
        if !moving {
            let [a, b, c, d] = self.k.each_ref().map(Smoothed::current);
            if [a, b, c, d] == [1.0, 0.0, 0.0, 1.0] {
                return;
            }
            for (x, y) in l.iter_mut().zip(r.iter_mut()) {
                (*x, *y) = (a * *x + b * *y, c * *x + d * *y);
            }
            return;
        }
        for (x, y) in l.iter_mut().zip(r.iter_mut()) {
            let [a, b, c, d] = self.k.each_mut().map(|s| s.step());
            (*x, *y) = (a * *x + b * *y, c * *x + d * *y);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_to_coefficients() {
        let s = |mono, side, left, right, polarity| Switches {
            mono,
            side,
            left,
            right,
            polarity,
        };
        let cases = [
            (s(false, false, false, false, false), [1.0, 0.0, 0.0, 1.0]),
            (s(true, false, false, false, false), [0.5, 0.5, 0.5, 0.5]),
            (s(true, true, false, false, false), [0.5, -0.5, 0.5, -0.5]),
            (s(false, false, true, false, false), [1.0, 0.0, 0.0, 0.0]),
            (s(false, false, false, true, false), [0.0, 0.0, 0.0, 1.0]),
            (s(false, false, true, true, false), [1.0, 0.0, 0.0, 1.0]),
            (s(false, false, false, false, true), [1.0, 0.0, 0.0, -1.0]),
            (s(true, false, false, false, true), [0.5, 0.5, -0.5, -0.5]),
        ];
        for (sw, want) in cases {
            assert_eq!(sw.coefficients(), want, "{sw:?}");
        }
    }
}
