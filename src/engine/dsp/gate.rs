//! Noise gate / downward expander: lets a signal through while it is above the
//! threshold and turns it down by `range` dB while it is not.
//!
//! Why it is built this way:
//! - The key is the raw waveform, |x| (stereo: max(|l|, |r|)), so the gate
//!   opens on the first sample of a transient, which is what a drum gate is for.
//! - Hysteresis: it opens at the threshold but only starts to close once the
//!   key has stayed below `threshold - HYSTERESIS_DB`, so a level hovering at
//!   the threshold does not chatter.
//! - Hold counts from the last sample above that close level. A raw-waveform
//!   key dips at every zero crossing, so hold is never shorter than
//!   [`MIN_HOLD_MS`]: a setting of 0 would otherwise let the gate start
//!   closing inside every cycle of a low note.
//! - Attack (opening) is a straight ramp of amplitude from the closed gain to
//!   unity that takes exactly the attack time: for a given time that is the
//!   smoothest way to open. Release (closing) is a straight ramp in dB, from
//!   unity down to `-range`, over exactly the release time: a natural decay.
//! - The gain state is f64: a release of seconds over a small range moves the
//!   gain by less than one f32 step per sample.
//! - Threshold and timing changes only move decision points and slopes, never
//!   the signal directly; a range change or switching off moves the target
//!   gain, which the gain then follows at the ramp rates, so nothing steps.
//!   Switched off, the gain glides to unity over [`OFF_GLIDE_MS`]; once there,
//!   processing is skipped entirely.
//! - One step function serves a single gate and a lane per track of a track
//!   group (eight gates side by side in vector registers), so both give the
//!   same bits. A chunk in which a gate stays open at unity (the usual state
//!   under signal) only counts its hold, which is done at once.

use super::lanes::{Lanes, LANES};
use crate::params::{GateField, Param, Spec};

/// How far below the threshold the key must fall before the gate closes.
pub const HYSTERESIS_DB: f32 = 3.0;
/// The shortest hold (see the module doc).
pub const MIN_HOLD_MS: f32 = 10.0;
/// How long switching the gate off takes to bring the gain back to unity.
pub const OFF_GLIDE_MS: f32 = 10.0;

/// A gate for one mono or one linked stereo signal.
#[derive(Debug, Clone)]
pub struct Gate {
    sample_rate: f32,
    threshold_db: f32,
    range_db: f32,
    attack_ms: f32,
    hold_ms: f32,
    release_ms: f32,
    on: bool,
    law: Law,
    state: State,
    gain_reduction_db: f32,
}

/// What the per-sample step needs of the settings.
#[derive(Debug, Clone, Copy)]
struct Law {
    open_level: f32,
    close_level: f32,
    closed_gain: f64,
    rise_step: f64,
    fall_factor: f64,
    hold_samples: u32,
    on: bool,
}

impl Law {
    /// A law under which a gain of 1 stays exactly 1 (for unused lanes).
    const UNITY: Law = Law {
        open_level: 0.0,
        close_level: 0.0,
        closed_gain: 1.0,
        rise_step: 0.0,
        fall_factor: 1.0,
        hold_samples: 0,
        on: false,
    };
}

/// The gate's memory of the signal.
#[derive(Debug, Clone, Copy)]
struct State {
    open: bool,
    hold_left: u32,
    gain: f64,
}

impl State {
    const UNITY: State = State {
        open: false,
        hold_left: 0,
        gain: 1.0,
    };
}

/// `L` gates stepping together, one lane each, in working form: the step
/// of the state machine and gain ramp is written without branches and all
/// in `f64` (flags as comparisons, the hold count as a whole number; `f32`
/// levels and keys convert exactly, so every decision is the one the
/// `f32`/`u32` form makes), so that lanes of it become vector code.
struct Stepper<const L: usize> {
    close_level: [f64; L],
    open_level: [f64; L],
    hold_samples: [f64; L],
    /// Where the gain heads while closed (unity while switched off).
    closed: [f64; L],
    rise_step: [f64; L],
    fall_factor: [f64; L],
    open: [bool; L],
    hold: [f64; L],
    gain: [f64; L],
    /// The smallest gain of each lane so far.
    low: [f64; L],
}

