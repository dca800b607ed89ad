//! What each parameter is: unit, range, default, taper.

use super::fader_law;
use super::id::*;
use crate::units::{Decibels, FaderPos, SILENCE_DB};

/// The unit of a parameter's plain value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    Decibels,
    Hertz,
    Millis,
    Seconds,
    /// Compression ratio, n:1.
    Ratio,
    /// A plain number without a unit (pan, width, mix, size, feedback).
    Plain,
    Bpm,
    /// 0 or 1.
    Switch,
    /// An index into the listed names.
    Choice(&'static [&'static str]),
}

impl Unit {
    /// What is written after a value in this unit (" dB", ":1"), if anything.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Decibels => " dB",
            Unit::Hertz => " Hz",
            Unit::Millis => " ms",
            Unit::Seconds => " s",
            Unit::Bpm => " BPM",
            Unit::Ratio => ":1",
            Unit::Plain | Unit::Switch | Unit::Choice(_) => "",
        }
    }
}

/// How a normalized 0..1 control position maps onto the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taper {
    /// The console fader law (levels).
    FaderLaw,
    Linear,
    /// Equal ratios per equal travel (frequencies, times, ratios).
    Log,
    /// Whole steps (switches and choices).
    Stepped,
}

/// Everything the console knows about a parameter's values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    pub unit: Unit,
    pub min: f32,
    pub max: f32,
    pub default: f32,
    pub taper: Taper,
}

/// The entry of `all` a choice value selects, clamped into range.
fn pick<T: Copy>(all: &[T], v: f32) -> T {
    all[(v.max(0.0) as usize).min(all.len() - 1)]
}

/// The filter shape of one EQ band (RBJ cookbook forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EqType {
    Peak,
    LowShelf,
    HighShelf,
    LowPass,
    HighPass,
}

impl EqType {
    pub const NAMES: &'static [&'static str] =
        &["peak", "lowshelf", "highshelf", "lowpass", "highpass"];
    pub const ALL: [EqType; 5] = [
        EqType::Peak,
        EqType::LowShelf,
        EqType::HighShelf,
        EqType::LowPass,
        EqType::HighPass,
    ];
    pub fn from_index(v: f32) -> EqType {
        pick(&Self::ALL, v)
    }
}

/// The shaper of the drive insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriveType {
    /// Symmetric soft saturation (odd harmonics).
    Tape,
    /// Asymmetric soft saturation (even and odd harmonics).
    Tube,
    /// Hard clipping.
    Fuzz,
    /// Word-length and sample-rate reduction.
    Bitcrush,
}

impl DriveType {
    pub const NAMES: &'static [&'static str] = &["tape", "tube", "fuzz", "bitcrush"];
    pub const ALL: [DriveType; 4] = [
        DriveType::Tape,
        DriveType::Tube,
        DriveType::Fuzz,
        DriveType::Bitcrush,
    ];
    pub fn from_index(v: f32) -> DriveType {
        pick(&Self::ALL, v)
    }
}

/// The effect of the modulation insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModType {
    Chorus,
    Flanger,
    Phaser,
    Tremolo,
    AutoPan,
}

impl ModType {
    pub const NAMES: &'static [&'static str] =
        &["chorus", "flanger", "phaser", "tremolo", "autopan"];
    pub const ALL: [ModType; 5] = [
        ModType::Chorus,
        ModType::Flanger,
        ModType::Phaser,
        ModType::Tremolo,
        ModType::AutoPan,
    ];
    pub fn from_index(v: f32) -> ModType {
        pick(&Self::ALL, v)
    }
}

/// What automation does with a strip's parameters (or one lane's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AutomationMode {
    /// Lanes are neither played nor written.
    Off,
    /// Lanes play; moves are not recorded.
    Read,
    /// Lanes play; a touched control writes and glides back on release.
    Touch,
    /// As touch, but writing goes on at the last value until the transport stops.
    Latch,
    /// Every lane is written from play to stop with the control's value.
    Write,
    /// Lanes play with an offset the control records on top of them.
    Trim,
}

