//! The master limiter against an independent BS.1770 true-peak meter
//! (libebur128's, via the `ebur128` crate): whatever goes in, the output's
//! true peak stays under the ceiling.
//!
//! Measurement slack: the output may read at most 0.05 dB over the ceiling on
//! that meter (meters differ in their interpolators; the limiter keeps its own
//! margin, `MARGIN_DB`, for that, and the slack only absorbs the rest).

use ebur128::{EbuR128, Mode};
use mixbridge::engine::dsp::limiter::{Limiter, MARGIN_DB, ON_RAMP_MS};
use mixbridge::params::LimiterField;
use std::f32::consts::PI;

const SLACK_DB: f64 = 0.05;
const RATES: [u32; 4] = [44_100, 48_000, 88_200, 96_000];
const CEILINGS: [f32; 2] = [-1.0, -0.1];

/// A small deterministic generator, so failures reproduce.
struct Lcg(u64);

impl Lcg {
    /// Uniform in -1..1.
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

fn db_to_lin(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// Run `l`, `r` through a limiter in blocks of varying size (1..=1024) and
/// flush the look-ahead; returns the output without the latency.
fn limit(lim: &mut Limiter, l: &[f32], r: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let lat = lim.latency_samples();
    let mut ol: Vec<f32> = l
        .iter()
        .copied()
        .chain(std::iter::repeat_n(0.0, lat + 64))
        .collect();
    let mut or: Vec<f32> = r
        .iter()
        .copied()
        .chain(std::iter::repeat_n(0.0, lat + 64))
        .collect();
    let sizes = [1usize, 64, 7, 1024, 333, 128, 2, 500];
    let mut start = 0;
    let mut k = 0;
    while start < ol.len() {
        let end = (start + sizes[k % sizes.len()]).min(ol.len());
        lim.process_stereo(&mut ol[start..end], &mut or[start..end]);
        start = end;
        k += 1;
    }
    ol.drain(..lat);
    or.drain(..lat);
    (ol, or)
}

/// The true peak of a stereo signal in dBTP, on libebur128's meter.
fn ebur_true_peak_db(l: &[f32], r: &[f32], rate: u32) -> f64 {
    let mut meter = EbuR128::new(2, rate, Mode::TRUE_PEAK).unwrap();
    meter.add_frames_planar_f32(&[l, r]).unwrap();
    let peak = meter.true_peak(0).unwrap().max(meter.true_peak(1).unwrap());
    20.0 * peak.log10()
}

/// Test signals, 0.2 s each: (name, left, right).
fn signals(rate: u32, ceiling_db: f32) -> Vec<(&'static str, Vec<f32>, Vec<f32>)> {
    let fs = rate as f32;
    let n = (fs * 0.2) as usize;
    let hot = db_to_lin(ceiling_db + 12.0);
    let mut rng = Lcg(0x5eed + rate as u64);
    let mut out = Vec::new();

    // White noise peaking 12 dB over the ceiling.
    let (l, r): (Vec<f32>, Vec<f32>) = (0..n).map(|_| (hot * rng.next(), hot * rng.next())).unzip();
    out.push(("white noise +12 dB", l, r));

    // Differentiated noise: most energy near Nyquist, where meters disagree most.
    let mut prev = (0.0, 0.0);
    let (l, r): (Vec<f32>, Vec<f32>) = (0..n)
        .map(|_| {
            let (a, b) = (rng.next(), rng.next());
            let s = (hot * 0.5 * (a - prev.0), hot * 0.5 * (b - prev.1));
            prev = (a, b);
            s
        })
        .unzip();
    out.push(("high-passed noise +12 dB", l, r));

    // Low-passed noise: smooth, loud peaks, little high end.
    let (mut pl, mut pr) = (0.0f32, 0.0f32);
    let (l, r): (Vec<f32>, Vec<f32>) = (0..n)
        .map(|_| {
            pl += 0.1 * (rng.next() - pl);
            pr += 0.1 * (rng.next() - pr);
            (3.0 * hot * pl, 3.0 * hot * pr)
        })
        .unzip();
    out.push(("low-passed noise +12 dB", l, r));

    // Music-like: bass, a chord, a hi-hat-like noise burst every 1/8 s, all hot.
    let (l, r): (Vec<f32>, Vec<f32>) = (0..n)
        .map(|i| {
            let t = i as f32 / fs;
            let beat = (t * 8.0).fract();
            let env = (-beat * 30.0).exp();
            let tone = 0.5 * (2.0 * PI * 55.0 * t).sin()
                + 0.25
                    * ((2.0 * PI * 440.0 * t).sin()
                        + (2.0 * PI * 554.4 * t).sin()
                        + (2.0 * PI * 659.3 * t).sin());
            let hat = env * rng.next();
            (
                hot * (tone + 0.6 * hat) * 0.8,
                hot * (tone * 0.9 - 0.6 * hat) * 0.8,
            )
        })
        .unzip();
    out.push(("music-like +12 dB", l, r));

    // Single-sample impulses after silence, both polarities, one channel at a time.
    let mut l = vec![0.0; n];
    let mut r = vec![0.0; n];
    for (k, i) in (1000..n).step_by(2357).enumerate() {
        let v = if k % 2 == 0 { hot } else { -hot };
        if k % 3 == 0 {
            r[i] = v
        } else {
            l[i] = v
        }
    }
    out.push(("impulses +12 dB", l, r));

    // Sudden bursts after silence: a 5 kHz sine and noise switched on hard.
    let (l, r): (Vec<f32>, Vec<f32>) = (0..n)
        .map(|i| {
            let on = (i / (n / 8)) % 2 == 1;
            if !on {
                return (0.0, 0.0);
            }
            let t = i as f32 / fs;
            (hot * (2.0 * PI * 5000.0 * t).sin(), hot * rng.next())
        })
        .unzip();
    out.push(("bursts after silence +12 dB", l, r));

    // EBU 3341 case 19 shape: 1.41 FS sine at fs/4, 45 degrees (+3 dBTP).
    let isp: Vec<f32> = (0..n)
        .map(|i| 1.41 * (PI / 2.0 * i as f32 + PI / 4.0).sin())
        .collect();
    out.push(("1.41 FS fs/4 sine at 45 deg", isp.clone(), isp));

    // Naive full-scale square waves (inter-sample overshoot at every edge).
    for freq in [1000.0f32, 3001.0, 7919.0] {
        let sq: Vec<f32> = (0..n)
            .map(|i| {
                if (i as f32 * freq / fs).fract() < 0.5 {
                    1.0
                } else {
                    -1.0
                }
            })
            .collect();
        out.push((
            match freq as u32 {
                1000 => "square 1 kHz",
                3001 => "square 3 kHz",
                _ => "square 7.9 kHz",
            },
            sq.clone(),
            sq,
        ));
    }

    // Full-scale alternating pattern, switched on and off.
    let alt: Vec<f32> = (0..n)
        .map(|i| {
            if (i / 4000) % 2 == 0 {
                0.0
            } else if i % 2 == 0 {
                1.0
            } else {
                -1.0
            }
        })
        .collect();
    out.push(("full-scale alternating", alt.clone(), alt));
    out
}

fn output_true_peak_stays_under_the_ceiling(rate: u32) {
    for ceiling in CEILINGS {
        for (name, l, r) in signals(rate, ceiling) {
            let mut lim = Limiter::new(rate as f32);
            lim.set(LimiterField::Ceiling, ceiling);
            let (ol, or) = limit(&mut lim, &l, &r);
            let tp = ebur_true_peak_db(&ol, &or, rate);
            assert!(
                tp <= ceiling as f64 + SLACK_DB,
                "{name} at {rate} Hz, ceiling {ceiling}: output {tp:.3} dBTP"
            );
            if ceiling == CEILINGS[1] {
                let input_tp = ebur_true_peak_db(&l, &r, rate);
                assert!(
                    input_tp > ceiling as f64 + 0.5,
                    "{name}: the input must be hot ({input_tp:.2} dBTP)"
                );
            }
        }
    }
}

#[test]
fn true_peak_under_the_ceiling_at_44k1() {
    output_true_peak_stays_under_the_ceiling(44_100);
}

#[test]
fn true_peak_under_the_ceiling_at_48k() {
    output_true_peak_stays_under_the_ceiling(48_000);
}

#[test]
fn true_peak_under_the_ceiling_at_88k2() {
    output_true_peak_stays_under_the_ceiling(88_200);
}

#[test]
fn true_peak_under_the_ceiling_at_96k() {
    output_true_peak_stays_under_the_ceiling(96_000);
}

#[test]
fn quiet_signal_passes_unchanged_after_the_latency() {
    for rate in RATES {
        let fs = rate as f32;
        let mut rng = Lcg(7);
        // Peaks at least 3 dB under a -1 dBTP ceiling (sample and true peak).
        let l: Vec<f32> = (0..rate as usize / 2)
            .map(|i| 0.4 * (2.0 * PI * 997.0 * i as f32 / fs).sin() + 0.1 * rng.next())
            .collect();
        let r: Vec<f32> = l.iter().map(|x| -0.8 * x).collect();
        let mut lim = Limiter::new(fs);
        let (ol, or) = limit(&mut lim, &l, &r);
        for (i, (&x, &y)) in l.iter().zip(&ol).chain(r.iter().zip(&or)).enumerate() {
            if x.abs() > 1e-3 {
                let db = 20.0 * (y / x).log10();
                assert!(db.abs() <= 0.01, "sample {i} at {rate} Hz: {db} dB");
            } else {
                assert!((y - x).abs() <= 1e-5);
            }
        }
        assert_eq!(lim.gain_reduction_db(), 0.0);
    }
}

#[test]
fn latency_is_in_range_and_the_same_on_or_off() {
    for rate in RATES {
        let fs = rate as f32;
        let impulse_at = |on: f32| {
            let mut lim = Limiter::new(fs);
            lim.set(LimiterField::On, on);
            lim.reset();
            let mut l = vec![0.0f32; 1024];
            let mut r = vec![0.0f32; 1024];
            l[0] = 0.5;
            r[0] = 0.5;
            lim.process_stereo(&mut l, &mut r);
            (l.iter().position(|&x| x != 0.0), lim.latency_samples())
        };
        let (on_pos, on_lat) = impulse_at(1.0);
        let (off_pos, off_lat) = impulse_at(0.0);
        assert_eq!(on_lat, off_lat);
        assert_eq!(on_pos, Some(on_lat));
        assert_eq!(off_pos, Some(off_lat));
        let ms = on_lat as f32 * 1000.0 / fs;
        assert!((1.5..=5.0).contains(&ms), "{rate} Hz: look-ahead {ms} ms");
    }
}

#[test]
fn reports_the_gain_reduction_it_applies() {
    for rate in RATES {
        let fs = rate as f32;
        // A steady 1 kHz sine 6 dB over a -1 dBTP ceiling: the limiter must
        // take 6 dB plus its margin off.
        let amp = db_to_lin(-1.0 + 6.0);
        let l: Vec<f32> = (0..rate as usize)
            .map(|i| amp * (2.0 * PI * 1000.0 * i as f32 / fs).sin())
            .collect();
        let mut lim = Limiter::new(fs);
        lim.set(LimiterField::Ceiling, -1.0);
        let mut ol = l.clone();
        let mut or = l.clone();
        for (a, b) in ol.chunks_mut(256).zip(or.chunks_mut(256)) {
            lim.process_stereo(a, b);
        }
        let expected = 6.0 + MARGIN_DB;
        let gr = lim.gain_reduction_db();
        assert!(
            (gr - expected).abs() < 0.05,
            "{rate} Hz: reported {gr} dB, expected {expected}"
        );
        // The output itself agrees: steady-state peak is the ceiling less the margin.
        let out_peak = ol[rate as usize / 2..]
            .iter()
            .fold(0.0f32, |m, x| m.max(x.abs()));
        let out_db = 20.0 * out_peak.log10();
        assert!(
            (out_db - (-1.0 - MARGIN_DB)).abs() < 0.05,
            "{rate} Hz: output peak {out_db} dB"
        );
    }
}

#[test]
fn switching_on_and_off_glides_without_steps() {
    let fs = 48_000.0;
    // A constant level 2x over the ceiling makes the applied gain readable
    // sample by sample. Its onset overshoots (a step is not band-limited),
    // so let the release settle for 0.6 s before switching.
    let ceiling = db_to_lin(-1.0);
    let level = 2.0 * ceiling;
    let mut lim = Limiter::new(fs);
    let block = 480;
    let mut gains = Vec::new();
    for b in 0..110 {
        if b == 60 {
            lim.set(LimiterField::On, 0.0);
        }
        if b == 80 {
            lim.set(LimiterField::On, 1.0);
        }
        let mut l = vec![level; block];
        let mut r = vec![level; block];
        lim.process_stereo(&mut l, &mut r);
        gains.extend(l.iter().map(|y| y / level));
    }
    // Within 0.02 dB: the Annex 2 style interpolator (like libebur128's)
    // reads a constant 0.008 dB high, and the limiter obeys the higher reading.
    let limited = gains[60 * block - 1];
    let expected = 0.5 * db_to_lin(-MARGIN_DB);
    assert!(
        (limited / expected - 1.0).abs() < 2.5e-3,
        "limited gain {limited}, expected {expected}"
    );
    assert_eq!(gains[80 * block - 1], 1.0, "off must be unity");
    assert!(
        (gains[110 * block - 1] / expected - 1.0).abs() < 2.5e-3,
        "back on"
    );
    let ramp = ON_RAMP_MS * 0.001 * fs;
    let allowed = (1.0 - expected) / ramp * 1.01;
    let max_step = gains[50 * block..]
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    assert!(max_step <= allowed, "gain step {max_step} > {allowed}");
}

#[test]
fn output_does_not_depend_on_block_size() {
    let rate = 48_000;
    let (name, l, r) = signals(rate, -1.0)
        .into_iter()
        .find(|s| s.0.starts_with("music"))
        .unwrap();
    let mut a = Limiter::new(rate as f32);
    let (al, ar) = limit(&mut a, &l, &r);
    let mut b = Limiter::new(rate as f32);
    let mut bl = l.clone();
    let mut br = r.clone();
    bl.extend(std::iter::repeat_n(0.0, b.latency_samples() + 64));
    br.extend(std::iter::repeat_n(0.0, b.latency_samples() + 64));
    for (x, y) in bl.chunks_mut(1).zip(br.chunks_mut(1)) {
        b.process_stereo(x, y);
    }
    let lat = b.latency_samples();
    assert_eq!(al, bl[lat..], "{name}");
    assert_eq!(ar, br[lat..], "{name}");
}

#[test]
fn bad_input_and_settings_never_produce_nan() {
    let mut lim = Limiter::new(44_100.0);
    for (field, v) in [
        (LimiterField::Ceiling, f32::NAN),
        (LimiterField::Ceiling, f32::NEG_INFINITY),
        (LimiterField::Release, 0.0),
        (LimiterField::Release, f32::INFINITY),
        (LimiterField::On, f32::NAN),
    ] {
        lim.set(field, v);
    }
    // The ceiling clamps to its lowest setting, -20 dBTP; finish the glide.
    lim.reset();
    let mut l = vec![
        f32::NAN,
        f32::INFINITY,
        -f32::INFINITY,
        f32::MAX,
        -f32::MAX,
        1e-40,
        0.0,
        3.0e38,
    ];
    l.extend(std::iter::repeat_n(1e30, 500));
    let mut r = l.clone();
    r.reverse();
    lim.process_stereo(&mut l, &mut r);
    let mut tail_l = vec![0.0; 1000];
    let mut tail_r = vec![0.0; 1000];
    lim.process_stereo(&mut tail_l, &mut tail_r);
    let ceiling = db_to_lin(-20.0);
    for x in l.iter().chain(&r).chain(&tail_l).chain(&tail_r) {
        assert!(x.is_finite() && x.abs() <= ceiling, "{x}");
    }
    assert!(lim.gain_reduction_db().is_finite());
}