impl<const L: usize> Stepper<L> {
    #[inline(always)]
    fn new(laws: &[Law; L], states: &[State; L], min_gain: [f64; L]) -> Self {
        let lane = |f: &dyn Fn(&Law) -> f64| -> [f64; L] { std::array::from_fn(|l| f(&laws[l])) };
        Stepper {
            close_level: lane(&|w| w.close_level as f64),
            open_level: lane(&|w| w.open_level as f64),
            hold_samples: lane(&|w| w.hold_samples as f64),
            closed: lane(&|w| if w.on { w.closed_gain } else { 1.0 }),
            rise_step: lane(&|w| w.rise_step),
            fall_factor: lane(&|w| w.fall_factor),
            open: states.map(|s| s.open),
            hold: states.map(|s| s.hold_left as f64),
            gain: states.map(|s| s.gain),
            low: min_gain,
        }
    }

    /// One sample: the gains for keys `k`.
    #[inline(always)]
    fn step(&mut self, k: [f32; L]) -> [f32; L] {
        let mut out = [0.0f32; L];
        for l in 0..L {
            let key = k[l] as f64;
            let above_close = key >= self.close_level[l];
            let above_open = key >= self.open_level[l];
            // Open: stays open while above the close level (hold reloads) or
            // while hold lasts (and counts down). Closed: opens above the
            // open level.
            let open = self.open[l];
            let reload = (open & above_close) | (!open & above_open);
            let counting = open & !reload;
            self.open[l] = reload | (counting & (self.hold[l] > 0.0));
            let counted = if counting {
                (self.hold[l] - 1.0).max(0.0)
            } else {
                self.hold[l]
            };
            self.hold[l] = if reload {
                self.hold_samples[l]
            } else {
                counted
            };
            let target = if self.open[l] { 1.0 } else { self.closed[l] };
            let gain = self.gain[l];
            let rise = (gain + self.rise_step[l]).min(target);
            let fall = (gain * self.fall_factor[l]).max(target);
            self.gain[l] = if gain < target { rise } else { fall };
            self.low[l] = self.low[l].min(self.gain[l]);
            out[l] = self.gain[l] as f32;
        }
        out
    }

    /// Put the state back; returns the smallest gains.
    fn finish(self, states: &mut [State; L]) -> [f64; L] {
        for (l, s) in states.iter_mut().enumerate() {
            *s = State {
                open: self.open[l],
                hold_left: self.hold[l] as u32,
                gain: self.gain[l],
            };
        }
        self.low
    }
}

/// What [`Stepper`] would do to lanes that stay open at unity through all of
/// `keys`, done at once: a lane that is open at unity gain and never stays
/// below the close level for longer than its hold lasts puts out unity on
/// every sample, and only counts its hold down and reloads it. Returns
/// whether every `live` lane is such a lane (the others are left alone) (and then `states` have moved on
/// exactly as stepping would have moved them); otherwise leaves `states` as
/// they are.
#[inline(always)]
fn skip_open<const L: usize>(
    live: &[bool; L],
    laws: &[Law; L],
    states: &mut [State; L],
    keys: impl Iterator<Item = [f32; L]>,
) -> bool {
    let close: [f32; L] = std::array::from_fn(|l| laws[l].close_level);
    // Per lane: keys below the close level, those since the last one at or
    // above it, and whether there was one.
    let (mut below, mut since, mut seen) = ([0u32; L], [0u32; L], [false; L]);
    for k in keys {
        for l in 0..L {
            let above = k[l] >= close[l];
            below[l] += u32::from(!above);
            since[l] = if above { 0 } else { since[l] + 1 };
            seen[l] |= above;
        }
    }
    let open_throughout = |l: usize| {
        let (w, s) = (&laws[l], &states[l]);
        s.open
            && s.gain == 1.0
            && w.fall_factor <= 1.0
            && below[l] <= s.hold_left.min(w.hold_samples)
    };
    if !(0..L).all(|l| !live[l] || open_throughout(l)) {
        return false;
    }
    for (l, s) in states.iter_mut().enumerate().filter(|(l, _)| live[*l]) {
        s.hold_left = if seen[l] {
            laws[l].hold_samples - since[l]
        } else {
            s.hold_left - below[l]
        };
    }
    true
}

