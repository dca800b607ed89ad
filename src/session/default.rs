//! The session a first start makes: when the config names no session and
//! the default place holds none, the daemon writes this one there (a plain,
//! commented `session.yaml` the user can edit) and runs it.

use super::FILE_NAME;
use std::path::{Path, PathBuf};

/// The default session's `session.yaml`.
pub const DEFAULT_SESSION: &str = include_str!("default.yaml");

/// Write the default session into the folder `dir` (created if need be),
/// atomically; returns the file written.
pub fn create_default(dir: &Path) -> std::io::Result<PathBuf> {
    let file = dir.join(FILE_NAME);
    crate::atomic_file::write(&file, DEFAULT_SESSION.as_bytes())?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::super::{BusKind, Session, Source};
    use super::*;

    #[test]
    fn the_default_session_loads_with_eight_inputs_a_reverb_and_a_delay() {
        let dir = tempfile::tempdir().unwrap();
        let file = create_default(&dir.path().join("session")).unwrap();
        let s = Session::load(&file).unwrap();
        let inputs: Vec<_> = s.tracks.iter().map(|t| t.source.clone()).collect();
        let want: Vec<_> = (1..=8).map(|i| Source::Input(vec![i])).collect();
        assert_eq!(inputs, want);
        assert!(s.tracks.iter().all(|t| t.channels == 1));
        let effects: Vec<_> = s
            .buses
            .iter()
            .map(|b| match b.kind {
                BusKind::Fx { effect } => Some(effect),
                BusKind::Aux { .. } => None,
            })
            .collect();
        use crate::params::BusEffect;
        assert_eq!(effects, [Some(BusEffect::Reverb), Some(BusEffect::Delay)]);
        assert_eq!(s.sample_rate, 48_000);
    }
}
