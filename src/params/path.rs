//! Path strings ⇄ typed identities. Paths are 1-based (`track/1/gain` is the
//! first track) and may carry a leading slash, as OSC addresses do.

use super::id::*;
use std::fmt;

/// How a value is expressed on a path: the parameter's own unit, or the
/// normalized console fader law (the `fader` sibling of every level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    Plain,
    Fader,
}

impl Form {
    /// A value in this form to the parameter's own unit.
    pub fn to_plain(self, v: f32) -> f32 {
        match self {
            Form::Plain => v,
            Form::Fader => super::fader_law::to_db(crate::units::FaderPos(v)).0,
        }
    }

    /// A value in the parameter's own unit to this form.
    pub fn from_plain(self, v: f32) -> f32 {
        match self {
            Form::Plain => v,
            Form::Fader => super::fader_law::from_db(crate::units::Decibels(v)).0,
        }
    }
}

/// A parsed path: the parameter and the form its value takes on that path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamRef {
    pub id: ParamId,
    pub form: Form,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("`{0}` is not a parameter path")]
    Unknown(String),
    #[error("`{path}`: {what} {index} does not exist (there are {count})")]
    NoSuch {
        path: String,
        what: &'static str,
        index: usize,
        count: usize,
    },
    #[error("`{path}`: {why}")]
    NotHere { path: String, why: String },
}

const EQ_FIELDS: [(&str, EqField); 5] = [
    ("type", EqField::Type),
    ("freq", EqField::Freq),
    ("gain", EqField::Gain),
    ("q", EqField::Q),
    ("on", EqField::On),
];
const GATE_FIELDS: [(&str, GateField); 6] = [
    ("threshold", GateField::Threshold),
    ("range", GateField::Range),
    ("attack", GateField::Attack),
    ("hold", GateField::Hold),
    ("release", GateField::Release),
    ("on", GateField::On),
];
const COMP_FIELDS: [(&str, CompField); 7] = [
    ("threshold", CompField::Threshold),
    ("ratio", CompField::Ratio),
    ("attack", CompField::Attack),
    ("release", CompField::Release),
    ("knee", CompField::Knee),
    ("makeup", CompField::Makeup),
    ("on", CompField::On),
];
const SEND_FIELDS: [(&str, SendField); 3] = [
    ("level", SendField::Level),
    ("pre", SendField::Pre),
    ("on", SendField::On),
];
const REVERB_FIELDS: [(&str, ReverbField); 5] = [
    ("size", ReverbField::Size),
    ("decay", ReverbField::Decay),
    ("predelay", ReverbField::Predelay),
    ("damping", ReverbField::Damping),
    ("mix", ReverbField::Mix),
];
const DELAY_FIELDS: [(&str, DelayField); 7] = [
    ("time", DelayField::Time),
    ("note", DelayField::Note),
    ("feedback", DelayField::Feedback),
    ("lowcut", DelayField::LowCut),
    ("highcut", DelayField::HighCut),
    ("pingpong", DelayField::PingPong),
    ("mix", DelayField::Mix),
];
const LIMITER_FIELDS: [(&str, LimiterField); 3] = [
    ("ceiling", LimiterField::Ceiling),
    ("release", LimiterField::Release),
    ("on", LimiterField::On),
];
const DRIVE_FIELDS: [(&str, DriveField); 8] = [
    ("on", DriveField::On),
    ("type", DriveField::Type),
    ("amount", DriveField::Amount),
    ("tone", DriveField::Tone),
    ("output", DriveField::Output),
    ("mix", DriveField::Mix),
    ("bits", DriveField::Bits),
    ("downsample", DriveField::Downsample),
];
const MOD_FIELDS: [(&str, ModField); 9] = [
    ("on", ModField::On),
    ("type", ModField::Type),
    ("rate", ModField::Rate),
    ("note", ModField::Note),
    ("depth", ModField::Depth),
    ("feedback", ModField::Feedback),
    ("delay", ModField::Delay),
    ("stages", ModField::Stages),
    ("mix", ModField::Mix),
];
const PITCH_FIELDS: [(&str, PitchField); 4] = [
    ("on", PitchField::On),
    ("semitones", PitchField::Semitones),
    ("cents", PitchField::Cents),
    ("mix", PitchField::Mix),
];
const SIMPLE: [(&str, Param); 10] = [
    ("gain", Param::Gain),
    ("trim", Param::Trim),
    ("polarity", Param::Polarity),
    ("pan", Param::Pan),
    ("width", Param::Width),
    ("mute", Param::Mute),
    ("solo", Param::Solo),
    ("hpf/freq", Param::HpfFreq),
    ("hpf/on", Param::HpfOn),
    ("automation", Param::Automation),
];

