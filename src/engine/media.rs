//! File sources as the audio thread plays them: whole files, decoded and
//! resampled on the control side, read at the transport position.
//!
//! A file's channels are engine inputs numbered after the interface's
//! (`first` on), so a track reads a file exactly as it reads an interface
//! input. Past a file's end, and while the transport stands still, they
//! are silent.

use super::topology::MAX_BLOCK;
use std::sync::Arc;

/// The file channels of one session.
pub struct Media {
    first: usize,
    channels: Vec<Arc<[f32]>>,
    /// Where a pass that runs past a file's end is padded with silence.
    padded: Vec<Box<[f32]>>,
    silence: Box<[f32]>,
}

impl Media {
    /// File channels that become engine inputs `first`, `first + 1`, ….
    pub fn new(first: usize, channels: Vec<Arc<[f32]>>) -> Media {
        Media {
            first,
            padded: channels
                .iter()
                .map(|_| vec![0.0; MAX_BLOCK].into_boxed_slice())
                .collect(),
            channels,
            silence: vec![0.0; MAX_BLOCK].into_boxed_slice(),
        }
    }

    pub fn none() -> Media {
        Media::new(0, Vec::new())
    }

    /// The engine input of the first file channel.
    pub fn first(&self) -> usize {
        self.first
    }

    /// The file channels.
    pub fn channels(&self) -> &[Arc<[f32]>] {
        &self.channels
    }

    /// Point `window[first + k]` at `frames` frames of file channel `k`
    /// from `position` (silence when not `playing`).
    pub(crate) fn fill<'a>(
        &'a mut self,
        window: &mut [&'a [f32]],
        position: u64,
        frames: usize,
        playing: bool,
    ) {
        let slots = window.iter_mut().skip(self.first);
        for ((slot, channel), pad) in slots.zip(&self.channels).zip(&mut self.padded) {
            let start = usize::try_from(position).unwrap_or(usize::MAX);
            *slot = if !playing || start >= channel.len() {
                &self.silence[..frames]
            } else if channel.len() - start >= frames {
                &channel[start..start + frames]
            } else {
                let have = channel.len() - start;
                pad[..have].copy_from_slice(&channel[start..]);
                pad[have..frames].fill(0.0);
                &pad[..frames]
            };
        }
    }
}
