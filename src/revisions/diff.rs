//! What changed between two revisions (or a revision and the mix now), in
//! a mixer's words, strip by strip:
//!
//! ```text
//! Lead Vox: fader -4.0 → -2.5 dB; Verb send -12.0 → -16.0 dB; 3 new automation points on track/4/gain between 1:02 and 1:10
//! Session: tempo 120.0 → 124.0 BPM; marker "Bridge" added at 2:10
//! ```
//!
//! and the same as JSON (one object per change, with its numbers), for
//! tools. Every difference is listed, and nothing else: two revisions
//! with the same mix give no changes, whatever their names, times and
//! notes.

use super::file;
use super::words;
use super::Revision;
use crate::automation::file::LaneFile;
use crate::engine::automation::Point;
use crate::params::{Owner, ParamId, ParamRef};
use crate::transport::Marker;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The strip it is on, for ordering and grouping.
    pub owner: Owner,
    /// The path it concerns: a parameter, a name, `transport` (markers and
    /// loop), `scenes/NAME`, `recall-safe`.
    pub path: String,
    /// `value`, `name`, `colour`, `lane`, `lane-mode`, `marker`, `loop`,
    /// `scene`, `recall-safe`.
    pub kind: &'static str,
    /// In words, without the strip.
    pub text: String,
    /// The numbers, for `--json`.
    pub detail: Value,
}

/// The changes from `a` to `b`, strip by strip (tracks, buses, master,
/// then the session), in path order within each.
pub fn diff(a: &Revision, b: &Revision) -> Vec<Change> {
    let mut out = Vec::new();
    values(a, b, &mut out);
    names(a, b, &mut out);
    colours(a, b, &mut out);
    lanes(a, b, &mut out);
    markers(&a.markers, &b.markers, &mut out);
    loops(a, b, &mut out);
    scenes(a, b, &mut out);
    safes(a, b, &mut out);
    out.sort_by_key(|x| x.owner);
    out
}

/// The strip a change is on, in words (the later revision's names).
fn strip_of(c: &Change, b: &Revision) -> String {
    words::strip(c.owner, &b.names)
}

/// One line per strip: `Strip: change; change`.
pub fn text(changes: &[Change], b: &Revision) -> String {
    let strips: Vec<String> = changes.iter().map(|c| strip_of(c, b)).collect();
    lines(
        strips
            .iter()
            .map(String::as_str)
            .zip(changes.iter().map(|c| c.text.as_str())),
    )
}

/// Changes as `(strip, text)`, in order, one line per run of one strip:
/// `Strip: change; change` (what the command line prints of a daemon's
/// answers, too).
pub fn lines<'a>(changes: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for (strip, text) in changes {
        if current == Some(strip) {
            out.push_str("; ");
        } else {
            if current.is_some() {
                out.push('\n');
            }
            out.push_str(strip);
            out.push_str(": ");
            current = Some(strip);
        }
        out.push_str(text);
    }
    if current.is_some() {
        out.push('\n');
    }
    out
}

/// The changes as one JSON document.
pub fn json(changes: &[Change], a: &Revision, b: &Revision) -> Value {
    document(
        &a.name,
        &b.name,
        changes.iter().map(|c| change_json(c, b)).collect(),
    )
}

/// The JSON document of a diff from `from` to `to` with its changes (each
/// as [`change_json`] makes it).
pub fn document(from: &str, to: &str, changes: Vec<Value>) -> Value {
    json!({ "from": from, "to": to, "changes": changes })
}

/// One change as JSON.
pub fn change_json(c: &Change, b: &Revision) -> Value {
    let mut v = json!({
        "strip": strip_of(c, b),
        "path": c.path,
        "kind": c.kind,
        "text": c.text,
    });
    if let (Value::Object(m), Value::Object(d)) = (&mut v, &c.detail) {
        m.extend(d.clone());
    }
    v
}

/// A number for JSON, which has no infinity: silence is `"-inf"`.
fn number(v: Option<f32>) -> Value {
    match v {
        None => Value::Null,
        Some(v) if v.is_finite() => json!(v),
        Some(v) => json!(v.to_string()),
    }
}

