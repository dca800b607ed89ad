//! Counters and output levels the audio side writes with atomics and the
//! control side reads: the only way numbers leave a callback (it never logs).
//!
//! Counters only grow; the control side keeps the previous [`StatsSnapshot`]
//! and reports differences. Output peaks are "largest since last read"
//! (`fetch_max` on the bits of a non-negative `f32`, which order like the
//! values); output energy is a running sum of squares, so the mean level
//! between two snapshots is exact whatever the callback size.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering::Relaxed};

pub struct AudioStats {
    callbacks: AtomicU64,
    frames: AtomicU64,
    xruns: AtomicU64,
    bridge_underruns: AtomicU64,
    bridge_overruns: AtomicU64,
    stream_errors: AtomicU64,
    latency_frames: AtomicU32,
    /// Real-time state of the input and output audio threads (see [`Rt`]).
    rt: [AtomicU8; 2],
    outputs: Box<[OutputLevel]>,
}

struct OutputLevel {
    peak: AtomicU32,
    energy: AtomicU64,
}

/// Real-time state of one audio thread, as its first callback found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rt {
    Unknown = 0,
    Yes = 1,
    No = 2,
}

/// Which audio thread an [`Rt`] state belongs to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Side {
    Input = 0,
    Output = 1,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsSnapshot {
    /// Output (or dummy) callbacks run.
    pub callbacks: u64,
    /// Frames processed by the engine.
    pub frames: u64,
    /// Device over- and underruns reported by the host.
    pub xruns: u64,
    /// Output callbacks that found too few input frames in the bridge (they
    /// run the engine on silence).
    pub bridge_underruns: u64,
    /// Times input frames were dropped because the bridge was full or held
    /// more than its latency bound.
    pub bridge_overruns: u64,
    /// Other errors the host reported (neither xruns nor device loss).
    pub stream_errors: u64,
    /// The latest measured input-to-output latency in frames (0 until measured).
    pub latency_frames: u32,
    /// Running sum of squares of each engine output.
    pub output_energy: Vec<f64>,
}

impl StatsSnapshot {
    /// RMS level in dBFS of engine output `ch` between `earlier` and this snapshot.
    pub fn rms_db_since(&self, earlier: &StatsSnapshot, ch: usize) -> f32 {
        let frames = self.frames.saturating_sub(earlier.frames).max(1) as f64;
        let e = self.output_energy[ch] - earlier.output_energy[ch];
        (10.0 * (e.max(0.0) / frames).max(1e-30).log10()) as f32
    }
}

impl AudioStats {
    pub(super) fn new(engine_outputs: usize) -> AudioStats {
        AudioStats {
            callbacks: AtomicU64::new(0),
            frames: AtomicU64::new(0),
            xruns: AtomicU64::new(0),
            bridge_underruns: AtomicU64::new(0),
            bridge_overruns: AtomicU64::new(0),
            stream_errors: AtomicU64::new(0),
            latency_frames: AtomicU32::new(0),
            rt: [AtomicU8::new(0), AtomicU8::new(0)],
            outputs: (0..engine_outputs)
                .map(|_| OutputLevel {
                    peak: AtomicU32::new(0),
                    energy: AtomicU64::new(0f64.to_bits()),
                })
                .collect(),
        }
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            callbacks: self.callbacks.load(Relaxed),
            frames: self.frames.load(Relaxed),
            xruns: self.xruns.load(Relaxed),
            bridge_underruns: self.bridge_underruns.load(Relaxed),
            bridge_overruns: self.bridge_overruns.load(Relaxed),
            stream_errors: self.stream_errors.load(Relaxed),
            latency_frames: self.latency_frames.load(Relaxed),
            output_energy: self
                .outputs
                .iter()
                .map(|o| f64::from_bits(o.energy.load(Relaxed)))
                .collect(),
        }
    }

    /// Largest absolute sample of engine output `ch` since the last call, in dBFS.
    pub fn take_output_peak_db(&self, ch: usize) -> f32 {
        let p = f32::from_bits(self.outputs[ch].peak.swap(0, Relaxed));
        20.0 * p.max(1e-15).log10()
    }

    pub fn engine_outputs(&self) -> usize {
        self.outputs.len()
    }

    // Audio side: called from callbacks; atomics only.

    pub(super) fn add_block(&self, frames: usize) {
        self.callbacks.fetch_add(1, Relaxed);
        self.frames.fetch_add(frames as u64, Relaxed);
    }

    /// Publish output `ch`'s peak of the last block and its new running energy.
    pub(super) fn set_output(&self, ch: usize, peak: f32, energy: f64) {
        if let Some(o) = self.outputs.get(ch) {
            if peak.is_finite() {
                o.peak.fetch_max(peak.abs().to_bits(), Relaxed);
            }
            o.energy.store(energy.to_bits(), Relaxed);
        }
    }

    pub(super) fn add_xrun(&self) {
        self.xruns.fetch_add(1, Relaxed);
    }

    pub(super) fn add_bridge_underrun(&self) {
        self.bridge_underruns.fetch_add(1, Relaxed);
    }

    pub(super) fn add_bridge_overrun(&self) {
        self.bridge_overruns.fetch_add(1, Relaxed);
    }

    pub(super) fn add_stream_error(&self) {
        self.stream_errors.fetch_add(1, Relaxed);
    }

    pub(super) fn set_latency(&self, frames: u32) {
        self.latency_frames.store(frames, Relaxed);
    }

    pub(super) fn set_rt(&self, side: Side, rt: Rt) {
        self.rt[side as usize].store(rt as u8, Relaxed);
    }

    pub(super) fn rt(&self, side: Side) -> Rt {
        match self.rt[side as usize].load(Relaxed) {
            1 => Rt::Yes,
            2 => Rt::No,
            _ => Rt::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_is_largest_since_last_read() {
        let s = AudioStats::new(1);
        s.set_output(0, 0.25, 0.0);
        s.set_output(0, 0.5, 0.0);
        s.set_output(0, 0.125, 0.0);
        assert!((s.take_output_peak_db(0) - 20.0 * 0.5f32.log10()).abs() < 1e-4);
        assert!(s.take_output_peak_db(0) < -200.0);
    }

    #[test]
    fn rms_between_snapshots() {
        // A full-scale sine has mean square 1/2: -3.01 dBFS RMS.
        let s = AudioStats::new(1);
        let a = s.snapshot();
        s.add_block(48_000);
        s.set_output(0, 1.0, 24_000.0);
        let b = s.snapshot();
        assert!((b.rms_db_since(&a, 0) - (-3.0103)).abs() < 1e-3);
    }
}
