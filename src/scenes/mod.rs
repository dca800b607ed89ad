//! Scenes: the whole mix saved under a name, recalled (at once or with a
//! crossfade) with recall-safe strips and parameter groups left alone,
//! listed, deleted, and the last recall undone.
//!
//! A scene holds every parameter value and strip name, except automation
//! modes and the tempo: a scene is what the mix sounds like, not how the
//! console is being driven. The crossfade runs on the control thread in
//! small steps that the engine's smoothing joins into a continuous move;
//! switches and choices change at its start.

pub mod file;

use crate::control::model::{Change, Key, Mix, Origin};
use crate::params::{Owner, Param, ParamId, Registry, Spec, Taper};
use crate::yaml::Errors;
pub use file::Scene;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The longest crossfade a recall may ask for.
pub const MAX_FADE: Duration = Duration::from_secs(60);
/// How often a crossfade moves its values.
pub const FADE_STEP: Duration = Duration::from_millis(20);

/// Parameter groups a recall can leave alone. `monitor` (the monitor
/// section) is left alone unless made otherwise ([`file::SAFE_BY_DEFAULT`]).
pub const GROUPS: &[&str] = &[
    "gain", "trim", "polarity", "pan", "mute", "solo", "hpf", "eq", "gate", "comp", "send",
    "reverb", "delay", "limiter", "drive", "mod", "pitch", "names", "monitor",
];

pub struct Scenes {
    dir: PathBuf,
    scenes: BTreeMap<String, Scene>,
    safes: BTreeSet<String>,
    undo: Option<Snapshot>,
    fade: Option<Fade>,
}

/// Values and names as they were before a recall.
struct Snapshot {
    values: Vec<(ParamId, f32)>,
    names: Vec<(Owner, String)>,
}

struct Fade {
    moves: Vec<(ParamId, f32, f32)>,
    start: Instant,
    length: Duration,
}

/// What a recall did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Recalled {
    pub changes: Vec<Change>,
    /// Parameters left alone because they are recall-safe.
    pub safe: usize,
    /// Paths the scene holds that this session does not have.
    pub unknown: Vec<String>,
}

impl Scenes {
    /// The scenes of the session in `session_dir`.
    pub fn load(session_dir: &Path) -> Result<Scenes, Errors> {
        let dir = session_dir.join(file::FOLDER);
        let scenes = file::load_dir(&dir)?
            .into_iter()
            .map(|s| (s.name.clone(), s))
            .collect();
        Ok(Scenes {
            safes: file::load_safes(session_dir)?,
            dir,
            scenes,
            undo: None,
            fade: None,
        })
    }

    /// Scenes, oldest first.
    pub fn list(&self) -> Vec<&Scene> {
        let mut v: Vec<&Scene> = self.scenes.values().collect();
        v.sort_by(|a, b| a.saved.cmp(&b.saved).then(a.name.cmp(&b.name)));
        v
    }

    pub fn safes(&self) -> &BTreeSet<String> {
        &self.safes
    }

    /// Replace every scene and the recall-safe list (a revision recalled):
    /// scene files are rewritten or removed; the undo of the last recall
    /// and a crossfade under way are dropped.
    pub fn replace(&mut self, scenes: Vec<Scene>, safes: BTreeSet<String>) -> std::io::Result<()> {
        let mut result = Ok(());
        for name in self.scenes.keys() {
            if !scenes.iter().any(|s| &s.name == name) {
                if let Err(e) = crate::atomic_file::remove(&file::path_of(&self.dir, name)) {
                    result = Err(e);
                }
            }
        }
        for s in &scenes {
            if let Err(e) = file::save(&self.dir, s) {
                result = Err(e);
            }
        }
        let session = self.dir.parent().unwrap_or(&self.dir).to_path_buf();
        if let Err(e) = file::save_safes(&session, &safes) {
            result = Err(e);
        }
        self.scenes = scenes.into_iter().map(|s| (s.name.clone(), s)).collect();
        self.safes = safes;
        self.undo = None;
        self.fade = None;
        result
    }

