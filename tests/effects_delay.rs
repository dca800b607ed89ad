//! The bus delay measured from outside: echo times in samples, tempo sync,
//! feedback decay, the feedback filters against the analog Butterworth
//! response, ping-pong, dry pass-through, stability and click-free moves.

#[path = "support/blocks.rs"]
mod blocks;
use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use blocks::in_blocks;
use mixbridge::engine::dsp::delay::{Delay, CROSSFADE_MS};
use mixbridge::params::{DelayField, NoteValue};
use std::f64::consts::PI;

// Every block below runs under assert_no_alloc: an allocation aborts the test.
#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

fn process(d: &mut Delay, l: &mut [f32], r: &mut [f32]) {
    in_blocks(l, r, |l, r| d.process_stereo(l, r));
}

/// Filters wide open, wet only, no feedback, unless `settings` say otherwise.
fn delay(fs: f32, settings: &[(DelayField, f32)]) -> Delay {
    let mut d = Delay::new(fs);
    for (f, v) in [
        (DelayField::LowCut, 20.0),
        (DelayField::HighCut, 20_000.0),
        (DelayField::Mix, 1.0),
        (DelayField::Feedback, 0.0),
    ]
    .into_iter()
    .chain(settings.iter().copied())
    {
        d.set(f, v);
    }
    d.reset();
    d
}

fn impulse(n: usize) -> (Vec<f32>, Vec<f32>) {
    let mut l = vec![0.0f32; n];
    l[0] = 1.0;
    (l.clone(), l)
}

fn argmax(x: &[f32]) -> usize {
    (0..x.len()).fold(
        0,
        |best, i| if x[i].abs() > x[best].abs() { i } else { best },
    )
}

#[test]
fn echo_arrives_at_the_set_time() {
    for fs in [44_100.0f32, 48_000.0, 96_000.0] {
        for ms in [1.0f32, 10.0, 123.4, 1000.0, 4000.0] {
            let mut d = delay(fs, &[(DelayField::Time, ms)]);
            let want = (ms as f64 * fs as f64 / 1000.0).round() as i64;
            let (mut l, mut r) = impulse(want as usize + 100);
            process(&mut d, &mut l, &mut r);
            for out in [&l, &r] {
                let at = argmax(out) as i64;
                assert!(
                    (at - want).abs() <= 1,
                    "{fs} Hz, {ms} ms: echo at {at}, want {want}"
                );
            }
        }
    }
}

fn note(name: &str) -> f32 {
    NoteValue::NAMES.iter().position(|n| *n == name).unwrap() as f32
}

#[test]
fn note_values_follow_the_tempo() {
    let fs = 48_000.0;
    // A quarter note is one beat: 60 000 ms / bpm; dotted = 1.5x; triplet = 2/3.
    for (name, bpm, ms) in [
        ("1/4", 120.0, 500.0),
        ("1/8d", 120.0, 375.0),
        ("1/4", 90.0, 60_000.0 / 90.0),
        ("1/8t", 100.0, 60_000.0 / 100.0 / 3.0),
        ("1/1", 140.0, 4.0 * 60_000.0 / 140.0),
    ] {
        let mut d = delay(
            fs,
            &[(DelayField::Time, 50.0), (DelayField::Note, note(name))],
        );
        d.set_tempo(bpm);
        d.reset();
        let want = (ms * fs as f64 / 1000.0).round() as i64;
        let (mut l, mut r) = impulse(want as usize + 100);
        process(&mut d, &mut l, &mut r);
        let at = argmax(&l) as i64;
        assert!(
            (at - want).abs() <= 1,
            "{name} at {bpm} bpm: echo at {at}, want {want}"
        );
    }
    // Note off goes back to the time in ms.
    let mut d = delay(
        fs,
        &[(DelayField::Time, 50.0), (DelayField::Note, note("1/4"))],
    );
    d.set(DelayField::Note, 0.0);
    d.reset();
    assert_eq!(d.delay_samples(), 2400);
}

