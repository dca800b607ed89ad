//! Lanes: one value for each of [`LANES`] independent channels (the mono
//! tracks of a track group), worked on together.
//!
//! Why: a channel's recursive filters and detectors run one sample after the
//! other, each step waiting on the last, so a single channel leaves most of
//! the CPU idle. Eight unrelated channels have no such dependency between
//! them; put side by side in vector registers, they cost little more than
//! one. [`Lanes`] is a plain array the compiler turns into vector code (two
//! AVX registers of `f64`, or four SSE2 registers on baseline x86-64): no
//! `unsafe`, no target-feature assumptions, stable Rust.
//!
//! Each lane computes exactly what the scalar code computes for its channel
//! (the same operations in the same order; Rust never fuses a multiply and
//! an add by itself, and where we fuse them, [`super::fma`], we do so in
//! both), so a channel gives the same bits whichever way it is processed.

use std::ops::{Add, Mul, Neg, Sub};

/// Channels processed together: 8 `f32`s fill one AVX register.
pub const LANES: usize = 8;

/// One value per lane.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, align(32))]
pub struct Lanes<T>(pub [T; LANES]);

impl<T: Copy> Lanes<T> {
    /// The same value in every lane.
    #[inline(always)]
    pub fn splat(v: T) -> Self {
        Lanes([v; LANES])
    }

    /// `a` where `mask` is set, `b` elsewhere.
    #[inline(always)]
    pub fn select(mask: Lanes<bool>, a: Self, b: Self) -> Self {
        Lanes(std::array::from_fn(
            |i| if mask.0[i] { a.0[i] } else { b.0[i] },
        ))
    }
}

impl<T: Copy> From<T> for Lanes<T> {
    #[inline(always)]
    fn from(v: T) -> Self {
        Lanes::splat(v)
    }
}

macro_rules! lane_op {
    ($trait:ident, $fn:ident, $op:tt) => {
        impl<T: Copy + $trait<Output = T>> $trait for Lanes<T> {
            type Output = Self;
            #[inline(always)]
            fn $fn(self, o: Self) -> Self {
                Lanes(std::array::from_fn(|i| self.0[i] $op o.0[i]))
            }
        }
    };
}
impl<T: Copy + Neg<Output = T>> Neg for Lanes<T> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Lanes(self.0.map(|v| -v))
    }
}

lane_op!(Add, add, +);
lane_op!(Sub, sub, -);
lane_op!(Mul, mul, *);

/// The check every lane-capable processor's tests share.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A processor that runs on one channel or as one lane of a group.
    pub(crate) trait LaneProcessor: Sized {
        fn process_mono(&mut self, x: &mut [f32]);
        fn gain_reduction_db(&self) -> f32;
        fn process_lanes(group: &mut [Option<&mut Self>; LANES], frames: &mut [Lanes<f32>]);
    }

    /// Runs `inputs` (one per lane) through processors made by `make`, once
    /// as a group with lane `absent` missing and once each alone, in blocks
    /// of many sizes; before each block `change(round, lane, processor)` is
    /// applied to both copies of every lane. Every present lane must give
    /// the same bits and the same gain reduction as its processor alone.
    pub(crate) fn assert_lanes_match<P: LaneProcessor>(
        inputs: &[Vec<f32>],
        absent: usize,
        make: impl Fn(usize) -> P,
        mut change: impl FnMut(usize, usize, &mut P),
    ) {
        let n = inputs[0].len();
        let mut lanes: Vec<P> = (0..LANES).map(&make).collect();
        let mut single: Vec<P> = (0..LANES).map(&make).collect();
        let mut frames: Vec<Lanes<f32>> = (0..n)
            .map(|i| Lanes(std::array::from_fn(|l| inputs[l][i])))
            .collect();
        let mut expected = inputs.to_vec();
        let sizes = [1, 7, 64, 100, 333, 512];
        let (mut pos, mut round) = (0, 0);
        while pos < n {
            let len = sizes[round % sizes.len()].min(n - pos);
            for l in 0..LANES {
                change(round, l, &mut lanes[l]);
                change(round, l, &mut single[l]);
            }
            let mut group: [Option<&mut P>; LANES] = std::array::from_fn(|_| None);
            for (l, (slot, p)) in group.iter_mut().zip(lanes.iter_mut()).enumerate() {
                if l != absent {
                    *slot = Some(p);
                }
            }
            P::process_lanes(&mut group, &mut frames[pos..pos + len]);
            for (l, p) in single.iter_mut().enumerate() {
                p.process_mono(&mut expected[l][pos..pos + len]);
                if l != absent {
                    assert_eq!(
                        lanes[l].gain_reduction_db(),
                        p.gain_reduction_db(),
                        "lane {l}"
                    );
                }
            }
            pos += len;
            round += 1;
        }
        for l in (0..LANES).filter(|&l| l != absent) {
            let got: Vec<f32> = frames.iter().map(|f| f.0[l]).collect();
            assert_eq!(got, expected[l], "lane {l}");
        }
        assert_ne!(expected[0], inputs[0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_work_lane_by_lane() {
        let a = Lanes(std::array::from_fn(|i| i as f64));
        let b = Lanes::splat(2.0);
        assert_eq!((a * b + a - b).0[3], 3.0 * 2.0 + 3.0 - 2.0);
        let m = Lanes(std::array::from_fn(|i| i % 2 == 0));
        let s = Lanes::select(m, a, b);
        assert_eq!((s.0[2], s.0[3]), (2.0, 2.0));
        assert_eq!(s.0[4], 4.0);
    }
}
