//! Damaged state files never prevent start-up and never cost the last good
//! generation: a file cut short at every byte offset, every single-byte and
//! single-bit corruption, garbage, an empty file and one from another version
//! are each set aside (kept, renamed) and the previous generation is loaded;
//! a save afterwards keeps that previous generation.

use mixbridge::state::{LoadOutcome, MixState, StateStore};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

fn state(session: &str, base: f32) -> MixState {
    let mut values = BTreeMap::new();
    for t in 1..=8 {
        values.insert(format!("track/{t}/gain"), base - t as f32 * 0.75);
        values.insert(format!("track/{t}/pan"), (t as f32 - 4.5) / 4.0);
    }
    values.insert("bus/1/reverb/decay".into(), 2.2);
    values.insert("master/limiter/ceiling".into(), -1.0);
    MixState {
        session: session.into(),
        values,
        names: [("track/1/name".to_string(), "Kick".to_string())].into(),
        colours: Default::default(),
    }
}

/// A store whose previous generation is `a` and current is `b`, and their bytes.
fn two_generations(dir: &Path, a: &MixState, b: &MixState) -> (StateStore, Vec<u8>, Vec<u8>) {
    let store = StateStore::new(dir);
    store.save(a).unwrap();
    store.save(b).unwrap();
    let (prev, cur) = (
        fs::read(store.previous_path()).unwrap(),
        fs::read(store.current_path()).unwrap(),
    );
    (store, prev, cur)
}

/// Everything in the state directory but the current and previous files.
fn others(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "state.yaml" && n != "state.yaml.prev")
        .collect();
    v.sort();
    v
}

/// The current file holds `damaged`; loading must give the previous
/// generation `a` (whose file holds `a_bytes`), set the damaged file aside
/// intact, and a save afterwards must keep `a` as the previous generation.
fn check_falls_back(
    dir: &Path,
    damaged: &[u8],
    a: &MixState,
    a_bytes: &[u8],
    what: &str,
) -> String {
    let store = StateStore::new(dir);
    fs::write(store.current_path(), damaged).unwrap();
    let outcome = store.load();
    let LoadOutcome::Loaded {
        state,
        from_previous: true,
        set_aside,
    } = &outcome
    else {
        panic!("{what}: did not fall back to the previous generation: {outcome:?}");
    };
    assert_eq!(state, a, "{what}");
    assert_eq!(set_aside.len(), 1, "{what}: {outcome:?}");
    let why = set_aside[0].why.clone();
    let moved = set_aside[0].moved_to.as_ref().expect("moved aside");
    assert_eq!(set_aside[0].file, store.current_path());
    assert!(
        moved
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("state.yaml.bad-"),
        "{moved:?}"
    );
    assert_eq!(
        fs::read(moved).unwrap(),
        damaged,
        "{what}: set-aside file altered"
    );
    assert!(!store.current_path().exists(), "{what}");
    assert_eq!(fs::read(store.previous_path()).unwrap(), a_bytes, "{what}");

    // The daemon runs on and saves: the last good generation stays.
    let c = state_c();
    store.save(&c).unwrap();
    assert_eq!(fs::read(store.previous_path()).unwrap(), a_bytes, "{what}");
    assert_eq!(
        store.load(),
        LoadOutcome::Loaded {
            state: c,
            from_previous: false,
            set_aside: vec![]
        },
        "{what}"
    );
    // Clean up for the next case: back to previous = a, no current.
    fs::remove_file(store.current_path()).unwrap();
    fs::remove_file(moved).unwrap();
    assert_eq!(others(dir), Vec::<String>::new(), "{what}");
    why
}

fn state_c() -> MixState {
    state("/srv/show", -20.0)
}

#[test]
fn a_file_cut_short_at_every_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (state("/srv/show", 0.0), state("/srv/show", -10.0));
    let (store, a_bytes, b_bytes) = two_generations(dir.path(), &a, &b);
    assert!(b_bytes.len() > 400, "{}", b_bytes.len());
    fs::remove_file(store.current_path()).unwrap();
    for n in 0..b_bytes.len() {
        check_falls_back(
            dir.path(),
            &b_bytes[..n],
            &a,
            &a_bytes,
            &format!("cut at {n} of {}", b_bytes.len()),
        );
    }
    // Whole, it loads as itself.
    fs::write(store.current_path(), &b_bytes).unwrap();
    assert_eq!(store.load().state(), Some(&b));
}

