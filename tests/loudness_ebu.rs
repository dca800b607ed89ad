//! The loudness meter against the synthesisable EBU Tech 3341 and 3342
//! conformance cases (expected values and tolerances from the standards, as
//! listed in /work/shared/reference/loudness.md), at 48 kHz and at other
//! rates, and against the independent `ebur128` crate on music-like noise.

use mixbridge::engine::loudness::{Channel, LoudnessMeter};
use std::f64::consts::TAU;

/// One stretch of a test programme: per-channel sine levels (dBFS peak) and a length.
struct Segment<'a> {
    levels_db: &'a [f64],
    seconds: f64,
}

fn seg(levels_db: &[f64], seconds: f64) -> Segment<'_> {
    Segment { levels_db, seconds }
}

/// Block lengths cycled through while feeding the meter: odd sizes, a
/// single frame and the engine's maximum, so steps straddle blocks.
const BLOCKS: [usize; 6] = [512, 1, 1024, 37, 480, 999];

/// Run a sine programme (frequency `hz`, start phase `phase_deg`) through a
/// meter. Levels are per channel in `layout` order, both or all channels
/// in phase.
fn measure(
    sr: f64,
    layout: &[Channel],
    hz: f64,
    phase_deg: f64,
    program: &[Segment],
) -> LoudnessMeter {
    let mut meter = LoudnessMeter::new(sr as f32, layout);
    let ch = layout.len();
    let mut bufs = vec![vec![0.0f32; 1024]; ch];
    let mut n: u64 = 0;
    let mut end: u64 = 0;
    let mut block = 0;
    let phase = phase_deg.to_radians();
    let w = TAU * hz / sr;
    for s in program {
        end += (s.seconds * sr).round() as u64;
        let amps: Vec<f64> = s.levels_db.iter().map(|db| 10f64.powf(db / 20.0)).collect();
        while n < end {
            let len = (BLOCKS[block % BLOCKS.len()] as u64).min(end - n) as usize;
            block += 1;
            for i in 0..len {
                let x = (w * (n + i as u64) as f64 + phase).sin();
                for (buf, a) in bufs.iter_mut().zip(&amps) {
                    buf[i] = (a * x) as f32;
                }
            }
            let refs: Vec<&[f32]> = bufs.iter().map(|b| &b[..len]).collect();
            meter.process(&refs);
            n += len as u64;
        }
    }
    meter
}

fn stereo(sr: f64, program: &[(f64, f64)]) -> LoudnessMeter {
    let levels: Vec<[f64; 2]> = program.iter().map(|&(db, _)| [db, db]).collect();
    let segs: Vec<Segment> = program
        .iter()
        .zip(&levels)
        .map(|(&(_, s), l)| seg(l, s))
        .collect();
    measure(sr, Channel::STEREO, 1000.0, 0.0, &segs)
}

fn near(what: &str, got: f32, want: f64, tol: f64) {
    assert!(
        ((got as f64) - want).abs() <= tol,
        "{what}: {got} (want {want} ±{tol})"
    );
}

fn case_steady(sr: f64, level: f64) {
    let m = stereo(sr, &[(level, 20.0)]);
    near("momentary", m.momentary(), level, 0.1);
    near("short-term", m.short_term(), level, 0.1);
    near("integrated", m.integrated(), level, 0.1);
    near("momentary max", m.momentary_max(), level, 0.1);
    near("short-term max", m.short_term_max(), level, 0.1);
}

fn case_5(sr: f64) {
    let m = stereo(sr, &[(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)]);
    near("3341-5 integrated", m.integrated(), -23.0, 0.1);
}

fn case_3342_1(sr: f64) {
    let m = stereo(sr, &[(-20.0, 20.0), (-30.0, 20.0)]);
    near("3342-1 range", m.loudness_range(), 10.0, 1.0);
}

#[test]
fn tech_3341_case_1() {
    case_steady(48_000.0, -23.0);
}

#[test]
fn tech_3341_case_2() {
    case_steady(48_000.0, -33.0);
}

#[test]
fn tech_3341_case_3_relative_gate() {
    let m = stereo(48_000.0, &[(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)]);
    near("3341-3 integrated", m.integrated(), -23.0, 0.1);
}

#[test]
fn tech_3341_case_4_absolute_and_relative_gates() {
    let m = stereo(
        48_000.0,
        &[
            (-72.0, 10.0),
            (-36.0, 10.0),
            (-23.0, 60.0),
            (-36.0, 10.0),
            (-72.0, 10.0),
        ],
    );
    near("3341-4 integrated", m.integrated(), -23.0, 0.1);
}