/// A Hann-windowed tone burst of `len` samples.
fn burst(f: f64, len: usize, fs: f32, total: usize) -> Vec<f32> {
    (0..total)
        .map(|i| {
            if i >= len {
                return 0.0;
            }
            let w = 0.5 - 0.5 * (2.0 * PI * i as f64 / len as f64).cos();
            (0.5 * w * (2.0 * PI * f * i as f64 / fs as f64).sin()) as f32
        })
        .collect()
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

#[test]
fn repeats_decay_by_the_feedback_factor() {
    let fs = 48_000.0;
    let period = 4800; // 100 ms
    let len = 960;
    for fb in [0.3f32, 0.6, 0.95] {
        let mut d = delay(fs, &[(DelayField::Time, 100.0), (DelayField::Feedback, fb)]);
        let input = burst(1000.0, len, fs, 6 * period);
        let (mut l, mut r) = (input.clone(), input.clone());
        process(&mut d, &mut l, &mut r);
        let echo = |k: usize| rms(&l[k * period..k * period + len]);
        let first = db(echo(1) / rms(&input[..len]));
        assert!(first.abs() < 0.5, "fb {fb}: first echo {first:.2} dB");
        for k in 1..5 {
            let step = db(echo(k + 1) / echo(k));
            let want = db(fb as f64);
            assert!(
                (step - want).abs() < 0.5,
                "fb {fb}: echo {} is {step:.2} dB below echo {k}, want {want:.2}",
                k + 1
            );
        }
    }
}

/// |H| of the second-order Butterworth high- or low-pass, bilinear-transformed
/// (the analog response at the prewarped frequency).
fn butterworth(f: f64, fc: f64, fs: f64, high: bool) -> f64 {
    let x = ((PI * f / fs).tan() / (PI * fc / fs).tan()).powi(4);
    (if high { x / (1.0 + x) } else { 1.0 / (1.0 + x) }).sqrt()
}

#[test]
fn feedback_filters_cut_the_lows_and_highs_of_repeats() {
    let fs = 48_000.0;
    let period = 24_000; // 500 ms
    let len = 9600; // 200 ms tone, measured in its middle 100 ms
    let fb = 0.8;
    for (tone, low_cut, high_cut) in [
        (100.0, 400.0, 20_000.0),
        (8000.0, 20.0, 2000.0),
        (3000.0, 2000.0, 2500.0),
    ] {
        let mut d = delay(
            fs,
            &[
                (DelayField::Time, 500.0),
                (DelayField::Feedback, fb),
                (DelayField::LowCut, low_cut),
                (DelayField::HighCut, high_cut),
            ],
        );
        let input = burst(tone, len, fs, 4 * period);
        let (mut l, mut r) = (input.clone(), input.clone());
        process(&mut d, &mut l, &mut r);
        let mid = |x: &[f32], k: usize| rms(&x[k * period + len / 4..k * period + 3 * len / 4]);
        let h = butterworth(tone, low_cut as f64, fs as f64, true)
            * butterworth(tone, high_cut as f64, fs as f64, false);
        // Each pass through the line goes through the filters once more.
        let first = db(mid(&l, 1) / mid(&input, 0));
        let second = db(mid(&l, 2) / mid(&l, 1));
        assert!(
            (first - db(h)).abs() < 0.5,
            "{tone} Hz: first echo {first:.2} dB, want {:.2}",
            db(h)
        );
        assert!(
            (second - db(h * fb as f64)).abs() < 0.5,
            "{tone} Hz: second/first {second:.2} dB, want {:.2}",
            db(h * fb as f64)
        );
        assert!(db(h) < -3.0, "the case must actually test a cut");
    }
}

#[test]
fn ping_pong_alternates_sides_for_a_mono_input() {
    let fs = 44_100.0;
    let fb = 0.7;
    let mut d = delay(
        fs,
        &[
            (DelayField::Time, 100.0),
            (DelayField::Feedback, fb),
            (DelayField::PingPong, 1.0),
        ],
    );
    let period = 4410;
    let (mut l, mut r) = impulse(5 * period + 100);
    process(&mut d, &mut l, &mut r);
    let level = |x: &[f32], k: usize| {
        x[k * period - 50..k * period + 50]
            .iter()
            .map(|v| v * v)
            .sum::<f32>()
            .sqrt()
    };
    let mut prev = 1.0 / fb;
    for k in 1..=5 {
        let (on, off) = if k % 2 == 1 { (&l, &r) } else { (&r, &l) };
        let (on, off) = (level(on, k), level(off, k));
        // Each repeat is the feedback factor down, less what the wide-open
        // high-cut takes from a click near Nyquist.
        assert!(
            on <= prev * fb && on > prev * fb * 0.9,
            "echo {k}: {on} after {prev}"
        );
        assert!(
            off < 1e-3 * on,
            "echo {k}: {off} on the wrong side, {on} on the right one"
        );
        prev = on;
    }
    // Off again: both sides repeat together.
    let mut d = delay(fs, &[(DelayField::Time, 100.0), (DelayField::Feedback, fb)]);
    let (mut l, mut r) = impulse(2 * period + 100);
    process(&mut d, &mut l, &mut r);
    assert_eq!(l, r);
    assert!(level(&l, 1) > 0.9 && level(&l, 2) > 0.9 * fb * level(&l, 1));
}

fn noise(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
        })
        .collect()
}

