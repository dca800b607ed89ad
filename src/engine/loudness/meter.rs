//! The loudness meter: K-weighted energy in 100 ms steps, and everything
//! BS.1770 and EBU R128 derive from it.

use super::histogram::EnergyHistogram;
use super::k_weighting::KWeighting;
use super::{energy_to_lufs, Channel};
use crate::engine::dsp::peak_interpolator::CHUNK;
use crate::engine::dsp::true_peak::TruePeak;

/// Steps of 100 ms in each window.
const MOMENTARY_STEPS: usize = 4;
const SHORT_TERM_STEPS: usize = 30;
/// Relative gates: integrated loudness (BS.1770) and loudness range (Tech 3342).
const INTEGRATED_GATE_LU: f64 = -10.0;
const RANGE_GATE_LU: f64 = -20.0;
/// Loudness range is the spread between these fractions of the short-term values.
const RANGE_PERCENTILES: [f64; 2] = [0.10, 0.95];

struct ChannelState {
    weight: f64,
    k: KWeighting,
    tp: TruePeak,
    /// One pass of the input, non-finite samples silenced, and its true
    /// peaks.
    input: [f32; CHUNK],
    peaks: [f32; CHUNK],
}

impl ChannelState {
    /// Filter `input`; returns the weighted sum of squares, the true peak
    /// and the sample peak of this run (linear).
    #[inline]
    fn run(&mut self, input: &[f32]) -> (f64, f32, f32) {
        let mut sum = 0.0f64;
        let mut true_peak = 0.0f32;
        let mut sample_peak = 0.0f32;
        for input in input.chunks(CHUNK) {
            let x = &mut self.input[..input.len()];
            for (x, &i) in x.iter_mut().zip(input) {
                // A non-finite sample would poison the filter state for good.
                *x = if i.is_finite() { i } else { 0.0 };
            }
            for &x in x.iter() {
                let y = self.k.tick(x as f64);
                sum += y * y;
                sample_peak = sample_peak.max(x.abs());
            }
            let peaks = &mut self.peaks[..x.len()];
            self.tp.peaks(x, peaks);
            true_peak = peaks.iter().fold(true_peak, |m, &p| m.max(p));
        }
        self.k.settle();
        (sum * self.weight, true_peak, sample_peak)
    }

    fn reset(&mut self) {
        self.k.reset();
        self.tp.reset();
    }
}

/// An EBU R128 loudness meter for one programme of 1 or more channels.
///
/// All memory is allocated in [`LoudnessMeter::new`]; [`LoudnessMeter::process`]
/// and the getters are real-time safe. Momentary and short-term loudness,
/// their maxima, integrated loudness and range update every 100 ms of audio.
/// Loudness values are `f32::NEG_INFINITY` until there is enough audio
/// (400 ms for momentary and integrated, 3 s for short-term) and while the
/// measured programme is silent; the loudness range is 0 LU until there are
/// short-term values above the gate.
pub struct LoudnessMeter {
    sample_rate: f32,
    channels: Box<[ChannelState]>,
    step_frames: usize,
    step_filled: usize,
    step_energy: f64,
    /// Sum of weighted squares of the last steps, a ring with `newest` last written.
    steps: [f64; SHORT_TERM_STEPS],
    newest: usize,
    steps_done: u64,
    frames: u64,
    blocks: EnergyHistogram,
    short_terms: EnergyHistogram,
    momentary: f32,
    short_term: f32,
    momentary_max: f32,
    short_term_max: f32,
    integrated: f32,
    range: f32,
    true_peak: f32,
    sample_peak: f32,
}

fn to_db(linear: f32) -> f32 {
    if linear > 0.0 {
        20.0 * linear.log10()
    } else {
        f32::NEG_INFINITY
    }
}

impl LoudnessMeter {
    /// Sample rates outside these are clamped (the K-weighting shelf needs a
    /// Nyquist frequency well above 1.7 kHz).
    pub const MIN_RATE: f32 = 8_000.0;
    pub const MAX_RATE: f32 = 768_000.0;

