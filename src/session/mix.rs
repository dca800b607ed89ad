//! Turning `mix` entries (path → YAML scalar) into parameter values in the
//! units of their [`Spec`], with messages that say what each path accepts.

use super::file::Scalar;
use crate::params::{
    Form, Owner, Param, ParamId, ParamRef, PathError, Registry, SendField, Spec, Taper, Unit,
};
use crate::units::SILENCE_DB;

/// A value for `spec` as written in the file, or what would be allowed.
pub(super) fn value(spec: &Spec, form: Form, v: &Scalar) -> Result<f32, String> {
    if form == Form::Fader {
        return match v {
            Scalar::Number(n) if (0.0..=1.0).contains(n) => Ok(form.to_plain(*n as f32)),
            _ => Err(format!(
                "{v} is not allowed; allowed: a fader position from 0 to 1"
            )),
        };
    }
    let bad = || Err(format!("{v} is not allowed; allowed: {}", allowed(spec)));
    match (spec.unit, v) {
        (Unit::Switch, Scalar::Bool(b)) => Ok(if *b { 1.0 } else { 0.0 }),
        (Unit::Choice(_), Scalar::Text(name)) => spec.choice_index(name).map_or_else(bad, Ok),
        (_, Scalar::Text(t)) if spec.taper == Taper::FaderLaw && t.eq_ignore_ascii_case("-inf") => {
            Ok(SILENCE_DB)
        }
        (_, Scalar::Number(n)) if spec.taper == Taper::FaderLaw && *n <= SILENCE_DB as f64 => {
            Ok(SILENCE_DB)
        }
        (_, Scalar::Number(n)) if n.is_finite() && spec.contains(*n as f32) => Ok(*n as f32),
        _ => bad(),
    }
}

fn allowed(spec: &Spec) -> String {
    match spec.unit {
        Unit::Choice(_) => format!("{} (or its index from 0)", spec.describe()),
        _ if spec.taper == Taper::FaderLaw => format!(
            "{} (-inf or anything at or below {SILENCE_DB} is off)",
            spec.describe()
        ),
        _ => spec.describe(),
    }
}

/// Resolve a `mix` key against the session's address space.
pub(super) fn resolve(
    reg: &Registry,
    path: &str,
    describe_bus: impl Fn(u16) -> String,
) -> Result<ParamRef, String> {
    let r = reg.resolve(path).map_err(|e| match &e {
        PathError::Unknown(_) => match owner_of(path) {
            Some((owner, prefix)) => {
                format!(
                    "`{path}` is not a parameter path; allowed under {prefix}: {}",
                    summary(reg, owner)
                )
            }
            None => format!(
                "`{path}` is not a parameter path; allowed: track/N/..., bus/N/..., master/..."
            ),
        },
        PathError::NoSuch { what, count, .. } => {
            let hint = match (*what, *count) {
                ("track", 0) => "none until a track is listed under `tracks`".to_string(),
                ("bus", 0) => "none until a bus is listed under `buses`".to_string(),
                (what, n) => format!("{what} 1 to {n}"),
            };
            format!("{e}; allowed: {hint}")
        }
        PathError::NotHere { .. } => match ParamRef::parse(path) {
            Ok(r) if r.id.owner == Owner::Monitor => format!(
                "`{path}`: the monitor section is the machine's (config.yaml `monitor:`), not the session's; allowed here: track/N/..., bus/N/..., master/..."
            ),
            Ok(r) => {
                let (owner_text, prefix) = match r.id.owner {
                    Owner::Track(n) => (format!("track {}", n + 1), format!("track/{}", n + 1)),
                    Owner::Bus(n) => (describe_bus(n), format!("bus/{}", n + 1)),
                    Owner::Master => ("the master".to_string(), "master".to_string()),
                    Owner::Transport => ("the transport".to_string(), "transport".to_string()),
                    Owner::Monitor => ("the monitor".to_string(), "monitor".to_string()),
                };
                format!(
                    "`{path}`: {owner_text} has no such parameter; allowed under {prefix}: {}",
                    summary(reg, r.id.owner)
                )
            }
            Err(e) => e.to_string(),
        },
    })?;
    if r.id.owner == Owner::Transport {
        return Err(format!(
            "`{path}`: the tempo is the top-level `tempo` key; allowed here: track/N/..., bus/N/..., master/..."
        ));
    }
    Ok(r)
}

/// The owner a path names, and that part of the path, if it names one.
fn owner_of(path: &str) -> Option<(Owner, String)> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let n = || {
        segs.get(1)?
            .parse::<u16>()
            .ok()
            .filter(|n| *n >= 1)
            .map(|n| n - 1)
    };
    match *segs.first()? {
        "track" => Some((Owner::Track(n()?), format!("track/{}", n()? + 1))),
        "bus" => Some((Owner::Bus(n()?), format!("bus/{}", n()? + 1))),
        "master" => Some((Owner::Master, "master".to_string())),
        _ => None,
    }
}

