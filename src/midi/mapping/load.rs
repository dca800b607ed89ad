//! Checking a generic mapping file and building its [`Mapping`]: every
//! problem is reported with its position and what is allowed.

use super::binding::*;
use super::file::{ActionText, BindingText, MappingText};
use crate::midi::calibration::Calibration;
use crate::midi::{Action, TransportAction};
use crate::params::AutomationMode;
use crate::params::ParamRef;
use crate::yaml::{Errors, Located, Origin};

/// Strips per bank when the file does not say.
const DEFAULT_STRIPS: usize = 8;

const ACTIONS: [&str; 16] = [
    "bank-left",
    "bank-right",
    "strip-left",
    "strip-right",
    "shift",
    "play",
    "stop",
    "record",
    "rewind",
    "fast-forward",
    "loop",
    "marker-previous",
    "marker-next",
    "marker-add",
    "ab-toggle",
    "ab-off",
];

pub(super) fn build(text: MappingText, src: &Origin) -> Result<Mapping, Errors> {
    let mut errors = Vec::new();
    let strips = text.strips.unwrap_or(DEFAULT_STRIPS);
    if !(1..=64).contains(&strips) {
        errors.push(src.at(
            &["strips"],
            format!("`strips` is {strips}; allowed: 1 to 64"),
        ));
    }
    let channel = match text.channel {
        None => 0,
        Some(c @ 1..=16) => c - 1,
        Some(c) => {
            errors.push(src.at(&["channel"], format!("channel {c}; allowed: 1 to 16")));
            0
        }
    };
    let mut bindings = Vec::new();
    for (i, b) in text.bindings.iter().enumerate() {
        let at = Place {
            src,
            index: i.to_string(),
        };
        match binding(b, &at, channel, strips) {
            Ok(b) => bindings.push(b),
            Err(e) => errors.extend(e),
        }
    }
    Errors::check(errors)?;
    Ok(Mapping {
        name: text.name,
        strips,
        bindings,
    })
}

/// Where in the file a binding is.
struct Place<'a> {
    src: &'a Origin,
    index: String,
}

impl Place<'_> {
    fn at(&self, key: &str, message: impl Into<String>) -> Located {
        self.src.at(&["bindings", &self.index, key], message)
    }
}

fn choice<T: Copy>(
    at: &Place,
    key: &str,
    given: &Option<String>,
    names: &[&str],
    values: &[T],
    errors: &mut Vec<Located>,
) -> Option<T> {
    let g = given.as_deref()?;
    match names.iter().position(|n| *n == g) {
        Some(i) => Some(values[i]),
        None => {
            errors.push(at.at(
                key,
                format!("unknown {key} `{g}`; allowed: {}", names.join(", ")),
            ));
            None
        }
    }
}

