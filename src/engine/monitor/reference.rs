//! A reference track as the audio thread plays it: a stereo file, decoded,
//! resampled and measured on the control side, read at the transport
//! position like a file source, with the gain that matches its integrated
//! loudness to the mix's.
//!
//! It is read where the master's output stands on the timeline (the
//! position less the master's look-ahead latency), so that switching
//! between the mix and the reference lands on the same beat.

use super::super::strip::Stereo;
use std::sync::Arc;

/// The reference now loaded, or none (silence).
pub struct Reference {
    channels: [Arc<[f32]>; 2],
    /// Linear gain that matches its loudness to the mix's.
    gain: f32,
}

impl Reference {
    pub fn none() -> Reference {
        Reference {
            channels: [Arc::from([]), Arc::from([])],
            gain: 1.0,
        }
    }

    /// Left and right at the engine's rate (a mono file on both), played at
    /// `gain_db`.
    pub fn new(left: Arc<[f32]>, right: Arc<[f32]>, gain_db: f32) -> Reference {
        Reference {
            channels: [left, right],
            gain: crate::units::Decibels(gain_db).to_gain().0,
        }
    }

    /// The same audio at another gain (the audio is shared, not copied).
    pub fn with_gain(&self, gain_db: f32) -> Reference {
        Reference::new(self.channels[0].clone(), self.channels[1].clone(), gain_db)
    }

    /// Whether there is audio.
    pub fn is_loaded(&self) -> bool {
        !self.channels[0].is_empty()
    }

    pub fn frames(&self) -> usize {
        self.channels[0].len()
    }

    pub(crate) fn gain(&self) -> f32 {
        self.gain
    }

    /// `frames` frames from timeline sample `at` into `dst` (silence before
    /// the start, past the end and while the transport stands still).
    pub(crate) fn fill(&self, dst: &mut Stereo, at: i64, frames: usize, playing: bool) {
        for (src, out) in self.channels.iter().zip([&mut dst.l, &mut dst.r]) {
            let out = &mut out[..frames];
            out.fill(0.0);
            if !playing {
                continue;
            }
            let len = src.len() as i64;
            let from = at.clamp(0, len);
            let to = (at + frames as i64).clamp(0, len);
            if to > from {
                let k = (from - at) as usize;
                out[k..k + (to - from) as usize].copy_from_slice(&src[from as usize..to as usize]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_at_the_position_with_silence_around() {
        let l: Arc<[f32]> = (0..10).map(|i| i as f32).collect();
        let r: Arc<[f32]> = (0..10).map(|i| -(i as f32)).collect();
        let reference = Reference::new(l, r, -6.0);
        assert!((reference.gain() - 0.501).abs() < 1e-3);
        let mut dst = Stereo::new();
        reference.fill(&mut dst, -2, 4, true);
        assert_eq!(&dst.l[..4], &[0.0, 0.0, 0.0, 1.0]);
        reference.fill(&mut dst, 8, 4, true);
        assert_eq!(&dst.r[..4], &[-8.0, -9.0, 0.0, 0.0]);
        reference.fill(&mut dst, 3, 4, false);
        assert_eq!(&dst.l[..4], &[0.0; 4]);
        assert!(!Reference::none().is_loaded());
    }
}
