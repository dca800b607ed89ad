//! The bus reverb measured from outside: decay time by Schroeder backward
//! integration, dry pass-through, stereo decorrelation, stability, tail end
//! and click-free parameter moves.

#[path = "support/blocks.rs"]
mod blocks;
use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use blocks::in_blocks;
use mixbridge::engine::dsp::reverb::Reverb;
use mixbridge::params::ReverbField;
use std::f64::consts::PI;

// Every block below runs under assert_no_alloc: an allocation aborts the test.
#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

fn process(rv: &mut Reverb, l: &mut [f32], r: &mut [f32]) {
    in_blocks(l, r, |l, r| rv.process_stereo(l, r));
}

fn reverb(fs: f32, settings: &[(ReverbField, f32)]) -> Reverb {
    let mut rv = Reverb::new(fs);
    for &(f, v) in settings {
        rv.set(f, v);
    }
    rv.reset();
    rv
}

/// The impulse response (left + right energy) of a freshly reset reverb.
fn impulse_energy(rv: &mut Reverb, n: usize) -> Vec<f64> {
    let mut l = vec![0.0f32; n];
    l[0] = 1.0;
    let mut r = l.clone();
    process(rv, &mut l, &mut r);
    l.iter()
        .zip(&r)
        .map(|(a, b)| (*a as f64).powi(2) + (*b as f64).powi(2))
        .collect()
}

/// RT60 from the energy of an impulse response: Schroeder backward
/// integration, a least-squares line through the -5..-35 dB part of the
/// decay curve, extrapolated to -60 dB (T30).
fn rt60(energy: &[f64], fs: f32) -> f64 {
    let mut edc = vec![0.0; energy.len()];
    let mut acc = 0.0;
    for i in (0..energy.len()).rev() {
        acc += energy[i];
        edc[i] = acc;
    }
    let total = edc[0];
    let (mut n, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, e) in edc.iter().enumerate() {
        let db = 10.0 * (e / total).log10();
        if (-35.0..=-5.0).contains(&db) {
            let t = i as f64 / fs as f64;
            n += 1.0;
            sx += t;
            sy += db;
            sxx += t * t;
            sxy += t * db;
        }
    }
    let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    -60.0 / slope
}

#[test]
fn decay_time_matches_the_setting() {
    // (fs, decay s, size): damping 0, so the decay is the same at every frequency.
    let cases = [
        (44_100.0, 0.5, 0.3),
        (48_000.0, 1.8, 0.5),
        (48_000.0, 4.0, 1.0),
        (96_000.0, 1.0, 0.7),
        (88_200.0, 2.5, 0.0),
    ];
    for (fs, decay, size) in cases {
        let mut rv = reverb(
            fs,
            &[
                (ReverbField::Decay, decay),
                (ReverbField::Size, size),
                (ReverbField::Damping, 0.0),
                (ReverbField::Predelay, 0.0),
            ],
        );
        // Long enough to fall 70 dB, so cutting the tail cannot bend the curve at -35 dB.
        let e = impulse_energy(&mut rv, (decay * 1.2 * fs) as usize);
        let t = rt60(&e, fs);
        assert!(
            (t / decay as f64 - 1.0).abs() < 0.15,
            "fs {fs} decay {decay} size {size}: measured {t:.3} s"
        );
    }
}

/// RBJ band-pass (0 dB peak), to look at one part of the spectrum.
fn band_pass(x: &[f64], f0: f64, q: f64, fs: f64) -> Vec<f64> {
    let w = 2.0 * PI * f0 / fs;
    let alpha = w.sin() / (2.0 * q);
    let a0 = 1.0 + alpha;
    let (b0, b2) = (alpha / a0, -alpha / a0);
    let (a1, a2) = (-2.0 * w.cos() / a0, (1.0 - alpha) / a0);
    let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
    x.iter()
        .map(|&v| {
            let y = b0 * v + b2 * x2 - a1 * y1 - a2 * y2;
            (x2, x1, y2, y1) = (x1, v, y1, y);
            y
        })
        .collect()
}