fn binding(
    b: &BindingText,
    at: &Place,
    channel: u8,
    strips: usize,
) -> Result<Binding, Vec<Located>> {
    let mut errors = Vec::new();
    let kinds = [
        (Kind::Cc, &b.cc),
        (Kind::Cc14, &b.cc14),
        (
            Kind::Nrpn {
                fourteen: b.bits == Some(14),
            },
            &b.nrpn,
        ),
        (Kind::PitchBend, &b.pitchbend),
        (Kind::Note, &b.note),
        (Kind::Program, &b.program),
    ];
    let given: Vec<(Kind, Vec<u16>)> = kinds
        .iter()
        .filter_map(|(k, n)| n.as_ref().map(|n| (*k, n.list())))
        .collect();
    let (kind, numbers) = match given.as_slice() {
        [one] => one.clone(),
        [] => {
            let allowed = Kind::NAMES.join(", ");
            return Err(vec![at.at(
                "",
                format!("the binding names no control; allowed: one of {allowed}"),
            )]);
        }
        _ => {
            return Err(vec![at.at(
                "",
                "the binding names more than one kind of control; allowed: exactly one".to_string(),
            )]);
        }
    };
    let key = Kind::NAMES[kinds.iter().position(|(k, _)| *k == kind).unwrap_or(0)];
    if numbers.is_empty() || numbers.len() > strips {
        errors.push(at.at(
            key,
            format!(
                "{} controls listed; allowed: 1 to {strips} (one per strip)",
                numbers.len()
            ),
        ));
    }
    let limit = match kind {
        Kind::Cc14 => 31,
        Kind::Nrpn { .. } => 16383,
        Kind::PitchBend => 16,
        _ => 127,
    };
    let low = if kind == Kind::PitchBend { 1 } else { 0 };
    for &n in &numbers {
        if n < low || n > limit {
            errors.push(at.at(key, format!("{key} number {n}; allowed: {low} to {limit}")));
        }
    }
    if b.bits.is_some_and(|x| x != 7 && x != 14)
        || (b.bits.is_some() && !matches!(kind, Kind::Nrpn { .. }))
    {
        errors.push(at.at(
            "bits",
            "`bits` is for nrpn bindings; allowed: 7 or 14".to_string(),
        ));
    }
    let channels: Vec<u8> = match (&b.channel, kind) {
        (_, Kind::PitchBend) => numbers.iter().map(|&c| (c.max(1) - 1) as u8).collect(),
        (None, _) => vec![channel; numbers.len()],
        (Some(c), _) => {
            let list = c.list();
            if list.iter().any(|c| !(1..=16).contains(c)) {
                errors.push(at.at(
                    "channel",
                    "channel out of range; allowed: 1 to 16".to_string(),
                ));
            }
            match list.len() {
                1 => vec![(list[0].clamp(1, 16) - 1) as u8; numbers.len()],
                n if n == numbers.len() => {
                    list.iter().map(|c| (c.clamp(&1, &16) - 1) as u8).collect()
                }
                n => {
                    errors.push(at.at("channel", format!("{n} channels for {} controls; allowed: one channel, or one per control", numbers.len())));
                    vec![channel; numbers.len()]
                }
            }
        }
    };
    let controls = channels
        .into_iter()
        .zip(
            numbers
                .iter()
                .map(|&n| if kind == Kind::PitchBend { 0 } else { n }),
        )
        .collect();

    let does = match (&b.target, &b.action) {
        (Some(t), None) => {
            let probe = t.replace("{strip}", "1");
            if let Err(e) = ParamRef::parse(&probe) {
                errors.push(at.at(
                    "target",
                    format!("{e}; allowed: a parameter path such as track/{{strip}}/fader"),
                ));
            }
            Does::Target(t.clone())
        }
        (None, Some(a)) => match action(a) {
            Ok(a) => Does::Action(a),
            Err(m) => {
                errors.push(at.at("action", m));
                Does::Action(BindAction::Shift)
            }
        },
        _ => {
            return Err(vec![at.at(
                "",
                "a binding has either a `target` or an `action`, not both or neither".to_string(),
            )]);
        }
    };
    let mode = choice(
        at,
        "mode",
        &b.mode,
        &["momentary", "toggle"],
        &[NoteMode::Momentary, NoteMode::Toggle],
        &mut errors,
    );
    if b.mode.is_some() && !matches!(kind, Kind::Note | Kind::Cc) {
        errors.push(at.at(
            "mode",
            "`mode` makes a button; allowed with: note, cc".to_string(),
        ));
    }
    let encoder = choice(
        at,
        "encoder",
        &b.encoder,
        &Encoding::NAMES,
        &Encoding::ALL,
        &mut errors,
    );
    if b.encoder.is_some() && !matches!(kind, Kind::Cc | Kind::Nrpn { fourteen: false }) {
        errors.push(at.at(
            "encoder",
            "relative encoders send 7-bit cc or nrpn; allowed with: cc, nrpn".to_string(),
        ));
    }
    let taper = match (&b.calibration, &b.taper) {
        (Some(points), None) => match Calibration::new(points, kind.max()) {
            Ok(c) => Some(Taper::Calibrated(c)),
            Err(e) => {
                errors.push(at.at("calibration", e));
                None
            }
        },
        (Some(_), Some(_)) => {
            errors.push(at.at(
                "taper",
                "a binding has a `taper` or a `calibration` table, not both".to_string(),
            ));
            None
        }
        (None, t) => {
            choice(at, "taper", t, &Taper::NAMES, &[0, 1, 2], &mut errors).map(|i| match i {
                0 => Taper::Fader,
                1 => Taper::Linear,
                _ => Taper::Log,
            })
        }
    };
    let takeover = choice(
        at,
        "takeover",
        &b.takeover,
        &Takeover::NAMES,
        &[Takeover::Jump, Takeover::Pickup, Takeover::Scale],
        &mut errors,
    )
    .unwrap_or(Takeover::Pickup);
    let shift = match b.layer.as_deref() {
        None => false,
        Some("shift") => true,
        Some(l) => {
            errors.push(at.at("layer", format!("unknown layer `{l}`; allowed: shift")));
            false
        }
    };
    if let Some((lo, hi)) = b.range {
        if !(lo.is_finite() && hi.is_finite()) || lo >= hi {
            errors.push(at.at(
                "range",
                format!("range [{lo}, {hi}]; allowed: [low, high] with low below high"),
            ));
        }
    }
    for (key, v, ok) in [
        ("step", b.step, b.step.is_none_or(|s| s > 0.0 && s <= 1.0)),
        (
            "acceleration",
            b.acceleration,
            b.acceleration.is_none_or(|a| (1.0..=4.0).contains(&a)),
        ),
    ] {
        if !ok {
            let allowed = if key == "step" {
                "above 0, at most 1 (of the travel)"
            } else {
                "1 (none) to 4"
            };
            errors.push(at.at(
                key,
                format!("`{key}` is {}; allowed: {allowed}", v.unwrap_or(0.0)),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Binding {
        kind,
        controls,
        does,
        mode,
        encoder,
        step: b.step.unwrap_or(1.0 / 128.0),
        acceleration: b.acceleration.unwrap_or(1.0),
        taper,
        range: b.range,
        invert: b.invert,
        takeover,
        shift,
        feedback: b.feedback.unwrap_or(true),
    })
}

fn action(a: &ActionText) -> Result<BindAction, String> {
    let t = |x| Ok(BindAction::Daemon(Action::Transport(x)));
    match a {
        ActionText::Name(n) => match n.as_str() {
            "bank-left" => Ok(BindAction::BankLeft),
            "bank-right" => Ok(BindAction::BankRight),
            "strip-left" => Ok(BindAction::StripLeft),
            "strip-right" => Ok(BindAction::StripRight),
            "shift" => Ok(BindAction::Shift),
            "play" => t(TransportAction::Play),
            "stop" => t(TransportAction::Stop),
            "record" => t(TransportAction::Record),
            "rewind" => t(TransportAction::Rewind),
            "fast-forward" => t(TransportAction::FastForward),
            "loop" => t(TransportAction::Loop),
            "marker-previous" => t(TransportAction::PreviousMarker),
            "marker-next" => t(TransportAction::NextMarker),
            "marker-add" => t(TransportAction::AddMarker),
            "ab-toggle" => Ok(BindAction::Daemon(Action::AbToggle)),
            "ab-off" => Ok(BindAction::Daemon(Action::AbOff)),
            other => Err(format!(
                "unknown action `{other}`; allowed: {}, {{ automation: MODE }}, {{ scene: NAME }}, {{ revision: NAME }}, {{ ab: [A, B] }}",
                ACTIONS.join(", ")
            )),
        },
        ActionText::Revision { revision } => Ok(BindAction::Daemon(Action::Revision(
            revision.clone(),
        ))),
        ActionText::Ab { ab: (a, b) } => Ok(BindAction::Daemon(Action::Ab(a.clone(), b.clone()))),
        ActionText::Automation { automation } => {
            if AutomationMode::from_name(automation).is_some() {
                Ok(BindAction::Daemon(Action::AutomationMode(
                    automation.clone(),
                )))
            } else {
                Err(format!(
                    "unknown automation mode `{automation}`; allowed: {}",
                    AutomationMode::NAMES.join(", ")
                ))
            }
        }
        ActionText::Scene { scene } => Ok(BindAction::Daemon(Action::Scene {
            name: scene.clone(),
            save: false,
        })),
    }
}
