//! Any bytes as an audio file (WAV, FLAC, AIFF, or anything else): it
//! decodes or says what is wrong with it, naming it, and never panics; what
//! decodes is well formed (a rate in range, every channel as long as the
//! others). Seeds: one small file of each form in `fuzz/seeds/audio_decode`,
//! which `tests/audio_fuzz.rs` also mutates on every test run.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixbridge::audio_file::{decode, RATES};

fuzz_target!(|data: &[u8]| {
    match decode(data.to_vec(), "input") {
        Ok(audio) => {
            assert!(RATES.contains(&audio.sample_rate));
            assert!(audio.frames() > 0);
            assert!(audio.channels.iter().all(|c| c.len() == audio.frames()));
        }
        Err(e) => assert!(e.to_string().starts_with("input: "), "{e}"),
    }
});