#[test]
fn damping_shortens_the_high_decay_only() {
    let fs = 48_000.0;
    let decay = 2.0;
    for damping in [0.5f32, 1.0] {
        let mut rv = reverb(
            fs,
            &[
                (ReverbField::Decay, decay),
                (ReverbField::Damping, damping),
                (ReverbField::Predelay, 0.0),
            ],
        );
        let n = (decay * 1.2 * fs) as usize;
        let mut l = vec![0.0f32; n];
        l[0] = 1.0;
        let mut r = l.clone();
        process(&mut rv, &mut l, &mut r);
        let left: Vec<f64> = l.iter().map(|&v| v as f64).collect();
        let band = |f0: f64| -> f64 {
            // Two passes, so frequencies that decay slower leak in 70 dB down.
            let once = band_pass(&left, f0, 6.0, fs as f64);
            let e: Vec<f64> = band_pass(&once, f0, 6.0, fs as f64)
                .iter()
                .map(|v| v * v)
                .collect();
            rt60(&e, fs)
        };
        let low = band(250.0);
        let high = band(4000.0);
        // The design: the full decay at low frequencies, 1 - 0.8·damping of it at 4 kHz.
        let want_high = decay as f64 * (1.0 - 0.8 * damping as f64);
        assert!(
            (low / decay as f64 - 1.0).abs() < 0.15,
            "damping {damping}: low band {low:.3} s"
        );
        assert!(
            (high / want_high - 1.0).abs() < 0.15,
            "damping {damping}: 4 kHz band {high:.3} s, want {want_high:.3}"
        );
    }
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
fn mix_zero_passes_the_input_unchanged() {
    for fs in [44_100.0, 96_000.0] {
        let mut rv = reverb(fs, &[(ReverbField::Mix, 0.0)]);
        let input_l = noise(20_000, 1);
        let input_r = noise(20_000, 2);
        let (mut l, mut r) = (input_l.clone(), input_r.clone());
        process(&mut rv, &mut l, &mut r);
        assert_eq!(l, input_l);
        assert_eq!(r, input_r);
    }
}

fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len() as f64;
    let ma = a.iter().map(|&v| v as f64).sum::<f64>() / n;
    let mb = b.iter().map(|&v| v as f64).sum::<f64>() / n;
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (x as f64 - ma, y as f64 - mb);
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    ab / (aa * bb).sqrt()
}

