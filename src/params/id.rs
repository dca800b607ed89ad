//! Typed parameter identities. Indices are 0-based here; paths are 1-based.

/// Bands of every parametric EQ.
pub const EQ_BANDS: usize = 4;

/// Which strip (or global section) a parameter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    Track(u16),
    Bus(u16),
    Master,
    /// Session-wide values such as the tempo.
    Transport,
    /// The control room's monitor section (see [`super::monitor`]).
    Monitor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EqField {
    Type,
    Freq,
    Gain,
    Q,
    On,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GateField {
    Threshold,
    Range,
    Attack,
    Hold,
    Release,
    On,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CompField {
    Threshold,
    Ratio,
    Attack,
    Release,
    Knee,
    Makeup,
    On,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SendField {
    Level,
    Pre,
    On,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReverbField {
    Size,
    Decay,
    Predelay,
    Damping,
    Mix,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DelayField {
    /// Delay time in ms, used while `Note` is off.
    Time,
    /// A note value of the session tempo ([`super::NoteValue`]); 0 = off.
    Note,
    Feedback,
    /// High-pass in the feedback path, Hz.
    LowCut,
    /// Low-pass in the feedback path, Hz.
    HighCut,
    PingPong,
    Mix,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LimiterField {
    Ceiling,
    Release,
    On,
}

/// The drive insert: saturation, distortion and bit reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DriveField {
    On,
    /// A [`super::DriveType`].
    Type,
    /// Gain into the shaper, dB.
    Amount,
    /// Tilt after the shaper: -1 dark .. +1 bright.
    Tone,
    /// Gain after the shaper, dB.
    Output,
    Mix,
    /// Word length of the bitcrusher.
    Bits,
    /// Sample-rate reduction factor of the bitcrusher (1 = none).
    Downsample,
}

/// The modulation insert: chorus, flanger, phaser, tremolo, auto-pan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ModField {
    On,
    /// A [`super::ModType`].
    Type,
    /// LFO rate in Hz, used while `Note` is off.
    Rate,
    /// An LFO period as a note value of the session tempo; 0 = off.
    Note,
    Depth,
    Feedback,
    /// Base delay of chorus and flanger, ms.
    Delay,
    /// Allpass stages of the phaser.
    Stages,
    Mix,
}

/// The pitch-shift insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PitchField {
    On,
    Semitones,
    Cents,
    Mix,
}

/// What a parameter controls within its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Param {
    /// Fader level in dB (the `fader` path is the same parameter on the fader law).
    Gain,
    Trim,
    Polarity,
    Pan,
    Width,
    Mute,
    Solo,
    HpfFreq,
    HpfOn,
    Eq {
        band: u8,
        field: EqField,
    },
    Gate(GateField),
    Comp(CompField),
    Send {
        bus: u16,
        field: SendField,
    },
    Reverb(ReverbField),
    Delay(DelayField),
    Limiter(LimiterField),
    Drive(DriveField),
    Mod(ModField),
    Pitch(PitchField),
    Tempo,
    /// The automation mode of a strip ([`super::AutomationMode`]).
    Automation,
    /// A monitor section parameter ([`super::monitor`]).
    Monitor(super::MonitorField),
}

impl Param {
    /// Whether the parameter can have an automation lane: everything that
    /// shapes the sound, not the tempo or the automation modes themselves,
    /// nor what the engineer listens on (the monitor section).
    pub fn automatable(self) -> bool {
        !matches!(self, Param::Tempo | Param::Automation | Param::Monitor(_))
    }

    /// Whether the value is kept (state file, scenes): everything but a
    /// control held only while pressed (talkback).
    pub fn persistent(self) -> bool {
        self != Param::Monitor(super::MonitorField::Talkback)
    }
}

/// One parameter of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId {
    pub owner: Owner,
    pub param: Param,
}

impl ParamId {
    pub const fn new(owner: Owner, param: Param) -> Self {
        ParamId { owner, param }
    }
    pub const fn track(index: u16, param: Param) -> Self {
        ParamId::new(Owner::Track(index), param)
    }
    pub const fn bus(index: u16, param: Param) -> Self {
        ParamId::new(Owner::Bus(index), param)
    }
    pub const fn master(param: Param) -> Self {
        ParamId::new(Owner::Master, param)
    }
}