impl AutomationMode {
    pub const NAMES: &'static [&'static str] = &["off", "read", "touch", "latch", "write", "trim"];
    pub const ALL: [AutomationMode; 6] = [
        AutomationMode::Off,
        AutomationMode::Read,
        AutomationMode::Touch,
        AutomationMode::Latch,
        AutomationMode::Write,
        AutomationMode::Trim,
    ];

    /// The mode of a parameter value (an index into [`AutomationMode::NAMES`]).
    pub fn from_index(v: f32) -> AutomationMode {
        pick(&Self::ALL, v)
    }

    pub fn from_name(name: &str) -> Option<AutomationMode> {
        let i = Self::NAMES.iter().position(|n| *n == name)?;
        Some(Self::ALL[i])
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Note values for tempo-synced delay times; index 0 means "use milliseconds".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoteValue;

impl NoteValue {
    pub const NAMES: &'static [&'static str] = &[
        "off", "1/1", "1/2", "1/2d", "1/2t", "1/4", "1/4d", "1/4t", "1/8", "1/8d", "1/8t", "1/16",
        "1/16d", "1/16t", "1/32",
    ];
    /// Length in quarter notes (beats) of each entry of [`Self::NAMES`].
    const BEATS: [f32; 15] = [
        0.0,
        4.0,
        2.0,
        3.0,
        4.0 / 3.0,
        1.0,
        1.5,
        2.0 / 3.0,
        0.5,
        0.75,
        1.0 / 3.0,
        0.25,
        0.375,
        1.0 / 6.0,
        0.125,
    ];

    /// Milliseconds of note `index` at `bpm`, or `None` for "off".
    pub fn millis(index: f32, bpm: f32) -> Option<f32> {
        let i = index.max(0.0) as usize;
        if i == 0 || i >= Self::BEATS.len() || bpm <= 0.0 {
            return None;
        }
        Some(Self::BEATS[i] * 60_000.0 / bpm)
    }
}

pub(super) const fn spec(unit: Unit, min: f32, max: f32, default: f32, taper: Taper) -> Spec {
    Spec {
        unit,
        min,
        max,
        default,
        taper,
    }
}
pub(super) const fn switch(default: bool) -> Spec {
    spec(
        Unit::Switch,
        0.0,
        1.0,
        if default { 1.0 } else { 0.0 },
        Taper::Stepped,
    )
}
pub(super) const fn choice(names: &'static [&'static str], default: usize) -> Spec {
    spec(
        Unit::Choice(names),
        0.0,
        (names.len() - 1) as f32,
        default as f32,
        Taper::Stepped,
    )
}
pub(super) const LEVEL: Spec = spec(Unit::Decibels, SILENCE_DB, 10.0, 0.0, Taper::FaderLaw);
const SEND_LEVEL: Spec = spec(
    Unit::Decibels,
    SILENCE_DB,
    10.0,
    SILENCE_DB,
    Taper::FaderLaw,
);
const MIX: Spec = spec(Unit::Plain, 0.0, 1.0, 1.0, Taper::Linear);
const FREQ: Spec = spec(Unit::Hertz, 20.0, 20_000.0, 1000.0, Taper::Log);

/// Default (type, freq) of each EQ band: low shelf, two peaks, high shelf.
const EQ_DEFAULTS: [(EqType, f32); EQ_BANDS] = [
    (EqType::LowShelf, 100.0),
    (EqType::Peak, 400.0),
    (EqType::Peak, 2500.0),
    (EqType::HighShelf, 8000.0),
];

