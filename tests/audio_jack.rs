//! The cpal JACK backend against a real JACK server (the dummy driver, so
//! no sound card is needed), with an independent JACK client of the test's
//! own that plays into the backend's input and captures its outputs.
//!
//! - A tone goes in and comes out at the level the pan law says.
//! - An impulse measures the input-to-output latency at 64 and 256 frames,
//!   which is compared with what `StreamInfo` reports.
//! - Killing the server makes the backend report `Lost`; a new `start()`
//!   fails while the server is down and succeeds once it is back.
//!
//! Each test starts `jackd` under a unique name and points this process at it
//! with JACK_DEFAULT_SERVER; a guard kills it whatever happens. The tests
//! skip (saying so) only when `jackd` is not installed. They need the
//! default `jack` feature.
#![cfg(feature = "jack")]

mod common;
#[path = "support/jack.rs"]
mod jack_harness;
use common::*;
use jack_harness::*;
use mixbridge::audio::{self, AudioEvent, AudioSpec, Backend, Running, TestSignal};
use mixbridge::engine::EngineHandle;
use std::time::{Duration, Instant};

/// Start the backend on JACK: one mono track on input 0, master to outputs 0 and 1.
fn start_backend() -> Result<
    (
        Running,
        EngineHandle,
        crossbeam_channel::Receiver<AudioEvent>,
    ),
    audio::AudioError,
> {
    let Rig { engine, handle, .. } = Rig::new(&[MONO], &[]);
    let spec = AudioSpec {
        backend: Backend::Jack,
        sample_rate: 48_000,
        buffer_frames: 256,
        inputs: 1,
        output_map: vec![Some(0), Some(1)],
        test_signal: TestSignal::Silence,
        ..AudioSpec::default()
    };
    let (tx, rx) = crossbeam_channel::unbounded();
    audio::start(&spec, engine, tx).map(|r| (r, handle, rx))
}

/// The tone's level in each 50 ms block of `x` (Goertzel at 1 kHz over the
/// block's last 25 whole cycles), sorted.
fn block_levels(x: &[f32]) -> Vec<f32> {
    let mut v: Vec<f32> = x
        .chunks_exact(2400)
        .map(|b| tone_db(b, 1000.0, SR))
        .collect();
    v.sort_by(f32::total_cmp);
    v
}

/// The tone comes out of both master outputs at its level plus the pan law.
/// The median over 50 ms blocks ignores the odd block the dummy JACK
/// driver's own timing xruns disturb on a busy machine.
fn check_tone(tester: &mut Tester, when: &str) {
    std::thread::sleep(Duration::from_millis(300));
    let (_, [l, r]) = tester.capture(1.0);
    for (name, x) in [("left", &l), ("right", &r)] {
        let levels = block_levels(x);
        let median = levels[levels.len() / 2];
        let want = -12.0 + CENTRE_DB;
        assert!(
            (median - want).abs() < 0.1,
            "{when}: {name} output carries the tone at {median:.2} dB (blocks {levels:?}), want {want:.2}"
        );
    }
}

#[test]
fn tone_passes_and_the_backend_survives_a_server_restart() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !jackd_installed() {
        return;
    }
    let mut server = Server::start(256);
    let (running, _handle, events) = start_backend().expect("the backend starts on JACK");
    assert_eq!(running.info.backend, "jack");
    assert_eq!(running.info.sample_rate, 48_000);
    assert_eq!(running.info.buffer_frames, 256);
    eprintln!("started: {}", running.describe());

    let listing = audio::describe_devices();
    assert!(
        listing.contains("jack:") && listing.contains("JACK Output") && listing.contains("48000"),
        "the running server shows in the device listing:\n{listing}"
    );

    let tone = Source::Tone {
        freq: 1000.0,
        amp: 10f32.powf(-12.0 / 20.0),
    };
    let mut tester = Tester::connect(tone, std::process::id());
    check_tone(&mut tester, "first start");
    assert_eq!(
        events.try_recv(),
        Err(crossbeam_channel::TryRecvError::Empty)
    );

    server.crash();
    match events.recv_timeout(Duration::from_secs(10)) {
        Ok(AudioEvent::Lost(why)) => eprintln!("lost: {why}"),
        Err(e) => panic!("no Lost event after the server died: {e}"),
    }
    assert!(
        events.recv_timeout(Duration::from_millis(300)).is_err(),
        "Lost is sent once"
    );
    drop(tester);
    let t = Instant::now();
    drop(running);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "stopping a lost stream does not hang"
    );

    match start_backend() {
        Err(e) => eprintln!("while the server is down: {e}"),
        Ok(_) => panic!("start() succeeded with no server"),
    }

    server.restart();
    let (running, _handle, events) = start_backend().expect("the backend starts again");
    let mut tester = Tester::connect(tone, std::process::id());
    check_tone(&mut tester, "after the server restart");
    assert!(events.try_recv().is_err());
    drop(tester);
    drop(running);
}

