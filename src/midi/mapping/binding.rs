//! A checked mapping: what each control is, what it moves, and how a
//! device position becomes a value and back.

use crate::midi::calibration::Calibration;
use crate::midi::Action;
use crate::params::{fader_law, Form, ParamRef, Spec, Taper as SpecTaper};
use crate::units::{Decibels, FaderPos};

#[derive(Debug, Clone)]
pub struct Mapping {
    pub name: String,
    /// Strips per bank.
    pub strips: usize,
    pub bindings: Vec<Binding>,
}

/// The kind of message a control sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Cc,
    /// MSB on `number`, LSB on `number + 32`.
    Cc14,
    Nrpn {
        fourteen: bool,
    },
    PitchBend,
    Note,
    Program,
}

impl Kind {
    pub const NAMES: [&'static str; 6] = ["cc", "cc14", "nrpn", "pitchbend", "note", "program"];

    /// Full travel in device steps.
    pub fn max(self) -> f32 {
        match self {
            Kind::Cc14 | Kind::PitchBend | Kind::Nrpn { fourteen: true } => 16383.0,
            _ => 127.0,
        }
    }
}

/// Relative encoder encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bit 6 set = down, bits 0..5 the ticks (Mackie).
    SignMagnitude,
    /// Bit 6 set = up.
    SignMagnitudeInverted,
    /// 1..63 up, 127..64 down (127 = -1).
    TwosComplement,
    /// 65 = +1, 63 = -1.
    Offset64,
}

impl Encoding {
    pub const NAMES: [&'static str; 4] = [
        "sign-magnitude",
        "sign-magnitude-inverted",
        "twos-complement",
        "offset-64",
    ];
    pub const ALL: [Encoding; 4] = [
        Encoding::SignMagnitude,
        Encoding::SignMagnitudeInverted,
        Encoding::TwosComplement,
        Encoding::Offset64,
    ];

    /// Signed ticks of one 7-bit value.
    pub fn ticks(self, v: u8) -> i32 {
        let v = i32::from(v & 0x7F);
        let magnitude = (v & 0x3F).max(1);
        match self {
            Encoding::SignMagnitude if v & 0x40 != 0 => -magnitude,
            Encoding::SignMagnitude => magnitude,
            Encoding::SignMagnitudeInverted if v & 0x40 != 0 => magnitude,
            Encoding::SignMagnitudeInverted => -magnitude,
            Encoding::TwosComplement if v >= 64 => v - 128,
            Encoding::TwosComplement => v,
            Encoding::Offset64 => v - 64,
        }
    }
}

/// How the control's travel maps onto the target's range.
#[derive(Debug, Clone, PartialEq)]
pub enum Taper {
    /// The console fader law (levels).
    Fader,
    Linear,
    /// Equal ratios per equal travel (frequencies).
    Log,
    /// The device's printed scale (levels).
    Calibrated(Calibration),
}

impl Taper {
    pub const NAMES: [&'static str; 3] = ["fader", "linear", "log"];
}

/// Soft takeover for controls that cannot be moved by the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takeover {
    Jump,
    Pickup,
    Scale,
}

