//! The session's file sources: audio files decoded and resampled to the
//! rate the engine runs at, ready to become engine inputs
//! ([`crate::engine::media::Media`]).
//!
//! Which file channel each track channel reads is known from the session
//! alone ([`FileSources::plan`]), so the engine's topology is built before
//! any file is decoded; the audio comes later. Decoding and resampling run
//! on as many threads as the machine has cores, one file at a time each
//! ([`FileSources::load`]); the daemon does it off its start path
//! ([`load_in_background`]) and swaps the audio in when it is ready. A file
//! that cannot be used is one error naming it and leaves its track silent;
//! the others load.

pub mod reference;
mod resample;

pub use resample::resample;

use crate::audio_file::{self, Audio, AudioFileError};
use crate::engine::media::Media;
use crate::session::{Session, Source};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The audio of a session's file-sourced tracks at one sample rate.
#[derive(Clone, Default)]
pub struct FileSources {
    /// Per track: the file channel (0-based, among `channels`) of each
    /// track channel, or `None` (not file-sourced).
    pub tracks: Vec<[Option<usize>; 2]>,
    /// The file channels; empty (silent) until loaded, or when a file could
    /// not be used.
    pub channels: Vec<Arc<[f32]>>,
}

/// One file to load: the track it feeds, and the file channels it fills.
#[derive(Debug, Clone)]
struct Job {
    path: PathBuf,
    stereo: bool,
    /// The first of its channels in [`FileSources::channels`].
    first: usize,
}

/// What a background load delivers.
pub struct Loaded {
    pub sources: FileSources,
    /// One per file that could not be used.
    pub errors: Vec<AudioFileError>,
    /// The rate the audio was resampled to.
    pub rate: u32,
    pub files: usize,
    pub took: Duration,
}

impl FileSources {
    /// The file channels of `session`, with no audio yet: a mono track reads
    /// one file channel, a stereo track two, whatever the file holds.
    pub fn plan(session: &Session) -> FileSources {
        FileSources::planned(session).0
    }

    fn planned(session: &Session) -> (FileSources, Vec<Job>) {
        let mut sources = FileSources::default();
        let mut jobs = Vec::new();
        for t in &session.tracks {
            let mut chans = [None, None];
            if let Source::File(path) = &t.source {
                let stereo = t.channels == 2;
                let first = sources.channels.len();
                for (k, c) in chans.iter_mut().take(1 + usize::from(stereo)).enumerate() {
                    *c = Some(first + k);
                    sources.channels.push(Arc::from([]));
                }
                jobs.push(Job {
                    path: path.clone(),
                    stereo,
                    first,
                });
            }
            sources.tracks.push(chans);
        }
        (sources, jobs)
    }

