//! The body of `mixbridge devices`: every audio host this build can use,
//! its devices and what each offers (channels, the engine's sample rates it
//! supports, buffer sizes, sample formats), so a config can name them.

use super::device::{host_name, name_of};
use crate::engine::SAMPLE_RATES;
use cpal::traits::{DeviceTrait, HostTrait};
use cpal::{DeviceDirection, SupportedBufferSize, SupportedStreamConfigRange};
use std::fmt::Write;

/// A human-readable listing of hosts and devices.
pub fn describe_devices() -> String {
    let mut out = String::new();
    for id in cpal::available_hosts() {
        let name = host_name(id);
        let host = match cpal::host_from_id(id) {
            Ok(h) => h,
            Err(e) => {
                let _ = writeln!(out, "{name}: unavailable ({e})");
                continue;
            }
        };
        let default_in = host.default_input_device().map(|d| name_of(&d));
        let default_out = host.default_output_device().map(|d| name_of(&d));
        let devices: Vec<cpal::Device> = match host.devices() {
            Ok(d) => d.collect(),
            Err(e) => {
                let _ = writeln!(out, "{name}: cannot list devices ({e})");
                continue;
            }
        };
        let _ = writeln!(out, "{name}:");
        if devices.is_empty() {
            let _ = writeln!(out, "  no devices (is its server running?)");
        }
        for d in &devices {
            let label = name_of(d);
            let mut marks = Vec::new();
            if default_in.as_deref() == Some(label.as_str()) {
                marks.push("default input");
            }
            if default_out.as_deref() == Some(label.as_str()) {
                marks.push("default output");
            }
            let id = d.id().map(|i| i.id().to_string()).unwrap_or_default();
            let _ = write!(out, "  \"{label}\"");
            if !id.is_empty() && id != label {
                let _ = write!(out, " (id {id})");
            }
            if !marks.is_empty() {
                let _ = write!(out, " [{}]", marks.join(", "));
            }
            let _ = writeln!(out);
            let (ins, outs) = match d.description().map(|x| x.direction()) {
                Ok(DeviceDirection::Input) => (true, false),
                Ok(DeviceDirection::Output) => (false, true),
                _ => (true, true),
            };
            if let Some(r) = d.supported_input_configs().ok().filter(|_| ins) {
                describe_direction(&mut out, "inputs", &r.collect::<Vec<_>>());
            }
            if let Some(r) = d.supported_output_configs().ok().filter(|_| outs) {
                describe_direction(&mut out, "outputs", &r.collect::<Vec<_>>());
            }
        }
    }
    let _ = writeln!(
        out,
        "dummy:\n  always available: a timer at the configured rate, test signals as inputs"
    );
    out
}

fn describe_direction(out: &mut String, what: &str, ranges: &[SupportedStreamConfigRange]) {
    let Some(max_channels) = ranges.iter().map(|r| r.channels()).max() else {
        return;
    };
    let rates: Vec<String> = SAMPLE_RATES
        .iter()
        .filter(|&&sr| ranges.iter().any(|r| r.contains_rate(sr)))
        .map(|sr| sr.to_string())
        .collect();
    let mut formats: Vec<String> = ranges
        .iter()
        .map(|r| r.sample_format().to_string())
        .collect();
    formats.sort();
    formats.dedup();
    let buffers = ranges.iter().find_map(|r| match *r.buffer_size() {
        SupportedBufferSize::Range { min, max } => Some(format!("{min}-{max} frames")),
        SupportedBufferSize::Unknown => None,
    });
    let _ = writeln!(
        out,
        "    {what}: up to {max_channels} channels; rates {}; buffers {}; formats {}",
        if rates.is_empty() {
            "none of 44100/48000/88200/96000".to_string()
        } else {
            rates.join(", ")
        },
        buffers.unwrap_or_else(|| "unknown".into()),
        formats.join(", ")
    );
}