fn lookup<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}
fn name_of<T: Copy + PartialEq>(table: &[(&'static str, T)], v: T) -> &'static str {
    table
        .iter()
        .find(|(_, x)| *x == v)
        .map(|(n, _)| *n)
        .unwrap_or("?")
}

/// A 1-based index segment to a 0-based index.
pub(super) fn index(seg: &str) -> Option<u16> {
    if seg.is_empty() || seg.len() > 5 || !seg.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = seg.parse().ok()?;
    if n == 0 || n > u16::MAX as u32 {
        return None;
    }
    Some((n - 1) as u16)
}

/// Parse the part of a path below its owner (`eq/2/gain`, `fader`, ...).
fn parse_param(rest: &[&str]) -> Option<(Param, Form)> {
    let joined2 = |a: &str, b: &str| format!("{a}/{b}");
    match rest {
        ["fader"] => Some((Param::Gain, Form::Fader)),
        [one] => lookup(&SIMPLE, one).map(|p| (p, Form::Plain)),
        [a, b] => {
            let p = match *a {
                "gate" => Param::Gate(lookup(&GATE_FIELDS, b)?),
                "comp" => Param::Comp(lookup(&COMP_FIELDS, b)?),
                "reverb" => Param::Reverb(lookup(&REVERB_FIELDS, b)?),
                "delay" => Param::Delay(lookup(&DELAY_FIELDS, b)?),
                "limiter" => Param::Limiter(lookup(&LIMITER_FIELDS, b)?),
                "drive" => Param::Drive(lookup(&DRIVE_FIELDS, b)?),
                "mod" => Param::Mod(lookup(&MOD_FIELDS, b)?),
                "pitch" => Param::Pitch(lookup(&PITCH_FIELDS, b)?),
                _ => lookup(&SIMPLE, &joined2(a, b))?,
            };
            Some((p, Form::Plain))
        }
        ["eq", band, field] => {
            let band = index(band)?;
            let field = lookup(&EQ_FIELDS, field)?;
            Some((
                Param::Eq {
                    band: band.min(255) as u8,
                    field,
                },
                Form::Plain,
            ))
        }
        ["send", bus, "fader"] => Some((
            Param::Send {
                bus: index(bus)?,
                field: SendField::Level,
            },
            Form::Fader,
        )),
        ["send", bus, field] => Some((
            Param::Send {
                bus: index(bus)?,
                field: lookup(&SEND_FIELDS, field)?,
            },
            Form::Plain,
        )),
        _ => None,
    }
}

impl ParamRef {
    /// Parse a path without checking it against a session's layout (see
    /// [`super::Registry::resolve`] for that).
    pub fn parse(path: &str) -> Result<ParamRef, PathError> {
        let unknown = || PathError::Unknown(path.to_string());
        let trimmed = path.strip_prefix('/').unwrap_or(path);
        let segs: Vec<&str> = trimmed.split('/').collect();
        let (owner, rest) = match segs.as_slice() {
            ["track", n, rest @ ..] => (Owner::Track(index(n).ok_or_else(unknown)?), rest),
            ["bus", n, rest @ ..] => (Owner::Bus(index(n).ok_or_else(unknown)?), rest),
            ["master", rest @ ..] => (Owner::Master, rest),
            ["monitor", rest @ ..] => {
                let (field, fader) = super::monitor::parse(rest).ok_or_else(unknown)?;
                return Ok(ParamRef {
                    id: ParamId::new(Owner::Monitor, Param::Monitor(field)),
                    form: if fader { Form::Fader } else { Form::Plain },
                });
            }
            ["transport", "tempo"] => {
                return Ok(ParamRef {
                    id: ParamId::new(Owner::Transport, Param::Tempo),
                    form: Form::Plain,
                })
            }
            _ => return Err(unknown()),
        };
        let (param, form) = parse_param(rest).ok_or_else(unknown)?;
        Ok(ParamRef {
            id: ParamId { owner, param },
            form,
        })
    }

    /// The `fader` sibling of a level (fader gains and send levels).
    pub fn fader(id: ParamId) -> Option<ParamRef> {
        let level = match id.param {
            Param::Monitor(f) => super::monitor::has_fader(f),
            p => matches!(
                p,
                Param::Gain
                    | Param::Send {
                        field: SendField::Level,
                        ..
                    }
            ),
        };
        level.then_some(ParamRef {
            id,
            form: Form::Fader,
        })
    }

    pub fn plain(id: ParamId) -> ParamRef {
        ParamRef {
            id,
            form: Form::Plain,
        }
    }

    /// A value on this path to the parameter's own unit.
    pub fn to_plain(&self, v: f32) -> f32 {
        self.form.to_plain(v)
    }

    /// A value in the parameter's own unit to the form of this path.
    pub fn from_plain(&self, v: f32) -> f32 {
        self.form.from_plain(v)
    }
}

impl fmt::Display for ParamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&ParamRef::plain(*self), f)
    }
}

