//! Writes the stems of the shipped example session (`examples/session/`).
//!
//! Two bars of a small A-minor groove at 128 BPM, synthesised from scratch
//! so that the example needs no recorded audio and the files can be made
//! again bit for bit: kick, bass, hats at 48 kHz; keys (stereo) and a
//! vowel-like lead at 44.1 kHz, so that playing the session exercises the
//! resampler. Everything is band-limited additive synthesis or filtered
//! noise from a fixed seed.
//!
//! `cargo run --example make_example_stems [OUT_DIR]` (default: the
//! session's `stems/` folder).

use mixbridge::audio_file::{write_wav, Audio, SampleFormat};
use std::f64::consts::TAU;
use std::path::PathBuf;

const BPM: f64 = 128.0;
const BEAT: f64 = 60.0 / BPM;
const BARS: f64 = 2.0;
const LENGTH: f64 = BARS * 4.0 * BEAT;

/// Frequency of a MIDI note number.
fn hz(note: f64) -> f64 {
    440.0 * 2f64.powf((note - 69.0) / 12.0)
}

/// A deterministic noise source (xorshift32), uniform in -1..1.
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0 as f64 / u32::MAX as f64 * 2.0 - 1.0
    }
}

/// A linear attack into an exponential decay, `t` seconds after the onset.
fn env(t: f64, attack: f64, decay: f64) -> f64 {
    if t < 0.0 {
        0.0
    } else if t < attack {
        t / attack
    } else {
        (-(t - attack) / decay).exp()
    }
}

/// One-pole low-pass coefficient for a cutoff at `rate`.
fn one_pole(cutoff: f64, rate: f64) -> f64 {
    1.0 - (-TAU * cutoff / rate).exp()
}

fn frames(rate: u32) -> usize {
    (LENGTH * rate as f64).round() as usize
}

/// Four on the floor: a sine swept down from ~160 Hz, plus a short click.
fn kick(rate: u32) -> Vec<f32> {
    let sr = rate as f64;
    let mut out = vec![0.0f32; frames(rate)];
    let mut noise = Noise(0x1234_5678);
    for hit in 0..(BARS as usize * 4) {
        let start = (hit as f64 * BEAT * sr) as usize;
        let mut phase = 0.0;
        for (i, o) in out[start..]
            .iter_mut()
            .enumerate()
            .take((0.45 * sr) as usize)
        {
            let t = i as f64 / sr;
            phase += TAU * (48.0 + 110.0 * (-t / 0.035).exp()) / sr;
            let body = phase.sin() * env(t, 0.002, 0.22);
            let click = noise.next() * env(t, 0.0005, 0.004) * 0.3;
            *o += (body + click) as f32;
        }
    }
    out
}

/// Eighth-note bass under Am | F, its upper harmonics fading as a filter
/// closing would.
fn bass(rate: u32) -> Vec<f32> {
    let sr = rate as f64;
    // (eighth index, MIDI note); rests are simply absent.
    let notes: [(usize, f64); 12] = [
        (0, 33.0),
        (2, 33.0),
        (3, 45.0),
        (5, 33.0),
        (6, 31.0),
        (7, 33.0),
        (8, 29.0),
        (10, 29.0),
        (11, 41.0),
        (13, 29.0),
        (14, 31.0),
        (15, 28.0),
    ];
    let mut out = vec![0.0f32; frames(rate)];
    let eighth = BEAT / 2.0;
    for (step, note) in notes {
        let f = hz(note);
        let start = (step as f64 * eighth * sr) as usize;
        let len = (0.9 * eighth * sr) as usize;
        let harmonics = (2500.0 / f) as usize;
        for (i, o) in out[start..].iter_mut().enumerate().take(len) {
            let t = i as f64 / sr;
            let release = ((len - i) as f64 / (0.01 * sr)).min(1.0);
            let bright = 0.12 + 0.6 * t;
            let mut s = 0.0;
            for k in 1..=harmonics {
                let k = k as f64;
                s += (TAU * f * k * t).sin() / k * (-(k - 1.0) * bright).exp();
            }
            *o += (s * env(t, 0.004, 0.5) * release) as f32;
        }
    }
    out
}

/// Closed hats on the off-eighths and some sixteenths, an open hat before
/// each bar line; noise through a high-pass.
fn hats(rate: u32) -> Vec<f32> {
    let sr = rate as f64;
    let sixteenth = BEAT / 4.0;
    let mut out = vec![0.0f32; frames(rate)];
    let mut noise = Noise(0x0BAD_F00D);
    for step in 0..(BARS as usize * 16) {
        let in_bar = step % 16;
        let (level, decay) = match in_bar {
            14 => (0.8, 0.16),
            s if s % 4 == 2 => (1.0, 0.035),
            s if s % 2 == 1 => (0.45, 0.02),
            _ => continue,
        };
        let start = (step as f64 * sixteenth * sr) as usize;
        let (mut lp, a) = (0.0, one_pole(6500.0, sr));
        for (i, o) in out[start..]
            .iter_mut()
            .enumerate()
            .take((6.0 * decay * sr) as usize)
        {
            let t = i as f64 / sr;
            let n = noise.next();
            lp += a * (n - lp);
            *o += ((n - lp) * level * env(t, 0.0005, decay)) as f32;
        }
    }
    out
}

