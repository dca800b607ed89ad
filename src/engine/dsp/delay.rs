//! A stereo delay for effect buses: free time or a note value of the session
//! tempo, feedback through a low-cut and a high-cut, optional ping-pong.
//!
//! Time changes crossfade between two read heads rather than sliding one
//! head. A sliding head must sweep every sample between the old and the new
//! time: a jump across seconds of material either shifts the pitch wildly (a
//! fast glide) or takes seconds and smears the echoes (a slow one). A
//! crossfade costs one extra read while it runs, keeps every echo on its exact
//! sample, and bounds the output slope whatever the size of the jump. A target
//! that arrives during a fade waits for it to end, so a knob sweep is followed
//! by successive fades.
//!
//! The filters sit where the signal enters the line, so the first echo is
//! already filtered and each repeat goes through them once more.

use crate::engine::smoothing::{Smoothed, DEFAULT_RAMP_MS};
use crate::params::{DelayField, NoteValue, Param, Spec};
use crate::units::Millis;

/// The longest delay time the line holds.
pub const MAX_TIME_MS: f32 = 4000.0;
/// Length of the crossfade between the old and the new read head.
pub const CROSSFADE_MS: f32 = 30.0;
/// Cutoff coefficients are recomputed this often while a cutoff moves.
const COEF_INTERVAL: usize = 16;
/// Cutoffs stay this far below Nyquist so the prewarped filter stays sane.
const MAX_CUTOFF_OF_FS: f32 = 0.45;
/// What re-enters the line below this (-600 dB) is set to zero. With
/// denormals flushed, the low-cut's integrators stop moving near the
/// smallest normal float and would keep a tiny offset circulating forever.
const TINY: f32 = 1e-30;

#[inline]
fn snap(x: f32) -> f32 {
    if x.abs() < TINY {
        0.0
    } else {
        x
    }
}

/// A stereo circular buffer of frames with a fixed capacity.
pub(crate) struct StereoLine {
    buf: Box<[[f32; 2]]>,
    mask: usize,
    newest: usize,
}

impl StereoLine {
    /// A line that can return frames up to `max_age` pushes old.
    pub(crate) fn new(max_age: usize) -> Self {
        let len = (max_age + 1).next_power_of_two();
        StereoLine {
            buf: vec![[0.0; 2]; len].into_boxed_slice(),
            mask: len - 1,
            newest: 0,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, frame: [f32; 2]) {
        self.newest = (self.newest + 1) & self.mask;
        self.buf[self.newest] = frame;
    }

    /// The frame pushed `age` pushes ago (0 = the latest).
    #[inline]
    pub(crate) fn get(&self, age: usize) -> [f32; 2] {
        self.buf[self.newest.wrapping_sub(age) & self.mask]
    }

    pub(crate) fn clear(&mut self) {
        self.buf.fill([0.0; 2]);
    }
}

/// Which age of a [`StereoLine`] is read, moving to a new age by crossfading
/// between two heads over a fixed time (smoothstep, so the slope of the
/// weight is continuous at both ends).
pub(crate) struct Crossfade {
    from: usize,
    to: usize,
    target: usize,
    pos: u32,
    len: u32,
    inv_len: f32,
}

impl Crossfade {
    pub(crate) fn new(age: usize, fade_samples: u32) -> Self {
        let len = fade_samples.max(1);
        Crossfade {
            from: age,
            to: age,
            target: age,
            pos: 0,
            len,
            inv_len: 1.0 / len as f32,
        }
    }

    /// Move to `age`: now if idle, else as soon as the running fade ends.
    #[inline]
    pub(crate) fn set_target(&mut self, age: usize) {
        self.target = age;
        if self.from == self.to && age != self.from {
            self.to = age;
            self.pos = 0;
        }
    }

    /// Jump to the target with no fade (the line is being cleared).
    pub(crate) fn land(&mut self) {
        self.from = self.target;
        self.to = self.target;
        self.pos = 0;
    }

