//! The modulation insert: chorus, flanger, phaser, tremolo and auto-pan,
//! on a stereo signal (after the strip's pan).
//!
//! One sine LFO drives every type; its rate is `rate` in Hz or, when `note`
//! is set, one cycle per note value of the session tempo. The right
//! channel's LFO runs [`SPREAD`] of a cycle ahead for chorus and phaser, so
//! a centred mono source spreads across the sides; flanger and tremolo move
//! both sides together; auto-pan moves them in opposition. With `φ` the
//! LFO's phase in cycles and `d` the depth:
//! - **chorus** and **flanger**: the input read from a delay line at
//!   `delay · (1 + d · sin 2πφ)` ms (never under two samples),
//!   cubic-interpolated ([`super::interpolate`]), fed back into the line
//!   by `feedback`. They
//!   differ in their spread; a flanger wants a short `delay` (1–3 ms) and
//!   some feedback, a chorus the default 7 ms and none.
//! - **phaser**: `stages` (4–12) first-order allpass filters in series,
//!   `H(z) = (a + z⁻¹) / (1 + a z⁻¹)` with `a = (t - 1) / (t + 1)`,
//!   `t = tan(π fc / fs)`, so each stage turns the phase by 90° at `fc`;
//!   `fc = 1 kHz · 2^(3 d sin 2πφ)` sweeps ±3 octaves at full depth and is
//!   recomputed every [`COEF_INTERVAL`] samples. `feedback` returns the
//!   chain's output to its input. Mixed half and half with the input, the
//!   chain's 180° points become notches.
//! - **tremolo**: gain `1 - d · (1 + sin 2πφ) / 2`.
//! - **auto-pan**: the constant-power pan law at position `d · sin 2πφ`,
//!   unity at the centre: `√2 cos(π(p + 1)/4)` left, `√2 sin(π(p + 1)/4)`
//!   right.
//!
//! Every type is mixed with the input by `mix`. Depth, rate, delay,
//! feedback and mix are smoothed, so moving them never zips; a type or
//! stage-count change crossfades between the old and the new effect over
//! [`FADE_MS`] (a change asked for during one waits for it to end); switching
//! on or off crossfades between the input and the effect. The delay line is
//! written whenever the insert runs, whatever the type, so a crossfade to
//! chorus or flanger never reads stale audio; switched on from off, the
//! line starts cleared and the effect fades in once it holds the longest
//! delay asked for. Off, the insert is not called at all.

use super::fma::MulAdd;
use super::line::Line;
use super::switching::{OnOff, Voices};
use crate::engine::smoothing::{Smoothed, DEFAULT_RAMP_MS};
use crate::params::{ModField, ModType, NoteValue, Param, Spec};
use crate::units::Millis;

/// The crossfade on switching on or off and between types.
pub const FADE_MS: f32 = 15.0;
/// How far ahead the right channel's LFO runs for chorus and phaser, in
/// cycles.
pub const SPREAD: f32 = 0.25;
/// The phaser's centre frequency and its sweep at full depth, ± octaves.
pub const PHASER_CENTRE_HZ: f32 = 1000.0;
pub const PHASER_OCTAVES: f32 = 3.0;
/// The most allpass stages of the phaser.
pub const MAX_STAGES: usize = 12;
/// The phaser's coefficients are recomputed this often, in samples.
pub const COEF_INTERVAL: u32 = 16;
/// The phaser's break frequency stays this far below Nyquist.
const MAX_FC_OF_FS: f32 = 0.45;
/// The most samples processed as one block.
const BLOCK: usize = 64;
/// The shortest delay read: the cubic read needs the sample after the one
/// read, and this sample's input enters the line only after the read.
const MIN_DELAY: f32 = 2.0;

/// sin(2πφ) for any φ (in cycles): a degree-9 odd polynomial on a quarter
/// cycle, within 4e-6 of `sin`. No branches, so a loop of it vectorises.
#[inline(always)]
pub fn sin_cycles(phase: f32) -> f32 {
    let x = phase - (phase + 0.5).floor();
    // |x| in 0..0.5 folded into 0..0.25 by sin(π - t) = sin(t).
    let folded = 0.25 - (x.abs() - 0.25).abs();
    let t = std::f32::consts::TAU * folded;
    let t2 = t * t;
    let p = (1.0 / 362_880.0f32)
        .madd(t2, -1.0 / 5040.0)
        .madd(t2, 1.0 / 120.0)
        .madd(t2, -1.0 / 6.0)
        .madd(t2, 1.0);
    (t * p).copysign(x)
}

