//! The revision and notes file readers on any text. These files sit in a
//! session folder that people edit by hand, merge in git and copy between
//! machines, so `check` and the daemon read whatever is there: every text
//! loads or says what is wrong (each error naming its file), never
//! panics; what loads keeps the rules (a safe name, values in range,
//! times to the microsecond) and writes back as a text that loads as
//! exactly the same thing.
//!
//! The one harness of the `review_files` fuzz target (`fuzz/`) and of the
//! proptest in `tests/review_files_fuzz.rs`, which runs it on the seeds with
//! random edits on every test run.

use super::file;
use crate::notes::file as notes;
use crate::params::{ParamRef, Spec};
use crate::yaml::Errors;
use std::path::Path;

/// The file a revision text is read as: its `name:` must be `fuzz`.
pub const REVISION_FILE: &str = "revisions/fuzz.yaml";

/// One input: its first byte picks the reader (even: a revision file,
/// odd: a notes file), the rest is the text (invalid UTF-8 replaced).
pub fn check(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if which % 2 == 0 {
        check_revision(&text);
    } else {
        check_notes(&text);
    }
}

/// A revision file's text.
pub fn check_revision(text: &str) {
    let path = Path::new(REVISION_FILE);
    let r = match file::parse(path, text) {
        Ok(r) => r,
        Err(e) => return located(&e, "fuzz.yaml"),
    };
    file::check_name(&r.name).expect("a revision that loads has a safe name");
    let values = r
        .values
        .iter()
        .chain(r.scenes.iter().flat_map(|s| &s.values));
    for (path, &v) in values {
        let p = ParamRef::parse(path).expect("a revision's paths are parameters");
        assert!(
            Spec::of(p.id.param).contains(v) || v == f32::NEG_INFINITY,
            "{path} = {v}"
        );
    }
    let again = file::encode(&r);
    let back = file::parse(path, &again).unwrap_or_else(|e| panic!("{again}\n{e}"));
    assert_eq!(back, r, "written back:\n{again}");
}

/// A notes file's text.
pub fn check_notes(text: &str) {
    let path = Path::new(notes::FILE_NAME);
    let n = match notes::parse(path, text) {
        Ok(n) => n,
        Err(e) => return located(&e, notes::FILE_NAME),
    };
    for note in &n {
        assert!(note.id > 0 && note.at >= 0.0 && note.at.is_finite());
        assert!(note.text.chars().count() <= notes::MAX_TEXT);
    }
    let again = notes::encode(&n);
    let back = notes::parse(path, &again).unwrap_or_else(|e| panic!("{again}\n{e}"));
    assert_eq!(back, n, "written back:\n{again}");
}

/// Every error of a file that does not load names it.
fn located(errors: &Errors, file: &str) {
    assert!(!errors.0.is_empty(), "an error result lists an error");
    for e in &errors.0 {
        assert!(
            e.to_string().contains(file),
            "the error names the file: {e}"
        );
    }
}
