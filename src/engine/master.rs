//! The master: the sum of the tracks and effect returns through EQ, bus
//! compressor, fader and mute, the true-peak limiter, and the loudness meter
//! (which measures exactly what leaves the console).

use super::dsp::limiter::Limiter;
use super::loudness::{Channel, LoudnessMeter};
use super::meters::{LoudnessReading, Meters};
use super::strip::{Core, Scratch, Stereo};
use crate::params::Param;

pub(crate) struct Master {
    core: Core,
    limiter: Limiter,
    loudness: LoudnessMeter,
}

impl Master {
    pub fn new(sample_rate: f32) -> Self {
        Master {
            core: Core::new(sample_rate),
            limiter: Limiter::new(sample_rate),
            loudness: LoudnessMeter::new(sample_rate, Channel::STEREO),
        }
    }

    pub fn set(&mut self, param: Param, v: f32) {
        if self.core.set(param, v) {
            return;
        }
        if let Param::Limiter(field) = param {
            self.limiter.set(field, v);
        }
    }

    pub fn reset_loudness(&mut self) {
        self.loudness.reset();
    }

    /// Latency the limiter's look-ahead adds to the master output, in samples.
    pub fn latency(&self) -> usize {
        self.limiter.latency_samples()
    }

    pub fn process(
        &mut self,
        io: &mut Stereo,
        frames: usize,
        scratch: &mut Scratch,
        meters: &Meters,
    ) {
        let (l, r) = (&mut io.l[..frames], &mut io.r[..frames]);
        self.core.filters.process_stereo(l, r);
        self.core.comp.process_stereo(l, r);
        self.core.fader_and_mute(l, r, scratch);
        self.limiter.process_stereo(l, r);
        self.loudness.process(&[l, r]);

        let m = meters.master();
        self.core.meter(m, l, r);
        m.limiter(self.limiter.gain_reduction_db());
        meters.set_loudness(LoudnessReading {
            momentary: self.loudness.momentary(),
            short_term: self.loudness.short_term(),
            integrated: self.loudness.integrated(),
            range: self.loudness.loudness_range(),
            true_peak: self.loudness.true_peak_dbtp(),
        });
    }
}
