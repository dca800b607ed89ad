//! Scene files: `scenes/<name>.yaml` in the session folder, one per scene,
//! each with when it was saved, every value by path and every name. Saved
//! atomically; the set of recall-safe patterns lives beside them in
//! `recall-safe.yaml`.

use crate::yaml::{self, quoted, Errors, Located, Origin};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub const FOLDER: &str = "scenes";
pub const SAFES_FILE: &str = "recall-safe.yaml";
/// Groups a recall leaves alone unless `recall-safe.yaml` lists them under
/// `recall:`: what the engineer listens on is not part of a scene's mix.
pub const SAFE_BY_DEFAULT: &[&str] = &["monitor"];
/// Longest scene name, in characters.
pub const MAX_NAME: usize = 64;

/// One saved scene.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub name: String,
    /// Milliseconds since 1970 (UTC).
    pub saved: u64,
    pub values: BTreeMap<String, f32>,
    pub names: BTreeMap<String, String>,
}

/// A scene as written, before it is checked (a scene file, or one entry of
/// a revision's `scenes:`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredScene {
    name: String,
    saved: String,
    #[serde(default)]
    values: BTreeMap<String, f32>,
    #[serde(default)]
    names: BTreeMap<String, String>,
}

/// The recall-safe list as written (`recall-safe.yaml`, or a revision's
/// `recall_safe:`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StoredSafes {
    #[serde(default)]
    safe: Vec<String>,
    /// Groups of [`SAFE_BY_DEFAULT`] made unsafe.
    #[serde(default)]
    recall: Vec<String>,
}

/// Whether a scene name can be a file name: printable, no `/`, not hidden.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(format!("a scene name has 1 to {MAX_NAME} characters"));
    }
    if name.starts_with('.')
        || name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err(
            "a scene name cannot start with `.` or hold `/`, `\\` or control characters".into(),
        );
    }
    Ok(())
}

pub fn path_of(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.yaml"))
}

pub fn encode(scene: &Scene) -> String {
    format!("# mixbridge scene\n{}", body(scene))
}

/// A scene's keys without the file's comment: what a revision nests under
/// its `scenes:`.
pub fn body(scene: &Scene) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "name: {}", quoted(&scene.name));
    let _ = writeln!(s, "saved: {}", rfc3339(scene.saved));
    write_values(&mut s, &scene.values);
    write_names(&mut s, &scene.names);
    s
}

/// `values:` and a line per value, sorted by path (`-.inf` for silence).
pub fn write_values(s: &mut String, values: &BTreeMap<String, f32>) {
    if values.is_empty() {
        s.push_str("values: {}\n");
        return;
    }
    s.push_str("values:\n");
    for (path, v) in values {
        let v = if *v == f32::NEG_INFINITY {
            "-.inf".to_string()
        } else {
            v.to_string()
        };
        let _ = writeln!(s, "  {path}: {v}");
    }
}

/// `names:` and a line per strip name, sorted by path.
pub fn write_names(s: &mut String, names: &BTreeMap<String, String>) {
    write_strings(s, "names", names);
}

/// `KEY:` and a line per text by path, sorted, quoted.
pub fn write_strings(s: &mut String, key: &str, texts: &BTreeMap<String, String>) {
    if texts.is_empty() {
        let _ = writeln!(s, "{key}: {{}}");
        return;
    }
    let _ = writeln!(s, "{key}:");
    for (path, n) in texts {
        let _ = writeln!(s, "  {path}: {}", quoted(n));
    }
}

pub fn save(dir: &Path, scene: &Scene) -> std::io::Result<()> {
    crate::atomic_file::write(&path_of(dir, &scene.name), encode(scene).as_bytes())
}

/// Every scene in `dir`, or every problem found.
pub fn load_dir(dir: &Path) -> Result<Vec<Scene>, Errors> {
    yaml::load_folder(dir, load)
}

fn load(file: &Path) -> Result<Scene, Errors> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Located::whole(file, format!("cannot read: {e}")))?;
    parse(file, &text)
}

/// A scene file's text (`file` names it in errors; its stem must be the name).
pub fn parse(file: &Path, text: &str) -> Result<Scene, Errors> {
    let (s, origin): (StoredScene, _) = yaml::parse(file, text)?;
    let mut errors = Vec::new();
    if file
        .file_stem()
        .is_some_and(|stem| stem.to_string_lossy() != s.name)
    {
        errors.push(origin.at(
            &["name"],
            "the name must match the file name (without .yaml)",
        ));
    }
    match check(s, &origin, &[]) {
        Ok(scene) if errors.is_empty() => Ok(scene),
        Ok(_) => Err(Errors(errors)),
        Err(e) => {
            errors.extend(e);
            Err(Errors(errors))
        }
    }
}