#[test]
fn tech_3341_case_5_gate_boundary() {
    case_5(48_000.0);
}

#[test]
fn tech_3341_case_6_five_channels() {
    let levels = [-28.0, -28.0, -24.0, -30.0, -30.0];
    let m = measure(
        48_000.0,
        Channel::SURROUND_5_0,
        1000.0,
        0.0,
        &[seg(&levels, 20.0)],
    );
    near("3341-6 integrated", m.integrated(), -23.0, 0.1);
}

#[test]
fn tech_3341_cases_15_and_19_true_peak() {
    for sr in [48_000.0, 44_100.0, 96_000.0] {
        // 3341-15: 0.5 FS at fs/4, 0°: -6.0 +0.2/-0.4 dBTP.
        let a = 20.0 * 0.5f64.log10();
        let m = measure(sr, Channel::STEREO, sr / 4.0, 0.0, &[seg(&[a, a], 1.0)]);
        let tp = m.true_peak_dbtp() as f64;
        assert!((-6.4..=-5.8).contains(&tp), "3341-15 at {sr}: {tp}");
        // 3341-19: 1.41 FS at fs/4, 45°: samples at ±1.0, peaks between them at +3.0 dBTP.
        let a = 20.0 * 1.41f64.log10();
        let m = measure(sr, Channel::STEREO, sr / 4.0, 45.0, &[seg(&[a, a], 1.0)]);
        let tp = m.true_peak_dbtp() as f64;
        assert!((2.6..=3.2).contains(&tp), "3341-19 at {sr}: {tp}");
        assert!(
            m.sample_peak_dbfs().abs() < 0.05,
            "sample peak {}",
            m.sample_peak_dbfs()
        );
    }
}

#[test]
fn tech_3342_case_1() {
    case_3342_1(48_000.0);
}

#[test]
fn tech_3342_case_2() {
    let m = stereo(48_000.0, &[(-20.0, 20.0), (-15.0, 20.0)]);
    near("3342-2 range", m.loudness_range(), 5.0, 1.0);
}

#[test]
fn tech_3342_case_3() {
    let m = stereo(48_000.0, &[(-40.0, 20.0), (-20.0, 20.0)]);
    near("3342-3 range", m.loudness_range(), 20.0, 1.0);
}

#[test]
fn tech_3342_case_4() {
    let m = stereo(
        48_000.0,
        &[
            (-50.0, 20.0),
            (-35.0, 20.0),
            (-20.0, 20.0),
            (-35.0, 20.0),
            (-50.0, 20.0),
        ],
    );
    near("3342-4 range", m.loudness_range(), 15.0, 1.0);
}

#[test]
fn at_44k1_cases_3341_1_and_3342_1() {
    case_steady(44_100.0, -23.0);
    case_3342_1(44_100.0);
}

#[test]
fn at_96k_cases_3341_1_and_3341_5() {
    case_steady(96_000.0, -23.0);
    case_5(96_000.0);
}

/// Deterministic noise.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

/// Something with the statistics of a mix: sections of 1.5 to 5 s at
/// levels from -45 to -8 dBFS, filtered noise of changing brightness with a
/// pulsing envelope, a bass line, partly correlated channels, and now and
/// then digital silence.
fn music_like(sr: f64, channels: usize, seconds: f64, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = Rng(seed);
    let frames = (seconds * sr) as usize;
    let mut out = vec![Vec::with_capacity(frames); channels];
    let mut lowpass = vec![0.0f64; channels];
    let mut bass_phase = 0.0f64;
    let mut n = 0;
    while n < frames {
        let len = ((rng.between(1.5, 5.0) * sr) as usize).min(frames - n);
        let silent = rng.next() < 0.1;
        let amp = 10f64.powf(rng.between(-45.0, -8.0) / 20.0);
        let bright = rng.between(0.05, 0.9);
        let pulse_hz = rng.between(1.0, 8.0);
        let depth = rng.between(0.0, 0.9);
        let bass_hz = rng.between(40.0, 120.0);
        let bass = rng.between(0.0, 1.5);
        let spread = rng.between(0.0, 1.0);
        for i in 0..len {
            let t = i as f64 / sr;
            let env = 1.0 - depth * (0.5 + 0.5 * (TAU * pulse_hz * t).cos());
            bass_phase += TAU * bass_hz / sr;
            let common = rng.between(-1.0, 1.0);
            for (c, ch) in out.iter_mut().enumerate() {
                let own = rng.between(-1.0, 1.0);
                lowpass[c] += bright * ((1.0 - spread) * common + spread * own - lowpass[c]);
                let x = amp * env * (lowpass[c] + bass * 0.5 * bass_phase.sin());
                ch.push(if silent { 0.0 } else { x as f32 });
            }
        }
        n += len;
    }
    out
}

