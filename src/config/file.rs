//! The shape of `config.yaml` as serde reads it, before any checks.
//!
//! Values with a meaning-bound set (backend names, sample rates, addresses)
//! are read as plain text or integers and checked afterwards, so that the
//! error can say what is allowed instead of "expected u32".

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConfigFile {
    #[serde(default)]
    pub audio: AudioFile,
    pub session: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    pub log_level: Option<String>,
    #[serde(default)]
    pub routing: RoutingFile,
    #[serde(default)]
    pub osc: OscFile,
    #[serde(default)]
    pub surfaces: Vec<SurfaceFile>,
    #[serde(default)]
    pub automation: AutomationFile,
    pub monitor: Option<MonitorFile>,
}

/// `monitor:` (see `config/monitor.rs`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MonitorFile {
    #[serde(default)]
    pub speakers: Vec<SpeakerFile>,
    pub sub: Option<SubFile>,
    pub phones: Option<PhonesFile>,
    pub talkback: Option<TalkbackFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SpeakerFile {
    pub name: String,
    pub output: Channels,
    pub trim: Option<f64>,
    pub delay: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SubFile {
    pub output: Channels,
    pub trim: Option<f64>,
    pub delay: Option<f64>,
    pub crossover: Option<Crossover>,
}

/// A crossover frequency in Hz, or `off`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub(super) enum Crossover {
    Hz(f64),
    Word(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PhonesFile {
    pub output: Channels,
    pub follow_cue: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TalkbackFile {
    pub input: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AutomationFile {
    pub release_after_ms: Option<f64>,
    pub glide_ms: Option<f64>,
    pub tolerance: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AudioFile {
    pub backend: Option<String>,
    pub device: Option<String>,
    pub sample_rate: Option<i64>,
    pub buffer_frames: Option<i64>,
    pub test_signal: Option<SignalFile>,
    pub outputs: Option<i64>,
}

/// `sine`, `pink_noise`, `silence`, or one of them as a one-key mapping
/// with its settings: `{sine: {freq_hz: 440}}`, `{file: loop.wav}`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum SignalFile {
    Sine(SineFile),
    PinkNoise(NoiseFile),
    Silence,
    File(PathBuf),
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SineFile {
    pub freq_hz: Option<f64>,
    pub level_db: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NoiseFile {
    pub level_db: Option<f64>,
}

const SIGNAL_FORMS: &str =
    "sine, pink_noise, silence, {sine: {freq_hz: F, level_db: L}}, {pink_noise: {level_db: L}} or {file: path}";

struct SignalVisitor;

impl<'de> Visitor<'de> for SignalVisitor {
    type Value = SignalFile;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a test signal; allowed: {SIGNAL_FORMS}")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<SignalFile, E> {
        match v {
            "sine" => Ok(SignalFile::Sine(SineFile::default())),
            "pink_noise" => Ok(SignalFile::PinkNoise(NoiseFile::default())),
            "silence" => Ok(SignalFile::Silence),
            "file" => Err(E::custom(
                "test signal `file` needs a path; allowed: {file: path/to/loop.wav}",
            )),
            other => Err(E::custom(format!(
                "unknown test signal `{other}`; allowed: {SIGNAL_FORMS}"
            ))),
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SignalFile, A::Error> {
        let Some(kind) = map.next_key::<String>()? else {
            return Err(de::Error::custom(format!(
                "the test signal is empty; allowed: {SIGNAL_FORMS}"
            )));
        };
        let signal = match kind.as_str() {
            "sine" => SignalFile::Sine(map.next_value::<Option<SineFile>>()?.unwrap_or_default()),
            "pink_noise" => {
                SignalFile::PinkNoise(map.next_value::<Option<NoiseFile>>()?.unwrap_or_default())
            }
            "silence" => {
                map.next_value::<de::IgnoredAny>()?;
                SignalFile::Silence
            }
            "file" => SignalFile::File(map.next_value::<PathBuf>()?),
            other => {
                return Err(de::Error::custom(format!(
                    "unknown test signal `{other}`; allowed: {SIGNAL_FORMS}"
                )))
            }
        };
        if map.next_key::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(format!(
                "a test signal names one kind; allowed: {SIGNAL_FORMS}"
            )));
        }
        Ok(signal)
    }
}

impl<'de> Deserialize<'de> for SignalFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SignalVisitor)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RoutingFile {
    #[serde(default)]
    pub inputs: BTreeMap<String, Channels>,
    #[serde(default)]
    pub outputs: BTreeMap<String, Channels>,
}

/// One interface channel number or a list of them (`1`, `[5, 6]`, `[]`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Channels(pub Vec<i64>);

struct ChannelsVisitor;

impl<'de> Visitor<'de> for ChannelsVisitor {
    type Value = Channels;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a channel number or a list of them, like 1 or [5, 6]")
    }
    fn visit_i64<E>(self, v: i64) -> Result<Channels, E> {
        Ok(Channels(vec![v]))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Channels, E> {
        Ok(Channels(vec![i64::try_from(v).unwrap_or(i64::MAX)]))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Channels, A::Error> {
        let mut v = Vec::new();
        while let Some(n) = seq.next_element::<i64>()? {
            v.push(n);
        }
        Ok(Channels(v))
    }
}

impl<'de> Deserialize<'de> for Channels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ChannelsVisitor)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OscFile {
    pub listen: Option<Address>,
    pub allow: Option<Vec<String>>,
    #[serde(default)]
    pub clients: Vec<ClientFile>,
    pub subscription_timeout: Option<f64>,
    pub x32: Option<X32File>,
}

/// `osc.x32`: `{ listen: ADDRESS, flavour: x32|xair }`, both optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct X32File {
    pub listen: Option<Address>,
    pub flavour: Option<String>,
}

/// `host:port` text, or a bare port number.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Address {
    Text(String),
    Port(i64),
}

struct AddressVisitor;

impl Visitor<'_> for AddressVisitor {
    type Value = Address;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an address like 0.0.0.0:9000, or a port number")
    }
    fn visit_i64<E>(self, v: i64) -> Result<Address, E> {
        Ok(Address::Port(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Address, E> {
        Ok(Address::Port(i64::try_from(v).unwrap_or(i64::MAX)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Address, E> {
        Ok(Address::Text(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AddressVisitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClientFile {
    pub address: String,
    pub form: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SurfaceFile {
    pub mapping: String,
    pub input: Option<String>,
    pub output: Option<String>,
    #[serde(rename = "virtual")]
    pub virtual_port: Option<String>,
    #[serde(default)]
    pub extenders: Vec<PortsFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PortsFile {
    pub input: Option<String>,
    pub output: Option<String>,
}