    /// Decode every file source of `session` and resample it to `rate`, in
    /// parallel. Files that cannot be used are silent, each one error.
    pub fn load(session: &Session, rate: u32) -> (FileSources, Vec<AudioFileError>) {
        let (mut sources, jobs) = FileSources::planned(session);
        let results = in_parallel(&jobs, |job| {
            let audio = audio_file::read(&job.path)?;
            let from = audio.sample_rate;
            Ok(track_channels(audio, job.stereo)
                .iter()
                .map(|ch| Arc::from(resample(ch, from, rate)))
                .collect::<Vec<Arc<[f32]>>>())
        });
        let mut errors = Vec::new();
        for (job, result) in jobs.iter().zip(results) {
            match result {
                Ok(chans) => {
                    // A mono file on a stereo track feeds both sides.
                    let sides = 1 + usize::from(job.stereo);
                    for k in 0..sides {
                        sources.channels[job.first + k] = chans[k.min(chans.len() - 1)].clone();
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        (sources, errors)
    }

    /// The engine media with these channels as inputs `first`, `first + 1`, ….
    pub fn media(&self, first: usize) -> Media {
        Media::new(first, self.channels.clone())
    }

    /// The frames of the longest file.
    pub fn longest(&self) -> usize {
        self.channels.iter().map(|c| c.len()).max().unwrap_or(0)
    }
}

/// Every problem with the session's files, as [`FileSources::load`] would
/// meet them (each file read whole, in parallel), without keeping the audio.
pub fn check(session: &Session) -> Vec<AudioFileError> {
    let (_, jobs) = FileSources::planned(session);
    in_parallel(&jobs, |job| audio_file::read(&job.path).map(drop))
        .into_iter()
        .filter_map(Result::err)
        .collect()
}

/// Load `session`'s files at `rate` on a thread of its own, and hand the
/// result to `done` there.
pub fn load_in_background(
    session: &Session,
    rate: u32,
    done: impl FnOnce(Loaded) + Send + 'static,
) -> std::io::Result<()> {
    let session = session.clone();
    std::thread::Builder::new()
        .name("file-sources".into())
        .spawn(move || {
            let started = Instant::now();
            let (sources, errors) = FileSources::load(&session, rate);
            let files = session.files().len();
            done(Loaded {
                sources,
                errors,
                rate,
                files,
                took: started.elapsed(),
            });
        })
        .map(drop)
}

/// `f` of every job, on up to one thread per core, results in job order.
fn in_parallel<T: Send>(
    jobs: &[Job],
    run: impl Fn(&Job) -> Result<T, AudioFileError> + Sync,
) -> Vec<Result<T, AudioFileError>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs.len());
    if workers <= 1 {
        return jobs.iter().map(&run).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<T, AudioFileError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        mine.push((i, run(job)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a load job does not panic"))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The channels of a file a track reads: a mono track reads the file
/// folded to mono, a stereo track its first two channels (or its only
/// one, for both sides).
fn track_channels(audio: Audio, stereo: bool) -> Vec<Vec<f32>> {
    let mut ch = audio.channels;
    let width = 1 + usize::from(stereo);
    if ch.len() <= width {
        return ch;
    }
    if stereo {
        ch.truncate(2);
        return ch;
    }
    let k = 1.0 / ch.len() as f32;
    let mut sum = ch.swap_remove(0);
    for c in &ch {
        sum.iter_mut().zip(c).for_each(|(s, x)| *s += x);
    }
    sum.iter_mut().for_each(|s| *s *= k);
    vec![sum]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio_file::{write_wav, SampleFormat};

    fn write(dir: &std::path::Path, name: &str, channels: Vec<Vec<f32>>) {
        let audio = Audio {
            sample_rate: 48_000,
            channels,
        };
        write_wav(&dir.join(name), &audio, SampleFormat::Float32).unwrap();
    }

    /// Each track reads its own file's channels, in session order, whatever
    /// thread decoded it; a file that fails is its error alone.
    #[test]
    fn tracks_get_their_channels_and_a_bad_file_only_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "mono.wav", vec![vec![0.5; 100]]);
        write(d, "stereo.wav", vec![vec![0.2; 100], vec![0.6; 100]]);
        write(d, "gone.wav", vec![vec![0.1; 100]]);
        write(d, "last.wav", vec![vec![-0.25; 300]]);
        std::fs::write(
            d.join("session.yaml"),
            "tracks:\n  - { name: A, channels: 2, source: { file: mono.wav } }\n  - { name: B, source: { input: 1 } }\n  - { name: C, source: { file: stereo.wav } }\n  - { name: D, source: { file: gone.wav } }\n  - { name: E, channels: 2, source: { file: stereo.wav } }\n  - { name: F, source: { file: last.wav } }\n",
        )
        .unwrap();
        let session = Session::load(d).unwrap();
        std::fs::remove_file(d.join("gone.wav")).unwrap();

        let plan = FileSources::plan(&session);
        let (loaded, errors) = FileSources::load(&session, 48_000);
        assert_eq!(plan.tracks, loaded.tracks);
        let want = [
            [Some(0), Some(1)],
            [None, None],
            [Some(2), None],
            [Some(3), None],
            [Some(4), Some(5)],
            [Some(6), None],
        ];
        assert_eq!(loaded.tracks, want);
        assert!(plan.channels.iter().all(|c| c.is_empty()));
        let first = |c: usize| loaded.channels[c].first().copied();
        // A mono file on a stereo track feeds both sides.
        assert_eq!((first(0), first(1)), (Some(0.5), Some(0.5)));
        // A stereo file on a mono track is folded to mono.
        assert!((first(2).unwrap() - 0.4).abs() < 1e-6);
        // The missing file: its channel is silent, its error names it.
        assert!(loaded.channels[3].is_empty());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].path().ends_with("gone.wav"), "{}", errors[0]);
        assert_eq!((first(4), first(5)), (Some(0.2), Some(0.6)));
        assert_eq!(first(6), Some(-0.25));
        assert_eq!(loaded.longest(), 300);
        assert_eq!(check(&session).len(), 1);
    }
}