fn default_of(field: ModField) -> f32 {
    Spec::of(Param::Mod(field)).default
}

/// What the insert is set to make: a type and, for the phaser, its stages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Voice {
    kind: ModType,
    stages: usize,
}

impl Voice {
    fn reads_line(self) -> bool {
        matches!(self.kind, ModType::Chorus | ModType::Flanger)
    }

    fn spread(self) -> f32 {
        match self.kind {
            ModType::Chorus | ModType::Phaser => SPREAD,
            _ => 0.0,
        }
    }
}

/// The allpass chains of the phaser, both channels side by side.
#[derive(Clone, Copy, Default)]
struct Chains {
    state: [[f32; 2]; MAX_STAGES],
    coef: [f32; 2],
    /// The output of the last sample, for the feedback.
    last: [f32; 2],
}

impl Chains {
    /// Run `x` through the first `stages` stages; the outputs of stage
    /// `taps.0` and `taps.1` (1-based; 0 for none).
    #[inline(always)]
    fn run(&mut self, x: [f32; 2], stages: usize, taps: (usize, usize)) -> [[f32; 2]; 2] {
        let a = self.coef;
        let mut v = x;
        let mut out = [[0.0; 2]; 2];
        for (k, s) in self.state[..stages].iter_mut().enumerate() {
            for c in 0..2 {
                let y = a[c].madd(v[c], s[c]);
                s[c] = (-a[c]).madd(y, v[c]);
                v[c] = y;
            }
            if k + 1 == taps.0 {
                out[0] = v;
            }
            if k + 1 == taps.1 {
                out[1] = v;
            }
        }
        out
    }
}

/// The per-sample controls of one block.
struct Controls {
    /// The LFO's phase (left channel), cycles.
    phase: [f32; BLOCK],
    depth: [f32; BLOCK],
    /// Centre delay, samples.
    centre: [f32; BLOCK],
    feedback: [f32; BLOCK],
    mix: [f32; BLOCK],
    /// Weight of the voice faded to.
    blend: [f32; BLOCK],
    /// 0 = the input, 1 = the effect.
    fade: [f32; BLOCK],
}

impl Default for Controls {
    fn default() -> Self {
        Controls {
            phase: [0.0; BLOCK],
            depth: [0.0; BLOCK],
            centre: [0.0; BLOCK],
            feedback: [0.0; BLOCK],
            mix: [0.0; BLOCK],
            blend: [0.0; BLOCK],
            fade: [0.0; BLOCK],
        }
    }
}

/// The phaser's allpass coefficient for a break frequency of `fc`.
fn allpass_coef(fc: f32, sample_rate: f32) -> f32 {
    let t = (std::f32::consts::PI * fc.min(MAX_FC_OF_FS * sample_rate) / sample_rate).tan();
    (t - 1.0) / (t + 1.0)
}

/// The modulation insert of one strip; see the module documentation.
pub struct Modulation {
    sample_rate: f32,
    lines: [Line; 2],
    /// Samples pushed since the lines were cleared (saturating).
    filled: usize,
    max_delay: f32,
    chains: Chains,
    controls: Box<Controls>,
    /// The wet signal of the voice faded from and to, by channel.
    wet: Box<[[[f32; BLOCK]; 2]; 2]>,
    /// The delay-line ages the delay voices read, likewise.
    ages: Box<[[[f32; BLOCK]; 2]; 2]>,
    /// Where the coefficient interval stands.
    coef_clock: u32,
    /// The LFO's phase in cycles, in double precision so that a synced
    /// LFO keeps to the beat over hours.
    phase: f64,
    on_off: OnOff,
    /// The voice last asked for (type and stages are set one at a time).
    voice: Voice,
    voices: Voices<Voice>,
    rate_hz: f32,
    note: f32,
    bpm: f32,
    /// LFO increment per sample (cycles).
    rate: Smoothed,
    depth: Smoothed,
    /// Centre delay in samples.
    delay: Smoothed,
    feedback: Smoothed,
    mix: Smoothed,
}

