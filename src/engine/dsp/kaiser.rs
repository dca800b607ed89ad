//! Windowed-sinc building blocks for the interpolators (true-peak
//! oversampling, file resampling).

use std::f64::consts::PI;

fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let half = x / 2.0;
    for k in 1..50 {
        term *= (half / k as f64) * (half / k as f64);
        sum += term;
        if term < 1e-12 * sum {
            break;
        }
    }
    sum
}

/// The Kaiser window at `r` in -1..=1 (0 outside).
pub fn kaiser(r: f64, beta: f64) -> f64 {
    if r.abs() > 1.0 {
        return 0.0;
    }
    bessel_i0(beta * (1.0 - r * r).sqrt()) / bessel_i0(beta)
}

/// The normalised sinc, sin(πt)/(πt).
pub fn sinc(t: f64) -> f64 {
    if t.abs() < 1e-12 {
        1.0
    } else {
        (PI * t).sin() / (PI * t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_and_sinc_shape() {
        assert!((kaiser(0.0, 6.0) - 1.0).abs() < 1e-12);
        assert!(kaiser(1.0, 6.0) < 0.02 && kaiser(1.5, 6.0) == 0.0);
        assert_eq!(sinc(0.0), 1.0);
        assert!(sinc(3.0).abs() < 1e-12);
    }
}
