//! How a session is wired to this machine: which interface inputs feed each
//! track and which outputs carry the master and each aux bus. The session
//! gives the defaults; the config, which describes the machine, overrides
//! them by track or bus name.

use crate::config::Routing;
use crate::engine::{BusRole, Topology, TrackShape, MAX_INPUTS};
use crate::session::{BusKind, Session, Source};

/// The engine topology and the interface channels it uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Wiring {
    pub topology: Topology,
    /// Interface input channels the engine reads (engine input k = channel k).
    pub inputs: usize,
    /// For each engine output, the interface output channel (0-based).
    pub output_map: Vec<Option<usize>>,
    /// Tracks that play files: silent on a live interface until the
    /// transport plays them.
    pub file_tracks: Vec<String>,
}

/// 1-based channel numbers to 0-based, dropping those past [`MAX_INPUTS`].
fn zero_based(chs: &[u16]) -> Vec<usize> {
    chs.iter().filter(|&&c| c >= 1).map(|&c| c as usize - 1).filter(|&c| c < MAX_INPUTS).collect()
}

pub fn wire(session: &Session, routing: &Routing) -> Wiring {
    let mut file_tracks = Vec::new();
    let tracks: Vec<TrackShape> = session
        .tracks
        .iter()
        .map(|t| {
            let stereo = t.channels == 2;
            let chs = match (routing.inputs.get(&t.name), &t.source) {
                (Some(chs), _) => zero_based(chs),
                (None, Source::Input(chs)) => zero_based(chs),
                (None, Source::File(_)) => {
                    file_tracks.push(t.name.clone());
                    Vec::new()
                }
                (None, Source::None) => Vec::new(),
            };
            TrackShape { stereo, inputs: [chs.first().copied(), if stereo { chs.get(1).copied() } else { None }] }
        })
        .collect();
    let inputs = tracks.iter().flat_map(|t| t.inputs.iter().flatten()).map(|c| c + 1).max().unwrap_or(0);

    let pair = |chs: &[u16]| -> [Option<usize>; 2] {
        let z = zero_based(chs);
        [z.first().copied(), z.get(1).copied().or(z.first().copied())]
    };
    let master = routing.outputs.get("master").map(|c| pair(c)).unwrap_or([Some(0), Some(1)]);
    let mut output_map = master.to_vec();
    let mut buses = Vec::new();
    for b in &session.buses {
        match &b.kind {
            BusKind::Aux { output } => {
                let chs = routing.outputs.get(&b.name).unwrap_or(output);
                output_map.extend(if chs.is_empty() { [None, None] } else { pair(chs) });
                buses.push(BusRole::Aux);
            }
            BusKind::Fx { effect } => buses.push(BusRole::Fx(*effect)),
        }
    }
    let topology = Topology { sample_rate: session.sample_rate as f32, pan_law: session.pan_law, tracks, buses };
    Wiring { topology, inputs, output_map, file_tracks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn write_session(yaml: &str) -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("session.yaml"), yaml).unwrap();
        let s = Session::load(dir.path()).unwrap();
        (dir, s)
    }

    #[test]
    fn session_wiring_and_config_overrides() {
        let (_d, s) = write_session(
            "tracks:\n  - { name: Kick, source: { input: 1 } }\n  - { name: Keys, channels: 2, source: { input: [5, 6] } }\n\
             buses:\n  - { name: Verb, kind: fx, effect: reverb }\n  - { name: Phones, kind: aux, output: [3, 4] }\n",
        );
        let w = wire(&s, &Routing::default());
        assert_eq!(w.topology.tracks[0].inputs, [Some(0), None]);
        assert_eq!(w.topology.tracks[1].inputs, [Some(4), Some(5)]);
        assert_eq!(w.inputs, 6);
        assert_eq!(w.output_map, vec![Some(0), Some(1), Some(2), Some(3)]);

        let mut r = Routing::default();
        r.inputs.insert("Kick".into(), vec![9]);
        r.outputs.insert("master".into(), vec![7, 8]);
        r.outputs.insert("Phones".into(), vec![1]);
        let w = wire(&s, &r);
        assert_eq!(w.topology.tracks[0].inputs, [Some(8), None]);
        assert_eq!(w.inputs, 9);
        assert_eq!(w.output_map, vec![Some(6), Some(7), Some(0), Some(0)]);
    }

    #[test]
    fn file_tracks_are_listed() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/session");
        let s = Session::load(&dir).unwrap();
        let w = wire(&s, &Routing::default());
        assert_eq!(w.file_tracks.len(), 5);
        assert_eq!(w.inputs, 0);
    }
}