impl Modulation {
    pub fn new(sample_rate: f32) -> Self {
        let fs = super::usable_rate(sample_rate);
        let delay_spec = Spec::of(Param::Mod(ModField::Delay));
        let depth_max = Spec::of(Param::Mod(ModField::Depth)).max;
        let max_delay = Millis(delay_spec.max * (1.0 + depth_max)).to_samples(fs) + 4.0;
        let ramp = |v: f32| Smoothed::new(v, DEFAULT_RAMP_MS, fs);
        let voice = Voice {
            kind: ModType::from_index(default_of(ModField::Type)),
            stages: default_of(ModField::Stages) as usize,
        };
        let mut m = Modulation {
            sample_rate: fs,
            lines: [0, 1].map(|_| Line::new(max_delay.ceil() as usize + 4)),
            filled: 0,
            max_delay,
            chains: Chains::default(),
            controls: Box::new(Controls::default()),
            wet: Box::new([[[0.0; BLOCK]; 2]; 2]),
            ages: Box::new([[[0.0; BLOCK]; 2]; 2]),
            coef_clock: 0,
            phase: 0.0,
            on_off: OnOff::new(FADE_MS, fs),
            voice,
            voices: Voices::new(voice, FADE_MS, fs),
            rate_hz: default_of(ModField::Rate),
            note: default_of(ModField::Note),
            bpm: Spec::of(Param::Tempo).default,
            rate: ramp(0.0),
            depth: ramp(default_of(ModField::Depth)),
            delay: ramp(Millis(default_of(ModField::Delay)).to_samples(fs)),
            feedback: ramp(default_of(ModField::Feedback)),
            mix: ramp(default_of(ModField::Mix)),
        };
        m.retime();
        m.rate.reset(m.rate.target());
        m
    }

    /// Set a parameter, in the units of its [`Spec`]; NaN is ignored and
    /// out-of-range values are clamped.
    pub fn set(&mut self, field: ModField, value: f32) {
        let Some(v) = Spec::of(Param::Mod(field)).clamp(value) else {
            return;
        };
        match field {
            ModField::On => self.switch(v >= 0.5),
            ModField::Type => self.revoice(Voice {
                kind: ModType::from_index(v),
                ..self.voice
            }),
            ModField::Stages => self.revoice(Voice {
                stages: v.round() as usize,
                ..self.voice
            }),
            ModField::Rate => {
                self.rate_hz = v;
                self.retime();
            }
            ModField::Note => {
                self.note = v;
                self.retime();
            }
            ModField::Depth => self.depth.set(v),
            ModField::Delay => self.delay.set(Millis(v).to_samples(self.sample_rate)),
            ModField::Feedback => self.feedback.set(v),
            ModField::Mix => self.mix.set(v),
        }
    }

    /// The session tempo, for note-value rates.
    pub fn set_tempo(&mut self, bpm: f32) {
        if let Some(b) = Spec::of(Param::Tempo).clamp(bpm) {
            self.bpm = b;
            self.retime();
        }
    }

    /// The LFO rate now asked for, in Hz.
    pub fn rate_hz(&self) -> f32 {
        NoteValue::millis(self.note, self.bpm).map_or(self.rate_hz, |ms| 1000.0 / ms)
    }

    /// Whether [`Self::process_stereo`] must run: while on, and until a
    /// switch-off has faded out.
    pub fn is_active(&self) -> bool {
        self.on_off.running()
    }

    fn retime(&mut self) {
        self.rate.set(self.rate_hz() / self.sample_rate);
    }

    fn switch(&mut self, on: bool) {
        let longest = self.delay.target() * (1.0 + self.depth.target());
        if !self.on_off.switch(on, || longest.ceil() as usize + 4) {
            return;
        }
        self.lines.iter_mut().for_each(Line::clear);
        self.filled = 0;
        self.chains = Chains::default();
        for s in [
            &mut self.rate,
            &mut self.depth,
            &mut self.delay,
            &mut self.feedback,
            &mut self.mix,
        ] {
            s.reset(s.target());
        }
    }

    fn revoice(&mut self, voice: Voice) {
        self.voice = voice;
        if self.voices.request(voice, self.on_off.running()) {
            self.crossfade_started();
        }
    }

    /// A crossfade to a phaser from another type starts its chains from
    /// rest: they have not been running.
    fn crossfade_started(&mut self) {
        let (from, to) = self.voices.pair();
        if to.kind == ModType::Phaser && from.kind != ModType::Phaser {
            self.chains = Chains::default();
            self.coef_clock = 0;
        }
    }

