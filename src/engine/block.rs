//! Small block operations shared by the strips. Gains arrive as a filled ramp
//! buffer (constant when the smoother is at rest) so one loop shape serves
//! both cases and the compiler can vectorise it.

use super::smoothing::Smoothed;

/// Fill `out` with the smoother's next `out.len()` values.
#[inline]
pub(crate) fn fill(s: &mut Smoothed, out: &mut [f32]) {
    if s.is_smoothing() {
        for o in out.iter_mut() {
            *o = s.step();
        }
    } else {
        out.fill(s.current());
    }
}

/// `x[i] *= g[i]`
#[inline]
pub(crate) fn mul(x: &mut [f32], g: &[f32]) {
    for (x, g) in x.iter_mut().zip(g) {
        *x *= g;
    }
}

/// `dst[i] += src[i] * g[i]`
#[inline]
pub(crate) fn mix(dst: &mut [f32], src: &[f32], g: &[f32]) {
    for ((d, s), g) in dst.iter_mut().zip(src).zip(g) {
        *d += s * g;
    }
}

/// `dst[i] = src[i] * g[i]`
#[inline]
pub(crate) fn scaled(dst: &mut [f32], src: &[f32], g: &[f32]) {
    for ((d, s), g) in dst.iter_mut().zip(src).zip(g) {
        *d = s * g;
    }
}

/// Whether a gain smoother is resting at exactly zero (its path can be skipped).
#[inline]
pub(crate) fn silent(s: &Smoothed) -> bool {
    !s.is_smoothing() && s.current() == 0.0
}

/// `dst[i] += src[i]`
#[inline]
pub(crate) fn add(dst: &mut [f32], src: &[f32]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d += s;
    }
}