/// Frames from each pulse leaving the tester to its return, within one
/// capture; pulses leave at the tester's frames 0, every, 2 * every, ...
fn pulse_delays(first: usize, x: &[f32], every: usize, threshold: f32) -> Vec<usize> {
    let mut delays = Vec::new();
    let mut i = 0;
    while i < x.len() {
        if x[i].abs() > threshold {
            delays.push((first + i) % every);
            i += every / 2;
        } else {
            i += 1;
        }
    }
    delays
}

#[test]
fn latency_at_64_and_256_frames() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !jackd_installed() {
        return;
    }
    for period in [64u32, 256] {
        let n = period as usize;
        let _server = Server::start(period);
        let (running, handle, _events) = start_backend().expect("the backend starts on JACK");
        assert_eq!(running.info.buffer_frames, period);
        assert!(running.info.latency_measured, "the latency was measured");
        let (every, amp) = (4800, 0.25);
        let mut tester = Tester::connect(Source::Pulses { every, amp }, std::process::id());
        // JACK's own latencies between the system ports and the clients.
        let (capture, playback) = {
            let c = tester.client.as_ref().unwrap().as_client();
            let lat = |port: &str, mode| {
                c.port_by_name(port)
                    .map(|p| p.get_latency_range(mode).1 as usize)
                    .unwrap_or(0)
            };
            (
                lat("system:capture_1", jack::LatencyType::Capture),
                lat("system:playback_1", jack::LatencyType::Playback),
            )
        };
        let engine = handle.latency();
        let threshold = 0.5 * amp * 10f32.powf(CENTRE_DB / 20.0);
        std::thread::sleep(Duration::from_millis(300));

        // The live measurement (system capture to system playback, from cpal's
        // timestamps) must equal JACK's port latencies plus what the impulse
        // took from the tester through the backend back to the tester. The
        // dummy driver's own timing xruns can move the bridge between two
        // states mid-capture, hence a few tries.
        let mut agreed = None;
        for _ in 0..5 {
            let (first, [l, _]) = tester.capture(1.0);
            let live = running.stats.snapshot().latency_frames as usize;
            let delays = pulse_delays(first, &l, every, threshold);
            assert!(delays.len() >= 8, "pulses came through: {delays:?}");
            for &d in &delays {
                let through = d - engine;
                assert!(
                    through <= 3 * n,
                    "period {period}: the bridge holds at most 3 periods, took {through}"
                );
            }
            let last = delays[delays.len() - 1] - engine;
            if live.abs_diff(capture + last + playback) <= 2 {
                agreed = Some((last, live));
                break;
            }
        }
        let (through, live) = agreed.expect("the measured latency agrees with the impulse");
        eprintln!(
            "period {period}: tester to tester through the backend {through} frames ({:.2} ms) \
             + engine {engine}; JACK ports capture {capture} + playback {playback}; \
             backend's measurement now {live} frames ({:.2} ms), at start {} ({:.2} ms); xruns {}",
            through as f64 / 48.0,
            live as f64 / 48.0,
            running.info.latency_frames,
            running.info.latency_frames as f64 / 48.0,
            running.stats.snapshot().xruns,
        );
        let start = running.info.latency_frames as usize;
        assert!(
            (capture + playback..=capture + playback + 3 * n).contains(&start),
            "period {period}: latency at start {start}"
        );
        drop(tester);
    }
}
