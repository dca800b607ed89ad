//! A/B of two revisions on the monitor: both are bounced offline (the
//! session's file sources, already decoded for the live engine, through
//! an engine of their own on a background thread), then played through the
//! monitor's reference slot at the transport position, one or the other,
//! switched by a 20 ms crossfade at the same sample (see
//! `engine::monitor::reference`). The live mix is never touched.
//!
//! Cost: a bounce takes what `mixbridge render` takes (the engine's time
//! for the session, faster than real time; two revisions bounce side by
//! side on two threads), and a take holds its stereo audio as 32-bit
//! floats: 23 MB per minute at 48 kHz, twice that for the pair, held
//! while the A/B runs. A take is kept while its revision file is unchanged
//! (its `saved` time), so moving to another pair with one revision in
//! common only bounces the new one. Tracks on interface inputs are silent
//! in a bounce, as in a render: an A/B compares mixes of files.

use super::Revision;
use crate::automation::{self, Automation};
use crate::bounce::Bounce;
use crate::control::model::Mix;
use crate::engine::monitor::reference::Take as Stereo;
use crate::engine::monitor::Reference;
use crate::session::Session;
use crate::sources::FileSources;
use crossbeam_channel::{bounded, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a switch between A and B crossfades.
pub const FADE: Duration = Duration::from_millis(20);
/// Seconds bounced past the end of the longest source.
pub const TAIL_S: f32 = 2.0;

/// One revision bounced.
#[derive(Clone)]
pub struct Take {
    pub name: String,
    /// The revision's `saved` time: a revision saved again is bounced again.
    pub saved: u64,
    /// The sources' generation and rate it was bounced from.
    generation: u64,
    pub rate: u32,
    pub audio: Stereo,
    /// How long the bounce took.
    pub took: Duration,
}

impl Take {
    /// Its length in seconds.
    pub fn seconds(&self) -> f64 {
        self.audio[0].len() as f64 / f64::from(self.rate.max(1))
    }

    /// Its audio in bytes.
    pub fn bytes(&self) -> usize {
        2 * self.audio[0].len() * std::mem::size_of::<f32>()
    }
}

/// A bounce that finished, for the control loop to hand to [`Ab::on_bounced`].
pub struct Bounced {
    job: u64,
    result: Result<Take, String>,
}

/// Which of the pair plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

/// The A/B as it stands.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    Off,
    /// Waiting for bounces.
    Bouncing {
        a: String,
        b: String,
    },
    Playing {
        a: String,
        b: String,
        side: Side,
    },
}

struct Pair {
    revisions: [Revision; 2],
    side: Side,
}

pub struct Ab {
    /// The monitor's reference switch as it was before the A/B took it,
    /// to put back when it ends.
    pub resume: Option<f32>,
    session: Option<Session>,
    sources: FileSources,
    rate: u32,
    generation: u64,
    pair: Option<Pair>,
    takes: Vec<Take>,
    /// Bounces under way, by job number.
    waiting: Vec<u64>,
    jobs: u64,
    tx: Sender<Bounced>,
    rx: Receiver<Bounced>,
}

impl Default for Ab {
    fn default() -> Self {
        Ab::new()
    }
}

impl Ab {
    pub fn new() -> Ab {
        let (tx, rx) = bounded(4);
        Ab {
            resume: None,
            session: None,
            sources: FileSources::default(),
            rate: 0,
            generation: 0,
            pair: None,
            takes: Vec::new(),
            waiting: Vec::new(),
            jobs: 0,
            tx,
            rx,
        }
    }

    /// Finished bounces, for the control loop.
    pub fn events(&self) -> Receiver<Bounced> {
        self.rx.clone()
    }

    /// The session and its decoded sources at the engine's `rate` (each
    /// load and each new engine): takes of other audio are dropped.
    pub fn set_sources(&mut self, session: &Session, sources: &FileSources, rate: u32) {
        let same_audio = self.rate == rate
            && self.session.as_ref() == Some(session)
            && self.sources.channels.len() == sources.channels.len()
            && (self.sources.channels.iter())
                .zip(&sources.channels)
                .all(|(a, b)| Arc::ptr_eq(a, b));
        if same_audio {
            return;
        }
        self.session = Some(session.clone());
        self.sources = sources.clone();
        self.rate = rate;
        self.generation += 1;
        self.takes.clear();
        if self.pair.is_some() {
            if let Err(e) = self.bounce_missing() {
                log::error!("A/B stopped: {e}");
                self.pair = None;
            }
        }
    }

    pub fn state(&self) -> State {
        let Some(p) = &self.pair else {
            return State::Off;
        };
        let [a, b] = [0, 1].map(|k| p.revisions[k].name.clone());
        if self.playing() {
            State::Playing { a, b, side: p.side }
        } else {
            State::Bouncing { a, b }
        }
    }

    /// Whether the pair plays (both bounced).
    pub fn playing(&self) -> bool {
        self.take(0).is_some() && self.take(1).is_some()
    }

    fn take(&self, k: usize) -> Option<&Take> {
        let p = self.pair.as_ref()?;
        let r = &p.revisions[k];
        self.takes.iter().find(|t| {
            t.name == r.name
                && t.saved == r.saved
                && t.rate == self.rate
                && t.generation == self.generation
        })
    }