    /// Save the mix as `name` (replacing a scene of that name), stamped `saved`
    /// (milliseconds since 1970).
    pub fn save(&mut self, name: &str, mix: &Mix, saved: u64) -> Result<(), String> {
        file::check_name(name)?;
        let scene = Scene {
            name: name.to_string(),
            saved,
            values: mix
                .values()
                .into_iter()
                .filter(|(id, _)| in_scenes(*id))
                .map(|(id, v)| (id.to_string(), v))
                .collect(),
            names: mix.names_by_path(),
        };
        file::save(&self.dir, &scene).map_err(|e| format!("cannot save: {e}"))?;
        self.scenes.insert(name.to_string(), scene);
        Ok(())
    }

    pub fn delete(&mut self, name: &str) -> Result<(), String> {
        if self.scenes.remove(name).is_none() {
            return Err(format!("no scene `{name}`"));
        }
        crate::atomic_file::remove(&file::path_of(&self.dir, name))
            .map_err(|e| format!("cannot delete: {e}"))
    }

    /// Mark a strip (`track/3`, `bus/1`, `master`) or a group (see
    /// [`GROUPS`]) recall-safe, or not. Saved at once.
    pub fn set_safe(&mut self, pattern: &str, on: bool, registry: &Registry) -> Result<(), String> {
        let strip = registry.resolve(&format!("{pattern}/mute")).is_ok()
            || registry.resolve(&format!("{pattern}/gain")).is_ok();
        if !GROUPS.contains(&pattern) && !strip {
            return Err(format!(
                "`{pattern}` is neither a strip (track/N, bus/N, master) nor a group ({})",
                GROUPS.join(", ")
            ));
        }
        if on {
            self.safes.insert(pattern.to_string());
        } else {
            self.safes.remove(pattern);
        }
        let session = self.dir.parent().unwrap_or(&self.dir).to_path_buf();
        file::save_safes(&session, &self.safes).map_err(|e| format!("cannot save: {e}"))
    }

    fn is_safe(&self, id: ParamId) -> bool {
        self.safes.contains(&id.owner.to_string()) || self.safes.contains(group_of(id.param))
    }

    /// Recall a scene: at once (switches, names, and everything when `fade`
    /// is zero) and over `fade` (the continuous values, moved by
    /// [`Scenes::tick`]).
    pub fn recall(
        &mut self,
        name: &str,
        fade: Duration,
        mix: &mut Mix,
        now: Instant,
    ) -> Result<Recalled, String> {
        let scene = self
            .scenes
            .get(name)
            .ok_or_else(|| format!("no scene `{name}`"))?
            .clone();
        let fade = fade.min(MAX_FADE);
        let mut out = Recalled::default();
        let mut snapshot = Snapshot {
            values: Vec::new(),
            names: Vec::new(),
        };
        let mut moves = Vec::new();
        for (path, &target) in &scene.values {
            let Ok(r) = mix.registry().resolve(path) else {
                out.unknown.push(path.clone());
                continue;
            };
            let id = r.id;
            if !in_scenes(id) {
                continue;
            }
            if self.is_safe(id) {
                out.safe += 1;
                continue;
            }
            let Some(current) = mix.get(id) else { continue };
            let Some(target) = Spec::of(id.param).clamp(target) else {
                continue;
            };
            if current == target {
                continue;
            }
            snapshot.values.push((id, current));
            let continuous = Spec::of(id.param).taper != Taper::Stepped
                && current.is_finite()
                && target.is_finite();
            if fade.is_zero() || !continuous {
                set(mix, id, target, &mut out.changes);
            } else {
                moves.push((id, current, target));
            }
        }
        if !self.safes.contains("names") {
            for (path, n) in &scene.names {
                let owners: Vec<Owner> = mix.named().collect();
                let Some(owner) = owners.into_iter().find(|o| format!("{o}/name") == *path) else {
                    continue;
                };
                if self.safes.contains(&owner.to_string()) {
                    continue;
                }
                let before = mix.name(owner).unwrap_or("").to_string();
                if mix.set_name(owner, n) {
                    snapshot.names.push((owner, before));
                    out.changes.push(Change {
                        key: Key::Name(owner),
                        origin: Origin::Session,
                    });
                }
            }
        }
        self.fade = (!moves.is_empty()).then_some(Fade {
            moves,
            start: now,
            length: fade,
        });
        self.undo = Some(snapshot);
        Ok(out)
    }