    pub fn process_stereo(&mut self, l: &mut [f32], r: &mut [f32]) {
        let n = l.len().min(r.len());
        let mut start = 0;
        while start < n {
            let len = self.fill_controls(BLOCK.min(n - start));
            let end = start + len;
            self.run([&mut l[start..end], &mut r[start..end]]);
            start = end;
        }
    }

    /// Fill the controls for up to `len` samples; returns how many, fewer
    /// when a crossfade between voices ends (the next block starts the next
    /// one).
    fn fill_controls(&mut self, len: usize) -> usize {
        let len = self.voices.block_len(len);
        let c = &mut self.controls;
        for p in &mut c.phase[..len] {
            *p = self.phase as f32;
            self.phase += self.rate.step() as f64;
            self.phase -= self.phase.floor();
        }
        self.depth.fill(&mut c.depth[..len]);
        self.delay.fill(&mut c.centre[..len]);
        self.feedback.fill(&mut c.feedback[..len]);
        self.mix.fill(&mut c.mix[..len]);
        self.voices.fill(&mut c.blend[..len]);
        self.on_off.fill(&mut c.fade[..len]);
        len
    }

    /// One block of the controls' length: each voice's wet signal, then
    /// the mix, the crossfade between voices and the fade in or out.
    // Per-sample loops over parallel arrays (controls, channels, voices)
    // read best indexed.
    #[allow(clippy::needless_range_loop)]
    fn run(&mut self, x: [&mut [f32]; 2]) {
        let n = x[0].len();
        let (from, to) = self.voices.pair();
        let voices: &[Voice] = if from == to { &[to] } else { &[from, to] };
        let slot = |k: usize| if voices.len() == 1 { 1 } else { k };

        let delays = voices.iter().filter(|v| v.reads_line()).count();
        if delays > 0 {
            self.delay_voices(&x, voices, n);
        } else {
            self.feed_lines(&x, n);
        }
        if voices.iter().any(|v| v.kind == ModType::Phaser) {
            self.phaser(&x, (from, to), n);
        }
        for (k, &v) in voices.iter().enumerate() {
            match v.kind {
                ModType::Tremolo => self.tremolo(&x, slot(k), n),
                ModType::AutoPan => self.autopan(&x, slot(k), n),
                _ => {}
            }
        }

        let c = &self.controls;
        for (ch, x) in x.into_iter().enumerate() {
            let [w0, w1] = [&self.wet[0][ch], &self.wet[1][ch]];
            for k in 0..n {
                let (m, b, f) = (c.mix[k], c.blend[k], c.fade[k]);
                let dry = x[k];
                let to = w1[k].madd(m, dry * (1.0 - m));
                let effect = if voices.len() == 1 {
                    to
                } else {
                    let from = w0[k].madd(m, dry * (1.0 - m));
                    to.madd(b, from * (1.0 - b))
                };
                x[k] = effect.madd(f, dry * (1.0 - f));
            }
        }

        if self.voices.land() {
            self.crossfade_started();
        }
    }

    /// Lines fed with the input alone (no delay voice runs).
    fn feed_lines(&mut self, x: &[&mut [f32]; 2], n: usize) {
        for (line, x) in self.lines.iter_mut().zip(x) {
            x[..n].iter().for_each(|&v| line.push(v));
        }
        self.filled = self.filled.saturating_add(n);
    }

