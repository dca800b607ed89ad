//! Offline render: a session's file sources through the engine, faster than
//! real time, into a WAV file with its loudness report.
//!
//! The render drives the very engine the daemon runs, block by block, with
//! its transport playing from the start, so a bounce is what was heard:
//! file sources and automation lanes play through the same code as live.
//! Tracks fed from interface inputs are silent here.

mod resample;

pub use resample::resample;

use crate::audio_file::{read_wav, Audio, AudioFileError};
use crate::automation::{Automation, Settings};
use crate::control::model::Mix;
use crate::engine::media::Media;
use crate::engine::transport::TransportCommand;
use crate::engine::{self, MAX_BLOCK};
use crate::params::{Owner, Param, ParamId};
use crate::session::{Session, Source};
use std::sync::Arc;

/// Seconds rendered after the longest file, so reverb and delay tails ring out.
pub const DEFAULT_TAIL_S: f32 = 2.0;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    File(#[from] AudioFileError),
    #[error("{0}: has no audio")]
    Empty(String),
    #[error(transparent)]
    Automation(#[from] crate::yaml::Errors),
}

/// The audio of a session's file-sourced tracks, decoded and resampled to
/// the rate the engine runs at, ready to become engine inputs
/// ([`crate::engine::media::Media`]).
#[derive(Clone, Default)]
pub struct FileSources {
    /// Per track: the file channel (0-based, among `channels`) of each
    /// track channel, or `None` (not file-sourced).
    pub tracks: Vec<[Option<usize>; 2]>,
    pub channels: Vec<Arc<[f32]>>,
}

impl FileSources {
    /// Read every file source of `session`, resampled to `rate`.
    pub fn load(session: &Session, rate: u32) -> Result<FileSources, RenderError> {
        let mut sources = FileSources::default();
        for t in &session.tracks {
            let mut chans = [None, None];
            if let Source::File(path) = &t.source {
                let audio = read_wav(path)?;
                if audio.frames() == 0 {
                    return Err(RenderError::Empty(path.display().to_string()));
                }
                for (k, ch) in fit_channels(audio, t.channels == 2).into_iter().enumerate() {
                    chans[k] = Some(sources.channels.len());
                    sources.channels.push(resample(&ch.0, ch.1, rate).into());
                }
            }
            sources.tracks.push(chans);
        }
        Ok(sources)
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

/// A file's channels for a mono or stereo track: mono files feed both sides
/// of a stereo track, wider files are folded down to the track's width.
fn fit_channels(audio: Audio, stereo: bool) -> Vec<(Vec<f32>, u32)> {
    let rate = audio.sample_rate;
    let mut ch = audio.channels;
    let mono = |ch: &[Vec<f32>]| {
        let k = ch.len() as f32;
        (0..ch[0].len())
            .map(|i| ch.iter().map(|c| c[i]).sum::<f32>() / k)
            .collect::<Vec<f32>>()
    };
    match (stereo, ch.len()) {
        (false, 1) => vec![(ch.remove(0), rate)],
        (false, _) => vec![(mono(&ch), rate)],
        (true, 1) => vec![(ch[0].clone(), rate), (ch.remove(0), rate)],
        (true, _) => {
            ch.truncate(2);
            let r = ch.pop().unwrap_or_default();
            let l = ch.pop().unwrap_or_default();
            vec![(l, rate), (r, rate)]
        }
    }
}

/// Every parameter value a session sets, including its tempo.
pub fn session_values(session: &Session) -> Vec<(ParamId, f32)> {
    let mut v = vec![(ParamId::new(Owner::Transport, Param::Tempo), session.tempo)];
    v.extend(session.mix.iter().copied());
    v
}

/// Render the session's master to stereo audio: the length of its longest
/// file plus `tail_s`, aligned so the limiter's look-ahead adds no delay.
/// The transport plays from the start, so file sources and automation lanes
/// play exactly as they do live.
pub fn render(session: &Session, tail_s: f32) -> Result<Audio, RenderError> {
    let sr = session.sample_rate;
    let sources = FileSources::load(session, sr)?;
    let topology = session.topology(|i| sources.tracks[i]);
    let mix = Mix::from_session(session);
    let mut automation = Automation::load(&session.dir, mix.registry(), Settings::default())?;
    let (mut engine, mut handle) = engine::new(topology.clone(), &session_values(session));
    handle.set_media(sources.media(0));
    handle.set_playback(automation.playback(&mix));
    handle.transport(TransportCommand::Play);
    let latency = handle.latency();
    let frames = sources.longest() + (tail_s.max(0.0) * sr as f32) as usize;
    let total = frames + latency;

    let outs = topology.output_channels();
    let mut out_bufs = vec![vec![0.0f32; MAX_BLOCK]; outs];
    let mut master = [Vec::with_capacity(total), Vec::with_capacity(total)];
    let mut pos = 0;
    while pos < total {
        let n = (total - pos).min(MAX_BLOCK);
        let mut outs: Vec<&mut [f32]> = out_bufs.iter_mut().map(|b| &mut b[..n]).collect();
        engine.process(&[], &mut outs, n);
        master[0].extend_from_slice(&out_bufs[0][..n]);
        master[1].extend_from_slice(&out_bufs[1][..n]);
        pos += n;
    }
    for ch in &mut master {
        ch.drain(..latency.min(ch.len()));
    }
    let [l, r] = master;
    Ok(Audio {
        sample_rate: sr,
        channels: vec![l, r],
    })
}