#[test]
fn mix_zero_is_dry() {
    let mut d = delay(
        48_000.0,
        &[
            (DelayField::Mix, 0.0),
            (DelayField::Feedback, 0.9),
            (DelayField::Time, 7.0),
        ],
    );
    let (in_l, in_r) = (noise(30_000, 1), noise(30_000, 2));
    let (mut l, mut r) = (in_l.clone(), in_r.clone());
    process(&mut d, &mut l, &mut r);
    assert_eq!(l, in_l);
    assert_eq!(r, in_r);
}

#[test]
fn stable_at_maximum_feedback() {
    let fs = 48_000.0;
    for pingpong in [0.0, 1.0] {
        // A short time, so the ten seconds below are a thousand round trips.
        let mut d = delay(
            fs,
            &[
                (DelayField::Time, 10.0),
                (DelayField::Feedback, 0.95),
                (DelayField::PingPong, pingpong),
            ],
        );
        let (mut l, mut r) = (noise(480_000, 3), noise(480_000, 4));
        process(&mut d, &mut l, &mut r);
        // Every echo is at most the input through filters of gain <= 1, so
        // the output can never pass sum(0.95^k) = 20 times the input peak.
        let peak = l.iter().chain(&r).fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(
            peak.is_finite() && peak < 20.0,
            "pingpong {pingpong}: peak {peak}"
        );
        // Silence: 0.95 per 10 ms (-44.6 dB/s) takes the loop below the
        // smallest normal float (-760 dB) in 17 s; flushed, it must then be
        // exactly silent.
        let (mut l, mut r) = (vec![0.0f32; 20 * 48_000], vec![0.0f32; 20 * 48_000]);
        process(&mut d, &mut l, &mut r);
        let last = &l[19 * 48_000..];
        assert!(
            last.iter().chain(&r[19 * 48_000..]).all(|&v| v == 0.0),
            "pingpong {pingpong}: tail not silent"
        );
    }
}

