//! The loudness meter obeys the audio-thread rules: after `new`, processing
//! (including the 10 Hz updates of integrated loudness and range), the
//! getters and `reset` never touch the allocator, at every supported rate
//! and block length.

use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use mixbridge::engine::loudness::{Channel, LoudnessMeter};

#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

fn read_all(m: &LoudnessMeter) -> f32 {
    m.momentary()
        + m.short_term()
        + m.integrated()
        + m.loudness_range()
        + m.momentary_max()
        + m.short_term_max()
        + m.true_peak_dbtp()
        + m.sample_peak_dbfs()
}

#[test]
fn process_getters_and_reset_never_allocate() {
    for sr in [44_100.0f32, 48_000.0, 88_200.0, 96_000.0] {
        // 3.5 s: past the first short-term value, so every update path runs.
        let frames = (sr * 3.5) as usize;
        let left: Vec<f32> = (0..frames)
            .map(|n| 0.3 * (n as f32 * 0.05).sin() * (n as f32 * 1e-4).sin())
            .collect();
        let right: Vec<f32> = left.iter().map(|x| -0.5 * x).collect();
        let mut meter = LoudnessMeter::new(sr, Channel::STEREO);
        let lengths = [1usize, 64, 1024, 333, 17];
        let sum = assert_no_alloc(|| {
            let mut at = 0;
            let mut sum = 0.0;
            for k in 0.. {
                if at >= frames {
                    break;
                }
                let end = (at + lengths[k % lengths.len()]).min(frames);
                meter.process(&[&left[at..end], &right[at..end]]);
                sum += read_all(&meter);
                at = end;
            }
            meter.reset();
            meter.process(&[&left[..4800], &right[..4800]]);
            sum
        });
        assert!(!sum.is_nan(), "{sr}");
        assert!(meter.momentary() == f32::NEG_INFINITY && meter.frames() == 4800);
    }
}
