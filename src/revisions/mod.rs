//! Revisions: versions of a mix delivered to an artist (v1, v2, v3 …),
//! each the whole mix as it sounds — every value, every automation lane,
//! markers and loop, strip names and colours, scenes and recall-safes — with when it
//! was saved and a note of what it is.
//!
//! Scenes hold values only; a revision holds everything that makes a mix
//! sound as it did, so that recalling v2 after v3 brings v2 back exactly
//! (its render is the same, sample for sample). Revisions live in the
//! session folder (`revisions/NAME.yaml`, see [`mod@file`]), so they go with
//! the session and a session in git diffs version by version.
//!
//! A recall is one undo step: what was there before is captured whole and
//! put back by [`Revisions::undo`]. A revision file is read when it is
//! used, never held: one that is broken is listed with its error, refused
//! when asked for, and stops nothing else.

pub mod ab;
mod capture;
pub mod diff;
pub mod file;
mod recall;
pub mod testing;
pub mod words;

pub use capture::capture;
pub use file::Revision;
pub use recall::{recall, Recalled};

use crate::yaml::{Errors, Located};
use std::path::{Path, PathBuf};

/// A request about revisions, from any surface.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Save the mix as `name` (replacing one only with `force`).
    Save {
        name: String,
        note: String,
        force: bool,
    },
    Recall(String),
    /// Undo the last recall.
    Undo,
    List,
    Show(String),
    /// What changed from `from` to `to` (the mix now when `None`).
    Diff {
        from: String,
        to: Option<String>,
    },
    Delete(String),
    /// Play `a` and `b` on the monitor (bounced first), `a` to begin with.
    Ab {
        a: String,
        b: String,
    },
    /// Play A, B, or the other one (`None`).
    AbSelect(Option<ab::Side>),
    /// Back to the mix.
    AbOff,
}

/// The revisions of one session.
pub struct Revisions {
    dir: PathBuf,
    /// The mix as it was before the last recall.
    undo: Option<Revision>,
}

/// One revision file as a listing shows it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub name: String,
    pub file: PathBuf,
    /// The revision, or why its file cannot be used.
    pub revision: Result<Revision, Errors>,
}

impl Revisions {
    /// The revisions of the session in `session_dir`.
    pub fn new(session_dir: &Path) -> Revisions {
        Revisions {
            dir: session_dir.join(file::FOLDER),
            undo: None,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The names of the revision files, sorted (broken ones too).
    fn names(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                let stem = n.strip_suffix(".yaml")?;
                (!stem.starts_with('.')).then(|| stem.to_string())
            })
            .collect();
        names.sort();
        names
    }

    /// Every revision file, oldest first (broken files last, by name).
    pub fn list(&self) -> Vec<Listed> {
        let mut all: Vec<Listed> = self
            .names()
            .into_iter()
            .map(|name| {
                let file = file::path_of(&self.dir, &name);
                Listed {
                    revision: file::load(&file),
                    name,
                    file,
                }
            })
            .collect();
        all.sort_by_key(|l| match &l.revision {
            Ok(r) => (0, r.saved, l.name.clone()),
            Err(_) => (1, 0, l.name.clone()),
        });
        all
    }

    /// Every problem of every revision file, each with its file and line.
    pub fn problems(&self) -> Vec<Located> {
        self.list()
            .into_iter()
            .filter_map(|l| l.revision.err())
            .flat_map(|e| e.0)
            .collect()
    }

    /// The revision called `name`, or why not: a name that cannot be one,
    /// no such revision (with those there are), or its file's errors.
    pub fn get(&self, name: &str) -> Result<Revision, String> {
        file::check_name(name)?;
        let path = file::path_of(&self.dir, name);
        if !path.exists() {
            let names = self.names();
            return Err(if names.is_empty() {
                format!("no revision `{name}` ({}): none saved yet", path.display())
            } else {
                format!(
                    "no revision `{name}` ({}); saved: {}",
                    path.display(),
                    names.join(", ")
                )
            });
        }
        file::load(&path).map_err(|e| e.to_string())
    }

    /// Save `revision`; one of the same name is replaced only with `force`.
    pub fn save(&self, revision: &Revision, force: bool) -> Result<PathBuf, String> {
        file::check_name(&revision.name)?;
        let path = file::path_of(&self.dir, &revision.name);
        if path.exists() && !force {
            return Err(format!(
                "revision `{}` exists ({}); replace it with --force (OSC: a third argument 1)",
                revision.name,
                path.display()
            ));
        }
        file::save(&self.dir, revision)
            .map(|()| path.clone())
            .map_err(|e| format!("cannot save {}: {e}", path.display()))
    }

    pub fn delete(&self, name: &str) -> Result<PathBuf, String> {
        file::check_name(name)?;
        let path = file::path_of(&self.dir, name);
        if !path.exists() {
            return self.get(name).map(|_| path);
        }
        crate::atomic_file::remove(&path)
            .map(|()| path.clone())
            .map_err(|e| format!("cannot delete {}: {e}", path.display()))
    }

    /// Keep the mix as it was before a recall, for [`Revisions::undo`].
    pub fn keep_for_undo(&mut self, before: Revision) {
        self.undo = Some(before);
    }

    /// The mix as it was before the last recall (taken: one undo).
    pub fn undo(&mut self) -> Result<Revision, String> {
        self.undo
            .take()
            .ok_or_else(|| "no revision recall to undo".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_broken_and_existing_revisions_say_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let revisions = Revisions::new(dir.path());
        let e = revisions.get("v1").unwrap_err();
        assert!(
            e.contains("no revision `v1`") && e.contains("none saved yet"),
            "{e}"
        );
        assert!(revisions
            .get("../etc/passwd")
            .unwrap_err()
            .contains("allowed:"));
        let mut r = file::tests::sample();
        r.name = "v1".into();
        revisions.save(&r, false).unwrap();
        let e = revisions.save(&r, false).unwrap_err();
        assert!(e.contains("--force"), "{e}");
        r.note = "replaced".into();
        revisions.save(&r, true).unwrap();
        assert_eq!(revisions.get("v1").unwrap().note, "replaced");
        std::fs::write(revisions.dir().join("v0.yaml"), "name: v0\nsaved: [\n").unwrap();
        let e = revisions.get("v9").unwrap_err();
        assert!(e.contains("saved: v0, v1"), "{e}");
        let e = revisions.get("v0").unwrap_err();
        assert!(e.contains("v0.yaml:2:"), "{e}");
        let list = revisions.list();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name, "v1");
        assert!(list[1].revision.is_err());
        assert_eq!(revisions.problems().len(), 1);
        revisions.delete("v0").unwrap();
        assert!(revisions.delete("v0").is_err());
        assert!(revisions.problems().is_empty());
    }
}
