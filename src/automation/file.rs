//! Lane files: one per automated parameter, in the session's `automation/`
//! folder, as YAML a person can read and a diff can show:
//!
//! ```yaml
//! # mixbridge automation: [seconds, dB]
//! path: track/1/gain
//! mode: touch          # optional: this lane's own mode, over its strip's
//! points:
//!   - [0.000000, -12.5]
//!   - [1.250000, -6]
//! ```
//!
//! Each is written atomically (`atomic_file`), so a kill at any moment
//! leaves every lane as it was before or as it is after a save.

use crate::engine::automation::{Lane, Point, Shape};
use crate::params::{AutomationMode, ParamId, ParamRef, Registry, Spec, Taper, Unit};
use crate::transport::{file_time, FILE_TIME_ALLOWED};
use crate::yaml::{self, Errors, Located, Origin};
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The folder of a session's lanes.
pub const FOLDER: &str = "automation";

/// One lane as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneFile {
    pub id: ParamId,
    /// The lane's own mode, if it has one.
    pub mode: Option<AutomationMode>,
    pub lane: Lane,
}

/// A lane as written, before it is checked (a lane file, or one entry of a
/// revision's `lanes:`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredLane {
    path: String,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    points: Vec<(f64, f32)>,
}

impl StoredLane {
    /// The path as written.
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// How a parameter's lane joins its breakpoints.
pub fn shape_of(id: ParamId) -> Shape {
    match Spec::of(id.param).taper {
        Taper::Stepped => Shape::Step,
        _ => Shape::Linear,
    }
}

/// The file of a parameter's lane: its path with `-` for `/`.
pub fn path_of(dir: &Path, id: ParamId) -> PathBuf {
    let name = ParamRef::plain(id).to_string().replace('/', "-");
    dir.join(format!("{name}.yaml"))
}

/// The text of a lane file.
pub fn encode(id: ParamId, mode: Option<AutomationMode>, lane: &Lane) -> String {
    let spec = Spec::of(id.param);
    let mut s = format!(
        "# mixbridge automation: [seconds, {}]\n",
        unit_name(spec.unit)
    );
    s.push_str(&body(id, mode, lane));
    s
}

/// A lane's keys (`path`, `mode`, `points`), without the file's comment:
/// what a revision nests under its `lanes:`.
pub fn body(id: ParamId, mode: Option<AutomationMode>, lane: &Lane) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "path: {}", ParamRef::plain(id));
    if let Some(m) = mode {
        let _ = writeln!(s, "mode: {}", m.name());
    }
    if lane.is_empty() {
        s.push_str("points: []\n");
        return s;
    }
    s.push_str("points:\n");
    for p in lane.points() {
        let v = if p.value == f32::NEG_INFINITY {
            "-.inf".to_string()
        } else {
            format!("{}", p.value)
        };
        let _ = writeln!(s, "  - [{:.6}, {v}]", p.time);
    }
    s
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Decibels => "dB",
        Unit::Hertz => "Hz",
        Unit::Millis => "ms",
        Unit::Seconds => "s",
        Unit::Ratio => "ratio",
        Unit::Plain => "value",
        Unit::Bpm => "bpm",
        Unit::Switch => "0 or 1",
        Unit::Choice(_) => "choice index",
    }
}

/// Save a lane (atomically); a lane with no points and no mode of its own
/// has no file.
pub fn save(
    dir: &Path,
    id: ParamId,
    mode: Option<AutomationMode>,
    lane: &Lane,
) -> std::io::Result<()> {
    let path = path_of(dir, id);
    if lane.is_empty() && mode.is_none() {
        return crate::atomic_file::remove(&path);
    }
    crate::atomic_file::write(&path, encode(id, mode, lane).as_bytes())
}

/// Every lane file in `dir` (none if the folder does not exist), checked
/// against the session's address space: all of them, or every problem
/// found, each with file, line and what is allowed.
pub fn load_dir(dir: &Path, registry: &Registry) -> Result<Vec<LaneFile>, Errors> {
    yaml::load_folder(dir, |f| load(f, registry))
}

/// One lane file.
pub fn load(file: &Path, registry: &Registry) -> Result<LaneFile, Errors> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Located::whole(file, format!("cannot read: {e}")))?;
    parse(file, &text, registry)
}

/// A lane file's text (`file` names it in errors).
pub fn parse(file: &Path, text: &str, registry: &Registry) -> Result<LaneFile, Errors> {
    let (stored, origin): (StoredLane, _) = yaml::parse(file, text)?;
    check(&stored, &origin, &[], |p| {
        registry.resolve(p).map_err(|e| e.to_string())
    })
    .map_err(Errors)
}

