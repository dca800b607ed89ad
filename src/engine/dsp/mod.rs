//! Signal processors. Each owns its state and coefficients, is built (and
//! allocates) on the control side, and then processes blocks in place with no
//! allocation, locking or system calls. Parameters arrive as plain values in
//! the units of [`crate::params::Spec`] through a `set` method and are
//! smoothed inside the processor.

pub mod biquad;
pub mod compressor;
pub mod delay;
pub mod drive;
pub mod fastmath;
pub mod filter_chain;
pub mod fma;
pub mod gate;
pub mod interpolate;
pub mod kaiser;
pub mod lanes;
pub mod limiter;
pub(crate) mod line;
pub mod modulation;
pub mod oversample;
pub mod pan;
pub mod peak_interpolator;
pub mod pitch;
pub mod reverb;
pub(crate) mod switching;
pub mod true_peak;

/// The sample rate a processor is built for: `sample_rate` within what the
/// processors are designed for (8 to 768 kHz), or 48 kHz if it is not a
/// number.
pub(crate) fn usable_rate(sample_rate: f32) -> f32 {
    if sample_rate.is_finite() {
        sample_rate.clamp(8000.0, 768_000.0)
    } else {
        48_000.0
    }
}