/// Check a stored scene found at `at` in its file: the scene, or every
/// problem found.
pub fn check(s: StoredScene, origin: &Origin, at: &[&str]) -> Result<Scene, Vec<Located>> {
    let mut errors = Vec::new();
    let saved = parse_time(&s.saved, origin, &[at, &["saved"]].concat(), &mut errors);
    if let Err(e) = check_name(&s.name) {
        errors.push(origin.at_in(at, &["name"], e));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Scene {
        name: s.name,
        saved,
        values: s.values,
        names: s.names,
    })
}

/// A stored time (at `at` in its file) as milliseconds since 1970, or an
/// error that says what is allowed.
pub fn parse_time(text: &str, origin: &Origin, at: &[&str], errors: &mut Vec<Located>) -> u64 {
    parse_rfc3339(text).unwrap_or_else(|| {
        errors.push(origin.at(at, "expected a UTC time such as 2026-12-03T08:15:00Z"));
        0
    })
}

/// The recall-safe strips and groups: those the file lists, and those
/// safe by default that it does not list under `recall:`.
pub fn load_safes(dir: &Path) -> Result<BTreeSet<String>, Errors> {
    let path = dir.join(SAFES_FILE);
    let s = if path.exists() {
        yaml::read::<StoredSafes>(&path)?.0
    } else {
        StoredSafes::default()
    };
    Ok(safes_of(s))
}

/// The recall-safe strips and groups a stored list means.
pub fn safes_of(s: StoredSafes) -> BTreeSet<String> {
    let defaults = SAFE_BY_DEFAULT
        .iter()
        .filter(|d| !s.recall.iter().any(|r| r == *d))
        .map(|d| d.to_string());
    s.safe.into_iter().chain(defaults).collect()
}

pub fn save_safes(dir: &Path, safes: &BTreeSet<String>) -> std::io::Result<()> {
    let s = format!(
        "# mixbridge: what a scene recall leaves alone (strips or groups)\n{}",
        safes_body(safes)
    );
    crate::atomic_file::write(&dir.join(SAFES_FILE), s.as_bytes())
}

/// The keys of the recall-safe list (`safe:`, and `recall:` for groups
/// safe by default that are not), without the file's comment.
pub fn safes_body(safes: &BTreeSet<String>) -> String {
    let mut s = String::from("safe:\n");
    for p in safes
        .iter()
        .filter(|p| !SAFE_BY_DEFAULT.contains(&p.as_str()))
    {
        let _ = writeln!(s, "  - {}", quoted(p));
    }
    let recalled: Vec<&&str> = SAFE_BY_DEFAULT
        .iter()
        .filter(|d| !safes.contains(**d))
        .collect();
    if !recalled.is_empty() {
        s.push_str("# safe by default, recalled here:\nrecall:\n");
        for p in recalled {
            let _ = writeln!(s, "  - {}", quoted(p));
        }
    }
    s
}

/// `2026-12-03T08:15:00.250Z` from milliseconds since 1970.
pub fn rfc3339(millis: u64) -> String {
    let secs = millis / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        millis % 1000
    )
}

/// Milliseconds since 1970 from `YYYY-MM-DDTHH:MM:SS[.mmm]Z`.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let (s, millis) = match s.len() {
        24 if s.as_bytes()[19] == b'.' => {
            let ms: u64 = s.get(20..23)?.parse().ok()?;
            (format!("{}Z", s.get(..19)?), ms)
        }
        _ => (s.to_string(), 0),
    };
    let s = s.as_str();
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u64>().ok();
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 || y < 1970
    {
        return None;
    }
    let days = days_from_civil(y as i64, mo as u32, d as u32);
    Some((days as u64 * 86_400 + h * 3600 + mi * 60 + se) * 1000 + millis)
}

// Howard Hinnant's civil calendar algorithms.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from(if m > 2 { m - 3 } else { m + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        for t in [0, 951_782_400_000, 1_764_750_000_123, 4_102_444_799_999] {
            assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t), "{}", rfc3339(t));
        }
        assert_eq!(rfc3339(951_782_400_250), "2000-02-29T00:00:00.250Z");
        assert_eq!(parse_rfc3339("2000-02-29T00:00:01Z"), Some(951_782_401_000));
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
    }

    #[test]
    fn a_scene_loads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let scene = Scene {
            name: "Verse 2".into(),
            saved: 1_764_750_000_123,
            values: [
                ("track/1/gain".to_string(), f32::NEG_INFINITY),
                ("track/1/pan".to_string(), -0.25),
            ]
            .into(),
            names: [("track/1/name".to_string(), "Kick \"in\"".to_string())].into(),
        };
        save(dir.path(), &scene).unwrap();
        assert_eq!(load_dir(dir.path()).unwrap(), vec![scene]);
        assert!(
            check_name("a/b").is_err()
                && check_name(".x").is_err()
                && check_name("Chorus 1").is_ok()
        );
    }
}