    #[inline]
    pub(crate) fn read(&mut self, line: &StereoLine) -> [f32; 2] {
        let a = line.get(self.from);
        if self.from == self.to {
            return a;
        }
        let b = line.get(self.to);
        self.pos += 1;
        let t = self.pos as f32 * self.inv_len;
        let w = t * t * (3.0 - 2.0 * t);
        if self.pos >= self.len {
            self.from = self.to;
            self.pos = 0;
            self.to = self.target;
        }
        [a[0] + w * (b[0] - a[0]), a[1] + w * (b[1] - a[1])]
    }
}

/// Coefficients of a Butterworth (Q = 1/sqrt 2) state-variable filter in
/// the trapezoidal (topology-preserving) form: the bilinear transform of the
/// analog prototype, well behaved while the cutoff moves.
#[derive(Clone, Copy)]
struct SvfCoefs {
    a1: f32,
    a2: f32,
    a3: f32,
}

const SVF_K: f32 = std::f32::consts::SQRT_2;

impl SvfCoefs {
    fn new(cutoff: f32, sample_rate: f32) -> Self {
        let f = cutoff.clamp(1.0, MAX_CUTOFF_OF_FS * sample_rate);
        let g = (std::f32::consts::PI * f / sample_rate).tan();
        let a1 = 1.0 / (1.0 + g * (g + SVF_K));
        let a2 = g * a1;
        SvfCoefs { a1, a2, a3: g * a2 }
    }
}

#[derive(Clone, Copy, Default)]
struct Svf {
    ic1: f32,
    ic2: f32,
}

impl Svf {
    /// One step; returns (band, low).
    #[inline]
    fn tick(&mut self, c: &SvfCoefs, x: f32) -> (f32, f32) {
        let v3 = x - self.ic2;
        let v1 = c.a1 * self.ic1 + c.a2 * v3;
        let v2 = self.ic2 + c.a2 * self.ic1 + c.a3 * v3;
        self.ic1 = 2.0 * v1 - self.ic1;
        self.ic2 = 2.0 * v2 - self.ic2;
        (v1, v2)
    }

    #[inline]
    fn high(&mut self, c: &SvfCoefs, x: f32) -> f32 {
        let (band, low) = self.tick(c, x);
        x - SVF_K * band - low
    }

    #[inline]
    fn low(&mut self, c: &SvfCoefs, x: f32) -> f32 {
        self.tick(c, x).1
    }
}

/// The low-cut then high-cut of one channel's feedback path.
#[derive(Clone, Copy, Default)]
struct FeedbackFilter {
    low_cut: Svf,
    high_cut: Svf,
}

/// A stereo delay; see the module documentation.
pub struct Delay {
    sample_rate: f32,
    line: StereoLine,
    heads: Crossfade,
    /// The longest delay in samples the line holds.
    max_delay: usize,
    time_ms: f32,
    note: f32,
    bpm: f32,
    feedback: Smoothed,
    mix: Smoothed,
    pingpong: Smoothed,
    /// Cutoffs smoothed as log2(Hz), so a sweep moves evenly in octaves.
    low_cut: Smoothed,
    high_cut: Smoothed,
    low_cut_coefs: SvfCoefs,
    high_cut_coefs: SvfCoefs,
    filters: [FeedbackFilter; 2],
}

fn default_of(field: DelayField) -> f32 {
    Spec::of(Param::Delay(field)).default
}

impl Delay {
    pub fn new(sample_rate: f32) -> Self {
        let fs = super::usable_rate(sample_rate);
        let max_delay = Millis(MAX_TIME_MS).to_samples(fs).ceil() as usize;
        let fade = Millis(CROSSFADE_MS).to_samples(fs).round() as u32;
        let smoothed = |v: f32| Smoothed::new(v, DEFAULT_RAMP_MS, fs);
        let low_cut = default_of(DelayField::LowCut);
        let high_cut = default_of(DelayField::HighCut);
        let mut delay = Delay {
            sample_rate: fs,
            line: StereoLine::new(max_delay),
            heads: Crossfade::new(0, fade),
            max_delay,
            time_ms: default_of(DelayField::Time),
            note: default_of(DelayField::Note),
            bpm: Spec::of(Param::Tempo).default,
            feedback: smoothed(default_of(DelayField::Feedback)),
            mix: smoothed(default_of(DelayField::Mix)),
            pingpong: smoothed(default_of(DelayField::PingPong)),
            low_cut: smoothed(low_cut.log2()),
            high_cut: smoothed(high_cut.log2()),
            low_cut_coefs: SvfCoefs::new(low_cut, fs),
            high_cut_coefs: SvfCoefs::new(high_cut, fs),
            filters: [FeedbackFilter::default(); 2],
        };
        delay.retime();
        delay.heads.land();
        delay
    }

