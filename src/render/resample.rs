//! Offline sample-rate conversion of whole files (control side only): a
//! windowed-sinc interpolator evaluated at each output instant, with the
//! cutoff lowered to the output's Nyquist when converting down.

use crate::engine::dsp::kaiser::{kaiser, sinc};

/// Zero crossings of the sinc on each side of the output instant.
const HALF_TAPS: usize = 32;
const BETA: f64 = 8.6;

/// Resample one channel from `from` Hz to `to` Hz.
pub fn resample(x: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to || x.is_empty() {
        return x.to_vec();
    }
    let ratio = to as f64 / from as f64;
    // Pass band: the lower Nyquist, slightly inside it so the transition
    // band ends before aliasing sets in.
    let cutoff = ratio.min(1.0) * 0.95;
    let out_len = ((x.len() as f64) * ratio).round() as usize;
    let half = HALF_TAPS as f64 / cutoff;
    (0..out_len)
        .map(|n| {
            let t = n as f64 / ratio;
            let first = (t - half).ceil().max(0.0) as usize;
            let last = ((t + half).floor() as usize).min(x.len() - 1);
            let mut acc = 0.0f64;
            for (k, &s) in x.iter().enumerate().take(last + 1).skip(first) {
                let d = k as f64 - t;
                acc += s as f64 * cutoff * sinc(d * cutoff) * kaiser(d / half, BETA);
            }
            acc as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| (2.0 * std::f64::consts::PI * freq * n as f64 / rate as f64).sin() as f32)
            .collect()
    }

    #[test]
    fn sine_survives_up_and_down_conversion() {
        for (from, to) in [
            (44_100, 48_000),
            (48_000, 44_100),
            (96_000, 48_000),
            (48_000, 96_000),
        ] {
            let x = sine(1000.0, from, from as usize / 4);
            let y = resample(&x, from, to);
            assert_eq!(y.len(), to as usize / 4);
            let want = sine(1000.0, to, y.len());
            // Ignore the edges, where the filter sees the file's ends.
            let err = y[200..y.len() - 200]
                .iter()
                .zip(&want[200..])
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(err < 1e-3, "{from}->{to}: {err}");
        }
    }

    #[test]
    fn content_above_the_new_nyquist_is_removed() {
        let x = sine(30_000.0, 96_000, 48_000);
        let y = resample(&x, 96_000, 48_000);
        let peak = y[200..y.len() - 200]
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(peak < 1e-3, "{peak}");
    }
}
