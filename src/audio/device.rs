//! Which device and configuration to open: the host for the configured
//! backend, the devices whose name matches the pattern (or the defaults),
//! and a configuration with the channels, rate, sample format and buffer
//! size closest to what was asked. Nothing here touches the engine, so any
//! failure leaves it with the caller.

use super::{AudioError, AudioSpec, Backend};
use crate::name_pattern::matches;
use cpal::traits::{DeviceTrait, HostTrait};
use cpal::{
    BufferSize, HostId, SampleFormat, StreamConfig, SupportedBufferSize, SupportedStreamConfigRange,
};

/// Sample formats the stream callbacks convert from and to, in order of preference.
const FORMATS: [SampleFormat; 4] = [
    SampleFormat::F32,
    SampleFormat::I32,
    SampleFormat::I24,
    SampleFormat::I16,
];

/// One direction's device and configuration.
pub(super) struct Direction {
    pub device: cpal::Device,
    pub config: StreamConfig,
    pub format: SampleFormat,
}

/// What to open: the host's name, whether it is JACK, a label for logs, and
/// the output and (if any inputs are wanted and found) input direction.
pub(super) struct Plan {
    pub backend: &'static str,
    pub jack: bool,
    pub label: String,
    pub output: Direction,
    pub input: Option<Direction>,
}

pub(super) fn plan(spec: &AudioSpec) -> Result<Plan, AudioError> {
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
