//! How mono the bass of a stereo file is, for a vinyl cut.
//!
//! A lathe turns the side signal into vertical groove motion; bass there
//! makes a groove the stylus cannot track. The measure is the energy of the
//! side signal (L-R)/2 against the mid (L+R)/2 below [`LOW_END_HZ`], after a
//! 4th-order Linkwitz-Riley low-pass: 0 dB means uncorrelated bass, below it
//! mostly in phase, above it mostly out of phase. It runs offline, on files.

use std::f64::consts::PI;

/// Where cutting engineers usually fold the bass to mono.
pub const LOW_END_HZ: f64 = 150.0;
/// Results are clamped to ±this, so perfect mono or anti-phase stay finite.
const LIMIT_DB: f64 = 100.0;
/// Below this mean square (-120 dBFS) there is no bass to judge.
const SILENT: f64 = 1e-12;

/// A Butterworth low-pass section (RBJ cookbook, Q = 1/√2), direct form I.
#[derive(Clone, Copy)]
struct LowPass {
    b: [f64; 3],
    a: [f64; 2],
    x: [f64; 2],
    y: [f64; 2],
}

impl LowPass {
    fn new(hz: f64, sample_rate: f64) -> Self {
        let w = 2.0 * PI * hz / sample_rate;
        let alpha = w.sin() / (2.0 * std::f64::consts::FRAC_1_SQRT_2);
        let a0 = 1.0 + alpha;
        let b1 = (1.0 - w.cos()) / a0;
        LowPass {
            b: [b1 / 2.0, b1, b1 / 2.0],
            a: [-2.0 * w.cos() / a0, (1.0 - alpha) / a0],
            x: [0.0; 2],
            y: [0.0; 2],
        }
    }

    fn tick(&mut self, x: f64) -> f64 {
        let y = self.b[0] * x + self.b[1] * self.x[0] + self.b[2] * self.x[1]
            - self.a[0] * self.y[0]
            - self.a[1] * self.y[1];
        self.x = [x, self.x[0]];
        self.y = [y, self.y[0]];
        y
    }
}

/// Side-to-mid energy below [`LOW_END_HZ`] in dB, or `None` when there is
/// (next to) no bass.
pub fn side_to_mid_db(left: &[f32], right: &[f32], sample_rate: f64) -> Option<f32> {
    let lr4 = || [LowPass::new(LOW_END_HZ, sample_rate); 2];
    let (mut mid_lp, mut side_lp) = (lr4(), lr4());
    let (mut mid, mut side) = (0.0f64, 0.0f64);
    for (&l, &r) in left.iter().zip(right) {
        let (l, r) = (l as f64, r as f64);
        let m = mid_lp.iter_mut().fold(0.5 * (l + r), |x, f| f.tick(x));
        let s = side_lp.iter_mut().fold(0.5 * (l - r), |x, f| f.tick(x));
        mid += m * m;
        side += s * s;
    }
    let n = left.len().min(right.len()).max(1) as f64;
    if (mid + side) / n < SILENT {
        return None;
    }
    let db = if mid == 0.0 {
        LIMIT_DB
    } else {
        10.0 * (side / mid).log10()
    };
    Some(db.clamp(-LIMIT_DB, LIMIT_DB) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: f64 = 48_000.0;

    fn tone(hz: f64, amp: f64, seconds: f64) -> Vec<f32> {
        (0..(seconds * SR) as usize)
            .map(|n| (amp * (2.0 * PI * hz * n as f64 / SR).sin()) as f32)
            .collect()
    }

    fn sum(a: &[f32], b: &[f32], sign: f32) -> Vec<f32> {
        a.iter().zip(b).map(|(x, y)| x + sign * y).collect()
    }

    #[test]
    fn mono_and_anti_phase_bass_hit_the_limits() {
        let bass = tone(60.0, 0.5, 1.0);
        let flipped: Vec<f32> = bass.iter().map(|x| -x).collect();
        assert_eq!(side_to_mid_db(&bass, &bass, SR), Some(-100.0));
        assert_eq!(side_to_mid_db(&bass, &flipped, SR), Some(100.0));
    }

    #[test]
    fn ratio_of_in_phase_and_anti_phase_bass() {
        // L = a + b, R = a - b: mid is a, side is b. With b 12 dB under a,
        // side/mid is -12 dB whatever the filter does to 60 Hz.
        let a = tone(60.0, 0.5, 2.0);
        let b = tone(60.0, 0.5 * 10f64.powf(-12.0 / 20.0), 2.0);
        let db = side_to_mid_db(&sum(&a, &b, 1.0), &sum(&a, &b, -1.0), SR).unwrap();
        assert!((db + 12.0).abs() < 0.01, "{db}");
    }

    #[test]
    fn highs_out_of_phase_do_not_count() {
        // Anti-phase 5 kHz as loud as the mono bass: the low-pass takes it
        // down by about 80·log10(5000/150) ≈ 120 dB (24 dB/octave, 5 octaves).
        let bass = tone(80.0, 0.3, 1.0);
        let air = tone(5_000.0, 0.3, 1.0);
        let db = side_to_mid_db(&sum(&bass, &air, 1.0), &sum(&bass, &air, -1.0), SR).unwrap();
        assert!(db < -60.0, "{db}");
    }

    #[test]
    fn no_bass_no_verdict() {
        let hiss = tone(8_000.0, 1e-3, 0.5);
        assert_eq!(side_to_mid_db(&hiss, &hiss, SR), None);
        assert_eq!(side_to_mid_db(&[], &[], SR), None);
    }
}