    /// A meter for planar input whose channels play the given roles, e.g.
    /// [`Channel::STEREO`]. `sample_rate` is clamped to 8 kHz..=768 kHz.
    pub fn new(sample_rate: f32, channels: &[Channel]) -> Self {
        let sample_rate = if sample_rate.is_finite() {
            sample_rate.clamp(Self::MIN_RATE, Self::MAX_RATE)
        } else {
            48_000.0
        };
        let channels = channels
            .iter()
            .map(|c| ChannelState {
                weight: c.weight(),
                k: KWeighting::new(sample_rate as f64),
                tp: TruePeak::new(sample_rate),
                input: [0.0; CHUNK],
                peaks: [0.0; CHUNK],
            })
            .collect();
        LoudnessMeter {
            sample_rate,
            channels,
            step_frames: (sample_rate / 10.0).round() as usize,
            step_filled: 0,
            step_energy: 0.0,
            steps: [0.0; SHORT_TERM_STEPS],
            newest: 0,
            steps_done: 0,
            frames: 0,
            blocks: EnergyHistogram::new(),
            short_terms: EnergyHistogram::new(),
            momentary: f32::NEG_INFINITY,
            short_term: f32::NEG_INFINITY,
            momentary_max: f32::NEG_INFINITY,
            short_term_max: f32::NEG_INFINITY,
            integrated: f32::NEG_INFINITY,
            range: 0.0,
            true_peak: 0.0,
            sample_peak: 0.0,
        }
    }

    /// Measure one block of planar audio, one slice per channel in the order
    /// given to `new`. Any length; slices past the meter's channel count are
    /// ignored, and only the frames every slice has are measured.
    pub fn process(&mut self, channels: &[&[f32]]) {
        let frames = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        let mut at = 0;
        while at < frames {
            let n = (frames - at).min(self.step_frames - self.step_filled);
            for (state, input) in self.channels.iter_mut().zip(channels) {
                let (energy, true_peak, sample_peak) = state.run(&input[at..at + n]);
                self.step_energy += energy;
                self.true_peak = self.true_peak.max(true_peak);
                self.sample_peak = self.sample_peak.max(sample_peak);
            }
            at += n;
            self.step_filled += n;
            if self.step_filled == self.step_frames {
                self.finish_step();
            }
        }
        self.frames += frames as u64;
    }

    /// Mean energy per frame over the last `count` steps.
    fn window_energy(&self, count: usize) -> f64 {
        let sum: f64 = (0..count)
            .map(|back| self.steps[(self.newest + SHORT_TERM_STEPS - back) % SHORT_TERM_STEPS])
            .sum();
        sum / (count * self.step_frames) as f64
    }

    fn finish_step(&mut self) {
        self.newest = (self.newest + 1) % SHORT_TERM_STEPS;
        self.steps[self.newest] = self.step_energy;
        self.step_energy = 0.0;
        self.step_filled = 0;
        self.steps_done += 1;

        if self.steps_done >= MOMENTARY_STEPS as u64 {
            let energy = self.window_energy(MOMENTARY_STEPS);
            self.momentary = energy_to_lufs(energy) as f32;
            self.momentary_max = self.momentary_max.max(self.momentary);
            if self.blocks.add(energy) {
                self.integrated = self
                    .blocks
                    .relative_gate(INTEGRATED_GATE_LU)
                    .and_then(|gate| self.blocks.mean_above(gate))
                    .map_or(f32::NEG_INFINITY, |e| energy_to_lufs(e) as f32);
            }
        }
        if self.steps_done >= SHORT_TERM_STEPS as u64 {
            let energy = self.window_energy(SHORT_TERM_STEPS);
            self.short_term = energy_to_lufs(energy) as f32;
            self.short_term_max = self.short_term_max.max(self.short_term);
            if self.short_terms.add(energy) {
                self.range = self
                    .short_terms
                    .relative_gate(RANGE_GATE_LU)
                    .and_then(|gate| self.short_terms.percentiles_above(gate, RANGE_PERCENTILES))
                    .map_or(0.0, |[low, high]| (high - low) as f32);
            }
        }
    }

    /// Loudness of the last 400 ms, LUFS.
    pub fn momentary(&self) -> f32 {
        self.momentary
    }

    /// Loudness of the last 3 s, LUFS.
    pub fn short_term(&self) -> f32 {
        self.short_term
    }

    /// Gated loudness of everything since the start or the last reset, LUFS.
    pub fn integrated(&self) -> f32 {
        self.integrated
    }

    /// Loudness range (EBU Tech 3342), LU.
    pub fn loudness_range(&self) -> f32 {
        self.range
    }

    pub fn momentary_max(&self) -> f32 {
        self.momentary_max
    }

    pub fn short_term_max(&self) -> f32 {
        self.short_term_max
    }

    /// Largest inter-sample peak so far over all channels, dBTP.
    pub fn true_peak_dbtp(&self) -> f32 {
        // The detector reports a sample 8 frames late; the sample peak
        // covers the most recent ones (a true peak is never below it).
        to_db(self.true_peak.max(self.sample_peak))
    }

    /// Largest absolute sample value so far over all channels, dBFS.
    pub fn sample_peak_dbfs(&self) -> f32 {
        to_db(self.sample_peak)
    }

