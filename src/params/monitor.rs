//! The monitor section's part of the address space: `monitor/...`.
//!
//! The monitor section is the control room's listening path after the
//! master (see `engine/monitor`). Its parameters are ordinary parameters
//! (unit, range, default, taper), so OSC, MIDI mappings, scenes and the
//! state file reach them like any other. They exist only when the machine's
//! config has a `monitor:` section ([`super::Registry::with_monitor`]), and
//! they are never automated: what the engineer listens on is not part of the
//! mix.
//!
//! Paths, below `monitor/`:
//!
//! | path | value |
//! |---|---|
//! | `level` (`fader`) | the monitor fader, dB (fader law) |
//! | `dim`, `dim_level` | 0/1, dB -40..0 (default -20) |
//! | `cut` | 0/1: the speakers (and sub) are silent |
//! | `mono`, `side` | 0/1: L+R, or L−R (S solo), on both sides |
//! | `left`, `right` | 0/1: only that side plays |
//! | `polarity` | 0/1: the right side inverted |
//! | `speakers` | 1..4: the speaker set that plays |
//! | `sub` | 0/1: the sub on top of the speaker set |
//! | `solo/mode` | `sip`, `afl` or `pfl` |
//! | `solo/trim` | dB -20..+20: the level of AFL/PFL on the monitor |
//! | `phones/level` (`phones/fader`) | dB (fader law) |
//! | `check` | `off`, `phone`, `laptop`, `earbuds`, `car`, `tv`, `small-radio` |
//! | `reference`, `reference/file` | 0/1 (A/B), 1..16: which file of `references/` |
//! | `talkback`, `talkback/level` (`talkback/fader`) | 0/1 while held, dB |
//! | `talkback/bus/B` | 0/1: the talkback reaches aux bus B (default on) |

use super::id::Param;
use super::spec::{choice, spec, switch, Spec, Taper, Unit, LEVEL};
use super::BusEffect;

/// The most speaker sets a config may name.
pub const MAX_SPEAKER_SETS: usize = 4;

/// The most reference files `monitor/reference/file` can choose among.
pub const MAX_REFERENCES: usize = 16;

/// What a monitor parameter controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MonitorField {
    Level,
    Dim,
    DimLevel,
    Cut,
    Mono,
    Side,
    Left,
    Right,
    Polarity,
    Speakers,
    Sub,
    SoloMode,
    SoloTrim,
    PhonesLevel,
    Check,
    Reference,
    ReferenceFile,
    Talkback,
    TalkbackLevel,
    /// The talkback's switch for bus `B` (0-based; aux buses only).
    TalkbackBus(u16),
}

/// How soloing a track is heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoloMode {
    /// Solo in place: the other tracks leave the master.
    Sip,
    /// After-fade listen: the soloed tracks, post fader and pan, on the
    /// monitor path only.
    Afl,
    /// Pre-fade listen: the soloed tracks, before mute and fader (after
    /// pan), on the monitor path only.
    Pfl,
}

impl SoloMode {
    pub const NAMES: &'static [&'static str] = &["sip", "afl", "pfl"];
    pub const ALL: [SoloMode; 3] = [SoloMode::Sip, SoloMode::Afl, SoloMode::Pfl];

    pub fn from_index(v: f32) -> SoloMode {
        Self::ALL[(v.max(0.0) as usize).min(Self::ALL.len() - 1)]
    }
}

/// The playback systems `monitor/check` imitates (see
/// `engine::monitor::check` for each one's curve and its source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    Off,
    Phone,
    Laptop,
    Earbuds,
    Car,
    Tv,
    SmallRadio,
}

impl Check {
    pub const NAMES: &'static [&'static str] = &[
        "off",
        "phone",
        "laptop",
        "earbuds",
        "car",
        "tv",
        "small-radio",
    ];
    pub const ALL: [Check; 7] = [
        Check::Off,
        Check::Phone,
        Check::Laptop,
        Check::Earbuds,
        Check::Car,
        Check::Tv,
        Check::SmallRadio,
    ];

    pub fn from_index(v: f32) -> Check {
        Self::ALL[(v.max(0.0) as usize).min(Self::ALL.len() - 1)]
    }

    pub fn from_name(name: &str) -> Option<Check> {
        let i = Self::NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))?;
        Some(Self::ALL[i])
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Paths without a `fader` form.
const SIMPLE: [(&str, MonitorField); 16] = [
    ("dim", MonitorField::Dim),
    ("dim_level", MonitorField::DimLevel),
    ("cut", MonitorField::Cut),
    ("mono", MonitorField::Mono),
    ("side", MonitorField::Side),
    ("left", MonitorField::Left),
    ("right", MonitorField::Right),
    ("polarity", MonitorField::Polarity),
    ("speakers", MonitorField::Speakers),
    ("sub", MonitorField::Sub),
    ("solo/mode", MonitorField::SoloMode),
    ("solo/trim", MonitorField::SoloTrim),
    ("check", MonitorField::Check),
    ("reference", MonitorField::Reference),
    ("reference/file", MonitorField::ReferenceFile),
    ("talkback", MonitorField::Talkback),
];

