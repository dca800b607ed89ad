//! Meter values leave the audio thread through atomics: the audio thread
//! stores, the control side loads, neither ever waits.
//!
//! Peaks and gain reductions are "largest since last read": the audio thread
//! raises them with `fetch_max` and the reader takes them with `swap(0)`.
//! That works on the raw bits because non-negative IEEE floats order like
//! their bit patterns. RMS and loudness values are plain latest-value stores.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

#[derive(Debug, Default)]
struct Slot(AtomicU32);

impl Slot {
    #[inline]
    fn raise(&self, v: f32) {
        if v > 0.0 {
            self.0.fetch_max(v.to_bits(), Relaxed);
        }
    }
    #[inline]
    fn store(&self, v: f32) {
        self.0.store(v.to_bits(), Relaxed);
    }
    fn take(&self) -> f32 {
        f32::from_bits(self.0.swap(0, Relaxed))
    }
    fn load(&self) -> f32 {
        f32::from_bits(self.0.load(Relaxed))
    }
}

/// One strip's meters, as written by the audio thread.
#[derive(Debug, Default)]
pub struct StripMeter {
    peak: [Slot; 2],
    rms: [Slot; 2],
    gate_gr: Slot,
    comp_gr: Slot,
    limiter_gr: Slot,
}

/// A reading of one strip (linear peak and RMS per side; gain reductions in dB, >= 0).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StripReading {
    pub peak: [f32; 2],
    pub rms: [f32; 2],
    pub gate_gr_db: f32,
    pub comp_gr_db: f32,
    pub limiter_gr_db: f32,
}

impl StripMeter {
    #[inline]
    pub(crate) fn signal(&self, peak: [f32; 2], rms: [f32; 2]) {
        for i in 0..2 {
            self.peak[i].raise(peak[i]);
            self.rms[i].store(rms[i]);
        }
    }
    #[inline]
    pub(crate) fn gate(&self, gr_db: f32) {
        self.gate_gr.raise(gr_db);
    }
    #[inline]
    pub(crate) fn comp(&self, gr_db: f32) {
        self.comp_gr.raise(gr_db);
    }
    #[inline]
    pub(crate) fn limiter(&self, gr_db: f32) {
        self.limiter_gr.raise(gr_db);
    }

    fn take(&self) -> StripReading {
        StripReading {
            peak: [self.peak[0].take(), self.peak[1].take()],
            rms: [self.rms[0].load(), self.rms[1].load()],
            gate_gr_db: self.gate_gr.take(),
            comp_gr_db: self.comp_gr.take(),
            limiter_gr_db: self.limiter_gr.take(),
        }
    }
}

/// Master loudness, in LUFS / LU / dBTP (negative infinity before enough audio).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessReading {
    pub momentary: f32,
    pub short_term: f32,
    pub integrated: f32,
    pub range: f32,
    pub true_peak: f32,
}

impl Default for LoudnessReading {
    /// Before enough audio: nothing measured.
    fn default() -> Self {
        let none = f32::NEG_INFINITY;
        LoudnessReading {
            momentary: none,
            short_term: none,
            integrated: none,
            range: none,
            true_peak: none,
        }
    }
}

/// All meters of one graph.
#[derive(Debug)]
pub struct Meters {
    tracks: Box<[StripMeter]>,
    buses: Box<[StripMeter]>,
    master: StripMeter,
    loudness: [Slot; 5],
}

/// A snapshot of every meter, taken on the control side.
#[derive(Debug, Clone, PartialEq)]
pub struct MeterSnapshot {
    pub tracks: Vec<StripReading>,
    pub buses: Vec<StripReading>,
    pub master: StripReading,
    pub loudness: LoudnessReading,
}

impl Meters {
    pub fn new(tracks: usize, buses: usize) -> Self {
        let strips = |n| (0..n).map(|_| StripMeter::default()).collect();
        let loudness = std::array::from_fn(|_| Slot(AtomicU32::new(f32::NEG_INFINITY.to_bits())));
        Meters {
            tracks: strips(tracks),
            buses: strips(buses),
            master: StripMeter::default(),
            loudness,
        }
    }