/// Keys processed per pass.
const CHUNK: usize = 64;

fn default_of(field: GateField) -> f32 {
    Spec::of(Param::Gate(field)).default
}

impl Gate {
    /// A gate with the registry's default settings.
    pub fn new(sample_rate: f32) -> Self {
        let sample_rate = if sample_rate.is_finite() && sample_rate > 0.0 {
            sample_rate
        } else {
            48_000.0
        };
        let mut gate = Gate {
            sample_rate,
            threshold_db: default_of(GateField::Threshold),
            range_db: default_of(GateField::Range),
            attack_ms: default_of(GateField::Attack),
            hold_ms: default_of(GateField::Hold),
            release_ms: default_of(GateField::Release),
            on: default_of(GateField::On) >= 0.5,
            law: Law::UNITY,
            state: State::UNITY,
            gain_reduction_db: 0.0,
        };
        gate.update();
        gate.reset();
        gate
    }

    /// Set one parameter, in the units of its [`Spec`]. NaN is ignored and
    /// everything else is clamped into range.
    pub fn set(&mut self, field: GateField, value: f32) {
        let Some(v) = Spec::of(Param::Gate(field)).clamp(value) else {
            return;
        };
        match field {
            GateField::Threshold => self.threshold_db = v,
            GateField::Range => self.range_db = v,
            GateField::Attack => self.attack_ms = v,
            GateField::Hold => self.hold_ms = v,
            GateField::Release => self.release_ms = v,
            GateField::On => self.on = v >= 0.5,
        }
        self.update();
    }

    fn samples(&self, ms: f32) -> f64 {
        (ms as f64 * 0.001 * self.sample_rate as f64).max(1.0)
    }

    fn update(&mut self) {
        let closed_gain = 10f64.powf(-self.range_db as f64 / 20.0);
        self.law = Law {
            open_level: crate::units::db_to_gain(self.threshold_db),
            close_level: crate::units::db_to_gain(self.threshold_db - HYSTERESIS_DB),
            closed_gain,
            rise_step: if self.on {
                // From the closed gain, or from lower if the range just shrank
                // while the gain sat at the old closed level.
                (1.0 - closed_gain.min(self.state.gain)) / self.samples(self.attack_ms)
            } else {
                1.0 / self.samples(OFF_GLIDE_MS)
            },
            fall_factor: closed_gain.powf(1.0 / self.samples(self.release_ms)),
            hold_samples: self.samples(self.hold_ms.max(MIN_HOLD_MS)).round() as u32,
            on: self.on,
        };
    }

    /// The steady-state gain in dB for a constant input level, as the settings
    /// describe it (whether or not the gate is switched on): 0 at or above the
    /// threshold, `-range` below. Inside the hysteresis band the real gate
    /// keeps whatever state it was in; this is the curve met coming up from
    /// silence.
    pub fn static_gain_db(&self, input_db: f32) -> f32 {
        if input_db >= self.threshold_db {
            0.0
        } else {
            -self.range_db
        }
    }

    /// The largest attenuation (dB, >= 0) applied during the last block.
    pub fn gain_reduction_db(&self) -> f32 {
        self.gain_reduction_db
    }

    /// Forget the signal: as after a long silence.
    pub fn reset(&mut self) {
        self.state = State {
            open: false,
            hold_left: 0,
            gain: if self.on { self.law.closed_gain } else { 1.0 },
        };
        self.gain_reduction_db = 0.0;
    }

    fn idle(&self) -> bool {
        !self.on && self.state.gain >= 1.0
    }

    fn finish_block(&mut self, min_gain: f64) {
        self.gain_reduction_db = (-20.0 * min_gain.log10()).max(0.0) as f32;
        if self.idle() {
            // Off and back at unity: start from a clean state when switched on.
            self.state.open = false;
            self.state.hold_left = 0;
        }
    }

