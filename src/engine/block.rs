//! Small block operations shared by the strips. A gain reaches them as a
//! [`Gain`]: one value while its smoother rests (the usual case, which then
//! costs no buffer pass of its own), or the smoother's ramp written into a
//! buffer while it moves. Either way a sample is multiplied by the same
//! value, so the result does not depend on which form arrived; each loop is
//! a plain one the compiler vectorises.

use super::dsp::fma::MulAdd;
use super::smoothing::Smoothed;

/// A gain over a block.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Gain<'a> {
    /// The same value for every sample.
    Const(f32),
    /// One value per sample.
    Ramp(&'a [f32]),
}

/// The smoother's next `out.len()` values: its value while it rests
/// (nothing written), else its ramp, written into `out`.
#[inline]
pub(crate) fn gain<'a>(s: &mut Smoothed, out: &'a mut [f32]) -> Gain<'a> {
    if s.is_smoothing() {
        for o in out.iter_mut() {
            *o = s.step();
        }
        Gain::Ramp(out)
    } else {
        Gain::Const(s.current())
    }
}

/// The smoother's next values times `other`, sample by sample (`out` holds
/// the product if either moves).
#[inline]
pub(crate) fn gain_times<'a>(s: &mut Smoothed, other: Gain, out: &'a mut [f32]) -> Gain<'a> {
    if let (false, Gain::Const(b)) = (s.is_smoothing(), other) {
        return Gain::Const(s.current() * b);
    }
    if s.is_smoothing() {
        for o in out.iter_mut() {
            *o = s.step();
        }
    } else {
        out.fill(s.current());
    }
    mul(out, other);
    Gain::Ramp(out)
}

/// `x[i] *= g[i]`
#[inline]
pub(crate) fn mul(x: &mut [f32], g: Gain) {
    match g {
        Gain::Const(g) => x.iter_mut().for_each(|x| *x *= g),
        Gain::Ramp(g) => x.iter_mut().zip(g).for_each(|(x, g)| *x *= g),
    }
}

/// `dst[i] += src[i] * g[i]`, one multiply-add (see [`MulAdd`]).
#[inline]
pub(crate) fn mix(dst: &mut [f32], src: &[f32], g: Gain) {
    match g {
        Gain::Const(g) => dst
            .iter_mut()
            .zip(src)
            .for_each(|(d, s)| *d = s.madd(g, *d)),
        Gain::Ramp(g) => {
            for ((d, s), g) in dst.iter_mut().zip(src).zip(g) {
                *d = s.madd(*g, *d);
            }
        }
    }
}

/// `dst.l[i] += l(x[i]) * g` and `dst.r[i] += r(x[i]) * g`: a mono signal
/// panned on the fly into a stereo sum.
#[inline(always)]
pub(crate) fn mix_panned(
    dst_l: &mut [f32],
    dst_r: &mut [f32],
    x: &[f32],
    l: impl Fn(f32) -> f32,
    r: impl Fn(f32) -> f32,
    g: f32,
) {
    for ((dl, dr), &v) in dst_l.iter_mut().zip(dst_r.iter_mut()).zip(x) {
        *dl = l(v).madd(g, *dl);
        *dr = r(v).madd(g, *dr);
    }
}

/// `dst[i] = src[i] * g[i]`
#[inline]
pub(crate) fn scaled(dst: &mut [f32], src: &[f32], g: Gain) {
    match g {
        Gain::Const(g) => dst.iter_mut().zip(src).for_each(|(d, s)| *d = s * g),
        Gain::Ramp(g) => {
            for ((d, s), g) in dst.iter_mut().zip(src).zip(g) {
                *d = s * g;
            }
        }
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
