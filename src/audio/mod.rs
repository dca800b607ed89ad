//! Audio backends: run a given [`Engine`] on a real interface (through cpal's
//! ALSA, JACK or PipeWire host) or on the built-in dummy clock, and map its
//! channels to the device's.
//!
//! This module knows nothing of the mix: the control side builds the
//! [`Engine`] from its model and hands it over; [`start`] moves it into the
//! audio callback and returns a [`Running`] whose drop stops everything. To
//! recover from a lost device the control side drops `Running`, builds a new
//! engine from the same model and calls [`start`] again (it can be called any
//! number of times).
//!
//! ```text
//! let (engine, handle) = engine::new(topology, &values);
//! let running = audio::start(&spec, engine, events_tx)?;
//! log::info!("audio: {}", running.describe());
//! running.info          // backend, device, rate, granted buffer, latency, realtime
//! running.stats         // Arc<AudioStats>: callbacks, xruns, bridge under/overruns,
//!                       // live latency, output levels; snapshot() and diff
//! events_rx.recv()      // AudioEvent::Lost(why), once per start, on device loss
//! ```
//!
//! If `running.info.sample_rate` differs from the one asked for (JACK and
//! PipeWire impose theirs), rebuild the topology at that rate through the
//! handle. `Backend::Auto` falls back to the dummy, with a warning, when no
//! device opens. For the allocation guard to bite in debug builds, the
//! binary installs `assert_no_alloc::AllocDisabler` as its global allocator.
//!
//! Why it is shaped this way:
//! - cpal opens input and output as two streams with their own callbacks.
//!   The input callback only pushes interleaved frames into a fixed wait-free
//!   ring (`bridge.rs`); the output callback pops them, runs the engine and
//!   writes its outputs through `output_map`. The ring starts primed with one
//!   period of silence so the output never waits, and a frame waits in it
//!   between 0 and 3 periods (one in steady state), so latency stays bounded.
//! - Nothing in a data callback allocates, locks, logs or makes a system call;
//!   in debug builds the body runs inside `assert_no_alloc`. The single
//!   exception is the real-time check on each audio thread's first callback
//!   (`rt.rs`), which happens once per stream, never again.
//! - The error callbacks (not the data callbacks) count xruns with atomics and
//!   send [`AudioEvent::Lost`] once; logging stays on the control side.
//! - The input-to-output latency is measured from cpal's capture and playback
//!   timestamps (the two streams' clocks are aligned once at start), so it
//!   includes the device's own buffering, not only the ring. The engine's
//!   own latency (look-ahead limiter, `EngineHandle::latency`) comes on top.
//! - With JACK, cpal registers two clients, `cpal_client_<pid>_in` (ports
//!   `in_0..`) and `cpal_client_<pid>_out` (ports `out_0..`), connected to the
//!   `system` ports where there are any. JACK picks the server
//!   (`JACK_DEFAULT_SERVER`), its rate and its buffer size; `device` is ignored.

mod bridge;
mod describe;
mod device;
mod dummy;
mod handoff;
mod process;
mod routes;
mod rt;
mod signal;
mod stats;
mod streams;

pub use describe::describe_devices;
pub use stats::{AudioStats, StatsSnapshot};

use crate::audio_file::AudioFileError;
use crate::engine::Engine;
use std::path::PathBuf;
use std::sync::Arc;

/// Which audio host to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// The system's default host and device; the dummy (with a warning) when
    /// no device opens.
    #[default]
    Auto,
    Alsa,
    Jack,
    PipeWire,
    /// No hardware: a timer keeps real-time pace and test signals feed the inputs.
    Dummy,
}

