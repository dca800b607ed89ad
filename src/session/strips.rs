//! Checking the `tracks` and `buses` sections. Every entry yields a strip,
//! even a faulty one, so that indices stay those of the file while the
//! remaining sections are checked; any error discards the whole session.

use super::file::{BusFile, Effect, Kind, Numbers, SourceFile, TrackFile};
use super::{BusDef, BusKind, Colour, Source, TrackDef};
use crate::params::BusEffect;
use crate::yaml::{Located, Origin};
use std::path::Path;

pub(super) fn tracks(
    files: &[TrackFile],
    src: &Origin,
    dir: &Path,
    errors: &mut Vec<Located>,
) -> Vec<TrackDef> {
    let mut out: Vec<TrackDef> = Vec::with_capacity(files.len());
    for (i, t) in files.iter().enumerate() {
        let i_s = i.to_string();
        let at = |key: &[&str], msg: String| src.at(&[&["tracks", &i_s], key].concat(), msg);
        let who = format!("track {} `{}`", i + 1, t.name);
        if let Some(m) = name_problem(&t.name, out.iter().map(|d| d.name.as_str()), "track") {
            errors.push(at(&["name"], format!("{who}: {m}")));
        }
        let channels = match t.channels {
            None => Some(1),
            Some(c @ (1 | 2)) => Some(c as u8),
            Some(c) => {
                errors.push(at(
                    &["channels"],
                    format!("{who}: channels {c} is not allowed; allowed: 1 (mono) or 2 (stereo)"),
                ));
                None
            }
        };
        let source = match &t.source {
            None => Source::None,
            Some(s) => source(s, channels, dir, &who, errors, |key, m| {
                at(&[&["source"], key].concat(), m)
            }),
        };
        let colour = match t.colour.as_deref() {
            None => Colour::default(),
            Some(c) => Colour::from_name(c).unwrap_or_else(|| {
                errors.push(at(
                    &["colour"],
                    format!(
                        "{who}: colour `{c}` is not allowed; allowed: {}",
                        Colour::NAMES.join(", ")
                    ),
                ));
                Colour::default()
            }),
        };
        out.push(TrackDef {
            name: t.name.clone(),
            colour,
            channels: channels.unwrap_or(1),
            source,
        });
    }
    out
}

const SOURCE_FORMS: &str = "allowed: `input: N` (or `[N, M]`) or `file: path`";

/// A track's `source`: exactly one of `input` (one channel per track
/// channel) and `file` (an audio file, relative to the session folder).
fn source(
    s: &SourceFile,
    channels: Option<u8>,
    dir: &Path,
    who: &str,
    errors: &mut Vec<Located>,
    at: impl Fn(&[&str], String) -> Located,
) -> Source {
    match (&s.input, &s.file) {
        (Some(input), None) => {
            let chans = numbers(input, "input", who, errors, |m| at(&["input"], m));
            if let Some(c) = channels {
                if input.0.len() != c as usize {
                    let like = if c == 1 { "1" } else { "[5, 6]" };
                    let plural = |n: usize| if n == 1 { "" } else { "s" };
                    errors.push(at(
                        &["input"],
                        format!(
                            "{who} has {c} channel{} but lists {} input channel{}; allowed: one input per channel, like {like}",
                            plural(c as usize),
                            input.0.len(),
                            plural(input.0.len()),
                        ),
                    ));
                }
            }
            Source::Input(chans)
        }
        (None, Some(file)) => {
            let path = dir.join(file);
            if let Err(why) = check_audio_file(&path) {
                errors.push(at(
                    &["file"],
                    format!(
                        "{who}: `{}` {why}; allowed: an audio file ({}), absolute or relative to the session folder",
                        file.display(),
                        crate::audio_file::READABLE
                    ),
                ));
            }
            Source::File(path)
        }
        (Some(_), Some(_)) => {
            errors.push(at(
                &[],
                format!("{who}: a source is either an input or a file, not both; {SOURCE_FORMS}"),
            ));
            Source::None
        }
        (None, None) => {
            errors.push(at(
                &[],
                format!("{who}: `source` names no input or file; {SOURCE_FORMS}"),
            ));
            Source::None
        }
    }
}

