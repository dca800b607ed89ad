//! Where the monitor signal leaves: the speaker sets (each with its trim
//! and alignment delay, gliding in and out as the selection changes), the
//! sub (the mono sum below its crossover) and the engine outputs they
//! write.

use super::super::block::{gain, scaled, silent, Gain};
use super::super::dsp::biquad::{BiquadState, Coeffs};
use super::super::smoothing::{Smoothed, DEFAULT_RAMP_MS};
use super::super::strip::{level, Stereo};
use super::shape::{SpeakerShape, SubShape, MAX_DELAY_MS};
use crate::params::EqType;

/// A fixed delay in whole samples (none at zero), allocated at build.
pub(crate) struct Delay {
    ring: Box<[f32]>,
    at: usize,
    /// Samples of silence fed in a row (once the ring's length, it holds
    /// only zeros).
    quiet: usize,
}

impl Delay {
    pub fn new(ms: f32, sample_rate: f32) -> Delay {
        let samples = (ms.clamp(0.0, MAX_DELAY_MS) * 0.001 * sample_rate).round() as usize;
        Delay {
            ring: vec![0.0; samples].into_boxed_slice(),
            at: 0,
            quiet: samples,
        }
    }

    #[cfg(test)]
    pub fn samples(&self) -> usize {
        self.ring.len()
    }

    /// Whether the ring holds only silence.
    pub fn drained(&self) -> bool {
        self.quiet >= self.ring.len()
    }

    pub fn process(&mut self, x: &mut [f32]) {
        let len = self.ring.len();
        if len == 0 {
            return;
        }
        if x.iter().all(|v| *v == 0.0) {
            if self.drained() {
                return;
            }
            self.quiet += x.len();
        } else {
            self.quiet = 0;
        }
        for v in x.iter_mut() {
            std::mem::swap(&mut self.ring[self.at], v);
            self.at += 1;
            if self.at == len {
                self.at = 0;
            }
        }
    }
}

/// One speaker set: a pair (or one speaker playing the mono sum).
pub(crate) struct SpeakerSet {
    mono: bool,
    trim: f32,
    /// Its trim while selected, 0 otherwise.
    gain: Smoothed,
    delay: [Delay; 2],
}

impl SpeakerSet {
    pub fn new(shape: &SpeakerShape, sample_rate: f32) -> SpeakerSet {
        SpeakerSet {
            mono: shape.mono,
            trim: level(shape.trim_db),
            gain: Smoothed::new(0.0, DEFAULT_RAMP_MS, sample_rate),
            delay: [0, 1].map(|_| Delay::new(shape.delay_ms, sample_rate)),
        }
    }

    pub fn select(&mut self, on: bool) {
        self.gain.set(if on { self.trim } else { 0.0 });
    }

    pub fn settle(&mut self) {
        self.gain.reset(self.gain.target());
    }

    /// Write `mon` (the monitor signal at its level) to engine outputs
    /// `first` and `first + 1` (the second unused for a mono set).
    #[allow(clippy::too_many_arguments)]
    pub fn write(
        &mut self,
        mon: &Stereo,
        outputs: &mut [&mut [f32]],
        first: usize,
        offset: usize,
        n: usize,
        sum: &mut [f32],
        ramp: &mut [f32],
    ) {
        let quiet = silent(&self.gain) && self.delay.iter().all(Delay::drained);
        let g = gain(&mut self.gain, &mut ramp[..n]);
        let sources: [&[f32]; 2] = if self.mono {
            for (s, (l, r)) in sum[..n].iter_mut().zip(mon.l[..n].iter().zip(&mon.r[..n])) {
                *s = 0.5 * (l + r);
            }
            [&sum[..n], &[]]
        } else {
            [&mon.l[..n], &mon.r[..n]]
        };
        let sides = if self.mono { 1 } else { 2 };
        for (side, src) in sources.into_iter().enumerate().take(sides) {
            let Some(dst) = output(outputs, first + side, offset, n) else {
                continue;
            };
            if quiet {
                dst.fill(0.0);
                continue;
            }
            scaled(dst, src, g);
            self.delay[side].process(dst);
        }
    }
}

/// The sub: the mono sum of the speakers' signal, low-passed at its
/// crossover (Linkwitz-Riley, two Butterworth sections), trimmed, delayed.
/// The main speakers stay full range, as on a monitor controller whose sub
/// output feeds a sub with its own crossover.
pub(crate) struct Sub {
    lowpass: Option<Coeffs>,
    state: [BiquadState; 2],
    trim: f32,
    gain: Smoothed,
    delay: Delay,
}

impl Sub {
    pub fn new(shape: &SubShape, sample_rate: f32) -> Sub {
        Sub {
            lowpass: shape.crossover_hz.map(|f| {
                Coeffs::design(
                    EqType::LowPass,
                    f,
                    std::f32::consts::FRAC_1_SQRT_2,
                    0.0,
                    sample_rate,
                )
            }),
            state: Default::default(),
            trim: level(shape.trim_db),
            gain: Smoothed::new(0.0, DEFAULT_RAMP_MS, sample_rate),
            delay: Delay::new(shape.delay_ms, sample_rate),
        }
    }

    pub fn switch(&mut self, on: bool) {
        self.gain.set(if on { self.trim } else { 0.0 });
    }

    pub fn settle(&mut self) {
        self.gain.reset(self.gain.target());
    }

    pub fn write(&mut self, mon: &Stereo, dst: Option<&mut [f32]>, n: usize, ramp: &mut [f32]) {
        let g = gain(&mut self.gain, &mut ramp[..n]);
        let Some(dst) = dst else { return };
        for (d, (l, r)) in dst.iter_mut().zip(mon.l[..n].iter().zip(&mon.r[..n])) {
            *d = 0.5 * (l + r);
        }
        if let Some(c) = &self.lowpass {
            for st in &mut self.state {
                for v in dst.iter_mut() {
                    *v = st.tick(c, *v);
                }
                st.settle();
            }
        }
        match g {
            Gain::Const(g) => dst.iter_mut().for_each(|v| *v *= g),
            Gain::Ramp(g) => dst.iter_mut().zip(g).for_each(|(v, g)| *v *= g),
        }
        self.delay.process(dst);
    }
}

/// Engine output `k` from `offset`, if the caller has it.
pub(crate) fn output<'a>(
    outputs: &'a mut [&mut [f32]],
    k: usize,
    offset: usize,
    n: usize,
) -> Option<&'a mut [f32]> {
    outputs.get_mut(k)?.get_mut(offset..offset + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_shifts_by_whole_samples_across_blocks() {
        let mut d = Delay::new(0.1, 48_000.0); // 4.8 -> 5 samples
        assert_eq!(d.samples(), 5);
        let x: Vec<f32> = (1..=12).map(|i| i as f32).collect();
        let mut y = Vec::new();
        for chunk in x.chunks(5) {
            let mut c = chunk.to_vec();
            d.process(&mut c);
            y.extend(c);
        }
        assert_eq!(&y[..5], &[0.0; 5]);
        assert_eq!(&y[5..], &x[..7]);
        let mut none = Delay::new(0.0, 48_000.0);
        let mut c = vec![1.0, 2.0];
        none.process(&mut c);
        assert_eq!(c, [1.0, 2.0]);
    }
}
