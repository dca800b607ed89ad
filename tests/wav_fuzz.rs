//! WAV files reach `meter` and `render` from anywhere: a damaged or hostile
//! file gives an error naming it, never a panic or a runaway allocation.

use mixbridge::audio_file::{read_wav, write_wav, Audio, SampleFormat};
use proptest::prelude::*;

fn valid_wav(format: SampleFormat) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.wav");
    let audio = Audio {
        sample_rate: 48_000,
        channels: vec![vec![0.25; 64], vec![-0.25; 64]],
    };
    write_wav(&p, &audio, format).unwrap();
    std::fs::read(p).unwrap()
}

fn read(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("in.wav");
    std::fs::write(&p, bytes).unwrap();
    if let Err(e) = read_wav(&p) {
        assert!(e.to_string().contains("in.wav"), "{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn damaged_headers_and_data(format in prop_oneof![Just(SampleFormat::Int16), Just(SampleFormat::Int24), Just(SampleFormat::Float32)],
                                edits in prop::collection::vec((0usize..80, any::<u8>()), 1..8),
                                cut in any::<Option<usize>>()) {
        let mut b = valid_wav(format);
        for (i, v) in edits {
            let i = i % b.len();
            b[i] = v;
        }
        if let Some(c) = cut {
            b.truncate(c % (b.len() + 1));
        }
        read(&b);
    }

    #[test]
    fn random_bytes(b in prop::collection::vec(any::<u8>(), 0..200)) {
        read(&b);
    }
}
