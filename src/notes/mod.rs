//! Review notes: what the artist or producer asked for, and where ("vocal
//! up in the chorus" at 1:02), written from a tablet (`/note/add`) or the
//! command line, with the author, the time and a done flag. They belong to
//! the session (`notes.yaml`, see [`mod@file`]) and go with it.
//!
//! While the transport plays, a note whose position it passes is handed to
//! the surfaces (the Mackie display shows it for two seconds); notes that
//! are done are not shown again.
//!
//! A notes file that cannot be read does not stop the console: the notes
//! are then read-only (none are shown, adding is refused with the file's
//! error), so a hand edit gone wrong is never overwritten.

pub mod file;

pub use file::Note;

use crate::yaml::Errors;
use std::path::{Path, PathBuf};

/// A move of the transport longer than this (or backwards) is a jump:
/// only notes right where it lands are shown, not everything on the way.
const MAX_STEP_S: f64 = 1.0;

/// A request about notes, from any surface.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Add a note at a position (seconds; the transport's when `None`),
    /// by an author (the client's name or address when `None`).
    Add {
        text: String,
        at: Option<f64>,
        author: Option<String>,
    },
    List,
    /// Mark a note done, or not.
    Done {
        id: u32,
        done: bool,
    },
}

pub struct Notes {
    dir: PathBuf,
    notes: Vec<Note>,
    /// Why the file cannot be used, if it cannot.
    broken: Option<Errors>,
    /// Where the transport was last seen playing.
    last: Option<f64>,
}

impl Notes {
    /// The notes of the session in `session_dir`. A broken file is kept as
    /// its errors (see [`Notes::problems`]), never overwritten.
    pub fn load(session_dir: &Path) -> Notes {
        let (notes, broken) = match file::load(session_dir) {
            Ok(n) => (n, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        Notes {
            dir: session_dir.to_path_buf(),
            notes,
            broken,
            last: None,
        }
    }

    pub fn list(&self) -> &[Note] {
        &self.notes
    }

    /// Why the notes file cannot be used, if it cannot.
    pub fn problems(&self) -> Option<&Errors> {
        self.broken.as_ref()
    }

    fn writable(&self) -> Result<(), String> {
        match &self.broken {
            Some(e) => Err(format!(
                "the notes file cannot be read, so it is left as it is: fix it and reload:\n{e}"
            )),
            None => Ok(()),
        }
    }

    fn save(&self) -> Result<(), String> {
        file::save(&self.dir, &self.notes).map_err(|e| {
            format!(
                "cannot save {}: {e}",
                self.dir.join(file::FILE_NAME).display()
            )
        })
    }

    /// Add a note; its number is one more than the highest so far.
    pub fn add(&mut self, text: &str, at: f64, author: &str, time: u64) -> Result<Note, String> {
        self.writable()?;
        if text.trim().is_empty() {
            return Err("a note needs some text".into());
        }
        if text.chars().count() > file::MAX_TEXT {
            return Err(format!("a note has at most {} characters", file::MAX_TEXT));
        }
        let Some(at) = crate::transport::file_time(at) else {
            return Err(format!(
                "a note's position is {}",
                crate::transport::FILE_TIME_ALLOWED
            ));
        };
        let note = Note {
            id: self.notes.iter().map(|n| n.id).max().unwrap_or(0) + 1,
            at,
            author: author.chars().take(file::MAX_AUTHOR).collect(),
            time,
            done: false,
            text: text.to_string(),
        };
        self.notes.push(note.clone());
        if let Err(e) = self.save() {
            self.notes.pop();
            return Err(e);
        }
        Ok(note)
    }

    /// Mark note `id` done (or not).
    pub fn set_done(&mut self, id: u32, done: bool) -> Result<Note, String> {
        self.writable()?;
        let numbers: Vec<String> = self.notes.iter().map(|n| n.id.to_string()).collect();
        let Some(k) = self.notes.iter().position(|n| n.id == id) else {
            return Err(if numbers.is_empty() {
                format!("no note {id}: there are none")
            } else {
                format!("no note {id}; notes: {}", numbers.join(", "))
            });
        };
        let before = self.notes[k].done;
        self.notes[k].done = done;
        if let Err(e) = self.save() {
            self.notes[k].done = before;
            return Err(e);
        }
        Ok(self.notes[k].clone())
    }

    /// The open notes the transport passed since it was last asked: it is
    /// at `seconds`, playing or not. A start or a jump shows the notes
    /// right where it lands.
    pub fn passing(&mut self, seconds: f64, playing: bool) -> Vec<Note> {
        let was = std::mem::replace(&mut self.last, playing.then_some(seconds));
        if !playing {
            return Vec::new();
        }
        let from = match was {
            Some(t) if seconds >= t && seconds - t <= MAX_STEP_S => t,
            _ => seconds - 1e-3,
        };
        if from == seconds {
            return Vec::new();
        }
        self.notes
            .iter()
            .filter(|n| !n.done && n.at > from && n.at <= seconds)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_numbered_saved_done_and_passed() {
        let dir = tempfile::tempdir().unwrap();
        let mut notes = Notes::load(dir.path());
        assert!(notes.add("  ", 1.0, "me", 0).is_err());
        assert!(notes.add("x", -1.0, "me", 0).is_err());
        let a = notes.add("vocal up", 2.0, "Producer", 1000).unwrap();
        let b = notes.add("less verb", 5.0, "Artist", 2000).unwrap();
        assert_eq!((a.id, b.id), (1, 2));
        assert!(notes.set_done(9, true).unwrap_err().contains("notes: 1, 2"));
        notes.set_done(2, true).unwrap();
        let again = Notes::load(dir.path());
        assert_eq!(again.list(), notes.list());
        assert!(again.list()[1].done);

        // Playing from 1.5 s in 20 ms steps passes note 1 once; note 2 is done.
        assert!(notes.passing(1.5, false).is_empty());
        let mut shown = Vec::new();
        let mut t = 1.5;
        while t < 6.0 {
            shown.extend(notes.passing(t, true).into_iter().map(|n| n.id));
            t += 0.02;
        }
        assert_eq!(shown, vec![1]);
        // A jump back to the note's position, playing: shown where it lands.
        assert_eq!(notes.passing(2.0, true).len(), 1);
        // A jump far ahead does not show what was jumped over.
        notes.set_done(2, false).unwrap();
        assert!(notes.passing(30.0, true).is_empty());
    }

    #[test]
    fn a_broken_file_is_kept_and_refuses_changes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(file::FILE_NAME), "notes: [ {id: 1\n").unwrap();
        let mut notes = Notes::load(dir.path());
        assert!(notes.problems().is_some());
        let e = notes.add("x", 0.0, "me", 0).unwrap_err();
        assert!(e.contains("notes.yaml:"), "{e}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(file::FILE_NAME)).unwrap(),
            "notes: [ {id: 1\n"
        );
    }
}
