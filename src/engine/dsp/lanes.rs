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
//! (the same operations in the same order, and Rust never fuses a multiply
//! and an add by itself), so a channel gives the same bits whichever way it
//! is processed.

use std::ops::{Add, Mul, Sub};

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
lane_op!(Add, add, +);
lane_op!(Sub, sub, -);
lane_op!(Mul, mul, *);

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
