//! The notes file: `notes.yaml` in the session folder, every note with its
//! number, where it is on the timeline, who wrote it, when, whether it is
//! done, and its text (any text: quoted and escaped so that it reads back
//! the same, control characters and all).
//!
//! ```yaml
//! # mixbridge review notes: at = seconds on the timeline
//! notes:
//!   - id: 1
//!     at: 62.000000
//!     author: "Producer"
//!     time: 2026-12-04T18:30:00.000Z
//!     done: false
//!     text: "vocal up in the chorus"
//! ```

use crate::scenes::file::{parse_time, rfc3339};
use crate::transport::{file_time, FILE_TIME_ALLOWED};
use crate::yaml::{self, quoted, Errors, Located};
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::Path;

pub const FILE_NAME: &str = "notes.yaml";
/// Longest note, in characters.
pub const MAX_TEXT: usize = 4096;
/// Longest author, in characters.
pub const MAX_AUTHOR: usize = 64;

/// One review note.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Its number, from 1, never reused.
    pub id: u32,
    /// Seconds on the timeline.
    pub at: f64,
    pub author: String,
    /// When it was written: milliseconds since 1970 (UTC).
    pub time: u64,
    pub done: bool,
    pub text: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Stored {
    #[serde(default)]
    notes: Vec<StoredNote>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredNote {
    id: u32,
    at: f64,
    #[serde(default)]
    author: String,
    time: String,
    #[serde(default)]
    done: bool,
    text: String,
}

/// The text of the notes file.
pub fn encode(notes: &[Note]) -> String {
    let mut s = String::from("# mixbridge review notes: at = seconds on the timeline\n");
    if notes.is_empty() {
        s.push_str("notes: []\n");
        return s;
    }
    s.push_str("notes:\n");
    for n in notes {
        let _ = writeln!(s, "  - id: {}", n.id);
        let _ = writeln!(s, "    at: {:.6}", n.at);
        let _ = writeln!(s, "    author: {}", quoted(&n.author));
        let _ = writeln!(s, "    time: {}", rfc3339(n.time));
        let _ = writeln!(s, "    done: {}", n.done);
        let _ = writeln!(s, "    text: {}", quoted(&n.text));
    }
    s
}

/// The notes in `text` (`file` names it in errors), in number order, or
/// every problem found, each with its line and what is allowed.
pub fn parse(file: &Path, text: &str) -> Result<Vec<Note>, Errors> {
    let (stored, origin): (Stored, _) = yaml::parse(file, text)?;
    let mut errors = Vec::new();
    let mut notes: Vec<Note> = Vec::with_capacity(stored.notes.len());
    for (i, n) in stored.notes.into_iter().enumerate() {
        let k = i.to_string();
        let at = |key: &'static str| ["notes", k.as_str(), key];
        let time = parse_time(&n.time, &origin, &at("time"), &mut errors);
        if n.id == 0 || notes.iter().any(|o| o.id == n.id) {
            errors.push(origin.at(
                &at("id"),
                format!(
                    "note number {} is 0 or used twice; numbers are 1 or more, each once",
                    n.id
                ),
            ));
        }
        let position = file_time(n.at).unwrap_or_else(|| {
            errors.push(origin.at(
                &at("at"),
                format!("a note's position is {FILE_TIME_ALLOWED}"),
            ));
            0.0
        });
        if n.text.chars().count() > MAX_TEXT {
            errors.push(origin.at(
                &at("text"),
                format!("a note has at most {MAX_TEXT} characters"),
            ));
        }
        if n.author.chars().count() > MAX_AUTHOR {
            errors.push(origin.at(
                &at("author"),
                format!("an author has at most {MAX_AUTHOR} characters"),
            ));
        }
        notes.push(Note {
            id: n.id,
            at: position,
            author: n.author,
            time,
            done: n.done,
            text: n.text,
        });
    }
    Errors::check(errors)?;
    notes.sort_by_key(|n| n.id);
    Ok(notes)
}

/// The notes of the session in `dir` (none without a file).
pub fn load(dir: &Path) -> Result<Vec<Note>, Errors> {
    let path = dir.join(FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Located::whole(&path, format!("cannot read: {e}")).into()),
    }
}

/// Save the notes atomically.
pub fn save(dir: &Path, notes: &[Note]) -> std::io::Result<()> {
    crate::atomic_file::write(&dir.join(FILE_NAME), encode(notes).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let notes = vec![
            Note {
                id: 1,
                at: 62.5,
                author: "Producer (iPad)".into(),
                time: 1_764_870_000_123,
                done: false,
                text: "vocal up in the chorus".into(),
            },
            Note {
                id: 7,
                at: 0.0,
                author: "Анна".into(),
                time: 0,
                done: true,
                text: "ctl:\u{0}\u{1}\u{7}\u{1b}[0m\t\r\n\u{7f}\u{85}\u{2028}\u{feff}\u{fffe}\u{ffff} — ボーカルをもっと 🎤 \"q\" \\ # : - [x]".into(),
            },
            Note {
                id: 8,
                at: 3600.25,
                author: String::new(),
                time: 4_102_444_799_999,
                done: false,
                text: "long ".repeat(MAX_TEXT / 5),
            },
        ];
        save(dir.path(), &notes).unwrap();
        assert_eq!(load(dir.path()).unwrap(), notes);
    }

    #[test]
    fn mistakes_are_reported_with_their_line() {
        let text = "notes:\n  - { id: 1, at: -2, time: 2026-12-03T08:15:00Z, text: a }\n  - { id: 1, at: 3, time: noon, text: b }\n";
        let e = parse(Path::new("notes.yaml"), text)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("notes.yaml:2:") && e.contains("seconds from 0 to"),
            "{e}"
        );
        assert!(
            e.contains("notes.yaml:3:") && e.contains("used twice"),
            "{e}"
        );
        assert!(e.contains("expected a UTC time"), "{e}");
    }
}
