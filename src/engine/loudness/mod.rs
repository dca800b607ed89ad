//! Programme loudness after ITU-R BS.1770-4 and EBU R128 (Tech 3341/3342):
//! momentary, short-term and integrated loudness, loudness range and true
//! peak, measured on the audio thread.
//!
//! Everything is built from 100 ms steps of K-weighted energy: momentary is
//! the last 4 steps, short-term the last 30, and the gating blocks (400 ms,
//! 75 % overlap) and the loudness-range values (3 s at 10 Hz) are the same
//! sums taken at every step. Whole-programme results come from fixed
//! histograms, so a meter runs for hours in memory allocated up front.

mod channel;
mod histogram;
pub mod k_weighting;
mod meter;

pub use channel::Channel;
pub use meter::LoudnessMeter;

/// BS.1770's offset: a 997 Hz sine at 0 dBFS on one front channel reads -3.01 LUFS.
const OFFSET_LUFS: f64 = -0.691;
/// Blocks at or under this take no part in integrated loudness or range.
const ABSOLUTE_GATE_LUFS: f64 = -70.0;

/// Loudness of a channel-weighted mean square; zero energy is -inf.
fn energy_to_lufs(energy: f64) -> f64 {
    if energy > 0.0 {
        OFFSET_LUFS + 10.0 * energy.log10()
    } else {
        f64::NEG_INFINITY
    }
}

fn lufs_to_energy(lufs: f64) -> f64 {
    10f64.powf((lufs - OFFSET_LUFS) / 10.0)
}