pub(super) fn buses(files: &[BusFile], src: &Origin, errors: &mut Vec<Located>) -> Vec<BusDef> {
    let mut out: Vec<BusDef> = Vec::with_capacity(files.len());
    for (i, b) in files.iter().enumerate() {
        let i_s = i.to_string();
        let at = |key: &str, msg: String| src.at(&["buses", &i_s, key], msg);
        let who = format!("bus {} `{}`", i + 1, b.name);
        if let Some(m) = name_problem(&b.name, out.iter().map(|d| d.name.as_str()), "bus") {
            errors.push(at("name", format!("{who}: {m}")));
        }
        let kind = match b.kind {
            Kind::Fx => {
                if b.output.is_some() {
                    errors.push(at(
                        "output",
                        format!("{who}: only aux buses have an `output` (fx buses return to the master); allowed: `output` on `kind: aux` buses"),
                    ));
                }
                let effect = match b.effect {
                    Some(Effect::Reverb) => BusEffect::Reverb,
                    Some(Effect::Delay) => BusEffect::Delay,
                    None => {
                        errors.push(at(
                            "kind",
                            format!("{who}: an fx bus needs `effect`; allowed: reverb, delay"),
                        ));
                        BusEffect::None
                    }
                };
                BusKind::Fx { effect }
            }
            Kind::Aux => {
                if b.effect.is_some() {
                    errors.push(at(
                        "effect",
                        format!("{who}: aux buses carry no effect; allowed: `effect` on `kind: fx` buses only"),
                    ));
                }
                let output = match &b.output {
                    None => Vec::new(),
                    Some(o) => {
                        let outs = numbers(o, "output", &who, errors, |m| at("output", m));
                        if outs.len() > 2 {
                            errors.push(at(
                                "output",
                                format!("{who}: {} outputs listed; allowed: none, one, or a stereo pair like [3, 4]", outs.len()),
                            ));
                        }
                        outs
                    }
                };
                BusKind::Aux { output }
            }
        };
        out.push(BusDef {
            name: b.name.clone(),
            kind,
        });
    }
    out
}

/// Names must be non-empty and unique within their section.
fn name_problem<'a>(
    name: &str,
    mut earlier: impl Iterator<Item = &'a str>,
    what: &str,
) -> Option<String> {
    if name.trim().is_empty() {
        Some("the name is empty; allowed: any text".to_string())
    } else {
        earlier.position(|e| e == name).map(|n| {
            format!(
                "{what} {} already has this name; allowed: a name no other {what} uses",
                n + 1
            )
        })
    }
}

/// Interface channel numbers, which count from 1.
fn numbers(
    n: &Numbers,
    what: &str,
    who: &str,
    errors: &mut Vec<Located>,
    at: impl Fn(String) -> Located,
) -> Vec<u16> {
    n.0.iter()
        .filter_map(|&c| match u16::try_from(c) {
            Ok(c) if c >= 1 => Some(c),
            _ => {
                errors.push(at(format!(
                    "{who}: {what} channel {c} does not exist; allowed: 1 to {} (interface channels count from 1)",
                    u16::MAX
                )));
                None
            }
        })
        .collect()
}

/// Render and playback read the file later; say now if they could not.
fn check_audio_file(path: &Path) -> Result<(), String> {
    if !path.exists() {
        return Err(format!("does not exist (looked for {})", path.display()));
    }
    if !path.is_file() {
        return Err(format!("is not a file ({})", path.display()));
    }
    crate::audio_file::probe(path)
        .map_err(|e| format!("cannot be played ({}: {})", path.display(), e.reason()))
}