    /// Apply the gate to channels in place, keyed on the loudest of them.
    fn process_channels<const CH: usize>(&mut self, mut chans: [&mut [f32]; CH]) {
        if self.idle() {
            self.gain_reduction_db = 0.0;
            return;
        }
        let n = chans.iter().map(|c| c.len()).min().unwrap_or(0);
        let mut keys = [[0.0f32; 1]; CHUNK];
        let mut min_gain = [1.0f64];
        let mut states = [self.state];
        for start in (0..n).step_by(CHUNK) {
            let m = CHUNK.min(n - start);
            for (i, k) in keys[..m].iter_mut().enumerate() {
                // |x|, or max(|l|, |r|).
                k[0] = chans[1..]
                    .iter()
                    .fold(chans[0][start + i].abs(), |a, c| a.max(c[start + i].abs()));
            }
            if skip_open(&[true], &[self.law], &mut states, keys[..m].iter().copied()) {
                continue;
            }
            let mut stepper = Stepper::new(&[self.law], &states, min_gain);
            for (i, &k) in keys[..m].iter().enumerate() {
                let [g] = stepper.step(k);
                for c in chans.iter_mut() {
                    c[start + i] *= g;
                }
            }
            min_gain = stepper.finish(&mut states);
        }
        self.state = states[0];
        self.finish_block(min_gain[0]);
    }

    pub fn process_mono(&mut self, x: &mut [f32]) {
        self.process_channels([x]);
    }

    /// Linked stereo: one key, max(|l|, |r|), one gain for both channels.
    pub fn process_stereo(&mut self, l: &mut [f32], r: &mut [f32]) {
        self.process_channels([l, r]);
    }
}

