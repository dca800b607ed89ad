//! What every strip (track, bus, master) has in common: EQ, compressor, fader,
//! mute and meters. The strip types add their own stages around this core.

use super::block::{gain, gain_times, mul, scaled, Gain};
use super::dsp::compressor::Compressor;
use super::dsp::filter_chain::FilterChain;
use super::dsp::pan::{self, PanLaw};
use super::meters::{block_stats, block_stats_of, RmsFollower, StripMeter};
use super::smoothing::{Smoothed, DEFAULT_RAMP_MS};
use super::topology::MAX_BLOCK;
use crate::params::{Param, Spec};
use crate::units::Decibels;

/// Mute and solo fade over this long: short enough to feel instant, long
/// enough not to click.
pub(crate) const MUTE_RAMP_MS: f32 = 5.0;

/// Ramp buffers shared by all strips of a graph (one strip runs at a time).
pub(crate) struct Scratch {
    pub a: Box<[f32]>,
    pub b: Box<[f32]>,
    pub c: Box<[f32]>,
}

impl Scratch {
    pub fn new() -> Self {
        let buf = || vec![0.0; MAX_BLOCK].into_boxed_slice();
        Scratch {
            a: buf(),
            b: buf(),
            c: buf(),
        }
    }
}

/// A stereo block buffer of [`MAX_BLOCK`] frames.
pub(crate) struct Stereo {
    pub l: Box<[f32]>,
    pub r: Box<[f32]>,
}

impl Stereo {
    pub fn new() -> Self {
        Stereo {
            l: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            r: vec![0.0; MAX_BLOCK].into_boxed_slice(),
        }
    }
    #[inline]
    pub fn clear(&mut self, frames: usize) {
        self.l[..frames].fill(0.0);
        self.r[..frames].fill(0.0);
    }
}

/// 0/1 switch values as arrive from the registry.
#[inline]
pub(crate) fn on(v: f32) -> bool {
    v >= 0.5
}

/// A level in dB to the linear gain a smoother ramps.
#[inline]
pub(crate) fn level(db: f32) -> f32 {
    Decibels(db).to_gain().0
}

pub(crate) struct Core {
    pub filters: FilterChain,
    pub comp: Compressor,
    fader: Smoothed,
    mute: Smoothed,
    rms: [RmsFollower; 2],
    sample_rate: f32,
}

impl Core {
    pub fn new(sample_rate: f32) -> Self {
        Core {
            filters: FilterChain::new(sample_rate),
            comp: Compressor::new(sample_rate),
            fader: Smoothed::new(
                level(Spec::of(Param::Gain).default),
                DEFAULT_RAMP_MS,
                sample_rate,
            ),
            mute: Smoothed::new(1.0, MUTE_RAMP_MS, sample_rate),
            rms: Default::default(),
            sample_rate,
        }
    }

    /// Apply a parameter every strip has; false if `param` is not one of them.
    pub fn set(&mut self, param: Param, v: f32) -> bool {
        match param {
            Param::Gain => self.fader.set(level(v)),
            Param::Mute => self.mute.set(if on(v) { 0.0 } else { 1.0 }),
            Param::Eq { band, field } => self.filters.set_eq(band as usize, field, v),
            Param::Comp(field) => self.comp.set(field, v),
            _ => return false,
        }
        true
    }

