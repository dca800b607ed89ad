//! One way to read a YAML file into serde types, shared by the session, the
//! config and the MIDI mapping files.
//!
//! People edit these files by hand on a headless box, so every mistake must
//! say where it is (file, line, column), what is wrong and what would be
//! allowed. Structural mistakes (syntax, unknown keys, wrong types) come from
//! serde_yaml with its own position; checks that only make sense after
//! deserialisation (ranges, references) look their position up in a
//! [`SourceMap`] of the same text.

mod source_map;

pub use source_map::{Pos, SourceMap};

use serde::de::DeserializeOwned;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

/// One problem in a file. `line` 0 means the file as a whole (it could not
/// be read, say) and is shown without a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Located {
    pub fn new(file: &Path, pos: Pos, message: impl Into<String>) -> Located {
        Located {
            file: file.to_path_buf(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }

    /// A problem with the file as a whole.
    pub fn whole(file: &Path, message: impl Into<String>) -> Located {
        Located {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            message: message.into(),
        }
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

/// Every problem found in one or more files, in the order found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Errors(pub Vec<Located>);

impl Errors {
    /// `Ok(())` if nothing was found.
    pub fn check(found: Vec<Located>) -> Result<(), Errors> {
        if found.is_empty() {
            Ok(())
        } else {
            Err(Errors(found))
        }
    }
}

impl From<Located> for Errors {
    fn from(e: Located) -> Errors {
        Errors(vec![e])
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

/// A deserialised file's name and source map, for reporting problems found
/// after deserialisation.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: PathBuf,
    pub map: SourceMap,
}

impl Origin {
    /// A problem with the value at `path` (or its nearest written ancestor).
    pub fn at(&self, path: &[&str], message: impl Into<String>) -> Located {
        Located::new(&self.file, self.map.nearest(path), message)
    }

    /// [`Origin::at`] for a part of the file that sits at `at` (a revision
    /// holds lanes, markers and scenes below its own keys): `path` is
    /// below it.
    pub fn at_in(&self, at: &[&str], path: &[&str], message: impl Into<String>) -> Located {
        let full: Vec<&str> = at.iter().chain(path).copied().collect();
        self.at(&full, message)
    }

    /// A problem with the key that names the node at `path`.
    pub fn at_key(&self, path: &[&str], message: impl Into<String>) -> Located {
        let pos = self.map.key(path).unwrap_or_else(|| self.map.nearest(path));
        Located::new(&self.file, pos, message)
    }
}

/// `s` as a YAML double-quoted string that reads back as `s`: everything
/// outside YAML's printable set (and the line breaks it folds) is escaped.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            '\u{a0}'..='\u{2027}'
            | '\u{202a}'..='\u{d7ff}'
            | '\u{e000}'..='\u{fefe}'
            | '\u{ff00}'..='\u{fffd}'
            | '\u{10000}'.. => out.push(c),
            _ => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

/// Every `*.yaml` file in `dir` (none if it does not exist; hidden files,
/// such as the temporaries of atomic writes, are skipped), in name order,
/// each through `load`: all of them, or every problem found in any.
pub fn load_folder<T>(
    dir: &Path,
    load: impl Fn(&Path) -> Result<T, Errors>,
) -> Result<Vec<T>, Errors> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Errors(vec![Located::whole(
                dir,
                format!("cannot read: {e}"),
            )]))
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "yaml")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    let mut loaded = Vec::with_capacity(files.len());
    let mut errors = Vec::new();
    for f in files {
        match load(&f) {
            Ok(x) => loaded.push(x),
            Err(Errors(e)) => errors.extend(e),
        }
    }
    Errors::check(errors)?;
    Ok(loaded)
}

/// Read and deserialise a YAML file.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<(T, Origin), Errors> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Located::whole(path, format!("cannot read: {e}")))?;
    parse(path, &text)
}

/// Deserialise YAML text that came from `file`. (serde_yaml reads a document
/// with no content as a struct of defaults, so an all-default file may be
/// empty.)
pub fn parse<T: DeserializeOwned>(file: &Path, text: &str) -> Result<(T, Origin), Errors> {
    let value = serde_yaml::from_str::<T>(text).map_err(|e| from_serde(file, &e))?;
    let map = SourceMap::parse(text).map_err(|(pos, msg)| Located::new(file, pos, msg))?;
    Ok((
        value,
        Origin {
            file: file.to_path_buf(),
            map,
        },
    ))
}

/// A serde_yaml error with its position moved out of the message.
fn from_serde(file: &Path, e: &serde_yaml::Error) -> Located {
    let text = e.to_string();
    match e.location() {
        Some(loc) => {
            let suffix = format!(" at line {} column {}", loc.line(), loc.column());
            let message = text.replacen(&suffix, "", 1);
            let pos = Pos {
                line: loc.line(),
                column: loc.column(),
            };
            Located::new(file, pos, readable(&message))
        }
        None => Located::whole(file, readable(&text)),
    }
}