    #[inline]
    pub(crate) fn track(&self, i: usize) -> &StripMeter {
        &self.tracks[i]
    }
    #[inline]
    pub(crate) fn bus(&self, i: usize) -> &StripMeter {
        &self.buses[i]
    }
    #[inline]
    pub(crate) fn master(&self) -> &StripMeter {
        &self.master
    }
    #[inline]
    pub(crate) fn set_loudness(&self, r: LoudnessReading) {
        let v = [
            r.momentary,
            r.short_term,
            r.integrated,
            r.range,
            r.true_peak,
        ];
        for (slot, x) in self.loudness.iter().zip(v) {
            slot.store(x);
        }
    }

    /// Read every meter, resetting the peak holds.
    pub fn take(&self) -> MeterSnapshot {
        let l = |i: usize| self.loudness[i].load();
        MeterSnapshot {
            tracks: self.tracks.iter().map(StripMeter::take).collect(),
            buses: self.buses.iter().map(StripMeter::take).collect(),
            master: self.master.take(),
            loudness: LoudnessReading {
                momentary: l(0),
                short_term: l(1),
                integrated: l(2),
                range: l(3),
                true_peak: l(4),
            },
        }
    }
}

/// Peak and mean square of a block.
#[inline]
pub(crate) fn block_stats(x: &[f32]) -> (f32, f32) {
    block_stats_of(x, |v| v)
}

/// Peak and mean square of `f` applied to every sample of a block (a gain
/// applied on the fly, rather than in a pass of its own).
#[inline(always)]
pub(crate) fn block_stats_of(x: &[f32], f: impl Fn(f32) -> f32) -> (f32, f32) {
    // Eight running maxima and sums side by side: a single running sum is
    // a chain of dependent additions that cannot be vectorised.
    const W: usize = 8;
    let (mut peak, mut sum) = ([0.0f32; W], [0.0f32; W]);
    let mut chunks = x.chunks_exact(W);
    for c in &mut chunks {
        for i in 0..W {
            let v = f(c[i]);
            peak[i] = peak[i].max(v.abs());
            sum[i] += v * v;
        }
    }
    for (i, &v) in chunks.remainder().iter().enumerate() {
        let v = f(v);
        peak[i] = peak[i].max(v.abs());
        sum[i] += v * v;
    }
    let peak = peak.into_iter().fold(0.0f32, f32::max);
    let sum: f32 = sum.into_iter().sum();
    (
        peak,
        if x.is_empty() {
            0.0
        } else {
            sum / x.len() as f32
        },
    )
}

/// Exponential RMS integrator (300 ms) fed once per block.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RmsFollower {
    mean_square: f32,
}

impl RmsFollower {
    const TIME_S: f32 = 0.3;

    #[inline]
    pub(crate) fn feed(&mut self, block_mean_square: f32, frames: usize, sample_rate: f32) -> f32 {
        let a = (-(frames as f32) / (Self::TIME_S * sample_rate)).exp();
        self.mean_square = a * self.mean_square + (1.0 - a) * block_mean_square;
        if self.mean_square < 1e-20 {
            self.mean_square = 0.0;
        }
        self.mean_square.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_hold_until_read() {
        let m = Meters::new(1, 0);
        m.track(0).signal([0.5, 0.2], [0.1, 0.1]);
        m.track(0).signal([0.3, 0.4], [0.1, 0.1]);
        m.track(0).comp(3.0);
        let r = m.take();
        assert_eq!(r.tracks[0].peak, [0.5, 0.4]);
        assert_eq!(r.tracks[0].comp_gr_db, 3.0);
        let r = m.take();
        assert_eq!(r.tracks[0].peak, [0.0, 0.0]);
        assert_eq!(r.tracks[0].rms, [0.1, 0.1]);
        assert_eq!(r.loudness.integrated, f32::NEG_INFINITY);
    }
}