impl fmt::Display for Owner {
    /// The path of a strip: `track/1`, `bus/2`, `master`, `transport`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::Track(n) => write!(f, "track/{}", *n as u32 + 1),
            Owner::Bus(n) => write!(f, "bus/{}", *n as u32 + 1),
            Owner::Master => write!(f, "master"),
            Owner::Transport => write!(f, "transport"),
            Owner::Monitor => write!(f, "monitor"),
        }
    }
}

impl fmt::Display for ParamRef {
    /// The canonical path, without a leading slash.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/", self.id.owner)?;
        let fader = self.form == Form::Fader;
        match self.id.param {
            Param::Gain if fader => write!(f, "fader"),
            Param::Eq { band, field } => {
                write!(f, "eq/{}/{}", band as u32 + 1, name_of(&EQ_FIELDS, field))
            }
            Param::Gate(x) => write!(f, "gate/{}", name_of(&GATE_FIELDS, x)),
            Param::Comp(x) => write!(f, "comp/{}", name_of(&COMP_FIELDS, x)),
            Param::Send { bus, field } => {
                let name = if fader {
                    "fader"
                } else {
                    name_of(&SEND_FIELDS, field)
                };
                write!(f, "send/{}/{}", bus as u32 + 1, name)
            }
            Param::Reverb(x) => write!(f, "reverb/{}", name_of(&REVERB_FIELDS, x)),
            Param::Delay(x) => write!(f, "delay/{}", name_of(&DELAY_FIELDS, x)),
            Param::Limiter(x) => write!(f, "limiter/{}", name_of(&LIMITER_FIELDS, x)),
            Param::Drive(x) => write!(f, "drive/{}", name_of(&DRIVE_FIELDS, x)),
            Param::Mod(x) => write!(f, "mod/{}", name_of(&MOD_FIELDS, x)),
            Param::Pitch(x) => write!(f, "pitch/{}", name_of(&PITCH_FIELDS, x)),
            Param::Tempo => write!(f, "tempo"),
            Param::Monitor(x) => write!(f, "{}", super::monitor::path(x, fader)),
            p => write!(f, "{}", name_of(&SIMPLE, p)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format_round_trip() {
        for p in [
            "track/1/gain",
            "track/12/fader",
            "track/3/eq/4/q",
            "track/2/send/1/level",
            "track/2/send/3/fader",
            "track/1/hpf/freq",
            "bus/2/reverb/decay",
            "bus/1/delay/pingpong",
            "master/limiter/ceiling",
            "master/comp/knee",
            "track/1/drive/downsample",
            "track/4/mod/stages",
            "bus/2/mod/note",
            "track/3/pitch/semitones",
            "transport/tempo",
            "track/2/automation",
            "master/automation",
            "monitor/level",
            "monitor/fader",
            "monitor/solo/mode",
            "monitor/phones/fader",
            "monitor/talkback/bus/3",
        ] {
            let r = ParamRef::parse(p).unwrap();
            assert_eq!(r.to_string(), p);
            assert_eq!(ParamRef::parse(&format!("/{p}")).unwrap(), r);
        }
    }

    #[test]
    fn rejects_garbage() {
        for p in [
            "",
            "/",
            "track/0/gain",
            "track/x/gain",
            "track/1",
            "track/1/eq/1",
            "master/nope",
            "track/99999999/gain",
        ] {
            assert!(ParamRef::parse(p).is_err(), "{p}");
        }
    }
}