/// Syncopated electric-piano chords, Am7 | Fmaj7, each voice detuned a
/// little differently left and right.
fn keys(rate: u32) -> [Vec<f32>; 2] {
    let sr = rate as f64;
    let chords: [[f64; 4]; 2] = [[57.0, 60.0, 64.0, 67.0], [53.0, 57.0, 60.0, 64.0]];
    // Onsets within a bar, in beats, and their lengths.
    let hits = [(0.0, 1.2), (1.5, 0.9), (3.0, 0.8)];
    let mut out = [vec![0.0f32; frames(rate)], vec![0.0f32; frames(rate)]];
    for (bar, chord) in chords.iter().enumerate() {
        for (onset, beats) in hits {
            let start = ((bar as f64 * 4.0 + onset) * BEAT * sr) as usize;
            let len = (beats * BEAT * sr) as usize;
            for (v, &note) in chord.iter().enumerate() {
                for (side, ch) in out.iter_mut().enumerate() {
                    let cents =
                        if side == 0 { -4.0 } else { 4.0 } * if v % 2 == 0 { 1.0 } else { -0.5 };
                    let f = hz(note + cents / 100.0);
                    for (i, o) in ch[start..].iter_mut().enumerate().take(len) {
                        let t = i as f64 / sr;
                        let release = ((len - i) as f64 / (0.03 * sr)).min(1.0);
                        let s = (TAU * f * t).sin() * env(t, 0.003, 1.1)
                            + 0.3 * (TAU * 2.0 * f * t).sin() * env(t, 0.002, 0.4)
                            + 0.08 * (TAU * 7.0 * f * t).sin() * env(t, 0.001, 0.05);
                        *o += (s * release) as f32;
                    }
                }
            }
        }
    }
    out
}

/// Formant centre, bandwidth and gain of the vowels the lead sings.
const AH: [(f64, f64, f64); 3] = [
    (730.0, 90.0, 1.0),
    (1090.0, 110.0, 0.5),
    (2440.0, 170.0, 0.25),
];
const OH: [(f64, f64, f64); 3] = [
    (570.0, 80.0, 1.0),
    (840.0, 100.0, 0.45),
    (2410.0, 170.0, 0.15),
];

/// The response of a vowel's formants at `f`.
fn formants(vowel: &[(f64, f64, f64); 3], f: f64) -> f64 {
    vowel
        .iter()
        .map(|&(c, bw, g)| g / (1.0 + ((f - c) / (bw / 2.0)).powi(2)).sqrt())
        .sum()
}

/// A sung melody: a glottal-like harmonic series shaped by vowel formants,
/// with gliding pitch and a delayed vibrato.
fn lead(rate: u32) -> Vec<f32> {
    let sr = rate as f64;
    // (start beat, length in beats, MIDI note, vowel)
    let melody: [(f64, f64, f64, bool); 9] = [
        (0.0, 1.0, 76.0, true),
        (1.0, 0.5, 74.0, false),
        (1.5, 0.5, 72.0, true),
        (2.0, 1.0, 74.0, true),
        (3.0, 1.0, 76.0, false),
        (4.0, 1.5, 72.0, true),
        (5.5, 0.5, 69.0, false),
        (6.0, 1.0, 67.0, true),
        (7.0, 1.0, 69.0, true),
    ];
    let mut out = vec![0.0f32; frames(rate)];
    let mut phase = 0.0;
    let mut pitch = melody[0].2;
    for (start, beats, note, ah) in melody {
        let vowel = if ah { &AH } else { &OH };
        let first = (start * BEAT * sr) as usize;
        let len = (beats * BEAT * sr * 0.94) as usize;
        for (i, o) in out[first..].iter_mut().enumerate().take(len) {
            let t = i as f64 / sr;
            pitch += (note - pitch) * one_pole(12.0, sr);
            let vibrato = 0.25 * ((t - 0.15).max(0.0) / 0.2).min(1.0) * (TAU * 5.5 * t).sin();
            let f = hz(pitch + vibrato);
            phase = (phase + TAU * f / sr) % TAU;
            let mut s = 0.0;
            for k in 1..=(5000.0 / f) as usize {
                let k = k as f64;
                s += (k * phase).sin() / k * formants(vowel, k * f);
            }
            let release = ((len - i) as f64 / (0.04 * sr)).min(1.0);
            *o += (s * env(t, 0.03, 3.0) * release) as f32;
        }
    }
    out
}

/// Scale so that the loudest sample sits at `peak_db` dBFS.
fn normalize(chans: &mut [Vec<f32>], peak_db: f32) {
    let peak = chans.iter().flatten().fold(0.0f32, |m, x| m.max(x.abs()));
    let g = 10f32.powf(peak_db / 20.0) / peak;
    chans.iter_mut().flatten().for_each(|x| *x *= g);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/session/stems")
        });
    std::fs::create_dir_all(&dir)?;
    let [kl, kr] = keys(44_100);
    let stems: [(&str, u32, Vec<Vec<f32>>, f32); 5] = [
        ("kick", 48_000, vec![kick(48_000)], -3.0),
        ("bass", 48_000, vec![bass(48_000)], -6.0),
        ("hats", 48_000, vec![hats(48_000)], -12.0),
        ("keys", 44_100, vec![kl, kr], -8.0),
        ("lead", 44_100, vec![lead(44_100)], -6.0),
    ];
    for (name, sample_rate, mut channels, peak) in stems {
        normalize(&mut channels, peak);
        let path = dir.join(format!("{name}.wav"));
        write_wav(
            &path,
            &Audio {
                sample_rate,
                channels,
            },
            SampleFormat::Int16,
        )?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
