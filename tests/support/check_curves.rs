//! The playback-system checks' curves as `engine::monitor::check`
//! documents them, written out again here, and their response computed
//! straight from the Audio-EQ-Cookbook formulas: the truth the engine's
//! and the daemon's check tests measure against.
#![allow(dead_code)]

use std::f64::consts::PI;

/// Every check but `off`, by name.
pub const CHECKS: [&str; 6] = ["phone", "laptop", "earbuds", "car", "tv", "small-radio"];

/// The curves as `engine::monitor::check` documents them, written out here
/// again: (mono, width, sections). A section is (kind, Hz, Q, dB).
#[derive(Clone, Copy)]
pub enum K {
    Hp,
    Lp,
    Peak,
    LowShelf,
    HighShelf,
}
const Q2: f64 = std::f64::consts::FRAC_1_SQRT_2;
const Q4: [f64; 2] = [0.541_196_1, 1.306_563];

/// One section: (kind, Hz, Q, dB).
pub type Section = (K, f64, f64, f64);

pub fn documented(check: &str) -> (bool, f64, Vec<Section>) {
    use K::*;
    let bw4 = |k: K, f: f64| vec![(k, f, Q4[0], 0.0), (k, f, Q4[1], 0.0)];
    match check {
        "phone" => (
            true,
            1.0,
            [
                bw4(Hp, 400.0),
                vec![(Peak, 3000.0, 1.4, 4.0), (Lp, 8000.0, Q2, 0.0)],
            ]
            .concat(),
        ),
        "laptop" => (
            false,
            0.5,
            [
                bw4(Hp, 350.0),
                vec![(Peak, 700.0, 1.4, 3.0), (Lp, 7000.0, Q2, 0.0)],
            ]
            .concat(),
        ),
        "earbuds" => (
            false,
            1.0,
            vec![
                (Hp, 100.0, Q2, 0.0),
                (Peak, 2700.0, 1.5, 3.0),
                (Lp, 11_300.0, Q2, 0.0),
            ],
        ),
        "car" => (
            false,
            1.0,
            vec![
                (LowShelf, 50.0, Q2, 10.0),
                (Hp, 30.0, Q2, 0.0),
                (HighShelf, 6000.0, Q2, -3.0),
            ],
        ),
        "tv" => (
            false,
            1.0,
            [
                bw4(Hp, 150.0),
                vec![(Peak, 300.0, 1.4, 3.0), (Lp, 10_000.0, Q2, 0.0)],
            ]
            .concat(),
        ),
        "small-radio" => (
            true,
            1.0,
            [
                bw4(Hp, 180.0),
                vec![(Peak, 1000.0, 1.0, 4.0)],
                bw4(Lp, 4500.0),
            ]
            .concat(),
        ),
        other => panic!("no documented curve for {other}"),
    }
}

/// |H(e^jw)| of one Audio-EQ-Cookbook section, in dB, evaluated directly
/// from the cookbook's formulas with complex arithmetic.
pub fn cookbook_db(k: K, f0: f64, q: f64, gain_db: f64, f: f64, fs: f64) -> f64 {
    let a = 10f64.powf(gain_db / 40.0);
    let w0 = 2.0 * PI * f0 / fs;
    let (sin, cos) = w0.sin_cos();
    let alpha = sin / (2.0 * q);
    let sa = 2.0 * a.sqrt() * alpha;
    let (b, den) = match k {
        K::Hp => (
            [(1.0 + cos) / 2.0, -(1.0 + cos), (1.0 + cos) / 2.0],
            [1.0 + alpha, -2.0 * cos, 1.0 - alpha],
        ),
        K::Lp => (
            [(1.0 - cos) / 2.0, 1.0 - cos, (1.0 - cos) / 2.0],
            [1.0 + alpha, -2.0 * cos, 1.0 - alpha],
        ),
        K::Peak => (
            [1.0 + alpha * a, -2.0 * cos, 1.0 - alpha * a],
            [1.0 + alpha / a, -2.0 * cos, 1.0 - alpha / a],
        ),
        K::LowShelf => (
            [
                a * ((a + 1.0) - (a - 1.0) * cos + sa),
                2.0 * a * ((a - 1.0) - (a + 1.0) * cos),
                a * ((a + 1.0) - (a - 1.0) * cos - sa),
            ],
            [
                (a + 1.0) + (a - 1.0) * cos + sa,
                -2.0 * ((a - 1.0) + (a + 1.0) * cos),
                (a + 1.0) + (a - 1.0) * cos - sa,
            ],
        ),
        K::HighShelf => (
            [
                a * ((a + 1.0) + (a - 1.0) * cos + sa),
                -2.0 * a * ((a - 1.0) + (a + 1.0) * cos),
                a * ((a + 1.0) + (a - 1.0) * cos - sa),
            ],
            [
                (a + 1.0) - (a - 1.0) * cos + sa,
                2.0 * ((a - 1.0) - (a + 1.0) * cos),
                (a + 1.0) - (a - 1.0) * cos - sa,
            ],
        ),
    };
    let w = 2.0 * PI * f / fs;
    let eval = |c: [f64; 3]| {
        let re = c[0] + c[1] * w.cos() + c[2] * (2.0 * w).cos();
        let im = -c[1] * w.sin() - c[2] * (2.0 * w).sin();
        (re * re + im * im).sqrt()
    };
    20.0 * (eval(b) / eval(den)).log10()
}

/// The documented chain's gain at `f` (48 kHz), with its level normalising 1 kHz to 0 dB.
pub fn documented_db(check: &str, f: f64) -> f64 {
    let (_, _, stages) = documented(check);
    let at = |f: f64| -> f64 {
        stages
            .iter()
            .map(|&(k, f0, q, g)| cookbook_db(k, f0, q, g, f, 48_000.0))
            .sum()
    };
    at(f) - at(1000.0)
}
