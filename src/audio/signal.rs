//! The dummy backend's test signals, generated block by block without
//! allocating: a sine from a rotating phasor, pink noise from white noise
//! through a pole-zero pinking filter, silence, or a WAV file in a loop.
//!
//! The pinking filter is designed from its analog prototype in hertz (real
//! poles three per decade from 10 Hz, each followed by a zero half a step
//! higher: the response alternates between -6 and 0 dB/octave and averages
//! -3 dB/octave), so it is the same pink at every sample rate. Its level is
//! set from the filter's measured power gain, so `level_db` is the RMS level.

use super::{AudioError, TestSignal};
use crate::audio_file;
use crate::sources::resample;

pub(super) struct Generator {
    kind: Kind,
}

enum Kind {
    Sine(Phasor),
    Pink(Box<Pink>),
    Silence,
    File { channels: Vec<Vec<f32>>, pos: usize },
}

impl Generator {
    /// Build the generator (reads and resamples a file here, on the control side).
    pub fn new(signal: &TestSignal, sample_rate: u32) -> Result<Generator, AudioError> {
        let sr = sample_rate as f64;
        let kind = match signal {
            TestSignal::Sine { freq_hz, level_db } => {
                Kind::Sine(Phasor::new(*freq_hz as f64, *level_db as f64, sr))
            }
            TestSignal::PinkNoise { level_db } => {
                Kind::Pink(Box::new(Pink::new(*level_db as f64, sr)))
            }
            TestSignal::Silence => Kind::Silence,
            TestSignal::File(path) => {
                // An empty file is an error of `read`.
                let audio = audio_file::read(path)?;
                let channels = audio
                    .channels
                    .iter()
                    .map(|c| resample(c, audio.sample_rate, sample_rate))
                    .collect();
                Kind::File { channels, pos: 0 }
            }
        };
        Ok(Generator { kind })
    }

    /// Fill the first `n` samples of every input with the next `n` samples.
    pub fn fill(&mut self, ins: &mut [Vec<f32>], n: usize) {
        let Some((first, rest)) = ins.split_first_mut() else {
            return;
        };
        match &mut self.kind {
            Kind::Sine(p) => p.fill(&mut first[..n]),
            Kind::Pink(p) => p.fill(&mut first[..n]),
            Kind::Silence => first[..n].fill(0.0),
            Kind::File { channels, pos } => {
                let len = channels[0].len();
                for (k, x) in ins.iter_mut().enumerate() {
                    let src = &channels[k % channels.len()];
                    let mut p = *pos;
                    for v in &mut x[..n] {
                        *v = src[p];
                        p += 1;
                        if p == len {
                            p = 0;
                        }
                    }
                }
                *pos = (*pos + n) % len;
                return;
            }
        }
        for x in rest {
            x[..n].copy_from_slice(&first[..n]);
        }
    }
}

/// A sine as a unit phasor rotated each sample (two multiply-adds), renormalised per block.
struct Phasor {
    re: f64,
    im: f64,
    rot_re: f64,
    rot_im: f64,
    amp: f32,
}

impl Phasor {
    fn new(freq: f64, level_db: f64, sr: f64) -> Phasor {
        let w = 2.0 * std::f64::consts::PI * freq.clamp(0.0, sr / 2.0) / sr;
        Phasor {
            re: 1.0,
            im: 0.0,
            rot_re: w.cos(),
            rot_im: w.sin(),
            amp: db_to_amp(level_db) as f32,
        }
    }

    fn fill(&mut self, out: &mut [f32]) {
        for v in out {
            *v = self.amp * self.im as f32;
            let re = self.re * self.rot_re - self.im * self.rot_im;
            self.im = self.re * self.rot_im + self.im * self.rot_re;
            self.re = re;
        }
        let norm = 1.0 / (self.re * self.re + self.im * self.im).sqrt();
        self.re *= norm;
        self.im *= norm;
    }
}

/// Lowest pole of the pinking filter; below it the noise is white.
const PINK_LOW_HZ: f64 = 10.0;
/// Poles per decade.
const PINK_DENSITY: f64 = 3.0;
const PINK_MAX_SECTIONS: usize = 16;

struct Pink {
    rng: u32,
    sections: [Section; PINK_MAX_SECTIONS],
    used: usize,
    scale: f32,
}

/// One first-order pole-zero section, `(b0 + b1 z^-1) / (1 + a1 z^-1)`.
#[derive(Clone, Copy, Default)]
struct Section {
    b0: f32,
    b1: f32,
    a1: f32,
    x1: f32,
    y1: f32,
}

impl Section {
    /// Bilinear transform of `(1 + s/wz) / (1 + s/wp)` with each corner prewarped.
    fn new(fp: f64, fz: f64, sr: f64) -> Section {
        let cot = |f: f64| 1.0 / (std::f64::consts::PI * f / sr).tan();
        let (cz, cp) = (cot(fz), cot(fp));
        let a0 = 1.0 + cp;
        Section {
            b0: ((1.0 + cz) / a0) as f32,
            b1: ((1.0 - cz) / a0) as f32,
            a1: ((1.0 - cp) / a0) as f32,
            x1: 0.0,
            y1: 0.0,
        }
    }

    #[inline]
    fn tick(&mut self, x: f32) -> f32 {
        let y = self.b0 * x + self.b1 * self.x1 - self.a1 * self.y1;
        self.x1 = x;
        self.y1 = y;
        y
    }
}