    /// Put back what the last recall changed (at once).
    pub fn undo(&mut self, mix: &mut Mix) -> Result<Vec<Change>, String> {
        let s = self.undo.take().ok_or("no recall to undo")?;
        self.fade = None;
        let mut changes = Vec::new();
        for (id, v) in s.values {
            set(mix, id, v, &mut changes);
        }
        for (owner, n) in s.names {
            if mix.set_name(owner, &n) {
                changes.push(Change {
                    key: Key::Name(owner),
                    origin: Origin::Session,
                });
            }
        }
        Ok(changes)
    }

    /// When the crossfade moves next.
    pub fn next_due(&self, now: Instant) -> Option<Instant> {
        self.fade.as_ref().map(|_| now + FADE_STEP)
    }

    /// Move the crossfade on.
    pub fn tick(&mut self, mix: &mut Mix, now: Instant) -> Vec<Change> {
        let Some(f) = &self.fade else {
            return Vec::new();
        };
        let x = if f.length.is_zero() {
            1.0
        } else {
            (now.saturating_duration_since(f.start).as_secs_f32() / f.length.as_secs_f32()).min(1.0)
        };
        let mut changes = Vec::new();
        for &(id, from, to) in &f.moves {
            set(mix, id, from + (to - from) * x, &mut changes);
        }
        if x >= 1.0 {
            self.fade = None;
        }
        changes
    }
}

fn set(mix: &mut Mix, id: ParamId, v: f32, changes: &mut Vec<Change>) {
    if mix.set(id, v).is_some() {
        changes.push(Change {
            key: Key::Param(id),
            origin: Origin::Session,
        });
    }
}

/// Whether a scene holds the parameter: what shapes the sound, and the
/// monitor section (recall-safe by default), never a held talkback.
fn in_scenes(id: ParamId) -> bool {
    let kept = id.param.automatable() || id.owner == Owner::Monitor;
    kept && id.param.persistent() && id.owner != Owner::Transport
}

