//! Real devices through cpal: pick the host and devices, negotiate a
//! configuration, build the input and output streams around the bridge and
//! the engine, start them and wait until they really run.
//!
//! Everything that can fail happens before the engine is handed to the
//! output callback (through a [`Handoff`]), so a failed start gives the
//! engine back and `Auto` can run it on the dummy instead.

use super::bridge::{bridge, BridgeIn, BridgeOut};
use super::handoff::{Handoff, Receiver};
use super::pattern::matches;
use super::process::{no_alloc, Processor};
use super::stats::{AudioStats, Rt, Side};
use super::{rt, AudioError, AudioEvent, AudioSpec, Backend, Running, StreamInfo, Streams};
use crate::engine::Engine;
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{
    BufferSize, ErrorKind, FromSample, HostId, Sample, SampleFormat, SizedSample, StreamConfig,
    SupportedBufferSize, SupportedStreamConfigRange,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sample formats the callbacks convert from and to, in order of preference.
const FORMATS: [SampleFormat; 4] = [
    SampleFormat::F32,
    SampleFormat::I32,
    SampleFormat::I24,
    SampleFormat::I16,
];

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

/// One direction's device and configuration.
struct Direction {
    device: cpal::Device,
    config: StreamConfig,
    format: SampleFormat,
}

struct Plan {
    backend: &'static str,
    jack: bool,
    label: String,
    output: Direction,
    input: Option<Direction>,
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

fn plan(spec: &AudioSpec) -> Result<Plan, AudioError> {
    let host = open_host(spec.backend)?;
    let backend = host_name(host.id());
    let jack = backend == "jack";
    let fail = |message: String| AudioError::Device { backend, message };
    let pattern = if jack {
        if let Some(p) = &spec.device {
            log::info!("jack: the device pattern \"{p}\" is ignored (JACK_DEFAULT_SERVER picks the server)");
        }
        None
    } else {
        spec.device.as_deref()
    };

    let out_dev = pick(&host, backend, pattern, true)?
        .ok_or_else(|| fail("no output device (is the server running?)".into()))?;
    let out_channels = spec.output_map.iter().flatten().max().map_or(1, |&c| c + 1);
    let output = choose(&out_dev, true, out_channels, None, spec).map_err(fail)?;

    let input = if spec.inputs == 0 {
        None
    } else {
        match pick(&host, backend, pattern, false)? {
            None => {
                log::warn!("{backend}: no input device; the engine's inputs get silence");
                None
            }
            Some(dev) => match choose(
                &dev,
                false,
                spec.inputs,
                Some(output.config.sample_rate),
                spec,
            ) {
                Ok(d) => Some(d),
                Err(e) => {
                    log::warn!("{backend}: cannot use input device \"{dev}\": {e}; the engine's inputs get silence");
                    None
                }
            },
        }
    };

    let label = if jack {
        format!(
            "JACK server \"{}\"",
            std::env::var("JACK_DEFAULT_SERVER").unwrap_or_else(|_| "default".into())
        )
    } else {
        match &input {
            Some(i) if i.device != output.device => {
                format!(
                    "in: {}, out: {}",
                    name_of(&i.device),
                    name_of(&output.device)
                )
            }
            _ => name_of(&output.device),
        }
    };
    Ok(Plan {
        backend,
        jack,
        label,
        output,
        input,
    })
}

fn open_host(backend: Backend) -> Result<cpal::Host, AudioError> {
    let id = match backend {
        Backend::Auto => return Ok(cpal::default_host()),
        Backend::Alsa => HostId::Alsa,
        #[cfg(feature = "jack")]
        Backend::Jack => HostId::Jack,
        #[cfg(not(feature = "jack"))]
        Backend::Jack => return Err(AudioError::NotBuilt("jack")),
        #[cfg(feature = "pipewire")]
        Backend::PipeWire => HostId::PipeWire,
        #[cfg(not(feature = "pipewire"))]
        Backend::PipeWire => return Err(AudioError::NotBuilt("pipewire")),
        Backend::Dummy => return Err(AudioError::Invalid("the dummy backend has no host".into())),
    };
    cpal::host_from_id(id).map_err(|e| AudioError::Device {
        backend: host_name(id),
        message: e.to_string(),
    })
}

/// Our name for a cpal host (the config's backend names).
pub(super) fn host_name(id: HostId) -> &'static str {
    Backend::from_name(id.name()).map_or(id.name(), Backend::name)
}

pub(super) fn name_of(d: &cpal::Device) -> String {
    d.to_string()
}

fn id_of(d: &cpal::Device) -> Option<String> {
    d.id().ok().map(|i| i.id().to_string())
}

/// The device for one direction: the first whose name or id matches
/// `pattern`, or the host's default. No matching output is an error; no
/// matching input is `None` (the mix can still run on silence).
fn pick(
    host: &cpal::Host,
    backend: &'static str,
    pattern: Option<&str>,
    output: bool,
) -> Result<Option<cpal::Device>, AudioError> {
    let Some(pattern) = pattern else {
        return Ok(if output {
            host.default_output_device()
        } else {
            host.default_input_device()
        });
    };
    let devices: Vec<cpal::Device> = if output {
        host.output_devices().map(|d| d.collect())
    } else {
        host.input_devices().map(|d| d.collect())
    }
    .unwrap_or_default();
    let found = devices.iter().find(|d| {
        matches(pattern, &name_of(d)) || id_of(d).is_some_and(|id| matches(pattern, &id))
    });
    match found {
        Some(d) => Ok(Some(d.clone())),
        None if !output => Ok(None),
        None => Err(AudioError::NoDevice {
            backend,
            direction: "output",
            pattern: pattern.into(),
            available: devices
                .iter()
                .map(|d| format!("\"{}\"", name_of(d)))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// A configuration for `channels` channels: the requested rate (or, on an
/// output of a host with one fixed rate, that rate), the preferred sample
/// format, and the requested buffer size clamped to what the device allows.
fn choose(
    dev: &cpal::Device,
    output: bool,
    channels: usize,
    rate: Option<u32>,
    spec: &AudioSpec,
) -> Result<Direction, String> {
    let ranges: Vec<SupportedStreamConfigRange> = if output {
        dev.supported_output_configs()
            .map(|r| r.collect::<Vec<_>>())
    } else {
        dev.supported_input_configs().map(|r| r.collect::<Vec<_>>())
    }
    .map_err(|e| format!("cannot query \"{dev}\": {e}"))?
    .into_iter()
    .filter(|r| FORMATS.contains(&r.sample_format()))
    .collect();
    if ranges.is_empty() {
        return Err(format!(
            "\"{dev}\" offers none of the sample formats f32, i32, i24, i16"
        ));
    }

    let want = channels.clamp(1, u16::MAX as usize) as u16;
    let count = if ranges.iter().any(|r| r.channels() == want) {
        want
    } else {
        ranges
            .iter()
            .map(|r| r.channels())
            .filter(|&c| c > want)
            .min()
            .unwrap_or_else(|| ranges.iter().map(|r| r.channels()).max().unwrap_or(1))
    };
    let ranges: Vec<_> = ranges
        .into_iter()
        .filter(|r| r.channels() == count)
        .collect();

    let wanted_rate = rate.unwrap_or(spec.sample_rate);
    let sample_rate = if ranges.iter().any(|r| r.contains_rate(wanted_rate)) {
        wanted_rate
    } else {
        match ranges
            .iter()
            .find(|r| r.min_sample_rate() == r.max_sample_rate())
        {
            Some(r) if rate.is_none() => {
                log::warn!(
                    "\"{dev}\" runs at {} Hz only; {wanted_rate} Hz was asked for",
                    r.min_sample_rate()
                );
                r.min_sample_rate()
            }
            _ => {
                let offered: Vec<String> = ranges
                    .iter()
                    .map(|r| format!("{}-{} Hz", r.min_sample_rate(), r.max_sample_rate()))
                    .collect();
                return Err(format!(
                    "\"{dev}\" cannot run at {wanted_rate} Hz (it offers {})",
                    offered.join(", ")
                ));
            }
        }
    };

    let range = FORMATS
        .iter()
        .find_map(|f| {
            ranges
                .iter()
                .find(|r| r.sample_format() == *f && r.contains_rate(sample_rate))
        })
        .ok_or_else(|| format!("\"{dev}\" has no usable format at {sample_rate} Hz"))?;
    let buffer_size = match *range.buffer_size() {
        SupportedBufferSize::Range { min, max } => {
            BufferSize::Fixed(spec.buffer_frames.clamp(min, max.max(min)))
        }
        SupportedBufferSize::Unknown => BufferSize::Fixed(spec.buffer_frames),
    };
    Ok(Direction {
        device: dev.clone(),
        config: StreamConfig {
            channels: count,
            sample_rate,
            buffer_size,
        },
        format: range.sample_format(),
    })
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

/// Which engine outputs feed each device output channel.
struct Routes {
    by_channel: Vec<Vec<usize>>,
    /// Engine outputs mapped to channels the device does not have.
    unplayed: Vec<usize>,
}

impl Routes {
    fn new(map: &[Option<usize>], channels: usize) -> Routes {
        let mut by_channel = vec![Vec::new(); channels];
        let mut unplayed = Vec::new();
        for (k, dest) in map.iter().enumerate() {
            match dest {
                Some(d) if *d < channels => by_channel[*d].push(k),
                Some(_) => unplayed.push(k),
                None => {}
            }
        }
        Routes {
            by_channel,
            unplayed,
        }
    }

    /// Interleave `m` frames of the engine outputs into `data` (`channels` wide).
    fn write<T: Sample + FromSample<f32>>(
        &self,
        outs: &[Vec<f32>],
        data: &mut [T],
        channels: usize,
        m: usize,
    ) {
        for (c, sources) in self.by_channel.iter().enumerate() {
            match sources.as_slice() {
                [] => {}
                [s] => {
                    for (frame, &v) in data.chunks_exact_mut(channels).zip(&outs[*s][..m]) {
                        frame[c] = T::from_sample(v);
                    }
                }
                many => {
                    for (i, frame) in data.chunks_exact_mut(channels).take(m).enumerate() {
                        let v: f32 = many.iter().map(|&s| outs[s][i]).sum();
                        frame[c] = T::from_sample(v);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_map_sum_and_drop() {
        // Engine outputs: master L/R to 2/3, aux L/R both to 0, one unmapped,
        // one beyond the device's 4 channels.
        let map = [Some(2), Some(3), Some(0), Some(0), None, Some(9)];
        let r = Routes::new(&map, 4);
        assert_eq!(r.unplayed, vec![5]);
        let outs: Vec<Vec<f32>> = (0..6).map(|k| vec![0.1 * (k + 1) as f32; 3]).collect();
        let mut data = vec![0.0f32; 12];
        r.write(&outs, &mut data, 4, 3);
        for frame in data.chunks(4) {
            assert!((frame[0] - (0.3 + 0.4)).abs() < 1e-6);
            assert_eq!(frame[1], 0.0);
            assert!((frame[2] - 0.1).abs() < 1e-6);
            assert!((frame[3] - 0.2).abs() < 1e-6);
        }
        // Integer devices get the same, converted.
        let mut ints = vec![0i16; 12];
        r.write(&outs, &mut ints, 4, 3);
        assert_eq!(ints[2], i16::from_sample(0.1f32));
    }
}