impl Backend {
    /// The names accepted in config files, in the order of the variants.
    pub const NAMES: [&'static str; 5] = ["auto", "alsa", "jack", "pipewire", "dummy"];
    pub const ALL: [Backend; 5] = [
        Backend::Auto,
        Backend::Alsa,
        Backend::Jack,
        Backend::PipeWire,
        Backend::Dummy,
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Parse a config name (case-insensitive); `None` if it is not one of [`Backend::NAMES`].
    pub fn from_name(name: &str) -> Option<Backend> {
        Self::NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
            .map(|i| Self::ALL[i])
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the dummy backend feeds to every engine input.
#[derive(Debug, Clone, PartialEq)]
pub enum TestSignal {
    /// A sine of `level_db` dBFS peak.
    Sine {
        freq_hz: f32,
        level_db: f32,
    },
    /// Pink noise (-3 dB/octave) of `level_db` dBFS RMS.
    PinkNoise {
        level_db: f32,
    },
    Silence,
    /// A WAV file in a loop; engine input `k` gets file channel `k mod channels`.
    /// Resampled to the stream rate when it differs.
    File(PathBuf),
}

impl TestSignal {
    /// The names used in config.yaml, in the order they are listed to users.
    pub const NAMES: [&'static str; 4] = ["sine", "pink_noise", "silence", "file"];
    pub const SINE_FREQ_HZ: f32 = 1000.0;
    pub const LEVEL_DB: f32 = -20.0;
}

impl Default for TestSignal {
    /// A 1 kHz sine at -20 dBFS, the usual line-up tone.
    fn default() -> TestSignal {
        TestSignal::Sine {
            freq_hz: TestSignal::SINE_FREQ_HZ,
            level_db: TestSignal::LEVEL_DB,
        }
    }
}

/// What to open and how to wire it.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioSpec {
    pub backend: Backend,
    /// Device name pattern (`*` any run, `?` one character, case-insensitive),
    /// matched against the device's name and its id; `None`: the host's default.
    pub device: Option<String>,
    pub sample_rate: u32,
    /// Frames per callback to ask for; the device may grant another size.
    pub buffer_frames: u32,
    /// Engine inputs wanted; device input channel `k` feeds engine input `k`.
    pub inputs: usize,
    /// Engine output `k` goes to device output channel `output_map[k]`
    /// (0-based; `None`: not played). Outputs mapped to the same channel add up.
    pub output_map: Vec<Option<usize>>,
    /// Used by the dummy backend (and by `Auto` when it falls back to it).
    pub test_signal: TestSignal,
}

impl Default for AudioSpec {
    fn default() -> Self {
        AudioSpec {
            backend: Backend::Auto,
            device: None,
            sample_rate: 48_000,
            buffer_frames: 128,
            inputs: 2,
            output_map: vec![Some(0), Some(1)],
            test_signal: TestSignal::Silence,
        }
    }
}

/// What was actually opened.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInfo {
    pub backend: &'static str,
    pub device: String,
    /// The stream's rate. It differs from the requested one only when the
    /// host imposes its own (JACK, PipeWire); the caller must then rebuild
    /// its topology at this rate.
    pub sample_rate: u32,
    /// Frames per callback granted by the device.
    pub buffer_frames: u32,
    /// Input-to-output latency in frames (device buffers plus the bridge),
    /// without the engine's own latency, as measured at start. It can move
    /// later (JACK reorders its graph when ports are connected, a device
    /// xruns): the live value is [`StatsSnapshot::latency_frames`].
    pub latency_frames: u32,
    /// Whether `latency_frames` was measured from stream timestamps (true) or
    /// computed from buffer sizes because no measurement came in time (false).
    pub latency_measured: bool,
    /// Whether every audio thread runs with real-time priority.
    pub realtime: bool,
}

/// Sent by the backend to the control loop.
#[derive(Debug, Clone, PartialEq)]
pub enum AudioEvent {
    /// The device or server went away; sent once per [`start`]. Drop the
    /// [`Running`] and start again (with backoff) to recover.
    Lost(String),
}

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("the {0} backend is not built in (rebuild with cargo feature `{0}`)")]
    NotBuilt(&'static str),
    #[error("{backend}: no {direction} device matches \"{pattern}\" (available: {available})")]
    NoDevice {
        backend: &'static str,
        direction: &'static str,
        pattern: String,
        available: String,
    },
    #[error("{backend}: {message}")]
    Device {
        backend: &'static str,
        message: String,
    },
    #[error("invalid audio setup: {0}")]
    Invalid(String),
    #[error("test signal: {0}")]
    TestFile(#[from] AudioFileError),
}

/// Streams that are running; dropping this stops them (and drops the engine).
pub struct Running {
    pub info: StreamInfo,
    pub stats: Arc<AudioStats>,
    _streams: Streams,
}

/// Held only to be dropped: dropping stops the audio.
enum Streams {
    Dummy { _thread: dummy::DummyThread },
    Device { _streams: streams::DeviceStreams },
}

/// Most engine outputs a backend maps (master plus 31 aux pairs).
pub const MAX_OUTPUTS: usize = 64;

/// Open the backend of `spec` and run `engine` in its callback. `events`
/// receives [`AudioEvent::Lost`] when the device goes away.
pub fn start(
    spec: &AudioSpec,
    engine: Engine,
    events: crossbeam_channel::Sender<AudioEvent>,
) -> Result<Running, AudioError> {
    validate(spec)?;
    match spec.backend {
        Backend::Dummy => dummy::start(spec, engine),
        Backend::Auto => match streams::start(spec, engine, events) {
            Ok(running) => Ok(running),
            Err(failed) => match failed.engine {
                Some(engine) => {
                    log::warn!(
                        "no audio device could be opened ({}); running on the dummy backend",
                        failed.error
                    );
                    dummy::start(spec, engine)
                }
                None => Err(failed.error),
            },
        },
        Backend::Alsa | Backend::Jack | Backend::PipeWire => {
            streams::start(spec, engine, events).map_err(|f| f.error)
        }
    }
}

fn validate(spec: &AudioSpec) -> Result<(), AudioError> {
    if spec.inputs > crate::engine::MAX_INPUTS {
        return Err(AudioError::Invalid(format!(
            "{} inputs wanted; at most {} are supported",
            spec.inputs,
            crate::engine::MAX_INPUTS
        )));
    }
    if spec.output_map.len() > MAX_OUTPUTS {
        return Err(AudioError::Invalid(format!(
            "{} engine outputs mapped; at most {MAX_OUTPUTS} are supported",
            spec.output_map.len()
        )));
    }
    if spec.sample_rate == 0 || spec.buffer_frames == 0 {
        return Err(AudioError::Invalid(
            "sample rate and buffer size must be positive".into(),
        ));
    }
    Ok(())
}

impl Running {
    /// The backend's name and device, for logs.
    pub fn describe(&self) -> String {
        let i = &self.info;
        format!(
            "{} \"{}\" at {} Hz, {} frames per buffer, input-to-output latency {} frames ({:.2} ms, {}), real-time priority: {}",
            i.backend,
            i.device,
            i.sample_rate,
            i.buffer_frames,
            i.latency_frames,
            i.latency_frames as f64 * 1000.0 / i.sample_rate.max(1) as f64,
            if i.latency_measured { "measured" } else { "computed" },
            if i.realtime { "yes" } else { "NO" },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_names_round_trip() {
        for b in Backend::ALL {
            assert_eq!(Backend::from_name(b.name()), Some(b));
            assert_eq!(Backend::from_name(&b.name().to_uppercase()), Some(b));
        }
        assert_eq!(Backend::from_name("coreaudio"), None);
    }
}
