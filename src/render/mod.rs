//! Offline render: a session's file sources through the engine, faster than
//! real time, into a WAV file with its loudness report.
//!
//! The render drives the very engine the daemon runs, block by block, so a
//! bounce is what was heard. Each file-sourced track gets its own engine input
//! channel(s); tracks fed from interface inputs are silent here.

mod resample;

pub use resample::resample;

use crate::audio_file::{read_wav, Audio, AudioFileError};
use crate::engine::{self, Topology, MAX_BLOCK};
use crate::params::{Owner, Param, ParamId};
use crate::session::{Session, Source};

/// Seconds rendered after the longest file, so reverb and delay tails ring out.
pub const DEFAULT_TAIL_S: f32 = 2.0;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    File(#[from] AudioFileError),
    #[error("{0}: has no audio")]
    Empty(String),
}

/// The engine topology of a session, with each file-sourced track on its own
/// engine inputs (numbered in track order), and the audio for those inputs.
pub fn topology_and_inputs(session: &Session) -> Result<(Topology, Vec<Vec<f32>>), RenderError> {
    let mut inputs: Vec<Vec<f32>> = Vec::new();
    let mut track_inputs = Vec::new();
    for t in &session.tracks {
        let mut chans = [None, None];
        if let Source::File(path) = &t.source {
            let audio = read_wav(path)?;
            if audio.frames() == 0 {
                return Err(RenderError::Empty(path.display().to_string()));
            }
            for (k, ch) in fit_channels(audio, t.channels == 2).into_iter().enumerate() {
                chans[k] = Some(inputs.len());
                inputs.push(resample(&ch.0, ch.1, session.sample_rate));
            }
        }
        track_inputs.push(chans);
    }
    Ok((session.topology(|i| track_inputs[i]), inputs))
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
pub fn render(session: &Session, tail_s: f32) -> Result<Audio, RenderError> {
    let (topology, inputs) = topology_and_inputs(session)?;
    let sr = session.sample_rate;
    let longest = inputs.iter().map(Vec::len).max().unwrap_or(0);
    let (mut engine, handle) = engine::new(topology.clone(), &session_values(session));
    let latency = handle.latency();
    let frames = longest + (tail_s.max(0.0) * sr as f32) as usize;
    let total = frames + latency;

    let outs = topology.output_channels();
    let mut out_bufs = vec![vec![0.0f32; MAX_BLOCK]; outs];
    let mut in_bufs = vec![vec![0.0f32; MAX_BLOCK]; inputs.len()];
    let mut master = [Vec::with_capacity(total), Vec::with_capacity(total)];
    let mut pos = 0;
    while pos < total {
        let n = (total - pos).min(MAX_BLOCK);
        for (buf, src) in in_bufs.iter_mut().zip(&inputs) {
            buf[..n].fill(0.0);
            if pos < src.len() {
                let m = n.min(src.len() - pos);
                buf[..m].copy_from_slice(&src[pos..pos + m]);
            }
        }
        let ins: Vec<&[f32]> = in_bufs.iter().map(|b| &b[..n]).collect();
        let mut outs: Vec<&mut [f32]> = out_bufs.iter_mut().map(|b| &mut b[..n]).collect();
        engine.process(&ins, &mut outs, n);
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