/// Check a stored lane found at `at` in its file: its path (through
/// `resolve`, which says why a path is not one), its mode and its points;
/// the lane, or every problem found.
pub fn check(
    stored: &StoredLane,
    origin: &Origin,
    at: &[&str],
    resolve: impl Fn(&str) -> Result<ParamRef, String>,
) -> Result<LaneFile, Vec<Located>> {
    let here = |k: &[&str], message: String| origin.at_in(at, k, message);
    let mut errors = Vec::new();
    let id = match resolve(&stored.path) {
        Ok(r) if r.form == crate::params::Form::Plain && r.id.param.automatable() => Some(r.id),
        Ok(_) => {
            errors.push(here(
                &["path"],
                format!("`{}` cannot have a lane: give the plain path of a parameter that shapes the sound (e.g. track/1/gain, not track/1/fader)", stored.path),
            ));
            None
        }
        Err(e) => {
            errors.push(here(&["path"], e));
            None
        }
    };
    let mode = match stored.mode.as_deref() {
        None => None,
        Some(name) => match AutomationMode::from_name(name) {
            Some(m) => Some(m),
            None => {
                errors.push(here(
                    &["mode"],
                    format!(
                        "unknown mode `{name}`; allowed: {}",
                        AutomationMode::NAMES.join(", ")
                    ),
                ));
                None
            }
        },
    };
    let mut points = Vec::with_capacity(stored.points.len());
    if let Some(id) = id {
        let spec = Spec::of(id.param);
        let mut last = f64::NEG_INFINITY;
        for (i, &(written, value)) in stored.points.iter().enumerate() {
            let n = i.to_string();
            let Some(time) = file_time(written) else {
                errors.push(here(
                    &["points", &n],
                    format!("the time must be {FILE_TIME_ALLOWED}"),
                ));
                continue;
            };
            if time <= last {
                errors.push(here(
                    &["points", &n],
                    "times must increase from point to point".into(),
                ));
            } else {
                // -inf dB is silence: the bottom of a level's range.
                match spec.clamp(value) {
                    Some(v) if v == value || value == f32::NEG_INFINITY => {
                        points.push(Point::new(time, v))
                    }
                    _ => errors.push(here(
                        &["points", &n],
                        format!(
                            "the value {value} is out of range; allowed: {}",
                            spec.describe()
                        ),
                    )),
                }
            }
            last = last.max(time);
        }
    }
    match id {
        Some(id) if errors.is_empty() => Ok(LaneFile {
            id,
            mode,
            lane: Lane::new(shape_of(id), points),
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{BusEffect, Layout, Param};

    fn registry() -> Registry {
        Registry::new(Layout {
            tracks: 2,
            buses: vec![BusEffect::Reverb],
        })
    }

    #[test]
    fn a_saved_lane_loads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let id = ParamId::track(0, Param::Gain);
        let lane = Lane::new(
            Shape::Linear,
            vec![
                Point::new(0.0, -144.0),
                Point::new(0.5, -6.25),
                Point::new(2.0, 3.0),
            ],
        );
        save(dir.path(), id, Some(AutomationMode::Touch), &lane).unwrap();
        let text = std::fs::read_to_string(path_of(dir.path(), id)).unwrap();
        assert!(text.contains("path: track/1/gain\nmode: touch\n"), "{text}");
        let loaded = load_dir(dir.path(), &registry()).unwrap();
        assert_eq!(
            loaded,
            vec![LaneFile {
                id,
                mode: Some(AutomationMode::Touch),
                lane
            }]
        );
        save(dir.path(), id, None, &Lane::new(Shape::Linear, vec![])).unwrap();
        assert!(load_dir(dir.path(), &registry()).unwrap().is_empty());
    }

    #[test]
    fn mistakes_are_reported_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.yaml");
        std::fs::write(
            &f,
            "path: track/1/pan\nmode: loud\npoints:\n  - [0, 0]\n  - [1, 7]\n  - [0.5, 0]\n",
        )
        .unwrap();
        let e = load_dir(dir.path(), &registry()).unwrap_err().to_string();
        assert!(
            e.contains("x.yaml:2:") && e.contains("allowed: off, read"),
            "{e}"
        );
        assert!(e.contains("x.yaml:5:") && e.contains("out of range"), "{e}");
        assert!(
            e.contains("x.yaml:6:") && e.contains("must increase"),
            "{e}"
        );
        std::fs::write(&f, "path: track/9/gain\n").unwrap();
        let e = load_dir(dir.path(), &registry()).unwrap_err().to_string();
        assert!(e.contains("x.yaml:1:"), "{e}");
    }
}