/// Gate lane `l` of `frames` with `gates[l]`, for every gate there, exactly
/// as [`Gate::process_mono`] would (lanes without a gate, or whose gate is
/// off and idle, pass unchanged).
pub(crate) fn process_lanes(gates: &mut [Option<&mut Gate>; LANES], frames: &mut [Lanes<f32>]) {
    let mut live = [false; LANES];
    let mut laws = [Law::UNITY; LANES];
    let mut states = [State::UNITY; LANES];
    for (l, g) in gates.iter_mut().enumerate() {
        if let Some(g) = g {
            if g.idle() {
                g.gain_reduction_db = 0.0;
            } else {
                (live[l], laws[l], states[l]) = (true, g.law, g.state);
            }
        }
    }
    if !live.contains(&true) {
        return;
    }
    let mut min_gain = [1.0f64; LANES];
    for chunk in frames.chunks_mut(CHUNK) {
        let keys = chunk.iter().map(|f| f.0.map(f32::abs));
        if skip_open(&live, &laws, &mut states, keys) {
            continue;
        }
        let mut stepper = Stepper::new(&laws, &states, min_gain);
        for f in chunk.iter_mut() {
            let g = stepper.step(f.0.map(f32::abs));
            // Unused lanes run at exactly unity gain.
            for (x, g) in f.0.iter_mut().zip(g) {
                *x *= g;
            }
        }
        min_gain = stepper.finish(&mut states);
    }
    for (l, g) in gates.iter_mut().enumerate() {
        if let (true, Some(g)) = (live[l], g) {
            g.state = states[l];
            g.finish_block(min_gain[l]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dsp::lanes::testing::{self, LaneProcessor};

    impl LaneProcessor for Gate {
        fn process_mono(&mut self, x: &mut [f32]) {
            Gate::process_mono(self, x)
        }
        fn gain_reduction_db(&self) -> f32 {
            Gate::gain_reduction_db(self)
        }
        fn process_lanes(group: &mut [Option<&mut Self>; LANES], frames: &mut [Lanes<f32>]) {
            process_lanes(group, frames)
        }
    }

    /// Every lane comes out bit for bit as its gate alone would put it out:
    /// opening, holding, releasing and switched on and off at different
    /// moments, in blocks of every size; idle and missing lanes pass.
    #[test]
    fn lanes_match_single_gates() {
        let sr = 48_000.0;
        let n = 48_000;
        let absent = 6;
        // Bursts of different lengths and levels per lane, so that lanes
        // open and close at different times.
        let input = |l: usize| -> Vec<f32> {
            (0..n)
                .map(|i| {
                    let burst = (i / (700 + 300 * l)).is_multiple_of(3);
                    let db = if burst { -20.0 } else { -50.0 - 3.0 * l as f32 };
                    let a = 10f32.powf(db / 20.0);
                    if i % 2 == 0 {
                        a
                    } else {
                        -a * 0.7
                    }
                })
                .collect()
        };
        let inputs: Vec<Vec<f32>> = (0..LANES).map(input).collect();
        let make = |l: usize| {
            let mut g = Gate::new(sr);
            g.set(GateField::On, (l != 3) as u8 as f32);
            g.set(GateField::Threshold, -40.0 + l as f32);
            g.set(GateField::Range, 20.0 + 5.0 * l as f32);
            g.set(GateField::Attack, 0.5 + l as f32);
            g.set(GateField::Hold, 10.0 * l as f32);
            g.set(GateField::Release, 20.0 + 10.0 * l as f32);
            g.reset();
            g
        };
        testing::assert_lanes_match(&inputs, absent, make, |round, l, g| {
            if round % 7 == 3 && l >= round % 4 && (l - round % 4) % 3 == 0 {
                g.set(GateField::On, (round % 2) as f32);
                g.set(GateField::Range, (round % 60) as f32);
            }
        });
    }

    /// `n` samples of constant magnitude at `db` (alternating sign, so the
    /// gain applied is readable on every sample).
    fn level(db: f32, n: usize) -> Vec<f32> {
        let a = 10f32.powf(db / 20.0);
        (0..n).map(|i| if i % 2 == 0 { a } else { -a }).collect()
    }

    fn gain_db(out: f32, inp: f32) -> f32 {
        20.0 * (out / inp).abs().log10()
    }

    fn gate(sr: f32, settings: &[(GateField, f32)]) -> Gate {
        let mut g = Gate::new(sr);
        g.set(GateField::On, 1.0);
        for &(f, v) in settings {
            g.set(f, v);
        }
        g.reset();
        g
    }

    /// Applied gain (dB) per sample for `input`.
    fn run(g: &mut Gate, input: &[f32]) -> Vec<f32> {
        let mut x = input.to_vec();
        for chunk in x.chunks_mut(64) {
            g.process_mono(chunk);
        }
        x.iter().zip(input).map(|(&y, &x)| gain_db(y, x)).collect()
    }

    fn ms(sr: f32, n: usize) -> f32 {
        n as f32 * 1000.0 / sr
    }

    #[test]
    fn static_curve_is_zero_above_and_minus_range_below_the_threshold() {
        for (threshold, range) in [(-40.0f32, 50.0f32), (-60.0, 80.0), (-10.0, 6.0)] {
            let settings = [(GateField::Threshold, threshold), (GateField::Range, range)];
            for i in 0..=200 {
                let input = -100.0 + i as f32 * 0.5;
                let expected = if input >= threshold { 0.0 } else { -range };
                let g = gate(48_000.0, &settings);
                assert_eq!(g.static_gain_db(input), expected, "{input}");
                // The processor coming up from silence settles on the same
                // curve (exactly at the threshold, f32 rounding decides).
                if (input - threshold).abs() < 0.01 {
                    continue;
                }
                let mut g = gate(48_000.0, &settings);
                let gains = run(&mut g, &level(input, 24_000));
                let settled = *gains.last().unwrap();
                assert!(
                    (settled - expected).abs() < 1e-4,
                    "{threshold}/{range} at {input} dB: {settled}"
                );
            }
        }
    }

    #[test]
    fn attack_opens_in_the_attack_time() {
        for sr in [44_100.0f32, 96_000.0] {
            for attack in [1.0f32, 10.0, 50.0] {
                let mut g = gate(
                    sr,
                    &[
                        (GateField::Threshold, -40.0),
                        (GateField::Range, 60.0),
                        (GateField::Attack, attack),
                    ],
                );
                let gains = run(&mut g, &level(-20.0, (sr * 0.2) as usize));
                // 90% of the amplitude step from the closed gain to unity.
                let closed = 10f32.powf(-3.0);
                let target = closed + 0.9 * (1.0 - closed);
                let n = gains
                    .iter()
                    .position(|&d| 10f32.powf(d / 20.0) >= target)
                    .unwrap();
                let t = ms(sr, n);
                let expected = 0.9 * attack;
                assert!(
                    (t - expected).abs() <= 0.05 * expected + ms(sr, 1),
                    "{sr} Hz, attack {attack}: {t} ms"
                );
            }
        }
    }

    #[test]
    fn holds_then_releases_in_the_release_time() {
        for sr in [48_000.0f32, 88_200.0] {
            for (hold, release) in [(50.0f32, 200.0f32), (20.0, 50.0), (300.0, 1000.0)] {
                let mut g = gate(
                    sr,
                    &[
                        (GateField::Threshold, -40.0),
                        (GateField::Range, 60.0),
                        (GateField::Hold, hold),
                        (GateField::Release, release),
                    ],
                );
                let open = (sr * 0.1) as usize;
                let mut input = level(-20.0, open);
                // Far below the close level, but with a readable gain.
                input.extend(level(-70.0, (sr * 2.0) as usize));
                let gains = run(&mut g, &input);
                let after = &gains[open..];
                let hold_n = (hold * 0.001 * sr).round() as usize;
                assert!(
                    after[..hold_n].iter().all(|&d| d.abs() < 1e-5),
                    "{sr} Hz: opened during hold"
                );
                assert!(after[hold_n + 2] < 0.0, "{sr} Hz: still open after hold");
                let n = after[hold_n..]
                    .iter()
                    .position(|&d| d <= -0.9 * 60.0)
                    .unwrap();
                let t = ms(sr, n);
                let expected = 0.9 * release;
                assert!(
                    (t - expected).abs() <= 0.05 * expected,
                    "{sr} Hz, release {release}: {t} ms"
                );
                assert!((after.last().unwrap() + 60.0).abs() < 1e-3);
            }
        }
    }

    #[test]
    fn hysteresis_keeps_the_state_inside_the_band() {
        let sr = 48_000.0;
        let settings = [
            (GateField::Threshold, -40.0),
            (GateField::Range, 40.0),
            (GateField::Hold, 20.0),
            (GateField::Release, 50.0),
        ];
        let inside = -40.0 - HYSTERESIS_DB / 2.0;
        // From silence, a level inside the band does not open the gate.
        let mut g = gate(sr, &settings);
        let gains = run(&mut g, &level(inside, 48_000));
        assert!(gains.iter().all(|&d| (d + 40.0).abs() < 1e-4));
        // Once open, the same level keeps it open.
        let mut g = gate(sr, &settings);
        let mut input = level(-30.0, 4800);
        input.extend(level(inside, 48_000));
        let gains = run(&mut g, &input);
        assert!(gains[200..].iter().all(|&d| d.abs() < 1e-5));
        // Just below the band, it closes.
        let mut g = gate(sr, &settings);
        let mut input = level(-30.0, 4800);
        input.extend(level(-40.0 - HYSTERESIS_DB - 0.5, 48_000));
        let gains = run(&mut g, &input);
        assert!((gains.last().unwrap() + 40.0).abs() < 1e-4);
    }

    #[test]
    fn does_not_chatter_on_a_level_wobbling_at_the_threshold() {
        // A 100 Hz tone whose peak wanders +-1 dB around the threshold:
        // once open, the gate stays open and the gain never dips.
        let sr = 48_000.0;
        let mut g = gate(
            sr,
            &[
                (GateField::Threshold, -30.0),
                (GateField::Hold, 0.0),
                (GateField::Release, 20.0),
            ],
        );
        let input: Vec<f32> = (0..96_000)
            .map(|i| {
                let t = i as f32 / sr;
                let db = -30.0 + (2.0 * std::f32::consts::PI * 3.0 * t).sin();
                10f32.powf(db / 20.0) * (2.0 * std::f32::consts::PI * 100.0 * t).sin()
            })
            .collect();
        let mut x = input.clone();
        g.process_mono(&mut x);
        let first_open = x
            .iter()
            .zip(&input)
            .position(|(y, x)| x.abs() > 1e-3 && (y / x - 1.0).abs() < 1e-6)
            .unwrap();
        for (i, (y, x)) in x.iter().zip(&input).enumerate().skip(first_open) {
            assert_eq!(y, x, "gain moved at sample {i}");
        }
    }

    #[test]
    fn off_glides_to_unity_then_passes_bits_through() {
        let sr = 48_000.0;
        let mut g = gate(sr, &[(GateField::Range, 60.0)]);
        let input = level(-70.0, 4800);
        let closed = run(&mut g, &input);
        assert!((closed.last().unwrap() + 60.0).abs() < 1e-4);
        assert!((g.gain_reduction_db() - 60.0).abs() < 1e-3);
        g.set(GateField::On, 0.0);
        let gains: Vec<f32> = run(&mut g, &input)
            .iter()
            .map(|d| 10f32.powf(d / 20.0))
            .collect();
        let glide = (OFF_GLIDE_MS * 0.001 * sr) as usize;
        assert_eq!(gains[glide], 1.0);
        let max_step = gains.windows(2).map(|w| w[1] - w[0]).fold(0.0f32, f32::max);
        assert!(max_step <= 1.0 / glide as f32 * 1.001, "{max_step}");
        let mut x = input.clone();
        g.process_mono(&mut x);
        assert_eq!(x, input);
        assert_eq!(g.gain_reduction_db(), 0.0);
    }

    #[test]
    fn range_change_while_closed_glides() {
        let sr = 48_000.0;
        let mut g = gate(sr, &[(GateField::Range, 60.0), (GateField::Attack, 5.0)]);
        let input = level(-70.0, 9600);
        run(&mut g, &input);
        g.set(GateField::Range, 20.0);
        let gains: Vec<f32> = run(&mut g, &input)
            .iter()
            .map(|d| 10f32.powf(d / 20.0))
            .collect();
        assert!((20.0 * gains.last().unwrap().log10() + 20.0).abs() < 1e-3);
        // Never faster than the attack ramp.
        let step = 1.0 / (5.0 * 0.001 * sr);
        assert!(gains.windows(2).all(|w| w[1] - w[0] <= step * 1.001));
    }

    #[test]
    fn stereo_is_linked_on_the_louder_channel() {
        let mut g = gate(
            48_000.0,
            &[(GateField::Threshold, -40.0), (GateField::Range, 30.0)],
        );
        let mut l = level(-20.0, 4800);
        let mut r = level(-60.0, 4800);
        let r_in = r.clone();
        g.process_stereo(&mut l, &mut r);
        assert!(
            (gain_db(r[4799], r_in[4799])).abs() < 1e-5,
            "quiet side follows the loud side"
        );
    }

    #[test]
    fn extreme_settings_and_inputs_stay_finite() {
        for sr in [44_100.0f32, 96_000.0] {
            let mut g = Gate::new(sr);
            for (f, v) in [
                (GateField::Threshold, f32::NAN),
                (GateField::Threshold, -1e9),
                (GateField::Range, f32::INFINITY),
                (GateField::Attack, 0.0),
                (GateField::Hold, -5.0),
                (GateField::Release, 1e12),
                (GateField::On, 7.0),
            ] {
                g.set(f, v);
            }
            let mut x = vec![0.0, 1e-40, -1e-40, 1e30, -1e30, f32::MAX, f32::MIN_POSITIVE];
            x.extend(vec![0.0; 10_000]);
            g.process_mono(&mut x);
            let mut l = x.clone();
            let mut r = x.clone();
            g.process_stereo(&mut l, &mut r);
            assert!(x.iter().chain(&l).chain(&r).all(|v| v.is_finite()));
            assert!(g.gain_reduction_db().is_finite() && g.gain_reduction_db() >= 0.0);
            assert!(g.static_gain_db(f32::NAN).is_finite());
        }
    }
}
