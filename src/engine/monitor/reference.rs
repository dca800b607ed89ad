//! A reference track as the audio thread plays it: a stereo file, decoded,
//! resampled and measured on the control side, read at the transport
//! position like a file source, with the gain that matches its integrated
//! loudness to the mix's.
//!
//! It is read where the master's output stands on the timeline (the
//! position less the master's look-ahead latency), so that switching
//! between the mix and the reference lands on the same beat.
//!
//! For an A/B of two versions of the mix (revisions, rendered on the
//! control side) the reference holds two takes, both read at the same
//! position, and plays one of them: switching is a linear crossfade over
//! a few milliseconds, sample-aligned, so nothing clicks (the takes are
//! versions of one mix, correlated, so a linear fade does not dip). A
//! new reference that only switches takes continues the fade where the
//! one it replaces stood (`Reference::carry`).

use super::super::strip::Stereo;
use std::sync::Arc;

/// One take of an A/B: left and right at the engine's rate, from timeline sample 0.
pub type Take = [Arc<[f32]>; 2];

/// The reference now loaded, or none (silence).
pub struct Reference {
    /// The take played alone, and the second one of an A/B.
    takes: [Take; 2],
    /// Linear gain that matches its loudness to the mix's.
    gain: f32,
    /// The second take's share (0: the first plays, 1: the second).
    blend: f32,
    /// Where the blend goes, and by how much it moves per frame.
    target: f32,
    step: f32,
}

fn silent() -> Take {
    [Arc::from([]), Arc::from([])]
}

impl Reference {
    pub fn none() -> Reference {
        Reference::new(Arc::from([]), Arc::from([]), 0.0)
    }

    /// Left and right at the engine's rate (a mono file on both), played at
    /// `gain_db`.
    pub fn new(left: Arc<[f32]>, right: Arc<[f32]>, gain_db: f32) -> Reference {
        Reference {
            takes: [[left, right], silent()],
            gain: crate::units::Decibels(gain_db).to_gain().0,
            blend: 0.0,
            target: 0.0,
            step: 1.0,
        }
    }

    /// Two takes (left, right each) for an A/B, playing the second when
    /// `second`, at unity gain; a switch crossfades over `fade_frames`.
    pub fn ab(first: Take, other: Take, second: bool, fade_frames: usize) -> Reference {
        let at = if second { 1.0 } else { 0.0 };
        Reference {
            takes: [first, other],
            gain: 1.0,
            blend: at,
            target: at,
            step: 1.0 / fade_frames.max(1) as f32,
        }
    }

    /// The same audio at another gain (the audio is shared, not copied).
    pub fn with_gain(&self, gain_db: f32) -> Reference {
        Reference::new(self.takes[0][0].clone(), self.takes[0][1].clone(), gain_db)
    }

    /// Called on the audio thread when this reference replaces `old`: an
    /// A/B of the same two takes continues the crossfade from where `old`
    /// stood (a switch mid-fade turns back without a jump).
    pub(crate) fn carry(&mut self, old: &Reference) {
        let same = |a: &Take, b: &Take| Arc::ptr_eq(&a[0], &b[0]) && Arc::ptr_eq(&a[1], &b[1]);
        if same(&self.takes[0], &old.takes[0]) && same(&self.takes[1], &old.takes[1]) {
            self.blend = old.blend;
        }
    }

    /// Whether there is audio.
    pub fn is_loaded(&self) -> bool {
        !self.takes[0][0].is_empty() || !self.takes[1][0].is_empty()
    }

    pub fn frames(&self) -> usize {
        self.takes[0][0].len().max(self.takes[1][0].len())
    }

    pub(crate) fn gain(&self) -> f32 {
        self.gain
    }

    /// `frames` frames from timeline sample `at` into `dst` (silence before
    /// the start, past the end and while the transport stands still). The
    /// crossfade moves on whether or not the transport plays.
    pub(crate) fn fill(&mut self, dst: &mut Stereo, at: i64, frames: usize, playing: bool) {
        let (from, to) = (self.blend, self.target);
        let step = if to > from { self.step } else { -self.step };
        // The blend `n` frames on from the block's start.
        let after = |n: usize| {
            let w = from + step * n as f32;
            if step > 0.0 {
                w.min(to)
            } else {
                w.max(to)
            }
        };
        for side in 0..2 {
            let out = &mut [&mut dst.l, &mut dst.r][side][..frames];
            out.fill(0.0);
            if !playing {
                continue;
            }
            if from == to && (to == 0.0 || to == 1.0) {
                copy(&self.takes[to as usize][side], at, out);
                continue;
            }
            for (i, o) in out.iter_mut().enumerate() {
                let w = after(i + 1);
                let t = at + i as i64;
                *o = (1.0 - w) * sample(&self.takes[0][side], t)
                    + w * sample(&self.takes[1][side], t);
            }
        }
        if from != to {
            self.blend = after(frames);
        }
    }
}

/// One sample of `src` at timeline sample `t` (silence outside it).
fn sample(src: &[f32], t: i64) -> f32 {
    usize::try_from(t)
        .ok()
        .and_then(|t| src.get(t))
        .copied()
        .unwrap_or(0.0)
}

/// `out.len()` samples of `src` from timeline sample `at` (silence before
/// the start and past the end, which `out` already holds).
fn copy(src: &[f32], at: i64, out: &mut [f32]) {
    let len = src.len() as i64;
    let from = at.clamp(0, len);
    let to = (at + out.len() as i64).clamp(0, len);
    if to > from {
        let k = (from - at) as usize;
        out[k..k + (to - from) as usize].copy_from_slice(&src[from as usize..to as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_at_the_position_with_silence_around() {
        let l: Arc<[f32]> = (0..10).map(|i| i as f32).collect();
        let r: Arc<[f32]> = (0..10).map(|i| -(i as f32)).collect();
        let mut reference = Reference::new(l, r, -6.0);
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

    /// An A/B plays one take exactly; a switch is a linear crossfade at
    /// the same position, and a switch back mid-fade turns around where
    /// the fade stood.
    #[test]
    fn a_b_switches_by_a_sample_aligned_crossfade() {
        let a: Take = [
            (0..64).map(|_| 1.0).collect(),
            (0..64).map(|_| 1.0).collect(),
        ];
        let b: Take = [
            (0..64).map(|_| 0.0).collect(),
            (0..64).map(|_| 0.0).collect(),
        ];
        let mut r = Reference::ab(a.clone(), b.clone(), false, 8);
        let mut dst = Stereo::new();
        r.fill(&mut dst, 0, 4, true);
        assert_eq!(&dst.l[..4], &[1.0; 4]);
        let mut to_b = Reference::ab(a.clone(), b.clone(), true, 8);
        to_b.carry(&r);
        to_b.fill(&mut dst, 4, 4, true);
        assert_eq!(&dst.l[..4], &[0.875, 0.75, 0.625, 0.5]);
        // Back to A from halfway: the fade turns around, no jump.
        let mut back = Reference::ab(a.clone(), b.clone(), false, 8);
        back.carry(&to_b);
        back.fill(&mut dst, 8, 6, true);
        assert_eq!(&dst.r[..6], &[0.625, 0.75, 0.875, 1.0, 1.0, 1.0]);
        // Other audio: no fade to continue, it starts where it is set.
        let c: Take = [
            (0..64).map(|_| 0.5).collect(),
            (0..64).map(|_| 0.5).collect(),
        ];
        let mut other = Reference::ab(a, c, true, 8);
        other.carry(&back);
        other.fill(&mut dst, 0, 2, true);
        assert_eq!(&dst.l[..2], &[0.5, 0.5]);
    }
}
