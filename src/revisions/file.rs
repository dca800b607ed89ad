//! Revision files: `revisions/NAME.yaml` in the session folder, one file
//! per revision holding the whole mix as it sounds, so that a session kept
//! in git shows what changed from one version to the next:
//!
//! ```yaml
//! # mixbridge revision: the mix as it sounds (values, lanes, markers, loop, names, colours, scenes, recall-safes)
//! name: "v2"
//! saved: 2026-12-04T18:30:00.000Z
//! note: "vocal up in the chorus"
//! values:                      # every value by path, sorted (tempo and automation modes too)
//!   track/1/gain: -4.5
//! names:
//!   track/1/name: "Lead Vox"
//! colours:                     # as the surfaces show the strips
//!   track/1/colour: "cyan"
//! lanes:                       # as in automation/*.yaml, by path
//!   - path: track/1/gain
//!     points:
//!       - [62.000000, -6]
//! transport:                   # as in transport.yaml
//!   markers: []
//!   looping: false
//! recall_safe:                 # as in recall-safe.yaml
//!   safe: []
//! scenes:                      # as in scenes/*.yaml, by name
//!   - name: "Chorus"
//!     saved: 2026-12-04T18:00:00.000Z
//!     values: {}
//!     names: {}
//! ```
//!
//! Each part is written and checked by the code of its own file
//! (`automation::file`, `transport`, `scenes::file`), nested here; the
//! whole file is written atomically, so a kill during a save leaves the
//! old revision or the new one. Paths are checked for their form, not
//! against a session: a revision recalled into a session that has lost a
//! track reports that track's values as unknown.

use crate::automation::file::{self as lanes, LaneFile, StoredLane};
use crate::params::{Owner, ParamRef, Spec};
use crate::scenes::file::{self as scenes, Scene, StoredSafes, StoredScene};
use crate::session::Colour;
use crate::transport::{Marker, StoredTransport, TransportFile};
use crate::yaml::{self, quoted, Errors, Located, Origin};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The folder of a session's revisions.
pub const FOLDER: &str = "revisions";
/// Longest revision name, in characters.
pub const MAX_NAME: usize = 64;
/// Longest note of a revision, in characters.
pub const MAX_NOTE: usize = 4096;
/// What a revision name may be, for error messages.
pub const ALLOWED_NAME: &str =
    "1 to 64 letters, digits, spaces and `-`, `_`, `.`, `+`, `(`, `)`, not starting with `.` or a space";

/// One saved version of the mix.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub name: String,
    /// Milliseconds since 1970 (UTC).
    pub saved: u64,
    /// What this version is (what was asked for, what changed).
    pub note: String,
    /// Every value by path (the monitor section's excepted: it is what the
    /// engineer listens on, not the mix).
    pub values: BTreeMap<String, f32>,
    /// Strip names by path (`track/1/name`).
    pub names: BTreeMap<String, String>,
    /// Strip colours by path (`track/1/colour`): colour names.
    pub colours: BTreeMap<String, String>,
    /// Every lane with points or a mode of its own, by parameter.
    pub lanes: Vec<LaneFile>,
    /// In time order.
    pub markers: Vec<Marker>,
    pub loop_range: Option<(f64, f64)>,
    pub looping: bool,
    /// By name.
    pub scenes: Vec<Scene>,
    pub safes: BTreeSet<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    name: String,
    saved: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    values: BTreeMap<String, f32>,
    #[serde(default)]
    names: BTreeMap<String, String>,
    #[serde(default)]
    colours: BTreeMap<String, String>,
    #[serde(default)]
    lanes: Vec<StoredLane>,
    #[serde(default)]
    transport: StoredTransport,
    #[serde(default)]
    recall_safe: StoredSafes,
    #[serde(default)]
    scenes: Vec<StoredScene>,
}

/// Whether `name` can name a revision (and its file), or what is allowed.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME
        && !name.starts_with(['.', ' '])
        && !name.ends_with(' ')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || " -_.+()".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a revision name; allowed: {ALLOWED_NAME}",
            name.escape_debug()
        ))
    }
}

pub fn path_of(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.yaml"))
}