    /// Start an A/B of `a` and `b` on `side`, bouncing what is not bounced
    /// yet.
    pub fn start(&mut self, a: Revision, b: Revision, side: Side) -> Result<State, String> {
        if self.session.is_none() || self.rate == 0 {
            return Err(
                "the session's audio files are still loading; try again in a moment".into(),
            );
        }
        self.takes.retain(|t| t.name == a.name || t.name == b.name);
        self.pair = Some(Pair {
            revisions: [a, b],
            side,
        });
        if let Err(e) = self.bounce_missing() {
            self.pair = None;
            return Err(e);
        }
        Ok(self.state())
    }

    /// Bounce each revision of the pair that has no take yet, each on a
    /// thread of its own.
    fn bounce_missing(&mut self) -> Result<(), String> {
        let (Some(session), Some(pair)) = (self.session.clone(), &self.pair) else {
            return Ok(());
        };
        let missing: Vec<Revision> = (0..2)
            .filter(|&k| self.take(k).is_none())
            .map(|k| pair.revisions[k].clone())
            .collect();
        self.waiting.clear();
        let mut started: Vec<String> = Vec::new();
        for r in missing {
            if started.contains(&r.name) {
                continue;
            }
            started.push(r.name.clone());
            self.jobs += 1;
            let job = self.jobs;
            self.waiting.push(job);
            let (sources, rate, generation, tx) = (
                self.sources.clone(),
                self.rate,
                self.generation,
                self.tx.clone(),
            );
            let session = session.clone();
            std::thread::Builder::new()
                .name("ab-bounce".into())
                .spawn(move || {
                    let result = bounce(&session, &sources, rate, &r).map(|(audio, took)| Take {
                        name: r.name.clone(),
                        saved: r.saved,
                        generation,
                        rate,
                        audio,
                        took,
                    });
                    let _ = tx.send(Bounced { job, result });
                })
                .map_err(|e| format!("cannot start a bounce: {e}"))?;
        }
        Ok(())
    }

    /// A bounce finished: keep its take (unless the A/B moved on). The
    /// new state, and an error to report, if it failed.
    pub fn on_bounced(&mut self, done: Bounced) -> (State, Option<String>) {
        if !self.waiting.contains(&done.job) {
            return (self.state(), None);
        }
        self.waiting.retain(|j| *j != done.job);
        match done.result {
            Ok(take) => {
                log::info!(
                    "A/B: bounced revision `{}` ({:.1} s of audio in {:.2} s, {:.0}x real time, {:.1} MB)",
                    take.name,
                    take.seconds(),
                    take.took.as_secs_f64(),
                    take.seconds() / take.took.as_secs_f64().max(1e-9),
                    take.bytes() as f64 / 1e6
                );
                if take.generation == self.generation {
                    self.takes.push(take);
                }
                (self.state(), None)
            }
            Err(e) => {
                self.pair = None;
                self.waiting.clear();
                (State::Off, Some(format!("A/B stopped: {e}")))
            }
        }
    }

    /// Play `side`, or the other one (`None`); an error while nothing plays.
    pub fn select(&mut self, side: Option<Side>) -> Result<State, String> {
        let playing = self.playing();
        let Some(p) = &mut self.pair else {
            return Err("no A/B: start one with /revision/ab A B".into());
        };
        p.side = side.unwrap_or(match p.side {
            Side::A => Side::B,
            Side::B => Side::A,
        });
        if !playing {
            return Err(format!(
                "the A/B of `{}` and `{}` is still bouncing; it plays when ready",
                p.revisions[0].name, p.revisions[1].name
            ));
        }
        Ok(self.state())
    }

    /// End the A/B; its audio is let go (an A/B holds its takes only
    /// while it runs).
    pub fn stop(&mut self) {
        self.pair = None;
        self.waiting.clear();
        self.takes.clear();
    }

    /// The engine's reference for the pair as it stands, once both are
    /// bounced.
    pub fn reference(&self) -> Option<Reference> {
        let (a, b) = (self.take(0)?, self.take(1)?);
        let side = self.pair.as_ref()?.side;
        let fade = (FADE.as_secs_f64() * f64::from(self.rate)).round() as usize;
        Some(Reference::ab(
            a.audio.clone(),
            b.audio.clone(),
            side == Side::B,
            fade,
        ))
    }

    /// Bytes of audio held by the takes.
    pub fn bytes(&self) -> usize {
        self.takes.iter().map(Take::bytes).sum()
    }
}

/// A revision as a bounce plays it: the session's mix at the revision's
/// values, with its lanes. Paths the session does not have are left out.
pub fn playable(session: &Session, revision: &Revision) -> (Mix, Automation, Vec<String>) {
    let mut mix = Mix::from_session(session);
    let resolved = super::recall::resolve(revision, &mix);
    for (id, v) in &resolved.values {
        mix.set(*id, *v);
    }
    let automation = Automation::from_files(
        session.dir.join(automation::file::FOLDER),
        automation::Settings::default(),
        resolved.lanes,
    );
    (mix, automation, resolved.unknown)
}

/// Bounce `revision` of `session` from `sources` at `rate`.
fn bounce(
    session: &Session,
    sources: &FileSources,
    rate: u32,
    revision: &Revision,
) -> Result<(Stereo, Duration), String> {
    let started = Instant::now();
    let (mix, mut automation, _) = playable(session, revision);
    let audio = Bounce {
        session,
        sources,
        rate,
        mix: &mix,
        automation: &mut automation,
        tail_s: TAIL_S,
    }
    .run(&mut |_, _| {});
    let mut channels = audio.channels.into_iter();
    let (Some(l), Some(r)) = (channels.next(), channels.next()) else {
        return Err(format!(
            "the bounce of `{}` has no stereo master",
            revision.name
        ));
    };
    Ok(([l.into(), r.into()], started.elapsed()))
}
