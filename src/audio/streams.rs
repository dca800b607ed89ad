//! Running a planned device: build the input and output streams around the
//! bridge and the engine, start them and wait until they really run; then
//! the callbacks themselves.
//!
//! Everything that can fail happens before the engine is handed to the
//! output callback (through a [`Handoff`]), so a failed start gives the
//! engine back and `Auto` can run it on the dummy instead.

use super::bridge::{bridge, BridgeIn, BridgeOut};
use super::device::{plan, Direction, Plan};
use super::handoff::{Handoff, Receiver};
use super::process::{no_alloc, Processor};
use super::routes::Routes;
use super::stats::{AudioStats, Rt, Side};
use super::{rt, AudioError, AudioEvent, AudioSpec, Running, StreamInfo, Streams};
use crate::engine::Engine;
use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{BufferSize, ErrorKind, FromSample, SampleFormat, SizedSample, StreamConfig};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a host may take to build a stream.
const BUILD_TIMEOUT: Duration = Duration::from_secs(5);
/// How long started streams may take to call back for the first time.
const FIRST_CALLBACK_TIMEOUT: Duration = Duration::from_secs(3);
/// How long to wait for the first latency measurement after that.
const LATENCY_TIMEOUT: Duration = Duration::from_secs(1);
/// The bridge never holds less than this many frames.
const MIN_BRIDGE_FRAMES: usize = 8192;

/// The streams of a running device; dropping stops the output, then the
/// input, then frees the engine if the output callback never took it.
pub(super) struct DeviceStreams {
    _output: cpal::Stream,
    _input: Option<cpal::Stream>,
    _handoff: Handoff<Processor>,
}

/// Why a device did not start, and the engine back unless the output
/// callback already took it.
pub(super) struct Failed {
    pub error: AudioError,
    pub engine: Option<Engine>,
}

fn failed(error: AudioError, engine: Option<Engine>) -> Box<Failed> {
    Box::new(Failed { error, engine })
}

/// Start `spec` on a real device.
pub(super) fn start(
    spec: &AudioSpec,
    engine: Engine,
    events: crossbeam_channel::Sender<AudioEvent>,
) -> Result<Running, Box<Failed>> {
    match plan(spec) {
        Ok(plan) => launch(spec, plan, engine, events),
        Err(e) => Err(failed(e, Some(engine))),
    }
}

fn fixed_frames(c: &StreamConfig, fallback: u32) -> u32 {
    match c.buffer_size {
        BufferSize::Fixed(n) => n,
        BufferSize::Default => fallback,
    }
}

