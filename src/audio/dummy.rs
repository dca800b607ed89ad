//! The dummy backend: no hardware, a thread that keeps real-time pace.
//!
//! Block `k` is due at `t0 + k * buffer / rate`, computed from the start in
//! integer nanoseconds, so sleeping never accumulates drift. A thread that
//! falls more than one block behind (the machine stalled it) counts an xrun
//! and starts a new timeline instead of racing to catch up, as a device
//! would. Every engine input gets the configured test signal; the outputs
//! are measured into the stats and discarded.

use super::process::{no_alloc, Processor};
use super::signal::Generator;
use super::stats::{AudioStats, Rt, Side};
use super::{rt, AudioError, AudioSpec, Running, StreamInfo, Streams, TestSignal};
use crate::engine::Engine;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub(super) struct DummyThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for DummyThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(super) fn start(spec: &AudioSpec, engine: Engine) -> Result<Running, AudioError> {
    let rate = spec.sample_rate;
    let block = spec.buffer_frames as usize;
    let mut generator = Generator::new(&spec.test_signal, rate)?;
    let stats = Arc::new(AudioStats::new(spec.output_map.len()));
    let mut processor = Processor::new(engine, spec.inputs, spec.output_map.len(), stats.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();

    let thread = {
        let stop = stop.clone();
        let stats = stats.clone();
        std::thread::Builder::new()
            .name("mixbridge-dummy".into())
            .spawn(move || {
                let realtime = rt::promote_current_thread();
                stats.set_rt(Side::Output, if realtime { Rt::Yes } else { Rt::No });
                let _ = ready_tx.send(());
                let period = block_time(block as u64, rate);
                let mut t0 = Instant::now();
                let mut done: u64 = 0;
                while !stop.load(Ordering::Relaxed) {
                    no_alloc(|| {
                        processor.run(block, |ins, m| generator.fill(ins, m), |_, _, _| {})
                    });
                    done += block as u64;
                    let due = t0 + block_time(done, rate);
                    let now = Instant::now();
                    if now < due {
                        std::thread::sleep(due - now);
                    } else if now - due > period {
                        stats.add_xrun();
                        t0 = now;
                        done = 0;
                    }
                }
            })
            .map_err(|e| AudioError::Device {
                backend: "dummy",
                message: format!("cannot start the clock thread: {e}"),
            })?
    };
    let _ = ready_rx.recv_timeout(Duration::from_secs(2));
    let info = StreamInfo {
        backend: "dummy",
        device: describe(&spec.test_signal),
        sample_rate: rate,
        buffer_frames: spec.buffer_frames,
        latency_frames: 0,
        latency_measured: false,
        realtime: stats.rt(Side::Output) == Rt::Yes,
    };
    Ok(Running {
        info,
        stats,
        _streams: Streams::Dummy {
            _thread: DummyThread {
                stop,
                thread: Some(thread),
            },
        },
    })
}

/// Time of `frames` frames at `rate`, exact to the nanosecond.
fn block_time(frames: u64, rate: u32) -> Duration {
    Duration::from_nanos((frames as u128 * 1_000_000_000 / rate as u128) as u64)
}

fn describe(signal: &TestSignal) -> String {
    match signal {
        TestSignal::Sine { freq_hz, level_db } => {
            format!("test signal: sine {freq_hz} Hz at {level_db} dBFS")
        }
        TestSignal::PinkNoise { level_db } => {
            format!("test signal: pink noise at {level_db} dBFS RMS")
        }
        TestSignal::Silence => "test signal: silence".into(),
        TestSignal::File(p) => format!("test signal: {} (looped)", p.display()),
    }
}