fn values(a: &Revision, b: &Revision, out: &mut Vec<Change>) {
    let paths: BTreeSet<&String> = a.values.keys().chain(b.values.keys()).collect();
    for path in paths {
        let (from, to) = (a.values.get(path).copied(), b.values.get(path).copied());
        if from == to {
            continue;
        }
        let Ok(r) = ParamRef::parse(path) else {
            continue;
        };
        let p = r.id.param;
        let shown = |v: Option<f32>| v.map_or("(none)".to_string(), |v| words::value(p, v));
        out.push(Change {
            owner: r.id.owner,
            path: path.clone(),
            kind: "value",
            text: format!(
                "{} {} → {}{}",
                words::what(r.id, &b.names),
                shown(from),
                shown(to),
                words::unit(p)
            ),
            detail: json!({ "from": number(from), "to": number(to), "unit": words::unit(p).trim() }),
        });
    }
}

fn names(a: &Revision, b: &Revision, out: &mut Vec<Change>) {
    labels(&a.names, &b.names, "name", out, |from, to| {
        format!("renamed {from} → {to}")
    });
}

fn colours(a: &Revision, b: &Revision, out: &mut Vec<Change>) {
    labels(&a.colours, &b.colours, "colour", out, |from, to| {
        format!(
            "colour {} → {}",
            from.trim_matches('"'),
            to.trim_matches('"')
        )
    });
}

/// Strip labels (names, colours: `key`) by path that differ, in words
/// made by `say` from the quoted texts (`(none)` where there is none).
fn labels(
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
    key: &'static str,
    out: &mut Vec<Change>,
    say: impl Fn(&str, &str) -> String,
) {
    let paths: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for path in paths {
        let (from, to) = (a.get(path), b.get(path));
        if from == to {
            continue;
        }
        let q = |n: Option<&String>| n.map_or("(none)".to_string(), |n| format!("{n:?}"));
        out.push(Change {
            owner: file::strip_of(path, key).unwrap_or(Owner::Transport),
            path: path.clone(),
            kind: key,
            text: say(&q(from), &q(to)),
            detail: json!({ "from": from, "to": to }),
        });
    }
}

fn lanes(a: &Revision, b: &Revision, out: &mut Vec<Change>) {
    fn by_id(r: &Revision) -> BTreeMap<ParamId, &LaneFile> {
        r.lanes.iter().map(|l| (l.id, l)).collect()
    }
    let (la, lb) = (by_id(a), by_id(b));
    let ids: BTreeSet<_> = la.keys().chain(lb.keys()).copied().collect();
    for id in ids {
        let path = id.to_string();
        let (fa, fb) = (la.get(&id), lb.get(&id));
        let none: &[Point] = &[];
        let pa = fa.map_or(none, |l| l.lane.points());
        let pb = fb.map_or(none, |l| l.lane.points());
        if let Some(c) = points(pa, pb) {
            let (added, removed, changed, start, end) = c;
            let mut counts = Vec::new();
            for (n, what) in [(added, "new"), (removed, "removed"), (changed, "changed")] {
                if n > 0 {
                    counts.push(format!("{n} {what}"));
                }
            }
            let total = added + removed + changed;
            let counts = match counts.len() {
                1 => counts.remove(0),
                _ => {
                    let last = counts.pop().unwrap_or_default();
                    format!("{} and {last}", counts.join(", "))
                }
            };
            let points = if total == 1 { "point" } else { "points" };
            let when = if start == end {
                format!("at {}", words::time(start))
            } else {
                format!("between {} and {}", words::time(start), words::time(end))
            };
            out.push(Change {
                owner: id.owner,
                path: path.clone(),
                kind: "lane",
                text: format!("{counts} automation {points} on {path} {when}"),
                detail: json!({
                    "added": added, "removed": removed, "changed": changed,
                    "start": start, "end": end,
                }),
            });
        }
        let (ma, mb) = (fa.and_then(|l| l.mode), fb.and_then(|l| l.mode));
        if ma != mb {
            let name = |m: Option<crate::params::AutomationMode>| m.map_or("strip", |m| m.name());
            out.push(Change {
                owner: id.owner,
                path,
                kind: "lane-mode",
                text: format!("lane {} mode {} → {}", id, name(ma), name(mb)),
                detail: json!({ "from": name(ma), "to": name(mb) }),
            });
        }
    }
}