fn launch(
    spec: &AudioSpec,
    plan: Plan,
    engine: Engine,
    events: crossbeam_channel::Sender<AudioEvent>,
) -> Result<Running, Box<Failed>> {
    let backend = plan.backend;
    let fail = |message: String| AudioError::Device { backend, message };
    let stats = Arc::new(AudioStats::new(spec.output_map.len()));
    let sink = ErrorSink {
        backend,
        stats: stats.clone(),
        lost: Arc::new(AtomicBool::new(false)),
        events,
        count_xruns: true,
    };
    let rate = plan.output.config.sample_rate;
    let out_channels = plan.output.config.channels as usize;
    let routes = Routes::new(&spec.output_map, out_channels);
    if !routes.unplayed.is_empty() {
        log::warn!(
            "{backend}: engine outputs {:?} map to channels the device does not have ({out_channels} outputs); they are not played",
            routes.unplayed
        );
    }
    let out_block = fixed_frames(&plan.output.config, spec.buffer_frames);
    let in_block = plan
        .input
        .as_ref()
        .map_or(0, |d| fixed_frames(&d.config, spec.buffer_frames));
    let cushion = out_block.max(in_block) as usize;

    let (bridge_in, bridge_out, clock) = match &plan.input {
        Some(d) => {
            let capacity = (8 * cushion).max(MIN_BRIDGE_FRAMES);
            let (i, o, c) = bridge(
                d.config.channels as usize,
                cushion,
                capacity,
                rate,
                stats.clone(),
            );
            (Some(i), Some(o), Some(c))
        }
        None => (None, None, None),
    };

    let input = match (&plan.input, bridge_in) {
        (Some(d), Some(b)) => match build_input(d, b, stats.clone(), plan.jack, &sink) {
            Ok(s) => Some(s),
            Err(e) => {
                return Err(failed(
                    fail(format!("cannot open the input stream: {e}")),
                    Some(engine),
                ))
            }
        },
        _ => None,
    };
    let handoff = Handoff::new();
    let output = match build_output(
        &plan.output,
        handoff.receiver(),
        bridge_out,
        routes,
        stats.clone(),
        plan.jack,
        &sink,
    ) {
        Ok(s) => s,
        Err(e) => {
            return Err(failed(
                fail(format!("cannot open the output stream: {e}")),
                Some(engine),
            ))
        }
    };
    handoff.give(Box::new(Processor::new(
        engine,
        spec.inputs,
        spec.output_map.len(),
        stats.clone(),
    )));
    let give_back = |output: cpal::Stream, input: Option<cpal::Stream>, e: AudioError| {
        drop(output);
        drop(input);
        Err(failed(e, handoff.reclaim().map(|p| p.into_engine())))
    };

    if let Err(e) = output.play() {
        return give_back(output, input, fail(format!("cannot start the output: {e}")));
    }
    if let Some(i) = &input {
        if let Err(e) = i.play() {
            return give_back(output, input, fail(format!("cannot start the input: {e}")));
        }
    }
    if let (Some(i), Some(c)) = (&input, &clock) {
        c.set_offset_ns(clock_offset(i, &output));
    }

    let started = Instant::now();
    let threads_known = || {
        stats.rt(Side::Output) != Rt::Unknown
            && (input.is_none() || stats.rt(Side::Input) != Rt::Unknown)
    };
    while !threads_known() && started.elapsed() < FIRST_CALLBACK_TIMEOUT {
        std::thread::sleep(Duration::from_millis(5));
    }
    if stats.rt(Side::Output) == Rt::Unknown {
        return give_back(
            output,
            input,
            fail(format!(
                "the streams opened but no output callback came within {} s",
                FIRST_CALLBACK_TIMEOUT.as_secs()
            )),
        );
    }
    let measuring = Instant::now();
    while input.is_some()
        && stats.snapshot().latency_frames == 0
        && measuring.elapsed() < LATENCY_TIMEOUT
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    let measured = stats.snapshot().latency_frames;
    let granted = output.buffer_size().unwrap_or(out_block);
    let realtime = threads_known()
        && stats.rt(Side::Output) == Rt::Yes
        && (input.is_none() || stats.rt(Side::Input) == Rt::Yes);
    let info = StreamInfo {
        backend,
        device: plan.label,
        sample_rate: rate,
        buffer_frames: granted,
        latency_frames: if measured > 0 {
            measured
        } else {
            in_block + cushion as u32 + granted
        },
        latency_measured: measured > 0,
        realtime,
    };
    Ok(Running {
        info,
        stats,
        _streams: Streams::Device {
            _streams: DeviceStreams {
                _output: output,
                _input: input,
                _handoff: handoff,
            },
        },
    })
}

/// Output clock minus input clock: the output's clock read between two
/// readings of the input's, keeping the tightest of several brackets (a
/// preempted reading would skew the offset by the time it was away).
fn clock_offset(input: &cpal::Stream, output: &cpal::Stream) -> i64 {
    let ns = |s: &cpal::Stream| s.now().as_nanos() as i64;
    (0..32)
        .map(|_| {
            let a = ns(input);
            let o = ns(output);
            let b = ns(input);
            (b - a, o - a - (b - a) / 2)
        })
        .min_by_key(|&(bracket, _)| bracket)
        .map_or(0, |(_, offset)| offset)
}

/// The one-time real-time step on an audio thread's first callback (see `rt`).
fn first_callback(stats: &AudioStats, side: Side, jack: bool) {
    let yes = if jack {
        rt::is_realtime()
    } else {
        rt::promote_current_thread()
    };
    stats.set_rt(side, if yes { Rt::Yes } else { Rt::No });
}

/// Handles the host's error callbacks: counts, and reports loss once.
#[derive(Clone)]
struct ErrorSink {
    backend: &'static str,
    stats: Arc<AudioStats>,
    lost: Arc<AtomicBool>,
    events: crossbeam_channel::Sender<AudioEvent>,
    /// JACK tells every client of the same server xrun: count it once, from
    /// the output stream. ALSA's capture and playback xruns are separate.
    count_xruns: bool,
}