    /// Set a parameter, in the units of its [`Spec`]; NaN is ignored and
    /// out-of-range values are clamped.
    pub fn set(&mut self, field: DelayField, value: f32) {
        let Some(v) = Spec::of(Param::Delay(field)).clamp(value) else {
            return;
        };
        match field {
            DelayField::Time => {
                self.time_ms = v;
                self.retime();
            }
            DelayField::Note => {
                self.note = v;
                self.retime();
            }
            DelayField::Feedback => self.feedback.set(v),
            DelayField::LowCut => self.low_cut.set(v.log2()),
            DelayField::HighCut => self.high_cut.set(v.log2()),
            DelayField::PingPong => self.pingpong.set(v),
            DelayField::Mix => self.mix.set(v),
        }
    }

    /// The session tempo, for note-value times.
    pub fn set_tempo(&mut self, bpm: f32) {
        if let Some(b) = Spec::of(Param::Tempo).clamp(bpm) {
            self.bpm = b;
            self.retime();
        }
    }

    /// The delay time now asked for, in whole samples.
    pub fn delay_samples(&self) -> usize {
        let ms = NoteValue::millis(self.note, self.bpm).unwrap_or(self.time_ms);
        (Millis(ms).to_samples(self.sample_rate).round() as usize).clamp(1, self.max_delay)
    }

    fn retime(&mut self) {
        // The line is read before the new frame is pushed, so an echo after
        // n samples is the frame n - 1 pushes old.
        self.heads.set_target(self.delay_samples() - 1);
    }

    /// Clear the line and the filters and land every parameter on its target.
    pub fn reset(&mut self) {
        self.line.clear();
        self.filters = [FeedbackFilter::default(); 2];
        self.heads.land();
        for s in [
            &mut self.feedback,
            &mut self.mix,
            &mut self.pingpong,
            &mut self.low_cut,
            &mut self.high_cut,
        ] {
            s.reset(s.target());
        }
        self.update_filters();
    }

    fn update_filters(&mut self) {
        self.low_cut_coefs = SvfCoefs::new(self.low_cut.current().exp2(), self.sample_rate);
        self.high_cut_coefs = SvfCoefs::new(self.high_cut.current().exp2(), self.sample_rate);
    }

    /// Process one block in place. The channels are used up to the shorter length.
    pub fn process_stereo(&mut self, l: &mut [f32], r: &mut [f32]) {
        let n = l.len().min(r.len());
        let mut start = 0;
        while start < n {
            let mut len = n - start;
            if self.low_cut.is_smoothing() || self.high_cut.is_smoothing() {
                len = len.min(COEF_INTERVAL);
                self.low_cut.skip(len);
                self.high_cut.skip(len);
                self.update_filters();
            }
            let end = start + len;
            for (x_l, x_r) in l[start..end].iter_mut().zip(&mut r[start..end]) {
                let (y_l, y_r) = self.tick(*x_l, *x_r);
                *x_l = y_l;
                *x_r = y_r;
            }
            start = end;
        }
    }