/// Loudness range by EBU Tech 3342 from a list of short-term loudnesses,
/// by sorting (the same rank rule as the meter: round(p·(n-1))).
fn exact_range(short_terms: &[f64]) -> f64 {
    let e = |l: f64| 10f64.powf((l + 0.691) / 10.0);
    let kept: Vec<f64> = short_terms.iter().copied().filter(|&l| l > -70.0).collect();
    let gate = kept.iter().map(|&l| e(l)).sum::<f64>() / kept.len() as f64 * 0.01;
    let mut passed: Vec<f64> = kept.into_iter().filter(|&l| e(l) > gate).collect();
    passed.sort_by(f64::total_cmp);
    let at = |p: f64| passed[(p * (passed.len() - 1) as f64).round() as usize];
    at(0.95) - at(0.10)
}

/// Feed both meters the same 100 ms chunks; compare momentary and
/// short-term at every chunk, then integrated loudness and loudness range.
fn cross_check(
    sr: f64,
    layout: &[Channel],
    reference_map: &[ebur128::Channel],
    seconds: f64,
    seed: u64,
) {
    const TOL: f64 = 0.05;
    let audio = music_like(sr, layout.len(), seconds, seed);
    let mut ours = LoudnessMeter::new(sr as f32, layout);
    let mode = ebur128::Mode::I | ebur128::Mode::S;
    let mut theirs = ebur128::EbuR128::new(layout.len() as u32, sr as u32, mode).unwrap();
    theirs.set_channel_map(reference_map).unwrap();
    let step = (sr / 10.0) as usize;
    let mut short_terms = Vec::new();
    let mut compared = 0;
    for (k, start) in (0..audio[0].len() - step + 1).step_by(step).enumerate() {
        let chunk: Vec<&[f32]> = audio.iter().map(|c| &c[start..start + step]).collect();
        ours.process(&chunk);
        theirs.add_frames_planar_f32(&chunk).unwrap();
        let pairs = [
            (
                "momentary",
                k >= 3,
                ours.momentary(),
                theirs.loudness_momentary().unwrap(),
            ),
            (
                "short-term",
                k >= 29,
                ours.short_term(),
                theirs.loudness_shortterm().unwrap(),
            ),
        ];
        for (what, ready, got, want) in pairs {
            if !ready {
                continue;
            }
            if want > -70.0 {
                assert!(
                    (got as f64 - want).abs() <= TOL,
                    "{what} at step {k}: {got} vs {want}"
                );
                compared += 1;
            } else {
                assert!(
                    got as f64 <= -70.0 + TOL,
                    "{what} at step {k}: {got} vs {want}"
                );
            }
        }
        if k >= 29 {
            short_terms.push(theirs.loudness_shortterm().unwrap());
        }
    }
    assert!(
        compared > (seconds * 15.0) as usize,
        "only {compared} comparisons"
    );
    let want = theirs.loudness_global().unwrap();
    let got = ours.integrated() as f64;
    assert!((got - want).abs() <= TOL, "integrated {got} vs {want}");
    let want = exact_range(&short_terms);
    let got = ours.loudness_range() as f64;
    assert!(
        want > 3.0,
        "the material should have a real range, got {want}"
    );
    assert!((got - want).abs() <= TOL, "range {got} vs {want}");
}

#[test]
fn agrees_with_ebur128_on_music_like_stereo() {
    use ebur128::Channel::{Left, Right};
    cross_check(
        48_000.0,
        Channel::STEREO,
        &[Left, Right],
        30.0,
        0x1234_5678_9ABC_DEF1,
    );
}

#[test]
fn agrees_with_ebur128_at_44k1_in_5_0() {
    use ebur128::Channel::{Center, Left, LeftSurround, Right, RightSurround};
    let map = [Left, Right, Center, LeftSurround, RightSurround];
    cross_check(
        44_100.0,
        Channel::SURROUND_5_0,
        &map,
        15.0,
        0x0F0E_0D0C_0B0A_0908,
    );
}