#[test]
fn every_flipped_byte_and_bit() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (state("/srv/show", 0.0), state("/srv/show", -10.0));
    let (store, a_bytes, b_bytes) = two_generations(dir.path(), &a, &b);
    fs::remove_file(store.current_path()).unwrap();
    for i in 0..b_bytes.len() {
        for mask in [0xFF, 0x01, 0x20] {
            let mut damaged = b_bytes.clone();
            damaged[i] ^= mask;
            check_falls_back(
                dir.path(),
                &damaged,
                &a,
                &a_bytes,
                &format!("byte {i} ^ {mask:#04x}"),
            );
        }
    }
}

/// CRC-32 (IEEE), bit by bit: an independent check of the file's check line.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// `text` with its check line recomputed, as a newer build would write it.
fn rechecked(text: impl AsRef<[u8]>) -> Vec<u8> {
    let text = text.as_ref();
    let at = text.len() - b"# crc32: 01234567\n".len();
    let body = &text[..at];
    [body, format!("# crc32: {:08x}\n", crc32(body)).as_bytes()].concat()
}

#[test]
fn garbage_empty_and_other_versions() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (state("/srv/show", 0.0), state("/srv/show", -10.0));
    let (store, a_bytes, b_bytes) = two_generations(dir.path(), &a, &b);
    fs::remove_file(store.current_path()).unwrap();
    let b_text = String::from_utf8(b_bytes.clone()).unwrap();

    // The check line is what the test's own CRC says it is.
    assert_eq!(rechecked(&b_text), b_bytes);

    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut random = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    };
    let check_line = b"# crc32: 01234567\n".len();
    let body_only = &b_bytes[..b_bytes.len() - check_line];
    let cut_check = "does not end with its check line";
    let mut not_utf8 = b_bytes.clone();
    not_utf8[b_text.find("/srv/show").unwrap() + 1] = 0xFF;
    let mismatch = "do not match their check";
    // (what, file, a word of why it is refused)
    let mut cases: Vec<(String, Vec<u8>, &str)> = vec![
        ("empty".into(), vec![], "empty"),
        ("one newline".into(), b"\n".to_vec(), cut_check),
        ("zeros".into(), vec![0; 4096], cut_check),
        (
            "another version".into(),
            rechecked(b_text.replace("version: 1", "version: 2")),
            "the file is version 2; this build reads version 1",
        ),
        (
            "no version".into(),
            rechecked(b_text.replace("version: 1\n", "")),
            "no version",
        ),
        (
            "an unknown key".into(),
            rechecked(b_text.replace("version: 1\n", "version: 1\nextra: 3\n")),
            "not a mix state",
        ),
        (
            "a value that is not a number".into(),
            rechecked(b_text.replace(": 2.2\n", ": loud\n")),
            "not a mix state",
        ),
        (
            "YAML with no check line".into(),
            body_only.to_vec(),
            cut_check,
        ),
        (
            "the check line twice".into(),
            [&b_bytes[..], &b_bytes[b_bytes.len() - check_line..]].concat(),
            mismatch,
        ),
        (
            "a second copy appended".into(),
            [b_bytes.clone(), b_bytes.clone()].concat(),
            mismatch,
        ),
        (
            "CRLF line ends".into(),
            b_text.replace('\n', "\r\n").into_bytes(),
            cut_check,
        ),
        ("not UTF-8".into(), rechecked(&not_utf8), "not UTF-8"),
    ];
    for n in [1, 7, 64, 511, 4096] {
        cases.push((format!("{n} random bytes"), random(n), ""));
    }
    for (what, bytes, why) in &cases {
        let got = check_falls_back(dir.path(), bytes, &a, &a_bytes, what);
        assert!(
            got.contains(why),
            "{what}: refused for another reason: {got}"
        );
    }
}

