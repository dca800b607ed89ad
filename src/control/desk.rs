//! The desk: the open session's transport, automation, scenes, revisions
//! and review notes, and the one place where their [`Request`]s are
//! carried out, whichever surface made them.

mod review;

pub use review::{ab_answer, note_answer, review_problems};

use super::model::{Change, Key, Mix};
use super::request::{Answer, Arg, Request};
use crate::automation::{self, Automation};
use crate::engine::transport::TransportCommand;
use crate::engine::EngineHandle;
use crate::params::{AutomationMode, Owner, Param, ParamId};
use crate::scenes::{self, Scenes};
use crate::session::Session;
use crate::transport::{self, BarsBeats, Transport};
use crate::yaml::Errors;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How often the desk wakes while the transport plays or a scene fades.
pub const TICK: Duration = Duration::from_millis(20);
/// How often the position is sent to surfaces while playing.
pub const POSITION_EVERY: Duration = Duration::from_millis(100);

pub struct Desk {
    pub transport: Transport,
    pub automation: Automation,
    pub scenes: Scenes,
    pub revisions: crate::revisions::Revisions,
    pub notes: crate::notes::Notes,
    /// The A/B of two revisions on the monitor.
    pub ab: crate::revisions::ab::Ab,
    /// A locate sent to the engine and not yet carried out: the seconds it
    /// goes to, and the clock's jump count when it was sent. Requests that
    /// follow it (next marker, rewind) start from there.
    locating: Option<(f64, u32)>,
}

/// The transport as surfaces show it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransportView {
    pub seconds: f64,
    pub playing: bool,
    /// Automation writing is enabled.
    pub record: bool,
    pub looping: bool,
    pub tempo: f32,
}

impl TransportView {
    pub fn bars(&self) -> BarsBeats {
        transport::bars_beats(self.seconds, self.tempo)
    }

    /// The same but for the position (which moves all the time).
    pub fn same_state(&self, other: &TransportView) -> bool {
        self.playing == other.playing
            && self.record == other.record
            && self.looping == other.looping
    }
}

/// What carrying out a request did.
#[derive(Debug, Default)]
pub struct Done {
    /// Applied to the model; to be committed.
    pub changes: Vec<Change>,
    pub answers: Vec<Answer>,
    pub error: Option<String>,
}

