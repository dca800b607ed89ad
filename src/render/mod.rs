//! Offline render: a session's file sources through the engine, faster than
//! real time, into a WAV file with its loudness report; the session's mix
//! as its files hold it, or one of its revisions.
//!
//! The render is a [`crate::bounce`]: the very engine the daemon runs,
//! block by block, with its transport playing from the start, so a bounce
//! is what was heard: file sources and automation lanes play through the
//! same code as live. Tracks fed from interface inputs are silent here.

use crate::audio_file::{Audio, AudioFileError};
use crate::automation::{Automation, Settings};
use crate::bounce::Bounce;
use crate::control::model::Mix;
use crate::revisions::{ab::playable, Revision};
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
    let mix = Mix::from_session(session);
    let mut automation = Automation::load(&session.dir, mix.registry(), Settings::default())?;
    bounce(session, &mix, &mut automation, tail_s, progress)
}

/// Render a revision of the session (its values and lanes, not the
/// session's), as [`render_reporting`] does; paths the session does not
/// have are left out and named in the log.
pub fn render_revision(
    session: &Session,
    revision: &Revision,
    tail_s: f32,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Audio, RenderError> {
    let (mix, mut automation, unknown) = playable(session, revision);
    if !unknown.is_empty() {
        log::warn!(
            "revision `{}`: {} paths this session does not have are left out: {}",
            revision.name,
            unknown.len(),
            unknown.join(", ")
        );
    }
    bounce(session, &mix, &mut automation, tail_s, progress)
}

/// The session's files, decoded at its rate, through the engine at `mix`
/// with `automation`.
fn bounce(
    session: &Session,
    mix: &Mix,
    automation: &mut Automation,
    tail_s: f32,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Audio, RenderError> {
    let (sources, errors) = FileSources::load(session, session.sample_rate);
    if !errors.is_empty() {
        return Err(RenderError::Sources(errors));
    }
    Ok(Bounce {
        session,
        sources: &sources,
        rate: session.sample_rate,
        mix,
        automation,
        tail_s,
    }
    .run(progress))
}
