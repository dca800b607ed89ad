//! The mix as it is now, as a revision: what a save writes, what a recall
//! keeps for its undo, and the "now" a diff compares with.

use super::Revision;
use crate::automation::Automation;
use crate::control::model::Mix;
use crate::params::Owner;
use crate::scenes::Scenes;
use crate::transport::{Marker, Transport};

/// Everything of the mix that a revision holds, named `name`, stamped
/// `saved` (milliseconds since 1970), with `note`. Times are kept to the
/// microsecond, as the files write them, so a capture equals its file.
pub fn capture(
    name: &str,
    note: &str,
    saved: u64,
    mix: &Mix,
    automation: &Automation,
    transport: &Transport,
    scenes: &Scenes,
) -> Revision {
    let mut kept_scenes: Vec<_> = scenes.list().into_iter().cloned().collect();
    kept_scenes.sort_by(|a, b| a.name.cmp(&b.name));
    Revision {
        name: name.to_string(),
        saved,
        note: note.to_string(),
        values: mix
            .values()
            .into_iter()
            .filter(|(id, _)| id.param.persistent() && id.owner != Owner::Monitor)
            .map(|(id, v)| (id.to_string(), v))
            .collect(),
        names: mix.names_by_path(),
        colours: mix.colours_by_path(),
        lanes: automation.files(),
        markers: transport
            .markers()
            .iter()
            .map(|m| Marker {
                name: m.name.clone(),
                time: micros(m.time),
            })
            .collect(),
        loop_range: transport.loop_range().map(|(a, b)| (micros(a), micros(b))),
        looping: transport.looping(),
        scenes: kept_scenes,
        safes: scenes.safes().clone(),
    }
}

/// Seconds as files keep them.
fn micros(t: f64) -> f64 {
    crate::transport::file_time(t).unwrap_or(t)
}
