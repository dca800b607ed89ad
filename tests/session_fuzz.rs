//! Session files come from users and other tools: whatever bytes a
//! `session.yaml` holds, loading it returns a session or located errors —
//! never a panic. Random text, and the example session with random edits
//! (bytes replaced, lines dropped or duplicated, truncation).

#[path = "support/edits.rs"]
mod edits;

use edits::{apply, edit};
use mixbridge::session::Session;
use proptest::prelude::*;
use std::path::Path;

fn example_text() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/session");
    std::fs::read_to_string(dir.join("session.yaml")).unwrap()
}

/// Load `text` as a session beside the example's stems; errors must locate.
fn load(text: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let stems = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/session/stems");
    std::os::unix::fs::symlink(stems, dir.path().join("stems")).unwrap();
    std::fs::write(dir.path().join("session.yaml"), text).unwrap();
    if let Err(errors) = Session::load(dir.path()) {
        assert!(
            !errors.0.is_empty(),
            "an error result lists at least one error"
        );
        for e in &errors.0 {
            assert!(
                e.to_string().contains("session.yaml"),
                "error names the file: {e}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn edited_example_never_panics(edits in prop::collection::vec(edit(), 1..6)) {
        load(&apply(&example_text(), &edits));
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        load(&bytes);
    }

    #[test]
    fn random_yaml_shapes_never_panic(text in "([a-z_/0-9]{1,12}: ?(-?[0-9.]{1,6}|\\[[0-9, ]{0,8}\\]|\\{[a-z: 0-9,]{0,16}\\}|[a-z]{0,6})\n){0,8}") {
        load(text.as_bytes());
    }
}
