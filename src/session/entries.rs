//! The session's parameter values: the tracks' `sends`, then the `mix`
//! section, each checked against the session's own address space. Two
//! entries for one parameter (`track/1/gain` and `track/1/fader`, or a send
//! given both in `sends` and in `mix`) are an error rather than a silent
//! "last one wins".

use super::file::{BusRef, SessionFile};
use super::{mix, BusDef, BusKind};
use crate::params::{BusEffect, Form, Param, ParamId, ParamRef, Registry, SendField, Spec};
use crate::yaml::{Located, Origin, Pos};
use std::collections::HashMap;

struct Entries<'a> {
    src: &'a Origin,
    list: Vec<(ParamId, f32)>,
    /// Where each parameter was set, and how it was written there.
    seen: HashMap<ParamId, (Pos, String)>,
}

impl Entries<'_> {
    fn push(&mut self, id: ParamId, v: f32, at: Pos, label: String, errors: &mut Vec<Located>) {
        if let Some((first, first_label)) = self.seen.get(&id) {
            errors.push(Located::new(
                &self.src.file,
                at,
                format!(
                    "`{label}` sets the same parameter as `{first_label}` on line {}; allowed: each parameter once",
                    first.line
                ),
            ));
            return;
        }
        self.seen.insert(id, (at, label));
        self.list.push((id, v));
    }
}

pub(super) fn collect(
    f: &SessionFile,
    reg: &Registry,
    buses: &[BusDef],
    src: &Origin,
    errors: &mut Vec<Located>,
) -> Vec<(ParamId, f32)> {
    let mut out = Entries {
        src,
        list: Vec::new(),
        seen: HashMap::new(),
    };
    for (i, t) in f.tracks.iter().enumerate() {
        let i_s = i.to_string();
        for (j, s) in t.sends.iter().enumerate() {
            let j_s = j.to_string();
            let path = ["tracks", i_s.as_str(), "sends", j_s.as_str()];
            let at = |key: &str| src.map.nearest(&[&path[..], &[key]].concat());
            let who = format!("track {} `{}`", i + 1, t.name);
            let bus = match resolve_bus(&s.bus, buses) {
                Ok(b) => b,
                Err(m) => {
                    errors.push(Located::new(&src.file, at("bus"), format!("{who}: {m}")));
                    continue;
                }
            };
            let id = |field| ParamId::track(i as u16, Param::Send { bus, field });
            let label = |field| format!("{} (in `sends`)", ParamRef::plain(id(field)));
            let level = match &s.level {
                None => Ok(0.0),
                Some(v) => mix::value(&Spec::of(id(SendField::Level).param), Form::Plain, v),
            };
            match level {
                Ok(v) => out.push(
                    id(SendField::Level),
                    v,
                    at("level"),
                    label(SendField::Level),
                    errors,
                ),
                Err(m) => errors.push(Located::new(
                    &src.file,
                    at("level"),
                    format!("{who}: send level {m}"),
                )),
            }
            if let Some(pre) = s.pre {
                out.push(
                    id(SendField::Pre),
                    f32::from(u8::from(pre)),
                    at("pre"),
                    label(SendField::Pre),
                    errors,
                );
            }
            if let Some(on) = s.on {
                out.push(
                    id(SendField::On),
                    f32::from(u8::from(on)),
                    at("on"),
                    label(SendField::On),
                    errors,
                );
            }
        }
    }

    // Repeated keys are kept by the mix reader, so positions go by order.
    let positions = src.map.entries(&["mix"]);
    let aligned = positions.len() == f.mix.0.len();
    let describe_bus = |n: u16| match buses.get(n as usize) {
        Some(b) => {
            let kind = match b.kind {
                BusKind::Aux { .. } => "an aux bus",
                BusKind::Fx {
                    effect: BusEffect::Reverb,
                } => "a reverb bus",
                BusKind::Fx {
                    effect: BusEffect::Delay,
                } => "a delay bus",
                BusKind::Fx {
                    effect: BusEffect::None,
                } => "an fx bus without an effect",
            };
            format!("bus {} `{}` ({kind})", n + 1, b.name)
        }
        None => format!("bus {}", n + 1),
    };
    for (k, (key, v)) in f.mix.0.iter().enumerate() {
        let (key_at, value_at) = if aligned {
            (positions[k].1, positions[k].2)
        } else {
            let p = ["mix", key.as_str()];
            (
                src.map.key(&p).unwrap_or_else(|| src.map.nearest(&p)),
                src.map.nearest(&p),
            )
        };
        let r = match mix::resolve(reg, key, describe_bus) {
            Ok(r) => r,
            Err(m) => {
                errors.push(Located::new(&src.file, key_at, m));
                continue;
            }
        };
        match mix::value(&reg.spec(r.id), r.form, v) {
            Ok(x) => out.push(r.id, x, key_at, key.clone(), errors),
            Err(m) => errors.push(Located::new(&src.file, value_at, format!("`{key}`: {m}"))),
        }
    }
    out.list
}

/// A send's `bus`: a name or a 1-based number, to a 0-based index.
fn resolve_bus(r: &BusRef, buses: &[BusDef]) -> Result<u16, String> {
    if buses.is_empty() {
        return Err(
            "sends to a bus, but the session has no buses; allowed: buses listed under `buses`"
                .into(),
        );
    }
    let names = || {
        buses
            .iter()
            .map(|b| format!("`{}`", b.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match r {
        BusRef::Index(n) if (1..=buses.len() as i64).contains(n) => Ok((*n - 1) as u16),
        BusRef::Index(n) => Err(format!(
            "bus {n} does not exist (there are {}); allowed: 1 to {} or a bus name ({})",
            buses.len(),
            buses.len(),
            names()
        )),
        BusRef::Name(name) => buses
            .iter()
            .position(|b| b.name == *name)
            .map(|i| i as u16)
            .ok_or_else(|| {
                format!(
                    "no bus is named `{name}`; allowed: {} (or a bus number)",
                    names()
                )
            }),
    }
}
