//! Offline render: a session's file sources through the engine, faster than
//! real time, into a WAV file with its loudness report.
//!
//! The render drives the very engine the daemon runs, block by block, with
//! its transport playing from the start, so a bounce is what was heard:
//! file sources and automation lanes play through the same code as live.
//! Tracks fed from interface inputs are silent here.

use crate::audio_file::{Audio, AudioFileError};
use crate::automation::{Automation, Settings};
use crate::control::model::Mix;
use crate::engine::transport::TransportCommand;
use crate::engine::{self, Topology, MAX_BLOCK};
use crate::params::{DriveField, Owner, Param, ParamId, PitchField};
use crate::session::Session;
use crate::sources::FileSources;

/// Seconds rendered after the longest file, so reverb and delay tails ring out.
pub const DEFAULT_TAIL_S: f32 = 2.0;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Every file source that could not be used, one per line.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Sources(Vec<AudioFileError>),
    #[error(transparent)]
    Automation(#[from] crate::yaml::Errors),
}

/// Whether a track's drive or pitch insert is on, or may be switched on by
/// a lane: only then does the render pay for keeping the tracks aligned.
fn uses_latent_inserts(session: &Session, automation: &Automation) -> bool {
    let track = |id: &ParamId| matches!(id.owner, Owner::Track(_));
    let latent = |id: &ParamId| track(id) && matches!(id.param, Param::Drive(_) | Param::Pitch(_));
    let on = |id: &ParamId| {
        track(id)
            && matches!(
                id.param,
                Param::Drive(DriveField::On) | Param::Pitch(PitchField::On)
            )
    };
    let set = session.values().iter().any(|(id, v)| on(id) && *v >= 0.5);
    set || automation.lanes().keys().any(latent)
}

/// How often a render reports its progress, in frames.
const PROGRESS_EVERY: usize = 16 * MAX_BLOCK;

/// Render the session's master to stereo audio: the length of its longest
/// file plus `tail_s`, aligned so the limiter's look-ahead and the drive
/// and pitch inserts' latencies add no delay.
/// The transport plays from the start, so file sources and automation lanes
/// play exactly as they do live.
pub fn render(session: &Session, tail_s: f32) -> Result<Audio, RenderError> {
    render_reporting(session, tail_s, &mut |_, _| {})
}

/// [`render`], telling `progress` the frames done and the frames in all,
/// every few thousand frames and at the end.
pub fn render_reporting(
    session: &Session,
    tail_s: f32,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Audio, RenderError> {
    let sr = session.sample_rate;
    let (sources, errors) = FileSources::load(session, sr);
    if !errors.is_empty() {
        return Err(RenderError::Sources(errors));
    }
    let mix = Mix::from_session(session);
    let mut automation = Automation::load(&session.dir, mix.registry(), Settings::default())?;
    let topology = Topology {
        compensate_latency: uses_latent_inserts(session, &automation),
        ..session.topology(|i| sources.tracks[i])
    };
    let (mut engine, mut handle) = engine::new(topology.clone(), &session.values());
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
        if pos % PROGRESS_EVERY == 0 || pos == total {
            progress(pos, total);
        }
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