/// The text of a revision file.
pub fn encode(r: &Revision) -> String {
    let mut s = String::from(
        "# mixbridge revision: the mix as it sounds (values, lanes, markers, loop, names, colours, scenes, recall-safes)\n",
    );
    let _ = writeln!(s, "name: {}", quoted(&r.name));
    let _ = writeln!(s, "saved: {}", scenes::rfc3339(r.saved));
    let _ = writeln!(s, "note: {}", quoted(&r.note));
    scenes::write_values(&mut s, &r.values);
    scenes::write_names(&mut s, &r.names);
    scenes::write_strings(&mut s, "colours", &r.colours);
    if r.lanes.is_empty() {
        s.push_str("lanes: []\n");
    } else {
        s.push_str("lanes:\n");
        for l in &r.lanes {
            s.push_str(&nest(&lanes::body(l.id, l.mode, &l.lane), "  - ", "    "));
        }
    }
    let mut transport = TransportFile::empty(PathBuf::new());
    transport.markers = r.markers.clone();
    transport.loop_range = r.loop_range;
    transport.looping = r.looping;
    s.push_str("transport:\n");
    s.push_str(&nest(&transport.body(), "  ", "  "));
    s.push_str("recall_safe:\n");
    s.push_str(&nest(&scenes::safes_body(&r.safes), "  ", "  "));
    if r.scenes.is_empty() {
        s.push_str("scenes: []\n");
    } else {
        s.push_str("scenes:\n");
        for scene in &r.scenes {
            s.push_str(&nest(&scenes::body(scene), "  - ", "    "));
        }
    }
    s
}