impl Pink {
    fn new(level_db: f64, sr: f64) -> Pink {
        let step = 10f64.powf(1.0 / PINK_DENSITY);
        let mut sections = [Section::default(); PINK_MAX_SECTIONS];
        let mut used = 0;
        let mut fp = PINK_LOW_HZ;
        while used < PINK_MAX_SECTIONS && fp * step.sqrt() < 0.45 * sr {
            sections[used] = Section::new(fp, fp * step.sqrt(), sr);
            used += 1;
            fp *= step;
        }
        let mut pink = Pink {
            rng: 0x9E37_79B9,
            sections,
            used,
            scale: 1.0,
        };
        // Power gain of the filter from its impulse response (one second is
        // many time constants of the lowest pole).
        let mut energy = 0.0f64;
        let mut probe = pink.sections;
        for i in 0..sr as usize {
            let mut v = if i == 0 { 1.0 } else { 0.0 };
            for s in &mut probe[..used] {
                v = s.tick(v);
            }
            energy += (v as f64) * (v as f64);
        }
        // Uniform white noise on [-1, 1) has variance 1/3.
        pink.scale = (db_to_amp(level_db) / (energy / 3.0).sqrt()) as f32;
        pink
    }

    fn white(&mut self) -> f32 {
        // xorshift32: full period, no allocation, deterministic.
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        (x as i32) as f32 * (1.0 / 2_147_483_648.0)
    }

    fn fill(&mut self, out: &mut [f32]) {
        for v in out {
            let mut x = self.white();
            for s in &mut self.sections[..self.used] {
                x = s.tick(x);
            }
            *v = x * self.scale;
        }
    }
}

fn db_to_amp(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(signal: &TestSignal, sr: u32, n: usize, block: usize) -> Vec<f32> {
        let mut g = Generator::new(signal, sr).unwrap();
        let mut ins = vec![vec![0.0; block]; 1];
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let m = block.min(n - out.len());
            g.fill(&mut ins, m);
            out.extend_from_slice(&ins[0][..m]);
        }
        out
    }

    fn rms_db(x: &[f32]) -> f64 {
        let ms = x.iter().map(|&v| v as f64 * v as f64).sum::<f64>() / x.len() as f64;
        10.0 * ms.log10()
    }

    #[test]
    fn sine_matches_the_formula() {
        // Against sin(2*pi*f*n/fs) directly, over 10 s at odd block sizes.
        for sr in [44_100u32, 96_000] {
            let x = run(
                &TestSignal::Sine {
                    freq_hz: 997.0,
                    level_db: -6.0,
                },
                sr,
                10 * sr as usize,
                37,
            );
            let a = 10f64.powf(-6.0 / 20.0);
            let w = 2.0 * std::f64::consts::PI * 997.0 / sr as f64;
            let err = x
                .iter()
                .enumerate()
                .map(|(n, &v)| (v as f64 - a * (w * n as f64).sin()).abs())
                .fold(0.0, f64::max);
            assert!(err < 1e-4, "sr {sr}: max error {err}");
        }
    }

    /// Power of `x` at `freq` (Welch: Hann-windowed Goertzel over segments).
    fn band_power(x: &[f32], freq: f64, sr: f64, seg: usize) -> f64 {
        let w = 2.0 * std::f64::consts::PI * freq / sr;
        let mut total = 0.0;
        let mut count = 0;
        for s in x.chunks_exact(seg) {
            let (mut s1, mut s2) = (0.0f64, 0.0f64);
            for (i, &v) in s.iter().enumerate() {
                let win = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / seg as f64).cos();
                let y = v as f64 * win + 2.0 * w.cos() * s1 - s2;
                s2 = s1;
                s1 = y;
            }
            total += s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2;
            count += 1;
        }
        total / count as f64
    }

    #[test]
    fn pink_noise_has_its_level_and_falls_3db_per_octave() {
        for sr in [44_100u32, 48_000, 96_000] {
            let x = run(&TestSignal::PinkNoise { level_db: -20.0 }, sr, 1 << 21, 256);
            let level = rms_db(&x);
            assert!((level + 20.0).abs() < 0.3, "sr {sr}: RMS {level:.2} dBFS");
            // Octave steps from 50 Hz to 12.8 kHz: ideal pink is -10*log10(2) = -3.01 dB each.
            let freqs: Vec<f64> = (0..9).map(|k| 50.0 * 2f64.powi(k)).collect();
            let p: Vec<f64> = freqs
                .iter()
                .map(|&f| 10.0 * band_power(&x, f, sr as f64, 8192).log10())
                .collect();
            for (k, w) in p.windows(2).enumerate() {
                let step = w[1] - w[0];
                assert!(
                    (step + 3.01).abs() < 1.0,
                    "sr {sr}: {} -> {} Hz step {step:.2} dB",
                    freqs[k],
                    freqs[k + 1]
                );
            }
            let slope = (p[8] - p[0]) / 8.0;
            assert!(
                (slope + 3.01).abs() < 0.2,
                "sr {sr}: slope {slope:.3} dB/oct"
            );
        }
    }

    #[test]
    fn file_loops_and_maps_channels_round_robin() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for i in 0..5 {
            w.write_sample(i as f32).unwrap();
            w.write_sample(-(i as f32)).unwrap();
        }
        w.finalize().unwrap();
        let mut g = Generator::new(&TestSignal::File(path), 48_000).unwrap();
        let mut ins = vec![vec![0.0; 8]; 3];
        g.fill(&mut ins, 7);
        assert_eq!(&ins[0][..7], &[0.0, 1.0, 2.0, 3.0, 4.0, 0.0, 1.0]);
        assert_eq!(&ins[1][..7], &[0.0, -1.0, -2.0, -3.0, -4.0, 0.0, -1.0]);
        assert_eq!(ins[2], ins[0]);
        g.fill(&mut ins, 4);
        assert_eq!(&ins[0][..4], &[2.0, 3.0, 4.0, 0.0]);
    }
}