impl Desk {
    /// The desk of `session`: its markers and loop, lanes and scenes, or
    /// every problem found in their files.
    pub fn load(
        session: &Session,
        mix: &Mix,
        settings: automation::Settings,
    ) -> Result<Desk, Errors> {
        let transport = Transport::load(&session.dir, session.sample_rate);
        let automation = Automation::load(&session.dir, mix.registry(), settings);
        let scenes = Scenes::load(&session.dir);
        let mut errors = Vec::new();
        for e in [
            transport.as_ref().err(),
            automation.as_ref().err(),
            scenes.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        {
            errors.extend(e.0.iter().cloned());
        }
        Errors::check(errors)?;
        Ok(Desk {
            transport: transport?,
            automation: automation?,
            scenes: scenes?,
            revisions: crate::revisions::Revisions::new(&session.dir),
            notes: crate::notes::Notes::load(&session.dir),
            ab: crate::revisions::ab::Ab::new(),
            locating: None,
        })
    }

    /// What is wrong with the session's revision and notes files (see
    /// [`review_problems`]).
    pub fn review_problems(&self) -> Vec<String> {
        review_problems(&self.revisions, &self.notes)
    }

    /// A new engine runs at `sample_rate`: give it the lanes, the loop and
    /// the position the old one was left at.
    pub fn attach(
        &mut self,
        sample_rate: u32,
        at: crate::engine::transport::ClockReading,
        mix: &Mix,
        handle: &mut EngineHandle,
    ) {
        self.transport.set_sample_rate(sample_rate);
        for c in self.transport.restore(at) {
            handle.transport(c);
        }
        self.automation.attach(sample_rate, mix, handle);
    }

    /// Where the transport is (seconds, playing), or is about to be after a
    /// locate the engine has not carried out yet.
    fn position(&mut self, mix: &Mix, handle: &mut EngineHandle, now: Instant) -> (f64, bool) {
        let n = self.automation.position(mix, handle, now);
        match self.locating {
            Some((to, sent)) if sent == handle.clock().read().jumps => (to, n.playing),
            _ => {
                self.locating = None;
                (n.time, n.playing)
            }
        }
    }

    pub fn view(&mut self, mix: &Mix, handle: &mut EngineHandle, now: Instant) -> TransportView {
        let (seconds, playing) = self.position(mix, handle, now);
        TransportView {
            seconds,
            playing,
            record: self.automation.record(),
            looping: self.transport.looping(),
            tempo: mix
                .get(ParamId::new(Owner::Transport, Param::Tempo))
                .unwrap_or(120.0),
        }
    }

    /// Automation feedback and scene fades that are due.
    pub fn tick(&mut self, mix: &mut Mix, handle: &mut EngineHandle, now: Instant) -> Vec<Change> {
        let mut changes = self.automation.tick(mix, handle, now);
        changes.extend(self.scenes.tick(mix, now));
        changes
    }

    /// Commit what is being written (shutdown, reload).
    pub fn finish(&mut self, mix: &Mix, handle: &mut EngineHandle) {
        self.automation.finish(mix, handle);
    }

    pub fn request(
        &mut self,
        request: Request,
        mix: &mut Mix,
        handle: &mut EngineHandle,
        now: Instant,
    ) -> Done {
        let mut done = Done::default();
        let fail = |done: &mut Done, e: String| done.error = Some(e);
        match request {
            Request::Transport(t) => {
                let list = t == transport::Request::ListMarkers;
                let (from, _) = self.position(mix, handle, now);
                let jumps = handle.clock().read().jumps;
                let out = self.transport.request(t, from, self.automation.record());
                for c in out.commands {
                    if let TransportCommand::Locate(frame) = c {
                        self.locating = Some((self.transport.seconds(frame), jumps));
                    }
                    handle.transport(c);
                }
                if let Some(on) = out.record {
                    self.automation.set_record(on, mix, handle);
                }
                if let Some(e) = out.error {
                    fail(&mut done, e);
                }
                if out.changed || list {
                    done.answers.extend(self.marker_answers());
                }
            }
            Request::Position => {
                let v = self.view(mix, handle, now);
                done.answers.extend(position_answers(&v));
            }
            Request::StripMode { mode, owners } => {
                let owners = if owners.is_empty() {
                    (0..mix.registry().layout().tracks as u16)
                        .map(Owner::Track)
                        .collect()
                } else {
                    owners
                };
                for o in owners {
                    let id = ParamId::new(o, Param::Automation);
                    if mix.set(id, mode as usize as f32).is_some() {
                        done.changes.push(Change {
                            key: Key::Param(id),
                            origin: super::model::Origin::Session,
                        });
                    }
                }
            }
            Request::LaneMode { id, mode } => {
                if let Err(e) = self.automation.set_lane_mode(id, mode, mix, handle) {
                    fail(&mut done, format!("cannot save the lane: {e}"));
                }
                done.answers.push(Answer::new(
                    &format!("/{}/automation", crate::params::ParamRef::plain(id)),
                    vec![Arg::Text(mode.map_or("strip", AutomationMode::name).into())],
                ));
            }
            Request::AutomationUndo => {
                if !self.automation.undo(mix, handle, now) {
                    fail(&mut done, "no automation pass to undo".into());
                }
            }
            Request::SceneSave(name) => {
                let saved = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64);
                match self.scenes.save(&name, mix, saved) {
                    Ok(()) => done
                        .answers
                        .push(Answer::new("/scene/saved", vec![Arg::Text(name)])),
                    Err(e) => fail(&mut done, e),
                }
            }
            Request::SceneRecall { name, fade } => {
                match self.scenes.recall(&name, fade, mix, now) {
                    Ok(r) => {
                        done.changes = r.changes;
                        done.answers.push(Answer::new(
                            "/scene/recalled",
                            vec![Arg::Text(name), Arg::Number(r.safe as f64)],
                        ));
                    }
                    Err(e) => fail(&mut done, e),
                }
            }
            Request::SceneDelete(name) => match self.scenes.delete(&name) {
                Ok(()) => done
                    .answers
                    .push(Answer::new("/scene/deleted", vec![Arg::Text(name)])),
                Err(e) => fail(&mut done, e),
            },
            Request::SceneList => {
                let list = self.scenes.list();
                done.answers.push(Answer::new(
                    "/scene/count",
                    vec![Arg::Number(list.len() as f64)],
                ));
                for s in list {
                    done.answers.push(Answer::new(
                        "/scene",
                        vec![
                            Arg::Text(s.name.clone()),
                            Arg::Text(scenes::file::rfc3339(s.saved)),
                        ],
                    ));
                }
            }
            Request::SceneUndo => match self.scenes.undo(mix) {
                Ok(c) => {
                    done.changes = c;
                    done.answers.push(Answer::new("/scene/undone", vec![]));
                }
                Err(e) => fail(&mut done, e),
            },
            Request::Revision(r) => return self.revision(r, mix, handle),
            Request::Note(r) => return self.note(r, mix, handle, now),
            Request::SceneSafe(set) => {
                if let Some((pattern, on)) = set {
                    if let Err(e) = self.scenes.set_safe(&pattern, on, mix.registry()) {
                        fail(&mut done, e);
                    }
                }
                let safes: Vec<Arg> = self
                    .scenes
                    .safes()
                    .iter()
                    .map(|s| Arg::Text(s.clone()))
                    .collect();
                done.answers.push(Answer::new("/scene/safe", safes));
            }
        }
        done
    }

    fn marker_answers(&self) -> Vec<Answer> {
        let mut a = vec![Answer::new(
            "/transport/marker/count",
            vec![Arg::Number(self.transport.markers().len() as f64)],
        )];
        for m in self.transport.markers() {
            a.push(Answer::new(
                "/transport/marker",
                vec![Arg::Text(m.name.clone()), Arg::Number(m.time)],
            ));
        }
        a
    }

    /// When the desk next has work.
    pub fn next_due(&self, playing: bool, now: Instant) -> Instant {
        if playing {
            now + TICK
        } else {
            self.scenes.next_due(now).unwrap_or(now + POSITION_EVERY)
        }
    }
}

/// The transport as OSC answers and feedback report it.
pub fn position_answers(v: &TransportView) -> Vec<Answer> {
    let b = v.bars();
    vec![
        Answer::new("/transport/position", vec![Arg::Number(v.seconds)]),
        Answer::new(
            "/transport/bars",
            vec![Arg::Text(format!("{}|{}|{:03}", b.bar, b.beat, b.tick))],
        ),
        Answer::new(
            "/transport/playing",
            vec![Arg::Number(f64::from(u8::from(v.playing)))],
        ),
        Answer::new(
            "/transport/record",
            vec![Arg::Number(f64::from(u8::from(v.record)))],
        ),
        Answer::new(
            "/transport/loop",
            vec![Arg::Number(f64::from(u8::from(v.looping)))],
        ),
    ]
}