/// The parameters of an owner, compactly: `gain, fader, ..., eq/N/{type,freq,...}`.
fn summary(reg: &Registry, owner: Owner) -> String {
    let mut suffixes: Vec<String> = Vec::new();
    for param in reg.params_of(owner) {
        let id = ParamId::new(owner, param);
        let mut forms = vec![ParamRef::plain(id)];
        if matches!(
            param,
            Param::Gain
                | Param::Send {
                    field: SendField::Level,
                    ..
                }
        ) {
            forms.push(ParamRef {
                id,
                form: Form::Fader,
            });
        }
        for r in forms {
            let full = r.to_string();
            let below_owner: Vec<&str> = full
                .split('/')
                .skip(if owner == Owner::Master { 1 } else { 2 })
                .collect();
            let generic: Vec<&str> = below_owner
                .iter()
                .map(|s| {
                    if s.bytes().all(|b| b.is_ascii_digit()) {
                        "N"
                    } else {
                        s
                    }
                })
                .collect();
            let s = generic.join("/");
            if !suffixes.contains(&s) {
                suffixes.push(s);
            }
        }
    }
    // Group the last segment of paths that share everything before it.
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for s in suffixes {
        let (head, last) = match s.rsplit_once('/') {
            Some((h, l)) => (h.to_string(), l.to_string()),
            None => (String::new(), s),
        };
        match groups
            .iter_mut()
            .find(|(h, _)| *h == head && !head.is_empty())
        {
            Some((_, lasts)) => lasts.push(last),
            None => groups.push((head, vec![last])),
        }
    }
    groups
        .into_iter()
        .map(|(head, lasts)| match (head.is_empty(), lasts.len()) {
            (true, _) => lasts.join(", "),
            (false, 1) => format!("{head}/{}", lasts[0]),
            (false, _) => format!("{head}/{{{}}}", lasts.join(",")),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{BusEffect, CompField, DelayField, EqField, Layout};

    fn reg() -> Registry {
        Registry::new(Layout {
            tracks: 2,
            buses: vec![BusEffect::Reverb, BusEffect::Delay],
        })
    }

    fn num(n: f64) -> Scalar {
        Scalar::Number(n)
    }

    #[test]
    fn values_follow_the_spec_of_their_parameter() {
        let eq_type = Spec::of(Param::Eq {
            band: 0,
            field: EqField::Type,
        });
        assert_eq!(
            value(&eq_type, Form::Plain, &Scalar::Text("LowShelf".into())),
            Ok(1.0)
        );
        assert_eq!(value(&eq_type, Form::Plain, &num(4.0)), Ok(4.0));
        assert!(value(&eq_type, Form::Plain, &num(5.0))
            .unwrap_err()
            .contains("one of peak, lowshelf"));
        let note = Spec::of(Param::Delay(DelayField::Note));
        assert_eq!(
            value(&note, Form::Plain, &Scalar::Text("1/8d".into())),
            Ok(9.0)
        );
        let on = Spec::of(Param::Comp(CompField::On));
        assert_eq!(value(&on, Form::Plain, &Scalar::Bool(true)), Ok(1.0));
        assert_eq!(value(&on, Form::Plain, &num(0.0)), Ok(0.0));
        assert!(value(&on, Form::Plain, &num(0.5)).is_err());
        let ratio = Spec::of(Param::Comp(CompField::Ratio));
        assert!(value(&ratio, Form::Plain, &num(0.5))
            .unwrap_err()
            .contains("from 1 to 100:1"));
        assert!(value(&ratio, Form::Plain, &num(f64::NAN)).is_err());
        assert!(value(&ratio, Form::Plain, &Scalar::Bool(true)).is_err());
    }

    #[test]
    fn levels_take_minus_infinity_and_the_fader_law() {
        let gain = Spec::of(Param::Gain);
        assert_eq!(
            value(&gain, Form::Plain, &Scalar::Text("-inf".into())),
            Ok(SILENCE_DB)
        );
        assert_eq!(
            value(&gain, Form::Plain, &num(f64::NEG_INFINITY)),
            Ok(SILENCE_DB)
        );
        assert_eq!(value(&gain, Form::Plain, &num(-200.0)), Ok(SILENCE_DB));
        assert!(value(&gain, Form::Plain, &num(10.5)).is_err());
        // Breakpoints of the X32-family law (DESIGN.md).
        for (pos, db) in [(0.75, 0.0), (0.5, -10.0), (0.25, -30.0), (1.0, 10.0)] {
            let v = value(&gain, Form::Fader, &num(pos)).unwrap();
            assert!((v - db).abs() < 1e-4, "{pos} -> {v}");
        }
        assert_eq!(value(&gain, Form::Fader, &num(0.0)), Ok(SILENCE_DB));
        assert!(value(&gain, Form::Fader, &num(1.5))
            .unwrap_err()
            .contains("fader position from 0 to 1"));
    }

    #[test]
    fn bad_paths_say_what_is_allowed() {
        let r = reg();
        let bus = |n: u16| format!("bus {}", n + 1);
        let e = resolve(&r, "track/1/gian", bus).unwrap_err();
        assert!(
            e.contains("allowed under track/1: gain, fader, trim"),
            "{e}"
        );
        assert!(e.contains("eq/N/{type,freq,gain,q,on}"), "{e}");
        assert!(e.contains("send/N/{level,fader,pre,on}"), "{e}");
        let e = resolve(&r, "bus/2/reverb/decay", bus).unwrap_err();
        assert!(e.contains("bus 2 has no such parameter"), "{e}");
        assert!(e.contains("delay/{time,note,feedback"), "{e}");
        assert!(
            !e.split("allowed under").nth(1).unwrap().contains("reverb"),
            "{e}"
        );
        let e = resolve(&r, "track/3/gain", bus).unwrap_err();
        assert!(e.contains("track 3 does not exist (there are 2)"), "{e}");
        let e = resolve(&r, "master/limiter/ceilng", bus).unwrap_err();
        assert!(e.contains("limiter/{ceiling,release,on}"), "{e}");
        let e = resolve(&r, "tracks/1/gain", bus).unwrap_err();
        assert!(
            e.contains("allowed: track/N/..., bus/N/..., master/..."),
            "{e}"
        );
        assert!(resolve(&r, "transport/tempo", bus)
            .unwrap_err()
            .contains("top-level `tempo`"));
        assert_eq!(
            resolve(&r, "bus/1/reverb/decay", bus).unwrap().id,
            ParamId::bus(0, Param::Reverb(crate::params::ReverbField::Decay))
        );
    }
}