#[test]
fn a_directory_or_an_oversized_file_in_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (state("/srv/show", 0.0), state("/srv/show", -10.0));
    let (store, a_bytes, _) = two_generations(dir.path(), &a, &b);
    fs::remove_file(store.current_path()).unwrap();
    fs::create_dir(store.current_path()).unwrap();
    let outcome = store.load();
    assert_eq!(outcome.state(), Some(&a), "{outcome:?}");
    let moved = outcome.set_aside()[0].moved_to.clone().unwrap();
    assert!(moved.is_dir());
    fs::remove_dir(moved).unwrap();

    let f = fs::File::create(store.current_path()).unwrap();
    f.set_len(17 << 20).unwrap();
    drop(f);
    let outcome = store.load();
    assert_eq!(outcome.state(), Some(&a));
    assert!(
        outcome.set_aside()[0].why.contains("too large"),
        "{outcome:?}"
    );
    assert_eq!(fs::read(store.previous_path()).unwrap(), a_bytes);
}

#[test]
fn with_both_generations_damaged_the_daemon_starts_fresh_and_keeps_both() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (state("/srv/show", 0.0), state("/srv/show", -10.0));
    let (store, a_bytes, b_bytes) = two_generations(dir.path(), &a, &b);
    fs::write(store.current_path(), &b_bytes[..b_bytes.len() / 2]).unwrap();
    fs::write(store.previous_path(), &a_bytes[..a_bytes.len() - 1]).unwrap();
    let outcome = store.load();
    let LoadOutcome::Fresh { set_aside } = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(set_aside.len(), 2);
    assert_eq!(set_aside[0].file, store.current_path());
    assert_eq!(set_aside[1].file, store.previous_path());
    let kept: Vec<Vec<u8>> = set_aside
        .iter()
        .map(|s| fs::read(s.moved_to.as_ref().unwrap()).unwrap())
        .collect();
    assert_eq!(
        kept,
        vec![
            b_bytes[..b_bytes.len() / 2].to_vec(),
            a_bytes[..a_bytes.len() - 1].to_vec()
        ]
    );
    let names = others(dir.path());
    assert!(
        names.iter().any(|n| n.starts_with("state.yaml.bad-")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("state.yaml.prev.bad-")),
        "{names:?}"
    );
}

#[test]
fn no_state_at_all_is_a_fresh_start() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(&dir.path().join("not/yet/made"));
    assert_eq!(store.load(), LoadOutcome::Fresh { set_aside: vec![] });
    // The first save makes the directory.
    let a = state("/srv/show", 0.0);
    store.save(&a).unwrap();
    assert_eq!(
        store.load(),
        LoadOutcome::Loaded {
            state: a,
            from_previous: false,
            set_aside: vec![]
        }
    );
    assert!(!store.previous_path().exists());
}

#[test]
fn saving_over_a_damaged_current_file_sets_it_aside_first() {
    // Without a load in between (say the file was damaged while running),
    // a save must not rotate the damaged file into the previous slot.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (state("/srv/show", 0.0), state("/srv/show", -10.0));
    let (store, a_bytes, b_bytes) = two_generations(dir.path(), &a, &b);
    fs::write(store.current_path(), &b_bytes[..100]).unwrap();
    let c = state_c();
    store.save(&c).unwrap();
    assert_eq!(fs::read(store.previous_path()).unwrap(), a_bytes);
    assert_eq!(store.load().state(), Some(&c));
    let names = others(dir.path());
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(
        fs::read(dir.path().join(&names[0])).unwrap(),
        &b_bytes[..100]
    );
}

#[test]
fn generations_rotate_on_each_save() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path());
    let states: Vec<MixState> = (0..4).map(|i| state("/srv/show", -(i as f32))).collect();
    for (i, s) in states.iter().enumerate() {
        store.save(s).unwrap();
        assert_eq!(store.load().state(), Some(s));
        if i > 0 {
            fs::rename(store.current_path(), dir.path().join("hold")).unwrap();
            assert_eq!(store.load().state(), Some(&states[i - 1]));
            fs::rename(dir.path().join("hold"), store.current_path()).unwrap();
        }
    }
    assert_eq!(others(dir.path()), Vec::<String>::new());
}
