//! The options a Mackie Control mapping file carries. Such a file names the
//! protocol and describes the device; it has no bindings, because the
//! protocol fixes what every control does.
//!
//! ```yaml
//! name: Behringer X-Touch with one extender
//! protocol: mackie
//! device: xtouch          # mcu | xtouch | logic | icon
//! extenders: 1            # extender units, to the right of the main unit
//! fader_calibration: [[0, -.inf], [12700, 0], [16383, 10]]
//! plugin: [drive/amount, mod/depth, pitch/semitones]
//! ```

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub name: String,
    /// Always `mackie`; the loader dispatches on it.
    pub protocol: String,
    #[serde(default)]
    pub device: Device,
    /// Extender units beside the main unit (0..=3).
    #[serde(default)]
    pub extenders: u8,
    /// `[device value 0..16383, dB]` points: the device's printed fader scale.
    #[serde(default)]
    pub fader_calibration: Option<Vec<(f32, f32)>>,
    /// Track parameters (paths below `track/N/`) the PLUG-IN button steps
    /// the V-Pots through, one page each.
    #[serde(default)]
    pub plugin: Vec<String>,
}

/// Which family of device: decides the SysEx device ids and extras such as
/// scribble-strip colours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Device {
    #[default]
    Mcu,
    Xtouch,
    Logic,
    Icon,
}