/// The recall-safe group a parameter belongs to.
fn group_of(p: Param) -> &'static str {
    match p {
        Param::Gain => "gain",
        Param::Trim => "trim",
        Param::Polarity => "polarity",
        Param::Pan | Param::Width => "pan",
        Param::Mute => "mute",
        Param::Solo => "solo",
        Param::HpfFreq | Param::HpfOn => "hpf",
        Param::Eq { .. } => "eq",
        Param::Gate(_) => "gate",
        Param::Comp(_) => "comp",
        Param::Send { .. } => "send",
        Param::Reverb(_) => "reverb",
        Param::Delay(_) => "delay",
        Param::Limiter(_) => "limiter",
        Param::Drive(_) => "drive",
        Param::Mod(_) => "mod",
        Param::Pitch(_) => "pitch",
        Param::Monitor(_) => "monitor",
        Param::Tempo | Param::Automation => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{BusEffect, Layout};

    fn mix() -> Mix {
        Mix::from_layout(Layout {
            tracks: 2,
            buses: vec![BusEffect::Reverb],
        })
    }

    #[test]
    fn recall_with_safes_fade_and_undo() {
        let dir = tempfile::tempdir().unwrap();
        let mut scenes = Scenes::load(dir.path()).unwrap();
        let mut m = mix();
        m.set_path("track/1/gain", -20.0).unwrap();
        m.set_path("track/2/gain", -20.0).unwrap();
        m.set_path("track/1/eq/1/gain", 6.0).unwrap();
        m.set_path("track/1/mute", 1.0).unwrap();
        scenes.save("A", &m, 1_000).unwrap();
        m.set_path("track/1/gain", 0.0).unwrap();
        m.set_path("track/2/gain", 0.0).unwrap();
        m.set_path("track/1/eq/1/gain", 0.0).unwrap();
        m.set_path("track/1/mute", 0.0).unwrap();
        scenes.set_safe("track/2", true, m.registry()).unwrap();
        scenes.set_safe("eq", true, m.registry()).unwrap();
        assert!(scenes.set_safe("track/9", true, m.registry()).is_err());

        // A fresh load sees the same scenes and safes.
        let mut scenes = Scenes::load(dir.path()).unwrap();
        let t0 = Instant::now();
        let r = scenes
            .recall("A", Duration::from_secs(1), &mut m, t0)
            .unwrap();
        assert!(r.safe > 0);
        assert_eq!(
            m.get_path("track/1/mute").unwrap(),
            1.0,
            "switches at the start"
        );
        assert_eq!(m.get_path("track/1/gain").unwrap(), 0.0, "levels fade");
        scenes.tick(&mut m, t0 + Duration::from_millis(500));
        assert!((m.get_path("track/1/gain").unwrap() + 10.0).abs() < 0.01);
        scenes.tick(&mut m, t0 + Duration::from_secs(2));
        assert_eq!(m.get_path("track/1/gain").unwrap(), -20.0);
        assert_eq!(m.get_path("track/2/gain").unwrap(), 0.0, "a safe strip");
        assert_eq!(
            m.get_path("track/1/eq/1/gain").unwrap(),
            0.0,
            "a safe group"
        );
        scenes.undo(&mut m).unwrap();
        assert_eq!(m.get_path("track/1/gain").unwrap(), 0.0);
        assert_eq!(m.get_path("track/1/mute").unwrap(), 0.0);
        assert!(scenes.undo(&mut m).is_err());
        scenes.delete("A").unwrap();
        assert!(Scenes::load(dir.path()).unwrap().list().is_empty());
    }

    /// The monitor section is in every scene, left alone by a recall until
    /// it is made unsafe (and that choice is kept); a held talkback is
    /// never saved.
    #[test]
    fn the_monitor_is_recall_safe_by_default() {
        let dir = tempfile::tempdir().unwrap();
        let mut scenes = Scenes::load(dir.path()).unwrap();
        let mut m = Mix::from_layout(Layout {
            tracks: 1,
            buses: vec![BusEffect::None],
        })
        .with_monitor(true);
        assert!(scenes.safes().contains("monitor"));
        m.set_path("monitor/dim", 1.0).unwrap();
        m.set_path("monitor/talkback", 1.0).unwrap();
        m.set_path("track/1/gain", -6.0).unwrap();
        scenes.save("A", &m, 1).unwrap();
        let saved = &scenes.list()[0].values;
        assert!(saved.contains_key("monitor/dim"));
        assert!(!saved.contains_key("monitor/talkback"));

        m.set_path("monitor/dim", 0.0).unwrap();
        m.set_path("track/1/gain", 0.0).unwrap();
        let r = scenes
            .recall("A", Duration::ZERO, &mut m, Instant::now())
            .unwrap();
        assert!(r.safe > 0);
        assert_eq!(m.get_path("monitor/dim").unwrap(), 0.0, "left alone");
        assert_eq!(m.get_path("track/1/gain").unwrap(), -6.0);

        scenes.set_safe("monitor", false, m.registry()).unwrap();
        let mut scenes = Scenes::load(dir.path()).unwrap();
        assert!(!scenes.safes().contains("monitor"), "the choice is kept");
        scenes
            .recall("A", Duration::ZERO, &mut m, Instant::now())
            .unwrap();
        assert_eq!(m.get_path("monitor/dim").unwrap(), 1.0, "recalled");
        assert_eq!(
            m.get_path("monitor/talkback").unwrap(),
            1.0,
            "not in the scene"
        );
    }
}