/// `text` (whole YAML lines) indented under a key or a list item: its
/// first line after `first`, the others after `rest`.
fn nest(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8 * text.lines().count());
    for (i, line) in text.lines().enumerate() {
        out.push_str(if i == 0 { first } else { rest });
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Save a revision atomically: the file is whole old or whole new after a
/// kill at any moment.
pub fn save(dir: &Path, r: &Revision) -> std::io::Result<()> {
    crate::atomic_file::write(&path_of(dir, &r.name), encode(r).as_bytes())
}

/// One revision file.
pub fn load(file: &Path) -> Result<Revision, Errors> {
    let (s, origin) = yaml::read(file)?;
    check(file, s, &origin)
}

/// A revision file's text (`file` names it in errors; its stem must be the
/// revision's name): the revision, or every problem found, each with its
/// line and what is allowed.
pub fn parse(file: &Path, text: &str) -> Result<Revision, Errors> {
    let (s, origin) = yaml::parse(file, text)?;
    check(file, s, &origin)
}

/// A revision as read from `file`, checked.
fn check(file: &Path, s: Stored, origin: &Origin) -> Result<Revision, Errors> {
    let mut errors = Vec::new();
    if let Err(e) = check_name(&s.name) {
        errors.push(origin.at(&["name"], e));
    } else if file
        .file_stem()
        .is_some_and(|stem| stem.to_string_lossy() != s.name)
    {
        errors.push(origin.at(
            &["name"],
            "the name must match the file name (without .yaml)",
        ));
    }
    let saved = scenes::parse_time(&s.saved, origin, &["saved"], &mut errors);
    if s.note.chars().count() > MAX_NOTE {
        errors.push(origin.at(
            &["note"],
            format!("a note has at most {MAX_NOTE} characters"),
        ));
    }
    check_values(&s.values, origin, &[], false, &mut errors);
    check_names(&s.names, origin, &[], &mut errors);
    check_colours(&s.colours, origin, &mut errors);
    let lanes = check_lanes(&s.lanes, origin, &mut errors);
    let mut transport = TransportFile::empty(file.to_path_buf());
    if let Err(e) = transport.read(s.transport, origin, &["transport"]) {
        errors.extend(e);
    }
    let scenes = check_scenes(s.scenes, origin, &mut errors);
    Errors::check(errors)?;
    Ok(Revision {
        name: s.name,
        saved,
        note: s.note,
        values: s.values,
        names: s.names,
        colours: s.colours,
        lanes,
        markers: transport.markers,
        loop_range: transport.loop_range,
        looping: transport.looping,
        scenes,
        safes: scenes::safes_of(s.recall_safe),
    })
}

/// Every value's path (of the `values:` at `at`) is a plain parameter
/// path, outside the monitor section unless `monitor` (scenes keep the
/// monitor's values, a revision's mix does not), and its value is in range
/// (-inf dB is a level's silence).
fn check_values(
    values: &BTreeMap<String, f32>,
    origin: &Origin,
    at: &[&str],
    monitor: bool,
    errors: &mut Vec<Located>,
) {
    for (path, &v) in values {
        let at: Vec<&str> = at
            .iter()
            .copied()
            .chain(["values", path.as_str()])
            .collect();
        match ParamRef::parse(path) {
            Ok(r)
                if r.form == crate::params::Form::Plain
                    && (monitor || r.id.owner != Owner::Monitor) =>
            {
                let spec = Spec::of(r.id.param);
                let fits = spec.clamp(v) == Some(v) || v == f32::NEG_INFINITY;
                if !fits {
                    errors.push(origin.at(
                        &at,
                        format!(
                            "{path}: the value {v} is out of range; allowed: {}",
                            spec.describe()
                        ),
                    ));
                }
            }
            _ => errors.push(origin.at_key(
                &at,
                format!("`{path}` is not the plain path of a mix parameter (e.g. track/1/gain, bus/2/reverb/decay, transport/tempo)"),
            )),
        }
    }
}

/// Names (of the `names:` at `at`) are kept by strip: `track/N/name`,
/// `bus/N/name`.
fn check_names(
    names: &BTreeMap<String, String>,
    origin: &Origin,
    at: &[&str],
    errors: &mut Vec<Located>,
) {
    for path in names.keys() {
        let at: Vec<&str> = at.iter().copied().chain(["names", path.as_str()]).collect();
        if strip_of(path, "name").is_none() {
            errors.push(origin.at_key(
                &at,
                format!("`{path}` is not a strip's name; allowed: track/N/name, bus/N/name"),
            ));
        }
    }
}

/// Colours are kept by strip (`track/N/colour`, `bus/N/colour`), by name.
fn check_colours(colours: &BTreeMap<String, String>, origin: &Origin, errors: &mut Vec<Located>) {
    for (path, colour) in colours {
        let at = ["colours", path.as_str()];
        if strip_of(path, "colour").is_none() {
            errors.push(origin.at_key(
                &at,
                format!("`{path}` is not a strip's colour; allowed: track/N/colour, bus/N/colour"),
            ));
        } else if Colour::from_name(colour).is_none() {
            errors.push(origin.at(
                &at,
                format!(
                    "`{colour}` is not a colour; allowed: {}",
                    Colour::NAMES.join(", ")
                ),
            ));
        }
    }
}

/// The track or bus of a strip's label path (`track/4/name` with `key`
/// `name`), if it is one.
pub fn strip_of(path: &str, key: &str) -> Option<Owner> {
    let strip = path.strip_suffix(key)?.strip_suffix('/')?;
    let r = ParamRef::parse(&format!("{strip}/mute")).ok()?;
    matches!(r.id.owner, Owner::Track(_) | Owner::Bus(_)).then_some(r.id.owner)
}

/// Each lane checked as a lane file is; one lane per parameter.
fn check_lanes(stored: &[StoredLane], origin: &Origin, errors: &mut Vec<Located>) -> Vec<LaneFile> {
    let mut out: Vec<LaneFile> = Vec::with_capacity(stored.len());
    let mut seen = BTreeSet::new();
    for (i, l) in stored.iter().enumerate() {
        let n = i.to_string();
        let resolve = |p: &str| ParamRef::parse(p).map_err(|e| e.to_string());
        if let Ok(r) = resolve(l.path()) {
            if !seen.insert(r.id) {
                errors.push(origin.at(
                    &["lanes", &n, "path"],
                    format!("a second lane for {}; one lane per parameter", r.id),
                ));
                continue;
            }
        }
        match lanes::check(l, origin, &["lanes", &n], resolve) {
            Ok(f) => out.push(f),
            Err(e) => errors.extend(e),
        }
    }
    out.sort_by_key(|l| l.id);
    out
}

/// Each scene checked as a scene file is; names differ.
fn check_scenes(
    stored: Vec<StoredScene>,
    origin: &Origin,
    errors: &mut Vec<Located>,
) -> Vec<Scene> {
    let mut out: Vec<Scene> = Vec::with_capacity(stored.len());
    for (i, s) in stored.into_iter().enumerate() {
        let n = i.to_string();
        match scenes::check(s, origin, &["scenes", &n]) {
            Ok(s) if out.iter().any(|o| o.name == s.name) => errors.push(origin.at(
                &["scenes", &n, "name"],
                format!("a second scene `{}`; scene names differ", s.name),
            )),
            Ok(s) => {
                check_values(&s.values, origin, &["scenes", &n], true, errors);
                check_names(&s.names, origin, &["scenes", &n], errors);
                out.push(s);
            }
            Err(e) => errors.extend(e),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::automation::{Lane, Point, Shape};
    use crate::params::{AutomationMode, Param, ParamId};

    pub(crate) fn sample() -> Revision {
        let mut r = Revision {
            name: "v2 (mix)".into(),
            saved: 1_764_870_000_250,
            note: "vocal up in the chorus;\n\"less\" verb — ボーカル".into(),
            values: [
                ("track/1/gain".to_string(), -4.5),
                ("track/2/gain".to_string(), f32::NEG_INFINITY),
                ("track/1/automation".to_string(), 2.0),
                ("transport/tempo".to_string(), 124.0),
            ]
            .into(),
            names: [("track/1/name".to_string(), "Lead Vox".to_string())].into(),
            colours: [("track/1/colour".to_string(), "cyan".to_string())].into(),
            lanes: vec![
                LaneFile {
                    id: ParamId::track(0, Param::Gain),
                    mode: Some(AutomationMode::Touch),
                    lane: Lane::new(
                        Shape::Linear,
                        // A lane's silence is the bottom of its range.
                        vec![Point::new(62.0, -6.0), Point::new(70.25, -144.0)],
                    ),
                },
                LaneFile {
                    id: ParamId::track(1, Param::Mute),
                    mode: None,
                    lane: Lane::new(Shape::Step, vec![Point::new(1.0, 1.0)]),
                },
                LaneFile {
                    id: ParamId::track(1, Param::Pan),
                    mode: Some(AutomationMode::Off),
                    lane: Lane::new(Shape::Linear, vec![]),
                },
            ],
            markers: vec![
                Marker {
                    name: "Verse".into(),
                    time: 10.0,
                },
                Marker {
                    name: "Chorus \"big\"".into(),
                    time: 62.5,
                },
            ],
            loop_range: Some((60.0, 70.0)),
            looping: true,
            scenes: vec![Scene {
                name: "Chorus".into(),
                saved: 1_764_860_000_000,
                values: [("track/1/gain".to_string(), -2.0)].into(),
                names: BTreeMap::new(),
            }],
            safes: ["track/3".to_string(), "eq".to_string()].into(),
        };
        // As a file holds them: by parameter.
        r.lanes.sort_by_key(|l| l.id);
        r
    }

    #[test]
    fn a_revision_loads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let r = sample();
        save(dir.path(), &r).unwrap();
        let text = std::fs::read_to_string(path_of(dir.path(), &r.name)).unwrap();
        assert!(text.contains("\n  track/1/gain: -4.5\n"), "{text}");
        assert!(
            text.contains("\n  - path: track/1/gain\n    mode: touch\n"),
            "{text}"
        );
        assert_eq!(load(&path_of(dir.path(), &r.name)).unwrap(), r);
        let empty = Revision {
            name: "empty".into(),
            saved: 0,
            note: String::new(),
            values: BTreeMap::new(),
            names: BTreeMap::new(),
            colours: BTreeMap::new(),
            lanes: vec![],
            markers: vec![],
            loop_range: None,
            looping: false,
            scenes: vec![],
            safes: ["monitor".to_string()].into(),
        };
        save(dir.path(), &empty).unwrap();
        assert_eq!(load(&path_of(dir.path(), "empty")).unwrap(), empty);
    }

    #[test]
    fn names_that_cannot_be_file_names_are_refused_with_what_is_allowed() {
        for bad in [
            "",
            ".hidden",
            "a/b",
            "a\\b",
            " lead",
            "x\u{7}",
            "..",
            "v1:2",
            &"x".repeat(65),
        ] {
            let e = check_name(bad).unwrap_err();
            assert!(e.contains("allowed: 1 to 64 letters"), "{bad:?}: {e}");
        }
        for good in [
            "v1",
            "Mix 2 (final)",
            "v2.1+vox",
            "ミックス3",
            "Ünïcødé_mix-4",
        ] {
            check_name(good).unwrap();
        }
    }

    #[test]
    fn mistakes_are_reported_with_their_line_and_what_is_allowed() {
        let text = "\
name: v3
saved: yesterday
values:
  track/1/gain: 40
  track/1/fader: 0.5
names:
  track/1/gain: x
lanes:
  - path: track/1/gain
    points:
      - [1, 0]
      - [0.5, 0]
  - path: track/1/gain
transport:
  markers:
    - { name: x, time: -1 }
scenes:
  - name: A
    saved: 2026-12-03T08:15:00Z
  - name: A
    saved: 2026-12-03T08:15:00Z
";
        let e = parse(Path::new("revisions/v3.yaml"), text)
            .unwrap_err()
            .to_string();
        for (line, what) in [
            (2, "expected a UTC time"),
            (4, "out of range; allowed: a number from -inf to 10 dB"),
            (5, "not the plain path"),
            (7, "allowed: track/N/name"),
            (12, "times must increase"),
            (13, "a second lane"),
            (16, "a marker's time"),
            (20, "a second scene"),
        ] {
            assert!(
                e.contains(&format!("revisions/v3.yaml:{line}:")) && e.contains(what),
                "line {line} ({what}) in:\n{e}"
            );
        }
        let e = parse(
            Path::new("revisions/other.yaml"),
            "name: v3\nsaved: 2026-12-03T08:15:00Z\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("must match the file name"), "{e}");
        let e = parse(
            Path::new("revisions/v3.yaml"),
            "name: v3\nsaved: 2026-12-03T08:15:00Z\nloudness: 3\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("v3.yaml:3:") && e.contains("unknown key `loudness`"),
            "{e}"
        );
        let e = parse(
            Path::new("revisions/v3.yaml"),
            "name: v3\nsaved: 2026-12-03T08:15:00Z\ncolours:\n  track/1/colour: pink\n  track/1/gain: red\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("v3.yaml:4:") && e.contains("allowed: off, red, green"),
            "{e}"
        );
        assert!(
            e.contains("v3.yaml:5:") && e.contains("allowed: track/N/colour"),
            "{e}"
        );
    }
}