    /// Chorus and flanger: the lines read at the LFO's delays, then fed
    /// with the input and the feedback, a sample at a time.
    // Per-sample loops over parallel arrays (controls, channels, voices)
    // read best indexed.
    #[allow(clippy::needless_range_loop)]
    fn delay_voices(&mut self, x: &[&mut [f32]; 2], voices: &[Voice], n: usize) {
        let c = &*self.controls;
        let single = voices.len() == 1;
        // The delays first, in a loop that vectorises: as ages in the
        // lines, whose newest sample enters after the read.
        for (k, v) in voices.iter().enumerate() {
            if !v.reads_line() {
                continue;
            }
            let slot = if single { 1 } else { k };
            for ch in 0..2 {
                let spread = ch as f32 * v.spread();
                for (i, age) in self.ages[slot][ch][..n].iter_mut().enumerate() {
                    let lfo = sin_cycles(c.phase[i] + spread);
                    *age = c.centre[i] * c.depth[i].madd(lfo, 1.0) - 1.0;
                }
            }
        }
        // Once the lines hold their longest delay, only the shortest read
        // needs a bound.
        let settled = self.filled as f32 - 4.0 >= self.max_delay;
        if single {
            for i in 0..n {
                let most = self.longest_read(settled);
                for ch in 0..2 {
                    let age = self.ages[1][ch][i].clamp(MIN_DELAY - 1.0, most);
                    let whole = age as usize;
                    let wet = self.lines[ch].read(whole, age - whole as f32);
                    self.wet[1][ch][i] = wet;
                    self.lines[ch].push(c.feedback[i].madd(wet, x[ch][i]));
                }
                self.filled = self.filled.saturating_add(1);
            }
            return;
        }
        for i in 0..n {
            let most = self.longest_read(settled);
            let mut back = [0.0f32; 2];
            for (k, v) in voices.iter().enumerate() {
                if !v.reads_line() {
                    continue;
                }
                let weight = if k == 0 { 1.0 - c.blend[i] } else { c.blend[i] };
                for ch in 0..2 {
                    let age = self.ages[k][ch][i].clamp(MIN_DELAY - 1.0, most);
                    let whole = age as usize;
                    let wet = self.lines[ch].read(whole, age - whole as f32);
                    self.wet[k][ch][i] = wet;
                    back[ch] = wet.madd(weight, back[ch]);
                }
            }
            for ch in 0..2 {
                self.lines[ch].push(c.feedback[i].madd(back[ch], x[ch][i]));
            }
            self.filled = self.filled.saturating_add(1);
        }
    }

    /// The oldest age a read may reach: what the lines have been filled
    /// with since they were cleared.
    #[inline]
    fn longest_read(&self, settled: bool) -> f32 {
        if settled {
            self.max_delay
        } else {
            (self.filled as f32 - 4.0).clamp(MIN_DELAY - 1.0, self.max_delay)
        }
    }

    /// The phaser's chains, with the coefficients of the LFO recomputed
    /// every [`COEF_INTERVAL`] samples.
    // Per-sample loops over parallel arrays (controls, channels, voices)
    // read best indexed.
    #[allow(clippy::needless_range_loop)]
    fn phaser(&mut self, x: &[&mut [f32]; 2], (from, to): (Voice, Voice), n: usize) {
        let stages = |v: Voice| {
            if v.kind == ModType::Phaser {
                v.stages
            } else {
                0
            }
        };
        let taps = (stages(from), stages(to));
        let deepest = taps.0.max(taps.1);
        let single = from == to;
        let c = &self.controls;
        for i in 0..n {
            if self.coef_clock == 0 {
                for ch in 0..2 {
                    let lfo = sin_cycles(c.phase[i] + ch as f32 * SPREAD);
                    let fc = PHASER_CENTRE_HZ * (PHASER_OCTAVES * c.depth[i] * lfo).exp2();
                    self.chains.coef[ch] = allpass_coef(fc, self.sample_rate);
                }
            }
            self.coef_clock = (self.coef_clock + 1) % COEF_INTERVAL;
            let fb = c.feedback[i];
            let last = self.chains.last;
            let u = [fb.madd(last[0], x[0][i]), fb.madd(last[1], x[1][i])];
            let [a, b] = self.chains.run(u, deepest, taps);
            let blend = if single { 1.0 } else { c.blend[i] };
            for ch in 0..2 {
                self.chains.last[ch] = b[ch].madd(blend, a[ch] * (1.0 - blend));
                // Only the phaser's own slots: the other voice wrote its own.
                if taps.1 > 0 {
                    self.wet[1][ch][i] = b[ch];
                }
                if !single && taps.0 > 0 {
                    self.wet[0][ch][i] = a[ch];
                }
            }
        }
    }

    fn tremolo(&mut self, x: &[&mut [f32]; 2], slot: usize, n: usize) {
        let c = &self.controls;
        for (wet, x) in self.wet[slot].iter_mut().zip(x) {
            let lfo = c.phase[..n].iter().zip(&c.depth[..n]);
            for ((w, &x), (&phase, &depth)) in wet[..n].iter_mut().zip(&x[..n]).zip(lfo) {
                *w = x * (1.0 - depth * 0.5 * (1.0 + sin_cycles(phase)));
            }
        }
    }