#[test]
fn mono_input_comes_out_decorrelated() {
    let fs = 48_000.0;
    for size in [0.2, 0.5, 1.0] {
        let mut rv = reverb(fs, &[(ReverbField::Size, size)]);
        let mut l = noise(96_000, 7);
        let mut r = l.clone();
        process(&mut rv, &mut l, &mut r);
        let c = correlation(&l[24_000..], &r[24_000..]);
        assert!(c.abs() < 0.3, "size {size}: correlation {c:.3}");
        // An impulse, too: the two tails must differ all along.
        let mut rv = reverb(fs, &[(ReverbField::Size, size)]);
        let mut l = vec![0.0f32; 48_000];
        l[0] = 1.0;
        let mut r = l.clone();
        process(&mut rv, &mut l, &mut r);
        let c = correlation(&l, &r);
        assert!(
            c.abs() < 0.3,
            "size {size}: impulse response correlation {c:.3}"
        );
    }
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

#[test]
fn stable_at_the_longest_decay_and_largest_size() {
    let fs = 48_000.0;
    let mut rv = reverb(
        fs,
        &[
            (ReverbField::Decay, 20.0),
            (ReverbField::Size, 1.0),
            (ReverbField::Damping, 0.0),
        ],
    );
    let second = fs as usize;
    // Two seconds of noise, then silence: every second of the tail must be
    // 3 dB (60 dB / 20 s) below the one before, for 40 s.
    let mut l = noise(2 * second, 3);
    let mut r = noise(2 * second, 4);
    process(&mut rv, &mut l, &mut r);
    let mut prev = None;
    let mut first = 0.0;
    for s in 0..40 {
        let mut l = vec![0.0f32; second];
        let mut r = vec![0.0f32; second];
        process(&mut rv, &mut l, &mut r);
        let level = 20.0 * (rms(&l) + rms(&r)).log10();
        if let Some(p) = prev {
            let drop: f64 = p - level;
            assert!((drop - 3.0).abs() < 0.6, "second {s}: fell {drop:.2} dB");
        } else {
            first = level;
        }
        prev = Some(level);
    }
    let total = first - prev.unwrap();
    assert!(
        (total - 117.0).abs() < 117.0 * 0.05,
        "fell {total:.1} dB over 39 s"
    );
}

#[test]
fn tail_ends_in_exact_silence() {
    let fs = 44_100.0;
    let mut rv = reverb(
        fs,
        &[(ReverbField::Decay, 0.5), (ReverbField::Predelay, 100.0)],
    );
    assert!(!rv.tail_active());
    let mut l = noise(4410, 5);
    let mut r = noise(4410, 6);
    process(&mut rv, &mut l, &mut r);
    assert!(rv.tail_active());
    // -120 dB takes 2 x RT60 = 1 s, plus predelay, diffusion and the longest line.
    let mut tenths = 0;
    while rv.tail_active() {
        let mut l = vec![0.0f32; 4410];
        let mut r = vec![0.0f32; 4410];
        process(&mut rv, &mut l, &mut r);
        tenths += 1;
        assert!(tenths < 20, "tail still active after 2 s");
        if !rv.tail_active() {
            let last = peak(&l).max(peak(&r));
            assert!(last < 1e-5, "tail called inactive at {last:e}");
        }
    }
    // Flushing takes the level below the smallest normal float, ~-760 dB: 6.3 s more.
    let mut silent_after = None;
    for block in 0..100 {
        let mut l = vec![0.0f32; 4410];
        let mut r = vec![0.0f32; 4410];
        process(&mut rv, &mut l, &mut r);
        if l.iter().chain(&r).all(|&v| v == 0.0) {
            silent_after.get_or_insert(block);
        } else {
            assert!(
                silent_after.is_none(),
                "sound came back after exact silence"
            );
        }
    }
    assert!(
        silent_after.is_some_and(|b| b < 80),
        "no exact silence within 8 s"
    );
}

/// RBJ high-pass, Butterworth Q.
fn high_pass(x: &[f32], f0: f64, fs: f64) -> Vec<f32> {
    let w = 2.0 * PI * f0 / fs;
    let alpha = w.sin() / 2.0f64.sqrt();
    let a0 = 1.0 + alpha;
    let b0 = (1.0 + w.cos()) / 2.0 / a0;
    let (b1, b2) = (-2.0 * b0, b0);
    let (a1, a2) = (-2.0 * w.cos() / a0, (1.0 - alpha) / a0);
    let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
    x.iter()
        .map(|&v| {
            let v = v as f64;
            let y = b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
            (x2, x1, y2, y1) = (x1, v, y1, y);
            y as f32
        })
        .collect()
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

#[test]
fn size_and_decay_moves_do_not_click() {
    // A low tone through the reverb leaves nothing above a few kHz; a jump in
    // value or slope anywhere in the network would (a step of size d rings a
    // high-pass at about d). So: play 110 Hz, move the parameter, and watch
    // the output through a steep 3 kHz high-pass.
    let fs = 48_000.0;
    let f = 110.0;
    let sine = |range: std::ops::Range<usize>| -> Vec<f32> {
        range
            .map(|i| (0.5 * (2.0 * PI * f * i as f64 / fs as f64).sin()) as f32)
            .collect()
    };
    let settle = 3 * fs as usize;
    let total = 5 * fs as usize;
    // (parameter, from, to, in how many evenly spread steps over one second)
    for (field, from, to, steps) in [
        (ReverbField::Size, 0.3, 0.9, 1),
        (ReverbField::Size, 1.0, 0.0, 1),
        (ReverbField::Size, 0.2, 0.8, 750), // automation: a value every 64 samples
        (ReverbField::Decay, 0.5, 8.0, 1),
        (ReverbField::Damping, 0.0, 1.0, 1),
    ] {
        let mut rv = reverb(fs, &[(ReverbField::Decay, 1.0), (field, from)]);
        let mut l = sine(0..total);
        let mut r = l.clone();
        let (l_before, l_after) = l.split_at_mut(settle);
        let (r_before, r_after) = r.split_at_mut(settle);
        process(&mut rv, l_before, r_before);
        let block = fs as usize / steps;
        for (k, (lb, rb)) in l_after
            .chunks_mut(block)
            .zip(r_after.chunks_mut(block))
            .enumerate()
        {
            if k < steps {
                rv.set(field, from + (to - from) * (k + 1) as f32 / steps as f32);
            }
            process(&mut rv, lb, rb);
        }
        let level = peak(&l[settle..]).max(peak(&r[settle..]));
        let mut high = 0.0f32;
        for out in [&l, &r] {
            let hp = high_pass(
                &high_pass(&high_pass(out, 3000.0, fs as f64), 3000.0, fs as f64),
                3000.0,
                fs as f64,
            );
            high = high.max(peak(&hp[settle - fs as usize..]));
        }
        let db = 20.0 * (high / level).log10();
        assert!(
            db < -70.0,
            "{field:?} {from} -> {to}: {db:.1} dB above 3 kHz"
        );
    }
}

#[test]
fn predelay_delays_the_onset() {
    let fs = 48_000.0;
    for ms in [0.0f32, 35.0, 250.0] {
        let mut rv = reverb(fs, &[(ReverbField::Predelay, ms)]);
        let n = 24_000;
        let mut l = vec![0.0f32; n];
        l[0] = 1.0;
        let mut r = l.clone();
        process(&mut rv, &mut l, &mut r);
        let onset = l
            .iter()
            .zip(&r)
            .position(|(a, b)| *a != 0.0 || *b != 0.0)
            .unwrap();
        let pre = (ms / 1000.0 * fs).round() as usize;
        // The shortest path adds the shortest line: 30 ms x 0.575 at the default size.
        let shortest = (0.030 * 0.575 * fs) as usize;
        assert!(
            onset >= pre + shortest && onset <= pre + shortest + 200,
            "{ms} ms: onset {onset}, predelay {pre}"
        );
    }
}

#[test]
fn bad_values_are_ignored_or_clamped_without_allocating() {
    let mut rv = Reverb::new(48_000.0);
    assert_no_alloc(|| {
        for field in [
            ReverbField::Size,
            ReverbField::Decay,
            ReverbField::Predelay,
            ReverbField::Damping,
            ReverbField::Mix,
        ] {
            for v in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -1e30, 1e30] {
                rv.set(field, v);
            }
        }
    });
    let mut l = noise(48_000, 8);
    let mut r = noise(48_000, 9);
    process(&mut rv, &mut l, &mut r);
    assert!(l.iter().chain(&r).all(|v| v.is_finite()));
}

#[test]
fn stays_stable_while_size_keeps_moving() {
    let fs = 48_000.0;
    let mut rv = reverb(
        fs,
        &[
            (ReverbField::Decay, 20.0),
            (ReverbField::Size, 1.0),
            (ReverbField::Damping, 0.0),
        ],
    );
    let mut l = noise(fs as usize, 10);
    let mut r = noise(fs as usize, 11);
    process(&mut rv, &mut l, &mut r);
    let start = 20.0 * (rms(&l[24_000..]) + rms(&r[24_000..])).log10();
    // Twenty seconds of silence while the size swings every quarter second:
    // the gliding network must still lose at least what a 20 s decay loses
    // (60 dB in 20 s), give or take the level change that size itself makes.
    let sizes = [0.0, 1.0, 0.4, 0.9, 0.1, 0.6];
    let quarter = fs as usize / 4;
    let mut level = 0.0;
    for k in 0..80 {
        rv.set(ReverbField::Size, sizes[k % sizes.len()]);
        let mut l = vec![0.0f32; quarter];
        let mut r = vec![0.0f32; quarter];
        process(&mut rv, &mut l, &mut r);
        assert!(
            l.iter().chain(&r).all(|v| v.is_finite() && v.abs() < 10.0),
            "quarter {k}"
        );
        level = 20.0 * (rms(&l) + rms(&r)).log10();
    }
    let fell = start - level;
    assert!(fell > 50.0, "fell only {fell:.1} dB in 20 s");
}
