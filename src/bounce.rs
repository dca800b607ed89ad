//! An offline bounce: a mix (its values and automation lanes) of a
//! session's file sources, played through the engine block by block with
//! the transport running from the start, faster than real time.
//!
//! The very engine the daemon runs plays it, so a bounce is what is heard
//! live: file sources and lanes go through the same code. Tracks fed from
//! interface inputs are silent here. `mixbridge render` bounces the
//! session (or a revision, `--revision`) to a file; the daemon bounces two
//! revisions on a thread of their own for their A/B on the monitor.

use crate::audio_file::Audio;
use crate::automation::Automation;
use crate::control::model::Mix;
use crate::engine::transport::TransportCommand;
use crate::engine::{self, Topology, MAX_BLOCK};
use crate::params::{DriveField, Owner, Param, ParamId, PitchField};
use crate::session::Session;
use crate::sources::FileSources;

/// How often a bounce reports its progress, in frames.
const PROGRESS_EVERY: usize = 16 * MAX_BLOCK;

/// What a bounce plays: the session's tracks and buses, their file
/// sources at `rate`, the mix's values and its lanes.
pub struct Bounce<'a> {
    pub session: &'a Session,
    /// Decoded and resampled to `rate`.
    pub sources: &'a FileSources,
    pub rate: u32,
    pub mix: &'a Mix,
    pub automation: &'a mut Automation,
    /// Seconds past the end of the longest source, for tails.
    pub tail_s: f32,
}

/// Whether a track's drive or pitch insert is on, or may be switched on by
/// a lane: only then does the bounce pay for keeping the tracks aligned.
fn uses_latent_inserts(mix: &Mix, automation: &Automation) -> bool {
    let track = |id: &ParamId| matches!(id.owner, Owner::Track(_));
    let latent = |id: &ParamId| track(id) && matches!(id.param, Param::Drive(_) | Param::Pitch(_));
    let on = |id: &ParamId| {
        track(id)
            && matches!(
                id.param,
                Param::Drive(DriveField::On) | Param::Pitch(PitchField::On)
            )
    };
    let set = mix.values().iter().any(|(id, v)| on(id) && *v >= 0.5);
    set || automation.lanes().keys().any(latent)
}

impl Bounce<'_> {
    /// The master, stereo: the length of the longest source plus the tail,
    /// aligned so that the limiter's look-ahead and the drive and pitch
    /// inserts' latencies add no delay (sample `k` is timeline sample `k`).
    /// `progress` hears the frames done and the frames in all, every few
    /// thousand frames and at the end.
    pub fn run(self, progress: &mut dyn FnMut(usize, usize)) -> Audio {
        let topology = Topology {
            sample_rate: self.rate as f32,
            compensate_latency: uses_latent_inserts(self.mix, self.automation),
            ..self.session.topology(|i| self.sources.tracks[i])
        };
        let (mut engine, mut handle) = engine::new(topology.clone(), &self.mix.values());
        handle.set_media(self.sources.media(0));
        handle.set_playback(self.automation.playback(self.mix));
        handle.transport(TransportCommand::Play);
        let latency = handle.latency();
        let frames = self.sources.longest() + (self.tail_s.max(0.0) * self.rate as f32) as usize;
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
        Audio {
            sample_rate: self.rate,
            channels: vec![l, r],
        }
    }
}