    // Per-sample loops over parallel arrays (controls, channels, voices)
    // read best indexed.
    #[allow(clippy::needless_range_loop)]
    fn autopan(&mut self, x: &[&mut [f32]; 2], slot: usize, n: usize) {
        let c = &self.controls;
        for i in 0..n {
            let pan = c.depth[i] * sin_cycles(c.phase[i]);
            let angle = (pan + 1.0) * 0.125;
            let left = std::f32::consts::SQRT_2 * sin_cycles(angle + 0.25);
            let right = std::f32::consts::SQRT_2 * sin_cycles(angle);
            self.wet[slot][0][i] = x[0][i] * left;
            self.wet[slot][1][i] = x[1][i] * right;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    const FS: f32 = 48_000.0;

    fn insert(settings: &[(ModField, f32)]) -> Modulation {
        let mut m = Modulation::new(FS);
        for &(f, v) in settings {
            m.set(f, v);
        }
        m.set(ModField::On, 1.0);
        m
    }

    /// Run stereo input through in blocks of 64.
    fn run(m: &mut Modulation, l: &[f32], r: &[f32]) -> [Vec<f32>; 2] {
        let (mut l, mut r) = (l.to_vec(), r.to_vec());
        for (a, b) in l.chunks_mut(64).zip(r.chunks_mut(64)) {
            m.process_stereo(a, b);
        }
        [l, r]
    }

    #[test]
    fn the_lfo_sine_is_accurate() {
        let mut worst = 0.0f64;
        for k in -5000..5000 {
            let phase = k as f32 * 0.000_731;
            let want = (2.0 * PI * phase as f64).sin();
            worst = worst.max((sin_cycles(phase) as f64 - want).abs());
        }
        assert!(worst < 4e-6, "{worst}");
    }

    /// The LFO phase (cycles) a freshly built insert reads at sample `n`.
    fn lfo(n: usize, rate_hz: f64, spread: f64) -> f64 {
        (2.0 * PI * (n as f64 * rate_hz / FS as f64 + spread)).sin()
    }

    /// An impulse every 10 ms through chorus and flanger at mix 1: each
    /// comes out where the documented delay puts it, found as the centroid
    /// of the interpolated pulse (exact for a cubic Hermite read, which
    /// reproduces straight lines).
    #[test]
    fn chorus_and_flanger_delays_follow_the_lfo() {
        let (period, n) = (480, 96_000);
        let mut x = vec![0.0f32; n];
        for i in (0..n).step_by(period) {
            x[i] = 1.0;
        }
        for (kind, centre_ms, depth, rate) in [
            (ModType::Chorus, 7.0f32, 0.5f32, 2.0f32),
            (ModType::Flanger, 2.0, 0.9, 0.5),
            (ModType::Chorus, 25.0, 1.0, 0.3),
        ] {
            let mut m = insert(&[
                (ModField::Type, kind as usize as f32),
                (ModField::Delay, centre_ms),
                (ModField::Depth, depth),
                (ModField::Rate, rate),
                (ModField::Mix, 1.0),
            ]);
            let out = run(&mut m, &x, &x);
            let spread = if kind == ModType::Chorus {
                SPREAD as f64
            } else {
                0.0
            };
            let centre = centre_ms as f64 * 48.0;
            let mut checked = 0;
            for (c, y) in out.iter().enumerate() {
                let phase = |n: f64| 2.0 * PI * (n * rate as f64 / FS as f64 + c as f64 * spread);
                let delay =
                    |n: f64| (centre * (1.0 + depth as f64 * phase(n).sin())).max(MIN_DELAY as f64);
                for impulse in (24_000..n - 4000).step_by(period) {
                    // Where the documented delay puts this impulse: the
                    // output sample n with n - delay(n) = impulse.
                    let mut at = impulse as f64 + centre;
                    for _ in 0..20 {
                        at = impulse as f64 + delay(at);
                    }
                    let from = at.round() as usize - 8;
                    let w = &y[from..from + 17];
                    let area: f64 = w.iter().map(|&v| v as f64).sum();
                    let centroid = from as f64
                        + w.iter()
                            .enumerate()
                            .map(|(k, &v)| k as f64 * v as f64)
                            .sum::<f64>()
                            / area;
                    // A moving head stretches or squeezes the pulse: its
                    // area is 1 / (1 - the delay's slope).
                    let slope = centre * depth as f64 * 2.0 * PI * rate as f64 / FS as f64
                        * phase(at).cos();
                    let want_area = 1.0 / (1.0 - slope);
                    assert!(
                        (area - want_area).abs() < 0.005,
                        "{kind:?}: pulse area {area} vs {want_area}"
                    );
                    assert!(
                        (centroid - at).abs() < 0.05,
                        "{kind:?} ch {c} impulse {impulse}: at {centroid:.3}, documented {at:.3}"
                    );
                    checked += 1;
                }
            }
            assert!(checked > 250, "{checked}");
        }
    }

    /// With the LFO still, feedback makes echoes of the delay, each
    /// `feedback` times the one before.
    #[test]
    fn feedback_repeats_the_delay() {
        let mut x = vec![0.0f32; 20_000];
        x[10_000] = 1.0;
        let mut m = insert(&[
            (ModField::Type, ModType::Flanger as usize as f32),
            (ModField::Delay, 2.0),
            (ModField::Depth, 0.0),
            (ModField::Feedback, -0.6),
            (ModField::Mix, 1.0),
        ]);
        let [y, _] = run(&mut m, &x, &x);
        for (k, want) in [(1, 1.0f32), (2, -0.6), (3, 0.36), (4, -0.216)] {
            let v = y[10_000 + 96 * k];
            assert!((v - want).abs() < 1e-5, "echo {k}: {v}");
        }
    }

    /// The response of `stages` allpass stages at `fc`, mixed half and half
    /// with the input, at `f` Hz: the documented transfer function.
    fn phaser_response(stages: usize, fc: f64, f: f64) -> f64 {
        let t = (PI * fc / FS as f64).tan();
        let a = (t - 1.0) / (t + 1.0);
        let w = 2.0 * PI * f / FS as f64;
        let z1 = (w.cos(), -w.sin()); // e^{-jw}
        let (nr, ni) = (a + z1.0, z1.1);
        let (dr, di) = (1.0 + a * z1.0, a * z1.1);
        let d2 = dr * dr + di * di;
        let h = ((nr * dr + ni * di) / d2, (ni * dr - nr * di) / d2);
        let mut p = (1.0, 0.0);
        for _ in 0..stages {
            p = (p.0 * h.0 - p.1 * h.1, p.0 * h.1 + p.1 * h.0);
        }
        let (re, im) = (0.5 + 0.5 * p.0, 0.5 * p.1);
        (re * re + im * im).sqrt()
    }

    /// The notches: where the chain turns the phase by an odd multiple of
    /// 180°, found on the analytic response by bisection.
    fn phaser_notches(stages: usize, fc: f64) -> Vec<f64> {
        // Each stage turns the phase by 2 atan(tan(w/2) / t) at w.
        let t = (PI * fc / FS as f64).tan();
        (0..stages / 2)
            .map(|k| {
                let per_stage = (2 * k + 1) as f64 * PI / stages as f64;
                let w = 2.0 * (t * (per_stage / 2.0).tan()).atan();
                w * FS as f64 / (2.0 * PI)
            })
            .filter(|&f| f < 20_000.0)
            .collect()
    }

    #[test]
    fn phaser_notches_sit_where_the_allpass_analysis_puts_them() {
        for stages in [4usize, 6, 8, 12] {
            let mut m = insert(&[
                (ModField::Type, ModType::Phaser as usize as f32),
                (ModField::Stages, stages as f32),
                (ModField::Depth, 0.0),
                (ModField::Mix, 0.5),
            ]);
            // Let the fades finish, then take the impulse response.
            run(&mut m, &[0.0; 4800], &[0.0; 4800]);
            let mut x = vec![0.0f32; 8192];
            x[0] = 1.0;
            let [h, _] = run(&mut m, &x, &x);
            let measured = |f: f64| {
                let (mut re, mut im) = (0.0, 0.0);
                for (k, &v) in h.iter().enumerate() {
                    let w = 2.0 * PI * f * k as f64 / FS as f64;
                    re += v as f64 * w.cos();
                    im -= v as f64 * w.sin();
                }
                (re * re + im * im).sqrt()
            };
            let notches = phaser_notches(stages, PHASER_CENTRE_HZ as f64);
            assert_eq!(notches.len(), stages / 2, "{stages} stages: {notches:?}");
            for &f in &notches {
                // The analysis itself: a notch of the transfer function.
                assert!(phaser_response(stages, 1000.0, f) < 1e-9);
                let db = 20.0 * measured(f).log10();
                assert!(
                    db < -60.0,
                    "{stages} stages: {db:.1} dB at the notch {f:.1} Hz"
                );
            }
            for f in [50.0, 300.0, 700.0, 1500.0, 4000.0, 9000.0] {
                let (got, want) = (measured(f), phaser_response(stages, 1000.0, f));
                let diff = 20.0 * (got / want).log10();
                if want > 0.1 {
                    assert!(
                        diff.abs() < 0.01,
                        "{stages} stages at {f} Hz: {diff:.4} dB off"
                    );
                }
            }
        }
    }

    #[test]
    fn tremolo_and_autopan_follow_their_laws() {
        let n = 48_000;
        let x = vec![0.5f32; n];
        let (depth, rate) = (0.8, 3.0);
        let common = [
            (ModField::Depth, depth),
            (ModField::Rate, rate),
            (ModField::Mix, 1.0),
        ];
        let mut m = insert(
            &[
                &common[..],
                &[(ModField::Type, ModType::Tremolo as usize as f32)],
            ]
            .concat(),
        );
        let [l, r] = run(&mut m, &x, &x);
        for i in (2000..n).step_by(97) {
            let want = 0.5 * (1.0 - depth as f64 * 0.5 * (1.0 + lfo(i, rate as f64, 0.0)));
            assert!(
                (l[i] as f64 - want).abs() < 2e-5,
                "tremolo at {i}: {} vs {want}",
                l[i]
            );
            assert_eq!(l[i], r[i]);
        }
        let mut m = insert(
            &[
                &common[..],
                &[(ModField::Type, ModType::AutoPan as usize as f32)],
            ]
            .concat(),
        );
        let [l, r] = run(&mut m, &x, &x);
        for i in (2000..n).step_by(97) {
            let p = depth as f64 * lfo(i, rate as f64, 0.0);
            let (wl, wr) = (
                0.5 * 2f64.sqrt() * (PI * (p + 1.0) / 4.0).cos(),
                0.5 * 2f64.sqrt() * (PI * (p + 1.0) / 4.0).sin(),
            );
            assert!(
                (l[i] as f64 - wl).abs() < 2e-5 && (r[i] as f64 - wr).abs() < 2e-5,
                "autopan at {i}"
            );
            // Constant power.
            let power = (l[i] as f64).powi(2) + (r[i] as f64).powi(2);
            assert!((power - 0.5).abs() < 1e-4, "{power}");
        }
    }

    #[test]
    fn rate_follows_note_values_of_the_tempo() {
        let mut m = insert(&[(ModField::Rate, 3.0)]);
        assert_eq!(m.rate_hz(), 3.0);
        let quarter = NoteValue::NAMES.iter().position(|&n| n == "1/4").unwrap();
        m.set(ModField::Note, quarter as f32);
        assert!((m.rate_hz() - 2.0).abs() < 1e-6, "a quarter at 120 bpm");
        m.set_tempo(90.0);
        assert!((m.rate_hz() - 1.5).abs() < 1e-6);
        m.set(ModField::Note, 0.0);
        assert_eq!(m.rate_hz(), 3.0);
    }

    /// Depth, rate and delay moved in jumps while a chorus runs: the LFO
    /// and the read head glide, so the output never steps further than the
    /// steady modulated signal does.
    #[test]
    fn moving_rate_depth_and_delay_does_not_zip() {
        let n = 48_000;
        let x: Vec<f32> = (0..n)
            .map(|i| (0.5 * (2.0 * PI * 200.0 * i as f64 / 48_000.0).sin()) as f32)
            .collect();
        let mut m = insert(&[(ModField::Mix, 1.0), (ModField::Depth, 0.2)]);
        let mut y = x.clone();
        for (b, block) in y.chunks_mut(64).enumerate() {
            match b {
                200 => m.set(ModField::Depth, 1.0),
                260 => m.set(ModField::Rate, 8.0),
                320 => m.set(ModField::Delay, 30.0),
                380 => m.set(ModField::Rate, 0.1),
                _ => {}
            }
            let mut r = block.to_vec();
            m.process_stereo(block, &mut r);
        }
        let step = |v: &[f32]| {
            v.windows(2)
                .map(|w| (w[1] - w[0]).abs())
                .fold(0.0, f32::max)
        };
        // The fastest the read head can move: depth 1 of 7..30 ms at 8 Hz
        // is a pitch ratio of at most 1 + 2π · 8 · 30 ms = 2.5: the steady
        // sine's step times that, and some.
        let steady = step(&x);
        let during = step(&y[12_800..30_000]);
        assert!(during < 2.6 * steady, "{during} vs {steady}");
    }
}