impl Takeover {
    pub const NAMES: [&'static str; 3] = ["jump", "pickup", "scale"];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteMode {
    Momentary,
    Toggle,
}

/// Actions the surface carries out itself, or hands to the daemon.
#[derive(Debug, Clone, PartialEq)]
pub enum BindAction {
    BankLeft,
    BankRight,
    StripLeft,
    StripRight,
    /// Held: the shift layer is active.
    Shift,
    Daemon(Action),
}

/// What a binding moves.
#[derive(Debug, Clone, PartialEq)]
pub enum Does {
    /// A path, `{strip}` standing for the strip's track number.
    Target(String),
    Action(BindAction),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub kind: Kind,
    /// (channel 0..15, number) per strip; one entry for a control that is
    /// not per strip.
    pub controls: Vec<(u8, u16)>,
    pub does: Does,
    /// Buttons: notes always; a CC control when a mode is given (values
    /// above 63 press, the rest release).
    pub mode: Option<NoteMode>,
    pub encoder: Option<Encoding>,
    /// Fraction of the travel per tick.
    pub step: f32,
    /// Exponent applied to a message's tick count (1 = none).
    pub acceleration: f32,
    pub taper: Option<Taper>,
    pub range: Option<(f32, f32)>,
    pub invert: bool,
    pub takeover: Takeover,
    /// Active only while shift is held (`true`) or only while it is not.
    pub shift: bool,
    pub feedback: bool,
}

/// A binding's target resolved for one strip: where values go and how the
/// control's 0..1 travel maps onto them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale<'a> {
    pub target: ParamRef,
    taper: &'a Option<Taper>,
    lo: f32,
    hi: f32,
    invert: bool,
}

impl Binding {
    /// The path for a strip showing track `track` (0-based).
    pub fn path(&self, track: usize) -> Option<String> {
        match &self.does {
            Does::Target(t) => Some(t.replace("{strip}", &(track + 1).to_string())),
            Does::Action(_) => None,
        }
    }

    pub fn per_strip(&self) -> bool {
        matches!(&self.does, Does::Target(t) if t.contains("{strip}")) || self.controls.len() > 1
    }

    /// The scale of this binding onto a resolved target.
    pub fn scale(&self, target: ParamRef) -> Scale<'_> {
        let (min, max) = match target.form {
            Form::Fader => (0.0, 1.0),
            Form::Plain => {
                let s = Spec::of(target.id.param);
                (s.min, s.max)
            }
        };
        let (lo, hi) = self.range.unwrap_or((min, max));
        Scale {
            target,
            taper: &self.taper,
            lo: lo.clamp(min, max),
            hi: hi.clamp(min, max),
            invert: self.invert,
        }
    }
}

impl Scale<'_> {
    fn spec_taper(&self) -> SpecTaper {
        match self.target.form {
            Form::Fader => SpecTaper::Linear,
            Form::Plain => Spec::of(self.target.id.param).taper,
        }
    }

    /// A control position (0..=1) to the target's plain value.
    pub fn to_plain(self, d: f32) -> f32 {
        let d = if self.invert { 1.0 - d } else { d }.clamp(0.0, 1.0);
        let (lo, hi) = (self.lo, self.hi);
        let v = match (self.taper, self.spec_taper()) {
            (Some(Taper::Calibrated(c)), _) => {
                let db = c.to_db(d).0;
                return self.target.to_plain(match self.target.form {
                    Form::Fader => fader_law::from_db(Decibels(db)).0,
                    Form::Plain => db,
                });
            }
            (Some(Taper::Fader), _) | (None, SpecTaper::FaderLaw) => {
                let (a, b) = (fader_pos(lo), fader_pos(hi));
                fader_law::to_db(FaderPos(a + d * (b - a))).0
            }
            (Some(Taper::Log), _) | (None, SpecTaper::Log) => {
                let lo = lo.max(1e-3);
                lo * (hi.max(lo) / lo).powf(d)
            }
            (None, SpecTaper::Stepped) => (lo + d * (hi - lo)).round(),
            _ => lo + d * (hi - lo),
        };
        self.target.to_plain(v)
    }

    /// The control position (0..=1) that shows a plain value.
    pub fn to_position(self, plain: f32) -> f32 {
        let v = self.target.from_plain(plain);
        let (lo, hi) = (self.lo, self.hi);
        let d = match (self.taper, self.spec_taper()) {
            (Some(Taper::Calibrated(c)), _) => c.from_db(Decibels(match self.target.form {
                Form::Fader => fader_law::to_db(FaderPos(v)).0,
                Form::Plain => v,
            })),
            (Some(Taper::Fader), _) | (None, SpecTaper::FaderLaw) => {
                let (a, b) = (fader_pos(lo), fader_pos(hi));
                ratio(fader_pos(v) - a, b - a)
            }
            (Some(Taper::Log), _) | (None, SpecTaper::Log) => {
                let lo = lo.max(1e-3);
                ratio((v.max(lo) / lo).ln(), (hi.max(lo) / lo).ln())
            }
            _ => ratio(v - lo, hi - lo),
        }
        .clamp(0.0, 1.0);
        if self.invert {
            1.0 - d
        } else {
            d
        }
    }
}