impl Spec {
    /// The spec of any parameter. Which owners carry which parameters is the
    /// registry's business; this only says what the values are.
    pub fn of(param: Param) -> Spec {
        use Param::*;
        match param {
            Gain => LEVEL,
            Trim => spec(Unit::Decibels, -24.0, 24.0, 0.0, Taper::Linear),
            Polarity | Mute | Solo | HpfOn => switch(false),
            Pan => spec(Unit::Plain, -1.0, 1.0, 0.0, Taper::Linear),
            Width => spec(Unit::Plain, 0.0, 2.0, 1.0, Taper::Linear),
            HpfFreq => spec(Unit::Hertz, 10.0, 1000.0, 80.0, Taper::Log),
            Eq { band, field } => {
                let (ty, f) = EQ_DEFAULTS[(band as usize).min(EQ_BANDS - 1)];
                match field {
                    EqField::Type => choice(EqType::NAMES, ty as usize),
                    EqField::Freq => Spec { default: f, ..FREQ },
                    EqField::Gain => spec(Unit::Decibels, -18.0, 18.0, 0.0, Taper::Linear),
                    EqField::Q => spec(Unit::Plain, 0.1, 10.0, 0.707, Taper::Log),
                    EqField::On => switch(true),
                }
            }
            Gate(f) => match f {
                GateField::Threshold => spec(Unit::Decibels, -80.0, 0.0, -50.0, Taper::Linear),
                GateField::Range => spec(Unit::Decibels, 0.0, 80.0, 60.0, Taper::Linear),
                GateField::Attack => spec(Unit::Millis, 0.05, 100.0, 0.5, Taper::Log),
                GateField::Hold => spec(Unit::Millis, 0.0, 2000.0, 50.0, Taper::Linear),
                GateField::Release => spec(Unit::Millis, 5.0, 4000.0, 200.0, Taper::Log),
                GateField::On => switch(false),
            },
            Comp(f) => match f {
                CompField::Threshold => spec(Unit::Decibels, -60.0, 0.0, -20.0, Taper::Linear),
                CompField::Ratio => spec(Unit::Ratio, 1.0, 100.0, 3.0, Taper::Log),
                CompField::Attack => spec(Unit::Millis, 0.05, 200.0, 10.0, Taper::Log),
                CompField::Release => spec(Unit::Millis, 5.0, 4000.0, 150.0, Taper::Log),
                CompField::Knee => spec(Unit::Decibels, 0.0, 24.0, 6.0, Taper::Linear),
                CompField::Makeup => spec(Unit::Decibels, 0.0, 24.0, 0.0, Taper::Linear),
                CompField::On => switch(false),
            },
            Send { field, .. } => match field {
                SendField::Level => SEND_LEVEL,
                SendField::Pre => switch(false),
                SendField::On => switch(true),
            },
            Reverb(f) => match f {
                ReverbField::Size => spec(Unit::Plain, 0.0, 1.0, 0.5, Taper::Linear),
                ReverbField::Decay => spec(Unit::Seconds, 0.1, 20.0, 1.8, Taper::Log),
                ReverbField::Predelay => spec(Unit::Millis, 0.0, 250.0, 20.0, Taper::Linear),
                ReverbField::Damping => spec(Unit::Plain, 0.0, 1.0, 0.5, Taper::Linear),
                ReverbField::Mix => MIX,
            },
            Delay(f) => match f {
                DelayField::Time => spec(Unit::Millis, 1.0, 4000.0, 375.0, Taper::Log),
                DelayField::Note => choice(NoteValue::NAMES, 0),
                DelayField::Feedback => spec(Unit::Plain, 0.0, 0.95, 0.35, Taper::Linear),
                DelayField::LowCut => spec(Unit::Hertz, 20.0, 2000.0, 60.0, Taper::Log),
                DelayField::HighCut => spec(Unit::Hertz, 1000.0, 20_000.0, 9000.0, Taper::Log),
                DelayField::PingPong => switch(false),
                DelayField::Mix => MIX,
            },
            Limiter(f) => match f {
                LimiterField::Ceiling => spec(Unit::Decibels, -20.0, 0.0, -1.0, Taper::Linear),
                LimiterField::Release => spec(Unit::Millis, 1.0, 1000.0, 80.0, Taper::Log),
                LimiterField::On => switch(true),
            },
            Drive(f) => match f {
                DriveField::On => switch(false),
                DriveField::Type => choice(DriveType::NAMES, DriveType::Tape as usize),
                DriveField::Amount => spec(Unit::Decibels, 0.0, 36.0, 12.0, Taper::Linear),
                DriveField::Tone => spec(Unit::Plain, -1.0, 1.0, 0.0, Taper::Linear),
                DriveField::Output => spec(Unit::Decibels, -24.0, 12.0, 0.0, Taper::Linear),
                DriveField::Mix => MIX,
                DriveField::Bits => spec(Unit::Plain, 2.0, 24.0, 8.0, Taper::Stepped),
                DriveField::Downsample => spec(Unit::Plain, 1.0, 32.0, 1.0, Taper::Log),
            },
            Mod(f) => match f {
                ModField::On => switch(false),
                ModField::Type => choice(ModType::NAMES, ModType::Chorus as usize),
                ModField::Rate => spec(Unit::Hertz, 0.02, 20.0, 0.8, Taper::Log),
                ModField::Note => choice(NoteValue::NAMES, 0),
                ModField::Depth => spec(Unit::Plain, 0.0, 1.0, 0.5, Taper::Linear),
                ModField::Feedback => spec(Unit::Plain, -0.95, 0.95, 0.0, Taper::Linear),
                ModField::Delay => spec(Unit::Millis, 0.5, 40.0, 7.0, Taper::Log),
                ModField::Stages => spec(Unit::Plain, 4.0, 12.0, 6.0, Taper::Stepped),
                ModField::Mix => Spec {
                    default: 0.5,
                    ..MIX
                },
            },
            Pitch(f) => match f {
                PitchField::On => switch(false),
                PitchField::Semitones => spec(Unit::Plain, -12.0, 12.0, 0.0, Taper::Stepped),
                PitchField::Cents => spec(Unit::Plain, -100.0, 100.0, 0.0, Taper::Linear),
                PitchField::Mix => MIX,
            },
            Tempo => spec(Unit::Bpm, 20.0, 300.0, 120.0, Taper::Linear),
            Automation => choice(AutomationMode::NAMES, AutomationMode::Read as usize),
            Monitor(f) => super::monitor::spec_of(f),
        }
    }

