//! The bridge from the input stream's callback to the output stream's: a
//! fixed wait-free ring (rtrb) of interleaved `f32` input frames.
//!
//! - It starts primed with `cushion` frames of silence, so the first output
//!   callback finds a period to read even if the input has not run yet.
//! - The input side discards everything until the output side has started, so
//!   an input stream that starts first does not stack up latency.
//! - The output side reads a whole callback's frames or, when fewer are
//!   there, none (it runs on silence and counts an underrun; what the input
//!   adds meanwhile re-primes the ring). When the ring holds more than
//!   `2 * cushion` beyond what one callback needs (the two streams' clocks
//!   drift, or the output stalled) it drops the oldest frames down to one
//!   cushion and counts an overrun. So a frame waits in the ring between
//!   0 and 3 periods (one in steady state), whatever the order in which the
//!   two callbacks run.
//! - Latency is measured, not assumed: the input side publishes the capture
//!   time of ring frame 0 (extrapolated from each block's capture timestamp
//!   and ring index), the output side knows the ring index and playback time
//!   of what it plays, and the control side sets the offset between the two
//!   streams' clocks once. Their difference is the input-to-output latency.

use super::stats::AudioStats;
use cpal::{FromSample, Sample};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering::Relaxed};
use std::sync::Arc;

/// State both sides (and the control side) see.
struct Shared {
    out_started: AtomicBool,
    in_started: AtomicBool,
    /// Capture time (input clock, ns) of ring frame 0, or `NO_TIME`.
    capture_base_ns: AtomicI64,
    /// Output clock minus input clock (ns), or `NO_TIME`.
    clock_offset_ns: AtomicI64,
}

const NO_TIME: i64 = i64::MIN;

pub(super) struct BridgeIn {
    ring: rtrb::Producer<f32>,
    channels: usize,
    /// Ring index of the next frame pushed (the prime took the first ones).
    pushed: u64,
    frame_ns: f64,
    shared: Arc<Shared>,
    stats: Arc<AudioStats>,
}

pub(super) struct BridgeOut {
    ring: rtrb::Consumer<f32>,
    channels: usize,
    cushion: usize,
    /// Ring index of the next frame read.
    popped: u64,
    frame_ns: f64,
    shared: Arc<Shared>,
    stats: Arc<AudioStats>,
}

/// The control side's handle: sets the clock offset once both streams run.
pub(super) struct BridgeClock {
    shared: Arc<Shared>,
}

/// A bridge for `channels` interleaved channels, primed with `cushion` frames
/// and holding up to `capacity` frames.
pub(super) fn bridge(
    channels: usize,
    cushion: usize,
    capacity: usize,
    sample_rate: u32,
    stats: Arc<AudioStats>,
) -> (BridgeIn, BridgeOut, BridgeClock) {
    let channels = channels.max(1);
    let capacity = capacity.max(3 * cushion + 1);
    let (mut tx, rx) = rtrb::RingBuffer::new(capacity * channels);
    let prime = tx
        .write_chunk_uninit(cushion * channels)
        .expect("the ring holds more than the cushion");
    prime.fill_from_iter(std::iter::repeat(0.0));
    let shared = Arc::new(Shared {
        out_started: AtomicBool::new(false),
        in_started: AtomicBool::new(false),
        capture_base_ns: AtomicI64::new(NO_TIME),
        clock_offset_ns: AtomicI64::new(NO_TIME),
    });
    let frame_ns = 1e9 / sample_rate as f64;
    (
        BridgeIn {
            ring: tx,
            channels,
            pushed: cushion as u64,
            frame_ns,
            shared: shared.clone(),
            stats: stats.clone(),
        },
        BridgeOut {
            ring: rx,
            channels,
            cushion,
            popped: 0,
            frame_ns,
            shared: shared.clone(),
            stats,
        },
        BridgeClock { shared },
    )
}

impl BridgeIn {
    /// Push one input callback's interleaved frames, captured from `capture_ns`
    /// (input clock) on. Real-time safe.
    pub fn push<T>(&mut self, data: &[T], capture_ns: i64)
    where
        T: Sample,
        f32: FromSample<T>,
    {
        if !self.shared.out_started.load(Relaxed) {
            return;
        }
        let frames = data.len() / self.channels;
        let n = frames.min(self.ring.slots() / self.channels);
        if n < frames {
            self.stats.add_bridge_overrun();
        }
        if n == 0 {
            return;
        }
        if let Ok(chunk) = self.ring.write_chunk_uninit(n * self.channels) {
            chunk.fill_from_iter(
                data[..n * self.channels]
                    .iter()
                    .map(|&s| f32::from_sample(s)),
            );
        }
        let base = capture_ns as f64 - self.pushed as f64 * self.frame_ns;
        self.shared.capture_base_ns.store(base as i64, Relaxed);
        self.pushed += n as u64;
        self.shared.in_started.store(true, Relaxed);
    }
}