/// serde's wording, in the words of someone editing a YAML file.
fn readable(message: &str) -> String {
    let mut m = message.to_string();
    for (from, to) in [
        ("unknown field", "unknown key"),
        ("unknown variant", "unknown value"),
        ("missing field", "missing key"),
        ("duplicate field", "duplicate key"),
    ] {
        if m.contains(from) {
            m = m
                .replacen(from, to, 1)
                .replacen(", expected one of ", "; allowed: ", 1)
                .replacen(", expected ", "; allowed: ", 1);
        }
    }
    for (ty, what) in [
        ("u8", "a whole number"),
        ("u16", "a whole number"),
        ("u32", "a whole number"),
        ("u64", "a whole number"),
        ("i64", "a whole number"),
        ("f32", "a number"),
        ("f64", "a number"),
    ] {
        if let Some(head) = m.strip_suffix(&format!("expected {ty}")) {
            m = format!("{head}expected {what}");
        }
    }
    m
}

#[cfg(test)]
mod quoting {
    use super::*;

    #[test]
    fn quoted_strings_read_back_whole() {
        for s in [
            "plain",
            "a \"quote\" and \\",
            "tab\tline\nret\r",
            "\u{85}\u{7f}\u{1b}\u{9f}\u{2028}\u{feff}\u{fffe}",
            "Ünïcødé 🎚",
        ] {
            let text = format!("v: {}\n", quoted(s));
            let back: std::collections::BTreeMap<String, String> =
                serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(back["v"], s, "{text:?}");
            assert!(SourceMap::parse(&text).is_ok(), "{text:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        #[serde(default)]
        rate: u32,
        #[serde(default)]
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Item {
        name: String,
        #[serde(default)]
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Aux,
        Fx,
    }

    fn err(text: &str) -> Located {
        let mut e = parse::<Doc>(Path::new("f.yaml"), text).unwrap_err();
        assert_eq!(e.0.len(), 1);
        e.0.remove(0)
    }

    #[test]
    fn unknown_keys_name_the_allowed_ones_at_the_key() {
        let e = err("rate: 1\nitems:\n  - name: a\n    knd: fx\n");
        assert_eq!((e.line, e.column), (4, 5), "{e}");
        assert!(e.message.contains("unknown key `knd`"), "{e}");
        assert!(e.message.contains("allowed: `name` or `kind`"), "{e}");
        assert!(
            !e.message.contains("line 4"),
            "position left in the message: {e}"
        );
        assert_eq!(e.to_string(), format!("f.yaml:4:5: {}", e.message));
    }

    #[test]
    fn wrong_types_and_values_say_what_is_expected() {
        let e = err("rate: fast\n");
        assert_eq!(e.line, 1);
        assert!(e.message.ends_with("expected a whole number"), "{e}");
        let e = err("items:\n  - { name: a, kind: fxx }\n");
        assert_eq!(e.line, 2);
        assert!(
            e.message
                .contains("unknown value `fxx`; allowed: `aux` or `fx`"),
            "{e}"
        );
        let e = err("items:\n  - { kind: fx }\n");
        assert!(e.message.contains("missing key `name`"), "{e}");
    }

    #[test]
    fn syntax_errors_keep_their_position() {
        let e = err("rate: 1\nitems:\n  - name: a\n   bad: [\n");
        assert!(e.line >= 3, "{e}");
        assert!(e.column >= 1, "{e}");
    }

    #[test]
    fn empty_documents_are_empty_mappings() {
        let (d, src) = parse::<Doc>(Path::new("f.yaml"), "# nothing yet\n").unwrap();
        assert_eq!(
            d,
            Doc {
                rate: 0,
                items: vec![]
            }
        );
        assert!(src.map.is_empty());
    }

    #[test]
    fn semantic_errors_point_at_the_node() {
        let (_, src) = parse::<Doc>(
            Path::new("f.yaml"),
            "rate: 7\nitems:\n  - name: a\n  - name: b\n",
        )
        .unwrap();
        let e = src.at(&["items", "1", "name"], "no");
        assert_eq!((e.line, e.column), (4, 11));
        let e = src.at_key(&["items", "1", "name"], "no");
        assert_eq!((e.line, e.column), (4, 5));
        let e = src.at(&["items", "1", "kind"], "no");
        assert_eq!((e.line, e.column), (4, 5));
    }

    #[test]
    fn errors_list_one_per_line() {
        let f = Path::new("s.yaml");
        let all = Errors(vec![
            Located::new(f, Pos { line: 2, column: 3 }, "a"),
            Located::whole(f, "b"),
        ]);
        assert_eq!(all.to_string(), "s.yaml:2:3: a\ns.yaml: b");
        assert!(Errors::check(vec![]).is_ok());
    }

    #[test]
    fn unreadable_files_are_whole_file_errors() {
        let e = read::<Doc>(Path::new("/nonexistent/x.yaml")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("/nonexistent/x.yaml: cannot read"),
            "{e}"
        );
    }
}