    /// Clamp into range; switches and choices are rounded to a whole step.
    /// Returns `None` for NaN (never a valid value).
    pub fn clamp(&self, v: f32) -> Option<f32> {
        if v.is_nan() {
            return None;
        }
        let c = v.clamp(self.min, self.max);
        Some(if self.taper == Taper::Stepped {
            c.round()
        } else {
            c
        })
    }

    /// Whether `v` lies in range (and is a whole step where steps apply).
    pub fn contains(&self, v: f32) -> bool {
        self.clamp(v) == Some(v)
    }

    /// A normalized 0..1 control position to a value.
    pub fn from_normalized(&self, n: f32) -> f32 {
        let n = if n.is_nan() { 0.0 } else { n.clamp(0.0, 1.0) };
        match self.taper {
            Taper::FaderLaw => fader_law::to_db(FaderPos(n)).0,
            Taper::Linear => self.min + n * (self.max - self.min),
            Taper::Log => {
                let lo = self.min.max(1e-3);
                lo * (self.max / lo).powf(n)
            }
            Taper::Stepped => (self.min + n * (self.max - self.min)).round(),
        }
    }

    /// A value to its normalized 0..1 control position.
    pub fn to_normalized(&self, v: f32) -> f32 {
        let v = self.clamp(v).unwrap_or(self.default);
        let n = match self.taper {
            Taper::FaderLaw => fader_law::from_db(Decibels(v)).0,
            Taper::Log => {
                let lo = self.min.max(1e-3);
                (v.max(lo) / lo).ln() / (self.max / lo).ln()
            }
            Taper::Linear | Taper::Stepped => (v - self.min) / (self.max - self.min),
        };
        n.clamp(0.0, 1.0)
    }

    /// The name of a choice value, if this is a choice parameter.
    pub fn choice_name(&self, v: f32) -> Option<&'static str> {
        match self.unit {
            Unit::Choice(names) => names.get(v.max(0.0) as usize).copied(),
            _ => None,
        }
    }

    /// The value of a choice name (case-insensitive).
    pub fn choice_index(&self, name: &str) -> Option<f32> {
        match self.unit {
            Unit::Choice(names) => names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(name))
                .map(|i| i as f32),
            _ => None,
        }
    }

    /// A short human description of the allowed values, for error messages.
    pub fn describe(&self) -> String {
        match self.unit {
            Unit::Switch => "0 or 1 (or true/false)".to_string(),
            Unit::Choice(names) => format!("one of {}", names.join(", ")),
            unit => {
                let u = unit.suffix();
                let min = if self.taper == Taper::FaderLaw {
                    "-inf".to_string()
                } else {
                    format!("{}", self.min)
                };
                format!("a number from {min} to {}{u}", self.max)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_round_trip() {
        let params = [
            Param::Gain,
            Param::Pan,
            Param::HpfFreq,
            Param::Comp(CompField::Ratio),
            Param::Eq {
                band: 1,
                field: EqField::Q,
            },
        ];
        for p in params {
            let s = Spec::of(p);
            for i in 0..=20 {
                let n = i as f32 / 20.0;
                let v = s.from_normalized(n);
                assert!(s.contains(v) || s.taper == Taper::FaderLaw, "{p:?} {v}");
                assert!((s.to_normalized(v) - n).abs() < 1e-3, "{p:?} {n} -> {v}");
            }
        }
    }

    #[test]
    fn defaults_are_in_range() {
        let s = Spec::of(Param::Eq {
            band: 3,
            field: EqField::Type,
        });
        assert_eq!(s.choice_name(s.default), Some("highshelf"));
        assert!(Spec::of(Param::Gain).contains(0.0));
        assert_eq!(Spec::of(Param::Mute).clamp(0.7), Some(1.0));
        assert_eq!(Spec::of(Param::Gain).clamp(f32::NAN), None);
    }

    #[test]
    fn note_values() {
        assert_eq!(NoteValue::millis(5.0, 120.0), Some(500.0));
        assert_eq!(NoteValue::millis(9.0, 120.0), Some(375.0));
        assert_eq!(NoteValue::millis(0.0, 120.0), None);
    }
}