impl BridgeOut {
    /// Start an output callback of `frames` frames whose first frame plays at
    /// `playback_ns` (output clock). Returns whether input frames are there to
    /// [`read`](Self::read); if not, the callback runs on silence.
    pub fn begin(&mut self, frames: usize, playback_ns: i64) -> bool {
        self.shared.out_started.store(true, Relaxed);
        self.cushion = self.cushion.max(frames);
        let available = self.ring.slots() / self.channels;
        if available < frames {
            if self.shared.in_started.load(Relaxed) {
                self.stats.add_bridge_underrun();
            }
            return false;
        }
        if available > frames + 2 * self.cushion {
            let excess = available - frames - self.cushion;
            if let Ok(chunk) = self.ring.read_chunk(excess * self.channels) {
                chunk.commit_all();
            }
            self.popped += excess as u64;
            self.stats.add_bridge_overrun();
        }
        self.measure(playback_ns);
        true
    }

    /// The input-to-output latency of the frame about to be read, if the
    /// clocks are known and it is a real input frame (not the prime).
    fn measure(&self, playback_ns: i64) {
        let base = self.shared.capture_base_ns.load(Relaxed);
        let offset = self.shared.clock_offset_ns.load(Relaxed);
        if base == NO_TIME || offset == NO_TIME || self.popped < self.cushion as u64 {
            return;
        }
        let captured = base as f64 + offset as f64 + self.popped as f64 * self.frame_ns;
        let frames = (playback_ns as f64 - captured) / self.frame_ns;
        if frames >= 0.0 {
            self.stats.set_latency(frames.round() as u32);
        }
    }

    /// De-interleave the next `n` frames into `ins[c][..n]` (channels beyond
    /// the ring's are left alone). Call only after [`begin`](Self::begin)
    /// returned true, for at most the frames it was given.
    pub fn read(&mut self, ins: &mut [Vec<f32>], n: usize) {
        let ch = self.channels;
        let Ok(chunk) = self.ring.read_chunk(n * ch) else {
            return;
        };
        let (a, b) = chunk.as_slices();
        for (i, frame) in a.chunks_exact(ch).chain(b.chunks_exact(ch)).enumerate() {
            for (x, &v) in ins.iter_mut().zip(frame) {
                x[i] = v;
            }
        }
        chunk.commit_all();
        self.popped += n as u64;
    }
}

