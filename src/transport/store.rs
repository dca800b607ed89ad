//! The session's markers and loop range, in `transport.yaml` in the
//! session folder, saved atomically on every change.

use crate::yaml::{self, Errors, Located, Origin};
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "transport.yaml";

#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub name: String,
    /// Seconds on the timeline.
    pub time: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransportFile {
    path: PathBuf,
    /// In time order.
    pub markers: Vec<Marker>,
    pub loop_range: Option<(f64, f64)>,
    pub looping: bool,
}

/// Markers and loop as written, before they are checked
/// (`transport.yaml`, or a revision's `transport:`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StoredTransport {
    #[serde(default)]
    markers: Vec<StoredMarker>,
    #[serde(default, rename = "loop")]
    loop_range: Option<(f64, f64)>,
    #[serde(default)]
    looping: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredMarker {
    name: String,
    time: f64,
}

impl TransportFile {
    /// No markers and no loop, to be saved at `path`.
    pub fn empty(path: PathBuf) -> TransportFile {
        TransportFile {
            path,
            markers: Vec::new(),
            loop_range: None,
            looping: false,
        }
    }

    /// The file of the session in `dir`; none yet is no markers, no loop.
    pub fn load(dir: &Path) -> Result<TransportFile, Errors> {
        let path = dir.join(FILE_NAME);
        let f = TransportFile::empty(path.clone());
        match std::fs::read_to_string(&path) {
            Ok(text) => f.parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(f),
            Err(e) => Err(Errors(vec![crate::yaml::Located::whole(
                &path,
                format!("cannot read: {e}"),
            )])),
        }
    }

    /// The markers and loop in `text`, read into this file.
    pub fn parse(mut self, text: &str) -> Result<TransportFile, Errors> {
        let (stored, origin): (StoredTransport, _) = yaml::parse(&self.path, text)?;
        self.read(stored, &origin, &[]).map_err(Errors)?;
        Ok(self)
    }

    /// Take the stored markers and loop found at `at` in their file, or
    /// say every problem found.
    pub fn read(
        &mut self,
        stored: StoredTransport,
        origin: &Origin,
        at: &[&str],
    ) -> Result<(), Vec<Located>> {
        let mut errors = Vec::new();
        for (i, m) in stored.markers.into_iter().enumerate() {
            match super::file_time(m.time) {
                Some(time) => self.add_marker(m.name, time),
                None => errors.push(origin.at_in(
                    at,
                    &["markers", &i.to_string(), "time"],
                    format!("a marker's time is {}", super::FILE_TIME_ALLOWED),
                )),
            }
        }
        match stored
            .loop_range
            .map(|(a, b)| (super::file_time(a), super::file_time(b)))
        {
            Some((Some(a), Some(b))) if b > a => self.loop_range = Some((a, b)),
            Some(_) => errors.push(origin.at_in(
                at,
                &["loop"],
                format!(
                    "the loop is [start, end], {}, end after start",
                    super::FILE_TIME_ALLOWED
                ),
            )),
            None => {}
        }
        self.looping = stored.looping;
        Errors::check(errors).map_err(|e| e.0)
    }

    pub fn add_marker(&mut self, name: String, time: f64) {
        let at = self.markers.partition_point(|m| m.time <= time);
        self.markers.insert(at, Marker { name, time });
    }

    /// A marker by name, or by 1-based number.
    pub fn find(&self, which: &str) -> Option<usize> {
        self.markers
            .iter()
            .position(|m| m.name == which)
            .or_else(|| {
                let n: usize = which.parse().ok()?;
                (n >= 1 && n <= self.markers.len()).then(|| n - 1)
            })
    }

    pub fn encode(&self) -> String {
        format!(
            "# mixbridge transport: markers and loop, times in seconds\n{}",
            self.body()
        )
    }

    /// The markers and loop without the file's comment: what a revision
    /// nests under its `transport:`.
    pub fn body(&self) -> String {
        let mut s = String::new();
        if self.markers.is_empty() {
            s.push_str("markers: []\n");
        } else {
            s.push_str("markers:\n");
            for m in &self.markers {
                let _ = writeln!(
                    s,
                    "  - {{ name: {}, time: {:.6} }}",
                    yaml::quoted(&m.name),
                    m.time
                );
            }
        }
        if let Some((a, b)) = self.loop_range {
            let _ = writeln!(s, "loop: [{a:.6}, {b:.6}]");
        }
        let _ = writeln!(s, "looping: {}", self.looping);
        s
    }

    pub fn save(&self) -> std::io::Result<()> {
        crate::atomic_file::write(&self.path, self.encode().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_loop_survive_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = TransportFile::load(dir.path()).unwrap();
        f.add_marker("Chorus: \"big\"".into(), 30.5);
        f.add_marker("Verse".into(), 10.0);
        f.loop_range = Some((10.0, 30.5));
        f.looping = true;
        f.save().unwrap();
        let g = TransportFile::load(dir.path()).unwrap();
        assert_eq!(g, f);
        assert_eq!(g.markers[0].name, "Verse");
        assert_eq!(g.find("2"), Some(1));
        std::fs::write(
            dir.path().join(FILE_NAME),
            "markers:\n  - { name: x, time: -1 }\n",
        )
        .unwrap();
        let e = TransportFile::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("transport.yaml:2:"), "{e}");
    }
}