fn fader_pos(db: f32) -> f32 {
    fader_law::from_db(Decibels(db)).0
}

fn ratio(a: f32, b: f32) -> f32 {
    if b.abs() < 1e-9 {
        0.0
    } else {
        a / b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Param, ParamId};

    #[test]
    fn encoder_ticks_in_all_four_encodings() {
        use Encoding::*;
        let cases: &[(Encoding, &[(u8, i32)])] = &[
            (
                SignMagnitude,
                &[
                    (0x01, 1),
                    (0x05, 5),
                    (0x41, -1),
                    (0x45, -5),
                    (0x00, 1),
                    (0x40, -1),
                ],
            ),
            (
                SignMagnitudeInverted,
                &[(0x41, 1), (0x43, 3), (0x01, -1), (0x02, -2)],
            ),
            (
                TwosComplement,
                &[(1, 1), (63, 63), (127, -1), (126, -2), (64, -64)],
            ),
            (Offset64, &[(65, 1), (70, 6), (63, -1), (60, -4), (64, 0)]),
        ];
        for (e, table) in cases {
            for (byte, ticks) in *table {
                assert_eq!(e.ticks(*byte), *ticks, "{e:?} {byte:#04x}");
            }
        }
    }

    fn binding(taper: Option<Taper>, range: Option<(f32, f32)>, invert: bool) -> Binding {
        Binding {
            kind: Kind::Cc,
            controls: vec![(0, 7)],
            does: Does::Target("track/1/gain".into()),
            mode: None,
            encoder: None,
            step: 1.0 / 128.0,
            acceleration: 1.0,
            taper,
            range,
            invert,
            takeover: Takeover::Jump,
            shift: false,
            feedback: true,
        }
    }

    #[test]
    fn tapers_map_travel_to_values_and_back() {
        let gain = ParamRef::plain(ParamId::track(0, Param::Gain));
        let freq = ParamRef::plain(ParamId::track(0, Param::HpfFreq));
        let pan = ParamRef::plain(ParamId::track(0, Param::Pan));
        let fader = ParamRef::fader(ParamId::track(0, Param::Gain)).unwrap();
        let cal = Calibration::new(&[(0.0, -144.0), (100.0, 0.0), (127.0, 10.0)], 127.0).unwrap();
        // (binding, target, position, plain value)
        let cases = [
            (binding(None, None, false), gain, 0.75, 0.0),
            (binding(None, None, false), gain, 0.5, -10.0),
            (binding(None, None, false), fader, 0.5, -10.0),
            (binding(None, None, true), gain, 0.25, 0.0),
            (binding(None, None, false), pan, 0.25, -0.5),
            (
                binding(Some(Taper::Linear), Some((-12.0, 0.0)), false),
                gain,
                0.5,
                -6.0,
            ),
            (
                binding(Some(Taper::Calibrated(cal)), None, false),
                gain,
                100.0 / 127.0,
                0.0,
            ),
            (
                binding(Some(Taper::Log), Some((40.0, 160.0)), false),
                freq,
                0.5,
                80.0,
            ),
        ];
        for (b, target, d, plain) in cases {
            let s = b.scale(target);
            let got = s.to_plain(d);
            assert!(
                (got - plain).abs() < 1e-2,
                "{b:?} {target:?}: {d} -> {got}, want {plain}"
            );
            assert!(
                (s.to_position(plain) - d).abs() < 1e-3,
                "{b:?}: back from {plain}"
            );
        }
    }
}
