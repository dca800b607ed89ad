//! A revision brought back into the live mix: its values, names and
//! colours into the model, its lanes into automation (files rewritten, the engine given
//! them), its markers and loop into the transport, its scenes and
//! recall-safes into the scenes, all at once.
//!
//! Everything is checked against the session before anything changes:
//! paths the session does not have (a track removed since) are skipped
//! and reported, never half-applied. A revision recall restores the whole
//! mix, recall-safes included: it is a version of the mix, not a scene.

use super::file::strip_of;
use super::Revision;
use crate::automation::file::LaneFile;
use crate::automation::Automation;
use crate::control::model::{Change, Key, Mix, Origin};
use crate::engine::EngineHandle;
use crate::params::{Owner, ParamId};
use crate::scenes::Scenes;
use crate::session::Colour;
use crate::transport::Transport;

/// What a recall did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Recalled {
    /// Values and names changed in the model, to be committed.
    pub changes: Vec<Change>,
    /// Paths of values, names and lanes the session does not have.
    pub unknown: Vec<String>,
    /// Files that could not be written (the live mix has the revision all
    /// the same), each with why.
    pub unsaved: Vec<String>,
}

/// A revision checked against a session's mix: what of it the session has.
pub struct Resolved {
    pub values: Vec<(ParamId, f32)>,
    pub names: Vec<(Owner, String)>,
    pub colours: Vec<(Owner, Colour)>,
    pub lanes: Vec<LaneFile>,
    /// Paths of values, names and lanes the session does not have.
    pub unknown: Vec<String>,
}

/// What of `revision` the session of `mix` has, and what it does not.
pub fn resolve(revision: &Revision, mix: &Mix) -> Resolved {
    let registry = mix.registry();
    let mut out = Resolved {
        values: Vec::with_capacity(revision.values.len()),
        names: Vec::new(),
        colours: Vec::new(),
        lanes: Vec::with_capacity(revision.lanes.len()),
        unknown: Vec::new(),
    };
    for (path, &v) in &revision.values {
        match registry.resolve(path) {
            Ok(r) if r.id.owner != Owner::Monitor => out.values.push((r.id, v)),
            _ => out.unknown.push(path.clone()),
        }
    }
    let strip = |path: &str, key: &str| strip_of(path, key).filter(|o| mix.name(*o).is_some());
    for (path, name) in &revision.names {
        match strip(path, "name") {
            Some(o) => out.names.push((o, name.clone())),
            None => out.unknown.push(path.clone()),
        }
    }
    for (path, colour) in &revision.colours {
        match (strip(path, "colour"), Colour::from_name(colour)) {
            (Some(o), Some(c)) => out.colours.push((o, c)),
            _ => out.unknown.push(path.clone()),
        }
    }
    for l in &revision.lanes {
        match registry.check(l.id, "") {
            Ok(()) => out.lanes.push(l.clone()),
            Err(_) => out.unknown.push(l.id.to_string()),
        }
    }
    out
}

/// Bring `revision` into the mix and the desk's parts.
pub fn recall(
    revision: &Revision,
    mix: &mut Mix,
    automation: &mut Automation,
    transport: &mut Transport,
    scenes: &mut Scenes,
    handle: &mut EngineHandle,
) -> Recalled {
    let Resolved {
        values,
        names,
        colours,
        lanes,
        unknown,
    } = resolve(revision, mix);
    let mut out = Recalled {
        unknown,
        ..Recalled::default()
    };
    for (id, v) in values {
        if mix.set(id, v).is_some() {
            out.changes.push(Change {
                key: Key::Param(id),
                origin: Origin::Session,
            });
        }
    }
    for (owner, name) in names {
        if mix.set_name(owner, &name) {
            out.changes.push(Change {
                key: Key::Name(owner),
                origin: Origin::Session,
            });
        }
    }
    for (owner, colour) in colours {
        if mix.set_colour(owner, colour) {
            out.changes.push(Change {
                key: Key::Colour(owner),
                origin: Origin::Session,
            });
        }
    }
    if let Err(e) = automation.replace(lanes, mix, handle) {
        out.unsaved.push(format!("automation lanes: {e}"));
    }
    let (command, saved) = transport.replace(
        revision.markers.clone(),
        revision.loop_range,
        revision.looping,
    );
    handle.transport(command);
    if let Err(e) = saved {
        out.unsaved.push(format!("markers and loop: {e}"));
    }
    if let Err(e) = scenes.replace(revision.scenes.clone(), revision.safes.clone()) {
        out.unsaved.push(format!("scenes: {e}"));
    }
    out
}