/// Levels with a `fader` sibling: (level path, fader path, field).
const FADERS: [(&str, &str, MonitorField); 3] = [
    ("level", "fader", MonitorField::Level),
    ("phones/level", "phones/fader", MonitorField::PhonesLevel),
    (
        "talkback/level",
        "talkback/fader",
        MonitorField::TalkbackLevel,
    ),
];

/// A path below `monitor/` to its field and whether it is the `fader` form.
pub(super) fn parse(rest: &[&str]) -> Option<(MonitorField, bool)> {
    let joined = rest.join("/");
    if let Some(&(_, f)) = SIMPLE.iter().find(|(n, _)| *n == joined) {
        return Some((f, false));
    }
    for (level, fader, f) in FADERS {
        if joined == level {
            return Some((f, false));
        }
        if joined == fader {
            return Some((f, true));
        }
    }
    match rest {
        ["talkback", "bus", b] => Some((MonitorField::TalkbackBus(super::path::index(b)?), false)),
        _ => None,
    }
}

/// The path of a field below `monitor/`, in its plain or `fader` form.
pub(super) fn path(field: MonitorField, fader: bool) -> String {
    if let Some((level, f, _)) = FADERS.iter().find(|(_, _, x)| *x == field) {
        return if fader { f } else { level }.to_string();
    }
    match field {
        MonitorField::TalkbackBus(b) => format!("talkback/bus/{}", u32::from(b) + 1),
        f => SIMPLE
            .iter()
            .find(|(_, x)| *x == f)
            .map_or("?", |(n, _)| n)
            .to_string(),
    }
}

/// Whether a field has a `fader` form.
pub(super) fn has_fader(field: MonitorField) -> bool {
    FADERS.iter().any(|(_, _, f)| *f == field)
}

pub(super) fn spec_of(field: MonitorField) -> Spec {
    use MonitorField::*;
    match field {
        Level | PhonesLevel | TalkbackLevel => LEVEL,
        // X32's dim range; -20 dB is the usual monitor controller's dim.
        DimLevel => spec(Unit::Decibels, -40.0, 0.0, -20.0, Taper::Linear),
        Dim | Cut | Mono | Side | Left | Right | Polarity | Sub | Reference | Talkback => {
            switch(false)
        }
        Speakers => spec(
            Unit::Plain,
            1.0,
            MAX_SPEAKER_SETS as f32,
            1.0,
            Taper::Stepped,
        ),
        // Ardour's solo boost goes to +20 dB; a cut is as useful for hot PFLs.
        SoloTrim => spec(Unit::Decibels, -20.0, 20.0, 0.0, Taper::Linear),
        SoloMode => choice(self::SoloMode::NAMES, 0),
        Check => choice(self::Check::NAMES, 0),
        ReferenceFile => spec(Unit::Plain, 1.0, MAX_REFERENCES as f32, 1.0, Taper::Stepped),
        // Talk to every monitor mix unless told otherwise.
        TalkbackBus(_) => switch(true),
    }
}

/// Every monitor parameter of a session with these buses, in a stable order.
pub(super) fn params(buses: &[BusEffect]) -> Vec<Param> {
    let mut v: Vec<Param> = FADERS
        .iter()
        .map(|(_, _, f)| *f)
        .chain(SIMPLE.iter().map(|(_, f)| *f))
        .map(Param::Monitor)
        .collect();
    v.extend(
        buses
            .iter()
            .enumerate()
            .filter(|(_, e)| **e == BusEffect::None)
            .map(|(b, _)| Param::Monitor(MonitorField::TalkbackBus(b as u16))),
    );
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_parses_back_from_its_path() {
        for p in params(&[BusEffect::Reverb, BusEffect::None]) {
            let Param::Monitor(f) = p else { panic!() };
            let plain = path(f, false);
            let segs: Vec<&str> = plain.split('/').collect();
            assert_eq!(parse(&segs), Some((f, false)), "{plain}");
            if has_fader(f) {
                let fader = path(f, true);
                let segs: Vec<&str> = fader.split('/').collect();
                assert_eq!(parse(&segs), Some((f, true)), "{fader}");
            }
            let s = spec_of(f);
            assert!(s.contains(s.default), "{plain}: default in range");
        }
        assert_eq!(parse(&["talkback", "bus", "0"]), None);
        assert_eq!(parse(&["nope"]), None);
    }

    #[test]
    fn talkback_reaches_aux_buses_only() {
        let p = params(&[BusEffect::Reverb, BusEffect::None, BusEffect::Delay]);
        let buses: Vec<u16> = p
            .iter()
            .filter_map(|p| match p {
                Param::Monitor(MonitorField::TalkbackBus(b)) => Some(*b),
                _ => None,
            })
            .collect();
        assert_eq!(buses, vec![1]);
    }

    #[test]
    fn choices_have_their_names() {
        assert_eq!(Check::from_name("small-radio"), Some(Check::SmallRadio));
        assert_eq!(Check::SmallRadio.name(), "small-radio");
        assert_eq!(Check::from_index(99.0), Check::SmallRadio);
        assert_eq!(SoloMode::from_index(1.0), SoloMode::Afl);
        let s = spec_of(MonitorField::Check);
        assert_eq!(s.choice_index("car"), Some(4.0));
    }
}