/// Points new, removed and changed (same time, another value) from `a` to
/// `b`, and the span of time they cover; `None` when the lanes agree.
fn points(a: &[Point], b: &[Point]) -> Option<(usize, usize, usize, f64, f64)> {
    let key = |p: &Point| p.time.to_bits();
    let ma: BTreeMap<u64, &Point> = a.iter().map(|p| (key(p), p)).collect();
    let mb: BTreeMap<u64, &Point> = b.iter().map(|p| (key(p), p)).collect();
    let (mut added, mut removed, mut changed) = (0, 0, 0);
    let mut span: Option<(f64, f64)> = None;
    let mut at = |t: f64| {
        span = Some(span.map_or((t, t), |(s, e)| (s.min(t), e.max(t))));
    };
    for p in b {
        match ma.get(&key(p)) {
            None => {
                added += 1;
                at(p.time);
            }
            Some(q) if q.value.to_bits() != p.value.to_bits() => {
                changed += 1;
                at(p.time);
            }
            Some(_) => {}
        }
    }
    for p in a.iter().filter(|p| !mb.contains_key(&key(p))) {
        removed += 1;
        at(p.time);
    }
    span.map(|(s, e)| (added, removed, changed, s, e))
}

fn markers(a: &[Marker], b: &[Marker], out: &mut Vec<Change>) {
    let mut unmatched: Vec<&Marker> = a.iter().collect();
    let mut add =
        |text: String, detail: Value| out.push(session("transport".into(), "marker", text, detail));
    for m in b {
        // Pair markers by name, nearest in time first.
        let same = unmatched
            .iter()
            .enumerate()
            .filter(|(_, o)| o.name == m.name)
            .min_by(|(_, x), (_, y)| (x.time - m.time).abs().total_cmp(&(y.time - m.time).abs()))
            .map(|(i, _)| i);
        match same {
            Some(i) => {
                let o = unmatched.remove(i);
                if o.time != m.time {
                    add(
                        format!(
                            "marker {:?} moved {} → {}",
                            m.name,
                            words::time(o.time),
                            words::time(m.time)
                        ),
                        json!({ "name": m.name, "from": o.time, "to": m.time }),
                    );
                }
            }
            None => add(
                format!("marker {:?} added at {}", m.name, words::time(m.time)),
                json!({ "name": m.name, "from": Value::Null, "to": m.time }),
            ),
        }
    }
    for o in unmatched {
        add(
            format!(
                "marker {:?} removed (was at {})",
                o.name,
                words::time(o.time)
            ),
            json!({ "name": o.name, "from": o.time, "to": Value::Null }),
        );
    }
}

fn loops(a: &Revision, b: &Revision, out: &mut Vec<Change>) {
    let range = |r: Option<(f64, f64)>| {
        r.map_or("none".to_string(), |(s, e)| {
            format!("{}–{}", words::time(s), words::time(e))
        })
    };
    if a.loop_range != b.loop_range {
        out.push(session(
            "transport".into(),
            "loop",
            format!("loop {} → {}", range(a.loop_range), range(b.loop_range)),
            json!({ "from": a.loop_range, "to": b.loop_range }),
        ));
    }
    if a.looping != b.looping {
        let on = |x: bool| if x { "on" } else { "off" };
        out.push(session(
            "transport".into(),
            "loop",
            format!("looping {} → {}", on(a.looping), on(b.looping)),
            json!({ "from": a.looping, "to": b.looping }),
        ));
    }
}

fn scenes(a: &Revision, b: &Revision, out: &mut Vec<Change>) {
    let names: BTreeSet<&String> = a.scenes.iter().chain(&b.scenes).map(|s| &s.name).collect();
    for name in names {
        let (sa, sb) = (
            a.scenes.iter().find(|s| &s.name == name),
            b.scenes.iter().find(|s| &s.name == name),
        );
        let text = match (sa, sb) {
            (None, Some(_)) => format!("scene {name:?} added"),
            (Some(_), None) => format!("scene {name:?} removed"),
            (Some(x), Some(y)) if x.values != y.values || x.names != y.names => {
                let keys: BTreeSet<&String> = x.values.keys().chain(y.values.keys()).collect();
                let n = keys
                    .into_iter()
                    .filter(|k| x.values.get(*k) != y.values.get(*k))
                    .count();
                let m = x
                    .names
                    .keys()
                    .chain(y.names.keys())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .filter(|k| x.names.get(*k) != y.names.get(*k))
                    .count();
                format!("scene {name:?} changed ({n} values, {m} names)")
            }
            _ => continue,
        };
        out.push(session(
            format!("scenes/{name}"),
            "scene",
            text,
            json!({ "name": name, "from": sa.is_some(), "to": sb.is_some() }),
        ));
    }
}

