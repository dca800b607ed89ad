//! The dummy backend, running for real: it keeps real-time pace on its
//! timer, its test signals reach the engine's outputs at the levels the
//! signal and the pan law say, control changes reach the running engine,
//! `Auto` falls back to it, and it stops when dropped and starts again.
//!
//! This binary installs the allocation guard, so in debug builds any
//! allocation inside the audio callback aborts it.

mod common;
use assert_no_alloc::AllocDisabler;
use common::*;
use mixbridge::audio::{self, AudioSpec, Backend, Running, TestSignal};
use mixbridge::engine::EngineHandle;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

/// Equal-power pan law at centre: cos(pi/4), in dB.
const CENTRE_DB: f32 = -3.0103;
/// A sine's RMS relative to its peak, in dB.
const SINE_RMS_DB: f32 = -3.0103;

/// One mono track on input 0, master to device outputs 0 and 1.
fn start(signal: TestSignal, buffer_frames: u32) -> (Running, EngineHandle) {
    let Rig { engine, handle, .. } = Rig::new(&[MONO], &[]);
    let spec = AudioSpec {
        backend: Backend::Dummy,
        sample_rate: SR as u32,
        buffer_frames,
        inputs: 1,
        output_map: vec![Some(0), Some(1)],
        test_signal: signal,
        ..AudioSpec::default()
    };
    let (tx, _rx) = crossbeam_channel::unbounded();
    let running = audio::start(&spec, engine, tx).expect("the dummy always starts");
    assert_eq!(running.info.backend, "dummy");
    (running, handle)
}

/// Output peak and RMS (dBFS) of master L and R over `seconds`, after
/// `settle` seconds for smoothers and the limiter's look-ahead.
fn levels(r: &Running, settle: f32, seconds: f32) -> [(f32, f32); 2] {
    std::thread::sleep(Duration::from_secs_f32(settle));
    let a = r.stats.snapshot();
    r.stats.take_output_peak_db(0);
    r.stats.take_output_peak_db(1);
    std::thread::sleep(Duration::from_secs_f32(seconds));
    let b = r.stats.snapshot();
    assert!(
        b.frames - a.frames > (0.5 * seconds * SR) as u64,
        "the dummy ran"
    );
    [0, 1].map(|ch| (r.stats.take_output_peak_db(ch), b.rms_db_since(&a, ch)))
}

#[test]
fn keeps_real_time_pace() {
    // 2 s at 48 kHz in 256-frame blocks is 375 callbacks.
    let (r, _h) = start(TestSignal::Silence, 256);
    std::thread::sleep(Duration::from_millis(200));
    let (a, t0) = (r.stats.snapshot(), Instant::now());
    std::thread::sleep(Duration::from_secs(2));
    let (b, t1) = (r.stats.snapshot(), Instant::now());
    let expected = (t1 - t0).as_secs_f64() * SR as f64 / 256.0;
    let got = (b.callbacks - a.callbacks) as f64;
    assert!(
        (got / expected - 1.0).abs() < 0.03,
        "{got} callbacks in {:?}, expected {expected:.1}",
        t1 - t0
    );
    assert_eq!(b.frames - a.frames, 256 * (b.callbacks - a.callbacks));
}

#[test]
fn sine_reaches_the_outputs_at_its_level() {
    let (r, _h) = start(
        TestSignal::Sine {
            freq_hz: 1000.0,
            level_db: -12.0,
        },
        128,
    );
    for (ch, (peak, rms)) in levels(&r, 0.3, 0.5).into_iter().enumerate() {
        let want = -12.0 + CENTRE_DB;
        assert!(
            (peak - want).abs() < 0.1,
            "ch {ch}: peak {peak:.2}, want {want:.2}"
        );
        assert!(
            (rms - (want + SINE_RMS_DB)).abs() < 0.1,
            "ch {ch}: RMS {rms:.2}, want {:.2}",
            want + SINE_RMS_DB
        );
    }
}

#[test]
fn pink_noise_reaches_the_outputs_at_its_level() {
    let (r, _h) = start(TestSignal::PinkNoise { level_db: -20.0 }, 64);
    for (ch, (peak, rms)) in levels(&r, 0.3, 1.5).into_iter().enumerate() {
        let want = -20.0 + CENTRE_DB;
        // The RMS of 1.5 s of noise whose power sits low in frequency varies
        // by a few tenths of a dB; noise peaks stand well above its RMS.
        assert!(
            (rms - want).abs() < 0.6,
            "ch {ch}: RMS {rms:.2}, want {want:.2}"
        );
        assert!(peak > rms + 6.0 && peak < -1.0, "ch {ch}: peak {peak:.2}");
    }
}

#[test]
fn a_file_loops_through_the_engine() {
    // One second at 44.1 kHz holding exactly 441 cycles of 441 Hz at -9 dBFS,
    // so it loops seamlessly; the backend resamples it to 48 kHz.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loop.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 44_100,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for s in tone(441.0, -9.0, 1.0, 44_100.0) {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    let (r, _h) = start(TestSignal::File(path), 256);
    for (ch, (peak, rms)) in levels(&r, 0.3, 2.0).into_iter().enumerate() {
        let want = -9.0 + CENTRE_DB;
        assert!(
            (rms - (want + SINE_RMS_DB)).abs() < 0.2,
            "ch {ch}: RMS {rms:.2}"
        );
        assert!((peak - want).abs() < 0.5, "ch {ch}: peak {peak:.2}");
    }
}

#[test]
fn gain_changes_reach_the_running_engine() {
    let (r, mut h) = start(
        TestSignal::Sine {
            freq_hz: 500.0,
            level_db: -10.0,
        },
        128,
    );
    let [(before, _), _] = levels(&r, 0.3, 0.3);
    let registry = mixbridge::params::Registry::new(h.topology().layout());
    h.set(registry.resolve("track/1/gain").unwrap().id, -6.0);
    h.flush();
    let [(after, _), _] = levels(&r, 0.3, 0.3);
    assert!(
        (after - before + 6.0).abs() < 0.1,
        "before {before:.2}, after {after:.2}"
    );
}

#[test]
fn auto_falls_back_to_the_dummy_and_restarts_cleanly() {
    for _ in 0..3 {
        let Rig { engine, .. } = Rig::new(&[MONO], &[]);
        let spec = AudioSpec {
            backend: Backend::Auto,
            device: Some("no such interface * anywhere".into()),
            inputs: 1,
            test_signal: TestSignal::Sine {
                freq_hz: 1000.0,
                level_db: -6.0,
            },
            ..AudioSpec::default()
        };
        let (tx, _rx) = crossbeam_channel::unbounded();
        let r = audio::start(&spec, engine, tx).unwrap();
        assert_eq!(r.info.backend, "dummy");
        let [(peak, _), _] = levels(&r, 0.2, 0.2);
        assert!((peak - (-6.0 + CENTRE_DB)).abs() < 0.1, "peak {peak:.2}");
        // Dropping stops the thread: the counters freeze.
        let stats = r.stats.clone();
        drop(r);
        let a = stats.snapshot().callbacks;
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(stats.snapshot().callbacks, a);
    }
}