fn max_jump(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn time_changes_do_not_click() {
    let fs = 48_000.0;
    let f = 440.0;
    let amp = 0.5;
    let total = 3 * fs as usize;
    let sine: Vec<f32> = (0..total)
        .map(|i| (amp * (2.0 * PI * f * i as f64 / fs as f64).sin()) as f32)
        .collect();
    // The output is a sine (slope at most A·2·sin(ω/2) per sample) crossfaded
    // to another: the weight moves at most 1.5/len per sample between two
    // values at most 2A apart.
    let fade = (CROSSFADE_MS as f64 * fs as f64 / 1000.0).round();
    let bound = (amp * (2.0 * (PI * f / fs as f64).sin() + 3.0 / fade) * 1.01) as f32;
    let mut d = delay(fs, &[(DelayField::Time, 300.0)]);
    let (mut l, mut r) = (sine.clone(), sine.clone());
    let start = 15_000; // the first echo is in
    let mut at = 0;
    let mut step = |d: &mut Delay, to: usize, l: &mut Vec<f32>, r: &mut Vec<f32>| {
        process(d, &mut l[at..to], &mut r[at..to]);
        at = to;
    };
    step(&mut d, start, &mut l, &mut r);
    // One jump, then a knob sweep (an update every 10 ms), then a note value.
    d.set(DelayField::Time, 170.0);
    step(&mut d, start + 24_000, &mut l, &mut r);
    for k in 0..50 {
        d.set(DelayField::Time, 170.0 + 20.0 * k as f32);
        step(&mut d, start + 24_000 + 480 * (k + 1), &mut l, &mut r);
    }
    d.set(DelayField::Note, note("1/8"));
    step(&mut d, total, &mut l, &mut r);
    for out in [&l, &r] {
        let jump = max_jump(&out[start..]);
        assert!(jump <= bound, "largest step {jump:.4}, bound {bound:.4}");
    }
    // The echo really moved: in the end it is 250 ms (1/8 at 120 bpm) behind.
    let lag = 12_000;
    let tail = &l[total - 4800..];
    let err = tail
        .iter()
        .zip(&sine[total - 4800 - lag..])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(
        err < 0.05,
        "output is not the input 250 ms late: error {err}"
    );
}

#[test]
fn ping_pong_switch_does_not_click() {
    let fs = 48_000.0;
    let f = 440.0;
    let amp = 0.5;
    let n = fs as usize;
    let sine: Vec<f32> = (0..n)
        .map(|i| (amp * (2.0 * PI * f * i as f64 / fs as f64).sin()) as f32)
        .collect();
    // With no feedback and L = R, switching ping-pong only fades the right
    // line's input, over the 20 ms parameter ramp.
    let ramp = 0.020 * fs as f64;
    let bound = (amp * (2.0 * (PI * f / fs as f64).sin() + 1.0 / ramp) * 1.01) as f32;
    let mut d = delay(fs, &[(DelayField::Time, 50.0)]);
    let (mut l, mut r) = (sine.clone(), sine.clone());
    process(&mut d, &mut l[..10_000], &mut r[..10_000]);
    d.set(DelayField::PingPong, 1.0);
    process(&mut d, &mut l[10_000..], &mut r[10_000..]);
    assert!(
        max_jump(&r[3000..]) <= bound,
        "{} > {bound}",
        max_jump(&r[3000..])
    );
    assert!(rms(&r[n - 4800..]) < 1e-6, "the right side falls silent");
}

#[test]
fn bad_values_are_ignored_or_clamped_without_allocating() {
    let mut d = Delay::new(44_100.0);
    assert_no_alloc(|| {
        for field in [
            DelayField::Time,
            DelayField::Note,
            DelayField::Feedback,
            DelayField::LowCut,
            DelayField::HighCut,
            DelayField::PingPong,
            DelayField::Mix,
        ] {
            for v in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -1e30, 1e30] {
                d.set(field, v);
            }
        }
        d.set_tempo(f32::NAN);
        d.set_tempo(0.0);
        d.set_tempo(1e9);
    });
    let (mut l, mut r) = (noise(44_100, 5), noise(44_100, 6));
    process(&mut d, &mut l, &mut r);
    assert!(l.iter().chain(&r).all(|v| v.is_finite() && v.abs() < 20.0));
}
