//! Reference tracks: the audio files in a session's `references/` folder,
//! played on the monitor instead of the mix (`monitor/reference`) to
//! compare against.
//!
//! `monitor/reference/file` N is the N-th file by name. A reference is
//! decoded and resampled to the engine's rate like a file source, off the
//! control loop, and measured there with the console's own BS.1770 meter
//! (integrated loudness of the whole file, as played: a mono file on both
//! sides), so that the daemon can play it at the mix's loudness.

use crate::audio_file::{self, AudioFileError};
use crate::engine::loudness::{Channel, LoudnessMeter};
use crate::engine::monitor::Reference;
use crate::sources::resample;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The folder of a session that holds its reference tracks.
pub const FOLDER: &str = "references";

/// File extensions taken for audio (any case).
const AUDIO: [&str; 5] = ["wav", "flac", "aif", "aiff", "aifc"];

/// The reference files of the session in `dir`, by name (what
/// `monitor/reference/file` counts); none when there is no folder.
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join(FOLDER)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| AUDIO.iter().any(|a| a.eq_ignore_ascii_case(e)))
        })
        .collect();
    files.sort();
    files
}

/// A reference track at the engine's rate, with its loudness.
pub struct Loaded {
    pub file: PathBuf,
    pub rate: u32,
    pub left: Arc<[f32]>,
    pub right: Arc<[f32]>,
    /// Integrated loudness as played, LUFS (`-inf` for silence).
    pub integrated: f32,
}

impl Loaded {
    /// The engine's reference, played at `gain_db`.
    pub fn reference(&self, gain_db: f32) -> Reference {
        Reference::new(self.left.clone(), self.right.clone(), gain_db)
    }
}

/// Decode `file`, take its first two channels (a mono file on both sides),
/// resample them to `rate` and measure their integrated loudness.
pub fn load(file: &Path, rate: u32) -> Result<Loaded, AudioFileError> {
    let audio = audio_file::read(file)?;
    let from = audio.sample_rate;
    let mut channels = audio.channels.into_iter();
    let left: Vec<f32> = channels.next().unwrap_or_default();
    let right = channels.next();
    let left: Arc<[f32]> = resample(&left, from, rate).into();
    let right: Arc<[f32]> = match right {
        Some(r) => resample(&r, from, rate).into(),
        None => left.clone(),
    };
    let mut meter = LoudnessMeter::new(rate as f32, Channel::STEREO);
    meter.process(&[&left, &right]);
    Ok(Loaded {
        file: file.to_path_buf(),
        rate,
        left,
        right,
        integrated: meter.integrated(),
    })
}

/// [`load`] on a thread of its own, handing the result to `done` there.
pub fn load_in_background(
    file: PathBuf,
    rate: u32,
    done: impl FnOnce(Result<Loaded, AudioFileError>) + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("reference".into())
        .spawn(move || done(load(&file, rate)))
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio_file::{write_wav, Audio, SampleFormat};

    #[test]
    fn lists_audio_files_by_name_and_measures_one() {
        let dir = tempfile::tempdir().unwrap();
        assert!(list(dir.path()).is_empty(), "no folder, no references");
        let refs = dir.path().join(FOLDER);
        std::fs::create_dir(&refs).unwrap();
        // A 1 kHz sine at -23 dBFS in both channels: -23 LUFS (EBU 3341-1)
        // at 44.1 kHz, loaded at 48 kHz.
        let sine: Vec<f32> = (0..44_100 * 5)
            .map(|i| 0.0707946 * (std::f32::consts::TAU * 1000.0 * i as f32 / 44_100.0).sin())
            .collect();
        let stereo = Audio {
            sample_rate: 44_100,
            channels: vec![sine.clone(), sine.clone()],
        };
        write_wav(&refs.join("b.wav"), &stereo, SampleFormat::Float32).unwrap();
        let mono = Audio {
            sample_rate: 44_100,
            channels: vec![sine],
        };
        write_wav(&refs.join("A.WAV"), &mono, SampleFormat::Float32).unwrap();
        std::fs::write(refs.join("notes.txt"), "not audio").unwrap();
        let files = list(dir.path());
        let names: Vec<_> = files.iter().map(|f| f.file_name().unwrap()).collect();
        assert_eq!(names, ["A.WAV", "b.wav"]);
        for f in &files {
            let l = load(f, 48_000).unwrap();
            assert_eq!(l.rate, 48_000);
            assert!(
                (l.left.len() as i64 - 240_000).abs() <= 1,
                "{}",
                l.left.len()
            );
            assert!((l.integrated + 23.0).abs() < 0.1, "{}", l.integrated);
        }
        assert!(load(&refs.join("notes.txt"), 48_000).is_err());
    }
}