fn safes(a: &Revision, b: &Revision, out: &mut Vec<Change>) {
    let added: Vec<&String> = b.safes.difference(&a.safes).collect();
    let removed: Vec<&String> = a.safes.difference(&b.safes).collect();
    if added.is_empty() && removed.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("{} made safe", join(&added)));
    }
    if !removed.is_empty() {
        parts.push(format!("{} no longer safe", join(&removed)));
    }
    out.push(session(
        "recall-safe".into(),
        "recall-safe",
        format!("recall-safe: {}", parts.join(", ")),
        json!({ "added": added, "removed": removed }),
    ));
}

/// A change of the session's own (markers, loop, scenes, recall-safes),
/// listed under "Session".
fn session(path: String, kind: &'static str, text: String, detail: Value) -> Change {
    Change {
        owner: Owner::Transport,
        path,
        kind,
        text,
        detail,
    }
}

fn join(v: &[&String]) -> String {
    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::automation::{Lane, Shape};
    use crate::params::{Param, ParamId};
    use crate::revisions::file::tests::sample;

    #[test]
    fn the_same_mix_has_no_changes_whatever_its_name_and_note() {
        let a = sample();
        let mut b = sample();
        b.name = "other".into();
        b.note = "another note".into();
        b.saved += 1000;
        assert!(diff(&a, &b).is_empty());
    }

    #[test]
    fn every_change_in_a_mixers_words() {
        let a = sample();
        let mut b = sample();
        b.values.insert("track/1/gain".into(), -2.5);
        b.values.insert("transport/tempo".into(), 126.0);
        b.values.remove("track/2/gain");
        b.names.insert("track/1/name".into(), "Vox".into());
        b.colours.insert("track/1/colour".into(), "red".into());
        let gain = ParamId::track(0, Param::Gain);
        let l = b.lanes.iter_mut().find(|l| l.id == gain).unwrap();
        let mut pts = l.lane.points().to_vec();
        pts.push(Point::new(63.0, -5.0));
        pts.push(Point::new(65.0, -4.0));
        pts.push(Point::new(69.5, -3.0));
        pts[0].value = -7.0;
        l.lane = Lane::new(Shape::Linear, pts);
        l.mode = None;
        b.markers[0].time = 12.0;
        b.markers.remove(1);
        b.markers.push(Marker {
            name: "Bridge".into(),
            time: 130.0,
        });
        b.looping = false;
        b.scenes[0].values.insert("track/1/gain".into(), -9.0);
        b.safes.remove("eq");
        let changes = diff(&a, &b);
        let t = text(&changes, &b);
        assert_eq!(
            t,
            "Vox: fader -4.5 → -2.5 dB; renamed \"Lead Vox\" → \"Vox\"; colour cyan → red; 3 new and 1 changed automation points on track/1/gain between 1:02 and 1:09.5; lane track/1/gain mode touch → strip\n\
             Track 2: fader -inf → (none) dB\n\
             Session: tempo 124.0 → 126.0 BPM; marker \"Verse\" moved 0:10 → 0:12; marker \"Bridge\" added at 2:10; marker \"Chorus \\\"big\\\"\" removed (was at 1:02.5); looping on → off; scene \"Chorus\" changed (1 values, 0 names); recall-safe: eq no longer safe\n",
            "{t}"
        );
        let j = json(&changes, &a, &b);
        assert_eq!(j["changes"].as_array().unwrap().len(), changes.len());
        assert_eq!(j["changes"][0]["strip"], "Vox");
        assert_eq!(j["changes"][0]["from"], -4.5);
        assert_eq!(j["changes"][0]["to"], -2.5);
        assert_eq!(j["changes"][0]["unit"], "dB");
        let lane = &j["changes"][3];
        assert_eq!(
            (lane["added"].as_u64(), lane["changed"].as_u64()),
            (Some(3), Some(1))
        );
        assert_eq!(j["changes"][5]["from"], "-inf");
        assert_eq!(j["changes"][5]["to"], Value::Null);
    }
}
