//! Revision and notes files come from people and tools (hand edits, git
//! merges, copies between machines): whatever a file holds, reading it
//! gives the file or located errors, never a panic, and what loads writes
//! back exactly (`revisions::testing`, the harness of the `review_files`
//! fuzz target). Its seeds with random edits, random text, and notes of
//! any text at all.

#[path = "support/edits.rs"]
mod edits;

use edits::{apply, edit};
use mixbridge::notes::file::{self as notes, Note, MAX_AUTHOR, MAX_TEXT};
use mixbridge::revisions::testing::check;
use proptest::prelude::*;
use std::path::Path;

fn seeds() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/review_files");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

#[test]
fn every_seed_loads_and_writes_back() {
    let seeds = seeds();
    assert_eq!(seeds.len(), 4);
    for s in &seeds {
        let text = std::str::from_utf8(&s[1..]).unwrap();
        if s[0] % 2 == 0 {
            mixbridge::revisions::file::parse(
                Path::new(mixbridge::revisions::testing::REVISION_FILE),
                text,
            )
            .unwrap_or_else(|e| panic!("a seed loads: {e}"));
        } else {
            notes::parse(Path::new(notes::FILE_NAME), text)
                .unwrap_or_else(|e| panic!("a seed loads: {e}"));
        }
        check(s);
    }
}

fn note() -> impl Strategy<Value = Note> {
    (
        1u32..,
        0.0f64..1e6,
        prop::collection::vec(any::<char>(), 0..MAX_AUTHOR),
        0u64..4_102_444_800_000,
        any::<bool>(),
        prop_oneof![
            prop::collection::vec(any::<char>(), 0..64),
            prop::collection::vec(any::<char>(), MAX_TEXT - 4..=MAX_TEXT),
        ],
    )
        .prop_map(|(id, at, author, time, done, text)| Note {
            id,
            at: (at * 1e6).round() / 1e6,
            author: author.into_iter().collect(),
            time,
            done,
            text: text.into_iter().collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn edited_seeds_never_panic(seed in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..6)) {
        let seeds = seeds();
        let s = seed.get(&seeds);
        let mut data = vec![s[0]];
        data.extend(apply(std::str::from_utf8(&s[1..]).unwrap(), &edits));
        check(&data);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes);
    }

    /// Notes with any text (control characters, very long, any script),
    /// any author, position, time and flag read back exactly.
    #[test]
    fn notes_of_any_text_round_trip(mut list in prop::collection::vec(note(), 0..4)) {
        list.sort_by_key(|n| n.id);
        list.dedup_by_key(|n| n.id);
        let text = notes::encode(&list);
        let back = notes::parse(Path::new(notes::FILE_NAME), &text)
            .unwrap_or_else(|e| panic!("{text}\n{e}"));
        prop_assert_eq!(back, list);
    }
}