    /// The mute gain (1 = playing), in `out` if it moves.
    #[inline]
    pub fn mute_gain<'a>(&mut self, out: &'a mut [f32]) -> Gain<'a> {
        gain(&mut self.mute, out)
    }

    /// Apply fader and mute to a stereo block in place.
    #[inline]
    pub fn fader_and_mute(&mut self, l: &mut [f32], r: &mut [f32], scratch: &mut Scratch) {
        let n = l.len();
        let m = gain(&mut self.mute, &mut scratch.b[..n]);
        let g = gain_times(&mut self.fader, m, &mut scratch.a[..n]);
        mul(l, g);
        mul(r, g);
    }

    /// The fader gain, in `out` if it moves (tracks apply their mute before
    /// the pre-fader sends and their fader after).
    #[inline]
    pub fn fader_gain<'a>(&mut self, out: &'a mut [f32]) -> Gain<'a> {
        gain(&mut self.fader, out)
    }

    /// Mute and fader gains, if neither moves.
    #[inline]
    pub fn resting_mute_and_fader(&self) -> Option<(f32, f32)> {
        let (m, f) = (&self.mute, &self.fader);
        (!m.is_smoothing() && !f.is_smoothing()).then(|| (m.current(), f.current()))
    }

    /// Publish peak, RMS and compressor gain reduction of a block.
    pub fn meter(&mut self, meter: &StripMeter, l: &[f32], r: &[f32]) {
        self.publish(meter, block_stats(l), block_stats(r), l.len());
    }

    /// [`Core::meter`] for the stereo block `(f_l(x), f_r(x))`, without
    /// writing it out.
    #[inline(always)]
    pub fn meter_of(
        &mut self,
        meter: &StripMeter,
        x: &[f32],
        f_l: impl Fn(f32) -> f32,
        f_r: impl Fn(f32) -> f32,
    ) {
        let (l, r) = (block_stats_of(x, f_l), block_stats_of(x, f_r));
        self.publish(meter, l, r, x.len());
    }

    fn publish(
        &mut self,
        meter: &StripMeter,
        (pl, ml): (f32, f32),
        (pr, mr): (f32, f32),
        n: usize,
    ) {
        let rms = [
            self.rms[0].feed(ml, n, self.sample_rate),
            self.rms[1].feed(mr, n, self.sample_rate),
        ];
        meter.signal([pl, pr], rms);
        meter.comp(self.comp.gain_reduction_db());
    }
}

/// Pan for mono sources; width and balance for stereo ones.
pub(crate) struct Panner {
    law: PanLaw,
    stereo: bool,
    gain_l: Smoothed,
    gain_r: Smoothed,
    width: Smoothed,
}

impl Panner {
    pub fn new(law: PanLaw, stereo: bool, sample_rate: f32) -> Self {
        let mut p = Panner {
            law,
            stereo,
            gain_l: Smoothed::new(1.0, DEFAULT_RAMP_MS, sample_rate),
            gain_r: Smoothed::new(1.0, DEFAULT_RAMP_MS, sample_rate),
            width: Smoothed::new(1.0, DEFAULT_RAMP_MS, sample_rate),
        };
        let (l, r) = p.gains(Spec::of(Param::Pan).default);
        p.gain_l.reset(l);
        p.gain_r.reset(r);
        p
    }

    /// A mono source's left and right gains, if neither moves.
    #[inline]
    pub fn resting_mono_gains(&self) -> Option<(f32, f32)> {
        let (l, r) = (&self.gain_l, &self.gain_r);
        (!self.stereo && !l.is_smoothing() && !r.is_smoothing()).then(|| (l.current(), r.current()))
    }

    fn gains(&self, pan: f32) -> (f32, f32) {
        if self.stereo {
            self.law.balance(pan)
        } else {
            self.law.gains(pan)
        }
    }

    pub fn set_pan(&mut self, pan: f32) {
        let (l, r) = self.gains(pan);
        self.gain_l.set(l);
        self.gain_r.set(r);
    }

    pub fn set_width(&mut self, width: f32) {
        self.width.set(width);
    }

    /// Mono: the source in `l` becomes the stereo pair `l`/`r`.
    /// Stereo: width, then balance, in place.
    pub fn process(&mut self, l: &mut [f32], r: &mut [f32], scratch: &mut Scratch) {
        let n = l.len();
        let gl = gain(&mut self.gain_l, &mut scratch.a[..n]);
        let gr = gain(&mut self.gain_r, &mut scratch.b[..n]);
        if self.stereo {
            if self.width.is_smoothing() || self.width.current() != 1.0 {
                for (a, b) in l.iter_mut().zip(r.iter_mut()) {
                    (*a, *b) = pan::width(*a, *b, self.width.step());
                }
            }
            mul(r, gr);
        } else {
            scaled(r, l, gr);
        }
        mul(l, gl);
    }
}