impl ErrorSink {
    /// The error callback of the input (`output == false`) or output stream.
    fn callback(&self, output: bool, jack: bool) -> impl FnMut(cpal::Error) + Send + 'static {
        let sink = ErrorSink {
            count_xruns: output || !jack,
            ..self.clone()
        };
        move |e| sink.handle(e)
    }

    fn handle(&self, e: cpal::Error) {
        match e.kind() {
            ErrorKind::Xrun => {
                if self.count_xruns {
                    self.stats.add_xrun();
                }
            }
            ErrorKind::DeviceNotAvailable
            | ErrorKind::StreamInvalidated
            | ErrorKind::HostUnavailable => {
                if !self.lost.swap(true, Ordering::Relaxed) {
                    let _ = self
                        .events
                        .send(AudioEvent::Lost(format!("{}: {e}", self.backend)));
                }
            }
            ErrorKind::RealtimeDenied | ErrorKind::DeviceChanged => {}
            _ => self.stats.add_stream_error(),
        }
    }
}

fn build_input(
    d: &Direction,
    bridge: BridgeIn,
    stats: Arc<AudioStats>,
    jack: bool,
    sink: &ErrorSink,
) -> Result<cpal::Stream, cpal::Error> {
    match d.format {
        SampleFormat::F32 => input_stream::<f32>(d, bridge, stats, jack, sink),
        SampleFormat::I32 => input_stream::<i32>(d, bridge, stats, jack, sink),
        SampleFormat::I24 => input_stream::<cpal::I24>(d, bridge, stats, jack, sink),
        _ => input_stream::<i16>(d, bridge, stats, jack, sink),
    }
}

fn input_stream<T>(
    d: &Direction,
    mut bridge: BridgeIn,
    stats: Arc<AudioStats>,
    jack: bool,
    sink: &ErrorSink,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let mut first = true;
    d.device.build_input_stream::<T, _, _>(
        d.config,
        move |data: &[T], info: &cpal::InputCallbackInfo| {
            if first {
                first = false;
                first_callback(&stats, Side::Input, jack);
            }
            let capture = info.timestamp().capture.as_nanos() as i64;
            no_alloc(|| bridge.push(data, capture));
        },
        sink.callback(false, jack),
        Some(BUILD_TIMEOUT),
    )
}

fn build_output(
    d: &Direction,
    processor: Receiver<Processor>,
    bridge: Option<BridgeOut>,
    routes: Routes,
    stats: Arc<AudioStats>,
    jack: bool,
    sink: &ErrorSink,
) -> Result<cpal::Stream, cpal::Error> {
    let p = (processor, bridge, routes, stats);
    match d.format {
        SampleFormat::F32 => output_stream::<f32>(d, p, jack, sink),
        SampleFormat::I32 => output_stream::<i32>(d, p, jack, sink),
        SampleFormat::I24 => output_stream::<cpal::I24>(d, p, jack, sink),
        _ => output_stream::<i16>(d, p, jack, sink),
    }
}

fn output_stream<T>(
    d: &Direction,
    (receiver, mut bridge, routes, stats): (
        Receiver<Processor>,
        Option<BridgeOut>,
        Routes,
        Arc<AudioStats>,
    ),
    jack: bool,
    sink: &ErrorSink,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    let channels = d.config.channels as usize;
    let mut processor: Option<Box<Processor>> = None;
    let mut first = true;
    d.device.build_output_stream::<T, _, _>(
        d.config,
        move |data: &mut [T], info: &cpal::OutputCallbackInfo| {
            if first {
                first = false;
                first_callback(&stats, Side::Output, jack);
            }
            let playback = info.timestamp().playback.as_nanos() as i64;
            no_alloc(|| {
                data.fill(T::EQUILIBRIUM);
                if processor.is_none() {
                    processor = receiver.take();
                }
                let Some(p) = processor.as_mut() else {
                    return;
                };
                let frames = data.len() / channels;
                let live = bridge.as_mut().is_some_and(|b| b.begin(frames, playback));
                p.run(
                    frames,
                    |ins, m| match bridge.as_mut() {
                        Some(b) if live => b.read(ins, m),
                        _ => ins.iter_mut().for_each(|x| x[..m].fill(0.0)),
                    },
                    |outs, offset, m| {
                        routes.write(
                            outs,
                            &mut data[offset * channels..(offset + m) * channels],
                            channels,
                            m,
                        )
                    },
                );
            });
        },
        sink.callback(true, jack),
        Some(BUILD_TIMEOUT),
    )
}