impl BridgeClock {
    /// Record the offset of the output stream's clock from the input stream's.
    pub fn set_offset_ns(&self, offset: i64) {
        self.shared.clock_offset_ns.store(offset, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: usize = 64;

    fn setup(cushion: usize) -> (BridgeIn, BridgeOut, BridgeClock, Arc<AudioStats>) {
        let stats = Arc::new(AudioStats::new(0));
        let (i, o, c) = bridge(2, cushion, 16 * cushion, 48_000, stats.clone());
        (i, o, c, stats)
    }

    /// Interleaved stereo frames numbered from `first` (left = n, right = -n).
    fn frames(first: usize, n: usize) -> Vec<f32> {
        (first..first + n)
            .flat_map(|k| [k as f32, -(k as f32)])
            .collect()
    }

    /// Run `cycles` periods in a fixed order, returning what the output read
    /// (left channel; silence as -1) and the stats.
    fn simulate(out_first: bool, in_skew: usize, cycles: usize) -> (Vec<f32>, Arc<AudioStats>) {
        let (mut tx, mut rx, _, stats) = setup(N);
        let mut ins = vec![vec![0.0; N]; 2];
        let mut played = Vec::new();
        let mut next = 0;
        let mut out = |rx: &mut BridgeOut, played: &mut Vec<f32>| {
            if rx.begin(N, 0) {
                rx.read(&mut ins, N);
                played.extend_from_slice(&ins[0]);
            } else {
                played.extend(std::iter::repeat_n(-1.0, N));
            }
        };
        for cycle in 0..cycles {
            let input_runs = cycle >= in_skew;
            if out_first {
                out(&mut rx, &mut played);
            }
            if input_runs {
                tx.push(&frames(next, N), 0);
                next += N;
            }
            if !out_first {
                out(&mut rx, &mut played);
            }
        }
        (played, stats)
    }

    /// Delay in frames from input frame k to where it was played.
    fn delay(played: &[f32]) -> usize {
        let last = played.len() - 1;
        last - played[last] as usize
    }

    #[test]
    fn one_period_delay_in_either_order_and_no_underruns() {
        // Input and output running in the same cycle, as JACK runs two
        // unconnected clients, in whichever order.
        for out_first in [true, false] {
            let (played, stats) = simulate(out_first, 0, 50);
            let s = stats.snapshot();
            assert_eq!(s.bridge_underruns, 0, "out_first {out_first}");
            assert_eq!(s.bridge_overruns, 0, "out_first {out_first}");
            let d = delay(&played);
            assert!(d <= N + (N - 1), "out_first {out_first}: delay {d}");
            // Every frame is played exactly once, in order.
            let real: Vec<f32> = played.iter().copied().filter(|&v| v > 0.0).collect();
            assert!(real.windows(2).all(|w| w[1] == w[0] + 1.0));
        }
    }

    #[test]
    fn input_starting_early_does_not_add_latency() {
        // The output starts five periods after the input: input before that is
        // discarded, so the delay is what it is with no skew.
        let (played, _) = simulate(false, 0, 50);
        let (skewed, _) = {
            let (mut tx, mut rx, _, stats) = setup(N);
            let mut ins = vec![vec![0.0; N]; 2];
            let mut played = Vec::new();
            let mut next = 0;
            for cycle in 0..50 {
                tx.push(&frames(next, N), 0);
                next += N;
                if cycle >= 5 {
                    assert!(rx.begin(N, 0));
                    rx.read(&mut ins, N);
                    played.extend_from_slice(&ins[0]);
                } else {
                    played.extend(std::iter::repeat_n(-1.0, N));
                }
            }
            (played, stats)
        };
        assert_eq!(delay(&skewed), delay(&played));
    }

    #[test]
    fn stalled_output_is_trimmed_back_to_the_bound() {
        let (mut tx, mut rx, _, stats) = setup(N);
        let mut ins = vec![vec![0.0; N]; 2];
        assert!(rx.begin(N, 0));
        rx.read(&mut ins, N);
        // Input keeps coming while the output stalls for 8 periods.
        let mut next = 0;
        for _ in 0..8 {
            tx.push(&frames(next, N), 0);
            next += N;
        }
        assert!(rx.begin(N, 0));
        rx.read(&mut ins, N);
        let left = rx.ring.slots() / 2;
        assert_eq!(left, N, "one cushion left after the read");
        assert_eq!(stats.snapshot().bridge_overruns, 1);
        // The newest frames survive: the last read ends one cushion before the newest.
        assert_eq!(ins[0][N - 1] as usize, next - 1 - N);
    }

    #[test]
    fn starved_output_counts_underruns_and_reprimes() {
        let (mut tx, mut rx, _, stats) = setup(N);
        let mut ins = vec![vec![0.0; N]; 2];
        assert!(rx.begin(N, 0)); // the prime
        rx.read(&mut ins, N);
        tx.push(&frames(0, N / 2), 0);
        assert!(!rx.begin(N, 0), "half a period is not enough");
        assert_eq!(stats.snapshot().bridge_underruns, 1);
        tx.push(&frames(N / 2, N), 0);
        assert!(rx.begin(N, 0));
        rx.read(&mut ins, N);
        assert_eq!(ins[0][0], 0.0);
        assert_eq!(ins[0][N - 1], (N - 1) as f32);
        assert_eq!(ins[1][N - 1], -((N - 1) as f32));
    }

    #[test]
    fn full_ring_drops_newest_and_counts_them() {
        let stats = Arc::new(AudioStats::new(0));
        let (mut tx, mut rx, _) = bridge(1, 4, 16, 48_000, stats.clone());
        assert!(rx.begin(4, 0));
        let mut ins = vec![vec![0.0; 4]; 1];
        rx.read(&mut ins, 4);
        tx.push(&[1.0f32; 20], 0);
        assert_eq!(stats.snapshot().bridge_overruns, 1);
        assert_eq!(rx.ring.slots(), 16, "the first 16 frames went in");
    }

    #[test]
    fn latency_is_playback_minus_capture_time() {
        // 48 kHz: one frame is 20833.3 ns. The output clock runs 1 ms ahead of
        // the input clock. A block captured at input time 10 ms is played at
        // output time 10 ms + 1 ms (offset) + 3 periods.
        let (mut tx, mut rx, clock, stats) = setup(N);
        let mut ins = vec![vec![0.0; N]; 2];
        clock.set_offset_ns(1_000_000);
        let frame_ns = 1e9 / 48_000.0;
        assert!(rx.begin(N, 0)); // consumes the prime, no measurement
        rx.read(&mut ins, N);
        assert_eq!(stats.snapshot().latency_frames, 0);
        tx.push(&frames(0, N), 10_000_000);
        let playback = 10_000_000 + 1_000_000 + (3.0 * N as f64 * frame_ns) as i64;
        assert!(rx.begin(N, playback));
        assert_eq!(stats.snapshot().latency_frames, 3 * N as u32);
    }
}