    /// Frames measured since the start or the last reset.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Audio measured since the start or the last reset, in seconds.
    pub fn duration_s(&self) -> f64 {
        self.frames as f64 / self.sample_rate as f64
    }

    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Start a new measurement.
    pub fn reset(&mut self) {
        self.channels.iter_mut().for_each(ChannelState::reset);
        self.step_filled = 0;
        self.step_energy = 0.0;
        self.steps = [0.0; SHORT_TERM_STEPS];
        self.newest = 0;
        self.steps_done = 0;
        self.frames = 0;
        self.blocks.clear();
        self.short_terms.clear();
        self.momentary = f32::NEG_INFINITY;
        self.short_term = f32::NEG_INFINITY;
        self.momentary_max = f32::NEG_INFINITY;
        self.short_term_max = f32::NEG_INFINITY;
        self.integrated = f32::NEG_INFINITY;
        self.range = 0.0;
        self.true_peak = 0.0;
        self.sample_peak = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(amp: f32, hz: f32, sr: f32, frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|n| amp * (std::f32::consts::TAU * hz * n as f32 / sr).sin())
            .collect()
    }

    #[test]
    fn nothing_before_enough_audio() {
        let mut m = LoudnessMeter::new(48_000.0, Channel::STEREO);
        assert_eq!(m.integrated(), f32::NEG_INFINITY);
        assert_eq!(m.true_peak_dbtp(), f32::NEG_INFINITY);
        let x = sine(0.5, 1000.0, 48_000.0, 19_199);
        m.process(&[&x, &x]);
        assert_eq!(m.momentary(), f32::NEG_INFINITY);
        m.process(&[&[0.0], &[0.0]]);
        assert!(m.momentary().is_finite());
        assert!(m.integrated().is_finite());
        assert_eq!(m.short_term(), f32::NEG_INFINITY);
        assert_eq!(m.loudness_range(), 0.0);
    }

    #[test]
    fn one_channel_full_scale_sine_reads_minus_3_01() {
        // BS.1770's calibration point: 0 dBFS, 997 Hz, one front channel.
        let mut m = LoudnessMeter::new(48_000.0, Channel::MONO);
        let x = sine(1.0, 997.0, 48_000.0, 48_000);
        for block in x.chunks(37) {
            m.process(&[block]);
        }
        assert!((m.momentary() + 3.01).abs() < 0.02, "{}", m.momentary());
        assert!((m.integrated() + 3.01).abs() < 0.02, "{}", m.integrated());
        assert!((m.sample_peak_dbfs()).abs() < 0.01);
    }

    #[test]
    fn surround_weight_and_lfe_exclusion() {
        let x = sine(0.25, 1000.0, 48_000.0, 24_000);
        let z = vec![0.0; x.len()];
        let read = |layout: &[Channel], inputs: &[&[f32]]| {
            let mut m = LoudnessMeter::new(48_000.0, layout);
            m.process(inputs);
            m.integrated()
        };
        let front = read(Channel::SURROUND_5_0, &[&x, &z, &z, &z, &z]);
        let surround = read(Channel::SURROUND_5_0, &[&z, &z, &z, &x, &z]);
        assert!((surround - front - 10.0 * 1.41f32.log10()).abs() < 1e-3);
        let lfe = read(Channel::SURROUND_5_1, &[&z, &z, &z, &x, &z, &z]);
        assert_eq!(lfe, f32::NEG_INFINITY);
    }

    #[test]
    fn non_finite_input_is_silence_and_reset_starts_over() {
        let mut m = LoudnessMeter::new(48_000.0, Channel::MONO);
        let mut x = sine(0.5, 1000.0, 48_000.0, 48_000);
        x[100] = f32::NAN;
        x[200] = f32::INFINITY;
        m.process(&[&x]);
        assert!(m.integrated().is_finite() && m.true_peak_dbtp() < 0.0);
        m.reset();
        assert_eq!(m.integrated(), f32::NEG_INFINITY);
        assert_eq!(m.momentary_max(), f32::NEG_INFINITY);
        assert_eq!(m.frames(), 0);
        m.process(&[&x]);
        assert!((m.integrated() - m.momentary()).abs() < 0.01);
    }

    #[test]
    fn mismatched_inputs_do_not_panic() {
        let mut m = LoudnessMeter::new(f32::NAN, Channel::STEREO);
        m.process(&[]);
        m.process(&[&[0.1; 10]]);
        m.process(&[&[0.1; 10], &[0.1; 4], &[0.1; 7]]);
        assert_eq!(m.frames(), 14);
        assert_eq!(m.sample_rate(), 48_000.0);
    }
}
