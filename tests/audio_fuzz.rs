//! Audio files reach file sources, `meter` and `render` from anywhere: a
//! damaged or hostile file (WAV, FLAC, AIFF, or none of them) gives an error
//! naming it, never a panic or a runaway allocation. The valid files
//! mutated here are the fuzz target's seeds (`fuzz/seeds/audio_decode`).

use mixbridge::audio_file::{self, decode};
use proptest::prelude::*;
use std::path::Path;

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/audio_decode");
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    seeds.sort();
    seeds
}

/// Decode `bytes` from memory and from a file: an error names the file, a
/// success is well formed, and both ways agree.
fn read(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    let from_file = audio_file::read(&p);
    let from_memory = decode(bytes.to_vec(), name);
    match (&from_file, &from_memory) {
        (Ok(a), Ok(b)) => {
            // Bit for bit: damaged float data decodes to NaNs, which never
            // equal themselves.
            let bits = |x: &audio_file::Audio| -> Vec<Vec<u32>> {
                x.channels
                    .iter()
                    .map(|c| c.iter().map(|v| v.to_bits()).collect())
                    .collect()
            };
            assert_eq!(a.sample_rate, b.sample_rate);
            assert_eq!(bits(a), bits(b));
            assert!(a.frames() > 0);
            assert!(a.channels.iter().all(|c| c.len() == a.frames()));
        }
        (Err(a), Err(b)) => {
            assert!(a.to_string().starts_with(&p.display().to_string()), "{a}");
            assert!(b.to_string().starts_with(name), "{b}");
        }
        _ => panic!("file and memory disagree: {from_file:?} vs {from_memory:?}"),
    }
}

#[test]
fn every_seed_decodes() {
    let seeds = seeds();
    assert!(seeds.len() >= 8, "{} seeds", seeds.len());
    for (name, bytes) in seeds {
        let audio = decode(bytes, &name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(audio.channels.len(), 2, "{name}");
        assert_eq!(audio.frames(), 300, "{name}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn damaged_headers_and_data(seed in any::<prop::sample::Index>(),
                                edits in prop::collection::vec((0usize..200, any::<u8>()), 1..8),
                                cut in any::<Option<usize>>()) {
        let seeds = seeds();
        let (name, mut b) = seeds[seed.index(seeds.len())].clone();
        for (i, v) in edits {
            let i = i % b.len();
            b[i] = v;
        }
        if let Some(c) = cut {
            b.truncate(c % (b.len() + 1));
        }
        read(&name, &b);
    }

    #[test]
    fn random_bytes(b in prop::collection::vec(any::<u8>(), 0..300), ext in prop_oneof![Just("wav"), Just("flac"), Just("aiff"), Just("bin")]) {
        read(&format!("in.{ext}"), &b);
    }
}
