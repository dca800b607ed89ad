//! Parameters, values and times in a mixer's words, for diffs: "Lead Vox"
//! rather than `track/4`, "fader" rather than `gain`, "Verb send" rather
//! than `send/1/level`, "-4.0 dB", "L30", "1:02".

use crate::params::{Owner, Param, ParamId, ParamRef, SendField, Spec, Taper, Unit};
use std::collections::BTreeMap;

/// A strip as people call it: its name where it has one, else "Track 4",
/// "Bus 1"; "Master"; "Session" for the tempo, markers, loop and scenes.
pub fn strip(owner: Owner, names: &BTreeMap<String, String>) -> String {
    let named = names
        .get(&format!("{owner}/name"))
        .filter(|n| !n.trim().is_empty());
    match (owner, named) {
        (_, Some(n)) => n.clone(),
        (Owner::Track(t), None) => format!("Track {}", u32::from(t) + 1),
        (Owner::Bus(b), None) => format!("Bus {}", u32::from(b) + 1),
        (Owner::Master, None) => "Master".into(),
        (Owner::Transport, None) => "Session".into(),
        (Owner::Monitor, None) => "Monitor".into(),
    }
}

/// What a parameter is on its strip: "fader", "Verb send", "EQ 2 gain",
/// "comp threshold".
pub fn what(id: ParamId, names: &BTreeMap<String, String>) -> String {
    if let Param::Send { bus, field } = id.param {
        let bus = strip(Owner::Bus(bus), names);
        return match field {
            SendField::Level => format!("{bus} send"),
            SendField::Pre => format!("{bus} send pre-fader"),
            SendField::On => format!("{bus} send on"),
        };
    }
    if id.param == Param::Gain {
        return "fader".into();
    }
    let path = ParamRef::plain(id).to_string();
    let below = path
        .strip_prefix(&format!("{}/", id.owner))
        .unwrap_or(&path);
    below
        .split('/')
        .map(|w| match w {
            "eq" | "hpf" => w.to_uppercase(),
            _ => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The unit written after a change's values ("dB", "Hz"), if any.
pub fn unit(param: Param) -> &'static str {
    Spec::of(param).unit.suffix()
}

/// A value in its parameter's terms, without the unit: "-4.0", "-inf",
/// "on", "peak", "L30", "C".
pub fn value(param: Param, v: f32) -> String {
    let spec = Spec::of(param);
    if param == Param::Pan {
        return match (v * 100.0).round() as i32 {
            0 => "C".into(),
            p if p < 0 => format!("L{}", -p),
            p => format!("R{p}"),
        };
    }
    match spec.unit {
        Unit::Decibels if spec.taper == Taper::FaderLaw && v <= crate::units::SILENCE_DB => {
            "-inf".into()
        }
        Unit::Decibels | Unit::Millis | Unit::Bpm | Unit::Ratio => format!("{v:.1}"),
        Unit::Switch => (if v >= 0.5 { "on" } else { "off" }).into(),
        Unit::Choice(_) => spec.choice_name(v).unwrap_or("?").into(),
        Unit::Hertz if v >= 100.0 => format!("{v:.0}"),
        _ => trimmed(v),
    }
}

/// Up to two decimals, without trailing zeros.
fn trimmed(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// A time on the timeline: "1:02", "1:02.5", "1:02:03".
pub fn time(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).round() as u64;
    let (whole, tenth) = (tenths / 10, tenths % 10);
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    let mut out = if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    };
    if tenth != 0 {
        out.push_str(&format!(".{tenth}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{CompField, EqField};

    #[test]
    fn parameters_values_and_times_in_a_mixers_words() {
        let names: BTreeMap<String, String> = [
            ("track/4/name".to_string(), "Lead Vox".to_string()),
            ("bus/1/name".to_string(), "Verb".to_string()),
        ]
        .into();
        assert_eq!(strip(Owner::Track(3), &names), "Lead Vox");
        assert_eq!(strip(Owner::Track(0), &names), "Track 1");
        assert_eq!(strip(Owner::Transport, &names), "Session");
        let send = Param::Send {
            bus: 0,
            field: SendField::Level,
        };
        assert_eq!(what(ParamId::track(3, send), &names), "Verb send");
        assert_eq!(what(ParamId::track(3, Param::Gain), &names), "fader");
        let eq = Param::Eq {
            band: 1,
            field: EqField::Gain,
        };
        assert_eq!(what(ParamId::track(3, eq), &names), "EQ 2 gain");
        assert_eq!(
            what(ParamId::master(Param::Comp(CompField::Threshold)), &names),
            "comp threshold"
        );
        assert_eq!(what(ParamId::track(0, Param::HpfFreq), &names), "HPF freq");
        assert_eq!(value(Param::Gain, -4.0), "-4.0");
        assert_eq!(value(Param::Gain, f32::NEG_INFINITY), "-inf");
        assert_eq!(value(Param::Gain, -144.0), "-inf");
        assert_eq!(value(Param::Pan, -0.3), "L30");
        assert_eq!(value(Param::Pan, 0.0), "C");
        assert_eq!(value(Param::Mute, 1.0), "on");
        assert_eq!(value(Param::Automation, 2.0), "touch");
        assert_eq!(value(Param::HpfFreq, 120.0), "120");
        assert_eq!(value(Param::Width, 1.5), "1.5");
        assert_eq!(unit(Param::Gain), " dB");
        assert_eq!(time(62.0), "1:02");
        assert_eq!(time(62.5), "1:02.5");
        assert_eq!(time(3723.0), "1:02:03");
        assert_eq!(time(0.0), "0:00");
    }
}