    #[inline]
    fn tick(&mut self, x_l: f32, x_r: f32) -> (f32, f32) {
        let fb = self.feedback.step();
        let mix = self.mix.step();
        let pp = self.pingpong.step();
        let [e_l, e_r] = self.heads.read(&self.line);
        // Ping-pong: the mono sum enters the left line only, and each line
        // feeds the other, so echoes alternate sides.
        let mono = 0.5 * (x_l + x_r);
        let in_l = x_l + pp * (mono - x_l);
        let in_r = x_r - pp * x_r;
        let back_l = e_l + pp * (e_r - e_l);
        let back_r = e_r + pp * (e_l - e_r);
        let [f_l, f_r] = &mut self.filters;
        let w_l = f_l.high_cut.low(
            &self.high_cut_coefs,
            f_l.low_cut.high(&self.low_cut_coefs, in_l + fb * back_l),
        );
        let w_r = f_r.high_cut.low(
            &self.high_cut_coefs,
            f_r.low_cut.high(&self.low_cut_coefs, in_r + fb * back_r),
        );
        self.line.push([snap(w_l), snap(w_r)]);
        (x_l + mix * (e_l - x_l), x_r + mix * (e_r - x_r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp_line() -> StereoLine {
        let mut line = StereoLine::new(100);
        for i in 0..200 {
            line.push([i as f32, -(i as f32)]);
        }
        line
    }

    #[test]
    fn line_returns_frames_by_age() {
        let line = ramp_line();
        assert_eq!(line.get(0), [199.0, -199.0]);
        assert_eq!(line.get(100), [99.0, -99.0]);
    }

    #[test]
    fn crossfade_moves_monotonically_and_lands_on_target() {
        let line = ramp_line();
        let mut heads = Crossfade::new(10, 8);
        assert_eq!(heads.read(&line), [189.0, -189.0]);
        heads.set_target(50);
        heads.set_target(30); // waits for the running fade
        let seen: Vec<f32> = (0..16).map(|_| heads.read(&line)[0]).collect();
        assert!(seen[..8].windows(2).all(|w| w[1] <= w[0]), "{seen:?}");
        assert!(seen[7..].windows(2).all(|w| w[1] >= w[0]), "{seen:?}");
        assert_eq!(seen[7], 149.0, "first fade ends exactly on age 50");
        assert_eq!(seen[15], 169.0, "second fade ends exactly on age 30");
        assert_eq!(heads.read(&line), [169.0, -169.0]);
    }

    /// |H| of the bilinear-transformed second-order Butterworth, the analog
    /// formula at the prewarped frequency.
    fn butterworth_mag(f: f32, fc: f32, fs: f32, high: bool) -> f32 {
        let w = ((std::f64::consts::PI * f as f64 / fs as f64).tan()
            / (std::f64::consts::PI * fc as f64 / fs as f64).tan())
        .powi(4);
        (if high { w / (1.0 + w) } else { 1.0 / (1.0 + w) }).sqrt() as f32
    }

    #[test]
    fn svf_matches_bilinear_butterworth() {
        let fs = 48_000.0;
        for (fc, f, high) in [
            (1000.0, 250.0, true),
            (1000.0, 3000.0, false),
            (200.0, 200.0, true),
            (5000.0, 5000.0, false),
        ] {
            let c = SvfCoefs::new(fc, fs);
            let mut svf = Svf::default();
            let mut sum = 0.0f64;
            let n = 48_000;
            for i in 0..2 * n {
                let x = (2.0 * std::f64::consts::PI * f as f64 * i as f64 / fs as f64).sin() as f32;
                let y = if high {
                    svf.high(&c, x)
                } else {
                    svf.low(&c, x)
                };
                if i >= n {
                    sum += (y as f64).powi(2);
                }
            }
            let measured = (2.0 * sum / n as f64).sqrt() as f32;
            let expected = butterworth_mag(f, fc, fs, high);
            assert!(
                (measured / expected - 1.0).abs() < 0.005,
                "fc {fc} f {f}: {measured} vs {expected}"
            );
        }
    }
}
